"""Theano's conv2d and pool_2d (theano_compat.tensor.nnet.abstract_conv,
theano_compat.tensor.signal.pool).

The references are computed another way: the convolution with
scipy.signal, summed over channels; the pooling with a plain loop over
windows, written here.  Then the C code, the NumPy perform and the JAX
backend must agree with each other, the gradients with finite
differences, and float32 must stay float32.
"""

import itertools
import os
import subprocess
import sys

import numpy
import pytest
import scipy.signal
import theano_compat
from pytensor.compile.mode import Mode
from pytensor.gradient import verify_grad

from theano_compat import theano, T
from theano_compat.compile.function_module import resolve_mode
from theano_compat.engine import cvm
from theano_compat.tensor.nnet import abstract_conv
from theano_compat.tensor.nnet.abstract_conv import (
    AbstractConv2d as Corr2d, AbstractConv2d_gradInputs as Corr2dGradInputs,
    AbstractConv2d_gradWeights as Corr2dGradWeights, conv2d)
from theano_compat.tensor.nnet.conv_pool import (
    ConvPool, ConvPool_gradInputs, ConvPool_gradWeights)
from theano_compat.tensor.signal import pool
from theano_compat.tensor.signal.pool import (
    DownsampleFactorMaxGradGrad as MaxPoolGradGrad2d,
    MaxPoolGrad as MaxPoolGrad2d, Pool as Pool2d, pool_2d)

C_MODE = resolve_mode(None)                  # theano.function's default
PYTHON = Mode(linker='py')                  # the ops' perform()
MODES = {'c': C_MODE, 'python': PYTHON, 'jax': 'JAX'}


def rng(seed=0):
    return numpy.random.default_rng(seed)


def run(outputs, inputs, values, mode=None):
    fn = theano.function(inputs, outputs, mode=mode)
    return [numpy.asarray(v) for v in fn(*values)]


def ops_in(fn):
    return [type(node.op) for node in fn.maker.fgraph.toposort()]


# ----------------------------------------------------------------------------
# conv2d against scipy.signal

def dilated(kernel, dilation):
    """The kernel with (d - 1) zeros between taps."""
    dh, dw = dilation
    kh, kw = kernel.shape
    out = numpy.zeros(((kh - 1) * dh + 1, (kw - 1) * dw + 1), kernel.dtype)
    out[::dh, ::dw] = kernel
    return out


def scipy_conv2d(images, filters, pads=None, scipy_mode='valid',
                 subsample=(1, 1), flip=True, dilation=(1, 1)):
    """Each output map: the sum over channels of scipy's 2-D convolution
    (correlation if not flip) of the zero-padded image with the filter.

    :param pads: ((above, below), (left, right)) zeros, or None
    """
    if pads is not None:
        images = numpy.pad(images, ((0, 0), (0, 0)) + tuple(pads))
    apply = scipy.signal.convolve2d if flip else scipy.signal.correlate2d
    n, c = images.shape[:2]
    out = numpy.array([[sum(apply(images[i, ch],
                                  dilated(filters[f, ch], dilation),
                                  mode=scipy_mode)
                            for ch in range(c))
                        for f in range(filters.shape[0])]
                       for i in range(n)])
    return out[:, :, ::subsample[0], ::subsample[1]]


IMAGES = (2, 3, 9, 8)
FILTERS = (4, 3, 3, 2)

# border_mode -> (zeros around the image, scipy's mode) for FILTERS
BORDERS = {
    'valid': (None, 'valid'),
    'full': (None, 'full'),
    'half': (((1, 1), (1, 1)), 'valid'),   # 3 // 2 rows, 2 // 2 columns
    2: (((2, 2), (2, 2)), 'valid'),
    (1, 3): (((1, 1), (3, 3)), 'valid'),
    ((0, 2), (1, 0)): (((0, 2), (1, 0)), 'valid'),
}


def conv_problem(dtype='float64', images=IMAGES, filters=FILTERS, seed=0):
    r = rng(seed)
    return (r.standard_normal(images).astype(dtype),
            r.standard_normal(filters).astype(dtype))


