"""Grouped (``num_groups``) and unshared (``unshared=True``) convolutions.

Theano's own values: tests/theano_scripts/conv_groups_values.py, recorded
on Theano 1.0.5 in float64 and float32 (grouped conv2d in every border
mode with strides, dilation and both flips, grouped conv3d, the grouped
gradient functions and conv2d_transpose, unshared conv2d and its
gradient functions, each with its gradients; the errors Theano raised),
runs here through ``python -m theano_compat`` with the C++ code, and must
print the same (1e-12 of each array's largest entry in float64, 2e-6 in
float32; shapes and error classes exactly).  Here, besides: the ops'
NumPy ``perform`` and JAX against the C++ code on grouped convolutions
and their gradients, the ungrouped ops' C++ against their Python
``perform`` left as they were, and the one-line errors.
"""

import numpy
import pytest
from pytensor.compile.mode import Mode

from conftest import assert_prints_like_theano, run_theano_script
from theano_compat import theano, T
from theano_compat.tensor.nnet import abstract_conv, conv2d_transpose

PYTHON = Mode(linker='py')  # the ops' perform()
C = Mode(linker='cvm', optimizer='fast_run')


@pytest.mark.parametrize('floatx', ['float64', 'float32'])
def test_grouped_and_unshared_convolutions_give_theanos_values(
        floatx, theano_slice, theano_record):
    run_name = 'conv_groups_values/' + floatx
    ours = run_theano_script(run_name, theano_slice, theano_record)
    theirs = theano_record['runs'][run_name]['stdout']
    assert_prints_like_theano(ours, theirs, **{
        'float64': dict(rtol=1e-12, atol=1e-13),
        'float32': dict(rtol=2e-6, atol=1e-7)}[floatx])


def grouped_graph():
    """Grouped conv2d and conv3d, the gradient functions and their
    gradients: (inputs, outputs, values)."""
    r = numpy.random.RandomState(3)
    x, w = T.tensor4('x'), T.tensor4('w')
    v, f = T.tensor5('v'), T.tensor5('f')
    outs = [abstract_conv.conv2d(x, w, border_mode='half', subsample=(2, 1),
                                 filter_dilation=(1, 2), num_groups=3),
            abstract_conv.conv3d(v, f, border_mode=(1, 0, 2),
                                 filter_flip=False, num_groups=2),
            conv2d_transpose(x, w, (2, 6, 11, 9), input_dilation=(2, 1),
                             num_groups=3)]
    cost = sum((out * out.sum(axis=1, keepdims=True)).sum() for out in outs)
    outs += T.grad(cost, [x, w, v, f])
    values = [r.uniform(-1, 1, (2, 6, 5, 8)), r.uniform(-1, 1, (6, 2, 3, 2)),
              r.uniform(-1, 1, (1, 4, 3, 4, 5)),
              r.uniform(-1, 1, (4, 2, 2, 3, 2))]
    return [x, w, v, f], outs, values


def test_grouped_c_python_and_jax_agree():
    inputs, outputs, values = grouped_graph()
    want = theano.function(inputs, outputs, mode=C)(*values)
    for mode in (PYTHON, 'JAX'):
        got = theano.function(inputs, outputs, mode=mode)(*values)
        for g, c in zip(got, want):
            assert numpy.asarray(g).shape == c.shape
            numpy.testing.assert_allclose(g, c, rtol=1e-12,
                                          atol=1e-12 * numpy.abs(c).max())


def test_grouped_ops_carry_their_groups_into_the_gradient():
    x, w = T.tensor4('x'), T.tensor4('w')
    out = abstract_conv.conv2d(x, w, num_groups=2)
    fn = theano.function([x, w], T.grad(out.sum(), [x, w]), mode=C)
    ops = [node.op for node in fn.maker.fgraph.toposort()
           if isinstance(node.op, abstract_conv.BaseAbstractConv)]
    assert {'AbstractConv2d_gradInputs', 'AbstractConv2d_gradWeights'} <= {
        type(op).__name__ for op in ops}
    assert all(op.num_groups == 2 and not op.unshared for op in ops)


def test_one_line_errors():
    x, w6 = T.tensor4('x'), T.TensorType('float64', shape=(None,) * 6)('w')
    cases = [
        (ValueError, 'conv2d: num_groups should be an int >= 1, not 0',
         lambda: abstract_conv.conv2d(x, T.tensor4(), num_groups=0)),
        (ValueError, 'conv2d: the input has 6 channels but the filters take '
                     '4 in each of 2 groups', lambda: abstract_conv.conv2d(
                         x, T.tensor4(), input_shape=(None, 6, None, None),
                         filter_shape=(4, 4, 3, 3), num_groups=2)),
        (ValueError, 'conv3d: the input has 5 channels, which 2 groups do '
                     'not share evenly', lambda: abstract_conv.conv3d(
                         T.tensor5(), T.tensor5(),
                         input_shape=(None, 5, None, None, None),
                         num_groups=2)),
        (TypeError, 'conv2d: the filters should be a 6-d tensor',
         lambda: abstract_conv.conv2d(x, T.tensor4(), unshared=True)),
        (NotImplementedError, 'conv3d: unshared (locally connected) '
                              'convolution is 2-D only',
         lambda: abstract_conv.AbstractConv(3, unshared=True)),
    ]
    for error, start, call in cases:
        with pytest.raises(error) as info:
            call()
        assert str(info.value).startswith(start), str(info.value)
        assert '\n' not in str(info.value)
    fn = theano.function([x, w6], abstract_conv.conv2d(x, w6, unshared=True),
                         mode=PYTHON)
    with pytest.raises(ValueError, match=r'unshared filters of shape \(2, 4, '
                       r'4, 3, 3, 3\) have one filter for each of 4 x 4 '
                       r'output positions, but the output is 3 x 2'):
        fn(numpy.ones((1, 3, 5, 4)), numpy.ones((2, 4, 4, 3, 3, 3)))
    with pytest.raises(NotImplementedError, match='mode JAX: unshared '
                       r'\(locally connected\) convolution is not '
                       'implemented') as jax_info:
        theano.function([x, w6], abstract_conv.conv2d(x, w6, unshared=True),
                        mode='JAX')
    assert '\n' not in str(jax_info.value)  # the whole advice, in one line
