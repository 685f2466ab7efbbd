"""Outputs and gradients of the operations of theano.tensor.nnet beyond
conv2d: batch normalization, images2neibs, topk, the crossentropy-
softmax family and the other classifier functions, and the old conv2d
signatures.

Usage: python nnet_ops_values.py [SLICE.npz]   (the slice is not read)

Every input comes from numpy.random.RandomState(42), in floatX (integer
labels as int32 or int64).  For each section the script compiles one
function of its outputs and of the gradients of ``sum(output * G)``
with respect to the inputs (G fixed weights, see ``weights``), and
prints them.  Each array is one JSON line: name, dtype, shape and every
value (a Python float or int, exact).  Gradients are printed where
Theano 1.0.5 had them.

topk's order within its result is not defined (Theano's CPU op uses
numpy.partition), so its values and indices are printed sorted along the
axis, and its gradient is taken of an order-free cost, ``sum(topk**2)``.
Theano 1.0.5's CPU topk takes only ``sorted=False``.  Theano's
batch_normalization_train has no second derivative through its outputs
(it raises), so none is printed.
"""

import json
import warnings

import numpy

import theano
import theano.tensor as T
from theano.tensor.nnet import bn, neighbours
from theano.tensor.nnet import conv as nnet_conv
from theano.tensor.signal import conv as signal_conv
from theano.tensor.sort import argtopk, topk, topk_and_argtopk

FLOATX = theano.config.floatX


def show_array(name, array):
    """Print one JSON line with an array's dtype, shape and values."""
    array = numpy.asarray(array)
    convert = int if array.dtype.kind in 'iub' else float
    print(json.dumps({'name': name, 'dtype': str(array.dtype),
                      'shape': list(array.shape),
                      'values': [convert(v) for v in array.ravel()]}))


class Section(object):
    """Named inputs (symbolic variables and their values) and named
    outputs of one group of cases, compiled into two functions."""

    def __init__(self, rng):
        self.rng = rng
        self.inputs = []     # (variable, value)
        self.outputs = []    # (name, expression)
        self.grads = []      # (name, expression, [variable])
        self.sort_axes = {}  # name -> axis to sort the output along

    def floats(self, name, shape, low=-1., high=1.):
        value = numpy.asarray(self.rng.uniform(low, high, size=shape),
                              dtype=FLOATX)
        return self.given(name, value)

    def broadcast(self, name, shape, low=-1., high=1.):
        """A parameter of ``shape`` whose axes of length 1 broadcast: the
        variable without them (returned second, to take gradients
        with respect to), dimshuffled."""
        kept = [n for n in shape if n != 1]
        var = self.floats(name, kept, low, high)
        pattern, axis = [], 0
        for n in shape:
            if n == 1:
                pattern.append('x')
            else:
                pattern.append(axis)
                axis += 1
        return var.dimshuffle(*pattern), var

    def given(self, name, value):
        value = numpy.asarray(value)
        make = {0: T.scalar, 1: T.vector, 2: T.matrix, 3: T.tensor3,
                4: T.tensor4}[value.ndim]
        var = make(name, dtype=str(value.dtype))
        self.inputs.append((var, value))
        return var

    def output(self, name, expression, wrt=(), sort_axis=None):
        """Print ``expression`` (sorted along ``sort_axis`` if given);
        with ``wrt`` (variables), also the gradients of sum(expression *
        G) with respect to them."""
        self.outputs.append((name, expression))
        self.sort_axes[name] = sort_axis
        if wrt:
            self.grads.append((name, expression, list(wrt)))

    def run(self):
        """Compile one function of every output and gradient; print
        them."""
        names = [name for name, _ in self.outputs]
        expressions = [e for _, e in self.outputs]
        for name, expression, wrt in self.grads:
            cost = (expression * weights(expression)).sum()
            names.extend('%s_grad_%s' % (name, var.name) for var in wrt)
            expressions.extend(T.grad(cost, wrt))
        variables = [v for v, _ in self.inputs]
        values = [x for _, x in self.inputs]
        results = theano.function(variables, expressions,
                                  on_unused_input='ignore')(*values)
        for name, result in zip(names, results):
            if self.sort_axes.get(name) is not None:
                result = numpy.sort(result, axis=self.sort_axes[name])
            show_array(name, result)


