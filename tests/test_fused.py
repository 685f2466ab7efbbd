"""The fused softmax-regression loop (code/theano_compat/engine/fused.py).

It must give what PyTensor's own graph gives, whatever the dtypes,
shapes, strides and thread count; raise the errors it raises; and take
over only the graphs it was made for, at compile time, leaving the
user's graph PyTensor's own.
"""

import os

import numpy
import pytensor
import pytest
from pytensor.compile.mode import Mode

from theano_compat import theano, T
from theano_compat.engine import cvm, fused as fused_module
from theano_compat.engine.fused import FusedSoftmaxRegression
from theano_compat.engine.threads import fused_threads
from conftest import (compiled_ops, run_python, tutorial_functions,
                      with_pytensor_flags)

PYTHON = Mode(linker='py', optimizer=None)  # each op's perform(), as is


def symbols(dtype, label_dtype='int32'):
    x = T.matrix('x', dtype=dtype)
    W, b = T.matrix('W', dtype=dtype), T.vector('b', dtype=dtype)
    y = T.vector('y', dtype=label_dtype)
    return x, W, b, y


def grad_op(threads):
    """The fused loop's cost and gradient (its error rate output dropped)."""
    op = FusedSoftmaxRegression('grad', threads)
    return lambda *inputs: op(*inputs)[1:]


def errors_op(threads):
    op = FusedSoftmaxRegression('errors', threads)
    return lambda *inputs: op(*inputs)[0]


def fused_tasks(fn):
    return [node.op.task for node in fn.maker.fgraph.toposort()
            if isinstance(node.op, FusedSoftmaxRegression)]


def tutorial_cost(x, W, b, y):
    """The cost as logistic_sgd.py writes it."""
    p_y_given_x = T.nnet.softmax(T.dot(x, W) + b)
    return -T.mean(T.log(p_y_given_x)[T.arange(y.shape[0]), y])


def tutorial_errors(x, W, b, y):
    y_pred = T.argmax(T.nnet.softmax(T.dot(x, W) + b), axis=1)
    return T.mean(T.neq(y_pred, y))


def problem(n, d, k, dtype, label_dtype='int32', seed=0):
    rng = numpy.random.default_rng(seed)
    return (rng.random((n, d)).astype(dtype),
            rng.normal(0, 0.1, (d, k)).astype(dtype),
            rng.normal(0, 0.1, k).astype(dtype),
            rng.integers(-k, k, n).astype(label_dtype))


def reference(values, dtype, label_dtype='int32'):
    """Cost and gradients from PyTensor's own graph, not fused."""
    x, W, b, y = symbols(dtype, label_dtype)
    cost = tutorial_cost(x, W, b, y)
    return pytensor.function([x, W, b, y],
                             [cost] + pytensor.grad(cost, [W, b]),
                             mode='FAST_COMPILE')(*values)


def fused(dtype, label_dtype='int32'):
    """Cost and gradients as the tutorial compiles them."""
    x, W, b, y = symbols(dtype, label_dtype)
    cost = tutorial_cost(x, W, b, y)
    fn = theano.function([x, W, b, y], [cost] + T.grad(cost, [W, b]))
    assert compiled_ops(fn) == ['FusedSoftmaxRegression']
    assert fused_tasks(fn) == ['grad']
    return fn


def op_function(op, dtype, label_dtype='int32', mode=None):
    x, W, b, y = symbols(dtype, label_dtype)
    return pytensor.function([x, W, b, y], op(x, W, b, y),
                             mode=mode or cvm.fast_cvm())


def test_the_tutorial_compiles_to_the_fused_loops(small_sets):
    train, validate = tutorial_functions(small_sets)
    assert fused_tasks(train) == ['grad']  # cost and gradient in one node
    assert fused_tasks(validate) == ['errors']
    for fn in (train, validate):
        assert not {'Dot22', 'Gemm', 'Softmax', 'Argmax'} & set(
            compiled_ops(fn))
        python_ops = [type(node.op).__name__ for node, thunk in
                      zip(fn.maker.fgraph.toposort(), fn.vm.thunks)
                      if not hasattr(thunk, 'cthunk')]
        assert python_ops == []
    # With zero weights every score ties and the first class wins.
    labels = small_sets[1][1][:600]
    assert float(validate(0)) == pytest.approx(numpy.mean(labels != 0))
    assert float(train(0)) == pytest.approx(numpy.log(10), rel=1e-6)


@pytest.mark.parametrize('dtype, rtol', [('float64', 1e-12),
                                         ('float32', 2e-5)])
