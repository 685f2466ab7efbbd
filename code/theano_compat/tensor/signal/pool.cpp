// The C++ side of theano_compat.tensor.signal.pool: pooling over the last
// two dimensions of an array, and its gradients.
//
// PyTensor pastes this file into the C module of each pooling op, after
// Python's and NumPy's headers; the ops' short c_code (in pool.py) calls
// forward(), max_grad(), average_grad() and max_grad_grad() below.  The
// file's text is part of the ops' cache version.
//
// Every leading dimension is a batch dimension: an array of shape
// (..., rows, cols) is seen as `planes` planes of rows x cols.
//
// Windows.  Along one axis of length v with padding p, window k covers
// [k * stride, k * stride + ws) of the padded axis [0, v + 2p), clipped to
// it; the part inside the image, [p, v + p), is what max and sum read.
// average_inc_pad divides the sum by the clipped window's size (padding
// included), average_exc_pad by the size of its part inside the image.
// This is Theano 1.0's C code's rule, edges of ignore_border=False
// included.

#include <Python.h>
#include <numpy/arrayobject.h>
#include <string.h>
#include <new>

namespace pool2d {

enum Mode { MAX = 0, SUM = 1, AVERAGE_INC_PAD = 2, AVERAGE_EXC_PAD = 3 };

// The op's parameters, as the c_code glue reads them.
struct Options {
    npy_intp ws[2], stride[2], pad[2];  // (rows, cols) each
    int ignore_border;
    int mode;
    int threads;  // threads for the loops over planes
};

// One window along one axis: [lo, hi) in image coordinates, and the size
// of the window clipped to the padded axis.
struct Span {
    npy_intp lo, hi, padded;
};

// Windows along an axis of length v, as Theano counted them.
inline npy_intp out_length(npy_intp v, const Options& o, int axis) {
    const npy_intp ws = o.ws[axis], st = o.stride[axis];
    const npy_intp padded = v + 2 * o.pad[axis];
    if (v == 0) return 0;
    if (o.ignore_border) return padded < ws ? 0 : (padded - ws) / st + 1;
    if (st >= ws) return (padded - 1) / st + 1;
    const npy_intp n = padded - 1 - ws + st;
    return (n > 0 ? n / st : 0) + 1;
}

inline void spans(npy_intp v, npy_intp count, const Options& o, int axis,
                  Span* out) {
    const npy_intp ws = o.ws[axis], st = o.stride[axis], pad = o.pad[axis];
    for (npy_intp k = 0; k < count; ++k) {
        const npy_intp start = k * st;
        npy_intp end = start + ws;
        if (end > v + 2 * pad) end = v + 2 * pad;
        npy_intp lo = (start > pad ? start : pad) - pad;
        npy_intp hi = (end < v + pad ? end : v + pad) - pad;
        if (hi < lo) hi = lo;
        out[k].lo = lo;
        out[k].hi = hi;
        out[k].padded = end - start;
    }
}

// Sizes of one call, and the windows of both axes (owned).
struct Plan {
    npy_intp planes, rows, cols, out_rows, out_cols;
    npy_intp ws[2];
    bool tiled;  // the windows tile the image exactly: each pixel in one
    Span* row_spans;
    Span* col_spans;
    Plan() : row_spans(NULL), col_spans(NULL) {}
    ~Plan() { delete[] row_spans; delete[] col_spans; }
};

// Fills the plan for an array x; false (with an error set) if x has fewer
// than 2 dimensions or memory runs out.
inline bool make_plan(PyArrayObject* x, const Options& o, Plan* plan) {
    const int nd = PyArray_NDIM(x);
    if (nd < 2) {
        PyErr_Format(PyExc_ValueError, "pool_2d: the input has %d "
                     "dimensions; it needs at least 2", nd);
        return false;
    }
    const npy_intp* d = PyArray_DIMS(x);
    plan->planes = 1;
    for (int i = 0; i < nd - 2; ++i) plan->planes *= d[i];
    plan->rows = d[nd - 2];
    plan->cols = d[nd - 1];
    plan->out_rows = out_length(plan->rows, o, 0);
    plan->out_cols = out_length(plan->cols, o, 1);
    plan->row_spans = new (std::nothrow) Span[plan->out_rows + 1];
    plan->col_spans = new (std::nothrow) Span[plan->out_cols + 1];
    if (!plan->row_spans || !plan->col_spans) {
        PyErr_NoMemory();
        return false;
    }
    spans(plan->rows, plan->out_rows, o, 0, plan->row_spans);
    spans(plan->cols, plan->out_cols, o, 1, plan->col_spans);
    plan->ws[0] = o.ws[0];
    plan->ws[1] = o.ws[1];
    plan->tiled = o.pad[0] == 0 && o.pad[1] == 0
                  && o.stride[0] == o.ws[0] && o.stride[1] == o.ws[1]
                  && plan->out_rows * o.ws[0] == plan->rows
                  && plan->out_cols * o.ws[1] == plan->cols;
    return true;
}

// *out as a C-contiguous array of x's leading dimensions and (rows, cols)
// and of typenum: the one there if it fits, else a new one.
inline bool prepare_output(PyArrayObject** out, PyArrayObject* like,
                           npy_intp rows, npy_intp cols, int typenum) {
    const int nd = PyArray_NDIM(like);
    npy_intp dims[NPY_MAXDIMS];
    memcpy(dims, PyArray_DIMS(like), nd * sizeof(npy_intp));
    dims[nd - 2] = rows;
    dims[nd - 1] = cols;
    if (*out && PyArray_NDIM(*out) == nd && PyArray_TYPE(*out) == typenum
            && PyArray_IS_C_CONTIGUOUS(*out)
            && memcmp(PyArray_DIMS(*out), dims, nd * sizeof(npy_intp)) == 0)
        return true;
    Py_XDECREF(*out);
    *out = (PyArrayObject*)PyArray_EMPTY(nd, dims, typenum, 0);
    return *out != NULL;
}

// Whether a has the leading dimensions of x and the given last two.
inline bool same_shape(const char* who, const char* what, PyArrayObject* a,
                       PyArrayObject* x, npy_intp rows, npy_intp cols) {
    const int nd = PyArray_NDIM(x);
    bool ok = PyArray_NDIM(a) == nd;
    for (int i = 0; ok && i < nd; ++i) {
        const npy_intp want = i == nd - 2 ? rows : i == nd - 1 ? cols
                              : PyArray_DIMS(x)[i];
        ok = PyArray_DIMS(a)[i] == want;
    }
    if (!ok) {
        PyErr_Format(PyExc_ValueError,
            "%s: %s does not have the pooled shape of the input (the input "
            "has %d dimensions and its last two are %ld x %ld; the pooled "
            "ones should be %ld x %ld)", who, what, nd,
            (long)PyArray_DIMS(x)[nd - 2], (long)PyArray_DIMS(x)[nd - 1],
            (long)rows, (long)cols);
    }
    return ok;
}

// ---------------------------------------------------------------------------
// The loops, on C-contiguous data, over planes b0 to b1.

template <typename T>
void pool_planes(const T* x, const Plan& p, int mode, T* z, npy_intp b0,
                 npy_intp b1) {
    const npy_intp in_size = p.rows * p.cols;
    for (npy_intp b = b0; b < b1; ++b) {
        const T* img = x + b * in_size;
        T* out = z + b * p.out_rows * p.out_cols;
        for (npy_intp r = 0; r < p.out_rows; ++r) {
            const Span R = p.row_spans[r];
            for (npy_intp c = 0; c < p.out_cols; ++c) {
                const Span C = p.col_spans[c];
                T value;
                if (mode == MAX) {
                    value = img[R.lo * p.cols + C.lo];
                    for (npy_intp y = R.lo; y < R.hi; ++y)
                        for (npy_intp xx = C.lo; xx < C.hi; ++xx) {
                            const T a = img[y * p.cols + xx];
                            value = a > value ? a : value;
                        }
                } else {
                    value = 0;
                    for (npy_intp y = R.lo; y < R.hi; ++y)
                        for (npy_intp xx = C.lo; xx < C.hi; ++xx)
                            value += img[y * p.cols + xx];
                    if (mode == AVERAGE_INC_PAD)
                        value /= (T)(R.padded * C.padded);
                    else if (mode == AVERAGE_EXC_PAD)
                        value /= (T)((R.hi - R.lo) * (C.hi - C.lo));
                }
                out[r * p.out_cols + c] = value;
            }
        }
    }
}

// The same, when the windows tile the image (ws == stride, no padding,
// no pixel left over): the window's rows are first combined element by
// element over whole image rows (which vectorizes), then each window's
// columns.  `row` is scratch of p.cols elements.
template <typename T>
void pool_planes_tiled(const T* x, const Plan& p, int mode, T* z, T* row,
                       npy_intp b0, npy_intp b1) {
    const npy_intp wr = p.ws[0], wc = p.ws[1];
    const T scale = mode == AVERAGE_INC_PAD || mode == AVERAGE_EXC_PAD
                    ? (T)1 / (T)(wr * wc) : (T)1;
    for (npy_intp b = b0; b < b1; ++b) {
        const T* img = x + b * p.rows * p.cols;
        T* out = z + b * p.out_rows * p.out_cols;
        for (npy_intp r = 0; r < p.out_rows; ++r) {
            const T* first = img + r * wr * p.cols;
            for (npy_intp xx = 0; xx < p.cols; ++xx) row[xx] = first[xx];
            for (npy_intp i = 1; i < wr; ++i) {
                const T* next = first + i * p.cols;
                if (mode == MAX) {
                    for (npy_intp xx = 0; xx < p.cols; ++xx)
                        row[xx] = next[xx] > row[xx] ? next[xx] : row[xx];
                } else {
                    for (npy_intp xx = 0; xx < p.cols; ++xx)
                        row[xx] += next[xx];
                }
            }
            T* o = out + r * p.out_cols;
            for (npy_intp c = 0; c < p.out_cols; ++c) {
                const T* w = row + c * wc;
                T value = w[0];
                for (npy_intp j = 1; j < wc; ++j) {
                    if (mode == MAX) value = w[j] > value ? w[j] : value;
                    else value += w[j];
                }
                o[c] = mode == MAX ? value : value * scale;
            }
        }
    }
}

// Max pooling's gradient for tiling windows: every pixel is written once
// (no zeroing first): its window's gz where it equals the maximum, else 0.
// Each window row's maxima and gradients are first spread over a whole
// image row (`spread`: scratch of 2 * p.cols), so that the choice is one
// vectorized select per pixel rather than a branch.
template <typename T>
void max_grad_planes_tiled(const T* x, const T* z, const T* gz,
                           const Plan& p, T* gx, T* spread, npy_intp b0,
                           npy_intp b1) {
    const npy_intp wr = p.ws[0], wc = p.ws[1];
    T* maxima = spread;
    T* grads = spread + p.cols;
    for (npy_intp b = b0; b < b1; ++b) {
        const npy_intp in0 = b * p.rows * p.cols;
        const npy_intp out0 = b * p.out_rows * p.out_cols;
        for (npy_intp r = 0; r < p.out_rows; ++r) {
            const T* m = z + out0 + r * p.out_cols;
            const T* g = gz + out0 + r * p.out_cols;
            for (npy_intp c = 0; c < p.out_cols; ++c)
                for (npy_intp j = 0; j < wc; ++j) {
                    maxima[c * wc + j] = m[c];
                    grads[c * wc + j] = g[c];
                }
            for (npy_intp i = 0; i < wr; ++i) {
                const T* src = x + in0 + (r * wr + i) * p.cols;
                T* dst = gx + in0 + (r * wr + i) * p.cols;
                for (npy_intp xx = 0; xx < p.cols; ++xx)
                    dst[xx] = src[xx] == maxima[xx] ? grads[xx] : (T)0;
            }
        }
    }
}

// Sum and average pooling's gradient for tiling windows: each pixel gets
// its window's gz (divided by the window's size for the averages).
template <typename T>
void average_grad_planes_tiled(const T* gz, const Plan& p, int mode, T* gx,
                               npy_intp b0, npy_intp b1) {
    const npy_intp wr = p.ws[0], wc = p.ws[1];
    const T scale = mode == SUM ? (T)1 : (T)1 / (T)(wr * wc);
    for (npy_intp b = b0; b < b1; ++b) {
        for (npy_intp r = 0; r < p.out_rows; ++r) {
            const T* g = gz + (b * p.out_rows + r) * p.out_cols;
            for (npy_intp i = 0; i < wr; ++i) {
                T* dst = gx + (b * p.rows + r * wr + i) * p.cols;
                for (npy_intp c = 0; c < p.out_cols; ++c)
                    for (npy_intp j = 0; j < wc; ++j)
                        dst[c * wc + j] = g[c] * scale;
            }
        }
    }
}

// gx += gz of each window, at every element of the window equal to the
// window's maximum z (gx's planes b0 to b1 zeroed by the caller).
template <typename T>
void max_grad_planes(const T* x, const T* z, const T* gz, const Plan& p,
                     T* gx, npy_intp b0, npy_intp b1) {
    const npy_intp in_size = p.rows * p.cols;
    const npy_intp out_size = p.out_rows * p.out_cols;
    for (npy_intp b = b0; b < b1; ++b) {
        const T* img = x + b * in_size;
        T* grad = gx + b * in_size;
        for (npy_intp r = 0; r < p.out_rows; ++r) {
            const Span R = p.row_spans[r];
            for (npy_intp c = 0; c < p.out_cols; ++c) {
                const Span C = p.col_spans[c];
                const npy_intp k = b * out_size + r * p.out_cols + c;
                const T m = z[k], g = gz[k];
                for (npy_intp y = R.lo; y < R.hi; ++y)
                    for (npy_intp xx = C.lo; xx < C.hi; ++xx)
                        if (img[y * p.cols + xx] == m)
                            grad[y * p.cols + xx] += g;
            }
        }
    }
}

// gx += gz of each window, divided as the forward pass divided its sum, at
// every element of the window (gx's planes zeroed by the caller).
template <typename T>
void average_grad_planes(const T* gz, const Plan& p, int mode, T* gx,
                         npy_intp b0, npy_intp b1) {
    const npy_intp in_size = p.rows * p.cols;
    for (npy_intp b = b0; b < b1; ++b) {
        T* grad = gx + b * in_size;
        const T* top = gz + b * p.out_rows * p.out_cols;
        for (npy_intp r = 0; r < p.out_rows; ++r) {
            const Span R = p.row_spans[r];
            for (npy_intp c = 0; c < p.out_cols; ++c) {
                const Span C = p.col_spans[c];
                T value = top[r * p.out_cols + c];
                if (mode == AVERAGE_INC_PAD)
                    value /= (T)(R.padded * C.padded);
                else if (mode == AVERAGE_EXC_PAD)
                    value /= (T)((R.hi - R.lo) * (C.hi - C.lo));
                for (npy_intp y = R.lo; y < R.hi; ++y)
                    for (npy_intp xx = C.lo; xx < C.hi; ++xx)
                        grad[y * p.cols + xx] += value;
            }
        }
    }
}

// ggz: for each window, the sum of gg over its elements equal to z.
template <typename T>
void max_grad_grad_planes(const T* x, const T* z, const T* gg, const Plan& p,
                          T* ggz, npy_intp b0, npy_intp b1) {
    const npy_intp in_size = p.rows * p.cols;
    const npy_intp out_size = p.out_rows * p.out_cols;
    for (npy_intp b = b0; b < b1; ++b) {
        const T* img = x + b * in_size;
        const T* g = gg + b * in_size;
        for (npy_intp r = 0; r < p.out_rows; ++r) {
            const Span R = p.row_spans[r];
            for (npy_intp c = 0; c < p.out_cols; ++c) {
                const Span C = p.col_spans[c];
                const npy_intp k = b * out_size + r * p.out_cols + c;
                const T m = z[k];
                T sum = 0;
                for (npy_intp y = R.lo; y < R.hi; ++y)
                    for (npy_intp xx = C.lo; xx < C.hi; ++xx)
                        if (img[y * p.cols + xx] == m)
                            sum += g[y * p.cols + xx];
                ggz[k] = sum;
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The ops.  Each returns 0, or -1 with a Python error set.

// Holds C-contiguous versions of the inputs for the length of a call.
struct Contiguous {
    PyArrayObject* a[3];
    int n;
    Contiguous() : n(0) {}
    ~Contiguous() { for (int i = 0; i < n; ++i) Py_DECREF(a[i]); }
    // A C-contiguous version of x (x itself if it is), or NULL.
    template <typename T> const T* data(PyArrayObject* x) {
        PyArrayObject* c = PyArray_GETCONTIGUOUS(x);
        if (!c) return NULL;
        a[n++] = c;
        return (const T*)PyArray_DATA(c);
    }
};

// Planes of x, and the work (elements read) of one.
#define POOL2D_PLANES(p) (p).planes, (p).rows * (p).cols + 1

template <typename T>
int forward(PyArrayObject* x, const Options& o, int typenum,
            PyArrayObject** z) {
    Plan p;
    Contiguous keep;
    if (!make_plan(x, o, &p)) return -1;
    if (!prepare_output(z, x, p.out_rows, p.out_cols, typenum)) return -1;
    const T* xd = keep.data<T>(x);
    if (!xd) return -1;
    T* zd = (T*)PyArray_DATA(*z);
    bool no_memory = false;
    Py_BEGIN_ALLOW_THREADS
    parallel::parallel_for(POOL2D_PLANES(p), o.threads,
        [&](parallel::index_t b0, parallel::index_t b1) {
            if (!p.tiled) {
                pool_planes<T>(xd, p, o.mode, zd, b0, b1);
                return;
            }
            T* row = new (std::nothrow) T[p.cols + 1];
            if (!row) {
                __atomic_store_n(&no_memory, true, __ATOMIC_RELAXED);
                return;
            }
            pool_planes_tiled<T>(xd, p, o.mode, zd, row, b0, b1);
            delete[] row;
        });
    Py_END_ALLOW_THREADS
    if (no_memory) { PyErr_NoMemory(); return -1; }
    return 0;
}

template <typename T>
int max_grad(PyArrayObject* x, PyArrayObject* z, PyArrayObject* gz,
             const Options& o, int typenum, PyArrayObject** gx) {
    Plan p;
    Contiguous keep;
    const char* who = "pool_2d gradient";
    if (!make_plan(x, o, &p)
            || !same_shape(who, "the pooled output", z, x, p.out_rows,
                           p.out_cols)
            || !same_shape(who, "the output gradient", gz, x, p.out_rows,
                           p.out_cols))
        return -1;
    if (!prepare_output(gx, x, p.rows, p.cols, typenum)) return -1;
    const T* xd = keep.data<T>(x);
    const T* zd = xd ? keep.data<T>(z) : NULL;
    const T* gd = zd ? keep.data<T>(gz) : NULL;
    if (!gd) return -1;
    T* out = (T*)PyArray_DATA(*gx);
    const npy_intp plane = p.rows * p.cols;
    bool no_memory = false;
    Py_BEGIN_ALLOW_THREADS
    parallel::parallel_for(POOL2D_PLANES(p), o.threads,
        [&](parallel::index_t b0, parallel::index_t b1) {
            if (!p.tiled) {
                memset(out + b0 * plane, 0, sizeof(T) * (b1 - b0) * plane);
                max_grad_planes<T>(xd, zd, gd, p, out, b0, b1);
                return;
            }
            T* spread = new (std::nothrow) T[2 * p.cols + 1];
            if (!spread) {
                __atomic_store_n(&no_memory, true, __ATOMIC_RELAXED);
                return;
            }
            max_grad_planes_tiled<T>(xd, zd, gd, p, out, spread, b0, b1);
            delete[] spread;
        });
    Py_END_ALLOW_THREADS
    if (no_memory) { PyErr_NoMemory(); return -1; }
    return 0;
}

template <typename T>
int average_grad(PyArrayObject* x, PyArrayObject* gz, const Options& o,
                 int typenum, PyArrayObject** gx) {
    Plan p;
    Contiguous keep;
    if (!make_plan(x, o, &p)
            || !same_shape("pool_2d gradient", "the output gradient", gz, x,
                           p.out_rows, p.out_cols))
        return -1;
    if (!prepare_output(gx, x, p.rows, p.cols, typenum)) return -1;
    const T* gd = keep.data<T>(gz);
    if (!gd) return -1;
    T* out = (T*)PyArray_DATA(*gx);
    const npy_intp plane = p.rows * p.cols;
    Py_BEGIN_ALLOW_THREADS
    parallel::parallel_for(POOL2D_PLANES(p), o.threads,
        [&](parallel::index_t b0, parallel::index_t b1) {
            if (p.tiled) {
                average_grad_planes_tiled<T>(gd, p, o.mode, out, b0, b1);
            } else {
                memset(out + b0 * plane, 0, sizeof(T) * (b1 - b0) * plane);
                average_grad_planes<T>(gd, p, o.mode, out, b0, b1);
            }
        });
    Py_END_ALLOW_THREADS
    return 0;
}

template <typename T>
int max_grad_grad(PyArrayObject* x, PyArrayObject* z, PyArrayObject* gg,
                  const Options& o, int typenum, PyArrayObject** ggz) {
    Plan p;
    Contiguous keep;
    const char* who = "pool_2d second derivative";
    if (!make_plan(x, o, &p)
            || !same_shape(who, "the pooled output", z, x, p.out_rows,
                           p.out_cols)
            || !same_shape(who, "the input's gradient", gg, x, p.rows,
                           p.cols))
        return -1;
    if (!prepare_output(ggz, x, p.out_rows, p.out_cols, typenum)) return -1;
    const T* xd = keep.data<T>(x);
    const T* zd = xd ? keep.data<T>(z) : NULL;
    const T* gd = zd ? keep.data<T>(gg) : NULL;
    if (!gd) return -1;
    T* out = (T*)PyArray_DATA(*ggz);
    Py_BEGIN_ALLOW_THREADS
    parallel::parallel_for(POOL2D_PLANES(p), o.threads,
        [&](parallel::index_t b0, parallel::index_t b1) {
            max_grad_grad_planes<T>(xd, zd, gd, p, out, b0, b1);
        });
    Py_END_ALLOW_THREADS
    return 0;
}

}  // namespace pool2d
