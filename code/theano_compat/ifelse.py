"""``theano.ifelse``: ``ifelse(condition, then, else)``, evaluated lazily.

PyTensor's ``pytensor.ifelse`` is Theano's module, names and meaning
unchanged; the table of ``theano_compat.names`` serves it.
"""

from theano_compat.names import module_getattr

__getattr__ = module_getattr(__name__)
