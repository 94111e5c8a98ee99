// The derivative table, nn::functional part: parametrised activations, losses and
// constant padding. Formulas are written with ember ops (so a backward built with
// create_graph can be differentiated again), except that the activations take their fused
// backward kernel when no graph of the backward is wanted.
#include "ember/autograd/derivatives_functional.h"
#include "ember/autograd/derivatives.h"

#include <cstring>

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

// ActParams travel in the node: a and b as Scalars, c bit-copied into i0.
void store_params(OpNode& n, const ActParams& p) {
  n.s0 = p.a;
  n.s1 = p.b;
  std::memcpy(&n.i0, &p.c, sizeof(double));
}
ActParams load_params(const OpNode& n) {
  ActParams p{n.s0.toDouble(), n.s1.toDouble(), 0};
  std::memcpy(&p.c, &n.i0, sizeof(double));
  return p;
}

// grad * f'(x) written with ember ops, for double backward.
Tensor activation_grad_composite(ActOp op, const ActParams& p, const Tensor& g, const Tensor& x) {
  switch (op) {
    case ActOp::leaky_relu: return where(gt(x, 0), g, g * p.a);
    case ActOp::elu: return where(gt(x, 0), g * p.b, g * exp(x * p.c) * (p.a * p.b * p.c));
    case ActOp::hardtanh: return masked_grad(logical_and(gt(x, p.a), lt(x, p.b)), g);
    case ActOp::hardsigmoid: return masked_grad(logical_and(gt(x, -3.0), lt(x, 3.0)), g / 6.0);
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

variable_list activation_formula(OpNode& n, const variable_list& grads) {
  return {activation_grad(static_cast<ActOp>(n.code), load_params(n), grads[0], n.saved(0))};
}

// prelu: weight broadcast along dim 1 (or a single slope); its gradient is summed back.
variable_list prelu_formula(OpNode& n, const variable_list& grads) {
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

// glu(x) = a * sigmoid(b) with (a, b) the halves of x along i0. The gradient of b is formed
// as ((s (1 - s)) a) g: g * a first could overflow where the gradient does not.
variable_list glu_formula(OpNode& n, const variable_list& grads) {
  Tensor x = n.saved(0);
  const int64_t d = n.i0, h = x.size(d) / 2;
  Tensor a = x.narrow(d, 0, h), s = sigmoid(x.narrow(d, h, h));
  const Tensor& g = grads[0];
  return {cat({g * s, ((s * (1 - s)) * a) * g}, d)};
}

// ---- losses --------------------------------------------------------------------------------
// code: reduction (0 none, 1 mean, 2 sum); i1: element count of the (broadcast) input.
Tensor scale_grad(const OpNode& n, const Tensor& g) { return n.code == 1 ? g / static_cast<double>(n.i1) : g; }

variable_list mse_formula(OpNode& n, const variable_list& grads) {
  Tensor x = n.saved(0), t = n.saved(1);
  Tensor gi = (x - t) * scale_grad(n, grads[0]) * 2.0;
  return {n.needs_grad(0) ? gi : Tensor(), n.needs_grad(1) ? -gi : Tensor()};
}

// s0: delta (huber) or beta (smooth_l1); i2: 1 for smooth_l1.
variable_list smooth_l1_huber_formula(OpNode& n, const variable_list& grads) {
  Tensor x = n.saved(0), t = n.saved(1);
  const double delta = n.s0.toDouble();
  Tensor d = x - t;
  Tensor g = scale_grad(n, grads[0]);
  Tensor gi;
  if (n.i2) {  // smooth_l1: d / beta inside, sign(d) outside
    gi = where(lt(d, -delta), -g, where(gt(d, delta), g, d / delta * g));
  } else {  // huber: d inside, delta * sign(d) outside
    gi = where(lt(d, -delta), g * -delta, where(gt(d, delta), g * delta, d * g));
  }
  return {n.needs_grad(0) ? gi : Tensor(), n.needs_grad(1) ? -gi : Tensor()};
}

variable_list bce_formula(OpNode& n, const variable_list& grads) {
  Tensor x = n.saved(0), t = n.saved(1), w = n.saved(2);
  Tensor g = scale_grad(n, grads[0]);
  if (w.defined()) g = g * w;
  Tensor gi, gt_;
  // PyTorch's form: (x - t) / max(x (1 - x), eps), so x = 0 or 1 gives a large finite value.
  // Its eps is the float 1e-12 (9.99999996e-13), also in float64.
  if (n.needs_grad(0)) gi = g * (x - t) / clamp((1 - x) * x, static_cast<double>(1e-12f));
  // The target's gradient takes the logs unclamped (PyTorch's formula): infinite at x = 0 or 1.
  if (n.needs_grad(1)) gt_ = g * (log1p(-x) - log(x));
  return {gi, gt_};
}

variable_list bce_logits_formula(OpNode& n, const variable_list& grads) {
  Tensor x = n.saved(0), t = n.saved(1), w = n.saved(2), pw = n.saved(3);
  Tensor g = scale_grad(n, grads[0]);
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

// saved: index (N, 1, S), coef (N, 1, S); shape0: the input's sizes; i0: C; s0: total weight.
variable_list nll_formula(OpNode& n, const variable_list& grads) {
  Tensor index = n.saved(0), coef = n.saved(1);
  Tensor g = grads[0];
  const int64_t N = index.size(0), S = index.size(2), C = n.i0;
  // No classes: every target was ignored, and there is nowhere to scatter to.
  if (C == 0) return {zeros(n.shape0, g.options())};
  Tensor src;
  if (n.code == 0) src = coef * g.reshape({N, 1, S});
  else if (n.code == 1 && n.s0.toDouble() == 0) src = zeros_like(coef, g.options());  // every target ignored
  else if (n.code == 1) src = coef * (g / n.s0.toDouble());
  else src = coef * g;
  Tensor gi = zeros({N, C, S}, g.options()).scatter(1, index, src.to(g.dtype()));
  return {gi.reshape(n.shape0)};
}

// shape1: the pads. The gradient of padding by p is cropping by p: padding by -p.
variable_list constant_pad_formula(OpNode& n, const variable_list& grads) {
  DimVector neg;
  for (int64_t v : n.shape1) neg.push_back(-v);
  return {constant_pad_nd(grads[0], neg, 0)};
}

}  // namespace

Tensor activation_grad(ActOp op, const ActParams& p, const Tensor& grad, const Tensor& x) {
  if (!GradMode::is_enabled()) return ember::detail::activation_backward(op, p, grad, x);
  return activation_grad_composite(op, p, grad, x);
}

// ---- recording ---------------------------------------------------------------------------
void record_activation(ActOp op, const ActParams& p, const char* name, const Tensor& self, const Tensor& result) {
  if (!should_record({&self})) return;
  auto node = make_node(name, activation_formula, {&self});
  node->code = static_cast<int>(op);
  store_params(*node, p);
  node->saved_ = {SavedVariable(self, false)};
  set_history(result, node);
}

void record_glu(const Tensor& self, int64_t dim, const Tensor& result) {
  if (!should_record({&self})) return;
  auto node = make_node("GluBackward0", glu_formula, {&self});
  node->i0 = dim;
  node->saved_ = {SavedVariable(self, false)};
  set_history(result, node);
}

void record_prelu(const Tensor& self, const Tensor& weight, const Tensor& result) {
  if (!should_record({&self, &weight})) return;
  auto node = make_node("PreluBackward0", prelu_formula, {&self, &weight});
  node->saved_ = {SavedVariable(self, false), SavedVariable(weight, false)};
  set_history(result, node);
}

namespace {
std::shared_ptr<OpNode> loss_node(const char* name, Formula f, const Tensor& input, const Tensor& target,
                                  int reduction) {
  auto node = make_node(name, f, {&input, &target});
  node->code = reduction;
  node->i1 = input.numel();
  return node;
}
}  // namespace

void record_mse_loss(const Tensor& input, const Tensor& target, int reduction, const Tensor& result) {
  if (!should_record({&input, &target})) return;
  auto node = loss_node("MseLossBackward0", mse_formula, input, target, reduction);
  node->saved_ = {SavedVariable(input, false), SavedVariable(target, false)};
  set_history(result, node);
}

void record_smooth_l1_huber(const Tensor& input, const Tensor& target, int reduction, double delta, bool smooth_l1,
                            const Tensor& result) {
  if (!should_record({&input, &target})) return;
  auto node = loss_node(smooth_l1 ? "SmoothL1LossBackward0" : "HuberLossBackward0", smooth_l1_huber_formula, input,
                        target, reduction);
  node->s0 = delta;
  node->i2 = smooth_l1;
  node->saved_ = {SavedVariable(input, false), SavedVariable(target, false)};
  set_history(result, node);
}

void record_binary_cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight, int reduction,
                                 const Tensor& result) {
  if (!should_record({&input, &target})) return;
  auto node = loss_node("BinaryCrossEntropyBackward0", bce_formula, input, target, reduction);
  node->saved_ = {SavedVariable(input, false), SavedVariable(target, false),
                  weight.defined() ? SavedVariable(weight, false) : SavedVariable()};
  set_history(result, node);
}

void record_binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target, const Tensor& weight,
                                             const Tensor& pos_weight, int reduction, const Tensor& result) {
  if (!should_record({&input, &target})) return;
  auto node = loss_node("BinaryCrossEntropyWithLogitsBackward0", bce_logits_formula, input, target, reduction);
  node->saved_ = {SavedVariable(input, false), SavedVariable(target, false),
                  weight.defined() ? SavedVariable(weight, false) : SavedVariable(),
                  pos_weight.defined() ? SavedVariable(pos_weight, false) : SavedVariable()};
  set_history(result, node);
}

void record_nll_loss(const Tensor& input, const Tensor& index, const Tensor& coef, int reduction,
                     double total_weight, bool two_d, const Tensor& result) {
  if (!should_record({&input})) return;
  auto node = make_node(two_d ? "NllLoss2DBackward0" : "NllLossBackward0", nll_formula, {&input});
  node->code = reduction;
  node->i0 = input.dim() == 1 ? input.size(0) : input.size(1);
  node->s0 = total_weight;
  node->shape0 = DimVector(input.sizes().begin(), input.sizes().end());
  node->saved_ = {SavedVariable(index, false), SavedVariable(coef, false)};
  set_history(result, node);
}

void record_constant_pad(const Tensor& self, IntArrayRef pad, const Tensor& result) {
  if (!should_record({&self})) return;
  auto node = make_node("ConstantPadNdBackward0", constant_pad_formula, {&self});
  node->shape1 = DimVector(pad.begin(), pad.end());
  set_history(result, node);
}

}  // namespace ember::autograd
