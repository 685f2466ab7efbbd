"""
Logistic regression on MNIST, trained by minibatch stochastic gradient
descent with early stopping: the first model of the Deep Learning Tutorials.

The model is a linear map followed by a softmax.  With a weight matrix
:math:`W` and a bias vector :math:`b`, the probability that the input
:math:`x` belongs to class :math:`i` is

.. math::

    P(Y=i|x, W, b) = softmax_i(W x + b)
                   = \\frac{e^{W_i x + b_i}}{\\sum_j e^{W_j x + b_j}}

and the predicted class is the most probable one,
:math:`y_{pred} = argmax_i P(Y=i|x, W, b)`.

Everything below is written as symbolic graphs, compiled into functions
that take a minibatch index: the data sit in shared variables and
``givens`` selects the minibatch, ``updates`` applies the gradient step.

Reference: C. M. Bishop, "Pattern Recognition and Machine Learning",
section 4.3.2.
"""

from __future__ import print_function

__docformat__ = 'restructedtext en'

import os
import sys
import timeit

if __name__ == '__main__':
    # Run as a script: the command line (logistic_sgd_cli.py) checks the
    # settings, imports this file as the module logistic_sgd and runs it.
    import logistic_sgd_cli
    sys.exit(logistic_sgd_cli.main())

import numpy

from theano_compat import theano, T, backend_description
import mnist_data


# start-snippet-1
class LogisticRegression(object):
    """Multi-class logistic regression.

    The whole model is a weight matrix :math:`W` and a bias vector
    :math:`b`; an input is scored against one hyperplane per class and
    the scores are turned into class probabilities by a softmax.
    """

    def __init__(self, input, n_in, n_out):
        """Build the model's graph on top of ``input``.

        :type input: theano.tensor.TensorType
        :param input: symbolic matrix of shape (n_examples, n_in), one
            example per row (e.g. one minibatch of flattened images)

        :type n_in: int
        :param n_in: number of input units: the length of one example

        :type n_out: int
        :param n_out: number of output units: the number of classes
        """
        # W has one column per class, of shape (n_in, n_out); it starts at
        # zero, which is fine for a convex model like this one.
        self.W = theano.shared(
            value=numpy.zeros((n_in, n_out), dtype=theano.config.floatX),
            name='W',
            borrow=True
        )
        # b holds one offset per class, shape (n_out,).
        self.b = theano.shared(
            value=numpy.zeros((n_out,), dtype=theano.config.floatX),
            name='b',
            borrow=True
        )

        # Class probabilities, shape (n_examples, n_out): each row sums
        # to one.
        self.p_y_given_x = T.nnet.softmax(T.dot(input, self.W) + self.b)

        # Predicted class of each example, shape (n_examples,).
        self.y_pred = T.argmax(self.p_y_given_x, axis=1)
        # end-snippet-1

        # What training adjusts, and what the model reads.
        self.params = [self.W, self.b]
        self.input = input

    def negative_log_likelihood(self, y):
        """Mean negative log-likelihood of the labels ``y`` under the model.

        .. math::

            \\ell(\\theta=\\{W,b\\}, \\mathcal{D}) =
            -\\frac{1}{|\\mathcal{D}|} \\sum_{i=0}^{|\\mathcal{D}|-1}
            \\log P(Y=y^{(i)}|x^{(i)}, W, b)

        The mean rather than the sum keeps a good learning rate roughly
        independent of the minibatch size.

        :type y: theano.tensor.TensorType
        :param y: symbolic int vector of shape (n_examples,), the correct
            label of each example
        :rtype: symbolic scalar
        """
        # start-snippet-2
        # T.log(self.p_y_given_x) is a matrix LP of log-probabilities, one
        # row per example.  Indexing it with the two vectors
        # [0, 1, ..., n-1] and y picks LP[0, y[0]], LP[1, y[1]], ...: the
        # log-probability the model gives to each correct label.
        return -T.mean(T.log(self.p_y_given_x)[T.arange(y.shape[0]), y])
        # end-snippet-2

    def errors(self, y):
        """Fraction of the examples whose predicted class is not ``y``.

        :type y: theano.tensor.TensorType
        :param y: symbolic int vector of shape (n_examples,), the correct
            labels
        :rtype: symbolic scalar, the zero-one loss over the minibatch
        """
        if y.ndim != self.y_pred.ndim:
            raise TypeError(
                'y should have the same number of dimensions as y_pred: '
                'y is %s, y_pred is %s' % (y.type, self.y_pred.type))
        if not y.dtype.startswith('int'):
            raise TypeError(
                'y should hold integer class labels: y is %s, y_pred is %s'
                % (y.type, self.y_pred.type))
        # T.neq gives 1 where the prediction is wrong and 0 where it is
        # right; its mean is the error rate.
        return T.mean(T.neq(self.y_pred, y))


