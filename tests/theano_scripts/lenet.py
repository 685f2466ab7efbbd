"""A small LeNet: two convolution + max-pooling layers, Theano style.

Usage: python lenet.py SLICE.npz

Shapes for a minibatch of B = 50 images and nkerns = [4, 6]:

* input (B, 784) reshaped to (B, 1, 28, 28);
* layer 0: conv2d with 4 filters (4, 1, 5, 5) -> (B, 4, 24, 24), max pool
  2x2 -> (B, 4, 12, 12), plus bias, tanh;
* layer 1: conv2d with 6 filters (6, 4, 5, 5) -> (B, 6, 8, 8), max pool
  2x2 -> (B, 6, 4, 4), plus bias, tanh;
* layer 2: flattened to (B, 96), tanh hidden layer -> (B, 50);
* layer 3: softmax regression -> (B, 10).

Filters start uniform in +-sqrt(6 / (fan_in + fan_out)) from
numpy.random.RandomState(23455).  Prints, one a line, ``name value`` (a
float written with ``repr``) or a JSON object on an array (see logreg.py).
"""

import math
import sys

import numpy

import theano
import theano.tensor as T
from theano.tensor.nnet import conv2d
from theano.tensor.signal import pool

from common import show, show_checksums, shared_dataset

BATCH_SIZE = 50
NKERNS = [4, 6]
N_HIDDEN = 50
LEARNING_RATE = 0.1
N_EPOCHS = 2


