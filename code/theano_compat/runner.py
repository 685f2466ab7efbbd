"""Run code written for Theano, unchanged: ``theano`` means this package.

``python -m theano_compat SCRIPT [ARGS...]`` runs ``SCRIPT`` as ``python
SCRIPT ARGS...`` would, except that inside that process ``import theano``,
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
import importlib.util
import os
import runpy
import sys

from theano_compat.names import TABLE, import_theano_module

__all__ = ['install_as_theano', 'TheanoAliasFinder', 'run_script', 'main']

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


def run_script(path, args):
    """Run the Python file ``path`` as ``__main__`` with ``sys.argv``
    ``[path] + args``, with ``theano`` meaning this package."""
    install_as_theano()
    sys.argv = [path] + list(args)
    sys.path[0] = os.path.dirname(os.path.abspath(path))
    runpy.run_path(path, run_name='__main__')


USAGE = 'usage: python -m theano_compat SCRIPT [ARGS...]'


def main(argv=None):
    """``python -m theano_compat``: the exit status of the run."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ('-h', '--help'):
        print(USAGE + '\n\nRuns SCRIPT, a program written for Theano, with '
              'import theano meaning theano_compat (Theano\'s names over '
              'PyTensor).', file=sys.stderr if not argv else sys.stdout)
        return 2 if not argv else 0
    path, args = argv[0], argv[1:]
    if not os.path.isfile(path):
        print('%s\nerror: no script at %s' % (USAGE, path), file=sys.stderr)
        return 2
    from theano_compat import DeviceError, TheanoFlagsError
    try:
        run_script(path, args)
    except (TheanoFlagsError, DeviceError) as error:
        print('error: %s' % error, file=sys.stderr)
        return 2
    return 0