@pytest.mark.parametrize('mode', sorted(MODES))
@pytest.mark.parametrize('border', list(BORDERS), ids=repr)
def test_conv2d_border_modes_match_scipy(border, mode):
    X, W = conv_problem()
    pads, scipy_mode = BORDERS[border]
    x, w = T.tensor4('x'), T.tensor4('w')
    got, = run([conv2d(x, w, border_mode=border)], [x, w], [X, W],
               MODES[mode])
    numpy.testing.assert_allclose(got, scipy_conv2d(X, W, pads, scipy_mode),
                                  rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize('mode', sorted(MODES))
@pytest.mark.parametrize('border,subsample,flip,dilation', [
    ('valid', (2, 3), True, (1, 1)),
    ('full', (3, 2), False, (1, 1)),
    ('valid', (1, 1), False, (2, 1)),
    ('half', (2, 1), True, (2, 2)),
])
def test_conv2d_strides_flip_dilation_match_scipy(border, subsample, flip,
                                                  dilation, mode):
    X, W = conv_problem(images=(2, 3, 11, 10), seed=1)
    kh, kw = [(k - 1) * d + 1 for k, d in zip(W.shape[2:], dilation)]
    pads, scipy_mode = {'valid': (None, 'valid'), 'full': (None, 'full'),
                        'half': (((kh // 2,) * 2, (kw // 2,) * 2), 'valid')
                        }[border]
    x, w = T.tensor4('x'), T.tensor4('w')
    got, = run([conv2d(x, w, border_mode=border, subsample=subsample,
                       filter_flip=flip, filter_dilation=dilation)],
               [x, w], [X, W], MODES[mode])
    expected = scipy_conv2d(X, W, pads, scipy_mode, subsample, flip,
                            dilation)
    numpy.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-10)


def test_conv2d_tutorial_call():
    """The tutorial's keywords; a float32 input stays float32."""
    X, W = conv_problem('float32', (5, 1, 28, 28), (6, 1, 5, 5))
    x = T.tensor4('x', dtype='float32')
    filters = theano.shared(W)
    out = conv2d(input=x, filters=filters, filter_shape=(6, 1, 5, 5),
                 input_shape=(5, 1, 28, 28))
    old = conv2d(x, filters, image_shape=(5, 1, 28, 28))
    assert out.dtype == old.dtype == 'float32'
    got, got_old = run([out, old], [x], [X])
    assert got.dtype == 'float32' and got.shape == (5, 6, 24, 24)
    numpy.testing.assert_allclose(got, scipy_conv2d(X.astype('float64'),
                                                    W.astype('float64')),
                                  rtol=1e-4, atol=1e-4)
    numpy.testing.assert_array_equal(got, got_old)


def test_conv2d_empty_and_one_by_one():
    x, w = T.tensor4('x'), T.tensor4('w')
    X, W = conv_problem(images=(0, 3, 5, 5), filters=(2, 3, 1, 1))
    got, = run([conv2d(x, w)], [x, w], [X, W])
    assert got.shape == (0, 2, 5, 5)
    X, W = conv_problem(images=(2, 3, 5, 4), filters=(2, 3, 1, 1))
    got, = run([conv2d(x, w)], [x, w], [X, W])
    numpy.testing.assert_allclose(
        got, numpy.einsum('nchw,fc->nfhw', X, W[:, :, 0, 0]), rtol=1e-12)


# ----------------------------------------------------------------------------
# pool_2d against a loop

def loop_pool(x, ws, ignore_border, stride, pad, mode):
    """Pooling over the last len(ws) axes, written out window by window,
    from Theano 1.0's rules."""
    stride = stride or ws
    nd = len(ws)
    lead, sizes = x.shape[:-nd], x.shape[-nd:]

    def windows(length, w, s, p):
        padded = length + 2 * p
        out, start = [], 0
        while True:
            end = start + w
            whole = end <= padded
            if not whole and (ignore_border or start >= padded):
                break
            # the window in the padded axis, and its part in the image
            out.append((start, min(end, padded),
                        max(start, p) - p, min(end, p + length) - p))
            if not whole:
                break  # the last, cut-off window
            if ignore_border is False and end >= padded:
                break  # it reached the end exactly
            start += s
        return out

    axes = [windows(*args) for args in zip(sizes, ws, stride, pad)]
    out = numpy.zeros(lead + tuple(len(a) for a in axes), x.dtype)
    for index in numpy.ndindex(*lead):
        for where in itertools.product(*[list(enumerate(a)) for a in axes]):
            part = x[index][tuple(slice(lo, hi)
                                  for _, (_, _, lo, hi) in where)]
            padded_size = numpy.prod([b - a for _, (a, b, _, _) in where])
            if mode == 'max':
                value = part.max()
            elif mode == 'sum':
                value = part.sum()
            elif mode == 'average_inc_pad':
                value = part.sum() / padded_size
            else:
                value = part.sum() / part.size
            out[index + tuple(i for i, _ in where)] = value
    return out


POOL_CASES = [
    # ws, ignore_border, stride, pad
    ((2, 2), True, None, (0, 0)),
    ((2, 2), False, None, (0, 0)),
    ((3, 2), False, (1, 2), (0, 0)),   # overlapping, cut-off edges
    ((2, 3), False, (3, 3), (0, 0)),   # gaps between windows
    ((3, 3), True, (2, 1), (1, 2)),
    ((2, 3), True, None, (1, 1)),
]
POOL_MODES = ['max', 'sum', 'average_inc_pad', 'average_exc_pad']


@pytest.mark.parametrize('mode', POOL_MODES)
@pytest.mark.parametrize('case', POOL_CASES, ids=str)
def test_pool_2d_matches_loop(case, mode):
    ws, ignore_border, stride, pad = case
    X = rng(2).standard_normal((2, 3, 7, 9))
    x = T.tensor4('x')
    out = pool_2d(x, ws=ws, ignore_border=ignore_border, stride=stride,
                  pad=pad, mode=mode)
    expected = loop_pool(X, ws, ignore_border, stride, pad, mode)
    for name, engine in MODES.items():
        got, = run([out], [x], [X], engine)
        numpy.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12,
                                      err_msg=name)


def test_pool_2d_shapes_by_theano():
    """Output sizes that Theano 1.0.5 gives (checked against it)."""
    x = T.tensor4('x')
    X = numpy.zeros((1, 1, 5, 7))
    cases = [(dict(ws=(2, 2), ignore_border=True), (2, 3)),
             (dict(ws=(2, 2), ignore_border=False), (3, 4)),
             (dict(ws=(3, 3), stride=(2, 2), ignore_border=False), (2, 3)),
             (dict(ws=(3, 2), stride=(1, 3), ignore_border=False), (3, 3)),
             (dict(ws=(3, 3), pad=(1, 2), ignore_border=True), (2, 3))]
    for kwargs, shape in cases:
        got, = run([pool_2d(x, **kwargs)], [x], [X])
        assert got.shape[2:] == shape, kwargs
        # Theano's static helper gives the same
        assert Pool2d.out_shape(X.shape, **kwargs) == [1, 1] + list(shape)


@pytest.mark.parametrize('ndim', [2, 3, 5])
def test_pool_2d_any_leading_dimensions(ndim):
    X = rng(3).standard_normal((2, 3, 2, 6, 5)[-ndim:])
    x = T.tensor(dtype='float64', shape=(None,) * ndim)
    out = pool_2d(x, (2, 2), ignore_border=False, mode='average_exc_pad')
    got, = run([out], [x], [X])
    numpy.testing.assert_allclose(
        got, loop_pool(X, (2, 2), False, None, (0, 0), 'average_exc_pad'),
        rtol=1e-12)


def test_pool_2d_max_gradient_goes_to_every_tied_maximum():
    """Theano's C code gives a window's gradient to each element that
    equals the maximum (its Python code did the same)."""
    X = numpy.array([[[[1., 3., 3., 0.],
                       [2., 3., 1., 1.]]]])
    x = T.tensor4('x')
    g = T.grad(pool_2d(x, (2, 2), ignore_border=True).sum(), x)
    for name, engine in MODES.items():
        got, = run([g], [x], [X], engine)
        numpy.testing.assert_array_equal(
            got, [[[[0., 1., 1., 0.], [0., 1., 0., 0.]]]], err_msg=name)


def test_pool_2d_theano_keywords_and_warnings():
    x = T.tensor4('x')
    X = rng(4).standard_normal((1, 2, 6, 6))
    expected = loop_pool(X, (3, 2), True, (2, 2), (1, 1), 'max')
    with pytest.warns(UserWarning, match="DEPRECATION"):
        old = pool_2d(x, ds=(3, 2), st=(2, 2), padding=(1, 1),
                      ignore_border=True)
    got, = run([old], [x], [X])
    numpy.testing.assert_allclose(got, expected, rtol=1e-12)
    # ignore_border left out: Theano 1.0.5 warned and used False
    with pytest.warns(UserWarning, match='ignore_border'):
        default = pool_2d(x, (4, 4))
    got, = run([default], [x], [X])
    assert got.shape == (1, 2, 2, 2)
    with pytest.raises(ValueError, match="'ws' or its older name 'ds'"):
        pool_2d(x, ws=(2, 2), ds=(2, 2), ignore_border=True)
    with pytest.raises(NotImplementedError, match='ignore_border=True'):
        pool_2d(x, (2, 2), ignore_border=False, pad=(1, 1))
    with pytest.raises(NotImplementedError, match='smaller than the window'):
        pool_2d(x, (2, 2), ignore_border=True, pad=(2, 0))
    with pytest.raises(ValueError, match='mode should be one of'):
        pool_2d(x, (2, 2), ignore_border=True, mode='median')
    with pytest.raises(NotImplementedError, match='2 dimensions or more'):
        pool_2d(T.vector(), (2, 2), ignore_border=True)
    with pytest.raises(ValueError, match='pair of ints'):
        pool_2d(x, (2.5, 2), ignore_border=True)


def test_pool_2d_int_input_runs_in_numpy():
    X = numpy.arange(24, dtype='int32').reshape(1, 1, 4, 6)
    x = T.tensor4('x', dtype='int32')
    got, = run([pool_2d(x, (2, 3), ignore_border=True, mode='sum')], [x],
               [X])
    assert got.dtype == 'int32'
    numpy.testing.assert_array_equal(
        got, loop_pool(X, (2, 3), True, None, (0, 0), 'sum'))
    with pytest.raises(TypeError, match='needs a float input'):
        pool_2d(x, (2, 2), ignore_border=True, mode='average_inc_pad')


# ----------------------------------------------------------------------------
# Gradients, by finite differences

def check_grad(fun, values, **kwargs):
    verify_grad(fun, values, rng=numpy.random.default_rng(7), mode=C_MODE,
                **kwargs)


@pytest.mark.parametrize('border,subsample,flip,dilation', [
    ('valid', (1, 1), True, (1, 1)),
    ('full', (2, 1), False, (1, 1)),
    (((1, 0), (2, 1)), (1, 2), True, (1, 2)),
])
def test_conv2d_gradients(border, subsample, flip, dilation):
    X, W = conv_problem(images=(2, 2, 7, 6), filters=(3, 2, 3, 2), seed=5)

    def fun(x, w):
        return conv2d(x, w, border_mode=border, subsample=subsample,
                      filter_flip=flip, filter_dilation=dilation)

    check_grad(fun, [X, W])


def test_conv2d_second_derivatives():
    """The gradient ops have gradients: T.grad of T.grad, along the
    images, the filters and the output's gradient g."""
    X, W = conv_problem(images=(2, 2, 6, 5), filters=(3, 2, 2, 3), seed=6)
    G = rng(8).standard_normal((2, 3, 7, 1))
    kwargs = dict(border_mode=(1, 0), subsample=(1, 2), filter_flip=False,
                  filter_dilation=(1, 2))

    def grads(x, w, g):
        cost = (conv2d(x, w, **kwargs) * g).sum()
        gx, gw = T.grad(cost, [x, w])
        return (gx ** 2).sum() + (gw ** 2).sum()

    check_grad(grads, [X, W, G])
    x, w, g = T.tensor4('x'), T.tensor4('w'), T.tensor4('g')
    hessian_ops = ops_in(theano.function([x, w, g],
                                         T.grad(grads(x, w, g), [x, w, g])))
    assert {Corr2d, Corr2dGradWeights, Corr2dGradInputs} <= set(hessian_ops)


@pytest.mark.parametrize('mode', POOL_MODES)
@pytest.mark.parametrize('case', [POOL_CASES[2], POOL_CASES[4]], ids=str)
def test_pool_2d_gradients(case, mode):
    ws, ignore_border, stride, pad = case
    # distinct values: max pooling is differentiable there
    X = rng(9).permutation(2 * 2 * 7 * 8).reshape(2, 2, 7, 8) / 10.0
    check_grad(lambda x: pool_2d(x, ws, ignore_border, stride, pad, mode),
               [X])


@pytest.mark.parametrize('mode', ['max', 'average_exc_pad'])
def test_pool_2d_second_derivatives(mode):
    """The input's gradient is linear in the output's gradient g (and, for
    max, piecewise constant in the input): differentiate it along g."""
    X = rng(10).permutation(2 * 6 * 7).reshape(1, 2, 6, 7) / 10.0
    G = rng(11).standard_normal((1, 2, 3, 4))

    def gradient(x, g):
        cost = (pool_2d(x, (3, 3), True, (2, 2), (1, 1), mode) * g).sum()
        return (T.grad(cost, x) ** 2).sum()

    check_grad(gradient, [X, G])
    x, g = T.tensor4('x'), T.tensor4('g')
    kinds = ops_in(theano.function([x, g], T.grad(gradient(x, g), g)))
    assert (MaxPoolGradGrad2d if mode == 'max' else Pool2d) in kinds


# ----------------------------------------------------------------------------
# C, Python and JAX agree; float32 stays float32

def lenet_layer(x, w, b):
    """A LeNet layer: convolution, 2x2 max pooling, bias, tanh."""
    conv = conv2d(x, w, border_mode='valid')
    pooled = pool_2d(conv, (2, 2), ignore_border=True)
    return T.tanh(pooled + b.dimshuffle('x', 0, 'x', 'x'))


def layer_outputs(dtype, border='valid', pool_mode='max'):
    x = T.tensor4('x', dtype=dtype)
    w = T.tensor4('w', dtype=dtype)
    b = T.vector('b', dtype=dtype)
    conv = conv2d(x, w, border_mode=border, subsample=(1, 1))
    pooled = pool_2d(conv, (2, 2), ignore_border=False, stride=(1, 2),
                     mode=pool_mode)
    out = T.tanh(pooled + b.dimshuffle('x', 0, 'x', 'x'))
    cost = (out ** 2).sum()
    return [x, w, b], [out] + T.grad(cost, [x, w, b])


@pytest.mark.parametrize('dtype,tolerance', [('float64', 1e-12),
                                             ('float32', 2e-4)])
@pytest.mark.parametrize('border,pool_mode', [('valid', 'max'),
                                              ('half', 'average_inc_pad')])
def test_c_python_and_jax_agree(dtype, tolerance, border, pool_mode):
    inputs, outputs = layer_outputs(dtype, border, pool_mode)
    r = rng(12)
    values = [r.standard_normal((3, 2, 9, 10)).astype(dtype),
              (r.standard_normal((4, 2, 3, 3)) / 3).astype(dtype),
              r.standard_normal(4).astype(dtype)]
    results = {name: run(outputs, inputs, values, engine)
               for name, engine in MODES.items()}
    for name in ('python', 'jax'):
        for got, want in zip(results[name], results['c']):
            numpy.testing.assert_allclose(got, want, rtol=tolerance,
                                          atol=tolerance, err_msg=name)
    # the layer's output and the gradients the ops compute keep the dtype
    # (JAX's sum for the bias's gradient is PyTensor's, and not checked)
    for name, result in results.items():
        assert [v.dtype for v in result[:3]] == [dtype] * 3, name


def test_float32_graphs_stay_float32():
    inputs, outputs = layer_outputs('float32')
    assert all(v.dtype == 'float32' for v in outputs)
    fn = theano.function(inputs, outputs)
    for node in fn.maker.fgraph.toposort():
        if isinstance(node.op, (Corr2d, Corr2dGradInputs, Corr2dGradWeights,
                                Pool2d, MaxPoolGrad2d)):
            assert [o.dtype for o in node.outputs] == ['float32'], node
    kinds = set(ops_in(fn))
    assert {Corr2d, Corr2dGradInputs, Corr2dGradWeights, Pool2d,
            MaxPoolGrad2d} <= kinds
    # float64 filters widen the result, as any other float64 operand would
    x = T.tensor4('x', dtype='float32')
    assert conv2d(x, T.tensor4('w', dtype='float64')).dtype == 'float64'


def test_lenet_training_step_in_jax_matches_c():
    """Three SGD steps of a small LeNet layer, in mode JAX and in C."""
    r = rng(13)
    data = r.standard_normal((8, 1 * 12 * 12))
    w0 = r.standard_normal((3, 1, 5, 5)) / 5
    x, w, b = T.matrix('x'), T.tensor4('w'), T.vector('b')
    out = lenet_layer(x.reshape((4, 1, 12, 12)), w, b)
    cost = (out ** 2).mean()
    gw, gb = T.grad(cost, [w, b])
    new = [cost, w - 0.1 * gw, b - 0.1 * gb]
    results = []
    for mode in ('JAX', None):
        step = theano.function([x, w, b], new, mode=mode)
        params, costs = [w0, numpy.zeros(3)], []
        for i in (0, 1, 0):
            c, *params = step(data[i * 4:(i + 1) * 4], *params)
            costs.append(float(c))
        results.append((costs, numpy.asarray(params[0])))
    (jax_costs, jax_w), (c_costs, c_w) = results
    numpy.testing.assert_allclose(jax_costs, c_costs, rtol=1e-10)
    numpy.testing.assert_allclose(jax_w, c_w, rtol=1e-10, atol=1e-12)
    assert not numpy.allclose(c_w, w0)


# ----------------------------------------------------------------------------
# 3-D: conv3d and pool_3d, and the gradient functions

def dilated_nd(kernel, dilation):
    """The kernel with (d - 1) zeros between taps, along every axis."""
    out = numpy.zeros(tuple((k - 1) * d + 1
                            for k, d in zip(kernel.shape, dilation)),
                      kernel.dtype)
    out[tuple(slice(None, None, d) for d in dilation)] = kernel
    return out


def scipy_conv3d(volumes, filters, pads, subsample=(1, 1, 1), flip=True,
                 dilation=(1, 1, 1)):
    """Each output volume: the sum over channels of scipy's N-d
    convolution (correlation if not flip) of the zero-padded volume with
    the dilated filter, sampled every subsample voxels.

    :param pads: three (before, after) pairs
    """
    volumes = numpy.pad(volumes, ((0, 0), (0, 0)) + tuple(pads))
    apply = scipy.signal.convolve if flip else scipy.signal.correlate
    out = numpy.array([[sum(apply(v[ch], dilated_nd(f[ch], dilation),
                                  mode='valid')
                            for ch in range(v.shape[0]))
                        for f in filters] for v in volumes])
    return out[(slice(None), slice(None))
               + tuple(slice(None, None, s) for s in subsample)]


VOLUMES = (2, 2, 5, 6, 4)
FILTERS_3D = (3, 2, 2, 3, 2)
CONV3D_CASES = [
    # border_mode, its pads for FILTERS_3D, subsample, flip, dilation
    ('valid', ((0, 0),) * 3, (1, 1, 1), True, (1, 1, 1)),
    ('full', ((1, 1), (2, 2), (1, 1)), (2, 1, 2), False, (1, 1, 1)),
    ('half', ((1, 1), (1, 1), (1, 1)), (1, 2, 1), True, (2, 1, 1)),
    ((1, 0, 2), ((1, 1), (0, 0), (2, 2)), (1, 1, 1), True, (1, 1, 1)),
    (((0, 1), 2, (1, 0)), ((0, 1), (2, 2), (1, 0)), (1, 3, 2), False,
     (1, 2, 1)),
]


@pytest.mark.parametrize('mode', sorted(MODES))
@pytest.mark.parametrize('case', CONV3D_CASES, ids=lambda c: repr(c[0]))
def test_conv3d_matches_scipy(case, mode):
    border, pads, subsample, flip, dilation = case
    r = rng(20)
    V = r.standard_normal(VOLUMES)
    F = r.standard_normal(FILTERS_3D)
    v, f = T.tensor5('v'), T.tensor5('f')
    got, = run([T.nnet.conv3d(v, f, border_mode=border, subsample=subsample,
                              filter_flip=flip, filter_dilation=dilation)],
               [v, f], [V, F], MODES[mode])
    numpy.testing.assert_allclose(
        got, scipy_conv3d(V, F, pads, subsample, flip, dilation),
        rtol=1e-10, atol=1e-10)


POOL3D_CASES = [
    # ws, ignore_border, stride, pad
    ((2, 2, 2), False, None, (0, 0, 0)),
    ((3, 2, 2), False, (2, 1, 3), (0, 0, 0)),
    ((3, 3, 2), True, (2, 2, 1), (1, 2, 1)),
]


@pytest.mark.parametrize('mode', POOL_MODES)
@pytest.mark.parametrize('case', POOL3D_CASES, ids=str)
def test_pool_3d_matches_loop(case, mode):
    ws, ignore_border, stride, pad = case
    X = rng(21).standard_normal((2, 2, 5, 7, 6))
    x = T.tensor5('x')
    out = pool.pool_3d(x, ws=ws, ignore_border=ignore_border, stride=stride,
                       pad=pad, mode=mode)
    expected = loop_pool(X, ws, ignore_border, stride, pad, mode)
    for name, engine in MODES.items():
        got, = run([out], [x], [X], engine)
        numpy.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12,
                                      err_msg=name)


def test_pool_3d_any_leading_dimensions_and_tied_maxima():
    X = rng(22).standard_normal((3, 4, 5, 4))
    x = T.tensor4('x')
    got, = run([pool.pool_3d(x, (2, 3, 2), ignore_border=False,
                             mode='average_inc_pad')], [x], [X])
    numpy.testing.assert_allclose(
        got, loop_pool(X, (2, 3, 2), False, None, (0, 0, 0),
                       'average_inc_pad'), rtol=1e-12)
    # the gradient of max goes to every element equal to the maximum
    X = numpy.zeros((1, 2, 2, 2))
    X[0, 1, 0, 1] = X[0, 0, 1, 0] = 1.0
    g = T.grad(pool.pool_3d(x, (2, 2, 2), ignore_border=True).sum(), x)
    for name, engine in MODES.items():
        got, = run([g], [x], [X], engine)
        numpy.testing.assert_array_equal(got, X, err_msg=name)


def test_conv3d_and_pool_3d_gradients():
    r = rng(23)
    V = r.standard_normal((2, 2, 4, 5, 3))
    F = r.standard_normal((2, 2, 2, 2, 2))
    check_grad(lambda v, f: T.nnet.conv3d(
        v, f, border_mode=((1, 0), 1, (0, 2)), subsample=(1, 2, 1),
        filter_flip=False, filter_dilation=(2, 1, 1)), [V, F])
    # distinct values: max pooling is differentiable there
    X = r.permutation(2 * 5 * 6 * 5).reshape(1, 2, 5, 6, 5) / 10.0
    for mode in ('max', 'average_exc_pad'):
        check_grad(lambda x: pool.pool_3d(x, (3, 2, 2), True, (2, 2, 1),
                                          (1, 1, 0), mode), [X])


def test_conv3d_and_pool_3d_second_derivatives():
    r = rng(24)
    V = r.standard_normal((1, 2, 4, 4, 3))
    F = r.standard_normal((2, 2, 2, 3, 2))
    G = r.standard_normal((1, 2, 5, 2, 2))

    def conv_grads(v, f, g):
        cost = (T.nnet.conv3d(v, f, border_mode=(1, 0, 0)) * g).sum()
        gv, gf = T.grad(cost, [v, f])
        return (gv ** 2).sum() + (gf ** 2).sum()

    check_grad(conv_grads, [V, F, G])
    X = r.permutation(2 * 5 * 4 * 6).reshape(1, 2, 5, 4, 6) / 10.0
    H = r.standard_normal((1, 2, 3, 2, 3))

    def pool_grad(x, h):
        cost = (pool.pool_3d(x, (2, 2, 2), False, (2, 2, 2)) * h).sum()
        return (T.grad(cost, x) ** 2).sum()

    check_grad(pool_grad, [X, H])
    x, h = T.tensor5('x'), T.tensor5('h')
    kinds = ops_in(theano.function([x, h], T.grad(pool_grad(x, h), h)))
    assert MaxPoolGradGrad2d in kinds


def inner(a, b):
    return float(numpy.sum(a * b))


@pytest.mark.parametrize('convdim', [2, 3])
def test_gradient_functions_are_the_transposes_of_the_convolution(convdim):
    """<conv(a, w), b> = <a, grad_wrt_inputs(b, w)> = <w,
    grad_wrt_weights(a, b)>, with conv computed by scipy; and
    conv2d_transpose is grad_wrt_inputs under other names."""
    r = rng(25 + convdim)
    kwargs = dict(border_mode=(1,) * convdim, subsample=(2,) + (1,) * (
        convdim - 1), filter_flip=False, filter_dilation=(1,) * (
        convdim - 1) + (2,))
    a_shape = (2, 3) + (7, 6, 5)[:convdim]
    w_shape = (4, 3) + (3, 2, 2)[:convdim]
    A, W = r.standard_normal(a_shape), r.standard_normal(w_shape)
    if convdim == 2:
        out = scipy_conv2d(A, W, ((1, 1), (1, 1)), 'valid', (2, 1), False,
                           (1, 2))
        grad_inputs = abstract_conv.conv2d_grad_wrt_inputs
        grad_weights = abstract_conv.conv2d_grad_wrt_weights
    else:
        out = scipy_conv3d(A, W, ((1, 1),) * 3, (2, 1, 1), False, (1, 1, 2))
        grad_inputs = abstract_conv.conv3d_grad_wrt_inputs
        grad_weights = abstract_conv.conv3d_grad_wrt_weights
    B = r.standard_normal(out.shape)
    kind = T.tensor4 if convdim == 2 else T.tensor5
    a, w, b = kind('a'), kind('w'), kind('b')
    size = T.iscalar('size')  # a symbolic size, as Theano allowed

    def outputs(last):
        made = [grad_inputs(b, w, a_shape[:-1] + (last,), **kwargs),
                grad_weights(a, b, w_shape, **kwargs)]
        if convdim == 2:
            made.append(T.nnet.conv2d_transpose(
                b, w, a_shape[:-1] + (last,),
                input_dilation=kwargs['subsample'],
                border_mode=kwargs['border_mode'], filter_flip=False,
                filter_dilation=kwargs['filter_dilation']))
        return made

    assert outputs(size)[1].type.shape[2:] == w_shape[2:]  # known when built
    for name, engine in MODES.items():
        # JAX needs the shape when it compiles
        last = a_shape[-1] if name == 'jax' else size
        fn = theano.function([a, w, b, size], outputs(last), mode=engine,
                             on_unused_input='ignore')
        results = fn(A, W, B, a_shape[-1])
        assert results[0].shape == a_shape, name
        numpy.testing.assert_allclose(inner(A, results[0]), inner(out, B),
                                      rtol=1e-10, err_msg=name)
        numpy.testing.assert_allclose(inner(W, results[1]), inner(out, B),
                                      rtol=1e-10, err_msg=name)
        if convdim == 2:
            numpy.testing.assert_array_equal(results[2], results[0])
    with pytest.raises(NotImplementedError, match='must be known when the '
                                                  'function is compiled'):
        theano.function([w, b, size], outputs(size)[0], mode='JAX')(
            W, B, a_shape[-1])


@pytest.mark.parametrize('dtype,tolerance', [('float64', 1e-12),
                                             ('float32', 2e-4)])
def test_3d_layer_c_python_and_jax_agree(dtype, tolerance):
    """A 3-D layer (conv3d, pool_3d, tanh) and its gradients; the input's
    static shape unknown, so JAX's shapes come from the inputs."""
    v = T.tensor5('v', dtype=dtype)
    f = T.tensor5('f', dtype=dtype)
    conv = T.nnet.conv3d(v, f, border_mode='half', subsample=(1, 2, 1))
    out = T.tanh(pool.pool_3d(conv, (2, 2, 2), ignore_border=False,
                              mode='max'))
    outputs = [out] + T.grad((out ** 2).sum(), [v, f])
    r = rng(27)
    values = [r.standard_normal((2, 2, 5, 6, 4)).astype(dtype),
              (r.standard_normal((3, 2, 3, 3, 2)) / 3).astype(dtype)]
    results = {name: run(outputs, [v, f], values, engine)
               for name, engine in MODES.items()}
    for name in ('python', 'jax'):
        for got, want in zip(results[name], results['c']):
            numpy.testing.assert_allclose(got, want, rtol=tolerance,
                                          atol=tolerance, err_msg=name)
    for name, result in results.items():
        assert [r.dtype for r in result] == [dtype] * 3, name


def test_symbolic_pooling_window_in_c_not_in_jax():
    x, ws = T.tensor4('x'), T.lvector('ws')
    out = pool_2d(x, ws, ignore_border=True)
    X = rng(28).standard_normal((1, 2, 6, 6))
    for engine in (C_MODE, PYTHON):
        got = theano.function([x, ws], out, mode=engine)(X, [3, 2])
        numpy.testing.assert_allclose(
            got, loop_pool(X, (3, 2), True, None, (0, 0), 'max'))
        with pytest.raises(NotImplementedError, match='smaller than the'):
            theano.function([x, ws], pool_2d(x, ws, True, pad=(1, 0)),
                            mode=engine)(X, [1, 1])
    with pytest.raises(NotImplementedError, match='ws, stride and pad '
                                                  'known'):
        theano.function([x, ws], out, mode='JAX')


# ----------------------------------------------------------------------------
# Errors

def test_conv2d_shape_errors_at_build_time():
    x = T.tensor(dtype='float64', shape=(None, 3, None, None))
    w = T.tensor(dtype='float64', shape=(4, 2, 3, 3))
    with pytest.raises(ValueError, match='input has 3 channels.*filters '
                                         'take 2'):
        conv2d(x, w)
    with pytest.raises(ValueError, match='input_shape says that the input '
                                         'has shape'):
        conv2d(x, T.tensor4(), input_shape=(5, 4, 8, 8))
    with pytest.raises(ValueError, match='channels'):
        conv2d(T.tensor4(), T.tensor4(), input_shape=(5, 4, 8, 8),
               filter_shape=(2, 3, 3, 3))
    with pytest.raises(ValueError, match='do not fit'):
        conv2d(T.tensor4(), T.tensor4(), input_shape=(5, 3, 4, 4),
               filter_shape=(2, 3, 5, 5))
    with pytest.raises(TypeError, match='the filters should be a 4-d'):
        conv2d(x, T.matrix())
    with pytest.raises(TypeError, match='float32 or float64'):
        conv2d(T.tensor4(dtype='int32'), T.tensor4(dtype='int32'))
    with pytest.raises(ValueError, match='invalid border_mode'):
        conv2d(x, T.tensor4(), border_mode='same')
    with pytest.raises(ValueError, match='subsample'):
        conv2d(x, T.tensor4(), subsample=(0, 1))
    with pytest.raises(ValueError, match='num_groups should be an int >= 1'):
        conv2d(x, T.tensor4(), num_groups=0)
    with pytest.raises(ValueError, match='not both'):
        conv2d(x, T.tensor4(), input_shape=(1, 3, 5, 5),
               image_shape=(1, 3, 5, 5))


@pytest.mark.parametrize('mode', ['c', 'python'])
def test_conv2d_shape_errors_at_run_time(mode):
    x, w = T.tensor4('x'), T.tensor4('w')
    fn = theano.function([x, w], conv2d(x, w), mode=MODES[mode])
    X, W = conv_problem(images=(1, 3, 6, 6), filters=(2, 2, 3, 3))
    with pytest.raises(ValueError, match=r'input has 3 channels .* filters '
                                         r'take 2'):
        fn(X, W)
    X, W = conv_problem(images=(1, 2, 2, 6), filters=(2, 2, 3, 3))
    with pytest.raises(ValueError, match='do not fit'):
        fn(X, W)


def test_gradient_ops_check_the_output_gradient_shape():
    op = Corr2dGradInputs()
    w, top, shape = T.tensor4(), T.tensor4(), T.lvector()
    for mode in (C_MODE, PYTHON):
        fn = theano.function([w, top, shape], op(w, top, shape), mode=mode)
        with pytest.raises(ValueError, match='output gradient has shape'):
            fn(numpy.ones((2, 3, 3, 3)), numpy.ones((1, 2, 5, 5)), [6, 6])


# ----------------------------------------------------------------------------
# Wiring

def test_theano_names_and_c_sources(tmp_path):
    assert T.nnet.conv2d is conv2d and pool.pool_2d is pool_2d
    from theano_compat.tensor.nnet import conv2d as nnet_conv2d
    assert nnet_conv2d is conv2d
    # the C++ lives in files beside the ops, after the engine's shared
    # loop, and the cache version follows them: an edited copy of a file
    # gives another version
    engine = os.path.dirname(cvm.__file__)
    for op, name in ((Corr2d(), 'corr_gemm.cpp'), (Pool2d(), 'pool.cpp')):
        paths = type(op).source_paths()
        assert paths[0] == os.path.join(engine, 'parallel_for.cpp')
        assert paths[-1].endswith(os.path.join(
            'nnet' if name.startswith('corr') else 'signal', name))
        code = open(paths[-1]).read()
        assert 'namespace' in op.c_support_code()
        copy = tmp_path / name
        copy.write_text(code + '\n// edited\n')
        edited = type('Edited', (type(op),), {
            'source_files': paths[:-1] + (str(copy),)})
        assert edited.source_sections()['code'] == \
            type(op).source_sections()['code'] + '\n// edited\n'
        clone = object.__new__(edited)
        clone.__dict__.update(op.__dict__)
        assert clone.c_code_cache_version() != op.c_code_cache_version()


def test_jax_is_imported_only_for_mode_jax():
    """Building and compiling conv graphs in C does not import JAX (a
    second of start-up); mode JAX then finds the ops' JAX code."""
    code = '\n'.join([
        'import sys, numpy',
        'from theano_compat import theano, T',
        'from theano_compat.tensor.signal import pool',
        'x = T.tensor4("x")',
        'y = pool.pool_2d(T.nnet.conv2d(x, T.ones((1, 1, 2, 2))), (2, 2),',
        '                 ignore_border=True)',
        'theano.function([x], y)',
        'assert "jax" not in sys.modules',
        'f = theano.function([x], y, mode="JAX")',
        'print(float(f(numpy.ones((1, 1, 5, 5))).sum()))',
    ])
    code_dir = os.path.dirname(os.path.dirname(theano_compat.__file__))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([code_dir]
                                                      + sys.path))
    # and when PyTensor's JAX backend was imported first
    jax_first = 'import pytensor.link.jax.dispatch\n' + code.replace(
        'assert "jax" not in sys.modules', '')
    for program in (code, jax_first):
        done = subprocess.run([sys.executable, '-c', program], env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == '16.0'


def test_threaded_loops_match_numpy(monkeypatch):
    """Arrays large enough for the C++ loops to use several threads give
    what NumPy gives (3 threads asked, whatever the machine has)."""
    monkeypatch.setenv('OMP_NUM_THREADS', '3')
    r = rng(14)
    X = r.standard_normal((32, 4, 20, 20))
    W = r.standard_normal((32, 4, 3, 3))
    x, w = T.tensor4('x'), T.tensor4('w')
    conv = conv2d(x, w, border_mode=(1, 2))
    G = r.standard_normal((32, 32, 20, 22))
    outputs = [conv] + T.grad((conv * G).sum(), [x, w])
    for mode in ('max', 'average_exc_pad'):
        for kwargs in (dict(ws=(2, 2), ignore_border=True),
                       dict(ws=(3, 2), stride=(2, 2), ignore_border=False)):
            pooled = pool_2d(conv, mode=mode, **kwargs)
            outputs += [pooled, T.grad((pooled ** 2).sum(), conv)]
    c_results = run(outputs, [x, w], [X, W])
    python_results = run(outputs, [x, w], [X, W], PYTHON)
    for got, want in zip(c_results, python_results):
        numpy.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)
    # many filters of one channel: the filters' gradient has more rows
    # (filters) than columns (taps), and is cut by rows
    X = r.standard_normal((16, 1, 24, 24))
    W = r.standard_normal((160, 1, 3, 3))
    G = r.standard_normal((16, 160, 22, 22))
    gw = T.grad((conv2d(x, w) * G).sum(), w)
    got, = run([gw], [x, w], [X, W])
    want, = run([gw], [x, w], [X, W], PYTHON)
    numpy.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


