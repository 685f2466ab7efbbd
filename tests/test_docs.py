"""The Sphinx pages: they build without warnings, what they quote exists,
and they read offline in a real browser.

The build needs Sphinx and sphinx-mathjax-offline, which the ``test`` extra
installs; the browser is Debian's Chromium (``apt-get install chromium``;
``.ci/run`` installs it), driven headless through the DevTools protocol.
The pages are built once for this module.
"""

import base64
import fcntl
import glob
import json
import os
import re
import select
import shutil
import struct
import subprocess
import sys
import time

import pytest

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


@pytest.fixture(scope='module')
def html(tmp_path_factory):
    """The pages built once, as the README builds them (warnings are
    errors); the folder of the HTML files."""
    out = tmp_path_factory.mktemp('docs') / 'html'
    run = subprocess.run(
        [sys.executable, '-m', 'sphinx', '-W', '--keep-going', '-q', '-b',
         'html', DOC, str(out)], capture_output=True, text=True)
    assert run.returncode == 0, 'the docs do not build:\n' + run.stderr
    return out


def test_sphinx_build_has_no_warnings(html):
    out = html
    page = (out / 'logreg.html').read_text()
    # The included code really is on the page.
    assert 'negative_log_likelihood' in page and 'validate_model' in page


def test_sphinx_build_fails_on_a_missing_marker(tmp_path):
    """The check is real: a page quoting a marker the code lacks fails."""
    broken = tmp_path / 'doc'
    broken.mkdir()
    (broken / 'conf.py').write_text(open(os.path.join(DOC, 'conf.py')).read())
    shutil.copytree(os.path.join(DOC, '_static'), str(broken / '_static'))
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


# The chapters of the original series that have code, by their files.
SERIES = ['logistic_sgd.py', 'logistic_cg.py', 'mlp.py',
          'convolutional_mlp.py', 'dA.py', 'cA.py', 'SdA.py', 'rbm.py',
          'DBN.py', 'hmc/test_hmc.py', 'lstm.py', 'rnnslu.py', 'rnnrbm.py']


def test_series_page_covers_every_chapter():
    page = open(os.path.join(DOC, 'series.rst')).read()
    missing = [name for name in SERIES if '``%s``' % name not in page]
    assert not missing, 'series.rst does not name %s' % missing
    # Each group of chapters: the command, the cost and the data.
    parts = re.split(r'^(.+)\n~+\n', page, flags=re.M)
    sections = dict(zip(parts[1::2], parts[2::2]))
    assert len(sections) == 5, sorted(sections)
    for title, body in sections.items():
        assert 'python3 -m theano_compat' in body, title
        for word in ('Command', 'Data:'):
            assert word in body, (title, word)
        assert 'Cost:' in body or 'an epoch' in body, title


# --- the pages in a real browser, offline ---

# Where the screenshot of the logistic regression page goes (CI keeps
# doc/_build/ as an artifact).
SCREENSHOT = os.path.join(DOC, '_build', 'browser', 'logreg.png')
WINDOW = (1280, 1000)
# The longest code line that must show whole: PEP 8's limit, which code/
# keeps.
CODE_COLUMNS = 79


