"""Finding, reading and checking data files, and saving models safely.

Every damaged or hostile file must end in one :class:`mnist_data.DataError`
that names the file and the problem, never in a traceback from inside
gzip or pickle, and never in code from the file being run.
"""

import gzip
import os
import pickle
import signal
import subprocess
import sys
import textwrap

import numpy
import pytest

import mnist_data
from conftest import CODE, ROOT, child_environment, run_python, write_pickle_gz

DataError = mnist_data.DataError


def tiny_sets(n=4):
    """Three small, well-formed (x, y) pairs in the tutorial's dtypes."""
    rng = numpy.random.RandomState(0)
    return [(rng.randint(0, 256, (n, 784)).astype(numpy.float32) / 256,
             rng.randint(0, 10, n).astype(numpy.int64)) for _ in range(3)]


##############
# RESOLUTION #
##############

def test_bare_name_means_the_repository_data_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(mnist_data.DATA_DIR_VARIABLE, raising=False)
    assert mnist_data.resolve_dataset_path('mnist.pkl.gz') == os.path.join(
        ROOT, 'data', 'mnist.pkl.gz')


def test_the_data_folder_outside_a_checkout_is_a_user_cache(tmp_path):
    home = str(tmp_path / 'home')
    elsewhere = {'HOME': home}
    # (REPO_DATA_DIR, environment) -> the data folder
    cases = [
        (str(tmp_path / 'none'), elsewhere,
         os.path.join(home, '.cache', 'deep-learning-tutorials')),
        (str(tmp_path / 'none'), dict(elsewhere, XDG_CACHE_HOME='/xdg'),
         '/xdg/deep-learning-tutorials'),
        (os.path.join(ROOT, 'data'), elsewhere, os.path.join(ROOT, 'data')),
        (os.path.join(ROOT, 'data'),
         dict(elsewhere, DEEP_LEARNING_TUTORIALS_DATA='~/mine'),
         os.path.join(home, 'mine')),
    ]
    for repo_data, environ, expected in cases:
        code = ('import os, mnist_data\n'
                'mnist_data.REPO_DATA_DIR = %r\n'
                'print(mnist_data.data_dir())' % repo_data)
        run = run_python(code, **environ)
        assert run.stdout.strip() == expected, environ


def test_bare_name_present_in_the_current_folder_is_used(tmp_path,
                                                         monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / 'mnist.pkl.gz').write_bytes(b'')
    (tmp_path / 'idx').mkdir()
    assert mnist_data.resolve_dataset_path('mnist.pkl.gz') == 'mnist.pkl.gz'
    assert mnist_data.resolve_dataset_path('idx') == 'idx'


def test_home_is_expanded(tmp_path, monkeypatch):
    monkeypatch.setenv('HOME', str(tmp_path))
    assert mnist_data.resolve_dataset_path('~/mnist/mnist.pkl.gz') == str(
        tmp_path / 'mnist' / 'mnist.pkl.gz')


def test_explicit_path_is_used_as_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert mnist_data.resolve_dataset_path('sub/mnist.pkl.gz') == \
        'sub/mnist.pkl.gz'
    assert mnist_data.resolve_dataset_path('/abs/mnist.pkl.gz') == \
        '/abs/mnist.pkl.gz'


def test_bare_name_resolves_from_another_folder_in_a_fresh_process(tmp_path):
    env = child_environment()
    env.pop(mnist_data.DATA_DIR_VARIABLE, None)
    out = subprocess.run(
        [sys.executable, '-c', 'import mnist_data; print(mnist_data.'
         'resolve_dataset_path("mnist.pkl.gz"))'],
        cwd=str(tmp_path), env=env, capture_output=True, text=True,
        check=True)
    assert out.stdout == os.path.join(ROOT, 'data', 'mnist.pkl.gz') + '\n'


##########################
# DAMAGED OR WRONG FILES #
##########################

