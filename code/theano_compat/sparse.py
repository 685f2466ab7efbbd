"""``theano.sparse``: sparse matrices (SciPy's CSC and CSR) in graphs.

The names are PyTensor's ``pytensor.sparse`` (``csc_matrix``,
``as_sparse_variable``, ``dot``, ``structured_dot``...), served by the
table of ``theano_compat.names``; Theano's ``SparseType`` is PyTensor's
``SparseTensorType``.
"""

from theano_compat.names import module_getattr

__getattr__ = module_getattr(__name__)
