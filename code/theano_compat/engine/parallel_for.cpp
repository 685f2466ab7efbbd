#section support_code

// A parallel loop for the C++ ops of theano_compat (the convolutions in
// tensor/nnet/corr_gemm.cpp, the pooling in tensor/signal/pool.cpp,
// images2neibs in tensor/nnet/neighbours.cpp): their classes list this
// file before their own (engine/cop.py).
//
// parallel_for(n, grain, threads, body) runs body(begin, end) over chunks
// of [0, n), on up to `threads` threads: the calling thread and threads
// started for this one loop, which end with it.  So no thread outlives a
// call (nothing waits or spins between calls, nothing is left behind in a
// forked child), at the cost of starting a thread, some tens of
// microseconds, per loop of several milliseconds.  The threads take the
// chunks from a shared counter, so one that the system holds back (the
// machine busy with other work) delays only its current chunk.  A body
// must only write memory that no other chunk writes.
//
// Why the fused softmax loop (engine/fused_softmax.cpp) keeps a pool of
// threads instead: its calls last about 100 microseconds and come
// thousands of times a second, where starting threads each time would
// cost a good part of the call; its workers spin for 2 ms after a call,
// then sleep.  The loops here last milliseconds, and between them
// OpenBLAS's own threads run the matrix products: workers spinning there
// would take their cores.  Both kinds of thread rest when there is no
// work: these end, the pool's sleep.

#ifndef THEANO_COMPAT_PARALLEL_FOR
#define THEANO_COMPAT_PARALLEL_FOR

#include <pthread.h>

namespace parallel {

typedef long long index_t;

// Loops smaller than this many units of work (elements copied, roughly)
// run on the calling thread alone: a thread costs more than it saves.
const index_t MIN_WORK_PER_THREAD = 1 << 17;
const int MAX_THREADS = 16;

template <typename Body>
struct Loop {
    const Body* body;
    index_t n, chunk;
    index_t next;  // the next chunk's start, taken atomically

    void work() {
        for (;;) {
            const index_t begin = __atomic_fetch_add(&next, chunk,
                                                     __ATOMIC_RELAXED);
            if (begin >= n) return;
            (*body)(begin, begin + chunk < n ? begin + chunk : n);
        }
    }

    static void* start(void* loop) {
        static_cast<Loop*>(loop)->work();
        return 0;
    }
};

// Runs body(begin, end) over [0, n), where one index costs about
// `work_per_index` units of work, on at most `threads` threads.
template <typename Body>
void parallel_for(index_t n, index_t work_per_index, int threads,
                  const Body& body) {
    if (n <= 0) return;
    index_t useful = n * (work_per_index > 0 ? work_per_index : 1)
                     / MIN_WORK_PER_THREAD;
    if (threads > MAX_THREADS) threads = MAX_THREADS;
    if (useful < threads) threads = (int)(useful > 1 ? useful : 1);
    if (threads > n) threads = (int)n;
    if (threads <= 1) {
        body(0, n);
        return;
    }
    Loop<Body> loop;
    loop.body = &body;
    loop.n = n;
    // about four chunks a thread: a held-back thread delays little
    loop.chunk = (n + 4 * threads - 1) / (4 * threads);
    loop.next = 0;
    pthread_t helpers[MAX_THREADS];
    int started = 0;
    for (int t = 1; t < threads; ++t) {
        if (pthread_create(&helpers[started], 0, &Loop<Body>::start, &loop)
                == 0)
            ++started;  // if a thread cannot start, the others do its part
    }
    loop.work();
    for (int t = 0; t < started; ++t) pthread_join(helpers[t], 0);
}

}  // namespace parallel

#endif
