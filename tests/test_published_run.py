"""The tutorial's published result, from the script itself.

``python code/logistic_sgd.py`` on the bundled MNIST must end as the
original tutorial's page says its run ended: best validation error
7.500000 %, test error 7.489583 %, after 74 epochs, in float64 and in
float32.  The expected output quoted by the documentation
(doc/expected_output.txt) must be the run's own last lines.
"""

import os
import re
import subprocess
import sys

import pytest

from conftest import CODE, ROOT, child_environment

# The numbers the original tutorial published for the full run.
PUBLISHED_LINES = [
    'epoch 73, minibatch 83/83, validation error 7.500000 %',
    '     epoch 73, minibatch 83/83, test error of best model 7.489583 %',
    'Optimization complete with best validation score of 7.500000 %,'
    'with test performance 7.489583 %']


@pytest.fixture(scope='module')
def full_runs(tmp_path_factory):
    """stdout of the full run, in each floatX."""
    runs = {}
    for floatx in ('float64', 'float32'):
        folder = tmp_path_factory.mktemp(floatx)
        run = subprocess.run(
            [sys.executable, os.path.join(CODE, 'logistic_sgd.py')],
            cwd=str(folder), env=child_environment(
                THEANO_FLAGS='floatX=' + floatx),
            capture_output=True, text=True, timeout=600)
        assert run.returncode == 0, run.stderr
        assert os.path.isfile(str(folder / 'best_model.pkl'))
        runs[floatx] = run.stdout.splitlines()
    return runs


@pytest.mark.parametrize('floatx', ['float64', 'float32'])
def test_the_full_run_prints_the_published_result(full_runs, floatx):
    lines = full_runs[floatx]
    assert lines[2].endswith('floatX %s' % floatx)
    assert lines[-4:-1] == PUBLISHED_LINES
    assert re.fullmatch(r'The code run for 74 epochs, with [\d.]+ epochs/sec',
                        lines[-1])


def test_float32_and_float64_print_the_same_checks(full_runs):
    # every validation line of the 74 epochs, not only the last
    assert full_runs['float32'][4:-1] == full_runs['float64'][4:-1]


def test_the_documented_output_is_the_runs_own(full_runs):
    with open(os.path.join(ROOT, 'doc', 'expected_output.txt')) as f:
        documented = f.read().splitlines()
    run = full_runs['float64']
    assert documented[:-1] == run[-len(documented):-1]
    speed = r'The code run for 74 epochs, with [\d.]+ epochs/sec'
    assert re.fullmatch(speed, documented[-1])
