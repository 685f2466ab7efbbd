"""Theano's FAST_RUN: PyTensor's C backend as engine.cvm sets it up.

The timings are in bench/; these tests pin the settings behind them (the
BLAS it links, the thread counts) and check each rewrite against
PyTensor's own result, on the graphs it takes and on those it must leave
alone.
"""

import os

import numpy
import pytensor
import pytest

from pytensor.graph.traversal import explicit_graph_inputs
from pytensor.scan.op import Scan

from theano_compat import theano, T
from theano_compat.engine import cvm, reductions
from theano_compat.engine.threads import blas_threads
from conftest import compiled_ops, run_python, tutorial_functions

# PyTensor's own C backend, without this port's rewrites.
PLAIN_C = 'CVM'


def test_other_costs_run_in_c_with_blas(small_sets):
    # The tutorial's own functions run the fused loop (test_fused.py);
    # with a penalty added to the cost, training is PyTensor's graph.
    train, validate = tutorial_functions(small_sets, l2=1e-4)
    for fn in (train, validate):
        python_ops = [type(node.op).__name__ for node, thunk in
                      zip(fn.maker.fgraph.toposort(), fn.vm.thunks)
                      if not hasattr(thunk, 'cthunk')]
        assert python_ops == []
    ops = compiled_ops(train)
    assert 'Dot22' in ops and 'Gemm' in ops  # C code only with a BLAS
    assert 'Softmax' not in ops and 'LogSoftmax' not in ops
    assert 'AdvancedSubtensor1' in ops and 'AdvancedIncSubtensor1' in ops
    assert 'FusedSoftmaxRegression' in compiled_ops(validate)
    # the same numbers as PyTensor's own C backend
    plain_train, plain_validate = tutorial_functions(small_sets, l2=1e-4,
                                                     mode=PLAIN_C)
    for i in range(3):
        assert float(train(i)) == pytest.approx(float(plain_train(i)),
                                                rel=1e-12)
    assert float(validate(0)) == float(plain_validate(0))


def test_blas_is_the_scipy_openblas32_wheel():
    import scipy_openblas32
    flags = pytensor.config.blas__ldflags.split()
    assert '-l' + scipy_openblas32.get_library() in flags
    assert '-Dsgemm_=scipy_sgemm_' in flags and '-Ddgemm_=scipy_dgemm_' in flags
    run = run_python(
        'from theano_compat import theano, T\n'
        'x = T.matrix(); f = theano.function([x], T.dot(x, x))\n'
        'print(f([[1., 2.], [3., 4.]]).tolist())\n'
        'print([type(n.op).__name__ for n in f.maker.fgraph.toposort()])')
    assert run.stdout.splitlines() == ['[[7.0, 10.0], [15.0, 22.0]]',
                                       "['Dot22']"]
    assert 'could not link to a BLAS' not in run.stderr


@pytest.mark.parametrize('environ, cores, threads', [
    ({}, 1, 1),
    ({}, 2, 2),
    ({}, 16, 4),       # never more than four
    ({'OPENBLAS_NUM_THREADS': '3'}, 2, None),  # the user decides
    ({'OMP_NUM_THREADS': '1'}, 8, None),
])
def test_blas_threads(environ, cores, threads):
    assert blas_threads(environ, cores) == threads


BLAS_THREADS = (
    'import ctypes, os, sys, scipy_openblas32\n'
    'if len(sys.argv) > 1: os.sched_setaffinity(0, {0})\n'
    'import theano_compat\n'
    'lib = ctypes.CDLL(os.path.join(scipy_openblas32.get_lib_dir(),'
    ' scipy_openblas32.get_library(True)))\n'
    'print(lib.scipy_openblas_get_num_threads())')


def test_blas_threads_are_the_usable_cores_or_the_users():
    usable = len(os.sched_getaffinity(0))
    assert run_python(BLAS_THREADS).stdout.split() == [str(min(4, usable))]
    assert run_python(BLAS_THREADS, args=['one core']).stdout.split() == ['1']
    assert run_python(BLAS_THREADS, OPENBLAS_NUM_THREADS='1'
                      ).stdout.split() == ['1']


