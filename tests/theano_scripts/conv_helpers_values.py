"""The rest of theano.tensor.nnet.abstract_conv and signal.pool beyond
the convolutions and pool_2d/pool_3d themselves: separable and causal
convolution, bilinear upsampling, the shape helpers, assert_shape and
assert_conv_shape (under the flag conv.assert_shape),
max_pool_2d_same_size, the R operator of pooling, MaxPoolRop and
PoolingMode_t.

Usage: python conv_helpers_values.py [SLICE.npz]   (the slice is not read)

Inputs come from numpy.random.RandomState(7), in floatX.  Each section
compiles one function of its outputs and of the gradients of
``sum(output * G)`` (``Section`` and ``weights`` of nnet_ops_values.py,
beside this file); arrays are JSON lines (name, dtype, shape, every
value).  The shape helpers take and give Python values: those are
``name value`` lines, the value written by ``text`` (ints and floats
keep their kind, so Theano's ``3.0`` from a dilated gradweights shape
shows).  An error is the line ``name_error ExceptionClass``, and for
the run-time checks whose message is the caller's (assert_shape's
``msg``), the message's first line as well.
"""

import warnings

import numpy

import theano
import theano.tensor as T
from theano.tensor.nnet import abstract_conv
from theano.tensor.signal import pool

import nnet_ops_values

FLOATX = theano.config.floatX


class Section(nnet_ops_values.Section):
    """nnet_ops_values's section, taking 5-d inputs too."""

    def given(self, name, value):
        value = numpy.asarray(value)
        if value.ndim < 5:
            return super(Section, self).given(name, value)
        var = T.tensor5(name, dtype=str(value.dtype))
        self.inputs.append((var, value))
        return var


def text(value):
    """A Python value (ints, floats, None, bools, tuples of them) as a
    line's text, the same on NumPy 1 and 2."""
    if isinstance(value, (tuple, list)):
        return '(%s)' % ', '.join(text(v) for v in value)
    if value is None or isinstance(value, (bool, numpy.bool_)):
        return repr(None if value is None else bool(value))
    if isinstance(value, (int, numpy.integer)):
        return 'int:%d' % int(value)
    if isinstance(value, (float, numpy.floating)):
        return 'float:%r' % float(value)
    return 'other:%s' % type(value).__name__


def show(name, call, *args, **kwargs):
    """Print ``name`` and what ``call(*args, **kwargs)`` gives, or the
    class of the error it raises."""
    try:
        value = call(*args, **kwargs)
    except Exception as error:
        print('%s_error %s' % (name, type(error).__name__))
    else:
        print('%s %s' % (name, text(value)))


