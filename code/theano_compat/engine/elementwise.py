"""Theano's sigmoid and softplus, and float32 functions in vector
registers.

Three kinds of rewrite, each in the C backend's mode only
(``engine.cvm``), each by a name ``optimizer_excluding`` takes:

* ``theano_sigmoid``, ``theano_softplus``: PyTensor's ``sigmoid`` and
  ``softplus`` as Theano 1.0.5's scalar ops
  (:class:`theano_compat.tensor.nnet.sigm.ScalarSigmoid` and
  ``ScalarSoftplus``), which compute what Theano's C code computed: the
  same formulas, cut off where Theano cut them off.  Theano's float64
  sigmoid is 1 above 19, where PyTensor's is 1 - 5.6e-9 at 19, and its
  softplus is x above 16; the RBM tutorial's float64 costs differ from
  Theano's by 1e-11 from its second PCD step on without them.
* ``vectorised_sigmoid``, ``vectorised_softplus``: Theano's float32
  sigmoid and softplus (as the previous rewrites left them) as
  :class:`Float32Sigmoid` and :class:`Float32Softplus`, which compute
  them in double in 256-bit vectors (``float32_logistic.cpp``) and round
  once: within 1 ulp of the correctly rounded value, between Theano's
  float32 cut-offs, where PyTensor's C code and Theano's called the C
  library's ``expf`` and ``log1pf`` one value at a time (a quarter of
  the dA tutorial's step).  Theano's own float32 results, from ``expf``
  and ``log1pf`` in float, are within a few ulps of them.
* ``vectorised_tanh``: float32 ``tanh`` as :class:`Float32Tanh`
  (``float32_tanh.cpp``), likewise within 1 ulp of the correctly rounded
  ``tanh`` (a dense sweep of the float32 range in
  ``tests/test_elementwise.py`` finds it equal to it everywhere), where
  ``tanhf`` is within 2.

The vector code's exp, expm1 and log1p in double are shared
(``vector_math.cpp``).  float64 ``tanh`` stays PyTensor's, and float64
sigmoid and softplus are Theano's scalar ops in PyTensor's loops, fused
with their neighbours: the C library's functions, one value at a time,
as Theano's C code called them, so that the float64 tutorials print
Theano's digits.  The float32 ops run before PyTensor's elementwise
fusion, which then fuses what is around them (a bias added before, a
gradient's ``1 - y ** 2`` after) into loops of their own.
"""

import numpy
import pytensor.tensor as pt
from pytensor import scalar as ps
from pytensor.graph.basic import Apply
from pytensor.graph.rewriting.basic import dfs_rewriter, node_rewriter
from pytensor.tensor.elemwise import Elemwise
from pytensor.tensor.shape import Reshape

from theano_compat.engine.compiler import native_vector_flags
from theano_compat.engine.cop import ExternalCppOp
from theano_compat.tensor.nnet import sigm

__all__ = ['Float32Tanh', 'Float32Sigmoid', 'Float32Softplus',
           'vectorised_tanh_rewriter', 'theano_sigmoid_rewriter',
           'theano_softplus_rewriter', 'vectorised_sigmoid_rewriter',
           'vectorised_softplus_rewriter', 'REWRITE_NAME', 'THEANO_SIGMOID',
           'THEANO_SOFTPLUS', 'VECTORISED_SIGMOID', 'VECTORISED_SOFTPLUS']

REWRITE_NAME = 'vectorised_tanh'
THEANO_SIGMOID = 'theano_sigmoid'
THEANO_SOFTPLUS = 'theano_softplus'
VECTORISED_SIGMOID = 'vectorised_sigmoid'
VECTORISED_SOFTPLUS = 'vectorised_softplus'


class Float32Function(ExternalCppOp):
    """A function of a float32 tensor of any shape, computed elementwise
    in double and rounded once (the base of the ops below; their
    ``perform`` gives what their C++ code gives, up to its 1-ulp bound)."""

    __props__ = ()

    def make_node(self, x):
        x = pt.as_tensor_variable(x)
        if x.type.dtype != 'float32':
            raise TypeError('%s takes a float32 tensor, not %s'
                            % (type(self).__name__, x.type))
        return Apply(self, [x], [x.type()])

    def perform(self, node, inputs, outputs):
        (x,) = inputs
        with numpy.errstate(over='ignore', invalid='ignore'):
            outputs[0][0] = self.in_double(
                x.astype('float64')).astype('float32')

    def in_double(self, d):
        """The function of a float64 array (the values of float32s)."""
        raise NotImplementedError

    def infer_shape(self, fgraph, node, shapes):
        return [shapes[0]]

    def c_compile_args(self, **kwargs):
        return native_vector_flags()


class Float32Tanh(Float32Function):
    """``tanh(x)`` of a float32 tensor of any shape; within 1 ulp of the
    correctly rounded value (see the module's docstring)."""

    source_files = ('vector_math.cpp', 'float32_tanh.cpp')

    def in_double(self, d):
        return numpy.tanh(d)

    def pullback(self, inputs, outputs, output_grads):
        (y,), (g,) = outputs, output_grads
        return [g * (1 - y * y)]