def test_pair_indexing_reads_and_writes_as_numpy_does():
    m = T.matrix('m')
    rows, cols = T.lvector('rows'), T.ivector('cols')
    picked = m[rows, cols]
    grad = T.grad(T.sum(picked * T.arange(1, 4)), m)
    f = theano.function([m, rows, cols], [picked, grad])
    assert 'AdvancedSubtensor1' in compiled_ops(f)
    assert 'AdvancedSubtensor' not in compiled_ops(f)
    values = numpy.arange(12.).reshape(3, 4)
    r, c = numpy.array([0, 2, -1]), numpy.array([3, -4, 1], dtype='int32')
    got_picked, got_grad = f(values, r, c)
    expected_grad = numpy.zeros_like(values)
    numpy.add.at(expected_grad, (r, c), [1., 2., 3.])
    numpy.testing.assert_array_equal(got_picked, values[r, c])
    numpy.testing.assert_array_equal(got_grad, expected_grad)
    for bad_rows, bad_cols in (([0, 3, 0], [0, 0, 0]), ([0, 0, 0], [0, 4, 0]),
                               ([0, 0, 0], [0, -5, 0])):
        with pytest.raises(Exception, match='index out of bounds'):
            f(values, bad_rows, numpy.array(bad_cols, dtype='int32'))


@pytest.mark.parametrize('ignore_duplicates', [False, True])
@pytest.mark.parametrize('set_instead_of_inc', [False, True])
def test_pair_increments_are_pytensors(ignore_duplicates,
                                       set_instead_of_inc):
    # A repeated position adds up twice, counts once with
    # ignore_duplicates, and is written once by a set: each as PyTensor
    # computes it without this port's rewrites.
    m = T.matrix('m')
    rows, cols, v = T.lvector('rows'), T.lvector('cols'), T.vector('v')
    if set_instead_of_inc:
        out = T.set_subtensor(m[rows, cols], v)
    else:
        out = T.inc_subtensor(m[rows, cols], v,
                              ignore_duplicates=ignore_duplicates)
    args = (numpy.zeros((2, 3)), [0, 1, 0, 1], [2, 0, 2, -3],
            [1., 2., 4., 8.])
    ours = theano.function([m, rows, cols, v], out)
    theirs = pytensor.function([m, rows, cols, v], out, mode=PLAIN_C)
    numpy.testing.assert_array_equal(ours(*args), theirs(*args))
    if not (ignore_duplicates or set_instead_of_inc):
        assert ours(*args)[0, 2] == 5.  # 1 + 4: the repeat added up


def test_argmax_of_softmax_is_argmax_of_scores():
    x = T.matrix('x')
    f = theano.function([x], T.argmax(T.nnet.softmax(x), axis=1))
    assert compiled_ops(f) == ['Argmax']
    values = numpy.random.default_rng(0).normal(size=(50, 7))
    numpy.testing.assert_array_equal(
        f(values), pytensor.function([x], T.argmax(T.nnet.softmax(x), axis=1),
                                     mode=PLAIN_C)(values))
    # another axis than the softmax's: the softmax stays, as it must
    g = theano.function([x], T.argmax(T.nnet.softmax(x), axis=0))
    assert compiled_ops(g) != ['Argmax']
    numpy.testing.assert_array_equal(
        g(values), numpy.argmax(numpy.exp(values) / numpy.exp(values).sum(
            axis=1, keepdims=True), axis=0))


def test_rewrites_can_be_left_out_by_name(small_sets):
    excluded = cvm.fast_cvm(('fused_softmax_regression', 'inline_softmax'))
    train, validate = tutorial_functions(small_sets, mode=excluded)
    assert 'FusedSoftmaxRegression' not in compiled_ops(train)
    assert 'Softmax' in compiled_ops(validate) or 'Argmax' in compiled_ops(
        validate)
    assert cvm.fast_cvm() is not excluded
    assert cvm.fast_cvm(('inline_softmax', 'fused_softmax_regression')) \
        is excluded


