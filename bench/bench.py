"""Speed of the tutorial's training loop, side by side with its peers.

One command, one process, the real MNIST data and the same algorithm in
every row: zero-initialised weights, learning rate 0.13, minibatches of
600, one epoch = the 83 training steps plus the validation pass (16
minibatches), each step a separate call from a Python loop as the tutorial
makes it.  The rows are

* this project: the functions ``logistic_sgd.py`` compiles through
  ``theano_compat`` (PyTensor's C backend), in float32 and float64;
* NumPy: the same algorithm written by hand (``code/logistic_numpy.py``);
* PyTorch (CPU) and JAX, when they are installed, written as their users
  would write it.

Every row gets warm-up epochs, then the rows take turns (each round
starting one row later; each turn after a pause, two epochs, the second
timed), so that a busy machine slows them all alike; the table gives the
median.
After the table come the start-up times of the real script (with an empty
compile cache in a temporary folder, then with that cache warm), and the
full published run (74 epochs) with its peak memory.

    python bench/bench.py            # everything, about a minute
    python bench/bench.py --quick    # a few epochs, no cold start or full run
"""

import argparse
import importlib.util
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CODE = os.path.join(ROOT, 'code')
SCRIPT = os.path.join(CODE, 'logistic_sgd.py')
sys.path.insert(0, CODE)

import numpy  # noqa: E402

import logistic_numpy  # noqa: E402
import mnist_data  # noqa: E402

# The tutorial's settings and its published run.
LEARNING_RATE = 0.13
BATCH_SIZE = 600
PUBLISHED_EPOCHS = 74
PROJECT = 'this project'
# Seconds to wait before each row's turn: the idle worker threads of the
# row before (OpenBLAS, OpenMP, XLA) spin for a while after their last job,
# and would slow the next row down by taking a core from it.  The turn then
# runs two epochs and times the second, as in a run's steady state.
PAUSE_S = 0.3
# --threads N: the thread count every row is asked to use (None: each
# library's own choice).
THREADS = None


def _openblas_threads():
    """{library file name: thread count} of the OpenBLAS copies loaded."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return {}
    return {os.path.basename(info['filepath']): info['num_threads']
            for info in threadpool_info() if info['internal_api'] == 'openblas'}


def project_blas_threads():
    """Threads of the OpenBLAS that the project's C code links to."""
    import ctypes
    import scipy_openblas32
    library = ctypes.CDLL(os.path.join(scipy_openblas32.get_lib_dir(),
                                       scipy_openblas32.get_library(True)))
    return library.scipy_openblas_get_num_threads()


def _blas_threads(fragment):
    """Threads of the loaded OpenBLAS whose file name holds ``fragment``."""
    for name, threads in _openblas_threads().items():
        if fragment in name:
            return '%d (OpenBLAS)' % threads
    return '? (OpenBLAS; install threadpoolctl to see)'


#########
# PEERS #
#########
# Each builder takes the data as NumPy arrays and a dtype, and returns
# (epoch, threads): epoch() runs one epoch and returns the validation error
# (a fraction); threads says how many threads the row computes with.


