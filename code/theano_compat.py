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
            compiled functions through PyTensor's JAX backend on a GPU,
            with the shared variables held in the GPU's memory (see the
            "device" section below; needs ``pip install -e '.[gpu]'``).
``mode``    a PyTensor mode name (``FAST_RUN`` means the C-backed ``CVM``,
            as it meant C code in Theano).  ``mode=JAX`` with ``device=cpu``
            runs the GPU's code path on JAX's CPU device: this is how the
            tests check that path on a machine without a GPU.

An unknown or malformed flag raises :class:`TheanoFlagsError` at import; a
missing JAX or GPU for ``device=cuda`` raises :class:`DeviceError`.
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

__all__ = ['theano', 'T', 'TheanoFlagsError', 'DeviceError', 'FLAGS',
           'backend_description']


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
        mode = MODE_ALIASES.get(flags['mode'], flags['mode'])
        if uses_gpu(flags) and mode != 'JAX':
            raise TheanoFlagsError(
                'THEANO_FLAGS: device=%s runs through PyTensor\'s JAX '
                'backend and cannot be combined with mode=%s; leave mode '
                'unset (or mode=JAX), or use device=cpu'
                % (flags['device'], flags['mode']))
        return mode
    return 'JAX' if uses_gpu(flags) else 'CVM'


FLAGS = parse_theano_flags(os.environ.get('THEANO_FLAGS', ''))
# floatX is a run-time setting of PyTensor's config object, made to be set.
pytensor.config.floatX = FLAGS['floatX']
MODE = default_mode(FLAGS)


def backend_description():
    """One line saying which engine, mode and dtype compiled functions use.

    In mode JAX the device is the one JAX really runs on, e.g. ``cuda:0
    (NVIDIA H100)`` or ``cpu:0``; asking raises :class:`DeviceError` when
    the GPU that ``THEANO_FLAGS`` asks for is missing.
    """
    device = jax_device_name() if MODE == 'JAX' else FLAGS['device']
    return 'PyTensor %s, mode %s, device %s, floatX %s' % (
        pytensor.__version__, MODE, device, pytensor.config.floatX)


def function(inputs, outputs=None, mode=None, updates=None, givens=None,
             **kwargs):
    """``theano.function``: compile a graph, in this port's default mode.

    Same arguments as :func:`pytensor.function`; ``mode`` defaults to the
    one chosen by ``THEANO_FLAGS`` (``CVM`` on the CPU).  In mode JAX the
    function is prepared for the device (see the "device" section).
    """
    mode = fast_mode(mode or MODE)
    if _is_jax_mode(mode):
        return _jax_function(inputs, outputs, mode, updates, givens, **kwargs)
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


# ----------------------------------------------------------------------------
# device: PyTensor's JAX backend, for device=cuda (a GPU) and mode=JAX.
#
# Theano ran the same graphs on a GPU when told device=cuda; PyTensor reaches
# accelerators through JAX instead.  Everything below runs only in mode JAX,
# and the same code serves a GPU (device=cuda...) and JAX's CPU device
# (mode=JAX, device=cpu), which is how the tests cover it without a GPU.
# The C-backed CPU path above never comes here, so its graphs are unchanged.
#
# Two things make the tutorial's functions work, and work fast, under JAX:
#
# * Static minibatch shapes.  JAX compiles for fixed shapes, and the
#   tutorial's minibatch ``data[i * bs:(i + 1) * bs]`` has a length known
#   only at run time (``T.arange(y.shape[0])`` then cannot compile).  The
#   same rows, taken as ``data[:n * bs].reshape((n, bs, ...))[i]``, have the
#   fixed length ``bs``, so givens of that form are rewritten so.  ``n`` is
#   the number of whole minibatches in the data at compile time.  (Past the
#   last whole minibatch, JAX clamps the index and so gives that minibatch
#   again, where the C backend gives a short or empty one.)
# * Data kept on the device.  Shared variables hold NumPy arrays, which JAX
#   copies to the device at every call: the whole data set for each
#   minibatch.  Once compiled, the function's shared variables hold JAX
#   arrays on the device instead; the values the updates write back (W, b)
#   are JAX arrays there already.  ``get_value()`` then returns a JAX array
#   (``numpy.asarray`` turns it into a NumPy one); a later ``set_value()``
#   stores NumPy again, until the next function is compiled.

import warnings  # noqa: E402  (imports of this section only)

import pytensor.scalar as _scalar  # noqa: E402
from pytensor.compile.sharedvalue import SharedVariable  # noqa: E402
from pytensor.graph.basic import Constant  # noqa: E402
from pytensor.tensor.basic import ScalarFromTensor  # noqa: E402
from pytensor.tensor.elemwise import Elemwise  # noqa: E402
from pytensor.tensor.subtensor import Subtensor  # noqa: E402

