"""Finding, fetching, checking and reading the MNIST data of the tutorials.

``logistic_sgd.load_data`` turns what this module returns into shared
variables; everything that touches the disk or the network lives here so
the tutorial stays short.  The rules it keeps:

* a missing ``mnist.pkl.gz`` is downloaded from a list of mirrors into a
  temporary file, checked against its known SHA-256, then renamed into
  place: an interrupted or wrong download never leaves a file behind;
* every pickle (data or saved model) is read through :class:`SafeUnpickler`,
  which only builds NumPy arrays, so no file can make loading run code;
* a bare name such as ``mnist.pkl.gz`` lives in the data folder
  (:func:`data_dir`): the repository's ``data/`` in a checkout, else a
  per-user cache folder, wherever the modules are installed;
* the copy in the data folder must also match its known SHA-256.  A file at a path of the user's choosing is not held to the
  checksum (it may be the user's own, legitimately different file); the
  safe unpickler and the checks of :func:`validate_sets` are what stand
  between it and the tutorial;
* the original IDX files of MNIST are read too, and give the same split;
* whatever is read is checked (three sets, float pixels, labels 0..9...)
  and any problem is a :class:`DataError` that names the file.
"""

import gzip
import hashlib
import io
import os
import pickle
import re
import sys
import urllib.error
import urllib.request
import zlib

import numpy

# The tutorial's file, byte for byte.
MNIST_FILE = 'mnist.pkl.gz'
MNIST_SHA256 = ('f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416')
KNOWN_SHA256 = {MNIST_FILE: MNIST_SHA256}

# Where a missing mnist.pkl.gz is fetched from, tried in this order.  Any
# mirror will do, since the download is only kept if its SHA-256 is
# MNIST_SHA256; so plain http is no risk to the data, only to privacy.
# None of these could be checked to be online when this list was written
# (it was written without network access):
# * Michael Nielsen's "Neural Networks and Deep Learning" repository keeps
#   a copy of the file its loader names as coming from the LISA lab's
#   address below, and other public projects pin that copy to
#   MNIST_SHA256; GitHub serves it over https.
# * The two addresses the Deep Learning Tutorials themselves used: the
#   LISA lab's page at the Universite de Montreal and deeplearning.net
#   (the latter has been gone for years; it stays last, as history).
MNIST_URLS = (
    'https://raw.githubusercontent.com/mnielsen/'
    'neural-networks-and-deep-learning/master/data/mnist.pkl.gz',
    'http://www.iro.umontreal.ca/~lisa/deep/data/mnist/mnist.pkl.gz',
    'http://deeplearning.net/data/mnist/mnist.pkl.gz',
)
KNOWN_URLS = {MNIST_FILE: MNIST_URLS}

# Seconds to wait for a mirror to connect or send the next block.
DOWNLOAD_TIMEOUT = 30

# The original MNIST files, as distributed by Yann LeCun and Corinna Cortes.
IDX_FILES = {
    'train_images': 'train-images-idx3-ubyte',
    'train_labels': 'train-labels-idx1-ubyte',
    'test_images': 't10k-images-idx3-ubyte',
    'test_labels': 't10k-labels-idx1-ubyte',
}
IDX_NAME = re.compile(r'^(train|t10k)-(images-idx3|labels-idx1)-ubyte(\.gz)?$')
# The tutorial's split keeps the last 10000 training images for validation.
VALID_ROWS = 10000

# The repository's data/ folder, next to code/ (absent where the modules
# are installed from a wheel).
REPO_DATA_DIR = os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data'))
# The variable that names the data folder, and the cache folder's name.
DATA_DIR_VARIABLE = 'DEEP_LEARNING_TUTORIALS_DATA'
CACHE_NAME = 'deep-learning-tutorials'


def data_dir(environ=os.environ):
    """The folder where bare data names (``'mnist.pkl.gz'``) live.

    ``$DEEP_LEARNING_TUTORIALS_DATA`` when set; else the repository's
    ``data/`` folder when the modules run from a checkout; else, for an
    installed copy, a per-user cache folder, as Keras and torchvision keep
    their data sets: ``$XDG_CACHE_HOME/deep-learning-tutorials``, by
    default ``~/.cache/deep-learning-tutorials`` (made when first needed).

    :rtype: str
    """
    if environ.get(DATA_DIR_VARIABLE):
        return os.path.abspath(os.path.expanduser(environ[DATA_DIR_VARIABLE]))
    if os.path.isdir(REPO_DATA_DIR):
        return REPO_DATA_DIR
    cache = environ.get('XDG_CACHE_HOME') or os.path.join(
        os.path.expanduser('~'), '.cache')
    return os.path.join(cache, CACHE_NAME)


