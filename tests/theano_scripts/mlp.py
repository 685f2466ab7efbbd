"""A one-hidden-layer perceptron trained by minibatch SGD, Theano style.

Usage: python mlp.py SLICE.npz

Input (batch, 784) -> tanh hidden layer (batch, 100) -> softmax (batch, 10).
The hidden weights start Glorot-uniform from numpy.random.RandomState(1234),
the softmax layer at zero; the cost is the mean negative log-likelihood plus
L1 and squared-L2 penalties on both weight matrices.  Prints, one a line,
``name value`` (a float written with ``repr``) or a JSON object on an array
(see logreg.py).
"""

import math
import sys

import numpy

import theano
import theano.tensor as T

from common import show, show_checksums, shared_dataset

BATCH_SIZE = 20
N_HIDDEN = 100
LEARNING_RATE = 0.01
L1_REG = 0.0001
L2_REG = 0.0001
N_EPOCHS = 3


class HiddenLayer(object):
    """tanh(input W + b): input (batch, n_in) -> output (batch, n_out)."""

    def __init__(self, rng, input, n_in, n_out):
        # W (n_in, n_out) uniform in +-sqrt(6 / (n_in + n_out)); b (n_out,) 0
        bound = numpy.sqrt(6. / (n_in + n_out))
        W_values = numpy.asarray(
            rng.uniform(low=-bound, high=bound, size=(n_in, n_out)),
            dtype=theano.config.floatX)
        self.W = theano.shared(value=W_values, name='W', borrow=True)
        self.b = theano.shared(
            value=numpy.zeros((n_out,), dtype=theano.config.floatX),
            name='b', borrow=True)
        self.output = T.tanh(T.dot(input, self.W) + self.b)
        self.params = [self.W, self.b]


class LogisticRegression(object):
    """softmax(input W + b): input (batch, n_in) -> (batch, n_out)."""

    def __init__(self, input, n_in, n_out):
        self.W = theano.shared(
            numpy.zeros((n_in, n_out), dtype=theano.config.floatX),
            name='W', borrow=True)
        self.b = theano.shared(
            numpy.zeros((n_out,), dtype=theano.config.floatX),
            name='b', borrow=True)
        self.p_y_given_x = T.nnet.softmax(T.dot(input, self.W) + self.b)
        self.y_pred = T.argmax(self.p_y_given_x, axis=1)
        self.params = [self.W, self.b]

    def negative_log_likelihood(self, y):
        """Mean of -log p(y_i | x_i) over the minibatch; y (batch,)."""
        return -T.mean(T.log(self.p_y_given_x)[T.arange(y.shape[0]), y])

    def errors(self, y):
        """Fraction of the minibatch predicted wrong."""
        return T.mean(T.neq(self.y_pred, y))


class MLP(object):
    """The hidden layer feeding the softmax layer, with its penalties."""

    def __init__(self, rng, input, n_in, n_hidden, n_out):
        self.hiddenLayer = HiddenLayer(rng=rng, input=input, n_in=n_in,
                                       n_out=n_hidden)
        self.logRegressionLayer = LogisticRegression(
            input=self.hiddenLayer.output, n_in=n_hidden, n_out=n_out)
        self.L1 = (abs(self.hiddenLayer.W).sum()
                   + abs(self.logRegressionLayer.W).sum())
        self.L2_sqr = ((self.hiddenLayer.W ** 2).sum()
                       + (self.logRegressionLayer.W ** 2).sum())
        self.negative_log_likelihood = (
            self.logRegressionLayer.negative_log_likelihood)
        self.errors = self.logRegressionLayer.errors
        self.params = self.hiddenLayer.params + self.logRegressionLayer.params


def main(path):
    data = numpy.load(path, allow_pickle=False)
    train_x, train_y = shared_dataset(data['train_x'], data['train_y'])
    valid_x, valid_y = shared_dataset(data['valid_x'], data['valid_y'])
    test_x, test_y = shared_dataset(data['test_x'], data['test_y'])
    n_train = data['train_x'].shape[0] // BATCH_SIZE
    n_valid = data['valid_x'].shape[0] // BATCH_SIZE
    n_test = data['test_x'].shape[0] // BATCH_SIZE

    index = T.lscalar('index')
    x = T.matrix('x')   # (batch, 784)
    y = T.ivector('y')  # (batch,)
    rng = numpy.random.RandomState(1234)
    classifier = MLP(rng=rng, input=x, n_in=28 * 28, n_hidden=N_HIDDEN,
                     n_out=10)
    cost = (classifier.negative_log_likelihood(y)
            + L1_REG * classifier.L1 + L2_REG * classifier.L2_sqr)

    def batch(set_x, set_y):
        """The givens that feed minibatch ``index`` of one set."""
        start, stop = index * BATCH_SIZE, (index + 1) * BATCH_SIZE
        return {x: set_x[start:stop], y: set_y[start:stop]}

    gparams = [T.grad(cost, param) for param in classifier.params]
    updates = [(param, param - LEARNING_RATE * gparam)
               for param, gparam in zip(classifier.params, gparams)]
    train_model = theano.function([index], cost, updates=updates,
                                  givens=batch(train_x, train_y))
    validate_model = theano.function([index], classifier.errors(y),
                                     givens=batch(valid_x, valid_y))
    test_model = theano.function([index], classifier.errors(y),
                                 givens=batch(test_x, test_y))

    print('floatX', theano.config.floatX)
    show_checksums('hidden_W_initial', classifier.hiddenLayer.W.get_value())
    for epoch in range(1, N_EPOCHS + 1):
        costs = [train_model(i) for i in range(n_train)]
        for i in range(3):
            show('epoch%d_minibatch%d_cost' % (epoch, i), costs[i])
        show('epoch%d_mean_cost' % epoch, math.fsum(costs) / len(costs))
        errors = [validate_model(i) for i in range(n_valid)]
        show('epoch%d_valid_error' % epoch, math.fsum(errors) / n_valid)
    errors = [test_model(i) for i in range(n_test)]
    show('test_error', math.fsum(errors) / n_test)
    show_checksums('hidden_W', classifier.hiddenLayer.W.get_value())
    show_checksums('hidden_b', classifier.hiddenLayer.b.get_value())
    show_checksums('logreg_W', classifier.logRegressionLayer.W.get_value())
    show_checksums('logreg_b', classifier.logRegressionLayer.b.get_value())


if __name__ == '__main__':
    main(sys.argv[1])
