"""A few SGD steps of a denoising autoencoder, Theano style.

Usage: python da_step.py SLICE.npz

Tied weights: for a minibatch x of shape (B, 784), B = 20,

* corrupted x~ = binomial(size=x.shape, n=1, p=1 - corruption) * x, drawn
  by MRG_RandomStreams (symbolic size, so 60 * 256 streams);
* hidden y = sigmoid(x~ W + b), W of shape (784, 50), b of shape (50,);
* reconstruction z = sigmoid(y W^T + b'), b' of shape (784,);
* cost = mean over the minibatch of the cross-entropy
  -sum_j (x_j log z_j + (1 - x_j) log(1 - z_j)).

W starts uniform in +-4 sqrt(6 / (784 + 50)) from RandomState(123), whose
next draw, randint(2 ** 30), seeds the MRG stream.  The training function
takes the minibatch index and, as the stacked autoencoder's pretraining
does, the corruption level and learning rate as inputs with defaults
(theano.In(..., value=...)).  Prints, one a line, ``name value`` (a float
written with ``repr``) or a JSON object on an array (see logreg.py).
"""

import sys

import numpy

import theano
import theano.tensor as T
from theano.sandbox.rng_mrg import MRG_RandomStreams

from common import show, show_checksums

BATCH_SIZE = 20
N_HIDDEN = 50


class dA(object):
    """Denoising autoencoder with tied weights on ``input`` (batch, n_visible).
    """

    def __init__(self, numpy_rng, theano_rng, input, n_visible, n_hidden):
        bound = 4 * numpy.sqrt(6. / (n_hidden + n_visible))
        self.W = theano.shared(
            numpy.asarray(numpy_rng.uniform(low=-bound, high=bound,
                                            size=(n_visible, n_hidden)),
                          dtype=theano.config.floatX),
            name='W', borrow=True)
        self.b = theano.shared(
            numpy.zeros(n_hidden, dtype=theano.config.floatX),
            name='b', borrow=True)
        self.b_prime = theano.shared(
            numpy.zeros(n_visible, dtype=theano.config.floatX),
            name='b_prime', borrow=True)
        self.W_prime = self.W.T
        self.theano_rng = theano_rng
        self.x = input
        self.params = [self.W, self.b, self.b_prime]

    def get_corrupted_input(self, input, corruption_level):
        """Zero each entry with probability ``corruption_level``."""
        return self.theano_rng.binomial(size=input.shape, n=1,
                                        p=1 - corruption_level,
                                        dtype=theano.config.floatX) * input

    def get_hidden_values(self, input):
        """(batch, n_visible) -> (batch, n_hidden)."""
        return T.nnet.sigmoid(T.dot(input, self.W) + self.b)

    def get_reconstructed_input(self, hidden):
        """(batch, n_hidden) -> (batch, n_visible)."""
        return T.nnet.sigmoid(T.dot(hidden, self.W_prime) + self.b_prime)

    def get_cost_updates(self, corruption_level, learning_rate):
        """The mean cross-entropy cost and the SGD updates of the params."""
        tilde_x = self.get_corrupted_input(self.x, corruption_level)
        y = self.get_hidden_values(tilde_x)
        z = self.get_reconstructed_input(y)
        L = -T.sum(self.x * T.log(z) + (1 - self.x) * T.log(1 - z), axis=1)
        cost = T.mean(L)
        gparams = T.grad(cost, self.params)
        updates = [(param, param - learning_rate * gparam)
                   for param, gparam in zip(self.params, gparams)]
        return cost, updates


def main(path):
    data = numpy.load(path, allow_pickle=False)
    train_x = theano.shared(
        numpy.asarray(data['train_x'], dtype=theano.config.floatX),
        borrow=True)

    numpy_rng = numpy.random.RandomState(123)
    theano_rng = MRG_RandomStreams(numpy_rng.randint(2 ** 30))
    index = T.lscalar('index')
    x = T.matrix('x')  # (B, 784)
    corruption_level = T.scalar('corruption')
    learning_rate = T.scalar('lr')
    da = dA(numpy_rng=numpy_rng, theano_rng=theano_rng, input=x,
            n_visible=28 * 28, n_hidden=N_HIDDEN)
    cost, updates = da.get_cost_updates(corruption_level, learning_rate)
    train_da = theano.function(
        [index,
         theano.In(corruption_level, value=0.3),
         theano.In(learning_rate, value=0.1)],
        cost, updates=updates,
        givens={x: train_x[index * BATCH_SIZE:(index + 1) * BATCH_SIZE]})

    print('floatX', theano.config.floatX)
    show_checksums('W_initial', da.W.get_value())
    # (minibatch index, keyword arguments): defaults first, then others
    steps = [(i, {}) for i in range(8)]
    steps += [(8, dict(corruption=0.0)), (9, dict(corruption=0.5)),
              (10, dict(lr=0.05)), (11, dict(corruption=0.1, lr=0.2)),
              (0, {})]
    for step, (i, kwargs) in enumerate(steps):
        show('step%d_minibatch%d_cost' % (step, i), train_da(i, **kwargs))
    show_checksums('W', da.W.get_value())
    show_checksums('b', da.b.get_value())
    show_checksums('b_prime', da.b_prime.get_value())


if __name__ == '__main__':
    main(sys.argv[1])
