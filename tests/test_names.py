"""Theano 1.0.5's names, held to the record of real Theano.

``tests/theano_names.json`` lists what Theano 1.0.5 had (written by
``tools/theano_names.py`` in the side environment; its docstring says
which names count): the names of its user modules, their functions'
parameters, and a sample of values.  Every recorded name resolves here,
or is left out by the table of ``theano_compat.names`` with a category
and a one-line advice; the functions take Theano's parameters; the sample
gives Theano's values; and Theano's names, used as Theano documented
them, print none of PyTensor's deprecation warnings.
"""

import collections
import importlib
import inspect
import json
import os
import warnings

import numpy
import pytest

import theano_compat
from theano_compat import names, theano, T
from conftest import ROOT, run_python

RECORD_PATH = os.path.join(ROOT, 'tests', 'theano_names.json')

# Functions whose parameters differ from Theano's, and why.
SIGNATURES_LEFT = {
    'theano.compile.is_same_graph': 'PyTensor\'s takes no debug argument',
    'theano.tensor.nnet.conv2d': 'num_groups and unshared wait for #17',
    'theano.tensor.nnet.abstract_conv2d': 'as conv2d; and image_shape',
    'theano.tensor.nnet.abstract_conv.conv2d': 'as abstract_conv2d',
}

# Names still left out until #17 is done: every operation that issue
# names is here now (PROVIDED_BY_17 below), not yet the rest of those
# modules (separable convolution, abstract_conv's helpers, two pooling
# helpers, conv3d2d).
UNTIL_17 = [
    'theano.tensor.nnet.separable_conv2d',
    'theano.tensor.nnet.abstract_conv.bilinear_upsampling',
    'theano.tensor.nnet.abstract_conv.causal_conv1d',
    'theano.tensor.signal.pool.max_pool_2d_same_size',
]

# The operations #17 brought back, with the package's modules that define
# them (under theano_compat.tensor): each name resolves to an object that
# one of those modules defines
XENT = ['crossentropy_softmax_1hot', 'crossentropy_softmax_1hot_with_bias',
        'crossentropy_softmax_argmax_1hot_with_bias',
        'crossentropy_softmax_max_and_argmax_1hot',
        'crossentropy_categorical_1hot', 'h_softmax', 'elu', 'selu']
PROVIDED_BY_17 = {
    'theano.tensor.nnet': (
        ['nnet.abstract_conv', 'nnet.nnet', 'nnet.bn'],
        ['conv3d', 'conv2d_transpose', 'conv2d_grad_wrt_inputs',
         'batch_normalization'] + XENT),
    'theano.tensor.nnet.nnet': (['nnet.nnet'], XENT),
    'theano.tensor.nnet.abstract_conv': (['nnet.abstract_conv'], [
        'conv3d', 'conv2d_grad_wrt_inputs', 'conv2d_grad_wrt_weights',
        'conv3d_grad_wrt_inputs', 'conv3d_grad_wrt_weights',
        'get_conv_output_shape', 'AbstractConv', 'AbstractConv2d',
        'AbstractConv3d', 'AbstractConv2d_gradInputs',
        'AbstractConv2d_gradWeights', 'AbstractConv3d_gradInputs',
        'AbstractConv3d_gradWeights', 'AbstractConv_gradInputs',
        'AbstractConv_gradWeights', 'BaseAbstractConv']),
    'theano.tensor.signal.pool': (['signal.pool'], [
        'pool_3d', 'Pool', 'PoolGrad', 'MaxPoolGrad', 'AveragePoolGrad',
        'DownsampleFactorMaxGradGrad']),
    'theano.tensor.nnet.bn': (['nnet.bn'], [
        'batch_normalization', 'batch_normalization_train',
        'batch_normalization_test']),
    'theano.tensor.nnet.neighbours': (['nnet.neighbours'], [
        'images2neibs', 'neibs2images', 'Images2Neibs']),
    'theano.tensor.sort': (['sort'], [
        'topk', 'argtopk', 'topk_and_argtopk', 'TopKOp']),
    'theano.tensor': (['sort'], ['topk', 'argtopk', 'topk_and_argtopk']),
    'theano.tensor.nnet.conv': (['nnet.conv'], ['conv2d']),
    'theano.tensor.signal.conv': (['signal.conv'], ['conv2d']),
}


@pytest.fixture(scope='module')
def record():
    with open(RECORD_PATH) as f:
        return json.load(f)


def quietly_strict():
    """A block in which PyTensor's deprecation notes are errors."""
    block = warnings.catch_warnings()
    block.__enter__()
    warnings.simplefilter('error', DeprecationWarning)
    warnings.simplefilter('error', FutureWarning)
    return block


