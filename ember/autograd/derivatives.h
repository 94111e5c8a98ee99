#pragma once
// The derivative table's entry points, called by op front ends (ops/) under
// Note [Recording autograd history]. Each records one op call; the formulas themselves
// live in derivatives_*.cpp and are written with ember ops, so they are differentiable
// again (create_graph=true gives higher derivatives).
#include <optional>
#include <string>
#include <vector>

#include "ember/autograd/record.h"
#include "ember/core/op_list.h"

namespace ember::autograd {

void record_unary(UnaryOp op, const Tensor& self, const Tensor& result);
void record_binary(BinaryOp op, const Tensor& a, const Tensor& b, const Scalar& alpha, const Tensor& result);
void record_clamp(const Tensor& self, const std::optional<Scalar>& lo, const std::optional<Scalar>& hi,
                  const Tensor& result);
void record_clamp_tensor(const Tensor& self, const std::optional<Tensor>& lo, const std::optional<Tensor>& hi,
                         const Tensor& result);
void record_where(const Tensor& condition, const Tensor& a, const Tensor& b, const Tensor& result);
void record_nan_to_num(const Tensor& self, const Tensor& result);
void record_to_dtype(const Tensor& self, const Tensor& result);
void record_clone(const Tensor& self, const Tensor& result);
// copy_: the old value of self gets no gradient; src gets the (summed, cast) gradient.
void record_copy(const Tensor& self_old, const Tensor& src, const Tensor& result);
void record_fill(const Tensor& self_old, const Tensor& result);

// Views. `kind` picks the formula; the parameters are those of the forward call.
// Squeeze is squeeze() (SqueezeBackward0), SqueezeDim squeeze(dim) (SqueezeBackward1).
enum class ViewKind { View, Reshape, Permute, Transpose, T, Squeeze, SqueezeDim, Unsqueeze, Expand, Slice, Select,
                      AsStrided, Diagonal, Alias };
struct ViewArgs {
  int64_t d0 = 0, d1 = 0, d2 = 0, d3 = 0;
  DimVector dims;
};
void record_view(ViewKind kind, const Tensor& self, const Tensor& result, const ViewArgs& args = {});
void record_cat(TensorList inputs, int64_t dim, const Tensor& result);
void record_stack(TensorList inputs, int64_t dim, const Tensor& result);
void record_flip(const Tensor& self, IntArrayRef dims, const Tensor& result);
void record_repeat(const Tensor& self, IntArrayRef repeats, const Tensor& result);

// Reductions. `all`: reduced over every dim (dims ignored). `mean` divides by the count.
void record_sum(const Tensor& self, IntArrayRef dims, bool keepdim, const Tensor& result, bool all, bool mean);

void record_softmax(const Tensor& self, int64_t dim, const Tensor& result, bool log);
void record_logsumexp(const Tensor& self, IntArrayRef dims, bool keepdim, const Tensor& result);
// amax/amin: the gradient is shared evenly among the extremal elements (PyTorch's rule).
// `all`: reduced over every dim.
void record_extremum(const Tensor& self, IntArrayRef dims, bool keepdim, const Tensor& result, bool all,
                     const char* name);
// max()/min() of a whole tensor: shared among the elements equal to the result, or among
// the NaNs when the result is NaN.
void record_extremum_all(const Tensor& self, const Tensor& result, bool is_max);
// Reductions and selections that return indices (max/min with dim, sort, topk, kthvalue):
// the gradient scatters back through the indices.
void record_indexed(const char* name, const Tensor& self, int64_t dim, bool keepdim, const Tensor& values,
                    const Tensor& indices);
void record_var_std(const Tensor& self, IntArrayRef dims, int64_t correction, bool keepdim, const Tensor& result,
                    bool all, bool is_std);
void record_norm(const Tensor& self, double p, IntArrayRef dims, bool keepdim, const Tensor& result, bool all);
void record_prod(const Tensor& self, std::optional<int64_t> dim, bool keepdim, const Tensor& result);
void record_cumsum(const Tensor& self, int64_t dim, const Tensor& result);
void record_cumprod(const Tensor& self, int64_t dim, const Tensor& result);

// Indexing.
void record_index(const Tensor& self, const std::vector<std::optional<Tensor>>& indices, const Tensor& result);
void record_index_put(const Tensor& self, const std::vector<std::optional<Tensor>>& indices, const Tensor& values,
                      bool accumulate, const Tensor& result);
void record_index_select(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& result);
void record_gather(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& result);
// value: the 0-dim value tensor of masked_fill(self, mask, Tensor) (MaskedFillBackward1),
// undefined for a Scalar value (MaskedFillBackward0).
void record_masked_fill(const Tensor& self, const Tensor& mask, const Tensor& value, const Tensor& result);
void record_masked_select(const Tensor& self, const Tensor& mask, const Tensor& result);
void record_scatter(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src, const Tensor& result,
                    bool add);
void record_index_add(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src, const Scalar& alpha,
                      const Tensor& result);

// An op without a derivative (PyTorch's NotImplemented node): the result requires grad as
// usual, and backward through it throws "derivative for aten::<op> is not implemented".
void record_not_implemented(const char* op, std::initializer_list<const Tensor*> inputs, const Tensor& result);

// Linear algebra.
void record_mm(const Tensor& a, const Tensor& b, const Tensor& result, bool batched);
void record_addmm(const Tensor& self, const Tensor& m1, const Tensor& m2, const Scalar& beta, const Scalar& alpha,
                  const Tensor& result);
void record_mv(const Tensor& m, const Tensor& v, const Tensor& result);
void record_dot(const Tensor& a, const Tensor& b, const Tensor& result);

// Note [Masked gradients]
// A gradient that flows only where a condition holds is where(mask, grad, 0), never
// grad * mask: an infinite incoming gradient times a 0 mask is NaN, where PyTorch's masked
// formulas give 0.
Tensor masked_grad(const Tensor& mask, const Tensor& grad);

// Differentiable backward helpers (their own backward is the forward view).
Tensor select_backward(const Tensor& grad, IntArrayRef input_sizes, int64_t dim, int64_t index);
Tensor slice_backward(const Tensor& grad, IntArrayRef input_sizes, int64_t dim, int64_t start, int64_t end,
                      int64_t step);
Tensor diagonal_backward(const Tensor& grad, IntArrayRef input_sizes, int64_t offset, int64_t d1, int64_t d2);

}  // namespace ember::autograd
