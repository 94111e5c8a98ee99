#pragma once
// Parametrised activations as tensor ops (LibTorch's torch::leaky_relu, torch::elu, ...),
// each one kernel pass forward and one backward (kernels/activation.h), recorded as
// one autograd node with PyTorch's name (LeakyReluBackward0, EluBackward0, ...). The
// `_` forms work in place. nn::functional builds on these. Floating inputs only
// (float16/bfloat16 compute in float32).
#include "ember/core/tensor.h"

namespace ember {

Tensor leaky_relu(const Tensor& x, double negative_slope = 0.01);
Tensor& leaky_relu_(Tensor& x, double negative_slope = 0.01);
// alpha * scale * (exp(x * input_scale) - 1) for x <= 0, scale * x above.
Tensor elu(const Tensor& x, double alpha = 1.0, double scale = 1.0, double input_scale = 1.0);
Tensor& elu_(Tensor& x, double alpha = 1.0, double scale = 1.0, double input_scale = 1.0);
Tensor selu(const Tensor& x);
Tensor& selu_(Tensor& x);
Tensor celu(const Tensor& x, double alpha = 1.0);
Tensor& celu_(Tensor& x, double alpha = 1.0);
Tensor hardtanh(const Tensor& x, double min_val = -1.0, double max_val = 1.0);
Tensor& hardtanh_(Tensor& x, double min_val = -1.0, double max_val = 1.0);
Tensor relu6(const Tensor& x);
Tensor& relu6_(Tensor& x);
Tensor hardsigmoid(const Tensor& x);
Tensor& hardsigmoid_(Tensor& x);
Tensor hardswish(const Tensor& x);
Tensor& hardswish_(Tensor& x);
// log(1 + exp(beta x)) / beta, and x itself where beta x > threshold.
Tensor softplus(const Tensor& x, double beta = 1.0, double threshold = 20.0);
Tensor silu(const Tensor& x);
Tensor& silu_(Tensor& x);
Tensor mish(const Tensor& x);
Tensor& mish_(Tensor& x);
Tensor log_sigmoid(const Tensor& x);
// value where x <= threshold, x elsewhere (NaN stays NaN); floating dtypes.
Tensor threshold(const Tensor& x, double threshold, double value);
Tensor& threshold_(Tensor& x, double threshold, double value);
// x where x > 0, weight * x elsewhere; weight has 1 element or one per channel (dim 1).
Tensor prelu(const Tensor& x, const Tensor& weight);

}  // namespace ember
