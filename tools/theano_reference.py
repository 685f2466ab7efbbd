"""Record what the Theano scripts print on real Theano 1.0.5 (the oracle).

``tests/theano_scripts/`` holds small programs written exactly as a Theano
user writes them (``import theano``, ``theano.tensor``, ``conv2d``,
``pool_2d``, ``MRG_RandomStreams``, ``theano.scan``...).  Each prints its
results as lines that can be compared exactly.  Run on real Theano, they
are the oracle: the port (``code/theano_compat.py`` over PyTensor) must
print the same things, within the tolerance each test allows.

Theano 1.0.5 needs NumPy < 1.24 and so cannot live beside the project's
NumPy 2.  It gets a side virtual environment, and this tool is the only
thing that ever runs it:

``setup [--venv DIR] [--python PY]``
    Create the side environment (``PY -m venv DIR``, then ``pip install
    numpy==1.23.5 scipy==1.10.1 six theano==1.0.5``), unless DIR already
    runs Theano 1.0.5, and write its start-up hook for scan (below).

``record [--venv DIR] [--only NAME ...] [--twice]``
    Write a slice of the bundled MNIST (the first 3000 train, 1000 valid
    and 1000 test rows, read through ``code/mnist_data.py``; x float32, y
    int64) as an ``.npz`` in a temporary folder, run each script there
    under the venv's Python with its Theano flags, and write
    ``tests/theano_reference.json``: per run, the script and its SHA-256,
    the flags, the environment variables set, the versions of Theano,
    NumPy, SciPy and Python, the seconds the run took, and its exact
    stdout.  ``--only`` re-runs only the named runs (a run name such as
    ``mrg_values/float32``, or a script name such as ``mrg_values`` for
    all its runs) and keeps the other entries of the existing file.
    ``--twice`` runs each script twice and fails unless both print the
    same.  The file is written atomically (a temporary file in the same
    folder, then a rename) and only when every run succeeded.

Flags: every run gets ``blas.ldflags=`` (Theano's NumPy-BLAS detection
fails on NumPy 1.23 with Python 3.11), an explicit ``floatX``, and
``base_compiledir`` pointing into the venv (a cache of compiled C code;
it changes no result, so the record leaves it out).  Theano 1.0.5's
scan is a Cython module compiled on first use, which fails on Python
3.11; the start-up hook that ``setup`` writes into the venv (a module
loaded by a ``.pth`` file: Debian's own ``sitecustomize.py`` would hide
one in the venv) makes the import of
``theano.scan_module.scan_perform_ext`` raise ImportError,
upon which Theano's scan runs its own Python loop (``Scan.execute``)
around the inner function, compiled as usual, with the C backend on.
Runs named ``*-python`` get ``cxx=`` (no compiler: each op's Python
implementation); ``mrg_values`` and ``rbm_step`` are recorded both ways
(see tests/theano_scripts/README).  The user's ``~/.theanorc`` is
ignored and BLAS and OpenMP run on one thread, so the record does not
depend on the machine's settings.

The test suite only reads the JSON file; it never installs or imports
Theano.  Bad input (no venv, a failing script, an unknown run name) is
reported as one ``error: ...`` line on stderr, with exit status 2.
"""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPTS = os.path.join(ROOT, 'tests', 'theano_scripts')
REFERENCE = os.path.join(ROOT, 'tests', 'theano_reference.json')
COMMON = os.path.join(SCRIPTS, 'common.py')
SERIES_DATA = os.path.join(SCRIPTS, 'series_data.py')
MNIST = os.path.join(ROOT, 'data', 'mnist.pkl.gz')

DEFAULT_VENV = os.path.join(tempfile.gettempdir(), 'theano105')
PACKAGES = ['numpy==1.23.5', 'scipy==1.10.1', 'six', 'theano==1.0.5']
THEANO_VERSION = '1.0.5'

# Rows of each set in the data slice given to the scripts.
SLICE_ROWS = (('train', 3000), ('valid', 1000), ('test', 1000))

