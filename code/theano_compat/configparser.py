"""``theano.config``'s machinery: options declared one by one.

Theano's ``theano.config`` was an object whose attributes were its
options, some in sections (``config.floatX``, ``config.warn.round``,
``config.dnn.conv.algo_fwd``).  :class:`TheanoConfigParser` is that
object here.  ``theano_compat.configdefaults`` declares each of Theano
1.0.5's options on it with :meth:`TheanoConfigParser.add`, as PyTensor's
``configdefaults.py`` does its own, giving each a kind
(:class:`EnumStr`, :class:`BoolParam`, :class:`IntParam`,
:class:`FloatParam`, :class:`StrParam`) and a docstring.

An option either

* is **wired to PyTensor**: reading it reads PyTensor's setting of the
  same meaning (``floatX`` is ``pytensor.config.floatX``,
  ``traceback.limit`` is ``pytensor.config.traceback__limit``), and
  assigning it assigns PyTensor's; or
* **has its meaning here** (``device``, ``mode``, ``numpy.seterr_all``...):
  a getter and a setter given to :meth:`add` say what it does; or
* **changes nothing** here (the GPU libraries, ``dnn.*``, Theano's bug
  warnings...): it keeps the value it is given, and its docstring says
  so, so that programs that set it run unchanged.

Values come from ``THEANO_FLAGS`` and Theano's configuration files
(``engine.flags`` reads and checks them): only the options they name are
assigned, so every other PyTensor setting stays as the user or PyTensor
set it.  A name that is not an option of Theano's is looked up in
PyTensor's config, so ``theano.config`` also reaches PyTensor's own
settings.
"""

import functools
import io
import sys

from theano_compat.names import module_getattr

__all__ = ['TheanoConfigParser', 'ConfigParam', 'EnumStr', 'BoolParam',
           'IntParam', 'FloatParam', 'StrParam', 'change_flags',
           'ConfigValueError']


class ConfigValueError(ValueError):
    """A value an option does not take; the message is the part of a
    one-line error after the option's name (``'float16' is not
    supported; use one of: float64, float32``)."""


class ConfigParam(object):
    """One option: its default, how a given value becomes its value.

    :param default: the value until one is given
    :param mutable: False for an option fixed once the package is
        imported (``device``, as in Theano)
    """

    kind = 'ConfigParam'

    def __init__(self, default, mutable=True):
        self.default = default
        self.mutable = mutable
        # set by TheanoConfigParser.add:
        self.name = None
        self.doc = None
        self.pytensor_name = None
        self.fixed_by_pytensor = False
        self.getter = None
        self.setter = None

    def convert(self, value):
        """The option's value for ``value`` (a string from the flags, or a
        Python value assigned in a program).

        :raises ConfigValueError: when the option does not take it
        """
        return value

    def describe(self):
        """What values the option takes, in words."""
        return 'any value'


class EnumStr(ConfigParam):
    """An option that takes one of a fixed list of strings."""

    kind = 'EnumStr'

    def __init__(self, default, options, mutable=True):
        super().__init__(default, mutable)
        self.values = tuple(dict.fromkeys((default,) + tuple(options)))

    def convert(self, value):
        if value in self.values:
            return value
        raise ConfigValueError('%r is not supported; use one of: %s'
                               % (value, ', '.join(self.values)))

    def describe(self):
        return 'one of ' + ', '.join(self.values)


class TypedParam(ConfigParam):
    """An option whose value is of one Python type."""

    kind = 'TypedParam'
    type = str

    def __init__(self, default, mutable=True, validate=None):
        super().__init__(default, mutable)
        self.validate = validate

    def cast(self, value):
        return self.type(value)

    def convert(self, value):
        try:
            converted = self.cast(value)
        except (TypeError, ValueError):
            raise ConfigValueError('%r is not %s' % (value, self.describe())) \
                from None
        if self.validate is not None and not self.validate(converted):
            raise ConfigValueError('%r is not %s' % (value, self.describe()))
        return converted

    def describe(self):
        return 'a value of type %s' % self.type.__name__