def load_data(dataset):
    """Load MNIST into shared variables.

    :type dataset: str
    :param dataset: the data file; a bare name such as ``'mnist.pkl.gz'``
        is looked up in the repository's ``data/`` folder

    :rtype: list of three ``(shared x, y)`` pairs, for the training,
        validation and test sets.  ``x`` is a floatX shared matrix of shape
        (n_examples, 784); ``y`` is an int32 symbolic vector of labels.
    """
    dataset = mnist_data.resolve_dataset_path(dataset)
    mnist_data.fetch_if_missing(dataset)  # verified download of mnist.pkl.gz
    print('... loading data')
    # Each set is a pair (x, y): x a float matrix with one flattened 28x28
    # image per row, y the vector of their labels.
    train_set, valid_set, test_set = mnist_data.load_mnist_arrays(
        dataset, dtype=theano.config.floatX)

    # start-snippet-3
    def shared_dataset(data_xy, borrow=True):
        """Put one (x, y) pair into shared variables.

        Shared variables live wherever the compiled functions run (the
        GPU's memory, on a GPU), so the whole set is copied there once
        instead of one minibatch at every call.
        """
        data_x, data_y = data_xy
        shared_x = theano.shared(numpy.asarray(data_x,
                                               dtype=theano.config.floatX),
                                 borrow=borrow)
        shared_y = theano.shared(numpy.asarray(data_y,
                                               dtype=theano.config.floatX),
                                 borrow=borrow)
        # GPU memory used to hold floats only, so the labels are stored as
        # floatX too; the graph needs them as integers (they index the
        # probability matrix), hence the cast.
        return shared_x, T.cast(shared_y, 'int32')

    test_set_x, test_set_y = shared_dataset(test_set)
    valid_set_x, valid_set_y = shared_dataset(valid_set)
    train_set_x, train_set_y = shared_dataset(train_set)

    rval = [(train_set_x, train_set_y), (valid_set_x, valid_set_y),
            (test_set_x, test_set_y)]
    return rval
    # end-snippet-3


class SettingError(ValueError):
    """A setting that does not fit the data, such as a minibatch larger
    than one of the sets."""


def check_batch_size(batch_size, datasets):
    """Refuse a minibatch size that some set is too small to fill once.

    :type datasets: list of three ``(shared x, y)`` pairs, as
        :func:`load_data` returns them
    :raises SettingError: naming the set and the sizes that would work
    """
    sizes = [set_x.get_value(borrow=True).shape[0] for set_x, _ in datasets]
    for name, n_rows in zip(('training', 'validation', 'test'), sizes):
        if not 1 <= batch_size <= n_rows:
            raise SettingError(
                'batch size %d does not fit the %s set of %d examples; '
                'use a batch size from 1 to %d'
                % (batch_size, name, n_rows, min(sizes)))


def save_model(classifier, path):
    """Write the classifier's parameters to ``path`` (atomically)."""
    mnist_data.save_params(path, W=classifier.W.get_value(),
                           b=classifier.b.get_value())


