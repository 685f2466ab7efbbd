"""``theano.tensor.slinalg``: linear algebra in SciPy's terms.

The names are PyTensor's ``pytensor.tensor.linalg`` (``solve``,
``eigvalsh``, ``expm``, ``kron``...), served by the table of
``theano_compat.names``.  ``cholesky`` raises on a matrix that is not
positive definite, as Theano's did (PyTensor's gives NaNs by default),
and Theano's triangular and symmetric solvers are here by their names.
"""

import warnings

from pytensor.tensor import linalg as _linalg

from theano_compat.names import module_getattr

__all__ = ['cholesky', 'solve_lower_triangular', 'solve_upper_triangular',
           'solve_symmetric']


def cholesky(x, lower=True):
    """The Cholesky factor of ``x``: lower-triangular ``L`` with ``L L^T
    = x`` (or the upper one); an error when ``x`` is not positive
    definite."""
    with warnings.catch_warnings():
        # PyTensor's note that it will stop raising
        warnings.filterwarnings('ignore', message='Cholesky on_raise',
                                category=FutureWarning)
        return _linalg.cholesky(x, lower=lower, on_error='raise')


def solve_lower_triangular(a, b):
    """``x`` such that ``a x = b``, for a lower-triangular ``a``."""
    return _linalg.solve_triangular(a, b, lower=True)


def solve_upper_triangular(a, b):
    """``x`` such that ``a x = b``, for an upper-triangular ``a``."""
    return _linalg.solve_triangular(a, b, lower=False)


def solve_symmetric(a, b):
    """``x`` such that ``a x = b``, for a symmetric ``a``."""
    return _linalg.solve(a, b, assume_a='sym')


__getattr__ = module_getattr(__name__)
