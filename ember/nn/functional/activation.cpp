#include "ember/nn/functional/activation.h"

#include "ember/autograd/derivatives.h"
#include "ember/autograd/derivatives_functional.h"
#include "ember/ops/activation.h"
#include "ember/ops/elementwise.h"
#include "ember/ops/factory.h"
#include "ember/ops/reduce.h"
#include "ember/ops/shape.h"

namespace ember::nn::functional {

namespace detail {
Tensor relu(Tensor input, bool inplace) { return inplace ? ::ember::relu_(input) : ::ember::relu(input); }
Tensor relu6(Tensor input, bool inplace) { return inplace ? ::ember::relu6_(input) : ::ember::relu6(input); }
Tensor leaky_relu(Tensor input, double negative_slope, bool inplace) {
  return inplace ? ::ember::leaky_relu_(input, negative_slope) : ::ember::leaky_relu(input, negative_slope);
}
Tensor elu(Tensor input, double alpha, bool inplace) {
  return inplace ? ::ember::elu_(input, alpha) : ::ember::elu(input, alpha);
}
Tensor selu(Tensor input, bool inplace) { return inplace ? ::ember::selu_(input) : ::ember::selu(input); }
Tensor celu(Tensor input, double alpha, bool inplace) {
  return inplace ? ::ember::celu_(input, alpha) : ::ember::celu(input, alpha);
}
Tensor gelu(const Tensor& input, const std::string& approximate) {
  EMBER_CHECK(approximate == "none" || approximate == "tanh", "approximate argument must be either none or tanh.");
  return ::ember::gelu(input, approximate);
}
Tensor softplus(const Tensor& input, double beta, double threshold) {
  return ::ember::softplus(input, beta, threshold);
}
Tensor hardtanh(Tensor input, double min_val, double max_val, bool inplace) {
  return inplace ? ::ember::hardtanh_(input, min_val, max_val) : ::ember::hardtanh(input, min_val, max_val);
}
Tensor threshold(Tensor input, double threshold, double value, bool inplace) {
  // PyTorch's threshold: value where x <= threshold (NaN stays NaN).
  if (inplace) return ::ember::threshold_(input, threshold, value);
  return ::ember::threshold(input, threshold, value);
}
Tensor softmax(const Tensor& input, int64_t dim, std::optional<ScalarType> dtype) {
  return ::ember::softmax(input, dim, dtype);
}
Tensor log_softmax(const Tensor& input, int64_t dim, std::optional<ScalarType> dtype) {
  return ::ember::log_softmax(input, dim, dtype);
}
}  // namespace detail

Tensor relu(Tensor input, const ReLUFuncOptions& o) { return detail::relu(std::move(input), o.inplace()); }
Tensor relu6(Tensor input, const ReLU6FuncOptions& o) { return detail::relu6(std::move(input), o.inplace()); }
Tensor leaky_relu(Tensor input, const LeakyReLUFuncOptions& o) {
  return detail::leaky_relu(std::move(input), o.negative_slope(), o.inplace());
}
Tensor prelu(const Tensor& input, const Tensor& weight) { return ::ember::prelu(input, weight); }
Tensor elu(Tensor input, const ELUFuncOptions& o) { return detail::elu(std::move(input), o.alpha(), o.inplace()); }
Tensor selu(Tensor input, const SELUFuncOptions& o) { return detail::selu(std::move(input), o.inplace()); }
Tensor celu(Tensor input, const CELUFuncOptions& o) { return detail::celu(std::move(input), o.alpha(), o.inplace()); }
Tensor gelu(const Tensor& input, const GELUFuncOptions& o) { return detail::gelu(input, o.approximate()); }
Tensor silu(const Tensor& input) { return ::ember::silu(input); }
Tensor mish(const Tensor& input) { return ::ember::mish(input); }
Tensor softplus(const Tensor& input, const SoftplusFuncOptions& o) {
  return detail::softplus(input, o.beta(), o.threshold());
}
Tensor tanh(const Tensor& input) { return ::ember::tanh(input); }
Tensor sigmoid(const Tensor& input) { return ::ember::sigmoid(input); }
Tensor hardtanh(Tensor input, const HardtanhFuncOptions& o) {
  return detail::hardtanh(std::move(input), o.min_val(), o.max_val(), o.inplace());
}
Tensor hardsigmoid(Tensor input, const HardsigmoidFuncOptions& o) {
  return o.inplace() ? ::ember::hardsigmoid_(input) : ::ember::hardsigmoid(input);
}
Tensor hardswish(Tensor input, const HardswishFuncOptions& o) {
  return o.inplace() ? ::ember::hardswish_(input) : ::ember::hardswish(input);
}
Tensor softsign(const Tensor& input) { return input / (abs(input) + 1); }
Tensor logsigmoid(const Tensor& input) { return ::ember::log_sigmoid(input); }
Tensor tanhshrink(const Tensor& input) { return input - ::ember::tanh(input); }
Tensor hardshrink(const Tensor& input, const HardshrinkFuncOptions& o) {
  // 0 inside [-lambda, lambda], x outside (a NaN stays NaN). The gradient passes only where
  // x is outside, so a NaN gets none: PyTorch's vectorised kernel (its scalar tail passes g).
  const double l = o.lambda();
  Tensor zero = scalar_to_tensor(0.0).to(input.dtype());
  Tensor out = autograd::untracked([&] { return where(logical_and(ge(input, -l), le(input, l)), zero, input); });
  Tensor outside = logical_or(lt(input, -l), gt(input, l));
  autograd::record(autograd::WhereBackward0, {&outside, &input, &zero}, out, {}, {outside});
  return out;
}
Tensor softshrink(const Tensor& input, const SoftshrinkFuncOptions& o) {
  EMBER_CHECK(o.lambda() >= 0, "lambda must be greater or equal to 0, but found to be ", o.lambda(), ".");
  const double l = o.lambda();
  return where(gt(input, l), input - l, where(lt(input, -l), input + l, zeros_like(input)));
}
Tensor threshold(Tensor input, const ThresholdFuncOptions& o) {
  return detail::threshold(std::move(input), o.threshold(), o.value(), o.inplace());
}
Tensor glu(const Tensor& input, const GLUFuncOptions& o) {
  EMBER_CHECK(input.dim() > 0, "glu does not support scalars because halving size must be even");
  const int64_t d = maybe_wrap_dim(o.dim(), input.dim());
  const int64_t n = input.size(d);
  EMBER_CHECK(n % 2 == 0, "Halving dimension must be even, but dimension ", d, " is size ", n);
  Tensor r = autograd::untracked(
      [&] { return input.narrow(d, 0, n / 2) * ::ember::sigmoid(input.narrow(d, n / 2, n / 2)); });
  autograd::record(autograd::GluBackward0, {&input}, r, {d}, {input});
  return r;
}
Tensor softmax(const Tensor& input, const SoftmaxFuncOptions& o) { return detail::softmax(input, o.dim(), o.dtype()); }
Tensor softmin(const Tensor& input, const SoftminFuncOptions& o) { return ::ember::softmax(-input, o.dim(), o.dtype()); }
Tensor log_softmax(const Tensor& input, const LogSoftmaxFuncOptions& o) {
  return detail::log_softmax(input, o.dim(), o.dtype());
}

}  // namespace ember::nn::functional