def build_project(sets, dtype):
    """The tutorial's compiled functions (snippets 4 to 6 of logistic_sgd).

    The graph is built exactly as ``sgd_optimization_mnist`` builds it;
    only the dtype is set here, where the script takes it from
    ``THEANO_FLAGS``.
    """
    from theano_compat import theano, T
    import logistic_sgd

    theano.config.floatX = dtype
    (train_x, train_y), (valid_x, valid_y) = [
        (theano.shared(numpy.asarray(x, dtype=dtype), borrow=True),
         T.cast(theano.shared(numpy.asarray(y, dtype=dtype), borrow=True),
                'int32'))
        for x, y in sets[:2]]
    n_train_batches = len(sets[0][0]) // BATCH_SIZE
    n_valid_batches = len(sets[1][0]) // BATCH_SIZE

    index = T.lscalar()
    x = T.matrix('x')
    y = T.ivector('y')
    classifier = logistic_sgd.LogisticRegression(input=x, n_in=28 * 28,
                                                 n_out=10)
    cost = classifier.negative_log_likelihood(y)
    validate_model = theano.function(
        inputs=[index], outputs=classifier.errors(y),
        givens={x: valid_x[index * BATCH_SIZE:(index + 1) * BATCH_SIZE],
                y: valid_y[index * BATCH_SIZE:(index + 1) * BATCH_SIZE]})
    g_W = T.grad(cost=cost, wrt=classifier.W)
    g_b = T.grad(cost=cost, wrt=classifier.b)
    train_model = theano.function(
        inputs=[index], outputs=cost,
        updates=[(classifier.W, classifier.W - LEARNING_RATE * g_W),
                 (classifier.b, classifier.b - LEARNING_RATE * g_b)],
        givens={x: train_x[index * BATCH_SIZE:(index + 1) * BATCH_SIZE],
                y: train_y[index * BATCH_SIZE:(index + 1) * BATCH_SIZE]})

    def epoch():
        for minibatch_index in range(n_train_batches):
            train_model(minibatch_index)
        return numpy.mean([validate_model(i) for i in range(n_valid_batches)])

    from theano_compat.engine.fused import FusedSoftmaxRegression
    fused = [node.op.threads for node in train_model.maker.fgraph.apply_nodes
             if isinstance(node.op, FusedSoftmaxRegression)]
    if fused:  # the tutorial's cost runs as the fused loop
        return epoch, '%d (fused loop)' % fused[0]
    return epoch, '%d (OpenBLAS)' % project_blas_threads()


def _minibatches(x, y):
    return [(x[i:i + BATCH_SIZE], y[i:i + BATCH_SIZE])
            for i in range(0, len(x) - BATCH_SIZE + 1, BATCH_SIZE)]


def build_numpy(sets, dtype):
    """The hand-written loop: the gradient derived on paper, in NumPy."""
    (train_x, train_y), (valid_x, valid_y) = [
        (numpy.asarray(x, dtype=dtype), numpy.asarray(y, dtype='int32'))
        for x, y in sets[:2]]
    train, valid = _minibatches(train_x, train_y), _minibatches(valid_x,
                                                                 valid_y)
    W = numpy.zeros((train_x.shape[1], 10), dtype=dtype)
    b = numpy.zeros(10, dtype=dtype)
    lr = numpy.asarray(LEARNING_RATE, dtype=dtype)

    def epoch():
        for x, y in train:
            _, g_W, g_b = logistic_numpy.nll_and_grads(W, b, x, y)
            W[...] -= lr * g_W
            b[...] -= lr * g_b
        return numpy.mean([logistic_numpy.error_rate(W, b, x, y)
                           for x, y in valid])

    return epoch, _blas_threads('openblas64')


def build_torch(sets, dtype):
    """PyTorch on the CPU, with autograd, as its tutorials write it."""
    import torch
    import torch.nn.functional as F

    if THREADS:
        torch.set_num_threads(THREADS)
    tdtype = getattr(torch, dtype)
    (train_x, train_y), (valid_x, valid_y) = [
        (torch.as_tensor(numpy.asarray(x, dtype=dtype)),
         torch.as_tensor(numpy.asarray(y, dtype='int64')))
        for x, y in sets[:2]]
    train, valid = _minibatches(train_x, train_y), _minibatches(valid_x,
                                                                 valid_y)
    W = torch.zeros(train_x.shape[1], 10, dtype=tdtype, requires_grad=True)
    b = torch.zeros(10, dtype=tdtype, requires_grad=True)

    def epoch():
        for x, y in train:
            loss = F.cross_entropy(x @ W + b, y)
            W.grad = b.grad = None
            loss.backward()
            with torch.no_grad():
                W.sub_(LEARNING_RATE * W.grad)
                b.sub_(LEARNING_RATE * b.grad)
        with torch.no_grad():
            return numpy.mean([((x @ W + b).argmax(dim=1) != y)
                               .double().mean().item() for x, y in valid])

    return epoch, '%d (torch.get_num_threads)' % torch.get_num_threads()


