#section support_code

// tanh of float32 arrays, eight values at a time, for the Float32Tanh op
// of theano_compat.engine.elementwise (its sections are loaded by
// engine/cop.py).
//
// PyTensor's C code calls the C library's tanhf once per element: about
// 15-20 ns a value on the machines this port is measured on, a tenth of
// the LeNet tutorial's training step.  Here each float32 value is widened
// to double and tanh is computed in 256-bit vectors of four doubles:
//
//   a = |x|, capped at 10 (tanh(10) is 1 to float32's precision);
//   e = expm1(2a) = 2^k (1 + p) - 1, where 2a = k ln2 + r, |r| <= ln2/2,
//       k an integer, and p = expm1(r) is its Taylor polynomial of
//       degree 12 (truncation error under 1e-15 of p);
//   tanh(a) = e / (e + 2), which for a >= 0 subtracts nothing;
//   the sign of x is put back, and the double is rounded to float32.
//
// In double the result is within about 2e-15 of tanh(x), relatively, so
// that rounding it to float32 gives the correctly rounded float32 tanh
// unless tanh(x) lies within that distance of the midpoint between two
// floats, and then the neighbour: at most 1 ulp from the correctly
// rounded value in every case (tests/test_elementwise.py sweeps the
// float32 range and finds no difference at all).  The C library's tanhf
// guarantees less (glibc documents 2 ulps).  Signs of zero, infinities
// (+-1) and NaN (NaN) come out as tanhf gives them; subnormal inputs are
// exact doubles here and come back unchanged, as tanh(x) rounds to x.
//
// A machine without AVX2 and FMA runs the same steps one double at a time
// (a C++ loop the compiler may vectorise as it can).

#include <cmath>
#include <cstring>
#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#endif

namespace float32_tanh {

// 2a is cut into k ln2 + r with ln2 in two parts: LN2_HI has zeros in its
// last bits, so that k * LN2_HI is exact for the k that occur (0 to 29).
static const double LN2_HI = 6.93147180369123816490e-01;
static const double LN2_LO = 1.90821492927058770002e-10;
static const double INV_LN2 = 1.44269504088896338700e+00;
static const double CAP = 10.0;
// 1/n! for n = 12 down to 2: expm1(r) = r + r^2 (1/2! + r (1/3! + ...)).
static const double INV_FACTORIAL[11] = {
    1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0, 1.0 / 362880.0,
    1.0 / 40320.0, 1.0 / 5040.0, 1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0,
    1.0 / 6.0, 1.0 / 2.0};

// One value, the same steps as the vector code (the fallback).
static inline float one(float x) {
    const double d = (double)x;
    double a = std::fabs(d);
    a = a < CAP ? a : (a == a ? CAP : a);  // NaN stays NaN
    const double y = a + a;
    const double k = std::nearbyint(y * INV_LN2);
    const double r = (y - k * LN2_HI) - k * LN2_LO;
    double q = INV_FACTORIAL[0];
    for (int i = 1; i < 11; ++i) q = q * r + INV_FACTORIAL[i];
    const double p = r + (r * r) * q;
    const double scale = std::ldexp(1.0, (int)(k == k ? k : 0));
    const double e = scale * p + (scale - 1.0);
    return (float)std::copysign(e / (e + 2.0), d);
}

#if defined(__AVX2__) && defined(__FMA__)
// Four values, widened to double.
static inline __m128 four(__m128 x) {
    const __m256d d = _mm256_cvtps_pd(x);
    const __m256d sign_bit = _mm256_set1_pd(-0.0);
    const __m256d sign = _mm256_and_pd(d, sign_bit);
    // min(CAP, a) gives a when a is NaN: NaN goes on through
    const __m256d a = _mm256_min_pd(_mm256_set1_pd(CAP),
                                    _mm256_andnot_pd(sign_bit, d));
    const __m256d y = _mm256_add_pd(a, a);
    const __m256d k = _mm256_round_pd(
        _mm256_mul_pd(y, _mm256_set1_pd(INV_LN2)),
        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256d r = _mm256_fnmadd_pd(k, _mm256_set1_pd(LN2_HI), y);
    r = _mm256_fnmadd_pd(k, _mm256_set1_pd(LN2_LO), r);
    __m256d q = _mm256_set1_pd(INV_FACTORIAL[0]);
    for (int i = 1; i < 11; ++i)
        q = _mm256_fmadd_pd(q, r, _mm256_set1_pd(INV_FACTORIAL[i]));
    const __m256d p = _mm256_fmadd_pd(_mm256_mul_pd(r, r), q, r);
    // 2^k from its exponent bits (k is 0 to 29; NaN gives a garbage
    // scale, but p is NaN then)
    const __m128i k32 = _mm_add_epi32(_mm256_cvtpd_epi32(k),
                                      _mm_set1_epi32(1023));
    const __m256d scale = _mm256_castsi256_pd(
        _mm256_slli_epi64(_mm256_cvtepi32_epi64(k32), 52));
    const __m256d e = _mm256_fmadd_pd(
        scale, p, _mm256_sub_pd(scale, _mm256_set1_pd(1.0)));
    const __m256d t = _mm256_div_pd(e, _mm256_add_pd(e, _mm256_set1_pd(2.0)));
    return _mm256_cvtpd_ps(_mm256_or_pd(t, sign));
}
#endif

// out[i] = tanh(x[i]) for i < n; out may be x.
static void run(const float* x, float* out, npy_intp n) {
    npy_intp i = 0;
#if defined(__AVX2__) && defined(__FMA__)
    for (; i + 8 <= n; i += 8) {
        const __m128 low = four(_mm_loadu_ps(x + i));
        const __m128 high = four(_mm_loadu_ps(x + i + 4));
        _mm_storeu_ps(out + i, low);
        _mm_storeu_ps(out + i + 4, high);
    }
    // the last values through the same vector code
    while (i < n) {
        float part[4] = {0, 0, 0, 0};
        const npy_intp m = n - i < 4 ? n - i : 4;
        std::memcpy(part, x + i, m * sizeof(float));
        _mm_storeu_ps(part, four(_mm_loadu_ps(part)));
        std::memcpy(out + i, part, m * sizeof(float));
        i += m;
    }
#else
    for (; i < n; ++i) out[i] = one(x[i]);
#endif
}

}  // namespace float32_tanh

#section code

// OUTPUT_0 = tanh(INPUT_0), a C-contiguous float32 array of its shape.
{
    PyArrayObject* contiguous = PyArray_GETCONTIGUOUS(INPUT_0);
    if (!contiguous) { FAIL }
    const int nd = PyArray_NDIM(contiguous);
    bool reuse = OUTPUT_0 && PyArray_NDIM(OUTPUT_0) == nd
        && PyArray_IS_C_CONTIGUOUS(OUTPUT_0)
        && PyArray_TYPE(OUTPUT_0) == NPY_FLOAT32;
    for (int i = 0; reuse && i < nd; ++i)
        reuse = PyArray_DIMS(OUTPUT_0)[i] == PyArray_DIMS(contiguous)[i];
    if (!reuse) {
        Py_XDECREF(OUTPUT_0);
        OUTPUT_0 = (PyArrayObject*)PyArray_EMPTY(
            nd, PyArray_DIMS(contiguous), NPY_FLOAT32, 0);
        if (!OUTPUT_0) { Py_DECREF(contiguous); FAIL }
    }
    float32_tanh::run((const float*)PyArray_DATA(contiguous),
                      (float*)PyArray_DATA(OUTPUT_0),
                      PyArray_SIZE(contiguous));
    Py_DECREF(contiguous);
}
