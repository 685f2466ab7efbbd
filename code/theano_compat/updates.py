"""``theano.updates``: ``OrderedUpdates``, the ordered dict of updates.

``theano.function(..., updates=...)`` takes it, as any list of pairs or
ordered dict.  Its keys must be shared variables, and two sets of updates
that update the same variable cannot be added together.
"""

from collections import OrderedDict

from theano_compat.names import module_getattr

__all__ = ['OrderedUpdates']


class OrderedUpdates(OrderedDict):
    """Updates of shared variables, in the order they were given."""

    def __setitem__(self, key, value):
        from pytensor.compile.sharedvalue import SharedVariable
        if not isinstance(key, SharedVariable):
            raise TypeError('OrderedUpdates: the key %r is not a shared '
                            'variable' % (key,))
        super().__setitem__(key, value)

    def update(self, other=None, **kwargs):
        if kwargs:
            raise TypeError('OrderedUpdates.update takes no keywords')
        if other is None:
            return
        for key, value in OrderedDict(other).items():
            if key in self and self[key] is not value:
                raise KeyError('OrderedUpdates: %s is updated twice' % key)
            self[key] = value

    def __add__(self, other):
        both = OrderedUpdates()
        both.update(self)
        both.update(other)
        return both

    def __radd__(self, other):
        both = OrderedUpdates()
        both.update(other)
        both.update(self)
        return both


__getattr__ = module_getattr(__name__)
