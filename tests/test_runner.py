"""``python -m theano_compat SCRIPT``: Theano programs, unchanged.

The programs are in tests/runner/; Theano itself is never imported.
"""

import json
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
                     'import theano.tensor.elemwise\n'
                     'import pytensor.tensor.elemwise\n'
                     'print(theano is theano_compat, T is theano_compat.T,'
                     ' theano.tensor.elemwise is pytensor.tensor.elemwise)')
    assert run.stdout.split() == ['True', 'True', 'True']


def test_a_module_the_port_lacks_says_what_to_use():
    run = run_module([os.path.join(RUNNER_DIR, 'missing_module.py')])
    assert run.returncode == 1
    assert run.stderr.splitlines()[-1] == (
        "ModuleNotFoundError: No module named 'theano.sandbox.cuda' "
        "(theano.sandbox.cuda: Theano's old GPU back end is gone; run on a "
        "GPU with THEANO_FLAGS=device=cuda (through JAX))")


USAGE = ('usage: python -m theano_compat [-m MODULE | -c CODE | SCRIPT | -] '
         '[ARGS...]')

# Prints what Python gives a program (one JSON line), whether a class of
# __main__ pickles, then what ``import theano`` finds.
PROBE = """\
import json, os, pickle, sys
class Here(object):
    pass
spec = globals().get('__spec__')
print(json.dumps({
    'argv': sys.argv, 'path0': sys.path[0], 'name': __name__,
    'file': globals().get('__file__'),
    'spec': spec.name if spec else None,
    'package': globals().get('__package__'),
    'main_is_here': sys.modules['__main__'].__dict__ is globals(),
    'pickles': type(pickle.loads(pickle.dumps(Here()))).__name__,
    'cwd_listed': os.getcwd() in sys.path}, sort_keys=True))
try:
    import theano
    print('theano is', theano.__name__)
except ImportError as error:
    print('no theano:', error)
"""


@pytest.mark.parametrize('how', [['-m', 'probe'], ['probe.py'],
                                 ['-c', PROBE], ['-']])
def test_a_program_sees_what_python_gives_it(how, tmp_path):
    """Module, script, program text, standard input: sys.argv,
    sys.path[0], __name__, __file__, __spec__ and __main__ as ``python``
    itself gives them, compared with plain ``python`` run the same way."""
    (tmp_path / 'probe.py').write_text(PROBE)
    args = how + ['first', '--second']
    stdin = PROBE if how == ['-'] else None
    runs = [subprocess.run([sys.executable] + prefix + args, input=stdin,
                           env=child_environment(), capture_output=True,
                           text=True, timeout=600, cwd=str(tmp_path))
            for prefix in ([], ['-m', 'theano_compat'])]
    for run in runs:
        assert run.returncode == 0, run.stderr
    (python_seen, python_theano), (ours_seen, ours_theano) = [
        run.stdout.splitlines() for run in runs]
    assert ours_seen == python_seen
    assert json.loads(ours_seen)['argv'][1:] == ['first', '--second']
    assert python_theano == "no theano: No module named 'theano'"
    assert ours_theano == 'theano is theano_compat'


SUITE = """\
import sys
import numpy
import theano
import theano.tensor as T


def test_a_compiled_function():
    x = T.dvector('x')
    f = theano.function([x], T.nnet.sigmoid(x) * 2)
    assert numpy.allclose(f(numpy.zeros(2)), [1., 1.])


def test_that_fails():
    assert theano.tensor.dscalar().ndim == 1, 'fails on purpose'
"""


def test_pytest_runs_a_theano_test_suite(tmp_path):
    """``-m pytest``: a Theano project's own tests run on the port (one
    passes, one fails on purpose, and pytest's exit status says so)."""
    (tmp_path / 'test_suite.py').write_text(SUITE)
    run = subprocess.run(
        [sys.executable, '-m', 'theano_compat', '-m', 'pytest', '-q',
         '-p', 'no:cacheprovider', 'test_suite.py'],
        env=child_environment(), capture_output=True, text=True,
        timeout=600, cwd=str(tmp_path))
    assert run.returncode == 1, run.stdout + run.stderr
    assert 'AssertionError: fails on purpose' in run.stdout
    assert run.stdout.splitlines()[-1].startswith('1 failed, 1 passed')


# The runner's command line, wrong in each way; each must give one line.
BAD_USAGE = {
    '': 'no program given',
    '-m': '-m needs a module name',
    '-c': '-c needs the program text',
    '-x': "unknown option -x (Python's own options go before -m "
          "theano_compat)",
    'no_such_script.py': 'no script at no_such_script.py',
    '-m no_such_module_here': 'no module named no_such_module_here',
    '-m email': 'email is a package without a __main__ module; it cannot '
                'be run',
}


def test_bad_usage_is_one_line_and_status_2():
    """Each command line of BAD_USAGE through ``main`` (one process for
    all), then the first one through ``python -m theano_compat``."""
    code = ('import contextlib, io, json, sys\n'
            'from theano_compat.runner import main\n'
            'seen = {}\n'
            'for args in json.loads(sys.argv[1]):\n'
            '    err = io.StringIO()\n'
            '    with contextlib.redirect_stderr(err):\n'
            '        status = main(args.split())\n'
            '    seen[args] = [status, err.getvalue()]\n'
            'print(json.dumps(seen))\n')
    run = run_python(code, args=[json.dumps(list(BAD_USAGE))])
    seen = json.loads(run.stdout.splitlines()[-1])
    assert seen == {args: [2, 'error: %s; %s\n' % (message, USAGE)]
                    for args, message in BAD_USAGE.items()}
    run = run_module([])
    assert (run.returncode, run.stdout) == (2, '')
    assert run.stderr == 'error: no program given; %s\n' % USAGE


def test_help_goes_to_stdout():
    run = run_module(['--help'])
    assert run.returncode == 0
    assert run.stdout.splitlines()[0] == USAGE
    assert '  -m MODULE  a module found on sys.path, e.g. -m pytest test.py' \
        in run.stdout.splitlines()


def test_bad_flags_are_one_line_from_the_runner():
    run = run_module([SCRIPT], THEANO_FLAGS='floatX=float16')
    assert run.returncode == 2
    assert run.stderr == ("error: THEANO_FLAGS: floatX='float16' is not "
                          "supported; use one of: float64, float32\n")
    assert run.stdout == ''
