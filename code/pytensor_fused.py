"""One pass over the minibatch for softmax regression's cost and gradient.

The tutorial's training step reads its 600 x 784 minibatch twice: once
for the scores ``x @ W`` and once more for the gradient ``x.T @ delta``,
where ``delta`` is the softmax minus the one-hot labels.  In between comes
a softmax over rows only 10 wide, which PyTensor runs as a dozen small
ops.  Both matrix products are skinny (10 columns), so BLAS runs them well
below the machine's peak (bench/README.md has the profiles).

Here the whole step is one C++ loop over blocks of four rows: the block's
scores, its softmax, its share of the cost and its share of the gradient,
while the block is still in the first-level cache.  The minibatch is cut
into four fixed parts, run by a small pool of threads; the parts' sums
are added in a fixed order, so the result does not depend on the number
of threads.  The error rate (validation and test) is the same loop's
scores and an argmax.

How it is used, without any change to ``logistic_sgd.py``:

1. ``grad(cost, wrt)`` (``T.grad`` in ``theano_compat``) recognises the
   tutorial's cost, ``-mean(log(softmax(dot(x, W) + b))[arange(n), y])``,
   exactly (its graph is compared with one built here) and returns the
   gradients as outputs of :class:`SoftmaxNLLGrad`, an ``OpFromGraph``
   whose inner graph is PyTensor's own gradient.  Any other cost, or a
   ``wrt`` other than ``W`` and ``b``, goes to ``pytensor.grad``.
2. In the C backend's mode (``pytensor_cvm.FAST_CVM``) rewrites run before
   anything else: the cost itself is taken from that node, the node
   becomes :class:`FusedSoftmaxRegression` (the C++ loop), and so does the
   tutorial's error rate, ``mean(neq(argmax(softmax(...)), y))``.
3. Every other mode (JAX, NUMBA, Python) inlines the ``OpFromGraph`` as
   it inlines any other: the same graph as before.

The printed output of the tutorial's 74-epoch run is the same, line for
line, with and without this module, in float32 and in float64."""

import functools
import hashlib
import os

import numpy
import pytensor
import pytensor.tensor as _pt
from pytensor.compile.builders import OpFromGraph
from pytensor.graph.basic import Apply, equal_computations
from pytensor.graph.traversal import ancestors
from pytensor.graph.rewriting.basic import dfs_rewriter, node_rewriter
from pytensor.link.c.op import COp
from pytensor.link.c.params_type import ParamsType
from pytensor import scalar as _scalar
from pytensor.tensor import special as _special

__all__ = ['grad', 'match_softmax_nll', 'match_softmax_errors',
           'softmax_nll_grad', 'SoftmaxNLLGrad', 'FusedSoftmaxRegression',
           'fused_threads', 'register_rewrites']

FLOAT_DTYPES = ('float32', 'float64')
INT_DTYPES = ('int8', 'int16', 'int32', 'int64',
              'uint8', 'uint16', 'uint32', 'uint64')


# ----------------------------------------------------------------------------
# Recognising the tutorial's cost.

def _p_y_given_x(x, W, b):
    """The model's class probabilities, as ``LogisticRegression`` builds them."""
    return _special.softmax(_pt.dot(x, W) + b, axis=-1)


def _softmax_nll(x, W, b, y):
    """The tutorial's cost, built exactly as ``logistic_sgd.py`` builds it."""
    return -_pt.mean(_pt.log(_p_y_given_x(x, W, b))[_pt.arange(y.shape[0]), y])


def _softmax_errors(x, W, b, y):
    """The tutorial's error rate, built as ``logistic_sgd.py`` builds it."""
    return _pt.mean(_pt.neq(_pt.argmax(_p_y_given_x(x, W, b), axis=1), y))


def _match(var, scores_and_labels, build):
    """``(x, W, b, y)`` if ``var`` is ``build(x, W, b, y)``, else None.

    ``scores_and_labels(var)`` walks down to ``dot(x, W) + b`` and ``y``;
    the inputs are read off there, then ``var``'s graph is compared, node
    for node and constant for constant, with the one ``build`` makes of
    them: anything that merely looks similar is rejected.
    """
    try:
        scores, y = scores_and_labels(var)
        product, bias = scores.owner.inputs  # dot(x, W) + b
        x, W = product.owner.inputs
        b = bias.owner.inputs[0]             # b, broadcast over rows
    except (AttributeError, IndexError, TypeError, ValueError):
        return None
    if not _model_types(x, W, b, y):
        return None
    if not equal_computations([var], [build(x, W, b, y)]):
        return None
    return x, W, b, y


def _cost_scores_and_labels(cost):
    mean = cost.owner.inputs[0]                     # -mean(...)
    picked = mean.owner.inputs[0].owner.inputs[0]   # sum(...) / n
    log_p, _, y = picked.owner.inputs               # log_p[arange(n), y]
    return log_p.owner.inputs[0].owner.inputs[0], y  # log(softmax(.))


def _errors_scores_and_labels(rate):
    wrong = rate.owner.inputs[0].owner.inputs[0]    # sum(...) / n
    y_pred, y = wrong.owner.inputs                  # neq(y_pred, y)
    return y_pred.owner.inputs[0].owner.inputs[0], y  # argmax(softmax(.))


