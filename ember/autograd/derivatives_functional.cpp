// The derivative table, nn::functional part: parametrised activations, losses and
// constant padding. Formulas are written with ember ops (so a backward built with
// create_graph can be differentiated again), except that the activations take their fused
// backward kernel when no graph of the backward is wanted.
#include "ember/autograd/derivatives_functional.h"
#include "ember/autograd/derivatives.h"

#include "ember/autograd/engine.h"
#include "ember/ops/activation.h"
#include "ember/ops/activation_impl.h"
#include "ember/ops/elementwise.h"
#include "ember/ops/factory.h"
#include "ember/ops/index.h"
#include "ember/ops/pad.h"
#include "ember/ops/reduce.h"
#include "ember/ops/shape.h"

namespace ember::autograd {

namespace {

using kernels::ActOp;
using kernels::ActParams;

// grad * f'(x) written with ember ops, for double backward.
Tensor activation_grad_composite(ActOp op, const ActParams& p, const Tensor& g, const Tensor& x) {
  switch (op) {
    case ActOp::leaky_relu: return where(gt(x, 0), g, g * p.a);
    case ActOp::elu: return where(gt(x, 0), g * p.b, g * exp(x * p.c) * (p.a * p.b * p.c));
    case ActOp::hardtanh: return masked_grad(logical_and(gt(x, p.a), lt(x, p.b)), g);
    case ActOp::hardsigmoid: return masked_grad(logical_and(gt(x, -3.0), lt(x, 3.0)), g * static_cast<double>(1.0f / 6.0f));
    case ActOp::hardswish:
      return where(lt(x, -3.0), zeros_like(g), where(ge(x, 3.0), g, g * (x / 3.0 + 0.5)));
    case ActOp::softplus: {
      Tensor z = x * p.a;
      return where(gt(z, p.b), g, g * sigmoid(z));
    }
    case ActOp::silu: {
      Tensor s = sigmoid(x);
      return g * s * (1 + x * (1 - s));
    }
    case ActOp::mish: {
      Tensor t = tanh(softplus(x));
      return g * (t + x * sigmoid(x) * (1 - t * t));
    }
    case ActOp::log_sigmoid: return g * sigmoid(-x);
    case ActOp::threshold: return where(le(x, p.a), zeros_like(g), g);
  }
  return g;
}

variable_list activation_formula(OpNode& n, const ActivationState& s, const variable_list& grads) {
  return {activation_grad(s.op, s.params, grads[0], n.saved(0))};
}

// prelu: weight broadcast along dim 1 (or a single slope); its gradient is summed back.
variable_list prelu_formula(OpNode& n, const NoState&, const variable_list& grads) {
  Tensor x = n.saved(0), w = n.saved(1);
  const Tensor& g = grads[0];
  const int64_t nw = w.numel();
  DimVector wshape(static_cast<size_t>(x.dim()), 1);
  if (nw != 1) wshape[1] = nw;
  Tensor wb = w.reshape(wshape);
  Tensor pos = gt(x, 0);
  Tensor gx, gw;
  if (n.needs_grad(0)) gx = where(pos, g, g * wb);
  if (n.needs_grad(1)) {
    Tensor full = where(pos, zeros_like(g), g * x);
    if (nw == 1) {
      gw = full.sum().reshape(w.sizes());
    } else {
      DimVector dims;
      for (int64_t d = 0; d < x.dim(); ++d)
        if (d != 1) dims.push_back(d);
      gw = (dims.empty() ? full : full.sum(dims)).reshape(w.sizes());
    }
  }
  return {gx, gw};
}

// glu(x) = a * sigmoid(b) with (a, b) the halves of x along dim. The gradient of b is formed
// as ((s (1 - s)) a) g: g * a first could overflow where the gradient does not.
variable_list glu_formula(OpNode& n, const DimState& st, const variable_list& grads) {
  Tensor x = n.saved(0);
  const int64_t d = st.dim, h = x.size(d) / 2;
  Tensor a = x.narrow(d, 0, h), s = sigmoid(x.narrow(d, h, h));
  const Tensor& g = grads[0];
  return {cat({g * s, ((s * (1 - s)) * a) * g}, d)};
}

// ---- losses --------------------------------------------------------------------------------
// The mean's gradient is divided by the element count.
Tensor scale_grad(int reduction, int64_t numel, const Tensor& g) {
  return reduction == 1 ? g / static_cast<double>(numel) : g;
}

variable_list mse_formula(OpNode& n, const LossState& s, const variable_list& grads) {
  Tensor x = n.saved(0), t = n.saved(1);
  Tensor gi = (x - t) * scale_grad(s.reduction, s.numel, grads[0]) * 2.0;
  return {n.needs_grad(0) ? gi : Tensor(), n.needs_grad(1) ? -gi : Tensor()};
}

Tensor smooth_l1_huber_grad(OpNode& n, const SmoothL1HuberState& s, const Tensor& grad, bool smooth_l1) {
  Tensor x = n.saved(0), t = n.saved(1);
  const double delta = s.delta;
  Tensor d = x - t;
  Tensor g = scale_grad(s.reduction, s.numel, grad);
  if (smooth_l1)  // d / beta inside, sign(d) outside
    return where(lt(d, -delta), -g, where(gt(d, delta), g, d / delta * g));
  // huber: d inside, delta * sign(d) outside
  return where(lt(d, -delta), g * -delta, where(gt(d, delta), g * delta, d * g));
}
variable_list smooth_l1_formula(OpNode& n, const SmoothL1HuberState& s, const variable_list& grads) {
  Tensor gi = smooth_l1_huber_grad(n, s, grads[0], true);
  return {n.needs_grad(0) ? gi : Tensor(), n.needs_grad(1) ? -gi : Tensor()};
}
variable_list huber_formula(OpNode& n, const SmoothL1HuberState& s, const variable_list& grads) {
  Tensor gi = smooth_l1_huber_grad(n, s, grads[0], false);
  return {n.needs_grad(0) ? gi : Tensor(), n.needs_grad(1) ? -gi : Tensor()};
}

variable_list bce_formula(OpNode& n, const LossState& s, const variable_list& grads) {
  Tensor x = n.saved(0), t = n.saved(1), w = n.saved(2);
  Tensor g = scale_grad(s.reduction, s.numel, grads[0]);
  if (w.defined()) g = g * w;
  Tensor gi, gt_;
  // PyTorch's form: (x - t) / max(x (1 - x), eps), so x = 0 or 1 gives a large finite value.
  // Its eps is the float 1e-12 (9.99999996e-13), also in float64.
  if (n.needs_grad(0)) gi = g * (x - t) / clamp((1 - x) * x, static_cast<double>(1e-12f));
  // The target's gradient takes the logs unclamped (PyTorch's formula): infinite at x = 0 or 1.
  if (n.needs_grad(1)) gt_ = g * (log1p(-x) - log(x));
  return {gi, gt_};
}

variable_list bce_logits_formula(OpNode& n, const LossState& s, const variable_list& grads) {
  Tensor x = n.saved(0), t = n.saved(1), w = n.saved(2), pw = n.saved(3);
  Tensor g = scale_grad(s.reduction, s.numel, grads[0]);
  if (w.defined()) g = g * w;
  Tensor gi, gt_;
  if (n.needs_grad(0)) {
    if (pw.defined()) {
      Tensor pt = pw * t;
      gi = ((pt + 1 - t) * sigmoid(x) - pt) * g;
    } else {
      gi = (sigmoid(x) - t) * g;
    }
  }
  if (n.needs_grad(1)) {
    // d/dt [(1 - t) x - (1 + (pw - 1) t) log_sigmoid(x)] = log_sigmoid(-x) - pw log_sigmoid(x),
    // in that form (PyTorch's), which stays infinite rather than NaN for infinite x.
    gt_ = pw.defined() ? (log_sigmoid(-x) - log_sigmoid(x) * pw) * g : -x * g;
  }
  return {gi, gt_};
}

// saved: index (N, 1, S), coef (N, 1, S).
variable_list nll_formula(OpNode& n, const NllLossState& s, const variable_list& grads) {
  Tensor index = n.saved(0), coef = n.saved(1);
  Tensor g = grads[0];
  const int64_t N = index.size(0), S = index.size(2), C = s.num_classes;
  // No classes: every target was ignored, and there is nowhere to scatter to.
  if (C == 0) return {zeros(s.input_sizes, g.options())};
  Tensor src;
  if (s.reduction == 0) src = coef * g.reshape({N, 1, S});
  else if (s.reduction == 1 && s.total_weight == 0) src = zeros_like(coef, g.options());  // every target ignored
  else if (s.reduction == 1) src = coef * (g / s.total_weight);
  else src = coef * g;
  Tensor gi = zeros({N, C, S}, g.options()).scatter(1, index, src.to(g.dtype()));
  return {gi.reshape(s.input_sizes)};
}

// The gradient of padding by p is cropping by p: padding by -p.
variable_list constant_pad_formula(OpNode&, const ConstantPadState& s, const variable_list& grads) {
  DimVector neg;
  for (int64_t v : s.pad) neg.push_back(-v);
  return {constant_pad_nd(grads[0], neg, 0)};
}

}  // namespace

Tensor activation_grad(ActOp op, const ActParams& p, const Tensor& grad, const Tensor& x) {
  if (!GradMode::is_enabled()) return ember::detail::activation_backward(op, p, grad, x);
  return activation_grad_composite(op, p, grad, x);
}

EMBER_INSTANTIATE_RECORD(ActivationState);
EMBER_INSTANTIATE_RECORD(LossState);
EMBER_INSTANTIATE_RECORD(SmoothL1HuberState);
EMBER_INSTANTIATE_RECORD(NllLossState);
EMBER_INSTANTIATE_RECORD(ConstantPadState);

const Derivative<ActivationState> LeakyReluBackward0{"LeakyReluBackward0", activation_formula};
const Derivative<ActivationState> EluBackward0{"EluBackward0", activation_formula};
const Derivative<ActivationState> CeluBackward0{"CeluBackward0", activation_formula};
const Derivative<ActivationState> HardtanhBackward0{"HardtanhBackward0", activation_formula};
const Derivative<ActivationState> HardsigmoidBackward0{"HardsigmoidBackward0", activation_formula};
const Derivative<ActivationState> HardswishBackward0{"HardswishBackward0", activation_formula};
const Derivative<ActivationState> SoftplusBackward0{"SoftplusBackward0", activation_formula};
const Derivative<ActivationState> SiluBackward0{"SiluBackward0", activation_formula};
const Derivative<ActivationState> MishBackward0{"MishBackward0", activation_formula};
const Derivative<ActivationState> LogSigmoidBackward0{"LogSigmoidBackward0", activation_formula};
const Derivative<ActivationState> ThresholdBackward0{"ThresholdBackward0", activation_formula};
const Derivative<ActivationState> ThresholdBackward1{"ThresholdBackward1", activation_formula};
const Derivative<> PreluBackward0{"PreluBackward0", prelu_formula};
const Derivative<DimState> GluBackward0{"GluBackward0", glu_formula};

const Derivative<LossState> MseLossBackward0{"MseLossBackward0", mse_formula};
const Derivative<SmoothL1HuberState> SmoothL1LossBackward0{"SmoothL1LossBackward0", smooth_l1_formula};
const Derivative<SmoothL1HuberState> HuberLossBackward0{"HuberLossBackward0", huber_formula};
const Derivative<LossState> BinaryCrossEntropyBackward0{"BinaryCrossEntropyBackward0", bce_formula};
const Derivative<LossState> BinaryCrossEntropyWithLogitsBackward0{"BinaryCrossEntropyWithLogitsBackward0",
                                                                  bce_logits_formula};
const Derivative<NllLossState> NllLossBackward0{"NllLossBackward0", nll_formula};
const Derivative<NllLossState> NllLoss2DBackward0{"NllLoss2DBackward0", nll_formula};
const Derivative<ConstantPadState> ConstantPadNdBackward0{"ConstantPadNdBackward0", constant_pad_formula};

}  // namespace ember::autograd
