"""``theano.tensor.nnet.bn``: batch normalization.

PyTensor dropped it; issue #17 brings it back.  Until then its names fail
with a one-line error (the table of ``theano_compat.names``).
"""

from theano_compat.names import module_getattr

__getattr__ = module_getattr(__name__)
