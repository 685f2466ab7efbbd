"""
Logistic regression on MNIST, trained by SciPy's nonlinear conjugate
gradient instead of stochastic gradient descent.

Conjugate gradient is a batch method: each step looks at the cost and the
gradient over the whole training set, picks a search direction that does
not undo the previous steps, and searches along it for a good step length.
There is no learning rate to choose, and on a small convex problem such as
this one it can reach a good model in few steps.

SciPy's optimizers work on one flat vector of parameters, so here the model
keeps ``W`` and ``b`` as two parts of a single shared vector ``theta``:
``W`` is the first ``n_in * n_out`` entries reshaped to (n_in, n_out), ``b``
the last ``n_out``.  The cost and its gradient with respect to ``theta`` are
compiled once; SciPy calls them with the current ``theta`` as a NumPy
vector.

The model's loss and error rate, and the data loading, are those of
``logistic_sgd.py``.
"""

from __future__ import print_function

__docformat__ = 'restructedtext en'

import argparse
import os
import sys
import timeit

if __name__ == '__main__':
    # Run as a script: the settings are checked (logistic_sgd_cli), this
    # file is imported as the module logistic_cg, and its main() runs.
    import logistic_sgd_cli
    sys.exit(logistic_sgd_cli.import_tutorial('logistic_cg').main())

import numpy
import scipy.optimize

from theano_compat import theano, T, backend_description
from logistic_sgd import (LogisticRegression, SettingError, check_batch_size,
                          load_data)
from logistic_sgd_cli import keyword_defaults, positive_int
import mnist_data


class FlatLogisticRegression(LogisticRegression):
    """:class:`logistic_sgd.LogisticRegression` with its parameters in one
    flat shared vector, the form SciPy's optimizers work with.

    ``negative_log_likelihood`` and ``errors`` are inherited unchanged.
    """

    def __init__(self, input, n_in, n_out):
        """Build the model's graph on top of ``input``.

        :type input: theano.tensor.TensorType
        :param input: symbolic matrix of shape (n_examples, n_in)

        :type n_in: int
        :param n_in: number of input units: the length of one example

        :type n_out: int
        :param n_out: number of output units: the number of classes
        """
        # theta holds W (n_in * n_out values, row after row) followed by
        # b (n_out values); all start at zero.
        self.theta = theano.shared(
            value=numpy.zeros(n_in * n_out + n_out,
                              dtype=theano.config.floatX),
            name='theta',
            borrow=True
        )
        # W and b are symbolic views into theta, not variables of their
        # own: a new theta changes both.
        self.W = self.theta[0:n_in * n_out].reshape((n_in, n_out))
        self.b = self.theta[n_in * n_out:n_in * n_out + n_out]

        self.p_y_given_x = T.nnet.softmax(T.dot(input, self.W) + self.b)
        self.y_pred = T.argmax(self.p_y_given_x, axis=1)

        self.params = [self.theta]
        self.input = input


