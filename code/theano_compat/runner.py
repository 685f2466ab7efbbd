"""Run code written for Theano, unchanged: ``theano`` means this package.

``python -m theano_compat SCRIPT [ARGS...]`` runs ``SCRIPT`` as ``python
SCRIPT ARGS...`` would; ``-m MODULE`` and ``-c CODE`` (``python -m
theano_compat -m pytest test.py``) run a module or program text as
``python -m``/``-c`` would, with the same ``sys.argv``, ``sys.path[0]``
and ``__main__``.  Inside that process ``import theano``,
``import theano.tensor as T`` and every ``from theano.X import Y`` resolve
to ``theano_compat`` and its modules (:class:`TheanoAliasFinder`).  Which
module stands for ``theano.X`` is the table's to say
(``theano_compat.names.TABLE``): this package's module of that path, or a
PyTensor module (``theano.printing`` is ``pytensor.printing`` for now);
for a module the table leaves out or does not know, an import error that
says what to use instead.

:func:`install_as_theano` does the same in a running interpreter (a
notebook).  Nothing is installed on disk, and nothing happens to a
process that calls neither: a real Theano, if a user has one, stays
theirs.
"""

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import runpy
import sys
import types

from theano_compat.names import TABLE, import_theano_module

__all__ = ['install_as_theano', 'TheanoAliasFinder', 'run_script',
           'run_module', 'run_code', 'run_stdin', 'UsageError', 'main']

ALIAS = 'theano'
PACKAGE = 'theano_compat'


class _AliasLoader(importlib.abc.Loader):
    """Gives an already imported module under another name."""

    def __init__(self, module):
        self.module = module
        self.spec = getattr(module, '__spec__', None)

    def create_module(self, spec):
        return self.module

    def exec_module(self, module):
        # The import system stamped the alias's spec on the module; its
        # own spec is what keeps the module working under its own name.
        if self.spec is not None:
            module.__spec__ = self.spec


