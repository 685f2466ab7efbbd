"""Training steps of the tutorial series' models: this port against PyTorch.

Two models, each built twice in one process, once with ``theano_compat``
(compiled by ``theano.function`` in its default mode, FAST_RUN: the C
backend) and once with PyTorch on the CPU, on the same number of threads:

``lenet``  the convolutional network of the LeNet tutorial: 28 x 28 inputs,
           two layers of 5 x 5 convolution, 2 x 2 max pooling and tanh
           (20 and 50 filters), a hidden layer of 500 tanh units and
           logistic regression on top; minibatches of 500; float32.
``mlp``    the multilayer perceptron tutorial: 500 tanh units, logistic
           regression, the cost with its L1 and L2 terms; minibatches of
           20; float32.

Each training step is the tutorial's: the minibatch taken by index from
data held in shared variables (``givens``), the cost, its gradients, and
the SGD update of every parameter.  The data are random, of MNIST's
shape.  The two sides take turns, several rounds; the script prints the
median time of a step of each and their ratio.

Usage: ``python bench/series_steps.py [--repeats N] [--steps N]
[--models lenet,mlp] [--threads N] [--dry-run]``.  Both sides use the
threads of theano_compat's OpenBLAS (the usable cores, at most 4), or
``--threads`` (which sets ``OMP_NUM_THREADS`` before either library
starts); ``--dry-run`` runs a tiny version of everything (for the tests).
"""

import argparse
import os
import sys
import time
from statistics import median

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'code'))

import numpy  # noqa: E402

DTYPE = 'float32'
IMAGE = 28



# ----------------------------------------------------------------------------
# The models, in theano_compat.

def theano_lenet(train_x, train_y, batch, nkerns, hidden, lr, rng):
    """The LeNet tutorial's training step; returns ``step(index)``.

    Built with ``floatX=float32`` (see :func:`compare`).
    """
    from theano_compat import theano, T
    from theano_compat.tensor.nnet import conv2d
    from theano_compat.tensor.signal import pool

    index = T.lscalar('index')
    x, y = T.matrix('x'), T.ivector('y')
    params = []

    def shared_uniform(bound, shape):
        value = rng.uniform(-bound, bound, shape).astype(DTYPE)
        var = theano.shared(value, borrow=True)
        params.append(var)
        return var

    def shared_zeros(shape):
        var = theano.shared(numpy.zeros(shape, DTYPE), borrow=True)
        params.append(var)
        return var

    def conv_pool_layer(inputs, image_shape, filter_shape):
        fan_in = numpy.prod(filter_shape[1:])
        fan_out = filter_shape[0] * numpy.prod(filter_shape[2:]) // 4
        W = shared_uniform(numpy.sqrt(6. / (fan_in + fan_out)), filter_shape)
        b = shared_zeros(filter_shape[:1])
        convolved = conv2d(input=inputs, filters=W, filter_shape=filter_shape,
                           input_shape=image_shape)
        pooled = pool.pool_2d(input=convolved, ws=(2, 2), ignore_border=True)
        return T.tanh(pooled + b.dimshuffle('x', 0, 'x', 'x'))

    side0 = (IMAGE - 4) // 2
    side1 = (side0 - 4) // 2
    layer0 = conv_pool_layer(x.reshape((batch, 1, IMAGE, IMAGE)),
                             (batch, 1, IMAGE, IMAGE), (nkerns[0], 1, 5, 5))
    layer1 = conv_pool_layer(layer0, (batch, nkerns[0], side0, side0),
                             (nkerns[1], nkerns[0], 5, 5))
    n_in = nkerns[1] * side1 * side1
    W2 = shared_uniform(numpy.sqrt(6. / (n_in + hidden)), (n_in, hidden))
    b2 = shared_zeros((hidden,))
    layer2 = T.tanh(T.dot(layer1.flatten(2), W2) + b2)
    W3, b3 = shared_zeros((hidden, 10)), shared_zeros((10,))
    p_y = T.nnet.softmax(T.dot(layer2, W3) + b3)
    cost = -T.mean(T.log(p_y)[T.arange(y.shape[0]), y])
    grads = T.grad(cost, params)
    return theano.function(
        [index], cost,
        updates=[(p, p - lr * g) for p, g in zip(params, grads)],
        givens={x: train_x[index * batch:(index + 1) * batch],
                y: train_y[index * batch:(index + 1) * batch]})


