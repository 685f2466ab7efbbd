"""logistic_cg.py: conjugate gradient over one flat parameter vector.

The run on the small slice is pinned, and checked against the same
optimisation done independently: SciPy's fmin_cg over the cost and
gradient of the plain NumPy model in ``logistic_numpy``.
"""

import contextlib
import functools
import io
import os
import subprocess
import sys

import numpy
import pytest
import scipy.optimize

from conftest import CODE, child_environment
from theano_compat import theano, T
import logistic_cg
import logistic_numpy

# The small slice (3000/1000/1000) in minibatches of 500: all of its rows
# are used, and ten iterations take a few seconds.
SMALL_CG = dict(n_epochs=10, batch_size=500)
# Validation error after each iteration, as this port computes it.
SMALL_CG_HISTORY = [0.34, 0.204, 0.211, 0.213, 0.172, 0.164, 0.165, 0.155,
                    0.149, 0.138]


@pytest.fixture(scope='module')
def small_cg(small_mnist):
    """Run the CG variant once on the slice; return (result, stdout)."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        result = logistic_cg.cg_optimization_mnist(dataset=small_mnist,
                                                   **SMALL_CG)
    return result, printed.getvalue()


def numpy_cg(sets, n_epochs, batch_size):
    """The same optimisation with no compiled function: fmin_cg over the
    NumPy cost and gradient, W and b packed into one vector the same way."""
    (train_x, train_y), (valid_x, valid_y), (test_x, test_y) = [
        (x[:len(x) // batch_size * batch_size].astype('float64'),
         y[:len(y) // batch_size * batch_size].astype('int32'))
        for x, y in sets]
    n_in, n_out = train_x.shape[1], 10

    def unpack(theta):
        return theta[:n_in * n_out].reshape(n_in, n_out), theta[n_in * n_out:]

    def cost(theta):
        return logistic_numpy.nll_and_grads(*unpack(theta), train_x,
                                            train_y)[0]

    def grad(theta):
        _, g_W, g_b = logistic_numpy.nll_and_grads(*unpack(theta), train_x,
                                                   train_y)
        return numpy.concatenate([g_W.ravel(), g_b])

    history = []
    theta = scipy.optimize.fmin_cg(
        cost, numpy.zeros(n_in * n_out + n_out), fprime=grad, disp=0,
        maxiter=n_epochs,
        callback=lambda t: history.append(
            logistic_numpy.error_rate(*unpack(t), valid_x, valid_y)))
    return history, theta, logistic_numpy.error_rate(*unpack(theta), test_x,
                                                     test_y)


def test_small_slice_gives_the_pinned_result(small_cg):
    result, _ = small_cg
    assert result['iterations'] == 10
    assert result['history'] == pytest.approx(SMALL_CG_HISTORY, abs=1e-12)
    assert result['best_validation_loss'] == pytest.approx(0.138, abs=1e-12)
    assert result['test_score'] == pytest.approx(0.14, abs=1e-12)


def test_same_as_scipy_over_the_numpy_model(small_cg, small_sets):
    result, _ = small_cg
    history, theta, test_error = numpy_cg(small_sets, **SMALL_CG)
    assert history == pytest.approx(result['history'], abs=1e-12)
    # The best model is the last one here, so its test error is comparable.
    assert test_error == pytest.approx(result['test_score'], abs=1e-12)
    numpy.testing.assert_allclose(result['theta'], theta, rtol=1e-6,
                                  atol=1e-8)


def test_prints_each_iteration_and_the_result(small_cg):
    _, out = small_cg
    lines = out.splitlines()
    assert lines[:2] == ['... loading data', '... building the model']
    assert lines[3] == '... training the model'
    assert lines[4:9] == [
        'iteration 1, validation error 34.000000 %',
        '     iteration 1, test error of best model 34.200000 %',
        'iteration 2, validation error 20.400000 %',
        '     iteration 2, test error of best model 22.800000 %',
        'iteration 3, validation error 21.100000 %']
    assert lines[-2] == ('Optimization complete with best validation score '
                         'of 13.800000 %, with test performance 14.000000 %')
    assert lines[-1].startswith('The code ran for 10 iterations, with ')


def test_w_and_b_are_views_of_theta():
    x = T.matrix('x')
    model = logistic_cg.FlatLogisticRegression(input=x, n_in=6, n_out=3)
    theta = numpy.arange(6 * 3 + 3, dtype=theano.config.floatX)
    model.theta.set_value(theta)
    W, b = theano.function([], [model.W, model.b])()
    numpy.testing.assert_array_equal(W, theta[:18].reshape(6, 3))
    numpy.testing.assert_array_equal(b, theta[18:])
    inputs = numpy.random.RandomState(0).rand(4, 6).astype(
        theano.config.floatX)
    probabilities = theano.function([x], model.p_y_given_x)(inputs)
    numpy.testing.assert_allclose(
        probabilities, logistic_numpy.softmax(inputs.dot(W) + b), rtol=1e-6)
    assert model.params == [model.theta]


def test_dry_run_command(small_mnist, capsys):
    assert logistic_cg.main(['--dry-run', '--dataset', small_mnist]) == 0
    lines = capsys.readouterr().out.splitlines()
    # The default minibatch of 600 leaves 600 of the 1000 validation rows.
    assert lines[4].startswith('iteration 1, validation error ')
    assert lines[-1].startswith('The code ran for 1 iterations')


def test_defaults_and_bad_values(monkeypatch, capsys):
    calls = []

    @functools.wraps(logistic_cg.cg_optimization_mnist)  # same signature
    def record(**kwargs):
        calls.append(kwargs)

    monkeypatch.setattr(logistic_cg, 'cg_optimization_mnist', record)
    assert logistic_cg.main([]) == 0
    assert calls == [{'n_epochs': 50, 'dataset': 'mnist.pkl.gz',
                      'batch_size': 600}]
    for argv, message in ((['--n-epochs', '0'], "argument --n-epochs: '0' is "
                           "not allowed: give a whole number of 1 or more"),
                          (['--batch-size', '-1'], "argument --batch-size: "
                           "'-1' is not allowed")):
        with pytest.raises(SystemExit) as info:
            logistic_cg.main(argv)
        assert info.value.code == 2
        assert message in capsys.readouterr().err


def test_batch_larger_than_a_set_is_refused(small_mnist, capsys):
    with pytest.raises(SystemExit) as info:
        logistic_cg.main(['--dataset', small_mnist, '--batch-size', '2000'])
    assert info.value.code == 2
    assert ('batch size 2000 does not fit the validation set of 1000 '
            'examples; use a batch size from 1 to 1000'
            in capsys.readouterr().err)


def test_the_script_reports_a_bad_flag_in_one_line(small_mnist, tmp_path):
    run = subprocess.run(
        [sys.executable, os.path.join(CODE, 'logistic_cg.py'), '--dry-run',
         '--dataset', small_mnist], cwd=str(tmp_path),
        env=child_environment(THEANO_FLAGS='device=tpu9'),
        capture_output=True, text=True, timeout=600)
    assert run.returncode == 2
    assert run.stderr == ("error: THEANO_FLAGS: device='tpu9' is not "
                          "supported; use one of: cpu, cuda, cuda0, gpu, "
                          "gpu0 (any GPU number)\n")
    run = subprocess.run(
        [sys.executable, os.path.join(CODE, 'logistic_cg.py'), '--dry-run',
         '--dataset', small_mnist], cwd=str(tmp_path),
        env=child_environment(), capture_output=True, text=True,
        timeout=600)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-1].startswith('The code ran for 1 ')