def lookup(path, name):
    """``path.name`` as ``import path; path.name`` gives it here: the
    object, or the exception."""
    module = names.import_theano_module(path)
    try:
        return getattr(module, name), None
    except AttributeError as error:
        return None, error


def test_every_recorded_name_resolves_or_says_why_not(record):
    counts = collections.Counter()
    block = quietly_strict()
    try:
        for path, found in record['modules'].items():
            for name in found:
                full = '%s.%s' % (path, name)
                value, error = lookup(path, name)
                if error is None:
                    counts['resolved'] += 1
                    continue
                assert isinstance(error, names.TheanoNameError), full
                category, advice = names.left_out_reason(full)
                assert category in names.CATEGORIES
                assert str(error) == '%s: %s' % (full, advice)
                assert '\n' not in str(error)
                counts[category] += 1
    finally:
        block.__exit__(None, None, None)
    total = sum(len(found) for found in record['modules'].values())
    assert total == 1235 and sum(counts.values()) == total
    # what the port provides, and why the rest is not here
    assert counts == {'resolved': 1040, names.INTERNALS: 152,
                      names.UNTIL_17: 20, names.GONE: 19, names.GPU: 4}


def test_the_table_points_at_what_exists():
    for path, entry in names.TABLE.items():
        if entry.home is None:
            assert entry.whole[0] in names.CATEGORIES, path
            continue
        if entry.home.startswith('theano_compat'):
            # this package's module of the same path
            assert names.theano_path(entry.home) == path
        module = names.import_theano_module(path)
        for name, target in entry.moved.items():
            assert names.resolve(path, name) is not None, (path, name)
        for name, (category, advice) in entry.left_out.items():
            assert category in names.CATEGORIES and '\n' not in advice
            assert name not in vars(module), (path, name)
    with pytest.raises(ModuleNotFoundError, match="No module named "
                       "'theano.misc.frobnicate' \\(theano.misc.frobnicate: "
                       "not a module this port of Theano provides"):
        names.import_theano_module('theano.misc.frobnicate')


def test_the_operations_of_issue_17_fail_in_one_line_naming_it():
    for full in UNTIL_17:
        path, _, name = full.rpartition('.')
        _, error = lookup(path, name)
        assert isinstance(error, names.TheanoNameError), full
        assert names.left_out_reason(full)[0] == names.UNTIL_17
        assert str(error).startswith(full + ': not provided yet: PyTensor '
                                            'dropped ')
        assert 'issue #17' in str(error)


def test_the_names_issue_17_brought_back_are_the_packages(record):
    for path, (homes, found) in PROVIDED_BY_17.items():
        homes = [importlib.import_module('theano_compat.tensor.' + home)
                 for home in homes]
        for name in found:
            assert name in record['modules'][path], (path, name)
            value, error = lookup(path, name)
            assert error is None, (path, name, error)
            assert names.left_out_reason('%s.%s' % (path, name)) is None
            if name != 'conv2d_transpose':
                assert any(value is vars(home).get(name) for home in homes
                           if value.__module__ == home.__name__), (
                    path, name, value)
    assert T.nnet.conv2d_transpose.__module__ == 'theano_compat.tensor.nnet'
    # Theano's conv3d2d is left out whole, saying how conv3d replaces it
    with pytest.raises(ModuleNotFoundError,
                       match=r"No module named 'theano.tensor.nnet.conv3d2d' "
                             r"\(theano.tensor.nnet.conv3d2d: not provided "
                             r"yet: .*use theano.tensor.nnet.conv3d, which "
                             r"takes the channels first"):
        names.import_theano_module('theano.tensor.nnet.conv3d2d')
    _, error = lookup('theano.tensor.nnet', 'conv3d2d')
    assert isinstance(error, names.TheanoNameError)
    assert names.left_out_reason('theano.tensor.nnet.conv3d2d.conv3d')[0] \
        == names.UNTIL_17


def test_the_debugging_tools_are_the_packages_own_modules():
    import pytensor.printing
    from theano_compat import printing
    from theano_compat.compile import debugmode, mode, nanguardmode
    for path, module in (('theano.printing', printing),
                         ('theano.compile.mode', mode),
                         ('theano.compile.nanguardmode', nanguardmode),
                         ('theano.compile.debugmode', debugmode)):
        assert names.import_theano_module(path) is module
    # Theano's debugprint wherever Theano had one, not PyTensor's
    assert theano.printing.debugprint is printing.debugprint
    assert theano.pp is printing.pp
    assert printing.debugprint is not pytensor.printing.debugprint
    # PyTensor's other printing names, through the table
    assert printing.min_informative_str is (
        pytensor.printing.min_informative_str)
    # theano.compile.mode.FAST_RUN: the mode the name FAST_RUN means
    assert mode.FAST_RUN is mode.get_mode('FAST_RUN')


