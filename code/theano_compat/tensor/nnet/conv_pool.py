"""A convolution and the max pooling of its output as one op.

The convolutional layers of the LeNet tutorial pool the output of each
convolution in windows that tile it, ``pool_2d(conv2d(x, W), ws=(2, 2),
ignore_border=True)``; ``T.grad`` then sends the pooled output's
gradient back through ``MaxPoolGrad``, which needs the convolution's
whole output, to the convolution's gradient ops.  Computed apart, the
convolution writes its whole output to memory, the pooling reads it, and
the gradient writes a gradient of the same size for the two gradient
ops to read: for the first layer, 23 MB each time.

The ops here compute the same with the whole output kept inside the
convolution's C++ loop (``corr_gemm.cpp``), one image at a time:

* :class:`ConvPool`: ``(images, filters) -> (pooled, switches)``, the
  output max pooled, and for each window a byte ("switches") whose bit
  ``e`` marks the window's ``e``-th position (C order) as equal to the
  window's maximum (every such position, at a tie);
* :class:`ConvPool_gradWeights` and :class:`ConvPool_gradInputs`: the
  convolution's gradients taking the pooled output's gradient and the
  switches in place of the output's gradient, which they spread back
  through the switches an image at a time, as ``MaxPoolGrad`` would.

The rewrite :data:`conv_pool_rewriter` (``conv_pool`` among the C
backend's rewrites, ``engine/rewrites.py``; ``optimizer_excluding``
takes the name) puts them in place of ``Pool``, ``MaxPoolGrad`` and the
gradient ops where a float32 convolution's output is used by nothing
but one max pooling in tiling windows of at most 8 positions
(``ignore_border=True``, ``stride == ws``, no padding) and its gradient,
and that gradient by nothing but the convolution's two gradient ops.
The values are those of the ops it replaces, bit for bit: the same
products, the same maxima, the gradient at the same positions.
"""

import itertools

import numpy
import pytensor.tensor as pt
from pytensor.gradient import grad_not_implemented
from pytensor.graph.basic import Apply
from pytensor.graph.rewriting.basic import dfs_rewriter, node_rewriter
from pytensor.tensor.type import TensorType

from theano_compat.tensor.nnet.abstract_conv import (
    AbstractConv, AbstractConv_gradInputs, AbstractConv_gradWeights,
    AbstractConv2d, AbstractConv3d, BaseAbstractConv, _CLASSES, _name,
    spatial_shape)
from theano_compat.tensor.signal.pool import (
    MaxPoolGrad, Pool, Windows, _known)

__all__ = ['ConvPool', 'ConvPool_gradWeights', 'ConvPool_gradInputs',
           'conv_pool_rewriter', 'REWRITE_NAME', 'MAX_WINDOW']

REWRITE_NAME = 'conv_pool'
MAX_WINDOW = 8  # positions of a window: the bits of its switches


def _windows(ws):
    return Windows(ws, ws, (0,) * len(ws), True, 'max')


def pool_with_switches(conv, ws):
    """NumPy: the max pooling of ``conv`` over its last ``len(ws)`` axes,
    and the switches (uint8)."""
    windows = _windows(ws)
    pooled = windows.pool(numpy, conv)
    _, _, slices, _ = windows.layout(conv.shape)
    switches = numpy.zeros(pooled.shape, dtype='uint8')
    if pooled.size:
        for bit, offset in enumerate(itertools.product(
                *[range(w) for w in ws])):
            switches |= ((conv[slices[offset]] == pooled)
                         .astype('uint8') << bit)
    return numpy.ascontiguousarray(pooled), switches


def unpool(top, switches, shape, ws):
    """NumPy: the gradient of the output of ``shape`` from its pooled
    output's gradient ``top``: each window's value at its switched
    positions, zero elsewhere."""
    windows = _windows(ws)
    grad = numpy.zeros(shape, dtype=top.dtype)
    if top.size:
        _, _, slices, _ = windows.layout(shape)
        for bit, offset in enumerate(itertools.product(
                *[range(w) for w in ws])):
            chosen = (switches >> bit) & 1
            grad[slices[offset]] = numpy.where(chosen, top, 0)
    return grad


def _check_ws(pool_ws, convdim):
    pool_ws = tuple(int(w) for w in pool_ws)
    if len(pool_ws) != convdim or min(pool_ws) < 1 or \
            int(numpy.prod(pool_ws)) > MAX_WINDOW:
        raise ValueError('conv_pool: the windows %r should be %d sizes >= 1 '
                         'of at most %d positions in all'
                         % (pool_ws, convdim, MAX_WINDOW))
    return pool_ws