class Chromium:
    """Headless Chromium, driven through the DevTools protocol over a pipe
    (``--remote-debugging-pipe``: JSON messages ended by a NUL byte, the
    browser reading fd 3 and writing fd 4), with one page open.

    The network is cut: every connection goes to a proxy at 127.0.0.1:9,
    where nothing listens, and no host name resolves.  The tests also
    check the log of what the page asked for, so a page that tries to
    fetch anything fails whether or not the machine has a network.
    """

    def __init__(self, executable, profile, window=WINDOW):
        self.log_path = os.path.join(str(profile), 'chromium.log')
        to_browser, from_us = os.pipe()
        from_browser, to_us = os.pipe()

        def plumb():  # in the child: the pipe's ends as fds 3 and 4
            ends = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
                    for fd in (to_browser, to_us)]
            os.dup2(ends[0], 3)
            os.dup2(ends[1], 4)

        with open(self.log_path, 'w') as log:
            self.process = subprocess.Popen(
                [executable, '--headless', '--no-sandbox', '--disable-gpu',
                 '--remote-debugging-pipe',
                 '--user-data-dir=%s' % os.path.join(str(profile), 'data'),
                 '--window-size=%d,%d' % window,
                 '--proxy-server=127.0.0.1:9',
                 '--host-resolver-rules=MAP * ~NOTFOUND',
                 '--disable-background-networking',
                 '--disable-component-update', '--no-first-run',
                 '--no-default-browser-check', 'about:blank'],
                preexec_fn=plumb, close_fds=False, stdin=subprocess.DEVNULL,
                stdout=log, stderr=log)
        os.close(to_browser)
        os.close(to_us)
        self.write, self.read = from_us, from_browser
        self.buffer = b''
        self.last_id = 0
        self.events = []
        try:
            target = self.send('Target.createTarget', url='about:blank')
            self.session = self.send('Target.attachToTarget',
                                     targetId=target['targetId'],
                                     flatten=True)['sessionId']
            self.send('Page.enable', session=True)
            self.send('Network.enable', session=True)
        except Exception:
            self.close()
            raise

    def _log_tail(self):
        with open(self.log_path, errors='replace') as f:
            return ''.join(f.readlines()[-20:])

    def _message(self, deadline):
        while b'\0' not in self.buffer:
            left = deadline - time.monotonic()
            ready = select.select([self.read], [], [], max(left, 0))[0]
            if not ready:
                raise AssertionError('Chromium did not answer in time; its '
                                     'log ends:\n' + self._log_tail())
            chunk = os.read(self.read, 1 << 20)
            if not chunk:
                raise AssertionError('Chromium exited; its log ends:\n'
                                     + self._log_tail())
            self.buffer += chunk
        message, _, self.buffer = self.buffer.partition(b'\0')
        return json.loads(message)

    def send(self, method, session=False, timeout=60, **params):
        """Run a DevTools command (on the page if ``session``); its
        result.  Events that arrive meanwhile are kept in ``events``."""
        self.last_id += 1
        message = {'id': self.last_id, 'method': method, 'params': params}
        if session:
            message['sessionId'] = self.session
        os.write(self.write, json.dumps(message).encode() + b'\0')
        deadline = time.monotonic() + timeout
        while True:
            answer = self._message(deadline)
            if answer.get('id') != self.last_id:
                self.events.append(answer)
            elif 'error' in answer:
                raise AssertionError('%s: %s' % (method, answer['error']))
            else:
                return answer['result']

    def wait_for(self, event, timeout=60):
        deadline = time.monotonic() + timeout
        while not any(e.get('method') == event for e in self.events):
            self.events.append(self._message(deadline))

    def open(self, path):
        """Load a file and wait for its load event; forget earlier
        events."""
        self.events = []
        result = self.send('Page.navigate', session=True,
                           url='file://' + str(path))
        assert 'errorText' not in result, (path, result)
        self.wait_for('Page.loadEventFired')

    def evaluate(self, expression):
        """The value of a JavaScript expression on the page, promises
        awaited."""
        result = self.send('Runtime.evaluate', session=True,
                           expression=expression, awaitPromise=True,
                           returnByValue=True)
        assert 'exceptionDetails' not in result, result['exceptionDetails']
        return result['result']['value']

    def requests(self):
        """(URLs the page asked for, [(URL, error)] of those that failed)
        since it was opened."""
        asked, urls = [], {}
        for event in self.events:
            if event.get('method') == 'Network.requestWillBeSent':
                params = event['params']
                asked.append(params['request']['url'])
                urls[params['requestId']] = params['request']['url']
        failed = [(urls.get(e['params']['requestId']),
                   e['params']['errorText']) for e in self.events
                  if e.get('method') == 'Network.loadingFailed']
        return asked, failed

    def screenshot(self):
        """The whole page, the window's width, as PNG bytes."""
        size = self.send('Page.getLayoutMetrics', session=True)[
            'cssContentSize']
        shot = self.send('Page.captureScreenshot', session=True,
                         format='png', captureBeyondViewport=True,
                         clip=dict(x=0, y=0, width=WINDOW[0],
                                   height=size['height'], scale=1))
        return base64.b64decode(shot['data'])

    def close(self):
        try:
            self.send('Browser.close', timeout=10)
        except AssertionError:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self.write)
        os.close(self.read)


@pytest.fixture(scope='module')
def browser(tmp_path_factory):
    executable = shutil.which('chromium') or shutil.which('chromium-browser')
    if executable is None:
        pytest.fail('chromium is not installed: the docs are checked in a '
                    'real browser; install Debian\'s package (apt-get '
                    'install -y chromium), as .ci/run does')
    chromium = Chromium(executable, tmp_path_factory.mktemp('chromium'))
    yield chromium
    chromium.close()


# What a reader sees, read from the page once its scripts have run: each
# Sphinx math element (rendered by MathJax or not, its visible text), each
# code block's widths (a block whose content is wider than its box is cut
# or scrolls), and a probe: a line of CODE_COLUMNS characters, then a much
# longer one, put into the box of the page's first code block.
INSPECT = '''(async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise)
    await MathJax.startup.promise;
  await document.fonts.ready;
  const maths = [...document.querySelectorAll('span.math, div.math')].map(
    e => ({rendered: e.querySelector('mjx-container') !== null,
           error: e.querySelector('mjx-merror') !== null,
           text: e.innerText}));
  const pres = [...document.querySelectorAll('pre')].map(
    e => ({scroll: e.scrollWidth, box: e.clientWidth,
           line: e.textContent.split('\\n').reduce(
             (a, b) => (b.length > a.length ? b : a), '')}));
  const first = document.querySelector('div.body div.highlight pre');
  const probe = (columns) => {
    if (!first) return null;
    const pre = first.cloneNode(false);
    pre.textContent = 'x';
    first.parentNode.appendChild(pre);
    const oneLine = pre.clientHeight;
    pre.textContent = 'x'.repeat(columns);
    const found = {scroll: pre.scrollWidth, box: pre.clientWidth,
                   height: pre.clientHeight, oneLine: oneLine};
    pre.remove();
    return found;
  };
  return {maths: maths, pres: pres, probe: probe(%d), wide: probe(200),
          width: window.innerWidth};
})()''' % CODE_COLUMNS