def match_softmax_nll(cost):
    """``(x, W, b, y)`` if ``cost`` is the tutorial's cost of them, else None."""
    return _match(cost, _cost_scores_and_labels, _softmax_nll)


def match_softmax_errors(rate):
    """``(x, W, b, y)`` if ``rate`` is the tutorial's error rate of them."""
    return _match(rate, _errors_scores_and_labels, _softmax_errors)


def _model_types(x, W, b, y):
    """Whether the C++ loop takes these inputs."""
    return (getattr(x.type, 'ndim', None) == 2
            and getattr(W.type, 'ndim', None) == 2
            and getattr(b.type, 'ndim', None) == 1
            and getattr(y.type, 'ndim', None) == 1
            and x.type.dtype in FLOAT_DTYPES
            and x.type.dtype == W.type.dtype == b.type.dtype
            and y.type.dtype in INT_DTYPES)


class SoftmaxNLLGrad(OpFromGraph):
    """``(cost, d cost / d W, d cost / d b)`` of the tutorial's cost.

    Its inner graph is PyTensor's own; the C backend swaps the node for
    :class:`FusedSoftmaxRegression`, every other backend inlines it.
    """


@functools.lru_cache(maxsize=None)
def _softmax_nll_grad_op(x_type, W_type, b_type, y_type):
    """One op per input types, so that equal nodes merge."""
    x, W, b, y = x_type(), W_type(), b_type(), y_type()
    cost = _softmax_nll(x, W, b, y)
    g_W, g_b = pytensor.grad(cost, [W, b])
    return SoftmaxNLLGrad([x, W, b, y], [cost, g_W, g_b], inline=True,
                          name='SoftmaxNLLGrad')


def softmax_nll_grad(x, W, b, y):
    """Symbolic ``[cost, g_W, g_b]`` of the tutorial's cost, as one node."""
    op = _softmax_nll_grad_op(x.type, W.type, b.type, y.type)
    return op(x, W, b, y)


def grad(cost, wrt, consider_constant=None, **kwargs):
    """``pytensor.grad``, with the tutorial's cost taken in one node.

    Only when ``cost`` is exactly the tutorial's cost, ``wrt`` is among its
    ``W`` and ``b``, neither feeds the other inputs, and nothing else is
    asked of the gradient (``consider_constant``, ``known_grads`` ...).
    """
    found = None if (consider_constant or kwargs) else match_softmax_nll(cost)
    if found is not None:
        x, W, b, y = found
        wanted = list(wrt) if isinstance(wrt, (list, tuple)) else [wrt]
        feeds = set(ancestors([x, y]))
        if (all(v is W or v is b for v in wanted) and W is not b
                and W not in feeds and b not in feeds
                and W not in set(ancestors([b]))
                and b not in set(ancestors([W]))):
            _, g_W, g_b = softmax_nll_grad(x, W, b, y)
            grads = [g_W if v is W else g_b for v in wanted]
            return grads if isinstance(wrt, (list, tuple)) else grads[0]
    return pytensor.grad(cost, wrt, consider_constant=consider_constant,
                         **kwargs)


# ----------------------------------------------------------------------------
# The C++ loop.

