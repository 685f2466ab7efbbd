"""The rest of ``abstract_conv`` and ``signal.pool``: the shape helpers,
``assert_shape`` and ``assert_conv_shape`` (and the flag
``conv.assert_shape``), ``border_mode_to_pad``, ``separable_conv2d`` and
``_conv3d``, ``causal_conv1d``, bilinear upsampling,
``max_pool_2d_same_size``, pooling's R operator, ``MaxPoolRop`` and
``PoolingMode_t``.

Theano's own values: tests/theano_scripts/conv_helpers_values.py,
recorded on Theano 1.0.5 in float64 and float32, runs here through
``python -m theano_compat`` with PyTensor's Python code (``cxx=``, as
test_nnet_ops.py's run: the convolutions' C++ is held to the same NumPy
code by test_conv_pool.py) and must print the same (1e-12 of each
array's largest entry in float64, 2e-6 in float32; shapes, texts and
error classes exactly).  Here, besides: MaxPoolRop against a loop
written from its definition and in mode JAX, the R operator of pooling
against PyTensor's two pullbacks, and the one-line errors.
"""

import hashlib
import os
import subprocess
import sys

import numpy
import pytest
from pytensor.compile.mode import Mode

from conftest import (ROOT, assert_prints_like_theano, child_environment,
                      with_pytensor_flags)
from theano_compat import theano, T
from theano_compat.tensor.nnet import abstract_conv
from theano_compat.tensor.signal import pool

PYTHON = Mode(linker='py')  # perform(): no C module to compile
TOLERANCE = {'float64': dict(rtol=1e-12, atol=1e-15),
             'float32': dict(rtol=2e-6, atol=1e-8)}


