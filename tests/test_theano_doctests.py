"""Theano 1.0.5's own tutorial pages, run here.

tools/theano_doctests.py takes Theano 1.0.5's source distribution from
the package registry into a cache folder (once), reads the ``>>>``
examples of its doc/tutorial pages inside the archive and runs each page
through ``python -m theano_compat``; tests/theano_doctests.json is what
the same pages raised and printed on Theano 1.0.5.  The goal: no example
that ran on Theano raises here, and every printed value agrees (the
comparison rule is in the tool's docstring), but for the few listed in
KNOWN_DIFFERENCES, where agreeing would mean changing what PyTensor's own
classes are or how it builds and compiles a graph.
"""

import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT, child_environment

TOOL = os.path.join(ROOT, 'tools')

# (page, line of the example): why it prints otherwise here.  Reviewed
# one by one; an example that comes to agree must leave the list.
PYTENSOR_CLASS = 'PyTensor\'s own class, whose repr is not Theano\'s'
KNOWN_DIFFERENCES = {
    ('adding.txt', 71): PYTENSOR_CLASS + ': type(x) is '
                        'pytensor.tensor.variable.TensorVariable',
    ('adding.txt', 73): PYTENSOR_CLASS + ': x.type is '
                        'TensorType(float64, shape=())',
    ('adding.txt', 75): PYTENSOR_CLASS + ': T.dscalar is '
                        'TensorType(float64, shape=())',
    ('using_gpu.txt', 81): PYTENSOR_CLASS + ': the compiled nodes print '
                           'as Exp(<Vector(float64, shape=(?,))>)',
    ('printing_drawing.txt', 69): 'another graph: PyTensor builds T.dot of a '
                                  'matrix and a vector as a Dot of matrices '
                                  'between ExpandDims and Squeeze, and does '
                                  'not share equal small constants as '
                                  'Theano\'s constant cache did',
    ('printing_drawing.txt', 90): 'another compiled graph: PyTensor\'s '
                                  'fusion orders the Composite\'s inputs '
                                  'and its running order otherwise',
}


def doctest_tool():
    sys.path.insert(0, TOOL)
    try:
        import theano_doctests
    finally:
        sys.path.pop(0)
    return theano_doctests


@pytest.fixture(scope='module')
def pages_run(tmp_path_factory):
    """The tool's ``run`` of every page: (its stdout, record, results)."""
    tool = doctest_tool()
    results = tmp_path_factory.mktemp('doctests') / 'results.json'
    run = subprocess.run(
        [sys.executable, os.path.join(TOOL, 'theano_doctests.py'), 'run',
         '--json', str(results)],
        env=child_environment(), capture_output=True, text=True,
        timeout=1800, cwd=ROOT)
    if run.returncode not in (0, 1) or not results.exists():
        pytest.fail('tools/theano_doctests.py run failed: %s'
                    % (run.stderr.strip().splitlines() or ['no message'])[-1],
                    pytrace=False)
    with open(str(results)) as f:
        return run.stdout, tool.load_record(tool.RECORD), json.load(f)


def test_every_recorded_page_ran(pages_run):
    _, record, results = pages_run
    assert sorted(results) == sorted(record['pages'])
    assert sum(len(examples) for examples in results.values()) == sum(
        len(page['examples']) for page in record['pages'].values())


def test_no_example_that_runs_on_theano_raises_here(pages_run):
    stdout, record, results = pages_run
    raises, _ = doctest_tool().compare(record, results)
    assert raises == [], '\n'.join(
        line for line in stdout.splitlines() if line.startswith('raises'))


def test_printed_values_agree_with_theanos(pages_run):
    stdout, record, results = pages_run
    _, differs = doctest_tool().compare(record, results)
    unexpected = [(page, line) for page, line, _ in differs
                  if (page, line) not in KNOWN_DIFFERENCES]
    assert unexpected == [], '\n'.join(
        line for line in stdout.splitlines() if line.startswith('differs'))


def test_the_known_differences_still_differ(pages_run):
    """Each listed example runs here and on Theano and still prints
    otherwise (one that comes to agree must leave the list)."""
    _, record, results = pages_run
    raises, differs = doctest_tool().compare(record, results)
    assert sorted((page, line) for page, line, _ in differs
                  if (page, line) in KNOWN_DIFFERENCES) == sorted(
                      KNOWN_DIFFERENCES)
    assert not set(KNOWN_DIFFERENCES) & {(p, l) for p, l, _ in raises}


def test_the_counts_the_readme_gives(pages_run):
    """README.md's counts of Theano's tutorial examples."""
    _, record, results = pages_run
    raises, differs = doctest_tool().compare(record, results)
    ran = [e for page in record['pages'].values() for e in page['examples']
           if not e['skipped']]
    on_theano = [e for e in ran if not e['raised']]
    counts = (len(ran), len(on_theano), len(raises),
              len(on_theano) - len(raises) - len(differs), len(differs))
    with open(os.path.join(ROOT, 'README.md')) as f:
        readme = ' '.join(f.read().split())
    assert ('%d examples, %d of which run on Theano 1.0.5: here %d raise, '
            '%d print what Theano printed and %d otherwise' % counts
            in readme), counts


@pytest.mark.parametrize('ours, theirs, varies, agree', [
    ('np.float64(4.0)\n', '4.0\n', False, True),
    ('array(2.)\n', 'array(2.0)\n', False, True),
    ('array([[0.5       , 0.73105858],\n       [0.26894142, 0.11920292]])',
     'array([[ 0.5       ,  0.73105858],\n       [ 0.26894142,  '
     '0.11920292]])', False, True),
    ('[np.True_, np.int64(3)]', '[True, 3]', False, True),
    ('<f at 0x7f00aa11>', '<f at 0x55d1c0ffee>', False, True),
    ('0.73105857', '0.73105858', False, True),   # within 1e-5
    ('0.7310', '0.7311', False, False),
    ('array([1., 2.])', 'array([1., 2., 3.])', False, False),
    ('x = 0.1 took 0.5 s', 'x = 0.3 took 2.0 s', True, True),
    ('x = 0.1 took 0.5 s', 'y = 0.3 took 2.0 s', True, False),
    ('nan', 'nan', False, True),
    ('[ True False]', '[False  True]', True, True),
    ('[ True False]', '[False  True]', False, False),
    ('TensorType(float64, shape=())', 'TensorType(float64, scalar)', False,
     False),
])
def test_the_comparison_rule(ours, theirs, varies, agree):
    assert doctest_tool().outputs_agree(ours, theirs, varies) is agree
