#pragma once
// Internal to ops/: the machinery behind advanced indexing, shared by index, index_put_,
// index_select, index_add_ and masked_select. See Note [Advanced indexing] in
// advanced_index.cpp.
#include <optional>
#include <vector>

#include "ember/core/tensor.h"

namespace ember::detail {

// How index values are checked and reported.
enum class IndexMode {
  // Python subscripts: negative values count from the end; IndexError
  // "index 5 is out of bounds for dimension 0 with size 3" (dimension = position among the
  // index tensors, as PyTorch reports it).
  Subscript,
  // index_select / index_add_: values must lie in [0, size); IndexError "index out of range in self".
  Select,
};

// A prepared advanced index: `src` is self viewed with the result's shape and zero
// strides over the indexed block, and `offsets` (int64, same shape) holds, per result
// element, the element offset that the index tensors add.
struct AdvancedIndex {
  Tensor src;
  Tensor offsets;
};

// Checks the indices (dtypes, mask shapes, broadcasting, bounds) and computes offsets.
AdvancedIndex make_advanced_index(const Tensor& self, const std::vector<std::optional<Tensor>>& indices,
                                  IndexMode mode);
// result = self[indices]
Tensor advanced_gather(const AdvancedIndex& ai);
// self[indices] = values (or +=). `values` must already have self's dtype and broadcast to
// the result's shape. Does not bump the version counter (the callers do).
void advanced_put(const AdvancedIndex& ai, const Tensor& values, bool accumulate);

}  // namespace ember::detail