def theano_mlp(train_x, train_y, batch, hidden, lr, l1, l2, rng):
    """The mlp tutorial's training step; returns ``step(index)``."""
    from theano_compat import theano, T

    index = T.lscalar('index')
    x, y = T.matrix('x'), T.ivector('y')
    n_in = IMAGE * IMAGE
    bound = numpy.sqrt(6. / (n_in + hidden))
    W1 = theano.shared(rng.uniform(-bound, bound, (n_in, hidden))
                       .astype(DTYPE), borrow=True)
    b1 = theano.shared(numpy.zeros(hidden, DTYPE), borrow=True)
    W2 = theano.shared(numpy.zeros((hidden, 10), DTYPE), borrow=True)
    b2 = theano.shared(numpy.zeros(10, DTYPE), borrow=True)
    h = T.tanh(T.dot(x, W1) + b1)
    p_y = T.nnet.softmax(T.dot(h, W2) + b2)
    nll = -T.mean(T.log(p_y)[T.arange(y.shape[0]), y])
    cost = nll + l2 * ((W1 ** 2).sum() + (W2 ** 2).sum())
    if l1:  # the tutorial's L1_reg is 0: both sides then leave it out
        cost = cost + l1 * (abs(W1).sum() + abs(W2).sum())
    params = [W1, b1, W2, b2]
    grads = T.grad(cost, params)
    return theano.function(
        [index], cost,
        updates=[(p, p - lr * g) for p, g in zip(params, grads)],
        givens={x: train_x[index * batch:(index + 1) * batch],
                y: train_y[index * batch:(index + 1) * batch]})


# ----------------------------------------------------------------------------
# The same models, in PyTorch.