def build_jax(sets, dtype):
    """JAX on the CPU: a jitted step over data kept on the device."""
    if THREADS == 1 and 'jax' not in sys.modules:  # read when jax loads
        os.environ['XLA_FLAGS'] = (os.environ.get('XLA_FLAGS', '') +
                                   ' --xla_cpu_multi_thread_eigen=false'
                                   ' intra_op_parallelism_threads=1')
    import jax
    import jax.numpy as jnp

    jax.config.update('jax_enable_x64', dtype == 'float64')
    (train_x, train_y), (valid_x, valid_y) = [
        (jax.device_put(numpy.asarray(x, dtype=dtype)),
         jax.device_put(numpy.asarray(y, dtype='int32')))
        for x, y in sets[:2]]
    n_train_batches = train_x.shape[0] // BATCH_SIZE
    n_valid_batches = valid_x.shape[0] // BATCH_SIZE

    def minibatch(x, y, i):
        start = i * BATCH_SIZE
        return (jax.lax.dynamic_slice_in_dim(x, start, BATCH_SIZE),
                jax.lax.dynamic_slice_in_dim(y, start, BATCH_SIZE))

    def cost(params, x, y):
        W, b = params
        log_p = jax.nn.log_softmax(x @ W + b)
        return -jnp.mean(jnp.take_along_axis(log_p, y[:, None], axis=1))

    @jax.jit
    def train_model(params, i):
        x, y = minibatch(train_x, train_y, i)
        grads = jax.grad(cost)(params, x, y)
        return tuple(p - LEARNING_RATE * g for p, g in zip(params, grads))

    @jax.jit
    def validate_model(params, i):
        x, y = minibatch(valid_x, valid_y, i)
        W, b = params
        return jnp.mean(jnp.argmax(x @ W + b, axis=1) != y)

    params = [(jnp.zeros((train_x.shape[1], 10), dtype=dtype),
               jnp.zeros(10, dtype=dtype))]

    def epoch():
        p = params[0]
        for i in range(n_train_batches):
            p = train_model(p, i)
        params[0] = p
        return float(numpy.mean([validate_model(p, i)
                                 for i in range(n_valid_batches)]))

    single = '--xla_cpu_multi_thread_eigen=false' in os.environ.get(
        'XLA_FLAGS', '')
    return epoch, ('1 (XLA CPU)' if single
                   else 'XLA CPU (%d cores)' % os.cpu_count())


def _installed(module):
    """Whether ``module`` can be imported (without importing it yet)."""
    return importlib.util.find_spec(module) is not None


def peer_rows(names, dtypes):
    """(name, dtype, builder) for each row to run, peers only if installed."""
    rows = [(PROJECT + ' (PyTensor C)', dtype, build_project)
            for dtype in dtypes]
    optional = {'numpy': ('NumPy by hand', build_numpy, 'numpy'),
                'torch': ('PyTorch CPU', build_torch, 'torch'),
                'jax': ('JAX CPU', build_jax, 'jax')}
    for name in names:
        label, builder, module = optional[name]
        if not _installed(module):
            print('(%s is not installed: no %s row)' % (module, label))
            continue
        # NumPy is cheap: run it in every dtype; the others in float32,
        # the dtype of the targets.
        for dtype in (dtypes if name == 'numpy' else dtypes[:1]):
            rows.append((label, dtype, builder))
    return rows


###########
# TIMING  #
###########

