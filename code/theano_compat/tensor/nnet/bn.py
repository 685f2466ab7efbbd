"""``theano.tensor.nnet.bn``: Theano 1.0.5's batch normalization.

Three functions, with Theano 1.0.5's signatures and defaults:

``batch_normalization(inputs, gamma, beta, mean, std, mode='low_mem')``
    ``(inputs - mean) / std * gamma + beta``, every argument broadcast
    against ``inputs``.  ``'low_mem'`` is one elementwise loop whose
    gradient Theano wrote out (``BNComposite``); ``'high_mem'`` computes
    ``(inputs - mean) * (gamma / std) + beta`` and differentiates that.
``batch_normalization_train(inputs, gamma, beta, axes='per-activation',
epsilon=1e-4, running_average_factor=0.1, running_mean=None,
running_var=None)``
    normalizes by the minibatch's own mean and variance over ``axes``;
    returns ``(out, mean, invstd)``, and with the running averages given,
    their new values too.
``batch_normalization_test(inputs, gamma, beta, mean, var,
axes='per-activation', epsilon=1e-4)``
    normalizes by given means and variances.

``axes``: ``'per-activation'`` is ``(0,)``, ``'spatial'`` is ``(0, 2, 3,
...)``, or a tuple of ints.  The parameters (``gamma``, ``beta``, the
means and variances) either have the inputs' rank with length 1 along
``axes``, or leave those axes out.  ``epsilon`` is at least 1e-5.

Each is a graph of PyTensor operations: Theano's CPU rewrites replaced
its batch-normalization ops by exactly these graphs
(``local_abstract_batch_norm_train`` and the others), so the values are
Theano's.  The gradients are Theano's own formulas, not the derivative
of the forward graph: each function's graph is an inlined
``OpFromGraph`` whose pullback is the graph Theano's gradient op turned
into (``AbstractBatchNormTrainGrad``, itself an inlined graph whose
pullback is Theano's second derivative).

One difference: Theano's ``batch_normalization_train`` passed gradient
back from ``out`` only.  A cost of its ``mean`` or ``invstd`` outputs or
of the new running averages got no gradient from them (zero), and the
gradient of a gradient, which needs the path through ``mean`` and
``invstd``, raised an error.  Here those outputs pass back the
derivative of their own graphs, so such costs and the second
derivatives of the whole are right; the gradient from ``out`` is
Theano's.  Inlined graphs compile to the same fused C loops as
hand-written ones (and in mode JAX to JAX), so nothing here needs an op
of its own.

Speed (``python bench/nnet_ops.py --rows bn,bn_act``, float64, 2 busy
cores): ``batch_normalization_train`` and its gradient took 0.6 to 0.7
times the time of one op doing the same in NumPy per activation (500 x
1000), but 1.8 to 2.2 times 'spatial' (64 x 32 x 16 x 16): PyTensor's C
sums over the trailing axes are slow (over the last axis of a 500 x 1000
matrix: 3 to 5 ms, NumPy 0.1 ms); a faster reduction in the C backend
would serve every graph.
"""

import numpy
import pytensor
import pytensor.tensor as pt
from pytensor.compile.builders import OpFromGraph
from pytensor.gradient import DisconnectedType, disconnected_type

from theano_compat.names import module_getattr

__all__ = ['batch_normalization', 'batch_normalization_train',
           'batch_normalization_test']


def _disconnected(var):
    return var is None or isinstance(var.type, DisconnectedType)


def _add(a, b):
    """``a + b``, where None or a disconnected gradient counts as 0."""
    if _disconnected(a):
        return b
    if _disconnected(b):
        return a
    return a + b


def _sum_to(grad, like):
    """``grad`` summed over the axes where ``like`` is broadcast (length
    1 by type), as Theano's elementwise gradients are; of like's dtype."""
    axes = [i for i, (b, g) in enumerate(zip(like.type.broadcastable,
                                             grad.type.broadcastable))
            if b and not g]
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return pt.cast(grad, like.type.dtype)


