"""Theano 1.0.5's own tutorial pages as a test suite for this port.

Theano's source distribution holds its tutorial as reStructuredText pages
(``doc/tutorial/*.txt``) full of ``>>>`` examples.  This tool takes that
file from the package registry (``pip download --no-deps --no-binary
:all: theano==1.0.5``) into a cache folder outside the repository,
checks its SHA-256, reads the pages in place inside the archive (nothing
is extracted or copied into the repository) and runs their examples:

``record [--venv DIR]``
    Run every page on real Theano 1.0.5, in the side environment of
    tools/theano_reference.py, twice, and write tests/theano_doctests.json:
    per page, per example or code block (its line and a hash of its
    source, never the source), whether it raised (the exception's type
    and first line) and what it printed.
``run [--page PAGE ...] [--json FILE]``
    Run the pages here, through ``python -m theano_compat``, compare with
    the record, list every example that raises here but ran on Theano and
    every printed value that disagrees.  Exit status 0 when none does, 1
    otherwise (2 on bad input).
``fetch``
    Only put the source distribution in the cache; print its path.

Each page runs in a process of its own, in a temporary folder, its
examples top to bottom in one namespace, as ``doctest`` runs them
(``single`` mode: an expression's value is printed by
``sys.displayhook``).  The page's ``.. testsetup::`` blocks of the default
group run first, as Sphinx runs them, and its ``.. testcode::`` blocks of
that group run where they stand, among the examples (they define what
later examples use); their output is compared too.  Examples marked
``# doctest: +SKIP`` are not run (Theano's own documentation build skips
them).

**Comparing printed output.**  Both sides' text is normalised first:
NumPy 2's scalar reprs lose their wrapper (``np.float64(2.0)`` is
``2.0``, ``np.True_`` is ``True``), NumPy 1's ``array(2.0)`` style and
2's ``array(2.)`` both read as the number, hexadecimal addresses become
``0x?``, and runs of white space one space.  Then the texts must match
token by token, numbers within a relative 1e-5 (arrays print 8
significant digits; the last of them may differ between backends).  An
example whose output differed between the two recording runs on Theano
(unseeded random numbers, timings) is compared with every number and
truth value masked: the same words, shapes and count of numbers.

The cache folder is ``$DEEP_LEARNING_TUTORIALS_CACHE``, else
``$XDG_CACHE_HOME/deep-learning-tutorials`` or
``~/.cache/deep-learning-tutorials``.  Bad input and a failed download
are one ``error: ...`` line with exit status 2.
"""

import argparse
import contextlib
import doctest
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RECORD = os.path.join(ROOT, 'tests', 'theano_doctests.json')
CODE = os.path.join(ROOT, 'code')

SDIST = 'Theano-1.0.5.tar.gz'
SDIST_SHA256 = ('6e9439dd53ba995fcae27bf20626074b'
                'fc2fff446899dc5c53cb28c1f9202e89')
REQUIREMENT = 'theano==1.0.5'
PAGES_PREFIX = 'Theano-1.0.5/doc/tutorial/'
DEFAULT_VENV = os.path.join(tempfile.gettempdir(), 'theano105')

PAGE_TIMEOUT = 600      # seconds a page may take
RTOL = 1e-5             # numbers in printed output


class ToolError(Exception):
    """A problem to report as one ``error: ...`` line."""


##################
# THE SOURCE TAR #
##################

