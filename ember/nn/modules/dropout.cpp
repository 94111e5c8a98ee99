#include "ember/nn/modules/dropout.h"

#include "ember/nn/functional/dropout.h"

namespace ember::nn {

namespace F = functional;

namespace {

// PyTorch checks p when the module is built (ValueError), not first at forward.
void check_probability(double p) {
  EMBER_CHECK_VALUE(p >= 0 && p <= 1, "dropout probability has to be between 0 and 1, but got ", p);
}

std::string dropout_repr(const DropoutOptions& o) {
  return "p=" + python_repr(o.p()) + ", inplace=" + python_repr(o.inplace());
}

}  // namespace

DropoutImpl::DropoutImpl(const DropoutOptions& options_) : options(options_) { check_probability(options.p()); }
Tensor DropoutImpl::forward(Tensor input) {
  return F::detail::dropout(std::move(input), options.p(), is_training(), options.inplace());
}
std::string DropoutImpl::extra_repr() const { return dropout_repr(options); }

Dropout2dImpl::Dropout2dImpl(const Dropout2dOptions& options_) : options(options_) { check_probability(options.p()); }
Tensor Dropout2dImpl::forward(Tensor input) {
  return F::detail::dropout2d(std::move(input), options.p(), is_training(), options.inplace());
}
std::string Dropout2dImpl::extra_repr() const { return dropout_repr(options); }

AlphaDropoutImpl::AlphaDropoutImpl(const AlphaDropoutOptions& options_) : options(options_) {
  check_probability(options.p());
}
Tensor AlphaDropoutImpl::forward(Tensor input) {
  return F::detail::alpha_dropout(std::move(input), options.p(), is_training(), options.inplace());
}
std::string AlphaDropoutImpl::extra_repr() const { return dropout_repr(options); }

}  // namespace ember::nn
