#section support_code

// The fused softmax-regression loop of theano_compat.engine.fused.
//
// This file is the support code of the FusedSoftmaxRegression op: PyTensor
// pastes it into the op's C module after Python's and NumPy's headers, and
// the op's own c_code (in fused.py) calls run() and run_errors() below.
// Its hash is part of the op's cache version, so editing it recompiles.

#include <Python.h>
#include <numpy/arrayobject.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

namespace softmax_nll {

// Worker threads for the tasks of one call.  Tasks are taken in any order
// by any thread, so results cannot depend on the number of threads.
//
// Between calls a worker spins for a short while (SPIN_SECONDS), then
// sleeps on a condition variable.  A training loop calls again within
// that time, and finds its workers awake: waking a sleeping thread can take
// longer than a whole call on a virtual machine.  A program that calls
// less often (validation every few milliseconds among other work) finds
// them asleep, and they cost nothing meanwhile.  The calling thread waits
// for the last task the same way: it spins, then sleeps.  Spinning yields
// now and then, which leaves the core to OpenBLAS's threads when a
// function uses both.  (POSIX threads and GCC's atomic built-ins rather
// than <thread> and <atomic>: their headers made this module slower to
// compile.)
class Pool {
  public:
    typedef void (*Task)(void* job, int index);

    // How long a thread spins for the next call, or for the last task of
    // this one, before it sleeps.
    static constexpr double SPIN_SECONDS = 0.002;

    explicit Pool(int workers) : forked_(0) {
        pthread_mutex_init(&mutex_, 0);
        pthread_cond_init(&wake_, 0);
        pthread_cond_init(&finished_, 0);
        for (int w = 0; w < workers; ++w) {
            pthread_t thread;
            if (pthread_create(&thread, 0, &Pool::serve, this) == 0)
                pthread_detach(thread);  // lives until the process ends
        }
    }

    // Runs task(job, 0 .. count-1) on this thread and the workers.  Call
    // it without the GIL: no task touches Python objects.
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
        finish(work());
        const double start = seconds();
        for (int spins = 1; load(&done_) < count; ++spins) {
            if (spins % 16) { relax(); continue; }
            sched_yield();
            if (spins % 256 == 0 && seconds() - start > SPIN_SECONDS) {
                pthread_mutex_lock(&mutex_);
                store(&waiting_, 1);
                while (load(&done_) < count)
                    pthread_cond_wait(&finished_, &mutex_);
                store(&waiting_, 0);
                pthread_mutex_unlock(&mutex_);
            }
        }
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

    // Counts `finished` tasks as done; the thread that finishes the last
    // one wakes the caller if it went to sleep.
    void finish(int finished) {
        if (__atomic_add_fetch(&done_, finished, __ATOMIC_SEQ_CST) < count_
                || finished == 0)
            return;
        pthread_mutex_lock(&mutex_);
        if (load(&waiting_)) pthread_cond_signal(&finished_);
        pthread_mutex_unlock(&mutex_);
    }

    static void* serve(void* self) {
        Pool& pool = *(Pool*)self;
        int seen = load(&pool.generation_);
        for (;;) {
            const double start = seconds();
            for (int spins = 1; load(&pool.generation_) == seen; ++spins) {
                if (spins % 16) { relax(); continue; }
                sched_yield();
                if (spins % 256 == 0 && seconds() - start > SPIN_SECONDS) {
                    pthread_mutex_lock(&pool.mutex_);
                    __atomic_add_fetch(&pool.sleepers_, 1, __ATOMIC_SEQ_CST);
                    while (load(&pool.generation_) == seen)
                        pthread_cond_wait(&pool.wake_, &pool.mutex_);
                    __atomic_sub_fetch(&pool.sleepers_, 1, __ATOMIC_SEQ_CST);
                    pthread_mutex_unlock(&pool.mutex_);
                }
            }
            seen = load(&pool.generation_);
            pool.finish(pool.work());
        }
        return 0;
    }

