#pragma once
// F::one_hot(tensor, num_classes = -1): int64 tensor of shape (*tensor.shape, num_classes)
// with a 1 at each index (num_classes -1: the largest index + 1).
#include "ember/core/tensor.h"

namespace ember::nn::functional {

Tensor one_hot(const Tensor& tensor, int64_t num_classes = -1);

}  // namespace ember::nn::functional
