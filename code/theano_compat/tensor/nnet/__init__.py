"""``theano.tensor.nnet``: the neural-network ops the tutorial series uses.

PyTensor dropped this module in 2.8.12; its functions are here again,
with Theano's meaning: ``softmax`` works on rows and makes a vector a
1 x n matrix, ``conv2d`` is Theano's 4-D convolution (``abstract_conv``),
the classifier outputs and costs live in ``nnet`` (the crossentropy-
softmax family, ``h_softmax``, ``elu``...), batch normalization in ``bn``,
``images2neibs`` in ``neighbours``, the old ``conv2d`` in ``conv``.
Other names come from ``pytensor.tensor``.
"""

import pytensor.tensor as pt

from theano_compat.names import module_getattr
from theano_compat.tensor.nnet.abstract_conv import conv2d
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
           'categorical_crossentropy', 'conv2d']

sigmoid = pt.sigmoid
softplus = pt.softplus


__getattr__ = module_getattr(__name__)
