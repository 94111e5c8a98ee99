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

const char* view_node_name(ViewKind k) {
  switch (k) {
    case ViewKind::View: return "ViewBackward0";
    case ViewKind::Reshape: return "ReshapeAliasBackward0";
    case ViewKind::Permute: return "PermuteBackward0";
    case ViewKind::Transpose: return "TransposeBackward0";
    case ViewKind::T: return "TBackward0";
    case ViewKind::Squeeze: return "SqueezeBackward0";
    case ViewKind::SqueezeDim: return "SqueezeBackward1";
    case ViewKind::Unsqueeze: return "UnsqueezeBackward0";
    case ViewKind::Expand: return "ExpandBackward0";
    case ViewKind::Slice: return "SliceBackward0";
    case ViewKind::Select: return "SelectBackward0";
    case ViewKind::AsStrided: return "AsStridedBackward0";
    case ViewKind::Diagonal: return "DiagonalBackward0";
    case ViewKind::Alias: return "AliasBackward0";
  }
  return "ViewBackward0";
}

Tensor as_strided_backward(const Tensor& g, OpNode& n) {
  // shape0/shape1: input sizes/strides; shape2 + shapes[0]: output sizes/strides; i0:
  // output offset - input offset. Gradients of overlapping (stride-0) output dims are
  // summed first so the scatter below writes each element once.
  DimVector out_sizes = n.shape2, out_strides = n.shapes[0];
  Tensor grad = g;
  for (size_t d = 0; d < out_sizes.size(); ++d)
    if (out_strides[d] == 0 && out_sizes[d] > 1) {
      grad = grad.sum({static_cast<int64_t>(d)}, true);
      out_sizes[d] = 1;
    }
  int64_t extent = 1;
  for (size_t d = 0; d < n.shape0.size(); ++d) extent += (n.shape0[d] - 1) * n.shape1[d];
  for (size_t d = 0; d < out_sizes.size(); ++d) extent = std::max(extent, n.i0 + 1 + (out_sizes[d] - 1) * out_strides[d]);
  Tensor flat = zeros({extent}, g.options());
  flat.as_strided(out_sizes, out_strides, n.i0).add_(grad);
  return flat.as_strided(n.shape0, n.shape1, 0);
}

variable_list view_formula(OpNode& n, const variable_list& grads) {
  const Tensor& g = grads[0];
  switch (static_cast<ViewKind>(n.code)) {
    case ViewKind::View: case ViewKind::Reshape: case ViewKind::Squeeze: case ViewKind::SqueezeDim:
    case ViewKind::Alias:
      return {g.reshape(n.shape0)};
    case ViewKind::Permute: {
      DimVector inverse(n.shape1.size());
      for (size_t i = 0; i < n.shape1.size(); ++i) inverse[n.shape1[i]] = static_cast<int64_t>(i);
      return {g.permute(inverse)};
    }
    case ViewKind::Transpose: return {g.transpose(n.i0, n.i1)};
    case ViewKind::T: return {g.t()};
    case ViewKind::Unsqueeze: return {g.squeeze(n.i0)};
    case ViewKind::Expand: return {sum_to(g, n.shape0)};
    case ViewKind::Slice: return {slice_backward(g, n.shape0, n.i0, n.i1, n.i2, n.i3)};
    case ViewKind::Select: return {select_backward(g, n.shape0, n.i0, n.i1)};
    case ViewKind::Diagonal: return {diagonal_backward(g, n.shape0, n.i0, n.i1, n.i2)};
    case ViewKind::AsStrided: {
      NoGradGuard guard;  // a scatter through as_strided; not differentiable again here
      return {as_strided_backward(g, n)};
    }
  }
  return {Tensor()};
}

variable_list cat_formula(OpNode& n, const variable_list& grads) {
  variable_list out;
  int64_t offset = 0;
  for (size_t i = 0; i < n.shapes.size(); ++i) {
    const DimVector& s = n.shapes[i];
    bool skipped = s.size() == 1 && s[0] == 0;  // legacy empty inputs take no part
    int64_t len = skipped ? 0 : s[n.i0];
    out.push_back(n.needs_grad(i) && !skipped ? grads[0].narrow(n.i0, offset, len) : Tensor());
    offset += len;
  }
  return out;
}

variable_list stack_formula(OpNode& n, const variable_list& grads) {
  variable_list out;
  for (size_t i = 0; i < n.num_outputs(); ++i)
    out.push_back(n.needs_grad(i) ? grads[0].select(n.i0, static_cast<int64_t>(i)) : Tensor());
  return out;
}

variable_list flip_formula(OpNode& n, const variable_list& grads) { return {grads[0].flip(n.shape0)}; }

