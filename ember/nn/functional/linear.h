#pragma once
// F::linear and F::bilinear.
#include "ember/ops/linear.h"

namespace ember::nn::functional {

inline Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias = {}) {
  return ember::linear(input, weight, bias);
}
inline Tensor bilinear(const Tensor& input1, const Tensor& input2, const Tensor& weight, const Tensor& bias = {}) {
  return ember::bilinear(input1, input2, weight, bias);
}

}  // namespace ember::nn::functional