def cache_folder():
    """Where the source distribution is kept (outside the repository)."""
    if os.environ.get('DEEP_LEARNING_TUTORIALS_CACHE'):
        return os.environ['DEEP_LEARNING_TUTORIALS_CACHE']
    base = os.environ.get('XDG_CACHE_HOME') or os.path.join(
        os.path.expanduser('~'), '.cache')
    return os.path.join(base, 'deep-learning-tutorials')


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def fetch_sdist(folder=None):
    """The path of Theano 1.0.5's source distribution in the cache,
    downloaded by pip first if it is not there (into a temporary folder,
    checked, then renamed into place).

    :raises ToolError: when pip fails or the file is not the expected one
    """
    folder = folder or cache_folder()
    path = os.path.join(folder, SDIST)
    if os.path.isfile(path) and file_sha256(path) == SDIST_SHA256:
        return path
    os.makedirs(folder, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix='.download.') as tmp:
        command = [sys.executable, '-m', 'pip', 'download', '--no-deps',
                   '--no-binary', ':all:', '--disable-pip-version-check',
                   '-q', REQUIREMENT, '-d', tmp]
        try:
            done = subprocess.run(command, capture_output=True, text=True,
                                  timeout=900)
        except (OSError, subprocess.TimeoutExpired) as err:
            raise ToolError('cannot download %s: %s' % (REQUIREMENT, err))
        got = os.path.join(tmp, SDIST)
        if done.returncode != 0 or not os.path.isfile(got):
            lines = [l for l in (done.stderr + done.stdout).splitlines()
                     if l.strip()]
            raise ToolError(
                'cannot download %s with pip (%s); the tutorial pages are '
                'read from it: check the network, or put %s into %s by hand'
                % (REQUIREMENT, lines[-1].strip() if lines else
                   'exit status %d' % done.returncode, SDIST, folder))
        digest = file_sha256(got)
        if digest != SDIST_SHA256:
            raise ToolError('the downloaded %s has SHA-256 %s, not %s'
                            % (SDIST, digest, SDIST_SHA256))
        os.replace(got, path)
    return path


def read_pages(sdist, names=None):
    """``{page name: text}`` of the tutorial pages that have ``>>>``
    examples (all of them, or those in ``names``)."""
    pages = {}
    with tarfile.open(sdist, 'r:gz') as tar:
        for member in tar.getmembers():
            name = member.name[len(PAGES_PREFIX):]
            if (member.isfile() and member.name.startswith(PAGES_PREFIX)
                    and '/' not in name and name.endswith('.txt')
                    and (names is None or name in names)):
                text = tar.extractfile(member).read().decode('utf-8')
                if '>>>' in text:
                    pages[name] = text
    if names is not None and set(names) - set(pages):
        raise ToolError('no tutorial page with examples named %s; pages: %s'
                        % (', '.join(sorted(set(names) - set(pages))),
                           ', '.join(sorted(read_pages(sdist)))))
    return pages


#####################
# RUNNING ONE PAGE  #
#####################

DIRECTIVE = re.compile(r'^([ \t]*)\.\. (testsetup|testcode)::[ \t]*(\S*)')


def directive_blocks(text):
    """``[(line, kind, code)]`` of the page's ``.. testsetup::`` and
    ``.. testcode::`` blocks of the default group (no group name,
    ``default`` or ``*``), their options (``:hide:``) left out, dedented;
    ``line`` is the directive's, from 1."""
    import textwrap
    lines = text.splitlines()
    blocks = []
    for number, line in enumerate(lines):
        match = DIRECTIVE.match(line)
        if not match or match.group(3) not in ('', 'default', '*'):
            continue
        indent = len(match.group(1).expandtabs())
        body = []
        for following in lines[number + 1:]:
            stripped = following.strip()
            if stripped and len(following) - len(following.lstrip()) <= indent:
                break
            if not body and (not stripped or stripped.startswith(':')):
                continue   # the directive's options and the blank line
            body.append(following)
        blocks.append((number + 1, match.group(2),
                       textwrap.dedent('\n'.join(body)).strip() + '\n'))
    return blocks


def examples(text):
    """The page's ``>>>`` examples as doctest.Example objects."""
    return doctest.DocTestParser().get_examples(text)


def source_hash(source):
    return hashlib.sha256(source.encode('utf-8')).hexdigest()[:16]


def one_line(error):
    """``Type: first line of the message`` of an exception."""
    message = str(error).strip().splitlines()
    return '%s: %s' % (type(error).__name__, message[0] if message else '')


def page_items(text):
    """``[(line, kind, source, skipped)]`` in the order a reader meets
    them: the ``testsetup`` blocks first (as Sphinx runs them), then the
    ``testcode`` blocks and ``>>>`` examples by their line."""
    blocks = directive_blocks(text)
    items = [(line, kind, code, False) for line, kind, code in blocks
             if kind == 'testsetup']
    body = [(line, kind, code, False) for line, kind, code in blocks
            if kind == 'testcode']
    body += [(example.lineno + 1, 'example', example.source,
              bool(example.options.get(doctest.SKIP)))
             for example in examples(text)]
    return items + sorted(body, key=lambda item: item[0])


