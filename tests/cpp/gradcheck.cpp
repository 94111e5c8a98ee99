#include <gtest/gtest.h>

#include "gradcheck.h"

#include <cmath>
#include <sstream>

namespace ember::testing {

namespace {
// A fixed, non-symmetric weighting of the outputs so every output element matters.
Tensor weights_like(const Tensor& out) {
  NoGradGuard g;
  return (arange(out.numel(), kFloat64) * 0.37 + 0.5).sin().view(out.sizes());
}

double weighted_sum(const Fn& fn, const std::vector<Tensor>& inputs) {
  // fn runs with grad mode on: for gradgradcheck it is itself a gradient computation.
  Tensor out = fn(inputs).detach().to(kFloat64);
  NoGradGuard g;
  Tensor w = weights_like(out);
  Tensor p = (out * w).contiguous();
  const double* d = p.data_ptr<double>();
  double s = 0;
  for (int64_t i = 0; i < p.numel(); ++i) s += d[i];
  return s;
}

// Element i of t in row-major logical order, read and written through its strides.
double* element(const Tensor& t, int64_t i) {
  int64_t off = 0;
  for (int64_t d = t.dim() - 1; d >= 0; --d) {
    int64_t s = t.sizes()[d];
    off += (i % s) * t.strides()[d];
    i /= s;
  }
  return static_cast<double*>(t.data_ptr()) + off;
}
}  // namespace

::testing::AssertionResult gradcheck(const Fn& fn, const std::vector<Tensor>& inputs, double eps, double atol,
                                     double rtol) {
  Tensor out = fn(inputs);
  Tensor w = weights_like(out);
  std::vector<Tensor> diff_inputs;
  for (const Tensor& t : inputs)
    if (t.requires_grad()) diff_inputs.push_back(t);
  Tensor scalar = (out * w).sum();
  // An output that doesn't depend differentiably on the inputs has a zero Jacobian.
  std::vector<Tensor> grads(diff_inputs.size());
  if (scalar.requires_grad())
    grads = autograd::grad({scalar}, diff_inputs, {}, std::nullopt, false, /*allow_unused=*/true);
  for (size_t k = 0; k < diff_inputs.size(); ++k) {
    const Tensor& x = diff_inputs[k];
    Tensor analytic = grads[k].defined() ? grads[k].contiguous() : zeros_like(x);
    for (int64_t i = 0; i < x.numel(); ++i) {
      double* p = element(x, i);
      double orig = *p;
      *p = orig + eps;
      double plus = weighted_sum(fn, inputs);
      *p = orig - eps;
      double minus = weighted_sum(fn, inputs);
      *p = orig;
      double numeric = (plus - minus) / (2 * eps);
      double a = analytic.view({-1})[i].item<double>();
      if (!(std::abs(a - numeric) <= atol + rtol * std::abs(numeric))) {
        return ::testing::AssertionFailure() << "input " << k << " element " << i << ": analytic " << a
                                             << " vs numeric " << numeric;
      }
    }
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult gradgradcheck(const Fn& fn, const std::vector<Tensor>& inputs, double eps, double atol,
                                         double rtol) {
  // g(inputs) = d/dinputs sum(fn(inputs) * w), built with create_graph so it is itself
  // differentiable; then gradcheck g.
  Fn grad_fn = [&fn](const std::vector<Tensor>& xs) {
    Tensor out = fn(xs);
    Tensor w = weights_like(out);
    std::vector<Tensor> diff;
    for (const Tensor& t : xs)
      if (t.requires_grad()) diff.push_back(t);
    auto gs = autograd::grad({(out * w).sum()}, diff, {}, true, true, true);
    std::vector<Tensor> flat;
    for (size_t i = 0; i < gs.size(); ++i) flat.push_back(gs[i].defined() ? gs[i].reshape({-1}) : zeros({diff[i].numel()}, kFloat64));
    return cat(flat);
  };
  return gradcheck(grad_fn, inputs, eps, atol, rtol);
}

}  // namespace ember::testing