def sgd_optimization_mnist(learning_rate=0.13, n_epochs=1000,
                           dataset='mnist.pkl.gz',
                           batch_size=600, model_path='best_model.pkl',
                           verbose=True, max_train_batches=None,
                           history=None):
    """Train logistic regression on MNIST by minibatch SGD.

    :type learning_rate: float
    :param learning_rate: step size of the stochastic gradient descent

    :type n_epochs: int
    :param n_epochs: the most passes over the training set to make

    :type dataset: str
    :param dataset: the MNIST file (see :func:`load_data`)

    :type batch_size: int
    :param batch_size: number of examples per minibatch

    :type model_path: str
    :param model_path: where the best model so far is saved

    :type verbose: bool
    :param verbose: print a line at each validation check (the default)

    :type max_train_batches: int or None
    :param max_train_batches: train on at most this many minibatches per
        epoch; None (the default) means all of them

    :type history: list or None
    :param history: each validation check appends a tuple ``(epoch,
        validation error, test error of the best model so far)`` to it
        (fractions); pass a list of your own to keep what was recorded
        when training is interrupted

    :rtype: dict with ``best_validation_loss``, ``test_score`` (fractions),
        ``epochs`` (int) and ``history`` (the list above)
    :raises SettingError: if ``batch_size`` does not fit the data
    """
    if history is None:
        history = []
    datasets = load_data(dataset)
    check_batch_size(batch_size, datasets)

    train_set_x, train_set_y = datasets[0]
    valid_set_x, valid_set_y = datasets[1]
    test_set_x, test_set_y = datasets[2]

    # Number of whole minibatches in each set; a remainder is left out.
    n_train_batches = train_set_x.get_value(borrow=True).shape[0] // batch_size
    n_valid_batches = valid_set_x.get_value(borrow=True).shape[0] // batch_size
    n_test_batches = test_set_x.get_value(borrow=True).shape[0] // batch_size
    if max_train_batches is not None:
        n_train_batches = min(n_train_batches, max_train_batches)

    ######################
    # BUILD ACTUAL MODEL #
    ######################
    print('... building the model')
    print('... using ' + backend_description())

    # start-snippet-4
    index = T.lscalar()  # index of a minibatch

    x = T.matrix('x')  # minibatch of images, one flattened image per row
    y = T.ivector('y')  # their labels, as int32

    # One MNIST image is 28 * 28 pixels; there are 10 digits.
    classifier = LogisticRegression(input=x, n_in=28 * 28, n_out=10)

    # Training minimises the negative log-likelihood of the labels.
    cost = classifier.negative_log_likelihood(y)
    # end-snippet-4

    # start-snippet-5
    # Functions that return the error rate on one minibatch of the test
    # and the validation set; `givens` substitutes that minibatch for x
    # and y.
    test_model = theano.function(
        inputs=[index],
        outputs=classifier.errors(y),
        givens={
            x: test_set_x[index * batch_size: (index + 1) * batch_size],
            y: test_set_y[index * batch_size: (index + 1) * batch_size]
        }
    )

    validate_model = theano.function(
        inputs=[index],
        outputs=classifier.errors(y),
        givens={
            x: valid_set_x[index * batch_size: (index + 1) * batch_size],
            y: valid_set_y[index * batch_size: (index + 1) * batch_size]
        }
    )
    # end-snippet-5

    # start-snippet-6
    # Gradients of the cost with respect to the parameters theta = (W, b),
    # derived symbolically.
    g_W = T.grad(cost=cost, wrt=classifier.W)
    g_b = T.grad(cost=cost, wrt=classifier.b)

    # One step of gradient descent, as (shared variable, new value) pairs.
    updates = [(classifier.W, classifier.W - learning_rate * g_W),
               (classifier.b, classifier.b - learning_rate * g_b)]

    # train_model(i) returns the cost of minibatch i and, in the same
    # call, moves W and b one step downhill.
    train_model = theano.function(
        inputs=[index],
        outputs=cost,
        updates=updates,
        givens={
            x: train_set_x[index * batch_size: (index + 1) * batch_size],
            y: train_set_y[index * batch_size: (index + 1) * batch_size]
        }
    )
    # end-snippet-6

    ###############
    # TRAIN MODEL #
    ###############
    print('... training the model')
    # start-snippet-7
    # Early stopping: train for at least `patience` minibatches, and push
    # that horizon out whenever the validation error improves markedly.
    patience = 5000  # minibatches to look at, whatever happens
    patience_increase = 2  # patience becomes iter * this on a new best
    improvement_threshold = 0.995  # a relative gain this large counts
    validation_frequency = min(n_train_batches, patience // 2)
    # check the validation set every this many minibatches; with the
    # tutorial's settings that is once an epoch

    best_validation_loss = numpy.inf
    test_score = 0.
    start_time = timeit.default_timer()

    done_looping = False
    epoch = 0
    while (epoch < n_epochs) and (not done_looping):
        epoch = epoch + 1
        for minibatch_index in range(n_train_batches):

            minibatch_avg_cost = train_model(minibatch_index)
            # number of minibatches seen so far, minus one
            iter = (epoch - 1) * n_train_batches + minibatch_index

            if (iter + 1) % validation_frequency == 0:
                # zero-one loss on the whole validation set
                validation_losses = [validate_model(i)
                                     for i in range(n_valid_batches)]
                this_validation_loss = numpy.mean(validation_losses)

                if verbose:
                    print(
                        'epoch %i, minibatch %i/%i, validation error %f %%' %
                        (
                            epoch,
                            minibatch_index + 1,
                            n_train_batches,
                            this_validation_loss * 100.
                        )
                    )

                if this_validation_loss < best_validation_loss:
                    # a marked improvement buys more patience
                    if this_validation_loss < best_validation_loss * \
                       improvement_threshold:
                        patience = max(patience, iter * patience_increase)

                    best_validation_loss = this_validation_loss
                    # score the new best model on the test set
                    test_losses = [test_model(i)
                                   for i in range(n_test_batches)]
                    test_score = numpy.mean(test_losses)

                    if verbose:
                        print(
                            (
                                '     epoch %i, minibatch %i/%i, test error of'
                                ' best model %f %%'
                            ) %
                            (
                                epoch,
                                minibatch_index + 1,
                                n_train_batches,
                                test_score * 100.
                            )
                        )

                    # keep the best model on disk
                    save_model(classifier, model_path)

                history.append((epoch, float(this_validation_loss),
                                float(test_score)))

            if patience <= iter:
                done_looping = True
                break

    end_time = timeit.default_timer()
    print(
        (
            'Optimization complete with best validation score of %f %%,'
            'with test performance %f %%'
        )
        % (best_validation_loss * 100., test_score * 100.)
    )
    print('The code run for %d epochs, with %f epochs/sec' % (
        epoch, 1. * epoch / (end_time - start_time)))
    print(('The code for file ' +
           os.path.split(__file__)[1] +
           ' ran for %.1fs' % ((end_time - start_time))), file=sys.stderr)
    # end-snippet-7
    return {'best_validation_loss': float(best_validation_loss),
            'test_score': float(test_score), 'epochs': epoch,
            'history': history}


def predict(model_path='best_model.pkl', dataset='mnist.pkl.gz', n=10):
    """Load a saved model and predict the first ``n`` test images.

    Prints the predictions, the true labels and the accuracy on them.

    :rtype: numpy int vector of shape (n,), the predicted digits
    :raises SettingError: if the test set has fewer than ``n`` images
    """
    params = mnist_data.load_params(model_path)
    datasets = load_data(dataset)
    test_set_x, test_set_y = datasets[2]
    test_set_x = test_set_x.get_value()
    if not 1 <= n <= len(test_set_x):
        raise SettingError('cannot predict %d examples: the test set has %d; '
                           'ask for 1 to %d' % (n, len(test_set_x),
                                                len(test_set_x)))

    x = T.matrix('x')
    classifier = LogisticRegression(input=x, n_in=params['W'].shape[0],
                                    n_out=params['W'].shape[1])
    classifier.W.set_value(params['W'].astype(theano.config.floatX))
    classifier.b.set_value(params['b'].astype(theano.config.floatX))

    # compile a predictor function
    predict_model = theano.function(
        inputs=[classifier.input],
        outputs=classifier.y_pred)

    predicted_values = predict_model(test_set_x[:n])
    true_labels = test_set_y[:n].eval()
    print('Predicted values for the first %d examples in test set:' % n)
    print(predicted_values)
    print('True labels:')
    print(true_labels)
    print('Accuracy on these %d examples: %f %%'
          % (n, 100. * numpy.mean(predicted_values == true_labels)))
    return predicted_values
