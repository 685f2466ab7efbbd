"""Shared fixtures: the code/ folder on the path, a small slice of MNIST."""

import contextlib
import gzip
import io
import os
import pickle
import sys

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
