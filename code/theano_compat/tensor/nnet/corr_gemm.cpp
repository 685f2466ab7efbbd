// The C++ side of theano_compat.tensor.nnet.abstract_conv: a 2-D
// correlation of a minibatch, and its two gradients, each as an unrolling
// of image patches into a matrix ("im2col") and one matrix product (BLAS
// gemm) for the whole minibatch.
//
// PyTensor pastes this file into the C module of each of the three ops,
// after its BLAS declarations (sgemm_, dgemm_), Python's and NumPy's
// headers (the ops have C code only where PyTensor links a BLAS); the
// ops' short c_code (in abstract_conv.py) calls forward(), grad_weights()
// and grad_inputs() below.  The file's text is part of the ops' cache
// version: editing it recompiles them.
//
// Layout.  Images are (n, c, h, w), filters (f, c, kh, kw), the output
// (n, f, oh, ow), all C-contiguous.  With K = c * kh * kw (one filter's
// weights) and P = n * oh * ow (every output position of the minibatch),
// the patch matrix `cols` is K x P, row-major: its row (ch, i, j) holds,
// for every output position (image, y, x), the input pixel that filter
// tap (i, j) of channel ch meets there (zero in the padding).  Then
//
//   output            = filters (f x K) . cols (K x P)
//   filters' gradient = top (f x P) . cols^T (P x K)
//   cols' gradient    = filters^T (K x f) . top (f x P), summed back
//                       into the image's pixels ("col2im"),
//
// where `top` is the output (or its gradient) with the image index moved
// after the filter index (f x P).  Each is one matrix product over the
// whole minibatch, by the gemm of the BLAS that PyTensor links.  With
// several threads, the product's result is cut into column blocks (a
// small result with a long inner dimension: that dimension into runs),
// each one gemm call on one BLAS thread, shared among this file's threads
// (product() below says why); the loops around the product (the patches,
// the transposes) run on the same threads (parallel_for.cpp).

#include <Python.h>
#include <numpy/arrayobject.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

