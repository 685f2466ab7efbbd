#section support_code

// tanh of float32 arrays, eight values at a time, for the Float32Tanh op
// of theano_compat.engine.elementwise (its sections are loaded by
// engine/cop.py, after vector_math.cpp's, whose expm1 it calls).
//
// PyTensor's C code calls the C library's tanhf once per element: about
// 15-20 ns a value on the machines this port is measured on, a tenth of
// the LeNet tutorial's training step.  Here each float32 value is widened
// to double and tanh is computed in 256-bit vectors of four doubles:
//
//   a = |x|, capped at 10 (tanh(10) is 1 to float32's precision);
//   e = expm1(2a) (vector_math.cpp: a range reduction by ln 2 and a
//       polynomial of degree 12);
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

namespace float32_tanh {

static const double CAP = 10.0;

// One value, the same steps as the vector code (the fallback).
static inline float one(float x) {
    using namespace vector_math;
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
    const __m256d e = vector_math::expm1(_mm256_add_pd(a, a));
    const __m256d t = _mm256_div_pd(e, _mm256_add_pd(e, _mm256_set1_pd(2.0)));
    return _mm256_cvtpd_ps(_mm256_or_pd(t, sign));
}
#endif

// out[i] = tanh(x[i]) for i < n; out may be x.
static void run(const float* x, float* out, npy_intp n) {
#if defined(__AVX2__) && defined(__FMA__)
    vector_math::map_float32(x, out, n, four);
#else
    for (npy_intp i = 0; i < n; ++i) out[i] = one(x[i]);
#endif
}

}  // namespace float32_tanh

#section code

// OUTPUT_0 = tanh(INPUT_0), a C-contiguous float32 array of its shape.
if (vector_math::map_array(INPUT_0, &OUTPUT_0, float32_tanh::run)) {
    FAIL
}
