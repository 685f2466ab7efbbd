"""JAX implementations of the pooling ops
(:mod:`theano_compat.tensor.signal.pool`), any number of pooled axes.

The ops' window arithmetic (:class:`~theano_compat.tensor.signal.pool.
Windows`) on JAX arrays: the same slices as the NumPy code.  JAX compiles
for fixed shapes, so ``ws``, ``stride`` and ``pad`` must be constants.
"""

import jax.numpy as jnp
from pytensor.graph.basic import Constant
from pytensor.link.jax.dispatch import jax_funcify

from theano_compat.engine.jax_device import NotInModeJAX
from theano_compat.tensor.signal.pool import (
    AveragePoolGrad, DownsampleFactorMaxGradGrad, MaxPoolGrad, MaxPoolRop,
    Pool)


def windows(op, node):
    """The op's :class:`Windows`, from its constant last three inputs."""
    geometry = node.inputs[-3:]
    if not all(isinstance(v, Constant) for v in geometry):
        raise NotInModeJAX(
            'mode JAX: pooling needs ws, stride and pad known when the '
            'function is compiled (constants), not symbolic')
    return op.windows(*[v.data for v in geometry])


@jax_funcify.register(Pool)
def jax_funcify_pool(op, node, **kwargs):
    w = windows(op, node)

    def pool(x, *geometry):
        return w.pool(jnp, x)
    return pool


@jax_funcify.register(MaxPoolGrad)
def jax_funcify_max_pool_grad(op, node, **kwargs):
    w = windows(op, node)

    def max_pool_grad(x, z, gz, *geometry):
        return w.max_grad(jnp, x, z, gz)
    return max_pool_grad


@jax_funcify.register(AveragePoolGrad)
def jax_funcify_average_pool_grad(op, node, **kwargs):
    w = windows(op, node)

    def average_pool_grad(x, gz, *geometry):
        return w.average_grad(jnp, x.shape, gz)
    return average_pool_grad


@jax_funcify.register(DownsampleFactorMaxGradGrad)
def jax_funcify_max_pool_grad_grad(op, node, **kwargs):
    w = windows(op, node)

    def max_pool_grad_grad(x, z, gg, *geometry):
        return w.max_grad_grad(jnp, x, z, gg)
    return max_pool_grad_grad


@jax_funcify.register(MaxPoolRop)
def jax_funcify_max_pool_rop(op, node, **kwargs):
    w = windows(op, node)

    def max_pool_rop(x, eval_point, *geometry):
        return w.max_rop(jnp, x, eval_point)
    return max_pool_rop
