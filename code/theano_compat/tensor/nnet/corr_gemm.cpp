#section support_code

// The C++ side of theano_compat.tensor.nnet.abstract_conv: the correlation
// of a minibatch with a stack of filters over 1, 2 or 3 spatial axes, and
// its two gradients, each as an unrolling of image patches into a matrix
// ("im2col") and one matrix product (engine/gemm.cpp) for the whole
// minibatch.  The classes of abstract_conv.py load this file after
// engine/parallel_for.cpp and engine/gemm.cpp; the `code` section at the
// end calls forward(), grad_weights() or grad_inputs().
//
// Any number of axes, one loop.  Every call is seen as a 3-D one: a 2-D
// convolution's images (n, c, h, w) are (n, c, 1, h, w) here, with one
// filter tap, no padding and stride 1 along the first axis (a 1-D one has
// two such axes).  The loops below are written for three axes, and the
// first ones cost one pass each when their length is 1.
//
// Layout.  Images are (n, c, d0, d1, d2), filters (f, c, k0, k1, k2), the
// output (n, f, o0, o1, o2), all C-contiguous.  With K = c * k0 * k1 * k2
// (one filter's weights) and P = n * o0 * o1 * o2 (every output position
// of the minibatch), the patch matrix `cols` is K x P, row-major: its row
// (ch, tap) holds, for every output position (image, z, y, x), the input
// pixel that filter tap `tap` of channel ch meets there (zero in the
// padding).  Then
//
//   output            = filters (f x K) . cols (K x P)
//   filters' gradient = top (f x P) . cols^T (P x K)
//   cols' gradient    = filters^T (K x f) . top (f x P), summed back
//                       into the image's pixels ("col2im"),
//
// where `top` is the output (or its gradient) with the image index moved
// after the filter index (f x P).
//
// Groups (Theano's num_groups): the channels and the filters are cut into
// `groups` equal runs, run g of the filters reading run g of the channels
// only.  Each group is the computation above on its runs, one after the
// other, reusing the scratch memory; the arrays are not copied: the loops
// step over an image's channels, and the output's filters, by the whole
// arrays' counts (Shape::cs, Shape::fs), from pointers to the group's
// first channel and filter.  Each is one matrix product over the
// whole minibatch (blas::product: cut into blocks on several threads);
// the loops around the product (the patches, the transposes) run on the
// same threads (parallel::parallel_for).

#include <Python.h>
#include <numpy/arrayobject.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

