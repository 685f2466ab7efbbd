#section support_code

// MRG31k3p (L'Ecuyer and Touzin, 2000): the generator behind Theano's
// MRG_RandomStreams, as Theano 1.0.5's CPU code ran it.
//
// A stream's state is six int32: (x11, x12, x13) of the first component,
// a recurrence modulo M1 = 2^31 - 1, and (x21, x22, x23) of the second,
// modulo M2 = 2^31 - 21069.  One step of a stream gives one integer in
// [0, M1] (the two components' difference, wrapped into range), which
// becomes a float by a multiplication by (about) 2^-31.
//
// Theano wrote the step in int32 arithmetic that overflows and then
// tests the sign of the result; that relies on two's complement
// wrap-around, which C++ leaves undefined for signed ints.  Here every
// sum and product is taken in uint32 (which wraps by definition) and read
// back as int32 (GCC defines that conversion as modulo 2^32), so the bits
// are Theano's without undefined behaviour.
//
// A draw of n samples from a state of n_streams rows gives sample i from
// stream i % n_streams: round r takes one step of each of the streams
// 0..n_streams-1 in turn (the last round only as many as are left).
// The state is therefore turned into six columns (one per state word),
// a block of streams at a time, and each round runs over contiguous
// columns, a loop without branches that the compiler turns into vector
// instructions.

