"""``theano.tensor.extra_ops``: NumPy's array functions as graphs.

The names are PyTensor's ``pytensor.tensor.extra_ops`` (``cumsum``,
``bincount``, ``to_one_hot``, ``fill_diagonal``...), served by the table
of ``theano_compat.names``; ``repeat`` and ``unravel_index`` take
Theano's arguments (``theano_compat.tensor.basic``).
"""

from theano_compat.names import module_getattr
from theano_compat.tensor.basic import repeat, unravel_index  # noqa: F401

__getattr__ = module_getattr(__name__)
