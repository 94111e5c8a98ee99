// The derivative table, linear algebra part.
#include "ember/autograd/derivatives.h"
#include "ember/ops/elementwise.h"
#include "ember/ops/linalg.h"

namespace ember::autograd {

namespace {
bool column_major(const Tensor& t) {
  return t.dim() == 2 && t.size(0) > 1 && t.size(1) > 1 && t.stride(0) == 1 && t.stride(1) == t.size(0);
}

// d(m1 @ m2)/d(m1) = g @ m2^T, and d/d(m2) = m1^T @ g, each in its operand's layout: a
// column-major operand's gradient is computed transposed, (B^T A)^T instead of A^T B, so
// the weight's gradient is contiguous without a copy.
Tensor mat1_grad(const MmState& layout, const Tensor& g, const Tensor& m2) {
  return layout.mat1_column_major ? m2.mm(g.t()).t() : g.mm(m2.t());
}
Tensor mat2_grad(const MmState& layout, const Tensor& g, const Tensor& m1) {
  return layout.mat2_column_major ? g.t().mm(m1).t() : m1.t().mm(g);
}

variable_list mm_formula(OpNode& n, const MmState& s, const variable_list& grads) {
  const Tensor& g = grads[0];
  Tensor a = n.needs_grad(1) ? n.saved(0) : Tensor();
  Tensor b = n.needs_grad(0) ? n.saved(1) : Tensor();
  return {n.needs_grad(0) ? mat1_grad(s, g, b) : Tensor(), n.needs_grad(1) ? mat2_grad(s, g, a) : Tensor()};
}

variable_list bmm_formula(OpNode& n, const NoState&, const variable_list& grads) {
  const Tensor& g = grads[0];
  Tensor a = n.needs_grad(1) ? n.saved(0) : Tensor();
  Tensor b = n.needs_grad(0) ? n.saved(1) : Tensor();
  return {n.needs_grad(0) ? g.bmm(b.transpose(1, 2)) : Tensor(), n.needs_grad(1) ? a.transpose(1, 2).bmm(g) : Tensor()};
}

variable_list addmm_formula(OpNode& n, const AddmmState& s, const variable_list& grads) {
  const Tensor& g = grads[0];
  Tensor gself = n.needs_grad(0) ? (s.beta.toDouble() == 1.0 ? g : g * s.beta) : Tensor();
  Tensor m1 = n.needs_grad(2) ? n.saved(0) : Tensor();
  Tensor m2 = n.needs_grad(1) ? n.saved(1) : Tensor();
  double alpha = s.alpha.toDouble();
  Tensor g1 = n.needs_grad(1) ? mat1_grad(s.layout, g, m2) : Tensor();
  Tensor g2 = n.needs_grad(2) ? mat2_grad(s.layout, g, m1) : Tensor();
  if (alpha != 1.0) {
    if (g1.defined()) g1 = g1 * alpha;
    if (g2.defined()) g2 = g2 * alpha;
  }
  return {gself, g1, g2};
}

variable_list mv_formula(OpNode& n, const NoState&, const variable_list& grads) {
  const Tensor& g = grads[0];
  Tensor m = n.needs_grad(1) ? n.saved(0) : Tensor();
  Tensor v = n.needs_grad(0) ? n.saved(1) : Tensor();
  return {n.needs_grad(0) ? outer(g, v) : Tensor(), n.needs_grad(1) ? mv(m.t(), g) : Tensor()};
}

variable_list dot_formula(OpNode& n, const NoState&, const variable_list& grads) {
  const Tensor& g = grads[0];
  return {n.needs_grad(0) ? g * n.saved(1) : Tensor(), n.needs_grad(1) ? g * n.saved(0) : Tensor()};
}
Tensor scaled(const Tensor& t, const Scalar& s) { return s.toDouble() == 1.0 ? t : t * s; }

variable_list addmv_formula(OpNode& n, const BetaAlphaState& s, const variable_list& grads) {
  const Tensor& g = grads[0];
  return {n.needs_grad(0) ? scaled(g, s.beta) : Tensor(),
          n.needs_grad(1) ? scaled(outer(g, n.saved(1)), s.alpha) : Tensor(),
          n.needs_grad(2) ? scaled(mv(n.saved(0).t(), g), s.alpha) : Tensor()};
}

variable_list baddbmm_formula(OpNode& n, const BetaAlphaState& s, const variable_list& grads) {
  const Tensor& g = grads[0];
  return {n.needs_grad(0) ? scaled(g, s.beta) : Tensor(),
          n.needs_grad(1) ? scaled(g.bmm(n.saved(1).transpose(1, 2)), s.alpha) : Tensor(),
          n.needs_grad(2) ? scaled(n.saved(0).transpose(1, 2).bmm(g), s.alpha) : Tensor()};
}
}  // namespace

MmState mm_layout(const Tensor& mat1, const Tensor& mat2) { return {column_major(mat1), column_major(mat2)}; }

EMBER_INSTANTIATE_RECORD(MmState);
EMBER_INSTANTIATE_RECORD(AddmmState);
EMBER_INSTANTIATE_RECORD(BetaAlphaState);

const Derivative<MmState> MmBackward0{"MmBackward0", mm_formula};
const Derivative<> BmmBackward0{"BmmBackward0", bmm_formula};
const Derivative<AddmmState> AddmmBackward0{"AddmmBackward0", addmm_formula};
const Derivative<> MvBackward0{"MvBackward0", mv_formula};
const Derivative<> DotBackward0{"DotBackward0", dot_formula};
const Derivative<> VdotBackward0{"VdotBackward0", dot_formula};
const Derivative<BetaAlphaState> AddmvBackward0{"AddmvBackward0", addmv_formula};
const Derivative<BetaAlphaState> BaddbmmBackward0{"BaddbmmBackward0", baddbmm_formula};

}  // namespace ember::autograd
