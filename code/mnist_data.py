"""Finding, checking and reading the MNIST file of the tutorials.

``logistic_sgd.load_data`` turns what this module returns into shared
variables; everything that touches the disk lives here so the tutorial
stays short.  Nothing is unpickled unless it is either the tutorial's own
file (checked by its SHA-256) or read through :class:`SafeUnpickler`, which
only admits NumPy arrays and dtypes.
"""

import gzip
import hashlib
import io
import os
import pickle
import tempfile
import zlib

import numpy

# The tutorial's file, byte for byte.
MNIST_FILE = 'mnist.pkl.gz'
MNIST_SHA256 = ('f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416')
KNOWN_SHA256 = {MNIST_FILE: MNIST_SHA256}

# The repository's data/ folder, next to code/.
DATA_DIR = os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data'))


class DataError(Exception):
    """A data or model file is missing, damaged or not what it should be."""


def resolve_dataset_path(dataset):
    """Where ``dataset`` lives on disk.

    A bare file name (``'mnist.pkl.gz'``) that is not in the current folder
    means the repository's ``data/`` folder, wherever the script runs from;
    a path with a folder in it is used as given, after expanding ``~``.

    :type dataset: str
    :rtype: str
    """
    dataset = os.path.expanduser(dataset)
    folder, _ = os.path.split(dataset)
    if folder == '' and not os.path.isfile(dataset):
        return os.path.join(DATA_DIR, dataset)
    return dataset


def sha256_of(path):
    """Hex SHA-256 digest of the file at ``path``."""
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


class SafeUnpickler(pickle.Unpickler):
    """An unpickler that builds NumPy arrays and nothing else.

    A pickle names the functions it calls to rebuild its objects; a
    malicious one can name ``os.system``.  This one refuses every global
    except the few NumPy uses for arrays, so loading cannot run code.
    """

    ALLOWED = {
        ('numpy', 'ndarray'),
        ('numpy', 'dtype'),
        ('numpy.core.multiarray', '_reconstruct'),
        ('numpy._core.multiarray', '_reconstruct'),
        ('numpy.core.multiarray', 'scalar'),
        ('numpy._core.multiarray', 'scalar'),
        # Python 3 writes bytes this way at pickle protocol 2; it only
        # turns a str into bytes.
        ('_codecs', 'encode'),
    }

    def find_class(self, module, name):
        if (module, name) not in self.ALLOWED:
            raise DataError(
                'refusing to unpickle %s.%s: only NumPy arrays are allowed '
                'in data and model files' % (module, name))
        return super().find_class(module, name)


def safe_loads(data, what):
    """Unpickle bytes with :class:`SafeUnpickler`; errors name ``what``."""
    try:
        return SafeUnpickler(io.BytesIO(data), encoding='latin1').load()
    except DataError as err:
        raise DataError('%s: %s' % (what, err)) from None
    except Exception as err:  # any damage inside the pickle stream
        raise DataError('%s is not a readable pickle (%s: %s)'
                        % (what, type(err).__name__, err)) from None


def read_gzip(path):
    """The whole decompressed content of a gzip file, or a clear error."""
    try:
        with gzip.open(path, 'rb') as f:
            return f.read()
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        raise DataError('%s is not a complete gzip file (%s); delete it and '
                        'fetch it again' % (path, err)) from None



class StreamingSafeUnpickler(pickle._Unpickler):
    """:class:`SafeUnpickler`'s rules, for reading a file as it streams in.

    This is Python's own pure-Python unpickler (the C one copies every
    string it reads once more).  With ``encoding='bytes'`` the Python 2
    strings that hold the arrays' pixels stay the bytes they were read as,
    and NumPy builds each array on those bytes: the data exists once in
    memory instead of three times (whole file, decoded text, re-encoded
    bytes), and loads three times faster.
    """

    def find_class(self, module, name):
        if (module, name) not in SafeUnpickler.ALLOWED:
            raise DataError(
                'refusing to unpickle %s.%s: only NumPy arrays are allowed '
                'in data and model files' % (module, name))
        return super().find_class(module, name)


class _GzipStreamError(Exception):
    """The gzip layer failed under the unpickler (holds gzip's error)."""


