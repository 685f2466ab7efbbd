"""``theano.tensor.nnet.nnet``: Theano 1.0.5's classifier outputs and costs.

PyTensor dropped these functions with ``tensor.nnet``.  Each is written
here as a graph of PyTensor operations that computes what Theano 1.0.5
computed, in the same order of operations where that decides the last
bit (Theano's C code, or the graph its ``FAST_RUN`` rewrites produced):

``softmax_with_bias(x, b)``
    ``softmax(x + b)`` of a matrix and a vector, row by row.
``softmax_grad(dy, sm)``
    the gradient of the softmax: ``dy * sm - sum(dy * sm, axis=1) * sm``.
``crossentropy_softmax_argmax_1hot_with_bias(x, b, y_idx)``
    ``(nll, sm, am)``: each row's negative log-likelihood of its label,
    ``-(x + b)[i, y_i] + max_i + log(sum_j exp((x + b)[i, j] - max_i))``
    (Theano's form, which never takes the log of a rounded probability),
    the softmax, and the row's argmax (of ``y_idx``'s dtype).
``crossentropy_softmax_1hot_with_bias``, ``crossentropy_softmax_1hot``
    the first two of those (without a bias: a bias of zeros).
``crossentropy_softmax_max_and_argmax_1hot[_with_bias]``
    ``(nll, sm, max of sm, argmax of sm)``.
``crossentropy_softmax_1hot_with_bias_dx(dy, sm, y_idx)``
    the gradient of the nll: ``dy[i] * sm[i]`` less ``dy[i]`` at ``y_i``.
``crossentropy_categorical_1hot(coding_dist, true_one_of_n)``
    ``-log(coding_dist[i, y_i])``; its gradient
    ``crossentropy_categorical_1hot_grad``.
``h_softmax``, ``elu``, ``selu``, ``softsign``, ``relu``,
``sigmoid_binary_crossentropy``, ``confusion_matrix``,
``prepend_scalar_to_each_row``, ``prepend_0_to_each_row``,
``prepend_1_to_each_row``, ``softmax_op``, ``logsoftmax_op``,
``softmax_graph``
    as Theano 1.0.5 defined them.

The gradients are PyTensor's derivatives of these graphs, which are
Theano's formulas; where Theano wrote its own (``softsign``,
``sigmoid_binary_crossentropy``, and the nll, whose derivative through
the row's maximum is zero), the graph carries Theano's formula as an
inlined ``OpFromGraph`` override or treats the maximum as a constant.
Being graphs, they compile to PyTensor's fused C loops, and in mode JAX
to JAX, with nothing registered for them.  Speed (``python
bench/nnet_ops.py --rows xent``, float64, 500 x 1000, 2 busy cores):
``crossentropy_softmax_argmax_1hot_with_bias`` and its gradient took
0.9 to 2.7 times (median about 1) the time of one op doing the same in
NumPy.  What costs most are PyTensor's C sums and maxima along a row,
which are slow (summing each row of that matrix: 3 to 5 ms, NumPy 0.1
ms); a faster reduction in the C backend would serve every graph.

Of Theano's op classes, ``Softmax`` and ``LogSoftmax`` are here
(PyTensor's ops along the last axis; ``softmax_op`` and ``logsoftmax_op``
are their instances); the others (``SoftmaxWithBias``,
``CrossentropySoftmaxArgmax1HotWithBias``...) are not, but their
instances (``softmax_with_bias``, ...) are, as functions.
"""

import numpy
import pytensor.tensor as pt
from pytensor.compile.builders import OpFromGraph
from pytensor.gradient import disconnected_grad
from pytensor.tensor import special as pt_special
from pytensor.tensor.extra_ops import Unique

from theano_compat.names import module_getattr

__all__ = ['Softmax', 'LogSoftmax', 'softmax_with_bias', 'softmax_grad',
           'softmax_op', 'logsoftmax_op', 'softmax_graph', 'softmax',
           'logsoftmax',
           'crossentropy_softmax_argmax_1hot_with_bias',
           'crossentropy_softmax_1hot_with_bias_dx',
           'crossentropy_softmax_1hot_with_bias',
           'crossentropy_softmax_1hot',
           'crossentropy_softmax_max_and_argmax_1hot_with_bias',
           'crossentropy_softmax_max_and_argmax_1hot',
           'crossentropy_categorical_1hot',
           'crossentropy_categorical_1hot_grad',
           'binary_crossentropy', 'sigmoid_binary_crossentropy',
           'categorical_crossentropy', 'prepend_scalar_to_each_row',
           'prepend_0_to_each_row', 'prepend_1_to_each_row', 'relu',
           'h_softmax', 'elu', 'selu', 'softsign', 'confusion_matrix']

