"""``theano.tensor.nnet``: the neural-network ops the tutorial series uses.

PyTensor dropped this module in 2.8.12; its functions are here again,
with Theano's meaning: ``softmax`` works on rows and makes a vector a
1 x n matrix; ``conv2d``, ``conv3d`` and ``conv2d_transpose`` are
Theano's convolutions (``abstract_conv``).  Other names come from
``pytensor.tensor``.
"""

import pytensor.tensor as pt
from pytensor.tensor import special as pt_special

from theano_compat.names import module_getattr
from theano_compat.tensor.nnet import abstract_conv  # noqa: F401
from theano_compat.tensor.nnet.abstract_conv import (
    conv2d, conv2d_grad_wrt_inputs, conv3d)

__all__ = ['softmax', 'logsoftmax', 'sigmoid', 'ultra_fast_sigmoid',
           'hard_sigmoid', 'softplus', 'relu', 'binary_crossentropy',
           'categorical_crossentropy', 'conv2d', 'conv3d', 'conv2d_transpose']

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


def conv2d_transpose(input, filters, output_shape, filter_shape=None,
                     border_mode='valid', input_dilation=(1, 1),
                     filter_flip=True, filter_dilation=(1, 1), num_groups=1,
                     unshared=False):
    """Theano's transposed 2-D convolution ("deconvolution").

    The transpose of :func:`conv2d`: ``input`` spread over an output of
    ``output_shape`` through the filters, which is the gradient of a
    convolution with respect to its input
    (:func:`~theano_compat.tensor.nnet.abstract_conv.conv2d_grad_wrt_inputs`).

    :param input: 4-d tensor ``(batch, in_channels, rows, cols)``
    :param filters: 4-d tensor ``(in_channels, out_channels, k_rows,
        k_cols)``: note the order, that of the convolution it transposes
    :param output_shape: 4 entries: the first two ints or None, the last
        two ints or symbolic int scalars
    :param filter_shape: the filters' shape if known (a hint)
    :param border_mode: the forward convolution's (its padding crops the
        output here)
    :param input_dilation: the forward convolution's ``subsample``
    :param filter_flip, filter_dilation: the forward convolution's
    :param num_groups, unshared: 1 and False (others not implemented)
    :returns: 4-d tensor ``(batch, out_channels) + output_shape[2:]``
    """
    return conv2d_grad_wrt_inputs(
        output_grad=input, filters=filters, input_shape=output_shape,
        filter_shape=filter_shape, border_mode=border_mode,
        subsample=input_dilation, filter_flip=filter_flip,
        filter_dilation=filter_dilation, num_groups=num_groups,
        unshared=unshared)


__getattr__ = module_getattr(__name__)
