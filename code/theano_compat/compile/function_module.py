"""``theano.function``: compile a graph, as Theano compiled it.

The graph goes to ``pytensor.function`` unchanged.  What this adds is
Theano's meaning of the arguments:

* ``mode``: Theano's names (see ``engine.flags``); ``FAST_RUN``, the
  default, is the C backend with this port's rewrites (``engine.cvm``),
  whether it comes from ``THEANO_FLAGS`` or from the call;
* inputs given as ``theano.In(var, value=...)`` take that value when a
  call leaves them out;
* in mode JAX (``device=cuda``), minibatch slices and shared variables
  get static shapes (compiled again when a shared value changes shape)
  and the data stay on the device (``engine.jax_device``);
* ``NanGuardMode`` and ``DebugMode`` are Theano's debugging modes
  (``compile.nanguardmode``, ``compile.debugmode``);

and the compiled function is a :class:`Function`: PyTensor's own
``Function`` class, extended to take Python ints quickly, fill in
``In`` defaults and keep its inputs on the right side of the device.
"""

import warnings

import numpy
import pytensor
from pytensor.compile.executor import Function as PyTensorFunction
from pytensor.compile.executor import _pickle_Function as _pickle_function
from pytensor.compile.mode import get_mode

from theano_compat.compile.io import In
from theano_compat.engine import flags as _flags
from theano_compat.engine import cvm, jax_device

__all__ = ['function', 'Function', 'resolve_mode', 'MODE']

# The mode theano.function compiles in when given none.
MODE = _flags.default_mode(
    _flags.FLAGS,
    pytensor.config.mode if cvm.set_by_user('mode') else None)


def resolve_mode(mode=None):
    """The PyTensor mode that Theano's ``mode`` argument means.

    :param mode: None (the default of ``THEANO_FLAGS``), a name or a
        PyTensor ``Mode``, which is used as it is
    :rtype: Mode or str (a name that PyTensor knows as Theano did)
    """
    if mode is None:
        mode = MODE
    if not isinstance(mode, str):
        return mode
    excluding = _flags.FLAGS['optimizer_excluding']
    if mode in _flags.FAST_RUN_NAMES:
        return cvm.fast_cvm(excluding)
    if mode in _flags.DEBUG_MODE_NAMES:
        # Theano's debugging modes (compile.nanguardmode, .debugmode)
        from theano_compat.compile.mode import debug_mode
        mode = debug_mode(mode)
    theirs = [name for name in excluding if name not in cvm.REWRITE_NAMES]
    if theirs:
        return get_mode(mode).excluding(*theirs)
    return mode


def _plain_inputs(inputs):
    """The inputs for PyTensor, and the defaults by position."""
    plain, defaults = [], {}
    for position, given in enumerate(inputs):
        if isinstance(given, In) and given.has_default:
            # PyTensor sees an input without a value (see In)
            defaults[position] = given.default
        plain.append(given)
    return plain, defaults


def function(inputs, outputs=None, mode=None, updates=None, givens=None,
             no_default_updates=False, accept_inplace=False, name=None,
             rebuild_strict=True, allow_input_downcast=None, profile=None,
             on_unused_input=None, **kwargs):
    """``theano.function``: Theano's parameters, in Theano's order, each
    with the meaning ``pytensor.function`` gives it (which takes the same
    ones, and more by keyword, such as ``trust_input``).

    :rtype: Function (a PyTensor ``Function``)
    """
    kwargs.update(accept_inplace=accept_inplace, name=name,
                  rebuild_strict=rebuild_strict,
                  allow_input_downcast=allow_input_downcast, profile=profile,
                  on_unused_input=on_unused_input)
    if no_default_updates:
        # Theano's documented argument, which PyTensor still honours but
        # calls deprecated (a note for PyTensor's users, not Theano's)
        kwargs['no_default_updates'] = no_default_updates
    inputs, defaults = _plain_inputs(list(inputs))
    mode = resolve_mode(mode)
    with warnings.catch_warnings():
        warnings.filterwarnings('ignore', message='The no_default_updates '
                                'parameter is deprecated',
                                category=DeprecationWarning)
        if jax_device.is_jax_mode(mode):
            compiled = jax_device.compile_jax(inputs, outputs, mode, updates,
                                              givens, **kwargs)
            return Function.adopt(compiled, defaults, on_device=True)
        compiled = pytensor.function(inputs, outputs, mode=mode,
                                     updates=updates, givens=givens, **kwargs)
    return Function.adopt(compiled, defaults)


