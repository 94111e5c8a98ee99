#pragma once
// Embedding lookup, as torch.nn.functional.embedding (PyTorch 1.13 semantics).
#include <optional>

#include "ember/core/tensor.h"

namespace ember {

// weight (num_embeddings, dim); indices int64 or int32 of any shape; result
// indices.shape + (dim,). padding_idx as in F.embedding: nullopt means none, a negative
// value counts from the end (-1 is the last row); that row of weight gets no gradient.
Tensor embedding(const Tensor& weight, const Tensor& indices, std::optional<int64_t> padding_idx = std::nullopt);

}  // namespace ember