class _Pooled(object):
    """What the three ops share: the windows, a prop of each."""

    def _pooled_init(self, convdim, pool_ws, kwargs):
        BaseAbstractConv.__init__(self, convdim, **kwargs)
        self.pool_ws = _check_ws(pool_ws, convdim)

    def _pooled_shape(self, shape):
        lead, last = tuple(shape[:2]), tuple(shape[2:])
        return lead + tuple(None if s is None else s // w
                            for s, w in zip(last, self.pool_ws))


class ConvPool(_Pooled, AbstractConv):
    """``(images, filters) -> (pooled, switches)``: the convolution's output
    max pooled in windows of ``pool_ws`` that tile it, and the switches
    (see the module's doc).

    :param convdim: 2 or 3
    :param pool_ws: the windows, ``convdim`` sizes of at most
        :data:`MAX_WINDOW` positions in all
    :param kwargs: the convolution's ``border_mode``, ``subsample``,
        ``filter_flip`` and ``filter_dilation``
    """

    __props__ = AbstractConv.__props__ + ('pool_ws',)

    def __init__(self, convdim, pool_ws, **kwargs):
        self._pooled_init(convdim, pool_ws, kwargs)

    def make_node(self, img, kern):
        node = AbstractConv.make_node(self, img, kern)
        shape = self._pooled_shape(node.outputs[0].type.shape)
        # (the pooled type's static sizes, as Pool would give them)
        return Apply(self, node.inputs, [
            TensorType(img.type.dtype, shape=shape)(),
            TensorType('uint8', shape=shape)()])

    def perform(self, node, inputs, outputs):
        pooled, switches = pool_with_switches(self._np_forward(*inputs),
                                              self.pool_ws)
        outputs[0][0] = pooled
        outputs[1][0] = switches

    def c_macros(self, node):
        return dict(super().c_macros(node), CORR_SWITCHES_OUT='&OUTPUT_1')

    def connection_pattern(self, node):
        return [[True, False], [True, False]]

    def pullback(self, inputs, outputs, grads):
        img, kern = inputs
        top = pt.cast(grads[0], outputs[0].type.dtype)
        switches = outputs[1]
        kwargs = self._kwargs()
        nd = self.convdim
        return [ConvPool_gradInputs(nd, self.pool_ws, **kwargs)(
                    kern, top, switches, spatial_shape(img, nd)),
                ConvPool_gradWeights(nd, self.pool_ws, **kwargs)(
                    img, top, switches, spatial_shape(kern, nd))]


class _PooledGrad(_Pooled):
    """The gradient ops' inputs: ``(a, top, switches, shape)``."""

    def _pooled_make_node(self, base, a, top, switches, shape):
        switches = pt.as_tensor_variable(switches)
        if switches.type.dtype != 'uint8' or \
                switches.type.ndim != 2 + self.convdim:
            raise TypeError('%s: the switches should be a %d-d uint8 tensor, '
                            'not %s' % (_name(self.convdim),
                                        2 + self.convdim, switches.type))
        node = base.make_node(self, a, top, shape)
        a, top, shape = node.inputs
        return Apply(self, [a, top, switches, shape],
                     [out.type() for out in node.outputs])

    def _unpooled(self, top, switches, conv_shape):
        return unpool(top, switches, conv_shape, self.pool_ws)

    def c_macros(self, node):
        return dict(super().c_macros(node), CORR_SHAPE='INPUT_3',
                    CORR_SWITCHES='INPUT_2')

    def connection_pattern(self, node):
        return [[True], [True], [False], [False]]

    def pullback(self, inputs, outputs, grads):
        return [grad_not_implemented(self, i, var, 'second derivatives of '
                                     'the fused convolution and pooling')
                for i, var in enumerate(inputs)]


class ConvPool_gradWeights(_PooledGrad, AbstractConv_gradWeights):
    """``(images, pooled gradient, switches, shape) -> d_filters``: the
    filters' gradient of :class:`ConvPool` (parameters as its own)."""

    __props__ = AbstractConv_gradWeights.__props__ + ('pool_ws',)

    def __init__(self, convdim, pool_ws, **kwargs):
        self._pooled_init(convdim, pool_ws, kwargs)

    def make_node(self, img, topgrad, switches, shape):
        return self._pooled_make_node(AbstractConv_gradWeights, img, topgrad,
                                      switches, shape)

    def perform(self, node, inputs, outputs):
        img, top, switches, shape = inputs
        w_shape = (top.shape[1], img.shape[1]) + tuple(int(s) for s in shape)
        conv_shape = self._numeric_shape(img.shape, w_shape)
        outputs[0][0] = self._np_grad_weights(
            img, self._unpooled(top, switches, conv_shape), w_shape)


