"""Theano's truthiness of symbolic variables.

In Theano every symbolic variable was true, so code could test for a
missing argument with ``if not input:``, as ``rbm.py`` does; only the
result of a comparison refused, so that ``a < b < c`` (which Python runs
as ``(a < b) and (b < c)``) failed instead of quietly meaning ``b < c``.
PyTensor refuses every variable.  :func:`make_variables_truthy` gives
PyTensor's tensor variables Theano's rule back.  It changes no graph:
it only turns an error into Theano's answer, in the one method Python
calls for ``bool(variable)``.
"""

from pytensor import scalar as ps
from pytensor.tensor.elemwise import Elemwise
from pytensor.tensor.variable import _tensor_py_operators

__all__ = ['make_variables_truthy', 'COMPARISONS']

COMPARISONS = (ps.LT, ps.GT, ps.LE, ps.GE, ps.EQ, ps.NEQ)


def _is_comparison(variable):
    node = variable.owner
    return (node is not None and isinstance(node.op, Elemwise)
            and isinstance(node.op.scalar_op, COMPARISONS))


def _theano_bool(self):
    """True, as in Theano, except for the result of a comparison."""
    if _is_comparison(self):
        raise TypeError(
            'Variables do not support boolean operations: this is the '
            'result of a comparison (a chain such as a < b < c is not '
            'symbolic); use T.and_(a < b, b < c) or T.switch')
    return True


def make_variables_truthy():
    """Give PyTensor's tensor variables Theano's ``bool()`` (once)."""
    _tensor_py_operators.__bool__ = _theano_bool


# Theano's other names of this module: from the table (names.TABLE).
from theano_compat.names import module_getattr  # noqa: E402
__getattr__ = module_getattr(__name__)