FLOAT_DTYPES = ('float16', 'float32', 'float64')
INT_DTYPES = ('int8', 'int16', 'int32', 'int64', 'uint8', 'uint16',
              'uint32', 'uint64')

# SELU's constants (Klambauer et al. 2017), as Theano wrote them
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _float_matrix(x, name, ndims=(2,)):
    x = pt.as_tensor_variable(x)
    if x.type.ndim not in ndims or x.type.dtype not in FLOAT_DTYPES:
        raise ValueError('%s must be a %s tensor of floats, not %s'
                         % (name, ' or '.join('%d-d' % n for n in ndims),
                            x.type))
    return x


def _int_vector(y, name):
    y = pt.as_tensor_variable(y)
    if y.type.ndim != 1 or y.type.dtype not in INT_DTYPES:
        raise ValueError('%s must be a 1-d tensor of [u]ints, not %s'
                         % (name, y.type))
    return y


def softmax(c):
    """Row-wise softmax (``theano.tensor.nnet.softmax``): a vector is
    taken as one row and gives a 1 x n matrix."""
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


class Softmax(pt_special.Softmax):
    """Theano's softmax op: ``Softmax()`` normalises each row of a matrix
    (the last axis); a vector is taken as one row, as Theano's op did
    (a 1 x n matrix).  PyTensor's must be told its axis."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(axis=axis, **kwargs)

    def make_node(self, x):
        x = pt.as_tensor_variable(x)
        if x.type.ndim == 1:
            x = pt.shape_padleft(x)
        return super().make_node(x)


class LogSoftmax(pt_special.LogSoftmax):
    """Theano's log-softmax op, along the last axis; a vector is one row."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(axis=axis, **kwargs)

    def make_node(self, x):
        x = pt.as_tensor_variable(x)
        if x.type.ndim == 1:
            x = pt.shape_padleft(x)
        return super().make_node(x)


softmax_op = Softmax()
logsoftmax_op = LogSoftmax()


def softmax_graph(c):
    """``exp(c) / exp(c).sum(axis=-1, keepdims=True)``, without
    subtracting the maximum (Theano's plain formula)."""
    c = pt.as_tensor_variable(c)
    return pt.exp(c) / pt.exp(c).sum(axis=-1, keepdims=True)


def softmax_with_bias(x, b):
    """``softmax(x + b)``: x a matrix of floats, b a vector of its columns'
    length; a matrix of x's dtype."""
    x = _float_matrix(x, 'x')
    b = _float_matrix(b, 'b', (1,))
    return pt.cast(softmax(x + b), x.type.dtype)


def softmax_grad(dy, sm):
    """The gradient of the row softmax: ``dy * sm - sum(dy * sm, 1) * sm``,
    for ``dy`` and ``sm`` matrices (a vector is one row), as Theano's
    ``SoftmaxGrad`` computed it; a matrix of sm's type."""
    dy = _float_matrix(dy, 'dy', (1, 2))
    sm = pt.as_tensor_variable(sm)
    if dy.ndim == 1:
        dy = pt.shape_padleft(dy)
    if sm.ndim == 1:
        sm = pt.shape_padleft(sm)
    dy_times_sm = dy * sm
    return pt.cast(dy_times_sm - dy_times_sm.sum(axis=1, keepdims=True) * sm,
                   sm.type.dtype)


def _nll_softmax_argmax(x, b, y_idx):
    """The three outputs of Theano's
    ``CrossentropySoftmaxArgmax1HotWithBias`` as one graph."""
    x = _float_matrix(x, 'x')
    b = _float_matrix(b, 'b', (1,))
    y_idx = _int_vector(y_idx, 'y_idx')
    row = pt.cast(x + b, x.type.dtype)
    am = pt.argmax(row, axis=1)
    # The derivative of the nll through the row's maximum is zero (it
    # cancels between the two terms): Theano's gradient leaves it out.
    row_max = disconnected_grad(pt.max(row, axis=1))
    exp_row = pt.exp(row - row_max.dimshuffle(0, 'x'))
    total = exp_row.sum(axis=1)
    sm = exp_row * (1.0 / total).dimshuffle(0, 'x')
    picked = row[pt.arange(row.shape[0]), y_idx]
    nll = -picked + row_max + pt.log(total)
    return (pt.cast(nll, x.type.dtype), pt.cast(sm, x.type.dtype),
            pt.cast(am, y_idx.type.dtype))


