"""What the C++ compiler is told about this CPU's vector instructions.

PyTensor passes g++ the ``-march=...`` flags equivalent to
``-march=native``, which it works out once per process.  For clang it
works out none (clang reports its CPU in a form PyTensor does not turn
back into flags), so every module is compiled for the oldest x86-64 and
the fused loop's 32-byte vectors become pairs of 16-byte ones: the
tutorial ran at a third of its speed.  :func:`native_vector_flags` gives
the ops that need them the flags of the vector instructions this CPU
has, read from the compiler's own macros for ``-march=native``.  They
are ordinary flags, part of the module's cache key, so a compile folder
shared with another machine never hands it code for instructions it
lacks.
"""

import subprocess

import pytensor

__all__ = ['native_vector_flags']

# The macro a compiler defines for each instruction set, and the flag that
# turns that set on.
VECTOR_SETS = (('__AVX__', '-mavx'), ('__AVX2__', '-mavx2'),
               ('__FMA__', '-mfma'), ('__F16C__', '-mf16c'))

_FOUND = {}  # compiler -> flags


def native_vector_flags(cxx=None):
    """Extra flags for vector code when PyTensor's ``-march`` detection
    gave none; an empty list when it gave some (g++) or when the compiler
    cannot say.

    :rtype: list of str, such as ``['-mavx', '-mavx2', '-mfma']``
    """
    from pytensor.link.c.cmodule import GCC_compiler
    cxx = cxx if cxx is not None else pytensor.config.cxx
    if not cxx:
        return []
    if cxx not in _FOUND:
        flags = []
        if not any(flag.startswith('-march=')
                   for flag in GCC_compiler.compile_args()):
            try:
                macros = subprocess.run(
                    [cxx, '-march=native', '-dM', '-E', '-x', 'c++',
                     '/dev/null'], capture_output=True, text=True,
                    timeout=60).stdout.split()
            except (OSError, subprocess.SubprocessError):
                macros = []
            flags = [flag for macro, flag in VECTOR_SETS if macro in macros]
        _FOUND[cxx] = flags
    return list(_FOUND[cxx])