def _low_mem_grad(inputs, outputs, output_grads):
    """Theano's ``BNComposite.grad``, elementwise, then summed over the
    broadcast axes of each input."""
    x, mean, std, gamma, beta = inputs
    top, = output_grads
    top_gamma = top * gamma
    x_mean = x - mean
    dx = top_gamma / std
    dmean = -dx
    dstd = -(top_gamma * x_mean) / (std * std)
    dgamma = top * x_mean / std
    return [_sum_to(g, v) for g, v in zip(
        (dx, dmean, dstd, dgamma, top), inputs)]


def batch_normalization(inputs, gamma, beta, mean, std, mode='low_mem'):
    """``(inputs - mean) / std * gamma + beta``, Theano's first batch
    normalization (from Theano 0.7.1).

    :param inputs: tensor of activations
    :param gamma, beta, mean, std: tensors of the inputs' rank,
        broadcastable against them
    :param mode: ``'low_mem'`` (one elementwise loop; Theano's gradient
        formulas) or ``'high_mem'`` (``(inputs - mean) * (gamma / std) +
        beta`` and its derivative)
    :returns: tensor of the inputs' shape
    :raises ValueError: for another mode
    """
    if mode not in ('low_mem', 'high_mem'):
        raise ValueError('mode must be either "low_mem", "high_mem"')
    args = [pt.as_tensor_variable(v) for v in (inputs, mean, std, gamma,
                                                 beta)]
    if mode == 'high_mem':
        x, mean, std, gamma, beta = args
        return (x - mean) * (gamma / std) + beta
    inner = [v.type() for v in args]
    x, mean, std, gamma, beta = inner
    op = OpFromGraph(inner, [((x - mean) / std) * gamma + beta], inline=True,
                     pullback=_low_mem_grad, name='batch_normalization')
    return op(*args)


def _prepare_axes(axes, ndim):
    """Theano's normalization axes, sorted, and the others."""
    if isinstance(axes, str) and axes == 'per-activation':
        axes = (0,)
    elif isinstance(axes, str) and axes == 'spatial':
        axes = (0,) + tuple(range(2, ndim))
    elif isinstance(axes, (tuple, list, numpy.ndarray)):
        axes = tuple(int(a) for a in axes)
    else:
        raise ValueError('invalid axes: %s' % (axes,))
    axes = tuple(sorted(axes))
    if len(axes) == 0:
        raise ValueError('there should be at least one normalization axis')
    if min(axes) < 0 or max(axes) >= ndim:
        raise ValueError('axes should be less than ndim (<%d), but %s given'
                         % (ndim, str(axes)))
    return axes, tuple(i for i in range(ndim) if i not in axes)


def _epsilon(epsilon):
    """``epsilon`` in floatX, checked as Theano did (after the rounding:
    float32(1e-5) is below 1e-5)."""
    epsilon = numpy.asarray(epsilon, dtype=pytensor.config.floatX)[()]
    if epsilon < 1e-5:
        raise ValueError('epsilon must be at least 1e-5, got %s' % epsilon)
    return epsilon


def _params_layout(params, names, ndim, axes, non_bc_axes):
    """The parameters broadcast to the inputs' rank, and a function that
    gives a result of that rank the parameters' own layout back."""
    params = [pt.as_tensor_variable(p) for p in params]
    params_ndim = ndim if params[0].ndim == ndim else len(non_bc_axes)
    for name, p in zip(names, params):
        if p.ndim != params_ndim:
            raise ValueError(
                '%s must have the rank of the inputs or the number of '
                'non-normalized axes (%d); got %d' % (name, params_ndim,
                                                      p.ndim))
    if params_ndim != ndim:
        pattern = ['x'] * ndim
        for i, axis in enumerate(non_bc_axes):
            pattern[axis] = i
        full = [p.dimshuffle(pattern) for p in params]

        def own_layout(result):
            return result.dimshuffle(non_bc_axes)
    else:
        full = [pt.specify_broadcastable(p, *axes) for p in params]

        def own_layout(result):
            return result
    return full, own_layout


def _mean(x, axes):
    return pt.mean(x, axis=axes, keepdims=True)