def test_long_thin_filter_gradient_restores_blas_threads():
    """A first layer's filter gradient (a small result summed over many
    positions) is summed in runs of positions, each a gemm on one OpenBLAS
    thread; it is right, and OpenBLAS gets its thread count back."""
    X, W = conv_problem(images=(8, 1, 40, 40), filters=(2, 1, 3, 3), seed=15)
    G = rng(16).standard_normal((8, 2, 38, 38))
    x, w = T.tensor4('x'), T.tensor4('w')
    gw = T.grad((conv2d(x, w) * G).sum(), w)
    blas = openblas_threads()
    before = blas() if blas else None
    got, = run([gw], [x, w], [X, W])
    if blas:
        assert blas() == before
    # the gradient of sum(G * conv(X, W)) along W: G correlated with X
    expected = numpy.zeros(W.shape)
    for n in range(8):
        for f in range(2):
            expected[f, 0] += scipy.signal.correlate2d(X[n, 0], G[n, f],
                                                       mode='valid')
    numpy.testing.assert_allclose(got, expected[:, :, ::-1, ::-1],
                                  rtol=1e-10)


def openblas_threads():
    """OpenBLAS's thread count getter of the pip wheel, or None."""
    try:
        import ctypes
        import scipy_openblas32
    except ImportError:
        return None
    library = ctypes.CDLL(os.path.join(scipy_openblas32.get_lib_dir(),
                                       scipy_openblas32.get_library(True)))
    return getattr(library, 'scipy_openblas_get_num_threads', None)


