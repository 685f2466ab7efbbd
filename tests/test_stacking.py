"""Other tutorials stack LogisticRegression on their own layers.

The MLP below is written as a Theano-era tutorial writes it; only its
import lines differ from the original (``from theano_compat import theano,
T`` instead of ``import theano`` and ``import theano.tensor as T``).
"""

import numpy

from theano_compat import theano, T
from logistic_sgd import LogisticRegression, load_data


class HiddenLayer(object):
    def __init__(self, rng, input, n_in, n_out, activation=T.tanh):
        self.input = input
        bound = numpy.sqrt(6. / (n_in + n_out))
        W_values = numpy.asarray(rng.uniform(low=-bound, high=bound,
                                             size=(n_in, n_out)),
                                 dtype=theano.config.floatX)
        if activation == theano.tensor.nnet.sigmoid:
            W_values *= 4
        self.W = theano.shared(value=W_values, name='W', borrow=True)
        b_values = numpy.zeros((n_out,), dtype=theano.config.floatX)
        self.b = theano.shared(value=b_values, name='b', borrow=True)
        self.output = activation(T.dot(input, self.W) + self.b)
        self.params = [self.W, self.b]


class MLP(object):
    def __init__(self, rng, input, n_in, n_hidden, n_out, activation):
        self.hiddenLayer = HiddenLayer(rng=rng, input=input, n_in=n_in,
                                       n_out=n_hidden, activation=activation)
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
        self.input = input


def train_mlp(dataset, activation, n_steps=60, batch_size=20):
    datasets = load_data(dataset)
    train_set_x, train_set_y = datasets[0]
    index = T.lscalar()
    x = T.matrix('x')
    y = T.ivector('y')
    rng = numpy.random.RandomState(1234)
    classifier = MLP(rng=rng, input=x, n_in=28 * 28, n_hidden=50, n_out=10,
                     activation=activation)
    cost = (classifier.negative_log_likelihood(y)
            + 0.00 * classifier.L1 + 0.0001 * classifier.L2_sqr)
    gparams = [T.grad(cost, param) for param in classifier.params]
    updates = [(param, param - 0.1 * gparam)
               for param, gparam in zip(classifier.params, gparams)]
    train_model = theano.function(
        inputs=[index], outputs=cost, updates=updates,
        givens={x: train_set_x[index * batch_size:(index + 1) * batch_size],
                y: train_set_y[index * batch_size:(index + 1) * batch_size]})
    return [float(train_model(i)) for i in range(n_steps)]


def test_mlp_with_tanh_hidden_layer_learns(small_mnist):
    costs = train_mlp(small_mnist, T.tanh)
    # The cost of the first minibatches is about log(10) = 2.3; a few
    # dozen steps must bring the average well below it.
    assert 2.0 < costs[0] < 2.6
    assert numpy.mean(costs[-10:]) < costs[0] - 0.5


def test_mlp_with_sigmoid_hidden_layer_learns(small_mnist):
    costs = train_mlp(small_mnist, theano.tensor.nnet.sigmoid)
    assert numpy.mean(costs[-10:]) < costs[0] - 0.2
