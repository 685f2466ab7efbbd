"""The C backend's speed settings (code/pytensor_cvm.py).

The timings are in bench/; these tests pin the settings behind them: the
BLAS PyTensor links to, its thread count, the rewrites of the compile
mode, the precompiled header, and that each leaves a user's own choice
alone.
"""

import os
import subprocess
import sys

import numpy
import pytensor
import pytest

import pytensor_cvm
from theano_compat import theano, T
from conftest import CODE


def compiled_ops(fn):
    return [type(node.op).__name__ for node in fn.maker.fgraph.toposort()]


def run_python(code, **env):
    """Run ``code`` in a fresh interpreter with code/ importable.

    The thread settings of this process's environment are not passed on.
    """
    environ = {k: v for k, v in os.environ.items()
               if k not in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS')}
    environ.update(PYTHONPATH=CODE, **env)
    run = subprocess.run([sys.executable, '-c', code], env=environ,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    return run


def tutorial_functions(small_sets, l2=0):
    """The tutorial's train and validate functions, on a small slice.

    With ``l2``, the cost gets that much of ``W``'s squared norm: a cost
    the fused loop does not take (as in the multilayer perceptron).
    """
    import logistic_sgd
    (train_x, train_y), (valid_x, valid_y) = [
        (theano.shared(numpy.asarray(x, dtype=theano.config.floatX)),
         T.cast(theano.shared(numpy.asarray(y, dtype=theano.config.floatX)),
                'int32')) for x, y in small_sets[:2]]
    index, x, y = T.lscalar(), T.matrix('x'), T.ivector('y')
    classifier = logistic_sgd.LogisticRegression(x, 28 * 28, 10)
    cost = classifier.negative_log_likelihood(y)
    if l2:
        cost = cost + l2 * (classifier.W ** 2).sum()
    g_W, g_b = T.grad(cost, classifier.W), T.grad(cost, classifier.b)
    train = theano.function(
        [index], cost,
        updates=[(classifier.W, classifier.W - 0.13 * g_W),
                 (classifier.b, classifier.b - 0.13 * g_b)],
        givens={x: train_x[index * 600:(index + 1) * 600],
                y: train_y[index * 600:(index + 1) * 600]})
    validate = theano.function(
        [index], classifier.errors(y),
        givens={x: valid_x[index * 600:(index + 1) * 600],
                y: valid_y[index * 600:(index + 1) * 600]})
    return train, validate


def test_other_costs_run_in_c_with_blas(small_sets):
    # The tutorial's own functions run the fused loops (test_fused.py);
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
    # With zero weights every prediction is class 0.
    labels = small_sets[1][1][:600]
    assert float(validate(0)) == pytest.approx(numpy.mean(labels != 0))


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


def test_a_users_blas_and_compiler_flags_win():
    run = run_python(
        'import pytensor, theano_compat\n'
        'print(repr(pytensor.config.blas__ldflags))\n'
        'print(repr(pytensor.config.gcc__cxxflags))',
        PYTENSOR_FLAGS='blas__ldflags=-lblas,gcc__cxxflags=-O2')
    assert run.stdout.splitlines() == ["'-lblas'", "'-O2'"]


@pytest.mark.parametrize('environ, cores, load, threads', [
    ({}, 2, 0.1, 2),   # idle 2-core machine: both cores
    ({}, 2, 0.99, 2),
    ({}, 2, 1.0, 1),   # one core busy: one thread
    ({}, 2, 3.5, 1),   # never fewer than one
    ({}, 16, 0.0, 4),  # never more than four
    ({}, 16, 13.0, 3),
    ({'OPENBLAS_NUM_THREADS': '3'}, 2, 0.0, None),  # the user decides
    ({'OMP_NUM_THREADS': '1'}, 8, 0.0, None),
])
def test_blas_threads(environ, cores, load, threads):
    assert pytensor_cvm.blas_threads(environ, cores, load) == threads


def test_blas_thread_count_is_applied_or_left_to_the_user():
    code = ('import ctypes, os, scipy_openblas32, pytensor_cvm, theano_compat\n'
            'lib = ctypes.CDLL(os.path.join(scipy_openblas32.get_lib_dir(),'
            ' scipy_openblas32.get_library(True)))\n'
            'print(lib.scipy_openblas_get_num_threads(),'
            ' pytensor_cvm.blas_threads())')
    threads, policy = run_python(code).stdout.split()
    assert policy != 'None' and 1 <= int(threads) <= 4
    run = run_python(code, OPENBLAS_NUM_THREADS='1')
    assert run.stdout.split() == ['1', 'None']


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


def test_argmax_of_softmax_is_argmax_of_scores():
    x = T.matrix('x')
    f = theano.function([x], T.argmax(T.nnet.softmax(x), axis=1))
    assert compiled_ops(f) == ['Argmax']
    assert f([[1., 3., 2.], [5., 1., 0.]]).tolist() == [1, 0]


def test_modules_are_compiled_with_the_precompiled_header():
    flags = pytensor.config.gcc__cxxflags.split()
    if 'g++' not in os.path.basename(pytensor.config.cxx):
        assert flags == []  # made for g++ only
        return
    assert flags[:2] == ['-g0', '-include']
    assert os.path.isfile(flags[2] + '.gch')
    assert os.path.dirname(flags[2]) == str(pytensor.config.compiledir)


def test_index_functions_take_python_ints_fast_and_safely():
    data = theano.shared(numpy.arange(10.))
    i = T.lscalar('i')
    f = theano.function([i], data[i] * 2, updates=[(data, data + 1)])
    assert type(f).__name__ == '_IndexFunction'
    assert float(f(3)) == 6.          # the fast path
    assert float(f(numpy.int64(3))) == 8.  # the usual path, same result
    assert float(f(i=3)) == 10.
    with pytest.raises(OverflowError):
        f(2 ** 70)
    with pytest.raises(TypeError):
        f(1, 2)
    assert f.trust_input is False
    x = T.vector('x')
    assert type(theano.function([x], 2 * x)).__name__ == 'Function'
