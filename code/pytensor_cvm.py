"""The C backend of PyTensor, set up to run the tutorial fast.

``theano_compat`` compiles CPU functions with :data:`FAST_CVM`, defined
here: PyTensor's C-backed ``CVM`` mode, linked to a real BLAS, with a few
rewrites that keep the tutorial's graph in C, and, first of all, the
rewrites of ``pytensor_fused`` that run the tutorial's own cost, gradient
and error rate as one C++ loop.  Nothing here changes what a function
computes; each setting is measured in ``bench/README.md``.
Importing this module configures PyTensor's BLAS link flags and compiles a
precompiled header once (cached), unless the user set those up already.
"""

import os

import numpy
import pytensor
import pytensor.tensor as _pt
from pytensor.compile.executor import Function
from pytensor.compile.mode import Mode
from pytensor.graph.rewriting.basic import (MergeOptimizer, dfs_rewriter,
                                            node_rewriter)
from pytensor.link.vm import VMLinker
from pytensor.raise_op import Assert
from pytensor.tensor import math as _math
from pytensor.tensor import special as _special
from pytensor.tensor import subtensor as _subtensor
from pytensor.tensor.shape import Shape_i
from pytensor.tensor.rewriting.ofg import inline_ofg_node

import pytensor_fused

__all__ = ['FAST_CVM', 'FAST_CVM_UNFUSED', 'fast_mode', 'take_indices_fast',
           'blas_threads']


def _set_by_user(name):
    """Whether PYTENSOR_FLAGS or .pytensorrc gives the setting ``name``."""
    # PyTensor reads a given value when it registers the setting, and
    # marks it; a value not read yet is still in its list of flags.
    param = getattr(pytensor.config, '_config_var_dict', {}).get(name)
    if param is not None and not param.is_default:
        return True
    try:
        pytensor.config.fetch_val_for_key(name)
        return True
    except KeyError:
        return False


def _use_pip_openblas():
    """Point PyTensor's C code at the OpenBLAS of the scipy-openblas32 wheel.

    Without a BLAS to link, PyTensor warns and runs its matrix products
    through NumPy's C API, or in Python for ``Dot22``.  The wheel holds a
    plain 32-bit-integer OpenBLAS whose symbols are all prefixed ``scipy_``
    (so it cannot clash with NumPy's own copy); ``-Dsgemm_=scipy_sgemm_``
    and so on rename the Fortran names that PyTensor's C code declares.  A
    BLAS chosen by the user (``blas__ldflags`` in ``PYTENSOR_FLAGS`` or
    ``.pytensorrc``) wins, and without the wheel PyTensor looks for a BLAS
    as it always did.
    """
    if _set_by_user('blas__ldflags'):
        return
    try:
        import scipy_openblas32
    except ImportError:
        return
    import re
    import shlex
    from pytensor.tensor.blas_headers import blas_header_text
    link = '-L%s -l%s' % (shlex.quote(scipy_openblas32.get_lib_dir()),
                          scipy_openblas32.get_library())
    pytensor.config.blas__ldflags = link  # the header lists every name...
    names = sorted(set(re.findall(r'\b([a-z]\w*_)\s*\(',
                                  blas_header_text())))
    pytensor.config.blas__ldflags = ' '.join(  # ...that needs the prefix
        ['-D%s=scipy_%s' % (name, name) for name in names] + [link])
    threads = blas_threads()
    if threads is not None:
        import ctypes
        library = os.path.join(scipy_openblas32.get_lib_dir(),
                               scipy_openblas32.get_library(True))
        try:
            ctypes.CDLL(library).scipy_openblas_set_num_threads(threads)
        except (OSError, AttributeError):  # a build without this entry point
            pass


def blas_threads(environ=os.environ, cores=None, load=None):
    """How many threads the C backend's OpenBLAS gets: the idle cores.

    On an idle 2-core machine two threads make an epoch 1.4x faster; but
    when another process keeps a core busy, each matrix product waits for
    the thread that the busy core runs late, and an epoch took 1.4 s
    instead of 0.07 s (bench/README.md).  So: the cores minus the busy ones
    (the 1-minute load average, rounded down), from 1 to 4 (more threads
    do not pay on matrices 10 columns wide).  The load average lags: a
    process started seconds ago does not count yet.

    :param environ: where ``OPENBLAS_NUM_THREADS`` or ``OMP_NUM_THREADS``,
        when set, decide instead (the result is then None)
    :param cores: default ``os.cpu_count()``
    :param load: default the 1-minute load average
    :rtype: int or None
    """
    if 'OPENBLAS_NUM_THREADS' in environ or 'OMP_NUM_THREADS' in environ:
        return None
    if cores is None:
        cores = os.cpu_count() or 1
    if load is None:
        try:
            load = os.getloadavg()[0]
        except (AttributeError, OSError):  # no load average (Windows)
            load = 0.
    return max(1, min(4, cores - int(load)))