def time_rows(rows, sets, warmup, repeats, clock=time.perf_counter,
              pause=time.sleep):
    """Median seconds per epoch of each row, the rows taking turns.

    :param rows: (label, dtype, builder) triples, the first ones this
        project's (see :func:`peer_rows`)
    :rtype: list of dicts, one per row: ``epochs_per_s`` (1 / the median
        epoch time), ``ratio`` (over this project's row of the same dtype),
        ``published_run_s`` (74 epochs at that speed), ``threads``,
        ``valid_error`` after the last epoch...
    """
    built = []
    for label, dtype, builder in rows:
        epoch, threads = builder(sets, dtype)
        for _ in range(warmup):
            epoch()
        built.append({'label': label, 'dtype': dtype, 'threads': threads,
                      'epoch': epoch, 'times': []})
    for turn in range(repeats):
        # Each round starts one row later, so that every row follows every
        # other one as often: a row does not always pay for the same
        # neighbour's idle threads.
        for row in built[turn % len(built):] + built[:turn % len(built)]:
            pause(PAUSE_S)
            row['epoch']()  # untimed: wakes the threads, refills the caches
            start = clock()
            row['valid_error'] = float(row['epoch']())
            row['times'].append(clock() - start)
    results = []
    for row in built:
        median = statistics.median(row['times'])
        results.append({'label': row['label'], 'dtype': row['dtype'],
                        'threads': row['threads'],
                        'epochs': warmup + 2 * repeats,
                        'valid_error': row['valid_error'],
                        'seconds_per_epoch': median,
                        'epochs_per_s': 1. / median})
    for row in results:
        reference = next(r for r in results if r['dtype'] == row['dtype']
                         and r['label'].startswith(PROJECT))
        row['ratio'] = row['epochs_per_s'] / reference['epochs_per_s']
        row['published_run_s'] = PUBLISHED_EPOCHS / row['epochs_per_s']
    return results


def format_table(results):
    """The table as text: one row per peer and dtype, columns two spaces
    apart at least."""
    header = ('%-27s  %-7s  %-28s  %8s  %5s  %13s  %9s'
              % ('row', 'dtype', 'threads', 'epochs/s', 'ratio',
                 '74 epochs (s)', 'valid err'))
    lines = [header, '-' * len(header)]
    for r in results:
        lines.append('%-27s  %-7s  %-28s  %8.2f  %5.2f  %13.2f  %8.2f%%'
                     % (r['label'], r['dtype'], r['threads'],
                        r['epochs_per_s'], r['ratio'], r['published_run_s'],
                        100 * r['valid_error']))
    return '\n'.join(lines)


#############
# THE SCRIPT #
#############

# Runs the script and, at its exit, prints its peak resident memory.  The
# kernel's rusage of a child also counts the memory of the process that
# forked it (this one, with all the peers loaded), so the child reads its
# own high-water mark, VmHWM, which belongs to its address space alone.
PEAK_WRAPPER = """
import atexit, os, runpy, sys
def report_peak():
    with open('/proc/self/status') as status:
        for line in status:
            if line.startswith('VmHWM:'):
                sys.stderr.write('bench-peak-kb %d\\n' % int(line.split()[1]))
atexit.register(report_peak)
sys.argv = sys.argv[1:]
sys.path[0] = os.path.dirname(sys.argv[0])
runpy.run_path(sys.argv[0], run_name='__main__')
"""