def run_page(text, page):
    """Run one page's items (see :func:`page_items`) in one namespace;
    return a list of ``{line, kind, hash, skipped, raised, output}``."""
    globs = {'__name__': '__main__'}
    results = []
    for number, (line, kind, source, skipped) in enumerate(page_items(text)):
        entry = {'line': line, 'kind': kind, 'hash': source_hash(source),
                 'skipped': skipped, 'raised': None, 'output': ''}
        results.append(entry)
        if skipped:
            continue
        out = io.StringIO()
        try:
            code = compile(source, '<doctest %s[%d]>' % (page, number),
                           'single' if kind == 'example' else 'exec')
            with contextlib.redirect_stdout(out):
                exec(code, globs)
        except Exception as error:  # noqa: BLE001 (recorded)
            entry['raised'] = one_line(error)
        entry['output'] = out.getvalue()
    return results


def pages_main(argv):
    """``_pages SDIST FOLDER AT_ONCE PAGE...``: what the subprocess of
    :func:`run_pages` does.  It imports ``theano`` once, then runs each
    page in a forked child of its own (so that no page sees another's
    names or settings), in FOLDER/PAGE/, AT_ONCE children at a time, each
    writing its results.json there and stopped by SIGALRM after
    PAGE_TIMEOUT seconds.  Exit status 1 if a child failed."""
    import signal
    import traceback
    sdist, folder, at_once = argv[0], argv[1], int(argv[2])
    texts = read_pages(sdist, argv[3:])
    import theano  # noqa: F401  (once, before the pages fork)
    running, failed = {}, []

    def reap():
        pid, status = os.wait()
        page = running.pop(pid)
        if status != 0:
            failed.append(page)
            why = ('ran past %d seconds' % PAGE_TIMEOUT
                   if os.WIFSIGNALED(status)
                   and os.WTERMSIG(status) == signal.SIGALRM
                   else 'stopped with status %d' % status)
            print('page %s %s' % (page, why), file=sys.stderr, flush=True)

    for page in argv[3:]:
        while len(running) >= at_once:
            reap()
        workdir = os.path.join(folder, page[:-4])
        os.mkdir(workdir)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            status = 1
            try:
                signal.alarm(PAGE_TIMEOUT)
                os.chdir(workdir)
                started = time.perf_counter()
                results = run_page(texts[page], page)
                with open('results.json', 'w') as f:
                    json.dump({'seconds': time.perf_counter() - started,
                               'results': results}, f)
                status = 0
            except BaseException:  # noqa: BLE001 (reported, then exit)
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(status)
        running[pid] = page
    while running:
        reap()
    return 1 if failed else 0


def run_pages(sdist, pages, command, env, at_once=2):
    """``({page: results}, {page: seconds})``: the pages run by ``command
    + [this file, '_pages', ...]`` (see :func:`pages_main`)."""
    results, seconds = {}, {}
    with tempfile.TemporaryDirectory(prefix='theano_doctests.') as tmp:
        try:
            done = subprocess.run(
                command + [os.path.abspath(__file__), '_pages', sdist, tmp,
                           str(at_once)] + sorted(pages),
                cwd=tmp, env=env, stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                timeout=PAGE_TIMEOUT * (len(pages) + 1))
        except subprocess.TimeoutExpired:
            raise ToolError('the pages ran past %d seconds'
                            % (PAGE_TIMEOUT * (len(pages) + 1))) from None
        lines = [l for l in done.stderr.splitlines() if l.strip()]
        if done.returncode != 0:
            stopped = [l for l in lines if l.startswith('page ')]
            raise ToolError('%s (%s)' % (
                stopped[0] if stopped else 'the pages did not run',
                lines[-1] if lines else 'exit status %d' % done.returncode))
        for page in pages:
            with open(os.path.join(tmp, page[:-4], 'results.json')) as f:
                got = json.load(f)
            results[page], seconds[page] = got['results'], got['seconds']
    return results, seconds


###############
# COMPARISONS #
###############

NUMBER = r'[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|inf|nan)'
SCALAR_WRAPPER = re.compile(
    r'np\.(?:float|int|uint|complex|bool|str|bytes)\w*\(([^()]*)\)')
TOKENS = re.compile(r'(%s)|([A-Za-z_]\w*)|(\S)' % NUMBER)
BOOLEANS = ('True', 'False')


