#section support_code

// The C++ side of theano_compat.tensor.nnet.abstract_conv: the correlation
// of a minibatch with a stack of filters over 1, 2 or 3 spatial axes, and
// its two gradients, each as an unrolling of image patches into a matrix
// ("im2col") and one matrix product (engine/gemm.cpp) for the whole
// minibatch.  The classes of abstract_conv.py load this file after
// engine/parallel_for.cpp, engine/arrays.cpp and engine/gemm.cpp; the
// `code` section at the end calls forward(), grad_weights() or
// grad_inputs().
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
    npy_intp pool[AXES];      // max pooling's windows (conv_pool.py's
                              // ops); 0 for the plain convolution
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
// Max pooling of the output, for the ops that take a convolution and its
// max pooling as one (conv_pool.py, beside this file).  The windows tile
// the output (stride = window, no padding; positions past the last whole
// window are left out, as pool_2d's ignore_border=True) and hold at most
// MAX_WINDOW positions, so that one byte, a window's "switches", marks
// the positions equal to its maximum: bit e for the window's e-th
// position in C order (every one of them at a tie: where MaxPoolGrad
// sends the gradient).  The pooled output's gradient is spread back
// ("unpooled") through the switches one image at a time, where the
// gradient convolutions read it.

const npy_intp MAX_WINDOW = 8;

struct Pooling {
    bool on;
    npy_intp ws[AXES];    // the window (1 on the axes the op lacks)
    npy_intp out[AXES];   // the pooled sizes
    bool whole;           // the windows cover the whole output
    npy_intp size() const { return out[0] * out[1] * out[2]; }
};

inline void make_pooling(const Options& o, const Shape& g, Pooling* pl) {
    const int first = AXES - o.convdim;
    pl->on = o.pool[0] > 0;
    pl->whole = true;
    for (int a = 0; a < AXES; ++a) {
        pl->ws[a] = pl->on && a >= first ? o.pool[a - first] : 1;
        pl->out[a] = g.out[a] / pl->ws[a];
        pl->whole = pl->whole && pl->out[a] * pl->ws[a] == g.out[a];
    }
}

// pooled and switches (f planes of pl.out) of one image's output `conv`
// (f planes of g.out).  The maximum as pool.cpp takes it, each time
// keeping the new value only where it is greater (which decides where a
// NaN is kept): where the windows tile the output exactly, the window's
// rows element by element, then its columns; else its positions in C
// order.
template <typename T>
void pool_image(const T* conv, const Shape& g, const Pooling& pl, T* pooled,
                npy_uint8* switches) {
    const npy_intp h = g.out[1], w = g.out[2], Q = g.positions();
    const npy_intp wz = pl.ws[0], wy = pl.ws[1], wx = pl.ws[2];
    for (npy_intp f = 0; f < g.f; ++f)
    for (npy_intp pz = 0; pz < pl.out[0]; ++pz)
    for (npy_intp py = 0; py < pl.out[1]; ++py)
    for (npy_intp px = 0; px < pl.out[2]; ++px) {
        const T* base = conv + f * Q + (pz * wz * h + py * wy) * w + px * wx;
        T value = base[0];
        if (!pl.whole) {
            for (npy_intp i = 0; i < wz; ++i)
                for (npy_intp j = 0; j < wy; ++j)
                    for (npy_intp l = 0; l < wx; ++l) {
                        const T next = base[(i * h + j) * w + l];
                        value = next > value ? next : value;
                    }
        }
        for (npy_intp l = 0; pl.whole && l < wx; ++l) {
            T column = base[l];
            for (npy_intp i = 0; i < wz; ++i)
                for (npy_intp j = 0; j < wy; ++j) {
                    const T next = base[(i * h + j) * w + l];
                    column = next > column ? next : column;
                }
            value = l == 0 || column > value ? column : value;
        }
        unsigned bits = 0, e = 0;
        for (npy_intp i = 0; i < wz; ++i)
            for (npy_intp j = 0; j < wy; ++j)
                for (npy_intp l = 0; l < wx; ++l, ++e)
                    bits |= (unsigned)(base[(i * h + j) * w + l] == value)
                            << e;
        const npy_intp at = f * pl.size() + (pz * pl.out[1] + py) * pl.out[2]
                            + px;
        pooled[at] = value;
        switches[at] = (npy_uint8)bits;
    }
}

// The gradient of one image's output (f planes of g.out) from the pooled
// output's (top, f planes of pl.out): each window's value at its switched
// positions, zero elsewhere; as MaxPoolGrad gives it (which adds the
// value to zero where the windows leave positions out: a zero's sign).
template <typename T>
void unpool_image(const T* top, const npy_uint8* switches, const Shape& g,
                  const Pooling& pl, T* grad) {
    const npy_intp h = g.out[1], w = g.out[2], Q = g.positions();
    const npy_intp wz = pl.ws[0], wy = pl.ws[1], wx = pl.ws[2];
    if (!pl.whole) memset(grad, 0, sizeof(T) * g.f * Q);
    for (npy_intp f = 0; f < g.f; ++f)
    for (npy_intp pz = 0; pz < pl.out[0]; ++pz)
    for (npy_intp py = 0; py < pl.out[1]; ++py)
    for (npy_intp px = 0; px < pl.out[2]; ++px) {
        const npy_intp at = f * pl.size() + (pz * pl.out[1] + py) * pl.out[2]
                            + px;
        const T value = pl.whole ? top[at] : (T)0 + top[at];
        const unsigned bits = switches[at];
        T* base = grad + f * Q + (pz * wz * h + py * wy) * w + px * wx;
        unsigned e = 0;
        for (npy_intp i = 0; i < wz; ++i)
            for (npy_intp j = 0; j < wy; ++j)
                for (npy_intp l = 0; l < wx; ++l, ++e)
                    base[(i * h + j) * w + l] = (bits >> e) & 1 ? value
                                                                : (T)0;
    }
}

// ---------------------------------------------------------------------------
// float32 in blocks (where engine/gemm.cpp has its micro-kernel: AVX2 and
// FMA).  The patches are never unrolled for the whole minibatch: each
// product is cut into tiles of blas::kernel_5x16, whose operands are
// packed from the images as they are needed, a few kilobytes at a time,
// and used while they are in the first-level cache.
//
// Chunks.  An image's output positions are taken row by row (a row: the
// positions (z, y, *)), each row in chunks of up to 8 consecutive
// positions: one vector.  A chunk's pixels for one filter tap are 8
// pixels of one image row, `stride` apart (consecutive for stride 1), so
// that packing is a vector load per tap.  Zero padding is made real: an
// image with padding is first copied into a zeroed, padded one (per
// thread), so that every tap of every position reads inside it.
//
// The three products, for one image (n) or a few:
//
//   forward       out (f x positions) = filters (f x K) . cols (K x positions)
//                 tiles of 5 filters x 2 chunks (a panel, see Panels); cols
//                 packed a panel at a time (K x 16: each tap's 16 pixels);
//                 a pooled output pooled from the tile
//   grad_inputs   dcols (K x positions) = filters^T (K x f) . top (f x positions)
//                 tiles of 5 taps x 2 chunks over the f filters, each added
//                 into the image's gradient (col2im) as soon as it is made
//   grad_weights  dw (f x K) += top (f x positions) . cols^T (positions x K)
//                 tiles of 5 filters x 16 taps over the positions of a
//                 slice of chunks; the slice's top is packed 5 filters at
//                 a time, its cols 16 taps at a time (8 x 8 transposes);
//                 with few taps (K <= LANE_TAPS), lane by lane instead
//                 (grad_weights_lanes)
//
// Every output entry is summed in an order fixed by the shapes alone.  The
// filters' gradient, a sum over the whole minibatch, is summed in PARTS
// fixed runs of images, each into its own partial sum, then the partial
// sums in order: the results are the same on any number of threads.

#ifdef THEANO_COMPAT_SKERNEL

