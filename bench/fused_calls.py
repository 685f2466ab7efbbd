"""Per-call times of the fused loop, against PyTensor's own graph.

The measurements behind bench/README.md's tables on the fused loop
(``code/theano_compat/engine/fused.py``), each in one process, the two
sides taking turns (this machine's speed moves by 10-20% from minute to
minute):

``calls``   the tutorial's training and validation functions on the real
            data, compiled with the fused loop (FAST_RUN) and without (the
            same mode with ``optimizer_excluding=fused_softmax_regression``);
            ``--busy`` keeps one core busy with another process meanwhile.
``idle``    the CPU time the process uses per second of wall time while it
            calls the validation function every 20 ms (``--every``) and
            sleeps in between, as a user's loop doing other work would: the
            loop's threads must rest between calls.
``mlp``     a multilayer perceptron (hidden layer of 500, minibatches of 20):
            training by OpenBLAS, validation by the fused loop or not.
``phases``  variants of the C++ loop with one phase left out (the scores,
            the softmax, the gradient, ``exp``), against the whole loop, on
            rows streamed through the training set.

Usage: ``python bench/fused_calls.py calls [--threads N] [--busy]``, and so
on; ``--threads`` sets ``OMP_NUM_THREADS`` for the fused loop (default: the
cores, at most 4).
"""

import argparse
import hashlib
import os
import subprocess
import sys
import time
from statistics import median

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'code'))

ROUNDS = 15
BATCH = 600



def take_turns(turns, rounds=ROUNDS, pause=0.3):
    """{name: median microseconds a call} over rounds of ``turns``.

    ``turns``: {turn: {name: (fn, list of argument tuples)}}.  A turn runs
    its functions one after the other, as an epoch does, twice, and the
    second time is timed; before each turn the worker threads of the
    previous one (OpenBLAS's, the fused loop's) get ``pause`` seconds to
    go idle.  The same method as bench.py's.
    """
    times = {name: [] for calls in turns.values() for name in calls}
    for _ in range(rounds):
        for calls in turns.values():
            time.sleep(pause)
            for timed in (False, True):
                for name, (fn, arguments) in calls.items():
                    start = time.perf_counter()
                    for args in arguments:
                        fn(*args)
                    if timed:
                        times[name].append((time.perf_counter() - start)
                                           / len(arguments) * 1e6)
    return {name: median(t) for name, t in times.items()}


def modes():
    """(label, mode): the C backend with the fused loop, and without."""
    from theano_compat.engine import cvm
    return [('fused', cvm.fast_cvm()),
            ('unfused', cvm.fast_cvm(('fused_softmax_regression',)))]


def tutorial_functions(mode, sets, dtype):
    """The tutorial's train and validate functions, compiled with ``mode``."""
    import numpy
    import pytensor
    from theano_compat import theano, T
    import logistic_sgd

    pytensor.config.floatX = dtype  # the model's W and b, as THEANO_FLAGS
    (train_x, train_y), (valid_x, valid_y) = [
        (pytensor.shared(numpy.asarray(x, dtype=dtype)),
         T.cast(pytensor.shared(numpy.asarray(y, dtype=dtype)), 'int32'))
        for x, y in sets[:2]]
    index, x, y = T.lscalar(), T.matrix('x', dtype=dtype), T.ivector('y')
    classifier = logistic_sgd.LogisticRegression(x, 28 * 28, 10)
    cost = classifier.negative_log_likelihood(y)
    g_W, g_b = T.grad(cost, classifier.W), T.grad(cost, classifier.b)
    train = theano.function(
        [index], cost, mode=mode,
        updates=[(classifier.W, classifier.W - 0.13 * g_W),
                 (classifier.b, classifier.b - 0.13 * g_b)],
        givens={x: train_x[index * BATCH:(index + 1) * BATCH],
                y: train_y[index * BATCH:(index + 1) * BATCH]})
    validate = theano.function(
        [index], classifier.errors(y), mode=mode,
        givens={x: valid_x[index * BATCH:(index + 1) * BATCH],
                y: valid_y[index * BATCH:(index + 1) * BATCH]})
    return train, validate


