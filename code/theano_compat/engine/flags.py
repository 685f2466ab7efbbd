"""``THEANO_FLAGS``: the settings the tutorials' readers have always given.

They are read once, when ``theano_compat`` is imported, written as they
were for Theano, e.g. ``THEANO_FLAGS=floatX=float32,device=cpu``:

``floatX``  ``float64`` or ``float32``: the dtype of ``T.matrix()`` and of
            the tutorials' shared variables.  Unset, PyTensor's own setting
            stands (``float64``, unless ``PYTENSOR_FLAGS`` says otherwise).
``device``  ``cpu`` (default), or ``cuda``/``cuda0``/``gpu``/``gpu0``: run
            the compiled functions through PyTensor's JAX backend on a GPU,
            with the shared variables held in the GPU's memory (needs
            ``pip install -e '.[gpu]'``; see ``jax_device``).
``mode``    the mode ``theano.function`` compiles in, by Theano's names:
            ``FAST_RUN`` (the default; ``CVM`` is the same) is the C
            backend with this port's rewrites, ``FAST_COMPILE`` PyTensor's
            quick mode; ``JAX``, ``NUMBA``, ``C`` and ``PYTORCH`` are
            PyTensor's modes of those names; ``NanGuardMode`` and
            ``DebugMode`` (``DEBUG_MODE``) Theano's debugging modes
            (``compile.nanguardmode``, ``compile.debugmode``).
            ``mode=JAX`` with ``device=cpu`` runs the GPU's code path on
            JAX's CPU device: this is how the tests check that path
            without a GPU.
``optimizer_excluding``
            rewrites to leave out, separated by ``:``, as in Theano: this
            port's own (``fused_softmax_regression``, ``argmax_of_scores``,
            ``inline_softmax``, ``index_pairs_as_positions``,
            ``merge_after_inlining``) or PyTensor's names and tags.

Only what ``THEANO_FLAGS`` names is changed; every other PyTensor setting
stays as the user (or PyTensor) set it.  A flag or value this port cannot
honour raises :class:`TheanoFlagsError`, one line naming the flag and the
values it takes.
"""

import pytensor

__all__ = ['TheanoFlagsError', 'parse_theano_flags', 'uses_gpu',
           'default_mode', 'apply_flags', 'FLOATX_VALUES', 'MODE_VALUES',
           'FAST_RUN_NAMES', 'DEBUG_MODE_NAMES']


class TheanoFlagsError(ValueError):
    """``THEANO_FLAGS`` holds a flag or value this port cannot honour."""


TheanoFlagsError.__module__ = 'theano_compat'  # where users import it from


FLOATX_VALUES = ('float64', 'float32')
CPU_DEVICES = ('cpu',)
GPU_DEVICE_PREFIXES = ('cuda', 'gpu')
DEVICE_VALUES = ('cpu', 'cuda', 'cuda0', 'gpu', 'gpu0 (any GPU number)')
# The names that mean Theano's FAST_RUN: compiled C code.
FAST_RUN_NAMES = ('FAST_RUN', 'CVM')
# --- Theano's debugging modes (compile.nanguardmode, compile.debugmode):
DEBUG_MODE_NAMES = ('NanGuardMode', 'DebugMode', 'DEBUG_MODE')
# ---
MODE_VALUES = FAST_RUN_NAMES + ('FAST_COMPILE', 'JAX', 'NUMBA', 'C',
                                'PYTORCH') + DEBUG_MODE_NAMES
FLAG_NAMES = ('floatX', 'device', 'mode', 'optimizer_excluding')


def _flag_error(name, value, accepted):
    return TheanoFlagsError(
        'THEANO_FLAGS: %s=%r is not supported; use one of: %s'
        % (name, value, ', '.join(accepted)))


def parse_theano_flags(text):
    """Parse a ``THEANO_FLAGS`` string into a dict of checked settings.

    :type text: str
    :param text: comma-separated ``name=value`` pairs, e.g.
        ``'floatX=float32,device=cpu'``; may be empty
    :rtype: dict: ``floatX`` and ``mode`` (str, or None when not given),
        ``device`` (str, ``'cpu'`` when not given) and
        ``optimizer_excluding`` (tuple of str)
    :raises TheanoFlagsError: for an unknown name, a pair without ``=``
        or a value outside the accepted ones
    """
    flags = {'floatX': None, 'device': CPU_DEVICES[0], 'mode': None,
             'optimizer_excluding': ()}
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
        if name not in FLAG_NAMES:
            raise TheanoFlagsError(
                'THEANO_FLAGS: unknown flag %r; this port understands %s '
                '(other PyTensor settings go in PYTENSOR_FLAGS)'
                % (name, ', '.join(FLAG_NAMES)))
        if name == 'floatX' and value not in FLOATX_VALUES:
            raise _flag_error(name, value, FLOATX_VALUES)
        if name == 'device' and not _is_known_device(value):
            raise _flag_error(name, value, DEVICE_VALUES)
        if name == 'mode' and value not in MODE_VALUES:
            raise _flag_error(name, value, MODE_VALUES)
        if name == 'optimizer_excluding':
            value = tuple(part for part in value.split(':') if part)
        flags[name] = value
    if uses_gpu(flags) and flags['mode'] not in (None, 'JAX'):
        raise TheanoFlagsError(
            'THEANO_FLAGS: device=%s runs through PyTensor\'s JAX backend '
            'and cannot be combined with mode=%s; leave mode unset (or '
            'mode=JAX), or use device=cpu' % (flags['device'], flags['mode']))
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


def default_mode(flags, user_mode=None):
    """The mode name ``theano.function`` compiles in when given none.

    :param user_mode: PyTensor's ``mode`` setting when the user gave one
        (``PYTENSOR_FLAGS=mode=...``); it stands unless ``THEANO_FLAGS``
        names a mode or a GPU
    :rtype: str: ``THEANO_FLAGS``'s mode; else ``'JAX'`` for a GPU; else
        ``user_mode``; else Theano's default, ``'FAST_RUN'``
    """
    if flags['mode'] is not None:
        return flags['mode']
    if uses_gpu(flags):
        return 'JAX'
    return user_mode or 'FAST_RUN'


def apply_flags(flags):
    """Set the PyTensor settings that ``flags`` names, and no other."""
    if flags['floatX'] is not None:
        # floatX is a run-time setting of PyTensor's config object.
        pytensor.config.floatX = flags['floatX']


# The settings of this process, read once; theano_compat raises the
# error, if any, when it is imported.
import os as _os  # noqa: E402

try:
    FLAGS = parse_theano_flags(_os.environ.get('THEANO_FLAGS', ''))
    FLAGS_ERROR = None
except TheanoFlagsError as _error:
    FLAGS, FLAGS_ERROR = None, _error