namespace fast {

using blas::MR;
using blas::NR;

const npy_intp LANES = 8;     // positions per chunk: one vector
const npy_intp KC = 256;      // the forward product's inner blocks (L1)
const npy_intp SLICE = 32;    // chunks of the filters' gradient per tile
const npy_intp PARTS = 8;     // runs of images of the filters' gradient

// The first n of 8 lanes.
inline __m256i lane_mask(npy_intp n) {
    static const int bits[16] = {-1, -1, -1, -1, -1, -1, -1, -1,
                                 0, 0, 0, 0, 0, 0, 0, 0};
    return _mm256_loadu_si256((const __m256i*)(bits + LANES - n));
}

// n <= 8 floats from s, `stride` apart; zeros in the other lanes.
inline __m256 load_run(const float* s, npy_intp n, npy_intp stride) {
    if (stride == 1)
        return n == LANES ? _mm256_loadu_ps(s)
                          : _mm256_maskload_ps(s, lane_mask(n));
    float t[LANES] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (npy_intp i = 0; i < n; ++i) t[i] = s[i * stride];
    return _mm256_loadu_ps(t);
}

// d[i * stride] = v[i], or += v[i], for the first n lanes.
inline void store_run(float* d, __m256 v, npy_intp n, npy_intp stride) {
    if (stride == 1 && n == LANES) {
        _mm256_storeu_ps(d, v);
        return;
    }
    float t[LANES];
    _mm256_storeu_ps(t, v);
    for (npy_intp i = 0; i < n; ++i) d[i * stride] = t[i];
}

inline void add_run(float* d, __m256 v, npy_intp n, npy_intp stride) {
    if (stride == 1 && n == LANES) {
        _mm256_storeu_ps(d, _mm256_add_ps(_mm256_loadu_ps(d), v));
        return;
    }
    float t[LANES];
    _mm256_storeu_ps(t, v);
    for (npy_intp i = 0; i < n; ++i) d[i * stride] += t[i];
}

// 64-byte aligned float buffers of a thread, freed with it.
struct Buffer {
    float* p;
    explicit Buffer(npy_intp n) {
        const size_t bytes = ((size_t)(n > 0 ? n : 1) * 4 + 63) / 64 * 64;
        p = (float*)aligned_alloc(64, bytes);
    }
    ~Buffer() { free(p); }
};

// Where everything is, for one call: the padded image, the taps, the
// chunks.
struct Grid {
    npy_intp pin[AXES], prow, pplane, ppixels;  // the padded image
    bool pad;             // the images must be copied into padded ones
    npy_intp sx;          // stride along the last axis
    npy_intp rows, per_row, chunks, panels;
    npy_intp K, F;
    npy_intp groups;      // filter groups of MR: ceil(F / MR)
    npy_intp* koff;       // K: tap k's first pixel in the padded image
    npy_intp* kcol2im;    // K: the taps in col2im's order (see grad_inputs)
    npy_intp* cin;        // chunks: its first pixel, at tap 0
    npy_intp* cout;       // chunks: its first position in an output plane
    npy_intp* clen;       // chunks: its positions (1 to 8)
    npy_intp* memory;

    Grid() : memory(NULL) {}
    ~Grid() { free(memory); }

