"""Grouped (``num_groups``) and unshared (``unshared=True``, locally
connected) convolutions of theano.tensor.nnet.abstract_conv: conv2d,
conv3d, conv2d_transpose and the gradient functions, with their
gradients, in floatX.

Usage: python conv_groups_values.py [SLICE.npz]   (the slice is not read)

Inputs come from numpy.random.RandomState(17), in floatX.  Each section
compiles one function of its outputs and of the gradients of
``sum(output * G)`` with respect to the inputs (``Section`` and
``weights`` of nnet_ops_values.py, beside this file); the gradients of
the gradient functions are the second derivatives of the convolution.
Arrays are JSON lines (name, dtype, shape, every value).  A call Theano
refuses prints ``name_error ExceptionClass`` (when the graph is built)
or ``name_run_error ExceptionClass`` (when it runs).

Unshared filters are ``(filters, out_rows, out_cols, channels //
num_groups, rows, cols)``: one filter per output position.
"""

import warnings

import numpy

import theano
import theano.tensor as T
from theano.tensor.nnet import abstract_conv, conv2d, conv2d_transpose, conv3d

import conv_helpers_values

FLOATX = theano.config.floatX


class Section(conv_helpers_values.Section):
    """The sections of the helpers' script, taking 6-d inputs too."""

    def given(self, name, value):
        value = numpy.asarray(value)
        if value.ndim < 6:
            return super(Section, self).given(name, value)
        var = T.TensorType(str(value.dtype), (False,) * 6)(name)
        self.inputs.append((var, value))
        return var


def build_error(name, build):
    """Print the class of the error ``build()`` raises when the graph is
    built, or, if it builds, when it runs."""
    try:
        output = build()
    except Exception as error:
        print('%s_error %s' % (name, type(error).__name__))
        return
    try:
        theano.function([], output)()
    except Exception as error:
        print('%s_run_error %s' % (name, type(error).__name__))
    else:
        print('%s_runs' % name)


def grouped_2d(rng):
    s = Section(rng)
    x = s.floats('x', (2, 6, 7, 6))
    w2 = s.floats('w2', (4, 3, 3, 2))
    w3 = s.floats('w3', (6, 2, 2, 3))
    for case, w, groups, kwargs in [
            ('g2_valid', w2, 2, {}),
            ('g3_full_noflip', w3, 3, dict(border_mode='full',
                                           filter_flip=False)),
            ('g2_half_dilated', w2, 2, dict(border_mode='half',
                                            filter_dilation=(2, 1))),
            ('g3_pad_subsample', w3, 3, dict(border_mode=(1, 2),
                                             subsample=(2, 1))),
            ('g2_int_pad_noflip_strided', w2, 2, dict(
                border_mode=1, subsample=(2, 2), filter_flip=False)),
            ('g3_valid_dilated_strided', w3, 3, dict(
                subsample=(1, 2), filter_dilation=(2, 2)))]:
        s.output('conv2d_' + case, conv2d(x, w, num_groups=groups, **kwargs),
                 wrt=(x, w))
    # with the shapes given
    s.output('conv2d_g2_shapes', conv2d(
        x, w2, input_shape=(2, 6, 7, 6), filter_shape=(4, 3, 3, 2),
        num_groups=2), wrt=(x, w2))
    s.run()


def grouped_3d(rng):
    s = Section(rng)
    v = s.floats('v', (2, 4, 4, 5, 3))
    f2 = s.floats('f2', (6, 2, 2, 3, 2))
    f4 = s.floats('f4', (4, 1, 3, 2, 2))
    for case, f, groups, kwargs in [
            ('g2_valid', f2, 2, {}),
            ('g2_half_noflip', f2, 2, dict(border_mode='half',
                                           filter_flip=False)),
            ('g4_full_strided_dilated', f4, 4, dict(
                border_mode='full', subsample=(2, 1, 2),
                filter_dilation=(1, 2, 1))),
            ('g2_pad', f2, 2, dict(border_mode=(1, 0, 2)))]:
        s.output('conv3d_' + case, conv3d(v, f, num_groups=groups, **kwargs),
                 wrt=(v, f))
    s.run()


