#pragma once
// linear and bilinear (torch.nn.functional.linear / bilinear), the ops behind nn::Linear.
#include "ember/core/tensor.h"

namespace ember {

// input [..., in] x weight [out, in]^T + bias [out]. A 2-D input with a bias is one addmm
// (AddmmBackward0 in the graph, as in PyTorch).
Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias = {});
// y[..., o] = sum_ij x1[..., i] W[o, i, j] x2[..., j] + b[o].
Tensor bilinear(const Tensor& input1, const Tensor& input2, const Tensor& weight, const Tensor& bias = {});

}  // namespace ember
