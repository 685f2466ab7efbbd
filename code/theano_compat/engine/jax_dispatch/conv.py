"""JAX implementations of the convolution ops
(:mod:`theano_compat.tensor.nnet.abstract_conv`), any number of axes.

The forward pass is ``jax.lax.conv_general_dilated``; each gradient is
its vector-Jacobian product (``jax.vjp``), the transpose of the forward
pass, as the C++ code computes it; groups (``num_groups``) are
``feature_group_count``.  Unshared (locally connected) convolutions have
no JAX implementation (a one-line error).  JAX compiles for fixed shapes: the
spatial shape input of a gradient op must be known when the function is
compiled (a constant, or the shape of another input: the rewrite
``jax_conv_shape_as_tuple`` of ``engine.rewrites`` keeps it concrete).
"""

import jax
import jax.numpy as jnp
from pytensor.graph.basic import Constant
from pytensor.link.jax.dispatch import jax_funcify

from theano_compat.engine.jax_device import NotInModeJAX
from theano_compat.tensor.nnet.abstract_conv import (
    AbstractConv, AbstractConv_gradInputs, AbstractConv_gradWeights)

SHAPE_NOT_STATIC = (
    'mode JAX: the shape given to a convolution gradient must be known when '
    'the function is compiled (a constant, or the shape of an input); got '
    'one computed at run time')

UNSHARED = ('mode JAX: unshared (locally connected) convolution is not '
            'implemented; use the C or Python modes (mode=\'FAST_RUN\' or '
            'Mode(linker=\'py\'))')

_LAYOUTS = {2: ('NCHW', 'OIHW', 'NCHW'), 3: ('NCDHW', 'OIDHW', 'NCDHW')}


def correlate(op, images, filters):
    """The forward pass of ``op`` on JAX arrays."""
    nd = op.convdim
    pads = op.pads(filters.shape[2:])
    if op.filter_flip:
        filters = filters[(slice(None), slice(None))
                          + (slice(None, None, -1),) * nd]
    return jax.lax.conv_general_dilated(
        images, filters, window_strides=op.subsample,
        padding=[tuple(int(p) for p in pair) for pair in pads],
        rhs_dilation=op.filter_dilation, dimension_numbers=_LAYOUTS[nd],
        feature_group_count=op.num_groups)


def _shared_only(op):
    if op.unshared:
        raise NotInModeJAX(UNSHARED)


def _static_shape(node, shape):
    """The shape input as a tuple of ints, or NotImplementedError."""
    if isinstance(node.inputs[2], Constant):
        return tuple(int(s) for s in node.inputs[2].data)
    try:
        return tuple(int(s) for s in shape)
    except (TypeError, jax.errors.ConcretizationTypeError):
        raise NotImplementedError(SHAPE_NOT_STATIC) from None


@jax_funcify.register(AbstractConv)
def jax_funcify_abstract_conv(op, **kwargs):
    _shared_only(op)
    def abstract_conv(images, filters):
        return correlate(op, images, filters)
    return abstract_conv


@jax_funcify.register(AbstractConv_gradWeights)
def jax_funcify_abstract_conv_grad_weights(op, node, **kwargs):
    _shared_only(op)

    def abstract_conv_grad_weights(images, top, shape):
        shape = (top.shape[1], images.shape[1] // op.num_groups) \
            + _static_shape(node, shape)
        _, pullback = jax.vjp(lambda w: correlate(op, images, w),
                              jnp.zeros(shape, images.dtype))
        return pullback(top.astype(images.dtype))[0]
    return abstract_conv_grad_weights


@jax_funcify.register(AbstractConv_gradInputs)
def jax_funcify_abstract_conv_grad_inputs(op, node, **kwargs):
    _shared_only(op)

    def abstract_conv_grad_inputs(filters, top, shape):
        shape = (top.shape[0], filters.shape[1] * op.num_groups) \
            + _static_shape(node, shape)
        _, pullback = jax.vjp(lambda x: correlate(op, x, filters),
                              jnp.zeros(shape, filters.dtype))
        return pullback(top.astype(filters.dtype))[0]
    return abstract_conv_grad_inputs
