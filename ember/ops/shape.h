#pragma once
// Views and shape ops. A view shares storage (and the version counter) with its base;
// cat, stack, flip and repeat copy.
#include <optional>
#include <vector>

#include "ember/core/tensor.h"

namespace ember {

Tensor cat(TensorList tensors, int64_t dim = 0);
Tensor& cat_out(Tensor& out, TensorList tensors, int64_t dim = 0);
Tensor stack(TensorList tensors, int64_t dim = 0);
Tensor hstack(TensorList tensors);
Tensor vstack(TensorList tensors);
Tensor flatten(const Tensor& t, int64_t start_dim = 0, int64_t end_dim = -1);
Tensor reshape(const Tensor& t, IntArrayRef sizes);
Tensor squeeze(const Tensor& t);
Tensor squeeze(const Tensor& t, int64_t dim);
Tensor unsqueeze(const Tensor& t, int64_t dim);
Tensor transpose(const Tensor& t, int64_t d0, int64_t d1);
Tensor permute(const Tensor& t, IntArrayRef dims);
Tensor narrow(const Tensor& t, int64_t dim, int64_t start, int64_t length);
Tensor select(const Tensor& t, int64_t dim, int64_t index);
Tensor flip(const Tensor& t, IntArrayRef dims);
Tensor as_strided(const Tensor& t, IntArrayRef sizes, IntArrayRef strides,
                  std::optional<int64_t> storage_offset = std::nullopt);
std::vector<Tensor> split(const Tensor& t, int64_t split_size, int64_t dim = 0);
std::vector<Tensor> chunk(const Tensor& t, int64_t chunks, int64_t dim = 0);
std::vector<Tensor> unbind(const Tensor& t, int64_t dim = 0);
Tensor movedim(const Tensor& t, int64_t src, int64_t dst);
Tensor diagonal(const Tensor& t, int64_t offset = 0, int64_t d1 = 0, int64_t d2 = 1);
std::vector<Tensor> broadcast_tensors(TensorList tensors);

// Resolves one -1 in a requested shape, with PyTorch's errors
// ("shape '[3, 5]' is invalid for input of size 12", "only one dimension can be inferred").
DimVector infer_size(IntArrayRef shape, int64_t numel);
// Strides for viewing (sizes, strides) as `shape` without copying, or nullopt when the
// memory layout forbids it (PyTorch's computeStride).
std::optional<DimVector> compute_view_strides(IntArrayRef old_sizes, IntArrayRef old_strides, IntArrayRef shape);

}  // namespace ember
