"""``theano.tensor.signal.conv``: Theano's ``conv2d`` of images and
filters without channels.

PyTensor dropped it; issue #17 brings it back.  Until then its name fails
with a one-line error (the table of ``theano_compat.names``).  PyTensor's
own ``pytensor.tensor.signal.conv`` is a different module (1-D signal
convolution), which this path does not lead to.
"""

from theano_compat.names import module_getattr

__getattr__ = module_getattr(__name__)