@pytest.mark.parametrize('n, d, k', [(600, 784, 10), (7, 13, 3), (1, 1, 1),
                                     (6, 9, 2), (33, 20, 17)])
@pytest.mark.parametrize('label_dtype', ['int32', 'int64'])
def test_cost_and_gradient_are_pytensors(dtype, rtol, n, d, k, label_dtype):
    values = problem(n, d, k, dtype, label_dtype)  # labels -k..k-1
    got = fused(dtype, label_dtype)(*values)
    want = reference(values, dtype, label_dtype)
    for g, w in zip(got, want):
        assert g.dtype == w.dtype and g.shape == w.shape
        numpy.testing.assert_allclose(g, w, rtol=rtol,
                                      atol=rtol * abs(w).max())


def test_results_do_not_depend_on_the_thread_count():
    values = problem(601, 784, 10, 'float32', seed=1)
    runs = [op_function(grad_op(threads), 'float32')(*values)
            + [op_function(errors_op(threads), 'float32')(*values)]
            for threads in (1, 2, 3, 4)]
    for run in runs[1:]:
        for got, first in zip(run, runs[0]):
            numpy.testing.assert_array_equal(got, first)


def test_any_strides_are_taken():
    x, W, b, y = problem(40, 30, 5, 'float64')
    wide = numpy.zeros((40, 60))
    wide[:, ::2] = x                     # x as every other column
    odd = (wide[:, ::2], numpy.asfortranarray(W), numpy.repeat(b, 2)[::2],
           numpy.repeat(y, 3)[::3])
    assert not odd[0].flags.c_contiguous and not odd[1].flags.c_contiguous
    for got, want in zip(fused('float64')(*odd),
                         reference((x, W, b, y), 'float64')):
        numpy.testing.assert_allclose(got, want, rtol=1e-12)


@pytest.mark.parametrize('dtype, rtol', [('float64', 1e-12),
                                         ('float32', 2e-5)])
def test_rows_starting_anywhere_in_a_vector(dtype, rtol):
    # Rows 256 or 512 bytes apart, starting at each offset in a 32-byte
    # vector: the loop peels columns up to the vector boundary (also when
    # a row is shorter than that), then runs on whole vectors.
    for d in (2, 5, 50):
        x, W, b, y = problem(9, d, 4, dtype, seed=d)
        want = reference((x, W, b, y), dtype)
        want_rate = numpy.mean(numpy.argmax(x @ W + b, axis=1) != y)
        for offset in range(8):
            wide = numpy.zeros((9, 64), dtype)
            wide[:, offset:offset + d] = x
            rows = wide[:, offset:offset + d]
            for got, w in zip(fused(dtype)(rows, W, b, y), want):
                numpy.testing.assert_allclose(got, w, rtol=rtol,
                                              atol=rtol * abs(w).max())
            rate = op_function(errors_op(2), dtype)(rows, W, b, y)
            assert float(rate) == want_rate


def test_the_python_implementation_matches_the_c_code():
    values = problem(50, 21, 4, 'float64')
    for op in (grad_op(2), errors_op(2)):
        c_code = op_function(op, 'float64')(*values)
        python = op_function(op, 'float64', mode=PYTHON)(*values)
        if not isinstance(c_code, list):  # the error rate
            c_code, python = [c_code], [python]
        for got, want in zip(c_code, python):
            numpy.testing.assert_allclose(got, want, rtol=1e-12)


def test_an_empty_minibatch_costs_nan_and_moves_nothing():
    values = problem(0, 5, 3, 'float64')
    cost, g_W, g_b = fused('float64')(*values)
    assert numpy.isnan(cost)
    assert not g_W.any() and not g_b.any() and g_W.shape == (5, 3)


def test_a_label_that_is_not_a_class_is_an_index_error():
    x, W, b, y = problem(8, 5, 3, 'float64')
    y[5] = 3
    with pytest.raises(IndexError, match=r'index out of bounds: label '
                       r'y\[5\] = 3 is not one of the 3 classes \(0 to 2\)'):
        fused('float64')(x, W, b, y)
    y[5] = -4
    with pytest.raises(IndexError, match=r'y\[5\] = -4 is not one of'):
        fused('float64')(x, W, b, y)
    with pytest.raises(IndexError, match='index out of bounds'):
        op_function(grad_op(1), 'float64', mode=PYTHON)(x, W, b, y)