GPU_INSTALL_HINT = ("install JAX with its CUDA plugin: pip install -e "
                    "'.[gpu]' (or run on the CPU: THEANO_FLAGS=device=cpu)")
JAX_INSTALL_HINT = ("install JAX: pip install -e '.[test]' (CPU) or "
                    "pip install -e '.[gpu]' (NVIDIA GPU)")


class DeviceError(RuntimeError):
    """Raised when the device or backend asked for is not available."""


def _flags_text():
    """How the user asked for JAX, for error messages."""
    if uses_gpu(FLAGS):
        return 'THEANO_FLAGS device=%s' % FLAGS['device']
    return 'mode JAX'


def _import_jax():
    """Import JAX, or say clearly what to install."""
    try:
        import jax
    except ImportError as error:
        raise DeviceError(
            '%s runs through PyTensor\'s JAX backend, but JAX is not '
            'installed (%s); %s' % (
                _flags_text(), error,
                GPU_INSTALL_HINT if uses_gpu(FLAGS) else JAX_INSTALL_HINT)
        ) from None
    return jax


_JAX_DEVICE = []  # the device, once chosen


def jax_device():
    """The JAX device that mode-JAX functions run on, chosen once.

    ``device=cudaN`` / ``gpuN`` is JAX's N-th GPU, ``device=cpu`` JAX's CPU.
    It also becomes JAX's default device, so that arrays given as function
    inputs go there too.

    :raises DeviceError: when JAX is missing, or sees no such GPU
    """
    if not _JAX_DEVICE:
        jax = _import_jax()
        if uses_gpu(FLAGS):
            number = FLAGS['device'].lstrip('cudagpu') or '0'  # cuda1: 1
            number = int(number)
            try:
                gpus = jax.devices('gpu')
            except RuntimeError:  # JAX has no GPU backend
                gpus = []
            if not gpus:
                raise DeviceError(
                    'THEANO_FLAGS device=%s asks for a GPU, but JAX sees none '
                    '(its devices: %s); %s' % (
                        FLAGS['device'],
                        ', '.join(_device_name(d) for d in jax.devices()),
                        GPU_INSTALL_HINT))
            if number >= len(gpus):
                raise DeviceError(
                    'THEANO_FLAGS device=%s: JAX sees only %d GPU(s), '
                    'device=cuda0 to cuda%d' % (FLAGS['device'], len(gpus),
                                                len(gpus) - 1))
            device = gpus[number]
        else:
            device = jax.devices('cpu')[0]
        jax.config.update('jax_default_device', device)
        _JAX_DEVICE.append(device)
    return _JAX_DEVICE[0]


def _device_name(device):
    """``cuda:0 (NVIDIA H100 ...)`` for a GPU, ``cpu:0`` for the CPU."""
    platform = 'cuda' if device.platform == 'gpu' else device.platform
    name = '%s:%d' % (platform, device.id)
    if device.device_kind.lower() != device.platform:
        name += ' (%s)' % device.device_kind
    return name


def jax_device_name():
    """:func:`jax_device` by name, as :func:`backend_description` says it."""
    return _device_name(jax_device())


def _is_jax_mode(mode):
    """True when ``mode`` (a name or a ``Mode``) compiles through JAX."""
    if isinstance(mode, str):
        return MODE_ALIASES.get(mode, mode) == 'JAX'
    from pytensor.link.jax.linker import JAXLinker  # does not import jax
    return isinstance(getattr(mode, 'linker', None), JAXLinker)


def _jax_function(inputs, outputs, mode, updates, givens, **kwargs):
    """``theano.function`` in mode JAX: static minibatches, data on device."""
    jax = _import_jax()
    device = jax_device()
    if givens:
        pairs = givens.items() if isinstance(givens, dict) else givens
        givens = [(var, _static_minibatch(value)) for var, value in pairs]
    with warnings.catch_warnings():
        # PyTensor notes each shape check that JAX's tracing drops; JAX
        # checks the shapes itself, so the note only adds noise.
        warnings.filterwarnings('ignore', message='Skipping Assert',
                                category=UserWarning)
        try:
            compiled = pytensor.function(inputs, outputs, mode=mode,
                                         updates=updates, givens=givens,
                                         **kwargs)
        except NotImplementedError as error:
            raise NotImplementedError(
                'PyTensor\'s JAX backend (%s) cannot compile this graph: %s\n'
                'theano_compat gives a static shape to minibatches written '
                'as shared[i * bs:(i + 1) * bs] with a constant bs; other '
                'slices of run-time length need a fixed length, or use '
                'THEANO_FLAGS=device=cpu' % (_flags_text(), error)) from error
    for shared_var in compiled.get_shared():
        storage = shared_var.container.storage
        value = storage[0]
        # Skip values JAX would store in another dtype (float64 when JAX
        # runs in 32 bits, i.e. floatX=float32): they stay as they are.
        if (isinstance(value, numpy.ndarray) and
                jax.dtypes.canonicalize_dtype(value.dtype) == value.dtype):
            storage[0] = jax.device_put(value, device)
    return compiled