def _train_grad_graph(axes, x, dy, scale, x_mean, x_invstd):
    """Theano's CPU graph for ``AbstractBatchNormTrainGrad``: the gradients
    with respect to the inputs, the scale and the bias."""
    x_diff = x - x_mean
    mean_dy_x_diff = _mean(dy * x_diff, axes)
    c = (dy * x_invstd) - x_diff * (mean_dy_x_diff * (x_invstd ** 3))
    g_inputs = scale * (c - _mean(c, axes))
    g_scale = pt.sum(dy * x_invstd * x_diff, axis=axes, keepdims=True)
    g_bias = pt.sum(dy, axis=axes, keepdims=True)
    return [pt.cast(g_inputs, x.type.dtype),
            pt.cast(g_scale, scale.type.dtype),
            pt.cast(g_bias, scale.type.dtype)]


def _train_grad_grad(axes, inputs, output_grads):
    """Theano's ``AbstractBatchNormTrainGrad.grad``: the second
    derivatives, given the gradients of its three outputs."""
    x, dy, scale, x_mean, x_invstd, epsilon = inputs
    ddinputs, ddscale, ddbias = output_grads
    x_diff = x - x_mean
    mean_dy_x_diff = _mean(dy * x_diff, axes)
    g_x = g_dy = g_scale = g_x_mean = g_x_invstd = None

    def add(total, term):
        return term if total is None else total + term

    if not _disconnected(ddinputs):
        ccc = scale * (ddinputs - _mean(ddinputs, axes))
        ddd = (x_invstd ** 3) * (ccc * _mean(dy * x_diff, axes)
                                 + dy * _mean(ccc * x_diff, axes))
        g_x = add(g_x, -ddd)
        g_dy = add(g_dy, (ccc * x_invstd)
                   - ((x_invstd ** 3) * x_diff * _mean(ccc * x_diff, axes)))
        eee = (dy * x_invstd) - ((x_invstd ** 3) * x_diff * mean_dy_x_diff)
        g_scale = add(g_scale, pt.sum(ddinputs * (eee - _mean(eee, axes)),
                                      axis=axes, keepdims=True))
        g_x_mean = add(g_x_mean, pt.sum(ddd, axis=axes, keepdims=True))
        g_x_invstd = add(g_x_invstd, pt.sum(
            ccc * (dy - 3 * (x_invstd ** 2) * x_diff * mean_dy_x_diff),
            axis=axes, keepdims=True))
    if not _disconnected(ddscale):
        g_x = add(g_x, x_invstd * ddscale * dy)
        g_dy = add(g_dy, x_invstd * ddscale * x_diff)
        g_x_mean = add(g_x_mean, -(x_invstd * ddscale
                                   * pt.sum(dy, axis=axes, keepdims=True)))
        g_x_invstd = add(g_x_invstd, ddscale * pt.sum(dy * x_diff, axis=axes,
                                                      keepdims=True))
    if not _disconnected(ddbias):
        g_dy = add(g_dy, pt.fill(dy, ddbias))
    results = []
    for grad, var in zip((g_x, g_dy, g_scale, g_x_mean, g_x_invstd),
                         inputs):
        results.append(disconnected_type() if grad is None
                       else _sum_to(grad, var))
    return results + [disconnected_type()]


def _train_grad_op(axes, types):
    """``AbstractBatchNormTrainGrad(axes)`` as an inlined graph with
    Theano's second derivatives as its pullback."""
    inner = [t() for t in types]
    return OpFromGraph(
        inner, _train_grad_graph(axes, *inner[:5]), inline=True,
        pullback=lambda inputs, outputs, grads: _train_grad_grad(
            axes, inputs, grads),
        connection_pattern=[[True, True, False], [True, True, True],
                            [True, False, False], [True, True, False],
                            [True, True, False], [False, False, False]],
        name='batch_normalization_train_grad')


