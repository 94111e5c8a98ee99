// BLAS kernels: cblas for float/double, a blocked loop for integer types (blas.h).
//
// Note [GEMM backends]
// float32 GEMMs of at least kOneDnnMinWork multiply-adds go to oneDNN's dnnl_sgemm, the rest
// (and every float64 one) to OpenBLAS. oneDNN generates its kernels at run time for the CPU
// it finds (AVX-512 on the reference Zen 4 machines), where Debian 12's OpenBLAS 0.3.21 runs
// AVX2 kernels: W5's 1024^3 product goes from ~100 to ~195 GFLOP/s on one core. oneDNN pays
// a few microseconds of dispatch per call, which loses on tiny products, hence the cut-off.
// dnnl_sgemm with beta == 0 does not read C, as BLAS. EMBER_GEMM=openblas sends everything
// to OpenBLAS (for comparisons).
//
// Note [GEMM threading]
// oneDNN's Debian build and OpenBLAS's openmp flavour thread with OpenMP, whose idle
// threads spin for milliseconds and would compete with ember's own pool for the same cores
// (Note [Threads that yield] in core/thread_pool.h). So both libraries run with one OpenMP
// thread on every thread that calls them (serial_blas_here), and a large product is split
// here into row or column blocks of C, one per thread of ember's pool, each computed by one
// single-threaded library call. Each element of C still comes from the same k-long dot
// product; only the blocking changes.
#include "ember/cpu/blas.h"

#include "ember/kernels/blas.h"

#include <cblas.h>
#include <omp.h>
#if defined(EMBER_HAVE_ONEDNN)
#include <oneapi/dnnl/dnnl.h>
#endif

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <type_traits>

#include "ember/core/error.h"
#include "ember/core/parallel.h"
#include "ember/cpu/onednn_matmul.h"

namespace ember::cpu {

namespace {

inline blasint to_blas(int64_t v) {
  EMBER_CHECK(v >= 0 && v <= kernels::kMaxBlasDim, "matrix dimension ", v, " is too large for the BLAS interface");
  return static_cast<blasint>(v);
}

// c = beta * c over an m x n block, treating beta == 0 as "overwrite" (no NaN propagation).
template <class T>
void scale_rows(int64_t m, int64_t n, T beta, T* c, int64_t ldc) {
  if (beta == T(1)) return;
  for (int64_t i = 0; i < m; ++i) {
    T* row = c + i * ldc;
    if (beta == T(0)) {
      std::fill(row, row + n, T(0));
    } else {
      for (int64_t j = 0; j < n; ++j) row[j] = static_cast<T>(beta * row[j]);
    }
  }
}

// Integer GEMM. Accumulates in uint64_t: unsigned arithmetic wraps modulo 2^64, so the low
// bits (all that survive the final cast to T) equal those of PyTorch's wrapping integer
// arithmetic, without the undefined behaviour of signed overflow.
template <class T>
void gemm_integer(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t lda,
                  const T* b, int64_t ldb, T beta, T* c, int64_t ldc) {
  using U = uint64_t;
  auto wide = [](T v) { return static_cast<U>(static_cast<int64_t>(v)); };
  const U ualpha = wide(alpha), ubeta = wide(beta);
  constexpr int64_t kBlockN = 256;  // the accumulator row stays in L1
  // Rows are independent; split them so that each chunk does at least ~kGrainSize multiplies.
  const int64_t work_per_row = std::max<int64_t>(1, n * std::max<int64_t>(k, 1));
  const int64_t grain = std::max<int64_t>(1, kGrainSize / work_per_row);
  parallel_for(0, m, grain, [&](int64_t i0, int64_t i1) {
    U acc[kBlockN];
    for (int64_t i = i0; i < i1; ++i) {
      for (int64_t j0 = 0; j0 < n; j0 += kBlockN) {
        const int64_t bn = std::min(kBlockN, n - j0);
        std::fill(acc, acc + bn, U(0));
        for (int64_t p = 0; p < k; ++p) {
          const U av = wide(trans_a ? a[p * lda + i] : a[i * lda + p]);
          if (av == 0) continue;
          if (!trans_b) {
            const T* brow = b + p * ldb + j0;
            for (int64_t j = 0; j < bn; ++j) acc[j] += av * wide(brow[j]);
          } else {
            const T* bcol = b + j0 * ldb + p;
            for (int64_t j = 0; j < bn; ++j) acc[j] += av * wide(bcol[j * ldb]);
          }
        }
        T* crow = c + i * ldc + j0;
        for (int64_t j = 0; j < bn; ++j) {
          U v = ualpha * acc[j];
          if (beta != T(0)) v += ubeta * wide(crow[j]);
          crow[j] = static_cast<T>(v);
        }
      }
    }
  });
}

#if defined(EMBER_HAVE_ONEDNN)
constexpr double kOneDnnMinWork = 64.0 * 64.0 * 64.0;

bool onednn_enabled() {
  static const bool enabled = [] {
    const char* env = std::getenv("EMBER_GEMM");
    return !(env && std::strcmp(env, "openblas") == 0);
  }();
  return enabled;
}

// True when oneDNN computed the product.
bool onednn_sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
                  int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  if (static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k) < kOneDnnMinWork ||
      !onednn_enabled())
    return false;
  return dnnl_sgemm(trans_a ? 'T' : 'N', trans_b ? 'T' : 'N', m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) ==
         dnnl_success;
}
#endif

}  // namespace

