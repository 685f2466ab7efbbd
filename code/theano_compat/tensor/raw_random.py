"""``theano.tensor.raw_random``: NumPy ``RandomState`` draws inside a graph,
as Theano 1.0.5 made them.

Theano drew random numbers in a graph with one op, ``RandomFunction``: its
first input is a variable of type ``RandomStateType`` holding a NumPy
``numpy.random.RandomState`` (usually a shared variable), its second the
size to draw (an int64 vector; empty means "as the parameters'
shape"), the rest the distribution's parameters; its two outputs are the
generator after the draw and the draws.  ``perform`` calls the
``RandomState``'s own method (``uniform``, ``normal``, ``binomial``,
``poisson``) or a helper here that loops over it (``random_integers``,
``choice``, ``permutation``, ``multinomial``), so the numbers are NumPy's
legacy stream: the same seed gives Theano's numbers bit for bit, in
every dtype (the draws are made in float64 and cast, as Theano did).

Each function below returns the pair ``(new_state, sample)``; a compiled
function must store ``new_state`` back into the shared generator (an
update) for the next call to draw new numbers::

    rng = theano.shared(numpy.random.RandomState(42))
    new_state, draws = raw_random.uniform(rng, size=(4,))
    f = theano.function([], draws, updates=[(rng, new_state)])

``theano.tensor.shared_randomstreams.RandomStreams`` keeps such
generators itself, one per random variable.  Importing this module lets
``theano.shared`` (``pytensor.shared``) take a ``RandomState``, which
PyTensor alone refuses; PyTensor's own ``Generator`` variables are
unchanged.

Where this port differs from Theano 1.0.5:

* ``binomial`` with an int64 ``n``: Theano drew three numbers from
  NumPy's global generator while building the graph (a probe for an old
  32-bit NumPy bug); here building a graph draws nothing.
* Mode JAX (``device=cuda``): JAX cannot hold a ``RandomState``.  The
  generator's state (its 624 keys, position and cached normal) goes to
  the device as arrays, and each draw is a call back to the host
  (``jax.pure_callback``) that rebuilds the ``RandomState``, draws as the
  C backend does and returns the new state: the same numbers as Theano,
  at the cost of a host round trip per draw.  The size of a draw must be
  known when the function is compiled (a constant, or the shape of an
  input or a shared variable).
"""

import copy
import sys

import numpy
import pytensor
import pytensor.scalar as ps
import pytensor.tensor as pt
from pytensor.graph.basic import Apply, Constant, Variable
from pytensor.graph.op import Op
from pytensor.graph.type import Type
from pytensor.tensor.exceptions import ShapeError
from pytensor.tensor.type import TensorType, integer_dtypes

from theano_compat.names import module_getattr

__all__ = ['RandomStateType', 'random_state_type', 'RandomFunction',
           'RandomStreamsBase', 'uniform', 'normal', 'binomial',
           'random_integers', 'choice', 'poisson', 'permutation',
           'multinomial', 'random_integers_helper', 'choice_helper',
           'permutation_helper', 'multinomial_helper']


# ----------------------------------------------------------------------------
# The type

class RandomStateType(Type):
    """The type of a variable holding a ``numpy.random.RandomState``.

    Two generators are equal when their states are (``==`` on the
    objects compares their identities), which is what ``values_eq``
    tells the debug modes.
    """

    # what compile.function_module looks for, without importing this
    theano_random_state = True

    def filter(self, data, strict=False, allow_downcast=None):
        if self.is_valid_value(data):
            return data
        raise TypeError('a RandomStateType variable holds a '
                        'numpy.random.RandomState, not %s'
                        % type(data).__name__)

    def is_valid_value(self, data, strict=True):
        return type(data) is numpy.random.RandomState

    def values_eq(self, a, b):
        name_a, keys_a, pos_a, has_gauss_a, gauss_a = a.get_state()
        name_b, keys_b, pos_b, has_gauss_b, gauss_b = b.get_state()
        return (name_a == name_b and numpy.array_equal(keys_a, keys_b)
                and pos_a == pos_b and has_gauss_a == has_gauss_b
                # the cached normal means something only when it is there
                and (not has_gauss_a or gauss_a == gauss_b))

    @staticmethod
    def may_share_memory(a, b):
        return a is b

    def __eq__(self, other):
        return type(self) is type(other)

    def __hash__(self):
        return hash(type(self))

    def __str__(self):
        return 'RandomStateType'

    __repr__ = __str__


