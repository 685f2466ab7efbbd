"""``theano.tensor.sort``: PyTensor's ``sort`` and ``argsort``, and Theano
1.0.5's ``topk``, ``argtopk`` and ``topk_and_argtopk``.

``topk(x, kth)`` is the ``kth`` largest entries of ``x`` along ``axis``
(``kth > 0``), or the ``-kth`` smallest (``kth < 0``); ``argtopk`` their
positions along the axis, of ``idx_dtype``.  Each is a graph of
PyTensor operations: a stable ``argsort`` of the axis, its first or last
``|kth|`` positions (largest first for ``kth > 0``, smallest first for
``kth < 0``), and the entries at those positions.  The gradient puts the
output's gradient back at those positions, zeros elsewhere, as Theano's.

``sorted``: Theano 1.0.5's CPU op raised ``NotImplementedError`` for
``sorted=True`` (the default) and, with ``sorted=False``, gave the
entries in the order of ``numpy.partition``, which it did not promise.
Here both give them sorted as above, so the default works and a program
written with ``sorted=False`` gets the same entries (the order within
them is one Theano allowed).  Among equal entries, the one that comes
first along the axis counts as the smaller.

Speed: the sort costs ``n log n`` along the axis where Theano's
``numpy.argpartition`` cost ``n``; measured here (2 cores, float64, a
1000 x 1000 matrix, ``kth=10`` along the rows) the graph took about as
long as an op calling ``numpy.argpartition`` and sorting the ``kth``
results (see ``tests/test_nnet_ops.py``'s module docstring for the
command).
"""

import pytensor.tensor as pt
from pytensor.raise_op import CheckAndRaise
from pytensor.tensor.exceptions import NotScalarConstantError
from pytensor.tensor.sort import argsort, sort  # noqa: F401

from theano_compat.names import module_getattr

__all__ = ['sort', 'argsort', 'topk', 'argtopk', 'topk_and_argtopk']

INT_DTYPES = ('int8', 'int16', 'int32', 'int64', 'uint8', 'uint16',
              'uint32', 'uint64')


def _topk(x, kth, axis, idx_dtype):
    """``(values, indices)`` of the top ``kth`` along ``axis``."""
    if idx_dtype not in INT_DTYPES:
        raise TypeError('"idx_dtype" parameter must be an integer dtype, '
                        'got "%s"' % idx_dtype)
    x = pt.as_tensor_variable(x)
    if axis is None:
        x = x.flatten()
        axis = 0
    if not isinstance(axis, int):
        raise TypeError('"axis" parameter must be integer, got "%s"'
                        % type(axis))
    ndim = x.ndim
    if ndim == 0:
        raise ValueError('Cannot take scalar as input')
    if not -ndim <= axis < ndim:
        raise IndexError('"axis" parameter out of range, expected integer '
                         'within [%d, %d]' % (-ndim, ndim - 1))
    axis %= ndim
    kth = pt.as_tensor_variable(kth)
    if kth.ndim != 0 or kth.type.dtype not in INT_DTYPES:
        raise TypeError('kth must be an integer scalar, not %s' % kth.type)
    ascending = argsort(x, axis=axis, kind='stable')
    # largest first for kth > 0: the stable ascending order reversed
    # (equal entries then come last one first; see the module docstring)
    reverse = [slice(None)] * ndim
    reverse[axis] = slice(None, None, -1)
    descending = ascending[tuple(reverse)]
    keep = [slice(None)] * ndim
    try:
        k = int(pt.get_underlying_scalar_constant_value(kth))
    except NotScalarConstantError:
        k = None
    if k is None:
        # a symbolic kth: checked when run
        length = x.shape[axis]
        kth = CheckAndRaise(
            ValueError, 'topk: kth cannot be zero nor larger (in absolute '
            'value) than the length of the axis')(
                kth, pt.and_(pt.neq(kth, 0), pt.le(abs(kth), length)))
        order = pt.switch(pt.gt(kth, 0), descending, ascending)
        keep[axis] = slice(None, abs(kth))
        indices = order[tuple(keep)]
    else:
        if k == 0:
            raise ValueError('topk: kth cannot be zero')
        length = x.type.shape[axis]
        if length is not None and abs(k) > length:
            raise ValueError('topk: kth (%d) cannot be larger than the size '
                             'of axis %d (%d)' % (k, axis, length))
        keep[axis] = slice(None, abs(k))
        indices = (descending if k > 0 else ascending)[tuple(keep)]
        # fails when run if the axis is shorter than |kth| (a static shape
        # check, which JAX keeps too)
        shape = [None] * ndim
        shape[axis] = abs(k)
        indices = pt.specify_shape(indices, shape)
    values = pt.take_along_axis(x, indices, axis=axis)
    return values, pt.cast(indices, idx_dtype)


def topk(x, kth, axis=-1, sorted=True, idx_dtype='int64'):
    """The ``kth`` largest entries along ``axis`` (``kth < 0``: the
    ``-kth`` smallest).

    :param x: tensor of at least one dimension
    :param kth: nonzero int or integer scalar, ``|kth| <= x.shape[axis]``
    :param axis: int, or None for the flattened ``x``
    :param sorted: accepted for Theano's signature; the entries always
        come sorted, largest (or smallest) first
    :param idx_dtype: the dtype of the indices used for the gradient
    :returns: tensor of x's dtype, ``|kth|`` long along ``axis``
    """
    return _topk(x, kth, axis, idx_dtype)[0]


def argtopk(x, kth, axis=-1, sorted=True, idx_dtype='int64'):
    """The positions along ``axis`` of :func:`topk`'s entries, of
    ``idx_dtype``."""
    return _topk(x, kth, axis, idx_dtype)[1]


def topk_and_argtopk(x, kth, axis=-1, sorted=True, idx_dtype='int64'):
    """``(topk(...), argtopk(...))`` from one sort."""
    return _topk(x, kth, axis, idx_dtype)


__getattr__ = module_getattr(__name__)
