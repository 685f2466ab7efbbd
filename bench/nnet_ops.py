"""The package's nnet operations against another way of computing each,
side by side in one process.

The package writes the crossentropy-softmax ops and batch normalization
as graphs of PyTensor operations (compiled to C by ``theano.function``),
where Theano had an op of its own for each; it writes ``topk`` and
``images2neibs`` as ops.  Each row checks the choice by timing the
package's function against an alternative that computes the same:

``topk``   the package's op (``numpy.partition``, then the kept entries
           sorted) against a graph of PyTensor operations (a stable
           ``argsort`` of the whole axis, then the first ``kth``);
``xent``   ``crossentropy_softmax_argmax_1hot_with_bias`` and its
           gradient, the package's graph, against one op that computes
           them with NumPy (Theano's CPU op did it in a C loop);
``bn``     ``batch_normalization_train`` and its gradient, the package's
           graph, against one NumPy op (spatial, on 4-d inputs), and
``bn_act`` the same per activation on a matrix;
``neibs``  ``images2neibs`` and its gradient: the op's C++ against its
           NumPy code (the op's ``perform``).

Each row: the median time of a call of each side (they take turns,
``--repeats`` rounds of 10 calls), their ratio (package / alternative:
below 1 the package is faster), and the bytes each call must read and
write over that time as a share of the machine's copy bandwidth,
measured in the same run (a NumPy copy of 256 MB).  float64, the
threads of theano_compat's defaults.

Usage: ``python bench/nnet_ops.py [--repeats N] [--rows NAMES]
[--dry-run]``; ``--dry-run`` runs tiny shapes once (for the tests).
"""

import argparse
import os
import sys
import time
from statistics import median

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'code'))

import numpy  # noqa: E402

ROWS = ('topk', 'xent', 'bn', 'bn_act', 'neibs')


def numpy_op(perform, n_outputs, dtypes):
    """A PyTensor op computing ``perform(*inputs)`` (a tuple of arrays)
    with NumPy."""
    import pytensor.tensor as pt
    from pytensor.graph.basic import Apply
    from pytensor.graph.op import Op

    class Direct(Op):
        __props__ = ()

        def make_node(self, *inputs):
            inputs = [pt.as_tensor_variable(i) for i in inputs]
            outs = [pt.TensorType(dtype, shape=(None,) * ndim)()
                    for dtype, ndim in dtypes]
            return Apply(self, inputs, outs[:n_outputs])

        def perform(self, node, inputs, outputs):
            for storage, value in zip(outputs, perform(*inputs)):
                storage[0] = value

    return Direct()


def topk_row(shape, kth):
    """The top ``kth`` of each row, values and positions, sorted."""
    from theano_compat import theano, T
    from theano_compat.tensor.sort import topk_and_argtopk

    x = T.matrix('x')
    package = theano.function([x], list(topk_and_argtopk(x, kth, axis=1)))
    order = T.argsort(-x, axis=1, kind='stable')[:, :kth]
    graph = theano.function([x], [T.take_along_axis(x, order, axis=1),
                                  order])
    value = numpy.random.default_rng(0).standard_normal(shape)
    moved = value.nbytes + shape[0] * kth * 16
    return package, graph, [value], moved


def xent_row(shape):
    """crossentropy_softmax_argmax_1hot_with_bias and its gradient with
    respect to x and b (the cost: the nll's sum)."""
    from theano_compat import theano, T
    from theano_compat.tensor.nnet import nnet

    def direct(x, b, y, g):
        row = x + b
        am = row.argmax(axis=1)
        top = row[numpy.arange(len(row)), am][:, None]
        e = numpy.exp(row - top)
        total = e.sum(axis=1)
        sm = e * (1. / total)[:, None]
        nll = -row[numpy.arange(len(row)), y] + top[:, 0] + numpy.log(total)
        dx = sm * g[:, None]
        dx[numpy.arange(len(row)), y] -= g
        return nll, sm, am.astype(y.dtype), dx, dx.sum(axis=0)

    x, b, y = T.matrix('x'), T.vector('b'), T.ivector('y')
    nll, sm, am = nnet.crossentropy_softmax_argmax_1hot_with_bias(x, b, y)
    graph = theano.function([x, b, y], [nll, sm, am] + T.grad(nll.sum(),
                                                              [x, b]))
    op = numpy_op(direct, 5, [('float64', 1), ('float64', 2), ('int32', 1),
                              ('float64', 2), ('float64', 1)])
    other = theano.function([x, b, y], op(x, b, y, T.ones_like(nll)))
    rng = numpy.random.default_rng(1)
    values = [rng.standard_normal(shape), rng.standard_normal(shape[1]),
              rng.integers(0, shape[1], shape[0]).astype('int32')]
    moved = 3 * values[0].nbytes  # x in, sm and dx out
    return graph, other, values, moved