class Function(PyTensorFunction):
    """A compiled function, as ``theano.function`` returns it: a PyTensor
    ``Function`` (so ``debugprint``, pickling, ``copy`` and profiling take
    it as they take PyTensor's), with Theano's behaviour around the call:

    * inputs a call leaves out take their ``theano.In`` default;
    * when every argument is a Python int (a minibatch index), they are
      converted directly and PyTensor's checks of each argument skipped:
      ``numpy.asarray`` still refuses an int out of the dtype's range
      (PyTensor's checks cost about 35 us of a 600 us training step);
    * shared values a function of the other side left there are moved: a
      mode-JAX function puts its shared values on the device, any other
      copies device arrays back to NumPy before it runs;
    * a mode-JAX function whose shared values changed shape since it was
      compiled is compiled again for the new shapes
      (``jax_device.ShapeSpecialised``) and becomes that function.

    Its ``fn`` is the compiled graph's callable, as Theano's was (PyTensor
    names it ``vm``).  It pickles, as Theano's compiled functions did:
    loading it links the graph again, in the loading process's version of
    its mode.

    What Theano adds is kept on the function's ``maker`` (PyTensor's
    ``FunctionMaker``), whose ``function_class`` is this class: the
    functions that PyTensor makes again from a maker (when unpickling, or
    in :meth:`copy`) are of this class too, with the same additions.
    """

    __slots__ = ('defaults', 'on_device', '_jax', '_names', '_dtypes',
                 '_ints_only', '_shared', '_containers', '_random_states')

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_up()

    @classmethod
    def adopt(cls, compiled, defaults=None, on_device=False):
        """The PyTensor function ``compiled`` as a :class:`Function`.

        ``pytensor.function`` makes its functions of PyTensor's class; the
        result here takes over its state (its graph, storage and linked
        code: nothing is compiled again), and its maker makes this class
        from now on.
        """
        fn = cls.__new__(cls)
        fn._take_over(compiled, dict(defaults or {}), on_device)
        return fn

    def _take_over(self, compiled, defaults, on_device):
        """Become ``compiled`` (a PyTensor function), with Theano's
        additions."""
        maker = compiled.maker
        maker.function_class = type(self)
        maker.theano_defaults = defaults
        maker.theano_on_device = on_device
        for slot in PyTensorFunction.__slots__:
            setattr(self, slot, getattr(compiled, slot))
        self._set_up()

    def _set_up(self):
        """Theano's additions, read off the maker."""
        maker = self.maker
        self.defaults = getattr(maker, 'theano_defaults', {})
        self.on_device = getattr(maker, 'theano_on_device', False)
        # mode JAX: what compiles the function for new shapes
        self._jax = getattr(maker, 'theano_jax', None)
        explicit = [i for i in maker.inputs if not i.implicit]
        self._dtypes = [getattr(i.variable.type, 'dtype', None)
                        for i in explicit]
        self._names = [i.name for i in explicit]
        self._ints_only = bool(explicit) and all(
            getattr(i.variable.type, 'ndim', None) == 0
            and str(getattr(i.variable.type, 'dtype', '')).startswith(
                ('int', 'uint')) for i in explicit)
        self._shared = self.get_shared()
        self._containers = [c for i, c in zip(maker.inputs,
                                              self.input_storage)
                            if i.shared]
        # mode JAX: the NumPy RandomStates of theano.tensor.raw_random's
        # draws go to JAX as their states' arrays (see _call_with_states)
        self._random_states = [
            c for i, c in zip(maker.inputs, self.input_storage)
            if self.on_device and getattr(i.variable.type,
                                          'theano_random_state', False)]

    @property
    def fn(self):
        """The compiled graph's callable (Theano's name for ``vm``)."""
        return self.vm

    def __call__(self, *args, **kwargs):
        if self.on_device:
            jax_device.values_to_device(self._shared)
            if self._jax is not None and self._jax.changed(self):
                self._take_over(self._jax.compiled(), self.defaults, True)
        elif jax_device.DEVICE_VALUES_EXIST:
            jax_device.values_to_host(self._containers)
        if self.defaults and len(args) < len(self._dtypes):
            args, kwargs = self._with_defaults(args, kwargs)
        if (not kwargs and self._ints_only and not self.trust_input
                and len(args) == len(self._dtypes)
                and all(type(a) is int for a in args)):
            self.trust_input = True
            try:
                return _call(self, *[numpy.asarray(a, dtype=t)
                                     for a, t in zip(args, self._dtypes)])
            finally:
                self.trust_input = False
        if self._random_states:
            return self._call_with_states(args, kwargs)
        return _call(self, *args, **kwargs)

    def _call_with_states(self, args, kwargs):
        """A mode-JAX call of a function that draws from NumPy
        ``RandomState`` objects (``theano.tensor.raw_random``): JAX takes each
        as the arrays of its state, and what the call leaves there (the
        state after the draws, where the function updates it) becomes a
        ``RandomState`` again, so the shared variables hold
        ``RandomState`` objects between calls, as in Theano."""
        from theano_compat.tensor.raw_random import (arrays_to_state,
                                                     state_to_arrays)
        for container in self._random_states:
            container.storage[0] = state_to_arrays(container.storage[0])
        try:
            return _call(self, *args, **kwargs)
        finally:
            for container in self._random_states:
                value = container.storage[0]
                if isinstance(value, tuple):
                    container.storage[0] = arrays_to_state(value)

    def _with_defaults(self, args, kwargs):
        """The arguments, as positions, with the defaults of those not
        given; from the first input that has neither a value nor a
        default on, they are left to PyTensor (which names it)."""
        args, kwargs = list(args), dict(kwargs)
        for position in range(len(args), len(self._names)):
            name = self._names[position]
            if name is not None and name in kwargs:
                args.append(kwargs.pop(name))
            elif position in self.defaults:
                args.append(self.defaults[position])
            else:
                break
        return args, kwargs

    def copy(self, *args, **kwargs):
        """PyTensor's ``copy``, keeping Theano's additions.

        As in Theano 1.0.5, the copy returns its outputs as a list, even
        a single one (``[array(7)]``): Theano's ``copy`` made the new
        function from a list of outputs, so it did not unpack them.
        """
        copied = super().copy(*args, **kwargs)
        copied.maker.theano_defaults = self.defaults
        copied.maker.theano_on_device = self.on_device
        copied.unpack_single = False
        copied.return_none = False
        # a copy is not compiled again for new shapes (its shared
        # variables may be others): a new shape fails its shape check
        copied._set_up()
        return copied

    def __reduce__(self):
        # PyTensor registers its pickling for its own class only
        # (copyreg); the maker it pickles makes this class again.
        return _pickle_function(self)


_call = PyTensorFunction.__call__