def test_shapes_that_do_not_match_are_a_value_error():
    x, W, b, y = problem(8, 5, 3, 'float64')
    with pytest.raises(ValueError, match=r'softmax cost: shapes do not '
                       r'match: x \(8, 5\), W \(4, 3\), b \(3,\), y \(8,\)'):
        op_function(grad_op(1), 'float64')(x, W[:4], b, y)
    with pytest.raises(ValueError, match=r'error rate: shapes do not match'):
        op_function(errors_op(1), 'float64')(x, W, b, y[:7])


def test_error_rate_is_numpys():
    x, W, b, y = problem(203, 17, 6, 'float32')
    W[:, 4] = W[:, 2]   # ties: the first highest score wins
    b[4] = b[2]
    y[:10] = [99, -1, 2, 4, 2, 4, 0, 0, 1, 1]  # labels no class matches
    inputs = symbols('float32')
    rate = theano.function(list(inputs), tutorial_errors(*inputs))
    assert fused_tasks(rate) == ['errors']
    want = numpy.mean(numpy.argmax(x @ W + b, axis=1) != y)
    assert float(rate(x, W, b, y)) == want
    assert rate(x, W, b, y).dtype == numpy.float64


def fuses(inputs, outputs):
    """Whether ``theano.function`` runs ``outputs`` as the fused loop."""
    fn = theano.function(inputs, outputs)
    return fused_tasks(fn) == ['grad']


def test_only_the_tutorials_cost_and_gradients_are_fused():
    x, W, b, y = symbols('float64')
    inputs = [x, W, b, y]
    cost = tutorial_cost(x, W, b, y)
    assert fuses(inputs, [cost] + T.grad(cost, [W, b]))
    assert fuses(inputs, T.grad(cost, (W, b)))
    assert fuses(inputs, [T.grad(cost, W)])
    assert fuses(inputs, [T.grad(cost, b), T.grad(cost, W)])
    assert not fuses(inputs, [T.grad(cost, x)])            # wrt the input
    assert not fuses(inputs, [cost, T.grad(cost, x)])
    assert not fuses(inputs, T.grad(cost + (W ** 2).sum(), [W, b]))
    summed = -T.sum(T.log(T.nnet.softmax(T.dot(x, W) + b))
                    [T.arange(y.shape[0]), y])
    assert not fuses(inputs, T.grad(summed, [W, b]))
    shared_W = theano.shared(numpy.zeros((3, 2)))
    tied = tutorial_cost(x, shared_W, shared_W.sum(axis=0), y)
    assert not fuses([x, y], [T.grad(tied, shared_W)])  # W also feeds b
    fed = tutorial_cost(T.dot(x, W.T).dot(W), W, b, y)     # W feeds x
    assert not fuses(inputs, T.grad(fed, [W, b]))


def test_the_users_graph_is_pytensors_own():
    x, W, b, y = symbols('float64')
    cost = tutorial_cost(x, W, b, y)
    g = T.grad(cost, (W, b))
    want = pytensor.grad(cost, (W, b))
    assert type(g) is type(want)
    assert pytensor.graph.basic.equal_computations(list(g), list(want))
    printed = pytensor.printing.debugprint(g, file='str')
    assert 'Fused' not in printed and 'OpFromGraph' not in printed
    assert 'AdvancedIncSubtensor' in printed  # the gradient, written out


def test_a_function_of_the_cost_alone_does_not_compute_gradients():
    x, W, b, y = symbols('float64')
    fn = theano.function([x, W, b, y], tutorial_cost(x, W, b, y))
    assert fused_tasks(fn) == []


def test_both_tasks_share_one_compiled_module(tmp_path):
    # Each C module takes a second or two to compile on a cold start.
    code = ('import glob, numpy, pytensor\n'
            'from theano_compat.engine import cvm\n'
            'import pytensor.tensor as pt\n'
            'from theano_compat.engine.fused import FusedSoftmaxRegression as F\n'
            'x, W, b, y = pt.matrix(), pt.matrix(), pt.vector(), pt.lvector()\n'
            'f = pytensor.function([x, W, b, y], [F("errors", 2)(x, W, b, y)[0]]'
            ' + F("grad", 2)(x, W, b, y)[1:], mode=cvm.fast_cvm())\n'
            'print(f(numpy.eye(3), numpy.eye(3), numpy.zeros(3),'
            ' numpy.arange(3))[0])\n'
            'print(sum("softmax_nll::" in open(m).read() for m in glob.glob('
            'str(pytensor.config.compiledir) + "/tmp*/mod.cpp")))\n')
    run = run_python(code, PYTENSOR_FLAGS=with_pytensor_flags(
        'base_compiledir=%s' % tmp_path))
    assert run.stdout.split() == ['0.0', '1']
    with pytest.raises(ValueError, match="task should be 'grad' or 'errors'"):
        FusedSoftmaxRegression('train')