TEN_EPOCHS = '''
import logistic_sgd
from pytensor.graph.traversal import explicit_graph_inputs
from pytensor.scan.op import Scan

from theano_compat import theano, T
x, y = T.matrix(), T.ivector()
classifier = logistic_sgd.LogisticRegression(x, 4, 3)
f = theano.function([x, y], T.grad(classifier.negative_log_likelihood(y),
                                   classifier.params))
print([type(n.op).__name__ for n in f.maker.fgraph.apply_nodes
       if 'Fused' in type(n.op).__name__])
result = logistic_sgd.sgd_optimization_mnist(n_epochs=10, model_path='%s',
                                             verbose=False)
print(result['history'])
'''


def test_the_fused_loop_switched_off_gives_the_same_ten_epochs(tmp_path):
    """THEANO_FLAGS=optimizer_excluding=fused_softmax_regression."""
    model = str(tmp_path / 'model.pkl')
    fused = run_python(TEN_EPOCHS % model).stdout.splitlines()
    plain = run_python(TEN_EPOCHS % model,
                       THEANO_FLAGS='optimizer_excluding='
                                    'fused_softmax_regression'
                       ).stdout.splitlines()
    assert fused[0] == "['FusedSoftmaxRegression']"
    assert plain[0] == '[]'
    history = eval(fused[-1])
    assert [epoch for epoch, _, _ in history] == list(range(1, 11))
    assert plain[-1] == fused[-1]


@pytest.mark.parametrize('dtype, rtol', [('float64', 1e-14),
                                         ('float32', 1e-7)])
def test_sums_of_squares_are_pytensors(dtype, rtol):
    # An L2 penalty's (W ** 2).sum(), in sixteen lanes: PyTensor's value
    # up to the order of the float64 additions.
    W = T.matrix('W', dtype=dtype)
    penalty = (W ** 2).sum()
    ours = theano.function([W], [penalty, T.grad(penalty, W)])
    assert 'SumOfSquares' in compiled_ops(ours)
    theirs = pytensor.function([W], [penalty, T.grad(penalty, W)],
                               mode=PLAIN_C)
    rng = numpy.random.default_rng(3)
    for shape in ((784, 500), (1, 1), (3, 5), (17, 1), (0, 4)):
        values = rng.normal(size=shape).astype(dtype)
        for got, want in zip(ours(values), theirs(values)):
            assert got.dtype == want.dtype == dtype
            numpy.testing.assert_allclose(got, want, rtol=rtol)
    transposed = rng.normal(size=(40, 30)).astype(dtype).T  # not C-ordered
    numpy.testing.assert_allclose(ours(transposed)[0],
                                  theirs(transposed)[0], rtol=rtol)


def test_other_sums_are_left_to_pytensor():
    x = T.matrix('x')
    for expression in ((x ** 2).sum(axis=0),          # not all elements
                       T.fmatrix('f').__pow__(2).sum(acc_dtype='float32'),
                       (x ** 3).sum(), abs(x).sum(),
                       (T.imatrix('i') ** 2).sum()):
        inputs = list(explicit_graph_inputs(
            [expression]))
        fn = theano.function(inputs, expression)
        assert 'SumOfSquares' not in compiled_ops(fn)


