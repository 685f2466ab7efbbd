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


@contextlib.contextmanager
def http_server(handler_class):
    """An HTTP server on 127.0.0.1, in a thread of this process, for the
    block; yields its base address, ``http://127.0.0.1:PORT``."""
    import http.server
    import threading
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler_class)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield 'http://127.0.0.1:%d' % httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()


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
# this process's, only those a test gives it.  (PYTENSOR_FLAGS goes on,
# so that a whole run can choose, say, the compiler: cxx=clang++.)
SETTINGS = ('THEANO_FLAGS', 'THEANORC', 'OPENBLAS_NUM_THREADS',
            'OMP_NUM_THREADS', 'DEEP_LEARNING_TUTORIALS_DATA')
# Theano's configuration files: none, in this process and its children,
# unless a test gives some (a user's ~/.theanorc must not change the
# tests' results).
os.environ['THEANORC'] = os.devnull


def child_environment(**env):
    """``os.environ`` without :data:`SETTINGS`, plus ``env``, with code/
    importable."""
    environ = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    environ['THEANORC'] = os.devnull
    environ['PYTHONPATH'] = os.pathsep.join(
        [CODE] + ([environ['PYTHONPATH']] if environ.get('PYTHONPATH')
                  else []))
    environ.update(env)
    return environ


def with_pytensor_flags(text):
    """``PYTENSOR_FLAGS`` of this process (a chosen compiler, say) followed
    by ``text``, which wins where both set a flag."""
    return ','.join(f for f in (os.environ.get('PYTENSOR_FLAGS', ''), text)
                    if f)


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


# --- Theano 1.0.5's own output (tools/theano_reference.py records it) ---

THEANO_SCRIPTS = os.path.join(ROOT, 'tests', 'theano_scripts')
THEANO_REFERENCE = os.path.join(ROOT, 'tests', 'theano_reference.json')


def _reference_tool():
    sys.path.insert(0, os.path.join(ROOT, 'tools'))
    try:
        import theano_reference
    finally:
        sys.path.pop(0)
    return theano_reference


@pytest.fixture(scope='session')
def theano_record():
    """The record: {run name: entry}, each with the run's ``stdout``."""
    import json
    with open(THEANO_REFERENCE) as f:
        return json.load(f)


@pytest.fixture(scope='session')
def theano_slice(tmp_path_factory, mnist_arrays, theano_record):
    """The .npz data slice the recorded runs read, made the same way."""
    tool = _reference_tool()
    arrays = {}
    for (name, rows), (x, y) in zip(tool.SLICE_ROWS, mnist_arrays):
        arrays[name + '_x'] = numpy.ascontiguousarray(x[:rows], 'float32')
        arrays[name + '_y'] = numpy.ascontiguousarray(y[:rows], 'int64')
    assert tool.arrays_sha256(arrays) == theano_record['data_slice'][
        'arrays_sha256'], 'not the slice Theano was run on'
    path = tmp_path_factory.mktemp('theano_slice') / 'slice.npz'
    numpy.savez(str(path), **arrays)
    return str(path)


def run_theano_script(run_name, slice_path, theano_record):
    """Run a recorded script through ``python -m theano_compat`` with the
    floatX of its record; return what it prints."""
    import hashlib
    entry = theano_record['runs'][run_name]
    script_path = os.path.join(ROOT, entry['script'])
    for path, key in ((script_path, 'script_sha256'),
                      (os.path.join(THEANO_SCRIPTS, 'common.py'),
                       'common_sha256'),
                      (os.path.join(THEANO_SCRIPTS, 'series_data.py'),
                       'series_data_sha256')):
        if key == 'series_data_sha256' and key not in entry:
            continue  # only the scripts that import series_data.py pin it
        with open(path, 'rb') as f:
            assert hashlib.sha256(f.read()).hexdigest() == entry[key], (
                '%s changed since %s was recorded' % (path, run_name))
    floatx = [flag for flag in entry['theano_flags'].split(',')
              if flag.startswith('floatX=')]
    run = subprocess.run(
        [sys.executable, '-m', 'theano_compat', script_path, slice_path],
        env=child_environment(THEANO_FLAGS=','.join(floatx)),
        capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    return run.stdout


def parse_theano_output(text):
    """``[(name, value)]`` of a script's lines: ``name value`` lines give a
    float (or the text), JSON lines a dict."""
    import json
    parsed = []
    for line in text.splitlines():
        if line.startswith('{'):
            record = json.loads(line)
            parsed.append((record['name'], record))
        else:
            name, _, value = line.partition(' ')
            try:
                parsed.append((name, float(value)))
            except ValueError:
                parsed.append((name, value))
    return parsed


def assert_prints_like_theano(ours, theirs, rtol, atol=0.,
                              exact=('_error', 'error_')):
    """Our output against Theano's, line by line.

    Names, dtypes, shapes and texts must be equal; numbers whose name has
    a part of ``exact`` (error rates: counts of wrong answers) and arrays
    of integers or booleans equal to the bit; every other number within
    ``rtol``/``atol``.  An array's
    entries are held to ``rtol`` times its largest entry, and the sums of
    its entries, which can cancel out to nearly nothing, to ``rtol`` times
    the largest sum its entries could make, sqrt(size * sum of squares).
    """
    ours, theirs = parse_theano_output(ours), parse_theano_output(theirs)
    assert [name for name, _ in ours] == [name for name, _ in theirs]
    for (name, got), (_, want) in zip(ours, theirs):
        if isinstance(want, dict):
            assert (got['dtype'], got['shape']) == (want['dtype'],
                                                    want['shape']), name
            assert sorted(got) == sorted(want), name
            if want['dtype'].startswith(('int', 'uint', 'bool')):
                assert got == want, name  # indices, counts: exact
                continue
            scale = numpy.sqrt(numpy.prod(want['shape'])
                               * want.get('sumsq', 0.))
            largest = numpy.max(numpy.abs(want['values']), initial=0.) \
                if 'values' in want else 0.
            for key in sorted(want):
                if key in ('name', 'dtype', 'shape'):
                    continue
                scaled = {'sum': scale, 'col_sums': scale,
                          'values': largest}.get(key, 0.)
                numpy.testing.assert_allclose(
                    got[key], want[key], rtol=rtol,
                    atol=max(atol, rtol * scaled),
                    err_msg='%s %s' % (name, key))
        elif isinstance(want, float) and not any(e in name for e in exact):
            numpy.testing.assert_allclose(got, want, rtol=rtol, atol=atol,
                                          err_msg=name)
        else:
            assert got == want, name