def inspect(chromium, path):
    """Open ``path``; what a reader sees there (see INSPECT), and the
    requests the page made."""
    chromium.open(path)
    seen = chromium.evaluate(INSPECT)
    seen['asked'], seen['failed'] = chromium.requests()
    return seen


def problems(seen, site):
    """What is wrong on a page: TeX left raw, a code block cut, a code line
    of CODE_COLUMNS characters not shown whole, a fetch from outside
    ``site`` (a folder) or one that failed.  Empty when nothing is."""
    found = []
    for math in seen['maths']:
        if not math['rendered'] or math['error'] or '\\' in math['text']:
            found.append('raw TeX: %r' % math['text'][:60])
    for pre in seen['pres']:
        if pre['scroll'] > pre['box']:
            found.append('code cut (%d px in a %d px box): %r'
                         % (pre['scroll'], pre['box'], pre['line'][:60]))
    probe = seen['probe']
    if probe and (probe['scroll'] > probe['box']
                  or probe['height'] != probe['oneLine']):
        found.append('a %d-character line does not fit its box (%s)'
                     % (CODE_COLUMNS, probe))
    prefix = 'file://' + str(site).rstrip('/') + '/'
    found += ['fetched from outside the site: %s' % url
              for url in seen['asked'] if not url.startswith(prefix)]
    found += ['not found: %s (%s)' % failure for failure in seen['failed']]
    return found


def page_names():
    return sorted(os.path.basename(p)[:-4]
                  for p in glob.glob(os.path.join(DOC, '*.rst')))


@pytest.fixture(scope='module')
def seen_pages(browser, html):
    """{page name: what a reader sees there} for every page of doc/."""
    return {name: inspect(browser, html / (name + '.html'))
            for name in page_names()}


@pytest.mark.parametrize('name', page_names())
def test_page_reads_offline_in_chromium(seen_pages, html, name):
    seen = seen_pages[name]
    assert seen['width'] == WINDOW[0]
    found = problems(seen, html)
    assert not found, '%s.html:\n' % name + '\n'.join(found)


def test_every_formula_is_typeset(seen_pages):
    # As many math elements on each page as its source has math roles and
    # directives, and none shows TeX (test above): 13 on logreg.
    for name, seen in seen_pages.items():
        source = open(os.path.join(DOC, name + '.rst')).read()
        written = (source.count(':math:`')
                   + len(re.findall(r'^\.\. math::', source, re.M)))
        assert len(seen['maths']) == written, name
    assert len(seen_pages['logreg']['maths']) == 13
    assert all(m['rendered'] for m in seen_pages['logreg']['maths'])


def test_the_tutorials_code_fits(seen_pages):
    # The longest line of the code on the pages is shown whole, and the box
    # is a real limit: a line of 200 characters would not fit it.
    seen = seen_pages['logreg']
    longest = max(len(pre['line']) for pre in seen['pres'])
    assert 75 <= longest, longest
    wide = seen['wide']
    assert wide['scroll'] > wide['box'] or wide['height'] > wide['oneLine']


def test_screenshot_of_the_logistic_regression_page(browser, html,
                                                    seen_pages):
    browser.open(html / 'logreg.html')
    browser.evaluate(INSPECT)  # the formulas typeset, the fonts loaded
    png = browser.screenshot()
    assert png[:8] == b'\x89PNG\r\n\x1a\n'
    width, height = struct.unpack('>II', png[16:24])
    assert width == WINDOW[0] and height > WINDOW[1], (width, height)
    os.makedirs(os.path.dirname(SCREENSHOT), exist_ok=True)
    partial = SCREENSHOT + '.part'
    with open(partial, 'wb') as f:
        f.write(png)
    os.replace(partial, SCREENSHOT)


def test_the_checks_find_raw_tex_cut_code_and_fetches(browser, tmp_path):
    """The browser checks are real: a page with raw TeX, a code block too
    wide for its box and an image from the network fails each of them."""
    page = tmp_path / 'bad.html'
    page.write_text(
        '<html><body><div class="body">'
        '<p><span class="math notranslate">\\(W_i x + b_i\\)</span></p>'
        '<div class="highlight" style="width: 300px"><pre style="overflow: '
        'auto">%s</pre></div><img src="http://example.invalid/a.png">'
        '</div></body></html>' % ('y' * 120))
    found = problems(inspect(browser, page), tmp_path)
    assert found[0] == "raw TeX: '\\\\(W_i x + b_i\\\\)'"
    assert found[1].startswith('code cut (') and "'yyyy" in found[1]
    assert found[2].startswith('a 79-character line does not fit its box')
    assert 'fetched from outside the site: http://example.invalid/a.png' \
        in found
    assert any(f.startswith('not found: http://example.invalid/a.png')
               for f in found)
