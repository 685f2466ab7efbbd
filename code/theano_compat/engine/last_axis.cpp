#section support_code

// Sums and maxima over the last axis, for the LastAxisReduce op of
// theano_compat.engine.reductions: each row of the input (all axes but the
// last one taken as one) gives one value.
//
// PyTensor's loop for these adds into the output element in memory, one
// value after the other, and tests at every value whether it is the first
// of its row: a 500 x 1000 float64 matrix took 1.9 ms where NumPy takes
// 0.12 ms.  Here eight rows are reduced at once, each into a variable of
// its own, so that eight chains of additions run side by side, and every
// row is still reduced from its first value to its last, starting from 0
// (sums, in double) or -inf (maxima), with PyTensor's own operations:
//
//   sum:  acc = acc + x[j]                        (x widened to double)
//   max:  m = x[j] > m ? x[j] : (m >= x[j] ? m : NaN)
//
// The results are PyTensor's to the bit, signs of zero and NaN included
// (a NaN anywhere in a row gives NaN, as there).

#include <cmath>

namespace last_axis {

static const int BLOCK = 8;

// out[r] = x[r][0] + ... + x[r][n - 1], added in order from 0 in double,
// for the rows r < rows (x[r] starts at x + r * row_stride).
template <typename In, typename Out>
static void sums(const In* x, npy_intp rows, npy_intp n, npy_intp row_stride,
                 Out* out) {
    npy_intp r = 0;
    for (; r + BLOCK <= rows; r += BLOCK) {
        const In* row[BLOCK];
        double acc[BLOCK];
        for (int b = 0; b < BLOCK; ++b) {
            row[b] = x + (r + b) * row_stride;
            acc[b] = 0.0;
        }
        for (npy_intp j = 0; j < n; ++j)
            for (int b = 0; b < BLOCK; ++b)
                acc[b] = acc[b] + (double)row[b][j];
        for (int b = 0; b < BLOCK; ++b) out[r + b] = (Out)acc[b];
    }
    for (; r < rows; ++r) {
        const In* one = x + r * row_stride;
        double acc = 0.0;
        for (npy_intp j = 0; j < n; ++j) acc = acc + (double)one[j];
        out[r] = (Out)acc;
    }
}

// PyTensor's maximum of a running maximum m and a value v
template <typename T>
static inline T maximum(T m, T v) {
    return v > m ? v : (m >= v ? m : (T)nan(""));
}

// out[r] = the maximum of x[r][0..n - 1], taken in order from -inf.
template <typename T>
static void maxima(const T* x, npy_intp rows, npy_intp n, npy_intp row_stride,
                   T* out) {
    npy_intp r = 0;
    for (; r + BLOCK <= rows; r += BLOCK) {
        const T* row[BLOCK];
        T m[BLOCK];
        for (int b = 0; b < BLOCK; ++b) {
            row[b] = x + (r + b) * row_stride;
            m[b] = -INFINITY;
        }
        for (npy_intp j = 0; j < n; ++j)
            for (int b = 0; b < BLOCK; ++b) m[b] = maximum(m[b], row[b][j]);
        for (int b = 0; b < BLOCK; ++b) out[r + b] = m[b];
    }
    for (; r < rows; ++r) {
        const T* one = x + r * row_stride;
        T m = -INFINITY;
        for (npy_intp j = 0; j < n; ++j) m = maximum(m, one[j]);
        out[r] = m;
    }
}

// Whether the rows of x lie in memory as the reduction loops read them:
// the last axis contiguous, and the other axes stepping as one axis would
// (each axis of more than one element by the length of the next inner one
// times its step).  Then *row_stride is the step from a row to the next,
// in elements.
static bool row_layout(PyArrayObject* x, npy_intp* row_stride) {
    const int nd = PyArray_NDIM(x);
    const npy_intp* dims = PyArray_DIMS(x);
    const npy_intp* strides = PyArray_STRIDES(x);
    const npy_intp item = PyArray_ITEMSIZE(x);
    if (dims[nd - 1] > 1 && strides[nd - 1] != item) return false;
    *row_stride = 0;  // (one row, or none)
    bool inner = true;
    npy_intp expected = 0;
    for (int i = nd - 2; i >= 0; --i) {
        if (dims[i] == 1) continue;
        if (inner) {
            if (strides[i] % item) return false;
            *row_stride = strides[i] / item;
            inner = false;
        } else if (strides[i] != expected) {
            return false;
        }
        expected = strides[i] * dims[i];
    }
    return true;
}

}  // namespace last_axis

#section code

// OUTPUT_0 = the sum (LAST_AXIS_MAX 0) or maximum (1) of INPUT_0 over its
// last axis, an array of the other axes' shape, C-contiguous.
{
    PyArrayObject* x = INPUT_0;
    Py_INCREF(x);
    const int nd = PyArray_NDIM(x);
    npy_intp stride;
    if (!last_axis::row_layout(x, &stride)) {
        Py_DECREF(x);
        x = (PyArrayObject*)PyArray_NewCopy(INPUT_0, NPY_CORDER);
        if (!x) { FAIL }
        stride = PyArray_DIMS(x)[nd - 1];
    }
    const npy_intp n = PyArray_DIMS(x)[nd - 1];
    npy_intp rows = 1;
    for (int i = 0; i < nd - 1; ++i) rows *= PyArray_DIMS(x)[i];
    if (LAST_AXIS_MAX && n == 0 && rows > 0) {
        PyErr_Format(PyExc_ValueError,
                     "max over the last axis, which has length 0 (an input "
                     "of %d dimensions): there is no maximum to give",
                     nd);
        Py_DECREF(x);
        FAIL
    }
    bool reuse = OUTPUT_0 && PyArray_NDIM(OUTPUT_0) == nd - 1
        && PyArray_IS_C_CONTIGUOUS(OUTPUT_0)
        && PyArray_TYPE(OUTPUT_0) == TYPENUM_OUTPUT_0;
    for (int i = 0; reuse && i < nd - 1; ++i)
        reuse = PyArray_DIMS(OUTPUT_0)[i] == PyArray_DIMS(x)[i];
    if (!reuse) {
        Py_XDECREF(OUTPUT_0);
        OUTPUT_0 = (PyArrayObject*)PyArray_EMPTY(
            nd - 1, PyArray_DIMS(x), TYPENUM_OUTPUT_0, 0);
        if (!OUTPUT_0) { Py_DECREF(x); FAIL }
    }
    const DTYPE_INPUT_0* data = (const DTYPE_INPUT_0*)PyArray_DATA(x);
    DTYPE_OUTPUT_0* out = (DTYPE_OUTPUT_0*)PyArray_DATA(OUTPUT_0);
#if LAST_AXIS_MAX
    last_axis::maxima(data, rows, n, stride, out);
#else
    last_axis::sums(data, rows, n, stride, out);
#endif
    Py_DECREF(x);
}