class _ExactReader(object):
    """The reads an unpickler makes, each of exactly the asked length."""

    def __init__(self, stream):
        self.stream = stream

    def _call(self, method, *args):
        try:
            return method(*args)
        except (OSError, EOFError, zlib.error) as err:
            raise _GzipStreamError(err) from None

    def read(self, size):
        data = self._call(self.stream.read, size)
        if len(data) < size:
            raise pickle.UnpicklingError('pickle data was truncated')
        return data

    def readline(self):
        return self._call(self.stream.readline)


def safe_load_gzip(path):
    """Unpickle a gzipped pickle as it decompresses, or a clear error.

    Same errors as ``safe_loads(read_gzip(path), path)``, without ever
    holding the whole decompressed file in memory.
    """
    try:
        with gzip.open(path, 'rb') as f:
            return StreamingSafeUnpickler(_ExactReader(f),
                                          encoding='bytes').load()
    except _GzipStreamError as err:
        raise DataError('%s is not a complete gzip file (%s); delete it and '
                        'fetch it again' % (path, err)) from None
    except DataError as err:
        raise DataError('%s: %s' % (path, err)) from None
    except Exception as err:  # any damage inside the pickle stream
        raise DataError('%s is not a readable pickle (%s: %s)'
                        % (path, type(err).__name__, err)) from None

def load_mnist_arrays(path, dtype=None):
    """Read the tutorial's pickle: three ``(x, y)`` pairs of NumPy arrays.

    :type path: str
    :param path: a gzipped pickle of ``(train, valid, test)`` in the
        tutorial's format
    :type dtype: str or None
    :param dtype: if given, the dtype the x arrays are converted to, one
        after the other, each freeing the file's copy before the next (so
        float64 needs 1.3x, not 1.6x, the final data's memory)
    :rtype: list of three ``(x, y)`` tuples; x float (n, 784), y int (n,)
    """
    if not os.path.isfile(path):
        raise DataError('%s does not exist' % path)
    sets = validate_sets(safe_load_gzip(path), path)
    if dtype is not None:
        for i in range(len(sets)):
            sets[i] = (sets[i][0].astype(dtype, copy=False), sets[i][1])
    return sets


def validate_sets(sets, what):
    """Check the (train, valid, test) structure; return it as a list."""
    if not isinstance(sets, (tuple, list)) or len(sets) != 3:
        raise DataError('%s should hold a tuple (train, valid, test); it '
                        'holds %s' % (what, type(sets).__name__))
    checked = []
    for name, pair in zip(('train', 'valid', 'test'), sets):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise DataError('%s: the %s set should be a pair (x, y)'
                            % (what, name))
        x, y = pair
        if not (isinstance(x, numpy.ndarray) and x.ndim == 2
                and x.dtype.kind == 'f'):
            raise DataError('%s: %s x should be a 2-D float array'
                            % (what, name))
        if not (isinstance(y, numpy.ndarray) and y.ndim == 1
                and y.dtype.kind in 'iu' and len(y) == len(x)):
            raise DataError('%s: %s y should be an integer vector with one '
                            'label per row of x' % (what, name))
        if len(y) and (y.min() < 0 or y.max() > 9):
            raise DataError('%s: %s labels should lie in 0..9, found %d..%d'
                            % (what, name, y.min(), y.max()))
        if not numpy.isfinite(x).all():
            raise DataError('%s: %s x holds NaN or infinite pixels'
                            % (what, name))
        checked.append((x, y))
    return checked


def atomic_write_bytes(path, data):
    """Write ``data`` to ``path`` so that a crash never leaves half a file.

    The bytes go to a temporary file in the same folder, are flushed to
    disk, then renamed over ``path`` in one step.
    """
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix='.' + os.path.basename(path) + '.',
                               suffix='.part', dir=folder)
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def save_params(path, **arrays):
    """Save named NumPy arrays (the model's parameters) atomically."""
    payload = {name: numpy.asarray(value) for name, value in arrays.items()}
    atomic_write_bytes(path, pickle.dumps(payload, protocol=4))


def load_params(path):
    """Load what :func:`save_params` wrote, through the safe unpickler."""
    if not os.path.isfile(path):
        raise DataError('no saved model at %s: train one first with '
                        '`python code/logistic_sgd.py`' % path)
    with open(path, 'rb') as f:
        payload = safe_loads(f.read(), path)
    if not isinstance(payload, dict):
        raise DataError('%s is not a model saved by this tutorial' % path)
    return payload
