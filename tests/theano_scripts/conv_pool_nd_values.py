"""Exact outputs and gradients of conv3d, pool_3d, the gradient functions
of abstract_conv and conv2d_transpose on fixed inputs, in floatX.

Usage: python conv_pool_nd_values.py [SLICE.npz]   (the slice is not read)

All inputs come from numpy.random.RandomState(7), cast to floatX:

* volumes V (1, 2, 4, 5, 4) (batch, channels, depth, rows, columns) and
  filters F (3, 2, 2, 3, 2) for ``conv3d`` with several border modes, a
  subsample, no filter flip and a dilation, with the gradients of
  ``sum(conv3d * G)`` and, for some, the second derivatives (the
  gradient of ``sum(gx ** 2) + sum(gw ** 2)``);
* images X (2, 2, 6, 5) and filters W (3, 2, 3, 2) for
  ``conv2d_grad_wrt_inputs`` and ``conv2d_grad_wrt_weights`` (each with
  its own gradients), ``conv2d_transpose``, and the 3-D gradient
  functions on V and F;
* volumes P (1, 2, 4, 5, 6) for ``pool_3d`` in each mode, with and
  without ``ignore_border``, a stride unlike the window and a pad, with
  the gradients, and the second derivative of max pooling in 3-D and 2-D.

Each array is one JSON line: name, dtype, shape and every value (a
Python float, exact).
"""

import json

import numpy

import theano
import theano.tensor as T
from theano.tensor.nnet import abstract_conv, conv2d_transpose, conv3d
from theano.tensor.signal import pool

FLOATX = theano.config.floatX
VOLUME_SHAPE = (1, 2, 4, 5, 4)
FILTER3_SHAPE = (3, 2, 2, 3, 2)
IMAGE_SHAPE = (2, 2, 6, 5)
FILTER2_SHAPE = (3, 2, 3, 2)
POOL_SHAPE = (1, 2, 4, 5, 6)


def show_array(name, array):
    """Print one JSON line with an array's dtype, shape and values."""
    array = numpy.asarray(array)
    print(json.dumps({'name': name, 'dtype': str(array.dtype),
                      'shape': list(array.shape),
                      'values': [float(v) for v in array.ravel()]}))


def tensor(ndim, name):
    return T.TensorType(FLOATX, (False,) * ndim)(name)


def uniform(rng, shape):
    return rng.uniform(-1, 1, size=shape).astype(FLOATX)


def check_conv3d(name, v_value, f_value, rng, second, **kwargs):
    """conv3d, the gradients of sum(conv3d * G) and, if ``second``, the
    gradients of sum(gx ** 2) + sum(gw ** 2) with respect to V and F."""
    v, f, g = tensor(5, 'v'), tensor(5, 'f'), tensor(5, 'g')
    out = conv3d(v, f, input_shape=VOLUME_SHAPE, filter_shape=FILTER3_SHAPE,
                 **kwargs)
    out_value = theano.function([v, f], out)(v_value, f_value)
    show_array(name, out_value)
    g_value = uniform(rng, out_value.shape)
    gv, gf = T.grad((out * g).sum(), [v, f])
    values = theano.function([v, f, g], [gv, gf])(v_value, f_value, g_value)
    show_array(name + '_grad_input', values[0])
    show_array(name + '_grad_filters', values[1])
    if second:
        cost = (gv ** 2).sum() + (gf ** 2).sum()
        values = theano.function([v, f, g], T.grad(cost, [v, f]))(
            v_value, f_value, g_value)
        show_array(name + '_second_input', values[0])
        show_array(name + '_second_filters', values[1])


def check_linear(name, build, inputs, values, rng):
    """An output of ``build(*inputs)``, and the gradients of sum(out * H)
    with respect to each input."""
    out = build(*inputs)
    out_value = theano.function(inputs, out)(*values)
    show_array(name, out_value)
    h = tensor(out_value.ndim, 'h')
    grads = T.grad((out * h).sum(), inputs)
    grad_values = theano.function(inputs + [h], grads)(
        *(values + [uniform(rng, out_value.shape)]))
    for i, value in enumerate(grad_values):
        show_array('%s_grad_%d' % (name, i), value)


