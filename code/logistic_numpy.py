"""The tutorial's algorithm in plain NumPy, with no symbolic graph.

Same model (zero-initialised ``W``, ``b``, row-wise softmax), same loss
(mean negative log-likelihood), same minibatch SGD and the same early
stopping as :func:`logistic_sgd.sgd_optimization_mnist`, with the gradient
derived by hand.  The tests use it to check the compiled version, and the
benchmark runs it as the hand-written peer.
"""

import numpy


def softmax(scores):
    """Row-wise softmax of a (n, k) array, shifted by the row maximum."""
    shifted = scores - scores.max(axis=1, keepdims=True)
    exps = numpy.exp(shifted)
    return exps / exps.sum(axis=1, keepdims=True)


def nll_and_grads(W, b, x, y):
    """Mean negative log-likelihood and its gradients.

    :param W: (n_in, n_out) weights;  b: (n_out,) biases
    :param x: (n, n_in) inputs;  y: (n,) int labels
    :returns: (cost, g_W, g_b), with g_W shaped like W and g_b like b
    """
    p = softmax(x.dot(W) + b)
    rows = numpy.arange(len(y))
    cost = -numpy.mean(numpy.log(p[rows, y]))
    # d cost / d scores = (p - onehot(y)) / n
    delta = p
    delta[rows, y] -= 1
    delta /= len(y)
    return cost, x.T.dot(delta), delta.sum(axis=0)


def error_rate(W, b, x, y):
    """Fraction of rows of x whose most probable class is not y."""
    return numpy.mean(numpy.argmax(x.dot(W) + b, axis=1) != y)


def sgd_optimization(datasets, learning_rate=0.13, n_epochs=1000,
                     batch_size=600, dtype='float64'):
    """Train as the tutorial does, on NumPy arrays.

    :param datasets: three (x, y) pairs of arrays: train, valid, test
    :rtype: dict with ``best_validation_loss``, ``test_score``, ``epochs``,
        ``history`` (a tuple ``(epoch, validation error, test error of the
        best model so far)`` for each validation check, as
        ``logistic_sgd.sgd_optimization_mnist`` records it), and the final
        ``W`` and ``b``
    """
    (train_x, train_y), (valid_x, valid_y), (test_x, test_y) = [
        (numpy.asarray(x, dtype=dtype), numpy.asarray(y, dtype='int32'))
        for x, y in datasets]
    n_in, n_out = train_x.shape[1], 10
    W = numpy.zeros((n_in, n_out), dtype=dtype)
    b = numpy.zeros((n_out,), dtype=dtype)
    lr = numpy.asarray(learning_rate, dtype=dtype)

    def batches(x, y):
        return [(x[i * batch_size:(i + 1) * batch_size],
                 y[i * batch_size:(i + 1) * batch_size])
                for i in range(len(x) // batch_size)]

    train, valid, test = (batches(train_x, train_y),
                          batches(valid_x, valid_y),
                          batches(test_x, test_y))
    n_train_batches = len(train)
    patience, patience_increase, improvement_threshold = 5000, 2, 0.995
    validation_frequency = min(n_train_batches, patience // 2)
    best_validation_loss, test_score = numpy.inf, 0.
    epoch, done_looping = 0, False
    history = []
    while epoch < n_epochs and not done_looping:
        epoch += 1
        for minibatch_index, (x, y) in enumerate(train):
            _, g_W, g_b = nll_and_grads(W, b, x, y)
            W -= lr * g_W
            b -= lr * g_b
            iter = (epoch - 1) * n_train_batches + minibatch_index
            if (iter + 1) % validation_frequency == 0:
                this_validation_loss = numpy.mean(
                    [error_rate(W, b, vx, vy) for vx, vy in valid])
                if this_validation_loss < best_validation_loss:
                    if this_validation_loss < (best_validation_loss
                                               * improvement_threshold):
                        patience = max(patience, iter * patience_increase)
                    best_validation_loss = this_validation_loss
                    test_score = numpy.mean(
                        [error_rate(W, b, tx, ty) for tx, ty in test])
                history.append((epoch, float(this_validation_loss),
                                float(test_score)))
            if patience <= iter:
                done_looping = True
                break
    return {'best_validation_loss': float(best_validation_loss),
            'test_score': float(test_score), 'epochs': epoch,
            'history': history, 'W': W, 'b': b}