def _train_graph(axes, epsilon, x, scale, bias, factor, old_mean=None,
                 old_var=None):
    """Theano's CPU graph for ``AbstractBatchNormTrain``
    (``local_abstract_batch_norm_train``): ``[out, mean, invstd]`` and,
    with the old running averages, their new values, each of the type of
    x (out) or of scale (the others)."""
    eps = pt.constant(epsilon)
    if x.type.dtype == 'float32':
        eps = pt.cast(eps, 'float32')  # epsilon does not upcast
    mean = _mean(x, axes)
    var = _mean(pt.sqr(x - mean), axes)
    invstd = pt.reciprocal(pt.sqrt(var + eps))
    out = (x - mean) * (scale * invstd) + bias
    results = [out, mean, invstd]
    if old_mean is not None:
        results.append(old_mean * (1.0 - factor) + mean * factor)
        m = pt.cast(pt.prod(x.shape) / pt.prod(scale.shape),
                    pytensor.config.floatX)
        results.append(old_var * (1.0 - factor)
                       + (m / (m - 1)) * var * factor)
    return [pt.cast(r, v.type.dtype) for r, v in
            zip(results, [x, scale, scale, scale, scale])]


def batch_normalization_train(inputs, gamma, beta, axes='per-activation',
                              epsilon=1e-4, running_average_factor=0.1,
                              running_mean=None, running_var=None):
    """Batch normalization by the minibatch's own statistics.

    ``mean = inputs.mean(axes)``, ``var = inputs.var(axes)`` (divided by
    ``m``, the number of values averaged), ``invstd = 1 / sqrt(var +
    epsilon)``, ``out = (inputs - mean) * (gamma * invstd) + beta``.

    :param inputs: tensor
    :param gamma, beta: scale and shift: the inputs' rank with length 1
        on ``axes``, or without those axes
    :param axes: ``'per-activation'`` (``(0,)``), ``'spatial'`` (``(0,
        2, 3, ...)``) or a tuple of ints
    :param epsilon: added to the variance; at least 1e-5
    :param running_average_factor: weight ``f`` of this minibatch in the
        running averages
    :param running_mean, running_var: both or neither, in gamma's layout
    :returns: ``(out, mean, invstd)``, the last two in gamma's layout;
        with the running averages, also ``running_mean * (1 - f) + mean *
        f`` and ``running_var * (1 - f) + m / (m - 1) * var * f``
    :raises ValueError: for bad axes, parameters of the wrong rank, only
        one running average, or epsilon below 1e-5
    """
    inputs = pt.as_tensor_variable(inputs)
    ndim = inputs.ndim
    axes, non_bc_axes = _prepare_axes(axes, ndim)
    if (running_mean is None) != (running_var is None):
        raise ValueError('running_mean and running_var must either both be '
                         'given or both be None')
    with_running = running_mean is not None
    params = [gamma, beta] + ([running_mean, running_var] if with_running
                              else [])
    names = ['gamma', 'beta', 'running_mean', 'running_var']
    params, own_layout = _params_layout(params, names, ndim, axes,
                                        non_bc_axes)
    epsilon = _epsilon(epsilon)
    factor = pt.as_tensor_variable(running_average_factor)
    dtype = pytensor.scalar.upcast(inputs.type.dtype,
                                   *[p.type.dtype for p in params])
    args = [pt.cast(v, dtype) for v in [inputs] + params[:2]] + [factor] + [
        pt.cast(v, dtype) for v in params[2:]]
    inner = [v.type() for v in args]
    eps_dtype = 'float32' if dtype == 'float32' else epsilon.dtype
    results = _train_graph(axes, epsilon, *inner)
    grad_types = [inner[0].type, inner[0].type, inner[1].type,
                  inner[1].type, inner[1].type,
                  pt.TensorType(eps_dtype, shape=())]

    def pullback(op_inputs, op_outputs, output_grads):
        grads = [None] * len(op_inputs)
        dy = output_grads[0]
        if not _disconnected(dy):
            # Theano's gradient, from out to the inputs, scale and bias
            x, scale = op_inputs[:2]
            grads[:3] = _train_grad_op(axes, grad_types)(
                x, dy, scale, op_outputs[1], op_outputs[2],
                pt.constant(numpy.asarray(epsilon, eps_dtype)))
        rebuilt = _train_graph(axes, epsilon, *op_inputs)
        for var, grad in zip(rebuilt[1:], output_grads[1:]):
            if _disconnected(grad):
                continue
            # the other outputs' gradients (Theano passed none back): the
            # derivative of their graphs, one output at a time (a known
            # gradient of mean would hide what the running averages pass
            # back through it)
            more = pytensor.grad(None, wrt=list(op_inputs),
                                 known_grads={var: grad},
                                 disconnected_inputs='ignore',
                                 return_disconnected='disconnected')
            grads = [_add(a, b) for a, b in zip(grads, more)]
        return [disconnected_type() if g is None else g for g in grads]

    # which output depends on which input: x reaches all; scale and bias
    # only out; the factor the new running averages; each old running
    # average only its new value
    n_out = len(results)
    connections = [row[:n_out] for row in (
        [True] * 5, [True, False, False, False, False],
        [True, False, False, False, False],
        [False, False, False, True, True],
        [False, False, False, True, False],
        [False, False, False, False, True])[:len(inner)]]
    op = OpFromGraph(inner, results, inline=True, pullback=pullback,
                     connection_pattern=connections,
                     name='batch_normalization_train')
    outputs = op(*args)
    return tuple([outputs[0]] + [own_layout(r) for r in outputs[1:]])