def test_channel_sums_are_pytensors():
    # a convolution layer's bias gradient: the sum over all axes but the
    # channels, in float64 runs: PyTensor's value up to the order of the
    # float64 additions (and then float32's rounding of it)
    dtype, rtol = 'float32', 1e-7
    x = T.tensor4('x', dtype=dtype)
    m = T.tensor3('m', dtype=dtype)
    cases = [(x, x.sum(axis=[0, 2, 3]), [(50, 20, 12, 12), (1, 3, 1, 1),
                                         (2, 5, 3, 7), (0, 4, 2, 2),
                                         (3, 0, 2, 2)]),
             (x, x.sum(axis=[1, 2, 3]), [(7, 3, 5, 5)]),
             (m, m.sum(axis=[1, 2]), [(9, 33, 2), (4, 1, 1)])]
    rng = numpy.random.default_rng(4)
    for variable, total, shapes in cases:
        ours = theano.function([variable], total)
        assert compiled_ops(ours) == ['ChannelSums']
        theirs = pytensor.function([variable], total, mode=PLAIN_C)
        for shape in shapes:
            values = rng.normal(size=shape).astype(dtype)
            got, want = ours(values), theirs(values)
            assert got.dtype == want.dtype == dtype
            assert got.shape == want.shape
            numpy.testing.assert_allclose(got, want, rtol=rtol, atol=rtol)
    strided = rng.normal(size=(6, 4, 5, 8)).astype(dtype)[:, :, ::2, 1:]
    f = theano.function([x], x.sum(axis=[0, 2, 3]))
    want = strided.sum(axis=(0, 2, 3), dtype='float64').astype(dtype)
    numpy.testing.assert_allclose(f(strided), want, rtol=rtol)
    # the op's Python code, for PyTensor's Python modes
    python = theano.function([x], reductions.ChannelSums(1, dtype)(x),
                             mode=pytensor.compile.mode.Mode(linker='py'))
    numpy.testing.assert_allclose(python(strided), want, rtol=rtol)


def test_other_axis_sums_are_left_to_pytensor():
    x = T.ftensor4('x')
    for expression in (x.sum(axis=[0, 1, 2]),     # the last axis kept
                       x.sum(axis=[0, 2]),        # two axes kept
                       x.sum(),
                       T.dtensor4('d').sum(axis=[0, 2, 3]),  # float64
                       T.ftensor4('f').sum(axis=[0, 2, 3],
                                           acc_dtype='float32'),
                       T.itensor4('i').sum(axis=[0, 2, 3])):
        inputs = list(explicit_graph_inputs([expression]))
        fn = theano.function(inputs, expression)
        assert 'ChannelSums' not in compiled_ops(fn)
    excluded = cvm.fast_cvm(('channel_sums',))
    fn = theano.function([x], x.sum(axis=[0, 2, 3]), mode=excluded)
    assert 'ChannelSums' not in compiled_ops(fn)


LAST_AXIS_VALUES = [0., -0., 1., -1., 1e300, -1e300, numpy.inf, -numpy.inf,
                    numpy.nan, 5e-324, 3., 2.5]


def same_bits(got, want):
    """Equal dtypes, shapes and bits, but for the sign and payload of a NaN
    (which the compiler's choice of operand order decides)."""
    nan = numpy.isnan(want)
    return (got.dtype == want.dtype and got.shape == want.shape
            and numpy.array_equal(numpy.isnan(got), nan)
            and got[~nan].tobytes() == want[~nan].tobytes())


@pytest.mark.parametrize('dtype', ['float64', 'float32'])
def test_last_axis_sums_and_maxima_are_pytensors_to_the_bit(dtype):
    # each row in PyTensor's order and with its operations: the same bits,
    # signs of zero and infinities included, on every layout
    x = T.tensor3('x', dtype=dtype)
    rng = numpy.random.default_rng(15)
    # (expression, whether it takes a maximum)
    expressions = [(x.sum(axis=2), False), (x.max(axis=-1), True),
                   (x.min(axis=2), True),              # -max(-x)
                   (T.mean(x, axis=2), False),
                   (x.sum(axis=2, dtype='float64'), False),
                   (T.exp(x - x.max(axis=2, keepdims=True)).sum(axis=2),
                    True)]
    shapes = [(2, 9, 1000), (3, 5, 17), (1, 1, 7), (1, 3, 1), (0, 3, 4),
              (3, 0, 5), (2, 3, 0)]
    for expression, maximum in expressions:
        ours = theano.function([x], expression)
        theirs = pytensor.function([x], expression, mode=PLAIN_C)
        assert 'LastAxisReduce' in compiled_ops(ours)
        assert 'LastAxisReduce' not in compiled_ops(theirs)
        for shape in shapes:
            v = (rng.normal(size=shape) * 10. ** rng.integers(
                -3, 4, size=shape)).astype(dtype)
            special = rng.random(size=shape) < 0.02
            with numpy.errstate(over='ignore'):       # 1e300 in float32
                v[special] = rng.choice(LAST_AXIS_VALUES,
                                        size=special.sum())
            for view in (v, v[:, ::2], v.transpose(1, 0, 2), v[..., ::-1],
                         numpy.asfortranarray(v), v[:, :1]):
                if maximum and view.shape[-1] == 0 and view.size == 0 \
                        and view.shape[0] * view.shape[1]:
                    continue          # an error (the next test)
                with numpy.errstate(all='ignore'):
                    got, want = ours(view), theirs(view)
                assert same_bits(got, want), (expression, shape)
    # all of a row's zeros negative: the sum starts from +0 and gives +0,
    # the maximum keeps the first of equal zeros
    zeros = numpy.array([[-0., -0.], [-0., 0.], [0., -0.]], dtype)
    m = T.matrix('m', dtype=dtype)
    for expression in (m.sum(axis=1), m.max(axis=1)):
        ours = theano.function([m], expression)
        theirs = pytensor.function([m], expression, mode=PLAIN_C)
        assert same_bits(ours(zeros), theirs(zeros))


