#pragma once
// Internal: the generic front end of the parametrised activations (ops/activation.cpp),
// shared with their derivative formulas (autograd/derivatives_functional.cpp).
#include "ember/core/tensor.h"
#include "ember/kernels/activation.h"

namespace ember::detail {

// f(x) through the forward kernel; `inplace` writes into x. `name` is the node name.
Tensor activation_forward(kernels::ActOp op, const kernels::ActParams& p, const Tensor& x, bool inplace);
// grad * f'(x) through the backward kernel (no autograd recording).
Tensor activation_backward(kernels::ActOp op, const kernels::ActParams& p, const Tensor& grad, const Tensor& x);
// The kernel's name in PyTorch's "not implemented" errors ("leaky_relu_cpu").
const char* activation_name(kernels::ActOp op);

}  // namespace ember::detail
