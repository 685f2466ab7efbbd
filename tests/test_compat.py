"""theano_compat: THEANO_FLAGS, Theano's names and Theano's meanings."""

import pickle

import numpy
import pytensor
import pytensor.tensor
import pytest

import theano_compat
from theano_compat import theano, T, TheanoFlagsError, TheanoNameError
from theano_compat.engine.flags import parse_theano_flags, default_mode
from conftest import run_python, compiled_ops


# --- THEANO_FLAGS ---

def test_defaults_name_nothing():
    assert parse_theano_flags('') == {'floatX': None, 'device': 'cpu',
                                      'mode': None,
                                      'optimizer_excluding': ()}
    # Theano's default mode, unless the user set PyTensor's
    assert default_mode(parse_theano_flags('')) == 'FAST_RUN'
    assert default_mode(parse_theano_flags(''), 'NUMBA') == 'NUMBA'
    assert default_mode(parse_theano_flags('mode=FAST_COMPILE'),
                        'NUMBA') == 'FAST_COMPILE'
    assert default_mode(parse_theano_flags('device=cuda'), 'NUMBA') == 'JAX'


def test_flags_as_users_write_them():
    flags = parse_theano_flags(' floatX=float32 , device=cpu,mode=FAST_RUN,'
                               'optimizer_excluding=fused_softmax_regression:'
                               'inline_softmax')
    assert flags == {'floatX': 'float32', 'device': 'cpu',
                     'mode': 'FAST_RUN',
                     'optimizer_excluding': ('fused_softmax_regression',
                                             'inline_softmax')}


@pytest.mark.parametrize('text, message', [
    ('floatX=float16', "floatX='float16' is not supported; use one of: "
                       "float64, float32"),
    ('device=tpu9', "device='tpu9' is not supported"),
    ('device=cudax', "device='cudax' is not supported"),
    ('mode=NOPE', "mode='NOPE' is not supported; use one of: FAST_RUN, CVM"),
    ('floatx=float32', "unknown flag 'floatx'"),
    ('floatX', "'floatX' is not of the form name=value"),
    ('floatX=', "'floatX=' is not of the form name=value"),
    ('device=cuda,mode=FAST_RUN', 'cannot be combined with mode=FAST_RUN'),
])
def test_bad_flags_name_the_flag(text, message):
    with pytest.raises(TheanoFlagsError) as info:
        parse_theano_flags(text)
    assert message in str(info.value)


def test_a_bad_flag_stops_the_import_as_theano_did():
    run = run_python('import theano_compat', check=False,
                     THEANO_FLAGS='device=tpu9')
    assert run.returncode != 0
    assert run.stderr.strip().splitlines()[-1].startswith(
        "theano_compat.TheanoFlagsError: THEANO_FLAGS: "
        "device='tpu9' is not supported; use one of: cpu, cuda")


# --- settings: only what THEANO_FLAGS names changes ---

SNAPSHOT = '''
import pytensor
def snapshot():
    values = {}
    for name in sorted(pytensor.config._config_var_dict):
        try:
            values[name] = repr(getattr(pytensor.config, name))
        except Exception as error:
            values[name] = type(error).__name__
    return values
before = snapshot()
from theano_compat import theano, T
x = T.dvector()
theano.function([x], 2 * x)([1.])
after = snapshot()
print(sorted(name for name in before if before[name] != after[name]))
print(pytensor.config.floatX, pytensor.config.mode,
      pytensor.config.gcc__cxxflags or '-')
'''


def test_importing_changes_no_setting_but_the_blas_it_links():
    # blas__ldflags is empty (PyTensor found no BLAS): the port links the
    # OpenBLAS wheel it installs, and changes nothing else.
    run = run_python(SNAPSHOT, PYTENSOR_FLAGS='')
    assert run.stdout.splitlines() == ["['blas__ldflags']",
                                       'float64 Mode -']


