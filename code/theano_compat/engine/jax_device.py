"""PyTensor's JAX backend, for ``device=cuda`` (a GPU) and ``mode=JAX``.

Theano ran the same graphs on a GPU when told ``device=cuda``; PyTensor
reaches accelerators through JAX instead.  Everything here runs only in
mode JAX, and the same code serves a GPU (``device=cuda...``) and JAX's
CPU device (``mode=JAX``, ``device=cpu``), which is how the tests cover it
without a GPU.  The C backend never comes here, so its graphs are
unchanged.

Three things make the tutorial's functions, and Theano programs like
them, work, and work fast, under JAX:

* Static minibatch shapes.  JAX compiles for fixed shapes, and the
  tutorial's minibatch ``data[i * bs:(i + 1) * bs]`` has a length known
  only at run time (``T.arange(y.shape[0])`` then cannot compile).  The
  same rows, taken as ``data[:n * bs].reshape((n, bs, ...))[i]``, have the
  fixed length ``bs``, so givens of that form are rewritten so.  ``n`` is
  the number of whole minibatches in the data at compile time.  (Past the
  last whole minibatch, JAX clamps the index and so gives that minibatch
  again, where the C backend gives a short or empty one.)
* Shared variables' shapes as constants.  A shape computed from a shared
  variable's (``T.arange(Y.shape[0] - 1)``) is known when the function
  is compiled, and is given to JAX as a constant; a ``set_value`` of
  another shape has the function compiled again before its next call
  (:class:`ShapeSpecialised`).
* Data kept on the device.  Shared variables hold NumPy arrays, which JAX
  would copy to the device at every call: the whole data set for each
  minibatch.  Before a mode-JAX function runs, its shared variables'
  values are put on the device (once: they stay there, and the values
  the updates write back, W and b, are on the device already).  Such a
  shared variable still behaves as a NumPy one: ``get_value()`` returns
  a NumPy array the user can write into, ``set_value()`` puts the new
  value on the device, and a function of another mode (the C backend)
  finds NumPy arrays in its inputs, copied back from the device when a
  JAX function wrote last.
"""

import importlib
import importlib.abc
import sys
import warnings

import numpy
import pytensor
import pytensor.scalar as ps
import pytensor.tensor as pt
from pytensor.compile.sharedvalue import SharedVariable
from pytensor.graph.basic import Constant
from pytensor.tensor.basic import ScalarFromTensor
from pytensor.tensor.elemwise import Elemwise
from pytensor.tensor.subtensor import Subtensor

from theano_compat.engine.flags import FLAGS, uses_gpu

__all__ = ['DeviceError', 'NotInModeJAX', 'install_jax_dispatch', 'import_jax', 'jax_device',
           'jax_device_name',
           'is_jax_mode', 'compile_jax', 'ShapeSpecialised',
           'values_to_device', 'values_to_host']

GPU_INSTALL_HINT = ("install JAX with its CUDA plugin: pip install -e "
                    "'.[gpu]' (or run on the CPU: THEANO_FLAGS=device=cpu)")
JAX_INSTALL_HINT = ("install JAX: pip install -e '.[test]' (CPU) or "
                    "pip install -e '.[gpu]' (NVIDIA GPU)")


class DeviceError(RuntimeError):
    """The device or backend asked for is not available."""


DeviceError.__module__ = 'theano_compat'  # where users import it from


class NotInModeJAX(NotImplementedError):
    """What mode JAX cannot compute whatever the shapes (an op without
    JAX code, a parameter that must be a constant): raised by the package's
    JAX dispatch modules with a message that is the whole advice, so the
    compiler passes it on as it is, without the advice on shapes that it
    adds to PyTensor's own errors."""


def _flags_text():
    """How the user asked for JAX, for error messages."""
    if uses_gpu(FLAGS):
        return 'THEANO_FLAGS device=%s' % FLAGS['device']
    return 'mode JAX'


def import_jax():
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
        jax = import_jax()
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


def is_jax_mode(mode):
    """True when ``mode`` (a name or a ``Mode``) compiles through JAX."""
    if isinstance(mode, str):
        return mode == 'JAX'
    from pytensor.link.jax.linker import JAXLinker  # does not import jax
    return isinstance(getattr(mode, 'linker', None), JAXLinker)


# ----------------------------------------------------------------------------
# The package's JAX implementations, without importing JAX before it is used.

_JAX_DISPATCH = 'pytensor.link.jax.dispatch'
_OUR_DISPATCH = 'theano_compat.engine.jax_dispatch'


class _RunAfterLoading(importlib.abc.Loader):
    """Loads a module with another loader, then imports ours."""

    def __init__(self, loader):
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        _import_our_dispatch()

    def __getattr__(self, name):  # get_source, is_package... as it has them
        return getattr(self.loader, name)


class _JaxDispatchWatcher(importlib.abc.MetaPathFinder):
    """Notices the import of PyTensor's JAX dispatch module."""

    def find_spec(self, fullname, path, target=None):
        if fullname != _JAX_DISPATCH:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, 'find_spec'):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None:
                    spec.loader = _RunAfterLoading(spec.loader)
                return spec
        return None


