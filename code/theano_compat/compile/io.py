"""``theano.In``: a function input, with Theano's default values.

PyTensor's ``In`` no longer takes a default ``value`` (it raises "Inputs
with default values are deprecated"); the series gives its learning rates
and corruption levels one, as in ``theano.In(learning_rate, value=0.1)``.
This ``In`` keeps the value aside and hands PyTensor a plain input;
``theano.function`` fills the value in whenever a call leaves that input
out.
"""

import warnings

from pytensor.compile.io import In as PyTensorIn, Out  # noqa: F401

from theano_compat.names import module_getattr

__all__ = ['In', 'Out', 'Param']


class In(PyTensorIn):
    """A symbolic input of ``theano.function``; see PyTensor's ``In``.

    :param value: the default value of the input, used when a call gives
        none (a shared variable or container keeps PyTensor's meaning)
    """

    def __init__(self, variable, name=None, value=None, **kwargs):
        from pytensor.compile.sharedvalue import SharedVariable
        from pytensor.link.basic import Container
        plain_default = value is not None and not isinstance(
            value, (SharedVariable, Container))
        super().__init__(variable, name=name,
                         value=None if plain_default else value, **kwargs)
        self.default = value if plain_default else None
        self.has_default = plain_default


class Param(In):
    """Theano's older name of :class:`In`, with the default value as
    ``default``; it warns, as Theano's did."""

    def __init__(self, variable, default=None, name=None, mutable=False,
                 strict=False, allow_downcast=None, implicit=None,
                 borrow=None):
        warnings.warn('theano.Param is the old name of theano.In: write '
                      'theano.In(variable, value=N) for '
                      'Param(variable, default=N)', stacklevel=2)
        super().__init__(variable, name=name, value=default, mutable=mutable,
                         strict=strict, allow_downcast=allow_downcast,
                         implicit=implicit, borrow=borrow)


__getattr__ = module_getattr(__name__)