def grouped_gradients(rng):
    s = Section(rng)
    # 2-D: input (2, 6, 7, 6), filters (4, 3, 3, 2), 2 groups
    w = s.floats('w', (4, 3, 3, 2))
    x = s.floats('x', (2, 6, 7, 6))
    for case, kwargs, top_shape in [
            ('valid', {}, (2, 4, 5, 5)),
            ('half_strided', dict(border_mode='half', subsample=(2, 2)),
             (2, 4, 4, 4)),
            ('full_noflip_dilated', dict(border_mode='full',
                                         filter_flip=False,
                                         filter_dilation=(1, 2)),
             (2, 4, 9, 8))]:
        g = s.floats('g_' + case, top_shape)
        s.output('conv2d_grad_wrt_inputs_g2_' + case,
                 abstract_conv.conv2d_grad_wrt_inputs(
                     g, w, (2, 6, 7, 6), num_groups=2, **kwargs),
                 wrt=(g, w))
        s.output('conv2d_grad_wrt_weights_g2_' + case,
                 abstract_conv.conv2d_grad_wrt_weights(
                     x, g, (4, 3, 3, 2), num_groups=2, **kwargs),
                 wrt=(x, g))
    # conv2d_transpose: filters (in_channels, out_channels // groups, ...)
    t_in = s.floats('t_in', (2, 6, 3, 4))
    t_w = s.floats('t_w', (6, 2, 3, 3))
    s.output('conv2d_transpose_g3', conv2d_transpose(
        t_in, t_w, (2, 6, 7, 9), input_dilation=(2, 2), num_groups=3),
        wrt=(t_in, t_w))
    s.output('conv2d_transpose_g2_half_noflip', conv2d_transpose(
        t_in, t_w[:, :1], (2, 2, 3, 4), border_mode='half',
        filter_flip=False, num_groups=2), wrt=(t_in, t_w))
    # 3-D: input (1, 4, 4, 5, 3), filters (2, 2, 2, 3, 2), 2 groups
    f = s.floats('f', (2, 2, 2, 3, 2))
    v = s.floats('v', (1, 4, 4, 5, 3))
    g3 = s.floats('g3', (1, 2, 3, 3, 2))
    s.output('conv3d_grad_wrt_inputs_g2',
             abstract_conv.conv3d_grad_wrt_inputs(
                 g3, f, (1, 4, 4, 5, 3), num_groups=2), wrt=(g3, f))
    s.output('conv3d_grad_wrt_weights_g2',
             abstract_conv.conv3d_grad_wrt_weights(
                 v, g3, (2, 2, 2, 3, 2), num_groups=2), wrt=(v, g3))
    s.run()


def unshared(rng):
    s = Section(rng)
    x = s.floats('x', (2, 4, 6, 5))
    cases = [
        # case, filters' shape, conv2d keywords
        ('valid', (3, 4, 4, 4, 3, 2), {}),
        ('full_noflip', (3, 8, 6, 4, 3, 2), dict(border_mode='full',
                                                 filter_flip=False)),
        ('pad', (3, 6, 4, 4, 3, 2), dict(border_mode=(1, 0))),
        ('half_strided', (3, 3, 3, 4, 3, 2), dict(border_mode='half',
                                                  subsample=(2, 2))),
        ('valid_strided', (3, 2, 2, 4, 3, 2), dict(subsample=(2, 2))),
        ('g2_pad_strided', (4, 3, 3, 2, 3, 2), dict(
            border_mode=(1, 1), subsample=(2, 2), num_groups=2)),
    ]
    for case, shape, kwargs in cases:
        w = s.floats('w_' + case, shape)
        s.output('unshared_' + case, conv2d(x, w, unshared=True, **kwargs),
                 wrt=(x, w))
    # the gradient functions, with their own gradients
    w = s.floats('w', (3, 2, 2, 4, 3, 2))
    g = s.floats('g', (2, 3, 2, 2))
    s.output('unshared_grad_wrt_inputs', abstract_conv.conv2d_grad_wrt_inputs(
        g, w, (2, 4, 6, 5), subsample=(2, 2), unshared=True), wrt=(g, w))
    s.output('unshared_grad_wrt_weights',
             abstract_conv.conv2d_grad_wrt_weights(
                 x, g, (3, 2, 2, 4, 3, 2), subsample=(2, 2), unshared=True),
             wrt=(x, g))
    s.run()


def errors(rng):
    def floats(*shape):
        return theano.shared(numpy.asarray(rng.uniform(-1, 1, shape),
                                           dtype=FLOATX))

    x = floats(2, 6, 7, 6)
    build_error('groups_channels_mismatch', lambda: conv2d(
        x, floats(4, 2, 3, 3), num_groups=2))
    build_error('groups_filters_not_divisible', lambda: conv2d(
        x, floats(5, 3, 3, 3), num_groups=2))
    build_error('groups_zero', lambda: conv2d(x, floats(4, 6, 3, 3),
                                               num_groups=0))
    build_error('unshared_wrong_positions', lambda: conv2d(
        x, floats(2, 4, 4, 6, 3, 3), unshared=True))
    build_error('unshared_4d_filters', lambda: conv2d(
        x, floats(2, 6, 3, 3), unshared=True))
    build_error('unshared_dilated', lambda: conv2d(
        x, floats(2, 3, 4, 6, 3, 2), unshared=True, filter_dilation=(2, 2)))
    build_error('unshared_3d_op', lambda: abstract_conv.AbstractConv(
        3, unshared=True))
    build_error('unshared_3d_class', lambda: abstract_conv.AbstractConv3d(
        unshared=True))


def main():
    print('floatX %s' % FLOATX)
    rng = numpy.random.RandomState(17)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        grouped_2d(rng)
        grouped_3d(rng)
        grouped_gradients(rng)
        unshared(rng)
        errors(rng)


if __name__ == '__main__':
    main()
