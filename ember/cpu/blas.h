#pragma once
// The CPU's BLAS kernels, typed; register_blas() puts type-erased wrappers into the stubs
// of kernels/blas.h, which the linear-algebra ops (ops/linalg_gemm.cpp) call. float and double go to oneDNN
// or OpenBLAS (Note [GEMM backends] in blas.cpp), threaded by ember's pool (Note [GEMM
// threading]); integer types use a blocked loop, as PyTorch supports integer mm on
// the CPU. bfloat16 GEMMs go to oneDNN's bf16 matmul (Note [bfloat16 GEMM] in
// onednn_matmul.cpp) or are widened here (gemm_bf16); bfloat16 GEMV and DOT are widened by
// the caller.
//
// All matrices are row-major in the cblas sense: element (i, j) of a non-transposed
// operand is at p[i * ld + j], of a transposed one at p[j * ld + i]. The callers choose
// trans/ld from the tensors' strides so that transposed views need no copy.
#include <cstdint>

#include "ember/core/half.h"

namespace ember::cpu {

// c[m x n] = alpha * op(a)[m x k] @ op(b)[k x n] + beta * c. When beta == 0, c is not
// read (NaN in c does not propagate), as in BLAS and PyTorch. k == 0 is allowed.
template <class T>
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t lda,
          const T* b, int64_t ldb, T beta, T* c, int64_t ldc);

// y[m] = alpha * op(a) @ x + beta * y, where a is m x n (trans: a is stored n x m). Vector
// strides must be positive.
template <class T>
void gemv(bool trans_a, int64_t m, int64_t n, T alpha, const T* a, int64_t lda, const T* x, int64_t incx,
          T beta, T* y, int64_t incy);

// sum_i x[i * incx] * y[i * incy]; strides must be positive.
template <class T>
T dot(int64_t n, const T* x, int64_t incx, const T* y, int64_t incy);

// Sets OpenMP (which oneDNN and OpenBLAS thread with) to one thread on the calling thread
// wherever something else has set it higher (Note [GEMM threading] in blas.cpp). Call it
// before any oneDNN or BLAS call.
void serial_blas_here();

// How many blocks of rows or columns (len of them) a product of `work` multiply-adds is
// split into, one per thread of ember's pool (Note [GEMM threading]); 1 inside a parallel
// region or below the size where waking a thread pays.
int64_t gemm_blocks(int64_t len, double work);

// The bfloat16 GEMM behind gemm_stub: alpha and beta are floats; oneDNN's bf16 matmul where
// it runs, else op(a), op(b) (and c when beta != 0) widened to float32, a float32 GEMM, and
// one rounding of each element of c.
void gemm_bf16(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const BFloat16* a,
               int64_t lda, const BFloat16* b, int64_t ldb, float beta, BFloat16* c, int64_t ldc);

// Fills kernels::gemm_stub, gemv_stub and dot_stub (for every CPU instruction set: the
// libraries choose their own code paths at run time).
void register_blas();

}  // namespace ember::cpu
