#pragma once
// Internal helpers shared by the loss files.
#include "ember/core/tensor.h"
#include "ember/nn/enum.h"

namespace ember::nn::functional::detail {

// none: t; mean: t.mean(); sum: t.sum().
Tensor apply_reduction(const Tensor& t, Reduction r);
// PyTorch's reduction enum: 0 none, 1 mean, 2 sum.
int reduction_code(Reduction r);

}  // namespace ember::nn::functional::detail
