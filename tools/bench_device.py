"""Time one call of the tutorial's train_model at two data-set sizes.

The cost of one training call should not depend on how many rows the data
set has: only one minibatch is used.  On the JAX backend it does when the
shared variables hold NumPy arrays (PyTensor's default), because JAX then
copies the whole data set to the device at every call.  This script
compiles the tutorial's train_model three ways and prints the median time
of one call with 3,000 and 50,000 rows of MNIST, and their ratio:

* ``C``: the C-backed CVM mode (``THEANO_FLAGS`` device=cpu, the default);
* ``JAX``: ``theano.function`` in mode JAX (the data kept on the device);
* ``JAX, NumPy storage``: the same graph through plain ``pytensor.function``,
  whose shared variables stay NumPy arrays.

The JAX device is the one ``THEANO_FLAGS`` chooses: run it as
``THEANO_FLAGS=device=cuda python tools/bench_device.py`` on a GPU, or
as plain ``python tools/bench_device.py`` for JAX's CPU device.
"""

import os
import sys
import timeit
import warnings

import numpy
import pytensor

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'code'))

import mnist_data  # noqa: E402
import theano_compat  # noqa: E402
from theano_compat import theano, T  # noqa: E402
from theano_compat.engine import jax_device  # noqa: E402
from logistic_sgd import LogisticRegression  # noqa: E402

SIZES = (3000, 50000)
BATCH_SIZE = 600
REPEAT_SECONDS = 0.3  # about this long per timed repeat (at least 3 calls)
REPEATS = 5  # the median of these is printed


def train_function(x_rows, y_rows, how):
    """The tutorial's train_model over the given rows, compiled ``how``."""
    floatx = theano.config.floatX
    train_x = theano.shared(numpy.asarray(x_rows, dtype=floatx), borrow=True)
    train_y = T.cast(theano.shared(numpy.asarray(y_rows, dtype=floatx),
                                   borrow=True), 'int32')
    index = T.lscalar()
    x = T.matrix('x')
    y = T.ivector('y')
    classifier = LogisticRegression(input=x, n_in=784, n_out=10)
    cost = classifier.negative_log_likelihood(y)
    updates = [(p, p - 0.13 * T.grad(cost, p)) for p in classifier.params]
    givens = {x: train_x[index * BATCH_SIZE:(index + 1) * BATCH_SIZE],
              y: train_y[index * BATCH_SIZE:(index + 1) * BATCH_SIZE]}
    if how == 'C':
        return theano.function([index], cost, updates=updates,
                               mode='FAST_RUN', givens=givens)
    if how == 'JAX':
        return theano.function([index], cost, updates=updates, mode='JAX',
                               givens=givens)
    # Plain PyTensor, with the same static minibatches so that it compiles.
    jax_device.jax_device()  # the same JAX default device
    static = {var: jax_device._static_minibatch(value)
              for var, value in givens.items()}
    return pytensor.function([index], cost, updates=updates, mode='JAX',
                             givens=static)


def median_call_ms(train_model, n_batches):
    """Median over REPEATS of the mean time of one call, in milliseconds."""
    train_model(0)  # compile (JAX traces on the first call)
    one_call = timeit.timeit(lambda: numpy.asarray(train_model(1)), number=1)
    n_calls = max(3, min(200, int(REPEAT_SECONDS / one_call)))

    def calls():
        for i in range(n_calls):
            cost = train_model(i % n_batches)
        numpy.asarray(cost)  # wait for the device to finish

    times = timeit.repeat(calls, number=1, repeat=REPEATS)
    return 1000 * float(numpy.median(times)) / n_calls


def main():
    warnings.simplefilter('ignore')  # PyTensor's notes would hide the table
    train_x, train_y = mnist_data.load_mnist_arrays(
        mnist_data.resolve_dataset_path('mnist.pkl.gz'))[0]
    print('backend:', theano_compat.backend_description())
    print('median ms per train_model call (batch %d, median of %d repeats)'
          % (BATCH_SIZE, REPEATS))
    print('%-20s %10s %10s %8s' % ('how', '%d rows' % SIZES[0],
                                   '%d rows' % SIZES[1], 'ratio'))
    for how in ('C', 'JAX', 'JAX, NumPy storage'):
        times = [median_call_ms(train_function(train_x[:n], train_y[:n], how),
                                n // BATCH_SIZE) for n in SIZES]
        print('%-20s %10.3f %10.3f %8.2f' % (how, times[0], times[1],
                                             times[1] / times[0]))


if __name__ == '__main__':
    main()
