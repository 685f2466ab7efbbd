"""``theano.tensor.sort``: ``sort`` and ``argsort``, PyTensor's
(``pytensor.tensor.sort``), served by the table of
``theano_compat.names``; top-k waits for issue #17."""

from theano_compat.names import module_getattr

__getattr__ = module_getattr(__name__)
