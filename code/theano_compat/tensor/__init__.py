"""``theano.tensor`` (``T``): PyTensor's tensor module, Theano's tree.

Names come from the table of ``theano_compat.names``: first this
package's ``tensor.basic`` (the functions whose arguments or meaning
PyTensor changed: ``T.matrix('x', 'float32')``, ``T.flatten(x,
outdim=2)``, ``T.inv`` the reciprocal...), then PyTensor's
``pytensor.tensor`` (``T.dot``, ``T.exp``, ``T.grad``...).  Theano's
submodules that PyTensor no longer has, or changed, are this package's:
``nnet`` (with ``conv2d``), ``signal.pool``, ``shared_randomstreams``,
``xlogx``, ``extra_ops``, ``nlinalg``, ``slinalg``, ``sort``,
``raw_random``.  Importing it makes variables truthy, as Theano's were
(``tensor.var``).
"""

from pytensor.tensor.sort import argsort  # noqa: F401

from theano_compat.names import module_getattr
from theano_compat.tensor import var as _var_module
from theano_compat.tensor import nnet, signal  # noqa: F401
from theano_compat.tensor import shared_randomstreams  # noqa: F401
# theano.tensor.sort is a module and T.sort a function, as in Theano: the
# module is loaded first, so that importing it later leaves T.sort alone.
# So are theano.tensor.var (a module) and T.var (the variance).
from theano_compat.tensor import sort as _sort_module  # noqa: F401
from pytensor.tensor.sort import sort  # noqa: E402,F401,F811
from pytensor.tensor import var  # noqa: E402,F401,F811
from theano_compat.tensor.sort import (  # noqa: E402,F401
    topk, argtopk, topk_and_argtopk)

_var_module.make_variables_truthy()

__getattr__ = module_getattr(__name__)
