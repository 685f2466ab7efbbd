#section code

// BlockedDot (engine/products.py): OUTPUT_0 (m x n) = INPUT_0 (m x k) .
// INPUT_1 (k x n), float32.  A product of at least BLOCKED_DOT_MIN
// multiply-adds is cut along its longer side (columns, or rows) into
// blocks of BLOCKED_DOT_SIDE, a number fixed by the shape alone, each
// block one gemm on one OpenBLAS thread, the blocks shared out on the
// op's threads (engine/parallel_for.cpp): the same values on any number
// of threads.  A smaller product is one gemm on OpenBLAS's own threads,
// as PyTensor's Dot22 calls it.
{
    PyArrayObject* a = INPUT_0;
    PyArrayObject* b = INPUT_1;
    if (PyArray_NDIM(a) != 2 || PyArray_NDIM(b) != 2
            || PyArray_DIMS(a)[1] != PyArray_DIMS(b)[0]) {
        PyErr_Format(PyExc_ValueError,
            "dot: the shapes (%ld, %ld) and (%ld, %ld) do not fit together",
            (long)PyArray_DIMS(a)[0], (long)PyArray_DIMS(a)[1],
            (long)PyArray_DIMS(b)[0], (long)PyArray_DIMS(b)[1]);
        FAIL
    }
    const npy_intp m = PyArray_DIMS(a)[0], k = PyArray_DIMS(a)[1];
    const npy_intp n = PyArray_DIMS(b)[1];
    npy_intp dims[2] = {m, n};
    if (!(OUTPUT_0 && PyArray_NDIM(OUTPUT_0) == 2
          && PyArray_TYPE(OUTPUT_0) == NPY_FLOAT32
          && PyArray_DIMS(OUTPUT_0)[0] == m && PyArray_DIMS(OUTPUT_0)[1] == n
          && PyArray_IS_C_CONTIGUOUS(OUTPUT_0))) {
        Py_XDECREF(OUTPUT_0);
        OUTPUT_0 = (PyArrayObject*)PyArray_EMPTY(2, dims, NPY_FLOAT32, 0);
        if (!OUTPUT_0) FAIL
    }
    float* c = (float*)PyArray_DATA(OUTPUT_0);
    if (m * n > 0 && k == 0) memset(c, 0, sizeof(float) * m * n);
    if (m * n > 0 && k > 0) {
        // row-major operands, or their transposes; anything else copied
        PyArrayObject* ca = NULL;
        PyArrayObject* cb = NULL;
        bool ta = false, tb = false;
        npy_intp lda = 0, ldb = 0;
        const npy_intp* sa = PyArray_STRIDES(a);
        const npy_intp* sb = PyArray_STRIDES(b);
        if (sa[1] == 4 && sa[0] >= 4 * k && sa[0] % 4 == 0) {
            lda = sa[0] / 4;
        } else if (sa[0] == 4 && sa[1] >= 4 * m && sa[1] % 4 == 0) {
            ta = true;
            lda = sa[1] / 4;
        } else {
            ca = (PyArrayObject*)PyArray_FROMANY((PyObject*)a, NPY_FLOAT32,
                                                 2, 2, NPY_ARRAY_CARRAY_RO);
            if (!ca) FAIL
            lda = k;
        }
        if (sb[1] == 4 && sb[0] >= 4 * n && sb[0] % 4 == 0) {
            ldb = sb[0] / 4;
        } else if (sb[0] == 4 && sb[1] >= 4 * k && sb[1] % 4 == 0) {
            tb = true;
            ldb = sb[1] / 4;
        } else {
            cb = (PyArrayObject*)PyArray_FROMANY((PyObject*)b, NPY_FLOAT32,
                                                 2, 2, NPY_ARRAY_CARRAY_RO);
            if (!cb) { Py_XDECREF(ca); FAIL }
            ldb = n;
        }
        const float* ad = (const float*)PyArray_DATA(ca ? ca : a);
        const float* bd = (const float*)PyArray_DATA(cb ? cb : b);
        const int threads = PARAMS->threads;
        Py_BEGIN_ALLOW_THREADS
        if (m * n * k < BLOCKED_DOT_MIN) {
            blas::gemm<float>(ta, tb, (int)m, (int)n, (int)k, ad, (int)lda,
                              bd, (int)ldb, c, (int)n);
        } else {
            const bool by_columns = n >= m;
            const npy_intp side = by_columns ? n : m;
            const npy_intp per = BLOCKED_DOT_SIDE;
            const npy_intp blocks = (side + per - 1) / per;
            blas::OneBlasThread one(true);
            parallel::parallel_for(blocks, m * n * k / blocks, threads,
                [&](parallel::index_t begin, parallel::index_t end) {
                    for (parallel::index_t block = begin; block < end;
                         ++block) {
                        const npy_intp s0 = block * per;
                        const npy_intp s1 = s0 + per < side ? s0 + per : side;
                        if (by_columns)
                            blas::gemm<float>(ta, tb, (int)m, (int)(s1 - s0),
                                (int)k, ad, (int)lda,
                                tb ? bd + s0 * ldb : bd + s0, (int)ldb,
                                c + s0, (int)n);
                        else
                            blas::gemm<float>(ta, tb, (int)(s1 - s0), (int)n,
                                (int)k, ta ? ad + s0 : ad + s0 * lda,
                                (int)lda, bd, (int)ldb, c + s0 * n, (int)n);
                    }
                });
        }
        Py_END_ALLOW_THREADS
        Py_XDECREF(ca);
        Py_XDECREF(cb);
    }
}
