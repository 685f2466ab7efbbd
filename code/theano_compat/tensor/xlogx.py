"""``theano.tensor.xlogx``: ``x * log(x)`` and ``x * log(y)``, zero where
``x`` is zero.

PyTensor keeps these names only as deprecated aliases of
``pytensor.tensor.special.xlogy`` (they warn); here they are Theano's
documented functions, over that same op, and do not warn.
"""

from pytensor.tensor.special import xlogy as _xlogy

from theano_compat.names import module_getattr

__all__ = ['xlogx', 'xlogy0']


def xlogx(x):
    """Elementwise ``x * log(x)``, and 0 where ``x`` is 0."""
    return _xlogy(x, x)


def xlogy0(x, y):
    """Elementwise ``x * log(y)``, and 0 where ``x`` is 0 (whatever
    ``y``)."""
    return _xlogy(x, y)


__getattr__ = module_getattr(__name__)
