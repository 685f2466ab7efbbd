"""``theano.sandbox.rng_mrg``: Theano's own MRG31k3p random streams.

Theano's ``MRG_RandomStreams`` drew from MRG31k3p, the combined multiple
recursive generator of L'Ecuyer and Touzin (2000), cut into streams and
substreams as in L'Ecuyer, Simard, Chen and Kelton (2002).  This module
is that generator, so that a script gets, for the same seed and the same
calls, the numbers Theano 1.0.5 gave it:

* the seed (an int ``s``, or six ints) is the *base state*
  ``(s, s, s, s, s, s)``;
* each random variable made (every ``uniform``; ``binomial`` and
  ``normal`` make one each, ``normal(truncate=True)`` two) takes the base
  state as its first stream, the states ``2^72`` steps further on, one
  after the other, as its other streams (:func:`substream_states`), and
  then moves the base state ``2^134`` steps on for the next variable;
* the number of streams is :func:`guess_n_streams` of the ``size``
  argument, unless ``nstreams`` is given: for a tuple (or list) of Python
  ints, their product, divided by 6 (rounded down) when above 6, at most
  15360; for anything symbolic (``x.shape``, a tuple holding a variable
  or a NumPy integer), 15360.  ``normal`` always asks for a symbolic
  size, so it uses 15360 streams unless given ``nstreams``;
* a draw of ``n`` values gives value ``i`` (in C order) from stream
  ``i % n_streams``; the streams' states are one shared variable (an
  int32 matrix, ``n_streams x 6``), whose ``default_update`` carries them
  on from call to call (``theano.function`` and ``theano.scan`` apply it).

The sampling op, :class:`mrg_uniform`, runs as C++ (``mrg31k3p.cpp``),
as NumPy (``perform``, vectorised over streams) and as JAX (mode JAX,
``engine/jax_dispatch/rng_mrg.py``), and the three give the same bits.
``binomial``, ``normal``, ``multinomial`` and ``choice`` are Theano's
graphs on top of
one uniform draw each (``multinomial`` and ``choice`` pick categories
with the ops of :mod:`theano_compat.sandbox.multinomial`).
"""

import warnings

import numpy
import pytensor
import pytensor.tensor as pt
from pytensor import scalar as ps
from pytensor.gradient import grad_undefined, undefined_grad
from pytensor.graph.basic import Apply, Variable
from pytensor.tensor.basic import infer_static_shape
from pytensor.tensor.type import TensorType

from theano_compat.engine.compiler import native_vector_flags
from theano_compat.engine.cop import ExternalCppOp

__all__ = ['MRG_RandomStreams', 'mrg_uniform', 'guess_n_streams',
           'substream_states', 'ff_2p72', 'ff_2p134', 'mrg_draw_numpy',
           'M1', 'M2', 'MAX_STREAMS']

M1 = 2147483647          # 2^31 - 1: modulus of the first component
M2 = 2147462579          # 2^31 - 21069: modulus of the second
MAX_STREAMS = 60 * 256   # streams of a draw whose size is not known
FLOAT_DTYPES = ('float32', 'float64')

# float32(4.6566126e-10) is 2^-31 (1 - 2^-24): the largest float32 below
# 2^-31, so that M1 rounded to float32 (2^31) still maps below 1.0.
NORM_FLOAT32 = numpy.float32(4.6566126e-10)
NORM_FLOAT64 = 4.656612873077392578125e-10  # 2^-31 exactly


# ----------------------------------------------------------------------------
# Jumps ahead: the recurrences as 3 x 3 matrices, raised to powers of two.

# One step of each component, acting on (x_{n-1}, x_{n-2}, x_{n-3}):
# x_n = 2^22 x_{n-2} + (2^7 + 1) x_{n-3} mod M1, and
# x_n = 2^15 x_{n-1} + (2^15 + 1) x_{n-3} mod M2.
_STEP1 = ((0, 1 << 22, 129), (1, 0, 0), (0, 1, 0))
_STEP2 = ((1 << 15, 0, (1 << 15) + 1), (1, 0, 0), (0, 1, 0))


