"""The dependency ranges: setup.py declares only what CI tests, at both ends.

``.ci/run`` runs the suite twice: with the newest release in each range
that setup.py declares, and with the lowest, pinned in
``.ci/lowest-constraints.txt``.  The pins and the ranges are written
separately; these tests keep them equal, and check that the environment
running the tests (either end) is inside the declared ranges.
"""

import ast
import importlib.metadata
import os

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from conftest import ROOT

CONSTRAINTS = os.path.join(ROOT, '.ci', 'lowest-constraints.txt')


def setup_arguments():
    """The literal keyword arguments of setup.py's ``setup(...)`` call,
    read from its source (setup.py is not run)."""
    tree = ast.parse(open(os.path.join(ROOT, 'setup.py')).read())
    calls = [node for node in ast.walk(tree)
             if isinstance(node, ast.Call)
             and getattr(node.func, 'id', None) == 'setup']
    assert len(calls) == 1
    return {kw.arg: ast.literal_eval(kw.value) for kw in calls[0].keywords
            if kw.arg in ('install_requires', 'extras_require')}


ARGS = setup_arguments()
# What .ci/run installs at both ends: the core and the test extra.
TESTED = [Requirement(r) for r in
          ARGS['install_requires'] + ARGS['extras_require']['test']]
TESTED_BY_NAME = {canonicalize_name(r.name): r for r in TESTED}


def bounds(requirement):
    """(lower, upper) of a ``>=lower,<upper`` range, as strings."""
    ops = {spec.operator: spec.version for spec in requirement.specifier}
    assert set(ops) == {'>=', '<'}, (
        '%s: declare a range ">=lowest,<upper" (CI tests its lower end '
        'exactly)' % requirement)
    return ops['>='], ops['<']


def pins():
    """{name: version} of the ``name==version`` lines of the constraints."""
    found = {}
    for line in open(CONSTRAINTS):
        line = line.split('#', 1)[0].strip()
        if not line:
            continue
        requirement = Requirement(line)
        (spec,) = requirement.specifier
        assert spec.operator == '==', line
        name = canonicalize_name(requirement.name)
        assert name not in found, 'pinned twice: %s' % name
        found[name] = spec.version
    return found


def test_every_range_has_both_ends():
    for requirement in TESTED:
        lower, upper = bounds(requirement)
        assert Version(lower) < Version(upper), requirement


def test_the_pins_are_the_lower_bounds_of_the_declared_ranges():
    pinned = pins()
    assert set(pinned) == set(TESTED_BY_NAME), (
        'pinned and declared packages differ')
    for name, requirement in TESTED_BY_NAME.items():
        lower, _ = bounds(requirement)
        # Written out the same, not just equal as versions (0.3.31 would
        # equal 0.3.31.0.0, which is not a release).
        assert pinned[name] == lower, (
            '%s: .ci/lowest-constraints.txt pins %s, setup.py declares %s'
            % (name, pinned[name], requirement))


def test_the_other_extras_use_the_tested_ranges():
    # gpu, plot and doc install packages of the test extra: the same ranges,
    # so that CI tests theirs too.
    for extra, requirements in ARGS['extras_require'].items():
        for text in requirements:
            requirement = Requirement(text)
            tested = TESTED_BY_NAME.get(canonicalize_name(requirement.name))
            assert tested is not None, '%s[%s]: untested' % (text, extra)
            assert requirement.specifier == tested.specifier, (
                'extra %s: %s, but CI tests %s' % (extra, text, tested))


@pytest.mark.parametrize('name', sorted(TESTED_BY_NAME))
def test_installed_version_is_in_the_declared_range(name):
    requirement = TESTED_BY_NAME[name]
    installed = importlib.metadata.version(name)
    assert requirement.specifier.contains(installed, prereleases=True), (
        '%s %s is installed, setup.py declares %s'
        % (name, installed, requirement))


def test_the_running_modules_are_the_installed_versions():
    # What the tests import is what the metadata above describes.
    import numpy
    import pytensor
    import scipy
    assert Version(pytensor.__version__) == Version(
        importlib.metadata.version('pytensor'))
    assert Version(numpy.__version__) == Version(
        importlib.metadata.version('numpy'))
    assert Version(scipy.__version__) == Version(
        importlib.metadata.version('scipy'))
