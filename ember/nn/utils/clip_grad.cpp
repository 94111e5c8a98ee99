#include "ember/nn/utils/clip_grad.h"

#include <cmath>
#include <limits>

#include "ember/autograd/grad_mode.h"
#include "ember/ops/elementwise.h"
#include "ember/ops/reduce.h"
#include "ember/ops/shape.h"

namespace ember::nn::utils {

double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type,
                       bool error_if_nonfinite) {
  NoGradGuard no_grad;
  std::vector<Tensor> grads;
  for (const Tensor& p : parameters) {
    Tensor g = p.grad();
    if (g.defined()) grads.push_back(g);
  }
  if (grads.empty()) return 0.0;
  Tensor total_norm;
  std::vector<Tensor> norms;
  if (std::isinf(norm_type) && norm_type > 0) {
    for (const Tensor& g : grads) norms.push_back(g.abs().max());
    total_norm = norms.size() == 1 ? norms[0] : stack(norms).max();
  } else {
    for (const Tensor& g : grads) norms.push_back(norm(g, norm_type));
    total_norm = norm(stack(norms), norm_type);
  }
  const double total = total_norm.item<double>();
  if (error_if_nonfinite && !std::isfinite(total))
    EMBER_THROW(Error, "The total norm of order ", norm_type,
                " for gradients from `parameters` is non-finite, so it cannot be clipped. To disable this error "
                "and scale the gradients by the non-finite norm anyway, set `error_if_nonfinite=False`");
  // In the gradients' dtype, as PyTorch computes it with tensor ops.
  Tensor clip_coef = (total_norm + 1e-6).reciprocal().mul(max_norm).clamp(std::nullopt, 1.0);
  for (Tensor& g : grads) g.mul_(clip_coef);
  return total;
}

double clip_grad_norm_(const Tensor& parameter, double max_norm, double norm_type, bool error_if_nonfinite) {
  return clip_grad_norm_(std::vector<Tensor>{parameter}, max_norm, norm_type, error_if_nonfinite);
}

void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value) {
  NoGradGuard no_grad;
  for (const Tensor& p : parameters) {
    Tensor g = p.grad();
    if (g.defined()) g.clamp_(-clip_value, clip_value);
  }
}

void clip_grad_value_(const Tensor& parameter, double clip_value) {
  clip_grad_value_(std::vector<Tensor>{parameter}, clip_value);
}

}  // namespace ember::nn::utils
