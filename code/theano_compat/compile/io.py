"""``theano.In``: a function input, with Theano's default values.

PyTensor's ``In`` no longer takes a default ``value`` (it raises "Inputs
with default values are deprecated"); the series gives its learning rates
and corruption levels one, as in ``theano.In(learning_rate, value=0.1)``.
This ``In`` keeps the value aside and hands PyTensor a plain input;
``theano.function`` fills the value in whenever a call leaves that input
out.
"""

from pytensor.compile.io import In as PyTensorIn, Out  # noqa: F401

__all__ = ['In', 'Out']


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