def test_a_maximum_over_an_empty_last_axis_is_an_error():
    x = T.matrix('x')
    ours = theano.function([x], x.max(axis=1))
    assert compiled_ops(ours) == ['LastAxisReduce']
    with pytest.raises(ValueError, match='last axis, which has length 0'):
        ours(numpy.zeros((3, 0)))
    assert ours(numpy.zeros((0, 0))).shape == (0,)
    with pytest.raises(ValueError):                  # as PyTensor's
        pytensor.function([x], x.max(axis=1), mode=PLAIN_C)(
            numpy.zeros((3, 0)))


def test_other_reductions_are_left_to_pytensor():
    x = T.matrix('x')
    f = T.ftensor3('f')
    for expression in (x.sum(axis=0), x.sum(), x.max(axis=0), x.max(),
                       f.sum(axis=[1, 2]), f.max(axis=[0, 2]),
                       f.sum(axis=2, acc_dtype='float32'),
                       x.prod(axis=1),
                       T.imatrix('i').sum(axis=1), T.imatrix('j').max(
                           axis=1)):
        inputs = list(explicit_graph_inputs([expression]))
        fn = theano.function(inputs, expression)
        assert 'LastAxisReduce' not in compiled_ops(fn), expression
    excluded = cvm.fast_cvm(('last_axis_reductions',))
    fn = theano.function([x], x.sum(axis=1), mode=excluded)
    assert 'LastAxisReduce' not in compiled_ops(fn)
    assert reductions.LAST_AXIS_NAME in cvm.REWRITE_NAMES


def test_last_axis_python_code_and_gradients():
    rng = numpy.random.default_rng(16)
    v = rng.normal(size=(5, 6, 7))
    v[0, 0, :3] = v[0, 0, 3]                      # tied maxima
    x = T.dtensor3('x')
    python = pytensor.compile.mode.Mode(linker='py')
    for reduction in ('sum', 'max'):
        op = reductions.LastAxisReduce(reduction, 'float64')
        c = theano.function([x], [op(x), T.grad((op(x) ** 2).sum(), x)])
        py = theano.function([x], [op(x), T.grad((op(x) ** 2).sum(), x)],
                             mode=python)
        pytensor_reduce = getattr(x, reduction)(axis=2)
        want = pytensor.function(
            [x], [pytensor_reduce, T.grad((pytensor_reduce ** 2).sum(), x)],
            mode=PLAIN_C)(v)
        for got in (c(v), py(v)):
            assert same_bits(got[0], want[0])
            numpy.testing.assert_allclose(got[1], want[1], rtol=1e-14)
    with pytest.raises(TypeError, match='float32 or float64'):
        reductions.LastAxisReduce('max', 'float64')(T.fmatrix())
    with pytest.raises(ValueError, match="'sum' or 'max'"):
        reductions.LastAxisReduce('min', 'float64')


