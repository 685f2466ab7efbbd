"""Multiclass logistic regression trained by minibatch SGD, Theano style.

Usage: python logreg.py SLICE.npz

The model is the tutorial's: p(y|x) = softmax(x W + b), with W of shape
(784, 10) and b of shape (10,), both starting at zero; the cost is the mean
negative log-likelihood of the minibatch, the error rate the fraction of
wrong argmax predictions.  Training runs a few epochs over the slice's
training rows with minibatches given to the compiled function through
``givens``, and reports, one result a line:

* ``name value``: a float written with ``repr`` (exact round-trip);
* a JSON object: an array's name, dtype, shape and checksums.
"""

import math
import sys

import numpy

import theano
import theano.tensor as T

from common import show, show_checksums, shared_dataset

BATCH_SIZE = 20
LEARNING_RATE = 0.13
N_EPOCHS = 3


class LogisticRegression(object):
    """Softmax regression on a minibatch ``input`` of shape (batch, n_in)."""

    def __init__(self, input, n_in, n_out):
        # W: (n_in, n_out), b: (n_out,), both zero at the start
        self.W = theano.shared(
            numpy.zeros((n_in, n_out), dtype=theano.config.floatX),
            name='W', borrow=True)
        self.b = theano.shared(
            numpy.zeros((n_out,), dtype=theano.config.floatX),
            name='b', borrow=True)
        # (batch, n_out): one row of class probabilities per example
        self.p_y_given_x = T.nnet.softmax(T.dot(input, self.W) + self.b)
        # (batch,): the most probable class
        self.y_pred = T.argmax(self.p_y_given_x, axis=1)
        self.params = [self.W, self.b]

    def negative_log_likelihood(self, y):
        """Mean over the minibatch of -log p(y_i | x_i); y of shape (batch,).

        Row i of the (batch, n_out) matrix of log-probabilities is indexed
        at column y[i] by pairing it with T.arange(batch)."""
        log_p = T.log(self.p_y_given_x)
        return -T.mean(log_p[T.arange(y.shape[0]), y])

    def errors(self, y):
        """Fraction of the minibatch whose predicted class is not y."""
        return T.mean(T.neq(self.y_pred, y))


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
    classifier = LogisticRegression(input=x, n_in=28 * 28, n_out=10)
    cost = classifier.negative_log_likelihood(y)

    def batch(set_x, set_y):
        """The givens that feed minibatch ``index`` of one set."""
        start, stop = index * BATCH_SIZE, (index + 1) * BATCH_SIZE
        return {x: set_x[start:stop], y: set_y[start:stop]}

    g_W = T.grad(cost=cost, wrt=classifier.W)
    g_b = T.grad(cost=cost, wrt=classifier.b)
    updates = [(classifier.W, classifier.W - LEARNING_RATE * g_W),
               (classifier.b, classifier.b - LEARNING_RATE * g_b)]
    train_model = theano.function(inputs=[index], outputs=cost,
                                  updates=updates,
                                  givens=batch(train_x, train_y))
    validate_model = theano.function(inputs=[index],
                                     outputs=classifier.errors(y),
                                     givens=batch(valid_x, valid_y))
    test_model = theano.function(inputs=[index],
                                 outputs=classifier.errors(y),
                                 givens=batch(test_x, test_y))

    print('floatX', theano.config.floatX)
    for epoch in range(1, N_EPOCHS + 1):
        costs = [train_model(i) for i in range(n_train)]
        for i in range(3):
            show('epoch%d_minibatch%d_cost' % (epoch, i), costs[i])
        show('epoch%d_mean_cost' % epoch, math.fsum(costs) / len(costs))
        errors = [validate_model(i) for i in range(n_valid)]
        show('epoch%d_valid_error' % epoch, math.fsum(errors) / n_valid)
    errors = [test_model(i) for i in range(n_test)]
    show('test_error', math.fsum(errors) / n_test)
    show_checksums('W', classifier.W.get_value())
    show_checksums('b', classifier.b.get_value())


if __name__ == '__main__':
    main(sys.argv[1])
