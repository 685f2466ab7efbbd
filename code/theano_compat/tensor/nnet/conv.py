"""``theano.tensor.nnet.conv``: Theano's old convolution, ``conv2d(input,
filters, image_shape=..., filter_shape=...)``.

PyTensor dropped it; issue #17 brings it back.  Until then its names fail
with a one-line error (the table of ``theano_compat.names``), and
``theano.tensor.nnet.conv2d``, which takes the old ``image_shape=``
keyword, is the convolution to use.
"""

from theano_compat.names import module_getattr

__getattr__ = module_getattr(__name__)
