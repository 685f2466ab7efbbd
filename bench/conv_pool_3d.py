"""3-D convolution and pooling: this port against PyTorch's CPU ops.

A small video-like problem: a minibatch of 8 volumes of 3 channels, 16 x
64 x 64, convolved with 32 filters of 3 x 3 x 3 (``conv3d``, border mode
valid, no flip: the correlation PyTorch computes), then max pooling of
the result in 2 x 2 x 2 windows (``pool_3d``, ``ignore_border=True``),
all in float32.  Four rows, each timed on both sides in turns in one
process:

``conv3d forward``              the convolution
``conv3d forward+backward``     the convolution and its gradients with
                                respect to the input and the filters
``pool_3d forward``             the pooling
``pool_3d forward+backward``    the pooling and its gradient

theano_compat's side is ``theano.function`` in its default mode (the C
backend, FAST_RUN); PyTorch's is ``torch.nn.functional.conv3d`` /
``max_pool3d`` and ``torch.autograd.grad``.  Both run on the same number
of threads.  The script prints each side's median time, their ratio
(theano_compat / PyTorch: below 1 is faster), and the speed as a share
of what the machine can do, measured in the same run: for the
convolutions GFLOP/s (2 flops per multiply-add) against the machine's
float32 matrix product (NumPy's ``matmul`` of 2048 x 2048 matrices), for
the pooling GB/s (input read plus output written) against a plain copy
of a large array.  It first checks that both sides compute the same.

Usage: ``python bench/conv_pool_3d.py [--repeats N] [--threads N]
[--dry-run]`` (``--dry-run``: a tiny problem, one round, for the tests).
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
# batch, channels, depth, rows, cols; filters, kernel; pooling window
PROBLEM = dict(batch=8, channels=3, volume=(16, 64, 64), filters=32,
               kernel=(3, 3, 3), window=(2, 2, 2))
DRY = dict(batch=2, channels=2, volume=(4, 6, 6), filters=3,
           kernel=(2, 2, 2), window=(2, 2, 2))


def output_volume(problem):
    return tuple(v - k + 1 for v, k in zip(problem['volume'],
                                           problem['kernel']))


def conv_flops(problem):
    """Multiply-adds of the forward convolution, times 2."""
    return (2 * problem['batch'] * problem['filters'] * problem['channels']
            * numpy.prod(problem['kernel'])
            * numpy.prod(output_volume(problem)))


def pool_bytes(problem, backward):
    """Bytes the pooling reads and writes (float32): forward, the input
    and the output; backward adds the input, output and output gradient
    read and the input gradient written."""
    size = problem['batch'] * problem['filters'] * numpy.prod(
        output_volume(problem))
    pooled = size // numpy.prod(problem['window'])
    moved = size + pooled
    if backward:
        moved += 2 * size + 2 * pooled
    return 4 * moved


# ----------------------------------------------------------------------------
# The two sides.

def theano_side(x_value, w_value, g_value, problem):
    """{row: call} of theano_compat's compiled functions, and the
    convolution's output (the pooling's input on both sides)."""
    from theano_compat import theano, T
    from theano_compat.tensor.signal import pool
    x, w, g = (T.tensor5(name, dtype=DTYPE) for name in 'xwg')
    conv = T.nnet.conv3d(x, w, border_mode='valid', filter_flip=False)
    conv_fn = theano.function([x, w], conv)
    conv_grads = theano.function([x, w, g],
                                 [conv] + T.grad((conv * g).sum(), [x, w]))
    c = T.tensor5('c', dtype=DTYPE)
    pooled = pool.pool_3d(c, problem['window'], ignore_border=True)
    h = T.tensor5('h', dtype=DTYPE)
    pool_fn = theano.function([c], pooled)
    pool_grads = theano.function([c, h],
                                 [pooled, T.grad((pooled * h).sum(), c)])
    conv_value = conv_fn(x_value, w_value)
    h_value = numpy.ones_like(pool_fn(conv_value))
    return conv_value, {
        'conv3d forward': lambda: conv_fn(x_value, w_value),
        'conv3d forward+backward': lambda: conv_grads(x_value, w_value,
                                                      g_value),
        'pool_3d forward': lambda: pool_fn(conv_value),
        'pool_3d forward+backward': lambda: pool_grads(conv_value, h_value),
    }


def torch_side(x_value, w_value, g_value, conv_value, problem):
    """The same rows in PyTorch (the pooling of ``conv_value``, as on
    theano_compat's side: the gradient of max pooling goes where the
    maxima are, which rounding could move)."""
    import torch
    functional = torch.nn.functional
    x = torch.from_numpy(x_value).requires_grad_(True)
    w = torch.from_numpy(w_value).requires_grad_(True)
    g = torch.from_numpy(g_value)
    window = problem['window']

    def conv():
        with torch.no_grad():
            return functional.conv3d(x, w)

    def conv_grads():
        out = functional.conv3d(x, w)
        return [out] + list(torch.autograd.grad(out, [x, w], g))

    c = torch.from_numpy(conv_value).requires_grad_(True)
    with torch.no_grad():
        h = torch.ones(functional.max_pool3d(c, window).shape)

    def pool():
        with torch.no_grad():
            return functional.max_pool3d(c, window)

    def pool_grads():
        out = functional.max_pool3d(c, window)
        return [out] + list(torch.autograd.grad(out, [c], h))

    return {'conv3d forward': conv, 'conv3d forward+backward': conv_grads,
            'pool_3d forward': pool, 'pool_3d forward+backward': pool_grads}


def as_arrays(result):
    if not isinstance(result, (list, tuple)):
        result = [result]
    return [numpy.asarray(r.detach().numpy() if hasattr(r, 'detach') else r)
            for r in result]


def differences(row, ours, theirs):
    """How far the two sides' results are apart: the largest difference
    relative to the largest entry; for max pooling's gradient, the share
    of entries that differ, since a window whose maximum is tied gives
    its gradient to each tied element here (Theano's rule) and to one in
    PyTorch (ties happen: a few in millions of float32 values)."""
    worst = 0.
    for i, (a, b) in enumerate(zip(as_arrays(ours), as_arrays(theirs))):
        if not b.size:
            continue
        if row.startswith('pool_3d') and i == 1:
            share = numpy.count_nonzero(a != b) / b.size
            worst = max(worst, 0. if share < 1e-5 else 1.)
            continue
        scale = max(float(numpy.abs(b).max()), 1e-30)
        worst = max(worst, float(numpy.abs(a - b).max()) / scale)
    return worst


# ----------------------------------------------------------------------------
# The machine.

def gemm_rate(size=2048, repeats=5):
    """The machine's float32 GEMM rate, GFLOP/s (NumPy's matmul)."""
    rng = numpy.random.default_rng(0)
    a = rng.standard_normal((size, size)).astype(DTYPE)
    b = rng.standard_normal((size, size)).astype(DTYPE)
    out = numpy.empty_like(a)
    numpy.matmul(a, b, out=out)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        numpy.matmul(a, b, out=out)
        times.append(time.perf_counter() - start)
    return 2. * size ** 3 / median(times) / 1e9


def copy_rate(megabytes=256, repeats=5):
    """The machine's memory bandwidth, GB/s: a copy of a large array
    (bytes read plus bytes written)."""
    src = numpy.ones(megabytes * 2 ** 20 // 4, dtype=DTYPE)
    dst = numpy.empty_like(src)
    numpy.copyto(dst, src)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        numpy.copyto(dst, src)
        times.append(time.perf_counter() - start)
    return 2. * src.nbytes / median(times) / 1e9


def take_turns(sides, repeats, calls, pause=0.2):
    """Median milliseconds a call, {side: ms}: in each of ``repeats``
    rounds every side runs ``calls`` calls untimed, then ``calls`` timed,
    in turns; a pause lets the other side's threads go idle first."""
    times = {name: [] for name in sides}
    for _ in range(repeats):
        for name, call in sides.items():
            time.sleep(pause)
            for timed in (False, True):
                start = time.perf_counter()
                for _ in range(calls):
                    call()
                if timed:
                    times[name].append((time.perf_counter() - start)
                                       / calls * 1e3)
    return {name: median(t) for name, t in times.items()}


