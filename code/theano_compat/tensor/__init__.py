"""``theano.tensor`` (``T``): PyTensor's tensor module, Theano's tree.

Every name PyTensor's ``pytensor.tensor`` has is served from there
(``T.matrix``, ``T.dot``, ``T.grad``...).  Theano's submodules that
PyTensor no longer has are this package's: ``nnet`` (with ``conv2d``),
``signal.pool`` and ``shared_randomstreams``.  Importing it makes
variables truthy, as Theano's were (``tensor.var``).
"""

import pytensor.tensor as _pt

from theano_compat.names import missing_name as _missing_name
from theano_compat.tensor import var as _var
from theano_compat.tensor import nnet, signal  # noqa: F401
from theano_compat.tensor import shared_randomstreams  # noqa: F401
# as Theano's: T.sort is the function, theano.tensor.sort the module
from theano_compat.tensor.sort import (  # noqa: F401
    sort, argsort, topk, argtopk, topk_and_argtopk)

_var.make_variables_truthy()


def __getattr__(name):
    return _missing_name(__name__, 'theano.tensor', _pt, name)