def weights(expression):
    """Fixed weights of ``expression``'s shape and dtype for a cost
    ``sum(expression * weights)``: entry ``k`` (in C order) is ``((7 * k
    + 3) % 11 - 5) / 5``, exact integers divided once, so every back end
    makes the same ones."""
    k = T.arange(expression.size)
    numerators = T.cast((k * 7 + 3) % 11 - 5, expression.dtype)
    return (numerators / 5).reshape(expression.shape)


def batch_norm_section(rng):
    s = Section(rng)
    x4 = s.floats('x4', (3, 4, 2, 3))
    x2 = s.floats('x2', (5, 4))
    g4, g4_var = s.broadcast('g4', (1, 4, 1, 1), 0.5, 1.5)
    b4, b4_var = s.broadcast('b4', (1, 4, 1, 1))
    m4, m4_var = s.broadcast('m4', (1, 4, 1, 1))
    sd4, sd4_var = s.broadcast('sd4', (1, 4, 1, 1), 0.5, 1.5)
    for mode in ('low_mem', 'high_mem'):
        s.output('bn_%s' % mode,
                 bn.batch_normalization(x4, g4, b4, m4, sd4, mode=mode),
                 wrt=(x4, g4_var, b4_var, m4_var, sd4_var))
    gamma = s.floats('gamma', (4,), 0.5, 1.5)
    beta = s.floats('beta', (4,))
    run_mean = s.floats('run_mean', (4,))
    run_var = s.floats('run_var', (4,), 0.5, 1.5)
    # per-activation on a matrix, parameters without the batch axis
    out, mean, invstd = bn.batch_normalization_train(x2, gamma, beta)
    s.output('bn_train_per_activation', out, wrt=(x2, gamma, beta))
    s.output('bn_train_per_activation_mean', mean)
    s.output('bn_train_per_activation_invstd', invstd)
    # spatial on 4-d inputs, running averages, another epsilon and factor
    out, mean, invstd, new_mean, new_var = bn.batch_normalization_train(
        x4, gamma, beta, 'spatial', epsilon=1e-3,
        running_average_factor=0.3, running_mean=run_mean,
        running_var=run_var)
    s.output('bn_train_spatial', out, wrt=(x4, gamma, beta))
    s.output('bn_train_spatial_mean', mean)
    s.output('bn_train_spatial_invstd', invstd)
    s.output('bn_train_spatial_running_mean', new_mean)
    s.output('bn_train_spatial_running_var', new_var)
    # a tuple of axes, parameters of the inputs' rank
    g43, g43_var = s.broadcast('g43', (1, 4, 1, 3), 0.5, 1.5)
    b43, b43_var = s.broadcast('b43', (1, 4, 1, 3))
    out, mean, invstd = bn.batch_normalization_train(x4, g43, b43, (0, 2))
    s.output('bn_train_axes_0_2', out, wrt=(x4, g43_var, b43_var))
    s.output('bn_train_axes_0_2_invstd', invstd)
    # inference
    s.output('bn_test_per_activation',
             bn.batch_normalization_test(x2, gamma, beta, run_mean, run_var),
             wrt=(x2, gamma, beta, run_mean, run_var))
    s.output('bn_test_spatial',
             bn.batch_normalization_test(x4, gamma, beta, run_mean, run_var,
                                         axes='spatial', epsilon=1e-3),
             wrt=(x4, gamma, beta, run_mean, run_var))
    m43, m43_var = s.broadcast('m43', (1, 4, 1, 3))
    v43, v43_var = s.broadcast('v43', (1, 4, 1, 3), 0.5, 1.5)
    s.output('bn_test_axes_0_2',
             bn.batch_normalization_test(x4, g43, b43, m43, v43, (0, 2)),
             wrt=(x4, g43_var, b43_var, m43_var, v43_var))
    s.run()