def run_script(dtype, compile_dir, n_epochs=None):
    """Run ``logistic_sgd.py`` in a fresh process; time it and its memory.

    The compile cache is ``compile_dir`` (None: PyTensor's usual one); the
    run happens in a temporary folder, where its ``best_model.pkl`` lands.

    :rtype: dict with ``first_epoch_s`` (from the process start to the
        first printed epoch), ``wall_s``, ``peak_rss_mb``, ``training_s``
        (the time the script reports), ``epochs``, ``best_validation``
        and ``test`` (percent, as printed), ``stdout``
    """
    env = dict(os.environ, THEANO_FLAGS='floatX=' + dtype,
               PYTHONUNBUFFERED='1')
    # The threads the rows above ran with: left to itself the script's
    # OpenBLAS would count this benchmark's own minutes of work as a busy
    # core.  (The fused loop takes OMP_NUM_THREADS, else the cores.)
    env.setdefault('OPENBLAS_NUM_THREADS', str(project_blas_threads()))
    from theano_compat.engine.threads import fused_threads
    env.setdefault('OMP_NUM_THREADS', str(fused_threads()))
    if compile_dir is not None:
        env['NUMBA_CACHE_DIR'] = compile_dir
        env['PYTENSOR_FLAGS'] = ','.join(
            f for f in [env.get('PYTENSOR_FLAGS', ''),
                        'base_compiledir=' + compile_dir] if f)
    command = [sys.executable, '-c', PEAK_WRAPPER, SCRIPT]
    if n_epochs is not None:
        command += ['--n-epochs', str(n_epochs)]
    with tempfile.TemporaryDirectory() as work, \
            tempfile.TemporaryFile('w+') as stderr:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=work, env=env, text=True,
                                   stdout=subprocess.PIPE, stderr=stderr)
        first_epoch_s = None
        lines = []
        for line in process.stdout:
            lines.append(line)
            if first_epoch_s is None and line.startswith('epoch 1,'):
                first_epoch_s = time.perf_counter() - start
        process.wait()
        wall_s = time.perf_counter() - start
        stderr.seek(0)
        err = stderr.read()
    out = ''.join(lines)
    if process.returncode != 0:
        raise RuntimeError('%s failed (exit %d):\n%s%s'
                           % (' '.join(command), process.returncode, out, err))
    final = re.search(r'best validation score of ([\d.]+) %,with test '
                      r'performance ([\d.]+) %', out)
    epochs = re.search(r'The code run for (\d+) epochs', out)
    training = re.search(r'ran for ([\d.]+)s', err)
    peak = re.search(r'bench-peak-kb (\d+)', err)
    return {'first_epoch_s': first_epoch_s, 'wall_s': wall_s,
            'peak_rss_mb': int(peak.group(1)) / 1024. if peak else None,
            'training_s': float(training.group(1)) if training else None,
            'epochs': int(epochs.group(1)) if epochs else None,
            'best_validation': final.group(1) if final else None,
            'test': final.group(2) if final else None, 'stdout': out}


def data_size_mb(sets, dtype):
    """The data's own size in ``dtype``: every x and y value, in MiB."""
    values = sum(x.size + y.size for x, y in sets)
    return values * numpy.dtype(dtype).itemsize / 2. ** 20


def start_up(dtype, compile_dir):
    """First-epoch times of the script, cold (empty cache) then warm.

    :param compile_dir: an empty folder for PyTensor's compile cache
    """
    return {'cold': run_script(dtype, compile_dir, n_epochs=1),
            'warm': run_script(dtype, compile_dir, n_epochs=1)}


def script_runs(sets, dtypes, full):
    """Run ``logistic_sgd.py`` itself and print its start-up and memory.

    ``full``: cold and warm start in a temporary compile cache, then the
    published run (74 epochs) in each dtype.  Otherwise only the warm
    start.  Warm runs use the usual compile cache, which the rows above
    filled.
    """
    dtype = dtypes[0]
    print()
    print('logistic_sgd.py (BLAS threads as in the table), %s, from the '
          'process start to the first printed epoch:' % dtype)
    compile_dir = tempfile.mkdtemp(prefix='bench-compiledir-') if full else None
    try:
        if full:
            starts = start_up(dtype, compile_dir)
            print('  cold start (empty compile cache): %6.1f s'
                  % starts['cold']['first_epoch_s'])
        else:
            starts = {'warm': run_script(dtype, None, n_epochs=1)}
        print('  warm start (compile cache filled): %5.1f s'
              % starts['warm']['first_epoch_s'])
        runs = {}
        if full:
            # In the usual compile cache, which the rows above have filled
            # for every dtype.
            print('The published run (%d epochs), warm cache:'
                  % PUBLISHED_EPOCHS)
            for run_dtype in dtypes:
                run = runs[run_dtype] = run_script(run_dtype, None)
                print('  %s: training %.2f s (as the script reports it), '
                      'whole process %.2f s, %d epochs, validation %s %%, '
                      'test %s %%'
                      % (run_dtype, run['training_s'], run['wall_s'],
                         run['epochs'], run['best_validation'], run['test']))
        else:
            runs[dtype] = starts['warm']
    finally:
        if compile_dir:
            shutil.rmtree(compile_dir, ignore_errors=True)
    print('Peak memory of the run (the process\'s maximum resident set):')
    for run_dtype, run in runs.items():
        run['data_mb'] = data_size_mb(sets, run_dtype)
        print('  %s: %.0f MiB = %.2fx the data (%.1f MiB in %s)'
              % (run_dtype, run['peak_rss_mb'],
                 run['peak_rss_mb'] / run['data_mb'], run['data_mb'],
                 run_dtype))
    strip = lambda run: {k: v for k, v in run.items() if k != 'stdout'}
    return {'start': {k: strip(v) for k, v in starts.items()},
            'runs': {k: strip(v) for k, v in runs.items()}}