def _precompile_common_headers():
    """Parse the headers that every C module starts with once, not 40 times.

    The first run compiles about 40 small C modules, one per op, and most
    of each compile is g++ reading Python's and NumPy's headers again and
    writing debug information for them.  A precompiled header (g++ only)
    built with the modules' own flags, plus ``-g0``, halves that time.  It
    lives in the compile cache, under a name that changes with the flags,
    the compiler and NumPy.  A user's own ``gcc__cxxflags`` are left alone.
    """
    from pytensor.link.c.cmodule import GCC_compiler, std_include_dirs
    config = pytensor.config
    cache = str(config.compiledir)
    if (not config.cxx or 'g++' not in os.path.basename(config.cxx)
            or config.gcc__cxxflags or any(c.isspace() for c in cache)):
        return
    import hashlib
    import subprocess
    # The flags of an op module: COp's defaults, then the detected -march
    # flags (computed now, before -include can disturb the detection).
    flags = (['-O3', '-fno-math-errno', '-Wno-unused-label',
              '-Wno-unused-variable', '-Wno-write-strings', '-g', '-g0']
             + GCC_compiler.compile_args() + ['-fvisibility=hidden'])
    folders = [numpy.get_include(), os.path.join(
        os.path.dirname(pytensor.__file__), 'link', 'c', 'c_code')]
    folders += std_include_dirs()
    version = subprocess.run([config.cxx, '-dumpfullversion'],
                             capture_output=True, text=True).stdout
    tag = hashlib.sha256(repr((flags, folders, version, numpy.__version__))
                         .encode()).hexdigest()[:16]
    header = os.path.join(cache, 'common_headers_%s.h' % tag)
    if not os.path.exists(header + '.gch'):
        # Other processes may be doing the same: each writes its own files
        # and renames them into place.
        os.makedirs(cache, exist_ok=True)
        part = '%s.%d' % (header, os.getpid())
        with open(part + '.h', 'w') as f:  # the first lines of every mod.cpp
            f.write('#include <Python.h>\n#include "pytensor_mod_helper.h"\n'
                    '#include <math.h>\n#include <numpy/arrayobject.h>\n'
                    '#include <numpy/arrayscalars.h>\n'
                    '#include <numpy/npy_math.h>\n'
                    '#include <vector>\n#include <algorithm>\n')
        build = subprocess.run(
            [config.cxx, '-x', 'c++-header'] + flags
            + ['-I' + d for d in folders] + [part + '.h', '-o', part + '.gch'],
            capture_output=True)
        if build.returncode != 0:
            for leftover in (part + '.h', part + '.gch'):
                if os.path.exists(leftover):
                    os.remove(leftover)
            return
        os.replace(part + '.h', header)
        os.replace(part + '.gch', header + '.gch')
    config.gcc__cxxflags = '-g0 -include ' + header


@node_rewriter([_special.Softmax, _special.LogSoftmax])
def _inline_softmax(fgraph, node):
    """Replace a softmax op by the elementwise graph it stands for."""
    return inline_ofg_node(node)


@node_rewriter([_math.Argmax])
def _argmax_of_scores(fgraph, node):
    """``argmax(softmax(z))`` is ``argmax(z)``: skip the softmax.

    Theano did the same (its ``local_argmax_pushdown``), so the tutorial's
    published error rates were computed this way.
    """
    scores = node.inputs[0]
    if (scores.owner is not None
            and isinstance(scores.owner.op, _special.Softmax)
            and scores.owner.op.axis == node.op.axis):
        return [node.op(scores.owner.inputs[0])]
    return None