    // False if memory runs out.
    bool make(const Shape& g) {
        pad = false;
        for (int a = 0; a < AXES; ++a) {
            const npy_intp reach = (g.out[a] - 1) * g.stride[a]
                                   + (g.k[a] - 1) * g.dilation[a] + 1;
            pin[a] = g.before[a] + g.in[a];
            if (reach > pin[a]) pin[a] = reach;
            pad = pad || pin[a] != g.in[a];
        }
        prow = pin[2];
        pplane = pin[1] * pin[2];
        ppixels = pin[0] * pplane;
        sx = g.stride[2];
        rows = g.out[0] * g.out[1];
        per_row = (g.out[2] + LANES - 1) / LANES;
        chunks = rows * per_row;
        panels = (chunks + 1) / 2;
        K = g.K();
        F = g.f;
        groups = (F + MR - 1) / MR;
        memory = (npy_intp*)malloc(sizeof(npy_intp) * (2 * K + 3 * chunks + 1));
        if (!memory) return false;
        koff = memory;
        kcol2im = koff + K;
        cin = kcol2im + K;
        cout = cin + chunks;
        clen = cout + chunks;
        const npy_intp taps = g.taps();
        npy_intp* order = kcol2im;
        for (npy_intp l = 0; l < g.k[2]; ++l)
            for (npy_intp ch = 0; ch < g.c; ++ch)
                for (npy_intp ij = 0; ij < g.k[0] * g.k[1]; ++ij)
                    *order++ = ch * taps + ij * g.k[2] + l;
        for (npy_intp ch = 0, k = 0; ch < g.c; ++ch)
            for (npy_intp i = 0; i < g.k[0]; ++i)
                for (npy_intp j = 0; j < g.k[1]; ++j)
                    for (npy_intp l = 0; l < g.k[2]; ++l, ++k)
                        koff[k] = ch * ppixels + i * g.dilation[0] * pplane
                                  + j * g.dilation[1] * prow
                                  + l * g.dilation[2];
        for (npy_intp c = 0; c < chunks; ++c) {
            const npy_intp r = c / per_row, x0 = (c % per_row) * LANES;
            const npy_intp z = r / g.out[1], y = r % g.out[1];
            cin[c] = z * g.stride[0] * pplane + y * g.stride[1] * prow
                     + x0 * sx;
            cout[c] = r * g.out[2] + x0;
            clen[c] = g.out[2] - x0 < LANES ? g.out[2] - x0 : LANES;
        }
        return true;
    }
};

// Image n of x (c channels) as the padded image: into `padded` (zeroed
// before its first use; the border stays zero) if the grid pads, else x's
// own.
inline const float* padded_image(const float* x, const Shape& g,
                                 const Grid& q, npy_intp n, float* padded) {
    const float* image = x + n * g.c * g.pixels();
    if (!q.pad) return image;
    for (npy_intp ch = 0; ch < g.c; ++ch)
        for (npy_intp z = 0; z < g.in[0]; ++z)
            for (npy_intp y = 0; y < g.in[1]; ++y)
                memcpy(padded + ch * q.ppixels + (z + g.before[0]) * q.pplane
                       + (y + g.before[1]) * q.prow + g.before[2],
                       image + (ch * g.in[0] + z) * g.in[1] * g.in[2]
                       + y * g.in[2],
                       sizeof(float) * g.in[2]);
    return padded;
}

// Zeroed memory for one padded image (NULL if the grid does not pad or
// memory runs out; `failed` tells which).
struct PaddedImage {
    Buffer buffer;
    bool failed;
    PaddedImage(const Shape& g, const Grid& q, npy_intp images = 1)
        : buffer(q.pad ? images * g.c * q.ppixels : 1) {
        failed = !buffer.p;
        if (!failed && q.pad)
            memset(buffer.p, 0, sizeof(float) * images * g.c * q.ppixels);
    }
};

// The filters' matrix (f x K) as groups of MR filters, step by step:
// out[(group * K + k) * MR + row] (zero past the last filter).
inline void pack_filter_groups(const float* filters, const Grid& q,
                               float* out) {
    for (npy_intp gi = 0; gi < q.groups; ++gi)
        for (npy_intp k = 0; k < q.K; ++k)
            for (npy_intp r = 0; r < MR; ++r) {
                const npy_intp f = gi * MR + r;
                out[(gi * q.K + k) * MR + r] = f < q.F ? filters[f * q.K + k]
                                                       : 0.f;
            }
}

// The filters' transpose (K x f) as groups of MR taps, filter by filter,
// the taps in the order of q.kcol2im: out[(group * F + f) * MR + row]
// holds tap kcol2im[group * MR + row] (zero past the last tap).
inline void pack_tap_groups(const float* filters, const Grid& q,
                            npy_intp tap_groups, float* out) {
    for (npy_intp gk = 0; gk < tap_groups; ++gk)
        for (npy_intp f = 0; f < q.F; ++f)
            for (npy_intp r = 0; r < MR; ++r) {
                const npy_intp i = gk * MR + r;
                out[(gk * q.F + f) * MR + r] =
                    i < q.K ? filters[f * q.K + q.kcol2im[i]] : 0.f;
            }
}

// Max pooling in windows of 1 x 2 x 2 (pool_2d's ws=(2, 2)), eight
// output positions (four windows) a vector, with the same maxima and
// switches as pool_image where they tile the output (pool_pairs is
// called only then): for a window (a b / c d), its columns
// max(c, a) and max(d, b), then max(right, left), where max(new, old)
// keeps the new value only where it is greater (vmaxps's rule: the old
// at a tie, at a NaN); the switches mark the positions == the maximum.
inline bool pairs(const Pooling& pl) {
    return pl.on && pl.ws[0] == 1 && pl.ws[1] == 2 && pl.ws[2] == 2;
}

// Four windows: a and b, the two rows of their 8 positions.
inline void pool4(__m256 a, __m256 b, float* value, npy_uint8* bits) {
    const __m256 col = _mm256_max_ps(b, a);
    const __m256 left = _mm256_shuffle_ps(col, col, 0x88);
    const __m256 right = _mm256_shuffle_ps(col, col, 0xDD);
    const __m256 m = _mm256_max_ps(right, left);  // v0 v1 v0 v1 | v2 v3 ..
    _mm_storeu_ps(value, _mm_movelh_ps(_mm256_castps256_ps128(m),
                                       _mm256_extractf128_ps(m, 1)));
    const __m256 both = _mm256_unpacklo_ps(m, m);  // v0 v0 v1 v1 | v2 v2 ..
    const unsigned e0 = (unsigned)_mm256_movemask_ps(
        _mm256_cmp_ps(a, both, _CMP_EQ_OQ));
    const unsigned e1 = (unsigned)_mm256_movemask_ps(
        _mm256_cmp_ps(b, both, _CMP_EQ_OQ));
    for (int k = 0; k < 4; ++k)
        bits[k] = (npy_uint8)(((e0 >> 2 * k) & 3) | ((e1 >> 2 * k) & 3) << 2);
}

// `windows` windows one at a time: r0 and r1, their two rows.
inline void pool_scalar(const float* r0, const float* r1, npy_intp windows,
                        float* value, npy_uint8* bits) {
    for (npy_intp px = 0; px < windows; ++px) {
        const float a = r0[2 * px], b = r0[2 * px + 1];
        const float c = r1[2 * px], d = r1[2 * px + 1];
        const float left = c > a ? c : a, right = d > b ? d : b;
        const float m = right > left ? right : left;
        value[px] = m;
        bits[px] = (npy_uint8)((a == m) | (b == m) << 1 | (c == m) << 2
                               | (d == m) << 3);
    }
}

inline void pool_pairs(const float* conv, const Shape& g, const Pooling& pl,
                       float* pooled, npy_uint8* switches) {
    const npy_intp w = g.out[2], planes = g.f * g.out[0];
    const npy_intp ph = pl.out[1], pw = pl.out[2], quads = pw / 4;
    for (npy_intp plane = 0; plane < planes; ++plane)
    for (npy_intp py = 0; py < ph; ++py) {
        const float* r0 = conv + (plane * g.out[1] + 2 * py) * w;
        const float* r1 = r0 + w;
        float* value = pooled + (plane * ph + py) * pw;
        npy_uint8* bits = switches + (plane * ph + py) * pw;
        for (npy_intp q = 0; q < quads; ++q)
            pool4(_mm256_loadu_ps(r0 + 8 * q), _mm256_loadu_ps(r1 + 8 * q),
                  value + 4 * q, bits + 4 * q);
        pool_scalar(r0 + 8 * quads, r1 + 8 * quads, pw - 4 * quads,
                    value + 4 * quads, bits + 4 * quads);
    }
}

// The gradient of four windows' 8 positions, rows r0 and r1, from the
// pooled gradient `value` through the switches `bits` (`whole`: as
// unpool_image's pl.whole).
inline void unpool4(const float* value, const npy_uint8* bits, bool whole,
                    __m256* r0, __m256* r1) {
    const __m256i low = _mm256_setr_epi32(1, 2, 1, 2, 1, 2, 1, 2);
    const __m256i high = _mm256_setr_epi32(4, 8, 4, 8, 4, 8, 4, 8);
    __m128 t = _mm_loadu_ps(value);
    if (!whole) t = _mm_add_ps(_mm_setzero_ps(), t);
    const __m256 both = _mm256_set_m128(_mm_unpackhi_ps(t, t),
                                        _mm_unpacklo_ps(t, t));
    int four;
    memcpy(&four, bits, 4);
    const __m128i b8 = _mm_cvtsi32_si128(four);
    const __m256i b = _mm256_cvtepu8_epi32(_mm_unpacklo_epi8(b8, b8));
    *r0 = _mm256_and_ps(both, _mm256_castsi256_ps(_mm256_cmpeq_epi32(
        _mm256_and_si256(b, low), low)));
    *r1 = _mm256_and_ps(both, _mm256_castsi256_ps(_mm256_cmpeq_epi32(
        _mm256_and_si256(b, high), high)));
}

inline void unpool_scalar(const float* value, const npy_uint8* bits,
                          npy_intp windows, bool whole, float* r0,
                          float* r1) {
    for (npy_intp px = 0; px < windows; ++px) {
        const float v = whole ? value[px] : 0.f + value[px];
        const unsigned e = bits[px];
        r0[2 * px] = e & 1 ? v : 0.f;
        r0[2 * px + 1] = e & 2 ? v : 0.f;
        r1[2 * px] = e & 4 ? v : 0.f;
        r1[2 * px + 1] = e & 8 ? v : 0.f;
    }
}

// The gradient of one image's output from the pooled output's through
// switches of 1 x 2 x 2 windows, four windows a vector, as unpool_image
// gives it.
inline void unpool_pairs(const float* top, const npy_uint8* switches,
                         const Shape& g, const Pooling& pl, float* grad) {
    const npy_intp w = g.out[2], planes = g.f * g.out[0];
    const npy_intp ph = pl.out[1], pw = pl.out[2], quads = pw / 4;
    if (!pl.whole) memset(grad, 0, sizeof(float) * g.f * g.positions());
    for (npy_intp plane = 0; plane < planes; ++plane)
    for (npy_intp py = 0; py < ph; ++py) {
        float* r0 = grad + (plane * g.out[1] + 2 * py) * w;
        float* r1 = r0 + w;
        const float* value = top + (plane * ph + py) * pw;
        const npy_uint8* bits = switches + (plane * ph + py) * pw;
        for (npy_intp q = 0; q < quads; ++q) {
            __m256 v0, v1;
            unpool4(value + 4 * q, bits + 4 * q, pl.whole, &v0, &v1);
            _mm256_storeu_ps(r0 + 8 * q, v0);
            _mm256_storeu_ps(r1 + 8 * q, v1);
        }
        unpool_scalar(value + 4 * quads, bits + 4 * quads, pw - 4 * quads,
                      pl.whole, r0 + 8 * quads, r1 + 8 * quads);
    }
}

// The panels of forward() and grad_inputs(): pairs of chunks.  Where the
// output's rows come in pairs (an even number of them), the chunks at the
// same place of two rows 2y and 2y + 1; else in order (chunks 2p and
// 2p + 1).  The order is the shape's alone (grad_inputs' sums follow it),
// so that a pooled call sums as the plain one.  Where the output is max
// pooled in 1 x 2 x 2 windows that tile it, a panel then holds whole
// windows ("by windows"), pooled (forward) or unpooled (grad_inputs) in
// its tile, and the output at full size never goes to memory.
struct Panels {
    bool windows;
    npy_intp count;
    npy_intp *c0, *c1;    // the chunks (c1: -1 for none)
    npy_intp* at;         // by windows: the first window's place in a
                          // pooled plane
    Panels() : c0(NULL) {}
    ~Panels() { free(c0); }