def load_sets():
    import mnist_data
    return mnist_data.load_mnist_arrays(
        mnist_data.resolve_dataset_path('mnist.pkl.gz'))


def calls(args):
    sets = load_sets()
    busy = None
    if args.busy:
        busy = subprocess.Popen([sys.executable, '-c', 'while True: pass'])
    try:
        turns = {}
        for label, mode in modes():
            train, validate = tutorial_functions(mode, sets, args.dtype)
            turns[label] = {  # an epoch
                label + ' train': (train, [(i,) for i in range(83)]),
                label + ' validate': (validate, [(i,) for i in range(16)])}
        for name, us in take_turns(turns).items():
            print('%-17s %6.0f us a call' % (name, us))
    finally:
        if busy is not None:
            busy.kill()


def idle(args):
    """CPU seconds per wall second, calling validate every ``--every``."""
    sets = load_sets()
    train, validate = tutorial_functions(modes()[0][1], sets, args.dtype)
    for i in range(83):  # a training epoch first, as in the tutorial
        train(i)
    print('calling the validation function every %.0f ms for %.0f s:'
          % (args.every * 1e3, args.seconds))
    for label in ('fused loop, 1 call', 'fused loop, an epoch (16 calls)'):
        batches = range(1) if '1 call' in label else range(16)
        cpu, wall = os.times(), time.perf_counter()
        end = wall + args.seconds
        while time.perf_counter() < end:
            for i in batches:
                validate(i)
            time.sleep(args.every)
        spent = os.times()
        seconds = time.perf_counter() - wall
        used = (spent.user - cpu.user) + (spent.system - cpu.system)
        print('  %-32s %.2f CPU s per wall s' % (label, used / seconds))


def mlp(args):
    import numpy
    import pytensor
    from theano_compat import theano, T
    import logistic_sgd
    (train_x, train_y), (valid_x, valid_y) = load_sets()[:2]
    pytensor.config.floatX = args.dtype  # the model's W and b
    rng = numpy.random.default_rng(1)
    batch = 20
    turns = {}
    for label, mode in modes():
        data = [pytensor.shared(numpy.asarray(a, dtype=args.dtype))
                for a in (train_x, train_y, valid_x, valid_y)]
        index, x, y = T.lscalar(), T.matrix('x', dtype=args.dtype), T.ivector()
        W_h = pytensor.shared(rng.uniform(-0.05, 0.05, (784, 500))
                              .astype(args.dtype))
        b_h = pytensor.shared(numpy.zeros(500, dtype=args.dtype))
        top = logistic_sgd.LogisticRegression(T.tanh(T.dot(x, W_h) + b_h),
                                              500, 10)
        cost = (top.negative_log_likelihood(y)
                + 1e-4 * ((top.W ** 2).sum() + (W_h ** 2).sum()))
        params = [W_h, b_h, top.W, top.b]
        updates = [(p, p - 0.01 * g) for p, g in zip(params,
                                                     T.grad(cost, params))]

        def rows(data_x, data_y):
            return {x: data_x[index * batch:(index + 1) * batch],
                    y: T.cast(data_y[index * batch:(index + 1) * batch],
                              'int32')}
        train = theano.function([index], cost, updates=updates, mode=mode,
                                givens=rows(data[0], data[1]))
        validate = theano.function([index], top.errors(y), mode=mode,
                                   givens=rows(data[2], data[3]))
        turns[label] = {label + ' train': (train, [(i,) for i in range(500)]),
                        label + ' validate': (validate,
                                              [(i,) for i in range(100)])}
    for name, us in take_turns(turns, rounds=5).items():
        print('%-17s %6.0f us a call' % (name, us))


