#include "ember/nn/modules/activation.h"

#include <string>

#include "ember/nn/functional/activation.h"
#include "ember/ops/factory.h"

namespace ember::nn {

namespace F = functional;

namespace {

// ", inplace=True" when set: PyTorch's activations print inplace only when it is on.
std::string inplace_suffix(bool inplace) { return inplace ? ", inplace=True" : ""; }

// PyTorch prints an option as Python prints the value it was given. Softplus's Python
// defaults are the ints 1 and 20 ("Softplus(beta=1, threshold=20)"); C++ options are
// doubles, so the default values print as those ints and any other value as a Python float.
std::string softplus_option_repr(double value, int python_default) {
  return value == python_default ? std::to_string(python_default) : python_repr(value);
}

}  // namespace

Tensor ReLUImpl::forward(Tensor input) { return F::relu(std::move(input), options); }
std::string ReLUImpl::extra_repr() const { return options.inplace() ? "inplace=True" : ""; }

Tensor ReLU6Impl::forward(Tensor input) { return F::relu6(std::move(input), options); }
std::string ReLU6Impl::extra_repr() const { return options.inplace() ? "inplace=True" : ""; }

Tensor LeakyReLUImpl::forward(Tensor input) { return F::leaky_relu(std::move(input), options); }
std::string LeakyReLUImpl::extra_repr() const {
  return "negative_slope=" + python_repr(options.negative_slope()) + inplace_suffix(options.inplace());
}

PReLUImpl::PReLUImpl(const PReLUOptions& options_) : options(options_) { reset(); }

void PReLUImpl::reset() {
  EMBER_CHECK_VALUE(options.num_parameters() >= 0, "PReLU: num_parameters must be non-negative, got ",
                    options.num_parameters());
  weight = register_parameter("weight", full({options.num_parameters()}, options.init()));
}

Tensor PReLUImpl::forward(const Tensor& input) { return F::prelu(input, weight); }
std::string PReLUImpl::extra_repr() const { return "num_parameters=" + std::to_string(options.num_parameters()); }

Tensor ELUImpl::forward(Tensor input) { return F::elu(std::move(input), options); }
std::string ELUImpl::extra_repr() const {
  return "alpha=" + python_repr(options.alpha()) + inplace_suffix(options.inplace());
}

Tensor SELUImpl::forward(Tensor input) { return F::selu(std::move(input), options); }
std::string SELUImpl::extra_repr() const { return options.inplace() ? "inplace=True" : ""; }

Tensor CELUImpl::forward(Tensor input) { return F::celu(std::move(input), options); }
std::string CELUImpl::extra_repr() const {
  return "alpha=" + python_repr(options.alpha()) + inplace_suffix(options.inplace());
}

Tensor GELUImpl::forward(const Tensor& input) { return F::gelu(input, options); }
std::string GELUImpl::extra_repr() const { return "approximate='" + options.approximate() + "'"; }

Tensor SiLUImpl::forward(const Tensor& input) { return F::silu(input); }
Tensor MishImpl::forward(const Tensor& input) { return F::mish(input); }

Tensor SoftplusImpl::forward(const Tensor& input) { return F::softplus(input, options); }
std::string SoftplusImpl::extra_repr() const {
  return "beta=" + softplus_option_repr(options.beta(), 1) +
         ", threshold=" + softplus_option_repr(options.threshold(), 20);
}

Tensor TanhImpl::forward(const Tensor& input) { return F::tanh(input); }
Tensor SigmoidImpl::forward(const Tensor& input) { return F::sigmoid(input); }

HardtanhImpl::HardtanhImpl(const HardtanhOptions& options_) : options(options_) {
  EMBER_CHECK(options.max_val() > options.min_val(), "max_val must be greater than min_val, got min_val=",
              options.min_val(), " and max_val=", options.max_val());
}
Tensor HardtanhImpl::forward(Tensor input) { return F::hardtanh(std::move(input), options); }
std::string HardtanhImpl::extra_repr() const {
  return "min_val=" + python_repr(options.min_val()) + ", max_val=" + python_repr(options.max_val()) +
         inplace_suffix(options.inplace());
}

Tensor HardsigmoidImpl::forward(Tensor input) { return F::hardsigmoid(std::move(input), options); }
Tensor HardswishImpl::forward(Tensor input) { return F::hardswish(std::move(input), options); }

Tensor SoftsignImpl::forward(const Tensor& input) { return F::softsign(input); }
Tensor LogSigmoidImpl::forward(const Tensor& input) { return F::logsigmoid(input); }
Tensor TanhshrinkImpl::forward(const Tensor& input) { return F::tanhshrink(input); }

Tensor HardshrinkImpl::forward(const Tensor& input) { return F::hardshrink(input, options); }
std::string HardshrinkImpl::extra_repr() const { return python_repr(options.lambda()); }

Tensor SoftshrinkImpl::forward(const Tensor& input) { return F::softshrink(input, options); }
std::string SoftshrinkImpl::extra_repr() const { return python_repr(options.lambda()); }

Tensor ThresholdImpl::forward(Tensor input) { return F::threshold(std::move(input), options); }
std::string ThresholdImpl::extra_repr() const {
  return "threshold=" + python_repr(options.threshold()) + ", value=" + python_repr(options.value()) +
         inplace_suffix(options.inplace());
}

Tensor GLUImpl::forward(const Tensor& input) { return F::glu(input, options); }
std::string GLUImpl::extra_repr() const { return "dim=" + std::to_string(options.dim()); }

Tensor SoftmaxImpl::forward(const Tensor& input) { return F::softmax(input, options.dim()); }
std::string SoftmaxImpl::extra_repr() const { return "dim=" + std::to_string(options.dim()); }

Tensor SoftminImpl::forward(const Tensor& input) { return F::softmin(input, options.dim()); }
std::string SoftminImpl::extra_repr() const { return "dim=" + std::to_string(options.dim()); }

Tensor LogSoftmaxImpl::forward(const Tensor& input) { return F::log_softmax(input, options.dim()); }
std::string LogSoftmaxImpl::extra_repr() const { return "dim=" + std::to_string(options.dim()); }

}  // namespace ember::nn