    bool make(const Shape& g, const Pooling& pl, npy_intp chunks,
              npy_intp per_row) {
        const bool rows = g.out[1] % 2 == 0;
        windows = rows && pairs(pl) && pl.whole;
        count = rows ? chunks / 2 : (chunks + 1) / 2;
        c0 = (npy_intp*)malloc(sizeof(npy_intp) * (3 * count + 1));
        if (!c0) return false;
        c1 = c0 + count;
        at = c1 + count;
        npy_intp p = 0;
        if (rows) {
            for (npy_intp z = 0; z < g.out[0]; ++z)
                for (npy_intp y = 0; y < g.out[1]; y += 2)
                    for (npy_intp xc = 0; xc < per_row; ++xc, ++p) {
                        c0[p] = (z * g.out[1] + y) * per_row + xc;
                        c1[p] = c0[p] + per_row;
                        at[p] = windows ? (z * pl.out[1] + y / 2) * pl.out[2]
                                          + xc * LANES / 2 : 0;
                    }
        } else {
            for (; p < count; ++p) {
                c0[p] = 2 * p;
                c1[p] = 2 * p + 1 < chunks ? 2 * p + 1 : -1;
                at[p] = 0;
            }
        }
        return true;
    }
};

// pool_image and unpool_image, in vectors where the windows are 1 x 2 x 2
// (and, for the maxima, tile the output).
inline void pool_float(const float* conv, const Shape& g, const Pooling& pl,
                       float* pooled, npy_uint8* switches) {
    if (pairs(pl) && pl.whole) pool_pairs(conv, g, pl, pooled, switches);
    else pool_image<float>(conv, g, pl, pooled, switches);
}

inline void unpool_float(const float* top, const npy_uint8* switches,
                         const Shape& g, const Pooling& pl, float* grad) {
    if (pairs(pl)) unpool_pairs(top, switches, g, pl, grad);
    else unpool_image<float>(top, switches, g, pl, grad);
}

inline bool failed(bool* flag) {
    __atomic_store_n(flag, true, __ATOMIC_RELAXED);
    return true;
}

// out (n, f, positions) from x (n, c, pixels) and the f x K filters.
// False if memory runs out.
// With pooling (pl.on), out is the pooled output, and the switches go to
// `switches`: each image's output is made in a buffer of the thread's and
// pooled from there.
inline bool forward(const float* x, const float* filters, const Shape& g,
                    float* out, const Pooling& pl, npy_uint8* switches) {
    Grid q;
    if (!q.make(g)) return false;
    Buffer packed(q.groups * q.K * MR);
    if (!packed.p) return false;
    pack_filter_groups(filters, q, packed.p);
    const float* a = packed.p;
    const npy_intp Q = g.positions(), K = q.K;
    bool no_memory = false;
    Panels panels;
    if (!panels.make(g, pl, q.chunks, q.per_row)) return false;
    const npy_intp pooled = g.f * pl.size();
    parallel::parallel_for(g.n, g.f * K * Q, g.threads,
        [&](parallel::index_t begin, parallel::index_t end) {
            Buffer panel(K * NR), tile(q.groups * MR * NR);
            Buffer whole(pl.on && !panels.windows ? g.f * Q : 1);
            PaddedImage padded(g, q);
            if (!panel.p || !tile.p || !whole.p || padded.failed) {
                failed(&no_memory);
                return;
            }
            float* b = panel.p;
            float* c = tile.p;
            for (npy_intp n = begin; n < end; ++n) {
                const float* image = padded_image(x, g, q, n, padded.buffer.p);
                float* o = pl.on ? whole.p : out + n * g.f * Q;
                for (npy_intp p = 0; p < panels.count; ++p) {
                    const npy_intp c0 = panels.c0[p], c1 = panels.c1[p];
                    const npy_intp n0 = q.clen[c0];
                    const npy_intp n1 = c1 >= 0 ? q.clen[c1] : 0;
                    const float* s0 = image + q.cin[c0];
                    const float* s1 = image + (n1 ? q.cin[c1] : 0);
                    for (npy_intp k = 0; k < K; ++k) {
                        _mm256_storeu_ps(b + k * NR,
                                         load_run(s0 + q.koff[k], n0, q.sx));
                        _mm256_storeu_ps(b + k * NR + LANES,
                                         n1 ? load_run(s1 + q.koff[k], n1, q.sx)
                                            : _mm256_setzero_ps());
                    }
                    for (npy_intp k0 = 0; k0 < K; k0 += KC) {
                        const npy_intp kc = K - k0 < KC ? K - k0 : KC;
                        for (npy_intp gi = 0; gi < q.groups; ++gi)
                            blas::kernel_5x16(kc, a + (gi * K + k0) * MR,
                                              b + k0 * NR, c + gi * MR * NR,
                                              NR, k0 > 0);
                    }
                    if (panels.windows) {
                        // the tile's rows: 8 positions of each of the
                        // windows' two rows, for each filter
                        const npy_intp at = n * pooled + panels.at[p];
                        const npy_intp count = n0 / 2;
                        for (npy_intp f = 0; f < g.f; ++f) {
                            const float* t = c + f * NR;
                            float* value = out + at + f * pl.size();
                            npy_uint8* bits = switches + at + f * pl.size();
                            if (count == 4)
                                pool4(_mm256_loadu_ps(t),
                                      _mm256_loadu_ps(t + LANES), value, bits);
                            else
                                pool_scalar(t, t + LANES, count, value, bits);
                        }
                        continue;
                    }
                    for (npy_intp f = 0; f < g.f; ++f) {
                        float* plane = o + f * Q;
                        store_run(plane + q.cout[c0],
                                  _mm256_loadu_ps(c + f * NR), n0, 1);
                        if (n1)
                            store_run(plane + q.cout[c1],
                                      _mm256_loadu_ps(c + f * NR + LANES),
                                      n1, 1);
                    }
                }
                if (pl.on && !panels.windows)
                    pool_float(o, g, pl, out + n * pooled,
                               switches + n * pooled);
            }
        });
    return !no_memory;
}

// dx (n, c, pixels) from the f x K filters and top (n, f, positions).
// Each panel's dcols is made MR taps at a time, the taps in the order of
// q.kcol2im (their last index first), and each tile of MR taps added into
// the padded image's gradient as soon as it is made, tap by tap, one
// chunk after the other: consecutive additions then write different rows,
// not overlapping parts of one row (whose loads would wait for the stores
// before them), and the row a tap's neighbour along the last axis wrote
// is written again only tiles later, when its stores are done.
// With pooling (pl.on), top is the pooled output's gradient, unpooled
// through `switches` one image at a time into a buffer of the thread's.
inline bool grad_inputs(const float* filters, const float* top,
                        const Shape& g, float* dx, const Pooling& pl,
                        const npy_uint8* switches) {
    Grid q;
    if (!q.make(g)) return false;
    const npy_intp K = q.K, F = q.F, Q = g.positions();
    const npy_intp tap_groups = (K + MR - 1) / MR;
    Buffer packed(tap_groups * F * MR);
    if (!packed.p) return false;
    pack_tap_groups(filters, q, tap_groups, packed.p);
    const float* a = packed.p;
    const npy_intp pixels = g.c * g.pixels();
    bool no_memory = false;
    Panels panels;
    if (!panels.make(g, pl, q.chunks, q.per_row)) return false;
    parallel::parallel_for(g.n, F * K * Q, g.threads,
        [&](parallel::index_t begin, parallel::index_t end) {
            Buffer panel(F * NR), tile(MR * NR);
            Buffer padded(q.pad ? g.c * q.ppixels : 1);
            Buffer unpooled(pl.on && !panels.windows ? F * Q : 1);
            if (!panel.p || !tile.p || !padded.p || !unpooled.p) {
                failed(&no_memory);
                return;
            }
            float* b = panel.p;
            float* d = tile.p;
            for (npy_intp n = begin; n < end; ++n) {
                float* grad = q.pad ? padded.p : dx + n * pixels;
                memset(grad, 0, sizeof(float)
                       * (q.pad ? g.c * q.ppixels : pixels));
                const float* t = top + n * F * Q;
                if (pl.on && !panels.windows) {
                    unpool_float(top + n * F * pl.size(),
                                        switches + n * F * pl.size(), g, pl,
                                        unpooled.p);
                    t = unpooled.p;
                }
                for (npy_intp p = 0; p < panels.count; ++p) {
                    const npy_intp c0 = panels.c0[p], c1 = panels.c1[p];
                    const npy_intp n0 = q.clen[c0];
                    const npy_intp n1 = c1 >= 0 ? q.clen[c1] : 0;
                    if (panels.windows) {
                        // each filter's 8 positions of the windows' two
                        // rows, unpooled from the pooled gradient
                        const npy_intp at = n * F * pl.size() + panels.at[p];
                        const npy_intp count = n0 / 2;
                        for (npy_intp f = 0; f < F; ++f) {
                            const float* value = top + at + f * pl.size();
                            const npy_uint8* bits = switches + at
                                                    + f * pl.size();
                            float* row = b + f * NR;
                            if (count == 4) {
                                __m256 r0, r1;
                                unpool4(value, bits, true, &r0, &r1);
                                _mm256_storeu_ps(row, r0);
                                _mm256_storeu_ps(row + LANES, r1);
                            } else {
                                _mm256_storeu_ps(row, _mm256_setzero_ps());
                                _mm256_storeu_ps(row + LANES,
                                                 _mm256_setzero_ps());
                                unpool_scalar(value, bits, count, true, row,
                                              row + LANES);
                            }
                        }
                    } else {
                        for (npy_intp f = 0; f < F; ++f) {
                            const float* plane = t + f * Q;
                            _mm256_storeu_ps(b + f * NR,
                                             load_run(plane + q.cout[c0], n0,
                                                      1));
                            _mm256_storeu_ps(b + f * NR + LANES,
                                             n1 ? load_run(plane + q.cout[c1],
                                                           n1, 1)
                                                : _mm256_setzero_ps());
                        }
                    }
                    float* g0 = grad + q.cin[c0];
                    float* g1 = grad + (n1 ? q.cin[c1] : 0);
                    for (npy_intp gk = 0; gk < tap_groups; ++gk) {
                        blas::kernel_5x16(F, a + gk * F * MR, b, d, NR,
                                          false);
                        const npy_intp rows = K - gk * MR < MR ? K - gk * MR
                                                               : MR;
                        const npy_intp* taps = q.kcol2im + gk * MR;
                        for (npy_intp r = 0; r < rows; ++r)
                            add_run(g0 + q.koff[taps[r]],
                                    _mm256_loadu_ps(d + r * NR), n0, q.sx);
                        for (npy_intp r = 0; n1 && r < rows; ++r)
                            add_run(g1 + q.koff[taps[r]],
                                    _mm256_loadu_ps(d + r * NR + LANES), n1,
                                    q.sx);
                    }
                }
                if (q.pad) {
                    float* image = dx + n * pixels;
                    for (npy_intp ch = 0; ch < g.c; ++ch)
                        for (npy_intp z = 0; z < g.in[0]; ++z)
                            for (npy_intp y = 0; y < g.in[1]; ++y)
                                memcpy(image + (ch * g.in[0] + z) * g.in[1]
                                       * g.in[2] + y * g.in[2],
                                       grad + ch * q.ppixels
                                       + (z + g.before[0]) * q.pplane
                                       + (y + g.before[1]) * q.prow
                                       + g.before[2],
                                       sizeof(float) * g.in[2]);
                }
            }
        });
    return !no_memory;
}

// The filters' gradient of a layer with few weights a filter (K <=
// LANE_TAPS: a first layer's 25), where packing the products' operands
// would cost as much as the products: each of the 8 lanes of a chunk
// sums, for a tile of FB filters and KB taps, the products of its own
// positions straight from the image and the output's gradient
// (dw[f][k][lane] += top[f][position] * image[position + tap k]), over
// the chunks of an image in order, the images of a run in order; then the
// lanes, in order, and the runs (PARTS of them, fixed), in order: the
// same on any number of threads.  Pooled (pl.on): each image's gradient
// is unpooled FB filters at a time, just before their tiles.
const npy_intp LANE_TAPS = 64;
const npy_intp FB = 2, KB = 5;  // a tile (lanes_tile): 10 sums, 7 loads
                                // for 10 FMAs

// One tile of grad_weights_lanes over the chunks of an image: the sums
// of filters (planes) t0 and t1 with taps (offsets) off[0..5), at s and
// s + row, added to.  (Named sums: the compiler keeps them in registers.)
inline void lanes_tile(const float* t0, const float* t1, const float* image,
                       const npy_intp* off, const Grid& q, float* s,
                       npy_intp row) {
    __m256 a0 = _mm256_loadu_ps(s), a1 = _mm256_loadu_ps(s + LANES);
    __m256 a2 = _mm256_loadu_ps(s + 2 * LANES);
    __m256 a3 = _mm256_loadu_ps(s + 3 * LANES);
    __m256 a4 = _mm256_loadu_ps(s + 4 * LANES);
    __m256 b0 = _mm256_loadu_ps(s + row);
    __m256 b1 = _mm256_loadu_ps(s + row + LANES);
    __m256 b2 = _mm256_loadu_ps(s + row + 2 * LANES);
    __m256 b3 = _mm256_loadu_ps(s + row + 3 * LANES);
    __m256 b4 = _mm256_loadu_ps(s + row + 4 * LANES);
    const npy_intp o0 = off[0], o1 = off[1], o2 = off[2], o3 = off[3];
    const npy_intp o4 = off[4], sx = q.sx;
// (KEEP: v in a register, loaded once for its two products, not once
// for each as the compiler would have it)
#define KEEP(v) __asm__("" : "+x"(v))
#define LANES_STEP(load)                                                  \
    {                                                                     \
        __m256 v;                                                         \
        v = load(src + o0); KEEP(v); a0 = _mm256_fmadd_ps(x0, v, a0);    \
        b0 = _mm256_fmadd_ps(x1, v, b0);                                  \
        v = load(src + o1); KEEP(v); a1 = _mm256_fmadd_ps(x0, v, a1);    \
        b1 = _mm256_fmadd_ps(x1, v, b1);                                  \
        v = load(src + o2); KEEP(v); a2 = _mm256_fmadd_ps(x0, v, a2);    \
        b2 = _mm256_fmadd_ps(x1, v, b2);                                  \
        v = load(src + o3); KEEP(v); a3 = _mm256_fmadd_ps(x0, v, a3);    \
        b3 = _mm256_fmadd_ps(x1, v, b3);                                  \
        v = load(src + o4); KEEP(v); a4 = _mm256_fmadd_ps(x0, v, a4);    \
        b4 = _mm256_fmadd_ps(x1, v, b4);                                  \
    }
    for (npy_intp c = 0; c < q.chunks; ++c) {
        const float* src = image + q.cin[c];
        const npy_intp len = q.clen[c], at = q.cout[c];
        if (len == LANES && sx == 1) {
            const __m256 x0 = _mm256_loadu_ps(t0 + at);
            const __m256 x1 = _mm256_loadu_ps(t1 + at);
            LANES_STEP(_mm256_loadu_ps)
        } else {
            const __m256 x0 = load_run(t0 + at, len, 1);
            const __m256 x1 = load_run(t1 + at, len, 1);
#define LANES_RUN(p) load_run(p, len, sx)
            LANES_STEP(LANES_RUN)
#undef LANES_RUN
        }
    }
#undef LANES_STEP
#undef KEEP
    _mm256_storeu_ps(s, a0);                 _mm256_storeu_ps(s + LANES, a1);
    _mm256_storeu_ps(s + 2 * LANES, a2);     _mm256_storeu_ps(s + 3 * LANES, a3);
    _mm256_storeu_ps(s + 4 * LANES, a4);
    _mm256_storeu_ps(s + row, b0);           _mm256_storeu_ps(s + row + LANES, b1);
    _mm256_storeu_ps(s + row + 2 * LANES, b2);
    _mm256_storeu_ps(s + row + 3 * LANES, b3);
    _mm256_storeu_ps(s + row + 4 * LANES, b4);
}

inline bool grad_weights_lanes(const float* x, const float* top,
                               const Shape& g, const Grid& q, float* dw,
                               const Pooling& pl,
                               const npy_uint8* switches) {
    const npy_intp K = q.K, F = q.F, Q = g.positions();
    const npy_intp parts = g.n < PARTS ? g.n : PARTS;
    const npy_intp per_part = (g.n + parts - 1) / parts;
    const npy_intp fblocks = (F + FB - 1) / FB, kblocks = (K + KB - 1) / KB;
    const npy_intp rows = fblocks * FB, cols = kblocks * KB;
    // per run: sums[(f * cols + k) * LANES + lane]
    Buffer sums(parts * rows * cols * LANES);
    if (!sums.p) return false;
    bool no_memory = false;
    const npy_intp pooled = pl.on ? F * pl.size() : 0;
    parallel::parallel_for(parts, per_part * F * K * Q, g.threads,
        [&](parallel::index_t begin, parallel::index_t end) {
            PaddedImage padded(g, q);
            Buffer unpooled(pl.on ? FB * Q : 1);
            if (padded.failed || !unpooled.p) {
                failed(&no_memory);
                return;
            }
            Shape some = g;  // FB filters of g, for unpooling
            some.f = FB;
            for (npy_intp part = begin; part < end; ++part) {
                float* sum = sums.p + part * rows * cols * LANES;
                memset(sum, 0, sizeof(float) * rows * cols * LANES);
                const npy_intp first = part * per_part;
                const npy_intp last = first + per_part < g.n
                                      ? first + per_part : g.n;
                for (npy_intp n = first; n < last; ++n) {
                    const float* image = padded_image(x, g, q, n,
                                                      padded.buffer.p);
                    for (npy_intp fb = 0; fb < fblocks; ++fb) {
                        const npy_intp f0 = fb * FB;
                        const npy_intp fn = F - f0 < FB ? F - f0 : FB;
                        const float* planes[FB];
                        if (pl.on) {
                            some.f = fn;
                            const npy_intp at = n * pooled + f0 * pl.size();
                            unpool_float(top + at, switches + at, some, pl,
                                         unpooled.p);
                        }
                        // (a tile's filters past the last, and taps past
                        // the last, read the first ones: their sums are
                        // left out)
                        for (npy_intp i = 0; i < FB; ++i)
                            planes[i] = (pl.on ? unpooled.p
                                               : top + (n * F + f0) * Q)
                                        + (i < fn ? i : 0) * Q;
                        for (npy_intp kb = 0; kb < kblocks; ++kb) {
                            const npy_intp k0 = kb * KB;
                            npy_intp off[KB];
                            for (npy_intp j = 0; j < KB; ++j)
                                off[j] = q.koff[k0 + j < K ? k0 + j : 0];
                            lanes_tile(planes[0], planes[1], image, off, q,
                                       sum + (f0 * cols + k0) * LANES,
                                       cols * LANES);
                        }
                    }
                }
            }
        });
    if (no_memory) return false;
    for (npy_intp f = 0; f < F; ++f)
        for (npy_intp k = 0; k < K; ++k) {
            float total = 0;
            for (npy_intp part = 0; part < parts; ++part) {
                const float* lanes = sums.p + ((part * rows + f) * cols + k)
                                              * LANES;
                float run = 0;
                for (npy_intp l = 0; l < LANES; ++l) run += lanes[l];
                total += run;
            }
            dw[f * K + k] = total;
        }
    return true;
}

// dw (f x K, unflipped: the caller unpacks it) from x (n, c, pixels) and
// top (n, f, positions).
// With pooling (pl.on), top is the pooled output's gradient, unpooled
// through `switches` a slice's images at a time.
inline bool grad_weights(const float* x, const float* top, const Shape& g,
                         float* dw, const Pooling& pl,
                         const npy_uint8* switches) {
    Grid q;
    if (!q.make(g)) return false;
    if (q.K <= LANE_TAPS)
        return grad_weights_lanes(x, top, g, q, dw, pl, switches);
    const npy_intp K = q.K, F = q.F, Q = g.positions();
    const npy_intp kpanels = (K + NR - 1) / NR, width = kpanels * NR;
    const npy_intp rows = q.groups * MR;
    const npy_intp parts = g.n < PARTS ? g.n : PARTS;
    const npy_intp per_part = (g.n + parts - 1) / parts;
    // images per slice: whole images while they fit in SLICE chunks
    const npy_intp together = q.chunks < SLICE ? SLICE / q.chunks : 1;
    const npy_intp slice = together > 1 ? together * q.chunks : SLICE;
    Buffer sums(parts * rows * width);
    if (!sums.p) return false;
    bool no_memory = false;
    parallel::parallel_for(parts, per_part * F * K * Q, g.threads,
        [&](parallel::index_t begin, parallel::index_t end) {
            // + LANES: the packing's last 8-float store runs past the end
            Buffer at(q.groups * slice * LANES * MR + LANES);
            Buffer bt(slice * LANES * NR);
            PaddedImage padded(g, q, together);
            Buffer unpooled(pl.on ? together * F * Q : 1);
            if (!at.p || !bt.p || padded.failed || !unpooled.p) {
                failed(&no_memory);
                return;
            }
            const float* images[SLICE];
            const float* tops[SLICE];
            for (npy_intp part = begin; part < end; ++part) {
                float* sum = sums.p + part * rows * width;
                memset(sum, 0, sizeof(float) * rows * width);
                const npy_intp first = part * per_part;
                const npy_intp last = first + per_part < g.n
                                      ? first + per_part : g.n;
                for (npy_intp n0 = first; n0 < last; n0 += together) {
                    const npy_intp n1 = n0 + together < last ? n0 + together
                                                             : last;
                    for (npy_intp n = n0; n < n1; ++n) {
                        images[n - n0] = padded_image(
                            x, g, q, n, padded.buffer.p
                            + (n - n0) * g.c * q.ppixels);
                        tops[n - n0] = top + n * F * Q;
                        if (pl.on) {
                            float* t = unpooled.p + (n - n0) * F * Q;
                            unpool_float(top + n * F * pl.size(),
                                                switches + n * F * pl.size(),
                                                g, pl, t);
                            tops[n - n0] = t;
                        }
                    }
                    for (npy_intp c0 = 0; c0 < q.chunks; c0 += slice) {
                        // the slice: chunks [c0, c1) of images [n0, n1)
                        const npy_intp c1 = c0 + slice < q.chunks
                                            ? c0 + slice : q.chunks;
                        const npy_intp count = (n1 - n0) * (c1 - c0);
                        const npy_intp L = count * LANES;
                        // top, MR filters at a time: at[(group, lane, row)]
                        for (npy_intp gi = 0; gi < q.groups; ++gi) {
                            float* dst = at.p + gi * L * MR;
                            for (npy_intp n = n0; n < n1; ++n)
                                for (npy_intp c = c0; c < c1; ++c) {
                                    __m256 r[LANES];
                                    const float* t = tops[n - n0]
                                                     + q.cout[c];
                                    for (npy_intp j = 0; j < LANES; ++j) {
                                        const npy_intp f = gi * MR + j;
                                        r[j] = f < F && j < MR
                                               ? load_run(t + f * Q,
                                                          q.clen[c], 1)
                                               : _mm256_setzero_ps();
                                    }
                                    blas::transpose_8x8(r);
                                    for (npy_intp l = 0; l < LANES; ++l)
                                        _mm256_storeu_ps(dst + l * MR, r[l]);
                                    dst += LANES * MR;
                                }
                        }
                        for (npy_intp kp = 0; kp < kpanels; ++kp) {
                            // cols^T, 16 taps at a time: bt[(lane, tap)]
                            float* dst = bt.p;
                            for (npy_intp n = n0; n < n1; ++n)
                                for (npy_intp c = c0; c < c1; ++c) {
                                    const float* s = images[n - n0]
                                                     + q.cin[c];
                                    __m256 lo[LANES], hi[LANES];
                                    for (npy_intp j = 0; j < LANES; ++j) {
                                        const npy_intp k0 = kp * NR + j;
                                        const npy_intp k1 = k0 + LANES;
                                        lo[j] = k0 < K
                                            ? load_run(s + q.koff[k0],
                                                       q.clen[c], q.sx)
                                            : _mm256_setzero_ps();
                                        hi[j] = k1 < K
                                            ? load_run(s + q.koff[k1],
                                                       q.clen[c], q.sx)
                                            : _mm256_setzero_ps();
                                    }
                                    blas::transpose_8x8(lo);
                                    blas::transpose_8x8(hi);
                                    for (npy_intp l = 0; l < LANES; ++l) {
                                        _mm256_storeu_ps(dst + l * NR, lo[l]);
                                        _mm256_storeu_ps(dst + l * NR + LANES,
                                                         hi[l]);
                                    }
                                    dst += LANES * NR;
                                }
                            for (npy_intp gi = 0; gi < q.groups; ++gi)
                                blas::kernel_5x16(L, at.p + gi * L * MR, bt.p,
                                                  sum + gi * MR * width
                                                  + kp * NR, width, true);
                        }
                    }
                }
            }
        });
    if (no_memory) return false;
    for (npy_intp f = 0; f < F; ++f)
        for (npy_intp k = 0; k < K; ++k) {
            float total = 0;
            for (npy_intp part = 0; part < parts; ++part)
                total += sums.p[(part * rows + f) * width + k];
            dw[f * K + k] = total;
        }
    return true;
}

}  // namespace fast