class TheanoAliasFinder(importlib.abc.MetaPathFinder):
    """Finds ``theano`` and ``theano.X`` as the table says
    (:func:`theano_compat.names.import_theano_module`)."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != ALIAS and not fullname.startswith(ALIAS + '.'):
            return None
        module = import_theano_module(fullname)  # or ModuleNotFoundError
        _alias_loaded_submodules(fullname)
        return importlib.util.spec_from_loader(fullname,
                                               _AliasLoader(module))


def _alias_loaded_submodules(fullname):
    """Give the modules under ``fullname`` that are loaded already their
    Theano names too, as Theano's package loaded them with it: importing
    one later then finds it, and leaves the attribute of that name of its
    package alone (``theano.tensor.sort`` the module, ``T.sort`` the
    function)."""
    for path, entry in TABLE.items():
        if (path.startswith(fullname + '.') and entry.home
                and entry.home in sys.modules and path not in sys.modules):
            sys.modules[path] = sys.modules[entry.home]


def install_as_theano():
    """Make ``import theano`` mean this package, in this process.

    For a notebook or an interactive session, before its first ``import
    theano``; ``python -m theano_compat`` does it for a script.

    :raises ImportError: when a module named ``theano`` is imported
        already (a real Theano, say): this package never replaces it
    """
    already = sys.modules.get(ALIAS)
    if already is not None and getattr(already, '__name__', '') != PACKAGE:
        raise ImportError(
            'a module named theano is imported already (%s); '
            'install_as_theano() must run before the first import theano'
            % getattr(already, '__file__', already))
    if not any(isinstance(f, TheanoAliasFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, TheanoAliasFinder())


def _set_path0(entry):
    """Make ``entry`` the first folder of ``sys.path``, in place of the one
    Python put there for ``python -m theano_compat`` (the current folder),
    as Python would have put it for the program itself; with ``-P`` (or
    ``PYTHONSAFEPATH``) Python put none and none is put."""
    if not sys.flags.safe_path:
        sys.path[0] = entry


def _run_as_main(code, **attributes):
    """Run the code object ``code`` in a new module ``__main__`` that has
    ``attributes`` (``__file__``, ``__spec__``...) and stays
    ``sys.modules['__main__']``, as Python runs a program."""
    main_module = types.ModuleType('__main__')
    main_module.__dict__.update(attributes)
    sys.modules['__main__'] = main_module
    exec(code, main_module.__dict__)


def run_script(path, args):
    """Run the Python file ``path`` as ``python path args...`` would, with
    ``theano`` meaning this package: ``sys.argv`` is ``[path] + args``,
    ``sys.path[0]`` the script's folder (links resolved), ``__file__`` its
    absolute path.  A folder or zip file with a ``__main__.py`` runs as
    Python runs it (through :func:`runpy.run_path`).
    """
    install_as_theano()
    sys.argv = [path] + list(args)
    if not os.path.isfile(path):
        if not sys.flags.safe_path:
            del sys.path[0]  # run_path puts the folder or zip file there
        runpy.run_path(path, run_name='__main__')
        return
    filename = os.path.abspath(path)
    _set_path0(os.path.dirname(os.path.realpath(path)))
    with open(filename, 'rb') as f:
        source = f.read()
    _run_as_main(compile(source, filename, 'exec', dont_inherit=True),
                 __file__=filename, __cached__=None, __package__=None,
                 __loader__=importlib.machinery.SourceFileLoader(
                     '__main__', filename))


def find_main_module(name):
    """The spec of what ``python -m name`` runs: the module ``name``, or
    ``name.__main__`` if it is a package.

    :raises UsageError: when there is no such module, or it is a package
        without ``__main__``, or cannot be run
    """
    try:
        spec = importlib.util.find_spec(name)
    except ModuleNotFoundError as error:
        missing = error.name or ''
        if name != missing and not name.startswith(missing + '.'):
            raise  # a module that the package imports is missing
        spec = None
    except ValueError:  # an empty or relative name ('', '.x')
        spec = None
    if spec is None:
        raise UsageError('no module named %s' % name)
    if spec.submodule_search_locations is not None:
        if name == '__main__' or name.endswith('.__main__'):
            raise UsageError('%s cannot be run: a package is not a '
                             '__main__ module' % name)
        package_main = importlib.util.find_spec(name + '.__main__')
        if package_main is None:
            raise UsageError('%s is a package without a __main__ module; '
                             'it cannot be run' % name)
        spec = package_main
    if spec.loader is None or not hasattr(spec.loader, 'get_code'):
        raise UsageError('%s cannot be run: it has no code (%s)'
                         % (name, spec.origin))
    return spec


def run_module(name, args):
    """Run the module ``name`` as ``python -m name args...`` would, with
    ``theano`` meaning this package: ``sys.path[0]`` is the current
    folder, ``sys.argv`` ``[the module's file] + args``, and the module
    runs as ``__main__`` with its own ``__spec__``.  ``run_module('pytest',
    ['test.py'])`` runs a test suite written for Theano.

    :raises UsageError: when there is no such module to run
    """
    install_as_theano()
    sys.argv = ['-m'] + list(args)  # as Python's while it looks for it
    _set_path0(os.getcwd())
    spec = find_main_module(name)
    code = spec.loader.get_code(spec.name)
    if code is None:
        raise UsageError('%s cannot be run: no code found at %s'
                         % (name, spec.origin))
    sys.argv[0] = spec.origin
    _run_as_main(code, __file__=spec.origin, __cached__=spec.cached,
                 __loader__=spec.loader, __package__=spec.parent,
                 __spec__=spec)


def run_code(code, args):
    """Run the program text ``code`` as ``python -c code args...`` would,
    with ``theano`` meaning this package: ``sys.argv`` is ``['-c'] +
    args`` and ``sys.path[0]`` is ``''`` (the current folder, wherever it
    is when a module is looked up)."""
    install_as_theano()
    sys.argv = ['-c'] + list(args)
    _set_path0('')
    _run_as_main(compile(code, '<string>', 'exec', dont_inherit=True),
                 __loader__=importlib.machinery.BuiltinImporter)


def run_stdin(args):
    """Run the program on standard input as ``python - args...`` would:
    ``sys.argv`` is ``['-'] + args``, ``__file__`` ``'<stdin>'``."""
    install_as_theano()
    sys.argv = ['-'] + list(args)
    _set_path0('')
    _run_as_main(compile(sys.stdin.read(), '<stdin>', 'exec',
                         dont_inherit=True),
                 __file__='<stdin>', __cached__=None,
                 __loader__=importlib.machinery.BuiltinImporter)


class UsageError(Exception):
    """The runner's command line is wrong: one line, exit status 2."""


USAGE = ('usage: python -m theano_compat [-m MODULE | -c CODE | SCRIPT | -] '
         '[ARGS...]')

HELP = USAGE + """

Runs a program written for Theano as python runs it, with import theano
meaning theano_compat (Theano's names over PyTensor):

  SCRIPT     a Python file (or a folder or zip file with __main__.py)
  -m MODULE  a module found on sys.path, e.g. -m pytest test.py
  -c CODE    program text
  -          the program on standard input
  ARGS       what the program gets in sys.argv[1:]
"""


def parse_command_line(argv):
    """``(kind, what, args)`` of the runner's arguments: kind is 'script',
    'module', 'code' or 'stdin'; ``('help', None, [])`` for ``-h``.

    Options are read as Python reads its own: ``-m``/``-c`` end the
    runner's options, and their value may be joined (``-mpytest``).

    :raises UsageError: on a missing program, an unknown option or an
        option without its value
    """
    if not argv:
        raise UsageError('no program given')
    first, rest = argv[0], list(argv[1:])
    if first in ('-h', '--help'):
        return 'help', None, []
    if first == '-':
        return 'stdin', None, rest
    if first == '--':
        if not rest:
            raise UsageError('no program given after --')
        return 'script', rest[0], rest[1:]
    for option, kind, what in (('-m', 'module', 'a module name'),
                               ('-c', 'code', 'the program text')):
        if first.startswith(option):
            value = first[len(option):]
            if not value:
                if not rest:
                    raise UsageError('%s needs %s' % (option, what))
                value = rest.pop(0)
            return kind, value, rest
    if first.startswith('-'):
        raise UsageError('unknown option %s (Python\'s own options go '
                         'before -m theano_compat)' % first)
    if not os.path.exists(first):
        raise UsageError('no script at %s' % first)
    return 'script', first, rest


def main(argv=None):
    """``python -m theano_compat``: the exit status of the run (a program
    that calls ``sys.exit`` exits with its own)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    from theano_compat import DeviceError, TheanoFlagsError
    try:
        kind, what, args = parse_command_line(argv)
        if kind == 'help':
            print(HELP, end='')
        elif kind == 'script':
            run_script(what, args)
        elif kind == 'module':
            run_module(what, args)
        elif kind == 'code':
            run_code(what, args)
        else:
            run_stdin(args)
    except UsageError as error:
        print('error: %s; %s' % (error, USAGE), file=sys.stderr)
        return 2
    except (TheanoFlagsError, DeviceError) as error:
        print('error: %s' % error, file=sys.stderr)
        return 2
    return 0
