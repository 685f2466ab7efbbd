"""``theano.compile.nanguardmode``: a mode that stops at the first NaN.

``NanGuardMode(nan_is_error=True, inf_is_error=True, big_is_error=True)``
is PyTensor's (its arguments and its checks are Theano's): after each
node of the compiled graph runs, and on each input, it looks for NaNs,
infinities and values above 1e10 (as asked), and raises Theano's error, an
``AssertionError`` whose message starts with ``NaN detected`` (``Inf
detected``, ``Big value detected``) and shows the node.  Give it as
``theano.function(..., mode=NanGuardMode(...))``, or for every function
with ``THEANO_FLAGS=mode=NanGuardMode`` (all three checks on, as in
Theano).  It runs PyTensor's optimised graph, without this port's
rewrites.
"""

import pytensor.compile.debug.nanguardmode as _pt_nanguardmode
from pytensor.compile.debug.nanguardmode import (  # noqa: F401
    NanGuardMode, contains_inf, contains_nan, flatten)

from theano_compat.names import module_getattr

__all__ = ['NanGuardMode', 'contains_nan', 'contains_inf', 'flatten']


__getattr__ = module_getattr(__name__)
