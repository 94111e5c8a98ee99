#pragma once
// Internal to ops/linalg*.cpp: the BLAS drivers behind the linear-algebra front ends.
// The front ends check arguments and allocate; the drivers pick BLAS layouts from the
// strides (copying an operand only when neither a row- nor a column-major reading fits),
// widen bfloat16 to float32, and split batches over threads.
#include "ember/core/tensor.h"

namespace ember::linalg_detail {

// c = beta * c + alpha * a @ b. c, a, b are all 2-D (m x n, m x k, k x n) or all 3-D with
// equal batch sizes, of one dtype that gemm supports. c may be any strided view without
// internal overlap and must not share memory with a or b. When beta == 0, c is only written.
void gemm(const Tensor& c, const Tensor& a, const Tensor& b, const Scalar& beta, const Scalar& alpha);

// y = beta * y + alpha * a @ x, with a m x k, x of k and y of m elements.
void gemv(const Tensor& y, const Tensor& a, const Tensor& x, const Scalar& beta, const Scalar& alpha);

// a . b for two 1-D tensors of one dtype and size, as a 0-dim tensor.
Tensor dot(const Tensor& a, const Tensor& b);

// out= dtype rule of the linear-algebra ops: exactly the result dtype, with PyTorch's
// message "Expected out tensor to have dtype float, but got double instead".
void check_out_dtype(const Tensor& out, ScalarType dt);

// Is s zero once converted to dtype dt (beta = 0.5 is 0 for an integer result, as in PyTorch)?
bool is_zero_in(const Scalar& s, ScalarType dt);

}  // namespace ember::linalg_detail
