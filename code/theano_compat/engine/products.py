"""float32 matrix products in blocks on the port's own threads.

PyTensor's ``Dot22`` hands a product to OpenBLAS whole, on OpenBLAS's
threads, which wait for each other inside it: where other work holds
one of them back (a shared machine), the other waits, spinning.  In the
LeNet step on two threads of a busy machine the hidden layer's products,
(500 x 800)(800 x 500), spent more CPU time so waiting than computing.
:class:`BlockedDot` cuts a large product along its longer side into
blocks of :data:`BLOCK_SIDE` columns (or rows), each one gemm on one
OpenBLAS thread, taken in turn by the threads of
``engine/parallel_for.cpp``: a held-back thread delays only its own
block.  The blocks are fixed by the shape alone, so the values are the
same on any number of threads (``Dot22``'s are not: OpenBLAS's own
threads cut the product by their number); they are OpenBLAS's products
of the blocks, each entry summed over the whole inner dimension, and
differ from ``Dot22``'s by the rounding of OpenBLAS's kernels at other
sizes (as ``Dot22`` on one and on two threads differ).  Products of
fewer than :data:`MIN_MULTIPLY_ADDS` stay one gemm on OpenBLAS's
threads: ``Dot22``'s own call, and its bits.

The rewrite ``blocked_dot`` (:data:`blocked_dot_rewriter`, in
``engine/rewrites.py``'s table; ``optimizer_excluding`` takes the name)
puts it in place of every float32 ``Dot22``.
"""

import os

import numpy
import pytensor
import pytensor.scalar as ps
import pytensor.tensor as pt
from pytensor.graph.basic import Apply
from pytensor.graph.rewriting.basic import dfs_rewriter, node_rewriter
from pytensor.link.c.params_type import ParamsType
from pytensor.tensor.blas import Dot22

from theano_compat.engine.cop import ENGINE_DIR, ExternalCppOp
from theano_compat.engine.threads import fused_threads

__all__ = ['BlockedDot', 'blocked_dot_rewriter', 'REWRITE_NAME',
           'MIN_MULTIPLY_ADDS', 'BLOCK_SIDE']

REWRITE_NAME = 'blocked_dot'
#: products of fewer multiply-adds stay one gemm on OpenBLAS's threads
MIN_MULTIPLY_ADDS = 1 << 25
#: columns (or rows) of a block
BLOCK_SIDE = 128


def _blas_flags(libs=False, flags=False, libs_dir=False):
    from pytensor.tensor.blas import ldflags
    return ldflags(libs=libs, flags=flags, libs_dir=libs_dir)


class BlockedDot(ExternalCppOp):
    """``dot(a, b)`` of two float32 matrices (see the module's doc)."""

    __props__ = ()
    source_files = (os.path.join(ENGINE_DIR, 'parallel_for.cpp'),
                    os.path.join(ENGINE_DIR, 'gemm.cpp'), 'blocked_dot.cpp')
    params_type = ParamsType(threads=ps.int32)

    def make_node(self, a, b):
        a, b = pt.as_tensor_variable(a), pt.as_tensor_variable(b)
        if not (a.type.ndim == b.type.ndim == 2
                and a.type.dtype == b.type.dtype == 'float32'):
            raise TypeError('BlockedDot takes two float32 matrices, not %s '
                            'and %s' % (a.type, b.type))
        shape = (a.type.shape[0], b.type.shape[1])
        return Apply(self, [a, b], [pt.TensorType('float32', shape=shape)()])

    def perform(self, node, inputs, outputs):
        a, b = inputs
        outputs[0][0] = numpy.asarray(numpy.dot(a, b), dtype='float32')

    def infer_shape(self, fgraph, node, shapes):
        return [(shapes[0][0], shapes[1][1])]

    def pullback(self, inputs, outputs, grads):
        a, b = inputs
        (g,) = grads
        return [pt.dot(g, b.T), pt.dot(a.T, g)]

    def get_params(self, node):
        return self.params_type.get_params(threads=fused_threads())

    def c_support_code(self, **kwargs):
        from pytensor.tensor.blas_headers import blas_header_text
        return blas_header_text() + '\n' + super().c_support_code(**kwargs)

    def c_headers(self, **kwargs):
        return ['<pthread.h>', '<string.h>']

    def c_libraries(self, **kwargs):
        return _blas_flags(libs=True) + ['pthread']

    def c_compile_args(self, **kwargs):
        return _blas_flags(flags=True) + ['-pthread']

    def c_lib_dirs(self, **kwargs):
        return _blas_flags(libs_dir=True)

    def c_macros(self, node):
        return {'BLOCKED_DOT_MIN': '((npy_intp)%d)' % MIN_MULTIPLY_ADDS,
                'BLOCKED_DOT_SIDE': '((npy_intp)%d)' % BLOCK_SIDE}

    def c_code(self, node, name, inputs, outputs, sub):
        if not pytensor.config.blas__ldflags:
            raise NotImplementedError('no BLAS to link (blas__ldflags)')
        return super().c_code(node, name, inputs, outputs, sub)

    def c_code_cache_version_extra(self):
        from pytensor.tensor.blas_headers import blas_header_version
        return (blas_header_version(), MIN_MULTIPLY_ADDS, BLOCK_SIDE)


@node_rewriter([Dot22])
def blocked_dot(fgraph, node):
    """A float32 ``Dot22`` as :class:`BlockedDot`."""
    if any(v.type.dtype != 'float32' for v in node.inputs + node.outputs):
        return None
    out = BlockedDot()(*node.inputs)
    if out.type != node.outputs[0].type:
        out = pt.specify_shape(out, node.outputs[0].type.shape)
        if out.type != node.outputs[0].type:
            return None
    return [out]


blocked_dot_rewriter = dfs_rewriter(blocked_dot)
