"""Theano's names, served by PyTensor: the ``theano`` package of this port.

The Deep Learning Tutorials were written against Theano, whose last
release (1.0.5) does not run on NumPy 2.  PyTensor is the maintained
continuation of the same code base, so most names the tutorials use still
exist there, some under a new module, a few with a new meaning.  This
package lays them out as Theano's tree did:

=====================================  ======================================
``theano``                             this package: ``function``, ``shared``,
                                       ``scan``, ``In``, ``config``, ``grad``
``theano.tensor`` (``T``)              ``theano_compat.tensor``
``theano.tensor.nnet``                 ``sigmoid``, ``softmax``, ``conv2d``...
``theano.tensor.signal.pool``          ``pool_2d``
``theano.tensor.shared_randomstreams`` ``RandomStreams``
``theano.sandbox.rng_mrg``             ``MRG_RandomStreams``
=====================================  ======================================

Two ways in:

* ``from theano_compat import theano, T`` in place of ``import theano`` and
  ``import theano.tensor as T``;
* ``python -m theano_compat SCRIPT [ARGS...]`` runs a script written for
  Theano unchanged: inside that process ``import theano`` and every
  ``theano.*`` import resolve to this package (``theano_compat.runner``;
  :func:`install_as_theano` does the same in a running interpreter, such
  as a notebook).  Nothing named ``theano`` is installed or shadowed
  anywhere else.

Every other name of Theano's tree comes from one table,
:data:`theano_compat.names.TABLE`: this package's module of that path, a
named PyTensor module or object, or a one-line error saying what to use
for a name left out.  ``theano.config`` is Theano 1.0.5's, with every
one of its options (``theano_compat.configdefaults``).

Where PyTensor changed a meaning the series relies on, Theano's stands
here: ``theano.function`` compiles Theano's ``FAST_RUN`` as C code (with
the rewrites of ``engine.cvm``), ``theano.In`` takes a default ``value``,
``scan`` returns its updates, ``softmax`` of a vector is a 1 x n matrix,
variables are truthy (``tensor.var``), and the random streams take
Theano's arguments.  The graphs themselves are PyTensor's own:
``theano.grad`` is ``pytensor.grad``.

A name of Theano's that neither this package nor PyTensor has raises
:class:`TheanoNameError`, saying what to use instead.  The settings come
from ``~/.theanorc`` and ``THEANO_FLAGS`` (``engine.flags``).  The
machinery lives in ``theano_compat.engine``: the flags, the C backend's
mode, the fused softmax-regression loop, the JAX device code.
"""

import sys as _sys

from theano_compat.engine.flags import TheanoFlagsError


def _run_by_dash_m():
    """Whether Python is importing this package to run it (``-m``).

    While Python looks for the module of ``python -m``, ``sys.argv[0]`` is
    ``'-m'``; then the runner, not a traceback, should report bad flags.
    """
    return _sys.argv[:1] == ['-m']


from theano_compat.engine import flags as _flags  # noqa: E402

try:
    if _flags.FLAGS_ERROR is not None:
        raise _flags.FLAGS_ERROR
    _flags.apply_flags(_flags.FLAGS)
except TheanoFlagsError as _error:
    if _run_by_dash_m():
        print('error: %s' % _error, file=_sys.stderr)
        raise SystemExit(2)
    raise
FLAGS = _flags.FLAGS

import pytensor  # noqa: E402
from pytensor import shared  # noqa: E402,F401
from pytensor.gradient import grad  # noqa: E402,F401
from pytensor.compile.mode import Mode  # noqa: E402,F401

from theano_compat.configdefaults import config  # noqa: E402

from theano_compat.engine.jax_device import DeviceError  # noqa: E402
from theano_compat.compile import function, In, Out  # noqa: E402,F401
from theano_compat.compile.function_module import MODE  # noqa: E402
from theano_compat.scan_module import scan  # noqa: E402,F401
from theano_compat import tensor  # noqa: E402
from theano_compat.names import TheanoNameError, module_getattr  # noqa: E402
from theano_compat.runner import install_as_theano  # noqa: E402,F401

if MODE == 'JAX':
    try:
        from theano_compat.engine import jax_device as _jax_device
        _jax_device.prepare_process()
    except DeviceError as _error:
        if _run_by_dash_m():
            print('error: %s' % _error, file=_sys.stderr)
            raise SystemExit(2)
        raise

# the JAX code of the package's ops, when PyTensor's JAX backend loads
from theano_compat.engine.jax_device import install_jax_dispatch  # noqa: E402
install_jax_dispatch()

# ``from theano_compat import theano, T``
theano = _sys.modules[__name__]
T = tensor

__all__ = ['theano', 'T', 'function', 'shared', 'scan', 'In', 'Out',
           'config', 'grad', 'TheanoFlagsError', 'DeviceError',
           'TheanoNameError', 'install_as_theano', 'backend_description']


def backend_description():
    """One line saying which engine, mode and dtype compiled functions use.

    In mode JAX the device is the one JAX really runs on, e.g. ``cuda:0
    (NVIDIA H100)`` or ``cpu:0``; asking raises :class:`DeviceError` when
    the GPU that ``THEANO_FLAGS`` asks for is missing.
    """
    if MODE == 'JAX':
        from theano_compat.engine.jax_device import jax_device_name
        device = jax_device_name()
    else:
        device = FLAGS['device']
    return 'PyTensor %s, mode %s, device %s, floatX %s' % (
        pytensor.__version__, MODE, device, pytensor.config.floatX)


def dot(l, r):
    """``theano.dot``: the product of two tensors, or of a sparse matrix
    and a tensor (``theano.sparse``'s product then), as Theano's."""
    from pytensor.sparse.variable import SparseVariable
    if isinstance(l, SparseVariable) or isinstance(r, SparseVariable):
        from pytensor import sparse
        return sparse.dot(l, r)
    return pytensor.tensor.dot(l, r)


def get_scalar_constant_value(v):
    """``theano.get_scalar_constant_value``: the value of the constant
    scalar ``v`` (a tensor, or a sparse constant holding one value);
    ``T.NotScalarConstantError`` when ``v`` is not constant."""
    from pytensor.sparse.variable import SparseConstant
    if isinstance(v, SparseConstant) and v.data.size == 1:
        return v.data.data[0]
    return tensor.basic.get_scalar_constant_value(v)


# Theano's other top-level names: from the table (names.TABLE['theano']).
__getattr__ = module_getattr(__name__)