def neighbours_section(rng):
    s = Section(rng)
    images = s.floats('images', (2, 3, 6, 5))
    odd = s.floats('odd', (1, 2, 7, 5))
    # (name, image, neib_shape, neib_step, mode, with a gradient)
    cases = [
        ('valid_2_1', odd, (1, 5), None, 'valid', True),
        ('valid_3_2_step_2_3', images, (2, 2), (2, 3), 'valid', True),
        ('valid_overlap_3_3_step_1_2', odd, (3, 3), (1, 2), 'valid', True),
        ('ignore_borders_2_2', odd, (2, 2), None, 'ignore_borders', True),
        ('ignore_borders_4_2_step_2_3', images, (4, 2), (2, 3),
         'ignore_borders', False),
        ('half_3_3', images, (3, 3), (1, 1), 'half', False),
        ('half_2_3_step_1_2', odd, (2, 3), (1, 2), 'half', False),
        ('full_2_3', images, (2, 3), (1, 1), 'full', False),
        ('full_3_2_step_2_5', odd, (3, 2), (2, 5), 'full', False),
        ('wrap_centered_3_3', images, (3, 3), (1, 1), 'wrap_centered', False),
        ('wrap_centered_5_3_step_2_2', odd, (5, 3), (2, 2), 'wrap_centered',
         False),
    ]
    for name, image, shape, step, mode, with_grad in cases:
        s.output('images2neibs_' + name,
                 neighbours.images2neibs(image, shape, step, mode=mode),
                 wrt=(image,) if with_grad else ())
    # (Theano's gradient of neibs2images fails with ignore_borders)
    for name, image, shape, mode, with_grad in (
            ('valid_3_5', images, (3, 5), 'valid', True),
            ('ignore_borders_2_2', odd, (2, 2), 'ignore_borders', False)):
        patches = neighbours.images2neibs(image, shape, mode=mode)
        s.output('neibs2images_' + name,
                 neighbours.neibs2images(patches, shape, image.shape,
                                         mode=mode),
                 wrt=(image,) if with_grad else ())
    s.run()


def topk_section(rng):
    s = Section(rng)
    x = s.floats('x', (4, 9))
    ints = s.given('ints', rng.permutation(30).reshape(3, 10).astype('int64'))
    # (name, tensor, kth, axis, idx_dtype).  Only |kth| = 1 or the whole
    # axis: for other kth, Theano 1.0.5's CPU topk indexes with a list of
    # slices, which NumPy 1.23 (the side environment's) refuses.
    cases = [('k1_axis1', x, 1, 1, 'int64'),
             ('k_minus_1_axis0', x, -1, 0, 'int32'),
             ('k_all_axis1', x, 9, 1, 'int64'),
             ('k_minus_all_axis0', x, -4, 0, 'int64'),
             ('k1_flat', x, 1, None, 'int64'),
             ('ints_k_minus_1', ints, -1, 1, 'int32'),
             ('ints_k_all', ints, 3, 0, 'int64')]
    for name, tensor, kth, axis, idx_dtype in cases:
        values, indices = topk_and_argtopk(tensor, kth, axis=axis,
                                                sorted=False,
                                                idx_dtype=idx_dtype)
        along = 0 if axis is None else axis
        s.output('topk_values_' + name, values, sort_axis=along)
        s.output('topk_indices_' + name, indices, sort_axis=along)
        s.output('argtopk_' + name,
                 argtopk(tensor, kth, axis=axis, sorted=False,
                         idx_dtype=idx_dtype), sort_axis=along)
        if tensor is x:
            values = topk(tensor, kth, axis=axis, sorted=False)
            s.output('topk_square_sum_' + name, (values ** 2).sum(),
                     wrt=(x,))
    s.run()