def assert_clean(error):
    """The error hides whatever gzip or pickle raised underneath."""
    assert error.__cause__ is None
    assert error.__context__ is None or error.__suppress_context__


def test_truncated_gzip(tmp_path):
    whole = write_pickle_gz(tmp_path / 'whole.pkl.gz', tiny_sets())
    cut = tmp_path / 'cut.pkl.gz'
    data = open(whole, 'rb').read()
    cut.write_bytes(data[:len(data) // 2])
    with pytest.raises(DataError) as caught:
        mnist_data.load_mnist_arrays(str(cut))
    assert str(caught.value) == (
        '%s is not a complete gzip file (Compressed file ended before the '
        'end-of-stream marker was reached); delete it and fetch it again'
        % cut)
    assert_clean(caught.value)


def test_not_a_gzip_file(tmp_path):
    path = tmp_path / 'mnist.pkl.gz'
    path.write_bytes(b'<html>404 Not Found</html>')
    with pytest.raises(DataError) as caught:
        mnist_data.load_mnist_arrays(str(path))
    assert str(caught.value) == (
        "%s is not a complete gzip file (Not a gzipped file (b'<h')); "
        'delete it and fetch it again' % path)
    assert_clean(caught.value)


def test_truncated_pickle_inside_good_gzip(tmp_path):
    path = tmp_path / 'cut.pkl.gz'
    with gzip.open(str(path), 'wb') as f:
        f.write(pickle.dumps(tiny_sets(), protocol=2)[:1000])
    with pytest.raises(DataError) as caught:
        mnist_data.load_mnist_arrays(str(path))
    assert str(caught.value).startswith(
        '%s is not a readable pickle (UnpicklingError: ' % path)
    assert_clean(caught.value)


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match='nothere.pkl.gz does not exist$'):
        mnist_data.load_mnist_arrays(str(tmp_path / 'nothere.pkl.gz'))


def bad_sets(change):
    """tiny_sets() with one part replaced, as ``change(sets)`` says."""
    sets = [list(pair) for pair in tiny_sets()]
    return change(sets)


@pytest.mark.parametrize('content, problem', [
    (numpy.zeros(3), 'should hold a tuple (train, valid, test); it holds a '
                     'float64 array of shape (3,)'),
    ((1, 2), 'should hold a tuple (train, valid, test); it holds a tuple of '
             'length 2'),
    (bad_sets(lambda s: [s[0], s[1], s[2][0]]),
     ': the test set should be a pair (x, y); it is a float32 array of '
     'shape (4, 784)'),
    (bad_sets(lambda s: [s[0], (s[1][0][0], s[1][1]), s[2]]),
     ': valid x should be a 2-D float array; it is a float32 array of shape '
     '(784,)'),
    (bad_sets(lambda s: [(s[0][0].astype(numpy.uint8), s[0][1]), s[1], s[2]]),
     ': train x should be a 2-D float array; it is a uint8 array of shape '
     '(4, 784)'),
    (bad_sets(lambda s: [s[0], s[1], (s[2][0], s[2][1][:3])]),
     ': test y should be an integer vector with one label per row of x (4 '
     'rows); it is a int64 array of shape (3,)'),
    (bad_sets(lambda s: [(s[0][0], s[0][1].astype(float)), s[1], s[2]]),
     ': train y should be an integer vector with one label per row of x (4 '
     'rows); it is a float64 array of shape (4,)'),
    (bad_sets(lambda s: [s[0], (s[1][0], numpy.array([0, 3, 10, 2])), s[2]]),
     ': valid labels should lie in 0..9, found 0..10'),
    (bad_sets(lambda s: [(s[0][0], numpy.array([0, -1, 5, 2])), s[1], s[2]]),
     ': train labels should lie in 0..9, found -1..5'),
])
def test_wrong_structure_or_values(tmp_path, content, problem):
    path = write_pickle_gz(tmp_path / 'bad.pkl.gz', content)
    with pytest.raises(DataError) as caught:
        mnist_data.load_mnist_arrays(path)
    sep = '' if problem.startswith(':') else ' '
    assert str(caught.value) == path + sep + problem


def test_nan_pixels(tmp_path):
    sets = tiny_sets()
    sets[2][0][1, 100] = numpy.nan
    path = write_pickle_gz(tmp_path / 'nan.pkl.gz', sets)
    with pytest.raises(DataError) as caught:
        mnist_data.load_mnist_arrays(path)
    assert str(caught.value) == path + ': test x holds NaN or infinite pixels'


class RunsCode(object):
    """Unpickling this object calls ``function(*args)``."""

    def __init__(self, function, *args):
        self.function, self.args = function, args

    def __reduce__(self):
        return self.function, self.args


@pytest.mark.parametrize('make_payload', [
    lambda marker: RunsCode(os.system, 'touch ' + marker),
    lambda marker: RunsCode(open, marker, 'w'),
    lambda marker: RunsCode(eval, 'open(%r, "w")' % marker),
], ids=['os.system', 'open', 'eval'])
def test_pickle_that_would_run_code_is_refused(tmp_path, make_payload):
    marker = str(tmp_path / 'marker')
    payload = make_payload(marker)
    # hidden inside an otherwise good data set
    sets = tiny_sets()
    sets[1] = (sets[1][0], payload)
    path = write_pickle_gz(tmp_path / 'evil.pkl.gz', sets)
    with pytest.raises(DataError) as caught:
        mnist_data.load_mnist_arrays(path)
    # the global as the file names it (protocol 2 writes Python 2 names)
    refused = {os.system: 'posix.system', open: 'io.open',
               eval: '__builtin__.eval'}[payload.function]
    assert str(caught.value) == (
        '%s: refusing to unpickle %s: only NumPy arrays are allowed in '
        'data and model files' % (path, refused))
    assert_clean(caught.value)
    assert not os.path.exists(marker)


def test_model_file_that_would_run_code_is_refused(tmp_path):
    marker = str(tmp_path / 'marker')
    path = tmp_path / 'best_model.pkl'
    path.write_bytes(pickle.dumps({'W': RunsCode(os.system, 'touch ' +
                                                 marker)}))
    with pytest.raises(DataError, match='refusing to unpickle posix.system'):
        mnist_data.load_params(str(path))
    assert not os.path.exists(marker)


def test_command_line_ends_with_one_error_line(tmp_path):
    bad = tmp_path / 'bad.pkl.gz'
    bad.write_bytes(b'not gzip at all')
    out = subprocess.run(
        [sys.executable, os.path.join(CODE, 'logistic_sgd.py'), '--dataset',
         str(bad)], cwd=str(tmp_path), capture_output=True, text=True)
    assert out.returncode == 2
    assert 'Traceback' not in out.stderr
    assert out.stderr.splitlines()[-1] == (
        "error: %s is not a complete gzip file (Not a gzipped file (b'no')); "
        'delete it and fetch it again' % bad)


#########################################
# THE BUNDLED FILE MUST BE THE REAL ONE #
#########################################

def test_bundled_file_is_checked_against_its_checksum(tmp_path, monkeypatch):
    # A well-formed file that is not the tutorial's, put where the bundled
    # copy lives, is refused; the same file at a path of the user's own
    # choosing loads.
    monkeypatch.setenv(mnist_data.DATA_DIR_VARIABLE, str(tmp_path))
    bundled = write_pickle_gz(tmp_path / 'mnist.pkl.gz', tiny_sets())
    with pytest.raises(DataError) as caught:
        mnist_data.load_mnist_arrays(mnist_data.resolve_dataset_path(
            'mnist.pkl.gz'))
    assert str(caught.value) == (
        "%s is not the tutorial's file (its sha256 should be %s); delete it "
        'and run again to download it afresh' % (bundled,
                                                  mnist_data.MNIST_SHA256))
    own = tmp_path / 'mine'
    own.mkdir()
    own_copy = write_pickle_gz(own / 'mnist.pkl.gz', tiny_sets())
    loaded = mnist_data.load_mnist_arrays(own_copy)
    numpy.testing.assert_array_equal(loaded[2][1], tiny_sets()[2][1])


def test_real_bundled_file_passes_its_checksum():
    path = os.path.join(ROOT, 'data', 'mnist.pkl.gz')
    assert mnist_data.bundled_sha256(path) == mnist_data.MNIST_SHA256
    assert mnist_data.sha256_of(path) == mnist_data.MNIST_SHA256


#############
# IDX FILES #
#############

def write_idx(path, array):
    """Write a uint8 array in the IDX format (gzipped if path ends .gz)."""
    array = numpy.ascontiguousarray(array, dtype=numpy.uint8)
    data = (bytes([0, 0, 8, array.ndim]) +
            numpy.array(array.shape, '>u4').tobytes() + array.tobytes())
    if str(path).endswith('.gz'):
        with gzip.open(str(path), 'wb', compresslevel=1) as f:
            f.write(data)
    else:
        with open(str(path), 'wb') as f:
            f.write(data)


def to_bytes(x):
    """Pixels k/256 back to the bytes k, checking nothing is lost."""
    pixels = (x * 256).astype(numpy.uint8)
    assert numpy.array_equal(pixels / numpy.float32(256), x)
    return pixels.reshape(len(x), 28, 28)


def write_idx_folder(folder, mnist_arrays, n_train=None, suffix=''):
    """The IDX files the tutorial's pickle was made from.

    With ``n_train`` only the first ``n_train`` training rows are kept
    (the validation rows are always all there).
    """
    (train_x, train_y), (valid_x, valid_y), (test_x, test_y) = mnist_arrays
    train_x, train_y = train_x[:n_train], train_y[:n_train]
    folder.mkdir(exist_ok=True)
    write_idx(folder / ('train-images-idx3-ubyte' + suffix),
              numpy.concatenate([to_bytes(train_x), to_bytes(valid_x)]))
    write_idx(folder / ('train-labels-idx1-ubyte' + suffix),
              numpy.concatenate([train_y, valid_y]))
    write_idx(folder / ('t10k-images-idx3-ubyte' + suffix), to_bytes(test_x))
    write_idx(folder / ('t10k-labels-idx1-ubyte' + suffix), test_y)
    return str(folder)


def assert_same_sets(loaded, expected):
    assert len(loaded) == 3
    for (x, y), (x0, y0) in zip(loaded, expected):
        assert x.dtype == numpy.float32 and y.dtype == numpy.int64
        assert x.shape == x0.shape and numpy.array_equal(x, x0)
        assert y.shape == y0.shape and numpy.array_equal(y, y0)


def test_idx_files_give_exactly_the_tutorial_pickle(tmp_path, mnist_arrays):
    # All 60000 + 10000 images, uncompressed: the conversion must give the
    # shipped pickle bit for bit, split 50000 / 10000 / 10000.
    folder = write_idx_folder(tmp_path / 'idx', mnist_arrays)
    loaded = mnist_data.load_mnist_arrays(folder)
    assert [len(y) for _, y in loaded] == [50000, 10000, 10000]
    assert_same_sets(loaded, mnist_arrays)


def test_gzipped_idx_named_by_one_file_keeps_the_split(tmp_path,
                                                       mnist_arrays):
    # 500 training rows before the 10000 validation rows: the last 10000
    # rows of the training files are the validation set, whatever the count.
    folder = write_idx_folder(tmp_path / 'idx', mnist_arrays, n_train=500,
                              suffix='.gz')
    one_file = os.path.join(folder, 't10k-labels-idx1-ubyte.gz')
    loaded = mnist_data.load_mnist_arrays(one_file)
    (train_x, train_y), valid, test = mnist_arrays
    assert_same_sets(loaded, [(train_x[:500], train_y[:500]), valid, test])


def small_idx_folder(tmp_path, n_train=10003, n_test=5):
    rng = numpy.random.RandomState(1)
    folder = tmp_path / 'idx'
    folder.mkdir()
    write_idx(folder / 'train-images-idx3-ubyte',
              rng.randint(0, 256, (n_train, 28, 28)))
    write_idx(folder / 'train-labels-idx1-ubyte', rng.randint(0, 10, n_train))
    write_idx(folder / 't10k-images-idx3-ubyte',
              rng.randint(0, 256, (n_test, 28, 28)))
    write_idx(folder / 't10k-labels-idx1-ubyte', rng.randint(0, 10, n_test))
    return folder


def test_idx_bad_magic_number(tmp_path):
    folder = small_idx_folder(tmp_path)
    path = folder / 't10k-labels-idx1-ubyte'
    data = path.read_bytes()
    path.write_bytes(b'\x00\x00\x0d\x01' + data[4:])  # float32, not bytes
    with pytest.raises(DataError) as caught:
        mnist_data.load_mnist_arrays(str(folder))
    assert str(caught.value) == (
        '%s is not an IDX file of 1-D unsigned bytes (its magic number is '
        '00000d01, expected 0x00000801)' % path)
    # images and labels swapped
    path.write_bytes((folder / 't10k-images-idx3-ubyte').read_bytes())
    with pytest.raises(DataError, match='magic number is 00000803, '
                                        'expected 0x00000801'):
        mnist_data.load_mnist_arrays(str(folder))


def test_idx_truncated(tmp_path):
    folder = small_idx_folder(tmp_path)
    path = folder / 'train-images-idx3-ubyte'
    data = path.read_bytes()
    path.write_bytes(data[:-100])
    with pytest.raises(DataError) as caught:
        mnist_data.load_mnist_arrays(str(folder))
    assert str(caught.value) == (
        '%s holds 7842252 bytes of values, but its header (10003, 28, 28) '
        'announces 7842352; the file is truncated' % path)
    path.write_bytes(data[:10])
    with pytest.raises(DataError, match='is truncated inside its header'):
        mnist_data.load_mnist_arrays(str(folder))


def test_idx_truncated_gzip(tmp_path):
    folder = small_idx_folder(tmp_path)
    plain = folder / 't10k-images-idx3-ubyte'
    packed = folder / 't10k-images-idx3-ubyte.gz'
    write_idx(packed, mnist_data.read_idx(str(plain), 3))
    plain.unlink()
    packed.write_bytes(packed.read_bytes()[:-20])
    with pytest.raises(DataError, match='%s is not a complete gzip file'
                                        % packed):
        mnist_data.load_mnist_arrays(str(folder))


def test_idx_counts_and_files(tmp_path):
    folder = small_idx_folder(tmp_path)
    write_idx(folder / 't10k-labels-idx1-ubyte', numpy.zeros(4))
    with pytest.raises(DataError) as caught:
        mnist_data.load_mnist_arrays(str(folder))
    assert str(caught.value) == '%s has 5 images but %s has 4 labels' % (
        folder / 't10k-images-idx3-ubyte', folder / 't10k-labels-idx1-ubyte')
    (folder / 't10k-labels-idx1-ubyte').unlink()
    with pytest.raises(DataError) as caught:
        mnist_data.load_mnist_arrays(str(folder))
    assert str(caught.value) == (
        '%s has no t10k-labels-idx1-ubyte (nor t10k-labels-idx1-ubyte.gz): '
        'an MNIST folder needs the four files train-images-idx3-ubyte, '
        'train-labels-idx1-ubyte, t10k-images-idx3-ubyte, '
        't10k-labels-idx1-ubyte' % folder)


def test_idx_too_few_training_rows_and_bad_labels(tmp_path):
    folder = small_idx_folder(tmp_path, n_train=10000)
    with pytest.raises(DataError) as caught:
        mnist_data.load_mnist_arrays(str(folder))
    assert str(caught.value) == ('%s: the training files hold 10000 images; '
                                 'the split needs more than 10000' % folder)
    write_idx(folder / 'train-images-idx3-ubyte',
              numpy.zeros((10003, 28, 28)))
    write_idx(folder / 'train-labels-idx1-ubyte', [0] * 10002 + [12])
    with pytest.raises(DataError) as caught:
        mnist_data.load_mnist_arrays(str(folder))
    assert str(caught.value) == ('%s: valid labels should lie in 0..9, '
                                 'found 0..12' % folder)


###############################
# SAVING THE MODEL ATOMICALLY #
###############################

def test_failed_write_keeps_the_previous_model(tmp_path, monkeypatch):
    path = str(tmp_path / 'best_model.pkl')
    old_W, old_b = numpy.ones((784, 10)), numpy.arange(10.)
    mnist_data.save_params(path, W=old_W, b=old_b)

    real_fdopen = os.fdopen

    class DiskFills(object):
        """A file that takes half of what it is given, then fails."""

        def __init__(self, f):
            self.f = f

        def write(self, data):
            self.f.write(data[:len(data) // 2])
            self.f.flush()
            raise OSError(28, 'No space left on device')

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

    monkeypatch.setattr(mnist_data.os, 'fdopen',
                        lambda fd, mode: DiskFills(real_fdopen(fd, mode)))
    with pytest.raises(OSError, match='No space left on device'):
        mnist_data.save_params(path, W=numpy.zeros((784, 10)),
                               b=numpy.zeros(10))
    monkeypatch.undo()
    assert os.listdir(str(tmp_path)) == ['best_model.pkl']
    params = mnist_data.load_params(path)
    numpy.testing.assert_array_equal(params['W'], old_W)
    numpy.testing.assert_array_equal(params['b'], old_b)


KILLED_WRITER = textwrap.dedent('''
    import os, sys, time
    import numpy
    import mnist_data

    real_fdopen = os.fdopen

    class Stalls(object):
        def __init__(self, f):
            self.f = f
        def write(self, data):
            self.f.write(data[:len(data) // 2])
            self.f.flush()
            print('half written', flush=True)
            time.sleep(60)
        def __enter__(self):
            return self
        def __exit__(self, *exc):
            self.f.close()

    os.fdopen = lambda fd, mode: Stalls(real_fdopen(fd, mode))
    mnist_data.save_params(sys.argv[1], W=numpy.zeros((784, 10)),
                           b=numpy.zeros(10))
''')


def test_killed_write_keeps_the_previous_model(tmp_path):
    path = str(tmp_path / 'best_model.pkl')
    mnist_data.save_params(path, W=numpy.ones((784, 10)), b=numpy.ones(10))
    env = dict(os.environ, PYTHONPATH=CODE)
    writer = subprocess.Popen([sys.executable, '-c', KILLED_WRITER, path],
                              env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline() == 'half written\n'
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        writer.stdout.close()
    params = mnist_data.load_params(path)
    numpy.testing.assert_array_equal(params['W'], numpy.ones((784, 10)))
    numpy.testing.assert_array_equal(params['b'], numpy.ones(10))
    # the half-written temporary file is the only trace, hidden, beside it
    leftovers = sorted(os.listdir(str(tmp_path)))
    assert leftovers[0].startswith('.best_model.pkl.')
    assert leftovers[0].endswith('.part')
    assert leftovers[1:] == ['best_model.pkl']


def test_a_replaced_model_keeps_its_permissions(tmp_path):
    # as open(path, 'w') keeps those of the file it truncates
    path = str(tmp_path / 'best_model.pkl')
    mnist_data.save_params(path, W=numpy.ones((2, 2)), b=numpy.ones(2))
    os.chmod(path, 0o640)
    mnist_data.save_params(path, W=numpy.zeros((2, 2)), b=numpy.zeros(2))
    assert oct(os.stat(path).st_mode & 0o7777) == '0o640'
    assert not mnist_data.load_params(path)['W'].any()
