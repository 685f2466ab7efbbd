#section support_code

// Matrix products for the C++ ops of theano_compat (the convolutions of
// tensor/nnet/corr_gemm.cpp): the gemm of the BLAS that PyTensor links,
// called on row-major matrices, and product(), which shares one product
// out among the threads of parallel_for.cpp.  An op lists this file after
// parallel_for.cpp and puts PyTensor's BLAS declarations (sgemm_, dgemm_)
// before both.

#ifndef THEANO_COMPAT_GEMM
#define THEANO_COMPAT_GEMM

#include <Python.h>
#include <numpy/arrayobject.h>

namespace blas {

inline void fortran_gemm(char* ta, char* tb, const int* m, const int* n,
                         const int* k, const float* alpha, const float* a,
                         const int* lda, const float* b, const int* ldb,
                         const float* beta, float* c, const int* ldc) {
    sgemm_(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

inline void fortran_gemm(char* ta, char* tb, const int* m, const int* n,
                         const int* k, const double* alpha, const double* a,
                         const int* lda, const double* b, const int* ldb,
                         const double* beta, double* c, const int* ldc) {
    dgemm_(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

// C (m x n) = op(A) . op(B), every matrix row-major with the given row
// lengths; op transposes when asked.  The Fortran BLAS sees each row-major
// matrix as its transpose, so it is asked for C^T = op(B)^T . op(A)^T.
template <typename T>
void gemm(bool trans_a, bool trans_b, int m, int n, int k, const T* a,
          int lda, const T* b, int ldb, T* c, int ldc) {
    char ta = trans_b ? 'T' : 'N', tb = trans_a ? 'T' : 'N';
    const T one = 1, zero = 0;
    fortran_gemm(&ta, &tb, &n, &m, &k, &one, b, &ldb, a, &lda, &zero, c,
                 &ldc);
}

// OpenBLAS's thread count, where the BLAS is OpenBLAS (the pip wheel's
// prefixed names, or the plain ones); weak, so that another BLAS leaves
// them null.
extern "C" {
int scipy_openblas_get_num_threads(void) __attribute__((weak));
void scipy_openblas_set_num_threads(int) __attribute__((weak));
int openblas_get_num_threads(void) __attribute__((weak));
void openblas_set_num_threads(int) __attribute__((weak));
}

// Keeps OpenBLAS to one thread for as long as it lives (where the BLAS is
// OpenBLAS; any other is left alone), then gives it back its count: for
// the gemms of product()'s blocks, run side by side on this file's
// threads, and for a long, thin product run whole on one thread.  The
// count is OpenBLAS's global setting, so a gemm started meanwhile by
// another thread of the program also runs on one thread; it computes the
// same.
class OneBlasThread {
  public:
    explicit OneBlasThread(bool wanted) : set_(0), before_(0) {
        if (!wanted) return;
        if (scipy_openblas_get_num_threads && scipy_openblas_set_num_threads) {
            before_ = scipy_openblas_get_num_threads();
            set_ = scipy_openblas_set_num_threads;
        } else if (openblas_get_num_threads && openblas_set_num_threads) {
            before_ = openblas_get_num_threads();
            set_ = openblas_set_num_threads;
        }
        if (before_ > 1) set_(1);
        else set_ = 0;
    }
    ~OneBlasThread() { if (set_) set_(before_); }
  private:
    void (*set_)(int);
    int before_;
};

// Whether a product of an m x n result over an inner dimension k is long
// and thin: too small to cut into blocks, with an inner dimension so long
// that OpenBLAS's threads would meet at hundreds of its blocks for little
// work each (a first layer's filter gradient: 20 x 25 summed over 288000
// positions), costing more than a second thread saves, and many times the
// whole product when the machine is busy.  It runs on one thread.
inline bool long_and_thin(npy_intp m, npy_intp n, npy_intp k) {
    return k > 64 * m * n;
}

// How many runs of its inner dimension a long, thin product is cut into:
// a fixed number, so that the result does not depend on the thread count.
const int INNER_PARTS = 8;

// C (m x n) = op(A) . op(B), on up to `threads` threads, as gemm() computes
// it: C's columns (its rows, if it has fewer columns than rows) are cut
// into blocks, and each block is one gemm over the whole inner dimension,
// on one BLAS thread; each entry of C is thus computed as one gemm would.
// The blocks are shared out as parallel_for's chunks are, so that a thread
// held back by a busy machine delays only its own block, where OpenBLAS's
// own threads would wait for each other at every block of the inner
// dimension.  A result too small to cut but long and thin (see
// long_and_thin) is instead summed in INNER_PARTS runs of the inner
// dimension, one gemm each into `spare` (INNER_PARTS * m * n entries; NULL:
// one gemm on one thread), then added up in a fixed order.
template <typename T>
void product(bool trans_a, bool trans_b, npy_intp m, npy_intp n, npy_intp k,
             const T* a, npy_intp lda, const T* b, npy_intp ldb, T* c,
             npy_intp ldc, int threads, T* spare = NULL) {
    const npy_intp MIN_SIDE = 64;  // narrower blocks make slow gemms
    const bool by_columns = n >= m;
    const npy_intp side = by_columns ? n : m;
    npy_intp blocks = threads > 1 ? 4 * threads : 1;
    if (blocks > side / MIN_SIDE) blocks = side / MIN_SIDE;
    if (blocks <= 1 && long_and_thin(m, n, k) && spare) {
        OneBlasThread one(true);
        const npy_intp per = (k + INNER_PARTS - 1) / INNER_PARTS;
        parallel::parallel_for(INNER_PARTS, m * n * per, threads,
            [&](parallel::index_t begin, parallel::index_t end) {
                for (parallel::index_t part = begin; part < end; ++part) {
                    const npy_intp k0 = part * per;
                    const npy_intp k1 = k0 + per < k ? k0 + per : k;
                    T* out = spare + part * m * n;
                    if (k0 >= k1) {
                        for (npy_intp i = 0; i < m * n; ++i) out[i] = 0;
                        continue;
                    }
                    gemm<T>(trans_a, trans_b, (int)m, (int)n, (int)(k1 - k0),
                            trans_a ? a + k0 * lda : a + k0, (int)lda,
                            trans_b ? b + k0 : b + k0 * ldb, (int)ldb, out,
                            (int)n);
                }
            });
        for (npy_intp i = 0; i < m; ++i)
            for (npy_intp j = 0; j < n; ++j) {
                T sum = 0;
                for (int part = 0; part < INNER_PARTS; ++part)
                    sum += spare[(part * m + i) * n + j];
                c[i * ldc + j] = sum;
            }
        return;
    }
    if (blocks <= 1) {
        OneBlasThread one(long_and_thin(m, n, k));
        gemm<T>(trans_a, trans_b, (int)m, (int)n, (int)k, a, (int)lda, b,
                (int)ldb, c, (int)ldc);
        return;
    }
    OneBlasThread one(true);
    const npy_intp per = (side + blocks - 1) / blocks;
    parallel::parallel_for(blocks, m * n * k / blocks, threads,
        [&](parallel::index_t begin, parallel::index_t end) {
            for (parallel::index_t block = begin; block < end; ++block) {
                const npy_intp s0 = block * per;
                const npy_intp s1 = s0 + per < side ? s0 + per : side;
                if (s0 >= s1) continue;
                if (by_columns)
                    gemm<T>(trans_a, trans_b, (int)m, (int)(s1 - s0), (int)k,
                            a, (int)lda, trans_b ? b + s0 * ldb : b + s0,
                            (int)ldb, c + s0, (int)ldc);
                else
                    gemm<T>(trans_a, trans_b, (int)(s1 - s0), (int)n, (int)k,
                            trans_a ? a + s0 : a + s0 * lda, (int)lda, b,
                            (int)ldb, c + s0 * ldc, (int)ldc);
            }
        });
}


// ---------------------------------------------------------------------------
// A float32 micro-kernel of our own, for the convolutions' blocked loops
// (tensor/nnet/corr_gemm.cpp), where the operands are packed from the
// images as they are needed rather than unrolled whole for OpenBLAS.
// Compiled where the compiler targets AVX2 and FMA (THEANO_COMPAT_SKERNEL
// is then defined); elsewhere the convolutions keep OpenBLAS.
//
// kernel_5x16 computes a tile of MR = 5 rows and NR = 16 columns of a
// product C = A . B over an inner dimension of k: the tile's ten 8-wide
// sums stay in registers, and each step broadcasts five entries of A and
// loads sixteen of B.  A is packed as k groups of five (a[step * 5 + row]),
// B as k rows of sixteen (b[step * 16 + column]); C has rows ldc apart,
// and is overwritten, or added to when `accumulate`.  Each entry of C is
// the sum over the steps in their order: the same whatever calls it.
// Five rows fit the layers' filter counts (20, 50) exactly, and a tile of
// 16 columns with its five broadcasts keeps the two FMA units of a core
// busy (10 multiply-adds for 7 loads a step).

#if defined(__AVX2__) && defined(__FMA__)
#define THEANO_COMPAT_SKERNEL 1
}  // namespace blas
#include <immintrin.h>
namespace blas {

const int MR = 5, NR = 16;

inline void kernel_5x16(npy_intp k, const float* __restrict a,
                        const float* __restrict b, float* __restrict c,
                        npy_intp ldc, bool accumulate) {
    __m256 c00, c01, c10, c11, c20, c21, c30, c31, c40, c41;
    if (accumulate) {
        c00 = _mm256_loadu_ps(c);           c01 = _mm256_loadu_ps(c + 8);
        c10 = _mm256_loadu_ps(c + ldc);     c11 = _mm256_loadu_ps(c + ldc + 8);
        c20 = _mm256_loadu_ps(c + 2 * ldc);
        c21 = _mm256_loadu_ps(c + 2 * ldc + 8);
        c30 = _mm256_loadu_ps(c + 3 * ldc);
        c31 = _mm256_loadu_ps(c + 3 * ldc + 8);
        c40 = _mm256_loadu_ps(c + 4 * ldc);
        c41 = _mm256_loadu_ps(c + 4 * ldc + 8);
    } else {
        c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41
            = _mm256_setzero_ps();
    }
    for (npy_intp step = 0; step < k; ++step) {
        const __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
        __m256 x;
        x = _mm256_broadcast_ss(a);
        c00 = _mm256_fmadd_ps(x, b0, c00); c01 = _mm256_fmadd_ps(x, b1, c01);
        x = _mm256_broadcast_ss(a + 1);
        c10 = _mm256_fmadd_ps(x, b0, c10); c11 = _mm256_fmadd_ps(x, b1, c11);
        x = _mm256_broadcast_ss(a + 2);
        c20 = _mm256_fmadd_ps(x, b0, c20); c21 = _mm256_fmadd_ps(x, b1, c21);
        x = _mm256_broadcast_ss(a + 3);
        c30 = _mm256_fmadd_ps(x, b0, c30); c31 = _mm256_fmadd_ps(x, b1, c31);
        x = _mm256_broadcast_ss(a + 4);
        c40 = _mm256_fmadd_ps(x, b0, c40); c41 = _mm256_fmadd_ps(x, b1, c41);
        a += MR;
        b += NR;
    }
    _mm256_storeu_ps(c, c00);               _mm256_storeu_ps(c + 8, c01);
    _mm256_storeu_ps(c + ldc, c10);         _mm256_storeu_ps(c + ldc + 8, c11);
    _mm256_storeu_ps(c + 2 * ldc, c20);     _mm256_storeu_ps(c + 2 * ldc + 8, c21);
    _mm256_storeu_ps(c + 3 * ldc, c30);     _mm256_storeu_ps(c + 3 * ldc + 8, c31);
    _mm256_storeu_ps(c + 4 * ldc, c40);     _mm256_storeu_ps(c + 4 * ldc + 8, c41);
}

// Transposes the 8 x 8 block of rows r[0..8] (8 floats each) in place:
// r[i][j] becomes r[j][i].
inline void transpose_8x8(__m256* r) {
    const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]);
    const __m256 t1 = _mm256_unpackhi_ps(r[0], r[1]);
    const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]);
    const __m256 t3 = _mm256_unpackhi_ps(r[2], r[3]);
    const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]);
    const __m256 t5 = _mm256_unpackhi_ps(r[4], r[5]);
    const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]);
    const __m256 t7 = _mm256_unpackhi_ps(r[6], r[7]);
    const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44);
    const __m256 u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44);
    const __m256 u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44);
    const __m256 u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44);
    const __m256 u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    r[0] = _mm256_permute2f128_ps(u0, u4, 0x20);
    r[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
    r[2] = _mm256_permute2f128_ps(u2, u6, 0x20);
    r[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
    r[4] = _mm256_permute2f128_ps(u0, u4, 0x31);
    r[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
    r[6] = _mm256_permute2f128_ps(u2, u6, 0x31);
    r[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
}
#endif

}  // namespace blas

#endif