# Flag sets: run-name suffix -> Theano flags (blas.ldflags= and the
# compile folder are added to all).  "-python" means no C compiler.
VARIANTS = {
    'float64': 'floatX=float64',
    'float32': 'floatX=float32',
    'float64-python': 'floatX=float64,cxx=',
    'float32-python': 'floatX=float32,cxx=',
}
# Each script and the variants it is recorded under.
SCRIPT_VARIANTS = (
    ('logreg', ('float64', 'float32')),
    ('mlp', ('float64', 'float32')),
    ('lenet', ('float64', 'float32')),
    ('conv_pool_values', ('float64',)),
    ('nnet_ops_values', ('float64', 'float32')),
    ('conv_pool_nd_values', ('float64', 'float32')),
    ('mrg_values', ('float64', 'float32', 'float64-python',
                    'float32-python')),
    ('da_step', ('float64', 'float32')),
    ('rbm_step', ('float64', 'float64-python')),
    ('printing', ('float64',)),  # debugprint, pp, Print, the debug modes
    ('random_streams', ('float64', 'float32')),  # RandomState streams
    # the rest of the series, on synthetic data from series_data.py
    ('hmc_step', ('float64', 'float32')),
    ('lstm_step', ('float64', 'float32')),
    ('rnnslu_step', ('float64', 'float32')),
    ('rnnrbm_step', ('float64', 'float32')),
)
# Scripts that import series_data.py: their records pin its hash too.
SERIES_DATA_SCRIPTS = ('lstm_step', 'rnnslu_step', 'rnnrbm_step')
RUNS = tuple(('%s/%s' % (script, variant), script, VARIANTS[variant])
             for script, variants in SCRIPT_VARIANTS for variant in variants)

# Environment variables every run gets (recorded with each run).
FIXED_ENV = {
    'THEANORC': os.devnull,   # ignore the user's ~/.theanorc
    'OMP_NUM_THREADS': '1',
    'OPENBLAS_NUM_THREADS': '1',
    'MKL_NUM_THREADS': '1',
    'PYTHONHASHSEED': '0',
}
# Variables of the caller's environment that must not reach the venv.
DROPPED_ENV = ('THEANO_FLAGS', 'PYTHONPATH', 'PYTHONHOME', 'PYTHONSTARTUP',
               'VIRTUAL_ENV')

DEFAULT_TIMEOUT = 900  # seconds per script run

# Written into the venv's site-packages by ``setup``: Theano's scan falls
# back to its Python loop when this import fails (scan_op.py catches the
# ImportError), instead of compiling Cython code that fails on 3.11.  The
# hook is a module of its own loaded by a .pth file, not a
# sitecustomize.py: Debian's Python has /usr/lib/python3.11/sitecustomize.py,
# which comes first on the path, so a venv's sitecustomize.py is never read.
REFUSED_MODULE = 'theano.scan_module.scan_perform_ext'
HOOK_NAME = 'theano_scan_python_loop'
HOOK_PTH = 'import %s\n' % HOOK_NAME
HOOK_MODULE = '''"""Written by tools/theano_reference.py setup (the Deep
Learning Tutorials port), loaded at start-up by the .pth file of the same
name: refuses the import of %(module)s,
so that Theano 1.0.5's scan, whose Cython code does not compile on
Python 3.11, runs its own Python loop.  Every other import is left
alone."""

import importlib.abc
import sys


class RefuseScanPerformExt(importlib.abc.MetaPathFinder):
    """Raises ImportError for exactly %(module)s."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname == %(module)r:
            raise ImportError(
                '%%s is refused by %(name)s: Theano runs scan as a '
                'Python loop' %% fullname, name=fullname)
        return None


if not any(isinstance(finder, RefuseScanPerformExt)
           for finder in sys.meta_path):
    sys.meta_path.insert(0, RefuseScanPerformExt())
''' % {'module': REFUSED_MODULE, 'name': HOOK_NAME}

PROBE = ('import json, platform, numpy, scipy, theano; '
         'print(json.dumps({"theano": theano.__version__, '
         '"numpy": numpy.__version__, "scipy": scipy.__version__, '
         '"python": platform.python_version()}))')


class ToolError(Exception):
    """A problem to report as one ``error: ...`` line."""


###############
# ENVIRONMENT #
###############

def venv_python(venv):
    """The venv's interpreter, or a ToolError saying how to make one."""
    python = os.path.join(venv, 'bin', 'python')
    if not os.path.isfile(python):
        raise ToolError(
            'no Theano virtual environment at %s (%s is missing); create it '
            'with: python3 tools/theano_reference.py setup --venv %s'
            % (venv, python, venv))
    return python


