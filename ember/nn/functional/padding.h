#pragma once
// F::pad(input, F::PadFuncOptions({1, 1, 2, 2}).mode(ember::kReflect)). Pads are given
// last dimension first. kConstant pads any trailing dims (negative pads crop); kReflect,
// kReplicate and kCircular pad the last 1, 2 or 3 dims of a (batched or not) input.
#include "ember/core/tensor.h"
#include "ember/nn/options/padding.h"

namespace ember::nn::functional {

Tensor pad(const Tensor& input, const PadFuncOptions& options);

}  // namespace ember::nn::functional