_WATCHER = _JaxDispatchWatcher()


def _import_our_dispatch():
    if _WATCHER in sys.meta_path:
        sys.meta_path.remove(_WATCHER)  # its work is done
    importlib.import_module(_OUR_DISPATCH)


def install_jax_dispatch():
    """The one hook of the package's JAX code: ``engine.jax_dispatch``
    (which registers the JAX implementations of the package's own ops,
    conv2d, pool_2d, the MRG generator..., with ``jax_funcify``) is
    imported when PyTensor loads its JAX backend, whoever compiles in mode
    JAX, or at once if it has already.  JAX takes over a second to import,
    so the package does not import it for the C backend: a finder on
    ``sys.meta_path`` notices PyTensor's import and leaves once it has
    imported ours.  ``theano_compat`` calls this once, at the end of its
    own import.
    """
    if _JAX_DISPATCH in sys.modules:
        _import_our_dispatch()
    elif _WATCHER not in sys.meta_path:
        sys.meta_path.insert(0, _WATCHER)


def compile_jax(inputs, outputs, mode, updates, givens, **kwargs):
    """``pytensor.function`` in mode JAX, for the shapes its shared
    variables have now (see :class:`ShapeSpecialised`).

    :returns: the compiled PyTensor function; its maker's ``theano_jax``
        is the :class:`ShapeSpecialised` that compiles it again for other
        shapes
    :raises NotImplementedError: naming the way out, when JAX cannot
        compile the graph
    """
    import_jax()
    jax_device()
    recipe = ShapeSpecialised(inputs, outputs, mode, updates, givens, kwargs)
    return recipe.compiled()


class ShapeSpecialised(object):
    """A mode-JAX function as it was asked for, compiled for the current
    shapes of the shared variables it reads.

    JAX compiles for fixed shapes, and a shape that PyTensor's graph
    computes (``T.arange(Y.shape[0] - 1)``, ``T.zeros((Y.shape[0], 10))``)
    must be a constant when JAX traces it.  The value of a shared variable,
    unlike an input's, is there when the function is compiled, so its
    shape is given to PyTensor as a fact (``specify_shape``), which folds
    such shapes into constants; the tutorial's minibatch slices get their
    static length the same way (:func:`_static_minibatch`).  The facts
    hold as long as the values keep their shapes: before each call the
    function compares them (:meth:`changed`), and after a ``set_value``
    of another shape it is compiled again for the new shapes (kept, so
    that going back to earlier shapes compiles nothing).

    Left out: shared variables that are not tensors (random generators)
    or that carry a ``default_update`` (random states), any that
    ``givens`` replaces, and lengths of 1 (see :func:`_facts`).
    """

    def __init__(self, inputs, outputs, mode, updates, givens, kwargs):
        self.inputs = list(inputs)
        self.outputs = outputs
        self.mode = mode
        self.updates = list(updates.items() if isinstance(updates, dict)
                            else updates or [])
        self.givens = list(givens.items() if isinstance(givens, dict)
                           else givens or [])
        self.kwargs = dict(kwargs)
        self.fixed = self._fixed_shape_variables()
        self._compiled = {}  # {shapes: PyTensor function}

    def _fixed_shape_variables(self):
        """The shared variables whose shapes become constants."""
        from pytensor.graph.traversal import ancestors
        from pytensor.tensor.type import TensorType
        replaced = {var for var, _ in self.givens}
        graphs = _variables(self.outputs) + [
            value for pair in self.updates + self.givens for value in pair]
        return [var for var in ancestors(graphs)
                if isinstance(var, SharedVariable)
                and isinstance(var.type, TensorType) and var.ndim > 0
                and var.default_update is None and var not in replaced]

    def shapes(self):
        """The shapes of the fixed variables' values now."""
        return tuple(var.container.storage[0].shape for var in self.fixed)

    def changed(self, compiled):
        """Whether a value no longer has the shape ``compiled`` was
        compiled for."""
        return self.shapes() != compiled.maker.theano_shapes

    def compiled(self):
        """The PyTensor function for the current shapes."""
        shapes = self.shapes()
        if shapes not in self._compiled:
            self._compiled[shapes] = self._compile(shapes)
        return self._compiled[shapes]

    def _compile(self, shapes):
        # the shapes' facts first: the givens' values read the variables
        givens = [(var, pt.specify_shape(var, _facts(var, shape)))
                  for var, shape in zip(self.fixed, shapes)]
        givens += [(var, _static_minibatch(value))
                   for var, value in self.givens]
        with warnings.catch_warnings():
            # PyTensor notes each shape check that JAX's tracing drops; JAX
            # checks the shapes itself, so the note only adds noise.
            warnings.filterwarnings('ignore', message='Skipping Assert',
                                    category=UserWarning)
            try:
                compiled = pytensor.function(
                    self.inputs, self.outputs, mode=self.mode,
                    updates=self.updates, givens=givens, **self.kwargs)
            except NotInModeJAX:
                raise
            except NotImplementedError as error:
                raise NotImplementedError(
                    'PyTensor\'s JAX backend (%s) cannot compile this graph: '
                    '%s\ntheano_compat gives a static shape to shared '
                    'variables and to minibatches written as shared[i * bs:'
                    '(i + 1) * bs] with a constant bs; other slices of '
                    'run-time length need a fixed length, or use '
                    'THEANO_FLAGS=device=cpu' % (_flags_text(), error)
                ) from error
        compiled.maker.theano_jax = self
        compiled.maker.theano_shapes = shapes
        return compiled

    def __getstate__(self):
        state = dict(self.__dict__)
        state['_compiled'] = {}  # compiled again where it is loaded
        return state