namespace mrg31k3p {

typedef npy_int32 i32;
typedef npy_uint32 u32;

static const i32 M1 = 2147483647;     // 2^31 - 1
static const i32 M2 = 2147462579;     // 2^31 - 21069
static const i32 MULT2 = 21069;

static inline i32 add(i32 a, i32 b) { return (i32)((u32)a + (u32)b); }
static inline i32 sub(i32 a, i32 b) { return (i32)((u32)a - (u32)b); }
static inline i32 mul(i32 a, i32 b) { return (i32)((u32)a * (u32)b); }

// Theano's reduction: a value that wrapped negative, or reached m, loses
// one m (the subtraction wraps as well).
static inline i32 fold(i32 y, i32 m) {
    return (y < 0 || y >= m) ? sub(y, m) : y;
}

// 2^22 * x modulo M1 as Theano computed it, split into the shifts that
// stay inside 31 bits (2^31 = 1 modulo M1): low 9 bits up, the rest down.
static inline i32 times_2p22(i32 x) {
    return add((i32)((u32)(x & 511) << 22), x >> 9);
}

// 2^7 * x likewise: low 24 bits up by 7, the top 7 bits down.
static inline i32 times_2p7(i32 x) {
    return add((i32)((u32)(x & 16777215) << 7), x >> 24);
}

// 2^15 * x modulo M2: 2^31 = 21069 modulo M2.
static inline i32 times_2p15(i32 x) {
    return add((i32)((u32)(x & 65535) << 15), mul(MULT2, x >> 16));
}

// One step of a stream, its six state words updated in place; returns
// the integer in [0, M1] of this step.  Theano summed the four shifted
// terms of the first component left to right; sums modulo 2^32 do not
// depend on the order, so pairing them here changes no bit.
static inline i32 step(i32& x11, i32& x12, i32& x13,
                       i32& x21, i32& x22, i32& x23) {
    // first component: x_n = 2^22 x_{n-2} + (2^7 + 1) x_{n-3}  (mod M1)
    i32 y1 = add(times_2p22(x12), times_2p7(x13));
    y1 = fold(y1, M1);
    y1 = fold(add(y1, x13), M1);
    x13 = x12;
    x12 = x11;
    x11 = y1;
    // second component: x_n = 2^15 x_{n-1} + (2^15 + 1) x_{n-3}  (mod M2)
    i32 a = fold(times_2p15(x21), M2);
    i32 b = fold(times_2p15(x23), M2);
    b = fold(add(b, x23), M2);
    b = fold(add(b, a), M2);
    x23 = x22;
    x22 = x21;
    x21 = b;
    return (x11 <= x21) ? add(sub(x11, x21), M1) : sub(x11, x21);
}

// The integer as a float in [0, 1): exactly k / 2^31 in float64; in
// float32 the integer rounded to float32, times float32(4.6566126e-10)
// (= 2^-31 (1 - 2^-24), so that M1 never becomes 1.0), rounded again.
static inline npy_float64 to_unit(i32 k, npy_float64) {
    return k * 4.656612873077392578125e-10;
}
static inline npy_float32 to_unit(i32 k, npy_float32) {
    return (npy_float32)k * 4.6566126e-10f;
}

// One round: one step of each of the streams 0..k-1, whose words are
// the columns c0..c5, and their values into o[0..k-1].  The pointers are
// parameters marked __restrict__ so that the compiler, told that they do
// not overlap, vectorises the loop (without that it gives up on the many
// run-time overlap checks it would need).
template <typename T>
static void one_round(npy_intp k, i32* __restrict__ c0, i32* __restrict__ c1,
                      i32* __restrict__ c2, i32* __restrict__ c3,
                      i32* __restrict__ c4, i32* __restrict__ c5,
                      T* __restrict__ o) {
    for (npy_intp j = 0; j < k; ++j) {
        i32 x11 = c0[j], x12 = c1[j], x13 = c2[j];
        i32 x21 = c3[j], x22 = c4[j], x23 = c5[j];
        const i32 v = step(x11, x12, x13, x21, x22, x23);
        c0[j] = x11; c1[j] = x12; c2[j] = x13;
        c3[j] = x21; c4[j] = x22; c5[j] = x23;
        o[j] = to_unit(v, T());
    }
}

// Streams taken together: a block's six words as columns fit in the L1
// cache, and each block takes all its rounds before the next is read.
static const npy_intp BLOCK = 256;

// n samples into out (contiguous) from the state rows in ``from``
// (n_streams x 6, C-contiguous); the advanced state goes to ``to``, of
// the same shape, which may be ``from`` itself (in place) but must not
// overlap it otherwise.  Stream j's steps are taken in order, block by
// block of streams, and sample start + j (round start / n_streams) is
// its step of that round: the same samples, and the same new state, as
// taking each round over all the streams in turn.
template <typename T>
static void draw(const i32* from, i32* to, npy_intp n_streams, T* out,
                 npy_intp n) {
    // Streams that take a step at all: all of them, unless n is smaller.
    const npy_intp used = n < n_streams ? n : n_streams;
    i32 c[6][BLOCK];
    for (npy_intp j0 = 0; j0 < used; j0 += BLOCK) {
        const npy_intp b = used - j0 < BLOCK ? used - j0 : BLOCK;
        for (npy_intp j = 0; j < b; ++j)
            for (int w = 0; w < 6; ++w)
                c[w][j] = from[6 * (j0 + j) + w];
        for (npy_intp start = j0; start < n; start += n_streams) {
            const npy_intp k = n - start < b ? n - start : b;
            one_round<T>(k, c[0], c[1], c[2], c[3], c[4], c[5], out + start);
        }
        for (npy_intp j = 0; j < b; ++j)
            for (int w = 0; w < 6; ++w)
                to[6 * (j0 + j) + w] = c[w][j];
    }
    // the streams that took no step
    if (to != from)
        for (npy_intp i = 6 * used; i < 6 * n_streams; ++i)
            to[i] = from[i];
}

// The bytes an array's elements span: [*lo, *hi), empty for no elements.
static void extent(PyArrayObject* a, char** lo, char** hi) {
    *lo = *hi = PyArray_BYTES(a);
    for (int d = 0; d < PyArray_NDIM(a); ++d) {
        if (PyArray_DIMS(a)[d] == 0)
            return;
        const npy_intp reach = (PyArray_DIMS(a)[d] - 1) * PyArray_STRIDES(a)[d];
        if (reach < 0) *lo += reach; else *hi += reach;
    }
    *hi += PyArray_ITEMSIZE(a);
}

static bool overlap(PyArrayObject* a, PyArrayObject* b) {
    char *alo, *ahi, *blo, *bhi;
    extent(a, &alo, &ahi);
    extent(b, &blo, &bhi);
    return alo < ahi && blo < bhi && alo < bhi && blo < ahi;
}

}  // namespace mrg31k3p

#section code