random_state_type = RandomStateType()


# ----------------------------------------------------------------------------
# The op

def _tensor_type(dtype, broadcastable):
    """Theano's ``TensorType(dtype, broadcastable)`` in PyTensor's terms:
    a broadcastable axis has the static length 1."""
    return TensorType(dtype, shape=tuple(1 if b else None
                                         for b in broadcastable))


class RandomFunction(Op):
    """Draws from a ``RandomState`` (see the module's docstring).

    :param fn: the name of a ``numpy.random.RandomState`` method, or a
        function ``fn(random_state, *parameters, size)`` (the helpers of
        this module)
    :param outtype: the ``TensorType`` of the draws
    :param inplace: draw from the generator itself (the compiled graph
        does this where it updates the generator) rather than from a copy
    :param ndim_added: the number of axes the draws have beyond ``size``
        (1 for ``permutation`` and ``multinomial``)
    """

    __props__ = ('fn', 'outtype', 'inplace', 'ndim_added')

    def __init__(self, fn, outtype, inplace=False, ndim_added=0):
        self.fn = fn
        self.outtype = outtype
        self.inplace = inplace
        self.ndim_added = ndim_added
        if inplace:
            self.destroy_map = {0: [0]}

    @property
    def exec_fn(self):
        """The function that draws: a ``RandomState`` method or a helper."""
        if isinstance(self.fn, str):
            return getattr(numpy.random.RandomState, self.fn)
        return self.fn

    def __str__(self):
        return 'RandomFunction{%s}' % self.exec_fn.__name__

    def make_node(self, r, shape, *args):
        """:param r: a ``RandomStateType`` variable
        :param shape: the size: an int vector, or ``()`` for the shape the
            parameters give
        :param args: the distribution's parameters
        """
        if not isinstance(getattr(r, 'type', None), RandomStateType):
            raise TypeError(
                'theano.tensor.raw_random draws from a variable holding a '
                'numpy.random.RandomState, e.g. theano.shared(numpy.random.'
                'RandomState(seed)); got %r' % (r,))
        size = pt.as_tensor_variable(shape, ndim=1)
        if isinstance(shape, tuple) and shape == ():
            size = size.astype('int64')
        if size.type.dtype not in ('int64', 'int32'):
            raise TypeError('the size of a draw must be an int64 or int32 '
                            'vector, not %s' % size.type)
        args = [pt.as_tensor_variable(arg) for arg in args]
        return Apply(self, [r, size] + args, [r.type(), self.outtype()])

    def infer_shape(self, fgraph, node, input_shapes):
        size = node.inputs[1]
        # a constant empty size: the parameters' shape decides
        automatic = isinstance(size, Constant) and len(size.data) == 0
        if self.ndim_added or automatic:
            raise ShapeError()  # known only by drawing
        return [None, [size[i] for i in range(node.outputs[1].ndim)]]

    def perform(self, node, inputs, outputs):
        r, size, args = inputs[0], inputs[1], list(inputs[2:])
        if not self.inplace:
            r = copy.deepcopy(r)
        outputs[0][0] = r
        outputs[1][0] = self.draw(node, r, size, args)

    def draw(self, node, r, size, args):
        """The draws from ``r`` (which moves on), checked against the
        op's type and cast to its dtype."""
        ndim = self.outtype.ndim
        # an empty size: NumPy takes the parameters' shape (size=None)
        size = None if len(size) == 0 else tuple(int(s) for s in size)
        if size is not None and ndim != len(size) + self.ndim_added:
            raise ValueError(
                'Shape mismatch: the draws have %d dimensions, but the size '
                'has %d and the distribution adds %d'
                % (ndim, len(size), self.ndim_added))
        rval = self.exec_fn(r, *(args + [size]))
        dtype = node.outputs[1].type.dtype
        if not isinstance(rval, numpy.ndarray) or str(rval.dtype) != dtype:
            rval = numpy.asarray(rval, dtype=dtype)
        if size is None and rval.ndim == 0 and ndim > 0:
            # NumPy gave a scalar where the type promises an array
            rval = rval.reshape((1,) * ndim)
        if rval.ndim != ndim:
            raise ValueError('Shape mismatch: the draws should have %d '
                             'dimensions, not %d' % (ndim, rval.ndim))
        if size is not None:
            drawn = rval.shape[:rval.ndim - self.ndim_added]
            if drawn != size:
                raise ValueError('Shape mismatch: the draws should have the '
                                 'shape %s (plus %d axes), not %s'
                                 % (size, self.ndim_added, rval.shape))
        return rval

    def grad(self, inputs, output_grads):
        from pytensor.gradient import grad_undefined
        return [grad_undefined(self, k, inp, 'No gradient defined through '
                               'raw random numbers op')
                for k, inp in enumerate(inputs)]