def check_pool(name, p_value, rng, pool_fn, with_grad=True,
               second=False, **kwargs):
    """pool(p), the gradient of sum(pool(p) * G) and, if ``second``, the
    gradient of sum(that gradient * H) with respect to G (the second
    derivative of max pooling)."""
    p = tensor(p_value.ndim, 'p')
    out = pool_fn(p, **kwargs)
    out_value = theano.function([p], out)(p_value)
    show_array(name, out_value)
    if not with_grad:
        return
    g = tensor(p_value.ndim, 'g')
    g_value = uniform(rng, out_value.shape)
    grad = T.grad((out * g).sum(), p)
    show_array(name + '_grad',
               theano.function([p, g], grad)(p_value, g_value))
    if second:
        h = tensor(p_value.ndim, 'h')
        grad_grad = T.grad((grad * h).sum(), g)
        show_array(name + '_grad_grad', theano.function([p, g, h], grad_grad)(
            p_value, g_value, uniform(rng, p_value.shape)))


def main():
    rng = numpy.random.RandomState(7)
    show_array('floatx_check', numpy.zeros(1, dtype=FLOATX))

    # conv3d
    v_value = uniform(rng, VOLUME_SHAPE)
    f_value = uniform(rng, FILTER3_SHAPE)
    show_array('conv3d_input', v_value)
    show_array('conv3d_filters', f_value)
    conv3d_cases = [
        ('conv3d_valid', True, dict(border_mode='valid')),
        ('conv3d_full', False, dict(border_mode='full')),
        ('conv3d_half', True, dict(border_mode='half')),
        ('conv3d_pad_1', False, dict(border_mode=1)),
        ('conv3d_pad_1_0_2', True, dict(border_mode=(1, 0, 2))),
        ('conv3d_valid_subsample_2_1_2', True,
         dict(border_mode='valid', subsample=(2, 1, 2))),
        ('conv3d_half_subsample_1_2_1', False,
         dict(border_mode='half', subsample=(1, 2, 1))),
        ('conv3d_valid_no_flip', False,
         dict(border_mode='valid', filter_flip=False)),
        ('conv3d_full_no_flip_subsample_2_2_1', False,
         dict(border_mode='full', filter_flip=False, subsample=(2, 2, 1))),
        ('conv3d_valid_dilation_2_1_2', True,
         dict(border_mode='valid', filter_dilation=(2, 1, 2))),
    ]
    for name, second, kwargs in conv3d_cases:
        check_conv3d(name, v_value, f_value, rng, second, **kwargs)

    # the gradient functions and the transposed convolution, 2-D
    x_value = uniform(rng, IMAGE_SHAPE)
    w_value = uniform(rng, FILTER2_SHAPE)
    show_array('conv2d_input', x_value)
    show_array('conv2d_filters', w_value)
    x, w = tensor(4, 'x'), tensor(4, 'w')
    conv2d_cases = [
        ('valid', dict(border_mode='valid')),
        ('full', dict(border_mode='full')),
        ('half_subsample_2_2', dict(border_mode='half', subsample=(2, 2))),
        ('pad_1_2_no_flip', dict(border_mode=(1, 2), filter_flip=False)),
        ('valid_subsample_2_3_dilation_1_2',
         dict(border_mode='valid', subsample=(2, 3), filter_dilation=(1, 2))),
    ]
    for case, kwargs in conv2d_cases:
        top_shape = theano.function([x, w], T.nnet.conv2d(x, w, **kwargs))(
            x_value, w_value).shape
        g_value = uniform(rng, top_shape)
        g = tensor(4, 'g')
        check_linear(
            'conv2d_grad_wrt_inputs_' + case,
            lambda g, w: abstract_conv.conv2d_grad_wrt_inputs(
                g, w, input_shape=IMAGE_SHAPE, filter_shape=FILTER2_SHAPE,
                **kwargs),
            [g, w], [g_value, w_value], rng)
        check_linear(
            'conv2d_grad_wrt_weights_' + case,
            lambda x, g: abstract_conv.conv2d_grad_wrt_weights(
                x, g, filter_shape=FILTER2_SHAPE, input_shape=IMAGE_SHAPE,
                **kwargs),
            [x, g], [x_value, g_value], rng)
    # conv2d_transpose: filters (in_channels, out_channels, rows, cols)
    t_value = uniform(rng, (2, 3, 3, 4))
    transpose_cases = [
        ('valid', (2, 2, 5, 5), dict()),
        ('dilation_2_2', (2, 2, 7, 8), dict(input_dilation=(2, 2))),
        ('half_dilation_2_1_no_flip', (2, 2, 6, 3),
         dict(border_mode='half', input_dilation=(2, 1), filter_flip=False)),
        ('full', (2, 2, 1, 3), dict(border_mode='full')),
    ]
    for case, output_shape, kwargs in transpose_cases:
        t = tensor(4, 't')
        check_linear(
            'conv2d_transpose_' + case,
            lambda t, w: conv2d_transpose(t, w, output_shape, **kwargs),
            [t, w], [t_value, w_value], rng)

    # the gradient functions, 3-D
    v, f = tensor(5, 'v'), tensor(5, 'f')
    for case, kwargs in [('valid', dict(border_mode='valid')),
                         ('pad_1_0_1_subsample_2_1_1',
                          dict(border_mode=(1, 0, 1), subsample=(2, 1, 1)))]:
        top_shape = theano.function([v, f], conv3d(v, f, **kwargs))(
            v_value, f_value).shape
        g_value = uniform(rng, top_shape)
        g = tensor(5, 'g')
        check_linear(
            'conv3d_grad_wrt_inputs_' + case,
            lambda g, f: abstract_conv.conv3d_grad_wrt_inputs(
                g, f, input_shape=VOLUME_SHAPE, **kwargs),
            [g, f], [g_value, f_value], rng)
        check_linear(
            'conv3d_grad_wrt_weights_' + case,
            lambda v, g: abstract_conv.conv3d_grad_wrt_weights(
                v, g, filter_shape=FILTER3_SHAPE, **kwargs),
            [v, g], [v_value, g_value], rng)

    # pool_3d
    p_value = uniform(rng, POOL_SHAPE)
    show_array('pool_input', p_value)
    pool_cases = [
        ('ws_2_2_2_ignore', dict(ws=(2, 2, 2), ignore_border=True)),
        ('ws_2_2_2_keep', dict(ws=(2, 2, 2), ignore_border=False)),
        ('ws_3_2_2_stride_2_1_2_ignore',
         dict(ws=(3, 2, 2), stride=(2, 1, 2), ignore_border=True)),
        ('ws_3_2_2_stride_2_1_2_keep',
         dict(ws=(3, 2, 2), stride=(2, 1, 2), ignore_border=False)),
        ('ws_2_3_2_stride_3_2_3_keep',
         dict(ws=(2, 3, 2), stride=(3, 2, 3), ignore_border=False)),
        ('ws_3_3_2_pad_1_1_1_ignore',
         dict(ws=(3, 3, 2), pad=(1, 1, 1), ignore_border=True)),
        ('ws_3_3_3_stride_2_2_2_pad_1_2_1_ignore',
         dict(ws=(3, 3, 3), stride=(2, 2, 2), pad=(1, 2, 1),
              ignore_border=True)),
    ]
    for mode in ('max', 'sum', 'average_inc_pad', 'average_exc_pad'):
        for name, kwargs in pool_cases:
            # Theano 1.0.5 has no gradient for average_exc_pad with a pad
            # (its AveragePoolGrad raises "padding must be zero")
            with_grad = not (mode == 'average_exc_pad' and 'pad' in kwargs)
            check_pool('pool3d_%s_%s' % (mode, name), p_value, rng,
                       pool.pool_3d, with_grad=with_grad, mode=mode,
                       second=mode == 'max', **kwargs)
    # pool_3d pools the last three axes of an input of any rank >= 3
    check_pool('pool3d_max_4d_input_ws_2_2_3_keep', p_value[0], rng,
               pool.pool_3d, mode='max', ws=(2, 2, 3), ignore_border=False)
    # max pooling's second derivative in 2-D too
    check_pool('pool2d_max_ws_3_2_stride_2_1_keep', p_value[0], rng,
               pool.pool_2d, mode='max', ws=(3, 2), stride=(2, 1),
               ignore_border=False, second=True)
    check_pool('pool2d_max_ws_3_3_pad_1_1_ignore', p_value[0, 1], rng,
               pool.pool_2d, mode='max', ws=(3, 3), pad=(1, 1),
               ignore_border=True, second=True)


if __name__ == '__main__':
    main()