def nnet_section(rng):
    s = Section(rng)
    nnet = T.nnet
    x = s.floats('x', (5, 4), -2., 2.)
    b = s.floats('b', (4,))
    y = s.given('y', numpy.array([0, 3, 1, 3, 2], dtype='int32'))
    y64 = s.given('y64', numpy.array([2, 0, 0, 1, 3], dtype='int64'))
    s.output('softmax_with_bias', nnet.softmax_with_bias(x, b), wrt=(x, b))
    dy = s.floats('dy', (5, 4))
    x_value = s.inputs[0][1]
    e_x = numpy.exp(x_value - x_value.max(axis=1, keepdims=True))
    sm = s.given('sm', e_x / e_x.sum(axis=1, keepdims=True))
    s.output('softmax_grad', nnet.softmax_grad(dy, sm), wrt=(dy, sm))
    s.output('softmax_op', nnet.softmax_op(x), wrt=(x,))
    s.output('logsoftmax_op', nnet.logsoftmax_op(x), wrt=(x,))
    s.output('softmax_graph', nnet.softmax_graph(x), wrt=(x,))
    nll, smb, am = nnet.crossentropy_softmax_argmax_1hot_with_bias(x, b, y)
    s.output('xent_argmax_nll', nll, wrt=(x, b))
    s.output('xent_argmax_sm', smb, wrt=(x, b))
    s.output('xent_argmax_am', am)
    nll, sm1 = nnet.crossentropy_softmax_1hot(x, y64)
    s.output('xent_1hot_nll', nll, wrt=(x,))
    s.output('xent_1hot_sm', sm1)
    nll, smb, max_pr, argmax = \
        nnet.crossentropy_softmax_max_and_argmax_1hot_with_bias(x, b, y)
    s.output('xent_max_and_argmax_max', max_pr, wrt=(x, b))
    s.output('xent_max_and_argmax_argmax', argmax)
    dnll = s.floats('dnll', (5,))
    s.output('xent_dx', nnet.crossentropy_softmax_1hot_with_bias_dx(
        dnll, sm, y), wrt=(dnll, sm))
    coding = s.floats('coding', (5, 4), 0.05, 1.)
    s.output('xent_categorical_1hot',
             nnet.crossentropy_categorical_1hot(coding, y64), wrt=(coding,))
    s.output('xent_categorical_1hot_grad',
             nnet.crossentropy_categorical_1hot_grad(dnll, coding, y64))
    s.output('xent_categorical_1hot_of_softmax',
             nnet.crossentropy_categorical_1hot(nnet.softmax(x), y), wrt=(x,))
    target = s.floats('target', (5, 4), 0., 1.)
    s.output('categorical_crossentropy_dense',
             nnet.categorical_crossentropy(coding, target),
             wrt=(coding, target))
    s.output('categorical_crossentropy_labels',
             nnet.categorical_crossentropy(coding, y), wrt=(coding,))
    prob = s.floats('prob', (5, 4), 0.05, 0.95)
    s.output('binary_crossentropy', nnet.binary_crossentropy(prob, target),
             wrt=(prob, target))
    s.output('sigmoid_binary_crossentropy',
             nnet.sigmoid_binary_crossentropy(x, target), wrt=(x, target))
    # activations, with exact zeros among the inputs
    z = s.given('z', numpy.asarray(
        [[-2.5, -1., -0.25, 0., 0.], [0.3, 1., 2.5, -0.7, 0.]], FLOATX))
    s.output('relu', nnet.relu(z), wrt=(z,))
    s.output('relu_alpha_0_1', nnet.relu(z, 0.1), wrt=(z,))
    s.output('elu', nnet.elu(z), wrt=(z,))
    s.output('elu_alpha_0_5', nnet.elu(z, 0.5), wrt=(z,))
    s.output('selu', nnet.selu(z), wrt=(z,))
    s.output('softsign', nnet.softsign(z * 20), wrt=(z,))
    s.output('hard_sigmoid', nnet.hard_sigmoid(z * 3), wrt=(z,))
    # (Theano's ultra_fast_sigmoid had no gradient)
    s.output('ultra_fast_sigmoid', nnet.ultra_fast_sigmoid(
        T.concatenate([z.flatten() * 8, z.flatten()])))
    s.output('prepend_scalar', nnet.prepend_scalar_to_each_row(
        T.constant(numpy.asarray(2.5, FLOATX)), x), wrt=(x,))
    s.output('prepend_1', nnet.prepend_1_to_each_row(x))
    actual = s.given('actual', numpy.array([2, 0, 2, 2, 0, 5], 'int64'))
    pred = s.given('pred', numpy.array([0, 0, 2, 2, 0, 2], 'int64'))
    conf, order = nnet.confusion_matrix(actual, pred)
    s.output('confusion_matrix', conf)
    s.output('confusion_matrix_order', order)
    # two-level hierarchical softmax: 7 outputs in 3 classes of 3
    h = s.floats('h', (5, 6))
    w1 = s.floats('w1', (6, 3))
    b1 = s.floats('b1', (3,))
    w2 = s.floats('w2', (3, 6, 3))
    b2 = s.floats('b2', (3, 3))
    labels = s.given('labels', numpy.array([6, 0, 4, 2, 5], 'int32'))
    s.output('h_softmax_all', nnet.h_softmax(h, 5, 7, 3, 3, w1, b1, w2, b2),
             wrt=(h, w1, b1, w2, b2))
    s.output('h_softmax_target', nnet.h_softmax(h, 5, 7, 3, 3, w1, b1, w2,
                                                b2, labels),
             wrt=(h, w1, b1, w2, b2))
    s.run()


