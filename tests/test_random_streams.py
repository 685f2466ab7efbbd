"""Theano's RandomStreams (theano.tensor.shared_randomstreams) and
theano.tensor.raw_random: NumPy RandomState draws, Theano's numbers.

tests/theano_scripts/random_streams.py ran on Theano 1.0.5 (its output is
in tests/theano_reference.json, float64 and float32); it runs here through
``python -m theano_compat`` and must print the same lines, every draw to
the bit.  In mode JAX the draws go back to the host (see raw_random's
docstring) and give the same numbers.
"""

import os
import pickle
import sys

import numpy
import pytest

from theano_compat import theano, T
from theano_compat.tensor import raw_random
from theano_compat.tensor.shared_randomstreams import (
    RandomStreams, RandomStateSharedVariable)
from conftest import THEANO_SCRIPTS, run_python, run_theano_script


@pytest.mark.parametrize('run_name', ['random_streams/float64',
                                      'random_streams/float32'])
def test_random_streams_script_prints_theanos_draws(run_name,
                                                    theano_record):
    ours = run_theano_script(run_name, os.devnull, theano_record)
    theirs = theano_record['runs'][run_name]['stdout']
    assert ours.splitlines() == theirs.splitlines()


def test_mode_jax_draws_theanos_numbers(theano_record):
    """The script's sections but the last (PyTensor's JAX backend has no
    PermuteRowElements), in mode JAX: the same lines as Theano's."""
    code = '\n'.join([
        'import sys',
        'sys.path.insert(0, %r)' % THEANO_SCRIPTS,
        'import theano_compat',
        'theano_compat.install_as_theano()',
        'import random_streams as script',
        'print("floatX", script.theano.config.floatX)',
        'script.tutorial()',
        'script.distributions()',
        'script.raw()',
        'script.in_scan()'])
    done = run_python(code, THEANO_FLAGS='mode=JAX,floatX=float64')
    theirs = theano_record['runs']['random_streams/float64']['stdout']
    assert done.stdout.splitlines() == [
        line for line in theirs.splitlines()
        if '"shuffle_row_elements"' not in line]


def test_each_variable_has_its_own_generator_seeded_by_the_master():
    srng = RandomStreams(seed=234)
    u = srng.uniform((2, 2))
    n = srng.normal((3,))
    master = numpy.random.RandomState(234)
    for variable in (u, n):
        assert isinstance(variable.rng, RandomStateSharedVariable)
        assert str(variable.rng.type) == 'RandomStateType'
        seeded = numpy.random.RandomState(int(master.randint(2 ** 30)))
        assert variable.rng.type.values_eq(variable.rng.get_value(), seeded)
        assert variable.update == (variable.rng, variable.rng.default_update)
    assert srng.updates() == srng.state_updates == [u.update, n.update]
    assert srng.updates() is not srng.state_updates
    assert srng[u.rng] is u.rng.get_value(borrow=True)
    assert str(u.owner.op) == 'RandomFunction{uniform}'
    # the draws of a function are those of the variable's RandomState
    f = theano.function([], u)
    own = u.rng.get_value()
    numpy.testing.assert_array_equal(f(), own.uniform(0., 1., (2, 2)))
    numpy.testing.assert_array_equal(f(), own.uniform(0., 1., (2, 2)))


def test_updated_generators_are_drawn_in_place_others_from_a_copy():
    srng = RandomStreams(seed=5)
    u = srng.uniform((4,))
    moving = theano.function([], u)
    fixed = theano.function([], u, no_default_updates=True)

    def inplace(fn):
        return [node.op.inplace for node in fn.maker.fgraph.apply_nodes
                if isinstance(node.op, raw_random.RandomFunction)]
    assert inplace(moving) == [True] and inplace(fixed) == [False]
    before = u.rng.get_value()
    a, b = fixed(), fixed()
    numpy.testing.assert_array_equal(a, b)
    assert u.rng.type.values_eq(u.rng.get_value(), before)
    numpy.testing.assert_array_equal(moving(), a)
    assert not numpy.array_equal(moving(), a)
    # the rewrite is optdb's, by name (optimizer_excluding takes it out)
    from pytensor.compile.mode import Mode
    for excluded, expected in (('theano_random_make_inplace', [False]),
                               ('random_make_inplace', [True])):
        plain = theano.function([], u, mode=Mode(
            linker='cvm', optimizer='fast_run').excluding(excluded))
        assert inplace(plain) == expected


def test_shared_takes_a_random_state_and_pickles_with_it():
    state = numpy.random.RandomState(3)
    copied = theano.shared(state)
    borrowed = theano.shared(state, borrow=True)
    assert copied.get_value(borrow=True) is not state
    assert borrowed.get_value(borrow=True) is state
    with pytest.raises(TypeError, match='holds a numpy.random.RandomState'):
        copied.set_value(numpy.random.default_rng(3))
    srng = RandomStreams(seed=8)
    f = theano.function([], srng.normal((3,)))
    g = pickle.loads(pickle.dumps(f))
    numpy.testing.assert_array_equal(f(), g())


def test_theanos_errors_for_sizes_it_could_not_take():
    srng = RandomStreams(seed=1)
    with pytest.raises(TypeError, match='cannot infer shape'):
        srng.choice(a=3)
    with pytest.raises(ValueError, match='ndim should be equal'):
        srng.uniform(size=(2, 3), ndim=1)
    x = T.matrix('x')
    f = theano.function([x], srng.uniform(size=x.shape))
    assert f(numpy.zeros((2, 5))).shape == (2, 5)


def test_mode_jax_and_the_c_backend_share_one_generator():
    """Two functions of one variable, one per backend, draw in turn from
    its generator: together they give the one stream NumPy gives."""
    code = '\n'.join([
        'import numpy',
        'from theano_compat import theano, T',
        'from theano_compat.tensor.shared_randomstreams import '
        'RandomStreams',
        'srng = RandomStreams(seed=11)',
        'u = srng.uniform((3,))',
        'own = u.rng.get_value()',
        'on_jax = theano.function([], u, mode="JAX")',
        'on_c = theano.function([], u, mode="FAST_RUN")',
        'got = [on_jax(), on_c(), on_jax()]',
        'want = [own.uniform(0., 1., (3,)) for _ in range(3)]',
        'print(all((numpy.asarray(a) == b).all() '
        'for a, b in zip(got, want)))',
        'print(type(u.rng.get_value(borrow=True)).__name__)'])
    done = run_python(code)
    assert done.stdout.split() == ['True', 'RandomState']
