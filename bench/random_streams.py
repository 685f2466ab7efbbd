"""The denoising autoencoder's corruption mask: Theano's MRG generator
against PyTensor's own, side by side in one process.

Each function draws ``binomial(size=(600, 784), n=1, p=0.7,
dtype='float32')``, the mask of one 600 x 784 minibatch, with the size
given as constants and as ``x.shape`` (symbolic), from
``theano.sandbox.rng_mrg.MRG_RandomStreams`` (MRG31k3p, this port's C++
code) and from ``theano.tensor.shared_randomstreams.RandomStreams``
(PyTensor's NumPy generator).  The functions take turns, round after
round; the table gives each one's median time a call and its ratio to
PyTensor's draw of the same kind of size.

Usage: ``python bench/random_streams.py [--repeats N] [--rows R]
[--dry-run]``; ``--dry-run`` draws once each and checks the masks, without
timing (for the tests).
"""

import argparse
import os
import sys
import time
from statistics import median

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'code'))

COLUMNS = 784
P = 0.7



def mask_functions(rows, columns=COLUMNS, p=P, seed=1234):
    """``{name: (function, arguments)}``: the four masks of ``rows x
    columns``, each a compiled ``theano.function``."""
    import numpy
    from theano_compat import theano, T
    from theano_compat.sandbox.rng_mrg import MRG_RandomStreams
    from theano_compat.tensor.shared_randomstreams import RandomStreams

    x = T.matrix('x')
    data = numpy.zeros((rows, columns), dtype=theano.config.floatX)
    functions = {}
    for label, streams in (('MRG', MRG_RandomStreams(seed)),
                           ('PyTensor', RandomStreams(seed))):
        functions['%s, constant size' % label] = (theano.function(
            [], streams.binomial(size=(rows, columns), n=1, p=p,
                                 dtype='float32')), ())
        functions['%s, size=x.shape' % label] = (theano.function(
            [x], streams.binomial(size=x.shape, n=1, p=p, dtype='float32')),
            (data,))
    return functions


def time_calls(functions, repeats, calls=10):
    """``{name: median seconds a call}`` over ``repeats`` rounds in which
    every function runs ``calls`` times in turn."""
    times = {name: [] for name in functions}
    for fn, args in functions.values():
        fn(*args)  # first calls allocate
    for _ in range(repeats):
        for name, (fn, args) in functions.items():
            start = time.perf_counter()
            for _ in range(calls):
                fn(*args)
            times[name].append((time.perf_counter() - start) / calls)
    return {name: median(t) for name, t in times.items()}


def check_masks(functions, rows, columns=COLUMNS, p=P):
    """Draw once each: float32 0/1 masks of the right shape, about ``p``
    ones.  Returns ``{name: fraction of ones}``."""
    import numpy
    fractions = {}
    for name, (fn, args) in functions.items():
        mask = numpy.asarray(fn(*args))
        if mask.shape != (rows, columns) or mask.dtype != numpy.float32:
            raise AssertionError('%s: a %s %s mask' % (name, mask.shape,
                                                       mask.dtype))
        if not numpy.isin(mask, (0, 1)).all():
            raise AssertionError('%s: values other than 0 and 1' % name)
        fractions[name] = float(mask.mean())
    return fractions


def table(medians):
    """The lines printed: median ms a call, ratio to PyTensor's draw."""
    lines = ['%-28s %10s %16s' % ('mask', 'median ms', 'x PyTensor')]
    for name, seconds in medians.items():
        kind = name.split(', ', 1)[1]
        base = medians['PyTensor, %s' % kind]
        lines.append('%-28s %10.3f %16.2f' % (name, seconds * 1e3,
                                              seconds / base))
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(
        description='Time the MRG corruption mask against PyTensor\'s.')
    parser.add_argument('--repeats', type=int, default=15,
                        help='rounds of calls (default 15)')
    parser.add_argument('--rows', type=int, default=600,
                        help='minibatch rows (default 600)')
    parser.add_argument('--dry-run', action='store_true',
                        help='draw once each and check, without timing')
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.rows < 1:
        parser.error('--repeats and --rows must be positive')
    from theano_compat import backend_description
    functions = mask_functions(args.rows)
    fractions = check_masks(functions, args.rows)
    print(backend_description())
    print('binomial(size=(%d, %d), n=1, p=%s, dtype=float32)'
          % (args.rows, COLUMNS, P))
    if args.dry_run:
        for name, fraction in fractions.items():
            print('%-28s ones: %.4f' % (name, fraction))
        return 0
    print('%d rounds of 10 calls each, medians:' % args.repeats)
    for line in table(time_calls(functions, args.repeats)):
        print(line)
    return 0


if __name__ == '__main__':
    sys.exit(main())