def _matmul_mod(a, b, m):
    """``a @ b mod m`` for 3 x 3 matrices of Python ints."""
    return tuple(tuple(sum(a[i][k] * b[k][j] for k in range(3)) % m
                       for j in range(3)) for i in range(3))


_POWERS = {}  # exponent e: (A1^(2^e) mod M1, A2^(2^e) mod M2)


def _jump_matrices(e):
    """The two components' matrices of a jump of ``2^e`` steps."""
    if e not in _POWERS:
        if e == 0:
            _POWERS[0] = (_STEP1, _STEP2)
        else:
            a1, a2 = _jump_matrices(e - 1)
            _POWERS[e] = (_matmul_mod(a1, a1, M1), _matmul_mod(a2, a2, M2))
    return _POWERS[e]


def _jump_rows(rows, e):
    """States (int32 rows of 6) moved ``2^e`` steps on, as int32 rows."""
    rows = numpy.asarray(rows, dtype=numpy.int64)
    out = numpy.empty(rows.shape, dtype=numpy.int64)
    for half, (matrix, m) in enumerate(zip(_jump_matrices(e), (M1, M2))):
        words = rows[..., 3 * half:3 * half + 3]
        a = numpy.array(matrix, dtype=numpy.int64)
        # each product is below 2^62; reduce before summing three of them
        out[..., 3 * half:3 * half + 3] = (
            (words[..., None, :] * a) % m).sum(axis=-1) % m
    return out.astype(numpy.int32)


def ff_2p72(rstate):
    """The state (6 int32) ``2^72`` steps on: the next substream."""
    return _jump_rows(rstate, 72)


def ff_2p134(rstate):
    """The state (6 int32) ``2^134`` steps on: the next stream."""
    return _jump_rows(rstate, 134)


def substream_states(rstate, n_streams):
    """``n_streams`` states, ``2^72`` steps apart, the first ``rstate``.

    :param rstate: int32 array of shape (6,)
    :param n_streams: int >= 1
    :rtype: int32 array of shape (n_streams, 6)
    """
    if n_streams < 1:
        raise ValueError('n_streams must be at least 1, not %r'
                         % (n_streams,))
    rows = numpy.empty((n_streams, 6), dtype=numpy.int32)
    rows[0] = rstate
    done, e = 1, 72
    while done < n_streams:
        # rows[done + j] = rows[j] moved on done * 2^72 = 2^e steps
        more = min(done, n_streams - done)
        rows[done:done + more] = _jump_rows(rows[:more], e)
        done += more
        e += 1
    return rows


# ----------------------------------------------------------------------------
# The step of the generator, on NumPy or JAX arrays of int32 (one element
# per stream), with the same wrapping int32 arithmetic as mrg31k3p.cpp.

def _fold(y, m, where):
    """Theano's reduction: one ``m`` off a value below 0 or from ``m`` on."""
    return where((y < 0) | (y >= m), y - m, y)


def mrg_step(words, where):
    """One step of each stream: ``(new six words, integers in [0, M1])``.

    :param words: six int32 arrays (NumPy or JAX), the state's columns
    :param where: ``numpy.where`` or ``jax.numpy.where``
    """
    x11, x12, x13, x21, x22, x23 = words
    # 2^22 x12 + 2^7 x13 + x13 mod M1, from shifts that wrap as Theano's
    y1 = (((x12 & 511) << 22) + (x12 >> 9)
          + ((x13 & 16777215) << 7) + (x13 >> 24))
    y1 = _fold(y1, M1, where)
    y1 = _fold(y1 + x13, M1, where)
    # 2^15 x21 + 2^15 x23 + x23 mod M2 (2^31 = 21069 mod M2)
    a = _fold(((x21 & 65535) << 15) + 21069 * (x21 >> 16), M2, where)
    b = _fold(((x23 & 65535) << 15) + 21069 * (x23 >> 16), M2, where)
    b = _fold(b + x23, M2, where)
    b = _fold(b + a, M2, where)
    diff = y1 - b
    value = where(y1 <= b, diff + M1, diff)
    return (y1, x11, x12, b, x21, x22), value