def torch_lenet(data_x, data_y, batch, nkerns, hidden, lr, rng):
    import torch
    import torch.nn.functional as F

    side1 = ((IMAGE - 4) // 2 - 4) // 2
    n_in = nkerns[1] * side1 * side1

    def uniform(bound, shape):
        return torch.tensor(rng.uniform(-bound, bound, shape).astype(DTYPE),
                            requires_grad=True)

    def zeros(shape):
        return torch.zeros(shape, dtype=torch.float32, requires_grad=True)

    def conv_bound(shape):
        fan_in = numpy.prod(shape[1:])
        fan_out = shape[0] * numpy.prod(shape[2:]) // 4
        return numpy.sqrt(6. / (fan_in + fan_out))

    shapes = [(nkerns[0], 1, 5, 5), (nkerns[1], nkerns[0], 5, 5)]
    W0, W1 = [uniform(conv_bound(s), s) for s in shapes]
    b0, b1 = zeros(nkerns[0]), zeros(nkerns[1])
    W2 = uniform(numpy.sqrt(6. / (n_in + hidden)), (n_in, hidden))
    b2, W3, b3 = zeros(hidden), zeros((hidden, 10)), zeros(10)
    params = [W0, b0, W1, b1, W2, b2, W3, b3]
    data_x, data_y = torch.from_numpy(data_x), torch.from_numpy(data_y)

    def step(index):
        x = data_x[index * batch:(index + 1) * batch]
        y = data_y[index * batch:(index + 1) * batch]
        h = x.reshape(batch, 1, IMAGE, IMAGE)
        for W, b in ((W0, b0), (W1, b1)):
            h = torch.tanh(F.max_pool2d(F.conv2d(h, W), 2)
                           + b.reshape(1, -1, 1, 1))
        h = torch.tanh(h.flatten(1) @ W2 + b2)
        cost = F.cross_entropy(h @ W3 + b3, y)
        grads = torch.autograd.grad(cost, params)
        with torch.no_grad():
            for p, g in zip(params, grads):
                p -= lr * g
        return cost.item()

    return step


def torch_mlp(data_x, data_y, batch, hidden, lr, l1, l2, rng):
    import torch
    import torch.nn.functional as F

    n_in = IMAGE * IMAGE
    bound = numpy.sqrt(6. / (n_in + hidden))
    W1 = torch.tensor(rng.uniform(-bound, bound, (n_in, hidden))
                      .astype(DTYPE), requires_grad=True)
    b1 = torch.zeros(hidden, requires_grad=True)
    W2 = torch.zeros((hidden, 10), requires_grad=True)
    b2 = torch.zeros(10, requires_grad=True)
    params = [W1, b1, W2, b2]
    data_x, data_y = torch.from_numpy(data_x), torch.from_numpy(data_y)

    def step(index):
        x = data_x[index * batch:(index + 1) * batch]
        y = data_y[index * batch:(index + 1) * batch]
        h = torch.tanh(x @ W1 + b1)
        cost = (F.cross_entropy(h @ W2 + b2, y)
                + l2 * ((W1 ** 2).sum() + (W2 ** 2).sum()))
        if l1:
            cost = cost + l1 * (W1.abs().sum() + W2.abs().sum())
        grads = torch.autograd.grad(cost, params)
        with torch.no_grad():
            for p, g in zip(params, grads):
                p -= lr * g
        return cost.item()

    return step


# ----------------------------------------------------------------------------
# Timing.

def take_turns(sides, batches, steps, repeats, pause=0.2):
    """Median milliseconds a step, {side: ms}, over ``repeats`` rounds.

    In each round every side runs ``steps`` steps (minibatches taken in
    turn from ``batches``), untimed once to warm up, then timed; the
    sides take turns, and a pause lets the previous side's worker threads
    go idle first.
    """
    times = {name: [] for name in sides}
    position = 0
    for _ in range(repeats):
        for name, step in sides.items():
            time.sleep(pause)
            for timed in (False, True):
                start = time.perf_counter()
                for i in range(steps):
                    cost = step((position + i) % batches)
                numpy.asarray(cost)  # a device's work is done by now
                if timed:
                    times[name].append((time.perf_counter() - start)
                                       / steps * 1e3)
        position += steps
    return {name: median(t) for name, t in times.items()}


def threads():
    """The threads both sides use: those of theano_compat's OpenBLAS."""
    from theano_compat.engine.threads import blas_threads
    return int(os.environ.get('OMP_NUM_THREADS')
               or os.environ.get('OPENBLAS_NUM_THREADS')
               or blas_threads())


def compare(model, settings, repeats, steps, torch_threads):
    """Builds both sides of ``model`` and times them; returns the medians."""
    rng = numpy.random.RandomState(1234)
    batch = settings['batch']
    rows = batch * settings['batches']
    data_x = rng.uniform(0, 1, (rows, IMAGE * IMAGE)).astype(DTYPE)
    data_y = rng.randint(0, 10, rows).astype('int32')
    from theano_compat import theano
    shared_x = theano.shared(data_x, borrow=True)
    shared_y = theano.shared(data_y, borrow=True)
    kwargs = dict(settings)
    kwargs.pop('batches')
    builders = {'lenet': (theano_lenet, torch_lenet),
                'mlp': (theano_mlp, torch_mlp)}[model]
    import pytensor
    # the tutorials run with THEANO_FLAGS=floatX=float32
    with pytensor.config.change_flags(floatX=DTYPE):
        sides = {'theano_compat': builders[0](shared_x, shared_y, rng=rng,
                                              **kwargs)}
    if torch_threads:
        sides['pytorch'] = builders[1](data_x, data_y.astype('int64'),
                                       rng=rng, **kwargs)
    return take_turns(sides, settings['batches'], steps, repeats)


MODELS = {
    'lenet': dict(batch=500, batches=4, nkerns=(20, 50), hidden=500,
                  lr=0.1),
    'mlp': dict(batch=20, batches=50, hidden=500, lr=0.01, l1=0.0,
                l2=0.0001),
}
# Steps timed per round.
STEPS = {'lenet': 4, 'mlp': 100}
DRY = {
    'lenet': dict(batch=4, batches=2, nkerns=(2, 3), hidden=8, lr=0.1),
    'mlp': dict(batch=4, batches=2, hidden=8, lr=0.01, l1=0.001, l2=0.0001),
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--repeats', type=int, default=7,
                        help='rounds of turns (default 7)')
    parser.add_argument('--steps', type=int, default=None,
                        help='steps timed per round (default: lenet 4, '
                             'mlp 100)')
    parser.add_argument('--models', default='lenet,mlp',
                        help='comma-separated: lenet, mlp')
    parser.add_argument('--threads', type=int, default=None,
                        help='threads of both sides (default: those of '
                             "theano_compat's OpenBLAS)")
    parser.add_argument('--dry-run', action='store_true',
                        help='tiny models, one round: checks that it runs')
    args = parser.parse_args(argv)
    if args.threads is not None:
        if 'theano_compat' in sys.modules or 'torch' in sys.modules:
            parser.error('--threads must be set before theano_compat and '
                         'torch are imported (run the script by itself)')
        for name in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS'):
            os.environ[name] = str(args.threads)
    models = [m for m in args.models.split(',') if m]
    for model in models:
        if model not in MODELS:
            parser.error('unknown model %r; use lenet or mlp' % model)
    count = threads()
    try:
        import torch
        torch.set_num_threads(count)
        torch_threads = count
        torch_version = torch.__version__
    except ImportError:
        torch_threads = 0
        torch_version = 'not installed (pip install torch): its side skipped'
    from theano_compat import backend_description
    # OpenBLAS reads this when it starts: how long its idle threads spin
    spin = os.environ.get('OPENBLAS_THREAD_TIMEOUT')
    print('theano_compat: %s (float32 models); PyTorch %s; %d thread(s) '
          'each%s' % (backend_description(), torch_version, count,
                      '; OPENBLAS_THREAD_TIMEOUT=%s' % spin if spin else ''))
    repeats = 1 if args.dry_run else args.repeats
    results = {}
    for model in models:
        settings = (DRY if args.dry_run else MODELS)[model]
        steps = args.steps or (2 if args.dry_run else STEPS[model])
        medians = compare(model, settings, repeats, steps, torch_threads)
        results[model] = medians
        line = '%-6s step (minibatch %d): theano_compat %8.3f ms' % (
            model, settings['batch'], medians['theano_compat'])
        if 'pytorch' in medians:
            line += ', PyTorch %8.3f ms, ratio %.2f' % (
                medians['pytorch'],
                medians['theano_compat'] / medians['pytorch'])
        print(line + '  (medians of %d rounds)' % repeats)
    return results


if __name__ == '__main__':
    main()
