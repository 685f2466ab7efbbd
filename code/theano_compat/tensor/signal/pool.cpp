#section support_code

// The C++ side of theano_compat.tensor.signal.pool: pooling over the last
// 1, 2 or 3 dimensions of an array, and its gradients.  The classes of
// pool.py load this file after engine/parallel_for.cpp and
// engine/arrays.cpp; the `code` section at the end calls forward(),
// max_grad(), average_grad() or max_grad_grad().
//
// Any number of pooled axes, one loop.  Every leading dimension is a
// batch dimension: an array of shape (..., d0, d1, d2) is seen as
// `planes` volumes of d0 x d1 x d2.  Pooling over two axes is pooling
// over three whose first has length 1 and a window of 1 (one over one
// axis, two such axes): the loops below are written for three axes, and
// the first ones cost one pass each when their length is 1.
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

namespace pool {

const int AXES = 3;  // pooled axes of every call (leading ones of length 1)

enum Mode { MAX = 0, SUM = 1, AVERAGE_INC_PAD = 2, AVERAGE_EXC_PAD = 3 };

// The op's parameters, on three axes (the op's `ndim` last ones), as
// read_options fills them.
struct Options {
    int ndim;                  // pooled axes of the op: 1, 2 or 3
    npy_intp ws[AXES], stride[AXES], pad[AXES];
    int ignore_border;
    int mode;
    int threads;               // threads for the loops over planes
    const char* name;          // "pool_2d"...: for error messages
};

// Fills ws, stride and pad of o from the op's three int64 vectors (its
// o->ndim entries each, aligned to the last axes); false, with an error
// set, when they are not what Theano allowed.
inline bool read_options(PyArrayObject* ws, PyArrayObject* stride,
                         PyArrayObject* pad, Options* o) {
    PyArrayObject* given[3] = {ws, stride, pad};
    const char* names[3] = {"ws", "stride", "pad"};
    npy_intp* fields[3] = {o->ws, o->stride, o->pad};
    const int first = AXES - o->ndim;
    for (int f = 0; f < 3; ++f) {
        if (PyArray_NDIM(given[f]) != 1
                || PyArray_DIMS(given[f])[0] != o->ndim) {
            PyErr_Format(PyExc_ValueError, "%s: %s should have %d entries",
                         o->name, names[f], o->ndim);
            return false;
        }
        for (int axis = 0; axis < AXES; ++axis)
            fields[f][axis] = axis < first ? (f == 2 ? 0 : 1)
                : (npy_intp)*(npy_int64*)PyArray_GETPTR1(given[f],
                                                         axis - first);
    }
    for (int axis = first; axis < AXES; ++axis) {
        if (o->ws[axis] < 1 || o->stride[axis] < 1 || o->pad[axis] < 0) {
            PyErr_Format(PyExc_ValueError, "%s: ws and stride should be >= "
                         "1 and pad >= 0", o->name);
            return false;
        }
        if (o->pad[axis] && !o->ignore_border) {
            PyErr_Format(PyExc_NotImplementedError, "%s: padding works "
                         "only with ignore_border=True (as in Theano)",
                         o->name);
            return false;
        }
        if (o->pad[axis] >= o->ws[axis]) {
            PyErr_Format(PyExc_NotImplementedError, "%s: the padding must "
                         "be smaller than the window (as in Theano)",
                         o->name);
            return false;
        }
    }
    return true;
}

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

// Sizes of one call, and the windows of each axis (owned).
struct Plan {
    npy_intp planes;
    npy_intp in[AXES], out[AXES], ws[AXES];
    bool tiled;  // the windows tile the image exactly: each pixel in one
    Span* span[AXES];
    Plan() { for (int a = 0; a < AXES; ++a) span[a] = NULL; }
    ~Plan() { for (int a = 0; a < AXES; ++a) delete[] span[a]; }
    npy_intp in_size() const { return in[0] * in[1] * in[2]; }
    npy_intp out_size() const { return out[0] * out[1] * out[2]; }
};

// Fills the plan for an array x; false (with an error set) if x has too
// few dimensions or memory runs out.
inline bool make_plan(PyArrayObject* x, const Options& o, Plan* plan) {
    const int nd = PyArray_NDIM(x), first = AXES - o.ndim;
    if (nd < o.ndim) {
        PyErr_Format(PyExc_ValueError, "%s: the input has %d dimensions; "
                     "it needs at least %d", o.name, nd, o.ndim);
        return false;
    }
    const npy_intp* d = PyArray_DIMS(x);
    plan->planes = 1;
    for (int i = 0; i < nd - o.ndim; ++i) plan->planes *= d[i];
    plan->tiled = true;
    for (int axis = 0; axis < AXES; ++axis) {
        plan->in[axis] = axis < first ? 1 : d[nd - o.ndim + axis - first];
        plan->out[axis] = out_length(plan->in[axis], o, axis);
        plan->ws[axis] = o.ws[axis];
        plan->span[axis] = new (std::nothrow) Span[plan->out[axis] + 1];
        if (!plan->span[axis]) {
            PyErr_NoMemory();
            return false;
        }
        spans(plan->in[axis], plan->out[axis], o, axis, plan->span[axis]);
        plan->tiled = plan->tiled && o.pad[axis] == 0
                      && o.stride[axis] == o.ws[axis]
                      && plan->out[axis] * o.ws[axis] == plan->in[axis];
    }
    return true;
}

// *out as a C-contiguous array of x's leading dimensions and the plan's
// pooled (or, with `pooled` false, input) sizes, of typenum: the one
// there if it fits, else a new one.
inline bool prepare_output(PyArrayObject** out, PyArrayObject* like,
                           const Plan& p, const Options& o, bool pooled,
                           int typenum) {
    const int nd = PyArray_NDIM(like);
    npy_intp dims[NPY_MAXDIMS];
    memcpy(dims, PyArray_DIMS(like), nd * sizeof(npy_intp));
    for (int i = 0; i < o.ndim; ++i)
        dims[nd - o.ndim + i] = pooled ? p.out[AXES - o.ndim + i]
                                       : p.in[AXES - o.ndim + i];
    if (*out && PyArray_NDIM(*out) == nd && PyArray_TYPE(*out) == typenum
            && PyArray_IS_C_CONTIGUOUS(*out)
            && memcmp(PyArray_DIMS(*out), dims, nd * sizeof(npy_intp)) == 0)
        return true;
    Py_XDECREF(*out);
    *out = (PyArrayObject*)PyArray_EMPTY(nd, dims, typenum, 0);
    return *out != NULL;
}

// Whether a has the leading dimensions of x and the pooled (or input)
// sizes of the plan.
inline bool same_shape(const char* who, const char* what, PyArrayObject* a,
                       PyArrayObject* x, const Plan& p, const Options& o,
                       bool pooled) {
    const int nd = PyArray_NDIM(x), lead = nd - o.ndim;
    bool ok = PyArray_NDIM(a) == nd;
    for (int i = 0; ok && i < nd; ++i) {
        const int axis = AXES - o.ndim + i - lead;
        const npy_intp want = i < lead ? PyArray_DIMS(x)[i]
                              : pooled ? p.out[axis] : p.in[axis];
        ok = PyArray_DIMS(a)[i] == want;
    }
    if (!ok) {
        PyErr_Format(PyExc_ValueError,
            "%s: %s does not have the %s shape of the input (the input has "
            "%d dimensions, the last %d pooled)", who, what,
            pooled ? "pooled" : "same", nd, o.ndim);
    }
    return ok;
}

// ---------------------------------------------------------------------------
// The loops, on C-contiguous data, over planes b0 to b1.  Each visits the
// windows (d, r, c) of a plane and, inside one, the pixels (zz, yy, xx).

#define POOL_FOR_WINDOWS(p)                                              \
    for (npy_intp d = 0; d < (p).out[0]; ++d)                            \
    for (npy_intp r = 0; r < (p).out[1]; ++r)                            \
    for (npy_intp c = 0; c < (p).out[2]; ++c)

#define POOL_FOR_PIXELS(D, R, C)                                         \
    for (npy_intp zz = (D).lo; zz < (D).hi; ++zz)                        \
    for (npy_intp yy = (R).lo; yy < (R).hi; ++yy)                        \
    for (npy_intp xx = (C).lo; xx < (C).hi; ++xx)

template <typename T>
inline T divisor(int mode, const Span& D, const Span& R, const Span& C) {
    if (mode == AVERAGE_INC_PAD)
        return (T)(D.padded * R.padded * C.padded);
    if (mode == AVERAGE_EXC_PAD)
        return (T)((D.hi - D.lo) * (R.hi - R.lo) * (C.hi - C.lo));
    return (T)1;
}

template <typename T>
void pool_planes(const T* x, const Plan& p, int mode, T* z_out, npy_intp b0,
                 npy_intp b1) {
    const npy_intp h = p.in[1], w = p.in[2];
    for (npy_intp b = b0; b < b1; ++b) {
        const T* img = x + b * p.in_size();
        T* out = z_out + b * p.out_size();
        POOL_FOR_WINDOWS(p) {
            const Span D = p.span[0][d], R = p.span[1][r], C = p.span[2][c];
            T value;
            if (mode == MAX) {
                value = img[(D.lo * h + R.lo) * w + C.lo];
                POOL_FOR_PIXELS(D, R, C) {
                    const T a = img[(zz * h + yy) * w + xx];
                    value = a > value ? a : value;
                }
            } else {
                value = 0;
                POOL_FOR_PIXELS(D, R, C) value += img[(zz * h + yy) * w + xx];
                if (mode != SUM) value /= divisor<T>(mode, D, R, C);
            }
            out[(d * p.out[1] + r) * p.out[2] + c] = value;
        }
    }
}

// The same, when the windows tile the image (ws == stride, no padding,
// no pixel left over): the window's rows (of its depth and height) are
// first combined element by element over whole image rows (which
// vectorizes), then each window's columns.  `row` is scratch of p.in[2]
// elements.
template <typename T>
void pool_planes_tiled(const T* x, const Plan& p, int mode, T* z_out, T* row,
                       npy_intp b0, npy_intp b1) {
    const npy_intp wd = p.ws[0], wr = p.ws[1], wc = p.ws[2];
    const npy_intp h = p.in[1], w = p.in[2];
    const T scale = mode == AVERAGE_INC_PAD || mode == AVERAGE_EXC_PAD
                    ? (T)1 / (T)(wd * wr * wc) : (T)1;
    for (npy_intp b = b0; b < b1; ++b) {
        const T* img = x + b * p.in_size();
        T* out = z_out + b * p.out_size();
        for (npy_intp d = 0; d < p.out[0]; ++d)
        for (npy_intp r = 0; r < p.out[1]; ++r) {
            bool first = true;
            for (npy_intp i = 0; i < wd; ++i)
            for (npy_intp j = 0; j < wr; ++j) {
                const T* next = img + ((d * wd + i) * h + r * wr + j) * w;
                if (first) {
                    for (npy_intp xx = 0; xx < w; ++xx) row[xx] = next[xx];
                    first = false;
                } else if (mode == MAX) {
                    for (npy_intp xx = 0; xx < w; ++xx)
                        row[xx] = next[xx] > row[xx] ? next[xx] : row[xx];
                } else {
                    for (npy_intp xx = 0; xx < w; ++xx) row[xx] += next[xx];
                }
            }
            T* o = out + (d * p.out[1] + r) * p.out[2];
            for (npy_intp c = 0; c < p.out[2]; ++c) {
                const T* win = row + c * wc;
                T value = win[0];
                for (npy_intp j = 1; j < wc; ++j) {
                    if (mode == MAX) value = win[j] > value ? win[j] : value;
                    else value += win[j];
                }
                o[c] = mode == MAX ? value : value * scale;
            }
        }
    }
}

// Max pooling's gradient for tiling windows: every pixel is written once
// (no zeroing first): its window's gz where it equals the maximum, else 0.
// Each window row's maxima and gradients are first spread over a whole
// image row (`spread`: scratch of 2 * p.in[2]), so that the choice is one
// vectorized select per pixel rather than a branch.
template <typename T>
void max_grad_planes_tiled(const T* x, const T* z, const T* gz,
                           const Plan& p, T* gx, T* spread, npy_intp b0,
                           npy_intp b1) {
    const npy_intp wd = p.ws[0], wr = p.ws[1], wc = p.ws[2];
    const npy_intp h = p.in[1], w = p.in[2];
    T* maxima = spread;
    T* grads = spread + w;
    for (npy_intp b = b0; b < b1; ++b) {
        const npy_intp in0 = b * p.in_size(), out0 = b * p.out_size();
        for (npy_intp d = 0; d < p.out[0]; ++d)
        for (npy_intp r = 0; r < p.out[1]; ++r) {
            const npy_intp k = out0 + (d * p.out[1] + r) * p.out[2];
            for (npy_intp c = 0; c < p.out[2]; ++c)
                for (npy_intp j = 0; j < wc; ++j) {
                    maxima[c * wc + j] = z[k + c];
                    grads[c * wc + j] = gz[k + c];
                }
            for (npy_intp i = 0; i < wd; ++i)
            for (npy_intp j = 0; j < wr; ++j) {
                const npy_intp start = in0 + ((d * wd + i) * h + r * wr + j)
                                             * w;
                const T* src = x + start;
                T* dst = gx + start;
                for (npy_intp xx = 0; xx < w; ++xx)
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
    const npy_intp wd = p.ws[0], wr = p.ws[1], wc = p.ws[2];
    const npy_intp h = p.in[1], w = p.in[2];
    const T scale = mode == SUM ? (T)1 : (T)1 / (T)(wd * wr * wc);
    for (npy_intp b = b0; b < b1; ++b) {
        for (npy_intp d = 0; d < p.out[0]; ++d)
        for (npy_intp r = 0; r < p.out[1]; ++r) {
            const T* g = gz + b * p.out_size()
                         + (d * p.out[1] + r) * p.out[2];
            for (npy_intp i = 0; i < wd; ++i)
            for (npy_intp j = 0; j < wr; ++j) {
                T* dst = gx + b * p.in_size()
                         + ((d * wd + i) * h + r * wr + j) * w;
                for (npy_intp c = 0; c < p.out[2]; ++c)
                    for (npy_intp l = 0; l < wc; ++l)
                        dst[c * wc + l] = g[c] * scale;
            }
        }
    }
}

// gx += gz of each window, at every element of the window equal to the
// window's maximum z (gx's planes b0 to b1 zeroed by the caller).
template <typename T>
void max_grad_planes(const T* x, const T* z, const T* gz, const Plan& p,
                     T* gx, npy_intp b0, npy_intp b1) {
    const npy_intp h = p.in[1], w = p.in[2];
    for (npy_intp b = b0; b < b1; ++b) {
        const T* img = x + b * p.in_size();
        T* grad = gx + b * p.in_size();
        POOL_FOR_WINDOWS(p) {
            const Span D = p.span[0][d], R = p.span[1][r], C = p.span[2][c];
            const npy_intp k = b * p.out_size()
                               + (d * p.out[1] + r) * p.out[2] + c;
            const T m = z[k], g = gz[k];
            POOL_FOR_PIXELS(D, R, C) {
                const npy_intp at = (zz * h + yy) * w + xx;
                if (img[at] == m) grad[at] += g;
            }
        }
    }
}

// gx += gz of each window, divided as the forward pass divided its sum, at
// every element of the window (gx's planes zeroed by the caller).
template <typename T>
void average_grad_planes(const T* gz, const Plan& p, int mode, T* gx,
                         npy_intp b0, npy_intp b1) {
    const npy_intp h = p.in[1], w = p.in[2];
    for (npy_intp b = b0; b < b1; ++b) {
        T* grad = gx + b * p.in_size();
        const T* top = gz + b * p.out_size();
        POOL_FOR_WINDOWS(p) {
            const Span D = p.span[0][d], R = p.span[1][r], C = p.span[2][c];
            T value = top[(d * p.out[1] + r) * p.out[2] + c];
            if (mode != SUM) value /= divisor<T>(mode, D, R, C);
            POOL_FOR_PIXELS(D, R, C) grad[(zz * h + yy) * w + xx] += value;
        }
    }
}

// ggz: for each window, the sum of gg over its elements equal to z.
template <typename T>
void max_grad_grad_planes(const T* x, const T* z, const T* gg, const Plan& p,
                          T* ggz, npy_intp b0, npy_intp b1) {
    const npy_intp h = p.in[1], w = p.in[2];
    for (npy_intp b = b0; b < b1; ++b) {
        const T* img = x + b * p.in_size();
        const T* g = gg + b * p.in_size();
        POOL_FOR_WINDOWS(p) {
            const Span D = p.span[0][d], R = p.span[1][r], C = p.span[2][c];
            const npy_intp k = b * p.out_size()
                               + (d * p.out[1] + r) * p.out[2] + c;
            const T m = z[k];
            T sum = 0;
            POOL_FOR_PIXELS(D, R, C) {
                const npy_intp at = (zz * h + yy) * w + xx;
                if (img[at] == m) sum += g[at];
            }
            ggz[k] = sum;
        }
    }
}

#undef POOL_FOR_WINDOWS
#undef POOL_FOR_PIXELS

// ---------------------------------------------------------------------------
// The ops.  Each returns 0, or -1 with a Python error set.

using arrays::Contiguous;  // (engine/arrays.cpp)

// Planes of x, and the work (elements read) of one.
#define POOL_PLANES(p) (p).planes, (p).in_size() + 1

template <typename T>
int forward(PyArrayObject* x, const Options& o, int typenum,
            PyArrayObject** z) {
    Plan p;
    Contiguous keep;
    if (!make_plan(x, o, &p)) return -1;
    if (!prepare_output(z, x, p, o, true, typenum)) return -1;
    const T* xd = keep.data<T>(x);
    if (!xd) return -1;
    T* zd = (T*)PyArray_DATA(*z);
    bool no_memory = false;
    Py_BEGIN_ALLOW_THREADS
    parallel::parallel_for(POOL_PLANES(p), o.threads,
        [&](parallel::index_t b0, parallel::index_t b1) {
            if (!p.tiled) {
                pool_planes<T>(xd, p, o.mode, zd, b0, b1);
                return;
            }
            T* row = new (std::nothrow) T[p.in[2] + 1];
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
    char who[64];
    snprintf(who, sizeof(who), "%s gradient", o.name);
    if (!make_plan(x, o, &p)
            || !same_shape(who, "the pooled output", z, x, p, o, true)
            || !same_shape(who, "the output gradient", gz, x, p, o, true))
        return -1;
    if (!prepare_output(gx, x, p, o, false, typenum)) return -1;
    const T* xd = keep.data<T>(x);
    const T* zd = xd ? keep.data<T>(z) : NULL;
    const T* gd = zd ? keep.data<T>(gz) : NULL;
    if (!gd) return -1;
    T* out = (T*)PyArray_DATA(*gx);
    const npy_intp plane = p.in_size();
    bool no_memory = false;
    Py_BEGIN_ALLOW_THREADS
    parallel::parallel_for(POOL_PLANES(p), o.threads,
        [&](parallel::index_t b0, parallel::index_t b1) {
            if (!p.tiled) {
                memset(out + b0 * plane, 0, sizeof(T) * (b1 - b0) * plane);
                max_grad_planes<T>(xd, zd, gd, p, out, b0, b1);
                return;
            }
            T* spread = new (std::nothrow) T[2 * p.in[2] + 1];
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
    char who[64];
    snprintf(who, sizeof(who), "%s gradient", o.name);
    if (!make_plan(x, o, &p)
            || !same_shape(who, "the output gradient", gz, x, p, o, true))
        return -1;
    if (!prepare_output(gx, x, p, o, false, typenum)) return -1;
    const T* gd = keep.data<T>(gz);
    if (!gd) return -1;
    T* out = (T*)PyArray_DATA(*gx);
    const npy_intp plane = p.in_size();
    Py_BEGIN_ALLOW_THREADS
    parallel::parallel_for(POOL_PLANES(p), o.threads,
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
    char who[64];
    snprintf(who, sizeof(who), "%s second derivative", o.name);
    if (!make_plan(x, o, &p)
            || !same_shape(who, "the pooled output", z, x, p, o, true)
            || !same_shape(who, "the input's gradient", gg, x, p, o, false))
        return -1;
    if (!prepare_output(ggz, x, p, o, true, typenum)) return -1;
    const T* xd = keep.data<T>(x);
    const T* zd = xd ? keep.data<T>(z) : NULL;
    const T* gd = zd ? keep.data<T>(gg) : NULL;
    if (!gd) return -1;
    T* out = (T*)PyArray_DATA(*ggz);
    Py_BEGIN_ALLOW_THREADS
    parallel::parallel_for(POOL_PLANES(p), o.threads,
        [&](parallel::index_t b0, parallel::index_t b1) {
            max_grad_grad_planes<T>(xd, zd, gd, p, out, b0, b1);
        });
    Py_END_ALLOW_THREADS
    return 0;
}

}  // namespace pool

#section code

// POOL_FUNCTION (forward, max_grad...), POOL_ARRAYS (its array inputs),
// POOL_WS, POOL_STRIDE and POOL_PAD (the inputs holding them) come from
// the op; the rest from its params, so that ops of every mode and number
// of axes share one module.
{
    pool::Options options;
    options.ndim = PARAMS->ndim;
    options.ignore_border = PARAMS->ignore_border;
    options.mode = PARAMS->mode_code;
    options.threads = PARAMS->threads;
    static const char* const names[4] = {"pool", "pool_1d", "pool_2d",
                                         "pool_3d"};
    options.name = names[options.ndim & 3];
    if (!pool::read_options(POOL_WS, POOL_STRIDE, POOL_PAD, &options)
            || pool::POOL_FUNCTION<DTYPE_OUTPUT_0>(
                   POOL_ARRAYS, options, TYPENUM_OUTPUT_0, &OUTPUT_0) != 0) {
        FAIL
    }
}