# Variants of the C++ loop: (name, text replaced, replacement).
PHASES = [
    ('no gradient', 'T* spare, npy_intp d, npy_intp k) {\n',
     'T* spare, npy_intp d, npy_intp k) {\n    return;\n'),
    ('no scores', 'const T* WT, const T* b, npy_intp d, npy_intp k, T* z) {\n',
     'const T* WT, const T* b, npy_intp d, npy_intp k, T* z) {\n'
     '    for (npy_intp i = 0; i < ROWS * k; ++i) z[i] = 0;\n    return;\n'),
    ('no softmax', '            T top = zi[0];',
     '            if (label >= 0) {\n'
     '                for (npy_intp j = 0; j < k; ++j) zi[j] = (T)0.001;\n'
     '                continue;\n            }\n            T top = zi[0];'),
    ('no exp', 'zi[j] = exp(zi[j] - top);', 'zi[j] = (T)1 + (zi[j] - top);'),
]


def phases(args):
    import numpy
    import pytensor
    import pytensor.tensor as pt
    from theano_compat.engine import cvm, fused
    from theano_compat.engine.threads import fused_threads

    rng = numpy.random.default_rng(0)
    X = rng.random((50000, 784)).astype(args.dtype)
    Y = rng.integers(0, 10, 50000).astype('int32')
    W = rng.normal(0, 0.01, (784, 10)).astype(args.dtype)
    b = numpy.zeros(10, dtype=args.dtype)
    x, W_, b_ = (pt.matrix(dtype=args.dtype), pt.matrix(dtype=args.dtype),
                 pt.vector(dtype=args.dtype))
    y = pt.ivector()
    threads = fused_threads()
    source = fused.FusedSoftmaxRegression.source_sections()['support_code']
    variants = [('whole loop', source)]
    for name, old, new in PHASES:
        if old not in source:
            sys.exit('the C++ loop changed: update PHASES (%s)' % name)
        variants.append((name, source.replace(old, new, 1)))
    turns = {}
    for name, kernel in variants:
        version = hashlib.sha256(kernel.encode()).hexdigest()
        # The cache finds a module by the op's version, not by its source.
        op = type('Variant', (fused.FusedSoftmaxRegression,), {
            'c_support_code': lambda self, k=kernel, **kw: k,
            'c_code_cache_version': lambda self, v=version: ('bench', v)})
        fn = pytensor.function([x, W_, b_, y],
                               op('grad', threads)(x, W_, b_, y)[1:],
                               mode=cvm.fast_cvm())
        fn.trust_input = True
        turns[name] = {name: (fn, [(X[i * BATCH:(i + 1) * BATCH], W, b,
                                    Y[i * BATCH:(i + 1) * BATCH])
                                   for i in range(83)])}
    print('%d thread(s), %s, a call of %d rows streamed through 50000:'
          % (threads, args.dtype, BATCH))
    for name, us in take_turns(turns, rounds=21).items():
        print('  %-12s %6.0f us' % (name, us))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('what', choices=['calls', 'idle', 'mlp', 'phases'])
    parser.add_argument('--threads', type=int,
                        help='threads of the fused loop (OMP_NUM_THREADS)')
    parser.add_argument('--dtype', default='float32',
                        choices=['float32', 'float64'])
    parser.add_argument('--busy', action='store_true',
                        help='calls: keep a core busy meanwhile')
    parser.add_argument('--every', type=float, default=0.02,
                        help='idle: seconds between calls (default 0.02)')
    parser.add_argument('--seconds', type=float, default=10.,
                        help='idle: how long each measure lasts (default 10)')
    args = parser.parse_args(argv)
    if args.threads:
        os.environ['OMP_NUM_THREADS'] = str(args.threads)
    {'calls': calls, 'idle': idle, 'mlp': mlp,
     'phases': phases}[args.what](args)


if __name__ == '__main__':
    main()
