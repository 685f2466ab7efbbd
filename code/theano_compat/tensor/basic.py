"""``theano.tensor.basic``: Theano's tensor functions whose signature or
meaning PyTensor changed.

Every other name of ``theano.tensor`` (``T.matrix``, ``T.dot``,
``T.exp``...) is PyTensor's own, served by the table of
``theano_compat.names``; the functions here take Theano's arguments, in
Theano's order, and give Theano's result:

* the type constructors take the dtype as their second positional
  argument (``T.matrix('x', 'float32')``), and ``T.tensor`` is Theano's
  ``T.tensor(dtype, broadcastable, name=...)``;
* ``flatten`` takes ``outdim``, ``tile`` ``ndim``, ``split`` its
  ``n_splits`` by position, ``reshape`` its ``ndim`` by position,
  ``mean`` its ``op``, ``choose`` its ``out``, ``unravel_index`` its
  ``ndim``;
* ``addbroadcast``, ``unbroadcast`` and ``patternbroadcast`` change
  which axes broadcast, as Theano's ``Rebroadcast`` did;
* ``batched_dot`` is PyTensor's, without its note that it will go.
"""

import warnings

import pytensor.tensor as pt
from pytensor.compile.ops import ViewOp
from pytensor.graph.basic import Apply
from pytensor.tensor import basic as _pt_basic
from pytensor.tensor import extra_ops as _pt_extra_ops
from pytensor.tensor.type import TensorType

from theano_compat.names import module_getattr

__all__ = ['scalar', 'vector', 'row', 'col', 'matrix', 'tensor3', 'tensor4',
           'tensor5', 'tensor6', 'tensor7', 'tensor', 'flatten', 'is_flat',
           'tile', 'split', 'reshape', 'mean', 'choose', 'repeat',
           'unravel_index', 'dot', 'batched_dot',
           'get_scalar_constant_value',
           'addbroadcast', 'unbroadcast', 'patternbroadcast', 'Unbroadcast']


# --- types -------------------------------------------------------------

def _constructor(pytensor_constructor, what):
    def constructor(name=None, dtype=None):
        return pytensor_constructor(name, dtype=dtype)
    constructor.__name__ = constructor.__qualname__ = (
        pytensor_constructor.__name__)
    constructor.__doc__ = (
        'A symbolic %s named ``name``, of ``dtype`` (default '
        '``theano.config.floatX``), as Theano\'s ``T.%s(name=None, '
        'dtype=None)``.' % (what, pytensor_constructor.__name__))
    return constructor


scalar = _constructor(pt.scalar, 'scalar')
vector = _constructor(pt.vector, 'vector')
row = _constructor(pt.row, 'row (a 1 x n matrix that broadcasts along its '
                           'rows)')
col = _constructor(pt.col, 'column (an n x 1 matrix that broadcasts along '
                           'its columns)')
matrix = _constructor(pt.matrix, 'matrix')
tensor3 = _constructor(pt.tensor3, '3-D tensor')
tensor4 = _constructor(pt.tensor4, '4-D tensor')
tensor5 = _constructor(pt.tensor5, '5-D tensor')
tensor6 = _constructor(pt.tensor6, '6-D tensor')
tensor7 = _constructor(pt.tensor7, '7-D tensor')


def tensor(*args, **kwargs):
    """Theano's ``T.tensor(dtype, broadcastable, name=None)``: a variable of
    ``TensorType(dtype, broadcastable)`` (PyTensor's ``pt.tensor`` takes
    the name first)."""
    name = kwargs.pop('name', None)
    return TensorType(*args, **kwargs)(name=name)


# --- shapes ------------------------------------------------------------

def flatten(x, ndim=None, outdim=None):
    """``x`` reshaped to ``ndim`` dimensions (default 1): its first
    ``ndim - 1`` axes kept, the others joined into the last.

    :param outdim: Theano's older name of ``ndim`` (it warns, as Theano
        did)
    """
    if outdim is not None and ndim is not None:
        raise ValueError('flatten: give ndim only (outdim is its old name)')
    if outdim is not None:
        warnings.warn('flatten: the outdim argument is the old name of ndim',
                      stacklevel=2)
        ndim = outdim
    return pt.flatten(x, 1 if ndim is None else ndim)


def is_flat(var, ndim=None, outdim=None):
    """Whether ``var`` has ``ndim`` dimensions (default 1); ``outdim`` is
    ``ndim``'s older name."""
    if outdim is not None and ndim is not None:
        raise ValueError('is_flat: give ndim only (outdim is its old name)')
    return var.ndim == (outdim or ndim or 1)