def test_an_edited_kernel_is_compiled_again(tmp_path):
    # PyTensor finds a compiled module by its key, which holds the op's
    # cache version and not its source: unless the version follows the
    # .cpp file, an edit would run the stale module.
    edited = tmp_path / 'fused_softmax.cpp'
    source = open(
        fused_module.FusedSoftmaxRegression.source_paths()[0]).read()
    counting = 'count += (npy_int64)y[(r + i) * ys] != (npy_int64)best;'
    assert source.count(counting) == 1
    edited.write_text(source.replace(counting, 'count += 1;'))
    code = (
        'import numpy, pytensor.tensor as pt\n'
        'from theano_compat import theano\n'
        'from theano_compat.engine import fused\n'
        'x, W, b, y = pt.matrix(), pt.matrix(), pt.vector(), pt.lvector()\n'
        'args = (numpy.eye(3), numpy.eye(3), numpy.zeros(3), numpy.arange(3))\n'
        'def rate():\n'
        '    op = fused.FusedSoftmaxRegression("errors", 1)\n'
        '    return float(theano.function([x, W, b, y], op(x, W, b, y)[0])'
        '(*args))\n'
        'print(rate())\n'
        'fused.FusedSoftmaxRegression.source_files = (%r,)\n'
        'print(rate())\n' % str(edited))
    run = run_python(code, PYTENSOR_FLAGS=with_pytensor_flags(
        'base_compiledir=%s' % (tmp_path / 'cache')))
    assert run.stdout.split() == ['0.0', '1.0']


def test_other_modes_run_pytensors_own_graph():
    x, W, b, y = symbols('float64')
    cost = tutorial_cost(x, W, b, y)
    fn = pytensor.function([x, W, b, y], [cost] + T.grad(cost, [W, b]),
                           mode='FAST_COMPILE')
    ops = compiled_ops(fn)
    assert 'SoftmaxNLLGrad' not in ops and 'FusedSoftmaxRegression' not in ops
    values = problem(9, 4, 3, 'float64')
    for got, want in zip(fn(*values), reference(values, 'float64')):
        numpy.testing.assert_allclose(got, want, rtol=1e-12)


@pytest.mark.parametrize('environ, cores, threads', [
    ({'OMP_NUM_THREADS': '3'}, 2, 3),
    ({'OPENBLAS_NUM_THREADS': '1'}, 2, 1),
    ({'OMP_NUM_THREADS': '2', 'OPENBLAS_NUM_THREADS': '1'}, 8, 2),
    ({'OMP_NUM_THREADS': '0'}, 2, 1),
    ({}, 2, 2),     # every usable core, busy or not
    ({}, 16, 4),    # no more threads than parts
    ({}, 1, 1),
])
def test_thread_count_follows_the_users_setting(environ, cores, threads):
    assert fused_threads(environ, cores) == threads


def test_thread_count_follows_the_cores_the_process_may_use():
    code = ('from theano_compat.engine import threads\n'
            'print(threads.fused_threads(), threads.blas_threads())')
    for cpus, expected in (('0', '1 1'), ('0,1', '2 2')):
        if os.cpu_count() < len(cpus.split(',')):
            continue
        run = run_python('import os; os.sched_setaffinity(0, {%s})\n%s'
                         % (cpus, code))
        assert run.stdout.split() == expected.split()


def test_a_process_that_forks_after_a_call_still_runs():
    # The child has none of the parent's worker threads: the calling
    # thread then runs every task itself.
    code = ('import os, numpy, pytensor\n'
            'import pytensor.tensor as pt\n'
            'from theano_compat.engine import cvm, fused\n'
            'x, W = pt.matrix(), pt.matrix(); b, y = pt.vector(), pt.lvector()\n'
            'f = pytensor.function([x, W, b, y], fused.'
            'FusedSoftmaxRegression("errors", 2)(x, W, b, y)[0],'
            ' mode=cvm.fast_cvm())\n'
            'args = (numpy.eye(8), numpy.eye(8), numpy.zeros(8),'
            ' numpy.arange(8))\n'
            'print(f(*args))\n'
            'pid = os.fork()\n'
            'if pid == 0:\n'
            '    print(f(*args)); os._exit(0)\n'
            'os.waitpid(pid, 0)\n')
    assert run_python(code, OMP_NUM_THREADS='2').stdout.split() == [
        '0.0', '0.0']
