// embedding: rows of weight gathered by index (index_select), with PyTorch's checks and
// padding_idx rule; records EmbeddingBackward0 (autograd/derivatives_nn.cpp).
#include "ember/ops/embedding.h"

#include "ember/autograd/derivatives_nn.h"
#include "ember/ops/index.h"

namespace ember {

Tensor embedding(const Tensor& weight, const Tensor& indices, std::optional<int64_t> padding_idx) {
  EMBER_CHECK(weight.defined() && indices.defined(), "embedding(): expected defined weight and indices");
  EMBER_CHECK(weight.dim() == 2, "'weight' must be 2-D");
  EMBER_CHECK(indices.dtype() == kInt64 || indices.dtype() == kInt32,
              "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but "
              "got ", indices.dtype(), " instead (while checking arguments for embedding)");
  const int64_t num = weight.size(0);
  int64_t pad = -1;
  if (padding_idx) {
    EMBER_CHECK(*padding_idx < num && *padding_idx >= -num, "Padding_idx must be within num_embeddings");
    pad = *padding_idx < 0 ? *padding_idx + num : *padding_idx;
  }
  Tensor result = autograd::untracked([&] {
    Tensor flat = indices.reshape({-1}).to(kInt64).contiguous();
    const int64_t* p = flat.data_ptr<int64_t>();
    for (int64_t i = 0, n = flat.numel(); i < n; ++i)
      EMBER_CHECK_INDEX(p[i] >= 0 && p[i] < num, "index out of range in self");
    DimVector shape(indices.sizes().begin(), indices.sizes().end());
    shape.push_back(weight.size(1));
    return nn_detail::as_fresh(weight.index_select(0, flat).view(shape));
  });
  autograd::record(autograd::EmbeddingBackward0, {&weight}, result, {pad, autograd::dim_vector(weight.sizes())},
                   {indices});
  return result;
}

}  // namespace ember
