#pragma once
// bfloat16 GEMM through oneDNN's matmul primitive (Note [bfloat16 GEMM] in
// onednn_matmul.cpp). Matrices follow the cblas row-major convention of cpu/blas.h.
#include <cstdint>

#include "ember/core/half.h"

namespace ember::cpu {

// c[m x n] = alpha * op(a)[m x k] @ op(b)[k x n] + beta * c: bfloat16 operands, products
// summed in float32, each element of c rounded to bfloat16 once. beta == 0 does not read c.
// Returns false, touching nothing, when oneDNN does not compute it (not built in,
// EMBER_GEMM=openblas, no bf16 kernels for this CPU): the caller widens to float32.
bool onednn_gemm_bf16(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const BFloat16* a,
                      int64_t lda, const BFloat16* b, int64_t ldb, float beta, BFloat16* c, int64_t ldc);

}  // namespace ember::cpu
