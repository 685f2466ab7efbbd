"""``theano.compile.mode``: the compilation modes, by Theano's names.

``get_mode(name)`` gives the mode ``theano.function`` compiles in for a
name (the names ``THEANO_FLAGS=mode=`` takes): ``FAST_RUN`` (``CVM``) is
the C backend with this port's rewrites, ``NanGuardMode`` stops at the
first NaN, infinity or huge value (:mod:`.nanguardmode`), ``DebugMode``
(``DEBUG_MODE``) checks every op (:mod:`.debugmode`), and PyTensor's
other modes keep their names (``FAST_COMPILE``, ``JAX``, ``NUMBA``...).
``get_default_mode()`` is the mode of ``THEANO_FLAGS`` (FAST_RUN unless
it says otherwise).  ``Mode`` and the rest are PyTensor's.
"""

import pytensor.compile.mode as _pt_mode
from pytensor.compile.mode import Mode  # noqa: F401

from theano_compat.names import module_getattr

__all__ = ['Mode', 'FAST_RUN', 'get_mode', 'get_default_mode',
           'debug_mode']

_DEBUG_MODES = {}


def debug_mode(name):
    """The mode of one of Theano's debugging names, made once.

    :param name: ``'NanGuardMode'`` (its three checks on, as Theano's
        flag gave it), ``'DebugMode'`` or ``'DEBUG_MODE'``
    """
    if name not in _DEBUG_MODES:
        if name == 'NanGuardMode':
            from theano_compat.compile.nanguardmode import NanGuardMode
            _DEBUG_MODES[name] = NanGuardMode(
                nan_is_error=True, inf_is_error=True, big_is_error=True)
        elif name in ('DebugMode', 'DEBUG_MODE'):
            from theano_compat.compile.debugmode import DebugMode
            _DEBUG_MODES[name] = DebugMode()
        else:
            raise ValueError('no debugging mode is named %r' % (name,))
    return _DEBUG_MODES[name]


def get_mode(orig_string):
    """The ``Mode`` that ``theano.function(..., mode=orig_string)`` uses.

    :param orig_string: a mode's name, a ``Mode`` (given back as it is)
        or None (the default mode)
    """
    from theano_compat.compile.function_module import resolve_mode
    return _pt_mode.get_mode(resolve_mode(orig_string))


# Theano's FAST_RUN as an object, for mode=theano.compile.mode.FAST_RUN:
# the same mode as the name 'FAST_RUN' (the C backend with this port's
# rewrites, less those THEANO_FLAGS' optimizer_excluding names).
FAST_RUN = get_mode('FAST_RUN')


def get_default_mode():
    """The mode ``theano.function`` compiles in when given none."""
    return get_mode(None)


__getattr__ = module_getattr(__name__)