def test_settings_the_user_gave_stand():
    run = run_python(SNAPSHOT, PYTENSOR_FLAGS='floatX=float32,mode=NUMBA,'
                     'blas__ldflags=-lblas,gcc__cxxflags=-O1')
    assert run.stdout.splitlines() == ['[]', 'float32 NUMBA -O1']


def test_theano_flags_change_what_they_name():
    run = run_python(SNAPSHOT, THEANO_FLAGS='floatX=float32',
                     PYTENSOR_FLAGS='blas__ldflags=-lblas')
    assert run.stdout.splitlines() == ["['floatX']", 'float32 Mode -']


# --- names ---

def test_the_package_is_theanos_tree():
    assert theano is theano_compat and T is theano_compat.tensor
    assert theano.tensor is T
    assert theano.shared is pytensor.shared
    # theano.config is Theano's options, wired to PyTensor's settings
    assert theano.config.floatX == pytensor.config.floatX
    assert theano.config.traceback.limit == pytensor.config.traceback__limit
    assert theano.grad is T.grad is pytensor.grad
    assert T.dmatrix is pytensor.tensor.dmatrix
    # Theano's constructors take the dtype second, by position
    assert T.matrix('x', 'float32').type == pytensor.tensor.fmatrix().type
    assert T.nnet.sigmoid is pytensor.tensor.sigmoid
    from theano_compat.sandbox.rng_mrg import MRG_RandomStreams
    from theano_compat.tensor.shared_randomstreams import RandomStreams
    assert issubclass(MRG_RandomStreams, object)
    assert RandomStreams(1).uniform((2,)).ndim == 1


def test_pytensor_keeps_its_own_modules():
    assert not hasattr(pytensor.tensor, 'nnet')
    assert not hasattr(pytensor.tensor, 'shared_randomstreams')


@pytest.mark.parametrize('lookup, message', [
    (lambda: T.no_such_op, 'theano.tensor.no_such_op: this port of Theano '
                           'over PyTensor does not provide it, and PyTensor '
                           'has no such name either'),
    (lambda: theano.gof, 'theano.gof: Theano\'s graph machinery is '
                         'PyTensor\'s pytensor.graph now'),
    (lambda: T.signal.downsample, 'theano.tensor.signal.downsample: '
                                  'removed before Theano 1.0; use '
                                  'theano.tensor.signal.pool.pool_2d'),
    (lambda: theano.sandbox.cuda, 'theano.sandbox.cuda: Theano\'s old GPU '
                                  'back end is gone; run on a GPU with '
                                  'THEANO_FLAGS=device=cuda'),
])
def test_a_missing_name_says_what_to_use(lookup, message):
    with pytest.raises(TheanoNameError) as info:
        lookup()
    assert str(info.value).startswith(message)
    assert isinstance(info.value, AttributeError)  # hasattr() still works
    assert not hasattr(T, 'no_such_op')


# --- Theano's meanings ---

def test_variables_are_truthy_except_comparisons():
    x = T.dvector('x')
    assert bool(x) and bool(2 * x) and bool(T.constant(0.))
    optional = None
    assert (optional or x) is x  # rbm.py's `if not input: input = ...`
    for comparison in (x < 1, x > 1, x <= 1, x >= 1, T.eq(x, 1),
                       T.neq(x, 1)):
        with pytest.raises(TypeError, match='do not support boolean'):
            bool(comparison)
    with pytest.raises(TypeError, match='do not support boolean'):
        0 < x < 1


def test_in_takes_a_default_value():
    x, rate = T.dscalar('x'), T.dscalar('rate')
    f = theano.function([x, theano.In(rate, value=0.5)], x * rate)
    assert float(f(4.)) == 2.
    assert float(f(4., 3.)) == 12.
    assert float(f(4., rate=0.25)) == 1.
    assert float(f(x=4.)) == 2.
    unnamed = T.dscalar()
    g = theano.function([x, theano.In(unnamed, value=3.)], x - unnamed)
    assert float(g(10.)) == 7.
    with pytest.raises(TypeError, match='Missing input'):
        f()