# ----------------------------------------------------------------------------
# float32's own products (corr_gemm.cpp's blocked loops) and conv_pool's
# fused convolution and max pooling (tensor/nnet/conv_pool.py)

FLOAT32_CASES = [
    # images, filters, border_mode, subsample, filter_dilation
    ((6, 1, 28, 28), (20, 1, 5, 5), 'valid', (1, 1), (1, 1)),  # LeNet 0
    ((5, 20, 12, 12), (50, 20, 5, 5), 'valid', (1, 1), (1, 1)),  # LeNet 1
    ((3, 3, 11, 13), (7, 3, 3, 4), 'full', (1, 1), (1, 1)),
    ((3, 2, 10, 17), (4, 2, 3, 3), (1, 2), (2, 3), (1, 2)),
]


def conv_and_gradients(dtype, case):
    images, filters, border, subsample, dilation = case
    x, w = T.tensor4('x', dtype=dtype), T.tensor4('w', dtype=dtype)
    conv = conv2d(x, w, border_mode=border, subsample=subsample,
                  filter_dilation=dilation)
    g = T.tensor4('g', dtype=dtype)
    return [x, w, g], [conv] + T.grad((conv * g).sum(), [x, w])


@pytest.mark.parametrize('case', FLOAT32_CASES, ids=lambda c: str(c[1]))
def test_float32_products_match_float64_on_any_threads(case, monkeypatch):
    """float32's convolution and its two gradients (the micro-kernel of
    engine/gemm.cpp by tiles; a filters' gradient of few weights a filter,
    as LeNet's first layer, by lanes) agree with float64's (OpenBLAS on
    unrolled patches) to float32's rounding, and give the same bits on 1
    and 3 threads."""
    r = rng(21)
    X = r.standard_normal(case[0])
    W = r.standard_normal(case[1]) / numpy.sqrt(numpy.prod(case[1][1:]))
    inputs, outputs = conv_and_gradients('float64', case)
    G = r.standard_normal(run(outputs[:1], inputs[:2], [X, W])[0].shape)
    want = run(outputs, inputs, [X, W, G])
    values = [v.astype('float32') for v in (X, W, G)]
    got = {}
    for threads in ('1', '3'):
        monkeypatch.setenv('OMP_NUM_THREADS', threads)
        got[threads] = run(*conv_and_gradients('float32', case)[::-1],
                           values)
    for one, three, expected in zip(got['1'], got['3'], want):
        assert one.dtype == 'float32'
        assert one.tobytes() == three.tobytes()
        scale = abs(expected).max()
        numpy.testing.assert_allclose(one, expected, rtol=1e-4,
                                      atol=1e-5 * scale)


