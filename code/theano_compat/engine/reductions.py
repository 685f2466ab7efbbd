"""The sum of squares, ``(W ** 2).sum()``, summed in parallel lanes.

The tutorials' L2 penalties (the multilayer perceptron's
``(W ** 2).sum()``) are sums over every weight.  PyTensor adds the
squares into one float64 accumulator, one after the other, and the chain
of additions makes it slow: 0.2 ms of the mlp tutorial's 0.6 ms training
step.  :class:`SumOfSquares` computes the same sum: each square in the
input's dtype, as ``sqr(x)`` is, added in float64 (Theano's and
PyTensor's rule for summing float32), in sixteen running sums added in a
fixed order (``sum_of_squares.cpp``): the same value up to the rounding
of a different order of addition, the same on every run.  The rewrite :data:`sum_of_squares_rewriter` puts it in place
of ``Sum{acc=float64}(sqr(x))`` over all of a float tensor's elements, in
the C backend's mode only (``engine.cvm``; its name there is
``sum_of_squares``).

:class:`ChannelSums` is the sum over every axis but one, such as a
convolution layer's bias gradient, the sum of a (batch, channels, rows,
columns) gradient over all but the channels: ``channel_sums.cpp`` sums
each contiguous run of values in eight float64 lanes, where PyTensor's
loop strides through the array into one float64 per output.  The rewrite
:data:`channel_sums_rewriter` (``channel_sums`` in ``engine.cvm``) puts it
in place of ``Sum{acc=float64}`` of a float32 tensor over all axes but
one that is not the last (over the last, PyTensor's loop reads memory in
order already).  float64 sums stay PyTensor's, whose order of addition
the float64 tutorials' records were made with.
"""

import numpy
import pytensor.tensor as pt
from pytensor import scalar as ps
from pytensor.graph.basic import Apply
from pytensor.graph.rewriting.basic import dfs_rewriter, node_rewriter
from pytensor.tensor.elemwise import Elemwise
from pytensor.tensor.math import Sum

from theano_compat.engine.compiler import native_vector_flags
from theano_compat.engine.cop import ExternalCppOp

__all__ = ['SumOfSquares', 'sum_of_squares_rewriter', 'REWRITE_NAME',
           'ChannelSums', 'channel_sums_rewriter', 'CHANNEL_SUMS_NAME']

REWRITE_NAME = 'sum_of_squares'
CHANNEL_SUMS_NAME = 'channel_sums'


class SumOfSquares(ExternalCppOp):
    """``x -> sum(x ** 2)`` over all elements, accumulated in float64.

    :param dtype: the dtype of the result (the input's: float32 or
        float64), as ``Sum``'s ``dtype``
    """

    __props__ = ('dtype',)
    source_files = ('sum_of_squares.cpp',)

    def __init__(self, dtype):
        self.dtype = dtype

    def make_node(self, x):
        x = pt.as_tensor_variable(x)
        if x.type.dtype not in ('float32', 'float64'):
            raise TypeError('SumOfSquares takes a float32 or float64 '
                            'tensor, not %s' % x.type)
        return Apply(self, [x], [pt.scalar(dtype=self.dtype)])

    def perform(self, node, inputs, outputs):
        (x,) = inputs
        squares = numpy.square(x.ravel())  # in x's dtype, as sqr(x)
        outputs[0][0] = numpy.asarray(squares.sum(dtype='float64'),
                                      dtype=self.dtype)

    def infer_shape(self, fgraph, node, shapes):
        return [()]

    def pullback(self, inputs, outputs, output_grads):
        (x,), (g,) = inputs, output_grads
        return [pt.cast(2 * g * x, x.dtype)]

    def c_compile_args(self, **kwargs):
        return native_vector_flags()


@node_rewriter([Sum])
def sum_of_squares(fgraph, node):
    """``Sum{acc=float64}(sqr(x))`` over all axes as :class:`SumOfSquares`."""
    op = node.op
    (squared,) = node.inputs
    if not (op.axis is None or sorted(op.axis) == list(range(squared.ndim))):
        return None
    source = squared.owner
    if not (source is not None and isinstance(source.op, Elemwise)
            and isinstance(source.op.scalar_op, ps.Sqr)):
        return None
    (x,) = source.inputs
    if (x.type.dtype not in ('float32', 'float64')
            or op.acc_dtype != 'float64'
            or node.outputs[0].type.dtype != x.type.dtype):
        return None
    return [SumOfSquares(x.type.dtype)(x)]


sum_of_squares_rewriter = dfs_rewriter(sum_of_squares)


class ChannelSums(ExternalCppOp):
    """``x.sum(axis=all but `kept`)``, accumulated in float64.

    :param kept: the axis left (not the last one)
    :param dtype: the dtype of the input and of the result (float32 or
        float64), as ``Sum``'s ``dtype``
    """

    __props__ = ('kept', 'dtype')
    source_files = ('channel_sums.cpp',)

    def __init__(self, kept, dtype):
        self.kept = kept
        self.dtype = dtype

    def make_node(self, x):
        x = pt.as_tensor_variable(x)
        if x.type.dtype != self.dtype or not 0 <= self.kept < x.ndim - 1:
            raise TypeError('ChannelSums(%d, %s) takes a %s tensor of more '
                            'than %d dimensions, not %s'
                            % (self.kept, self.dtype, self.dtype,
                               self.kept + 1, x.type))
        return Apply(self, [x], [pt.vector(dtype=self.dtype)])

    def perform(self, node, inputs, outputs):
        (x,) = inputs
        axes = tuple(a for a in range(x.ndim) if a != self.kept)
        outputs[0][0] = x.sum(axis=axes, dtype='float64').astype(self.dtype)

    def infer_shape(self, fgraph, node, shapes):
        return [(shapes[0][self.kept],)]

    def pullback(self, inputs, outputs, output_grads):
        (x,), (g,) = inputs, output_grads
        pattern = ['x'] * x.ndim
        pattern[self.kept] = 0
        return [pt.zeros_like(x) + g.dimshuffle(pattern)]

    def c_macros(self, node):
        return {'CHANNEL_SUMS_KEPT': str(self.kept)}


@node_rewriter([Sum])
def channel_sums(fgraph, node):
    """``Sum{acc=float64}`` over every axis but one, not the last, of a
    float32 tensor, as :class:`ChannelSums`."""
    op = node.op
    (x,) = node.inputs
    axes = range(x.ndim) if op.axis is None else sorted(op.axis)
    kept = [a for a in range(x.ndim) if a not in axes]
    if not (len(kept) == 1 and kept[0] < x.ndim - 1
            and x.type.dtype == 'float32'
            and op.acc_dtype == 'float64'
            and node.outputs[0].type.dtype == x.type.dtype):
        return None
    return [ChannelSums(kept[0], x.type.dtype)(x)]


channel_sums_rewriter = dfs_rewriter(channel_sums)
