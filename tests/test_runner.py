"""``python -m theano_compat SCRIPT``: Theano programs, unchanged.

The programs are in tests/runner/; Theano itself is never imported.
"""

import os
import subprocess
import sys

import pytest

from conftest import ROOT, child_environment, run_python

RUNNER_DIR = os.path.join(ROOT, 'tests', 'runner')
SCRIPT = os.path.join(RUNNER_DIR, 'theano_style.py')


def run_module(args, **env):
    return subprocess.run([sys.executable, '-m', 'theano_compat'] + args,
                          env=child_environment(**env), capture_output=True,
                          text=True, timeout=600, cwd=ROOT)


def test_a_theano_script_runs_unchanged_and_gets_its_arguments():
    run = run_module([SCRIPT, 'first', '--second', '3'])
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        'args first --second 3',
        'theano is theano_compat tensor is theano_compat.tensor',
        'values 1.000000 1.000000 1.000000',  # sigmoid(0) * the In default
        'streams RandomStreams MRG_RandomStreams',
        'printing True']


def test_without_the_runner_the_script_fails_plainly():
    run = subprocess.run([sys.executable, SCRIPT],
                         env=child_environment(), capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 1
    assert run.stderr.splitlines()[-1] == (
        "ModuleNotFoundError: No module named 'theano'")


def test_nothing_named_theano_exists_outside_the_runner():
    run = run_python('import importlib.util, sys, theano_compat\n'
                     'from theano_compat import theano, T\n'
                     'print(importlib.util.find_spec("theano"),'
                     ' "theano" in sys.modules)')
    assert run.stdout.split() == ['None', 'False']


def test_a_real_theano_stays_the_users(tmp_path):
    fake = tmp_path / 'theano'
    fake.mkdir()
    (fake / '__init__.py').write_text('REAL = "the user\'s own"\n')
    code = ('import theano_compat, theano\n'
            'print(theano.REAL)\n'
            'try:\n'
            '    theano_compat.install_as_theano()\n'
            'except ImportError as error:\n'
            '    print(error)\n')
    run = run_python(code, PYTHONPATH=os.pathsep.join(
        [str(tmp_path), os.path.join(ROOT, 'code')]))
    lines = run.stdout.splitlines()
    assert lines[0] == "the user's own"
    assert lines[1].startswith('a module named theano is imported already')


def test_install_as_theano_in_a_running_interpreter():
    run = run_python('import theano_compat\n'
                     'theano_compat.install_as_theano()\n'
                     'import theano, theano.tensor as T\n'
                     'from theano.tensor.signal import pool\n'
                     'import theano.gradient\n'
                     'import pytensor.gradient\n'
                     'print(theano is theano_compat, T is theano_compat.T,'
                     ' theano.gradient is pytensor.gradient)')
    assert run.stdout.split() == ['True', 'True', 'True']


def test_a_module_the_port_lacks_says_what_to_use():
    run = run_module([os.path.join(RUNNER_DIR, 'missing_module.py')])
    assert run.returncode == 1
    assert run.stderr.splitlines()[-1] == (
        "ModuleNotFoundError: No module named 'theano.sandbox.cuda' "
        "(theano.sandbox.cuda: Theano's old GPU back end is gone; run on a "
        "GPU with THEANO_FLAGS=device=cuda (through JAX))")


@pytest.mark.parametrize('args, status, message', [
    ([], 2, 'usage: python -m theano_compat SCRIPT [ARGS...]'),
    (['no_such_script.py'], 2, 'error: no script at no_such_script.py'),
])
def test_usage_errors(args, status, message):
    run = run_module(args)
    assert run.returncode == status
    assert message in run.stderr.splitlines()


def test_bad_flags_are_one_line_from_the_runner():
    run = run_module([SCRIPT], THEANO_FLAGS='floatX=float16')
    assert run.returncode == 2
    assert run.stderr == ("error: THEANO_FLAGS: floatX='float16' is not "
                          "supported; use one of: float64, float32\n")
    assert run.stdout == ''