class DataError(Exception):
    """A data or model file is missing, damaged or not what it should be."""


##############
# FINDING IT #
##############

def resolve_dataset_path(dataset):
    """Where ``dataset`` lives on disk.

    A bare name (``'mnist.pkl.gz'``) that is not in the current folder
    means the data folder (:func:`data_dir`), wherever the script runs
    from; a path with a folder in it is used as given, after expanding
    ``~``.

    :type dataset: str
    :param dataset: a file name, a path to a file, or a folder of IDX files
    :rtype: str
    """
    dataset = os.path.expanduser(dataset)
    folder, _ = os.path.split(dataset)
    if folder == '' and not os.path.exists(dataset):
        return os.path.join(data_dir(), dataset)
    return dataset


def sha256_of(path):
    """Hex SHA-256 digest of the file at ``path``."""
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def bundled_sha256(path):
    """The SHA-256 ``path`` must have, or None if it is free to differ.

    Only the data folder's copies (a known name inside :func:`data_dir`)
    are pinned; see the module's docstring for why.
    """
    name = os.path.basename(path)
    if name not in KNOWN_SHA256:
        return None
    bundled = os.path.join(data_dir(), name)
    if os.path.realpath(path) != os.path.realpath(bundled):
        return None
    return KNOWN_SHA256[name]


###############
# FETCHING IT #
###############

def fetch_if_missing(path, urls=None, sha256=None, quiet=False,
                     progress=None):
    """Download ``path`` if it is missing and its name is a known file.

    Does nothing when ``path`` exists or when its name has no known
    mirrors (reading it will then say that it is missing).

    :type path: str
    :param path: where the file should be (already resolved)
    :param urls: mirrors to try in order; default ``KNOWN_URLS[name]``
    :param sha256: the hex digest the download must have; default
        ``KNOWN_SHA256[name]``
    :param quiet: print nothing on stderr
    :param progress: show the progress line: None means only when stderr
        is a terminal; True or False force it
    :rtype: str, ``path``
    """
    name = os.path.basename(path)
    if os.path.exists(path) or (urls is None and name not in KNOWN_URLS):
        return path
    folder = os.path.dirname(os.path.abspath(path))
    if folder == data_dir() and not os.path.isdir(folder):
        try:  # the cache folder, made when first needed
            os.makedirs(folder, exist_ok=True)
        except OSError as err:
            raise DataError(
                'cannot create the data folder %s (%s); set %s to a folder '
                'you can write to' % (folder, err.strerror or err,
                                      DATA_DIR_VARIABLE)) from None
    if urls is None:
        urls = KNOWN_URLS[name]
    if sha256 is None:
        sha256 = KNOWN_SHA256[name]
    return download(path, urls, sha256, quiet=quiet, progress=progress)


def download(path, urls, sha256, quiet=False, progress=None,
             timeout=DOWNLOAD_TIMEOUT):
    """Fetch a file from the first mirror that gives the right bytes.

    Each try streams into a temporary file in the target folder, checks
    its length and SHA-256, and only then renames it to ``path``; a failed
    try removes its temporary file.  When every mirror fails, the
    :class:`DataError` lists each address with its error and says where
    to put the file by hand.

    :type path: str
    :type urls: sequence of str
    :type sha256: str, hex digest
    :rtype: str, ``path``
    """
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise DataError('cannot download %s: the folder %s does not exist'
                        % (os.path.basename(path), folder))
    if progress is None:
        progress = not quiet and sys.stderr.isatty()
    failures = []
    for url in urls:
        if not quiet:
            print('... downloading %s from %s' % (os.path.basename(path), url),
                  file=sys.stderr)
        try:
            download_one(url, path, sha256, progress, timeout)
            return path
        except Exception as err:  # any way a mirror can fail
            reason = describe_failure(err)
            failures.append('  %s\n    %s' % (url, reason))
            if not quiet:
                print('    failed: %s' % reason, file=sys.stderr)
    raise DataError(
        'could not download %s; tried:\n%s\n'
        'Fetch it by hand from one of these addresses, check that its '
        'sha256 is %s, and put it at %s'
        % (os.path.basename(path), '\n'.join(failures), sha256,
           os.path.abspath(path)))