def to_unit_numpy(values, dtype):
    """Integers in [0, M1] (int32) as floats in [0, 1), Theano's way."""
    if dtype == 'float32':
        return values.astype(numpy.float32) * NORM_FLOAT32
    return values * NORM_FLOAT64


def mrg_draw_numpy(rstate, n, dtype):
    """``n`` uniform values from the streams ``rstate``, in NumPy.

    :param rstate: int32 array (n_streams, 6), not modified
    :param n: number of values
    :param dtype: 'float32' or 'float64'
    :returns: (new state, int32 (n_streams, 6); values, 1-d ``dtype``)
    """
    state = numpy.array(rstate, dtype=numpy.int32, order='C', copy=True)
    n_streams = state.shape[0]
    values = numpy.empty(n, dtype=numpy.int32)
    if n == 0:
        return state, to_unit_numpy(values, dtype)
    if n_streams == 0:
        raise ValueError('mrg_uniform: the state has no streams')
    used = min(n, n_streams)
    words = [state[:used, k].copy() for k in range(6)]
    with numpy.errstate(over='ignore'):
        for start in range(0, n, n_streams):
            k = min(n - start, used)
            if k == used:
                # the new words are new arrays or the old ones moved along
                words, values[start:start + k] = mrg_step(words, numpy.where)
            else:
                # the last round: only the first k streams take a step
                new, values[start:start + k] = mrg_step(
                    [w[:k] for w in words], numpy.where)
                new = [numpy.array(w) for w in new]  # before any is written
                for w, v in zip(words, new):
                    w[:k] = v
    state[:used] = numpy.stack(words, axis=1)
    return state, to_unit_numpy(values, dtype)


# ----------------------------------------------------------------------------
# The op.

