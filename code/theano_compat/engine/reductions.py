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

__all__ = ['SumOfSquares', 'sum_of_squares_rewriter', 'REWRITE_NAME']

REWRITE_NAME = 'sum_of_squares'


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