def _static_minibatch(value):
    """``data[i * bs:(i + 1) * bs]`` as ``data[:n * bs].reshape(...)[i]``.

    :param value: a symbolic tensor (a ``givens`` value)
    :returns: the same rows with the static length ``bs`` when ``value`` is
        such a slice of a shared variable (or of an elementwise function of
        one, like ``T.cast(shared_y, 'int32')``); otherwise ``value`` itself
    """
    match = _minibatch_slice(value)
    if match is None:
        return value
    data, index, batch_size = match
    root = data
    while (root.owner is not None and isinstance(root.owner.op, Elemwise)
           and len(root.owner.inputs) == 1):
        root = root.owner.inputs[0]
    if not isinstance(root, SharedVariable):
        return value
    shape = tuple(root.get_value(borrow=True).shape)
    n_batches = shape[0] // batch_size
    if len(shape) != data.ndim or n_batches == 0:
        return value
    # specify_shape makes a later set_value() of another length an error
    # rather than a silent use of the old number of rows.
    data = _pt.specify_shape(data, shape)
    batches = data[:n_batches * batch_size].reshape(
        (n_batches, batch_size) + shape[1:])
    return batches[index]


def _minibatch_slice(value):
    """``(data, i, bs)`` when ``value`` is ``data[i * bs:(i + 1) * bs]``.

    ``bs`` must be an integer constant; the products may be written either
    way round (``bs * i``).  Anything else gives None.
    """
    node = value.owner
    if node is None or type(node.op) is not Subtensor or len(
            node.op.idx_list) != 1 or len(node.inputs) != 3:
        return None
    bounds = node.op.idx_list[0]
    if not isinstance(bounds, slice) or bounds.step is not None:
        return None
    data, start, stop = node.inputs
    start, stop = _times_constant(start), _times_constant(stop)
    if start is None or stop is None or start[1] != stop[1]:
        return None
    (index, batch_size), (index_plus_one, _) = start, stop
    if (batch_size <= 0 or index.ndim != 0 or
            not index.dtype.startswith(('int', 'uint')) or
            not _is_plus_one(index_plus_one, index)):
        return None
    return data, index, batch_size


def _unwrap_scalar(var):
    """The tensor behind a ``ScalarFromTensor`` (slice bounds are wrapped)."""
    if var.owner is not None and isinstance(var.owner.op, ScalarFromTensor):
        return var.owner.inputs[0]
    return var


def _int_constant(var):
    """The value of an integer scalar constant, else None."""
    if isinstance(var, Constant):
        data = numpy.asarray(var.data)
        if data.ndim == 0 and numpy.issubdtype(data.dtype, numpy.integer):
            return int(data)
    return None


def _elemwise_pair(var, scalar_op):
    """The two inputs of ``var`` if it is elementwise ``scalar_op``."""
    var = _unwrap_scalar(var)
    node = var.owner
    if (node is not None and isinstance(node.op, Elemwise) and
            isinstance(node.op.scalar_op, scalar_op) and
            len(node.inputs) == 2):
        return node.inputs
    return None


def _times_constant(var):
    """``(x, c)`` when ``var`` is ``x * c`` or ``c * x``, c an int constant."""
    pair = _elemwise_pair(var, _scalar.Mul)
    for x, c in ([pair, pair[::-1]] if pair else []):
        if _int_constant(c) is not None:
            return x, _int_constant(c)
    return None


def _is_plus_one(var, index):
    """True when ``var`` is ``index + 1`` or ``1 + index``."""
    pair = _elemwise_pair(var, _scalar.Add)
    return bool(pair) and any(x is index and _int_constant(c) == 1
                              for x, c in (pair, pair[::-1]))


if MODE == 'JAX':
    _import_jax()  # a missing JAX is an error at import, not at first use
    # With floatX=float32 PyTensor runs JAX in 32 bits, as Theano's GPU
    # backend was: int64 indices become int32 and float64 sums (such as the
    # error rate's mean) float32.  JAX warns at each; that is expected here.
    warnings.filterwarnings(
        'ignore', category=UserWarning,
        message=r'Explicitly requested dtype (float|int)64 requested in')


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