class mrg_uniform(ExternalCppOp):
    """``(rstate, size) -> (new rstate, sample)``: uniform floats in [0, 1).

    :param dtype: 'float32' or 'float64', the sample's dtype
    :param ndim: the length of ``size``, the sample's number of dimensions
    :param inplace: whether the new state overwrites the old one (set by a
        rewrite of ``FAST_RUN``)

    ``rstate`` is an int32 matrix (n_streams x 6), ``size`` an int vector
    of length ``ndim``.  Value ``i`` of the sample (C order) is the next
    value of stream ``i % n_streams``.  The name and ``new`` are Theano's.
    """

    __props__ = ('dtype', 'ndim', 'inplace')
    source_files = ('mrg31k3p.cpp',)

    def __init__(self, dtype, ndim, inplace=False):
        if dtype not in FLOAT_DTYPES:
            raise TypeError('mrg_uniform draws float32 or float64, not %r'
                            % (dtype,))
        self.dtype = str(dtype)
        self.ndim = int(ndim)
        self.inplace = bool(inplace)
        if self.inplace:
            self.destroy_map = {0: [0]}

    @classmethod
    def new(cls, rstate, ndim, dtype, size):
        """``(new rstate, sample)`` for the state variable ``rstate``."""
        size = pt.as_tensor_variable(size)
        if ndim is None:
            ndim = pt.get_vector_length(size)
        return cls(dtype, ndim)(rstate, size)

    def __str__(self):
        return 'mrg_uniform{%s,%dd%s}' % (self.dtype, self.ndim,
                                         ',inplace' if self.inplace else '')

    def make_node(self, rstate, size):
        rstate = pt.as_tensor_variable(rstate)
        if rstate.type.dtype != 'int32' or rstate.type.ndim != 2:
            raise TypeError('mrg_uniform: rstate must be an int32 matrix '
                            '(n_streams x 6), not %s' % (rstate.type,))
        size = pt.as_tensor_variable(size)
        if size.type.ndim != 1 or not size.type.dtype.startswith(
                ('int', 'uint')):
            raise TypeError('mrg_uniform: size must be a vector of ints, '
                            'not %s' % (size.type,))
        if size.type.shape[0] not in (None, self.ndim):
            raise ValueError('mrg_uniform: size has %d entries for a %d-d '
                             'sample' % (size.type.shape[0], self.ndim))
        static = [None] * self.ndim
        if size.type.shape[0] == self.ndim:
            try:
                static = list(infer_static_shape(size)[1])
            except (TypeError, ValueError):
                pass
        sample = TensorType(self.dtype, shape=tuple(static))()
        return Apply(self, [rstate, size], [rstate.type(), sample])

    def infer_shape(self, fgraph, node, shapes):
        size = node.inputs[1]
        return [shapes[0], [size[i] for i in range(self.ndim)]]

    def pullback(self, inputs, outputs, output_grads):
        return [grad_undefined(self, k, x, 'no gradient through a random '
                               'sample') for k, x in enumerate(inputs)]

    def R_op(self, inputs, eval_points):
        return [None for _ in eval_points]

    def perform(self, node, inputs, outputs):
        rstate, size = inputs
        shape = _checked_shape(size, self.ndim)
        n = int(numpy.prod(shape, dtype=numpy.int64))
        if rstate.ndim != 2 or rstate.shape[1] != 6:
            raise ValueError('mrg_uniform: rstate must have shape '
                             '(n_streams, 6), not %s' % (rstate.shape,))
        if n > M1:
            raise ValueError('mrg_uniform draws at most 2**31 - 1 values '
                             'at a time, not %d' % n)
        state, values = mrg_draw_numpy(rstate, n, self.dtype)
        if self.inplace:
            rstate[...] = state
            state = rstate
        outputs[0][0] = state
        outputs[1][0] = values.reshape(shape)

    # The C++ code.

    def c_headers(self, **kwargs):
        return ['<stdlib.h>']

    def c_compile_args(self, **kwargs):
        # the vector instructions of this CPU where PyTensor found none
        # (clang); g++ gets them from PyTensor
        return native_vector_flags()

    def c_macros(self, node):
        return {'MRG_NDIM': self.ndim, 'MRG_INPLACE': int(self.inplace)}


def _checked_shape(size, ndim):
    """``size`` (an int array) as a tuple, or a clear error."""
    size = numpy.asarray(size)
    if size.shape != (ndim,):
        raise ValueError('mrg_uniform: size must have %d entries, not %s'
                         % (ndim, size.tolist()))
    shape = tuple(int(s) for s in size)
    if any(s < 0 for s in shape):
        raise ValueError('mrg_uniform: negative dimension in size %s'
                         % (shape,))
    return shape



# ----------------------------------------------------------------------------
# The streams.

def guess_n_streams(size, warn=False):
    """The number of streams Theano gave a draw of ``size``.

    :param size: the ``size`` given to ``uniform`` (a tuple or list of
        Python ints, or anything else)
    :param warn: warn when ``size`` is not all Python ints
    :rtype: int: for Python ints, their product ``r``, ``r // 6`` when
        ``r > 6``, at most 15360; otherwise 15360
    """
    if isinstance(size, (tuple, list)) and all(
            isinstance(s, int) for s in size):
        r = 1
        for s in size:
            r *= s
        if r > 6:
            r //= 6
        return min(r, MAX_STREAMS)
    if warn:
        warnings.warn('MRG_RandomStreams cannot tell the number of streams '
                      'from size %s; it uses %d' % (size, MAX_STREAMS),
                      stacklevel=3)
    return MAX_STREAMS


