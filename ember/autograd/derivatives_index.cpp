// The derivative table, indexing part: gradients scatter back through the indices.
#include "ember/autograd/derivatives.h"
#include "ember/autograd/engine.h"
#include "ember/ops/elementwise.h"
#include "ember/ops/factory.h"
#include "ember/ops/indexing.h"

namespace ember::autograd {

namespace {
std::vector<std::optional<Tensor>> saved_indices(OpNode& n) {
  std::vector<std::optional<Tensor>> indices;
  for (size_t i = 0; i < n.saved_.size(); ++i) {
    Tensor t = n.saved(i);
    indices.push_back(t.defined() ? std::optional<Tensor>(t) : std::nullopt);
  }
  return indices;
}

// saved: the index tensors (undefined for full slices).
variable_list index_formula(OpNode& n, const SizesState& s, const variable_list& grads) {
  std::vector<std::optional<Tensor>> indices = saved_indices(n);
  Tensor out = zeros(s.self_sizes, grads[0].options());
  index_put_(out, indices, grads[0], /*accumulate=*/true);
  return {out};
}

variable_list index_put_formula(OpNode& n, const IndexPutState& s, const variable_list& grads) {
  std::vector<std::optional<Tensor>> indices = saved_indices(n);
  const Tensor& g = grads[0];
  Tensor gself, gvalues;
  if (n.needs_grad(0)) gself = s.accumulate ? g : index_put(g, indices, zeros({}, g.options()), false);
  if (n.needs_grad(1)) gvalues = index(g, indices);  // the engine sums it to the values' shape
  return {gself, gvalues};
}

variable_list index_select_formula(OpNode& n, const IndexDimState& s, const variable_list& grads) {
  return {zeros(s.self_sizes, grads[0].options()).index_add(s.dim, n.saved(0), grads[0])};
}

variable_list gather_formula(OpNode& n, const IndexDimState& s, const variable_list& grads) {
  return {zeros(s.self_sizes, grads[0].options()).scatter_add(s.dim, n.saved(0), grads[0])};
}

variable_list masked_fill_formula(OpNode& n, const NoState&, const variable_list& grads) {
  Tensor mask = n.saved(0);
  return {n.needs_grad(0) ? grads[0].masked_fill(mask, 0) : Tensor()};
}

// next edges: self and the value tensor.
variable_list masked_fill_tensor_formula(OpNode& n, const MaskedFillState& s, const variable_list& grads) {
  Tensor mask = n.saved(0);
  Tensor gself = n.needs_grad(0) ? grads[0].masked_fill(mask, 0) : Tensor();
  Tensor gvalue = n.needs_grad(1) ? masked_grad(mask, grads[0]).sum().to(s.value_dtype) : Tensor();
  return {gself, gvalue};
}

variable_list masked_select_formula(OpNode& n, const SizesState& s, const variable_list& grads) {
  Tensor mask = n.saved(0);
  Tensor out = zeros(s.self_sizes, grads[0].options());
  Tensor full_mask = mask.expand(s.self_sizes);
  out.index_put_({full_mask}, grads[0]);
  return {out};
}

variable_list scatter_formula(OpNode& n, const ScatterState& s, const variable_list& grads) {
  Tensor idx = n.saved(0);
  const Tensor& g = grads[0];
  Tensor gself = n.needs_grad(0) ? g.scatter(s.dim, idx, 0) : Tensor();
  Tensor gsrc = n.needs_grad(2) ? g.gather(s.dim, idx) : Tensor();
  return {gself, Tensor(), gsrc};
}

variable_list scatter_add_formula(OpNode& n, const ScatterState& s, const variable_list& grads) {
  Tensor idx = n.saved(0);
  const Tensor& g = grads[0];
  Tensor gself = n.needs_grad(0) ? g : Tensor();
  Tensor gsrc = n.needs_grad(2) ? g.gather(s.dim, idx) : Tensor();
  return {gself, Tensor(), gsrc};
}

variable_list not_implemented_formula(OpNode&, const NotImplementedState& s, const variable_list&) {
  EMBER_THROW(NotImplementedError, "derivative for aten::", s.op, " is not implemented");
}

variable_list index_add_formula(OpNode& n, const IndexAddState& s, const variable_list& grads) {
  const Tensor& g = grads[0];
  Tensor gsrc;
  if (n.needs_grad(2)) {
    gsrc = g.index_select(s.dim, n.saved(0)) * s.alpha;
    if (gsrc.dim() != static_cast<int64_t>(s.source_sizes.size())) gsrc = gsrc.reshape(s.source_sizes);  // 0-dim source
  }
  return {g, Tensor(), gsrc};
}
}  // namespace

EMBER_INSTANTIATE_RECORD(IndexPutState);
EMBER_INSTANTIATE_RECORD(IndexDimState);
EMBER_INSTANTIATE_RECORD(MaskedFillState);
EMBER_INSTANTIATE_RECORD(ScatterState);
EMBER_INSTANTIATE_RECORD(IndexAddState);
EMBER_INSTANTIATE_RECORD(NotImplementedState);

const Derivative<SizesState> IndexBackward0{"IndexBackward0", index_formula};
const Derivative<IndexPutState> IndexPutBackward0{"IndexPutBackward0", index_put_formula};
const Derivative<IndexDimState> IndexSelectBackward0{"IndexSelectBackward0", index_select_formula};
const Derivative<IndexDimState> GatherBackward0{"GatherBackward0", gather_formula};
const Derivative<> MaskedFillBackward0{"MaskedFillBackward0", masked_fill_formula};
const Derivative<MaskedFillState> MaskedFillBackward1{"MaskedFillBackward1", masked_fill_tensor_formula};
const Derivative<SizesState> MaskedSelectBackward0{"MaskedSelectBackward0", masked_select_formula};
const Derivative<ScatterState> ScatterBackward0{"ScatterBackward0", scatter_formula};
const Derivative<ScatterState> ScatterAddBackward0{"ScatterAddBackward0", scatter_add_formula};
const Derivative<IndexAddState> IndexAddBackward0{"IndexAddBackward0", index_add_formula};
const Derivative<NotImplementedState> NotImplemented{"NotImplemented", not_implemented_formula};

}  // namespace ember::autograd