# ----------------------------------------------------------------------------
# Sizes

def _ndim_size_broadcastable(ndim, size, *args):
    """Theano's reading of ``size``: ``(ndim, size as an int64 vector,
    broadcastable pattern)``.

    ``size`` is a tuple or list (of ints, symbolic scalars, or -1 for the
    length of a parameter's axis counted from the right), a symbolic
    vector (then ``ndim`` gives its length if it cannot be known), or
    None (the shape of the sum of the parameters).
    """
    args_ndim = max([arg.ndim for arg in args] or [0])
    if isinstance(size, (tuple, list)):
        if ndim is None:
            ndim = len(size)
        elif ndim != len(size):
            raise ValueError('ndim should be equal to len(shape), but\n',
                             'ndim = %s, len(shape) = %s, shape = %s'
                             % (ndim, len(size), size))
        lengths, broadcastable = [], []
        for i, length in enumerate(size):
            if isinstance(length, Variable):
                lengths.append(length)
                broadcastable.append(False)
            elif length >= 0:
                lengths.append(pt.as_tensor_variable(length))
                broadcastable.append(length == 1)
            elif length == -1:
                lengths_before = len(lengths)
                overlapping = 0
                for arg in args:
                    axis = i + arg.ndim - ndim
                    if axis >= 0:
                        overlapping += 1
                        if not arg.broadcastable[axis]:
                            lengths.append(arg.shape[axis])
                            broadcastable.append(False)
                            break
                if len(lengths) == lengths_before:
                    if overlapping == 0:
                        raise ValueError('Auto-shape of -1 must overlap with '
                                         'the shape of one of the '
                                         'broadcastable inputs')
                    lengths.append(pt.as_tensor_variable(1))
                    broadcastable.append(True)
            else:
                raise ValueError('negative shape', length)
        vector = (pt.stack(lengths) if lengths
                  else pt.constant([], dtype='int64'))
    elif size is None:
        if not args:
            raise TypeError('_infer_ndim_bcast cannot infer shape without '
                            'either shape or args')
        template = args[0]
        for arg in args[1:]:
            template = template + arg
        vector = template.shape
        broadcastable = template.broadcastable
        ndim = template.ndim
    else:
        vector = pt.as_tensor_variable(size)
        if vector.ndim != 1:
            raise TypeError("shape must be a vector or list of scalar, got "
                            "'%s'" % vector)
        if ndim is None:
            ndim = pt.get_vector_length(vector)
        broadcastable = [False] * ndim
    if vector.ndim != 1:
        raise TypeError("shape must be a vector or list of scalar, got '%s'"
                        % vector)
    if vector.dtype not in integer_dtypes:
        raise TypeError('shape must be an integer vector or list',
                        vector.dtype)
    if args_ndim > ndim:
        raise ValueError('ndim should be at least as big as required by '
                         'args value', (ndim, args_ndim), args)
    return ndim, pt.cast(vector, 'int64'), tuple(broadcastable)


def _broadcast_indices(out_shape, *shapes):
    """``[out_indices, indices_0, ...]``: the indices of an array of shape
    ``out_shape`` in C order, and for each of ``shapes`` (as long as
    ``out_shape`` or longer, the extra axes on the right not counted) the
    index to read for each of them (0 along an axis of length 1)."""
    for axis, length in enumerate(out_shape):
        for shape in shapes:
            if shape[axis] not in (length, 1):
                raise ValueError(
                    'shape[%i] (%i) should be equal to out_shape[%i] (%i) or '
                    'to 1' % (axis, shape[axis], axis, length), shape,
                    out_shape, shapes)
    positions = list(numpy.ndindex(*out_shape))
    found = [positions]
    for shape in shapes:
        keep = [shape[axis] == length for axis, length in enumerate(out_shape)]
        found.append([tuple(i if k else 0 for i, k in zip(index, keep))
                      for index in positions])
    return found


