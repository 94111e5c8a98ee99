// The derivative table, linear algebra part.
#include "ember/autograd/derivatives.h"
#include "ember/ops/elementwise.h"
#include "ember/ops/linalg.h"

namespace ember::autograd {

namespace {
// Bits of OpNode::code for mm / addmm: which operands were column-major (a .t() view of a
// contiguous matrix, as the weight is in linear's x @ W.t()). Their gradients are computed
// transposed, (B^T A)^T instead of A^T B, so they come out in the operand's own layout and
// the weight's gradient is contiguous without a copy (PyTorch's mm_mat1/mat2_backward rule).
constexpr int kBatched = 1, kMat1ColumnMajor = 2, kMat2ColumnMajor = 4;

bool column_major(const Tensor& t) {
  return t.dim() == 2 && t.size(0) > 1 && t.size(1) > 1 && t.stride(0) == 1 && t.stride(1) == t.size(0);
}

int layout_code(const Tensor& m1, const Tensor& m2) {
  return (column_major(m1) ? kMat1ColumnMajor : 0) | (column_major(m2) ? kMat2ColumnMajor : 0);
}

// d(m1 @ m2)/d(m1) = g @ m2^T, and d/d(m2) = m1^T @ g, each in its operand's layout.
Tensor mat1_grad(const OpNode& n, const Tensor& g, const Tensor& m2) {
  return (n.code & kMat1ColumnMajor) ? m2.mm(g.t()).t() : g.mm(m2.t());
}
Tensor mat2_grad(const OpNode& n, const Tensor& g, const Tensor& m1) {
  return (n.code & kMat2ColumnMajor) ? g.t().mm(m1).t() : m1.t().mm(g);
}

variable_list mm_formula(OpNode& n, const variable_list& grads) {
  const Tensor& g = grads[0];
  Tensor a = n.needs_grad(1) ? n.saved(0) : Tensor();
  Tensor b = n.needs_grad(0) ? n.saved(1) : Tensor();
  if (n.code & kBatched)
    return {n.needs_grad(0) ? g.bmm(b.transpose(1, 2)) : Tensor(), n.needs_grad(1) ? a.transpose(1, 2).bmm(g) : Tensor()};
  return {n.needs_grad(0) ? mat1_grad(n, g, b) : Tensor(), n.needs_grad(1) ? mat2_grad(n, g, a) : Tensor()};
}

variable_list addmm_formula(OpNode& n, const variable_list& grads) {
  const Tensor& g = grads[0];
  Tensor gself = n.needs_grad(0) ? (n.s0.toDouble() == 1.0 ? g : g * n.s0) : Tensor();
  Tensor m1 = n.needs_grad(2) ? n.saved(0) : Tensor();
  Tensor m2 = n.needs_grad(1) ? n.saved(1) : Tensor();
  double alpha = n.s1.toDouble();
  Tensor g1 = n.needs_grad(1) ? mat1_grad(n, g, m2) : Tensor();
  Tensor g2 = n.needs_grad(2) ? mat2_grad(n, g, m1) : Tensor();
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
  node->code = batched ? kBatched : layout_code(a, b);
  node->saved_ = {SavedVariable(a, false), SavedVariable(b, false)};
  set_history(result, node);
}

void record_addmm(const Tensor& self, const Tensor& m1, const Tensor& m2, const Scalar& beta, const Scalar& alpha,
                  const Tensor& result) {
  if (!should_record({&self, &m1, &m2})) return;
  auto node = make_node("AddmmBackward0", addmm_formula, {&self, &m1, &m2});
  node->s0 = beta;
  node->s1 = alpha;
  node->code = layout_code(m1, m2);
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
