"""The Sphinx pages: they build without warnings, and what they quote exists.

The build needs Sphinx, which the ``test`` extra installs.
"""

import glob
import os
import re
import subprocess
import sys


from conftest import ROOT

DOC = os.path.join(ROOT, 'doc')


def literalincludes():
    """(rst file, included path, {option: value}) for each literalinclude."""
    found = []
    for page in sorted(glob.glob(os.path.join(DOC, '*.rst'))):
        text = open(page).read()
        for match in re.finditer(
                r'^\.\. literalinclude:: (\S+)\n((?:   :\S+:.*\n)*)', text,
                re.M):
            options = dict(re.findall(r'^   :(\S+):\s*(.*)$', match.group(2),
                                      re.M))
            path = os.path.normpath(os.path.join(DOC, match.group(1)))
            found.append((os.path.basename(page), path, options))
    return found


def test_pages_include_code_by_markers():
    includes = literalincludes()
    code_includes = [i for i in includes if i[1].endswith('logistic_sgd.py')]
    # All seven snippets, errors() and predict() are quoted.
    assert len(code_includes) == 9
    for page, path, options in includes:
        assert os.path.isfile(path), '%s includes missing %s' % (page, path)
        source = open(path).read()
        for key in ('start-after', 'end-before'):
            if key in options:
                assert source.count(options[key]) == 1, (
                    '%s: marker %r should occur once in %s'
                    % (page, options[key], path))
        if 'pyobject' in options:
            outer, _, method = options['pyobject'].partition('.')
            assert re.search(r'^(class|def) %s\b' % outer, source,
                             re.M), page
            if method:
                assert re.search(r'^    def %s\(' % method, source,
                                 re.M), page


def test_markers_in_the_code_are_all_quoted():
    source = open(os.path.join(ROOT, 'code', 'logistic_sgd.py')).read()
    used = {options.get('start-after') for _, _, options in literalincludes()}
    for marker in re.findall(r'# (start-snippet-\d+)', source):
        assert marker in used, '%s is not quoted by any page' % marker
        assert source.count('end' + marker[5:]) == 1


def test_sphinx_build_has_no_warnings(tmp_path):
    out = tmp_path / 'html'
    run = subprocess.run(
        [sys.executable, '-m', 'sphinx', '-W', '--keep-going', '-q', '-b',
         'html', DOC, str(out)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    page = (out / 'logreg.html').read_text()
    # The included code really is on the page.
    assert 'negative_log_likelihood' in page and 'validate_model' in page


def test_sphinx_build_fails_on_a_missing_marker(tmp_path):
    """The check is real: a page quoting a marker the code lacks fails."""
    broken = tmp_path / 'doc'
    broken.mkdir()
    (broken / 'conf.py').write_text(open(os.path.join(DOC, 'conf.py')).read())
    (broken / 'index.rst').write_text(
        'Broken\n======\n\n.. literalinclude:: %s\n'
        '   :start-after: start-snippet-99\n   :end-before: end-snippet-99\n'
        % os.path.relpath(os.path.join(ROOT, 'code', 'logistic_sgd.py'),
                          str(broken)))
    run = subprocess.run(
        [sys.executable, '-m', 'sphinx', '-W', '-q', '-b', 'html',
         str(broken), str(tmp_path / 'html')], capture_output=True,
        text=True)
    assert run.returncode != 0
    assert 'start-snippet-99' in run.stderr