#endif

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

// Whether T's products run in blocks (namespace fast): float32, where
// the micro-kernel is compiled.
template <typename T> struct Blocked { static const bool on = false; };
#ifdef THEANO_COMPAT_SKERNEL
template <> struct Blocked<float> { static const bool on = true; };
#endif

// T* as float* (for the blocked calls, made only when T is float).
template <typename T> inline float* as_float(T* p) { return (float*)(void*)p; }
template <typename T> inline const float* as_float(const T* p) {
    return (const float*)(const void*)p;
}

// The blocked products, or (where they are not compiled) stubs never
// called.
#ifdef THEANO_COMPAT_SKERNEL
inline bool blocked_forward(const float* x, const float* w, const Shape& g,
                            float* out, const Pooling& pl, npy_uint8* sw) {
    return fast::forward(x, w, g, out, pl, sw);
}
inline bool blocked_grad_inputs(const float* w, const float* top,
                                const Shape& g, float* dx, const Pooling& pl,
                                const npy_uint8* sw) {
    return fast::grad_inputs(w, top, g, dx, pl, sw);
}
inline bool blocked_grad_weights(const float* x, const float* top,
                                 const Shape& g, float* dw, const Pooling& pl,
                                 const npy_uint8* sw) {
    return fast::grad_weights(x, top, g, dw, pl, sw);
}
#else
inline bool blocked_forward(const float*, const float*, const Shape&, float*,
                            const Pooling&, npy_uint8*) { return false; }
