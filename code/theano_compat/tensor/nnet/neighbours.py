"""``theano.tensor.nnet.neighbours``: ``images2neibs`` and
``neibs2images``.

PyTensor dropped them; issue #17 brings them back.  Until then their
names fail with a one-line error (the table of ``theano_compat.names``).
"""

from theano_compat.names import module_getattr

__getattr__ = module_getattr(__name__)
