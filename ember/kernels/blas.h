#pragma once
// The BLAS kernel families the linear-algebra ops (ops/linalg_gemm.cpp) call: GEMM, GEMV
// and DOT, one DispatchStub each (Note [Dispatch by device] in kernels/stub.h). The CPU's
// are in cpu/blas.cpp (oneDNN or OpenBLAS for float and double, oneDNN's bf16 matmul for
// bfloat16 GEMM, a blocked loop for the integer types).
//
// All matrices are row-major in the cblas sense: element (i, j) of a non-transposed
// operand is at p[i * ld + j], of a transposed one at p[j * ld + i]. The callers choose
// trans/ld from the tensors' strides so that transposed views need no copy. Scalars
// (alpha, beta, the dot result) are passed by address as values of `dtype`, so integer
// products stay exact; for a bfloat16 GEMM they are floats (its accumulation type). GEMV
// and DOT take no bfloat16: the ops widen those.
#include <cstdint>

#include "ember/core/dtype.h"
#include "ember/kernels/stub.h"

namespace ember::kernels {

// c[m x n] = alpha * op(a)[m x k] @ op(b)[k x n] + beta * c. When beta == 0, c is not
// read (NaN in c does not propagate), as in BLAS and PyTorch. k == 0 is allowed.
using GemmKernel = void (*)(ScalarType dtype, bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k,
                            const void* alpha, const void* a, int64_t lda, const void* b, int64_t ldb,
                            const void* beta, void* c, int64_t ldc);
// y[m] = alpha * op(a) @ x + beta * y, where a is m x n (trans: a is stored n x m). Vector
// strides must be positive.
using GemvKernel = void (*)(ScalarType dtype, bool trans_a, int64_t m, int64_t n, const void* alpha, const void* a,
                            int64_t lda, const void* x, int64_t incx, const void* beta, void* y, int64_t incy);
// *result = sum_i x[i * incx] * y[i * incy]; strides must be positive.
using DotKernel = void (*)(ScalarType dtype, int64_t n, const void* x, int64_t incx, const void* y, int64_t incy,
                           void* result);

// The largest dimension or leading dimension the BLAS interface takes (32-bit blasint).
constexpr int64_t kMaxBlasDim = 0x7fffffff;

inline DispatchStub<GemmKernel> gemm_stub{"gemm"};
inline DispatchStub<GemvKernel> gemv_stub{"gemv"};
inline DispatchStub<DotKernel> dot_stub{"dot"};

}  // namespace ember::kernels