def _to_rank(array, rank, what, size):
    """``array`` with ones prepended to its shape up to ``rank`` axes."""
    if array.ndim > rank:
        raise ValueError('%s.ndim (%i) should not be larger than len(size) '
                         '(%i)' % (what, array.ndim, rank), array, size)
    return array.reshape((1,) * (rank - array.ndim) + array.shape)


# ----------------------------------------------------------------------------
# Helpers that loop over a RandomState's method

def random_integers_helper(random_state, low, high, size):
    """Integers from ``low`` to ``high`` (both included, each broadcast
    to the size), one ``randint`` call per element, in C order."""
    rank = len(size) if size is not None else max(low.ndim, high.ndim)
    low = _to_rank(low, rank, 'low', size)
    high = _to_rank(high, rank, 'high', size)
    if size is not None:
        shape = tuple(size)
    else:
        shape = tuple(max(a, b) for a, b in zip(low.shape, high.shape))
    out = numpy.ndarray(shape)
    for where, at_low, at_high in zip(*_broadcast_indices(shape, low.shape,
                                                          high.shape)):
        out[where] = random_state.randint(low=low[at_low],
                                          high=high[at_high] + 1)
    return out


def choice_helper(random_state, a, replace, p, size):
    """``RandomState.choice`` with ``replace`` as a number and ``p`` as a
    vector, empty for "all equally likely"."""
    if a.ndim > 1:
        raise ValueError('a.ndim (%i) must be 0 or 1' % a.ndim)
    if p.ndim != 1:
        raise ValueError('p.ndim (%i) must be 1' % p.ndim)
    return random_state.choice(a, size, bool(replace),
                               None if p.size == 0 else p)


def permutation_helper(random_state, n, shape):
    """A permutation of ``range(n)`` for each element of an array of
    shape ``shape`` (one when ``shape`` is None): shape ``shape + (n,)``,
    drawn in C order."""
    assert n.shape == ()
    n = int(n.item())
    shape = () if shape is None else tuple(shape)
    out = numpy.empty(shape + (n,), int)
    for where in numpy.ndindex(*shape):
        out[where] = random_state.permutation(n)
    return out


def multinomial_helper(random_state, n, pvals, size):
    """Counts of ``n`` draws among ``pvals.shape[-1]`` outcomes, one
    multinomial per row of ``pvals`` (``n`` and the rows broadcast to the
    size), in C order."""
    rank = len(size) if size is not None else max(n.ndim, pvals.ndim - 1)
    n = _to_rank(n, rank, 'n', size)
    if pvals.ndim - 1 > rank:
        raise ValueError('pvals.ndim-1 (%i) should not be larger than '
                         'len(size) (%i)' % (pvals.ndim - 1, rank),
                         pvals, size)
    pvals = pvals.reshape((1,) * (rank - pvals.ndim + 1) + pvals.shape)
    if size is not None:
        shape = tuple(size)
    else:
        shape = tuple(max(n.shape[axis], pvals.shape[axis])
                      for axis in range(rank))
    out = numpy.ndarray(shape + (pvals.shape[-1],))
    assert pvals.min() >= 0
    for where, at_n, at_p in zip(*_broadcast_indices(shape, n.shape,
                                                     pvals.shape[:-1])):
        row = pvals[at_p]
        total = numpy.sum(row)
        # NumPy refuses probabilities whose sum is past 1 by a rounding
        # error, or whose last one is tiny: shrink the row a little
        if 1.0 < total < 1.0 + 1e-5 or row[-1] < 5e-5:
            row = row * (1.0 - 5e-5)
            total = numpy.sum(row)
        assert total <= 1.0, total
        out[where] = random_state.multinomial(n=n[at_n],
                                              pvals=row.astype('float64'))
    return out


# ----------------------------------------------------------------------------
# The distributions

def _float_dtype(dtype, *params):
    """``dtype``, or that of the parameters, at least as wide as floatX."""
    if dtype is not None:
        return dtype
    return ps.upcast(pytensor.config.floatX, *[p.dtype for p in params])


