"""THEANO_FLAGS device: the JAX backend path (a GPU's), run on JAX's CPU.

``device=cuda`` compiles through PyTensor's JAX backend on a GPU;
``mode=JAX`` with ``device=cpu`` runs the same code on JAX's CPU device,
which is what these tests use (CI has no GPU).  In this process the flags
are the defaults (C backend, float64), so the in-process tests ask for
``mode='JAX'`` explicitly; the flag handling is tested in subprocesses.
"""

import contextlib
import io
import json
import textwrap

import jax
import numpy
import pytensor
import pytest

import logistic_sgd
from theano_compat import theano, T
from theano_compat.compile import function_module
from theano_compat.engine import cvm, jax_device
from theano_compat.engine.flags import default_mode, parse_theano_flags
from conftest import SMALL_RUN, run_python


def run_flags(code, flags, **env):
    """Run ``code`` (dedented) in a fresh Python with ``THEANO_FLAGS=flags``
    (see conftest.run_python); its exit status is the test's to check."""
    return run_python(textwrap.dedent(code), check=False, THEANO_FLAGS=flags,
                      **env)


def last_error_line(run):
    assert run.returncode != 0, run.stdout
    return run.stderr.strip().splitlines()[-1]


# ---------------------------------------------------------------------------
# Flags and missing pieces: one clear line naming the flag and the way out.


@pytest.mark.parametrize('flags, message', [
    ('device=tpu9', "theano_compat.TheanoFlagsError: THEANO_FLAGS: "
                    "device='tpu9' is not supported; use one of: cpu, cuda, "
                    "cuda0, gpu, gpu0 (any GPU number)"),
    ('floatX=float16', "theano_compat.TheanoFlagsError: THEANO_FLAGS: "
                       "floatX='float16' is not supported; use one of: "
                       "float64, float32"),
    ('mode=NOPE', "theano_compat.TheanoFlagsError: THEANO_FLAGS: "
                  "mode='NOPE' is not supported; use one of: FAST_RUN, "
                  "CVM, FAST_COMPILE, JAX, NUMBA, C, PYTORCH, NanGuardMode, "
                  "DebugMode, DEBUG_MODE"),
    ('device=cuda,mode=FAST_RUN',
     "theano_compat.TheanoFlagsError: THEANO_FLAGS: device=cuda runs "
     "through PyTensor's JAX backend and cannot be combined with "
     "mode=FAST_RUN; leave mode unset (or mode=JAX), or use device=cpu"),
])
def test_bad_flags_fail_at_import_naming_flag_and_values(flags, message):
    run = run_flags('import theano_compat', flags)
    assert last_error_line(run) == message


def test_gpu_device_means_jax_mode():
    for device in ('cuda', 'cuda0', 'cuda1', 'gpu', 'gpu0'):
        flags = parse_theano_flags('device=' + device)
        assert default_mode(flags) == 'JAX'
    flags = parse_theano_flags('device=cuda,mode=JAX')
    assert default_mode(flags) == 'JAX'


HIDE_JAX = 'import sys; sys.modules["jax"] = None  # as if not installed\n'


@pytest.mark.parametrize('flags, message', [
    ('device=cuda', "theano_compat.DeviceError: THEANO_FLAGS device=cuda "
                    "runs through PyTensor's JAX backend, but JAX is not "
                    "installed (import of jax halted; None in sys.modules); "
                    "install JAX with its CUDA plugin: pip install -e "
                    "'.[gpu]' (or run on the CPU: THEANO_FLAGS=device=cpu)"),
    ('mode=JAX', "theano_compat.DeviceError: mode JAX runs through "
                 "PyTensor's JAX backend, but JAX is not installed (import "
                 "of jax halted; None in sys.modules); install JAX: pip "
                 "install -e '.[test]' (CPU) or pip install -e '.[gpu]' "
                 "(NVIDIA GPU)"),
])
def test_missing_jax_fails_at_import_saying_what_to_install(flags, message):
    run = run_flags(HIDE_JAX + 'import theano_compat', flags)
    assert last_error_line(run) == message


NO_GPU_MESSAGE = (
    "theano_compat.DeviceError: THEANO_FLAGS device=cuda asks for a GPU, "
    "but JAX sees none (its devices: cpu:0); install JAX with its CUDA "
    "plugin: pip install -e '.[gpu]' (or run on the CPU: "
    "THEANO_FLAGS=device=cpu)")


