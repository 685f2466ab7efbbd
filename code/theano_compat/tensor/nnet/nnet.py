"""``theano.tensor.nnet.nnet``: softmax, its relatives, and the losses.

``softmax``, ``logsoftmax``, ``relu`` and the cross-entropies live in the
package ``theano.tensor.nnet`` (which serves this module's other names
too, as Theano's did); this module holds the rest of Theano's
``nnet.nnet`` that PyTensor does not have, written as graphs of PyTensor
operations.  The crossentropy-softmax ops, ``h_softmax``, ``elu`` and
``selu`` wait for issue #17 (the table of ``theano_compat.names``).
"""

import pytensor.tensor as pt
from pytensor.tensor import special as _special

from theano_compat.names import module_getattr

__all__ = ['Softmax', 'LogSoftmax', 'softmax_op', 'logsoftmax_op',
           'softmax_graph', 'softmax_with_bias', 'softsign',
           'sigmoid_binary_crossentropy', 'confusion_matrix',
           'prepend_0_to_each_row', 'prepend_1_to_each_row',
           'prepend_scalar_to_each_row']


class Softmax(_special.Softmax):
    """Theano's softmax op: ``Softmax()`` normalises along the last axis
    (each row of a matrix); PyTensor's must be told its axis."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(axis=axis, **kwargs)


class LogSoftmax(_special.LogSoftmax):
    """Theano's log-softmax op, along the last axis unless told."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(axis=axis, **kwargs)


softmax_op = Softmax()
logsoftmax_op = LogSoftmax()


def softmax_graph(c):
    """Row-wise softmax written out: ``exp(c) / sum(exp(c), rows)`` (the
    graph, not the numerically guarded op of ``softmax``)."""
    return pt.exp(c) / pt.exp(c).sum(axis=-1, keepdims=True)


def softmax_with_bias(x, b):
    """Row-wise softmax of ``x + b``: ``x`` a matrix, ``b`` a vector added
    to each row."""
    return softmax_op(x + b)


def softsign(x):
    """Elementwise ``x / (1 + |x|)``."""
    return x / (1 + abs(x))


def sigmoid_binary_crossentropy(output, target):
    """``binary_crossentropy(sigmoid(output), target)``, computed from the
    pre-sigmoid ``output`` without rounding it through the sigmoid:
    ``softplus(output) - output * target``."""
    return pt.softplus(output) - output * target


def confusion_matrix(actual, pred):
    """The confusion matrix of the label vectors ``actual`` and ``pred``.

    :rtype: list ``[conf_mat, order]``: ``order`` the labels that occur
        (sorted), ``conf_mat[i, j]`` how many examples of label
        ``order[i]`` were predicted as ``order[j]``
    """
    actual = pt.as_tensor_variable(actual)
    pred = pt.as_tensor_variable(pred)
    if actual.ndim != 1 or pred.ndim != 1:
        raise ValueError('confusion_matrix: actual and pred must be vectors')
    order = pt.extra_ops.unique(pt.concatenate([actual, pred]))
    one_hot_actual = pt.eq(actual[:, None], order[None, :]).astype('int64')
    one_hot_pred = pt.eq(pred[:, None], order[None, :]).astype('int64')
    return [pt.dot(one_hot_actual.T, one_hot_pred), order]


def prepend_scalar_to_each_row(val, mat):
    """The matrix ``mat`` with a first column of ``val``."""
    mat = pt.as_tensor_variable(mat)
    column = pt.alloc(pt.cast(val, mat.dtype), mat.shape[0], 1)
    return pt.concatenate([column, mat], axis=1)


def prepend_0_to_each_row(mat):
    """The matrix ``mat`` with a first column of zeros."""
    return prepend_scalar_to_each_row(0, mat)


def prepend_1_to_each_row(mat):
    """The matrix ``mat`` with a first column of ones."""
    return prepend_scalar_to_each_row(1, mat)


__getattr__ = module_getattr(__name__)