def pooled_layer(dtype, images, filters, ws, convdim=2, also=None):
    """A convolution, its max pooling in windows ws (ignore_border), the
    gradients of a cost of the pooled output; ``also``: another use of
    the convolution's output, or of its gradient, to add to the cost."""
    tensor = T.tensor4 if convdim == 2 else T.tensor5
    x, w = tensor('x', dtype=dtype), tensor('w', dtype=dtype)
    if convdim == 2:
        conv = conv2d(x, w, input_shape=images, filter_shape=filters)
        pooled = pool_2d(conv, ws=ws, ignore_border=True)
    else:
        conv = T.nnet.conv3d(x, w)
        pooled = pool.pool_3d(conv, ws=ws, ignore_border=True)
    cost = (pooled ** 2).sum() + (pooled[:, :, :1] * 3).sum()
    outputs = [pooled]
    if also == 'output':
        cost = cost + conv.sum()
    elif also == 'gradient':
        outputs.append(T.grad(cost, conv))
    return [x, w], outputs + T.grad(cost, [x, w])


def compile_layer(inputs, outputs, monkeypatch, excluding=()):
    monkeypatch.setitem(theano_compat.engine.flags.FLAGS,
                        'optimizer_excluding', excluding)
    return theano.function(inputs, outputs)