_KERNEL = r'''
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

namespace softmax_nll {

// Worker threads for the tasks of one call.  Between calls a worker spins
// (yielding now and then) for up to 50 ms, then sleeps: waking a sleeping
// thread took longer than the work of a call on the virtual machines
// measured, and yielding (OpenBLAS's own policy) leaves the core to
// OpenBLAS's threads when a function uses both.  Tasks are taken in any
// order by any thread, so results cannot depend on the number of threads.
// (POSIX threads and GCC's atomic built-ins rather than <thread> and
// <atomic>: their headers made this module slower to compile.)
class Pool {
  public:
    typedef void (*Task)(void* job, int index);

    explicit Pool(int workers) : forked_(0) {
        pthread_mutex_init(&mutex_, 0);
        pthread_cond_init(&wake_, 0);
        for (int w = 0; w < workers; ++w) {
            pthread_t thread;
            if (pthread_create(&thread, 0, &Pool::serve, this) == 0)
                pthread_detach(thread);  // lives until the process ends
        }
    }

    // Runs task(job, 0 .. count-1) on this thread and the workers.
    void run(Task task, void* job, int count) {
        if (load(&forked_)) {  // a child process has no workers
            for (int i = 0; i < count; ++i) task(job, i);
            return;
        }
        task_ = task;
        job_ = job;
        count_ = count;
        store(&done_, 0);
        store(&next_, 0);
        pthread_mutex_lock(&mutex_);
        __atomic_add_fetch(&generation_, 1, __ATOMIC_SEQ_CST);
        if (load(&sleepers_)) pthread_cond_broadcast(&wake_);
        pthread_mutex_unlock(&mutex_);
        __atomic_add_fetch(&done_, work(), __ATOMIC_SEQ_CST);
        while (load(&done_) < count) sched_yield();
    }

    // In a child after fork(): the workers (and maybe a held lock) stayed
    // in the parent.
    void forked() { store(&forked_, 1); }

  private:
    static int load(const int* p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }
    static void store(int* p, int v) { __atomic_store_n(p, v, __ATOMIC_SEQ_CST); }
    static double seconds() {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return t.tv_sec + 1e-9 * t.tv_nsec;
    }
    static void relax() {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
    }

    int work() {
        int finished = 0;
        for (int i; (i = __atomic_fetch_add(&next_, 1, __ATOMIC_SEQ_CST))
                    < count_; ++finished)
            task_(job_, i);
        return finished;
    }

    static void* serve(void* self) {
        Pool& pool = *(Pool*)self;
        int seen = load(&pool.generation_);
        for (;;) {
            const double start = seconds();
            for (int spins = 1; load(&pool.generation_) == seen; ++spins) {
                if (spins % 16) { relax(); continue; }
                sched_yield();
                if (spins % 256 == 0 && seconds() - start > 0.05) {
                    pthread_mutex_lock(&pool.mutex_);
                    __atomic_add_fetch(&pool.sleepers_, 1, __ATOMIC_SEQ_CST);
                    while (load(&pool.generation_) == seen)
                        pthread_cond_wait(&pool.wake_, &pool.mutex_);
                    __atomic_sub_fetch(&pool.sleepers_, 1, __ATOMIC_SEQ_CST);
                    pthread_mutex_unlock(&pool.mutex_);
                }
            }
            seen = load(&pool.generation_);
            __atomic_add_fetch(&pool.done_, pool.work(), __ATOMIC_SEQ_CST);
        }
        return 0;
    }

    int generation_ = 0, next_ = 0, done_ = 0, sleepers_ = 0, forked_;
    Task task_ = 0;
    void* job_ = 0;
    int count_ = 0;
    pthread_mutex_t mutex_;
    pthread_cond_t wake_;
};

// One pool per process, shared by every module compiled from this code
// (the error rate's and the gradient's): one set of workers, not one per
// function.  Its address is kept as a capsule on the pytensor_fused
// module; its size is that of the first user.  Never freed: the workers
// are detached and end with the process.
static Pool* made_here = 0;
static void after_fork_in_child() { if (made_here) made_here->forked(); }

static Pool* shared_pool(int workers) {
    static const char* const name = "pytensor_fused.Pool.1";
    Pool* pool = 0;
    PyObject* module = PyImport_ImportModule("pytensor_fused");
    PyObject* capsule = module ? PyObject_GetAttrString(module, "_thread_pool") : 0;
    if (capsule && PyCapsule_IsValid(capsule, name))
        pool = (Pool*)PyCapsule_GetPointer(capsule, name);
    PyErr_Clear();
    Py_XDECREF(capsule);
    if (!pool) {
        pool = made_here = new Pool(workers);
        pthread_atfork(0, 0, after_fork_in_child);
        capsule = PyCapsule_New(pool, name, 0);
        if (!module || !capsule
                || PyObject_SetAttrString(module, "_thread_pool", capsule))
            PyErr_Clear();
        Py_XDECREF(capsule);
    }
    Py_XDECREF(module);
    return pool;
}

// Runs task(job, 0 .. count-1) on `threads` threads (the pool's size).
static void run_tasks(int threads, Pool::Task task, void* job, int count) {
    static Pool* pool = 0;
    if (threads <= 1) {
        for (int i = 0; i < count; ++i) task(job, i);
        return;
    }
    if (!pool) pool = shared_pool(threads - 1);
    pool->run(task, job, count);
}

// 32-byte vectors through the compiler's vector extension: AVX on x86-64
// when the flags allow it, pairs of 16-byte registers (or scalars) else.
template <typename T> struct Vec;
template <> struct Vec<float> {
    typedef float type __attribute__((vector_size(32)));
    enum { lanes = 8 };
};
template <> struct Vec<double> {
    typedef double type __attribute__((vector_size(32)));
    enum { lanes = 4 };
};

// Loads, stores and broadcasts that need no alignment.
template <typename V, typename T> static inline V load(const T* p) {
    V v; memcpy(&v, p, sizeof v); return v;
}
template <typename V, typename T> static inline void store(T* p, V v) {
    memcpy(p, &v, sizeof v);
}
template <typename V, typename T> static inline V splat(T a) {
    V v;
    for (int i = 0; i < (int)(sizeof(V) / sizeof(T)); ++i) v[i] = a;
    return v;
}
template <typename T, typename V> static inline T total(V v) {
    T s = 0;
    for (int i = 0; i < (int)(sizeof(V) / sizeof(T)); ++i) s += v[i];
    return s;
}

// Keeps a loaded vector in a register: without it g++ reloads it from
// memory for each multiply, and the loop waits on loads.
#if defined(__x86_64__) && defined(__AVX__)
#define SOFTMAX_NLL_KEEP(v) __asm__("" : "+x"(v))
#else
#define SOFTMAX_NLL_KEEP(v) ((void)0)
#endif

enum { ROWS = 4, PARTS = 4 };

// z[i * k + j] = b[j] + x_i . W_j for the four rows xr (W_j: row j of WT).
// Meanwhile the rows `ahead` (the next block's, null past the part) are
// fetched from memory, one per pass over W: the hardware's own prefetching
// does not look that far ahead (bench/README.md has the effect).
template <typename T>
static void scores(const T* const xr[ROWS], const T* const ahead[ROWS],
                   const T* WT, const T* b, npy_intp d, npy_intp k, T* z) {
    typedef typename Vec<T>::type V;
    const npy_intp L = Vec<T>::lanes, dv = d - d % L;
    const npy_intp line = 64 / sizeof(T);
    for (npy_intp j = 0; j < k; j += 2) {
        const T* fetch = j / 2 < ROWS ? ahead[j / 2] : 0;
        const T* w0 = WT + j * d;
        const T* w1 = j + 1 < k ? w0 + d : w0;
        V a00 = {}, a01 = {}, a10 = {}, a11 = {};
        V a20 = {}, a21 = {}, a30 = {}, a31 = {};
        for (npy_intp c = 0; c < dv; c += L) {
            if (fetch && c % line == 0) __builtin_prefetch(fetch + c);
            V W0 = load<V>(w0 + c), W1 = load<V>(w1 + c);
            V x0 = load<V>(xr[0] + c), x1 = load<V>(xr[1] + c);
            V x2 = load<V>(xr[2] + c), x3 = load<V>(xr[3] + c);
            SOFTMAX_NLL_KEEP(W0); SOFTMAX_NLL_KEEP(W1);
            SOFTMAX_NLL_KEEP(x0); SOFTMAX_NLL_KEEP(x1);
            SOFTMAX_NLL_KEEP(x2); SOFTMAX_NLL_KEEP(x3);
            a00 += x0 * W0; a01 += x0 * W1; a10 += x1 * W0; a11 += x1 * W1;
            a20 += x2 * W0; a21 += x2 * W1; a30 += x3 * W0; a31 += x3 * W1;
        }
        T s[ROWS][2] = {{total<T>(a00), total<T>(a01)},
                        {total<T>(a10), total<T>(a11)},
                        {total<T>(a20), total<T>(a21)},
                        {total<T>(a30), total<T>(a31)}};
        for (npy_intp c = dv; c < d; ++c)
            for (int i = 0; i < ROWS; ++i) {
                s[i][0] += xr[i][c] * w0[c];
                s[i][1] += xr[i][c] * w1[c];
            }
        for (int i = 0; i < ROWS; ++i) {
            z[i * k + j] = s[i][0] + b[j];
            if (j + 1 < k) z[i * k + j + 1] = s[i][1] + b[j + 1];
        }
    }
}

// GT[j] += sum_i delta[i * k + j] * x_i for the four rows xr.
template <typename T>
static void accumulate(const T* const xr[ROWS], const T* delta, T* GT,
                       T* spare, npy_intp d, npy_intp k) {
    typedef typename Vec<T>::type V;
    const npy_intp L = Vec<T>::lanes, dv = d - d % L;
    for (npy_intp j = 0; j < k; j += 2) {
        const bool pair = j + 1 < k;
        T* g0 = GT + j * d;
        T* g1 = pair ? g0 + d : spare;  // a row nobody reads
        T e[ROWS][2];
        for (int i = 0; i < ROWS; ++i) {
            e[i][0] = delta[i * k + j];
            e[i][1] = pair ? delta[i * k + j + 1] : 0;
        }
        V d00 = splat<V>(e[0][0]), d01 = splat<V>(e[0][1]);
        V d10 = splat<V>(e[1][0]), d11 = splat<V>(e[1][1]);
        V d20 = splat<V>(e[2][0]), d21 = splat<V>(e[2][1]);
        V d30 = splat<V>(e[3][0]), d31 = splat<V>(e[3][1]);
        for (npy_intp c = 0; c < dv; c += L) {
            V x0 = load<V>(xr[0] + c), x1 = load<V>(xr[1] + c);
            V x2 = load<V>(xr[2] + c), x3 = load<V>(xr[3] + c);
            SOFTMAX_NLL_KEEP(x0); SOFTMAX_NLL_KEEP(x1);
            SOFTMAX_NLL_KEEP(x2); SOFTMAX_NLL_KEEP(x3);
            V G0 = load<V>(g0 + c), G1 = load<V>(g1 + c);
            G0 += x0 * d00; G1 += x0 * d01;
            G0 += x1 * d10; G1 += x1 * d11;
            G0 += x2 * d20; G1 += x2 * d21;
            G0 += x3 * d30; G1 += x3 * d31;
            store(g0 + c, G0); store(g1 + c, G1);
        }
        for (npy_intp c = dv; c < d; ++c)
            for (int i = 0; i < ROWS; ++i) {
                g0[c] += xr[i][c] * e[i][0];
                g1[c] += xr[i][c] * e[i][1];
            }
    }
}

// The four rows of the block at row r (a short block repeats its first
// row) and those of the next block (null past r1); returns how many of the
// four are real.
template <typename T>
static npy_intp rows_at(const T* x, npy_intp xs, npy_intp r, npy_intp r1,
                        const T* xr[ROWS], const T* ahead[ROWS]) {
    const npy_intp m = r1 - r < ROWS ? r1 - r : ROWS;
    for (int i = 0; i < ROWS; ++i) {
        xr[i] = x + (r + (i < m ? i : 0)) * xs;
        ahead[i] = r + ROWS + i < r1 ? x + (r + ROWS + i) * xs : 0;
    }
    return m;
}

// Cost and gradient of the tutorial's cost on rows [r0, r1) into one part:
// GT (k x d) and gb (k) are that part's sums, zeroed here; *nll the sum
// of the rows' -log p(y).  Returns -1, or the first row whose label is
// not a class (labels -k..-1 count from the end, as in NumPy).
template <typename T, typename I>
static npy_intp part(npy_intp r0, npy_intp r1, npy_intp n, npy_intp d,
                     npy_intp k, const T* x, npy_intp xs, const T* WT,
                     const T* b, const I* y, npy_intp ys, T* GT, T* gb,
                     T* spare, T* z, double* nll) {
    memset(GT, 0, sizeof(T) * k * d);
    memset(gb, 0, sizeof(T) * k);
    *nll = 0;
    const T scale = (T)1 / (T)n;
    for (npy_intp r = r0; r < r1; r += ROWS) {
        const T* xr[ROWS];
        const T* ahead[ROWS];
        const npy_intp m = rows_at(x, xs, r, r1, xr, ahead);
        scores(xr, ahead, WT, b, d, k, z);
        for (int i = 0; i < ROWS; ++i) {
            T* zi = z + i * k;
            if (i >= m) {
                for (npy_intp j = 0; j < k; ++j) zi[j] = 0;
                continue;
            }
            npy_intp label = (npy_intp)y[(r + i) * ys];
            if (label < 0) label += k;
            if (label < 0 || label >= k) return r + i;
            T top = zi[0];
            for (npy_intp j = 1; j < k; ++j) top = zi[j] > top ? zi[j] : top;
            T sum = 0;
            const T picked = zi[label] - top;
            for (npy_intp j = 0; j < k; ++j) {
                zi[j] = exp(zi[j] - top);
                sum += zi[j];
            }
            *nll -= (double)(picked - (T)log(sum));
            const T inverse = (T)1 / sum;
            for (npy_intp j = 0; j < k; ++j) {
                // d cost / d score: (softmax - one-hot) / n
                zi[j] = (zi[j] * inverse - (j == label ? (T)1 : (T)0)) * scale;
                gb[j] += zi[j];
            }
        }
        accumulate(xr, z, GT, spare, d, k);
    }
    return -1;
}

// One call's data, for the tasks below.
template <typename T, typename I>
struct Job {
    npy_intp n, d, k, xs, ys, size;
    const T *x, *WT, *b;
    const I* y;
    T *gW, *scratch;
    npy_intp bad[PARTS], wrong[PARTS];
    double nll[PARTS];
};

// Task p: part p of the minibatch, into its own slice of scratch.
template <typename T, typename I>
static void grad_task(void* job, int p) {
    Job<T, I>& J = *(Job<T, I>*)job;
    T* s = J.scratch + p * J.size;
    const npy_intp kd = J.k * J.d;
    J.bad[p] = part<T, I>(J.n * p / PARTS, J.n * (p + 1) / PARTS, J.n, J.d,
                          J.k, J.x, J.xs, J.WT, J.b, J.y, J.ys, s, s + kd,
                          s + kd + J.k, s + kd + J.k + J.d, J.nll + p);
}

// Task q: columns [d q / PARTS, d (q + 1) / PARTS) of gW, the parts' sum
// in a fixed order.
template <typename T, typename I>
static void sum_task(void* job, int q) {
    Job<T, I>& J = *(Job<T, I>*)job;
    for (npy_intp c = J.d * q / PARTS; c < J.d * (q + 1) / PARTS; ++c)
        for (npy_intp j = 0; j < J.k; ++j) {
            T v = 0;
            for (int p = 0; p < PARTS; ++p)
                v += J.scratch[p * J.size + j * J.d + c];
            J.gW[c * J.k + j] = v;
        }
}

// The whole minibatch: gW (d x k, C order), gb and the mean cost.
// scratch holds PARTS * (k * d + k + d + ROWS * k) elements.  Returns -1,
// or the first row whose label is not a class.
template <typename T, typename I>
static npy_intp run(npy_intp n, npy_intp d, npy_intp k, const T* x,
                    npy_intp xs, const T* WT, const T* b, const I* y,
                    npy_intp ys, T* gW, T* gb, double* cost, T* scratch,
                    int threads) {
    Job<T, I> J;
    J.n = n; J.d = d; J.k = k; J.xs = xs; J.ys = ys;
    J.size = k * d + k + d + ROWS * k;
    J.x = x; J.WT = WT; J.b = b; J.y = y; J.gW = gW; J.scratch = scratch;
    run_tasks(threads, grad_task<T, I>, &J, PARTS);
    for (int p = 0; p < PARTS; ++p)
        if (J.bad[p] >= 0) return J.bad[p];
    run_tasks(threads, sum_task<T, I>, &J, PARTS);
    for (npy_intp j = 0; j < k; ++j) {
        T v = 0;
        for (int p = 0; p < PARTS; ++p) v += scratch[p * J.size + k * d + j];
        gb[j] = v;
    }
    double sum = 0;
    for (int p = 0; p < PARTS; ++p) sum += J.nll[p];
    *cost = sum / (double)n;
    return -1;
}

// Rows in [r0, r1) whose highest score is not at their label (the first
// highest, as argmax takes it).  z: ROWS * k elements of scratch.
template <typename T, typename I>
static npy_intp wrong(npy_intp r0, npy_intp r1, npy_intp d, npy_intp k,
                      const T* x, npy_intp xs, const T* WT, const T* b,
                      const I* y, npy_intp ys, T* z) {
    npy_intp count = 0;
    for (npy_intp r = r0; r < r1; r += ROWS) {
        const T* xr[ROWS];
        const T* ahead[ROWS];
        const npy_intp m = rows_at(x, xs, r, r1, xr, ahead);
        scores(xr, ahead, WT, b, d, k, z);
        for (npy_intp i = 0; i < m; ++i) {
            const T* zi = z + i * k;
            npy_intp best = 0;
            for (npy_intp j = 1; j < k; ++j)
                if (zi[j] > zi[best]) best = j;
            count += (npy_int64)y[(r + i) * ys] != (npy_int64)best;
        }
    }
    return count;
}

template <typename T, typename I>
static void errors_task(void* job, int p) {
    Job<T, I>& J = *(Job<T, I>*)job;
    J.wrong[p] = wrong<T, I>(J.n * p / PARTS, J.n * (p + 1) / PARTS, J.d,
                             J.k, J.x, J.xs, J.WT, J.b, J.y, J.ys,
                             J.scratch + p * ROWS * J.k);
}

// The error count of the whole minibatch.  scratch holds
// PARTS * ROWS * k elements.
template <typename T, typename I>
static npy_intp run_errors(npy_intp n, npy_intp d, npy_intp k, const T* x,
                           npy_intp xs, const T* WT, const T* b, const I* y,
                           npy_intp ys, T* scratch, int threads) {
    Job<T, I> J;
    J.n = n; J.d = d; J.k = k; J.xs = xs; J.ys = ys;
    J.x = x; J.WT = WT; J.b = b; J.y = y; J.scratch = scratch;
    run_tasks(threads, errors_task<T, I>, &J, PARTS);
    npy_intp total = 0;
    for (int p = 0; p < PARTS; ++p) total += J.wrong[p];
    return total;
}

}  // namespace softmax_nll
'''


