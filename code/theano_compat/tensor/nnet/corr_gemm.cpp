// The C++ side of theano_compat.tensor.nnet.abstract_conv: a 2-D
// correlation of a minibatch, and its two gradients, each as an unrolling
// of image patches into a matrix ("im2col") and one BLAS gemm for the
// whole minibatch.
//
// PyTensor pastes this file into the C module of each of the three ops,
// after its BLAS declarations (sgemm_, dgemm_), Python's and NumPy's
// headers; the ops' short c_code (in abstract_conv.py) calls forward(),
// grad_weights() and grad_inputs() below.  The file's text is part of the
// ops' cache version: editing it recompiles them.
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
// after the filter index (f x P).  Each product is one gemm over the whole
// minibatch; OpenBLAS runs it on its own threads.

#include <Python.h>
#include <numpy/arrayobject.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

// The heavy part of each op runs without the GIL, unless the gemm is
// PyTensor's stand-in for a missing BLAS, which calls NumPy (the Python
// side then defines CORR2D_RELEASE_GIL as 0).
#ifndef CORR2D_RELEASE_GIL
#define CORR2D_RELEASE_GIL 1
#endif
#if CORR2D_RELEASE_GIL
#define CORR2D_BEGIN_WORK Py_BEGIN_ALLOW_THREADS
#define CORR2D_END_WORK Py_END_ALLOW_THREADS
#else
#define CORR2D_BEGIN_WORK {
#define CORR2D_END_WORK }
#endif