def uniform(random_state, size=None, low=0.0, high=1.0, ndim=None,
            dtype=None):
    """Draws uniform on ``[low, high)``; ``dtype`` by default that of
    ``low`` and ``high``, at least floatX.  With ``size`` None, the shape
    of ``low`` and ``high``."""
    low = pt.as_tensor_variable(low)
    high = pt.as_tensor_variable(high)
    dtype = _float_dtype(dtype, low, high)
    ndim, size, bcast = _ndim_size_broadcastable(ndim, size, low, high)
    op = RandomFunction('uniform', _tensor_type(dtype, bcast))
    return op(random_state, size, low, high)


def normal(random_state, size=None, avg=0.0, std=1.0, ndim=None,
           dtype=None):
    """Normal draws of mean ``avg`` and standard deviation ``std``."""
    avg = pt.as_tensor_variable(avg)
    std = pt.as_tensor_variable(std)
    dtype = _float_dtype(dtype, avg, std)
    ndim, size, bcast = _ndim_size_broadcastable(ndim, size, avg, std)
    op = RandomFunction('normal', _tensor_type(dtype, bcast))
    return op(random_state, size, avg, std)


def binomial(random_state, size=None, n=1, p=0.5, ndim=None,
             dtype='int64', prob=None):
    """The number of successes in ``n`` trials of probability ``p``
    (``prob``: ``p``'s old name)."""
    if prob is not None:
        p = prob
        print('DEPRECATION WARNING: the parameter prob to the binomal fct '
              'have been renamed to p to have the same name as np.',
              file=sys.stderr)
    n = pt.as_tensor_variable(n)
    p = pt.as_tensor_variable(p)
    ndim, size, bcast = _ndim_size_broadcastable(ndim, size, n, p)
    op = RandomFunction('binomial', _tensor_type(dtype, (False,) * ndim))
    return op(random_state, size, n, p)


def random_integers(random_state, size=None, low=0, high=1, ndim=None,
                    dtype='int64'):
    """Integers drawn uniformly from ``low`` to ``high``, both included."""
    low = pt.as_tensor_variable(low)
    high = pt.as_tensor_variable(high)
    ndim, size, bcast = _ndim_size_broadcastable(ndim, size, low, high)
    op = RandomFunction(random_integers_helper, _tensor_type(dtype, bcast))
    return op(random_state, size, low, high)


def choice(random_state, size=None, a=2, replace=True, p=None, ndim=None,
           dtype='int64'):
    """Draws from the vector ``a`` (or from ``range(a)``), with or
    without replacement, with probabilities ``p`` (default: equal).
    ``size`` must be given."""
    a = pt.as_tensor_variable(a)
    if isinstance(replace, bool):
        replace = pt.constant(replace, dtype='int8')
    else:
        replace = pt.as_tensor_variable(replace)
    p = pt.as_tensor_variable(p or [])
    ndim, size, bcast = _ndim_size_broadcastable(ndim, size)
    op = RandomFunction(choice_helper, _tensor_type(dtype, bcast))
    return op(random_state, size, a, replace, p)


def poisson(random_state, size=None, lam=1.0, ndim=None, dtype='int64'):
    """Poisson draws of mean ``lam``; ``size`` must be given."""
    lam = pt.as_tensor_variable(lam)
    ndim, size, bcast = _ndim_size_broadcastable(ndim, size)
    op = RandomFunction('poisson', _tensor_type(dtype, bcast))
    return op(random_state, size, lam)


def permutation(random_state, size=None, n=1, ndim=None, dtype='int64'):
    """Permutations of ``range(n)``: one (a vector) when ``size`` is
    None, else one for each element of an array of shape ``size`` (the
    result has one axis more)."""
    if size is None or size == ():
        if ndim not in (None, 1):
            raise TypeError('You asked for just one permutation but asked '
                            'for more then 1 dimensions.')
        size, bcast = (), ()
    else:
        ndim, size, bcast = _ndim_size_broadcastable(ndim, size)
    op = RandomFunction(permutation_helper,
                        _tensor_type(dtype, bcast + (False,)), ndim_added=1)
    return op(random_state, size, n)