def fused_threads(environ=os.environ, cores=None):
    """Threads of the fused loop: ``OMP_NUM_THREADS``, else
    ``OPENBLAS_NUM_THREADS``, else the cores, at most 4 (the parts of a
    minibatch).

    Unlike OpenBLAS's threads (``pytensor_cvm.blas_threads``), these do
    not count busy cores: with another process keeping one of the 2 cores
    busy, 2 threads ran a training call in 630 us and 1 thread in 579 us
    (a late thread's part is taken by the other), where OpenBLAS's 2
    threads took 2371 us (``bench/fused_calls.py calls --busy``).  The
    load average would also count the previous run of the script.
    """
    for name in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS'):
        try:
            return max(1, int(environ[name]))
        except (KeyError, ValueError):
            pass
    return max(1, min(4, cores or os.cpu_count() or 1))


class FusedSoftmaxRegression(COp):
    """The C++ loop: ``(x, W, b, y) -> (error rate, cost, g_W, g_b)``.

    ``task='grad'`` computes the cost and its gradients (the error rate
    output is then NaN); ``task='errors'`` only the error rate: the
    fraction of rows whose highest score (the first, on a tie) is not at
    their label, as ``mean(neq(argmax(softmax(x @ W + b)), y))``.  Both
    tasks have the same outputs and the same C code, with the task and
    the thread count as run-time parameters, so a program compiles one
    module for both (a module takes 1-2 s to compile).

    ``threads``: how many threads run a call (the caller's included).
    """

    __props__ = ('task', 'threads')
    params_type = ParamsType(errors_only=_scalar.int32, threads=_scalar.int32)

    def __init__(self, task='grad', threads=1):
        if task not in ('grad', 'errors'):
            raise ValueError("task should be 'grad' or 'errors', not %r"
                             % (task,))
        self.task = task
        self.threads = int(threads)

    def get_params(self, node):
        return self.params_type.get_params(
            errors_only=int(self.task == 'errors'), threads=self.threads)

    def make_node(self, x, W, b, y):
        x, W, b, y = map(_pt.as_tensor_variable, (x, W, b, y))
        if not _model_types(x, W, b, y):
            raise TypeError('FusedSoftmaxRegression takes a float matrix x, '
                            'a matrix W and a vector b of the same dtype, and '
                            'an int vector y; got %s' % ((x.type, W.type,
                                                          b.type, y.type),))
        return Apply(self, [x, W, b, y],
                     [_pt.scalar(dtype='float64'),
                      _pt.tensor(dtype=x.type.dtype, shape=()),
                      W.type(), b.type()])

    def perform(self, node, inputs, outputs):
        x, W, b, y = inputs
        n, k = x.shape[0], W.shape[1]
        if x.shape[1] != W.shape[0] or b.shape[0] != k or y.shape[0] != n:
            raise ValueError('shapes do not match: x %s, W %s, b %s, y %s'
                             % (x.shape, W.shape, b.shape, y.shape))
        dtype = x.dtype
        z = x @ W + b
        if self.task == 'errors':
            with numpy.errstate(invalid='ignore'):
                outputs[0][0] = numpy.asarray(
                    numpy.mean(numpy.argmax(z, axis=1) != y), dtype='float64')
            outputs[1][0] = numpy.asarray(numpy.nan, dtype=dtype)
            outputs[2][0], outputs[3][0] = numpy.zeros_like(W), numpy.zeros_like(b)
            return
        if n and not ((y >= -k) & (y < k)).all():
            raise IndexError('index out of bounds: a label in y is not one '
                             'of the %d classes' % k)
        z = z - z.max(axis=1, keepdims=True)
        log_p = z - numpy.log(numpy.exp(z).sum(axis=1, keepdims=True))
        rows = numpy.arange(n)
        delta = numpy.exp(log_p)
        delta[rows, y] -= 1
        delta /= n
        outputs[0][0] = numpy.asarray(numpy.nan)
        with numpy.errstate(invalid='ignore'):
            outputs[1][0] = numpy.asarray(-log_p[rows, y].mean(), dtype=dtype)
        outputs[2][0] = (x.T @ delta).astype(dtype)
        outputs[3][0] = delta.sum(axis=0).astype(dtype)

    def c_support_code(self, **kwargs):
        return _KERNEL

    def c_headers(self, **kwargs):
        return ['<math.h>', '<pthread.h>', '<stdlib.h>', '<string.h>']

    def c_compile_args(self, **kwargs):
        return ['-pthread']

    def c_support_code_struct(self, node, name):
        return ('void* scratch_%(name)s;\nsize_t scratch_size_%(name)s;\n'
                % {'name': name})

    def c_init_code_struct(self, node, name, sub):
        return ('scratch_%(name)s = NULL; scratch_size_%(name)s = 0;\n'
                % {'name': name})

    def c_cleanup_code_struct(self, node, name):
        return 'free(scratch_%(name)s);\n' % {'name': name}

    def c_code(self, node, name, inputs, outputs, sub):
        x, W, b, y = inputs
        rate, cost, gW, gb = outputs
        return _C_CODE % dict(
            x=x, W=W, b=b, y=y, rate=rate, cost=cost, gW=gW, gb=gb,
            name=name, fail=sub['fail'], params=sub['params'],
            T='npy_' + node.inputs[0].type.dtype,
            I='npy_' + node.inputs[3].type.dtype,
            typenum='NPY_' + node.inputs[0].type.dtype.upper())

    def c_code_cache_version(self):
        # PyTensor's cache keys a module by this, not by its source: it
        # follows every change to the C++ code.
        return (5, hashlib.sha256((_KERNEL + _C_CODE).encode()).hexdigest())