class ConvPool_gradInputs(_PooledGrad, AbstractConv_gradInputs):
    """``(filters, pooled gradient, switches, shape) -> d_images``: the
    images' gradient of :class:`ConvPool` (parameters as its own)."""

    __props__ = AbstractConv_gradInputs.__props__ + ('pool_ws',)

    def __init__(self, convdim, pool_ws, **kwargs):
        self._pooled_init(convdim, pool_ws, kwargs)

    def make_node(self, kern, topgrad, switches, shape):
        return self._pooled_make_node(AbstractConv_gradInputs, kern, topgrad,
                                      switches, shape)

    def perform(self, node, inputs, outputs):
        kern, top, switches, shape = inputs
        x_shape = (top.shape[0], kern.shape[1]) + tuple(int(s) for s in shape)
        conv_shape = self._numeric_shape(x_shape, kern.shape)
        outputs[0][0] = self._np_grad_inputs(
            kern, self._unpooled(top, switches, conv_shape), x_shape)


# ----------------------------------------------------------------------------
# The rewrite.

PLAIN_CONVS = (AbstractConv2d, AbstractConv3d)


def _tiling_windows(pool_node, convdim):
    """The windows of a Pool or MaxPoolGrad node if they tile the output
    in at most MAX_WINDOW positions (stride = ws, no padding,
    ignore_border), else None."""
    op = pool_node.op
    ws, stride, pad = (_known(v) for v in pool_node.inputs[-3:])
    if (op.mode != 'max' or not op.ignore_border or op.ndim != convdim
            or ws is None or stride != ws or pad is None or any(pad)
            or int(numpy.prod(ws)) > MAX_WINDOW):
        return None
    return ws


@node_rewriter([Pool])
def conv_pool(fgraph, node):
    """``Pool`` of a convolution, its ``MaxPoolGrad`` and the convolution's
    gradient ops as :class:`ConvPool` and its gradient ops (see the
    module's doc for where it applies)."""
    conv = node.inputs[0]
    maker = conv.owner
    if maker is None or type(maker.op) not in PLAIN_CONVS or \
            conv.type.dtype != 'float32':
        return None
    cop = maker.op
    if cop.num_groups != 1 or getattr(cop, 'unshared', False):
        return None  # (the fused C++ pools one group's plain output)
    ws = _tiling_windows(node, cop.convdim)
    if ws is None:
        return None
    img, kern = maker.inputs
    pooled_grads = []
    for client, i in fgraph.clients[conv]:
        if client is node:
            continue
        if not (isinstance(client.op, MaxPoolGrad) and i == 0
                and client.inputs[1] is node.outputs[0]
                and _tiling_windows(client, cop.convdim) == ws):
            return None
        pooled_grads.append(client)
    kwargs = cop._kwargs()
    # the gradient ops of this convolution, and the input each takes
    gradients = {_CLASSES[AbstractConv_gradWeights, cop.convdim]: img,
                 _CLASSES[AbstractConv_gradInputs, cop.convdim]: kern}
    uses = []  # (gradient op's node, pooled gradient)
    for grad in pooled_grads:
        for client, i in fgraph.clients[grad.outputs[0]]:
            if (i != 1 or type(client.op) not in gradients
                    or client.op._kwargs() != kwargs
                    or client.inputs[0] is not gradients[type(client.op)]):
                return None
            uses.append((client, grad.inputs[2]))
    pooled, switches = ConvPool(cop.convdim, ws, **kwargs)(img, kern)
    if pooled.type != node.outputs[0].type:
        pooled = pt.specify_shape(pooled, node.outputs[0].type.shape)
        if pooled.type != node.outputs[0].type:
            return None
    replacements = {node.outputs[0]: pooled}
    for client, top in uses:
        fused = (ConvPool_gradWeights if isinstance(
            client.op, AbstractConv_gradWeights) else ConvPool_gradInputs)
        new = fused(cop.convdim, ws, **kwargs)(
            client.inputs[0], top, switches, client.inputs[2])
        if new.type != client.outputs[0].type:
            return None
        replacements[client.outputs[0]] = new
    return replacements


conv_pool_rewriter = dfs_rewriter(conv_pool)
