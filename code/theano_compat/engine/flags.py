"""``THEANO_FLAGS`` and ``~/.theanorc``: the settings Theano's users give.

They are read once, when ``theano_compat`` is imported, as Theano read
them: first the configuration files (``~/.theanorc``, or the files that
``THEANORC`` names, separated by ``:``; on the right the ones that win),
with the options without a dot in a ``[global]`` section and
``section.option`` as ``option`` in a ``[section]`` section; then
``THEANO_FLAGS`` on top, e.g. ``THEANO_FLAGS=floatX=float32,device=cpu``.
Every option of Theano 1.0.5's ``theano.config`` is accepted (see
``theano_compat.configdefaults`` for what each does here); the four this
engine acts on are:

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

Only what the flags and files name is changed; every other PyTensor
setting stays as the user (or PyTensor) set it.  The PyTensor settings
that PyTensor fixes once it is imported (``base_compiledir``,
``optimizer_including``...) are handed to it through ``PYTENSOR_FLAGS``
before it is imported.  A flag or value this port cannot honour, and a
configuration file it cannot read, raise :class:`TheanoFlagsError`: one
line naming where, the option, and the values it takes.  Options that
Theano did not have are refused in ``THEANO_FLAGS``; in the files, where
Theano ignored them, they are ignored.
"""

import configparser
import difflib
import os
import shlex
import sys

__all__ = ['TheanoFlagsError', 'parse_theano_flags', 'uses_gpu',
           'default_mode', 'apply_flags', 'read_settings', 'theanorc_files',
           'check_settings', 'FLOATX_VALUES', 'MODE_VALUES',
           'FAST_RUN_NAMES', 'DEBUG_MODE_NAMES', 'ENGINE_FLAGS']


class TheanoFlagsError(ValueError):
    """``THEANO_FLAGS`` or a configuration file holds a setting this port
    cannot honour."""


TheanoFlagsError.__module__ = 'theano_compat'  # where users import it from


FLOATX_VALUES = ('float64', 'float32')
CPU_DEVICES = ('cpu',)
GPU_DEVICE_PREFIXES = ('cuda', 'gpu')
DEVICE_VALUES = ('cpu', 'cuda', 'cuda0', 'gpu', 'gpu0 (any GPU number)')
# The names that mean Theano's FAST_RUN: compiled C code.
FAST_RUN_NAMES = ('FAST_RUN', 'CVM')
# Theano's debugging modes (compile.nanguardmode, compile.debugmode).
DEBUG_MODE_NAMES = ('NanGuardMode', 'DebugMode', 'DEBUG_MODE')
# The modes by name.
MODE_VALUES = FAST_RUN_NAMES + ('FAST_COMPILE', 'JAX', 'NUMBA', 'C',
                                'PYTORCH') + DEBUG_MODE_NAMES
# The settings this engine acts on itself, always in the parsed dict.
ENGINE_FLAGS = ('floatX', 'device', 'mode', 'optimizer_excluding')


def _flag_error(name, value, accepted, where='THEANO_FLAGS'):
    return TheanoFlagsError(
        '%s: %s=%r is not supported; use one of: %s'
        % (where, name, value, ', '.join(accepted)))


def is_known_device(value):
    """Whether ``device=value`` is a device this port runs on."""
    if value in CPU_DEVICES:
        return True
    for prefix in GPU_DEVICE_PREFIXES:
        if value.startswith(prefix) and (value[len(prefix):] == ''
                                         or value[len(prefix):].isdigit()):
            return True
    return False


def split_flags(text, where='THEANO_FLAGS'):
    """``name=value,...`` as a dict of name -> (value, where).

    :raises TheanoFlagsError: for an item without ``=``, a name or a value
    """
    given = {}
    for item in (text or '').split(','):
        item = item.strip()
        if not item:
            continue
        name, sep, value = item.partition('=')
        name, value = name.strip(), value.strip()
        # An empty value is a value (blas.ldflags=, cxx=), except for
        # floatX, device and mode, which have none.
        if not sep or not name or (not value and name in ENGINE_FLAGS):
            raise TheanoFlagsError(
                '%s: %r is not of the form name=value '
                '(example: THEANO_FLAGS=floatX=float32,device=cpu)'
                % (where, item))
        given[name] = (value, where)
    return given


def theanorc_files(environ=None):
    """The configuration files Theano read, in order (later ones win)."""
    environ = os.environ if environ is None else environ
    return [os.path.expanduser(path) for path in
            environ.get('THEANORC', '~/.theanorc').split(os.pathsep)]


def _options():
    from theano_compat.configdefaults import config
    return config


def read_theanorc(paths, options):
    """The options of Theano's that the files ``paths`` give.

    :rtype: dict of dotted name -> (value, where), for the names in
        ``options`` only (Theano looked only those up)
    :raises TheanoFlagsError: for a file that is not in the format
    """
    defaults = {
        'USER': os.environ.get('USER', os.path.basename(
            os.path.expanduser('~'))),
        'LSCRATCH': os.environ.get('LSCRATCH', ''),
        'TMPDIR': os.environ.get('TMPDIR', ''),
        'TEMP': os.environ.get('TEMP', ''),
        'TMP': os.environ.get('TMP', ''),
        'PID': str(os.getpid()),
    }
    parser = configparser.ConfigParser(defaults)
    raw = configparser.RawConfigParser()
    readable = [path for path in paths if os.path.isfile(path)]
    for path in readable:
        try:
            # one file at a time, so that an error names its file
            parser.read(path)
            raw.read(path)
        except (configparser.Error, UnicodeDecodeError) as error:
            first = str(error).splitlines()[0]
            raise TheanoFlagsError(
                '%s: cannot be read as a Theano configuration file (%s); '
                'write [global] then name = value lines' % (path, first)) \
                from None
    given = {}
    for name in options:
        section, _, option = name.rpartition('.')
        section = section or 'global'
        try:
            try:
                value = parser.get(section, option)
            except configparser.InterpolationError:
                value = raw.get(section, option)
        except (configparser.NoOptionError, configparser.NoSectionError):
            continue
        where = '%s [%s]' % (_file_of(readable, section, option), section)
        given[name] = (value.strip(), where)
    return given