// (rstate, size) -> (new rstate, sample): see rng_mrg.py.  MRG_NDIM (the
// sample's dimensions) and MRG_INPLACE come from the op.
{
    const int ndim = MRG_NDIM;
    npy_intp dims[MRG_NDIM + 1];
    npy_int64 n = 1;
    if (PyArray_NDIM(INPUT_1) != 1 || PyArray_DIMS(INPUT_1)[0] != ndim) {
        PyErr_Format(PyExc_ValueError,
                     "mrg_uniform: size must have %d entries", ndim);
        FAIL
    }
    for (int i = 0; i < ndim; ++i) {
        const npy_int64 d = (npy_int64)*(DTYPE_INPUT_1*)PyArray_GETPTR1(INPUT_1, i);
        if (d < 0) {
            PyErr_Format(PyExc_ValueError,
                         "mrg_uniform: negative dimension %lld in size",
                         (long long)d);
            FAIL
        }
        dims[i] = (npy_intp)d;
        if (n <= 2147483647)  // past that the error below is certain
            n *= d;
    }
    if (n > 2147483647) {
        PyErr_SetString(PyExc_ValueError,
            "mrg_uniform draws at most 2**31 - 1 values at a time");
        FAIL
    }
    if (PyArray_DIMS(INPUT_0)[1] != 6) {
        PyErr_SetString(PyExc_ValueError,
                        "mrg_uniform: rstate must have 6 columns");
        FAIL
    }
    const npy_intp n_streams = PyArray_DIMS(INPUT_0)[0];
    if (n > 0 && n_streams == 0) {
        PyErr_SetString(PyExc_ValueError,
                        "mrg_uniform: the state has no streams");
        FAIL
    }
    // The state read: the input, or a C-contiguous, aligned copy of it.
    PyArrayObject* from = (PyArrayObject*)PyArray_FromAny(
        (PyObject*)INPUT_0, NULL, 0, 0,
        NPY_ARRAY_C_CONTIGUOUS | NPY_ARRAY_ALIGNED, NULL);
    if (!from) { FAIL }
    // The new state: in place, the state read; otherwise the array this
    // output held after the last call, when it has the shape and shares
    // no memory with the input (in a loop's step it is the loop's slot
    // for the state, which the loop then need not copy), else a new one.
    if (MRG_INPLACE) {
        Py_XDECREF(OUTPUT_0);
        OUTPUT_0 = from;
        Py_INCREF(from);
    } else if (!(OUTPUT_0 && PyArray_NDIM(OUTPUT_0) == 2
                 && PyArray_TYPE(OUTPUT_0) == NPY_INT32
                 && PyArray_DIMS(OUTPUT_0)[0] == n_streams
                 && PyArray_DIMS(OUTPUT_0)[1] == 6
                 && PyArray_IS_C_CONTIGUOUS(OUTPUT_0)
                 && PyArray_ISALIGNED(OUTPUT_0)
                 && PyArray_ISWRITEABLE(OUTPUT_0)
                 && !mrg31k3p::overlap(OUTPUT_0, INPUT_0)
                 && !mrg31k3p::overlap(OUTPUT_0, from))) {
        Py_XDECREF(OUTPUT_0);
        OUTPUT_0 = (PyArrayObject*)PyArray_EMPTY(2, PyArray_DIMS(from),
                                                 NPY_INT32, 0);
        if (!OUTPUT_0) { Py_DECREF(from); FAIL }
    }
    bool fresh = !OUTPUT_1 || !PyArray_IS_C_CONTIGUOUS(OUTPUT_1);
    for (int i = 0; i < ndim && !fresh; ++i)
        fresh = PyArray_DIMS(OUTPUT_1)[i] != dims[i];
    if (fresh) {
        Py_XDECREF(OUTPUT_1);
        OUTPUT_1 = (PyArrayObject*)PyArray_EMPTY(ndim, dims,
                                                 TYPENUM_OUTPUT_1, 0);
        if (!OUTPUT_1) { Py_DECREF(from); FAIL }
    }
    mrg31k3p::draw<DTYPE_OUTPUT_1>(
        (const npy_int32*)PyArray_DATA(from),
        (npy_int32*)PyArray_DATA(OUTPUT_0), n_streams,
        (DTYPE_OUTPUT_1*)PyArray_DATA(OUTPUT_1), (npy_intp)n);
    Py_DECREF(from);
}