inline bool blocked_grad_inputs(const float*, const float*, const Shape&,
                                float*, const Pooling&, const npy_uint8*) {
    return false;
}
inline bool blocked_grad_weights(const float*, const float*, const Shape&,
                                 float*, const Pooling&, const npy_uint8*) {
    return false;
}
#endif

// The pooled output's dims (n, f, pooled...) for o.convdim axes.
inline void pooled_dims(const Shape& g, const Options& o, const Pooling& pl,
                        npy_intp* dims) {
    dims[0] = g.n;
    dims[1] = g.f;
    for (int i = 0; i < o.convdim; ++i)
        dims[2 + i] = pl.out[AXES - o.convdim + i];
}

// Whether the pooled output's gradient top and the switches have the
// pooled output's shape (and the switches are uint8); ValueError or
// TypeError if not.
inline bool check_pooled(const char* who, PyArrayObject* top,
                         PyArrayObject* switches, const Shape& g,
                         const Options& o, const Pooling& pl) {
    const int nd = 2 + o.convdim;
    npy_intp want[2 + AXES];
    pooled_dims(g, o, pl, want);
    PyArrayObject* given[2] = {top, switches};
    const char* what[2] = {"the pooled output's gradient", "the switches"};
    for (int i = 0; i < 2; ++i) {
        if (PyArray_NDIM(given[i]) != nd
                || memcmp(PyArray_DIMS(given[i]), want,
                          nd * sizeof(npy_intp))) {
            char a[128], b[128];
            PyErr_Format(PyExc_ValueError,
                "%s: %s has shape %s, but the pooled output has shape %s",
                who, what[i], shape_text(PyArray_DIMS(given[i]),
                                         PyArray_NDIM(given[i]), a,
                                         sizeof(a)),
                shape_text(want, nd, b, sizeof(b)));
            return false;
        }
    }
    if (PyArray_TYPE(switches) != NPY_UINT8) {
        PyErr_Format(PyExc_TypeError, "%s: the switches should be uint8",
                     who);
        return false;
    }
    return true;
}