namespace corr2d {

// The op's parameters, as the c_code glue reads them.
struct Options {
    npy_intp pad[4];  // above, below, left, right; -1: 'full', -2: 'half'
    npy_intp sh, sw;  // subsampling (strides) of rows and columns
    npy_intp dh, dw;  // dilation of the filters' rows and columns
    int flip;         // true convolution: filters are flipped
    int threads;      // threads for the loops around the gemm
};

// Sizes of one call.
struct Shape {
    npy_intp n, c, h, w;  // images
    npy_intp f, kh, kw;   // filters
    npy_intp oh, ow;      // output rows and columns
    npy_intp top, left;   // padding above and left of the image
    npy_intp sh, sw, dh, dw;
    int threads;
    npy_intp K() const { return c * kh * kw; }
    npy_intp P() const { return n * oh * ow; }
};

// Working memory of one node, kept between calls (a first touch of fresh
// pages costs more than some of the layers' whole computation).
struct Scratch {
    void* data;
    size_t size;
};

inline void scratch_init(Scratch* s) { s->data = NULL; s->size = 0; }
inline void scratch_free(Scratch* s) { free(s->data); scratch_init(s); }

// At least `bytes` of scratch memory, or NULL with MemoryError set.
inline void* scratch_get(Scratch* s, size_t bytes) {
    if (s->size < bytes) {
        scratch_free(s);
        s->data = malloc(bytes ? bytes : 1);
        if (!s->data) {
            PyErr_NoMemory();
            return NULL;
        }
        s->size = bytes;
    }
    return s->data;
}

// ---------------------------------------------------------------------------
// BLAS, in row-major terms.

inline void fortran_gemm(char* ta, char* tb, const int* m, const int* n,
                         const int* k, const float* alpha, const float* a,
                         const int* lda, const float* b, const int* ldb,
                         const float* beta, float* c, const int* ldc) {
    sgemm_(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

inline void fortran_gemm(char* ta, char* tb, const int* m, const int* n,
                         const int* k, const double* alpha, const double* a,
                         const int* lda, const double* b, const int* ldb,
                         const double* beta, double* c, const int* ldc) {
    dgemm_(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

// C (m x n) = op(A) . op(B), every matrix row-major with the given row
// lengths; op transposes when asked.  The Fortran BLAS sees each row-major
// matrix as its transpose, so it is asked for C^T = op(B)^T . op(A)^T.
template <typename T>
void gemm(bool trans_a, bool trans_b, int m, int n, int k, const T* a,
          int lda, const T* b, int ldb, T* c, int ldc) {
    char ta = trans_b ? 'T' : 'N', tb = trans_a ? 'T' : 'N';
    const T one = 1, zero = 0;
    fortran_gemm(&ta, &tb, &n, &m, &k, &one, b, &ldb, a, &lda, &zero, c,
                 &ldc);
}

// OpenBLAS's thread count, where the BLAS is OpenBLAS (the pip wheel's
// prefixed names, or the plain ones); weak, so that another BLAS leaves
// them null.
extern "C" {
int scipy_openblas_get_num_threads(void) __attribute__((weak));
void scipy_openblas_set_num_threads(int) __attribute__((weak));
int openblas_get_num_threads(void) __attribute__((weak));
void openblas_set_num_threads(int) __attribute__((weak));
}

// Keeps OpenBLAS to one thread for as long as it lives (where the BLAS is
// OpenBLAS; any other is left alone), then gives it back its count: for
// the gemms of product()'s blocks, run side by side on this file's
// threads, and for a long, thin product run whole on one thread.  The
// count is OpenBLAS's global setting, so a gemm started meanwhile by
// another thread of the program also runs on one thread; it computes the
// same.
class OneBlasThread {
  public:
    explicit OneBlasThread(bool wanted) : set_(0), before_(0) {
        if (!wanted) return;
        if (scipy_openblas_get_num_threads && scipy_openblas_set_num_threads) {
            before_ = scipy_openblas_get_num_threads();
            set_ = scipy_openblas_set_num_threads;
        } else if (openblas_get_num_threads && openblas_set_num_threads) {
            before_ = openblas_get_num_threads();
            set_ = openblas_set_num_threads;
        }
        if (before_ > 1) set_(1);
        else set_ = 0;
    }
    ~OneBlasThread() { if (set_) set_(before_); }
  private:
    void (*set_)(int);
    int before_;
};

// Whether a product of an m x n result over an inner dimension k is long
// and thin: too small to cut into blocks, with an inner dimension so long
// that OpenBLAS's threads would meet at hundreds of its blocks for little
// work each (a first layer's filter gradient: 20 x 25 summed over 288000
// positions), costing more than a second thread saves, and many times the
// whole product when the machine is busy.  It runs on one thread.
inline bool long_and_thin(npy_intp m, npy_intp n, npy_intp k) {
    return k > 64 * m * n;
}

// How many runs of its inner dimension a long, thin product is cut into:
// a fixed number, so that the result does not depend on the thread count.
const int INNER_PARTS = 8;

// C (m x n) = op(A) . op(B), on up to `threads` threads, as gemm() computes
// it: C's columns (its rows, if it has fewer columns than rows) are cut
// into blocks, and each block is one gemm over the whole inner dimension,
// on one BLAS thread; each entry of C is thus computed as one gemm would.
// The blocks are shared out as parallel_for's chunks are, so that a thread
// held back by a busy machine delays only its own block, where OpenBLAS's
// own threads would wait for each other at every block of the inner
// dimension.  A result too small to cut but long and thin (see
// long_and_thin) is instead summed in INNER_PARTS runs of the inner
// dimension, one gemm each into `spare` (INNER_PARTS * m * n entries; NULL:
// one gemm on one thread), then added up in a fixed order.
template <typename T>
void product(bool trans_a, bool trans_b, npy_intp m, npy_intp n, npy_intp k,
             const T* a, npy_intp lda, const T* b, npy_intp ldb, T* c,
             npy_intp ldc, int threads, T* spare = NULL) {
    const npy_intp MIN_SIDE = 64;  // narrower blocks make slow gemms
    const bool by_columns = n >= m;
    const npy_intp side = by_columns ? n : m;
    npy_intp blocks = threads > 1 ? 4 * threads : 1;
    if (blocks > side / MIN_SIDE) blocks = side / MIN_SIDE;
    if (blocks <= 1 && long_and_thin(m, n, k) && spare) {
        OneBlasThread one(true);
        const npy_intp per = (k + INNER_PARTS - 1) / INNER_PARTS;
        parallel::parallel_for(INNER_PARTS, m * n * per, threads,
            [&](parallel::index_t begin, parallel::index_t end) {
                for (parallel::index_t part = begin; part < end; ++part) {
                    const npy_intp k0 = part * per;
                    const npy_intp k1 = k0 + per < k ? k0 + per : k;
                    T* out = spare + part * m * n;
                    if (k0 >= k1) {
                        for (npy_intp i = 0; i < m * n; ++i) out[i] = 0;
                        continue;
                    }
                    gemm<T>(trans_a, trans_b, (int)m, (int)n, (int)(k1 - k0),
                            trans_a ? a + k0 * lda : a + k0, (int)lda,
                            trans_b ? b + k0 : b + k0 * ldb, (int)ldb, out,
                            (int)n);
                }
            });
        for (npy_intp i = 0; i < m; ++i)
            for (npy_intp j = 0; j < n; ++j) {
                T sum = 0;
                for (int part = 0; part < INNER_PARTS; ++part)
                    sum += spare[(part * m + i) * n + j];
                c[i * ldc + j] = sum;
            }
        return;
    }
    if (blocks <= 1) {
        OneBlasThread one(long_and_thin(m, n, k));
        gemm<T>(trans_a, trans_b, (int)m, (int)n, (int)k, a, (int)lda, b,
                (int)ldb, c, (int)ldc);
        return;
    }
    OneBlasThread one(true);
    const npy_intp per = (side + blocks - 1) / blocks;
    parallel::parallel_for(blocks, m * n * k / blocks, threads,
        [&](parallel::index_t begin, parallel::index_t end) {
            for (parallel::index_t block = begin; block < end; ++block) {
                const npy_intp s0 = block * per;
                const npy_intp s1 = s0 + per < side ? s0 + per : side;
                if (s0 >= s1) continue;
                if (by_columns)
                    gemm<T>(trans_a, trans_b, (int)m, (int)(s1 - s0), (int)k,
                            a, (int)lda, trans_b ? b + s0 * ldb : b + s0,
                            (int)ldb, c + s0, (int)ldc);
                else
                    gemm<T>(trans_a, trans_b, (int)(s1 - s0), (int)n, (int)k,
                            trans_a ? a + s0 : a + s0 * lda, (int)lda, b,
                            (int)ldb, c + s0 * ldc, (int)ldc);
            }
        });
}

// ---------------------------------------------------------------------------
// Patches.

// The output indices o in [0, count) whose input index o * stride + offset
// falls inside [0, length): they are [*lo, *hi).
inline void inside(npy_intp offset, npy_intp stride, npy_intp length,
                   npy_intp count, npy_intp* lo, npy_intp* hi) {
    npy_intp a = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
    npy_intp b = offset >= length ? 0 : (length - 1 - offset) / stride + 1;
    if (b > count) b = count;
    if (a > b) a = b;
    *lo = a;
    *hi = b;
}

// Where filter tap (i, j) reads: the offset of its first pixel in the
// image (dy, dx), and the output rows [y0, y1) and columns [x0, x1) where
// it falls inside the image (elsewhere it meets padding).
struct Tap {
    npy_intp dy, dx, y0, y1, x0, x1;
};

inline void make_taps(const Shape& g, Tap* taps) {
    for (npy_intp i = 0; i < g.kh; ++i)
        for (npy_intp j = 0; j < g.kw; ++j) {
            Tap& t = taps[i * g.kw + j];
            t.dy = i * g.dh - g.top;
            t.dx = j * g.dw - g.left;
            inside(t.dy, g.sh, g.h, g.oh, &t.y0, &t.y1);
            inside(t.dx, g.sw, g.w, g.ow, &t.x0, &t.x1);
        }
}

// Parallel tasks: `units` (rows of cols, or channels) cut into `*blocks`
// runs of images each, so that there are a few tasks per thread.
inline npy_intp image_blocks(const Shape& g, npy_intp units) {
    npy_intp blocks = g.threads <= 1 || units >= 4 * g.threads ? 1
                      : (4 * g.threads + units - 1) / (units > 0 ? units : 1);
    return blocks < g.n ? blocks : (g.n > 0 ? g.n : 1);
}

// Row k = (ch, i, j) of cols, for images n0 to n1: the pixels of channel
// ch that tap (i, j) meets at each of their output positions.
template <typename T>
void im2col_row(const T* x, const Shape& g, const Tap t, T* cols,
                npy_intp k, npy_intp n0, npy_intp n1) {
    const npy_intp ch = k / (g.kh * g.kw), ohw = g.oh * g.ow;
    const npy_intp ow = g.ow, sw = g.sw, w = g.w;
    for (npy_intp n = n0; n < n1; ++n) {
        const T* image = x + (n * g.c + ch) * g.h * w;
        T* out = cols + k * g.P() + n * ohw;
        for (npy_intp o = 0; o < t.y0 * ow; ++o) out[o] = 0;
        for (npy_intp y = t.y0; y < t.y1; ++y) {
            const T* src = image + (y * g.sh + t.dy) * w + t.dx;
            T* dst = out + y * ow;
            for (npy_intp o = 0; o < t.x0; ++o) dst[o] = 0;
            if (sw == 1) {
                memcpy(dst + t.x0, src + t.x0, sizeof(T) * (t.x1 - t.x0));
            } else {
                for (npy_intp o = t.x0; o < t.x1; ++o) dst[o] = src[o * sw];
            }
            for (npy_intp o = t.x1; o < ow; ++o) dst[o] = 0;
        }
        for (npy_intp o = t.y1 * ow; o < ohw; ++o) out[o] = 0;
    }
}

// cols (K x P) from the images x (n, c, h, w).  `taps`: kh * kw entries
// from make_taps.  In parallel over (row, run of images) tasks, each a
// consecutive stretch of cols.
template <typename T>
void im2col(const T* x, const Shape& g, const Tap* taps, T* cols) {
    const npy_intp K = g.K(), blocks = image_blocks(g, K);
    const npy_intp per_block = (g.n + blocks - 1) / blocks;
    parallel::parallel_for(K * blocks, per_block * g.oh * g.ow, g.threads,
        [&](parallel::index_t begin, parallel::index_t end) {
            for (parallel::index_t task = begin; task < end; ++task) {
                const npy_intp k = task / blocks, b = task % blocks;
                const npy_intp n0 = b * per_block;
                const npy_intp n1 = n0 + per_block < g.n ? n0 + per_block
                                                          : g.n;
                im2col_row(x, g, taps[k % (g.kh * g.kw)], cols, k, n0, n1);
            }
        });
}

// Channel ch of dx (n, c, h, w) for images n0 to n1: each pixel the sum
// of the entries of cols (K x P) that im2col took from it.
template <typename T>
void col2im_channel(const T* cols, const Shape& g, const Tap* taps, T* dx,
                    npy_intp ch, npy_intp n0, npy_intp n1) {
    const npy_intp P = g.P(), ohw = g.oh * g.ow, hw = g.h * g.w;
    const npy_intp taps_n = g.kh * g.kw, c = g.c;
    const npy_intp w = g.w, ow = g.ow, sh = g.sh, sw = g.sw;
    for (npy_intp n = n0; n < n1; ++n)
        memset(dx + (n * c + ch) * hw, 0, sizeof(T) * hw);
    for (npy_intp tap = 0; tap < taps_n; ++tap) {
        const Tap t = taps[tap];
        const T* row = cols + (ch * taps_n + tap) * P;
        for (npy_intp n = n0; n < n1; ++n) {
            T* image = dx + (n * c + ch) * hw;
            const T* in = row + n * ohw;
            for (npy_intp y = t.y0; y < t.y1; ++y) {
                T* dst = image + (y * sh + t.dy) * w + t.dx;
                const T* src = in + y * ow;
                if (sw == 1) {
                    for (npy_intp o = t.x0; o < t.x1; ++o) dst[o] += src[o];
                } else {
                    for (npy_intp o = t.x0; o < t.x1; ++o)
                        dst[o * sw] += src[o];
                }
            }
        }
    }
}

// dx (n, c, h, w) from cols, padding entries dropped (the transpose of
// im2col).  In parallel over (channel, run of images) tasks: each writes
// its own planes of dx.
template <typename T>
void col2im(const T* cols, const Shape& g, const Tap* taps, T* dx) {
    const npy_intp blocks = image_blocks(g, g.c);
    const npy_intp per_block = (g.n + blocks - 1) / blocks;
    parallel::parallel_for(g.c * blocks,
                           per_block * g.kh * g.kw * g.oh * g.ow, g.threads,
        [&](parallel::index_t begin, parallel::index_t end) {
            for (parallel::index_t task = begin; task < end; ++task) {
                const npy_intp ch = task / blocks, b = task % blocks;
                const npy_intp n0 = b * per_block;
                const npy_intp n1 = n0 + per_block < g.n ? n0 + per_block
                                                          : g.n;
                col2im_channel(cols, g, taps, dx, ch, n0, n1);
            }
        });
}

// top (n, f, oh, ow) as the f x P matrix, and back; in parallel over the
// images.
template <typename T>
void batch_last(const T* top, const Shape& g, T* mat) {
    const npy_intp ohw = g.oh * g.ow, P = g.P();
    parallel::parallel_for(g.n, g.f * ohw, g.threads,
        [&](parallel::index_t begin, parallel::index_t end) {
            for (npy_intp n = begin; n < end; ++n)
                for (npy_intp f = 0; f < g.f; ++f)
                    memcpy(mat + f * P + n * ohw, top + (n * g.f + f) * ohw,
                           sizeof(T) * ohw);
        });
}

template <typename T>
void batch_first(const T* mat, const Shape& g, T* out) {
    const npy_intp ohw = g.oh * g.ow, P = g.P();
    parallel::parallel_for(g.n, g.f * ohw, g.threads,
        [&](parallel::index_t begin, parallel::index_t end) {
            for (npy_intp n = begin; n < end; ++n)
                for (npy_intp f = 0; f < g.f; ++f)
                    memcpy(out + (n * g.f + f) * ohw, mat + f * P + n * ohw,
                           sizeof(T) * ohw);
        });
}

// The filters (any strides) as the f x K matrix, flipped when asked, and
// the f x K matrix back into a C-contiguous (f, c, kh, kw) array.
template <typename T>
void pack_filters(PyArrayObject* w, const Shape& g, bool flip, T* mat) {
    const char* data = (const char*)PyArray_DATA(w);
    const npy_intp* s = PyArray_STRIDES(w);
    for (npy_intp f = 0; f < g.f; ++f)
    for (npy_intp ch = 0; ch < g.c; ++ch)
    for (npy_intp i = 0; i < g.kh; ++i)
    for (npy_intp j = 0; j < g.kw; ++j) {
        const npy_intp si = flip ? g.kh - 1 - i : i;
        const npy_intp sj = flip ? g.kw - 1 - j : j;
        mat[((f * g.c + ch) * g.kh + i) * g.kw + j] = *(const T*)(
            data + f * s[0] + ch * s[1] + si * s[2] + sj * s[3]);
    }
}

template <typename T>
void unpack_filters(const T* mat, const Shape& g, bool flip, T* out) {
    if (!flip) {
        memcpy(out, mat, sizeof(T) * g.f * g.K());
        return;
    }
    const npy_intp taps = g.kh * g.kw;
    for (npy_intp fc = 0; fc < g.f * g.c; ++fc)
        for (npy_intp t = 0; t < taps; ++t)
            out[fc * taps + taps - 1 - t] = mat[fc * taps + t];
}

// ---------------------------------------------------------------------------
// Checking shapes, allocating outputs.

// Fills g from the images' (n, c, h, w) and the filters' (f, c, kh, kw)
// dimensions; false, with ValueError set, when they do not fit together.
inline bool make_shape(const char* who, const npy_intp* xd,
                       const npy_intp* wd, const Options& o, Shape* g) {
    if (xd[1] != wd[1]) {
        PyErr_Format(PyExc_ValueError,
            "%s: the input has %ld channels (its shape is (%ld, %ld, %ld, "
            "%ld)) but the filters take %ld (their shape is (%ld, %ld, %ld, "
            "%ld))", who, (long)xd[1], (long)xd[0], (long)xd[1],
            (long)xd[2], (long)xd[3], (long)wd[1], (long)wd[0], (long)wd[1],
            (long)wd[2], (long)wd[3]);
        return false;
    }
    g->n = xd[0]; g->c = xd[1]; g->h = xd[2]; g->w = xd[3];
    g->f = wd[0]; g->kh = wd[2]; g->kw = wd[3];
    g->sh = o.sh; g->sw = o.sw; g->dh = o.dh; g->dw = o.dw;
    g->threads = o.threads;
    const npy_intp span_h = (g->kh - 1) * o.dh + 1;
    const npy_intp span_w = (g->kw - 1) * o.dw + 1;
    npy_intp pad[4];
    for (int side = 0; side < 4; ++side) {
        const npy_intp span = side < 2 ? span_h : span_w;
        pad[side] = o.pad[side] == -1 ? span - 1
                    : o.pad[side] == -2 ? span / 2 : o.pad[side];
    }
    g->top = pad[0];
    g->left = pad[2];
    const npy_intp rows = g->h + pad[0] + pad[1];
    const npy_intp cols = g->w + pad[2] + pad[3];
    if (g->kh < 1 || g->kw < 1 || rows < span_h || cols < span_w) {
        PyErr_Format(PyExc_ValueError,
            "%s: filters of %ld x %ld (spanning %ld x %ld with dilation) do "
            "not fit in the input of %ld x %ld, padded to %ld x %ld", who,
            (long)g->kh, (long)g->kw, (long)span_h, (long)span_w,
            (long)g->h, (long)g->w, (long)rows, (long)cols);
        return false;
    }
    g->oh = (rows - span_h) / o.sh + 1;
    g->ow = (cols - span_w) / o.sw + 1;
    // BLAS takes int sizes.
    if (g->P() > INT_MAX || g->K() > INT_MAX || g->f > INT_MAX) {
        PyErr_Format(PyExc_ValueError,
            "%s: the minibatch is too large for one BLAS call (%ld output "
            "positions, %ld weights per filter); split it", who,
            (long)g->P(), (long)g->K());
        return false;
    }
    return true;
}

// Whether top has the output's shape (n, f, oh, ow); ValueError if not.
inline bool check_top(const char* who, PyArrayObject* top, const Shape& g) {
    const npy_intp* d = PyArray_DIMS(top);
    if (d[0] != g.n || d[1] != g.f || d[2] != g.oh || d[3] != g.ow) {
        PyErr_Format(PyExc_ValueError,
            "%s: the output gradient has shape (%ld, %ld, %ld, %ld), but the "
            "convolution's output has shape (%ld, %ld, %ld, %ld)", who,
            (long)d[0], (long)d[1], (long)d[2], (long)d[3], (long)g.n,
            (long)g.f, (long)g.oh, (long)g.ow);
        return false;
    }
    return true;
}

// *out as a C-contiguous array of dims and typenum: the one there if it
// fits, else a new one.  False (with an error set) if memory runs out.
inline bool prepare_output(PyArrayObject** out, int nd, const npy_intp* dims,
                           int typenum) {
    if (*out && PyArray_NDIM(*out) == nd
            && PyArray_TYPE(*out) == typenum
            && PyArray_IS_C_CONTIGUOUS(*out)
            && memcmp(PyArray_DIMS(*out), dims, nd * sizeof(npy_intp)) == 0)
        return true;
    Py_XDECREF(*out);
    *out = (PyArrayObject*)PyArray_EMPTY(nd, (npy_intp*)dims, typenum, 0);
    return *out != NULL;
}

// ---------------------------------------------------------------------------
// The three ops.  Each returns 0, or -1 with a Python error set.

// out (n, f, oh, ow) = correlation of images x (n, c, h, w) with filters
// w (f, c, kh, kw).
template <typename T>
int forward(PyArrayObject* x, PyArrayObject* w, const Options& o,
            int typenum, PyArrayObject** out, Scratch* s) {
    Shape g;
    if (!make_shape("conv2d", PyArray_DIMS(x), PyArray_DIMS(w), o, &g))
        return -1;
    const npy_intp dims[4] = {g.n, g.f, g.oh, g.ow};
    if (!prepare_output(out, 4, dims, typenum)) return -1;
    const npy_intp K = g.K(), P = g.P();
    T* result = (T*)PyArray_DATA(*out);
    if (K == 0 || P == 0 || g.f == 0) {
        memset(result, 0, sizeof(T) * P * g.f);
        return 0;
    }
    Tap* taps = (Tap*)scratch_get(s, sizeof(Tap) * g.kh * g.kw
                                  + sizeof(T) * (K * P + g.f * P + g.f * K));
    if (!taps) return -1;
    T *cols = (T*)(taps + g.kh * g.kw), *prod = cols + K * P;
    T *filters = prod + g.f * P;
    make_taps(g, taps);
    PyArrayObject* xc = PyArray_GETCONTIGUOUS(x);
    if (!xc) return -1;
    pack_filters<T>(w, g, o.flip, filters);
    const T* xd = (const T*)PyArray_DATA(xc);
    Py_BEGIN_ALLOW_THREADS
    im2col<T>(xd, g, taps, cols);
    product<T>(false, false, g.f, P, K, filters, K, cols, P, prod, P,
               g.threads);
    batch_first<T>(prod, g, result);
    Py_END_ALLOW_THREADS
    Py_DECREF(xc);
    return 0;
}

// dw (f, c, kh, kw): the gradient of sum(top * forward(x, w)) with respect
// to w, for images x and the output's gradient top (n, f, oh, ow); shape
// gives the filters' dimensions.
template <typename T>
int grad_weights(PyArrayObject* x, PyArrayObject* top, PyArrayObject* shape,
                 const Options& o, int typenum, PyArrayObject** dw,
                 Scratch* s) {
    Shape g;
    const char* who = "conv2d gradient of the filters";
    if (!make_shape(who, PyArray_DIMS(x), PyArray_DIMS(shape), o, &g)
            || !check_top(who, top, g))
        return -1;
    const npy_intp dims[4] = {g.f, g.c, g.kh, g.kw};
    if (!prepare_output(dw, 4, dims, typenum)) return -1;
    const npy_intp K = g.K(), P = g.P();
    T* result = (T*)PyArray_DATA(*dw);
    if (K == 0 || P == 0 || g.f == 0) {
        memset(result, 0, sizeof(T) * K * g.f);
        return 0;
    }
    const npy_intp room = K * P + g.f * P + (1 + INNER_PARTS) * g.f * K;
    Tap* taps = (Tap*)scratch_get(s, sizeof(Tap) * g.kh * g.kw
                                  + sizeof(T) * room);
    if (!taps) return -1;
    T *cols = (T*)(taps + g.kh * g.kw), *tmat = cols + K * P;
    T *prod = tmat + g.f * P, *partials = prod + g.f * K;
    make_taps(g, taps);
    PyArrayObject* xc = PyArray_GETCONTIGUOUS(x);
    if (!xc) return -1;
    PyArrayObject* tc = PyArray_GETCONTIGUOUS(top);
    if (!tc) { Py_DECREF(xc); return -1; }
    const T* xd = (const T*)PyArray_DATA(xc);
    const T* td = (const T*)PyArray_DATA(tc);
    Py_BEGIN_ALLOW_THREADS
    im2col<T>(xd, g, taps, cols);
    batch_last<T>(td, g, tmat);
    product<T>(false, true, g.f, K, P, tmat, P, cols, P, prod, K, g.threads,
               partials);
    unpack_filters<T>(prod, g, o.flip, result);
    Py_END_ALLOW_THREADS
    Py_DECREF(xc);
    Py_DECREF(tc);
    return 0;
}

// dx (n, c, h, w): the gradient of sum(top * forward(x, w)) with respect
// to x, for the filters w and the output's gradient top; shape gives the
// images' dimensions.
template <typename T>
int grad_inputs(PyArrayObject* w, PyArrayObject* top, PyArrayObject* shape,
                const Options& o, int typenum, PyArrayObject** dx,
                Scratch* s) {
    Shape g;
    const char* who = "conv2d gradient of the input";
    if (!make_shape(who, PyArray_DIMS(shape), PyArray_DIMS(w), o, &g)
            || !check_top(who, top, g))
        return -1;
    const npy_intp dims[4] = {g.n, g.c, g.h, g.w};
    if (!prepare_output(dx, 4, dims, typenum)) return -1;
    const npy_intp K = g.K(), P = g.P();
    T* result = (T*)PyArray_DATA(*dx);
    if (K == 0 || P == 0 || g.f == 0) {
        memset(result, 0, sizeof(T) * g.n * g.c * g.h * g.w);
        return 0;
    }
    Tap* taps = (Tap*)scratch_get(s, sizeof(Tap) * g.kh * g.kw
                                  + sizeof(T) * (K * P + g.f * P + g.f * K));
    if (!taps) return -1;
    T *cols = (T*)(taps + g.kh * g.kw), *tmat = cols + K * P;
    T *filters = tmat + g.f * P;
    make_taps(g, taps);
    PyArrayObject* tc = PyArray_GETCONTIGUOUS(top);
    if (!tc) return -1;
    pack_filters<T>(w, g, o.flip, filters);
    const T* td = (const T*)PyArray_DATA(tc);
    Py_BEGIN_ALLOW_THREADS
    batch_last<T>(td, g, tmat);
    product<T>(true, false, K, P, g.f, filters, K, tmat, P, cols, P,
               g.threads);
    col2im<T>(cols, g, taps, result);
    Py_END_ALLOW_THREADS
    Py_DECREF(tc);
    return 0;
}

}  // namespace corr2d