@pytest.mark.parametrize('step', [
    'theano_compat.backend_description()',
    'x = T.dvector(); theano.function([x], 2 * x)',
])
def test_no_gpu_is_an_error_not_a_silent_cpu_run(step):
    # JAX_PLATFORMS=cpu: JAX sees no GPU even where one is installed.
    run = run_flags('import theano_compat\n'
                    'from theano_compat import theano, T\n' + step,
                    'device=cuda,floatX=float32', JAX_PLATFORMS='cpu')
    assert last_error_line(run) == NO_GPU_MESSAGE


# ---------------------------------------------------------------------------
# Static minibatch shapes.


def minibatch_setup(n_rows=103, batch_size=20):
    rng = numpy.random.RandomState(0)
    data_x = theano.shared(rng.rand(n_rows, 5), borrow=True)
    shared_y = theano.shared(rng.randint(0, 10, n_rows).astype('float64'))
    data_y = T.cast(shared_y, 'int32')
    return data_x, data_y, T.lscalar('index'), batch_size


def test_tutorial_minibatch_gets_static_shape_and_same_rows():
    data_x, data_y, index, bs = minibatch_setup()
    for data, static_shape in ((data_x, (bs, 5)), (data_y, (bs,))):
        for sliced in (data[index * bs:(index + 1) * bs],
                       data[bs * index:bs * (index + 1)]):
            assert sliced.type.shape[0] is None
            static = jax_device._static_minibatch(sliced)
            assert static.type.shape == static_shape
            assert static.dtype == sliced.dtype
            # Same rows for every whole minibatch (103 rows: 5 of them).
            both = theano.function([index], [sliced, static], mode='CVM')
            for i in range(103 // bs):
                numpy.testing.assert_array_equal(*both(i))


def test_other_slices_are_left_alone():
    data_x, _, index, bs = minibatch_setup()
    other = T.matrix('other')
    for value in (data_x[index:index + bs],            # not i * bs
                  data_x[index * bs:(index + 2) * bs],  # two batches long
                  data_x[index * bs:(index + 1) * 7],   # two sizes
                  data_x[index * bs:(index + 1) * bs:2],  # a step
                  data_x[index],                       # no slice
                  other[index * bs:(index + 1) * bs],  # not shared data
                  data_x[:1000][index * bs:(index + 1) * bs]):
        assert jax_device._static_minibatch(value) is value


# ---------------------------------------------------------------------------
# The tutorial's functions in mode JAX (on JAX's CPU device).


def tutorial_train_function(sets, mode, batch_size=20,
                            compile=theano.function):
    """Build the tutorial's train_model on ``sets``, as logistic_sgd does."""
    (train_x, train_y), _, _ = sets
    index = T.lscalar()
    x = T.matrix('x')
    y = T.ivector('y')
    classifier = logistic_sgd.LogisticRegression(x, n_in=784, n_out=10)
    cost = classifier.negative_log_likelihood(y)
    updates = [(p, p - 0.13 * T.grad(cost, p)) for p in classifier.params]
    train_model = compile(
        inputs=[index], outputs=cost, updates=updates, mode=mode,
        givens={x: train_x[index * batch_size:(index + 1) * batch_size],
                y: train_y[index * batch_size:(index + 1) * batch_size]})
    shared = {'train_x': train_x,
              'train_y': train_y.owner.inputs[0],  # under T.cast
              'W': classifier.W, 'b': classifier.b}
    return train_model, shared


def storage_of(shared_var):
    return shared_var.container.storage[0]


def test_data_stay_on_the_device_between_calls(small_mnist):
    # The cost of one call must not grow with the data set: the data must
    # not cross to the device at each call.  They do when the storage is a
    # NumPy array (PyTensor's default), not when it is a JAX array already
    # on the device, which the function then reads in place.
    sets = logistic_sgd.load_data(small_mnist)
    train_model, shared = tutorial_train_function(sets, mode='JAX')
    device = jax_device.jax_device()
    train_model(0)  # the first call puts them on the device
    data_before = {name: storage_of(shared[name])
                   for name in ('train_x', 'train_y')}
    for i in range(1, 4):
        train_model(i)
    for name, var in shared.items():
        value = storage_of(var)
        assert isinstance(value, jax.Array), name
        assert value.devices() == {device}, name
        assert value.dtype == var.dtype, name
    for name, value in data_before.items():
        assert storage_of(shared[name]) is value, name  # never copied
    assert str(device) == 'cpu:0' or device.platform == 'cpu'


def test_c_backend_functions_keep_the_tutorials_slices(small_mnist):
    # The static-minibatch form is for JAX only: in the C backend's mode,
    # theano.function compiles what pytensor.function compiles from the
    # same graph, the minibatch a slice of run-time length.
    sets = logistic_sgd.load_data(small_mnist)
    assert function_module.MODE == 'FAST_RUN'
    train_model, shared = tutorial_train_function(sets, mode=None)
    assert train_model.maker.linker.use_cloop
    for var in shared.values():
        assert type(storage_of(var)) is numpy.ndarray
    plain, _ = tutorial_train_function(sets, mode=cvm.fast_cvm(),
                                       compile=pytensor.function)
    printed = pytensor.printing.debugprint(train_model, file='str')
    assert printed == pytensor.printing.debugprint(plain, file='str')
    assert 'Subtensor{start:stop}' in printed
    assert 'Reshape' not in printed


def test_a_shared_variable_serves_jax_and_c_functions_alike():
    # A JAX function keeps the values it reads and writes on the device;
    # a C function of the same shared variables still runs, and
    # get_value() gives NumPy arrays the user can write into.
    data = theano.shared(numpy.arange(6.).reshape(3, 2), name='data')
    w = theano.shared(numpy.ones(2), name='w')
    step_jax = theano.function([], T.dot(data, w), mode='JAX',
                               updates=[(w, w * 2)])
    step_c = theano.function([], T.dot(data, w), updates=[(w, w + 1)])
    numpy.testing.assert_array_equal(step_jax(), [1., 5., 9.])   # w = 1, 1
    assert isinstance(storage_of(w), jax.Array)
    numpy.testing.assert_array_equal(step_c(), [2., 10., 18.])   # w = 2, 2
    numpy.testing.assert_array_equal(step_jax(), [3., 15., 27.])  # w = 3, 3
    numpy.testing.assert_array_equal(step_c(), [6., 30., 54.])   # w = 6, 6
    for var, want in ((w, [7., 7.]), (data, numpy.arange(6.).reshape(3, 2))):
        value = var.get_value()
        assert type(value) is numpy.ndarray and value.flags.writeable
        numpy.testing.assert_array_equal(value, want)
        value[0] = -1.  # the user's copy: the variable keeps its value
        numpy.testing.assert_array_equal(var.get_value(), want)
    data.set_value(numpy.zeros((3, 2)))
    assert isinstance(storage_of(data), jax.Array)  # back on the device
    numpy.testing.assert_array_equal(step_jax(), [0., 0., 0.])
    numpy.testing.assert_array_equal(step_c(), [0., 0., 0.])


# ---------------------------------------------------------------------------
# Shapes of shared variables: constants to JAX, compiled again when they
# change.  Each program runs in mode JAX and in the C backend's FAST_RUN.

CLOSE = {'float32': dict(rtol=1e-5, atol=1e-6),
         'float64': dict(rtol=1e-12, atol=1e-14)}


def lenet_like(mode, dtype):
    """A LeNet-like training step on data held whole in shared variables
    (conv2d, max pooling, tanh, softmax regression), the labels in a
    shared vector whose length (``Y.shape[0]``) the cost uses in aranges,
    one of a length computed from it (the first half counts twice).
    Returns the costs of three steps and the parameters after them."""
    from theano_compat.tensor.nnet import conv2d
    from theano_compat.tensor.signal.pool import pool_2d
    rng = numpy.random.RandomState(0)
    X = theano.shared(rng.randn(12, 1, 8, 8).astype(dtype), name='X')
    Y = theano.shared(rng.randint(0, 4, 12).astype('int32'), name='Y')
    W1 = theano.shared((rng.randn(3, 1, 3, 3) * 0.3).astype(dtype))
    W2 = theano.shared((rng.randn(3 * 3 * 3, 4) * 0.1).astype(dtype))
    b2 = theano.shared(numpy.zeros(4, dtype))
    hidden = pool_2d(T.tanh(conv2d(X, W1)), (2, 2), ignore_border=True)
    p_y = T.nnet.softmax(T.dot(hidden.flatten(2), W2) + b2)
    n = Y.shape[0]
    log_p = T.log(p_y)[T.arange(n), Y]
    cost = -(T.sum(log_p) + T.sum(log_p[T.arange(n // 2)])) / T.cast(
        n, dtype)
    params, rate = [W1, W2, b2], numpy.asarray(0.1, dtype)
    step = theano.function([], cost, mode=mode, updates=[
        (q, q - rate * g) for q, g in zip(params, T.grad(cost, params))])
    costs = [float(step()) for _ in range(3)]
    return costs, [q.get_value() for q in params]


def test_lenet_step_with_shared_labels_in_jax_matches_the_c_backend():
    dtype = 'float32'  # the mlp and minibatch tests below are float64
    jax_costs, jax_params = lenet_like('JAX', dtype)
    c_costs, c_params = lenet_like('FAST_RUN', dtype)
    numpy.testing.assert_allclose(jax_costs, c_costs, **CLOSE[dtype])
    assert c_costs[2] < c_costs[0]  # it learns
    for got, want in zip(jax_params, c_params):
        # (in this float64 process JAX runs in 64 bits, and PyTensor's JAX
        # sum with a float64 accumulator returns float64, so a float32
        # parameter's update can come back float64: the values are held to
        # float32's tolerance)
        assert want.dtype == dtype
        numpy.testing.assert_allclose(got, want, **CLOSE[dtype])


def mlp_streaming(mode):
    """The mlp tutorial's step (tanh layer, softmax, L2 terms, the error
    rate), on minibatches copied into shared variables by ``set_value``
    before each call: the last one is shorter, and the first comes again.
    Returns each call's (cost, errors)."""
    rng = numpy.random.RandomState(1)
    data_x, data_y = rng.rand(50, 20), rng.randint(0, 3, 50).astype('int32')
    X, Y = theano.shared(data_x[:20]), theano.shared(data_y[:20])
    W1 = theano.shared(rng.uniform(-.3, .3, (20, 8)))
    b1, W2, b2 = [theano.shared(numpy.zeros(shape))
                  for shape in ((8,), (8, 3), (3,))]
    p_y = T.nnet.softmax(T.dot(T.tanh(T.dot(X, W1) + b1), W2) + b2)
    nll = -T.mean(T.log(p_y)[T.arange(Y.shape[0]), Y])
    cost = nll + 1e-4 * ((W1 ** 2).sum() + (W2 ** 2).sum())
    errors = T.mean(T.neq(T.argmax(p_y, axis=1), Y))
    params = [W1, b1, W2, b2]
    step = theano.function([], [cost, errors], mode=mode, updates=[
        (q, q - 0.1 * g) for q, g in zip(params, T.grad(cost, params))])
    results = []
    for start in (0, 20, 40, 0):
        X.set_value(data_x[start:start + 20])
        Y.set_value(data_y[start:start + 20])
        results.append([float(v) for v in step()])
    return results, step


def test_mlp_step_on_shared_minibatches_of_changing_length_in_jax():
    jax_results, step = mlp_streaming('JAX')
    c_results, _ = mlp_streaming('FAST_RUN')
    numpy.testing.assert_allclose(jax_results, c_results,
                                  **CLOSE['float64'])
    # the function took the 10-row minibatch's shapes, then the first's
    assert step.maker.theano_shapes[-2:] == ((20, 20), (20,))


def test_set_value_to_a_new_shape_then_a_call_gives_the_right_answer():
    labels = theano.shared(numpy.arange(5, dtype='int32'))
    # a length computed from a shared variable's: a constant for JAX
    count = theano.function(
        [], T.arange(labels.shape[0] - 1).sum() * 100 + labels.sum(),
        mode='JAX')
    for n in (5, 8, 5, 3):
        labels.set_value(numpy.arange(n, dtype='int32'))
        want = sum(range(n - 1)) * 100 + sum(range(n))
        assert int(count()) == want
    # the tutorial's minibatches after the data set changes length
    sets = [(theano.shared(numpy.random.RandomState(2).rand(103, 5)),
             T.cast(theano.shared(numpy.arange(103.) % 3), 'int32'))] * 3
    train = {}
    for mode in ('JAX', 'FAST_RUN'):
        index, x, y = T.lscalar(), T.matrix('x'), T.ivector('y')
        (data_x, data_y), = sets[:1]
        w = theano.shared(numpy.ones((5, 3)))
        p_y = T.nnet.softmax(T.dot(x, w))
        cost = -T.mean(T.log(p_y)[T.arange(y.shape[0]), y])
        train[mode] = (theano.function(
            [index], cost, mode=mode, updates=[(w, w - T.grad(cost, w))],
            givens={x: data_x[index * 20:(index + 1) * 20],
                    y: data_y[index * 20:(index + 1) * 20]}), w)
    data_x, data_y = sets[0]
    results = {mode: [] for mode in train}
    for rows in (103, 61):  # 5 minibatches, then 3
        data_x.set_value(numpy.random.RandomState(rows).rand(rows, 5))
        data_y.owner.inputs[0].set_value(numpy.arange(rows, dtype=float) % 3)
        for mode, (fn, w) in train.items():
            results[mode] += [float(fn(i)) for i in range(rows // 20)]
    assert len(results['JAX']) == 8
    numpy.testing.assert_allclose(results['JAX'], results['FAST_RUN'],
                                  **CLOSE['float64'])
    numpy.testing.assert_allclose(train['JAX'][1].get_value(),
                                  train['FAST_RUN'][1].get_value(),
                                  **CLOSE['float64'])


def test_backend_description_names_the_jax_device():
    run = run_flags('import theano_compat\n'
                    'print(theano_compat.backend_description())',
                    'mode=JAX,floatX=float32')
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == (
        'PyTensor %s, mode JAX, device cpu:0, floatX float32'
        % pytensor.__version__)


def test_small_run_in_jax_mode_matches_the_c_backend(
        small_mnist, small_run, tmp_path, monkeypatch):
    # Same numbers as test_training's C-backend run of the same slice, in
    # float64: the JAX path computes the same model.
    monkeypatch.setattr(function_module, 'MODE', 'JAX')
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        result = logistic_sgd.sgd_optimization_mnist(
            dataset=small_mnist, model_path=str(tmp_path / 'model.pkl'),
            **SMALL_RUN)
    assert result['epochs'] == 38
    assert result['best_validation_loss'] == pytest.approx(0.114, abs=1e-12)
    assert result['test_score'] == pytest.approx(0.125, abs=1e-12)
    # every validation check, not only the last, as the C backend had it
    c_history = small_run[0]['history']
    assert len(result['history']) == len(c_history) == 37
    for got, want in zip(result['history'], c_history):
        assert got == pytest.approx(want, abs=1e-12)


TEN_EPOCHS = '''
    import json
    import logistic_sgd
    from theano_compat import backend_description
    result = logistic_sgd.sgd_optimization_mnist(n_epochs=10,
                                                 model_path=%r)
    print(json.dumps([backend_description(), result]))
'''


@pytest.fixture(scope='module')
def ten_epochs(tmp_path_factory):
    """10 epochs of the full MNIST: the C backend and the JAX path."""
    runs = {}
    for name, flags in (('C', 'floatX=float64'),
                        ('JAX', 'mode=JAX,device=cpu,floatX=float32')):
        model = str(tmp_path_factory.mktemp(name) / 'best_model.pkl')
        run = run_flags(TEN_EPOCHS % model, flags)
        assert run.returncode == 0, run.stderr
        runs[name] = json.loads(run.stdout.strip().splitlines()[-1])
    return runs


def test_ten_epochs_on_jax_reproduce_the_c_backend(ten_epochs):
    (c_backend, c_result), (jax_backend, jax_result) = (
        ten_epochs['C'], ten_epochs['JAX'])
    assert 'mode FAST_RUN, device cpu, floatX float64' in c_backend
    assert 'mode JAX, device cpu:0, floatX float32' in jax_backend
    assert jax_result['epochs'] == c_result['epochs'] == 10
    for key in ('best_validation_loss', 'test_score'):
        # Equal to two decimals in percent: float32 against float64.
        assert '%.2f' % (100 * jax_result[key]) == \
            '%.2f' % (100 * c_result[key]), key
    # The C backend's numbers themselves (this port's run, 10 epochs).
    assert '%.6f' % (100 * c_result['best_validation_loss']) == '8.750000'
    assert '%.6f' % (100 * c_result['test_score']) == '8.666667'
