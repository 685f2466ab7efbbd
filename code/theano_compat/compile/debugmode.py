"""``theano.compile.debugmode``: the mode that checks every op as it runs.

``DebugMode`` is PyTensor's, which runs each node of the optimised graph
by its Python code and its C code, compares them, and checks the graph
rewrites, view and destroy maps and strides, raising a subclass of
``DebugModeError`` (``BadThunkOutput``, ``BadOptimization``,
``InvalidValueError``...) at the first fault.  One of Theano's checks did
not survive into PyTensor: with ``check_isfinite`` (on by default, as in
Theano) a NaN or an infinity among a node's inputs or outputs was an
``InvalidValueError`` (``non-finite elements not allowed``); PyTensor
still switches the check on for the call but no longer makes it.  This
``DebugMode`` makes it again, for the duration of the call, in the place
PyTensor's own switch has it (the tensor type's value check).

Give it as ``theano.function(..., mode=DebugMode())``, or for every
function with ``THEANO_FLAGS=mode=DebugMode`` (``DEBUG_MODE`` is the same).
It is slow by design (each graph is optimised several times to check that
the rewrites are stable, and each node runs twice): for small graphs.
"""

import numpy
import pytensor.compile.debug.debugmode as _pt_debugmode
from pytensor.compile.debug.debugmode import (  # noqa: F401
    BadDestroyMap, BadOptimization, BadThunkOutput, BadViewMap,
    DebugModeError, InvalidValueError, StochasticOrder)
from pytensor.tensor.type import TensorType

from theano_compat.names import module_getattr

__all__ = ['DebugMode', 'DebugModeError', 'BadThunkOutput',
           'BadOptimization', 'BadDestroyMap', 'BadViewMap',
           'StochasticOrder', 'InvalidValueError']

NOT_FINITE = 'non-finite elements not allowed'  # Theano's words

_plain_filter = TensorType.filter


def _filter_finite(self, data, strict=False, allow_downcast=None):
    """``TensorType.filter``, refusing NaNs and infinities when the type
    is asked to (``filter_checks_isfinite``), as Theano's did."""
    data = _plain_filter(self, data, strict, allow_downcast)
    if (self.filter_checks_isfinite and data.dtype.kind in 'fc'
            and not numpy.all(numpy.isfinite(data))):
        raise ValueError(NOT_FINITE)
    return data


class _CheckingFinite(object):
    """The debug-mode function of a compiled graph, run with the tensor
    type's value check refusing non-finite values."""

    def __init__(self, run):
        self.run = run

    def __call__(self):
        TensorType.filter = _filter_finite
        try:
            return self.run()
        finally:
            TensorType.filter = _plain_filter

    def __getattr__(self, name):  # storage_map, allow_gc...
        return getattr(self.run, name)


class _Maker(_pt_debugmode._Maker):
    """PyTensor's debug-mode maker, whose functions check finiteness."""

    def create(self, input_storage=None, storage_map=None):
        fn = super().create(input_storage, storage_map)
        if self.mode.check_isfinite:
            fn.vm = _CheckingFinite(fn.vm)
        return fn


class DebugMode(_pt_debugmode.DebugMode):
    """PyTensor's ``DebugMode`` with Theano's check for NaNs and infinities
    (``check_isfinite``, True by default).  The arguments are PyTensor's,
    which are Theano's."""

    @property
    def function_maker(self):
        return _Maker


__getattr__ = module_getattr(__name__)