def crossentropy_softmax_argmax_1hot_with_bias(x, b, y_idx, **kwargs):
    """Negative log-likelihood, softmax and argmax of ``x + b``.

    :param x: matrix of floats ``(n, k)``
    :param b: vector of floats ``(k,)``
    :param y_idx: vector of ints ``(n,)``: each row's label, in [0, k)
    :returns: ``(nll, sm, am)``: ``nll`` a vector ``(n,)`` of x's dtype,
        ``sm = softmax(x + b)`` a matrix ``(n, k)``, ``am`` the argmax of
        each row of ``x + b`` (the first, on a tie), of y_idx's dtype
    """
    return _nll_softmax_argmax(x, b, y_idx)


def crossentropy_softmax_1hot_with_bias(x, b, y_idx, **kwargs):
    """``(nll, softmax(x + b))``: the first two outputs of
    :func:`crossentropy_softmax_argmax_1hot_with_bias`."""
    return _nll_softmax_argmax(x, b, y_idx)[0:2]


def crossentropy_softmax_1hot(x, y_idx, **kwargs):
    """``(nll, softmax(x))`` of a matrix and its labels (a bias of
    zeros)."""
    x = pt.as_tensor_variable(x)
    return crossentropy_softmax_1hot_with_bias(x, pt.zeros_like(x[0, :]),
                                               y_idx, **kwargs)


def crossentropy_softmax_max_and_argmax_1hot_with_bias(x, b, y_idx,
                                                       **kwargs):
    """``(nll, sm, max_pr, argmax)``: the nll and softmax of ``x + b``,
    and each row's largest probability and its column (int64)."""
    nll, sm = crossentropy_softmax_1hot_with_bias(x, b, y_idx, **kwargs)
    max_pr, argmax = pt.max_and_argmax(sm, axis=-1)
    return nll, sm, max_pr, argmax


def crossentropy_softmax_max_and_argmax_1hot(x, y_idx, **kwargs):
    """As :func:`crossentropy_softmax_max_and_argmax_1hot_with_bias`
    with a bias of zeros."""
    x = pt.as_tensor_variable(x)
    return crossentropy_softmax_max_and_argmax_1hot_with_bias(
        x, pt.zeros_like(x[0, :]), y_idx, **kwargs)


def crossentropy_softmax_1hot_with_bias_dx(dy, sm, y_idx, **kwargs):
    """The gradient of the nll with respect to ``x``: ``dy[i] * sm[i]``,
    less ``dy[i]`` in column ``y_i``.

    :param dy: vector ``(n,)`` (or a scalar, for every row) of floats
    :param sm: matrix ``(n, k)`` of floats, the softmax
    :param y_idx: vector of ints ``(n,)``
    :returns: matrix of sm's type
    """
    dy = pt.as_tensor_variable(dy)
    if dy.type.ndim > 1 or dy.type.dtype not in FLOAT_DTYPES:
        raise ValueError('dy must be a 0-d or 1-d tensor of floats, not %s'
                         % dy.type)
    sm = _float_matrix(sm, 'sm')
    y_idx = _int_vector(y_idx, 'y_idx')
    dy_col = dy.dimshuffle(0, 'x') if dy.ndim == 1 else dy
    dx = pt.cast(dy_col * sm, sm.type.dtype)
    rows = pt.arange(sm.shape[0])
    dy_rows = dy if dy.ndim == 1 else pt.alloc(dy, sm.shape[0])
    return pt.inc_subtensor(dx[rows, y_idx],
                            pt.cast(-dy_rows, sm.type.dtype))


def crossentropy_categorical_1hot(coding_dist, true_one_of_n):
    """``-log(coding_dist[i, true_one_of_n[i]])`` for each row ``i``.

    :param coding_dist: matrix ``(n, k)``
    :param true_one_of_n: int32 or int64 vector ``(n,)``
    :returns: vector ``(n,)`` of coding_dist's dtype
    :raises TypeError: for another rank or dtype, as Theano's
    """
    coding = pt.as_tensor_variable(coding_dist)
    labels = pt.as_tensor_variable(true_one_of_n)
    if coding.type.ndim != 2:
        raise TypeError('matrix required for argument: coding_dist')
    if labels.type.ndim != 1 or labels.type.dtype not in ('int32', 'int64'):
        raise TypeError('integer vector required for argument: '
                        'true_one_of_n (got type: %s instead of: an int32 '
                        'or int64 vector)' % labels.type)
    return -pt.log(coding[pt.arange(coding.shape[0]), labels])