@node_rewriter([_subtensor.AdvancedSubtensor, _subtensor.AdvancedIncSubtensor])
def _index_pairs_as_positions(fgraph, node):
    """``m[rows, cols]`` on a matrix, read or incremented as ``m`` flattened.

    The tutorial's cost picks one entry per row, ``log_p[arange(n), y]``,
    and its gradient writes into those entries; PyTensor has no C code for
    indexing by two integer vectors, so both ran in Python.  With ``m``
    seen as a vector and ``rows * width + cols`` as positions, the same
    entries come from ops with C code.  Negative indices wrap and indices
    out of range raise an error, as they do in NumPy.
    """
    op = node.op
    matrix, *rest = node.inputs
    indices = rest if isinstance(op, _subtensor.AdvancedSubtensor) else rest[1:]
    if not (matrix.ndim == 2 and len(indices) == 2
            and len(op.idx_list) == 2
            and all(i.ndim == 1 and i.dtype.startswith(('int', 'uint'))
                    for i in indices)):
        return None
    height, width = Shape_i(0)(matrix), Shape_i(1)(matrix)
    rows, cols = [_pt.switch(_pt.lt(i, 0), i + n, i)
                  for i, n in zip(indices, (height, width))]
    inside = _pt.all(_pt.ge(rows, 0) & _pt.lt(rows, height)
                     & _pt.ge(cols, 0) & _pt.lt(cols, width))
    positions = Assert('index out of bounds')(
        _pt.cast(rows, 'int64') * width + cols, inside)
    if isinstance(op, _subtensor.AdvancedSubtensor):
        return [_subtensor.advanced_subtensor1(matrix.ravel(), positions)]
    values = rest[0]
    if values.type.broadcastable != positions.type.broadcastable:
        values = _pt.broadcast_to(values, positions.shape)  # for the C code
    write = _subtensor.AdvancedIncSubtensor1(
        set_instead_of_inc=op.set_instead_of_inc)
    return [write(matrix.ravel(), values, positions).reshape(matrix.shape)]


def _fast_cvm_mode(fused=True):
    """PyTensor's CVM mode, plus four rewrites and the fused loops, and
    buffers kept.

    PyTensor 3 keeps ``Softmax`` and ``LogSoftmax`` as sub-graphs that the
    C backend runs as Python ops calling a separately compiled (Numba)
    function: most of an epoch's time and of the first run's compiling.
    Inlined after the stabilising rewrites (which need to see the softmax
    whole), they become C elementwise ops that fusion merges; a merge pass
    then shares what the cost and its gradient both compute.  The other
    two rewrites are above.  ``allow_gc=False`` keeps intermediate
    buffers between calls instead of reallocating them (about 1%).
    """
    after_specialize = 2.5  # between 'specialize' (2) and fusion (48)
    rewrites = pytensor.compile.mode.CVM.provided_optimizer.register(
        (dfs_rewriter(_argmax_of_scores), after_specialize - 0.01),
        (dfs_rewriter(_inline_softmax, _index_pairs_as_positions),
         after_specialize),
        (MergeOptimizer(), after_specialize + 0.01))
    if fused:
        rewrites = pytensor_fused.register_rewrites(rewrites)
    return Mode(VMLinker(use_cloop=True, allow_gc=False), rewrites)


class _IndexFunction(Function):
    """A compiled function whose inputs are integer scalars (indices).

    A call passes each argument through its input type's ``filter``,
    which converts a Python int and then compares the result with it to
    be sure nothing was lost: about 35 us of a 600 us training step.  When
    every argument is a Python int, this class converts them directly
    (``numpy.asarray`` raises for an int out of the dtype's range) and
    skips the filter (``trust_input``); any other call takes the usual
    path.
    """

    __slots__ = ()

    def __call__(self, *args, **kwargs):
        if kwargs or self.trust_input or any(type(a) is not int
                                             for a in args):
            return Function.__call__(self, *args, **kwargs)
        types = [i.variable.type for i in self.maker.inputs if not i.implicit]
        if len(args) != len(types):
            return Function.__call__(self, *args)  # with its error message
        self.trust_input = True
        try:
            return Function.__call__(self, *[
                numpy.asarray(a, dtype=t.dtype) for a, t in zip(args, types)])
        finally:
            self.trust_input = False


def take_indices_fast(compiled):
    """Make ``compiled`` an _IndexFunction if its inputs are all indices."""
    explicit = [i.variable.type for i in compiled.maker.inputs
                if not i.implicit]
    if type(compiled) is Function and explicit and all(
            getattr(t, 'ndim', None) == 0
            and str(getattr(t, 'dtype', '')).startswith(('int', 'uint'))
            for t in explicit):
        compiled.__class__ = _IndexFunction


_use_pip_openblas()
_precompile_common_headers()
FAST_CVM = _fast_cvm_mode()
# The same without pytensor_fused's loop: what bench/fused_calls.py
# compares it with.
FAST_CVM_UNFUSED = _fast_cvm_mode(fused=False)


def fast_mode(mode):
    """The mode ``function`` compiles with: ``'CVM'`` means FAST_CVM."""
    return FAST_CVM if mode == 'CVM' else mode