def test_functions_take_theanos_parameters(record):
    checked = 0
    for path, found in record['modules'].items():
        for name, entry in found.items():
            full = '%s.%s' % (path, name)
            theirs = [p for p in entry.get('params') or ()
                      if not p.startswith('*')]
            value, error = lookup(path, name)
            if error is not None or not theirs or full in SIGNATURES_LEFT:
                continue
            try:
                ours = inspect.signature(value).parameters.values()
            except (TypeError, ValueError):
                continue  # a C function or a class without one
            kinds = {p.kind for p in ours}
            if inspect.Parameter.VAR_POSITIONAL not in kinds:
                positional = [p.name for p in ours if p.kind in (
                    p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
                assert positional[:len(theirs)] == theirs, full
            if inspect.Parameter.VAR_KEYWORD not in kinds:
                keywords = {p.name for p in ours}
                assert set(theirs) <= keywords, full
            checked += 1
    assert checked >= 280  # of the record's 454 functions


def test_theanos_values(record):
    """Theano's value of each recorded expression, with PyTensor's
    deprecation notes as errors: one function of every sample, compiled
    without C code (the values are the same; compiling is cheaper)."""
    from pytensor.graph.basic import Constant
    from pytensor.graph.traversal import graph_inputs
    x, m, i = T.dvector('x'), T.dmatrix('m'), T.lvector('i')
    outputs, extra_inputs, extra_values = [], [], []

    def f(output, *extra):
        output = T.as_tensor_variable(output)
        extra_inputs.extend(
            v for v in graph_inputs([output]) if v.owner is None
            and v.name is None and not isinstance(v, Constant)
            and not hasattr(v, 'get_value'))
        extra_values.extend(extra)
        outputs.append(output)

    block = quietly_strict()
    try:
        warnings.filterwarnings('ignore', message='flatten: the outdim')
        for sample in record['values']:
            eval(sample['code'], {'theano': theano, 'T': T, 'np': numpy,
                                  'f': f, 'x': x, 'm': m, 'i': i})
        fn = theano.function([x, m, i] + extra_inputs, outputs,
                             mode='FAST_COMPILE')
        got = fn(*[numpy.array(record['inputs'][k]) for k in 'xmi'],
                 *extra_values)
    finally:
        block.__exit__(None, None, None)
    assert len(got) == len(record['values']) > 100
    for sample, value in zip(record['values'], got):
        value = numpy.asarray(value)
        assert str(value.dtype) == sample['dtype'], sample['code']
        numpy.testing.assert_allclose(value, numpy.array(sample['value']),
                                      rtol=1e-12, atol=1e-12,
                                      err_msg=sample['code'])


# --- meanings the record's values cannot show -------------------------

def test_theanos_warnings_stay_and_pytensors_do_not_show():
    x = T.dvector('x')
    with pytest.warns(UserWarning, match='outdim argument is the old name'):
        T.flatten(T.shape_padleft(x), outdim=1)
    with pytest.warns(UserWarning, match='theano.Param is the old name'):
        theano.Param(x, default=1.)
    block = quietly_strict()
    try:
        y = T.xlogx.xlogy0(x, x) + T.xlogx.xlogx(x)
        outs, updates = theano.scan(lambda v: 2 * v, sequences=x)
        reduced, _ = theano.reduce(lambda v, a: a + v, x, T.zeros(()))
        streams = T.shared_randomstreams.RandomStreams(seed=3)
        from theano_compat.sandbox.rng_mrg import MRG_RandomStreams
        mrg = MRG_RandomStreams(seed=3)
        draws = [streams.uniform((2,)), mrg.uniform((2,)),
                 streams.normal((2,)), mrg.binomial((2,), p=0.5)]
        cost = (y.sum() + outs.sum() + reduced
                + T.nnet.binary_crossentropy(T.nnet.sigmoid(x), 0.5).sum())
        f = theano.function([x], [cost, T.grad(cost, x)] + draws,
                            updates=updates, mode='FAST_COMPILE')
        f([1., 2.])
        # Theano's no_default_updates: the streams' states stay put, so
        # two calls draw the same numbers (they differ with the updates)
        same = theano.function([], streams.uniform((3,)),
                               no_default_updates=True, mode='FAST_COMPILE')
        assert (same() == same()).all()
        moving = theano.function([], streams.uniform((3,)),
                                 mode='FAST_COMPILE')
        assert (moving() != moving()).all()
        T.slinalg.cholesky(T.dmatrix())
        T.nlinalg.trace(T.dmatrix())
        T.batched_dot(T.dtensor3(), T.dtensor3())
    finally:
        block.__exit__(None, None, None)


def test_tensor_constructors_and_broadcasting_as_theano():
    assert T.vector('v', 'int32').dtype == 'int32'
    assert T.tensor('float32', (False, True), name='t').broadcastable == (
        False, True)
    row = T.row('r')
    assert T.unbroadcast(row, 0).broadcastable == (False, False)
    assert T.addbroadcast(T.matrix(), 1).broadcastable == (False, True)
    assert T.patternbroadcast(row, (False, False)).broadcastable == (
        False, False)
    # the unbroadcast view computes its input, and passes the gradient
    r = T.drow('r')
    u = T.unbroadcast(r, 0)
    f = theano.function([r], [u, T.grad((u ** 2).sum(), r)])
    value, grad = f([[1., 2.]])
    numpy.testing.assert_array_equal(value, [[1., 2.]])
    numpy.testing.assert_array_equal(grad, [[2., 4.]])
    # T.inv is the reciprocal, as in Theano (PyTensor's linalg.inv is the
    # matrix inverse)
    assert theano.function([r], T.inv(r))([[2., 4.]]).tolist() == [[0.5,
                                                                     0.25]]


def test_raw_random_gives_the_next_state_and_draws():
    """Theano's raw_random on a shared NumPy RandomState: each element one
    randint call, each permutation one permutation call, in C order (so
    a RandomState making the same calls gives the same numbers)."""
    rng = theano.shared(numpy.random.RandomState(7))
    new_state, draws = T.raw_random.random_integers(rng, size=(2000,),
                                                    low=3, high=5)
    f = theano.function([], draws, updates=[(rng, new_state)])
    first, second = f(), f()
    same = numpy.random.RandomState(7)
    expected = [[same.randint(3, 6) for _ in range(2000)] for call in (1, 2)]
    assert first.dtype == 'int64' and sorted(set(first)) == [3, 4, 5]
    assert first.tolist() == expected[0] and second.tolist() == expected[1]
    _, perms = T.raw_random.permutation(rng, size=(3,), n=4)
    got = theano.function([], perms)()
    assert got.tolist() == [same.permutation(4).tolist() for _ in range(3)]
    with pytest.raises(TypeError, match='numpy.random.RandomState'):
        T.raw_random.uniform(theano.shared(numpy.random.default_rng(7)))


def test_config_names_the_series_sets():
    # rnnrbm.py, line 27
    theano.config.warn.subtensor_merge_bug = False
    assert theano.config.warn.subtensor_merge_bug is False
    assert theano.theano is theano_compat  # (the package, as before)


def test_the_runner_finds_modules_by_the_table():
    run = run_python(
        'import theano_compat\n'
        'theano_compat.install_as_theano()\n'
        'import theano, theano.tensor as T\n'
        'import theano.tensor.signal.conv as sc, pytensor\n'
        'print(sc.__name__)\n'
        'import theano.tensor.sort\n'
        'print(callable(T.sort), T.sort.__module__)\n'
        'from theano.tensor.xlogx import xlogy0\n'
        'from theano.scan_module import until, foldl\n'
        'from theano.compile.nanguardmode import NanGuardMode\n'
        'print(xlogy0.__module__, until.__module__)\n'
        'try:\n'
        '    import theano.tensor.nnet.ctc\n'
        'except ImportError as error:\n'
        '    print(error)\n'
        'try:\n'
        '    import theano.sandbox.cuda.basic_ops\n'
        'except ImportError as error:\n'
        '    print(error)\n')
    assert run.stdout.splitlines() == [
        'theano_compat.tensor.signal.conv',
        'True pytensor.tensor.sort',
        'theano_compat.tensor.xlogx pytensor.scan.utils',
        "No module named 'theano.tensor.nnet.ctc' (theano.tensor.nnet.ctc: "
        "needs the warp-ctc library, which is gone; write the CTC loss with "
        "theano.scan)",
        "No module named 'theano.sandbox.cuda' "
        "(theano.sandbox.cuda: Theano's old GPU back end is gone; "
        "run on a GPU with THEANO_FLAGS=device=cuda (through JAX))"]