class LeNetConvPoolLayer(object):
    """tanh(maxpool(conv2d(input, W)) + b).

    input: (batch, channels, height, width) = image_shape;
    W: filter_shape = (filters, channels, fh, fw); b: (filters,);
    output: (batch, filters, (height - fh + 1) // 2, (width - fw + 1) // 2).
    """

    def __init__(self, rng, input, filter_shape, image_shape,
                 poolsize=(2, 2)):
        assert image_shape[1] == filter_shape[1]
        fan_in = numpy.prod(filter_shape[1:])
        fan_out = (filter_shape[0] * numpy.prod(filter_shape[2:])
                   // numpy.prod(poolsize))
        bound = numpy.sqrt(6. / (fan_in + fan_out))
        self.W = theano.shared(
            numpy.asarray(rng.uniform(low=-bound, high=bound,
                                      size=filter_shape),
                          dtype=theano.config.floatX),
            borrow=True)
        self.b = theano.shared(
            numpy.zeros((filter_shape[0],), dtype=theano.config.floatX),
            borrow=True)
        conv_out = conv2d(input=input, filters=self.W,
                          filter_shape=filter_shape, input_shape=image_shape)
        pooled_out = pool.pool_2d(input=conv_out, ws=poolsize,
                                  ignore_border=True)
        # b broadcast over the batch, rows and columns
        self.output = T.tanh(pooled_out + self.b.dimshuffle('x', 0, 'x', 'x'))
        self.params = [self.W, self.b]


class HiddenLayer(object):
    """tanh(input W + b): input (batch, n_in) -> output (batch, n_out)."""

    def __init__(self, rng, input, n_in, n_out):
        bound = numpy.sqrt(6. / (n_in + n_out))
        self.W = theano.shared(
            numpy.asarray(rng.uniform(low=-bound, high=bound,
                                      size=(n_in, n_out)),
                          dtype=theano.config.floatX),
            borrow=True)
        self.b = theano.shared(
            numpy.zeros((n_out,), dtype=theano.config.floatX), borrow=True)
        self.output = T.tanh(T.dot(input, self.W) + self.b)
        self.params = [self.W, self.b]


class LogisticRegression(object):
    """softmax(input W + b): input (batch, n_in) -> (batch, n_out)."""

    def __init__(self, input, n_in, n_out):
        self.W = theano.shared(
            numpy.zeros((n_in, n_out), dtype=theano.config.floatX),
            borrow=True)
        self.b = theano.shared(
            numpy.zeros((n_out,), dtype=theano.config.floatX), borrow=True)
        self.p_y_given_x = T.nnet.softmax(T.dot(input, self.W) + self.b)
        self.y_pred = T.argmax(self.p_y_given_x, axis=1)
        self.params = [self.W, self.b]

    def negative_log_likelihood(self, y):
        """Mean of -log p(y_i | x_i) over the minibatch; y (batch,)."""
        return -T.mean(T.log(self.p_y_given_x)[T.arange(y.shape[0]), y])

    def errors(self, y):
        """Fraction of the minibatch predicted wrong."""
        return T.mean(T.neq(self.y_pred, y))


def main(path):
    data = numpy.load(path, allow_pickle=False)
    train_x, train_y = shared_dataset(data['train_x'], data['train_y'])
    valid_x, valid_y = shared_dataset(data['valid_x'], data['valid_y'])
    test_x, test_y = shared_dataset(data['test_x'], data['test_y'])
    n_train = data['train_x'].shape[0] // BATCH_SIZE
    n_valid = data['valid_x'].shape[0] // BATCH_SIZE
    n_test = data['test_x'].shape[0] // BATCH_SIZE

    rng = numpy.random.RandomState(23455)
    index = T.lscalar('index')
    x = T.matrix('x')   # (B, 784)
    y = T.ivector('y')  # (B,)

    layer0_input = x.reshape((BATCH_SIZE, 1, 28, 28))
    layer0 = LeNetConvPoolLayer(rng, input=layer0_input,
                                image_shape=(BATCH_SIZE, 1, 28, 28),
                                filter_shape=(NKERNS[0], 1, 5, 5))
    layer1 = LeNetConvPoolLayer(rng, input=layer0.output,
                                image_shape=(BATCH_SIZE, NKERNS[0], 12, 12),
                                filter_shape=(NKERNS[1], NKERNS[0], 5, 5))
    layer2 = HiddenLayer(rng, input=layer1.output.flatten(2),
                         n_in=NKERNS[1] * 4 * 4, n_out=N_HIDDEN)
    layer3 = LogisticRegression(input=layer2.output, n_in=N_HIDDEN, n_out=10)
    cost = layer3.negative_log_likelihood(y)
    params = layer3.params + layer2.params + layer1.params + layer0.params

    def batch(set_x, set_y):
        """The givens that feed minibatch ``index`` of one set."""
        start, stop = index * BATCH_SIZE, (index + 1) * BATCH_SIZE
        return {x: set_x[start:stop], y: set_y[start:stop]}

    grads = T.grad(cost, params)
    updates = [(param, param - LEARNING_RATE * grad)
               for param, grad in zip(params, grads)]
    train_model = theano.function([index], cost, updates=updates,
                                  givens=batch(train_x, train_y))
    validate_model = theano.function([index], layer3.errors(y),
                                     givens=batch(valid_x, valid_y))
    test_model = theano.function([index], layer3.errors(y),
                                 givens=batch(test_x, test_y))

    print('floatX', theano.config.floatX)
    show_checksums('layer0_W_initial', layer0.W.get_value())
    show_checksums('layer1_W_initial', layer1.W.get_value())
    for epoch in range(1, N_EPOCHS + 1):
        costs = [train_model(i) for i in range(n_train)]
        for i in range(3):
            show('epoch%d_minibatch%d_cost' % (epoch, i), costs[i])
        show('epoch%d_mean_cost' % epoch, math.fsum(costs) / len(costs))
        errors = [validate_model(i) for i in range(n_valid)]
        show('epoch%d_valid_error' % epoch, math.fsum(errors) / n_valid)
    errors = [test_model(i) for i in range(n_test)]
    show('test_error', math.fsum(errors) / n_test)
    for name, layer in (('layer0', layer0), ('layer1', layer1),
                        ('layer2', layer2), ('layer3', layer3)):
        show_checksums(name + '_W', layer.W.get_value())
        show_checksums(name + '_b', layer.b.get_value())


if __name__ == '__main__':
    main(sys.argv[1])
