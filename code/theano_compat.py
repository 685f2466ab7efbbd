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
package, if one is installed, is left alone.  One name differs from
PyTensor's: ``T.grad`` (and ``theano.grad``) returns the gradient of the
tutorial's own cost as one node that the C backend runs as a single C++
loop (``pytensor_fused``); any other cost gets ``pytensor.grad``'s graph.

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
from pytensor.tensor import special as _special

# The C backend's speed settings (BLAS, threads, rewrites) live there.
from pytensor_cvm import FAST_CVM, fast_mode, take_indices_fast
# T.grad: PyTensor's, with the tutorial's cost and gradient in one node.
from pytensor_fused import grad

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
        take_indices_fast(compiled)
    return compiled


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
               _pt, nnet=nnet, grad=grad)

theano = _namespace(
    'theano', 'Theano\'s top-level names, over PyTensor.', pytensor,
    tensor=T, function=function, shared=pytensor.shared,
    config=pytensor.config, grad=grad)