class StrParam(TypedParam):
    type = str

    def describe(self):
        return 'a string'


class IntParam(TypedParam):
    type = int

    def describe(self):
        return 'an integer'


class FloatParam(TypedParam):
    type = float

    def describe(self):
        return 'a number'


class BoolParam(TypedParam):
    """True or False; from the flags, ``True``/``true``/``1`` or
    ``False``/``false``/``0``, as Theano read them."""

    type = bool
    TRUE = (True, 'True', 'true', '1', 1)
    FALSE = (False, 'False', 'false', '0', 0)

    def cast(self, value):
        if any(value is v or (type(value) is type(v) and value == v)
               for v in self.TRUE):
            return True
        if any(value is v or (type(value) is type(v) and value == v)
               for v in self.FALSE):
            return False
        raise ValueError(value)

    def describe(self):
        return 'a boolean (True, False, 1 or 0)'


class _Section(object):
    """The options under a dotted prefix (``config.warn``,
    ``config.dnn.conv``): attribute access reads and assigns them."""

    def __init__(self, root, prefix):
        object.__setattr__(self, '_root', root)
        object.__setattr__(self, '_prefix', prefix)

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        return self._root._get_dotted('%s.%s' % (self._prefix, name))

    def __setattr__(self, name, value):
        self._root._set_dotted('%s.%s' % (self._prefix, name), value)

    def __dir__(self):
        start = self._prefix + '.'
        return sorted({name[len(start):].split('.')[0]
                       for name in self._root._params
                       if name.startswith(start)})

    def __repr__(self):
        return '<theano.config section %s>' % self._prefix


