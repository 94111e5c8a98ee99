#pragma once
// F::normalize(input, F::NormalizeFuncOptions().p(2).dim(1).eps(1e-12)):
// input / max(||input||_p along dim, eps).
#include "ember/core/tensor.h"
#include "ember/nn/options/normalize.h"

namespace ember::nn::functional {

Tensor normalize(const Tensor& input, NormalizeFuncOptions options = {});

}  // namespace ember::nn::functional
