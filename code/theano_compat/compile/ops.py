"""``theano.compile.ops``: the ops of ``theano.compile`` (``as_op``,
``ViewOp``, ``DeepCopyOp``) and of shapes (``shape``, ``shape_i``,
``specify_shape``).

They are PyTensor's ``pytensor.compile.ops`` and
``pytensor.tensor.shape``, served by the table of ``theano_compat.names``.
"""

from theano_compat.names import module_getattr

__getattr__ = module_getattr(__name__)
