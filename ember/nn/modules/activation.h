#pragma once
// Activation modules (torch.nn.ReLU, ... / LibTorch's torch::nn::ReLU, ...). Each holds its
// options in `options`, forwards to the nn::functional function of the same name, and
// prints PyTorch's repr ("LeakyReLU(negative_slope=0.01)"). Modules whose options have
// `inplace` take their input by value and, when it is set, modify and return it.
//   nn::ReLU relu(nn::ReLUOptions().inplace(true));
//   nn::Softmax softmax(1);
//   nn::PReLU prelu(nn::PReLUOptions().num_parameters(3));
#include <string>
#include <utility>

#include "ember/nn/holder.h"
#include "ember/nn/options/activation.h"

namespace ember::nn {

class ReLUImpl : public Module {
 public:
  explicit ReLUImpl(const ReLUOptions& options = {}) : options(options) {}
  Tensor forward(Tensor input);
  std::string extra_repr() const override;
  ReLUOptions options;
};
EMBER_MODULE(ReLU);

class ReLU6Impl : public Module {
 public:
  explicit ReLU6Impl(const ReLU6Options& options = {}) : options(options) {}
  Tensor forward(Tensor input);
  std::string extra_repr() const override;
  ReLU6Options options;
};
EMBER_MODULE(ReLU6);

class LeakyReLUImpl : public Module {
 public:
  explicit LeakyReLUImpl(const LeakyReLUOptions& options = {}) : options(options) {}
  Tensor forward(Tensor input);
  std::string extra_repr() const override;
  LeakyReLUOptions options;
};
EMBER_MODULE(LeakyReLU);

// max(0, x) + weight * min(0, x), with a learnable `weight` of num_parameters entries
// (1, or the input's channel count), initialised to options.init().
class PReLUImpl : public Module {
 public:
  explicit PReLUImpl(const PReLUOptions& options = {});
  void reset();
  Tensor forward(const Tensor& input);
  std::string extra_repr() const override;
  PReLUOptions options;
  Tensor weight;
};
EMBER_MODULE(PReLU);

class ELUImpl : public Module {
 public:
  explicit ELUImpl(const ELUOptions& options = {}) : options(options) {}
  Tensor forward(Tensor input);
  std::string extra_repr() const override;
  ELUOptions options;
};
EMBER_MODULE(ELU);

class SELUImpl : public Module {
 public:
  explicit SELUImpl(const SELUOptions& options = {}) : options(options) {}
  Tensor forward(Tensor input);
  std::string extra_repr() const override;
  SELUOptions options;
};
EMBER_MODULE(SELU);

class CELUImpl : public Module {
 public:
  explicit CELUImpl(const CELUOptions& options = {}) : options(options) {}
  Tensor forward(Tensor input);
  std::string extra_repr() const override;
  CELUOptions options;
};
EMBER_MODULE(CELU);

class GELUImpl : public Module {
 public:
  explicit GELUImpl(GELUOptions options = {}) : options(std::move(options)) {}
  Tensor forward(const Tensor& input);
  std::string extra_repr() const override;
  GELUOptions options;
};
EMBER_MODULE(GELU);

class SiLUImpl : public Module {
 public:
  Tensor forward(const Tensor& input);
};
EMBER_MODULE(SiLU);

class MishImpl : public Module {
 public:
  Tensor forward(const Tensor& input);
};
EMBER_MODULE(Mish);

class SoftplusImpl : public Module {
 public:
  explicit SoftplusImpl(const SoftplusOptions& options = {}) : options(options) {}
  Tensor forward(const Tensor& input);
  std::string extra_repr() const override;
  SoftplusOptions options;
};
EMBER_MODULE(Softplus);

class TanhImpl : public Module {
 public:
  Tensor forward(const Tensor& input);
};
EMBER_MODULE(Tanh);

class SigmoidImpl : public Module {
 public:
  Tensor forward(const Tensor& input);
};
EMBER_MODULE(Sigmoid);

class HardtanhImpl : public Module {
 public:
  explicit HardtanhImpl(const HardtanhOptions& options = {});
  Tensor forward(Tensor input);
  std::string extra_repr() const override;
  HardtanhOptions options;
};
EMBER_MODULE(Hardtanh);

// Python's nn.Hardsigmoid / nn.Hardswish (LibTorch 1.13 has neither); their repr never
// shows inplace, as in PyTorch.
class HardsigmoidImpl : public Module {
 public:
  explicit HardsigmoidImpl(const HardsigmoidOptions& options = {}) : options(options) {}
  Tensor forward(Tensor input);
  HardsigmoidOptions options;
};
EMBER_MODULE(Hardsigmoid);

class HardswishImpl : public Module {
 public:
  explicit HardswishImpl(const HardswishOptions& options = {}) : options(options) {}
  Tensor forward(Tensor input);
  HardswishOptions options;
};
EMBER_MODULE(Hardswish);

class SoftsignImpl : public Module {
 public:
  Tensor forward(const Tensor& input);
};
EMBER_MODULE(Softsign);

class LogSigmoidImpl : public Module {
 public:
  Tensor forward(const Tensor& input);
};
EMBER_MODULE(LogSigmoid);

class TanhshrinkImpl : public Module {
 public:
  Tensor forward(const Tensor& input);
};
EMBER_MODULE(Tanhshrink);

class HardshrinkImpl : public Module {
 public:
  explicit HardshrinkImpl(const HardshrinkOptions& options = {}) : options(options) {}
  Tensor forward(const Tensor& input);
  std::string extra_repr() const override;
  HardshrinkOptions options;
};
EMBER_MODULE(Hardshrink);

class SoftshrinkImpl : public Module {
 public:
  explicit SoftshrinkImpl(const SoftshrinkOptions& options = {}) : options(options) {}
  Tensor forward(const Tensor& input);
  std::string extra_repr() const override;
  SoftshrinkOptions options;
};
EMBER_MODULE(Softshrink);

class ThresholdImpl : public Module {
 public:
  ThresholdImpl(double threshold, double value) : ThresholdImpl(ThresholdOptions(threshold, value)) {}
  explicit ThresholdImpl(const ThresholdOptions& options) : options(options) {}
  Tensor forward(Tensor input);
  std::string extra_repr() const override;
  ThresholdOptions options;
};
EMBER_MODULE(Threshold);

class GLUImpl : public Module {
 public:
  explicit GLUImpl(const GLUOptions& options = {}) : options(options) {}
  Tensor forward(const Tensor& input);
  std::string extra_repr() const override;
  GLUOptions options;
};
EMBER_MODULE(GLU);

class SoftmaxImpl : public Module {
 public:
  explicit SoftmaxImpl(int64_t dim) : SoftmaxImpl(SoftmaxOptions(dim)) {}
  explicit SoftmaxImpl(const SoftmaxOptions& options) : options(options) {}
  Tensor forward(const Tensor& input);
  std::string extra_repr() const override;
  SoftmaxOptions options;
};
EMBER_MODULE(Softmax);

class SoftminImpl : public Module {
 public:
  explicit SoftminImpl(int64_t dim) : SoftminImpl(SoftminOptions(dim)) {}
  explicit SoftminImpl(const SoftminOptions& options) : options(options) {}
  Tensor forward(const Tensor& input);
  std::string extra_repr() const override;
  SoftminOptions options;
};
EMBER_MODULE(Softmin);

class LogSoftmaxImpl : public Module {
 public:
  explicit LogSoftmaxImpl(int64_t dim) : LogSoftmaxImpl(LogSoftmaxOptions(dim)) {}
  explicit LogSoftmaxImpl(const LogSoftmaxOptions& options) : options(options) {}
  Tensor forward(const Tensor& input);
  std::string extra_repr() const override;
  LogSoftmaxOptions options;
};
EMBER_MODULE(LogSoftmax);

}  // namespace ember::nn