def tile(x, reps, ndim=None):
    """``x`` repeated ``reps`` times along each axis, as ``numpy.tile``;
    ``ndim``, the number of dimensions of the result, is needed when
    ``reps`` is a symbolic vector (its length is then not known)."""
    x = pt.as_tensor_variable(x)
    if ndim is not None and ndim < x.ndim:
        raise ValueError('tile: ndim must be at least x.ndim')
    if not isinstance(reps, (list, tuple)):
        reps = pt.as_tensor_variable(reps)
        if reps.ndim == 0:
            reps = [reps]
        elif ndim is None:
            raise ValueError('tile: give ndim when reps is a symbolic '
                             'vector')
        else:
            offset = ndim - reps.shape[0]
            reps = [pt.switch(pt.lt(i, offset), 1, reps[i - offset])
                    for i in range(ndim)]
    reps = list(reps)
    if ndim is not None:
        if len(reps) > ndim:
            raise ValueError('tile: len(reps) must be at most ndim')
        reps = [1] * (ndim - len(reps)) + reps
    return pt.tile(x, reps)


def split(x, splits_size, n_splits, axis=0):
    """``x`` cut along ``axis`` into ``n_splits`` pieces of the sizes in
    ``splits_size``."""
    return pt.split(x, splits_size, n_splits=n_splits, axis=axis)


def reshape(x, newshape, ndim=None):
    """``x`` in the shape ``newshape`` (``ndim``: its length, when
    ``newshape`` is a symbolic vector)."""
    return pt.reshape(x, newshape, ndim=ndim)


def mean(input, axis=None, dtype=None, op=False, keepdims=False,
         acc_dtype=None):
    """The mean along ``axis``; ``op`` chose Theano's op or graph for it,
    which give the same values."""
    return pt.mean(input, axis=axis, dtype=dtype, keepdims=keepdims,
                   acc_dtype=acc_dtype)


def choose(a, choices, out=None, mode='raise'):
    """``numpy.choose``; ``out`` must be None (a graph has no output
    array)."""
    if out is not None:
        raise ValueError('choose: out is not supported; use the result')
    return pt.choose(a, choices, mode=mode)


def repeat(x, repeats, axis=None):
    """Each element of ``x`` repeated ``repeats`` times, as
    ``numpy.repeat``."""
    return _pt_extra_ops.repeat(x, repeats, axis=axis)


def unravel_index(indices, dims, order='C', ndim=None):
    """``numpy.unravel_index``; ``ndim`` (the length of ``dims``) is
    known from ``dims`` here."""
    return _pt_extra_ops.unravel_index(indices, dims, order=order)


def dot(a, b):
    """The product of ``a`` and ``b`` (matrix, vector or tensor)."""
    return pt.dot(a, b)


def batched_dot(a, b):
    """The products of ``a[i]`` and ``b[i]`` for each ``i`` of the first
    axis (PyTensor's, without its note that it will drop the name)."""
    with warnings.catch_warnings():
        warnings.filterwarnings('ignore', message='batched_dot is deprecated',
                                category=FutureWarning)
        return pt.batched_dot(a, b)


def get_scalar_constant_value(orig_v, elemwise=True,
                              only_process_constants=False, max_recur=10):
    """The constant value of the scalar ``orig_v``; raises
    ``T.NotScalarConstantError`` when it is not a constant."""
    return _pt_basic.get_scalar_constant_value(
        orig_v, elemwise=elemwise,
        only_process_constants=only_process_constants, max_recur=max_recur)


# --- broadcasting ------------------------------------------------------

class Unbroadcast(ViewOp):
    """Its input, seen as a variable whose ``axes`` do not broadcast.

    PyTensor has no op that makes an axis of length one stop
    broadcasting (Theano's ``Rebroadcast``); this view does, with
    ``ViewOp``'s C code and gradient.
    """

    __props__ = ('axes',)

    def __init__(self, axes):
        self.axes = tuple(sorted(set(axes)))

    def make_node(self, x):
        x = pt.as_tensor_variable(x)
        for axis in self.axes:
            if not 0 <= axis < x.ndim:
                raise ValueError('unbroadcast: axis %d out of range for %d '
                                 'dimensions' % (axis, x.ndim))
        shape = tuple(None if i in self.axes else length
                      for i, length in enumerate(x.type.shape))
        return Apply(self, [x], [TensorType(x.dtype, shape=shape)()])


def addbroadcast(x, *axes):
    """``x``, broadcasting along ``axes`` (each of length one)."""
    return pt.specify_broadcastable(x, *axes)


def unbroadcast(x, *axes):
    """``x``, not broadcasting along ``axes``."""
    x = pt.as_tensor_variable(x)
    axes = [axis for axis in axes if x.type.shape[axis] == 1]
    return Unbroadcast(axes)(x) if axes else x


def patternbroadcast(x, broadcastable):
    """``x``, broadcasting along the axes where ``broadcastable`` is
    True and along no other."""
    x = pt.as_tensor_variable(x)
    on = [i for i, flag in enumerate(broadcastable) if flag]
    off = [i for i, flag in enumerate(broadcastable) if not flag]
    return unbroadcast(addbroadcast(x, *on) if on else x, *off)


__getattr__ = module_getattr(__name__)
