#pragma once
// nn::functional activations (LibTorch's torch::nn::functional, usually spelled F::):
//   namespace F = ember::nn::functional;
//   F::leaky_relu(x, F::LeakyReLUFuncOptions().negative_slope(0.2));
// Functions whose options have `inplace` modify the input when it is set and return it.
// Each also has LibTorch's positional form (F::leaky_relu(x, 0.2, false) etc. live in
// detail::, as in LibTorch; the options form is the public one).
#include "ember/core/tensor.h"
#include "ember/nn/options/activation.h"

namespace ember::nn::functional {

Tensor relu(Tensor input, const ReLUFuncOptions& options = {});
Tensor relu6(Tensor input, const ReLU6FuncOptions& options = {});
Tensor leaky_relu(Tensor input, const LeakyReLUFuncOptions& options = {});
// weight: one slope, or one per channel (input dim 1).
Tensor prelu(const Tensor& input, const Tensor& weight);
Tensor elu(Tensor input, const ELUFuncOptions& options = {});
Tensor selu(Tensor input, const SELUFuncOptions& options = {});
Tensor celu(Tensor input, const CELUFuncOptions& options = {});
Tensor gelu(const Tensor& input, const GELUFuncOptions& options = {});
Tensor silu(const Tensor& input);
Tensor mish(const Tensor& input);
Tensor softplus(const Tensor& input, const SoftplusFuncOptions& options = {});
Tensor tanh(const Tensor& input);
Tensor sigmoid(const Tensor& input);
Tensor hardtanh(Tensor input, const HardtanhFuncOptions& options = {});
Tensor hardsigmoid(Tensor input, const HardsigmoidFuncOptions& options = {});
Tensor hardswish(Tensor input, const HardswishFuncOptions& options = {});
Tensor softsign(const Tensor& input);
Tensor logsigmoid(const Tensor& input);
Tensor tanhshrink(const Tensor& input);
Tensor hardshrink(const Tensor& input, const HardshrinkFuncOptions& options = {});
Tensor softshrink(const Tensor& input, const SoftshrinkFuncOptions& options = {});
// value where input <= threshold, input elsewhere.
Tensor threshold(Tensor input, const ThresholdFuncOptions& options);
// First half of `dim` times sigmoid of the second half.
Tensor glu(const Tensor& input, const GLUFuncOptions& options = {});
Tensor softmax(const Tensor& input, const SoftmaxFuncOptions& options);
Tensor softmin(const Tensor& input, const SoftminFuncOptions& options);
Tensor log_softmax(const Tensor& input, const LogSoftmaxFuncOptions& options);

namespace detail {
Tensor relu(Tensor input, bool inplace);
Tensor relu6(Tensor input, bool inplace);
Tensor leaky_relu(Tensor input, double negative_slope, bool inplace);
Tensor elu(Tensor input, double alpha, bool inplace);
Tensor selu(Tensor input, bool inplace);
Tensor celu(Tensor input, double alpha, bool inplace);
Tensor gelu(const Tensor& input, const std::string& approximate);
Tensor softplus(const Tensor& input, double beta, double threshold);
Tensor hardtanh(Tensor input, double min_val, double max_val, bool inplace);
Tensor threshold(Tensor input, double threshold, double value, bool inplace);
Tensor softmax(const Tensor& input, int64_t dim, std::optional<ScalarType> dtype);
Tensor log_softmax(const Tensor& input, int64_t dim, std::optional<ScalarType> dtype);
}  // namespace detail

}  // namespace ember::nn::functional