def describe_failure(err):
    """One line saying why a download try failed."""
    if isinstance(err, DataError):
        return str(err)
    # urllib wraps network errors (refused, timed out, unknown host) in a
    # URLError; the wrapped one says more.  An HTTPError is itself clear.
    if (isinstance(err, urllib.error.URLError)
            and not isinstance(err, urllib.error.HTTPError)
            and isinstance(err.reason, BaseException)):
        err = err.reason
    return '%s: %s' % (type(err).__name__, err)


def temporary_beside(path):
    """Create a temporary file next to ``path``, to be renamed over it.

    It gets the permissions a plain ``open(path, 'w')`` would give
    ``path``: those of the file it replaces, else 0666 less the umask
    (``tempfile.mkstemp`` would give 0600, and a model or plot shared
    with others could not be read).

    :rtype: pair (file descriptor open for writing, temporary path)
    """
    import secrets
    folder = os.path.dirname(os.path.abspath(path))
    try:
        mode = os.stat(path).st_mode & 0o7777
    except OSError:
        mode = None  # a new file: the umask decides, as for open()
    while True:
        tmp = os.path.join(folder, '.%s.%s.part' % (os.path.basename(path),
                                                   secrets.token_hex(4)))
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL,
                         0o666 if mode is None else 0o600)
        except FileExistsError:
            continue
        if mode is not None:
            os.fchmod(fd, mode)
        return fd, tmp


