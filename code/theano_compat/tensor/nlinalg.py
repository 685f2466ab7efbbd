"""``theano.tensor.nlinalg``: linear algebra in NumPy's terms.

The names are PyTensor's ``pytensor.tensor.linalg`` (``matrix_inverse``,
``det``, ``pinv``, ``svd``, ``trace``...) and ``pytensor.tensor.basic``
(``diag``, ``alloc_diag``, ``extract_diag``), served by the table of
``theano_compat.names``; ``eigh`` and ``qr`` take Theano's arguments and
defaults.
"""

from pytensor.tensor import linalg as _linalg

from theano_compat.names import module_getattr

__all__ = ['eigh', 'qr']


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