def _facts(var, shape):
    """The lengths of ``shape`` that may be given to PyTensor as facts
    about ``var``: a length of 1 where ``var``'s type does not say 1 stays
    unknown, since it would make that axis broadcastable, and an update
    of ``var`` computed from it no longer of ``var``'s type."""
    return tuple(None if length == 1 and static != 1 else length
                 for length, static in zip(shape, var.type.shape))


def _variables(outputs):
    """The variables of ``theano.function``'s ``outputs`` argument."""
    if outputs is None:
        return []
    if not isinstance(outputs, (list, tuple)):
        outputs = [outputs]
    return [getattr(out, 'variable', out) for out in outputs]


# Whether any shared value has been put on the device in this process:
# until then, functions of other modes have nothing to copy back.
DEVICE_VALUES_EXIST = False


def values_to_device(shared_vars):
    """Put the NumPy values of ``shared_vars`` on the JAX device.

    Values that JAX would store in another dtype (float64 when JAX runs
    in 32 bits, i.e. floatX=float32) stay as they are.
    """
    global DEVICE_VALUES_EXIST
    jax = import_jax()
    device = jax_device()
    for var in shared_vars:
        storage = var.container.storage
        value = storage[0]
        if (type(value) is numpy.ndarray and
                jax.dtypes.canonicalize_dtype(value.dtype) == value.dtype):
            storage[0] = jax.device_put(value, device)
            _make_device_resident(var)
            DEVICE_VALUES_EXIST = True


def values_to_host(containers):
    """Replace device arrays in ``containers`` by NumPy copies."""
    for container in containers:
        value = container.storage[0]
        if value is not None and not isinstance(value, (numpy.ndarray,
                                                        numpy.generic)):
            if _is_jax_array(value):
                container.storage[0] = numpy.array(value)


def _is_jax_array(value):
    jax = import_jax()
    return isinstance(value, jax.Array)


def _host_get_value(self, borrow=False, return_internal_type=False):
    """``get_value``, giving a NumPy copy of a value on the device."""
    plain = super(type(self), self)
    value = plain.get_value(borrow=True, return_internal_type=True)
    if return_internal_type or not _is_jax_array(value):
        return plain.get_value(borrow, return_internal_type)
    return numpy.array(value)  # a host copy, the user's to write into


def _device_set_value(self, new_value, borrow=False):
    """``set_value``, then the value goes to the device."""
    super(type(self), self).set_value(new_value, borrow)
    values_to_device([self])


# {shared variable class: its subclass whose value lives on the device}
_RESIDENT_CLASSES = {}


def _make_device_resident(var):
    """Make ``var`` a shared variable whose value lives on the device: its
    class becomes a subclass (made once per class) whose ``get_value``
    and ``set_value`` are the two functions above.  (A subclass of the
    variable's class alone: Python refuses to swap a PyTensor variable's
    class for one with a second base.)"""
    cls = type(var)
    if getattr(cls, 'device_resident', False):
        return
    if cls not in _RESIDENT_CLASSES:
        _RESIDENT_CLASSES[cls] = type(cls.__name__, (cls,), {
            '__module__': cls.__module__, '__slots__': (),
            'device_resident': True,
            'get_value': _host_get_value, 'set_value': _device_set_value})
    var.__class__ = _RESIDENT_CLASSES[cls]


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
    # The function is compiled again when the data's shape changes
    # (ShapeSpecialised); should it not be, specify_shape makes the call
    # an error rather than a silent use of the old number of rows.
    data = pt.specify_shape(data, shape)
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
    pair = _elemwise_pair(var, ps.Mul)
    for x, c in ([pair, pair[::-1]] if pair else []):
        if _int_constant(c) is not None:
            return x, _int_constant(c)
    return None


def _is_plus_one(var, index):
    """True when ``var`` is ``index + 1`` or ``1 + index``."""
    pair = _elemwise_pair(var, ps.Add)
    return bool(pair) and any(x is index and _int_constant(c) == 1
                              for x, c in (pair, pair[::-1]))


def prepare_process():
    """What mode JAX needs once per process: JAX itself, and quiet casts.

    A missing JAX is an error at import, not at first use.  With
    floatX=float32 PyTensor runs JAX in 32 bits, as Theano's GPU backend
    was: int64 indices become int32 and float64 sums (such as the error
    rate's mean) float32.  JAX warns at each; that is expected here.
    """
    import_jax()
    warnings.filterwarnings(
        'ignore', category=UserWarning,
        message=r'Explicitly requested dtype (float|int)64 requested in')