def download_one(url, path, sha256, progress, timeout):
    """Stream ``url`` into ``path`` through a checked temporary file."""
    fd, tmp = temporary_beside(path)
    try:
        with os.fdopen(fd, 'wb') as out, \
                urllib.request.urlopen(url, timeout=timeout) as response:
            length = response.headers.get('Content-Length')
            expected = int(length) if length and length.isdigit() else None
            digest = hashlib.sha256()
            received = 0
            try:
                for block in iter(lambda: response.read(1 << 16), b''):
                    out.write(block)
                    digest.update(block)
                    received += len(block)
                    if progress:
                        show_progress(os.path.basename(path), received,
                                      expected)
            finally:
                if progress and received:
                    sys.stderr.write('\n')  # end the progress line
            if expected is not None and received != expected:
                raise DataError('the connection closed after %d of %d bytes'
                                % (received, expected))
            if digest.hexdigest() != sha256:
                raise DataError('wrong content: sha256 %s, expected %s'
                                % (digest.hexdigest(), sha256))
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def show_progress(name, received, expected):
    """Rewrite the progress line on stderr: megabytes and percent."""
    if expected:
        line = '%s: %.1f of %.1f MB (%d%%)' % (
            name, received / 1e6, expected / 1e6, 100 * received // expected)
    else:
        line = '%s: %.1f MB' % (name, received / 1e6)
    sys.stderr.write('\r' + line)
    sys.stderr.flush()


##############
# READING IT #
##############

class _ArraysOnly(object):
    """Unpickler rules: build NumPy arrays and nothing else.

    A pickle names the functions it calls to rebuild its objects; a
    malicious one can name ``os.system``.  This refuses every global
    except the few NumPy uses for arrays, so loading cannot run code.
    Mixed into both unpicklers below.
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


class SafeUnpickler(_ArraysOnly, pickle.Unpickler):
    """Python's unpickler, admitting NumPy arrays only (see _ArraysOnly)."""


def _load_or_explain(unpickler, what):
    """``unpickler.load()``, with any failure as one DataError on ``what``."""
    try:
        return unpickler.load()
    except _GzipStreamError:
        raise  # the gzip layer's failure: its caller words it
    except DataError as err:
        raise DataError('%s: %s' % (what, err)) from None
    except Exception as err:  # any damage inside the pickle stream
        raise DataError('%s is not a readable pickle (%s: %s)'
                        % (what, type(err).__name__, err)) from None


def safe_loads(data, what):
    """Unpickle bytes with :class:`SafeUnpickler`; errors name ``what``."""
    return _load_or_explain(SafeUnpickler(io.BytesIO(data), encoding='latin1'),
                            what)


def read_gzip(path):
    """The whole decompressed content of a gzip file, or a clear error."""
    try:
        with gzip.open(path, 'rb') as f:
            return f.read()
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        raise DataError('%s is not a complete gzip file (%s); delete it and '
                        'fetch it again' % (path, err)) from None



class StreamingSafeUnpickler(_ArraysOnly, pickle._Unpickler):
    """:class:`SafeUnpickler`'s rules, for reading a file as it streams in.

    This is Python's own pure-Python unpickler (the C one copies every
    string it reads once more).  With ``encoding='bytes'`` the Python 2
    strings that hold the arrays' pixels stay the bytes they were read as,
    and NumPy builds each array on those bytes: the data exists once in
    memory instead of three times (whole file, decoded text, re-encoded
    bytes), and loads three times faster.
    """


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
            return _load_or_explain(
                StreamingSafeUnpickler(_ExactReader(f), encoding='bytes'),
                path)
    except _GzipStreamError as err:
        raise DataError('%s is not a complete gzip file (%s); delete it and '
                        'fetch it again' % (path, err)) from None

def load_mnist_arrays(path, dtype=None):
    """Read MNIST: three ``(x, y)`` pairs of NumPy arrays.

    :type path: str
    :param path: the tutorial's gzipped pickle of ``(train, valid, test)``,
        or a folder holding the four original IDX files (or one of those
        files: its folder is read)
    :type dtype: str or None
    :param dtype: if given, the dtype the x arrays are converted to, one
        after the other, each freeing the file's copy before the next (so
        float64 needs 1.3x, not 1.6x, the final data's memory)
    :rtype: list of three ``(x, y)`` tuples: x a float array of shape
        (n, 784), y an int vector of shape (n,)
    """
    if os.path.isdir(path):
        return load_idx_sets(path)
    if IDX_NAME.match(os.path.basename(path)):
        return load_idx_sets(os.path.dirname(path) or '.')
    if not os.path.isfile(path):
        raise DataError('%s does not exist' % path)
    expected = bundled_sha256(path)
    if expected is not None and sha256_of(path) != expected:
        raise DataError(
            '%s is not the tutorial\'s file (its sha256 should be %s); '
            'delete it and run again to download it afresh' % (path, expected))
    sets = validate_sets(safe_load_gzip(path), path)
    if dtype is not None:
        for i in range(len(sets)):
            sets[i] = (sets[i][0].astype(dtype, copy=False), sets[i][1])
    return sets


def read_idx(path, ndim):
    """An IDX array of unsigned bytes with ``ndim`` dimensions.

    IDX, the format of the original MNIST files, is a 4-byte magic number
    (two zero bytes, a type code, 0x08 for unsigned bytes, and the number
    of dimensions), one big-endian 32-bit size per dimension, then the
    values in row-major order.

    :type path: str
    :param path: the file, gzip-compressed if its name ends in ``.gz``
    :rtype: numpy.ndarray of uint8
    """
    if path.endswith('.gz'):
        data = read_gzip(path)
    else:
        with open(path, 'rb') as f:
            data = f.read()
    magic = data[:4]
    if len(magic) < 4 or magic[:3] != b'\x00\x00\x08' or magic[3] != ndim:
        raise DataError(
            '%s is not an IDX file of %d-D unsigned bytes (its magic number '
            'is %s, expected 0x0000080%d)' % (path, ndim, magic.hex(), ndim))
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DataError('%s is truncated inside its header' % path)
    shape = tuple(int(n) for n in numpy.frombuffer(data, '>u4', ndim, 4))
    size = int(numpy.prod(shape))
    if len(data) - header != size:
        raise DataError('%s holds %d bytes of values, but its header %s '
                        'announces %d; the file is %s'
                        % (path, len(data) - header, shape, size,
                           'truncated' if len(data) - header < size
                           else 'damaged'))
    return numpy.frombuffer(data, numpy.uint8, size, header).reshape(shape)


def find_idx_file(folder, name):
    """Path of ``name`` or ``name.gz`` in ``folder``, or a clear error."""
    for candidate in (name, name + '.gz'):
        path = os.path.join(folder, candidate)
        if os.path.isfile(path):
            return path
    raise DataError('%s has no %s (nor %s.gz): an MNIST folder needs the '
                    'four files %s' % (folder, name, name,
                                       ', '.join(IDX_FILES.values())))


def load_idx_sets(folder):
    """Read the original MNIST IDX files into the tutorial's split.

    The last ``VALID_ROWS`` (10000) training images are the validation
    set, the ones before them (50000) the training set, the t10k files the
    test set.  Pixels are divided by 256 into float32, as the tutorial's
    pickle has them; labels are int64.

    :type folder: str
    :rtype: list of three ``(x, y)`` tuples, as :func:`load_mnist_arrays`
    """
    if not os.path.isdir(folder):
        raise DataError('%s is not a folder of MNIST IDX files' % folder)
    pairs = []
    for kind in ('train', 'test'):
        images_path = find_idx_file(folder, IDX_FILES[kind + '_images'])
        labels_path = find_idx_file(folder, IDX_FILES[kind + '_labels'])
        images = read_idx(images_path, 3)
        labels = read_idx(labels_path, 1)
        if len(images) != len(labels):
            raise DataError('%s has %d images but %s has %d labels'
                            % (images_path, len(images), labels_path,
                               len(labels)))
        x = images.reshape(len(images), -1).astype(numpy.float32)
        x /= 256  # exact: a power of two
        pairs.append((x, labels.astype(numpy.int64)))
    (train_x, train_y), test_set = pairs
    if len(train_x) <= VALID_ROWS:
        raise DataError('%s: the training files hold %d images; the split '
                        'needs more than %d' % (folder, len(train_x),
                                                VALID_ROWS))
    cut = len(train_x) - VALID_ROWS
    sets = [(train_x[:cut], train_y[:cut]), (train_x[cut:], train_y[cut:]),
            test_set]
    return validate_sets(sets, folder)


def validate_sets(sets, what):
    """Check the (train, valid, test) structure; return it as a list.

    :param what: the file the sets came from, named in every error
    """
    if not isinstance(sets, (tuple, list)) or len(sets) != 3:
        raise DataError('%s should hold a tuple (train, valid, test); it '
                        'holds %s' % (what, describe_object(sets)))
    checked = []
    for name, pair in zip(('train', 'valid', 'test'), sets):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise DataError('%s: the %s set should be a pair (x, y); it is '
                            '%s' % (what, name, describe_object(pair)))
        x, y = pair
        if not (isinstance(x, numpy.ndarray) and x.ndim == 2
                and x.dtype.kind == 'f'):
            raise DataError('%s: %s x should be a 2-D float array; it is %s'
                            % (what, name, describe_object(x)))
        if not (isinstance(y, numpy.ndarray) and y.ndim == 1
                and y.dtype.kind in 'iu' and len(y) == len(x)):
            raise DataError('%s: %s y should be an integer vector with one '
                            'label per row of x (%d rows); it is %s'
                            % (what, name, len(x), describe_object(y)))
        if len(y) and (y.min() < 0 or y.max() > 9):
            raise DataError('%s: %s labels should lie in 0..9, found %d..%d'
                            % (what, name, y.min(), y.max()))
        if not _all_finite(x):
            raise DataError('%s: %s x holds NaN or infinite pixels'
                            % (what, name))
        checked.append((x, y))
    return checked


def _all_finite(x, rows=4096):
    """``numpy.isfinite(x).all()``, a few thousand rows at a time.

    The whole mask of the training set (one byte a pixel, 37 MiB) would
    add that much to the peak of loading.
    """
    return all(numpy.isfinite(x[start:start + rows]).all()
               for start in range(0, len(x), rows))


def describe_object(obj):
    """A short description of ``obj`` for error messages."""
    if isinstance(obj, numpy.ndarray):
        return 'a %s array of shape %s' % (obj.dtype, obj.shape)
    if isinstance(obj, (tuple, list)):
        return 'a %s of length %d' % (type(obj).__name__, len(obj))
    return 'a %s' % type(obj).__name__


################
# SAVED MODELS #
################

def atomic_write_bytes(path, data):
    """Write ``data`` to ``path`` so that a crash never leaves half a file.

    The bytes go to a temporary file in the same folder, are flushed to
    disk, then renamed over ``path`` in one step.  The file gets the
    permissions ``open(path, 'w')`` would give it (see
    :func:`temporary_beside`).
    """
    fd, tmp = temporary_beside(path)
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