def cg_optimization_mnist(n_epochs=50, dataset='mnist.pkl.gz',
                          batch_size=600):
    """Train logistic regression on MNIST by conjugate gradient.

    :type n_epochs: int
    :param n_epochs: the most iterations of conjugate gradient
        (``maxiter`` of :func:`scipy.optimize.fmin_cg`)

    :type dataset: str
    :param dataset: the MNIST file (see :func:`logistic_sgd.load_data`)

    :type batch_size: int
    :param batch_size: examples per minibatch.  The cost and gradient are
        still those of the whole training set: they are computed one
        minibatch at a time and averaged, which keeps memory small.

    :rtype: dict with ``best_validation_loss``, ``test_score`` (fractions),
        ``iterations`` (int), ``history`` (the validation error after each
        iteration) and ``theta`` (the final parameter vector, float64)
    :raises SettingError: if ``batch_size`` does not fit the data
    """
    datasets = load_data(dataset)
    check_batch_size(batch_size, datasets)

    train_set_x, train_set_y = datasets[0]
    valid_set_x, valid_set_y = datasets[1]
    test_set_x, test_set_y = datasets[2]

    n_train_batches = train_set_x.get_value(borrow=True).shape[0] // batch_size
    n_valid_batches = valid_set_x.get_value(borrow=True).shape[0] // batch_size
    n_test_batches = test_set_x.get_value(borrow=True).shape[0] // batch_size

    n_in = 28 * 28  # pixels of one MNIST image
    n_out = 10  # digits

    ######################
    # BUILD ACTUAL MODEL #
    ######################
    print('... building the model')
    print('... using ' + backend_description())

    index = T.lscalar()  # index of a minibatch
    x = T.matrix('x')  # minibatch of images, one flattened image per row
    y = T.ivector('y')  # their labels, as int32

    classifier = FlatLogisticRegression(input=x, n_in=n_in, n_out=n_out)
    cost = classifier.negative_log_likelihood(y)

    def minibatch(set_x, set_y):
        """givens that put minibatch ``index`` of a set in place of x, y."""
        return {x: set_x[index * batch_size: (index + 1) * batch_size],
                y: set_y[index * batch_size: (index + 1) * batch_size]}

    # Error rate on one minibatch of the test and validation sets.
    test_model = theano.function(
        [index], classifier.errors(y),
        givens=minibatch(test_set_x, test_set_y), name='test_model')
    validate_model = theano.function(
        [index], classifier.errors(y),
        givens=minibatch(valid_set_x, valid_set_y), name='validate_model')

    # Cost of one training minibatch, and its gradient with respect to the
    # whole parameter vector theta (a vector of the same length).
    batch_cost = theano.function(
        [index], cost,
        givens=minibatch(train_set_x, train_set_y), name='batch_cost')
    batch_grad = theano.function(
        [index], T.grad(cost, classifier.theta),
        givens=minibatch(train_set_x, train_set_y), name='batch_grad')

    # The three functions SciPy calls, each with theta as a float64 NumPy
    # vector: load it into the model, then compute.
    def set_theta(theta_value):
        classifier.theta.set_value(
            numpy.asarray(theta_value, dtype=theano.config.floatX))

    def train_fn(theta_value):
        """Mean negative log-likelihood over the training set."""
        set_theta(theta_value)
        return float(numpy.mean([batch_cost(i)
                                 for i in range(n_train_batches)]))

    def train_fn_grad(theta_value):
        """Gradient of :func:`train_fn`: the mean minibatch gradient."""
        set_theta(theta_value)
        grad = numpy.zeros(len(theta_value))
        for i in range(n_train_batches):
            grad += batch_grad(i)
        return grad / n_train_batches

    # Filled in by the callback after each iteration.
    best = {'validation_loss': numpy.inf, 'test_score': 0., 'iteration': 0}
    history = []

    def callback(theta_value):
        """After each iteration: validate, and test a new best model."""
        set_theta(theta_value)
        iteration = len(history) + 1
        this_validation_loss = numpy.mean([validate_model(i)
                                           for i in range(n_valid_batches)])
        history.append(float(this_validation_loss))
        print('iteration %i, validation error %f %%'
              % (iteration, this_validation_loss * 100.))
        if this_validation_loss < best['validation_loss']:
            best['validation_loss'] = float(this_validation_loss)
            best['iteration'] = iteration
            best['test_score'] = float(numpy.mean(
                [test_model(i) for i in range(n_test_batches)]))
            print('     iteration %i, test error of best model %f %%'
                  % (iteration, best['test_score'] * 100.))

    ###############
    # TRAIN MODEL #
    ###############
    print('... training the model')
    start_time = timeit.default_timer()
    theta_value = scipy.optimize.fmin_cg(
        f=train_fn,
        x0=numpy.zeros(n_in * n_out + n_out),
        fprime=train_fn_grad,
        callback=callback,
        disp=0,
        maxiter=n_epochs
    )
    end_time = timeit.default_timer()
    print(('Optimization complete with best validation score of %f %%, '
           'with test performance %f %%')
          % (best['validation_loss'] * 100., best['test_score'] * 100.))
    print('The code ran for %d iterations, with %f iterations/sec'
          % (len(history), len(history) / (end_time - start_time)))
    print(('The code for file ' + os.path.split(__file__)[1] +
           ' ran for %.1fs' % (end_time - start_time)), file=sys.stderr)
    return {'best_validation_loss': best['validation_loss'],
            'test_score': best['test_score'], 'iterations': len(history),
            'history': history, 'theta': theta_value}


def main(argv=None):
    """Command line; with no arguments, 50 iterations on the bundled MNIST.

    :rtype: int, the exit status
    """
    defaults = keyword_defaults(cg_optimization_mnist)
    parser = argparse.ArgumentParser(
        description='Train logistic regression on MNIST by conjugate '
                    'gradient (scipy.optimize.fmin_cg).')
    parser.add_argument('--n-epochs', type=positive_int,
                        default=defaults['n_epochs'],
                        help='most iterations of conjugate gradient '
                             '(default: %(default)s)')
    parser.add_argument('--batch-size', type=positive_int,
                        default=defaults['batch_size'],
                        help='examples per minibatch when adding up the '
                             'cost and gradient (default: %(default)s)')
    parser.add_argument('--dataset', default=defaults['dataset'],
                        help='the MNIST file; a bare name is looked up in '
                             'data/ (default: %(default)s)')
    parser.add_argument('--dry-run', action='store_true',
                        help='one iteration only, to check that everything '
                             'runs')
    args = parser.parse_args(argv)
    try:
        cg_optimization_mnist(n_epochs=1 if args.dry_run else args.n_epochs,
                              dataset=args.dataset,
                              batch_size=args.batch_size)
    except SettingError as err:
        parser.error(str(err))
    except mnist_data.DataError as err:
        print('error: %s' % err, file=sys.stderr)
        return 2
    return 0
