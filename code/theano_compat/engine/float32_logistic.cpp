#section support_code

// Theano's sigmoid and softplus of float32 arrays, eight values at a time,
// for the Float32Sigmoid and Float32Softplus ops of
// theano_compat.engine.elementwise (after vector_math.cpp, whose exp and
// log1p they call).
//
// PyTensor's C code calls the C library's expf (and log1pf) once per
// element.  Here each value is widened to double, the function computed
// in vectors of four doubles and rounded once to float32 (within 1 ulp of
// the correctly rounded value: see vector_math.cpp), between Theano 1.0.5's
// float32 cut-offs, which are kept as its C code had them:
//
//   sigmoid(x)  = 0 for x < -88, 1 for x > 15, else 1 / (1 + exp(-x));
//   softplus(x) = 0 for x < -103, x for x > 14, else log1p(exp(x)),
//                 computed as max(x, 0) + log1p(exp(-|x|)).
//
// NaN gives NaN, -inf 0, and +inf 1 (sigmoid) or +inf (softplus), as in
// Theano's C code.  The op's code section picks the function by the macro
// FLOAT32_LOGISTIC_SOFTPLUS (1: softplus, 0: sigmoid) that the op defines.
//
// A machine without AVX2 and FMA computes the same in double with the C
// library's exp and log1p, one value at a time.

namespace float32_logistic {

static const double SIGMOID_LOW = -88.0, SIGMOID_HIGH = 15.0;
static const double SOFTPLUS_LOW = -103.0, SOFTPLUS_HIGH = 14.0;

#if defined(__AVX2__) && defined(__FMA__)

static inline __m128 sigmoid4(__m128 x) {
    const __m256d d = _mm256_cvtps_pd(x);
    // -d within [-15, 88], where exp stays finite (NaN goes on through:
    // max and min give their second operand when one is NaN)
    const __m256d y = _mm256_min_pd(
        _mm256_set1_pd(-SIGMOID_LOW),
        _mm256_max_pd(_mm256_set1_pd(-SIGMOID_HIGH),
                      _mm256_xor_pd(d, _mm256_set1_pd(-0.0))));
    const __m256d one = _mm256_set1_pd(1.0);
    __m256d s = _mm256_div_pd(one, _mm256_add_pd(one, vector_math::exp(y)));
    s = _mm256_blendv_pd(
        s, _mm256_setzero_pd(),
        _mm256_cmp_pd(d, _mm256_set1_pd(SIGMOID_LOW), _CMP_LT_OQ));
    s = _mm256_blendv_pd(
        s, one, _mm256_cmp_pd(d, _mm256_set1_pd(SIGMOID_HIGH), _CMP_GT_OQ));
    return _mm256_cvtpd_ps(s);
}

static inline __m128 softplus4(__m128 x) {
    const __m256d d = _mm256_cvtps_pd(x);
    const __m256d sign_bit = _mm256_set1_pd(-0.0);
    // |d| capped at 104, a NaN kept
    const __m256d a = _mm256_min_pd(_mm256_set1_pd(-SOFTPLUS_LOW + 1),
                                    _mm256_andnot_pd(sign_bit, d));
    const __m256d l = vector_math::log1p_unit(
        vector_math::exp(_mm256_xor_pd(a, sign_bit)));
    // max(d, 0) + log1p(exp(-|d|)) (max gives d when d is NaN)
    __m256d s = _mm256_add_pd(_mm256_max_pd(_mm256_setzero_pd(), d), l);
    s = _mm256_blendv_pd(
        s, _mm256_setzero_pd(),
        _mm256_cmp_pd(d, _mm256_set1_pd(SOFTPLUS_LOW), _CMP_LT_OQ));
    s = _mm256_blendv_pd(
        s, d, _mm256_cmp_pd(d, _mm256_set1_pd(SOFTPLUS_HIGH), _CMP_GT_OQ));
    return _mm256_cvtpd_ps(s);
}

#endif

static inline float sigmoid1(float x) {
    const double d = x;
    if (d < SIGMOID_LOW) return 0.0f;
    if (d > SIGMOID_HIGH) return 1.0f;
    return (float)(1.0 / (1.0 + std::exp(-d)));
}

static inline float softplus1(float x) {
    const double d = x;
    if (d < SOFTPLUS_LOW) return 0.0f;
    if (d > SOFTPLUS_HIGH) return x;
    return (float)((d > 0 ? d : 0.0) + std::log1p(std::exp(-std::fabs(d))));
}

// out[i] = softplus(x[i]) (SOFTPLUS) or sigmoid(x[i]) for i < n; out may
// be x.
template <bool SOFTPLUS>
static void run(const float* x, float* out, npy_intp n) {
#if defined(__AVX2__) && defined(__FMA__)
    if (SOFTPLUS)
        vector_math::map_float32(x, out, n, softplus4);
    else
        vector_math::map_float32(x, out, n, sigmoid4);
#else
    for (npy_intp i = 0; i < n; ++i)
        out[i] = SOFTPLUS ? softplus1(x[i]) : sigmoid1(x[i]);
#endif
}

}  // namespace float32_logistic

#section code

// OUTPUT_0 = sigmoid or softplus of INPUT_0, a C-contiguous float32 array
// of its shape.
if (vector_math::map_array(
        INPUT_0, &OUTPUT_0,
        float32_logistic::run<(bool)FLOAT32_LOGISTIC_SOFTPLUS>)) {
    FAIL
}
