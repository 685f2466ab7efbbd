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

:class:`LastAxisReduce` is the sum or the maximum over the last axis (the
rows of a matrix: a softmax's maximum and normaliser, a cost's sum over
the units, of each example): PyTensor's loop adds into the output in
memory and tests at each value whether it starts a row, 1.9 ms for a
500 x 1000 float64 matrix where NumPy takes 0.12 ms; ``last_axis.cpp``
reduces eight rows side by side, each in PyTensor's own order and with
its own operations, so the results are PyTensor's to the bit (float64
and float32 alike).  The rewrite :data:`last_axis_rewriter`
(``last_axis_reductions`` in ``engine.cvm``) puts it in place of
``Sum{acc=float64}`` and ``Max`` of a float tensor over its last axis
only; it runs before ``channel_sums``, so a float32 matrix's row sums are
added in PyTensor's order, not in lanes.
"""

import numpy
import pytensor.tensor as pt
from pytensor import scalar as ps
from pytensor.graph.basic import Apply
from pytensor.graph.rewriting.basic import dfs_rewriter, node_rewriter
from pytensor.tensor.elemwise import Elemwise
from pytensor.tensor.math import Max, Sum

from theano_compat.engine.compiler import native_vector_flags
from theano_compat.engine.cop import ExternalCppOp

__all__ = ['SumOfSquares', 'sum_of_squares_rewriter', 'REWRITE_NAME',
           'ChannelSums', 'channel_sums_rewriter', 'CHANNEL_SUMS_NAME',
           'LastAxisReduce', 'last_axis_rewriter', 'LAST_AXIS_NAME']

REWRITE_NAME = 'sum_of_squares'
CHANNEL_SUMS_NAME = 'channel_sums'
LAST_AXIS_NAME = 'last_axis_reductions'


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


class LastAxisReduce(ExternalCppOp):
    """The sum (in float64) or the maximum of a float tensor over its
    last axis, in PyTensor's order (see the module's docstring).

    :param reduction: ``'sum'`` or ``'max'``
    :param dtype: the dtype of the result: the input's for a maximum;
        float32 or float64 for a sum (``Sum``'s ``dtype``)
    """

    __props__ = ('reduction', 'dtype')
    source_files = ('last_axis.cpp',)

    def __init__(self, reduction, dtype):
        if reduction not in ('sum', 'max'):
            raise ValueError("LastAxisReduce's reduction is 'sum' or 'max', "
                             'not %r' % (reduction,))
        self.reduction = reduction
        self.dtype = dtype

    def make_node(self, x):
        x = pt.as_tensor_variable(x)
        dtypes = ((x.type.dtype,) if self.reduction == 'max'
                  else ('float32', 'float64'))
        if (x.type.dtype not in ('float32', 'float64') or x.ndim < 1
                or self.dtype not in dtypes):
            raise TypeError('LastAxisReduce(%r, %s) takes a float32 or '
                            'float64 tensor of one or more dimensions (the '
                            "result's dtype for a maximum), not %s"
                            % (self.reduction, self.dtype, x.type))
        out = pt.tensor(dtype=self.dtype, shape=x.type.shape[:-1])
        return Apply(self, [x], [out])

    def perform(self, node, inputs, outputs):
        (x,) = inputs
        if self.reduction == 'max':
            if x.shape[-1] == 0 and x.size == 0 and x.ndim and numpy.prod(
                    x.shape[:-1]) > 0:
                raise ValueError('max over the last axis, which has length '
                                 '0 (an input of %d dimensions): there is '
                                 'no maximum to give' % x.ndim)
            outputs[0][0] = numpy.asarray(x.max(axis=-1), dtype=self.dtype)
            return
        # in order from 0, as the C++ code adds (NumPy's sum adds in pairs)
        acc = numpy.zeros(x.shape[:-1], dtype='float64')
        for j in range(x.shape[-1]):
            acc = acc + x[..., j]
        outputs[0][0] = numpy.asarray(acc, dtype=self.dtype)

    def infer_shape(self, fgraph, node, shapes):
        return [shapes[0][:-1]]

    def pullback(self, inputs, outputs, output_grads):
        (x,), (y,), (g,) = inputs, outputs, output_grads
        expanded = g.dimshuffle(*range(g.ndim), 'x')
        if self.reduction == 'sum':
            return [pt.cast(pt.zeros_like(x) + expanded, x.dtype)]
        # as PyTensor's Max: the gradient goes to every maximal element
        picked = pt.eq(x, y.dimshuffle(*range(y.ndim), 'x'))
        return [pt.cast(picked * expanded, x.dtype)]

    def c_macros(self, node):
        return {'LAST_AXIS_MAX': '1' if self.reduction == 'max' else '0'}


@node_rewriter([Sum, Max])
def last_axis_reductions(fgraph, node):
    """``Sum{acc=float64}`` and ``Max`` of a float tensor over its last
    axis (only) as :class:`LastAxisReduce`."""
    op = node.op
    (x,) = node.inputs
    if x.type.dtype not in ('float32', 'float64') or x.ndim < 1:
        return None
    axes = range(x.ndim) if op.axis is None else sorted(op.axis)
    if list(axes) != [x.ndim - 1]:
        return None
    out_dtype = node.outputs[0].type.dtype
    if isinstance(op, Max):
        if type(op) is not Max or out_dtype != x.type.dtype:
            return None
        return [LastAxisReduce('max', out_dtype)(x)]
    if (type(op) is not Sum or op.acc_dtype != 'float64'
            or out_dtype not in ('float32', 'float64')):
        return None
    return [LastAxisReduce('sum', out_dtype)(x)]


last_axis_rewriter = dfs_rewriter(last_axis_reductions)
