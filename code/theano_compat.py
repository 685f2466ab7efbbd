"""Theano's names, served by PyTensor.

The Deep Learning Tutorials were written against Theano, whose last release
(1.0.5) does not run on NumPy 2.  PyTensor is the maintained continuation of
the same code base, so almost every name the tutorials use still exists
there, sometimes under a new module.  This module is the only place in
``code/`` that knows about the engine.  A tutorial written for Theano runs
after replacing its two import lines with::

    from theano_compat import theano, T

``theano`` and ``T`` are namespaces of their own: they look names up in
PyTensor but never add to or change PyTensor's modules.  A real ``theano``
package, if one is installed, is left alone.

Settings come from the ``THEANO_FLAGS`` environment variable, written as the
tutorials' readers have always written it, e.g.
``THEANO_FLAGS=floatX=float32,device=cpu``:

``floatX``  ``float64`` (default) or ``float32``: the dtype of ``T.matrix()``
            and of the tutorial's shared variables.
``device``  ``cpu`` (default), or ``cuda``/``cuda0``/``gpu``/``gpu0``: run the
            compiled functions through PyTensor's JAX backend on a GPU.
``mode``    a PyTensor mode name (``FAST_RUN`` means the C-backed ``CVM``,
            as it meant C code in Theano).

An unknown or malformed flag raises :class:`TheanoFlagsError` at import.
"""

import os
import types

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

__all__ = ['theano', 'T', 'TheanoFlagsError', 'FLAGS', 'backend_description']


class TheanoFlagsError(ValueError):
    """Raised when ``THEANO_FLAGS`` holds a flag or value we cannot honour."""


# Accepted values of each flag; the first entry of each is the default.
FLOATX_VALUES = ('float64', 'float32')
CPU_DEVICES = ('cpu',)
GPU_DEVICE_PREFIXES = ('cuda', 'gpu')
# Theano's FAST_RUN compiled C code; PyTensor's CVM mode is the C-backed one
# and, measured here, about as fast as Theano was.  PyTensor's own default,
# NUMBA, was 1.5-2x slower per epoch and compiles for ~50 s on first use.
MODE_ALIASES = {'FAST_RUN': 'CVM'}
MODE_VALUES = ('CVM', 'C', 'FAST_RUN', 'FAST_COMPILE', 'NUMBA', 'JAX',
               'PYTORCH')


def _flag_error(name, value, accepted):
    return TheanoFlagsError(
        'THEANO_FLAGS: %s=%r is not supported; use one of: %s'
        % (name, value, ', '.join(accepted)))


def parse_theano_flags(text):
    """Parse a ``THEANO_FLAGS`` string into a dict of checked settings.

    :type text: str
    :param text: comma-separated ``name=value`` pairs, e.g.
        ``'floatX=float32,device=cpu'``; may be empty
    :rtype: dict with keys ``floatX``, ``device`` and ``mode`` (str)
    :raises TheanoFlagsError: for an unknown name, a pair without ``=``
        or a value outside the accepted ones
    """
    flags = {'floatX': FLOATX_VALUES[0], 'device': CPU_DEVICES[0],
             'mode': None}
    for item in (text or '').split(','):
        item = item.strip()
        if not item:
            continue
        name, sep, value = item.partition('=')
        name, value = name.strip(), value.strip()
        if not sep or not name or not value:
            raise TheanoFlagsError(
                'THEANO_FLAGS: %r is not of the form name=value '
                '(example: THEANO_FLAGS=floatX=float32,device=cpu)' % item)
        if name not in flags:
            raise TheanoFlagsError(
                'THEANO_FLAGS: unknown flag %r; this port understands '
                'floatX, device and mode (other PyTensor settings go in '
                'PYTENSOR_FLAGS)' % name)
        if name == 'floatX' and value not in FLOATX_VALUES:
            raise _flag_error(name, value, FLOATX_VALUES)
        if name == 'device' and not _is_known_device(value):
            raise _flag_error(name, value, ('cpu', 'cuda', 'cuda0', 'gpu',
                                            'gpu0 (any GPU number)'))
        if name == 'mode' and value not in MODE_VALUES:
            raise _flag_error(name, value, MODE_VALUES)
        flags[name] = value
    return flags


def _is_known_device(value):
    if value in CPU_DEVICES:
        return True
    for prefix in GPU_DEVICE_PREFIXES:
        if value.startswith(prefix) and (value[len(prefix):] == ''
                                         or value[len(prefix):].isdigit()):
            return True
    return False


def uses_gpu(flags):
    """True when the flags ask for an accelerator (``device=cuda...``)."""
    return flags['device'] not in CPU_DEVICES


def default_mode(flags):
    """The PyTensor mode name that ``theano.function`` compiles with."""
    if flags['mode'] is not None:
        return MODE_ALIASES.get(flags['mode'], flags['mode'])
    return 'JAX' if uses_gpu(flags) else 'CVM'