class Float32Sigmoid(Float32Function):
    """Theano's float32 sigmoid: 0 below -88, 1 above 15, else
    ``1 / (1 + exp(-x))`` within 1 ulp of the correctly rounded value."""

    source_files = ('vector_math.cpp', 'float32_logistic.cpp')

    def in_double(self, d):
        low, high = sigm.SIGMOID_LIMITS['float32']
        s = 1 / (1 + numpy.exp(-numpy.clip(d, low, high)))
        return numpy.where(d < low, 0., numpy.where(d > high, 1., s))

    def pullback(self, inputs, outputs, output_grads):
        (y,), (g,) = outputs, output_grads
        return [g * y * (1 - y)]  # Theano's sigmoid's gradient

    def c_macros(self, node):
        return {'FLOAT32_LOGISTIC_SOFTPLUS': '0'}


class Float32Softplus(Float32Function):
    """Theano's float32 softplus: 0 below -103, x above 14, else
    ``log1p(exp(x))`` within 1 ulp of the correctly rounded value."""

    source_files = ('vector_math.cpp', 'float32_logistic.cpp')

    def in_double(self, d):
        low, high = sigm.SOFTPLUS_LIMITS['float32']
        s = numpy.maximum(d, 0) + numpy.log1p(numpy.exp(-numpy.abs(d)))
        return numpy.where(d < low, 0., numpy.where(d > high, d, s))

    def pullback(self, inputs, outputs, output_grads):
        (x,), (g,) = inputs, output_grads
        return [g * Float32Sigmoid()(x)]

    def c_macros(self, node):
        return {'FLOAT32_LOGISTIC_SOFTPLUS': '1'}


@node_rewriter([Elemwise])
def vectorised_tanh(fgraph, node):
    """``Elemwise{tanh}`` of a float32 tensor as :class:`Float32Tanh`.

    ``tanh(reshape(a))`` becomes ``reshape(tanh(a))``, the same values: a
    layer's output flattened for the next layer and the same output in
    the gradient are then one ``tanh``, not two.
    """
    if not isinstance(node.op.scalar_op, ps.Tanh):
        return None
    (x,) = node.inputs
    if (x.type.dtype != 'float32'
            or node.outputs[0].type.dtype != 'float32'):
        return None
    source = x.owner
    if source is not None and isinstance(source.op, Reshape):
        inner = source.inputs[0]
        if inner.type.dtype == 'float32':
            return [source.op(Float32Tanh()(inner), *source.inputs[1:])]
    return [Float32Tanh()(x)]


vectorised_tanh_rewriter = dfs_rewriter(vectorised_tanh)


def _swap_scalar_op(pytensor_class, theano_op):
    """A rewrite of ``Elemwise{pytensor_class}`` of a float tensor into the
    same Elemwise of ``theano_op``."""
    @node_rewriter([Elemwise])
    def swap(fgraph, node):
        op = node.op
        if type(op.scalar_op) is not pytensor_class:
            return None
        if node.inputs[0].type.dtype not in ('float32', 'float64'):
            return None
        return Elemwise(theano_op, inplace_pattern=op.inplace_pattern,
                        name=op.name)(*node.inputs, return_list=True)
    return swap


theano_sigmoid = _swap_scalar_op(ps.Sigmoid, sigm.scalar_sigmoid)
theano_sigmoid.__doc__ = """PyTensor's sigmoid as Theano's
(:class:`~theano_compat.tensor.nnet.sigm.ScalarSigmoid`)."""
theano_softplus = _swap_scalar_op(ps.Softplus, sigm.scalar_softplus)
theano_softplus.__doc__ = """PyTensor's softplus as Theano's
(:class:`~theano_compat.tensor.nnet.sigm.ScalarSoftplus`)."""
theano_sigmoid_rewriter = dfs_rewriter(theano_sigmoid)
theano_softplus_rewriter = dfs_rewriter(theano_softplus)


def _vectorise(theano_class, float32_op_class):
    """A rewrite of ``Elemwise{theano_class}`` of a float32 tensor, not in
    place, into ``float32_op_class``."""
    @node_rewriter([Elemwise])
    def vectorise(fgraph, node):
        op = node.op
        if type(op.scalar_op) is not theano_class or op.inplace_pattern:
            return None
        (x,) = node.inputs
        if (x.type.dtype != 'float32'
                or node.outputs[0].type.dtype != 'float32'):
            return None
        return [float32_op_class()(x)]
    return vectorise


vectorised_sigmoid = _vectorise(sigm.ScalarSigmoid, Float32Sigmoid)
vectorised_sigmoid.__doc__ = """Theano's float32 sigmoid as
:class:`Float32Sigmoid`."""
vectorised_softplus = _vectorise(sigm.ScalarSoftplus, Float32Softplus)
vectorised_softplus.__doc__ = """Theano's float32 softplus as
:class:`Float32Softplus`."""
vectorised_sigmoid_rewriter = dfs_rewriter(vectorised_sigmoid)
vectorised_softplus_rewriter = dfs_rewriter(vectorised_softplus)