def _seed_state(seed):
    """The base state (int32, shape (6,)) of a seed, or a clear error."""
    if isinstance(seed, (int, numpy.integer)) and not isinstance(
            seed, (bool, numpy.bool_)):
        seed = int(seed)
        if seed == 0:
            raise ValueError('seed should not be 0')
        if not 0 < seed < M2:
            raise ValueError('seed should be between 1 and %d, not %d'
                             % (M2 - 1, seed))
        return numpy.array([seed] * 6, dtype=numpy.int32)
    try:
        words = [int(w) for w in seed]
    except (TypeError, ValueError):
        raise TypeError('seed should be an int or 6 ints, not %r'
                        % (seed,)) from None
    if len(words) != 6:
        raise TypeError('seed should be an int or 6 ints, not %d values'
                        % len(words))
    for half, m in ((words[:3], M1), (words[3:], M2)):
        if not all(0 <= w < m for w in half):
            raise ValueError('seed: each of the %s 3 values should be '
                             'between 0 and %d, got %s' % (
                                 'first' if m == M1 else 'last', m - 1,
                                 words))
        if not any(half):
            raise ValueError('seed: the %s 3 values should not all be 0'
                             % ('first' if m == M1 else 'last'))
    return numpy.array(words, dtype=numpy.int32)


def _check_size(size):
    """``normal``'s size (an int, ints or a vector) as an int vector."""
    if isinstance(size, Variable):
        if size.ndim == 1:
            return size
        if size.ndim == 0:
            return pt.stack([size])
        raise ValueError('size: a variable of %d dimensions is not a '
                         'shape' % size.ndim)
    if isinstance(size, (int, numpy.integer)):
        size = (size,)
    if not isinstance(size, (tuple, list)):
        raise ValueError('size must be an int, a tuple or list of ints, or '
                         'a symbolic int vector, not %r' % (size,))
    for s in size:
        if isinstance(s, Variable):
            if s.ndim != 0:
                raise ValueError('size: %s is not a scalar' % (s,))
        elif isinstance(s, (int, numpy.integer)):
            if s <= 0:
                raise ValueError('size: dimensions must be positive, got %s'
                                 % (tuple(size),))
        else:
            raise ValueError('size: %r is neither an int nor a symbolic int'
                             % (s,))
    return pt.as_tensor_variable(size, ndim=1)


def _size_tuple_check(size):
    """``uniform``'s size: a tuple/list of ints and scalars, or a vector."""
    if isinstance(size, (tuple, list)):
        for s in size:
            if isinstance(s, Variable):
                if s.ndim != 0 or not s.dtype.startswith(('int', 'uint')):
                    raise TypeError('size: %s is not a scalar int' % (s,))
            elif not isinstance(s, (int, numpy.integer)) or isinstance(
                    s, (bool, numpy.bool_)):
                raise TypeError('size must be a tuple of ints or a symbolic '
                                'int vector, got %r' % (size,))
        if any(isinstance(s, (int, numpy.integer)) and s <= 0
               for s in size):
            raise ValueError('size: dimensions must be positive, got %s'
                             % (tuple(size),))
    elif not (isinstance(size, Variable) and size.ndim == 1):
        raise TypeError('size must be a tuple of ints or a symbolic int '
                        'vector (such as x.shape), got %r of type %s'
                        % (size, type(size).__name__))


