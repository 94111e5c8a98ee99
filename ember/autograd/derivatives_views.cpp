// The derivative table, shape part: views (whose gradient is the inverse view or a
// scatter into zeros), cat, flip, repeat.
#include <numeric>

#include "ember/autograd/derivatives.h"
#include "ember/autograd/engine.h"
#include "ember/ops/elementwise.h"
#include "ember/ops/factory.h"
#include "ember/ops/shape.h"

namespace ember::autograd {

namespace {

variable_list reshape_formula(OpNode&, const SizesState& s, const variable_list& grads) {
  return {grads[0].reshape(s.self_sizes)};
}
variable_list expand_formula(OpNode&, const SizesState& s, const variable_list& grads) {
  return {sum_to(grads[0], s.self_sizes)};
}
variable_list permute_formula(OpNode&, const DimsState& s, const variable_list& grads) {
  DimVector inverse(s.dims.size());
  for (size_t i = 0; i < s.dims.size(); ++i) inverse[s.dims[i]] = static_cast<int64_t>(i);
  return {grads[0].permute(inverse)};
}
variable_list transpose_formula(OpNode&, const TransposeState& s, const variable_list& grads) {
  return {grads[0].transpose(s.dim0, s.dim1)};
}
variable_list t_formula(OpNode&, const NoState&, const variable_list& grads) { return {grads[0].t()}; }
variable_list unsqueeze_formula(OpNode&, const DimState& s, const variable_list& grads) {
  return {grads[0].squeeze(s.dim)};
}
variable_list slice_formula(OpNode&, const SliceState& s, const variable_list& grads) {
  return {slice_backward(grads[0], s.self_sizes, s.dim, s.start, s.end, s.step)};
}
variable_list select_formula(OpNode&, const SelectState& s, const variable_list& grads) {
  return {select_backward(grads[0], s.self_sizes, s.dim, s.index)};
}
variable_list diagonal_formula(OpNode&, const DiagonalState& s, const variable_list& grads) {
  return {diagonal_backward(grads[0], s.self_sizes, s.offset, s.dim1, s.dim2)};
}

// Gradients of overlapping (stride-0) output dims are summed first so the scatter below
// writes each element once.
variable_list as_strided_formula(OpNode&, const AsStridedState& s, const variable_list& grads) {
  NoGradGuard guard;  // a scatter through as_strided; not differentiable again here
  const Tensor& g = grads[0];
  DimVector out_sizes = s.sizes, out_strides = s.strides;
  Tensor grad = g;
  for (size_t d = 0; d < out_sizes.size(); ++d)
    if (out_strides[d] == 0 && out_sizes[d] > 1) {
      grad = grad.sum({static_cast<int64_t>(d)}, true);
      out_sizes[d] = 1;
    }
  int64_t extent = 1;
  for (size_t d = 0; d < s.self_sizes.size(); ++d) extent += (s.self_sizes[d] - 1) * s.self_strides[d];
  for (size_t d = 0; d < out_sizes.size(); ++d)
    extent = std::max(extent, s.offset + 1 + (out_sizes[d] - 1) * out_strides[d]);
  Tensor flat = zeros({extent}, g.options());
  flat.as_strided(out_sizes, out_strides, s.offset).add_(grad);
  return {flat.as_strided(s.self_sizes, s.self_strides, 0)};
}

variable_list cat_formula(OpNode& n, const CatState& st, const variable_list& grads) {
  variable_list out;
  int64_t offset = 0;
  for (size_t i = 0; i < st.sizes.size(); ++i) {
    const DimVector& s = st.sizes[i];
    bool skipped = s.size() == 1 && s[0] == 0;  // legacy empty inputs take no part
    int64_t len = skipped ? 0 : s[st.dim];
    out.push_back(n.needs_grad(i) && !skipped ? grads[0].narrow(st.dim, offset, len) : Tensor());
    offset += len;
  }
  return out;
}

variable_list stack_formula(OpNode& n, const DimState& s, const variable_list& grads) {
  variable_list out;
  for (size_t i = 0; i < n.num_outputs(); ++i)
    out.push_back(n.needs_grad(i) ? grads[0].select(s.dim, static_cast<int64_t>(i)) : Tensor());
  return out;
}

variable_list flip_formula(OpNode&, const DimsState& s, const variable_list& grads) {
  return {grads[0].flip(s.dims)};
}

variable_list repeat_formula(OpNode&, const RepeatState& s, const variable_list& grads) {
  // The input's sizes left-padded with 1s to the repeat count, interleaved with the repeats.
  const size_t lead = s.repeats.size() - s.self_sizes.size();
  DimVector interleaved, sum_dims;
  for (size_t i = 0; i < s.repeats.size(); ++i) {
    interleaved.push_back(s.repeats[i]);
    interleaved.push_back(i < lead ? 1 : s.self_sizes[i - lead]);
    sum_dims.push_back(static_cast<int64_t>(2 * i));
  }
  Tensor g = grads[0].reshape(interleaved).sum(sum_dims, false);
  return {g.reshape(s.self_sizes)};
}

// The backward helpers' own formulas: the forward view of the gradient's gradient.
variable_list select_backward_formula(OpNode&, const SelectState& s, const variable_list& grads) {
  return {grads[0].select(s.dim, s.index)};
}
variable_list slice_backward_formula(OpNode&, const SliceState& s, const variable_list& grads) {
  return {grads[0].slice(s.dim, s.start, s.end, s.step)};
}
variable_list diagonal_backward_formula(OpNode&, const DiagonalState& s, const variable_list& grads) {
  return {grads[0].diagonal(s.offset, s.dim1, s.dim2)};
}

const Derivative<SelectState> SelectBackwardBackward0{"SelectBackwardBackward0", select_backward_formula};
const Derivative<SliceState> SliceBackwardBackward0{"SliceBackwardBackward0", slice_backward_formula};
const Derivative<DiagonalState> DiagonalBackwardBackward0{"DiagonalBackwardBackward0", diagonal_backward_formula};

}  // namespace

EMBER_INSTANTIATE_RECORD(SizesState);
EMBER_INSTANTIATE_RECORD(DimState);
EMBER_INSTANTIATE_RECORD_LIST(DimState);
EMBER_INSTANTIATE_RECORD(DimsState);
EMBER_INSTANTIATE_RECORD(TransposeState);
EMBER_INSTANTIATE_RECORD(SliceState);
EMBER_INSTANTIATE_RECORD(SelectState);
EMBER_INSTANTIATE_RECORD(DiagonalState);
EMBER_INSTANTIATE_RECORD(AsStridedState);
EMBER_INSTANTIATE_RECORD_LIST(CatState);
EMBER_INSTANTIATE_RECORD(RepeatState);

const Derivative<SizesState> ViewBackward0{"ViewBackward0", reshape_formula};
const Derivative<SizesState> ReshapeAliasBackward0{"ReshapeAliasBackward0", reshape_formula};
const Derivative<SizesState> AliasBackward0{"AliasBackward0", reshape_formula};
namespace {
// The output gradients with zeros (of the output's recorded shape) for the missing ones.
variable_list grads_or_zeros(OpNode& n, const variable_list& grads) {
  variable_list r;
  r.reserve(grads.size());
  for (size_t i = 0; i < grads.size(); ++i)
    r.push_back(grads[i].defined() ? grads[i] : zeros(n.input_metadata(i).shape, TensorOptions(n.input_metadata(i).dtype)));
  return r;
}
variable_list split_formula(OpNode& n, const DimState& s, const variable_list& grads) {
  return {cat(grads_or_zeros(n, grads), s.dim)};
}
variable_list unbind_formula(OpNode& n, const DimState& s, const variable_list& grads) {
  return {stack(grads_or_zeros(n, grads), s.dim)};
}
}  // namespace
const Derivative<DimState> SplitBackward0{"SplitBackward0", split_formula};
const Derivative<DimState> SplitWithSizesBackward0{"SplitWithSizesBackward0", split_formula};
const Derivative<DimState> UnbindBackward0{"UnbindBackward0", unbind_formula};
const Derivative<SizesState> UnsafeViewBackward0{"UnsafeViewBackward0", reshape_formula};
const Derivative<SizesState> SqueezeBackward0{"SqueezeBackward0", reshape_formula};
const Derivative<SizesState> SqueezeBackward1{"SqueezeBackward1", reshape_formula};
const Derivative<SizesState> ExpandBackward0{"ExpandBackward0", expand_formula};
const Derivative<DimsState> PermuteBackward0{"PermuteBackward0", permute_formula};
const Derivative<TransposeState> TransposeBackward0{"TransposeBackward0", transpose_formula};
const Derivative<> TBackward0{"TBackward0", t_formula};
const Derivative<DimState> UnsqueezeBackward0{"UnsqueezeBackward0", unsqueeze_formula};
const Derivative<SliceState> SliceBackward0{"SliceBackward0", slice_formula};
const Derivative<SelectState> SelectBackward0{"SelectBackward0", select_formula};
const Derivative<DiagonalState> DiagonalBackward0{"DiagonalBackward0", diagonal_formula};
const Derivative<AsStridedState> AsStridedBackward0{"AsStridedBackward0", as_strided_formula};
const Derivative<CatState> CatBackward0{"CatBackward0", cat_formula};
const Derivative<DimState> StackBackward0{"StackBackward0", stack_formula};
const Derivative<DimsState> FlipBackward0{"FlipBackward0", flip_formula};
const Derivative<RepeatState> RepeatBackward0{"RepeatBackward0", repeat_formula};

Tensor select_backward(const Tensor& grad, IntArrayRef input_sizes, int64_t dim, int64_t index) {
  Tensor out = zeros(input_sizes, grad.options());
  {
    NoGradGuard guard;
    out.select(dim, index).copy_(grad);
  }
  record(SelectBackwardBackward0, {&grad}, out, {dim_vector(input_sizes), dim, index});
  return out;
}

Tensor slice_backward(const Tensor& grad, IntArrayRef input_sizes, int64_t dim, int64_t start, int64_t end,
                      int64_t step) {
  Tensor out = zeros(input_sizes, grad.options());
  {
    NoGradGuard guard;
    out.slice(dim, start, end, step).copy_(grad);
  }
  record(SliceBackwardBackward0, {&grad}, out, {dim_vector(input_sizes), dim, start, end, step});
  return out;
}

Tensor diagonal_backward(const Tensor& grad, IntArrayRef input_sizes, int64_t offset, int64_t d1, int64_t d2) {
  Tensor out = zeros(input_sizes, grad.options());
  {
    NoGradGuard guard;
    out.diagonal(offset, d1, d2).copy_(grad);
  }
  record(DiagonalBackwardBackward0, {&grad}, out, {dim_vector(input_sizes), offset, d1, d2});
  return out;
}

}  // namespace ember::autograd
