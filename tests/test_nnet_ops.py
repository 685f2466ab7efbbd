"""The operations of theano.tensor.nnet beyond conv2d and pool_2d:
batch normalization (``nnet.bn``), ``images2neibs`` (``nnet.neighbours``),
top-k (``tensor.sort``), the crossentropy-softmax family, ``h_softmax``,
the activations (``nnet.nnet``) and the old conv2d signatures
(``nnet.conv``, ``signal.conv``).

Theano's own values: tests/theano_scripts/nnet_ops_values.py, recorded
on Theano 1.0.5 in float64 and float32, runs here through ``python -m
theano_compat`` and must print the same (1e-12 of each array's largest
entry in float64, 2e-6 in float32, integers exactly).  That run uses
PyTensor's Python implementations (``cxx=``): the graphs and rewrites
are what a user gets, only no C module is compiled, which would take
minutes for the script's few hundred operations; the C code of the ops
of this package is compiled here, on fewer cases, and held to the
Python run.  What the record cannot hold is computed another way here:
top-k against NumPy's sort (Theano's CPU top-k fails on NumPy 1.23 for
other ``kth`` than 1 or the axis's length), the gradients that Theano
did not have against finite differences or against the transpose
identity, images2neibs against a loop written from its definition.
"""

import subprocess
import sys
import warnings

import numpy
import pytest
from pytensor.compile.mode import Mode
from pytensor.gradient import verify_grad

from conftest import (ROOT, assert_prints_like_theano, child_environment,
                      with_pytensor_flags)
from theano_compat import theano, T
from theano_compat.compile.function_module import resolve_mode
from theano_compat.tensor.nnet import bn, neighbours, nnet
from theano_compat.tensor.nnet import conv as nnet_conv
from theano_compat.tensor.signal import conv as signal_conv
from theano_compat.tensor.sort import argtopk, topk, topk_and_argtopk

C_MODE = resolve_mode(None)                 # theano.function's default
PYTHON = Mode(linker='py')                  # perform(), FAST_RUN rewrites
# the same without fusing elementwise operations: PyTensor's Python code
# for a fused loop lost 3e-8 on one of the gradients below (C, JAX and
# the unfused operations agree with the gradient worked out by hand)
PYTHON_UNFUSED = PYTHON.excluding('fusion')
TOLERANCE = {'float64': dict(rtol=1e-12, atol=1e-15),
             'float32': dict(rtol=2e-6, atol=1e-8)}


def rng(seed=0):
    return numpy.random.default_rng(seed)


# ----------------------------------------------------------------------------
# Theano's values

