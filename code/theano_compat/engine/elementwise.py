"""float32 ``tanh`` in vector registers: :class:`Float32Tanh`.

PyTensor's C code computes ``tanh`` of a float32 tensor with the C
library's ``tanhf``, one value after the other: about a tenth of the
LeNet tutorial's training step (``bench/README.md``).  :class:`Float32Tanh`
computes it in 256-bit vectors (``float32_tanh.cpp``), in double, and
rounds once: the result is within 1 ulp of the correctly rounded float32
``tanh`` (a dense sweep of the float32 range in
``tests/test_elementwise.py`` finds it equal to it everywhere), where
``tanhf`` is within 2.

The rewrite :data:`vectorised_tanh_rewriter` puts it in place of
``Elemwise{tanh}`` on a float32 tensor, in the C backend's mode only
(``engine.cvm``; its name there is ``vectorised_tanh``, which
``optimizer_excluding`` takes).  float64 ``tanh`` stays PyTensor's.  It
runs before PyTensor's elementwise fusion, which then fuses what is
around it (a bias added before, the gradient's ``1 - y ** 2`` after) into
loops of their own.
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

__all__ = ['Float32Tanh', 'vectorised_tanh_rewriter', 'REWRITE_NAME']

REWRITE_NAME = 'vectorised_tanh'


class Float32Tanh(ExternalCppOp):
    """``tanh(x)`` of a float32 tensor of any shape; within 1 ulp of the
    correctly rounded value (see the module's docstring)."""

    __props__ = ()
    source_files = ('float32_tanh.cpp',)

    def make_node(self, x):
        x = pt.as_tensor_variable(x)
        if x.type.dtype != 'float32':
            raise TypeError('Float32Tanh takes a float32 tensor, not %s'
                            % x.type)
        return Apply(self, [x], [x.type()])

    def perform(self, node, inputs, outputs):
        (x,) = inputs
        # tanh in double, rounded once, as the C++ code gives it
        outputs[0][0] = numpy.tanh(x.astype('float64')).astype('float32')

    def infer_shape(self, fgraph, node, shapes):
        return [shapes[0]]

    def pullback(self, inputs, outputs, output_grads):
        (y,), (g,) = outputs, output_grads
        return [g * (1 - y * y)]

    def c_compile_args(self, **kwargs):
        return native_vector_flags()


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