using arrays::Contiguous;  // (engine/arrays.cpp)

// Memory of the generic path's whole-minibatch arrays, freed with it.
template <typename T>
struct Whole {
    T* p;
    explicit Whole(npy_intp n) : p((T*)malloc(sizeof(T) * (n > 0 ? n : 1))) {
        if (!p) PyErr_NoMemory();
    }
    ~Whole() { free(p); }
};

// The gradient of the whole output from the pooled output's (generic
// path), image by image on the threads.
template <typename T>
void unpool_all(const T* top, const npy_uint8* switches, const Shape& g,
                const Pooling& pl, T* grad) {
    const npy_intp in = g.f * pl.size(), out = g.f * g.positions();
    parallel::parallel_for(g.n, out, g.threads,
        [&](parallel::index_t begin, parallel::index_t end) {
            for (npy_intp n = begin; n < end; ++n)
                unpool_image<T>(top + n * in, switches + n * in, g, pl,
                                grad + n * out);
        });
}

// ---------------------------------------------------------------------------
// The three ops, with one signature: (a, b, shape or NULL, switches or
// NULL, ...).  Each returns 0, or -1 with a Python error set.  With
// o.pool set (conv_pool.py's ops), the forward pass gives the output max
// pooled and the switches; the gradients take the pooled output's
// gradient and the switches in place of the output's gradient.

// out (n, f, out...) = correlation of images x (n, c, in...) with filters
// w (f, c, k...).
template <typename T>
int forward(PyArrayObject* x, PyArrayObject* w, PyArrayObject*,
            PyArrayObject*, const Options& o, int typenum,
            PyArrayObject** out, PyArrayObject** switches, Scratch* s) {
    Shape g;
    if (!make_shape(o.name, PyArray_DIMS(x), PyArray_DIMS(w), o, &g))
        return -1;
    Pooling pl;
    make_pooling(o, g, &pl);
    const int nd = 2 + o.convdim;
    npy_intp dims[2 + AXES];
    if (pl.on) pooled_dims(g, o, pl, dims);
    else output_dims(g, o, dims);
    if (!prepare_output(out, nd, dims, typenum)
            || (pl.on && !prepare_output(switches, nd, dims, NPY_UINT8)))
        return -1;
    const npy_intp K = g.K(), P = g.P();
    T* result = (T*)PyArray_DATA(*out);
    npy_uint8* sw = pl.on ? (npy_uint8*)PyArray_DATA(*switches) : NULL;
    if (K == 0 || P == 0 || g.f == 0) {
        // (the pooled output: zero, in windows of zeros all tied)
        const npy_intp size = g.n * g.fs * (pl.on ? pl.size() : g.positions());
        memset(result, 0, sizeof(T) * size);
        if (pl.on) {
            const npy_intp window = pl.ws[0] * pl.ws[1] * pl.ws[2];
            memset(sw, (int)((1u << window) - 1), size);
        }
        return 0;
    }
    Contiguous keep;
    const T* xd = keep.data<T>(x);
    if (!xd) return -1;
    if (Blocked<T>::on && o.groups == 1) {
        T* filters = (T*)scratch_get(s, sizeof(T) * g.f * K);
        if (!filters) return -1;
        pack_filters<T>(w, g, o.convdim, o.flip, 0, filters);
        bool done = false;
        Py_BEGIN_ALLOW_THREADS
        done = blocked_forward(as_float(xd), as_float(filters), g,
                               as_float(result), pl, sw);
        Py_END_ALLOW_THREADS
        if (!done) { PyErr_NoMemory(); return -1; }
        return 0;
    }
    Tap* taps = (Tap*)scratch_get(s, sizeof(Tap) * g.taps()
                                  + sizeof(T) * (K * P + g.f * P + g.f * K));
    if (!taps) return -1;
    T *cols = (T*)(taps + g.taps()), *prod = cols + K * P;
    T *filters = prod + g.f * P;
    Whole<T> whole(pl.on ? g.f * P : 0);
    if (!whole.p) return -1;
    T* full = pl.on ? whole.p : result;
    make_taps(g, taps);
    for (npy_intp group = 0; group < o.groups; ++group) {
        pack_filters<T>(w, g, o.convdim, o.flip, group * g.f, filters);
        Py_BEGIN_ALLOW_THREADS
        im2col<T>(xd + group * g.c * g.pixels(), g, taps, cols);
        blas::product<T>(false, false, g.f, P, K, filters, K, cols, P, prod,
                         P, g.threads);
        batch_first<T>(prod, g, full + group * g.f * g.positions());
        Py_END_ALLOW_THREADS
    }
    // (pooling is fused with ungrouped convolutions only: conv_pool.py)
    Py_BEGIN_ALLOW_THREADS
    if (pl.on) {
        const npy_intp in = g.f * g.positions(), pooled = g.f * pl.size();
        parallel::parallel_for(g.n, in, g.threads,
            [&](parallel::index_t begin, parallel::index_t end) {
                for (npy_intp n = begin; n < end; ++n)
                    pool_image<T>(full + n * in, g, pl, result + n * pooled,
                                  sw + n * pooled);
            });
    }
    Py_END_ALLOW_THREADS
    return 0;
}