def old_conv_section(rng):
    s = Section(rng)
    # (prepend_0_to_each_row here, away from prepend_1_to_each_row: Theano's
    # two ops compare equal, and its optimizer merged them into one)
    s.output('prepend_0',
             T.nnet.prepend_0_to_each_row(s.floats('m', (2, 3))))
    images = s.floats('images', (2, 3, 6, 5))
    filters = s.floats('filters', (4, 3, 3, 2))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # its deprecation warning
        s.output('nnet_conv_valid', nnet_conv.conv2d(images, filters),
                 wrt=(images, filters))
        s.output('nnet_conv_full_subsample_2_1', nnet_conv.conv2d(
            images, filters, image_shape=(2, 3, 6, 5),
            filter_shape=(4, 3, 3, 2), border_mode='full',
            subsample=(2, 1)), wrt=(images, filters))
    image = s.floats('image', (6, 5))
    stack = s.floats('stack', (2, 6, 5))
    kernel = s.floats('kernel', (3, 2))
    kernels = s.floats('kernels', (3, 2, 3))
    s.output('signal_conv_2d_2d', signal_conv.conv2d(image, kernel),
             wrt=(image, kernel))
    s.output('signal_conv_3d_2d_full', signal_conv.conv2d(
        stack, kernel, border_mode='full'), wrt=(stack, kernel))
    s.output('signal_conv_2d_3d', signal_conv.conv2d(
        image, kernels, image_shape=(6, 5), filter_shape=(3, 2, 3)),
        wrt=(image, kernels))
    # (Theano's ConvOp had a gradient with a subsample only when given
    # every shape)
    s.output('signal_conv_3d_3d_full_subsample_1_2', signal_conv.conv2d(
        stack, kernels, image_shape=(2, 6, 5), filter_shape=(3, 2, 3),
        border_mode='full', subsample=(1, 2)), wrt=(stack, kernels))
    s.run()


def main():
    print('floatX %s' % FLOATX)
    rng = numpy.random.RandomState(42)
    for section in (batch_norm_section, neighbours_section, topk_section,
                    nnet_section, old_conv_section):
        section(rng)


if __name__ == '__main__':
    main()