class MRG_RandomStreams(object):
    """Theano's MRG31k3p random streams (see the module for the seed rule).

    :param seed: an int from 1 to M2 - 1 (2147462578), or six ints (the
        first three below M1, the last three below M2, neither three all
        zero): the base state

    ``state_updates`` lists ``(state, new state, size, nstreams)`` for each
    random variable made, in order; ``updates()`` the ``(state, new state)``
    pairs.  The states' updates are also their ``default_update``, which
    ``theano.function`` and ``theano.scan`` apply by themselves.
    """

    def __init__(self, seed=12345):
        self.state_updates = []
        self.default_instance_seed = seed
        self.set_rstate(seed)

    def updates(self):
        """The ``(state, new state)`` pairs of the variables made so far."""
        return [(old, new) for old, new, _, _ in self.state_updates]

    def set_rstate(self, seed):
        """Make ``seed`` the base state (int32, shape (6,))."""
        self.rstate = _seed_state(seed)

    def seed(self, seed=None):
        """Start again from ``seed`` (None: the constructor's seed).

        Every variable made so far gets the states it would have had if it
        had been made, in the same order, by ``MRG_RandomStreams(seed)``.
        """
        if seed is None:
            seed = self.default_instance_seed
        self.set_rstate(seed)
        for old, new, size, nstreams in self.state_updates:
            if nstreams is None:
                nstreams = self.n_streams(size)
            old.set_value(self.get_substream_rstates(
                nstreams, new.owner.outputs[1].dtype), borrow=True)

    def inc_rstate(self):
        """Move the base state ``2^134`` steps on, to the next stream."""
        self.rstate = ff_2p134(self.rstate)

    def get_substream_rstates(self, n_streams, dtype=None, inc_rstate=True):
        """States for a new variable: ``n_streams`` rows ``2^72`` steps
        apart from the base state; then the base state moves on.

        :rtype: int32 array of shape (n_streams, 6)
        """
        n_streams = int(n_streams)
        if not 0 < n_streams < 2 ** 31:
            raise ValueError('nstreams should be a positive int, not %d'
                             % n_streams)
        rows = substream_states(self.rstate, n_streams)
        if inc_rstate:
            self.inc_rstate()
        return rows

    def n_streams(self, size):
        """The number of streams for ``size`` (:func:`guess_n_streams`)."""
        return guess_n_streams(size)

    def pretty_return(self, node_rstate, new_rstate, sample, size, nstreams):
        """Record the state's update and return ``sample``."""
        sample.rstate = node_rstate
        sample.update = (node_rstate, new_rstate)
        self.state_updates.append((node_rstate, new_rstate, size, nstreams))
        with warnings.catch_warnings():
            # PyTensor 3 plans to drop default updates (its own random
            # streams still set them); Theano's scripts rely on them.
            warnings.simplefilter('ignore', DeprecationWarning)
            node_rstate.default_update = new_rstate
        return sample

    def uniform(self, size, low=0.0, high=1.0, ndim=None, dtype=None,
                nstreams=None, **kwargs):
        """Floats uniform between ``low`` and ``high``: a variable of shape
        ``size``.

        :param size: a tuple of ints or scalar int variables, or an int
            vector variable (``x.shape``)
        :param low, high: scalars or tensors (broadcast to ``size``)
        :param ndim: the length of ``size`` when it cannot be read off it
        :param dtype: 'float32' or 'float64'; by default the upcast of
            floatX, ``low`` and ``high``
        :param nstreams: the number of streams (default: see the module)
        :rtype: a tensor variable of ``dtype``, ``len(size)`` dimensions,
            ``u * (high - low) + low`` for ``u`` uniform in [0, 1)
        """
        kwargs.pop('target', None)  # Theano's GPU context: nothing here
        if kwargs:
            raise TypeError('uniform() got unexpected keyword arguments %s'
                            % sorted(kwargs))
        low = pt.as_tensor_variable(low)
        high = pt.as_tensor_variable(high)
        if dtype is None:
            dtype = ps.upcast(pytensor.config.floatX, low.dtype, high.dtype)
        dtype = str(dtype)
        if dtype not in FLOAT_DTYPES:
            raise TypeError('MRG_RandomStreams draws float32 or float64, '
                            'not %r' % (dtype,))
        low = undefined_grad(pt.cast(low, dtype))
        high = undefined_grad(pt.cast(high, dtype))
        _size_tuple_check(size)
        orig_nstreams = nstreams
        if nstreams is None:
            nstreams = self.n_streams(size)
        rstates = self.get_substream_rstates(nstreams, dtype)
        node_rstate = pytensor.shared(rstates)
        node_rstate.tag.is_rng = True
        new_rstate, u = mrg_uniform.new(node_rstate, ndim, dtype, size)
        u = self.pretty_return(node_rstate, new_rstate, u, size=size,
                               nstreams=orig_nstreams)
        r = u * (high - low) + low
        if r.type.ndim != u.type.ndim:
            raise NotImplementedError(
                'low and high must not have more dimensions than size')
        return r

    def binomial(self, size=None, n=1, p=0.5, ndim=None, dtype='int64',
                 nstreams=None, **kwargs):
        """0/1 samples, 1 with probability ``p``: ``uniform(size) < p``,
        cast to ``dtype``.  Only ``n=1`` is provided, as in Theano.

        The uniform values are floatX (whatever ``dtype``), compared with
        ``p`` in ``p``'s own dtype (a Python float is floatX, or float32
        when it is one exactly).

        :param size: as for :meth:`uniform`
        :param p: a scalar, or a tensor that broadcasts to ``size``
        :rtype: a tensor variable of ``dtype`` (int64 by default) of 0s
            and 1s, ``len(size)`` dimensions
        """
        if isinstance(n, Variable) or n != 1:
            raise NotImplementedError('MRG_RandomStreams.binomial with '
                                      'n > 1')
        p = undefined_grad(pt.as_tensor_variable(p))
        x = self.uniform(size=size, ndim=ndim, nstreams=nstreams, **kwargs)
        return pt.cast(x < p, dtype)

    def normal(self, size, avg=0.0, std=1.0, ndim=None, dtype=None,
               nstreams=None, truncate=False, **kwargs):
        """Normal samples of mean ``avg`` and deviation ``std``, shape
        ``size``, by Box-Muller from one uniform draw.

        :param size: an int, a tuple of ints or scalar variables, or an int
            vector variable
        :param dtype: by default the upcast of floatX, ``avg`` and ``std``
        :param truncate: redraw the values beyond 2 deviations (a second
            uniform draw)
        :rtype: a tensor variable of ``dtype`` and shape ``size``

        The draw has ``prod(size)`` rounded up to even values ``u``; with
        ``u1, u2`` its two halves and ``r = sqrt(-2 log u1)``, the result
        is ``[r cos(2 pi u2), r sin(2 pi u2)]``, cut to ``prod(size)``
        values, reshaped, times ``std`` plus ``avg``.
        """
        size = _check_size(size)
        avg = undefined_grad(pt.as_tensor_variable(avg))
        std = undefined_grad(pt.as_tensor_variable(std))
        if dtype is None:
            dtype = ps.upcast(pytensor.config.floatX, avg.dtype, std.dtype)
        avg = pt.cast(avg, dtype)
        std = pt.cast(std, dtype)
        n_odd = pt.prod(size, dtype='int64')
        n_even = n_odd + n_odd % 2
        u = self.uniform((n_even,), low=0., high=1., ndim=1, dtype=dtype,
                         nstreams=nstreams, **kwargs)
        u1 = u[:n_even // 2]
        u2 = u[n_even // 2:]
        r = pt.sqrt(-2.0 * pt.log(u1))
        theta = numpy.array(2.0 * numpy.pi, dtype=dtype) * u2
        cos_theta, sin_theta = pt.cos(theta), pt.sin(theta)
        z0 = r * cos_theta
        z1 = r * sin_theta
        if truncate:
            # keep the values within 2 deviations; redraw the radius of
            # the others from u in [e^-2, 1), which keeps r below 2
            bad0 = (z0 < -2.) | (z0 > 2.)
            bad1 = (z1 < -2.) | (z1 > 2.)
            z0_ok = z0[pt.nonzero(~bad0)]
            z1_ok = z1[pt.nonzero(~bad1)]
            bad0 = pt.nonzero(bad0)[0]
            bad1 = pt.nonzero(bad1)[0]
            n_fix = bad0.size + bad1.size
            lower = pt.constant(1. / numpy.e ** 2, dtype=dtype)
            u_fix = self.uniform((n_fix,), low=lower, high=1., ndim=1,
                                 dtype=dtype, nstreams=nstreams, **kwargs)
            r_fix = pt.sqrt(-2. * pt.log(u_fix))
            z0_fixed = r_fix[:bad0.size] * cos_theta[bad0]
            z1_fixed = r_fix[bad0.size:] * sin_theta[bad1]
            samples = pt.join(0, z0_ok, z0_fixed, z1_ok, z1_fixed)
        else:
            samples = pt.join(0, z0, z1)
        samples = samples[:n_odd]
        samples = pt.reshape(samples, size, ndim=ndim)
        samples = samples * std
        samples = samples + avg
        return samples

    def multinomial(self, size=None, n=1, pvals=None, ndim=None,
                    dtype='int64', nstreams=None, **kwargs):
        """Counts of ``n`` draws from each row of ``pvals``.

        :param pvals: a (rows, categories) matrix of probabilities (not
            checked: rows need not sum to 1)
        :param n: draws per row
        :param dtype: the counts' dtype
        :rtype: a matrix of ``pvals``' shape

        One uniform draw (floatX) of ``rows * n`` values picks the
        categories (:class:`~theano_compat.sandbox.multinomial.
        MultinomialFromUniform`).  ``size`` and ``ndim`` must be None, as
        in Theano.
        """
        from theano_compat.sandbox.multinomial import MultinomialFromUniform
        if pvals is None:
            raise TypeError('multinomial: pvals is required')
        pvals = undefined_grad(pt.as_tensor_variable(pvals))
        if size is not None:
            raise ValueError('multinomial takes no size (the shape is '
                             'pvals\' shape)')
        if ndim is not None:
            raise ValueError('multinomial takes no ndim')
        if pvals.ndim != 2:
            raise NotImplementedError('multinomial: pvals must be a matrix, '
                                      'not %d-d' % pvals.ndim)
        unis = self.uniform(size=pvals[:, 0].shape * n, ndim=1,
                            nstreams=nstreams, **kwargs)
        return MultinomialFromUniform(dtype)(pvals, unis,
                                             pt.as_tensor_variable(n))

    def choice(self, size=1, a=None, replace=True, p=None, ndim=None,
               dtype='int64', nstreams=None, **kwargs):
        """``size`` categories picked without replacement from each row of
        ``p``: a (rows, size) matrix of ints in [0, categories).

        As in Theano, only ``replace=False`` and ``a=None`` are provided;
        ``p`` is a (rows, categories) matrix.  One uniform draw (floatX) of
        ``rows * size`` values makes the picks
        (:class:`~theano_compat.sandbox.multinomial.ChoiceFromUniform`).
        """
        from theano_compat.sandbox.multinomial import ChoiceFromUniform
        if replace:
            raise NotImplementedError('MRG_RandomStreams.choice picks '
                                      'without replacement only: give '
                                      'replace=False')
        if a is not None:
            raise TypeError('MRG_RandomStreams.choice: a must be None (the '
                            'picks are the columns of p)')
        if p is None:
            raise TypeError('MRG_RandomStreams.choice: p is required')
        p = undefined_grad(pt.as_tensor_variable(p))
        if ndim is not None:
            raise ValueError('MRG_RandomStreams.choice takes no ndim')
        if p.ndim != 2:
            raise NotImplementedError('MRG_RandomStreams.choice: p must be '
                                      'a matrix, not %d-d' % p.ndim)
        unis = self.uniform(size=p[:, 0].shape * size, ndim=1,
                            nstreams=nstreams, **kwargs)
        return ChoiceFromUniform(odtype=dtype)(p, unis,
                                               pt.as_tensor_variable(size))

    def truncated_normal(self, size, avg=0.0, std=1.0, ndim=None, dtype=None,
                         nstreams=None, **kwargs):
        """``normal(truncate=True)`` with ``std`` scaled so that the result
        has deviation ``std`` (the deviation of a normal cut at 2 is
        0.8796...)."""
        std = std / pt.constant(.87962566103423978)
        return self.normal(size=size, avg=avg, std=std, truncate=True,
                           ndim=ndim, dtype=dtype, nstreams=nstreams,
                           **kwargs)


# Theano's other names of this module: from the table (names.TABLE).
from theano_compat.names import module_getattr  # noqa: E402
__getattr__ = module_getattr(__name__)