// dw (f, c, k...): the gradient of sum(top * forward(x, w)) with respect
// to w, for images x and the output's gradient top (n, f, out...); shape
// gives the filters' spatial sizes.
template <typename T>
int grad_weights(PyArrayObject* x, PyArrayObject* top, PyArrayObject* shape,
                 PyArrayObject* switches, const Options& o, int typenum,
                 PyArrayObject** dw, PyArrayObject**, Scratch* s) {
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
            || !make_shape(who, PyArray_DIMS(x), wd, o, &g))
        return -1;
    Pooling pl;
    make_pooling(o, g, &pl);
    if (pl.on ? !check_pooled(who, top, switches, g, o, pl)
              : !check_top(who, top, g, o))
        return -1;
    if (!prepare_output(dw, 2 + o.convdim, wd, typenum)) return -1;
    const npy_intp K = g.K(), P = g.P();
    T* result = (T*)PyArray_DATA(*dw);
    if (K == 0 || P == 0 || g.f == 0) {
        memset(result, 0, sizeof(T) * K * g.fs);
        return 0;
    }
    Contiguous keep;
    const T* xd = keep.data<T>(x);
    const T* td = xd ? keep.data<T>(top) : NULL;
    const npy_uint8* sw = td && pl.on ? keep.data<npy_uint8>(switches)
                                      : NULL;
    if (!td || (pl.on && !sw)) return -1;
    if (Blocked<T>::on && o.groups == 1) {
        T* prod = (T*)scratch_get(s, sizeof(T) * g.f * K);
        if (!prod) return -1;
        bool done = false;
        Py_BEGIN_ALLOW_THREADS
        done = blocked_grad_weights(as_float(xd), as_float(td), g,
                                    as_float(prod), pl, sw);
        if (done) unpack_filters<T>(prod, g, o.flip, result);
        Py_END_ALLOW_THREADS
        if (!done) { PyErr_NoMemory(); return -1; }
        return 0;
    }
    const npy_intp room = K * P + g.f * P
                          + (1 + blas::INNER_PARTS) * g.f * K;
    Tap* taps = (Tap*)scratch_get(s, sizeof(Tap) * g.taps()
                                  + sizeof(T) * room);
    if (!taps) return -1;
    T *cols = (T*)(taps + g.taps()), *tmat = cols + K * P;
    T *prod = tmat + g.f * P, *partials = prod + g.f * K;
    Whole<T> whole(pl.on ? g.f * P : 0);
    if (!whole.p) return -1;
    make_taps(g, taps);
    Py_BEGIN_ALLOW_THREADS
    if (pl.on) {
        unpool_all<T>(td, sw, g, pl, whole.p);
        td = whole.p;
    }
    for (npy_intp group = 0; group < o.groups; ++group) {
        im2col<T>(xd + group * g.c * g.pixels(), g, taps, cols);
        batch_last<T>(td + group * g.f * g.positions(), g, tmat);
        blas::product<T>(false, true, g.f, K, P, tmat, P, cols, P, prod, K,
                         g.threads, partials);
        unpack_filters<T>(prod, g, o.flip, result + group * g.f * K);
    }
    Py_END_ALLOW_THREADS
    return 0;
}

// dx (n, c, in...): the gradient of sum(top * forward(x, w)) with respect
// to x, for the filters w and the output's gradient top; shape gives the
// images' spatial sizes.
template <typename T>
int grad_inputs(PyArrayObject* w, PyArrayObject* top, PyArrayObject* shape,
                PyArrayObject* switches, const Options& o, int typenum,
                PyArrayObject** dx, PyArrayObject**, Scratch* s) {
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
            || !make_shape(who, xd, PyArray_DIMS(w), o, &g))
        return -1;
    Pooling pl;
    make_pooling(o, g, &pl);
    if (pl.on ? !check_pooled(who, top, switches, g, o, pl)
              : !check_top(who, top, g, o))
        return -1;
    if (!prepare_output(dx, 2 + o.convdim, xd, typenum)) return -1;
    const npy_intp K = g.K(), P = g.P();
    T* result = (T*)PyArray_DATA(*dx);
    if (K == 0 || P == 0 || g.f == 0) {
        memset(result, 0, sizeof(T) * g.n * g.cs * g.pixels());
        return 0;
    }
    Contiguous keep;
    const T* td = keep.data<T>(top);
    const npy_uint8* sw = td && pl.on ? keep.data<npy_uint8>(switches)
                                      : NULL;
    if (!td || (pl.on && !sw)) return -1;
    if (Blocked<T>::on && o.groups == 1) {
        T* filters = (T*)scratch_get(s, sizeof(T) * g.f * K);
        if (!filters) return -1;
        pack_filters<T>(w, g, o.convdim, o.flip, 0, filters);
        bool done = false;
        Py_BEGIN_ALLOW_THREADS
        done = blocked_grad_inputs(as_float(filters), as_float(td), g,
                                   as_float(result), pl, sw);
        Py_END_ALLOW_THREADS
        if (!done) { PyErr_NoMemory(); return -1; }
        return 0;
    }
    Tap* taps = (Tap*)scratch_get(s, sizeof(Tap) * g.taps()
                                  + sizeof(T) * (K * P + g.f * P + g.f * K));
    if (!taps) return -1;
    T *cols = (T*)(taps + g.taps()), *tmat = cols + K * P;
    T *filters = tmat + g.f * P;
    Whole<T> whole(pl.on ? g.f * P : 0);
    if (!whole.p) return -1;
    make_taps(g, taps);
    if (pl.on) {
        Py_BEGIN_ALLOW_THREADS
        unpool_all<T>(td, sw, g, pl, whole.p);
        Py_END_ALLOW_THREADS
        td = whole.p;
    }
    for (npy_intp group = 0; group < o.groups; ++group) {
        pack_filters<T>(w, g, o.convdim, o.flip, group * g.f, filters);
        Py_BEGIN_ALLOW_THREADS
        batch_last<T>(td + group * g.f * g.positions(), g, tmat);
        blas::product<T>(true, false, K, P, g.f, filters, K, tmat, P, cols,
                         P, g.threads);
        col2im<T>(cols, g, taps, result + group * g.c * g.pixels());
        Py_END_ALLOW_THREADS
    }
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

// CORR_FUNCTION (forward, grad_weights or grad_inputs), CORR_SHAPE (the
// input holding a shape, or NULL), CORR_SWITCHES (the switches input of a
// pooled gradient, or NULL) and CORR_SWITCHES_OUT (the forward pass's
// switches output, or NULL) come from the op; the rest from its params,
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
    options.pool[0] = PARAMS->pool_0;
    options.pool[1] = PARAMS->pool_1;
    options.pool[2] = PARAMS->pool_2;
    static const char* const names[4] = {"conv", "conv1d", "conv2d",
                                         "conv3d"};
    options.name = names[options.convdim & 3];
    if (corr::CORR_FUNCTION<DTYPE_OUTPUT_0>(
            INPUT_0, INPUT_1, CORR_SHAPE, CORR_SWITCHES, options,
            TYPENUM_OUTPUT_0, &OUTPUT_0, CORR_SWITCHES_OUT,
            &APPLY_SPECIFIC(scratch)) != 0) {
        FAIL
    }
}
