#section support_code

// Elementary functions of double in 256-bit vectors (AVX2 and FMA), and
// the loop that maps a float32 array through a function of four floats:
// the shared part of the float32 kernels of engine/elementwise.py (tanh,
// sigmoid, softplus).  Each kernel widens four floats to doubles, computes
// its function in double (relative error a few units of 2^-53) and rounds
// once to float32: the result is within 1 ulp of the correctly rounded
// float32 value, and equal to it unless the exact value lies within that
// error of the midpoint between two floats.
//
// exp and expm1 (y = k ln2 + r, |r| <= ln2 / 2, k an integer):
//
//   exp(y)   = 2^k (1 + p),   expm1(y) = 2^k p + (2^k - 1),
//
// where p = expm1(r) is its Taylor polynomial of degree 12, truncated
// under 2e-16 of p; 2^k is made from its exponent bits, so |k| must stay
// under 1022 (|y| under 708), which the kernels' inputs do.
//
// log1p(u) for 0 <= u <= 1: with t = u / (2 + u), in [0, 1/3],
//
//   log1p(u) = 2 atanh(t) = 2 t (1 + t^2/3 + t^4/5 + ... + t^30/31),
//
// the series cut after t^30, which leaves under 2e-17 of the sum.

#ifndef THEANO_COMPAT_VECTOR_MATH
#define THEANO_COMPAT_VECTOR_MATH

#include <cmath>
#include <cstring>
#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#endif

namespace vector_math {

// ln2 in two parts: LN2_HI has zeros in its last bits, so that k * LN2_HI
// is exact for the k that occur.
static const double LN2_HI = 6.93147180369123816490e-01;
static const double LN2_LO = 1.90821492927058770002e-10;
static const double INV_LN2 = 1.44269504088896338700e+00;
// 1/n! for n = 12 down to 2: expm1(r) = r + r^2 (1/2! + r (1/3! + ...)).
static const double INV_FACTORIAL[11] = {
    1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0, 1.0 / 362880.0,
    1.0 / 40320.0, 1.0 / 5040.0, 1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0,
    1.0 / 6.0, 1.0 / 2.0};
// 1/(2n+1) for n = 15 down to 1 (the atanh series)
static const double INV_ODD[15] = {
    1.0 / 31, 1.0 / 29, 1.0 / 27, 1.0 / 25, 1.0 / 23, 1.0 / 21, 1.0 / 19,
    1.0 / 17, 1.0 / 15, 1.0 / 13, 1.0 / 11, 1.0 / 9, 1.0 / 7, 1.0 / 5,
    1.0 / 3};

#if defined(__AVX2__) && defined(__FMA__)

// y = k ln2 + r: 2^k in `scale` and expm1(r) in `p`.  NaN gives NaN in p
// (and a meaningless scale).
static inline void exp_parts(__m256d y, __m256d& scale, __m256d& p) {
    const __m256d k = _mm256_round_pd(
        _mm256_mul_pd(y, _mm256_set1_pd(INV_LN2)),
        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256d r = _mm256_fnmadd_pd(k, _mm256_set1_pd(LN2_HI), y);
    r = _mm256_fnmadd_pd(k, _mm256_set1_pd(LN2_LO), r);
    __m256d q = _mm256_set1_pd(INV_FACTORIAL[0]);
    for (int i = 1; i < 11; ++i)
        q = _mm256_fmadd_pd(q, r, _mm256_set1_pd(INV_FACTORIAL[i]));
    p = _mm256_fmadd_pd(_mm256_mul_pd(r, r), q, r);
    const __m128i biased = _mm_add_epi32(_mm256_cvtpd_epi32(k),
                                         _mm_set1_epi32(1023));
    scale = _mm256_castsi256_pd(
        _mm256_slli_epi64(_mm256_cvtepi32_epi64(biased), 52));
}

// exp(y) for |y| < 708
static inline __m256d exp(__m256d y) {
    __m256d scale, p;
    exp_parts(y, scale, p);
    return _mm256_fmadd_pd(scale, p, scale);
}

// expm1(y) for |y| < 708
static inline __m256d expm1(__m256d y) {
    __m256d scale, p;
    exp_parts(y, scale, p);
    return _mm256_fmadd_pd(scale, p,
                           _mm256_sub_pd(scale, _mm256_set1_pd(1.0)));
}

// log1p(u) for 0 <= u <= 1 (and NaN)
static inline __m256d log1p_unit(__m256d u) {
    const __m256d t = _mm256_div_pd(u, _mm256_add_pd(u, _mm256_set1_pd(2.0)));
    const __m256d s = _mm256_mul_pd(t, t);
    __m256d q = _mm256_set1_pd(INV_ODD[0]);
    for (int i = 1; i < 15; ++i)
        q = _mm256_fmadd_pd(q, s, _mm256_set1_pd(INV_ODD[i]));
    // 2t (1 + s q) = 2t + 2t s q
    const __m256d twice = _mm256_add_pd(t, t);
    return _mm256_fmadd_pd(_mm256_mul_pd(twice, s), q, twice);
}

// out[i] = four(x[i..i+3]) over n floats, eight at a time, the last ones
// through a padded vector; out may be x.
template <typename Four>
static inline void map_float32(const float* x, float* out, npy_intp n,
                               Four four) {
    npy_intp i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m128 low = four(_mm_loadu_ps(x + i));
        const __m128 high = four(_mm_loadu_ps(x + i + 4));
        _mm_storeu_ps(out + i, low);
        _mm_storeu_ps(out + i + 4, high);
    }
    while (i < n) {
        float part[4] = {0, 0, 0, 0};
        const npy_intp m = n - i < 4 ? n - i : 4;
        std::memcpy(part, x + i, m * sizeof(float));
        _mm_storeu_ps(part, four(_mm_loadu_ps(part)));
        std::memcpy(out + i, part, m * sizeof(float));
        i += m;
    }
}

#endif

// *output = f(input) elementwise: input a float32 array of any layout,
// *output a C-contiguous float32 array of its shape (the one given,
// when it is one, or a new one).  run(x, out, n) computes the values.
// Returns 0, or -1 with a Python error set.
template <typename Run>
static int map_array(PyArrayObject* input, PyArrayObject** output, Run run) {
    PyArrayObject* contiguous = PyArray_GETCONTIGUOUS(input);
    if (!contiguous) return -1;
    const int nd = PyArray_NDIM(contiguous);
    PyArrayObject* out = *output;
    bool reuse = out && PyArray_NDIM(out) == nd
        && PyArray_IS_C_CONTIGUOUS(out) && PyArray_TYPE(out) == NPY_FLOAT32;
    for (int i = 0; reuse && i < nd; ++i)
        reuse = PyArray_DIMS(out)[i] == PyArray_DIMS(contiguous)[i];
    if (!reuse) {
        Py_XDECREF(out);
        *output = out = (PyArrayObject*)PyArray_EMPTY(
            nd, PyArray_DIMS(contiguous), NPY_FLOAT32, 0);
        if (!out) { Py_DECREF(contiguous); return -1; }
    }
    run((const float*)PyArray_DATA(contiguous), (float*)PyArray_DATA(out),
        PyArray_SIZE(contiguous));
    Py_DECREF(contiguous);
    return 0;
}

}  // namespace vector_math

#endif  // THEANO_COMPAT_VECTOR_MATH