    int generation_ = 0, next_ = 0, done_ = 0, sleepers_ = 0, waiting_ = 0;
    int forked_;
    Task task_ = 0;
    void* job_ = 0;
    int count_ = 0;
    pthread_mutex_t mutex_;
    pthread_cond_t wake_, finished_;
};

// One pool per process, shared by every module compiled from this code
// (the error rate's and the gradient's): one set of workers, not one per
// function.  Its address is kept as a capsule on the Python module named
// below; its size is that of the first user.  Never freed: the workers
// are detached and end with the process.  Needs the GIL.
static Pool* made_here = 0;
static void after_fork_in_child() { if (made_here) made_here->forked(); }

static Pool* shared_pool(int workers) {
    static const char* const module_name = "theano_compat.engine.fused";
    static const char* const name = "theano_compat.engine.fused.Pool.2";
    Pool* pool = 0;
    PyObject* module = PyImport_ImportModule(module_name);
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

// The pool for `threads` threads (the caller's included), or null for one
// thread.  Call it with the GIL held, before run_tasks.
static Pool* pool_for(int threads) {
    static Pool* pool = 0;
    if (threads <= 1) return 0;
    if (!pool) pool = shared_pool(threads - 1);
    return pool;
}

// Runs task(job, 0 .. count-1) on the pool, or on this thread alone.
static void run_tasks(Pool* pool, Pool::Task task, void* job, int count) {
    if (!pool) {
        for (int i = 0; i < count; ++i) task(job, i);
        return;
    }
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
                    Pool* pool) {
    Job<T, I> J;
    J.n = n; J.d = d; J.k = k; J.xs = xs; J.ys = ys;
    J.size = k * d + k + d + ROWS * k;
    J.x = x; J.WT = WT; J.b = b; J.y = y; J.gW = gW; J.scratch = scratch;
    run_tasks(pool, grad_task<T, I>, &J, PARTS);
    for (int p = 0; p < PARTS; ++p)
        if (J.bad[p] >= 0) return J.bad[p];
    run_tasks(pool, sum_task<T, I>, &J, PARTS);
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
                           npy_intp ys, T* scratch, Pool* pool) {
    Job<T, I> J;
    J.n = n; J.d = d; J.k = k; J.xs = xs; J.ys = ys;
    J.x = x; J.WT = WT; J.b = b; J.y = y; J.scratch = scratch;
    run_tasks(pool, errors_task<T, I>, &J, PARTS);
    npy_intp total = 0;
    for (int p = 0; p < PARTS; ++p) total += J.wrong[p];
    return total;
}

}  // namespace softmax_nll

#section support_code_struct

// Scratch memory of the node, kept between calls.
void* APPLY_SPECIFIC(scratch);
size_t APPLY_SPECIFIC(scratch_size);

#section init_code_struct

APPLY_SPECIFIC(scratch) = NULL;
APPLY_SPECIFIC(scratch_size) = 0;

#section cleanup_code_struct

free(APPLY_SPECIFIC(scratch));

#section code

// (x, W, b, y) -> (error rate, cost, g_W, g_b): see fused.py.
{
    typedef DTYPE_INPUT_0 T;
    typedef DTYPE_INPUT_3 I;
    const bool errors_only = PARAMS->errors_only;
    const npy_intp n = PyArray_DIMS(INPUT_0)[0], d = PyArray_DIMS(INPUT_0)[1];
    const npy_intp k = PyArray_DIMS(INPUT_1)[1];
    if (PyArray_DIMS(INPUT_1)[0] != d || PyArray_DIMS(INPUT_2)[0] != k
            || PyArray_DIMS(INPUT_3)[0] != n) {
        PyErr_Format(PyExc_ValueError,
            "%s: shapes do not match: x (%ld, %ld), W (%ld, %ld), "
            "b (%ld,), y (%ld,)", errors_only ? "error rate" : "softmax cost",
            (long)n, (long)d, (long)PyArray_DIMS(INPUT_1)[0], (long)k,
            (long)PyArray_DIMS(INPUT_2)[0], (long)PyArray_DIMS(INPUT_3)[0]);
        FAIL
    }
    npy_intp dims_W[2] = {d, k};
    if (!OUTPUT_0)
        OUTPUT_0 = (PyArrayObject*)PyArray_EMPTY(0, NULL, NPY_FLOAT64, 0);
    if (!OUTPUT_1)
        OUTPUT_1 = (PyArrayObject*)PyArray_EMPTY(0, NULL, TYPENUM_INPUT_0, 0);
    if (!OUTPUT_2 || PyArray_DIMS(OUTPUT_2)[0] != d
            || PyArray_DIMS(OUTPUT_2)[1] != k
            || !PyArray_IS_C_CONTIGUOUS(OUTPUT_2)) {
        Py_XDECREF(OUTPUT_2);
        OUTPUT_2 = (PyArrayObject*)PyArray_ZEROS(2, dims_W, TYPENUM_INPUT_0,
                                                 0);
    }
    if (!OUTPUT_3 || PyArray_DIMS(OUTPUT_3)[0] != k
            || !PyArray_IS_C_CONTIGUOUS(OUTPUT_3)) {
        Py_XDECREF(OUTPUT_3);
        OUTPUT_3 = (PyArrayObject*)PyArray_ZEROS(1, &k, TYPENUM_INPUT_0, 0);
    }
    if (!OUTPUT_0 || !OUTPUT_1 || !OUTPUT_2 || !OUTPUT_3) { FAIL }
    // x: rows of contiguous elements (a slice of the data set is);
    // anything else is copied first.
    PyArrayObject* x_rows = INPUT_0;
    Py_INCREF(x_rows);
    if (n > 0 && (PyArray_STRIDES(x_rows)[1] != (npy_intp)sizeof(T)
                  || PyArray_STRIDES(x_rows)[0] % (npy_intp)sizeof(T))) {
        Py_DECREF(x_rows);
        x_rows = PyArray_GETCONTIGUOUS(INPUT_0);
        if (!x_rows) { FAIL }
    }
    const npy_intp xs = n > 1 ? PyArray_STRIDES(x_rows)[0] / (npy_intp)sizeof(T) : d;
    const npy_intp ys = PyArray_STRIDES(INPUT_3)[0] / (npy_intp)sizeof(I);
    // Scratch, kept between calls: W transposed, b, then the parts'.
    const npy_intp part = errors_only ? softmax_nll::ROWS * k
                          : k * d + k + d + softmax_nll::ROWS * k;
    const size_t wanted = sizeof(T) * (size_t)(k * d + k
                                               + softmax_nll::PARTS * part);
    if (APPLY_SPECIFIC(scratch_size) < wanted) {
        free(APPLY_SPECIFIC(scratch));
        APPLY_SPECIFIC(scratch) = NULL;
        APPLY_SPECIFIC(scratch_size) = 0;
        APPLY_SPECIFIC(scratch) = malloc(wanted);
        if (!APPLY_SPECIFIC(scratch)) {
            Py_DECREF(x_rows);
            PyErr_NoMemory();
            FAIL
        }
        APPLY_SPECIFIC(scratch_size) = wanted;
    }
    T* WT = (T*)APPLY_SPECIFIC(scratch);
    T* bias = WT + k * d;
    const npy_intp ws0 = PyArray_STRIDES(INPUT_1)[0], ws1 = PyArray_STRIDES(INPUT_1)[1];
    const char* W_data = (const char*)PyArray_DATA(INPUT_1);
    for (npy_intp c = 0; c < d; ++c)
        for (npy_intp j = 0; j < k; ++j)
            WT[j * d + c] = *(const T*)(W_data + c * ws0 + j * ws1);
    for (npy_intp j = 0; j < k; ++j)
        bias[j] = *(const T*)((const char*)PyArray_DATA(INPUT_2)
                              + j * PyArray_STRIDES(INPUT_2)[0]);
    const T* x_data = (const T*)PyArray_DATA(x_rows);
    const I* y_data = (const I*)PyArray_DATA(INPUT_3);
    // The pool is made with the GIL held; the loop runs without it.
    softmax_nll::Pool* pool = softmax_nll::pool_for(PARAMS->threads);
    if (errors_only) {
        npy_intp count;
        Py_BEGIN_ALLOW_THREADS
        count = softmax_nll::run_errors<T, I>(
            n, d, k, x_data, xs, WT, bias, y_data, ys, bias + k, pool);
        Py_END_ALLOW_THREADS
        *(npy_float64*)PyArray_DATA(OUTPUT_0) = (double)count / (double)n;
        *(T*)PyArray_DATA(OUTPUT_1) = (T)NPY_NAN;
        Py_DECREF(x_rows);
    } else {
        double cost_value = 0;
        npy_intp bad;
        T* gW_data = (T*)PyArray_DATA(OUTPUT_2);
        T* gb_data = (T*)PyArray_DATA(OUTPUT_3);
        Py_BEGIN_ALLOW_THREADS
        bad = softmax_nll::run<T, I>(
            n, d, k, x_data, xs, WT, bias, y_data, ys, gW_data, gb_data,
            &cost_value, bias + k, pool);
        Py_END_ALLOW_THREADS
        Py_DECREF(x_rows);
        if (bad >= 0) {
            PyErr_Format(PyExc_IndexError,
                "index out of bounds: label y[%ld] = %lld is not one of "
                "the %ld classes (0 to %ld)", (long)bad,
                (long long)y_data[bad * ys], (long)k, (long)k - 1);
            FAIL
        }
        *(npy_float64*)PyArray_DATA(OUTPUT_0) = NPY_NAN;
        *(T*)PyArray_DATA(OUTPUT_1) = (T)cost_value;
    }
}