def layer_values(images, filters, dtype='float32', seed=22, nan=True):
    """Values with ties (multiples of 1/2 and 1/4), and a NaN."""
    r = rng(seed)
    X = numpy.round(r.uniform(-2, 2, images) * 2) / 2
    W = numpy.round(r.uniform(-1, 1, filters) * 4) / 4
    if nan:
        X.flat[5] = numpy.nan
    return [X.astype(dtype), W.astype(dtype)]


CONV_POOL_CASES = [
    # images, filters, pooling windows, dimensions
    ((4, 1, 28, 28), (20, 1, 5, 5), (2, 2), 2),   # LeNet's layer 0
    ((3, 20, 12, 12), (50, 20, 5, 5), (2, 2), 2),  # layer 1
    ((3, 2, 12, 11), (4, 2, 3, 3), (2, 2), 2),    # 10 x 9: a column left out
    ((3, 2, 11, 13), (7, 2, 3, 2), (2, 3), 2),    # 9 x 12, windows of 6
    ((2, 2, 5, 9, 8), (3, 2, 2, 3, 3), (1, 2, 2), 3),
    ((2, 2, 5, 9, 8), (3, 2, 2, 3, 3), (2, 2, 2), 3),
]


@pytest.mark.parametrize('case', CONV_POOL_CASES,
                         ids=lambda c: '%s-%s' % (c[1], c[2]))
