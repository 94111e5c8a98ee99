#pragma once
// The derivative table's entry points, called by op front ends (ops/) under
// Note [Recording autograd history]. Each records one op call; the formulas themselves
// live in derivatives_*.cpp and are written with ember ops, so they are differentiable
// again (create_graph=true gives higher derivatives).
#include <optional>
#include <string>

#include "ember/autograd/record.h"
#include "ember/ops/op_list.h"

namespace ember::autograd {

void record_unary(UnaryOp op, const Tensor& self, const Tensor& result);
void record_binary(BinaryOp op, const Tensor& a, const Tensor& b, const Scalar& alpha, const Tensor& result);
void record_clamp(const Tensor& self, const std::optional<Scalar>& lo, const std::optional<Scalar>& hi,
                  const Tensor& result);
void record_where(const Tensor& condition, const Tensor& a, const Tensor& b, const Tensor& result);
void record_nan_to_num(const Tensor& self, const Tensor& result);
void record_to_dtype(const Tensor& self, const Tensor& result);
void record_clone(const Tensor& self, const Tensor& result);
// copy_: the old value of self gets no gradient; src gets the (summed, cast) gradient.
void record_copy(const Tensor& self_old, const Tensor& src, const Tensor& result);
void record_fill(const Tensor& self_old, const Tensor& result);

// Views. `kind` picks the formula; the parameters are those of the forward call.
enum class ViewKind { View, Reshape, Permute, Transpose, T, Squeeze, Unsqueeze, Expand, Slice, Select, AsStrided,
                      Diagonal, Alias };
struct ViewArgs {
  int64_t d0 = 0, d1 = 0, d2 = 0, d3 = 0;
  DimVector dims;
};
void record_view(ViewKind kind, const Tensor& self, const Tensor& result, const ViewArgs& args = {});
void record_cat(TensorList inputs, int64_t dim, const Tensor& result);
void record_flip(const Tensor& self, IntArrayRef dims, const Tensor& result);
void record_repeat(const Tensor& self, IntArrayRef repeats, const Tensor& result);

// Reductions. `all`: reduced over every dim (dims ignored). `mean` divides by the count.
void record_sum(const Tensor& self, IntArrayRef dims, bool keepdim, const Tensor& result, bool all, bool mean);

// Differentiable backward helpers (their own backward is the forward view).
Tensor select_backward(const Tensor& grad, IntArrayRef input_sizes, int64_t dim, int64_t index);
Tensor slice_backward(const Tensor& grad, IntArrayRef input_sizes, int64_t dim, int64_t start, int64_t end,
                      int64_t step);
Tensor diagonal_backward(const Tensor& grad, IntArrayRef input_sizes, int64_t offset, int64_t d1, int64_t d2);

}  // namespace ember::autograd