def _file_of(paths, section, option):
    """The last of ``paths`` that sets ``option`` (the one that wins)."""
    for path in reversed(paths):
        single = configparser.RawConfigParser()
        try:
            single.read(path)
        except configparser.Error:
            continue
        if single.has_option(section, option):
            return path
    return paths[-1] if paths else 'theanorc'


def read_settings(environ=None):
    """Every setting given to this process: the files, then THEANO_FLAGS.

    :rtype: dict of dotted name -> (value, where)
    """
    environ = os.environ if environ is None else environ
    config = _options()
    given = read_theanorc(theanorc_files(environ), config.option_names())
    given.update(split_flags(environ.get('THEANO_FLAGS', '')))
    return given


def check_settings(given):
    """Check given settings against Theano's options.

    :param given: dict of dotted name -> (value, where), as
        :func:`read_settings` or :func:`split_flags` give
    :rtype: dict: ``floatX`` and ``mode`` (str, or None when not given),
        ``device`` (str, ``'cpu'`` when not given),
        ``optimizer_excluding`` (tuple of str), and the converted value of
        every other option given, under its dotted name
    :raises TheanoFlagsError: for an unknown name or a value the option
        does not take
    """
    from theano_compat.configparser import ConfigValueError
    config = _options()
    known = config.option_names()
    flags = {'floatX': None, 'device': CPU_DEVICES[0], 'mode': None,
             'optimizer_excluding': ()}
    for name, (value, where) in given.items():
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            raise TheanoFlagsError(
                '%s: unknown flag %r%s; Theano 1.0.5 has no option of that '
                'name (other PyTensor settings go in PYTENSOR_FLAGS)'
                % (where, name, ' (did you mean %s?)' % close[0]
                   if close else ''))
        try:
            converted = config.param(name).convert(value)
        except ConfigValueError as error:
            raise TheanoFlagsError('%s: %s=%s' % (where, name, error)) \
                from None
        flags[name] = converted
    if uses_gpu(flags) and flags['mode'] not in (None, 'JAX'):
        raise TheanoFlagsError(
            'THEANO_FLAGS: device=%s runs through PyTensor\'s JAX backend '
            'and cannot be combined with mode=%s; leave mode unset (or '
            'mode=JAX), or use device=cpu' % (flags['device'], flags['mode']))
    return flags


def parse_theano_flags(text):
    """Parse a ``THEANO_FLAGS`` string into a dict of checked settings.

    :type text: str
    :param text: comma-separated ``name=value`` pairs, e.g.
        ``'floatX=float32,device=cpu'``; may be empty
    :rtype: dict, as :func:`check_settings` gives
    :raises TheanoFlagsError: for an unknown name, a pair without ``=``
        or a value outside the accepted ones
    """
    return check_settings(split_flags(text))


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


def _options_to_load(flags):
    """The options of ``flags`` that ``theano.config`` assigns: those
    given, except the engine's own (read from FLAGS by their getters)."""
    return {name: value for name, value in flags.items()
            if name not in ENGINE_FLAGS[1:]
            and not (name == 'floatX' and value is None)}


def hand_to_pytensor_first(flags, environ=None):
    """Put the given options that PyTensor fixes once imported in
    ``PYTENSOR_FLAGS``, before PyTensor is imported (a setting the user
    gave in ``PYTENSOR_FLAGS`` itself comes after, and wins)."""
    if 'pytensor' in sys.modules:
        return
    environ = os.environ if environ is None else environ
    config = _options()
    items = []
    for name, value in _options_to_load(flags).items():
        param = config.param(name)
        if param.pytensor_name and param.fixed_by_pytensor:
            text = str(value) if not isinstance(value, bool) else (
                'True' if value else 'False')
            items.append('%s=%s' % (param.pytensor_name, shlex.quote(text)))
    if items:
        theirs = environ.get('PYTENSOR_FLAGS', '')
        environ['PYTENSOR_FLAGS'] = ','.join(items + ([theirs] if theirs
                                                      else []))


def apply_flags(flags):
    """Set the settings that ``flags`` names, and no other.

    :raises TheanoFlagsError: when PyTensor, imported before this
        package, has already fixed a setting the flags name
    """
    config = _options()
    try:
        config.load(_options_to_load(flags))
    except AttributeError as error:  # PyTensor refusing a fixed setting
        raise TheanoFlagsError('THEANO_FLAGS: %s' % error) from None


# The settings of this process, read once; theano_compat raises the
# error, if any, when it is imported.
try:
    FLAGS = check_settings(read_settings())
    FLAGS_ERROR = None
    hand_to_pytensor_first(FLAGS)
except TheanoFlagsError as _error:
    FLAGS, FLAGS_ERROR = None, _error
