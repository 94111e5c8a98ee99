// The derivative table, linear algebra part.
#include "ember/autograd/derivatives.h"
#include "ember/ops/elementwise.h"
#include "ember/ops/linalg.h"

namespace ember::autograd {

namespace {
variable_list mm_formula(OpNode& n, const variable_list& grads) {
  const Tensor& g = grads[0];
  Tensor a = n.needs_grad(1) ? n.saved(0) : Tensor();
  Tensor b = n.needs_grad(0) ? n.saved(1) : Tensor();
  if (n.code)  // bmm
    return {n.needs_grad(0) ? g.bmm(b.transpose(1, 2)) : Tensor(), n.needs_grad(1) ? a.transpose(1, 2).bmm(g) : Tensor()};
  return {n.needs_grad(0) ? g.mm(b.t()) : Tensor(), n.needs_grad(1) ? a.t().mm(g) : Tensor()};
}

variable_list addmm_formula(OpNode& n, const variable_list& grads) {
  const Tensor& g = grads[0];
  Tensor gself = n.needs_grad(0) ? (n.s0.toDouble() == 1.0 ? g : g * n.s0) : Tensor();
  Tensor m1 = n.needs_grad(2) ? n.saved(0) : Tensor();
  Tensor m2 = n.needs_grad(1) ? n.saved(1) : Tensor();
  double alpha = n.s1.toDouble();
  Tensor g1 = n.needs_grad(1) ? g.mm(m2.t()) : Tensor();
  Tensor g2 = n.needs_grad(2) ? m1.t().mm(g) : Tensor();
  if (alpha != 1.0) {
    if (g1.defined()) g1 = g1 * alpha;
    if (g2.defined()) g2 = g2 * alpha;
  }
  return {gself, g1, g2};
}

variable_list mv_formula(OpNode& n, const variable_list& grads) {
  const Tensor& g = grads[0];
  Tensor m = n.needs_grad(1) ? n.saved(0) : Tensor();
  Tensor v = n.needs_grad(0) ? n.saved(1) : Tensor();
  return {n.needs_grad(0) ? outer(g, v) : Tensor(), n.needs_grad(1) ? mv(m.t(), g) : Tensor()};
}

variable_list dot_formula(OpNode& n, const variable_list& grads) {
  const Tensor& g = grads[0];
  return {n.needs_grad(0) ? g * n.saved(1) : Tensor(), n.needs_grad(1) ? g * n.saved(0) : Tensor()};
}
}  // namespace

void record_mm(const Tensor& a, const Tensor& b, const Tensor& result, bool batched) {
  if (!should_record({&a, &b})) return;
  auto node = make_node(batched ? "BmmBackward0" : "MmBackward0", mm_formula, {&a, &b});
  node->code = batched;
  node->saved_ = {SavedVariable(a, false), SavedVariable(b, false)};
  set_history(result, node);
}

void record_addmm(const Tensor& self, const Tensor& m1, const Tensor& m2, const Scalar& beta, const Scalar& alpha,
                  const Tensor& result) {
  if (!should_record({&self, &m1, &m2})) return;
  auto node = make_node("AddmmBackward0", addmm_formula, {&self, &m1, &m2});
  node->s0 = beta;
  node->s1 = alpha;
  node->saved_ = {SavedVariable(m1, false), SavedVariable(m2, false)};
  set_history(result, node);
}

void record_mv(const Tensor& m, const Tensor& v, const Tensor& result) {
  if (!should_record({&m, &v})) return;
  auto node = make_node("MvBackward0", mv_formula, {&m, &v});
  node->saved_ = {SavedVariable(m, false), SavedVariable(v, false)};
  set_history(result, node);
}

void record_dot(const Tensor& a, const Tensor& b, const Tensor& result) {
  if (!should_record({&a, &b})) return;
  auto node = make_node("DotBackward0", dot_formula, {&a, &b});
  node->saved_ = {SavedVariable(a, false), SavedVariable(b, false)};
  set_history(result, node);
}

}  // namespace ember::autograd