def shape_helpers():
    ac = abstract_conv
    # (image, kernel, border_mode, subsample, dilation) along one axis
    for i, case in enumerate([(10, 3, 'valid', 1, 1), (10, 3, 'full', 2, 1),
                              (10, 3, 'half', 1, 2), (11, 4, 'half', 3, 1),
                              (10, 3, 2, 3, 1), (10, 3, (1, 2), 2, 2),
                              (None, 3, 'valid', 1, 1), (10, 3, -1, 1, 1)]):
        show('conv_shape_1axis_%d' % i, ac.get_conv_shape_1axis, *case)
    # (image, top, border_mode, subsample, dilation)
    for i, case in enumerate([(10, 8, 'valid', 1, 1), (10, 12, 'full', 1, 1),
                              (10, 6, 'valid', 1, 2), (10, 10, 'half', 1, 1),
                              (10, 5, 'valid', 2, 1), (10, 9, (1, 2), 1, 1),
                              (10, 11, 1, 1, 1), (10, 12, 1, 1, 3),
                              (None, 4, 'valid', 1, 1)]):
        show('gradweights_shape_1axis_%d' % i,
             ac.get_conv_gradweights_shape_1axis, *case)
    # (kernel, top, border_mode, subsample, dilation)
    for i, case in enumerate([(3, 8, 'valid', 1, 1), (3, 12, 'full', 1, 1),
                              (3, 10, 'half', 1, 2), (3, 9, 2, 1, 1),
                              (3, 9, (1, 2), 1, 3), (3, 4, 'valid', 2, 1),
                              (4, 9, 'half', 1, 1), (3, None, 'valid', 1, 1)]):
        show('gradinputs_shape_1axis_%d' % i,
             ac.get_conv_gradinputs_shape_1axis, *case)
    show('gradweights_shape_valid', ac.get_conv_gradweights_shape,
         (2, 3, 10, 9), (2, 4, 8, 6), 'valid', (1, 1))
    show('gradweights_shape_dilated', ac.get_conv_gradweights_shape,
         (2, 3, 10, 9), (2, 4, 6, 7), 'valid', (1, 1), (2, 1))
    show('gradweights_shape_tuple_groups', ac.get_conv_gradweights_shape,
         (2, 3, 10, 9), (2, 4, 12, 9), ((1, 2), 1), (1, 2), None, 2)
    show('gradweights_shape_unshared', ac.get_conv_gradweights_shape,
         (2, 3, 10, 9), (2, 4, 8, 7), 'full', (1, 1), (1, 1), 2, True)
    show('gradweights_shape_3d', ac.get_conv_gradweights_shape,
         (1, 2, 7, 8, 9), (1, 5, 5, 7, 9), 'half', (1, 1, 1))
    show('gradinputs_shape_valid', ac.get_conv_gradinputs_shape,
         (4, 3, 3, 2), (2, 4, 6, 7), 'valid', (1, 1))
    show('gradinputs_shape_groups', ac.get_conv_gradinputs_shape,
         (4, 3, 3, 2), (2, 4, 6, 7), 'full', (1, 2), (2, 1), 2)
    show('gradinputs_shape_tuple', ac.get_conv_gradinputs_shape,
         (4, 3, 3, 2, 5), (2, 4, 6, 7, 8), (1, (0, 2), 3), (1, 1, 1),
         (1, 2, 1))
    s = T.iscalar('s')
    for i, (image, kernel, output, mode, sub, dil) in enumerate([
            ((2, 3, 10, 9), (4, 3, 3, 3), (2, 4, 8, 7), 'valid', (1, 1),
             None),
            ((2, 3, 10, 9), (4, 3, 3, 3), (2, 4, 8, 6), 'valid', (1, 1),
             None),
            ((2, 3, 10, 9), (4, 3, 3, 3), (2, 4, s, 7), 'valid', (1, 1),
             None),
            ((2, 3, 10, 9), (4, 3, 3, 3), (2, 4, T.constant(8), 6), 'valid',
             (1, 1), None),
            ((2, 3, 10, 9), (4, 3, 3, 3), (2, 4, 5, 4), 'full', (3, 3),
             (1, 2)),
            ((2, 3, 10, 9), (4, 3, 3, 3), (2, 4, None, 9), 'half', (1, 1),
             None),
            ((2, 3, 10, 9), (4, 3, 3, 3), (2, 4, 8, 7), 'valid', (1, 1, 1),
             None),
            ((2, 3, 10, 9), (4, 3, 3, 3), (2, 4, 8, 7, 1), 'valid', (1, 1),
             None),
            ((2, 3, 10, 9), (4, 3, 3, 3), (2, 4, 8, 7), 'valid', (1, 1),
             (1, 1, 1))]):
        show('check_gradinputs_shape_%d' % i,
             abstract_conv.check_conv_gradinputs_shape, image, kernel,
             output, mode, sub, dil)
    for i, (mode, convdim, kshp) in enumerate([
            ('valid', 2, (3, 3)), ('full', 2, (3, 4)), ('half', 3, (3, 4, 5)),
            ((1, 2), 2, (3, 3)), ((1, (2, 0)), 2, (3, 3)),
            (((1, 2), (3, 4), 0), 3, (2, 2, 2)), (2, 2, (3, 3)),
            ((1, 2, 3), 2, (3, 3)), (((1, 2, 3), 1), 2, (3, 3)),
            ('same', 2, (3, 3)), ((1, -1), 2, (3, 3))]):
        show('border_mode_to_pad_%d' % i, abstract_conv.border_mode_to_pad,
             mode, convdim, kshp)