variable_list repeat_formula(OpNode& n, const variable_list& grads) {
  // shape0: input sizes left-padded with 1s to the repeat count; shape1: repeats.
  DimVector interleaved, sum_dims;
  for (size_t i = 0; i < n.shape1.size(); ++i) {
    interleaved.push_back(n.shape1[i]);
    interleaved.push_back(n.shape0[i]);
    sum_dims.push_back(static_cast<int64_t>(2 * i));
  }
  Tensor g = grads[0].reshape(interleaved).sum(sum_dims, false);
  return {g.reshape(n.shape2)};
}

variable_list select_backward_formula(OpNode& n, const variable_list& grads) {
  return {grads[0].select(n.i0, n.i1)};
}
variable_list slice_backward_formula(OpNode& n, const variable_list& grads) {
  return {grads[0].slice(n.i0, n.i1, n.i2, n.i3)};
}
variable_list diagonal_backward_formula(OpNode& n, const variable_list& grads) {
  return {grads[0].diagonal(n.i0, n.i1, n.i2)};
}

}  // namespace

void record_view(ViewKind kind, const Tensor& self, const Tensor& result, const ViewArgs& a) {
  if (!should_record({&self})) return;
  auto node = make_node(view_node_name(kind), view_formula, {&self});
  node->code = static_cast<int>(kind);
  node->shape0 = DimVector(self.sizes().begin(), self.sizes().end());
  node->i0 = a.d0;
  node->i1 = a.d1;
  node->i2 = a.d2;
  node->i3 = a.d3;
  node->shape1 = a.dims;
  if (kind == ViewKind::AsStrided) {
    node->shape1 = DimVector(self.strides().begin(), self.strides().end());
    node->shape2 = DimVector(result.sizes().begin(), result.sizes().end());
    node->shapes = {DimVector(result.strides().begin(), result.strides().end())};
    node->i0 = result.storage_offset() - self.storage_offset();
  }
  set_history(result, node);
}

void record_cat(TensorList inputs, int64_t dim, const Tensor& result) {
  if (!should_record(inputs)) return;
  auto node = make_node("CatBackward0", cat_formula, inputs);
  node->i0 = dim;
  for (const Tensor& t : inputs) node->shapes.push_back(DimVector(t.sizes().begin(), t.sizes().end()));
  set_history(result, node);
}

void record_stack(TensorList inputs, int64_t dim, const Tensor& result) {
  if (!should_record(inputs)) return;
  auto node = make_node("StackBackward0", stack_formula, inputs);
  node->i0 = dim;
  set_history(result, node);
}

void record_flip(const Tensor& self, IntArrayRef dims, const Tensor& result) {
  if (!should_record({&self})) return;
  auto node = make_node("FlipBackward0", flip_formula, {&self});
  node->shape0 = DimVector(dims.begin(), dims.end());
  set_history(result, node);
}

void record_repeat(const Tensor& self, IntArrayRef repeats, const Tensor& result) {
  if (!should_record({&self})) return;
  auto node = make_node("RepeatBackward0", repeat_formula, {&self});
  int64_t lead = static_cast<int64_t>(repeats.size()) - self.dim();
  node->shape0 = DimVector(lead, 1);
  for (int64_t s : self.sizes()) node->shape0.push_back(s);
  node->shape1 = DimVector(repeats.begin(), repeats.end());
  node->shape2 = DimVector(self.sizes().begin(), self.sizes().end());
  set_history(result, node);
}

Tensor select_backward(const Tensor& grad, IntArrayRef input_sizes, int64_t dim, int64_t index) {
  Tensor out = zeros(input_sizes, grad.options());
  {
    NoGradGuard guard;
    out.select(dim, index).copy_(grad);
  }
  if (should_record({&grad})) {
    auto node = make_node("SelectBackwardBackward0", select_backward_formula, {&grad});
    node->i0 = dim;
    node->i1 = index;
    set_history(out, node);
  }
  return out;
}

Tensor slice_backward(const Tensor& grad, IntArrayRef input_sizes, int64_t dim, int64_t start, int64_t end,
                      int64_t step) {
  Tensor out = zeros(input_sizes, grad.options());
  {
    NoGradGuard guard;
    out.slice(dim, start, end, step).copy_(grad);
  }
  if (should_record({&grad})) {
    auto node = make_node("SliceBackwardBackward0", slice_backward_formula, {&grad});
    node->i0 = dim;
    node->i1 = start;
    node->i2 = end;
    node->i3 = step;
    set_history(out, node);
  }
  return out;
}

Tensor diagonal_backward(const Tensor& grad, IntArrayRef input_sizes, int64_t offset, int64_t d1, int64_t d2) {
  Tensor out = zeros(input_sizes, grad.options());
  {
    NoGradGuard guard;
    out.diagonal(offset, d1, d2).copy_(grad);
  }
  if (should_record({&grad})) {
    auto node = make_node("DiagonalBackwardBackward0", diagonal_backward_formula, {&grad});
    node->i0 = offset;
    node->i1 = d1;
    node->i2 = d2;
    set_history(out, node);
  }
  return out;
}

}  // namespace ember::autograd