namespace corr {

const int AXES = 3;  // spatial axes of every call (leading ones of length 1)

// The op's parameters, for its `convdim` axes (the first convdim entries
// of each array), as the code section at the end fills them.
struct Options {
    int convdim;              // 1, 2 or 3
    npy_intp pad[AXES][2];    // zeros before and after; -1: 'full', -2: 'half'
    npy_intp stride[AXES];    // subsampling
    npy_intp dilation[AXES];  // the filters' dilation
    int flip;                 // true convolution: filters are flipped
    int groups;               // channel groups (num_groups)
    int threads;              // threads for the loops around the gemm
    const char* name;         // "conv2d", "conv3d": for error messages
};

// Sizes of one call, on three axes.
struct Shape {
    npy_intp n, c, f;          // images, channels, filters (of one group)
    npy_intp cs, fs;           // channels and filters of the whole arrays
    npy_intp in[AXES];         // image size
    npy_intp k[AXES];          // filter size
    npy_intp out[AXES];        // output size
    npy_intp before[AXES];     // zeros before the image
    npy_intp stride[AXES], dilation[AXES];
    int threads;
    npy_intp taps() const { return k[0] * k[1] * k[2]; }
    npy_intp pixels() const { return in[0] * in[1] * in[2]; }
    npy_intp positions() const { return out[0] * out[1] * out[2]; }
    npy_intp K() const { return c * taps(); }
    npy_intp P() const { return n * positions(); }
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

// "(2, 3, 8, 7)": dims as Python prints a shape, into buf.
inline const char* shape_text(const npy_intp* dims, int nd, char* buf,
                              size_t size) {
    size_t used = snprintf(buf, size, "(");
    for (int i = 0; i < nd && used < size; ++i)
        used += snprintf(buf + used, size - used, i ? ", %ld" : "%ld",
                         (long)dims[i]);
    if (used < size) snprintf(buf + used, size - used, nd == 1 ? ",)" : ")");
    return buf;
}

// "3 x 3 x 2": the last nd of dims, into buf.
inline const char* size_text(const npy_intp* dims, int nd, char* buf,
                             size_t size) {
    size_t used = 0;
    buf[0] = 0;
    for (int i = 0; i < nd && used < size; ++i)
        used += snprintf(buf + used, size - used, i ? " x %ld" : "%ld",
                         (long)dims[i]);
    return buf;
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

// Where a filter tap reads: along each axis, the offset of its first
// pixel in the image, and the output indices [lo, hi) where it falls
// inside the image (elsewhere it meets padding).
struct Tap {
    npy_intp offset[AXES], lo[AXES], hi[AXES];
};

inline void make_taps(const Shape& g, Tap* taps) {
    Tap* t = taps;
    for (npy_intp i = 0; i < g.k[0]; ++i)
    for (npy_intp j = 0; j < g.k[1]; ++j)
    for (npy_intp l = 0; l < g.k[2]; ++l, ++t) {
        const npy_intp index[AXES] = {i, j, l};
        for (int a = 0; a < AXES; ++a) {
            t->offset[a] = index[a] * g.dilation[a] - g.before[a];
            inside(t->offset[a], g.stride[a], g.in[a], g.out[a], &t->lo[a],
                   &t->hi[a]);
        }
    }
}

// Parallel tasks: `units` (rows of cols, or channels) cut into `*blocks`
// runs of images each, so that there are a few tasks per thread.
inline npy_intp image_blocks(const Shape& g, npy_intp units) {
    npy_intp blocks = g.threads <= 1 || units >= 4 * g.threads ? 1
                      : (4 * g.threads + units - 1) / (units > 0 ? units : 1);
    return blocks < g.n ? blocks : (g.n > 0 ? g.n : 1);
}

// Row k = (ch, tap) of cols, for images n0 to n1: the pixels of channel
// ch that the tap meets at each of their output positions.
template <typename T>
void im2col_row(const T* x, const Shape& g, const Tap& t, T* cols,
                npy_intp k, npy_intp n0, npy_intp n1) {
    const npy_intp ch = k / g.taps(), positions = g.positions();
    const npy_intp plane_out = g.out[1] * g.out[2];
    const npy_intp plane_in = g.in[1] * g.in[2];
    const npy_intp ow = g.out[2], sw = g.stride[2], w = g.in[2];
    const npy_intp x0 = t.lo[2], x1 = t.hi[2], y0 = t.lo[1], y1 = t.hi[1];
    for (npy_intp n = n0; n < n1; ++n) {
        const T* image = x + (n * g.cs + ch) * g.pixels();
        T* out = cols + k * g.P() + n * positions;
        for (npy_intp z = 0; z < g.out[0]; ++z) {
            T* plane = out + z * plane_out;
            if (z < t.lo[0] || z >= t.hi[0]) {
                memset(plane, 0, sizeof(T) * plane_out);
                continue;
            }
            const T* source = image + (z * g.stride[0] + t.offset[0])
                                      * plane_in;
            for (npy_intp o = 0; o < y0 * ow; ++o) plane[o] = 0;
            for (npy_intp y = y0; y < y1; ++y) {
                const T* src = source + (y * g.stride[1] + t.offset[1]) * w
                               + t.offset[2];
                T* dst = plane + y * ow;
                for (npy_intp o = 0; o < x0; ++o) dst[o] = 0;
                if (sw == 1) {
                    memcpy(dst + x0, src + x0, sizeof(T) * (x1 - x0));
                } else {
                    for (npy_intp o = x0; o < x1; ++o) dst[o] = src[o * sw];
                }
                for (npy_intp o = x1; o < ow; ++o) dst[o] = 0;
            }
            for (npy_intp o = y1 * ow; o < plane_out; ++o) plane[o] = 0;
        }
    }
}

// cols (K x P) from the images x.  `taps`: g.taps() entries from
// make_taps.  In parallel over (row, run of images) tasks, each a
// consecutive stretch of cols.
template <typename T>
void im2col(const T* x, const Shape& g, const Tap* taps, T* cols) {
    const npy_intp K = g.K(), blocks = image_blocks(g, K);
    const npy_intp per_block = (g.n + blocks - 1) / blocks;
    parallel::parallel_for(K * blocks, per_block * g.positions(), g.threads,
        [&](parallel::index_t begin, parallel::index_t end) {
            for (parallel::index_t task = begin; task < end; ++task) {
                const npy_intp k = task / blocks, b = task % blocks;
                const npy_intp n0 = b * per_block;
                const npy_intp n1 = n0 + per_block < g.n ? n0 + per_block
                                                          : g.n;
                im2col_row(x, g, taps[k % g.taps()], cols, k, n0, n1);
            }
        });
}

// Channel ch of dx (n, c, d0, d1, d2) for images n0 to n1: each pixel the
// sum of the entries of cols (K x P) that im2col took from it.
template <typename T>
void col2im_channel(const T* cols, const Shape& g, const Tap* taps, T* dx,
                    npy_intp ch, npy_intp n0, npy_intp n1) {
    const npy_intp P = g.P(), positions = g.positions();
    const npy_intp pixels = g.pixels(), taps_n = g.taps(), c = g.cs;
    const npy_intp plane_out = g.out[1] * g.out[2];
    const npy_intp plane_in = g.in[1] * g.in[2];
    const npy_intp w = g.in[2], ow = g.out[2], sh = g.stride[1];
    const npy_intp sw = g.stride[2];
    for (npy_intp n = n0; n < n1; ++n)
        memset(dx + (n * c + ch) * pixels, 0, sizeof(T) * pixels);
    for (npy_intp tap = 0; tap < taps_n; ++tap) {
        const Tap& t = taps[tap];
        const npy_intp x0 = t.lo[2], x1 = t.hi[2];
        const T* row = cols + (ch * taps_n + tap) * P;
        for (npy_intp n = n0; n < n1; ++n) {
            T* image = dx + (n * c + ch) * pixels;
            for (npy_intp z = t.lo[0]; z < t.hi[0]; ++z) {
                T* target = image + (z * g.stride[0] + t.offset[0])
                                    * plane_in;
                const T* in = row + n * positions + z * plane_out;
                for (npy_intp y = t.lo[1]; y < t.hi[1]; ++y) {
                    T* dst = target + (y * sh + t.offset[1]) * w
                             + t.offset[2];
                    const T* src = in + y * ow;
                    if (sw == 1) {
                        for (npy_intp o = x0; o < x1; ++o) dst[o] += src[o];
                    } else {
                        for (npy_intp o = x0; o < x1; ++o)
                            dst[o * sw] += src[o];
                    }
                }
            }
        }
    }
}

// dx from cols, padding entries dropped (the transpose of im2col).  In
// parallel over (channel, run of images) tasks: each writes its own
// planes of dx.
template <typename T>
void col2im(const T* cols, const Shape& g, const Tap* taps, T* dx) {
    const npy_intp blocks = image_blocks(g, g.c);
    const npy_intp per_block = (g.n + blocks - 1) / blocks;
    parallel::parallel_for(g.c * blocks,
                           per_block * g.taps() * g.positions(), g.threads,
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

// top (n, f, positions) as the f x P matrix, and back; in parallel over
// the images.
template <typename T>
void batch_last(const T* top, const Shape& g, T* mat) {
    const npy_intp positions = g.positions(), P = g.P();
    parallel::parallel_for(g.n, g.f * positions, g.threads,
        [&](parallel::index_t begin, parallel::index_t end) {
            for (npy_intp n = begin; n < end; ++n)
                for (npy_intp f = 0; f < g.f; ++f)
                    memcpy(mat + f * P + n * positions,
                           top + (n * g.fs + f) * positions,
                           sizeof(T) * positions);
        });
}

template <typename T>
void batch_first(const T* mat, const Shape& g, T* out) {
    const npy_intp positions = g.positions(), P = g.P();
    parallel::parallel_for(g.n, g.f * positions, g.threads,
        [&](parallel::index_t begin, parallel::index_t end) {
            for (npy_intp n = begin; n < end; ++n)
                for (npy_intp f = 0; f < g.f; ++f)
                    memcpy(out + (n * g.fs + f) * positions,
                           mat + f * P + n * positions,
                           sizeof(T) * positions);
        });
}

// The filters f0 to f0 + g.f (any strides) as the f x K matrix, flipped
// along every spatial axis when asked, and the f x K matrix back into a
// C-contiguous (f, c, k...) array.
template <typename T>
void pack_filters(PyArrayObject* w, const Shape& g, int convdim, bool flip,
                  npy_intp f0, T* mat) {
    const char* data = (const char*)PyArray_DATA(w)
                       + f0 * PyArray_STRIDES(w)[0];
    const npy_intp* s = PyArray_STRIDES(w);
    npy_intp step[AXES] = {0, 0, 0};
    for (int a = 0; a < convdim; ++a) step[AXES - convdim + a] = s[2 + a];
    T* out = mat;
    for (npy_intp f = 0; f < g.f; ++f)
    for (npy_intp ch = 0; ch < g.c; ++ch)
    for (npy_intp i = 0; i < g.k[0]; ++i)
    for (npy_intp j = 0; j < g.k[1]; ++j)
    for (npy_intp l = 0; l < g.k[2]; ++l) {
        const npy_intp si = flip ? g.k[0] - 1 - i : i;
        const npy_intp sj = flip ? g.k[1] - 1 - j : j;
        const npy_intp sl = flip ? g.k[2] - 1 - l : l;
        *out++ = *(const T*)(data + f * s[0] + ch * s[1] + si * step[0]
                             + sj * step[1] + sl * step[2]);
    }
}

// (Flipping every axis reverses the order of a filter's taps.)
template <typename T>
void unpack_filters(const T* mat, const Shape& g, bool flip, T* out) {
    if (!flip) {
        memcpy(out, mat, sizeof(T) * g.f * g.K());
        return;
    }
    const npy_intp taps = g.taps();
    for (npy_intp fc = 0; fc < g.f * g.c; ++fc)
        for (npy_intp t = 0; t < taps; ++t)
            out[fc * taps + taps - 1 - t] = mat[fc * taps + t];
}

// ---------------------------------------------------------------------------
// Checking shapes, allocating outputs.

// Fills g (one group's sizes) from the images' (n, c, spatial...) and the
// filters' (f, c / groups, spatial...) dimensions, each 2 + o.convdim
// long; false, with ValueError set, when they do not fit together.
inline bool make_shape(const char* who, const npy_intp* xd,
                       const npy_intp* wd, const Options& o, Shape* g) {
    const int nd = 2 + o.convdim, first = AXES - o.convdim;
    const npy_intp groups = o.groups;
    char a[128], b[128], c[128], d[128];
    if (xd[1] != wd[1] * groups) {
        if (groups == 1)
            PyErr_Format(PyExc_ValueError,
                "%s: the input has %ld channels (its shape is %s) but the "
                "filters take %ld (their shape is %s)", who, (long)xd[1],
                shape_text(xd, nd, a, sizeof(a)), (long)wd[1],
                shape_text(wd, nd, b, sizeof(b)));
        else
            PyErr_Format(PyExc_ValueError,
                "%s: the input has %ld channels (its shape is %s) but %ld "
                "groups of filters take %ld each (their shape is %s)", who,
                (long)xd[1], shape_text(xd, nd, a, sizeof(a)), (long)groups,
                (long)wd[1], shape_text(wd, nd, b, sizeof(b)));
        return false;
    }
    if (wd[0] % groups) {
        PyErr_Format(PyExc_ValueError,
            "%s: %ld filters (their shape is %s) do not make %ld groups",
            who, (long)wd[0], shape_text(wd, nd, a, sizeof(a)),
            (long)groups);
        return false;
    }
    g->n = xd[0]; g->c = wd[1]; g->f = wd[0] / groups;
    g->cs = xd[1]; g->fs = wd[0];
    g->threads = o.threads;
    npy_intp span[AXES], padded[AXES];
    bool fits = true;
    for (int axis = 0; axis < AXES; ++axis) {
        const int i = axis - first;  // the op's axis, if any
        g->in[axis] = i >= 0 ? xd[2 + i] : 1;
        g->k[axis] = i >= 0 ? wd[2 + i] : 1;
        g->stride[axis] = i >= 0 ? o.stride[i] : 1;
        g->dilation[axis] = i >= 0 ? o.dilation[i] : 1;
        span[axis] = (g->k[axis] - 1) * g->dilation[axis] + 1;
        npy_intp pad[2] = {0, 0};
        for (int side = 0; side < 2 && i >= 0; ++side) {
            const npy_intp p = o.pad[i][side];
            pad[side] = p == -1 ? span[axis] - 1 : p == -2 ? span[axis] / 2
                        : p;
        }
        g->before[axis] = pad[0];
        padded[axis] = g->in[axis] + pad[0] + pad[1];
        fits = fits && g->k[axis] >= 1 && padded[axis] >= span[axis];
        g->out[axis] = fits ? (padded[axis] - span[axis]) / g->stride[axis]
                              + 1 : 0;
    }
    if (!fits) {
        PyErr_Format(PyExc_ValueError,
            "%s: filters of %s (spanning %s with dilation) do not fit in "
            "the input of %s, padded to %s", who,
            size_text(g->k + first, o.convdim, a, sizeof(a)),
            size_text(span + first, o.convdim, b, sizeof(b)),
            size_text(g->in + first, o.convdim, c, sizeof(c)),
            size_text(padded + first, o.convdim, d, sizeof(d)));
        return false;
    }
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

// The output's dims (n, f, out...) for o.convdim axes, all groups.
inline void output_dims(const Shape& g, const Options& o, npy_intp* dims) {
    dims[0] = g.n;
    dims[1] = g.fs;
    for (int i = 0; i < o.convdim; ++i)
        dims[2 + i] = g.out[AXES - o.convdim + i];
}

// Whether top has the output's shape; ValueError if not.
inline bool check_top(const char* who, PyArrayObject* top, const Shape& g,
                      const Options& o) {
    const int nd = 2 + o.convdim;
    npy_intp want[2 + AXES];
    output_dims(g, o, want);
    if (PyArray_NDIM(top) != nd
            || memcmp(PyArray_DIMS(top), want, nd * sizeof(npy_intp))) {
        char a[128], b[128];
        PyErr_Format(PyExc_ValueError,
            "%s: the output gradient has shape %s, but the convolution's "
            "output has shape %s", who,
            shape_text(PyArray_DIMS(top), PyArray_NDIM(top), a, sizeof(a)),
            shape_text(want, nd, b, sizeof(b)));
        return false;
    }
    return true;
}

// The spatial sizes in `shape` (an int64 vector of o.convdim entries)
// after the two leading dims; false with ValueError set if it is not one.
inline bool read_shape(const char* who, PyArrayObject* shape, npy_intp lead0,
                       npy_intp lead1, const Options& o, npy_intp* dims) {
    if (PyArray_NDIM(shape) != 1 || PyArray_DIMS(shape)[0] != o.convdim) {
        PyErr_Format(PyExc_ValueError, "%s: the shape should have %d "
                     "entries", who, o.convdim);
        return false;
    }
    dims[0] = lead0;
    dims[1] = lead1;
    for (int i = 0; i < o.convdim; ++i) {
        dims[2 + i] = (npy_intp)*(npy_int64*)PyArray_GETPTR1(shape, i);
        if (dims[2 + i] < 0) {
            PyErr_Format(PyExc_ValueError, "%s: negative size %ld in the "
                         "shape", who, (long)dims[2 + i]);
            return false;
        }
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
// The three ops, with one signature: (a, b, shape or NULL).  Each returns
// 0, or -1 with a Python error set.

// out (n, f, out...) = correlation of images x (n, c, in...) with filters
// w (f, c, k...).
template <typename T>
int forward(PyArrayObject* x, PyArrayObject* w, PyArrayObject*,
            const Options& o, int typenum, PyArrayObject** out, Scratch* s) {
    Shape g;
    if (!make_shape(o.name, PyArray_DIMS(x), PyArray_DIMS(w), o, &g))
        return -1;
    npy_intp dims[2 + AXES];
    output_dims(g, o, dims);
    if (!prepare_output(out, 2 + o.convdim, dims, typenum)) return -1;
    const npy_intp K = g.K(), P = g.P();
    T* result = (T*)PyArray_DATA(*out);
    if (K == 0 || P == 0 || g.f == 0) {
        memset(result, 0, sizeof(T) * P * g.fs);
        return 0;
    }
    Tap* taps = (Tap*)scratch_get(s, sizeof(Tap) * g.taps()
                                  + sizeof(T) * (K * P + g.f * P + g.f * K));
    if (!taps) return -1;
    T *cols = (T*)(taps + g.taps()), *prod = cols + K * P;
    T *filters = prod + g.f * P;
    make_taps(g, taps);
    PyArrayObject* xc = PyArray_GETCONTIGUOUS(x);
    if (!xc) return -1;
    const T* xd = (const T*)PyArray_DATA(xc);
    for (npy_intp group = 0; group < o.groups; ++group) {
        pack_filters<T>(w, g, o.convdim, o.flip, group * g.f, filters);
        Py_BEGIN_ALLOW_THREADS
        im2col<T>(xd + group * g.c * g.pixels(), g, taps, cols);
        blas::product<T>(false, false, g.f, P, K, filters, K, cols, P, prod,
                         P, g.threads);
        batch_first<T>(prod, g, result + group * g.f * g.positions());
        Py_END_ALLOW_THREADS
    }
    Py_DECREF(xc);
    return 0;
}

// dw (f, c, k...): the gradient of sum(top * forward(x, w)) with respect
// to w, for images x and the output's gradient top (n, f, out...); shape
// gives the filters' spatial sizes.
template <typename T>
int grad_weights(PyArrayObject* x, PyArrayObject* top, PyArrayObject* shape,
                 const Options& o, int typenum, PyArrayObject** dw,
                 Scratch* s) {
    Shape g;
    char who[64];
    snprintf(who, sizeof(who), "%s gradient of the filters", o.name);
    npy_intp wd[2 + AXES];
    if (PyArray_NDIM(top) != 2 + o.convdim) {
        PyErr_Format(PyExc_ValueError, "%s: the output gradient should "
                     "have %d dimensions", who, 2 + o.convdim);
        return -1;
    }
    if (PyArray_DIMS(x)[1] % o.groups) {
        PyErr_Format(PyExc_ValueError, "%s: the input's %ld channels do not "
                     "make %d groups", who, (long)PyArray_DIMS(x)[1],
                     o.groups);
        return -1;
    }
    if (!read_shape(who, shape, PyArray_DIMS(top)[1],
                    PyArray_DIMS(x)[1] / o.groups, o, wd)
            || !make_shape(who, PyArray_DIMS(x), wd, o, &g)
            || !check_top(who, top, g, o))
        return -1;
    if (!prepare_output(dw, 2 + o.convdim, wd, typenum)) return -1;
    const npy_intp K = g.K(), P = g.P();
    T* result = (T*)PyArray_DATA(*dw);
    if (K == 0 || P == 0 || g.f == 0) {
        memset(result, 0, sizeof(T) * K * g.fs);
        return 0;
    }
    const npy_intp room = K * P + g.f * P
                          + (1 + blas::INNER_PARTS) * g.f * K;
    Tap* taps = (Tap*)scratch_get(s, sizeof(Tap) * g.taps()
                                  + sizeof(T) * room);
    if (!taps) return -1;
    T *cols = (T*)(taps + g.taps()), *tmat = cols + K * P;
    T *prod = tmat + g.f * P, *partials = prod + g.f * K;
    make_taps(g, taps);
    PyArrayObject* xc = PyArray_GETCONTIGUOUS(x);
    if (!xc) return -1;
    PyArrayObject* tc = PyArray_GETCONTIGUOUS(top);
    if (!tc) { Py_DECREF(xc); return -1; }
    const T* xd = (const T*)PyArray_DATA(xc);
    const T* td = (const T*)PyArray_DATA(tc);
    Py_BEGIN_ALLOW_THREADS
    for (npy_intp group = 0; group < o.groups; ++group) {
        im2col<T>(xd + group * g.c * g.pixels(), g, taps, cols);
        batch_last<T>(td + group * g.f * g.positions(), g, tmat);
        blas::product<T>(false, true, g.f, K, P, tmat, P, cols, P, prod, K,
                         g.threads, partials);
        unpack_filters<T>(prod, g, o.flip, result + group * g.f * K);
    }
    Py_END_ALLOW_THREADS
    Py_DECREF(xc);
    Py_DECREF(tc);
    return 0;
}

// dx (n, c, in...): the gradient of sum(top * forward(x, w)) with respect
// to x, for the filters w and the output's gradient top; shape gives the
// images' spatial sizes.
template <typename T>
int grad_inputs(PyArrayObject* w, PyArrayObject* top, PyArrayObject* shape,
                const Options& o, int typenum, PyArrayObject** dx,
                Scratch* s) {
    Shape g;
    char who[64];
    snprintf(who, sizeof(who), "%s gradient of the input", o.name);
    npy_intp xd[2 + AXES];
    if (PyArray_NDIM(top) != 2 + o.convdim) {
        PyErr_Format(PyExc_ValueError, "%s: the output gradient should "
                     "have %d dimensions", who, 2 + o.convdim);
        return -1;
    }
    if (!read_shape(who, shape, PyArray_DIMS(top)[0],
                    PyArray_DIMS(w)[1] * o.groups, o, xd)
            || !make_shape(who, xd, PyArray_DIMS(w), o, &g)
            || !check_top(who, top, g, o))
        return -1;
    if (!prepare_output(dx, 2 + o.convdim, xd, typenum)) return -1;
    const npy_intp K = g.K(), P = g.P();
    T* result = (T*)PyArray_DATA(*dx);
    if (K == 0 || P == 0 || g.f == 0) {
        memset(result, 0, sizeof(T) * g.n * g.cs * g.pixels());
        return 0;
    }
    Tap* taps = (Tap*)scratch_get(s, sizeof(Tap) * g.taps()
                                  + sizeof(T) * (K * P + g.f * P + g.f * K));
    if (!taps) return -1;
    T *cols = (T*)(taps + g.taps()), *tmat = cols + K * P;
    T *filters = tmat + g.f * P;
    make_taps(g, taps);
    PyArrayObject* tc = PyArray_GETCONTIGUOUS(top);
    if (!tc) return -1;
    const T* td = (const T*)PyArray_DATA(tc);
    for (npy_intp group = 0; group < o.groups; ++group) {
        pack_filters<T>(w, g, o.convdim, o.flip, group * g.f, filters);
        Py_BEGIN_ALLOW_THREADS
        batch_last<T>(td + group * g.f * g.positions(), g, tmat);
        blas::product<T>(true, false, K, P, g.f, filters, K, tmat, P, cols,
                         P, g.threads);
        col2im<T>(cols, g, taps, result + group * g.c * g.pixels());
        Py_END_ALLOW_THREADS
    }
    Py_DECREF(tc);
    return 0;
}

}  // namespace corr

#section support_code_struct

corr::Scratch APPLY_SPECIFIC(scratch);

#section init_code_struct

corr::scratch_init(&APPLY_SPECIFIC(scratch));

#section cleanup_code_struct

corr::scratch_free(&APPLY_SPECIFIC(scratch));

#section code

// CORR_FUNCTION (forward, grad_weights or grad_inputs) and CORR_SHAPE
// (the third input, or NULL) come from the op; the rest from its params,
// so that ops of every shape and number of axes share one module.
{
    corr::Options options;
    options.convdim = PARAMS->convdim;
#define CORR_AXIS(i) \
    options.pad[i][0] = PARAMS->pad_before_##i; \
    options.pad[i][1] = PARAMS->pad_after_##i; \
    options.stride[i] = PARAMS->stride_##i; \
    options.dilation[i] = PARAMS->dilation_##i;
    CORR_AXIS(0) CORR_AXIS(1) CORR_AXIS(2)
#undef CORR_AXIS
    options.flip = PARAMS->flip;
    options.groups = PARAMS->groups;
    options.threads = PARAMS->threads;
    static const char* const names[4] = {"conv", "conv1d", "conv2d",
                                         "conv3d"};
    options.name = names[options.convdim & 3];
    if (corr::CORR_FUNCTION<DTYPE_OUTPUT_0>(
            INPUT_0, INPUT_1, CORR_SHAPE, options, TYPENUM_OUTPUT_0,
            &OUTPUT_0, &APPLY_SPECIFIC(scratch)) != 0) {
        FAIL
    }
}
