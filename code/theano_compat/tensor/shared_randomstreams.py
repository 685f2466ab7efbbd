"""``theano.tensor.shared_randomstreams.RandomStreams``, over PyTensor's.

Theano's ``RandomStreams(seed)`` made symbolic random variables whose
generator state lived in shared variables; each compiled function that
used one advanced its state by itself.  PyTensor's ``RandomStream`` works
the same way (its states carry default updates, which ``theano.function``
and ``scan`` apply), but its methods take NumPy's argument order and
names, and its binomial is always int64.  This class gives the methods
Theano's signatures, in front of PyTensor's generator: the same seed
gives the same numbers run after run, though not Theano's numbers.
"""

import functools
import warnings

import pytensor
import pytensor.tensor as pt

__all__ = ['RandomStreams']


def _quietly(method):
    """Run ``method`` without PyTensor's notes on its own future API.

    PyTensor warns, at each variable made, that its random variables will
    show their generator output and that ``default_update`` (what applies
    a stream's updates by itself, as Theano did) will go; neither is
    anything a user of Theano's interface can act on.
    """
    @functools.wraps(method)
    def quiet(*args, **kwargs):
        with warnings.catch_warnings():
            warnings.filterwarnings('ignore', category=DeprecationWarning,
                                    message='(RandomVariable Ops will stop|'
                                            'Setting default_update)')
            return method(*args, **kwargs)
    return quiet


def _size(size):
    """Theano's ``size`` (None, ints, symbolic ints or a shape vector)."""
    if size is None or isinstance(size, (tuple, list)) and not size:
        return None
    return size


class RandomStreams(object):
    """Symbolic random variables with Theano's arguments (see the module).

    :param seed: an int; the same seed gives the same sequence of numbers
    """

    def __init__(self, seed=None):
        from pytensor.tensor.random.utils import RandomStream
        with warnings.catch_warnings():
            # PyTensor plans another interface; this one stays Theano's.
            warnings.simplefilter('ignore', FutureWarning)
            self._stream = RandomStream(seed)

    def seed(self, seed=None):
        """Re-seed every random variable made by this object."""
        self._stream.seed(seed)

    def updates(self):
        """The ``(state, new state)`` pairs of the variables made so far."""
        return self._stream.updates()

    @property
    def state_updates(self):
        return self.updates()

    @_quietly
    def uniform(self, size=None, low=0.0, high=1.0, ndim=None, dtype=None):
        """Uniform samples in ``[low, high)``, of dtype floatX by default."""
        return self._stream.uniform(
            low, high, size=_size(size),
            dtype=dtype or pytensor.config.floatX)

    @_quietly
    def normal(self, size=None, avg=0.0, std=1.0, ndim=None, dtype=None):
        """Normal samples of mean ``avg`` and deviation ``std``."""
        return self._stream.normal(avg, std, size=_size(size),
                                   dtype=dtype or pytensor.config.floatX)

    @_quietly
    def binomial(self, size=None, n=1, p=0.5, ndim=None, dtype='int64',
                 prob=None):
        """Binomial samples (``n=1``: coin flips of probability ``p``),
        of the given ``dtype`` (int64 by default, as in Theano)."""
        if prob is not None:
            p = prob
        sample = self._stream.binomial(n, p, size=_size(size))
        return sample if sample.dtype == dtype else pt.cast(sample, dtype)

    @_quietly
    def random_integers(self, size=None, low=0, high=1, ndim=None,
                        dtype='int64'):
        """Integers from ``low`` to ``high``, both included."""
        sample = self._stream.integers(low, pt.as_tensor_variable(high) + 1,
                                       size=_size(size))
        return sample if sample.dtype == dtype else pt.cast(sample, dtype)

    @_quietly
    def choice(self, size=None, a=2, replace=True, p=None, ndim=None,
               dtype='int64'):
        """Elements of ``arange(a)`` (or of ``a``), as ``numpy``'s choice."""
        sample = self._stream.choice(a, size=_size(size), replace=replace,
                                     p=p)
        return sample if sample.dtype == dtype else pt.cast(sample, dtype)

    @_quietly
    def permutation(self, size=None, n=1, ndim=None, dtype='int64'):
        """A permutation of ``arange(n)``."""
        sample = self._stream.permutation(n)
        return sample if sample.dtype == dtype else pt.cast(sample, dtype)


# Theano's other names of this module: from the table (names.TABLE).
from theano_compat.names import module_getattr  # noqa: E402
__getattr__ = module_getattr(__name__)