def test_conv_pool_gives_the_plain_graphs_bits(case, monkeypatch):
    """conv_pool puts ConvPool and its gradient ops in place of a float32
    convolution, its max pooling in tiling windows and their gradients;
    the values are the plain graph's (THEANO_FLAGS=optimizer_excluding=
    conv_pool) bit for bit, ties and a NaN included, and NumPy's (the ops'
    perform()) to float32's rounding (where a NaN is not the window's
    maximum in NumPy, as in Pool's perform)."""
    images, filters, ws, convdim = case
    inputs, outputs = pooled_layer('float32', images, filters, ws, convdim)
    fused = compile_layer(inputs, outputs, monkeypatch)
    plain = compile_layer(inputs, outputs, monkeypatch, ('conv_pool',))
    names = ops_in(fused)
    assert ConvPool in names and ConvPool_gradWeights in names
    assert ConvPool_gradInputs in names
    assert not {Pool2d, MaxPoolGrad2d, pool.Pool} & set(names)
    assert ConvPool not in ops_in(plain)
    values = layer_values(images, filters)
    got, want = fused(*values), plain(*values)
    for a, b in zip(got, want):
        assert a.dtype == b.dtype == 'float32'
        assert a.tobytes() == b.tobytes()
    values = layer_values(images, filters, nan=False)
    python = run(outputs, inputs, values, PYTHON)
    for a, b in zip(fused(*values), python):
        numpy.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize('dtype,ws,also,ignore_border,stride', [
    ('float64', (2, 2), None, True, None),      # float64: left alone
    ('float32', (2, 2), 'groups', True, None),  # a grouped convolution
    ('float32', (2, 2), 'output', True, None),  # the output used again
    ('float32', (2, 2), 'gradient', True, None),  # its gradient too
    ('float32', (3, 3), None, True, None),      # 9 positions: too many
    ('float32', (2, 2), None, False, None),     # windows past the border
    ('float32', (2, 2), None, True, (1, 1)),    # overlapping windows
])
def test_conv_pool_leaves_other_graphs_alone(dtype, ws, also, ignore_border,
                                             stride, monkeypatch):
    images, filters = (2, 2, 10, 10), (3, 2, 3, 3)
    x, w = T.tensor4('x', dtype=dtype), T.tensor4('w', dtype=dtype)
    if also == 'groups':
        filters = (4, 1, 3, 3)  # two groups of one channel, two filters
    if ignore_border and stride is None and also != 'groups':
        inputs, outputs = pooled_layer(dtype, images, filters, ws, also=also)
    else:
        inputs = [x, w]
        conv = conv2d(x, w, num_groups=2 if also == 'groups' else 1)
        pooled = pool_2d(conv, ws=ws, ignore_border=ignore_border,
                         stride=stride)
        outputs = [pooled] + T.grad((pooled ** 2).sum(), inputs)
    fused = compile_layer(inputs, outputs, monkeypatch)
    plain = compile_layer(inputs, outputs, monkeypatch, ('conv_pool',))
    assert ConvPool not in ops_in(fused)
    assert ops_in(fused) == ops_in(plain)
    values = layer_values(images, filters, dtype)
    for a, b in zip(fused(*values), plain(*values)):
        assert a.tobytes() == b.tobytes()


def test_conv_pool_windows_of_at_most_8_positions():
    with pytest.raises(ValueError, match=r'at most 8 positions'):
        ConvPool(2, (3, 3))
    with pytest.raises(ValueError, match=r'2 sizes >= 1'):
        ConvPool(2, (2, 2, 2))
    assert 'conv_pool' in cvm.REWRITE_NAMES