FLAGS = parse_theano_flags(os.environ.get('THEANO_FLAGS', ''))
# floatX is a run-time setting of PyTensor's config object, made to be set.
pytensor.config.floatX = FLAGS['floatX']
MODE = default_mode(FLAGS)


def backend_description():
    """One line saying which engine, mode and dtype compiled functions use."""
    return 'PyTensor %s, mode %s, device %s, floatX %s' % (
        pytensor.__version__, MODE, FLAGS['device'], pytensor.config.floatX)


def function(inputs, outputs=None, mode=None, updates=None, givens=None,
             **kwargs):
    """``theano.function``: compile a graph, in this port's default mode.

    Same arguments as :func:`pytensor.function`; ``mode`` defaults to the
    one chosen by ``THEANO_FLAGS`` (``CVM`` on the CPU).
    """
    mode = fast_mode(mode or MODE)
    compiled = pytensor.function(inputs, outputs, mode=mode, updates=updates,
                                 givens=givens, **kwargs)
    if mode is FAST_CVM:
        _take_indices_fast(compiled)
    return compiled


# ----------------------------------------------------------------------------
# Speed of the C backend: a real BLAS and its thread count, the common
# headers of the C modules compiled once, and a compile mode with four more
# rewrites.  Each is measured in bench/README.md.

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


def _fast_cvm_mode():
    """PyTensor's CVM mode, plus four rewrites, and buffers kept.

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
    return Mode(VMLinker(use_cloop=True, allow_gc=False),
                pytensor.compile.mode.CVM.provided_optimizer.register(
                    (dfs_rewriter(_argmax_of_scores), after_specialize - 0.01),
                    (dfs_rewriter(_inline_softmax, _index_pairs_as_positions),
                     after_specialize),
                    (MergeOptimizer(), after_specialize + 0.01)))


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


def _take_indices_fast(compiled):
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


def fast_mode(mode):
    """The mode ``function`` compiles with: ``'CVM'`` means FAST_CVM."""
    return FAST_CVM if mode == 'CVM' else mode


def _namespace(name, doc, fallback, **names):
    """A module object holding ``names``; other lookups go to ``fallback``."""
    module = types.ModuleType(name, doc)
    module.__dict__.update(names)

    def __getattr__(attr):
        try:
            return getattr(fallback, attr)
        except AttributeError:
            raise AttributeError('%s has no attribute %r (nor has %s)'
                                 % (name, attr, fallback.__name__)) from None

    module.__getattr__ = __getattr__  # module-level __getattr__ (PEP 562)
    return module


# ----------------------------------------------------------------------------
# theano.tensor.nnet: the neural-network helpers the tutorial series uses.


def softmax(x):
    """Row-wise softmax, as Theano's ``T.nnet.softmax``.

    PyTensor's ``softmax`` normalises over all elements unless told an
    axis, which would silently turn a minibatch into one distribution.
    """
    return _special.softmax(x, axis=-1)


def logsoftmax(x):
    """Row-wise log-softmax."""
    return _special.log_softmax(x, axis=-1)


def relu(x, alpha=0):
    """Rectifier ``max(x, 0)``; with ``alpha``, the leaky variant."""
    if alpha == 0:
        return _pt.maximum(x, 0)
    return _pt.switch(x > 0, x, alpha * x)


def hard_sigmoid(x):
    """Piecewise-linear approximation of the sigmoid, as Theano had it."""
    return _pt.clip(0.2 * x + 0.5, 0, 1)


def binary_crossentropy(output, target):
    """Elementwise ``-(t log o + (1 - t) log(1 - o))``."""
    return -(target * _pt.log(output) + (1 - target) * _pt.log(1 - output))


def categorical_crossentropy(coding_dist, true_dist):
    """Per-row cross-entropy; ``true_dist`` is one-hot rows or int labels."""
    if true_dist.ndim == coding_dist.ndim:
        return -_pt.sum(true_dist * _pt.log(coding_dist), axis=-1)
    rows = _pt.arange(true_dist.shape[0])
    return -_pt.log(coding_dist[rows, true_dist])


nnet = _namespace(
    'theano.tensor.nnet', 'Theano\'s neural-network ops, over PyTensor.',
    _pt,
    softmax=softmax, logsoftmax=logsoftmax, sigmoid=_pt.sigmoid,
    ultra_fast_sigmoid=_pt.sigmoid, hard_sigmoid=hard_sigmoid,
    softplus=_pt.softplus, relu=relu,
    binary_crossentropy=binary_crossentropy,
    categorical_crossentropy=categorical_crossentropy)

T = _namespace('theano.tensor', 'Theano\'s tensor namespace, over PyTensor.',
               _pt, nnet=nnet)

theano = _namespace(
    'theano', 'Theano\'s top-level names, over PyTensor.', pytensor,
    tensor=T, function=function, shared=pytensor.shared,
    config=pytensor.config, grad=_pt.grad)