def normalise(text):
    """The printed text with NumPy 2's scalar reprs unwrapped, addresses
    masked and white space collapsed (see the module docstring)."""
    text = SCALAR_WRAPPER.sub(r'\1', text)
    text = text.replace('np.True_', 'True').replace('np.False_', 'False')
    text = re.sub(r'0x[0-9a-fA-F]+', '0x?', text)
    return ' '.join(text.split())


def tokens(text):
    """[(kind, value)]: ('n', float) for numbers, ('w', word) for words,
    ('t', character) for the rest, white space left out."""
    out = []
    for number, word, other in TOKENS.findall(normalise(text)):
        if number:
            out.append(('n', float(number)))
        elif word:
            out.append(('w', word))
        else:
            out.append(('t', other))
    return out


def outputs_agree(ours, theirs, varies=False, rtol=RTOL):
    """Whether two printed outputs agree (see the module docstring)."""
    a, b = tokens(ours), tokens(theirs)
    if len(a) != len(b):
        return False
    for (kind_a, x), (kind_b, y) in zip(a, b):
        if varies and kind_a == kind_b == 'w' and x in BOOLEANS \
                and y in BOOLEANS:
            continue   # a random truth value
        if kind_a != kind_b:
            return False
        if kind_a != 'n':
            if x != y:
                return False
        elif varies:
            continue
        elif x != y and not (abs(x - y) <= rtol * max(abs(x), abs(y))):
            if not (x != x and y != y):   # nan and nan agree
                return False
    return True


def compare(record, results):
    """``(raises, differs)``: lists of ``(page, line, text)`` for the
    examples that ran on Theano and raise here, and those whose printed
    output disagrees with Theano's."""
    raises, differs = [], []
    for page, ours in sorted(results.items()):
        theirs = record['pages'][page]['examples']
        if [(e['line'], e['hash']) for e in ours] != [
                (e['line'], e['hash']) for e in theirs]:
            raise ToolError('the examples of %s are not those recorded: '
                            're-record with tools/theano_doctests.py record'
                            % page)
        for mine, want in zip(ours, theirs):
            if want['skipped'] or want['raised']:
                continue
            if mine['raised']:
                raises.append((page, mine['line'], mine['raised']))
            elif not outputs_agree(mine['output'], want['output'],
                                   want.get('varies', False)):
                differs.append((page, mine['line'],
                                'printed %r, Theano %r'
                                % (mine['output'][:300],
                                   want['output'][:300])))
    return raises, differs


#############
# COMMANDS  #
#############