_C_CODE = r"""
{
    typedef %(T)s T;
    typedef %(I)s I;
    const bool errors_only = %(params)s->errors_only;
    const npy_intp n = PyArray_DIMS(%(x)s)[0], d = PyArray_DIMS(%(x)s)[1];
    const npy_intp k = PyArray_DIMS(%(W)s)[1];
    if (PyArray_DIMS(%(W)s)[0] != d || PyArray_DIMS(%(b)s)[0] != k
            || PyArray_DIMS(%(y)s)[0] != n) {
        PyErr_Format(PyExc_ValueError,
            "%%s: shapes do not match: x (%%ld, %%ld), W (%%ld, %%ld), "
            "b (%%ld,), y (%%ld,)", errors_only ? "error rate" : "softmax cost",
            (long)n, (long)d, (long)PyArray_DIMS(%(W)s)[0], (long)k,
            (long)PyArray_DIMS(%(b)s)[0], (long)PyArray_DIMS(%(y)s)[0]);
        %(fail)s
    }
    npy_intp dims_W[2] = {d, k};
    if (!%(rate)s)
        %(rate)s = (PyArrayObject*)PyArray_EMPTY(0, NULL, NPY_FLOAT64, 0);
    if (!%(cost)s)
        %(cost)s = (PyArrayObject*)PyArray_EMPTY(0, NULL, %(typenum)s, 0);
    if (!%(gW)s || PyArray_DIMS(%(gW)s)[0] != d || PyArray_DIMS(%(gW)s)[1] != k
            || !PyArray_IS_C_CONTIGUOUS(%(gW)s)) {
        Py_XDECREF(%(gW)s);
        %(gW)s = (PyArrayObject*)PyArray_ZEROS(2, dims_W, %(typenum)s, 0);
    }
    if (!%(gb)s || PyArray_DIMS(%(gb)s)[0] != k
            || !PyArray_IS_C_CONTIGUOUS(%(gb)s)) {
        Py_XDECREF(%(gb)s);
        %(gb)s = (PyArrayObject*)PyArray_ZEROS(1, &k, %(typenum)s, 0);
    }
    if (!%(rate)s || !%(cost)s || !%(gW)s || !%(gb)s) { %(fail)s }
    // x: rows of contiguous elements (a slice of the data set is);
    // anything else is copied first.
    PyArrayObject* x_rows = %(x)s;
    Py_INCREF(x_rows);
    if (n > 0 && (PyArray_STRIDES(x_rows)[1] != (npy_intp)sizeof(T)
                  || PyArray_STRIDES(x_rows)[0] %% (npy_intp)sizeof(T))) {
        Py_DECREF(x_rows);
        x_rows = PyArray_GETCONTIGUOUS(%(x)s);
        if (!x_rows) { %(fail)s }
    }
    const npy_intp xs = n > 1 ? PyArray_STRIDES(x_rows)[0] / (npy_intp)sizeof(T) : d;
    const npy_intp ys = PyArray_STRIDES(%(y)s)[0] / (npy_intp)sizeof(I);
    // Scratch, kept between calls: W transposed, b, then the parts'.
    const npy_intp part = errors_only ? softmax_nll::ROWS * k
                          : k * d + k + d + softmax_nll::ROWS * k;
    const size_t wanted = sizeof(T) * (size_t)(k * d + k
                                               + softmax_nll::PARTS * part);
    if (scratch_size_%(name)s < wanted) {
        free(scratch_%(name)s);
        scratch_%(name)s = NULL;
        scratch_size_%(name)s = 0;
        scratch_%(name)s = malloc(wanted);
        if (!scratch_%(name)s) {
            Py_DECREF(x_rows);
            PyErr_NoMemory();
            %(fail)s
        }
        scratch_size_%(name)s = wanted;
    }
    T* WT = (T*)scratch_%(name)s;
    T* bias = WT + k * d;
    const npy_intp ws0 = PyArray_STRIDES(%(W)s)[0], ws1 = PyArray_STRIDES(%(W)s)[1];
    const char* W_data = (const char*)PyArray_DATA(%(W)s);
    for (npy_intp c = 0; c < d; ++c)
        for (npy_intp j = 0; j < k; ++j)
            WT[j * d + c] = *(const T*)(W_data + c * ws0 + j * ws1);
    for (npy_intp j = 0; j < k; ++j)
        bias[j] = *(const T*)((const char*)PyArray_DATA(%(b)s)
                              + j * PyArray_STRIDES(%(b)s)[0]);
    const T* x_data = (const T*)PyArray_DATA(x_rows);
    const I* y_data = (const I*)PyArray_DATA(%(y)s);
    const int threads = %(params)s->threads;
    if (errors_only) {
        npy_intp count = softmax_nll::run_errors<T, I>(
            n, d, k, x_data, xs, WT, bias, y_data, ys, bias + k, threads);
        *(npy_float64*)PyArray_DATA(%(rate)s) = (double)count / (double)n;
        *(T*)PyArray_DATA(%(cost)s) = (T)NPY_NAN;
        Py_DECREF(x_rows);
    } else {
        double cost_value = 0;
        npy_intp bad = softmax_nll::run<T, I>(
            n, d, k, x_data, xs, WT, bias, y_data, ys,
            (T*)PyArray_DATA(%(gW)s), (T*)PyArray_DATA(%(gb)s), &cost_value,
            bias + k, threads);
        Py_DECREF(x_rows);
        if (bad >= 0) {
            PyErr_Format(PyExc_IndexError,
                "index out of bounds: label y[%%ld] = %%lld is not one of "
                "the %%ld classes (0 to %%ld)", (long)bad,
                (long long)y_data[bad * ys], (long)k, (long)k - 1);
            %(fail)s
        }
        *(npy_float64*)PyArray_DATA(%(rate)s) = NPY_NAN;
        *(T*)PyArray_DATA(%(cost)s) = (T)cost_value;
    }
}
"""


