#section support_code

// The sums over every axis but one, accumulated in double, for the
// ChannelSums op of theano_compat.engine.reductions (its sections are
// loaded by engine/cop.py): a convolution layer's bias gradient, the sum
// of a (batch, channels, rows, columns) gradient over all but the
// channels.
//
// The array, C-ordered, is seen as (outer, kept, inner): the axes before
// the kept one, the kept one, the axes after it.  Each run of `inner`
// values is contiguous and belongs to one kept index: it is summed in
// LANES running sums (vector registers), added in a fixed order, and
// then into that index's total, the runs in the array's order.  PyTensor
// strides through the array one value at a time into one double per
// output instead (a 500 x 20 x 12 x 12 gradient: 5.7 ms a call, on the
// machine of bench/README.md's profile).  The same sums, in another order
// of addition, the same on every run.

namespace channel_sums {

enum { LANES = 8 };

template <typename T>
static double run_sum(const T* x, npy_intp n) {
    double lane[LANES] = {0};
    npy_intp i = 0;
    for (; i + LANES <= n; i += LANES)
        for (int j = 0; j < LANES; ++j) lane[j] += (double)x[i + j];
    double total = 0;
    for (int j = 0; j < LANES; ++j) total += lane[j];
    for (; i < n; ++i) total += (double)x[i];
    return total;
}

// total[k] = sum of x[o, k, i] over o and i; total has `kept` doubles.
template <typename T>
static void run(const T* x, npy_intp outer, npy_intp kept, npy_intp inner,
                double* total) {
    for (npy_intp k = 0; k < kept; ++k) total[k] = 0;
    for (npy_intp o = 0; o < outer; ++o) {
        const T* block = x + o * kept * inner;
        for (npy_intp k = 0; k < kept; ++k)
            total[k] += run_sum(block + k * inner, inner);
    }
}

}  // namespace channel_sums

#section code

// OUTPUT_0[k] = the sum of INPUT_0 over every axis but CHANNEL_SUMS_KEPT
// (the op's kept axis), accumulated in double, in the output's dtype.
{
    PyArrayObject* contiguous = PyArray_GETCONTIGUOUS(INPUT_0);
    if (!contiguous) { FAIL }
    const npy_intp* dims = PyArray_DIMS(contiguous);
    npy_intp outer = 1, inner = 1;
    for (int i = 0; i < CHANNEL_SUMS_KEPT; ++i) outer *= dims[i];
    for (int i = CHANNEL_SUMS_KEPT + 1; i < PyArray_NDIM(contiguous); ++i)
        inner *= dims[i];
    const npy_intp kept = dims[CHANNEL_SUMS_KEPT];
    if (!OUTPUT_0 || PyArray_DIMS(OUTPUT_0)[0] != kept) {
        Py_XDECREF(OUTPUT_0);
        OUTPUT_0 = (PyArrayObject*)PyArray_EMPTY(
            1, &dims[CHANNEL_SUMS_KEPT], TYPENUM_OUTPUT_0, 0);
        if (!OUTPUT_0) { Py_DECREF(contiguous); FAIL }
    }
    double* totals = (double*)malloc((kept > 0 ? kept : 1) * sizeof(double));
    if (!totals) {
        Py_DECREF(contiguous);
        PyErr_NoMemory();
        FAIL
    }
    channel_sums::run((const DTYPE_INPUT_0*)PyArray_DATA(contiguous), outer,
                      kept, inner, totals);
    DTYPE_OUTPUT_0* out = (DTYPE_OUTPUT_0*)PyArray_DATA(OUTPUT_0);
    for (npy_intp k = 0; k < kept; ++k) out[k] = (DTYPE_OUTPUT_0)totals[k];
    free(totals);
    Py_DECREF(contiguous);
}