@pytest.mark.parametrize('floatx', ['float64', 'float32'])
def test_nnet_ops_print_theanos_values(floatx, theano_record):
    import hashlib
    import os
    name = 'nnet_ops_values/' + floatx
    entry = theano_record['runs'][name]
    script = os.path.join(ROOT, entry['script'])
    with open(script, 'rb') as f:
        assert hashlib.sha256(f.read()).hexdigest() == \
            entry['script_sha256'], '%s changed since it was recorded' % name
    run = subprocess.run(
        [sys.executable, '-m', 'theano_compat', script],
        env=child_environment(THEANO_FLAGS='floatX=' + floatx,
                              PYTENSOR_FLAGS=with_pytensor_flags('cxx=')),
        capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert_prints_like_theano(run.stdout, entry['stdout'],
                              **TOLERANCE[floatx])


# ----------------------------------------------------------------------------
# the C backend and JAX against the Python run

def _graphs():
    """Inputs, their values and a few outputs (with gradients) of the
    package's graph functions, for comparing back ends."""
    r = rng(1)
    x4 = T.tensor4('x4')
    gamma, beta = T.vector('gamma'), T.vector('beta')
    x = T.matrix('x')
    b = T.vector('b')
    y = T.ivector('y')
    out, mean, invstd = bn.batch_normalization_train(x4, gamma, beta,
                                                     'spatial')
    nll, sm, am = nnet.crossentropy_softmax_argmax_1hot_with_bias(x, b, y)
    weights = r.uniform(-1, 1, (3, 4, 2, 5))
    cost = ((out * weights).sum() + nll.sum() + (sm ** 2).sum()
            + (nnet.softsign(x) * 3).sum()
            + nnet.sigmoid_binary_crossentropy(x, sm).sum())
    outputs = [out, mean, invstd, nll, sm, am, topk(x, 2)] + T.grad(
        cost, [x4, gamma, beta, x, b])
    values = [r.uniform(-2, 2, (3, 4, 2, 5)), r.uniform(.5, 1.5, 4),
              r.uniform(-1, 1, 4), r.uniform(-3, 3, (6, 5)),
              r.uniform(-1, 1, 5), numpy.array([0, 4, 2, 2, 1, 3], 'int32')]
    return [x4, gamma, beta, x, b, y], values, outputs


@pytest.mark.parametrize('mode', ['c', 'jax'])
def test_back_ends_agree_with_the_python_run(mode):
    inputs, values, outputs = _graphs()
    want = theano.function(inputs, outputs, mode=PYTHON_UNFUSED)(*values)
    got = theano.function(inputs, outputs,
                          mode={'c': C_MODE, 'jax': 'JAX'}[mode])(*values)
    for g, w in zip(got, want):
        g = numpy.asarray(g)
        assert g.dtype == w.dtype and g.shape == w.shape
        numpy.testing.assert_allclose(
            g, w, rtol=1e-12, atol=1e-12 * numpy.abs(w).max(initial=1))


# ----------------------------------------------------------------------------
# batch normalization: what Theano could not differentiate

def test_batch_normalization_gradients_of_every_output():
    """Theano passed no gradient back from mean, invstd and the running
    averages, and could not take the gradient of a gradient; here both
    are the derivatives of the graph, checked by finite differences."""
    r = numpy.random.RandomState(3)
    g_out = r.uniform(-1, 1, (3, 4, 2, 5))
    h = r.uniform(-1, 1, (3, 4, 2, 5))

    def cost(x, gamma, beta, running_mean, running_var):
        # every output of the training function
        out, mean, invstd, new_mean, new_var = bn.batch_normalization_train(
            x, gamma, beta, 'spatial', running_mean=running_mean,
            running_var=running_var, running_average_factor=0.3)
        total = ((out * g_out).sum() + (mean ** 2).sum()
                 + (invstd * numpy.arange(4)).sum()
                 + (new_mean * new_var).sum())
        # and a gradient's
        out, _, _ = bn.batch_normalization_train(x, gamma, beta, (0, 2, 3))
        gx, ggamma = T.grad((out * g_out).sum(), [x, gamma])
        return total + (gx * h).sum() + (ggamma ** 2).sum()

    x, gamma, beta = (r.uniform(-1, 1, (3, 4, 2, 5)), r.uniform(.5, 1.5, 4),
                      r.uniform(-1, 1, 4))
    verify_grad(cost, [x, gamma, beta, r.uniform(-1, 1, 4),
                       r.uniform(.5, 1.5, 4)], rng=r, mode=PYTHON)


def test_batch_normalization_arguments_fail_in_one_line():
    x, g = T.matrix(), T.vector()
    for call, error, message in [
            (lambda: bn.batch_normalization(x, g, g, g, g, mode='mid_mem'),
             ValueError, 'mode must be either "low_mem", "high_mem"'),
            (lambda: bn.batch_normalization_train(x, g, g, axes='rows'),
             ValueError, 'invalid axes: rows'),
            (lambda: bn.batch_normalization_train(x, g, g, axes=(0, 2)),
             ValueError, r'axes should be less than ndim \(<2\)'),
            (lambda: bn.batch_normalization_train(x, g, g, epsilon=1e-6),
             ValueError, 'epsilon must be at least 1e-5'),
            (lambda: bn.batch_normalization_train(x, g, g,
                                                  running_mean=g),
             ValueError, 'running_mean and running_var must either both'),
            (lambda: bn.batch_normalization_test(x, g, g, g, T.matrix()),
             ValueError, 'var must have the rank of the inputs')]:
        with pytest.raises(error, match=message):
            call()


# ----------------------------------------------------------------------------
# top-k against NumPy

def numpy_topk(a, k, axis):
    """The top ``k`` of ``a`` along ``axis``, by NumPy: ``(values,
    indices)``, largest first (``k > 0``) or smallest first."""
    order = numpy.argsort(-a if k > 0 else a, axis=axis, kind='stable')
    order = numpy.take(order, numpy.arange(abs(k)), axis=axis)
    return numpy.take_along_axis(a, order, axis=axis), order


def test_topk_takes_the_largest_or_smallest_in_order():
    values = rng(2).permutation(48).reshape(6, 8) / 4.
    x, kth = T.matrix('x'), T.lscalar('kth')
    fixed = [(3, 1), (-2, 0), (5, -1), (-8, 1), (1, None)]
    outputs = []
    for k, axis in fixed:
        outputs += topk_and_argtopk(x, k, axis=axis, idx_dtype='int32')
    outputs += [topk(x, kth, axis=0), argtopk(x, kth, axis=0)]
    weights = numpy.arange(1., 4.)
    outputs.append(T.grad((topk(x, 3, axis=1) * weights).sum(), x))
    results = theano.function([x, kth], outputs)(values, -4)
    for n, (k, axis) in enumerate(fixed):
        a = values.ravel() if axis is None else values
        want_values, want_indices = numpy_topk(a, k, 0 if axis is None
                                               else axis)
        assert results[2 * n + 1].dtype == 'int32'
        numpy.testing.assert_array_equal(results[2 * n], want_values)
        numpy.testing.assert_array_equal(results[2 * n + 1], want_indices)
    want_values, want_indices = numpy_topk(values, -4, 0)
    numpy.testing.assert_array_equal(results[-3], want_values)
    numpy.testing.assert_array_equal(results[-2], want_indices)
    assert results[-2].dtype == 'int64'
    # the gradient: each weight at the position its entry came from
    expected = numpy.zeros_like(values)
    numpy.put_along_axis(expected, numpy_topk(values, 3, 1)[1],
                         weights[None, :], axis=1)
    numpy.testing.assert_array_equal(results[-1], expected)


def test_topk_of_equal_entries():
    """Among equal entries the first along the axis comes first, and is
    the one kept when only some of them fit (as jax.lax.top_k)."""
    x = T.vector('x')
    outputs = [argtopk(x, 2), argtopk(x, -2), argtopk(x, 3), argtopk(x, -3)]
    for mode in (PYTHON, 'JAX'):
        found = theano.function([x], outputs, mode=mode)(
            numpy.array([1., 5., 0., 5., 0., 1.]))
        for got, want in zip(found, [[1, 3], [2, 4], [1, 3, 0], [2, 4, 0]]):
            numpy.testing.assert_array_equal(got, want)


def test_topk_refuses_kth_zero_or_longer_than_the_axis():
    x = T.matrix('x')
    with pytest.raises(ValueError, match='kth cannot be zero'):
        topk(x, 0)
    with pytest.raises(TypeError, match='idx_dtype'):
        argtopk(x, 1, idx_dtype='float32')
    fn = theano.function([x], topk(x, 3), mode=PYTHON)
    with pytest.raises(ValueError, match=r'kth \(3\) cannot be larger than '
                                         r'the size of axis 1 \(2\)'):
        fn(numpy.ones((2, 2)))


# ----------------------------------------------------------------------------
# images2neibs against a loop

def loop_neibs(images, shape, step, mode):
    """images2neibs by its definition, one pixel at a time."""
    c, d = shape
    sr, sc = step
    n, s, h, w = images.shape
    offset = {'valid': (0, 0), 'ignore_borders': (0, 0),
              'half': (c // 2, d // 2), 'full': (c - 1, d - 1),
              'wrap_centered': (c // 2, d // 2)}[mode]
    if mode == 'wrap_centered':
        grid = (-(-h // sr), -(-w // sc))
    else:
        grid = ((h + 2 * offset[0] - c) // sr + 1,
                (w + 2 * offset[1] - d) // sc + 1)
    rows = []
    for plane in images.reshape(n * s, h, w):
        for a in range(grid[0]):
            for b in range(grid[1]):
                row = []
                for i in range(c):
                    for j in range(d):
                        y, z = a * sr + i - offset[0], b * sc + j - offset[1]
                        if mode == 'wrap_centered':
                            y, z = y % h, z % w
                        inside = 0 <= y < h and 0 <= z < w
                        row.append(plane[y, z] if inside else 0.)
                rows.append(row)
    return numpy.array(rows)


# (neib_shape, neib_step, mode) on images of 7 x 8
NEIB_CASES = [((2, 3), (5, 5), 'valid'), ((3, 3), (2, 5), 'valid'),
              ((2, 2), None, 'ignore_borders'),
              ((3, 2), (2, 3), 'ignore_borders'), ((3, 3), (1, 1), 'half'),
              ((2, 4), (1, 2), 'half'), ((3, 2), (2, 1), 'full'),
              ((3, 3), (1, 1), 'wrap_centered'),
              ((5, 3), (2, 2), 'wrap_centered')]


@pytest.mark.parametrize('mode', ['c', 'python', 'jax'])
def test_images2neibs_and_its_gradient(mode):
    """Every mode against the loop; the gradient (Theano had it for
    'valid' and 'ignore_borders' only) as the transpose:
    <images2neibs(x), g> = <x, gradient(g)>."""
    r = rng(4)
    images = r.uniform(-1, 1, (2, 2, 7, 8))
    x = T.tensor4('x')
    outputs, gradients = [], []
    for shape, step, how in NEIB_CASES:
        patches = neighbours.images2neibs(x, shape, step, mode=how)
        weights = T.constant(r.uniform(-1, 1, (1, shape[0] * shape[1])))
        outputs.append(patches)
        gradients.append(T.grad((patches * weights).sum(), x))
        outputs.append(weights)
    fn = theano.function([x], outputs + gradients,
                         mode={'c': C_MODE, 'python': PYTHON,
                               'jax': 'JAX'}[mode])
    results = [numpy.asarray(v) for v in fn(images)]
    for n, (shape, step, how) in enumerate(NEIB_CASES):
        patches, weights = results[2 * n], results[2 * n + 1]
        grad = results[2 * len(NEIB_CASES) + n]
        expected = loop_neibs(images, shape, step or shape, how)
        numpy.testing.assert_array_equal(patches, expected)
        # the gradient of sum(patches * weights) is the transpose applied
        # to weights broadcast over the rows
        other = r.uniform(-1, 1, images.shape)
        numpy.testing.assert_allclose(
            (grad * other).sum(),
            (loop_neibs(other, shape, step or shape, how) * weights).sum(),
            rtol=1e-12)


def test_images2neibs_threads_cut_as_numpy():
    """On inputs large enough for several threads, the C++ code and the
    NumPy code agree to the bit (copies, and sums in the same order)."""
    x = T.tensor4('x')
    outputs = []
    for shape, step, how in [((4, 4), (3, 2), 'valid'),
                             ((3, 5), (2, 3), 'wrap_centered')]:
        patches = neighbours.images2neibs(x, shape, step, mode=how)
        outputs += [patches, T.grad((patches ** 2).sum(), x)]
    images = rng(6).uniform(-1, 1, (8, 16, 31, 32))
    got = theano.function([x], outputs, mode=C_MODE)(images)
    want = theano.function([x], outputs, mode=PYTHON)(images)
    for g, w in zip(got, want):
        numpy.testing.assert_array_equal(g, w)


def test_neibs2images_inverts_images2neibs():
    x = T.tensor4('x')
    images = rng(5).uniform(-1, 1, (2, 3, 6, 7))
    valid = neighbours.neibs2images(
        neighbours.images2neibs(x, (3, 7)), (3, 7), x.shape)
    ignore = neighbours.neibs2images(
        neighbours.images2neibs(x, (4, 3), mode='ignore_borders'), (4, 3),
        x.shape, mode='ignore_borders')
    back, cut = theano.function([x], [valid, ignore], mode=PYTHON)(images)
    numpy.testing.assert_array_equal(back, images)
    numpy.testing.assert_array_equal(cut[:, :, :4, :6], images[:, :, :4, :6])
    assert not cut[:, :, 4:].any() and not cut[:, :, :, 6:].any()


def test_images2neibs_refuses_what_theano_refused():
    x = T.tensor4('x')
    with pytest.raises(NotImplementedError, match='Only modes valid'):
        neighbours.images2neibs(x, (2, 2), mode='same')
    with pytest.raises(NotImplementedError,
                       match='neibs2images do not support mode=half'):
        neighbours.neibs2images(T.matrix(), (2, 2), (1, 1, 4, 4), 'half')
    for mode, message in [
            ('valid', r'neib_shape\[0\]=2, neib_step\[0\]=2 and '
                      r'ten4.shape\[2\]=5 not consistent'),
            ('wrap_centered', 'in mode wrap_centered need patch with odd '
                              'shapes')]:
        fn = theano.function([x], neighbours.images2neibs(x, (2, 2),
                                                          mode=mode),
                             mode=PYTHON)
        with pytest.raises(TypeError, match=message):
            fn(numpy.zeros((1, 1, 5, 4)))


# ----------------------------------------------------------------------------
# the old conv2d signatures

def test_old_conv2d_signatures_warn_and_check_as_theano():
    x, w = T.tensor4('x'), T.tensor4('w')
    with pytest.warns(UserWarning, match='theano.tensor.nnet.conv.conv2d is '
                                         'deprecated'):
        out = nnet_conv.conv2d(x, w, image_shape=(2, 3, 6, 5),
                               unroll_kern=4, openmp=False)
    assert out.ndim == 4
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        with pytest.raises(ValueError, match="border_mode should be 'valid' "
                                             "or 'full', not 'half'"):
            nnet_conv.conv2d(x, w, border_mode='half')
    assert signal_conv.conv2d(T.matrix(), T.tensor3()).ndim == 3
    assert signal_conv.conv2d(T.tensor3(), T.tensor3()).ndim == 4
    with pytest.raises(ValueError, match='should have 2 or 3 dimensions'):
        signal_conv.conv2d(x, w)