def crossentropy_categorical_1hot_grad(g_y, coding_dist, true_one_of_n):
    """The gradient of :func:`crossentropy_categorical_1hot`: zeros of
    coding_dist's shape, ``-g_y[i] / coding_dist[i, y_i]`` at ``(i, y_i)``."""
    coding = pt.as_tensor_variable(coding_dist)
    labels = pt.as_tensor_variable(true_one_of_n)
    g_y = pt.as_tensor_variable(g_y)
    rows = pt.arange(coding.shape[0])
    return pt.set_subtensor(
        pt.zeros_like(coding)[rows, labels],
        pt.cast(-g_y / coding[rows, labels], coding.type.dtype))


def binary_crossentropy(output, target):
    """Elementwise ``-(t log o + (1 - t) log(1 - o))``."""
    return -(target * pt.log(output) + (1.0 - target) * pt.log(1.0 - output))


def _sigmoid_xent_grad(inputs, outputs, output_grads):
    output, target = inputs
    out_grad, = output_grads
    return [out_grad * (pt.sigmoid(output) - target), out_grad * (-output)]


def sigmoid_binary_crossentropy(output, target):
    """``binary_crossentropy(sigmoid(output), target)``, computed stably:
    ``softplus(-|output|) + output * ((output > 0) - target)``, with
    Theano's gradient ``(sigmoid(output) - target, -output)``.

    :param output: real-valued tensor (a logit)
    :param target: probabilities in [0, 1], broadcastable against it
    """
    inputs = [pt.as_tensor_variable(output), pt.as_tensor_variable(target)]
    output, target = [var.type() for var in inputs]
    value = (pt.softplus(-abs(output))
             + output * ((output > 0) - target))
    op = OpFromGraph([output, target], [value], inline=True,
                     pullback=_sigmoid_xent_grad,
                     name='sigmoid_binary_crossentropy')
    return op(*inputs)


def categorical_crossentropy(coding_dist, true_dist):
    """Per-row cross-entropy between ``coding_dist`` and ``true_dist``.

    :param coding_dist: a distribution along its last axis
    :param true_dist: distributions of the same rank (``-sum(t log c)``
        along the last axis), or int labels of one rank less
        (:func:`crossentropy_categorical_1hot`)
    :raises TypeError: for any other rank
    """
    coding_dist = pt.as_tensor_variable(coding_dist)
    true_dist = pt.as_tensor_variable(true_dist)
    if true_dist.ndim == coding_dist.ndim:
        return -pt.sum(true_dist * pt.log(coding_dist),
                       axis=coding_dist.ndim - 1)
    if true_dist.ndim == coding_dist.ndim - 1:
        return crossentropy_categorical_1hot(coding_dist, true_dist)
    raise TypeError('rank mismatch between coding and true distributions')


def _check_matrix(mat):
    if tuple(mat.type.broadcastable) != (False, False):
        raise TypeError('Expected a matrix as input')


def prepend_scalar_to_each_row(val, mat):
    """``mat`` with a first column of ``val``: ``(n, k) -> (n, k + 1)``, of
    mat's type."""
    mat = pt.as_tensor_variable(mat)
    _check_matrix(mat)
    val = pt.as_tensor_variable(val)
    if val.ndim != 0:
        raise TypeError('the value to prepend should be a scalar')
    column = pt.alloc(pt.cast(val, mat.type.dtype), mat.shape[0], 1)
    return pt.join(1, column, mat)


def prepend_0_to_each_row(mat):
    """``mat`` with a first column of zeros."""
    mat = pt.as_tensor_variable(mat)
    return prepend_scalar_to_each_row(numpy.asarray(0, mat.type.dtype), mat)


def prepend_1_to_each_row(mat):
    """``mat`` with a first column of ones."""
    mat = pt.as_tensor_variable(mat)
    return prepend_scalar_to_each_row(numpy.asarray(1, mat.type.dtype), mat)


def relu(x, alpha=0):
    """Rectifier, as Theano 1.0.5 computed it: ``0.5 * (x + |x|)``; with
    ``alpha``, the leaky variant ``f1 * x + f2 * |x|`` (``f1 = (1 +
    alpha) / 2``, ``f2 = (1 - alpha) / 2``), so the derivative at 0 is the
    mean of the two slopes, as Theano's was.

    :param alpha: slope for negative inputs: a number or a tensor
        broadcastable against ``x`` (a learnable slope)
    """
    x = pt.as_tensor_variable(x)
    if isinstance(alpha, (int, float)) and alpha == 0:
        return 0.5 * (x + abs(x))
    alpha = pt.as_tensor_variable(alpha)
    f1 = 0.5 * (1 + alpha)
    f2 = 0.5 * (1 - alpha)
    return f1 * x + f2 * abs(x)


