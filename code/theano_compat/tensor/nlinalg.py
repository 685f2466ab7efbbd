"""``theano.tensor.nlinalg``: linear algebra in NumPy's terms.

The names are PyTensor's ``pytensor.tensor.linalg`` (``matrix_inverse``,
``det``, ``pinv``, ``svd``, ``trace``...) and ``pytensor.tensor.basic``
(``alloc_diag``, ``extract_diag``), served by the table of
``theano_compat.names``; ``eigh``, ``qr``, ``diag`` and ``trace`` take
Theano's arguments and defaults (PyTensor's ``linalg.trace`` warns that it
will go).
"""

from pytensor.tensor import basic as _basic
from pytensor.tensor import linalg as _linalg

from theano_compat.names import module_getattr

__all__ = ['eigh', 'qr', 'diag', 'trace']


def trace(X):
    """The sum of the diagonal of the matrix ``X``."""
    return _basic.trace(X)


def diag(x):
    """The diagonal of the matrix ``x``, or the diagonal matrix of the
    vector ``x``."""
    return _basic.diag(x)


def eigh(a, UPLO='L'):
    """The eigenvalues (ascending) and eigenvectors of the symmetric
    matrix ``a``, from its lower (``UPLO='L'``) or upper (``'U'``)
    triangle."""
    if UPLO not in ('L', 'U'):
        raise ValueError("eigh: UPLO must be 'L' or 'U', not %r" % (UPLO,))
    return _linalg.eigh(a, lower=UPLO == 'L')


def qr(a, mode='reduced'):
    """The QR decomposition of ``a``, as ``numpy.linalg.qr``: by Theano's
    default, ``mode='reduced'``, the pair (Q, R) of the reduced
    decomposition; ``'complete'``, ``'r'`` and ``'raw'`` as in NumPy."""
    if mode == 'complete':
        return _linalg.qr(a, mode='full')
    if mode == 'reduced':
        return _linalg.qr(a, mode='economic')
    return _linalg.qr(a, mode=mode)


__getattr__ = module_getattr(__name__)