def bn_row(shape, axes_name):
    """batch_normalization_train and its gradient with respect to the
    inputs, gamma and beta."""
    from theano_compat import theano, T
    from theano_compat.tensor.nnet import bn
    axes = (0,) if axes_name == 'per-activation' else (0,) + tuple(
        range(2, len(shape)))

    def direct(x, gamma, beta, dy):
        mean = x.mean(axis=axes, keepdims=True)
        diff = x - mean
        var = (diff * diff).mean(axis=axes, keepdims=True)
        invstd = 1. / numpy.sqrt(var + 1e-4)
        scale = gamma.reshape(mean.shape)
        out = diff * (scale * invstd) + beta.reshape(mean.shape)
        mean_dy_diff = (dy * diff).mean(axis=axes, keepdims=True)
        c = dy * invstd - diff * (mean_dy_diff * invstd ** 3)
        gx = scale * (c - c.mean(axis=axes, keepdims=True))
        gg = (dy * invstd * diff).sum(axis=axes)
        return out, gx, gg, dy.sum(axis=axes)

    kind = T.TensorType('float64', shape=(None,) * len(shape))
    x, dy = kind('x'), kind('dy')
    gamma, beta = T.vector('gamma'), T.vector('beta')
    out, _, _ = bn.batch_normalization_train(x, gamma, beta, axes_name)
    graph = theano.function([x, gamma, beta, dy], [out] + T.grad(
        (out * dy).sum(), [x, gamma, beta]))
    op = numpy_op(direct, 4, [('float64', len(shape)),
                              ('float64', len(shape)), ('float64', 1),
                              ('float64', 1)])
    other = theano.function([x, gamma, beta, dy], op(x, gamma, beta, dy))
    rng = numpy.random.default_rng(2)
    values = [rng.standard_normal(shape), rng.uniform(.5, 1.5, shape[1]),
              rng.standard_normal(shape[1]), rng.standard_normal(shape)]
    moved = 4 * values[0].nbytes  # x and dy in, out and gx out
    return graph, other, values, moved


def neibs_row(shape, neib):
    """images2neibs ('valid', side by side) and its gradient: the op
    (C++) against its NumPy code (the op's perform)."""
    from pytensor.compile.mode import Mode
    from theano_compat import theano, T
    from theano_compat.tensor.nnet.neighbours import images2neibs
    x = T.tensor4('x')
    patches = images2neibs(x, neib)
    outputs = [patches, T.grad((patches ** 2).sum(), x)]
    graph = theano.function([x], outputs)
    other = theano.function([x], outputs, mode=Mode(linker='py'))
    value = numpy.random.default_rng(3).standard_normal(shape)
    return graph, other, [value], 4 * value.nbytes


def copy_bandwidth(size=256 << 20, repeats=5):
    """Bytes per second of a NumPy copy (read and write), best of a few."""
    source = numpy.ones(size // 8)
    target = numpy.empty_like(source)
    best = float('inf')
    for _ in range(repeats):
        start = time.perf_counter()
        numpy.copyto(target, source)
        best = min(best, time.perf_counter() - start)
    return 2 * source.nbytes / best


def take_turns(first, second, values, repeats, calls):
    """Median seconds per call of each function, alternating rounds."""
    times = ([], [])
    for fn in (first, second):
        fn(*values)  # warm up
    for _ in range(repeats):
        for fn, found in zip((first, second), times):
            start = time.perf_counter()
            for _ in range(calls):
                fn(*values)
            found.append((time.perf_counter() - start) / calls)
    return median(times[0]), median(times[1])


def check_same(first, second, values):
    """The two sides compute the same (else the timing means nothing)."""
    for a, b in zip(first(*values), second(*values)):
        numpy.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--repeats', type=int, default=7)
    parser.add_argument('--rows', default=','.join(ROWS),
                        help='which rows (default %(default)s)')
    parser.add_argument('--dry-run', action='store_true')
    args = parser.parse_args(argv)
    rows = args.rows.split(',')
    unknown = sorted(set(rows) - set(ROWS))
    if unknown or args.repeats < 1:
        parser.error('unknown rows %s (known: %s)' % (', '.join(unknown),
                                                      ', '.join(ROWS))
                     if unknown else '--repeats must be at least 1')
    small = args.dry_run
    builders = {
        'topk': lambda: topk_row((20, 30) if small else (1000, 1000), 10),
        'xent': lambda: xent_row((20, 10) if small else (500, 1000)),
        'bn': lambda: bn_row((2, 3, 4, 5) if small else (64, 32, 16, 16),
                             'spatial'),
        'bn_act': lambda: bn_row((5, 4) if small else (500, 1000),
                                 'per-activation'),
        'neibs': lambda: neibs_row((2, 3, 8, 8) if small
                                   else (64, 16, 32, 32), (2, 2)),
    }
    size = 1 << 20 if small else 256 << 20
    bandwidth = copy_bandwidth(size)
    repeats, calls = (1, 1) if small else (args.repeats, 10)
    print('copy bandwidth: %.1f GB/s (a NumPy copy of %d MB)'
          % (bandwidth / 1e9, size >> 20))
    print('%-6s %13s %16s %6s %14s %18s'
          % ('row', 'package (ms)', 'alternative (ms)', 'ratio',
             'package share', 'alternative share'))
    for name in rows:
        package, other, values, moved = builders[name]()
        check_same(package, other, values)
        a, b = take_turns(package, other, values, repeats, calls)
        print('%-6s %13.3f %16.3f %6.2f %13.1f%% %17.1f%%'
              % (name, a * 1e3, b * 1e3, a / b, 100 * moved / a / bandwidth,
                 100 * moved / b / bandwidth))
    return 0


if __name__ == '__main__':
    sys.exit(main())
