"""``theano.tensor.nnet``: the neural-network ops the tutorial series uses.

PyTensor dropped this module in 2.8.12; its functions are here again,
with Theano's meaning: ``softmax`` works on rows and makes a vector a
1 x n matrix, ``conv2d`` is Theano's 4-D convolution (``abstract_conv``).
Other names come from ``pytensor.tensor``.
"""

import pytensor.tensor as pt
from pytensor.tensor import special as pt_special

from theano_compat.names import module_getattr
from theano_compat.tensor.nnet.abstract_conv import conv2d

__all__ = ['softmax', 'logsoftmax', 'sigmoid', 'ultra_fast_sigmoid',
           'hard_sigmoid', 'softplus', 'relu', 'binary_crossentropy',
           'categorical_crossentropy', 'conv2d']

sigmoid = pt.sigmoid
ultra_fast_sigmoid = pt.sigmoid  # Theano's approximation, computed exactly
softplus = pt.softplus


def softmax(c):
    """Row-wise softmax, as Theano's ``T.nnet.softmax``.

    :param c: a matrix (one distribution per row), or a vector, which is
        taken as one row: the result is then a 1 x n matrix, as Theano's
        was.  (PyTensor's ``softmax`` normalises over all elements unless
        told an axis, which would silently turn a minibatch into one
        distribution.)
    """
    c = pt.as_tensor_variable(c)
    if c.ndim == 1:
        c = pt.shape_padleft(c)
    return pt_special.softmax(c, axis=-1)


def logsoftmax(c):
    """Row-wise log-softmax; a vector is taken as one row, as in softmax."""
    c = pt.as_tensor_variable(c)
    if c.ndim == 1:
        c = pt.shape_padleft(c)
    return pt_special.log_softmax(c, axis=-1)


def relu(x, alpha=0):
    """Rectifier ``max(x, 0)``; with ``alpha``, the leaky variant."""
    if alpha == 0:
        return pt.maximum(x, 0)
    return pt.switch(x > 0, x, alpha * x)


def hard_sigmoid(x):
    """Piecewise-linear approximation of the sigmoid, as Theano had it."""
    return pt.clip(0.2 * x + 0.5, 0, 1)


def binary_crossentropy(output, target):
    """Elementwise ``-(t log o + (1 - t) log(1 - o))``."""
    return -(target * pt.log(output) + (1.0 - target) * pt.log(1.0 - output))


def categorical_crossentropy(coding_dist, true_dist):
    """Per-row cross-entropy; ``true_dist`` is one-hot rows or int labels."""
    if true_dist.ndim == coding_dist.ndim:
        return -pt.sum(true_dist * pt.log(coding_dist), axis=-1)
    rows = pt.arange(true_dist.shape[0])
    return -pt.log(coding_dist[rows, true_dist])


__getattr__ = module_getattr(__name__)