def multinomial(random_state, size=None, n=1, pvals=[0.5, 0.5], ndim=None,
                dtype='int64'):
    """Counts of ``n`` draws among the outcomes of each row of
    ``pvals`` (its last axis), as many times as ``size`` says (default:
    ``pvals``' other axes).  The result has one axis more than
    ``size``: the outcomes."""
    n = pt.as_tensor_variable(n)
    pvals = pt.as_tensor_variable(pvals)
    first_outcome = pvals.T[0].T
    ndim, size, bcast = _ndim_size_broadcastable(ndim, size, n,
                                                 first_outcome)
    bcast = bcast + (pvals.type.broadcastable[-1],)
    op = RandomFunction(multinomial_helper, _tensor_type(dtype, bcast),
                        ndim_added=1)
    return op(random_state, size, n, pvals)


class RandomStreamsBase(object):
    """The distributions of a random streams object, as methods that
    draw through its ``gen(function, *args, **kwargs)`` (which supplies
    the generator)."""

    def binomial(self, size=None, n=1, p=0.5, ndim=None, dtype='int64',
                 prob=None):
        """``n`` trials of probability ``p``: the number of successes."""
        if prob is not None:
            p = prob
            print('DEPRECATION WARNING: the parameter prob to the binomal '
                  'fct have been renamed to p to have the same name as '
                  'numpy.', file=sys.stderr)
        return self.gen(binomial, size, n, p, ndim=ndim, dtype=dtype)

    def uniform(self, size=None, low=0.0, high=1.0, ndim=None, dtype=None):
        """Uniform draws on ``[low, high)``."""
        return self.gen(uniform, size, low, high, ndim=ndim, dtype=dtype)

    def normal(self, size=None, avg=0.0, std=1.0, ndim=None, dtype=None):
        """Normal draws of mean ``avg`` and deviation ``std``."""
        return self.gen(normal, size, avg, std, ndim=ndim, dtype=dtype)

    def random_integers(self, size=None, low=0, high=1, ndim=None,
                        dtype='int64'):
        """Integers from ``low`` to ``high``, both included."""
        return self.gen(random_integers, size, low, high, ndim=ndim,
                        dtype=dtype)

    def choice(self, size=None, a=2, replace=True, p=None, ndim=None,
               dtype='int64'):
        """Draws from ``a`` (a vector, or ``range(a)``)."""
        return self.gen(choice, size, a, replace, p, ndim=ndim, dtype=dtype)

    def poisson(self, size=None, lam=None, ndim=None, dtype='int64'):
        """Poisson draws of mean ``lam``."""
        return self.gen(poisson, size, lam, ndim=ndim, dtype=dtype)

    def permutation(self, size=None, n=1, ndim=None, dtype='int64'):
        """Permutations of ``range(n)``, one per element of ``size``."""
        return self.gen(permutation, size, n, ndim=ndim, dtype=dtype)

    def multinomial(self, size=None, n=1, pvals=[0.5, 0.5], ndim=None,
                    dtype='int64'):
        """Counts of ``n`` draws among the outcomes of ``pvals``."""
        return self.gen(multinomial, size, n, pvals, ndim=ndim, dtype=dtype)

    def shuffle_row_elements(self, input):
        """``input`` with the elements of each row (its last axis)
        shuffled; the permutations drawn are its ``.permutation``."""
        perm = self.permutation(size=input.shape[:-1], n=input.shape[-1],
                                ndim=input.ndim - 1)
        shuffled = pt.permute_row_elements(input, perm)
        shuffled.permutation = perm
        return shuffled


# ----------------------------------------------------------------------------
# Mode JAX: the state on the device, the draws on the host

def state_to_arrays(random_state):
    """A ``RandomState``'s MT19937 state as four arrays JAX takes: the
    keys (uint32), the position and whether a normal is cached (int32),
    the cached normal's bits (two uint32: JAX may run in 32 bits)."""
    name, keys, pos, has_gauss, gauss = random_state.get_state()
    return (numpy.asarray(keys, numpy.uint32), numpy.int32(pos),
            numpy.int32(has_gauss),
            numpy.array([gauss], numpy.float64).view(numpy.uint32))


def arrays_to_state(arrays):
    """The ``RandomState`` of :func:`state_to_arrays`' four arrays."""
    keys, pos, has_gauss, gauss = [numpy.asarray(a) for a in arrays]
    random_state = numpy.random.RandomState()
    random_state.set_state(('MT19937', keys.astype(numpy.uint32),
                            int(pos), int(has_gauss),
                            float(gauss.astype(numpy.uint32).view(
                                numpy.float64)[0])))
    return random_state


__getattr__ = module_getattr(__name__)