namespace corr2d {

// The op's parameters, as the c_code glue reads them.
struct Options {
    npy_intp pad[4];  // above, below, left, right; -1: 'full', -2: 'half'
    npy_intp sh, sw;  // subsampling (strides) of rows and columns
    npy_intp dh, dw;  // dilation of the filters' rows and columns
    int flip;         // true convolution: filters are flipped
};

// Sizes of one call.
struct Shape {
    npy_intp n, c, h, w;  // images
    npy_intp f, kh, kw;   // filters
    npy_intp oh, ow;      // output rows and columns
    npy_intp top, left;   // padding above and left of the image
    npy_intp sh, sw, dh, dw;
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

// cols (K x P) from the images x (n, c, h, w).
template <typename T>
void im2col(const T* x, const Shape& g, T* cols) {
    const npy_intp P = g.P(), ohw = g.oh * g.ow, hw = g.h * g.w;
    for (npy_intp ch = 0; ch < g.c; ++ch)
    for (npy_intp i = 0; i < g.kh; ++i)
    for (npy_intp j = 0; j < g.kw; ++j) {
        T* row = cols + ((ch * g.kh + i) * g.kw + j) * P;
        const npy_intp dy = i * g.dh - g.top, dx = j * g.dw - g.left;
        npy_intp y0, y1, x0, x1;
        inside(dy, g.sh, g.h, g.oh, &y0, &y1);
        inside(dx, g.sw, g.w, g.ow, &x0, &x1);
        for (npy_intp n = 0; n < g.n; ++n) {
            const T* image = x + (n * g.c + ch) * hw;
            T* out = row + n * ohw;
            memset(out, 0, sizeof(T) * y0 * g.ow);
            for (npy_intp y = y0; y < y1; ++y) {
                const T* src = image + (y * g.sh + dy) * g.w + dx;
                T* dst = out + y * g.ow;
                for (npy_intp o = 0; o < x0; ++o) dst[o] = 0;
                if (g.sw == 1) {
                    memcpy(dst + x0, src + x0, sizeof(T) * (x1 - x0));
                } else {
                    for (npy_intp o = x0; o < x1; ++o) dst[o] = src[o * g.sw];
                }
                for (npy_intp o = x1; o < g.ow; ++o) dst[o] = 0;
            }
            memset(out + y1 * g.ow, 0, sizeof(T) * (g.oh - y1) * g.ow);
        }
    }
}

// Adds each entry of cols (K x P) into the pixel of dx (n, c, h, w) it
// was taken from by im2col; padding entries are dropped.
template <typename T>
void col2im(const T* cols, const Shape& g, T* dx) {
    const npy_intp P = g.P(), ohw = g.oh * g.ow, hw = g.h * g.w;
    for (npy_intp ch = 0; ch < g.c; ++ch)
    for (npy_intp i = 0; i < g.kh; ++i)
    for (npy_intp j = 0; j < g.kw; ++j) {
        const T* row = cols + ((ch * g.kh + i) * g.kw + j) * P;
        const npy_intp dy = i * g.dh - g.top, dx_ = j * g.dw - g.left;
        npy_intp y0, y1, x0, x1;
        inside(dy, g.sh, g.h, g.oh, &y0, &y1);
        inside(dx_, g.sw, g.w, g.ow, &x0, &x1);
        for (npy_intp n = 0; n < g.n; ++n) {
            T* image = dx + (n * g.c + ch) * hw;
            const T* in = row + n * ohw;
            for (npy_intp y = y0; y < y1; ++y) {
                T* dst = image + (y * g.sh + dy) * g.w + dx_;
                const T* src = in + y * g.ow;
                if (g.sw == 1) {
                    for (npy_intp o = x0; o < x1; ++o) dst[o] += src[o];
                } else {
                    for (npy_intp o = x0; o < x1; ++o)
                        dst[o * g.sw] += src[o];
                }
            }
        }
    }
}

// top (n, f, oh, ow) as the f x P matrix, and back.
template <typename T>
void batch_last(const T* top, const Shape& g, T* mat) {
    const npy_intp ohw = g.oh * g.ow, P = g.P();
    for (npy_intp n = 0; n < g.n; ++n)
        for (npy_intp f = 0; f < g.f; ++f)
            memcpy(mat + f * P + n * ohw, top + (n * g.f + f) * ohw,
                   sizeof(T) * ohw);
}

template <typename T>
void batch_first(const T* mat, const Shape& g, T* out) {
    const npy_intp ohw = g.oh * g.ow, P = g.P();
    for (npy_intp n = 0; n < g.n; ++n)
        for (npy_intp f = 0; f < g.f; ++f)
            memcpy(out + (n * g.f + f) * ohw, mat + f * P + n * ohw,
                   sizeof(T) * ohw);
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
    T* mem = (T*)scratch_get(s, sizeof(T) * (K * P + g.f * P + g.f * K));
    if (!mem) return -1;
    T *cols = mem, *prod = cols + K * P, *filters = prod + g.f * P;
    PyArrayObject* xc = PyArray_GETCONTIGUOUS(x);
    if (!xc) return -1;
    pack_filters<T>(w, g, o.flip, filters);
    const T* xd = (const T*)PyArray_DATA(xc);
    CORR2D_BEGIN_WORK
    im2col<T>(xd, g, cols);
    gemm<T>(false, false, (int)g.f, (int)P, (int)K, filters, (int)K, cols,
            (int)P, prod, (int)P);
    batch_first<T>(prod, g, result);
    CORR2D_END_WORK
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
    T* mem = (T*)scratch_get(s, sizeof(T) * (K * P + g.f * P + g.f * K));
    if (!mem) return -1;
    T *cols = mem, *tmat = cols + K * P, *prod = tmat + g.f * P;
    PyArrayObject* xc = PyArray_GETCONTIGUOUS(x);
    if (!xc) return -1;
    PyArrayObject* tc = PyArray_GETCONTIGUOUS(top);
    if (!tc) { Py_DECREF(xc); return -1; }
    const T* xd = (const T*)PyArray_DATA(xc);
    const T* td = (const T*)PyArray_DATA(tc);
    CORR2D_BEGIN_WORK
    im2col<T>(xd, g, cols);
    batch_last<T>(td, g, tmat);
    gemm<T>(false, true, (int)g.f, (int)K, (int)P, tmat, (int)P, cols,
            (int)P, prod, (int)K);
    unpack_filters<T>(prod, g, o.flip, result);
    CORR2D_END_WORK
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
    memset(result, 0, sizeof(T) * g.n * g.c * g.h * g.w);
    if (K == 0 || P == 0 || g.f == 0) return 0;
    T* mem = (T*)scratch_get(s, sizeof(T) * (K * P + g.f * P + g.f * K));
    if (!mem) return -1;
    T *cols = mem, *tmat = cols + K * P, *filters = tmat + g.f * P;
    PyArrayObject* tc = PyArray_GETCONTIGUOUS(top);
    if (!tc) return -1;
    pack_filters<T>(w, g, o.flip, filters);
    const T* td = (const T*)PyArray_DATA(tc);
    CORR2D_BEGIN_WORK
    batch_last<T>(td, g, tmat);
    gemm<T>(true, false, (int)K, (int)P, (int)g.f, filters, (int)K, tmat,
            (int)P, cols, (int)P);
    col2im<T>(cols, g, result);
    CORR2D_END_WORK
    Py_DECREF(tc);
    return 0;
}

}  // namespace corr2d