// Note [GEMM threading]: the BLAS libraries stay on the calling thread.
// The OpenMP setting is checked on every call, not once per thread: it is per thread but
// shared with whatever else in the process links libgomp, and a library that sets it again
// (LibTorch's at::set_num_threads in the same process, a user's omp_set_num_threads) would
// otherwise have oneDNN start OpenMP threads beside ember's pool on a thread that already
// called this. Reading the setting costs a few nanoseconds.
void serial_blas_here() {
  if (omp_get_max_threads() != 1) omp_set_num_threads(1);  // oneDNN reads this thread's setting
  thread_local bool openblas_done = false;
  if (openblas_done) return;
  openblas_set_num_threads(1);   // process-wide; repeating it from each thread is harmless
  openblas_done = true;
}

// Below this many multiply-adds a product stays on one thread: waking another costs more.
constexpr double kMinParallelGemmWork = 1 << 18;
// Blocks of C are at least this many rows or columns, so each call still amortises packing.
constexpr int64_t kMinGemmBlock = 32;

int64_t gemm_blocks(int64_t len, double work) {
  if (work < kMinParallelGemmWork || in_parallel_region()) return 1;
  return std::max<int64_t>(1, std::min<int64_t>(get_num_threads(), len / kMinGemmBlock));
}

namespace {

template <class T>
void blas_gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t lda,
               const T* b, int64_t ldb, T beta, T* c, int64_t ldc) {
  const auto ta = trans_a ? CblasTrans : CblasNoTrans, tb = trans_b ? CblasTrans : CblasNoTrans;
  if constexpr (std::is_same_v<T, float>) {
#if defined(EMBER_HAVE_ONEDNN)
    if (onednn_sgemm(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)) return;
#endif
    cblas_sgemm(CblasRowMajor, ta, tb, to_blas(m), to_blas(n), to_blas(k), alpha, a, to_blas(lda), b,
                to_blas(ldb), beta, c, to_blas(ldc));
  } else {
    cblas_dgemm(CblasRowMajor, ta, tb, to_blas(m), to_blas(n), to_blas(k), alpha, a, to_blas(lda), b,
                to_blas(ldb), beta, c, to_blas(ldc));
  }
}

}  // namespace