def test_softmax_of_a_vector_is_one_row():
    v = T.dvector('v')
    probabilities = T.nnet.softmax(v)
    assert probabilities.ndim == 2
    got = theano.function([v], probabilities)([1., 2., 3.])
    e = numpy.exp([1., 2., 3.])
    numpy.testing.assert_allclose(got, [e / e.sum()])
    m = T.dmatrix('m')
    rows = theano.function([m], T.nnet.softmax(m))([[0., 0.], [0., 1.]])
    numpy.testing.assert_allclose(rows.sum(axis=1), [1., 1.])


def test_scan_returns_outputs_and_updates():
    counter = theano.shared(0., name='counter')
    k = T.iscalar('k')
    values, updates = theano.scan(lambda previous: previous * 2,
                                  outputs_info=T.constant(1.), n_steps=k)
    assert len(updates) == 0
    f = theano.function([k], values[-1],
                        updates=[(counter, counter + 1)])
    assert float(f(5)) == 32.
    assert float(counter.get_value()) == 1.


def test_fast_run_means_the_c_backend_wherever_it_is_named(small_sets):
    x = T.dvector('x')
    by_flag = theano.function([x], T.exp(x))
    by_name = theano.function([x], T.exp(x), mode='FAST_RUN')
    assert by_flag.maker.mode is by_name.maker.mode
    assert type(by_name.maker.linker).__name__ == 'VMLinker'
    assert by_name.maker.linker.use_cloop
    assert [type(t).__name__ for t in by_name.vm.thunks] != []
    assert all(hasattr(t, 'cthunk') for t in by_name.vm.thunks)
    numba = theano.function([x], T.exp(x), mode='NUMBA')
    assert numba.maker.mode is not by_name.maker.mode


def test_compiled_functions_pickle(small_sets, tmp_path):
    from test_fused import tutorial_functions
    train, validate = tutorial_functions(small_sets)
    before = [float(validate(0))]
    train(0)
    restored_train, restored_validate = pickle.loads(
        pickle.dumps((train, validate)))
    # the copies compile again, with the same loop, from the same state
    assert compiled_ops(restored_train) == compiled_ops(train)
    assert float(restored_validate(0)) == float(validate(0)) != before[0]
    assert float(restored_train(1)) == float(train(1))


def test_compiled_functions_are_pytensor_functions_with_theanos_defaults():
    from pytensor.compile.executor import Function as PyTensorFunction
    x, rate = T.dscalar('x'), T.dscalar('rate')
    f = theano.function([x, theano.In(rate, value=0.5)], x * rate,
                        profile=True)
    assert isinstance(f, PyTensorFunction)
    assert f.fn is f.vm  # Theano's name for the linked graph
    assert float(f(4.)) == 2.
    assert f.profile.fct_callcount == 1  # PyTensor's profiler counted it
    # PyTensor makes the copy and the unpickled function from the maker:
    # both are of the same class, with the same default; the copy returns
    # a list, as Theano 1.0.5's copy did (its tutorial prints [array(7)])
    copied, loaded = f.copy(), pickle.loads(pickle.dumps(f))
    for again, unpack in ((copied, lambda out: out[0]),
                          (loaded, lambda out: out)):
        assert type(again) is type(f)
        assert float(unpack(again(6.))) == 3.
        assert float(unpack(again(6., 2.))) == 12.
    assert isinstance(copied(6.), list) and len(copied(6.)) == 1
    assert not isinstance(f(6.), list)


def test_index_functions_take_python_ints_fast_and_safely():
    data = theano.shared(numpy.arange(10.))
    i = T.lscalar('i')
    f = theano.function([i], data[i] * 2, updates=[(data, data + 1)])
    assert float(f(3)) == 6.               # the fast path
    assert float(f(numpy.int64(3))) == 8.  # the usual path, same result
    assert float(f(i=3)) == 10.
    with pytest.raises(OverflowError):
        f(2 ** 70)
    with pytest.raises(TypeError):
        f(1, 2)
    assert f.trust_input is False


