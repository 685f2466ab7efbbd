"""One base for every C++ op of the package: :class:`ExternalCppOp`.

Each op's C++ lives in source files, never in Python strings.  As with
PyTensor's ``ExternalCOp`` (whose machinery this base reuses), a file is
cut into sections by lines ``#section NAME``:

``support_code``
    functions and types, pasted once into the op's C module;
``support_code_struct``, ``init_code_struct``, ``cleanup_code_struct``
    members of the node's C struct (kept between calls, such as scratch
    memory), their set-up and their release;
``code``
    the body run at each call.

Sections of the same name from several files are joined in the order the
files are listed, so shared machinery (``engine/parallel_for.cpp``: the
loops' threads) comes first and the op's own file after it.  Inside the
sections PyTensor's macros name what a node has: ``INPUT_0``...,
``OUTPUT_0``..., ``DTYPE_INPUT_0`` (e.g. ``npy_float32``),
``TYPENUM_OUTPUT_0``, ``FAIL`` (the code that reports an error),
``PARAMS`` (the op's :class:`~pytensor.link.c.params_type.ParamsType`
struct, when it has one) and ``APPLY_SPECIFIC(name)`` (a name of this
node's own); an op adds macros of its own with :meth:`c_macros`.

The sources are read once (again if a file changes), from the folder of
the module that declares :attr:`ExternalCppOp.source_files`, and their
text is hashed
into the op's C cache version: PyTensor finds a compiled module by that
version, not by its source, so an edit of a ``.cpp`` file compiles the op
again.

Gradients: ops implement ``pullback`` (PyTensor 3's name; every version
the package supports asks for it).
"""

import hashlib
import inspect
import os
import sys

from pytensor.link.c.op import ExternalCOp

__all__ = ['ExternalCppOp', 'ENGINE_DIR', 'read_sections']

ENGINE_DIR = os.path.dirname(os.path.abspath(__file__))

_LOADED = {}  # ((path, mtime, size), ...) -> (texts, sections)


def read_sections(paths):
    """The texts of ``paths`` and their sections, merged in order.

    :param paths: absolute paths of C++ sources marked with ``#section``
    :returns: ``(texts, sections)``: a list of the files' texts, and a dict
        from section name to the joined code
    :raises ValueError: naming the file, for a file without a section
        marker, with code before its first marker, or with a section name
        PyTensor does not know
    """
    paths = tuple(paths)
    # (a file edited since it was read is read again)
    key = tuple((path, os.stat(path).st_mtime_ns, os.stat(path).st_size)
                for path in paths)
    if key not in _LOADED:
        texts, sections = [], {}
        for path in paths:
            with open(path, encoding='utf-8') as f:
                text = f.read()
            parts = ExternalCOp.section_re.split(text)
            if len(parts) < 3:
                raise ValueError('%s: no "#section NAME" line' % path)
            if parts[0].strip():
                raise ValueError('%s: code before the first "#section" line'
                                 % path)
            for name, code in zip(parts[1::2], parts[2::2]):
                if name not in ExternalCOp.SECTIONS:
                    known = ', '.join(sorted(ExternalCOp.SECTIONS))
                    raise ValueError('%s: unknown section %r (use one of %s)'
                                     % (path, name, known))
                sections[name] = sections.get(name, '') + code
            texts.append(text)
        _LOADED[key] = (texts, sections)
    return _LOADED[key]


class ExternalCppOp(ExternalCOp):
    """An op whose C++ is in :attr:`source_files` (see the module's doc).

    Subclasses set :attr:`source_files` and, as any op, ``__props__``,
    ``make_node``, ``perform`` and ``pullback``; they call no
    ``ExternalCOp.__init__`` (the sources belong to the class, and are
    not pickled with each op).
    """

    #: the op's C++ sources: paths relative to the folder of the module
    #: whose class sets this attribute (or absolute, such as
    #: ``os.path.join(ENGINE_DIR, 'parallel_for.cpp')``)
    source_files = ()

    # ExternalCOp's other entry point: the ops' code sections call their
    # functions themselves.
    func_name = None

    def __init__(self):
        # ExternalCOp's __init__ reads func_files per instance; here the
        # sources are the class's (an op without parameters, such as
        # Float32Tanh, needs no __init__ of its own)
        pass

    @classmethod
    def source_paths(cls):
        """:attr:`source_files` as absolute paths."""
        for klass in cls.__mro__:
            if 'source_files' in vars(klass):
                folder = os.path.dirname(os.path.abspath(
                    inspect.getfile(sys.modules[klass.__module__])))
                return tuple(os.path.normpath(os.path.join(folder, path))
                             for path in klass.source_files)
        return ()

    @classmethod
    def source_sections(cls):
        """The code sections of the class's sources (a dict)."""
        return read_sections(cls.source_paths())[1]

    @classmethod
    def source_hash(cls):
        """The sha256 of the sources' texts, in order (hex)."""
        texts = read_sections(cls.source_paths())[0]
        digest = hashlib.sha256()
        for text in texts:
            digest.update(text.encode('utf-8'))
            digest.update(b'\0')
        return digest.hexdigest()

    # ExternalCOp reads these two per instance; here they are the class's.
    @property
    def code_sections(self):
        return self.source_sections()

    @property
    def func_codes(self):
        return read_sections(self.source_paths())[0]

    def c_macros(self, node):
        """Macros of this op for its code sections: ``{name: C text}``."""
        return {}

    def get_c_macros(self, node, name, check_input=None):
        define, undef = super().get_c_macros(node, name, check_input)
        extra = self.c_macros(node)
        define = '\n'.join([define] + ['#define %s %s' % (k, v)
                                       for k, v in extra.items()])
        undef = '\n'.join([undef] + ['#undef %s' % k for k in extra])
        # (a line of its own for whatever PyTensor writes next, such as the
        # label that FAIL jumps to)
        return define, undef + '\n'

    def c_code_cache_version_extra(self):
        """More of the cache version: what else the C code depends on
        (such as the BLAS header's version); a tuple."""
        return ()

    def c_code_cache_version(self):
        version = (self.source_hash(),)
        if self.params_type is not None:
            version += (self.params_type.c_code_cache_version(),)
        return version + tuple(self.c_code_cache_version_extra())
