"""A loop's step compiled in the mode of the function around it.

``theano.scan`` left with its default ``mode=None`` compiles its step
(the inner graph) in Theano's default mode, ``FAST_RUN``, as the rest of
the function, and without garbage collection between steps
(``scan.allow_gc=False``).  PyTensor reads ``mode=None`` as a fixed
``Mode('cvm', 'fast_run')`` of its own: the C backend, but without this
package's rewrites and linked with ``allow_gc=True``, so every step of the
loop freed its intermediate arrays and allocated them again.

The rewrite :data:`REWRITE_NAME` gives each such loop of a function the
function's own mode, the C backend's (:func:`engine.cvm.fast_cvm`, with the
same names left out); PyTensor's scan then links the step with the loop's
``allow_gc``, as Theano did.  It runs only in that mode: functions compiled
in another mode (JAX, Python, a debugging mode) and loops given a
``mode`` keep theirs.  The loop computes what it computed in PyTensor's
default mode, except where this package's rewrites compute differently
within their stated bounds (float32 ``tanh``, within 1 ulp; constants of
fused float32 loops kept in float32, as Theano kept them): the same
rewrites as in every other graph of the function.
"""

import weakref

from pytensor.graph.rewriting.basic import GraphRewriter
from pytensor.scan.op import Scan

__all__ = ['REWRITE_NAME', 'InnerMode', 'inner_mode_rewriter']

REWRITE_NAME = 'scan_inner_mode'

# What PyTensor's scan reads as its own default mode.
DEFAULT_MODES = (None, 'FAST_RUN')


class InnerMode(GraphRewriter):
    """Gives the loops of a graph the C backend's mode that leaves out the
    rewrites named in ``excluded``; unbound (``excluded`` None), it does
    nothing: :meth:`bound` makes the rewriter of a given mode, which
    ``engine.cvm.FastCVMMode`` asks for when it takes this rewriter."""

    def __init__(self, excluded=None):
        self.excluded = None if excluded is None else tuple(excluded)
        # a loop op given the mode, by the op it was made from: functions
        # that share a loop (a predictor and its probabilities) share its
        # compiled step, as they do in PyTensor
        self._given = weakref.WeakKeyDictionary()

    def bound(self, excluded):
        """This rewriter for the mode that leaves out ``excluded``."""
        return type(self)(tuple(sorted(set(excluded))))

    def with_mode(self, op, mode):
        """``op`` (a Scan) compiling its step in ``mode``."""
        given = self._given.get(op)
        if given is None:
            given = op.clone()  # its own inner graph, compiled anew
            given.mode = mode
            given._fn = None
            self._given[op] = given
        return given

    def apply(self, fgraph):
        if self.excluded is None:
            return
        from theano_compat.engine.cvm import fast_cvm
        mode = fast_cvm(self.excluded)
        for node in fgraph.toposort():
            op = node.op
            if not (isinstance(op, Scan) and op.mode in DEFAULT_MODES):
                continue
            replacement = self.with_mode(op, mode).make_node(*node.inputs)
            fgraph.replace_all_validate(
                list(zip(node.outputs, replacement.outputs)),
                reason=REWRITE_NAME)

    def __str__(self):
        return '%s(excluded=%r)' % (type(self).__name__, self.excluded)


inner_mode_rewriter = InnerMode()