def test_nnet_helpers():
    x = T.dmatrix('x')
    values = numpy.array([[-2., 0., 3.]])
    f = theano.function([x], [T.nnet.relu(x), T.nnet.hard_sigmoid(x),
                              T.nnet.logsoftmax(x)])
    relu, hard, logsm = f(values)
    numpy.testing.assert_array_equal(relu, [[0., 0., 3.]])
    numpy.testing.assert_allclose(hard, [[0.1, 0.5, 1.]])
    numpy.testing.assert_allclose(numpy.exp(logsm).sum(), 1.)



def test_random_streams_take_theanos_arguments():
    from theano_compat.tensor.shared_randomstreams import RandomStreams
    x = T.matrix('x')
    streams = RandomStreams(seed=1234)
    draws = [streams.uniform(size=(500, 40), low=2., high=3.),
             streams.normal(size=(500, 40), avg=-1., std=2.),
             streams.binomial(size=x.shape, n=1, p=0.25,
                              dtype=theano.config.floatX),
             streams.binomial(size=(500, 40), n=1, p=0.25)]
    f = theano.function([x], draws)
    first = f(numpy.zeros((500, 40)))
    second = f(numpy.zeros((500, 40)))
    assert [d.dtype for d in first] == [theano.config.floatX] * 3 + [
        'int64']
    assert all(d.shape == (500, 40) for d in first)
    uniform, normal, mask, coins = first
    assert uniform.min() >= 2. and uniform.max() < 3.
    assert abs(uniform.mean() - 2.5) < 0.01
    assert abs(normal.mean() + 1.) < 0.05 and abs(normal.std() - 2.) < 0.05
    assert set(numpy.unique(mask)) == {0., 1.}
    assert abs(mask.mean() - 0.25) < 0.01 and abs(coins.mean() - 0.25) < 0.01
    for a, b in zip(first, second):  # a new sample each call
        assert not numpy.array_equal(a, b)
    again = RandomStreams(seed=1234)  # the same seed: the same samples
    g = theano.function([], again.uniform(size=(500, 40), low=2., high=3.))
    numpy.testing.assert_array_equal(g(), uniform)


def test_random_streams_inside_scan_advance_through_the_updates():
    from theano_compat.tensor.shared_randomstreams import RandomStreams
    streams = RandomStreams(seed=5)
    draws, updates = theano.scan(lambda: streams.uniform(size=(3,)),
                                 n_steps=4)
    assert len(updates) == 1
    f = theano.function([], draws, updates=updates)
    first, second = f(), f()
    assert first.shape == (4, 3)
    assert len({tuple(row) for row in first}) == 4  # a new draw each step
    assert not numpy.array_equal(first, second)     # and each call


def test_rop_and_lop_take_theanos_arguments_and_give_theanos_graphs():
    W, V = T.dmatrix('W'), T.dmatrix('V')
    x, v = T.dvector('x'), T.dvector('v')
    y = T.dot(x, W)
    # Theano's Rop asks each op for its R operator, with zeros for the
    # inputs not in wrt, so the graph reads W and a function of it takes it
    f = theano.function([W, V, x], T.Rop(y, W, V))
    w, dw, xv = numpy.ones((2, 2)), numpy.full((2, 2), 2.), numpy.array(
        [0., 1.])
    numpy.testing.assert_array_equal(f(w, dw, xv), xv.dot(dw))
    g = theano.function([v, x], T.Lop(y, W, v))
    numpy.testing.assert_array_equal(g([2., 2.], xv),
                                     numpy.outer(xv, [2., 2.]))
    # lists in, lists out; tuples in, tuples out
    assert isinstance(T.Rop([y], [W], [V]), list)
    assert isinstance(T.Lop(y, (W,), v), tuple)
    # an op without an R operator of its own: the same product another way
    s = T.sort(x)
    h = theano.function([x, v], T.Rop(s, x, v))
    numpy.testing.assert_array_equal(h([3., 1.], [10., 20.]), [20., 10.])
