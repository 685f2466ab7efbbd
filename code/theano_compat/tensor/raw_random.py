"""``theano.tensor.raw_random``: draws that take and give a generator.

Each function draws from a distribution with the generator variable
``random_state`` and returns the pair ``(new_state, sample)``: the
generator's next state, which a compiled function must store back (as an
update) for the next call to draw new numbers, and the draws.  Theano's
``random_state`` was a shared ``numpy.random.RandomState``; PyTensor's
generators are ``numpy.random.Generator`` only, so make one with
``theano.shared(numpy.random.default_rng(seed))``.  The draws are
PyTensor's random variables (``pytensor.tensor.random.basic``), with
Theano's arguments and defaults; ``ndim`` (the length of ``size``, when
``size`` is symbolic) is known from ``size`` here.

Most programs draw through ``theano.tensor.shared_randomstreams.
RandomStreams`` or ``theano.sandbox.rng_mrg.MRG_RandomStreams``, which
keep the states themselves.
"""

import pytensor.tensor as pt
from pytensor.tensor.random import basic as _rv

from theano_compat.names import module_getattr

__all__ = ['uniform', 'normal', 'binomial', 'random_integers', 'choice',
           'poisson', 'permutation', 'multinomial']


def _size(size):
    return None if size is None or size == () else size


def _draw(rv, random_state, size, dtype, *params, **kwargs):
    new_state, sample = rv(*params, size=_size(size), rng=random_state,
                           return_next_rng=True, **kwargs)
    if dtype is not None and sample.dtype != dtype:
        sample = pt.cast(sample, dtype)
    return new_state, sample


def uniform(random_state, size=None, low=0.0, high=1.0, ndim=None,
            dtype=None):
    """Draws uniform on [low, high), of ``dtype`` (default floatX)."""
    import pytensor
    return _draw(_rv.uniform, random_state, size,
                 dtype or pytensor.config.floatX, low, high)


def normal(random_state, size=None, avg=0.0, std=1.0, ndim=None,
           dtype=None):
    """Normal draws of mean ``avg`` and standard deviation ``std``."""
    import pytensor
    return _draw(_rv.normal, random_state, size,
                 dtype or pytensor.config.floatX, avg, std)


def binomial(random_state, size=None, n=1, p=0.5, ndim=None,
             dtype='int64', prob=None):
    """The number of successes in ``n`` trials of probability ``p``
    (``prob`` is ``p``'s older name)."""
    if prob is not None:
        p = prob
    return _draw(_rv.binomial, random_state, size, dtype, n, p)


def random_integers(random_state, size=None, low=0, high=1, ndim=None,
                    dtype='int64'):
    """Integers drawn uniformly from ``low`` to ``high``, both included."""
    return _draw(_rv.integers, random_state, size, dtype, low,
                 pt.as_tensor_variable(high) + 1)


def choice(random_state, size=None, a=2, replace=True, p=None, ndim=None,
           dtype='int64'):
    """Draws from the vector ``a`` (or from ``range(a)``), with
    probabilities ``p`` (default: equal)."""
    new_state, sample = _rv.choice(a, size=_size(size), replace=replace, p=p,
                                   rng=random_state, return_next_rng=True)
    if sample.dtype != dtype:
        sample = pt.cast(sample, dtype)
    return new_state, sample


def poisson(random_state, size=None, lam=1.0, ndim=None, dtype='int64'):
    """Poisson draws of mean ``lam``."""
    return _draw(_rv.poisson, random_state, size, dtype, lam)


def permutation(random_state, size=None, n=1, ndim=None, dtype='int64'):
    """Permutations of ``range(n)``: one (a vector) when ``size`` is
    None, else one for each element of an array of shape ``size`` (a
    tensor of shape ``size + (n,)``)."""
    items = pt.arange(n, dtype=dtype)
    return _rv.permutation(items, size=_size(size), rng=random_state,
                           return_next_rng=True)


def multinomial(random_state, size=None, n=1, pvals=(0.5, 0.5), ndim=None,
                dtype='int64'):
    """Counts of ``n`` draws among the outcomes of probabilities
    ``pvals``."""
    return _draw(_rv.multinomial, random_state, size, dtype, n, pvals)


__getattr__ = module_getattr(__name__)
