#pragma once
// Parametrised activations as tensor ops (LibTorch's torch::leaky_relu, torch::elu, ...),
// each one kernel pass forward and one backward (kernels/activation.h), recorded as
// one autograd node with PyTorch's name (LeakyReluBackward0, EluBackward0, ...). The
// `_` forms work in place. nn::functional builds on these. Floating inputs only
// (float16/bfloat16 compute in float32).
#include "ember/core/activation_list.h"
#include "ember/core/tensor.h"

namespace ember {

// The table's functions (Note [Activation table] in core/activation_list.h), e.g.
//   Tensor leaky_relu(const Tensor& x, double negative_slope = 0.01);
//   Tensor& leaky_relu_(Tensor& x, double negative_slope = 0.01);
// elu(x, alpha, scale, input_scale) is alpha * scale * (exp(x * input_scale) - 1) for
// x <= 0 and scale * x above; softplus(x, beta, threshold) is log(1 + exp(beta x)) / beta,
// and x itself where beta x > threshold; threshold(x, threshold, value) is value where
// x <= threshold and x elsewhere (NaN stays NaN).
#define P(type, name, default_value) , type name = default_value
#define R(type, name) , type name
#define EMBER_ACT_DECLARE_INPLACE(name, params) Tensor& name##_(Tensor& x EMBER_UNPAREN params);
#define EMBER_ACT_DECLARE_FUNCTIONAL(name, params)
#define EMBER_X(name, forms, front, kernel, node, params, kernel_params, sample) \
  Tensor name(const Tensor& x EMBER_UNPAREN params);                              \
  EMBER_ACT_DECLARE_##forms(name, params)
EMBER_ACTIVATION_OPS(EMBER_X)
#undef EMBER_X
#undef EMBER_ACT_DECLARE_FUNCTIONAL
#undef EMBER_ACT_DECLARE_INPLACE
#undef R
#undef P

// x where x > 0, weight * x elsewhere; weight has 1 element or one per channel (dim 1).
Tensor prelu(const Tensor& x, const Tensor& weight);

}  // namespace ember