@pytest.mark.parametrize('floatx', ['float64', 'float32'])
def test_conv_helpers_print_theanos_values(floatx, theano_record):
    entry = theano_record['runs']['conv_helpers_values/' + floatx]
    scripts = os.path.join(ROOT, 'tests', 'theano_scripts')
    for path, key in ((os.path.join(ROOT, entry['script']), 'script_sha256'),
                      (os.path.join(scripts, 'common.py'), 'common_sha256'),
                      (os.path.join(scripts, 'nnet_ops_values.py'),
                       'nnet_ops_values_sha256')):
        with open(path, 'rb') as f:
            assert hashlib.sha256(f.read()).hexdigest() == entry[key], (
                '%s changed since it was recorded' % path)
    run = subprocess.run(
        [sys.executable, '-m', 'theano_compat',
         os.path.join(ROOT, entry['script'])],
        env=child_environment(THEANO_FLAGS='floatX=' + floatx,
                              PYTENSOR_FLAGS=with_pytensor_flags('cxx=')),
        capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert_prints_like_theano(run.stdout, entry['stdout'],
                              **TOLERANCE[floatx])


# ----------------------------------------------------------------------------
# MaxPoolRop and the R operator of pooling

def max_pool_rop_by_loop(x, ev, ws, stride, pad, ignore_border):
    """Each window's ``ev`` at the first maximum of ``x`` in it, the
    windows counted and cut as Theano's pooling does (2-D)."""
    out_shape = pool.Pool.out_shape(x.shape, ws, ignore_border, stride, pad)
    out = numpy.zeros(out_shape, dtype=ev.dtype)
    for index in numpy.ndindex(*out_shape):
        lead, (i, j) = index[:-2], index[-2:]
        bounds = []
        for axis, k in enumerate((i, j)):
            length = x.shape[-2 + axis]
            start = k * stride[axis]
            end = min(start + ws[axis], length + 2 * pad[axis])
            start, end = max(start, pad[axis]), min(end, length + pad[axis])
            bounds.append((start - pad[axis], end - pad[axis]))
        (r0, r1), (c0, c1) = bounds
        window = x[lead][r0:r1, c0:c1]
        r, c = numpy.unravel_index(numpy.argmax(window), window.shape)
        out[index] = ev[lead][r0 + r, c0 + c]
    return out


@pytest.mark.parametrize('mode', ['python', 'JAX'])
def test_max_pool_rop_takes_the_first_maximum(mode):
    r = numpy.random.RandomState(0)
    # small integers: many windows hold their maximum twice
    x_value = r.randint(0, 3, size=(2, 2, 7, 6)).astype('float64')
    ev_value = r.uniform(-1, 1, size=x_value.shape).astype('float32')
    x, ev = T.tensor4('x'), T.tensor4('ev', dtype='float32')
    cases = [((2, 2), (2, 2), (0, 0), True), ((3, 2), (1, 2), (0, 0), False),
             ((3, 3), (2, 1), (1, 2), True)]
    outputs = [pool.MaxPoolRop(ignore_border)(x, ev, ws, stride, pad)
               for ws, stride, pad, ignore_border in cases]
    got = theano.function([x, ev], outputs, mode=PYTHON if mode == 'python'
                          else mode)(x_value, ev_value)
    for out, (ws, stride, pad, ignore_border) in zip(got, cases):
        want = max_pool_rop_by_loop(x_value, ev_value, ws, stride, pad,
                                    ignore_border)
        assert numpy.asarray(out).dtype == numpy.float32
        numpy.testing.assert_array_equal(out, want)


def test_rop_of_pooling_is_theanos_graph_and_value():
    x, v = T.tensor4('x'), T.tensor4('v')
    r = numpy.random.RandomState(1)
    values = [r.uniform(-1, 1, (2, 3, 6, 5)) for _ in range(2)]
    pooled = pool.pool_2d(x, (3, 2), ignore_border=True, stride=(2, 1),
                          pad=(1, 1))
    rop = T.Rop(pooled, x, v)
    ops = {type(node.op).__name__ for node in
           theano.function([x, v], rop,
                           mode=PYTHON).maker.fgraph.toposort()}
    # Theano's R operator of max pooling, not the two pullbacks
    assert 'DownsampleFactorMaxGradGrad' in ops and 'MaxPoolGrad' not in ops
    import pytensor.gradient
    by_pullbacks = pytensor.gradient.pushforward(pooled, x, v)
    got, want = theano.function([x, v], [rop, by_pullbacks],
                                mode=PYTHON)(*values)
    numpy.testing.assert_allclose(got, want, rtol=0, atol=1e-15)
    # the other modes: the pooling of the tangent
    summed = T.Rop(pool.pool_2d(x, (2, 2), ignore_border=False, mode='sum'),
                   x, v)
    got, want = theano.function([x, v], [summed, pool.pool_2d(
        v, (2, 2), ignore_border=False, mode='sum')],
        on_unused_input='ignore', mode=PYTHON)(*values)
    numpy.testing.assert_array_equal(got, want)


# ----------------------------------------------------------------------------
# errors: one line each

def test_helpers_refuse_bad_arguments_in_one_line():
    x4, w4, p4 = T.tensor4('x'), T.tensor4('w'), T.tensor4('p')
    cases = [
        (ValueError, 'separable_conv2d: the input has 3 channels, which 2 '
                     'groups', lambda: abstract_conv.separable_conv2d(
                         x4, w4, p4, 2, input_shape=(2, 3, 5, 5))),
        (ValueError, 'separable_conv2d: 5 filters do not make 2 groups',
         lambda: abstract_conv.separable_conv2d(
             x4, w4, p4, 2, depthwise_filter_shape=(5, 1, 2, 2))),
        (TypeError, "causal_conv1d: the filters' length", lambda:
         abstract_conv.causal_conv1d(T.tensor3(), T.tensor3(),
                                     (2, 3, T.iscalar()))),
        (ValueError, 'bilinear_upsampling: give ratio or frac_ratio, not '
                     'both', lambda: abstract_conv.bilinear_upsampling(
                         x4, 2, (3, 2))),
        (ValueError, "border_mode_to_pad: invalid border mode 'same'",
         lambda: abstract_conv.border_mode_to_pad('same', 2, (3, 3))),
        (ValueError, "MaxPoolRop: mode should be 'max'",
         lambda: pool.MaxPoolRop(mode='sum')),
    ]
    for error, start, call in cases:
        with pytest.raises(error) as info:
            call()
        assert str(info.value).startswith(start), str(info.value)
        assert '\n' not in str(info.value)


def test_grouped_channels_are_checked_when_run():
    x, dw, pw = T.tensor4('x'), T.tensor4('dw'), T.tensor4('pw')
    f = theano.function([x, dw, pw], abstract_conv.separable_conv2d(
        x, dw, pw, 2), mode=PYTHON)
    ones = numpy.ones
    assert f(ones((1, 2, 4, 4)), ones((4, 1, 2, 2)),
             ones((3, 4, 1, 1))).shape == (1, 3, 3, 3)
    with pytest.raises(ValueError, match=r'conv2d: the input has 3 channels '
                       r'\(.*\) but the filters take 1 in each of 2 groups'):
        f(ones((1, 3, 4, 4)), ones((4, 1, 2, 2)), ones((3, 4, 1, 1)))


def test_grouped_and_upsampling_graphs_compile_in_jax():
    """Mode JAX (``device=cuda``) compiles them where the sizes are known
    when the graph is built (the channels and filters of the groups, by
    shape hints or shared variables; the maps' sizes, by a static shape);
    against the Python run."""
    r = numpy.random.RandomState(2)
    x, x3 = T.tensor4('x'), T.tensor3('x3')
    maps = T.TensorType('float64', shape=(2, 3, 4, 5))('maps')
    depthwise = theano.shared(r.uniform(-1, 1, (6, 1, 3, 2)))
    pointwise = theano.shared(r.uniform(-1, 1, (5, 6, 1, 1)))
    causal = theano.shared(r.uniform(-1, 1, (6, 2, 3)))
    outputs = [abstract_conv.separable_conv2d(
                   x, depthwise, pointwise, 3, border_mode='half',
                   depthwise_filter_shape=(6, 1, 3, 2)),
               abstract_conv.causal_conv1d(x3, causal, (6, 2, 3),
                                           input_shape=(None, 4, None),
                                           filter_dilation=2, num_groups=2),
               abstract_conv.bilinear_upsampling(maps, 2),
               abstract_conv.bilinear_upsampling(
                   maps, frac_ratio=(3, 2), use_1D_kernel=False)]
    cost = sum((out ** 2).sum() for out in outputs)
    outputs += T.grad(cost, [x, x3, maps, depthwise, causal])
    values = [r.uniform(-1, 1, (2, 3, 7, 6)), r.uniform(-1, 1, (2, 4, 10)),
              r.uniform(-1, 1, (2, 3, 4, 5))]
    inputs = [x, x3, maps]
    want = theano.function(inputs, outputs, mode=PYTHON)(*values)
    got = theano.function(inputs, outputs, mode='JAX')(*values)
    for g, w in zip(got, want):
        assert numpy.asarray(g).shape == w.shape
        numpy.testing.assert_allclose(g, w, rtol=1e-12,
                                      atol=1e-12 * numpy.abs(w).max())
