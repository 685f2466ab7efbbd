"""The C backend, set up to run the tutorials fast: Theano's ``FAST_RUN``.

``theano.function`` compiles CPU functions in the mode :func:`fast_cvm`
returns: PyTensor's C-backed ``CVM`` mode, linked to a real BLAS, with a
few rewrites that keep the tutorials' graphs in C, and first of all the
rewrite of :mod:`theano_compat.engine.fused` that runs logistic
regression's cost, gradient and error rate as one C++ loop.  None of them
changes what a function computes; each is measured in ``bench/README.md``
and tested against PyTensor's own result.  One of PyTensor's rewrites is
left out (:data:`EXCLUDED_PYTENSOR_REWRITES`), so that float32 constants
stay float32 in fused loops, as in Theano.

Every rewrite of this mode has a name that ``THEANO_FLAGS`` can switch
off, in Theano's habit: ``optimizer_excluding=fused_softmax_regression``
(see :data:`REWRITE_NAMES`).

Importing this module points PyTensor's C code at the OpenBLAS of the
``scipy-openblas32`` wheel, unless the user chose a BLAS already.
"""

import os

import pytensor
from pytensor.compile.mode import Mode
from pytensor.link.vm import VMLinker

from theano_compat.engine.rewrites import REWRITE_NAMES, REWRITES
from theano_compat.engine.threads import blas_threads

__all__ = ['fast_cvm', 'FastCVMMode', 'REWRITE_NAMES']


def set_by_user(name):
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

    The library is loaded here, with its threads' idle time cut to
    :data:`BLAS_THREAD_TIMEOUT` (unless ``OPENBLAS_THREAD_TIMEOUT`` is
    set) and their number set by :func:`blas_threads`.
    """
    if set_by_user('blas__ldflags'):
        return
    # OpenBLAS reads its settings once, when it is loaded, which importing
    # the wheel's module does: the variable is set for that moment only,
    # and never for children.
    given = 'OPENBLAS_THREAD_TIMEOUT' in os.environ
    if not given:
        os.environ['OPENBLAS_THREAD_TIMEOUT'] = str(BLAS_THREAD_TIMEOUT)
    try:
        import scipy_openblas32
    except ImportError:
        return
    finally:
        if not given:
            del os.environ['OPENBLAS_THREAD_TIMEOUT']
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
    import ctypes
    library = os.path.join(scipy_openblas32.get_lib_dir(),
                           scipy_openblas32.get_library(True))
    try:
        blas = ctypes.CDLL(library)  # loaded already: the same library
    except OSError:
        return
    threads = blas_threads()
    if threads is not None:
        try:
            blas.scipy_openblas_set_num_threads(threads)
        except AttributeError:  # a build without this entry point
            pass


# How long OpenBLAS's threads wait for more work before they sleep: 2^22
# cycles, under 2 ms here, instead of OpenBLAS's 2^28 (about 0.1 s).  They
# otherwise keep half a core busy after every matrix product, which the
# threads of the convolutions and the fused loop need (the LeNet step:
# 122 ms to 85 ms, bench/series_steps.py), and an idle process should not
# burn a core at all.
BLAS_THREAD_TIMEOUT = 22


# PyTensor rewrites this mode leaves out.  Fusion writes the scalar
# constants of a fused loop into its C code as decimal literals, which C
# reads as doubles: a float32 constant such as float32(2 pi) then enters
# float32 arithmetic as the double 6.2831855, and ``c * x`` or ``x < c``
# is computed in double, not in float32 as PyTensor's Python code, its
# JAX code and Theano (which passed constants to fused loops as float32
# arrays) compute it.  Left as inputs, constants keep their dtype; float64
# and integer results do not change (their literals were exact).
EXCLUDED_PYTENSOR_REWRITES = ('local_inline_composite_constants',)


def _bound(entry, excluding):
    """A (rewriter, position) entry of REWRITES for the mode that leaves
    out ``excluding``: a rewriter that needs to know its mode (the loops'
    inner mode, ``engine.scan_mode``) has a ``bound`` method."""
    rewriter, position = entry
    if hasattr(rewriter, 'bound'):
        rewriter = rewriter.bound(excluding)
    return rewriter, position


class FastCVMMode(Mode):
    """PyTensor's CVM mode with this module's rewrites (see :func:`fast_cvm`).

    It pickles as the call that makes it, so that a pickled compiled
    function takes the rewrites of the process that loads it.
    """

    def __init__(self, excluding=(), linker=None, optimizer=None):
        excluding = tuple(sorted(set(excluding)))
        if optimizer is None:
            ours = [name for name in REWRITE_NAMES if name not in excluding]
            optimizer = pytensor.compile.mode.CVM.provided_optimizer
            others = [name for name in excluding if name not in REWRITES]
            others += [name for name in EXCLUDED_PYTENSOR_REWRITES
                       if name not in others]
            if others:
                optimizer = optimizer.excluding(*others)
            optimizer = optimizer.register(*[
                _bound(REWRITES[name], excluding) for name in ours])
        if linker is None:
            # allow_gc=False keeps intermediate buffers between calls
            # instead of reallocating them (about 1 %).
            linker = VMLinker(use_cloop=True, allow_gc=False)
        super().__init__(linker, optimizer)
        self.excluded = excluding

    def clone(self, link_kwargs=None, optimizer='', **kwargs):
        """This mode with its linker cloned with ``link_kwargs`` (as
        ``scan`` clones its inner function's mode, with the loop's
        ``allow_gc``) and, when given, another ``optimizer``: PyTensor's
        ``Mode.clone``, keeping this class and its excluded names."""
        linker = self.linker.clone(**(link_kwargs or {}))
        if optimizer == '':
            optimizer = self.provided_optimizer
        return type(self)(self.excluded, linker=linker, optimizer=optimizer)

    def __reduce__(self):
        return (fast_cvm, (self.excluded,))


_MODES = {}


def fast_cvm(excluding=()):
    """The C backend's mode, without the rewrites named in ``excluding``.

    :param excluding: names from :data:`REWRITE_NAMES`, or PyTensor's own
        rewrite names and tags (as ``THEANO_FLAGS=optimizer_excluding=``)
    :rtype: FastCVMMode, one per set of names
    """
    key = tuple(sorted(set(excluding)))
    if key not in _MODES:
        _MODES[key] = FastCVMMode(key)
    return _MODES[key]


_use_pip_openblas()