def theano_env(venv):
    """Environment for the side venv: the settings tools/theano_reference
    records with (no ~/.theanorc, blas.ldflags=, its compile folder)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ('THEANO_FLAGS', 'PYTHONPATH', 'PYTHONHOME',
                        'VIRTUAL_ENV')}
    env.update({'THEANORC': os.devnull, 'OMP_NUM_THREADS': '1',
                'OPENBLAS_NUM_THREADS': '1', 'PYTHONHASHSEED': '0',
                'THEANO_FLAGS': 'blas.ldflags=,base_compiledir=%s'
                % os.path.join(venv, 'compiledir')})
    return env


def port_env():
    """Environment for this port: code/ importable, no THEANO_FLAGS."""
    env = {k: v for k, v in os.environ.items() if k != 'THEANO_FLAGS'}
    env['PYTHONPATH'] = os.pathsep.join(
        [CODE] + [p for p in [env.get('PYTHONPATH')] if p])
    env['PYTHONHASHSEED'] = '0'
    return env


def write_json_atomically(path, obj):
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix='.' + os.path.basename(path) + '.',
                               suffix='.part', dir=folder)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        with os.fdopen(fd, 'w') as f:
            json.dump(obj, f, indent=1, sort_keys=True)
            f.write('\n')
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def record(venv, output):
    python = os.path.join(venv, 'bin', 'python')
    if not os.path.isfile(python):
        raise ToolError('no Theano virtual environment at %s; create it with:'
                        ' python3 tools/theano_reference.py setup --venv %s'
                        % (venv, venv))
    sdist = fetch_sdist()
    pages = read_pages(sdist)
    env = theano_env(venv)
    # One page at a time: Theano's compile lock serialises them anyway.
    first, _ = run_pages(sdist, pages, [python], env, at_once=1)
    second, _ = run_pages(sdist, pages, [python], env, at_once=1)
    probe = subprocess.run(
        [python, '-c', 'import json, platform, numpy, theano; print(json.'
         'dumps({"theano": theano.__version__, "numpy": numpy.__version__, '
         '"python": platform.python_version()}))'],
        capture_output=True, text=True, env=env, timeout=300)
    versions = json.loads(probe.stdout.splitlines()[-1])
    out = {}
    for page in sorted(pages):
        examples_ = []
        for a, b in zip(first[page], second[page]):
            a = dict(a)
            a['varies'] = (a['output'] != b['output']
                           or a['raised'] != b['raised'])
            examples_.append(a)
        out[page] = {'sha256': source_hash(pages[page]),
                     'examples': examples_}
        ran = [e for e in examples_ if not e['skipped']]
        print('%-24s %3d examples, %3d raise on Theano, %3d vary'
              % (page, len(ran), sum(bool(e['raised']) for e in ran),
                 sum(e['varies'] for e in ran)))
    write_json_atomically(output, {
        'about': ("What the >>> examples of Theano 1.0.5's doc/tutorial "
                  "pages printed and raised on Theano 1.0.5 (sources not "
                  "kept: line numbers and hashes); written by "
                  "tools/theano_doctests.py record"),
        'sdist': {'file': SDIST, 'sha256': SDIST_SHA256},
        'theano_flags': 'blas.ldflags=',
        'versions': versions,
        'pages': out,
    })
    print('wrote %s (%d pages)' % (output, len(out)))


def load_record(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as err:
        raise ToolError('cannot read the record %s: %s' % (path, err))


def run_here(record_path, names=None):
    """Run the pages here; return (record, results)."""
    record_ = load_record(record_path)
    sdist = fetch_sdist()
    pages = read_pages(sdist, names)
    for page, text in pages.items():
        if record_['pages'].get(page, {}).get('sha256') != source_hash(text):
            raise ToolError('page %s is not the one recorded' % page)
    results, seconds = run_pages(sdist, pages,
                                 [sys.executable, '-m', 'theano_compat'],
                                 port_env())
    return record_, results, seconds


def summary(record_, results, seconds):
    """Per-page counts (examples run, run on Theano, raise here, print
    otherwise here, the page's seconds) and the failures, as lines."""
    raises, differs = compare(record_, results)
    lines = ['%-24s %8s %8s %8s %8s %8s' % ('page', 'examples', 'theano',
                                            'raise', 'differ', 'seconds')]
    for page in sorted(results):
        want = [e for e in record_['pages'][page]['examples']
                if not e['skipped']]
        lines.append('%-24s %8d %8d %8d %8d %8.1f' % (
            page, len(want), sum(not e['raised'] for e in want),
            sum(p == page for p, _, _ in raises),
            sum(p == page for p, _, _ in differs), seconds[page]))
    for page, line, text in raises:
        lines.append('raises  %s:%d  %s' % (page, line, text))
    for page, line, text in differs:
        lines.append('differs %s:%d  %s' % (page, line, text))
    return raises, differs, lines


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ['_pages']:
        return pages_main(argv[1:])
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest='command', required=True)
    rec = commands.add_parser('record', help='run the pages on Theano 1.0.5')
    rec.add_argument('--venv', default=DEFAULT_VENV,
                     help='the Theano venv (default %(default)s)')
    rec.add_argument('--output', default=RECORD,
                     help='the record to write (default %(default)s)')
    run = commands.add_parser('run', help='run the pages here, compare')
    run.add_argument('--page', nargs='+', metavar='PAGE',
                     help='only these pages (e.g. adding.txt)')
    run.add_argument('--record', default=RECORD,
                     help='the record (default %(default)s)')
    run.add_argument('--json', metavar='FILE',
                     help='also write the results here')
    commands.add_parser('fetch', help='download the source distribution')
    args = parser.parse_args(argv)
    try:
        if args.command == 'fetch':
            print(fetch_sdist())
        elif args.command == 'record':
            record(os.path.abspath(args.venv), args.output)
        else:
            record_, results, seconds = run_here(args.record, args.page)
            raises, differs, lines = summary(record_, results, seconds)
            print('\n'.join(lines))
            if args.json:
                write_json_atomically(args.json, results)
            return 1 if raises or differs else 0
    except ToolError as err:
        print('error: %s' % err, file=sys.stderr)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main())
