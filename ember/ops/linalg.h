#pragma once
// Linear algebra through BLAS: mm, bmm, matmul, addmm, baddbmm, mv, addmv, dot, outer,
// and the out= forms of mm/bmm/matmul/addmm/mv (out first, as in LibTorch:
// ember::mm_out(out, a, b)). Semantics, dtype rules and error messages follow PyTorch
// 1.13 on the CPU: float32/float64 through OpenBLAS, bfloat16 computed in float32,
// integer dtypes by a loop, bool and float16 rejected as PyTorch rejects them.
#include "ember/core/tensor.h"

namespace ember {

Tensor mm(const Tensor& self, const Tensor& mat2);
Tensor& mm_out(Tensor& out, const Tensor& self, const Tensor& mat2);
Tensor bmm(const Tensor& self, const Tensor& mat2);
Tensor& bmm_out(Tensor& out, const Tensor& self, const Tensor& mat2);
// torch.matmul: dot, mv, mm, or batched with broadcast batch dims; N-D @ 2-D folds the
// batch into one GEMM.
Tensor matmul(const Tensor& self, const Tensor& other);
Tensor& matmul_out(Tensor& out, const Tensor& self, const Tensor& other);

// beta * self + alpha * (mat1 @ mat2); self broadcasts to the result. beta == 0 ignores
// self entirely (NaN in it does not propagate).
Tensor addmm(const Tensor& self, const Tensor& mat1, const Tensor& mat2, const Scalar& beta = 1,
             const Scalar& alpha = 1);
Tensor& addmm_out(Tensor& out, const Tensor& self, const Tensor& mat1, const Tensor& mat2,
                  const Scalar& beta = 1, const Scalar& alpha = 1);
Tensor& addmm_(Tensor& self, const Tensor& mat1, const Tensor& mat2, const Scalar& beta = 1,
               const Scalar& alpha = 1);
Tensor baddbmm(const Tensor& self, const Tensor& batch1, const Tensor& batch2, const Scalar& beta = 1,
               const Scalar& alpha = 1);

Tensor mv(const Tensor& self, const Tensor& vec);
Tensor& mv_out(Tensor& out, const Tensor& self, const Tensor& vec);
Tensor addmv(const Tensor& self, const Tensor& mat, const Tensor& vec, const Scalar& beta = 1,
             const Scalar& alpha = 1);

Tensor dot(const Tensor& self, const Tensor& other);
Tensor vdot(const Tensor& self, const Tensor& other);  // real dtypes only: the same as dot
Tensor outer(const Tensor& self, const Tensor& vec2);
inline Tensor ger(const Tensor& self, const Tensor& vec2) { return outer(self, vec2); }

}  // namespace ember
