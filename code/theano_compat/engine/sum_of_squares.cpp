#section support_code

// The sum of squares of an array, accumulated in double, for the
// SumOfSquares op of theano_compat.engine.reductions (its sections are
// loaded by engine/cop.py).
//
// PyTensor's own loop adds the squares one after the other into a single
// double, and so waits for each addition to finish before the next: an
// L2 penalty on a 784 x 500 weight matrix took 0.2 ms of a 0.6 ms training
// step.  Here LANES running sums take every LANES-th square (the compiler
// turns them into vector registers), and are added in a fixed order at
// the end: the same sum, in another order, whatever the machine.  Each
// square is computed in the array's own type, as the graph's sqr(x) is,
// and then added in double, as Sum{acc=float64} adds.

namespace sum_of_squares {

enum { LANES = 16 };

template <typename T>
static double run(const T* x, npy_intp n) {
    double lane[LANES] = {0};
    npy_intp i = 0;
    for (; i + LANES <= n; i += LANES)
        for (int j = 0; j < LANES; ++j) {
            const T v = x[i + j];
            lane[j] += (double)(T)(v * v);
        }
    double total = 0;
    for (int j = 0; j < LANES; ++j) total += lane[j];
    for (; i < n; ++i) {
        const T v = x[i];
        total += (double)(T)(v * v);
    }
    return total;
}

}  // namespace sum_of_squares

#section code

// z = sum(x ** 2), accumulated in double, in z's dtype.
{
    PyArrayObject* contiguous = PyArray_GETCONTIGUOUS(INPUT_0);
    if (!contiguous) { FAIL }
    const double total = sum_of_squares::run(
        (const DTYPE_INPUT_0*)PyArray_DATA(contiguous),
        PyArray_SIZE(contiguous));
    Py_DECREF(contiguous);
    if (!OUTPUT_0) {
        OUTPUT_0 = (PyArrayObject*)PyArray_EMPTY(0, NULL, TYPENUM_OUTPUT_0, 0);
        if (!OUTPUT_0) { FAIL }
    }
    *(DTYPE_OUTPUT_0*)PyArray_DATA(OUTPUT_0) = (DTYPE_OUTPUT_0)total;
}