def assertions():
    """assert_conv_shape, assert_shape, and the conv ops' shape hints,
    with and without the flag conv.assert_shape."""
    ac = abstract_conv
    show('assert_conv_shape_constants', ac.assert_conv_shape,
         (2, 0, 5, 4))
    show('assert_conv_shape_negative', ac.assert_conv_shape,
         (2, -1, 5, 4))
    show('assert_conv_shape_zero', ac.assert_conv_shape, (2, 3, 0, 4))
    n = T.iscalar('n')
    m = T.iscalar('m')
    checked = ac.assert_conv_shape((n, 3, m, T.constant(4)))
    print('assert_conv_shape_keeps_constants %r'
          % bool(checked[1] == 3 and checked[3].data == 4))
    f = theano.function([n, m], [T.as_tensor_variable(c) for c in checked])
    print('assert_conv_shape_values %s'
          % text([int(v) for v in f(0, 5)]))
    for name, args in (('batch', (-1, 5)), ('spatial', (2, 0))):
        try:
            f(*args)
        except Exception as error:
            print('assert_conv_shape_%s_error %s' % (name,
                                                     type(error).__name__))
    x = T.tensor4('x')
    w = T.tensor4('w')
    value = numpy.ones((2, 3, 5, 4), dtype=FLOATX)
    filters = numpy.ones((2, 3, 2, 2), dtype=FLOATX)
    wrong = numpy.ones((2, 3, 5, 5), dtype=FLOATX)
    print('assert_shape_flag_off_is_x %r'
          % (ac.assert_shape(x, (2, None, 5, 4)) is x))
    for flag in (False, True):
        theano.config.conv.assert_shape = flag
        tag = 'on' if flag else 'off'
        print('assert_shape_%s_none_is_x %r'
              % (tag, ac.assert_shape(x, None) is x))
        print('assert_shape_%s_all_none_is_x %r'
              % (tag, ac.assert_shape(x, (None,) * 4) is x))
        checked = ac.assert_shape(x, (2, None, 5, 4), 'x is not 2 x ? x 5 x 4')
        g = theano.function([x], checked * 2)
        print('assert_shape_%s_right %s' % (tag, text(g(value).shape)))
        try:
            out = g(wrong)
        except Exception as error:
            print('assert_shape_%s_wrong_error %s %s'
                  % (tag, type(error).__name__,
                     str(error).splitlines()[0]))
        else:
            print('assert_shape_%s_wrong %s' % (tag, text(out.shape)))
        # conv2d's hints, checked under the flag
        h = theano.function([x, w], T.nnet.conv2d(
            x, w, input_shape=(2, 3, 5, 4), filter_shape=(2, 3, 2, 2)))
        print('conv2d_%s_right_hint %s' % (tag, text(h(value,
                                                       filters).shape)))
        for name, args in (('image', (wrong, filters)),
                           ('filters', (value, filters[:, :, :1]))):
            try:
                out = h(*args)
            except Exception as error:
                print('conv2d_%s_wrong_%s_hint_error %s'
                      % (tag, name, type(error).__name__))
            else:
                print('conv2d_%s_wrong_%s_hint %s' % (tag, name,
                                                      text(out.shape)))
        # the hints of the gradients' ops: conv2d_grad_wrt_inputs checks
        # its filters, conv2d_grad_wrt_weights its input
        top = T.tensor4('top')
        gi = theano.function([w, top], ac.conv2d_grad_wrt_inputs(
            top, w, (2, 3, 5, 4), filter_shape=(2, 3, 2, 2)))
        gw = theano.function([x, top], ac.conv2d_grad_wrt_weights(
            x, top, (2, 3, 2, 2), input_shape=(2, 3, 5, 4)))
        right_top = numpy.ones((2, 2, 4, 3), dtype=FLOATX)
        wide_top = numpy.ones((2, 2, 4, 4), dtype=FLOATX)
        for name, function, good, bad in (
                ('grad_wrt_inputs', gi, (filters, right_top),
                 (numpy.ones((2, 3, 2, 1), FLOATX), wide_top)),
                ('grad_wrt_weights', gw, (value, right_top),
                 (wrong, wide_top))):
            print('%s_%s_right_hint %s'
                  % (name, tag, text(function(*good).shape)))
            try:
                out = function(*bad)
            except Exception as error:
                print('%s_%s_wrong_hint_error %s'
                      % (name, tag, type(error).__name__))
            else:
                print('%s_%s_wrong_hint %s' % (name, tag, text(out.shape)))
    theano.config.conv.assert_shape = False