class TheanoConfigParser(object):
    """``theano.config``: Theano 1.0.5's options (see the module)."""

    def __init__(self):
        object.__setattr__(self, '_params', {})
        object.__setattr__(self, '_values', {})
        object.__setattr__(self, '_sections', set())

    # --- declaring ---

    def add(self, name, doc, param, pytensor_name=None, getter=None,
            setter=None, fixed_by_pytensor=False):
        """Declare the option ``name`` (dotted, as Theano named it).

        :param pytensor_name: PyTensor's setting it is wired to (its
            ``__`` name), or None
        :param fixed_by_pytensor: True when PyTensor fixes that setting as
            it is imported (``engine.flags`` then hands a given value to
            PyTensor through ``PYTENSOR_FLAGS``)
        :param getter: for an option with a meaning of its own here, a
            function of no argument that gives its value
        :param setter: and a function of the converted value that applies
            it; without either, the option keeps the values it is given
        """
        if name in self._params:
            raise ValueError('option %s declared twice' % name)
        param.name, param.doc = name, doc
        param.pytensor_name = pytensor_name
        param.fixed_by_pytensor = fixed_by_pytensor
        param.getter, param.setter = getter, setter
        self._params[name] = param
        parts = name.split('.')
        for end in range(1, len(parts)):
            self._sections.add('.'.join(parts[:end]))

    def param(self, name):
        """The declaration of the option ``name`` (KeyError if none)."""
        return self._params[name]

    def option_names(self):
        """Every option's dotted name, in declaration order."""
        return list(self._params)

    # --- reading and assigning ---

    def _get_dotted(self, name):
        param = self._params.get(name)
        if param is not None:
            if param.getter is not None:
                return param.getter()
            if param.pytensor_name is not None:
                return getattr(_pytensor_config(), param.pytensor_name)
            return self._values.get(name, param.default)
        if name in self._sections:
            return _Section(self, name)
        raise AttributeError('theano.config has no option %r' % name)

    def _set_dotted(self, name, value, initial=False, checked=False):
        param = self._params.get(name)
        if param is None:
            raise AttributeError(
                'theano.config has no option %r; Theano 1.0.5\'s options '
                'are listed by print(theano.config)' % name)
        if not param.mutable and not initial:
            raise AttributeError(
                'theano.config.%s cannot change once the package is '
                'imported (as in Theano); set it in THEANO_FLAGS' % name)
        converted = value if checked else param.convert(value)
        if param.setter is not None:
            param.setter(converted)
        if param.pytensor_name is not None:
            try:
                setattr(_pytensor_config(), param.pytensor_name, converted)
            except Exception:
                if not param.fixed_by_pytensor:
                    raise
                # PyTensor fixed it when it was imported
                raise AttributeError(
                    'theano.config.%s: PyTensor fixed this setting when it '
                    'was imported; give it before, in THEANO_FLAGS with '
                    'theano_compat imported before pytensor, or as '
                    'PYTENSOR_FLAGS=%s=...' % (name, param.pytensor_name)) \
                    from None
        elif param.getter is None:
            self._values[name] = converted

    def load(self, given):
        """Assign the options in ``given`` (dotted name -> value already
        checked by ``engine.flags``), in the order of their declaration,
        as the process starts."""
        pytensor_config = _pytensor_config()
        for name in self._params:
            if name not in given:
                continue
            param, value = self._params[name], given[name]
            if param.fixed_by_pytensor and str(getattr(
                    pytensor_config, param.pytensor_name)) == str(value):
                continue  # handed to PyTensor before it was imported
            self._set_dotted(name, value, initial=True, checked=True)
            if param.pytensor_name is not None:
                # given by the user, as if in PYTENSOR_FLAGS
                pytensor_config._config_var_dict[
                    param.pytensor_name].is_default = False

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        if name in self._params or name in self._sections:
            return self._get_dotted(name)
        try:
            # PyTensor's own settings and methods (change_flags...)
            return getattr(_pytensor_config(), name)
        except AttributeError:
            raise AttributeError('theano.config has no option %r' % name) \
                from None

    def __setattr__(self, name, value):
        if name in self._params:
            try:
                self._set_dotted(name, value)
            except ConfigValueError as error:
                raise ValueError('theano.config.%s: %s' % (name, error)) \
                    from None
        elif name in self._sections:
            raise AttributeError('theano.config.%s is a section; assign its '
                                 'options' % name)
        elif name in getattr(_pytensor_config(), '_config_var_dict', {}):
            setattr(_pytensor_config(), name, value)
        else:
            self._set_dotted(name, value)  # raises: no such option

    def __dir__(self):
        return sorted({name.split('.')[0] for name in self._params})

    def change_flags(self, args=(), **kwargs):
        """See :func:`change_flags`."""
        return change_flags(args, _root=self, **kwargs)

    def __str__(self):
        out = io.StringIO()
        for name, param in self._params.items():
            print('%s (%s)' % (name, param.describe()), file=out)
            print('    Doc: ', param.doc, file=out)
            print('    Value: ', self._get_dotted(name), file=out)
            print('', file=out)
        return out.getvalue()


def _pytensor_config():
    """PyTensor's config, imported when first needed: ``engine.flags``
    reads the options before PyTensor is imported."""
    pytensor = sys.modules.get('pytensor')
    if pytensor is None:
        import pytensor
    return pytensor.config


class change_flags(object):
    """Theano's ``theano.change_flags``: set options for a block (a
    ``with`` statement) or a function (a decorator), then restore them.

    :param args: a dict of dotted names (``{'warn.round': False}``)
    :param kwargs: options whose names have no dot (``floatX='float32'``)
    """

    def __init__(self, args=(), _root=None, **kwargs):
        if _root is None:
            from theano_compat.configdefaults import config as _root
        self.root = _root
        self.new = dict(args)
        self.new.update(kwargs)
        for name in self.new:
            _root.param(name)  # KeyError for an unknown option

    def __enter__(self):
        self.old = {name: self.root._get_dotted(name) for name in self.new}
        try:
            for name, value in self.new.items():
                self.root._set_dotted(name, value)
        except Exception:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc_info):
        for name, value in self.old.items():
            # the value it had, unchecked: PyTensor's own default may be
            # one that Theano's list of values does not name
            self.root._set_dotted(name, value, checked=True)

    def __call__(self, function):
        @functools.wraps(function)
        def with_flags(*args, **kwargs):
            with self:
                return function(*args, **kwargs)
        return with_flags


__getattr__ = module_getattr(__name__)
