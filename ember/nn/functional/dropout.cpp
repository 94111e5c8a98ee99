#include "ember/nn/functional/dropout.h"

#include <cmath>

#include "ember/ops/elementwise.h"
#include "ember/ops/factory.h"
#include "ember/ops/shape.h"

namespace ember::nn::functional {

namespace detail {

namespace {

void check_p(double p) {
  EMBER_CHECK_VALUE(p >= 0 && p <= 1, "dropout probability has to be between 0 and 1, but got ", p);
}

Tensor multiply(Tensor& input, const Tensor& noise, bool inplace) {
  if (inplace) return input.mul_(noise);
  return input * noise;
}

// PyTorch's _dropout_impl: noise = bernoulli(1 - p) in a fresh contiguous buffer of the
// input's shape (feature dropout: (N, C, 1, ...)), scaled, then multiplied in.
Tensor dropout_impl(Tensor input, double p, bool training, bool inplace, bool feature, bool alpha) {
  check_p(p);
  if (p == 0 || !training || input.numel() == 0) return input;
  if (p == 1) return multiply(input, zeros({}, input.options()), inplace);
  DimVector shape(input.sizes().begin(), input.sizes().end());
  if (feature) {
    EMBER_CHECK(input.dim() >= 2, "Feature dropout requires at least 2 dimensions in the input");
    for (size_t d = 2; d < shape.size(); ++d) shape[d] = 1;
  }
  Tensor noise = empty(shape, input.options());
  noise.bernoulli_(1 - p);
  if (alpha) {
    constexpr double kAlpha = 1.7580993408473766;
    const double a = 1. / std::sqrt((kAlpha * kAlpha * p + 1) * (1 - p));
    Tensor b = (noise - 1) * (kAlpha * a) + kAlpha * a * p;
    noise.mul_(a);
    Tensor r = multiply(input, noise, inplace);
    return inplace ? r.add_(b) : r + b;
  }
  noise.div_(1 - p);
  return multiply(input, noise, inplace);
}

}  // namespace

Tensor dropout(Tensor input, double p, bool training, bool inplace) {
  return dropout_impl(std::move(input), p, training, inplace, false, false);
}

Tensor dropout2d(Tensor input, double p, bool training, bool inplace) {
  check_p(p);
  // LibTorch reads anything but a 4-D input as unbatched (C, H, W).
  const bool batched = input.dim() == 4;
  if (!batched) input = inplace ? input.unsqueeze_(0) : input.unsqueeze(0);
  Tensor r = dropout_impl(input, p, training, inplace, true, false);
  if (!batched) r = inplace ? r.squeeze_(0) : r.squeeze(0);
  return r;
}

Tensor feature_dropout(Tensor input, double p, bool training, bool inplace) {
  return dropout_impl(std::move(input), p, training, inplace, true, false);
}

Tensor alpha_dropout(Tensor input, double p, bool training, bool inplace) {
  return dropout_impl(std::move(input), p, training, inplace, false, true);
}

}  // namespace detail

Tensor dropout(Tensor input, const DropoutFuncOptions& o) {
  return detail::dropout(std::move(input), o.p(), o.training(), o.inplace());
}
Tensor dropout2d(Tensor input, const Dropout2dFuncOptions& o) {
  return detail::dropout2d(std::move(input), o.p(), o.training(), o.inplace());
}
Tensor alpha_dropout(Tensor input, const AlphaDropoutFuncOptions& o) {
  return detail::alpha_dropout(std::move(input), o.p(), o.training(), o.inplace());
}

}  // namespace ember::nn::functional
