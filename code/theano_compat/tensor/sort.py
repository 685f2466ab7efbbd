"""``theano.tensor.sort``: PyTensor's ``sort`` and ``argsort``, and Theano
1.0.5's ``topk``, ``argtopk`` and ``topk_and_argtopk``.

``topk(x, kth)`` is the ``kth`` largest entries of ``x`` along ``axis``
(``kth > 0``), or the ``-kth`` smallest (``kth < 0``); ``argtopk`` their
positions along the axis, of ``idx_dtype``.  One op computes both,
:class:`TopKOp` (Theano's name), as Theano's CPU op did, with NumPy's
``partition``, which finds the ``|kth|``-th entry in time linear in the
axis's length (then only the ``|kth|`` kept are sorted); in mode JAX
with ``jax.lax.top_k`` (``engine/jax_dispatch/sort.py``).  Its gradient
puts the output's gradient back at those positions, zeros elsewhere, as
Theano's did.

The entries come sorted: the largest first for ``kth > 0``, the
smallest first for ``kth < 0``; among equal entries the one that comes
first along the axis comes first, and is the one kept when only some of
them fit.  Theano 1.0.5's CPU op raised ``NotImplementedError`` for
``sorted=True``, its default, and with ``sorted=False`` gave the entries
in the order of ``numpy.partition``, which it did not promise (and, on
NumPy 1.23 or later, failed for any ``kth`` but 1 and the axis's
length).  Here both give them sorted, so the default works and a program
written with ``sorted=False`` gets the same entries in an order Theano
allowed.

Speed (``python bench/nnet_ops.py --rows topk``): the same written as a
graph of PyTensor operations (a stable ``argsort`` of the whole axis,
then the first ``|kth|``) took 5 times as long as this op on a 1000 x
1000 matrix with ``kth=10``, so this is an op.
"""

import numpy
import pytensor.tensor as pt
from pytensor.gradient import grad_undefined
from pytensor.graph.basic import Apply
from pytensor.graph.op import Op
from pytensor.tensor.exceptions import NotScalarConstantError
from pytensor.tensor.sort import argsort, sort  # noqa: F401
from pytensor.tensor.type import TensorType

from theano_compat.names import module_getattr

__all__ = ['sort', 'argsort', 'topk', 'argtopk', 'topk_and_argtopk',
           'TopKOp']

INT_DTYPES = ('int8', 'int16', 'int32', 'int64', 'uint8', 'uint16',
              'uint32', 'uint64')


def constant_kth(kth):
    """``kth`` as an int when it is known, else None."""
    try:
        return int(pt.get_underlying_scalar_constant_value(kth))
    except NotScalarConstantError:
        return None


def _numpy_topk(x, k, axis):
    """``(values, indices)`` of the top ``k`` along ``axis`` (see the
    module's docstring for the order), by ``numpy.partition``."""
    if k == 0:
        raise ValueError('topk: kth cannot be zero')
    length = x.shape[axis]
    if abs(k) > length:
        raise ValueError('topk: kth (%d) cannot be larger than the size of '
                         'axis %d (%d)' % (k, axis, length))
    a = numpy.moveaxis(x, axis, -1)
    n = abs(k)
    if n == 0 or a.size == 0:
        index = numpy.zeros(a.shape[:-1] + (n,), dtype='int64')
    else:
        # the n-th entry in order, then every entry before it and the
        # first of those equal to it, as many as fit
        position = length - n if k > 0 else n - 1
        bound = numpy.take(numpy.partition(a, position, axis=-1),
                           [position], axis=-1)
        before = a > bound if k > 0 else a < bound
        equal = a == bound
        room = n - before.sum(axis=-1, keepdims=True)
        keep = before | (equal & (numpy.cumsum(equal, axis=-1) <= room))
        index = numpy.nonzero(keep)[-1].reshape(a.shape[:-1] + (n,))
        # in order (``index`` is ascending: a stable sort keeps the first
        # of equal entries first); descending as ~x for integers (no
        # overflow), -x for floats
        picked = numpy.take_along_axis(a, index, axis=-1)
        key = picked if k < 0 else (~picked if picked.dtype.kind in 'biu'
                                    else -picked)
        order = numpy.argsort(key, axis=-1, kind='stable')
        index = numpy.take_along_axis(index, order, axis=-1)
    values = numpy.take_along_axis(a, index, axis=-1)
    return (numpy.moveaxis(values, -1, axis).copy(),
            numpy.moveaxis(index, -1, axis).copy())