template <class T>
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t lda,
          const T* b, int64_t ldb, T beta, T* c, int64_t ldc) {
  if (m == 0 || n == 0) return;
  if (k == 0) {  // the product is empty: only the beta term remains
    scale_rows(m, n, beta, c, ldc);
    return;
  }
  if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
    serial_blas_here();
    const double work = static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
    const bool by_rows = m >= n;  // split the longer side of C
    const int64_t blocks = gemm_blocks(by_rows ? m : n, work);
    if (blocks <= 1) return blas_gemm<T>(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    const int64_t len = by_rows ? m : n;
    parallel_for(0, blocks, 1, [&](int64_t b0, int64_t b1) {
      serial_blas_here();
      for (int64_t blk = b0; blk < b1; ++blk) {
        const int64_t lo = blk * len / blocks, hi = (blk + 1) * len / blocks;
        if (by_rows) {  // rows lo..hi of op(A) and of C
          const T* ablk = trans_a ? a + lo : a + lo * lda;
          blas_gemm<T>(trans_a, trans_b, hi - lo, n, k, alpha, ablk, lda, b, ldb, beta, c + lo * ldc, ldc);
        } else {  // columns lo..hi of op(B) and of C
          const T* bblk = trans_b ? b + lo * ldb : b + lo;
          blas_gemm<T>(trans_a, trans_b, m, hi - lo, k, alpha, a, lda, bblk, ldb, beta, c + lo, ldc);
        }
      }
    });
  } else {
    gemm_integer<T>(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  }
}

template <class T>
void gemv(bool trans_a, int64_t m, int64_t n, T alpha, const T* a, int64_t lda, const T* x, int64_t incx, T beta,
          T* y, int64_t incy) {
  if (m == 0) return;
  if (beta == T(0)) {
    // Clear y ourselves: whether BLAS's internal scal(0) keeps NaN differs between versions.
    for (int64_t i = 0; i < m; ++i) y[i * incy] = T(0);
  }
  if (n == 0) {
    if (beta != T(0) && beta != T(1))
      for (int64_t i = 0; i < m; ++i) y[i * incy] = static_cast<T>(beta * y[i * incy]);
    return;
  }
  if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
    serial_blas_here();
    // y (m long) = op(A) x; op(A)'s rows i are A's rows (or columns when transposed).
    auto rows = [&](int64_t lo, int64_t hi) {
      const T* ablk = trans_a ? a + lo : a + lo * lda;
      // cblas takes the stored matrix's rows x cols; a transposed operand is stored n x m.
      const blasint r = to_blas(trans_a ? n : hi - lo), cl = to_blas(trans_a ? hi - lo : n);
      const auto ta = trans_a ? CblasTrans : CblasNoTrans;
      if constexpr (std::is_same_v<T, float>)
        cblas_sgemv(CblasRowMajor, ta, r, cl, alpha, ablk, to_blas(lda), x, to_blas(incx), beta, y + lo * incy,
                    to_blas(incy));
      else
        cblas_dgemv(CblasRowMajor, ta, r, cl, alpha, ablk, to_blas(lda), x, to_blas(incx), beta, y + lo * incy,
                    to_blas(incy));
    };
    const int64_t blocks = gemm_blocks(m, static_cast<double>(m) * static_cast<double>(n));
    if (blocks <= 1) return rows(0, m);
    parallel_for(0, blocks, 1, [&](int64_t b0, int64_t b1) {
      serial_blas_here();
      for (int64_t blk = b0; blk < b1; ++blk) rows(blk * m / blocks, (blk + 1) * m / blocks);
    });
  } else {
    // y is an m x 1 matrix with row stride incy; x a k x 1 matrix with row stride incx.
    gemm_integer<T>(trans_a, false, m, 1, n, alpha, a, lda, x, incx, beta, y, incy);
  }
}

template <class T>
T dot(int64_t n, const T* x, int64_t incx, const T* y, int64_t incy) {
  if (n == 0) return T(0);
  serial_blas_here();
  if constexpr (std::is_same_v<T, float>) {
    return cblas_sdot(to_blas(n), x, to_blas(incx), y, to_blas(incy));
  } else if constexpr (std::is_same_v<T, double>) {
    return cblas_ddot(to_blas(n), x, to_blas(incx), y, to_blas(incy));
  } else {
    uint64_t acc = 0;  // wraps like PyTorch's integer arithmetic; see gemm_integer
    for (int64_t i = 0; i < n; ++i)
      acc += static_cast<uint64_t>(static_cast<int64_t>(x[i * incx])) *
             static_cast<uint64_t>(static_cast<int64_t>(y[i * incy]));
    return static_cast<T>(acc);
  }
}

#define EMBER_BLAS_INSTANTIATE(T)                                                                         \
  template void gemm<T>(bool, bool, int64_t, int64_t, int64_t, T, const T*, int64_t, const T*, int64_t, T, \
                        T*, int64_t);                                                                     \
  template void gemv<T>(bool, int64_t, int64_t, T, const T*, int64_t, const T*, int64_t, T, T*, int64_t);  \
  template T dot<T>(int64_t, const T*, int64_t, const T*, int64_t);
EMBER_BLAS_INSTANTIATE(float)
EMBER_BLAS_INSTANTIATE(double)
EMBER_BLAS_INSTANTIATE(uint8_t)
EMBER_BLAS_INSTANTIATE(int8_t)
EMBER_BLAS_INSTANTIATE(int16_t)
EMBER_BLAS_INSTANTIATE(int32_t)
EMBER_BLAS_INSTANTIATE(int64_t)
#undef EMBER_BLAS_INSTANTIATE