def elu(x, alpha=1):
    """Exponential linear unit: ``x`` where ``x > 0``, else ``alpha *
    expm1(x)``."""
    x = pt.as_tensor_variable(x)
    return pt.switch(x > 0, x, alpha * pt.expm1(x))


def selu(x):
    """Scaled exponential linear unit: ``scale * elu(x, alpha)`` with
    Klambauer et al.'s constants."""
    return SELU_SCALE * elu(x, SELU_ALPHA)


def _softsign_grad(inputs, outputs, output_grads):
    x, = inputs
    gz, = output_grads
    d = 1.0 + abs(x)
    return [gz / (d * d)]


def softsign(x):
    """``x / (1 + |x|)``, with Theano's derivative ``1 / (1 + |x|)**2``
    (rather than the quotient rule's difference of two terms).  Integer
    inputs give float32 (8 and 16 bits) or float64, as Theano's
    ``upgrade_to_float``."""
    x = pt.as_tensor_variable(x)
    inner = x.type()
    dtype = inner.type.dtype
    if dtype not in FLOAT_DTYPES:
        dtype = 'float32' if dtype in ('bool', 'int8', 'int16', 'uint8',
                                       'uint16') else 'float64'
    xf = pt.cast(inner, dtype)
    op = OpFromGraph([inner], [xf / (1.0 + abs(xf))], inline=True,
                     pullback=_softsign_grad, name='softsign')
    return op(x)


def h_softmax(x, batch_size, n_outputs, n_classes, n_outputs_per_class,
              W1, b1, W2, b2, target=None):
    """Two-level hierarchical softmax (Goodman 2001), as Theano 1.0.5's.

    The ``n_outputs`` outputs are cut in order into ``n_classes`` classes
    of ``n_outputs_per_class``; the probability of an output is that of
    its class (a softmax of ``x W1 + b1``) times its own within the class
    (a softmax of ``x W2[class] + b2[class]``).

    :param x: matrix ``(batch_size, n_features)``
    :param batch_size: the number of rows of ``x`` (int or scalar)
    :param W1: ``(n_features, n_classes)``; ``b1``: ``(n_classes,)``
    :param W2: ``(n_classes, n_features, n_outputs_per_class)``;
        ``b2``: ``(n_classes, n_outputs_per_class)``
    :param target: None, or int labels ``(batch_size,)`` or
        ``(batch_size, 1)``
    :returns: without target, every output's probability ``(batch_size,
        n_outputs)``; with it, the target's probability ``(batch_size,)``
    """
    x = pt.as_tensor_variable(x)
    class_probs = softmax(pt.dot(x, W1) + b1)
    if target is None:
        activations = pt.tensordot(x, W2, (1, 1)) + b2
        output_probs = softmax(activations.reshape((-1, n_outputs_per_class)))
        output_probs = output_probs.reshape((batch_size, n_classes, -1))
        output_probs = class_probs.dimshuffle(0, 1, 'x') * output_probs
        output_probs = output_probs.reshape((batch_size, -1))
        return output_probs[:, :n_outputs]
    target = pt.as_tensor_variable(target).flatten()
    target_classes = target // n_outputs_per_class
    target_outputs_in_class = target % n_outputs_per_class
    # Theano's sparse_block_dot: each row's own block of W2 and b2
    W2 = pt.as_tensor_variable(W2)
    b2 = pt.as_tensor_variable(b2)
    activations = b2[target_classes] + pt.matmul(
        x.dimshuffle(0, "x", 1), W2[target_classes])[:, 0, :]
    output_probs = softmax(activations)
    rows = pt.arange(batch_size)
    return (class_probs[rows, target_classes]
            * output_probs[rows, target_outputs_in_class])


def confusion_matrix(actual, pred):
    """The confusion matrix of two label vectors.

    :param actual, pred: 1-d tensors of labels
    :returns: ``[conf_mat, order]``: ``order`` the sorted distinct labels
        of both, ``conf_mat[i, j]`` (int64) how many times ``actual`` is
        ``order[i]`` where ``pred`` is ``order[j]``
    """
    actual = pt.as_tensor_variable(actual)
    pred = pt.as_tensor_variable(pred)
    if actual.ndim != 1:
        raise ValueError('actual must be 1-d tensor variable')
    if pred.ndim != 1:
        raise ValueError('pred must be 1-d tensor variable')
    order = Unique(False, False, False)(pt.concatenate([actual, pred]))
    one_hot_actual = pt.eq(actual.dimshuffle(0, 'x'), order).astype('int64')
    one_hot_pred = pt.eq(pred.dimshuffle(0, 'x'), order).astype('int64')
    return [pt.dot(one_hot_actual.T, one_hot_pred), order]


__getattr__ = module_getattr(__name__)
