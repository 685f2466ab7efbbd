"""``theano.tensor.shared_randomstreams``: ``RandomStreams``, Theano 1.0.5's
NumPy-based random variables, with Theano's numbers.

``RandomStreams(seed)`` keeps a master ``numpy.random.RandomState(seed)``.
Each random variable it makes (``uniform``, ``normal``, ``binomial``...)
takes the next ``randint(2 ** 30)`` of the master as the seed of a
``RandomState`` of its own, held in a shared variable: the variable's
``.rng``.  That shared variable's default update is the generator after
the draw, so each compiled function that draws moves it on (unless
compiled with ``no_default_updates``).  The draws are
``theano.tensor.raw_random``'s: NumPy's legacy stream, so the same seed
and the same order of making variables give Theano's numbers bit for bit.

* ``rv.rng.get_value(borrow=True)`` is the variable's ``RandomState``:
  seed it (``.seed(n)``), save and put back its state
  (``get_state``/``set_state``), then ``rv.rng.set_value(...)``;
* ``srng.seed(n)`` re-seeds every variable made so far, from a new
  master ``RandomState(n)`` (the master that seeds new variables is not
  touched);
* ``srng.state_updates`` (a list) and ``srng.updates()`` (a copy of it)
  are the ``(rng, new state)`` pairs, one per variable, in the order
  they were made; ``srng[rng]`` and ``srng[rng] = state`` read and set a
  generator.

``theano.sandbox.rng_mrg.MRG_RandomStreams`` (what the tutorials use) is
another generator with the same interface.
"""

import copy
import warnings

import numpy
from pytensor.compile.sharedvalue import SharedVariable, shared, \
    shared_constructor

from theano_compat.tensor import raw_random

__all__ = ['RandomStreams', 'RandomStateSharedVariable',
           'randomstate_constructor']


class RandomStateSharedVariable(SharedVariable):
    """A shared variable holding a ``numpy.random.RandomState``."""


@shared_constructor.register(numpy.random.RandomState)
def randomstate_constructor(value, name=None, strict=False,
                            allow_downcast=None, borrow=False):
    """``theano.shared(numpy.random.RandomState(seed))``: a shared
    variable of type ``RandomStateType`` (a copy of ``value`` unless
    ``borrow``)."""
    if not isinstance(value, numpy.random.RandomState):
        raise TypeError('randomstate_constructor takes a '
                        'numpy.random.RandomState, not %s'
                        % type(value).__name__)
    if not borrow:
        value = copy.deepcopy(value)
    return RandomStateSharedVariable(
        type=raw_random.random_state_type, value=value, name=name,
        strict=strict, allow_downcast=allow_downcast)


class RandomStreams(raw_random.RandomStreamsBase):
    """Random variables, each with its own ``RandomState`` (see the
    module).

    :param seed: None or an int; seeds the master ``RandomState`` that
        seeds each new variable's
    """

    def __init__(self, seed=None):
        super().__init__()
        # (rng, new state) for each variable made, in order
        self.state_updates = []
        # what seed() uses when given none
        self.default_instance_seed = seed
        # the master generator: one randint(2 ** 30) per new variable
        self.gen_seedgen = numpy.random.RandomState(seed)

    def updates(self):
        """The ``(rng, new state)`` pairs of the variables made so far."""
        return list(self.state_updates)

    def seed(self, seed=None):
        """Give each variable made so far a new ``RandomState``, seeded
        from a master ``RandomState(seed)`` (default: the seed given to
        the constructor), in the order they were made."""
        if seed is None:
            seed = self.default_instance_seed
        master = numpy.random.RandomState(seed)
        for rng, _ in self.state_updates:
            rng.set_value(numpy.random.RandomState(
                int(master.randint(2 ** 30))), borrow=True)

    def __getitem__(self, item):
        """The ``RandomState`` of the generator variable ``item``."""
        return item.get_value(borrow=True)

    def __setitem__(self, item, val):
        """Set the generator variable ``item`` to the ``RandomState``
        ``val``."""
        item.set_value(val, borrow=True)

    def gen(self, op, *args, **kwargs):
        """A new random variable: ``op`` (a function of
        ``theano.tensor.raw_random``) applied to a new generator and
        ``args``; returns the draws, whose ``.rng`` is the generator's
        shared variable and ``.update`` its ``(rng, new state)``."""
        seed = int(self.gen_seedgen.randint(2 ** 30))
        rng = shared(numpy.random.RandomState(seed))
        rng.tag.is_rng = True
        new_rng, out = op(rng, *args, **kwargs)
        out.rng = rng
        out.update = (rng, new_rng)
        self.state_updates.append(out.update)
        with warnings.catch_warnings():
            # PyTensor plans to drop default updates; Theano's interface
            # is built on them
            warnings.filterwarnings('ignore', category=DeprecationWarning,
                                    message='Setting default_update')
            rng.default_update = new_rng
        return out


# Theano's other names of this module: from the table (names.TABLE).
from theano_compat.names import module_getattr  # noqa: E402
__getattr__ = module_getattr(__name__)
