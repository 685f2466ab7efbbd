"""``theano.tensor.nnet``: the neural-network ops the tutorial series uses.

PyTensor dropped this module in 2.8.12; its functions are here again,
with Theano's meaning: ``softmax`` works on rows and makes a vector a
1 x n matrix; ``conv2d``, ``conv3d`` and ``conv2d_transpose`` are
Theano's convolutions (``abstract_conv``); the classifier outputs and
costs live in ``nnet`` (the crossentropy-softmax family, ``h_softmax``,
``elu``...), batch normalization in ``bn``, ``images2neibs`` in
``neighbours``, the old ``conv2d`` in ``conv``.  Other names come from
``pytensor.tensor``.
"""

import pytensor.tensor as pt

from theano_compat.names import module_getattr
from theano_compat.tensor.nnet import abstract_conv  # noqa: F401
from theano_compat.tensor.nnet.abstract_conv import (
    conv2d, conv2d_grad_wrt_inputs, conv3d)
from theano_compat.tensor.nnet.nnet import (  # noqa: F401
    softmax, logsoftmax, relu, binary_crossentropy, categorical_crossentropy,
    softmax_with_bias, softmax_grad, softmax_op, logsoftmax_op,
    softmax_graph, crossentropy_softmax_argmax_1hot_with_bias,
    crossentropy_softmax_1hot_with_bias_dx,
    crossentropy_softmax_1hot_with_bias, crossentropy_softmax_1hot,
    crossentropy_softmax_max_and_argmax_1hot_with_bias,
    crossentropy_softmax_max_and_argmax_1hot, crossentropy_categorical_1hot,
    crossentropy_categorical_1hot_grad, sigmoid_binary_crossentropy,
    prepend_scalar_to_each_row, prepend_0_to_each_row,
    prepend_1_to_each_row, h_softmax, elu, selu, softsign, confusion_matrix)
from theano_compat.tensor.nnet.bn import batch_normalization  # noqa: F401
from theano_compat.tensor.nnet.sigm import (  # noqa: F401
    ultra_fast_sigmoid, hard_sigmoid)

__all__ = ['softmax', 'logsoftmax', 'sigmoid', 'ultra_fast_sigmoid',
           'hard_sigmoid', 'softplus', 'relu', 'binary_crossentropy',
           'categorical_crossentropy', 'conv2d', 'conv3d', 'conv2d_transpose']

sigmoid = pt.sigmoid
softplus = pt.softplus


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
