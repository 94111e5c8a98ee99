// The derivative table, indexing part: gradients scatter back through the indices.
#include "ember/autograd/derivatives.h"
#include "ember/autograd/engine.h"
#include "ember/ops/elementwise.h"
#include "ember/ops/factory.h"
#include "ember/ops/indexing.h"

namespace ember::autograd {

namespace {
variable_list index_formula(OpNode& n, const variable_list& grads) {
  std::vector<std::optional<Tensor>> indices;
  for (size_t i = 0; i < n.saved_.size(); ++i) {
    Tensor t = n.saved(i);
    indices.push_back(t.defined() ? std::optional<Tensor>(t) : std::nullopt);
  }
  Tensor out = zeros(n.shape0, grads[0].options());
  index_put_(out, indices, grads[0], /*accumulate=*/true);
  return {out};
}

// saved: the index tensors (undefined for full slices); code: accumulate.
variable_list index_put_formula(OpNode& n, const variable_list& grads) {
  std::vector<std::optional<Tensor>> indices;
  for (size_t i = 0; i < n.saved_.size(); ++i) {
    Tensor t = n.saved(i);
    indices.push_back(t.defined() ? std::optional<Tensor>(t) : std::nullopt);
  }
  const Tensor& g = grads[0];
  Tensor gself, gvalues;
  if (n.needs_grad(0)) gself = n.code ? g : index_put(g, indices, zeros({}, g.options()), false);
  if (n.needs_grad(1)) gvalues = index(g, indices);  // the engine sums it to the values' shape
  return {gself, gvalues};
}

variable_list index_select_formula(OpNode& n, const variable_list& grads) {
  return {zeros(n.shape0, grads[0].options()).index_add(n.i0, n.saved(0), grads[0])};
}

variable_list gather_formula(OpNode& n, const variable_list& grads) {
  return {zeros(n.shape0, grads[0].options()).scatter_add(n.i0, n.saved(0), grads[0])};
}

// next edges: self, and the value tensor for MaskedFillBackward1 (code 1).
variable_list masked_fill_formula(OpNode& n, const variable_list& grads) {
  Tensor mask = n.saved(0);
  Tensor gself = n.needs_grad(0) ? grads[0].masked_fill(mask, 0) : Tensor();
  if (n.code == 0) return {gself};
  Tensor gvalue = n.needs_grad(1) ? masked_grad(mask, grads[0]).sum().to(n.dtype0) : Tensor();
  return {gself, gvalue};
}

variable_list masked_select_formula(OpNode& n, const variable_list& grads) {
  Tensor mask = n.saved(0);
  Tensor out = zeros(n.shape0, grads[0].options());
  Tensor full_mask = mask.expand(n.shape0);
  out.index_put_({full_mask}, grads[0]);
  return {out};
}

variable_list scatter_formula(OpNode& n, const variable_list& grads) {
  Tensor idx = n.saved(0);
  const Tensor& g = grads[0];
  Tensor gself = n.needs_grad(0) ? (n.code ? g : g.scatter(n.i0, idx, 0)) : Tensor();
  Tensor gsrc = n.needs_grad(2) ? g.gather(n.i0, idx) : Tensor();
  return {gself, Tensor(), gsrc};
}

variable_list not_implemented_formula(OpNode& n, const variable_list&) {
  EMBER_THROW(NotImplementedError, "derivative for aten::", n.str0, " is not implemented");
}

variable_list index_add_formula(OpNode& n, const variable_list& grads) {
  const Tensor& g = grads[0];
  Tensor gsrc;
  if (n.needs_grad(2)) {
    gsrc = g.index_select(n.i0, n.saved(0)) * n.s0;
    if (gsrc.dim() != static_cast<int64_t>(n.shape1.size())) gsrc = gsrc.reshape(n.shape1);  // 0-dim source
  }
  return {g, Tensor(), gsrc};
}
}  // namespace

void record_index(const Tensor& self, const std::vector<std::optional<Tensor>>& indices, const Tensor& result) {
  if (!should_record({&self})) return;
  auto node = make_node("IndexBackward0", index_formula, {&self});
  node->shape0 = DimVector(self.sizes().begin(), self.sizes().end());
  for (const auto& i : indices) node->saved_.emplace_back(i ? *i : Tensor(), false);
  set_history(result, node);
}

void record_index_put(const Tensor& self, const std::vector<std::optional<Tensor>>& indices, const Tensor& values,
                      bool accumulate, const Tensor& result) {
  if (!should_record({&self, &values})) return;
  auto node = make_node("IndexPutBackward0", index_put_formula, {&self, &values});
  node->code = accumulate;
  for (const auto& i : indices) node->saved_.emplace_back(i ? *i : Tensor(), false);
  set_history(result, node);
}

void record_index_select(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& result) {
  if (!should_record({&self})) return;
  auto node = make_node("IndexSelectBackward0", index_select_formula, {&self});
  node->shape0 = DimVector(self.sizes().begin(), self.sizes().end());
  node->i0 = dim;
  node->saved_ = {SavedVariable(index, false)};
  set_history(result, node);
}

void record_gather(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& result) {
  if (!should_record({&self})) return;
  auto node = make_node("GatherBackward0", gather_formula, {&self});
  node->shape0 = DimVector(self.sizes().begin(), self.sizes().end());
  node->i0 = dim;
  node->saved_ = {SavedVariable(index, false)};
  set_history(result, node);
}

void record_masked_fill(const Tensor& self, const Tensor& mask, const Tensor& value, const Tensor& result) {
  if (!should_record({&self, &value})) return;
  const bool tensor_value = value.defined();
  auto node = tensor_value ? make_node("MaskedFillBackward1", masked_fill_formula, {&self, &value})
                           : make_node("MaskedFillBackward0", masked_fill_formula, {&self});
  node->code = tensor_value;
  if (tensor_value) node->dtype0 = value.dtype();
  node->saved_ = {SavedVariable(mask, false)};
  set_history(result, node);
}

void record_masked_select(const Tensor& self, const Tensor& mask, const Tensor& result) {
  if (!should_record({&self})) return;
  auto node = make_node("MaskedSelectBackward0", masked_select_formula, {&self});
  DimVector shape = DimVector(self.sizes().begin(), self.sizes().end());
  node->shape0 = shape;
  node->saved_ = {SavedVariable(mask, false)};
  set_history(result, node);
}

void record_scatter(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src, const Tensor& result,
                    bool add) {
  if (!should_record({&self, &src})) return;
  auto node = make_node(add ? "ScatterAddBackward0" : "ScatterBackward0", scatter_formula, {&self, &index, &src});
  node->code = add;
  node->i0 = dim;
  node->saved_ = {SavedVariable(index, false)};
  set_history(result, node);
}

void record_not_implemented(const char* op, std::initializer_list<const Tensor*> inputs, const Tensor& result) {
  if (!should_record(inputs)) return;
  auto node = make_node("NotImplemented", not_implemented_formula, inputs);
  node->str0 = op;
  set_history(result, node);
}

void record_index_add(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src, const Scalar& alpha,
                      const Tensor& result) {
  if (!should_record({&self, &src})) return;
  auto node = make_node("IndexAddBackward0", index_add_formula, {&self, &index, &src});
  node->i0 = dim;
  node->s0 = alpha;
  node->shape1 = DimVector(src.sizes().begin(), src.sizes().end());
  node->saved_ = {SavedVariable(index, false)};
  set_history(result, node);
}

}  // namespace ember::autograd