# ----------------------------------------------------------------------------
# The rewrites, for the C backend's mode.

@node_rewriter([_pt.neg])
def _cost_from_fused_node(fgraph, node):
    """The tutorial's cost, taken from its gradient's node when there is one.

    Only then: a function of the cost alone keeps computing it as it did.
    """
    found = match_softmax_nll(node.outputs[0])
    if found is None:
        return None
    for client in fgraph.apply_nodes:
        if (isinstance(client.op, SoftmaxNLLGrad)
                and list(client.inputs) == list(found)
                and client.outputs[0].type == node.outputs[0].type):
            return [client.outputs[0]]
    return None


def _make_errors_rewrite(threads):
    @node_rewriter([_pt.true_div])
    def _fused_errors(fgraph, node):
        """The tutorial's error rate as the C++ loop's scores."""
        found = match_softmax_errors(node.outputs[0])
        if found is None:
            return None
        rate = FusedSoftmaxRegression('errors', threads)(*found)[0]
        if rate.type != node.outputs[0].type:
            return None
        return [rate]
    return _fused_errors


def _make_fused_rewrite(threads):
    @node_rewriter([SoftmaxNLLGrad])
    def _fused_loop(fgraph, node):
        """:class:`SoftmaxNLLGrad` as the C++ loop (types permitting)."""
        x, W, b, y = node.inputs
        try:
            fused = FusedSoftmaxRegression('grad', threads).make_node(x, W, b, y)
        except TypeError:
            return None
        outputs = fused.outputs[1:]  # cost, g_W, g_b
        if [o.type for o in outputs] != [o.type for o in node.outputs]:
            return None
        return outputs
    return _fused_loop


def register_rewrites(optimizer, threads=None):
    """``optimizer`` (a rewrite query) with this module's rewrites first.

    The cost and the error rate are taken over at position -0.03, then the
    gradient's node at -0.02: before PyTensor's ``inline_ofg_expansion``
    (-0.01) would inline :class:`SoftmaxNLLGrad`, and before any rewrite
    changes the graphs that :func:`match_softmax_nll` compares.
    ``threads``: default :func:`fused_threads`.
    """
    if threads is None:
        threads = fused_threads()
    return optimizer.register(
        (dfs_rewriter(_cost_from_fused_node,
                      _make_errors_rewrite(threads)), -0.03),
        (dfs_rewriter(_make_fused_rewrite(threads)), -0.02))
