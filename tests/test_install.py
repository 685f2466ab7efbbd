"""A plain install (``pip install .``, not editable), as users install.

The modules then live in site-packages, far from the repository's data/:
a bare data name must still work, through the per-user cache folder,
downloaded there and verified (from a mirror on 127.0.0.1 here), and the
engine must find its C++ sources.
"""

import http.server
import os
import subprocess
import venv

import pytest

from conftest import ROOT, child_environment, http_server

SOURCES = ['setup.py', 'README.md', 'code']


@pytest.fixture(scope='module')
def installed(tmp_path_factory):
    """A virtual environment with the project installed from a copy of
    its sources (the dependencies are this Python's, whichever versions it
    has: a .pth file puts its site folders after the venv's own)."""
    import shutil
    import sysconfig
    work = tmp_path_factory.mktemp('install')
    copy = work / 'source'
    copy.mkdir()
    for name in SOURCES:
        source = os.path.join(ROOT, name)
        if os.path.isdir(source):
            shutil.copytree(source, str(copy / name), ignore=shutil.
                            ignore_patterns('__pycache__', '*.egg-info'))
        else:
            shutil.copy(source, str(copy / name))
    env_dir = work / 'venv'
    venv.EnvBuilder(with_pip=False).create(str(env_dir))
    python = str(env_dir / 'bin' / 'python')
    site = subprocess.run([python, '-c', 'import sysconfig; print('
                           'sysconfig.get_paths()["purelib"])'],
                          capture_output=True, text=True, check=True
                          ).stdout.strip()
    paths = sysconfig.get_paths()
    with open(os.path.join(site, 'parent_environment.pth'), 'w') as f:
        f.write('%s\n%s\n' % (paths['purelib'], paths['platlib']))
    install = subprocess.run(
        [python, '-m', 'pip', 'install', '--no-deps', '--no-build-isolation',
         '--no-index', '-q', str(copy)], capture_output=True, text=True,
        timeout=600, env=child_environment(PYTHONPATH=''))
    assert install.returncode == 0, install.stderr
    return python, work


@pytest.fixture(scope='module')
def mirror():
    """An HTTP server on 127.0.0.1 serving the repository's data/."""
    folder = os.path.join(ROOT, 'data')

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=folder, **kwargs)

        def log_message(self, *args):
            pass

    with http_server(Handler) as address:
        yield address + '/mnist.pkl.gz'


LOAD = '''
import os, sys
import mnist_data, logistic_sgd
from theano_compat.engine import cop, elementwise, fused, reductions
from theano_compat.sandbox import rng_mrg
from theano_compat.tensor.nnet import abstract_conv, neighbours
from theano_compat.tensor.signal import pool
print(os.path.dirname(mnist_data.__file__) == os.path.dirname(
    logistic_sgd.__file__) and 'site-packages' in mnist_data.__file__)
# the C++ sources of every op on the one base are installed with them
ops, todo = [], [cop.ExternalCppOp]
while todo:
    ops.append(todo.pop())
    todo.extend(ops[-1].__subclasses__())
named = {op.__name__ for op in ops}
print(named >= {'FusedSoftmaxRegression', 'AbstractConv', 'Pool',
                'SumOfSquares', 'ChannelSums', 'Float32Tanh', 'mrg_uniform',
                'Images2Neibs', 'Images2NeibsGrad'}
      and all(os.path.isfile(path) for op in ops
              for path in op.source_paths()))
mnist_data.KNOWN_URLS['mnist.pkl.gz'] = (sys.argv[1],)
sets = logistic_sgd.load_data('mnist.pkl.gz')
print([s[0].get_value(borrow=True).shape[0] for s in sets])
print(mnist_data.data_dir())
print(sorted(os.listdir(mnist_data.data_dir())))
'''


def test_a_bare_data_name_works_where_the_modules_are_installed(
        installed, mirror, tmp_path):
    python, _ = installed
    home = tmp_path / 'home'
    env = child_environment(PYTHONPATH='', HOME=str(home))
    env.pop('XDG_CACHE_HOME', None)
    run = subprocess.run([python, '-c', LOAD, mirror], cwd=str(tmp_path),
                         env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    cache = str(home / '.cache' / 'deep-learning-tutorials')
    assert run.stdout.splitlines() == [
        'True', 'True', '... loading data', '[50000, 10000, 10000]', cache,
        "['mnist.pkl.gz']"]
    assert '... downloading mnist.pkl.gz from %s' % mirror in run.stderr


def test_the_installed_copy_trains_and_runs_theano_scripts(installed,
                                                          tmp_path):
    python, _ = installed
    env = child_environment(PYTHONPATH='', DEEP_LEARNING_TUTORIALS_DATA=
                            os.path.join(ROOT, 'data'))
    run = subprocess.run(
        [python, '-m', 'logistic_sgd', '--dry-run', '--quiet'],
        cwd=str(tmp_path), env=env, capture_output=True, text=True,
        timeout=600)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-2] == (
        'Optimization complete with best validation score of 26.729167 %,'
        'with test performance 28.291667 %')
    script = os.path.join(ROOT, 'tests', 'runner', 'theano_style.py')
    run = subprocess.run([python, '-m', 'theano_compat', script, 'x'],
                         cwd=str(tmp_path), env=env, capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[0] == 'args x'