def _inference_grad(axes, inputs, output_grads):
    """Theano's ``AbstractBatchNormInference.grad``."""
    x, scale, bias, est_mean, est_var, epsilon = inputs
    dy, = output_grads
    est_var_eps = est_var + epsilon
    est_std = pt.sqrt(est_var_eps)
    two = pt.constant(2.)
    dx = dy * (scale / est_std)
    dscale = (dy * (x - est_mean)).sum(axes, keepdims=True) / est_std
    dbias = dy.sum(axes, keepdims=True)
    dmean = -dy.sum(axes, keepdims=True) * (scale / est_std)
    dvar = -(dy * (x - est_mean)).sum(axes, keepdims=True) * (
        scale / (two * est_var_eps * est_std))
    return [_sum_to(g, v) for g, v in zip(
        (dx, dscale, dbias, dmean, dvar), inputs)] + [disconnected_type()]


def batch_normalization_test(inputs, gamma, beta, mean, var,
                             axes='per-activation', epsilon=1e-4):
    """Batch normalization by given statistics: ``(inputs - mean) *
    (gamma / sqrt(var + epsilon)) + beta``.

    :param inputs: tensor
    :param gamma, beta, mean, var: the inputs' rank with length 1 on
        ``axes``, or without those axes
    :param axes: ``'per-activation'``, ``'spatial'`` or a tuple of ints
    :param epsilon: at least 1e-5
    :returns: tensor of the inputs' shape
    """
    inputs = pt.as_tensor_variable(inputs)
    ndim = inputs.ndim
    axes, non_bc_axes = _prepare_axes(axes, ndim)
    params, _ = _params_layout([gamma, beta, mean, var],
                               ['gamma', 'beta', 'mean', 'var'], ndim, axes,
                               non_bc_axes)
    epsilon = _epsilon(epsilon)
    dtype = pytensor.scalar.upcast(inputs.type.dtype,
                                   *[p.type.dtype for p in params])
    args = [pt.cast(v, dtype) for v in [inputs] + params]
    eps = pt.constant(epsilon)
    inner = [v.type() for v in args] + [eps.type()]
    x, scale, bias, est_mean, est_var, eps_in = inner
    eps_used = pt.cast(eps_in, 'float32') if (
        est_var.type.dtype == 'float32') else eps_in
    out = (x - est_mean) * (scale / pt.sqrt(est_var + eps_used)) + bias
    op = OpFromGraph(
        inner, [pt.cast(out, x.type.dtype)], inline=True,
        pullback=lambda i, o, g: _inference_grad(axes, i, g),
        connection_pattern=[[True]] * 5 + [[False]],
        name='batch_normalization_test')
    return op(*(args + [eps]))


__getattr__ = module_getattr(__name__)