def set_threads(threads):
    """Ask every library of the rows (and the script) for ``threads``."""
    global THREADS
    THREADS = threads
    # theano_compat's OpenBLAS and fused loop, and the script's runs, read
    # these (and PyTorch reads OMP_NUM_THREADS when it is imported).
    os.environ['OPENBLAS_NUM_THREADS'] = str(threads)
    os.environ['OMP_NUM_THREADS'] = str(threads)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        sys.exit('--threads needs threadpoolctl: pip install threadpoolctl')
    threadpool_limits(threads)  # NumPy's OpenBLAS, already loaded


def machine():
    """One line naming the processor and the cores."""
    model = 'unknown processor'
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    model = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    return '%s, %d cores' % (model, os.cpu_count())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--quick', action='store_true',
                        help='few epochs; no cold start, no full run')
    parser.add_argument('--repeats', type=int,
                        help='timed epochs per row (default 9, quick 3)')
    parser.add_argument('--warmup', type=int,
                        help='untimed epochs per row first (default 2, '
                             'quick 1)')
    parser.add_argument('--peers', default='numpy,torch,jax',
                        help='comma-separated, from numpy, torch, jax')
    parser.add_argument('--dtypes', default='float32,float64')
    parser.add_argument('--threads', type=int,
                        help='threads for every row (default: what each '
                             'library picks); needs threadpoolctl')
    parser.add_argument('--no-start', action='store_true',
                        help='skip the runs of the script itself')
    parser.add_argument('--json', help='also write the results here')
    args = parser.parse_args(argv)
    repeats = args.repeats or (3 if args.quick else 9)
    warmup = args.warmup if args.warmup is not None else (
        1 if args.quick else 2)
    peers = [p for p in args.peers.split(',') if p]
    dtypes = [d for d in args.dtypes.split(',') if d]
    for name in peers:
        if name not in ('numpy', 'torch', 'jax'):
            parser.error('unknown peer %r: choose from numpy, torch, jax'
                         % name)

    if args.threads:
        set_threads(args.threads)
    print('machine: %s' % machine())
    print('command: python bench/bench.py %s' % ' '.join(
        argv if argv is not None else sys.argv[1:]))
    sets = mnist_data.load_mnist_arrays(
        mnist_data.resolve_dataset_path('mnist.pkl.gz'))
    results = time_rows(peer_rows(peers, dtypes), sets, warmup, repeats)
    print()
    print('One epoch = 83 training minibatches of 600 + the validation '
          'pass.  Median of %d timed epochs (each the second of a turn) '
          'after %d of warm-up; ratio = epochs/s over this project\'s in '
          'the same dtype.' % (repeats, warmup))
    print(format_table(results))
    report = {'machine': machine(), 'rows': results}

    if not args.no_start:
        report.update(script_runs(sets, dtypes, full=not args.quick))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(report, f, indent=1)
    return report


if __name__ == '__main__':
    main()
