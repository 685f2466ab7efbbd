"""Exact outputs and gradients of conv2d and pool_2d on fixed inputs.

Usage: python conv_pool_values.py [SLICE.npz]   (the slice is not read)

Everything is float64 and comes from numpy.random.RandomState(42):

* images X of shape (2, 3, 8, 7) (batch, channels, rows, columns) and
  filters W of shape (4, 3, 3, 2) (filters, channels, rows, columns) for
  ``conv2d`` with several border modes, a subsample, no filter flip and a
  dilation;
* images P of shape (2, 3, 7, 6) for ``pool.pool_2d`` in each mode, with
  and without ``ignore_border``, a stride unlike the window, and a pad
  (``ignore_border=True``, which a pad requires).

For each case it prints the output, and for the gradient cases the
gradients of ``sum(output * G)`` (G a fixed random array of the output's
shape) with respect to the inputs.  Each array is one JSON line: name,
dtype, shape and every value (a Python float, exact).
"""

import json

import numpy

import theano
import theano.tensor as T
from theano.tensor.nnet import conv2d
from theano.tensor.signal import pool

IMAGE_SHAPE = (2, 3, 8, 7)
FILTER_SHAPE = (4, 3, 3, 2)
POOL_SHAPE = (2, 3, 7, 6)


def show_array(name, array):
    """Print one JSON line with an array's dtype, shape and values."""
    array = numpy.asarray(array)
    print(json.dumps({'name': name, 'dtype': str(array.dtype),
                      'shape': list(array.shape),
                      'values': [float(v) for v in array.ravel()]}))


def check_conv(name, x_value, w_value, rng, with_grad, **kwargs):
    """Print conv2d(x, w, **kwargs) and, if ``with_grad``, the gradients
    of sum(conv2d(x, w) * G) with respect to x and w."""
    x = T.dtensor4('x')
    w = T.dtensor4('w')
    out = conv2d(x, w, input_shape=IMAGE_SHAPE, filter_shape=FILTER_SHAPE,
                 **kwargs)
    out_value = theano.function([x, w], out)(x_value, w_value)
    show_array(name, out_value)
    if with_grad:
        g_value = rng.uniform(-1, 1, size=out_value.shape)
        g = T.dtensor4('g')
        cost = (out * g).sum()
        grad_x, grad_w = T.grad(cost, [x, w])
        gx, gw = theano.function([x, w, g], [grad_x, grad_w])(
            x_value, w_value, g_value)
        show_array(name + '_grad_input', gx)
        show_array(name + '_grad_filters', gw)


def check_pool(name, p_value, rng, with_grad=True, **kwargs):
    """Print pool.pool_2d(p, **kwargs) and, if ``with_grad``, the gradient
    of sum(pool_2d(p) * G) with respect to p."""
    tensor_type = {3: T.dtensor3, 4: T.dtensor4}[p_value.ndim]
    p = tensor_type('p')
    out = pool.pool_2d(p, **kwargs)
    out_value = theano.function([p], out)(p_value)
    show_array(name, out_value)
    if not with_grad:
        return
    g_value = rng.uniform(-1, 1, size=out_value.shape)
    g = tensor_type('g')
    grad = T.grad((out * g).sum(), p)
    show_array(name + '_grad', theano.function([p, g], grad)(p_value,
                                                             g_value))


def main():
    rng = numpy.random.RandomState(42)
    x_value = rng.uniform(-1, 1, size=IMAGE_SHAPE)
    w_value = rng.uniform(-1, 1, size=FILTER_SHAPE)
    show_array('conv_input', x_value)
    show_array('conv_filters', w_value)
    # (name, whether to print gradients, conv2d's keyword arguments)
    conv_cases = [
        ('conv_valid', True, dict(border_mode='valid')),
        ('conv_full', True, dict(border_mode='full')),
        ('conv_half', True, dict(border_mode='half')),
        ('conv_pad_1_2', True, dict(border_mode=(1, 2))),
        ('conv_valid_subsample_2_2', True,
         dict(border_mode='valid', subsample=(2, 2))),
        ('conv_full_subsample_2_2', False,
         dict(border_mode='full', subsample=(2, 2))),
        ('conv_pad_1_2_subsample_2_1', True,
         dict(border_mode=(1, 2), subsample=(2, 1))),
        ('conv_valid_no_flip', True,
         dict(border_mode='valid', filter_flip=False)),
        ('conv_full_no_flip', False,
         dict(border_mode='full', filter_flip=False)),
        ('conv_valid_dilation_2_2', True,
         dict(border_mode='valid', filter_dilation=(2, 2))),
    ]
    for name, with_grad, kwargs in conv_cases:
        check_conv(name, x_value, w_value, rng, with_grad, **kwargs)

    p_value = rng.uniform(-1, 1, size=POOL_SHAPE)
    show_array('pool_input', p_value)
    # (name, pool_2d's keyword arguments), run for every mode
    pool_cases = [
        ('ws_2_2_ignore', dict(ws=(2, 2), ignore_border=True)),
        ('ws_2_2_keep', dict(ws=(2, 2), ignore_border=False)),
        ('ws_3_2_stride_2_1_ignore',
         dict(ws=(3, 2), stride=(2, 1), ignore_border=True)),
        ('ws_3_2_stride_2_1_keep',
         dict(ws=(3, 2), stride=(2, 1), ignore_border=False)),
        ('ws_2_3_stride_3_2_keep',
         dict(ws=(2, 3), stride=(3, 2), ignore_border=False)),
        ('ws_3_3_pad_1_1_ignore',
         dict(ws=(3, 3), pad=(1, 1), ignore_border=True)),
        ('ws_3_3_stride_2_2_pad_1_2_ignore',
         dict(ws=(3, 3), stride=(2, 2), pad=(1, 2), ignore_border=True)),
    ]
    for mode in ('max', 'sum', 'average_inc_pad', 'average_exc_pad'):
        for name, kwargs in pool_cases:
            # Theano 1.0.5 has no gradient for average_exc_pad with a pad
            # (its AveragePoolGrad raises "padding must be zero")
            with_grad = not (mode == 'average_exc_pad' and 'pad' in kwargs)
            check_pool('pool_%s_%s' % (mode, name), p_value, rng,
                       with_grad=with_grad, mode=mode, **kwargs)
    # pool_2d pools the last two axes of an input of any rank >= 2
    check_pool('pool_max_3d_input_ws_2_2_keep', p_value[0], rng, mode='max',
               ws=(2, 2), ignore_border=False)


if __name__ == '__main__':
    main()