def tanh_loop(dtype, mode=None):
    """A recurrence h <- tanh(h W + x_t) over the rows of x in
    ``theano.scan`` (given ``mode``, or none): (inputs, last h)."""
    x, h0 = T.matrix('x', dtype=dtype), T.vector('h0', dtype=dtype)
    W = theano.shared(numpy.random.default_rng(5).normal(
        scale=0.5, size=(4, 4)).astype(dtype))
    h, _ = theano.scan(lambda x_t, h: T.tanh(T.dot(h, W) + x_t),
                       sequences=[x], outputs_info=[h0], mode=mode)
    return [x, h0], h[-1]


def the_loop(fn):
    """The one loop op of ``fn``, its step compiled (and run once)."""
    loops = [node.op for node in fn.maker.fgraph.toposort()
             if isinstance(node.op, Scan)]
    assert len(loops) == 1
    return loops[0]


def loop_values(dtype):
    rng = numpy.random.default_rng(6)
    return (rng.normal(size=(6, 4)).astype(dtype),
            rng.normal(size=4).astype(dtype))


@pytest.mark.parametrize('dtype', ['float64', 'float32'])
def test_loops_left_at_mode_none_compile_in_the_functions_mode(dtype):
    inputs, last = tanh_loop(dtype)
    fn = theano.function(inputs, last)
    got = fn(*loop_values(dtype))
    loop = the_loop(fn)
    assert loop.mode is cvm.fast_cvm()
    step_ops = compiled_ops(loop.fn)
    assert ('Float32Tanh' in step_ops) == (dtype == 'float32')
    assert loop.fn.maker.linker.allow_gc is False  # Theano's scan.allow_gc
    # PyTensor's own loop, compiled in its Mode('cvm', 'fast_run')
    plain = pytensor.function(inputs, last, mode=PLAIN_C)
    assert the_loop(plain).mode is None
    want = plain(*loop_values(dtype))
    if dtype == 'float64':
        assert same_bits(got, want)
    else:  # the vectorised tanh: within 1 ulp a step, over 6 steps
        numpy.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


def test_the_loops_mode_can_be_left_out_and_given_modes_are_kept():
    values = loop_values('float32')
    inputs, last = tanh_loop('float32')
    want = pytensor.function(inputs, last, mode=PLAIN_C)(*values)
    # optimizer_excluding=scan_inner_mode: PyTensor's loop as it was
    fn = theano.function(inputs, last,
                         mode=cvm.fast_cvm(('scan_inner_mode',)))
    assert same_bits(fn(*values), want)
    assert the_loop(fn).mode is None
    assert 'Float32Tanh' not in compiled_ops(the_loop(fn).fn)
    # a name left out of the function is left out of its loops
    without_tanh = cvm.fast_cvm(('vectorised_tanh',))
    fn = theano.function(inputs, last, mode=without_tanh)
    assert same_bits(fn(*values), want)
    assert the_loop(fn).mode is without_tanh
    assert 'Float32Tanh' not in compiled_ops(the_loop(fn).fn)
    # a loop given its mode keeps it
    given_inputs, given_last = tanh_loop('float32', mode=PLAIN_C)
    fn = theano.function(given_inputs, given_last)
    assert the_loop(fn).mode == PLAIN_C
    assert same_bits(fn(*values), want)
    # so do the loops of a function in another mode
    python = pytensor.compile.mode.Mode(linker='py')
    fn = theano.function(inputs, last, mode=python)
    numpy.testing.assert_allclose(fn(*values), want, rtol=1e-6)
    assert the_loop(fn).mode is None
    # (compiled, not run: PyTensor 3.0.1's JAX backend, the lowest end,
    # cannot trace this loop's run-time length; the package's JAX runs of
    # loops are test_device's and test_rng_mrg's)
    fn = theano.function(inputs, last, mode='JAX')
    assert [node.op.mode for node in fn.maker.fgraph.toposort()
            if isinstance(node.op, Scan)] in ([], [None])