def bilinear_section(rng):
    s = Section(rng)
    ac = abstract_conv
    for ratio in (1, 2, 3):
        for normalize in (True, False):
            s.output('kernel_1d_%d_%s' % (ratio, normalize),
                     ac.bilinear_kernel_1D(ratio, normalize))
    s.output('kernel_2d_3', ac.bilinear_kernel_2D(3))
    s.output('kernel_2d_2_3_raw', ac.bilinear_kernel_2D((2, 3), False))
    x = s.floats('x', (2, 3, 4, 5))
    one = s.floats('one', (1, 1, 3, 3))
    s.output('up_2_1d', ac.bilinear_upsampling(x, 2), wrt=(x,))
    s.output('up_2_2d', ac.bilinear_upsampling(x, 2, use_1D_kernel=False),
             wrt=(x,))
    s.output('up_3_1d_sizes', ac.bilinear_upsampling(
        x, 3, batch_size=2, num_input_channels=3), wrt=(x,))
    s.output('up_3_2d', ac.bilinear_upsampling(x, ratio=3,
                                               use_1D_kernel=False),
             wrt=(x,))
    s.output('up_4_1d_one', ac.bilinear_upsampling(one, 4), wrt=(one,))
    s.output('up_frac_3_2', ac.bilinear_upsampling(
        x, frac_ratio=(3, 2), use_1D_kernel=False), wrt=(x,))
    s.output('up_frac_4_2', ac.bilinear_upsampling(
        x, frac_ratio=(4, 2), use_1D_kernel=False), wrt=(x,))
    s.output('up_frac_5_3_and_2_1', ac.frac_bilinear_upsampling(
        x, frac_ratio=((5, 3), (2, 1))), wrt=(x,))
    s.output('up_frac_one_7_4', ac.frac_bilinear_upsampling(
        one, (7, 4)), wrt=(one,))
    s.run()
    for name, kwargs in (('both', dict(ratio=2, frac_ratio=(3, 2))),
                         ('neither', dict()),
                         ('frac_1d', dict(frac_ratio=(3, 2))),
                         ('frac_not_tuple', dict(frac_ratio=[3, 2],
                                                 use_1D_kernel=False))):
        show('up_%s' % name, ac.bilinear_upsampling, T.tensor4(), **kwargs)


def causal_section(rng):
    s = Section(rng)
    x = s.floats('x', (2, 3, 10))
    w = s.floats('w', (4, 3, 3))
    for name, kwargs in (('plain', {}),
                         ('subsample_2', dict(subsample=2)),
                         ('dilation_2', dict(filter_dilation=2)),
                         ('dilation_3_corr', dict(filter_dilation=3,
                                                  filter_flip=False)),
                         ('shapes_subsample_3_dilation_2',
                          dict(input_shape=(2, 3, 10), subsample=3,
                               filter_dilation=2))):
        s.output('causal_' + name, abstract_conv.causal_conv1d(
            x, w, (4, 3, 3), **kwargs), wrt=(x, w))
    s.run()
    # the filters' length must be known: it makes the padding
    show('causal_symbolic_length', abstract_conv.causal_conv1d, x, w,
         (None, None, w.shape[2]))
    show('causal_4d', abstract_conv.causal_conv1d, T.tensor4(), T.tensor3(),
         (4, 3, 3))
    show('causal_filters_4d', abstract_conv.causal_conv1d, T.tensor3(),
         T.tensor4(), (4, 3, 3))


def separable_section(rng):
    s = Section(rng)
    ac = abstract_conv
    x = s.floats('x', (2, 3, 7, 6))
    dw = s.floats('dw', (6, 1, 3, 2))       # depth multiplier 2
    pw = s.floats('pw', (5, 6, 1, 1))
    dw1 = s.floats('dw1', (3, 1, 2, 2))     # depth multiplier 1
    pw1 = s.floats('pw1', (4, 3, 1, 1))
    for name, args, kwargs in (
            ('valid', (x, dw, pw, 3), {}),
            ('half', (x, dw, pw, 3), dict(border_mode='half')),
            ('full_corr', (x, dw, pw, 3), dict(border_mode='full',
                                               filter_flip=False)),
            ('pad_1_2_subsample_2_1', (x, dw, pw, 3), dict(
                border_mode=(1, 2), subsample=(2, 1))),
            ('dilation_1_2_shapes', (x, dw, pw, 3), dict(
                filter_dilation=(1, 2), input_shape=(2, 3, 7, 6),
                depthwise_filter_shape=(6, 1, 3, 2),
                pointwise_filter_shape=(5, 6, 1, 1))),
            ('multiplier_1', (x, dw1, pw1, 3), dict(border_mode=1))):
        s.output('separable2d_' + name, T.nnet.separable_conv2d(
            *args, **kwargs), wrt=args[:3])
    v = s.floats('v', (2, 2, 5, 4, 6))
    dw3 = s.floats('dw3', (4, 1, 2, 3, 2))  # depth multiplier 2
    pw3 = s.floats('pw3', (3, 4, 1, 1, 1))
    for name, kwargs in (
            ('valid', {}),
            ('half_corr', dict(border_mode='half', filter_flip=False)),
            ('pad_1_subsample_2_1_2', dict(border_mode=1,
                                           subsample=(2, 1, 2))),
            ('dilation_1_1_2_shapes', dict(
                filter_dilation=(1, 1, 2), input_shape=(2, 2, 5, 4, 6),
                depthwise_filter_shape=(4, 1, 2, 3, 2),
                pointwise_filter_shape=(3, 4, 1, 1, 1)))):
        s.output('separable3d_' + name, ac.separable_conv3d(
            v, dw3, pw3, 2, **kwargs), wrt=(v, dw3, pw3))
    s.run()