namespace {
// The stored rows x cols matrix at p (leading dimension ld) as a dense float32 one.
std::unique_ptr<float[]> widen_matrix(const BFloat16* p, int64_t rows, int64_t cols, int64_t ld) {
  std::unique_ptr<float[]> out(new float[std::max<int64_t>(rows * cols, 1)]);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) out[i * cols + j] = static_cast<float>(p[i * ld + j]);
  return out;
}
}  // namespace

void gemm_bf16(bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha, const BFloat16* a, int64_t lda,
               const BFloat16* b, int64_t ldb, float beta, BFloat16* c, int64_t ldc) {
  if (m == 0 || n == 0) return;
  if (k > 0 && onednn_gemm_bf16(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)) return;
  // Widened (Note [bfloat16 GEMM]): exact conversions, a float32 GEMM, one rounding.
  const int64_t ar = ta ? k : m, ac = ta ? m : k, br = tb ? n : k, bc = tb ? k : n;
  auto af = widen_matrix(a, ar, ac, lda), bf = widen_matrix(b, br, bc, ldb);
  std::unique_ptr<float[]> cf = beta != 0.0f ? widen_matrix(c, m, n, ldc) : std::unique_ptr<float[]>(new float[m * n]);
  gemm<float>(ta, tb, m, n, k, alpha, af.get(), ac, bf.get(), bc, beta, cf.get(), n);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) c[i * ldc + j] = BFloat16(cf[i * n + j]);
}

namespace {
// One switch over the dtypes gemm/gemv/dot are instantiated for.
template <class F>
void with_blas_type(ScalarType dtype, F&& f) {
  switch (dtype) {
    case kFloat32: return f(float{});
    case kFloat64: return f(double{});
    case kUInt8: return f(uint8_t{});
    case kInt8: return f(int8_t{});
    case kInt16: return f(int16_t{});
    case kInt32: return f(int32_t{});
    case kInt64: return f(int64_t{});
    default: EMBER_THROW(Error, "BLAS kernels do not take ", dtype);
  }
}

void gemm_any(ScalarType dtype, bool ta, bool tb, int64_t m, int64_t n, int64_t k, const void* alpha, const void* a,
              int64_t lda, const void* b, int64_t ldb, const void* beta, void* c, int64_t ldc) {
  if (dtype == kBFloat16)
    return gemm_bf16(ta, tb, m, n, k, *static_cast<const float*>(alpha), static_cast<const BFloat16*>(a), lda,
                     static_cast<const BFloat16*>(b), ldb, *static_cast<const float*>(beta), static_cast<BFloat16*>(c),
                     ldc);
  with_blas_type(dtype, [&](auto tag) {
    using T = decltype(tag);
    gemm<T>(ta, tb, m, n, k, *static_cast<const T*>(alpha), static_cast<const T*>(a), lda, static_cast<const T*>(b),
            ldb, *static_cast<const T*>(beta), static_cast<T*>(c), ldc);
  });
}

void gemv_any(ScalarType dtype, bool ta, int64_t m, int64_t n, const void* alpha, const void* a, int64_t lda,
              const void* x, int64_t incx, const void* beta, void* y, int64_t incy) {
  with_blas_type(dtype, [&](auto tag) {
    using T = decltype(tag);
    gemv<T>(ta, m, n, *static_cast<const T*>(alpha), static_cast<const T*>(a), lda, static_cast<const T*>(x), incx,
            *static_cast<const T*>(beta), static_cast<T*>(y), incy);
  });
}

void dot_any(ScalarType dtype, int64_t n, const void* x, int64_t incx, const void* y, int64_t incy, void* result) {
  with_blas_type(dtype, [&](auto tag) {
    using T = decltype(tag);
    *static_cast<T*>(result) = dot<T>(n, static_cast<const T*>(x), incx, static_cast<const T*>(y), incy);
  });
}
}  // namespace

void register_blas() {
  kernels::gemm_stub.register_cpu(kernels::CpuCapability::Default, gemm_any);
  kernels::gemv_stub.register_cpu(kernels::CpuCapability::Default, gemv_any);
  kernels::dot_stub.register_cpu(kernels::CpuCapability::Default, dot_any);
}

}  // namespace ember::cpu