def threads():
    """The threads both sides use: those of theano_compat's OpenBLAS."""
    from theano_compat.engine.threads import blas_threads
    return int(os.environ.get('OMP_NUM_THREADS')
               or os.environ.get('OPENBLAS_NUM_THREADS')
               or blas_threads())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--repeats', type=int, default=5,
                        help='rounds of turns (default 5)')
    parser.add_argument('--threads', type=int, default=None,
                        help='threads of both sides (default: those of '
                             "theano_compat's OpenBLAS)")
    parser.add_argument('--dry-run', action='store_true',
                        help='a tiny problem, one round: checks that it runs')
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error('--repeats should be at least 1')
    if args.threads is not None:
        if 'theano_compat' in sys.modules or 'torch' in sys.modules:
            parser.error('--threads must be set before theano_compat and '
                         'torch are imported (run the script by itself)')
        if args.threads < 1:
            parser.error('--threads should be at least 1')
        for name in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS'):
            os.environ[name] = str(args.threads)
    problem = DRY if args.dry_run else PROBLEM
    count = threads()
    try:
        import torch
        torch.set_num_threads(count)
        torch_version = torch.__version__
    except ImportError:
        torch = None
        torch_version = 'not installed (pip install torch): its side skipped'
    from theano_compat import backend_description
    rng = numpy.random.default_rng(0)
    x_value = rng.standard_normal(
        (problem['batch'], problem['channels']) + problem['volume']
    ).astype(DTYPE)
    w_value = (rng.standard_normal(
        (problem['filters'], problem['channels']) + problem['kernel'])
        / 9).astype(DTYPE)
    g_value = rng.standard_normal(
        (problem['batch'], problem['filters']) + output_volume(problem)
    ).astype(DTYPE)
    conv_value, ours = theano_side(x_value, w_value, g_value, problem)
    theirs = torch_side(x_value, w_value, g_value, conv_value,
                        problem) if torch else {}
    print('theano_compat: %s; PyTorch %s; %d thread(s) each'
          % (backend_description(), torch_version, count))
    print('problem: minibatch %d, %d channels, %s volumes, %d filters of %s, '
          'pooling %s, float32'
          % (problem['batch'], problem['channels'],
             ' x '.join(map(str, problem['volume'])), problem['filters'],
             ' x '.join(map(str, problem['kernel'])),
             ' x '.join(map(str, problem['window']))))
    gemm, copy = gemm_rate(512 if args.dry_run else 2048), copy_rate(
        16 if args.dry_run else 256)
    print('machine: float32 GEMM %.1f GFLOP/s (NumPy matmul), copy %.1f '
          'GB/s' % (gemm, copy))
    repeats = 1 if args.dry_run else args.repeats
    print('%-26s %14s %12s %7s  %s' % ('row', 'theano_compat', 'PyTorch',
                                        'ratio', 'theano_compat (PyTorch) '
                                        'speed, share of the machine'))
    results = {}
    for row, call in ours.items():
        sides = {'theano_compat': call}
        if row in theirs:
            difference = differences(row, call(), theirs[row]())
            if difference > 1e-3:
                sys.exit('%s: the two sides differ by %.2g (relative)'
                         % (row, difference))
            sides['pytorch'] = theirs[row]
        medians = take_turns(sides, repeats, 1 if args.dry_run else 2)
        results[row] = medians
        if row.startswith('conv3d'):
            work = conv_flops(problem) * (3 if 'backward' in row else 1)
            unit, peak = 'GFLOP/s', gemm
        else:
            work = pool_bytes(problem, 'backward' in row)
            unit, peak = 'GB/s', copy
        speeds = {name: work / (ms / 1e3) / 1e9 for name, ms in
                  medians.items()}
        mine = speeds['theano_compat']
        text = '%.1f %s = %.0f %%' % (mine, unit, 100 * mine / peak)
        if 'pytorch' in medians:
            text += ' (%.1f = %.0f %%)' % (speeds['pytorch'],
                                           100 * speeds['pytorch'] / peak)
            print('%-26s %11.2f ms %9.2f ms %7.2f  %s'
                  % (row, medians['theano_compat'], medians['pytorch'],
                     medians['theano_compat'] / medians['pytorch'], text))
        else:
            print('%-26s %11.2f ms %12s %7s  %s'
                  % (row, medians['theano_compat'], '-', '-', text))
    print('(medians of %d rounds; ratio: theano_compat / PyTorch)' % repeats)
    return results


if __name__ == '__main__':
    main()