class TopKOp(Op):
    """``(x, kth) -> (values, indices)``: the top ``kth`` along ``axis``
    (Theano 1.0.5's op of that name, with both outputs).

    :param axis: int, in ``[-x.ndim, x.ndim)``
    :param sorted: accepted for Theano's signature; the entries always
        come sorted
    :param idx_dtype: an integer dtype for the indices
    :param return_values, return_indices: which outputs the node has
    """

    __props__ = ('axis', 'sorted', 'return_values', 'return_indices',
                 'idx_dtype')

    def __init__(self, axis=-1, sorted=True, idx_dtype='int64',
                 return_values=True, return_indices=True):
        if not isinstance(axis, (int, numpy.integer)):
            raise TypeError('"axis" parameter must be integer, got "%s"'
                            % type(axis))
        if idx_dtype not in INT_DTYPES:
            raise TypeError('"idx_dtype" parameter must be an integer dtype, '
                            'got "%s"' % idx_dtype)
        if not (return_indices or return_values):
            raise ValueError("Neither return_values nor return_indices is "
                             "True, this isn't allowed")
        self.axis = int(axis)
        self.sorted = bool(sorted)
        self.idx_dtype = idx_dtype
        self.return_values = bool(return_values)
        self.return_indices = bool(return_indices)

    def __str__(self):
        return '%s{axis=%d, sorted=%s}' % (type(self).__name__, self.axis,
                                           self.sorted)

    def make_node(self, x, kth):
        x = pt.as_tensor_variable(x)
        ndim = x.type.ndim
        if ndim == 0:
            raise ValueError('Cannot take scalar as input')
        if not -ndim <= self.axis < ndim:
            raise IndexError('"axis" parameter out of range, expected '
                             'integer within [%d, %d]' % (-ndim, ndim - 1))
        kth = pt.as_tensor_variable(kth)
        if kth.type.ndim != 0 or kth.type.dtype not in INT_DTYPES:
            raise TypeError('kth must be an integer scalar, not %s'
                            % kth.type)
        k = constant_kth(kth)
        axis = self.axis % ndim
        if k is not None:
            if k == 0:
                raise ValueError('topk: kth cannot be zero')
            length = x.type.shape[axis]
            if length is not None and abs(k) > length:
                raise ValueError('topk: kth (%d) cannot be larger than the '
                                 'size of axis %d (%d)' % (k, axis, length))
            kth = pt.constant(numpy.asarray(k, dtype=kth.type.dtype))
        shape = list(x.type.shape)
        shape[axis] = None if k is None else abs(k)
        outputs = []
        if self.return_values:
            outputs.append(TensorType(x.type.dtype, shape=shape)())
        if self.return_indices:
            outputs.append(TensorType(self.idx_dtype, shape=shape)())
        return Apply(self, [x, kth], outputs)

    def perform(self, node, inputs, outputs):
        x, k = inputs
        values, indices = _numpy_topk(x, int(k), self.axis % x.ndim)
        found = []
        if self.return_values:
            found.append(values)
        if self.return_indices:
            found.append(indices.astype(self.idx_dtype))
        for storage, value in zip(outputs, found):
            storage[0] = value

    def pullback(self, inputs, outputs, grads):
        x, kth = inputs
        k_grad = grad_undefined(self, 1, kth, 'topk: kth is not '
                                              'differentiable')
        if not (self.return_values and self.return_indices):
            return [grad_undefined(self, 0, x, 'topk: its gradient needs '
                                               'both values and indices'),
                    k_grad]
        # Theano's: the values' gradient set at the kept positions
        ndim = x.type.ndim
        axis = self.axis % ndim
        index = [pt.arange(x.shape[i]).dimshuffle(
            [0] + ['x'] * (ndim - i - 1)) if i != axis else outputs[-1]
            for i in range(ndim)]
        x_grad = x.zeros_like(dtype=grads[0].dtype)
        return [pt.set_subtensor(x_grad[tuple(index)], grads[0]), k_grad]


def _topk(x, kth, axis, sorted, idx_dtype):
    x = pt.as_tensor_variable(x)
    if axis is None:
        x = x.flatten()
        axis = 0
    return TopKOp(axis=axis, sorted=sorted, idx_dtype=idx_dtype)(x, kth)


def topk(x, kth, axis=-1, sorted=True, idx_dtype='int64'):
    """The ``kth`` largest entries along ``axis`` (``kth < 0``: the
    ``-kth`` smallest), largest (or smallest) first.

    :param x: tensor of at least one dimension
    :param kth: nonzero int or integer scalar, ``|kth| <= x.shape[axis]``
    :param axis: int, or None for the flattened ``x``
    :param sorted: accepted for Theano's signature; the entries always
        come sorted
    :param idx_dtype: the dtype of the indices used for the gradient
    :returns: tensor of x's dtype, ``|kth|`` long along ``axis``
    :raises ValueError: for ``kth`` 0, or larger than the axis (when
        built if both are known, else when run)
    """
    return _topk(x, kth, axis, sorted, idx_dtype)[0]


def argtopk(x, kth, axis=-1, sorted=True, idx_dtype='int64'):
    """The positions along ``axis`` of :func:`topk`'s entries, of
    ``idx_dtype``."""
    return _topk(x, kth, axis, sorted, idx_dtype)[1]


def topk_and_argtopk(x, kth, axis=-1, sorted=True, idx_dtype='int64'):
    """``(topk(...), argtopk(...))`` from one op."""
    return tuple(_topk(x, kth, axis, sorted, idx_dtype))


__getattr__ = module_getattr(__name__)