def run_env(theano_flags, compiledir):
    """The environment of one run: the caller's, cleaned, plus the fixed
    settings and THEANO_FLAGS (with the compile folder appended)."""
    env = {key: value for key, value in os.environ.items()
           if key not in DROPPED_ENV}
    env.update(FIXED_ENV)
    env['THEANO_FLAGS'] = 'blas.ldflags=,%s,base_compiledir=%s' % (
        theano_flags, compiledir)
    return env


def last_line(text):
    """The last non-blank line of ``text`` ('' if none)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ''


def probe_versions(python, compiledir):
    """Versions of Theano, NumPy, SciPy and Python in the venv."""
    try:
        done = subprocess.run(
            [python, '-c', PROBE], capture_output=True, text=True,
            env=run_env('floatX=float64', compiledir), timeout=300)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise ToolError('cannot run %s: %s' % (python, err)) from None
    if done.returncode != 0:
        raise ToolError('%s cannot import theano: %s'
                        % (python, last_line(done.stderr)))
    try:
        return json.loads(last_line(done.stdout))
    except ValueError:
        raise ToolError('unexpected output from %s: %r'
                        % (python, done.stdout[-200:])) from None


def setup(venv, python_exe):
    """Create the side venv with Theano 1.0.5, unless it already works."""
    python = os.path.join(venv, 'bin', 'python')
    compiledir = os.path.join(venv, 'compiledir')
    if os.path.isfile(python):
        try:
            versions = probe_versions(python, compiledir)
        except ToolError:
            versions = None
        if versions and versions['theano'] == THEANO_VERSION:
            print('%s already runs Theano %s (NumPy %s, Python %s)'
                  % (venv, versions['theano'], versions['numpy'],
                     versions['python']))
            write_scan_hook(python)
            return
    interpreter = shutil.which(python_exe)
    if interpreter is None:
        raise ToolError('%s not found: Theano 1.0.5 needs a Python of at '
                        'most 3.11 (give one with --python)' % python_exe)
    for command in ([interpreter, '-m', 'venv', venv],
                    [python, '-m', 'pip', 'install'] + PACKAGES):
        print('$ ' + ' '.join(command), flush=True)
        try:
            status = subprocess.run(command).returncode
        except OSError as err:
            raise ToolError('cannot run %s: %s' % (command[0], err)) from None
        if status != 0:
            raise ToolError('%s failed with exit status %d'
                            % (' '.join(command[:4]), status))
    versions = probe_versions(python, compiledir)
    if versions['theano'] != THEANO_VERSION:
        raise ToolError('%s has Theano %s, not %s'
                        % (venv, versions['theano'], THEANO_VERSION))
    print('%s runs Theano %s' % (venv, versions['theano']))
    write_scan_hook(python)


def site_packages(python):
    """The folder where the venv of ``python`` has Theano."""
    code = ('import importlib.util, os; print(os.path.dirname(importlib.util.'
            'find_spec("theano").submodule_search_locations[0]))')
    try:
        done = subprocess.run([python, '-c', code], capture_output=True,
                              text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise ToolError('cannot run %s: %s' % (python, err)) from None
    folder = last_line(done.stdout)
    if done.returncode != 0 or not os.path.isdir(folder):
        raise ToolError('cannot find where %s has Theano: %s'
                        % (python, last_line(done.stderr) or folder))
    return folder


def write_scan_hook(python):
    """Write :data:`HOOK_MODULE` and the .pth file that loads it into the
    venv (each through a temporary file), then check that a fresh process
    refuses the module."""
    folder = site_packages(python)
    for name, text in ((HOOK_NAME + '.py', HOOK_MODULE),
                       (HOOK_NAME + '.pth', HOOK_PTH)):
        path = os.path.join(folder, name)
        with open(path + '.part', 'w') as f:
            f.write(text)
        os.replace(path + '.part', path)
    check_scan_hook(python)
    print('%s: the import of %s is refused (scan runs its Python loop)'
          % (os.path.join(folder, HOOK_NAME + '.pth'), REFUSED_MODULE))


def check_scan_hook(python):
    """ToolError unless the venv has this tool's hook and a fresh process
    of it refuses :data:`REFUSED_MODULE`."""
    folder = site_packages(python)
    texts = []
    for name in (HOOK_NAME + '.py', HOOK_NAME + '.pth'):
        try:
            with open(os.path.join(folder, name)) as f:
                texts.append(f.read())
        except OSError:
            texts.append(None)
    code = ('import importlib\ntry:\n    importlib.import_module(%r)\n'
            'except ImportError as e:\n    print("refused" if %r in str(e) '
            'else "failed: %%s" %% e)\nelse:\n    print("imported")'
            % (REFUSED_MODULE, HOOK_NAME))
    done = subprocess.run([python, '-c', code], capture_output=True,
                          text=True, timeout=300, env=run_env(
                              'floatX=float64', os.path.join(
                                  os.path.dirname(os.path.dirname(python)),
                                  'compiledir')))
    seen = last_line(done.stdout) or last_line(done.stderr)
    if texts != [HOOK_MODULE, HOOK_PTH] or seen != 'refused':
        raise ToolError('%s does not refuse %s (%s); write the hook with: '
                        'python3 tools/theano_reference.py setup --venv %s'
                        % (folder, REFUSED_MODULE,
                           seen if texts == [HOOK_MODULE, HOOK_PTH]
                           else 'no hook of this tool there',
                           os.path.dirname(os.path.dirname(python))))


##############
# DATA SLICE #
##############

def slice_arrays():
    """The data slice as a dict of NumPy arrays (train_x, train_y, ...)."""
    sys.path.insert(0, os.path.join(ROOT, 'code'))
    try:
        import numpy
        import mnist_data
        try:
            sets = mnist_data.load_mnist_arrays(MNIST)
        except mnist_data.DataError as err:
            raise ToolError(str(err)) from None
    finally:
        sys.path.pop(0)
    arrays = {}
    for (name, rows), (x, y) in zip(SLICE_ROWS, sets):
        arrays[name + '_x'] = numpy.ascontiguousarray(x[:rows],
                                                      dtype=numpy.float32)
        arrays[name + '_y'] = numpy.ascontiguousarray(y[:rows],
                                                      dtype=numpy.int64)
    return arrays


def arrays_sha256(arrays):
    """SHA-256 over each array's name, dtype, shape and bytes, in name
    order (a digest of the content, unlike the .npz file's)."""
    digest = hashlib.sha256()
    for name in sorted(arrays):
        array = arrays[name]
        digest.update(('%s %s %s\n' % (name, array.dtype.str,
                                       array.shape)).encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def file_sha256(path):
    """Hex SHA-256 of a file's bytes."""
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


#############
# RECORDING #
#############

def select_runs(only):
    """The runs named by ``only`` (all when empty), in table order."""
    if not only:
        return list(RUNS)
    known = {name for name, _, _ in RUNS} | {script for _, script, _ in RUNS}
    unknown = [name for name in only if name not in known]
    if unknown:
        raise ToolError('unknown run %s; known: %s'
                        % (', '.join(unknown),
                           ', '.join(sorted(known))))
    return [run for run in RUNS if run[0] in only or run[1] in only]


def run_script(python, run, slice_path, workdir, compiledir, timeout):
    """Run one script; return (stdout, seconds) or raise ToolError."""
    name, script, flags = run
    path = os.path.join(SCRIPTS, script + '.py')
    what = '%s (THEANO_FLAGS=blas.ldflags=,%s)' % (name, flags)
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [python, path, slice_path], cwd=workdir, capture_output=True,
            text=True, env=run_env(flags, compiledir), timeout=timeout)
    except subprocess.TimeoutExpired:
        raise ToolError('%s ran past %d seconds' % (what, timeout)) from None
    except OSError as err:
        raise ToolError('cannot run %s: %s' % (what, err)) from None
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise ToolError('%s failed with exit status %d: %s'
                        % (what, done.returncode,
                           last_line(done.stderr) or '(no message)'))
    if not done.stdout:
        raise ToolError('%s printed nothing' % what)
    return done.stdout, seconds


def load_reference(path):
    """The existing record, or a ToolError if it cannot be read."""
    try:
        with open(path) as f:
            reference = json.load(f)
    except (OSError, ValueError) as err:
        raise ToolError('cannot read %s to keep its other runs: %s'
                        % (path, err)) from None
    if not isinstance(reference, dict) or not isinstance(
            reference.get('runs'), dict):
        raise ToolError('%s is not a record of this tool' % path)
    return reference


def write_json_atomically(path, obj):
    """Write ``obj`` as JSON to ``path`` through a temporary file."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix='.' + os.path.basename(path) + '.',
                               suffix='.part', dir=folder)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp's file is private (0600)
        with os.fdopen(fd, 'w') as f:
            json.dump(obj, f, indent=1, sort_keys=True)
            f.write('\n')
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def record(venv, only, twice, output, timeout):
    """Run the selected scripts on Theano and write the record."""
    python = venv_python(venv)
    compiledir = os.path.join(venv, 'compiledir')
    runs = select_runs(only)
    reference = None
    if only and os.path.exists(output):
        reference = load_reference(output)
    versions = probe_versions(python, compiledir)
    if versions['theano'] != THEANO_VERSION:
        raise ToolError('%s has Theano %s, not %s'
                        % (venv, versions['theano'], THEANO_VERSION))
    check_scan_hook(python)
    arrays = slice_arrays()
    entries = {}
    with tempfile.TemporaryDirectory(prefix='theano_reference.') as workdir:
        import numpy
        slice_path = os.path.join(workdir, 'mnist_slice.npz')
        numpy.savez(slice_path, **arrays)
        for run in runs:
            name, script, flags = run
            stdout, seconds = run_script(python, run, slice_path, workdir,
                                         compiledir, timeout)
            if twice:
                again, _ = run_script(python, run, slice_path, workdir,
                                      compiledir, timeout)
                if again != stdout:
                    raise ToolError('%s printed different results on a '
                                    'second run' % name)
            print('%-28s %7.2f s' % (name, seconds), flush=True)
            script_path = os.path.join(SCRIPTS, script + '.py')
            entries[name] = {
                'script': os.path.relpath(script_path, ROOT),
                'script_sha256': file_sha256(script_path),
                # the module every script imports (common.py)
                'common_sha256': file_sha256(COMMON),
                'theano_flags': 'blas.ldflags=,' + flags,
                'environment': dict(FIXED_ENV),
                'versions': versions,
                'seconds': round(seconds, 2),
                'stdout': stdout,
            }
            if script in SERIES_DATA_SCRIPTS:
                entries[name]['series_data_sha256'] = file_sha256(
                    SERIES_DATA)
    runs_out = dict(reference['runs']) if reference else {}
    runs_out.update(entries)
    write_json_atomically(output, {
        'about': ('Exact stdout of tests/theano_scripts/ on Theano 1.0.5, '
                  'written by tools/theano_reference.py record'),
        'data_slice': {
            'source': os.path.relpath(MNIST, ROOT),
            'rows': dict(SLICE_ROWS),
            'arrays_sha256': arrays_sha256(arrays),
        },
        'runs': runs_out,
    })
    print('wrote %s (%d runs)' % (output, len(runs_out)))


########
# MAIN #
########

def parse_args(argv):
    parser = argparse.ArgumentParser(
        description='Run the Theano scripts of tests/theano_scripts on real '
                    'Theano 1.0.5 and record what they print.')
    commands = parser.add_subparsers(dest='command', required=True)
    make = commands.add_parser('setup', help='create the Theano venv')
    make.add_argument('--venv', default=DEFAULT_VENV,
                      help='its folder (default %(default)s)')
    make.add_argument('--python', default='python3.11',
                      help='the interpreter to build it from '
                           '(default %(default)s)')
    rec = commands.add_parser('record', help='run the scripts, write '
                                             'tests/theano_reference.json')
    rec.add_argument('--venv', default=DEFAULT_VENV,
                     help='the Theano venv (default %(default)s)')
    rec.add_argument('--only', nargs='+', metavar='NAME',
                     help='re-run only these runs or scripts, keeping the '
                          'other entries')
    rec.add_argument('--twice', action='store_true',
                     help='run each script twice; fail if the outputs differ')
    rec.add_argument('--output', default=REFERENCE,
                     help='the record to write (default %(default)s)')
    rec.add_argument('--timeout', type=int, default=DEFAULT_TIMEOUT,
                     help='seconds allowed per script run '
                          '(default %(default)s)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        if args.command == 'setup':
            setup(os.path.abspath(args.venv), args.python)
        else:
            record(os.path.abspath(args.venv), args.only, args.twice,
                   args.output, args.timeout)
    except ToolError as err:
        print('error: %s' % err, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print('error: interrupted', file=sys.stderr)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main())