def pool_section(rng):
    s = Section(rng)
    x = s.floats('x', (2, 3, 6, 5))
    v = s.floats('v', (2, 3, 6, 5))
    # ties: small integers, so windows hold equal maxima
    ties = s.given('ties', numpy.asarray(
        rng.randint(0, 3, size=(1, 2, 5, 6)), dtype=FLOATX))
    tv = s.floats('tv', (1, 2, 5, 6))
    vol = s.floats('vol', (1, 2, 4, 5, 3))
    vv = s.floats('vv', (1, 2, 4, 5, 3))
    s.output('same_size_2_2', pool.max_pool_2d_same_size(x, (2, 2)),
             wrt=(x,))
    s.output('same_size_3_2', pool.max_pool_2d_same_size(x, (3, 2)),
             wrt=(x,))
    s.output('same_size_ties_2_3', pool.max_pool_2d_same_size(ties, (2, 3)))
    for name, a, ev, kwargs in (
            ('max_2_2', x, v, dict(ws=(2, 2), ignore_border=True)),
            ('max_3_2_border', x, v, dict(ws=(3, 2), ignore_border=False)),
            ('max_3_3_stride_2_1_pad_1_1', x, v, dict(
                ws=(3, 3), stride=(2, 1), pad=(1, 1), ignore_border=True)),
            ('max_ties_2_2', ties, tv, dict(ws=(2, 2), ignore_border=True)),
            ('sum_2_3', x, v, dict(ws=(2, 3), ignore_border=False,
                                   mode='sum')),
            ('average_inc_pad_3_2_pad', x, v, dict(
                ws=(3, 2), pad=(1, 1), ignore_border=True,
                mode='average_inc_pad'))):
        s.output('rop_pool_2d_' + name,
                 T.Rop(pool.pool_2d(a, **kwargs), a, ev))
    s.output('rop_pool_3d_max', T.Rop(pool.pool_3d(
        vol, (2, 2, 2), ignore_border=False, stride=(1, 2, 2)), vol, vv))
    for name, ignore_border, ndim, a, ev, geometry in (
            ('2_2', True, 2, x, v, ((2, 2), (2, 2), (0, 0))),
            ('3_2_border', False, 2, x, v, ((3, 2), (3, 2), (0, 0))),
            ('3_3_stride_1_2_pad_1_2', True, 2, x, v,
             ((3, 3), (1, 2), (1, 2))),
            ('ties_2_3', True, 2, ties, tv, ((2, 3), (2, 3), (0, 0))),
            ('ties_3_2_stride_1_border', False, 2, ties, tv,
             ((3, 2), (1, 1), (0, 0))),
            ('3d_2_2_2_border', False, 3, vol, vv,
             ((2, 2, 2), (2, 2, 2), (0, 0, 0))),
            ('3d_stride_pad', True, 3, vol, vv,
             ((2, 3, 2), (1, 2, 1), (1, 1, 0)))):
        op = pool.MaxPoolRop(ignore_border=ignore_border, ndim=ndim)
        s.output('max_pool_rop_' + name, op(a, ev, *geometry))
    s.run()
    P = pool.PoolingMode_t
    print('pooling_mode_constants %s' % text(
        (P.POOLING_MAX, P.POOLING_SUM, P.POOLING_AVERAGE_COUNT_INCLUDE_PADDING,
         P.POOLING_AVERAGE_COUNT_EXCLUDE_PADDING)))
    print('pooling_mode_aliases %s' % ' '.join(P.get_aliases()))
    print('pooling_mode_fromalias %s' % text(
        tuple(P.fromalias(a) for a in ('max', 'sum', 'average_inc_pad',
                                       'average_exc_pad'))))
    print('pooling_mode_has_alias %s' % text(
        (P.has_alias('max'), P.has_alias('average'))))


def main():
    print('floatX %s' % FLOATX)
    rng = numpy.random.RandomState(7)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        shape_helpers()
        assertions()
        bilinear_section(rng)
        causal_section(rng)
        separable_section(rng)
        pool_section(rng)


if __name__ == '__main__':
    main()
