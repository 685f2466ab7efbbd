"""Shared fixtures: the code/ folder on the path, a small slice of MNIST."""

import contextlib
import gzip
import io
import os
import pickle
import subprocess
import sys

import numpy
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CODE = os.path.join(ROOT, 'code')
if CODE not in sys.path:
    sys.path.insert(0, CODE)

import mnist_data  # noqa: E402  (needs the path above)

# Rows of each set in the small slice: enough for a few minibatches.
SMALL_ROWS = {'train': 3000, 'valid': 1000, 'test': 1000}


@pytest.fixture(scope='session')
def mnist_arrays():
    """The bundled MNIST as three (x, y) NumPy pairs."""
    return mnist_data.load_mnist_arrays(
        os.path.join(ROOT, 'data', 'mnist.pkl.gz'))


@pytest.fixture(scope='session')
def small_sets(mnist_arrays):
    """The first rows of each set, as three (x, y) pairs."""
    return [(x[:n], y[:n]) for (x, y), n in
            zip(mnist_arrays, SMALL_ROWS.values())]


def write_pickle_gz(path, obj):
    """Write ``obj`` as the tutorial's gzipped pickle format."""
    with gzip.open(str(path), 'wb') as f:
        pickle.dump(obj, f, protocol=2)
    return str(path)


@pytest.fixture(scope='session')
def small_mnist(tmp_path_factory, small_sets):
    """Path of a small file in the tutorial's format (3000/1000/1000)."""
    path = tmp_path_factory.mktemp('data') / 'small_mnist.pkl.gz'
    return write_pickle_gz(path, tuple(small_sets))


# The small run: the tutorial's settings except minibatches of 20, so the
# early stopping ends it by itself (after 38 epochs) within seconds.
SMALL_RUN = dict(learning_rate=0.13, n_epochs=1000, batch_size=20)


@pytest.fixture(scope='session')
def small_run(small_mnist, tmp_path_factory):
    """Train once on the slice; return (result, stdout, model path)."""
    import logistic_sgd
    model = str(tmp_path_factory.mktemp('model') / 'best_model.pkl')
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        result = logistic_sgd.sgd_optimization_mnist(
            dataset=small_mnist, model_path=model, **SMALL_RUN)
    return result, printed.getvalue(), model


# --- running code as a user would ---

# Variables that choose threads or settings: a child process gets none of
# this process's, only those a test gives it.
SETTINGS = ('THEANO_FLAGS', 'PYTENSOR_FLAGS', 'OPENBLAS_NUM_THREADS',
            'OMP_NUM_THREADS')


def child_environment(**env):
    """``os.environ`` without :data:`SETTINGS`, plus ``env``, with code/
    importable."""
    environ = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    environ['PYTHONPATH'] = os.pathsep.join(
        [CODE] + ([environ['PYTHONPATH']] if environ.get('PYTHONPATH')
                  else []))
    environ.update(env)
    return environ


def run_python(code, check=True, args=(), cwd=None, **env):
    """Run ``code`` in a fresh interpreter (see :func:`child_environment`).

    :param check: fail the test, showing stderr, if it exits non-zero
    :rtype: subprocess.CompletedProcess (text)
    """
    run = subprocess.run([sys.executable, '-c', code] + list(args),
                         env=child_environment(**env), capture_output=True,
                         text=True, timeout=600, cwd=cwd or ROOT)
    if check:
        assert run.returncode == 0, run.stderr
    return run


def compiled_ops(fn):
    """The class names of a compiled function's ops, in running order."""
    return [type(node.op).__name__ for node in fn.maker.fgraph.toposort()]


def tutorial_functions(small_sets, l2=0, mode=None, batch_size=600):
    """The tutorial's train and validate functions, on a small slice.

    With ``l2``, the cost gets that much of ``W``'s squared norm: a cost
    the fused loop does not take (as in the multilayer perceptron).

    :param mode: as ``theano.function`` takes it (default: the flags')
    :rtype: pair of compiled functions of a minibatch index
    """
    import logistic_sgd
    from theano_compat import theano, T
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
    minibatch = slice(index * batch_size, (index + 1) * batch_size)
    train = theano.function(
        [index], cost,
        updates=[(classifier.W, classifier.W - 0.13 * g_W),
                 (classifier.b, classifier.b - 0.13 * g_b)],
        givens={x: train_x[minibatch], y: train_y[minibatch]}, mode=mode)
    validate = theano.function(
        [index], classifier.errors(y),
        givens={x: valid_x[minibatch], y: valid_y[minibatch]}, mode=mode)
    return train, validate
