#include "ember/nn/functional/embedding.h"

#include "ember/ops/factory.h"
#include "ember/ops/index.h"
#include "ember/ops/reduce.h"
#include "ember/ops/shape.h"

namespace ember::nn::functional {

Tensor one_hot(const Tensor& tensor, int64_t num_classes) {
  EMBER_CHECK(tensor.defined() && tensor.dtype() == kInt64, "one_hot is only applicable to index tensor.");
  if (tensor.numel() == 0) {
    EMBER_CHECK(num_classes > 0, "Can not infer total number of classes from empty tensor.");
  } else {
    EMBER_CHECK(tensor.min().item<int64_t>() >= 0, "Class values must be non-negative.");
    const int64_t mx = tensor.max().item<int64_t>();
    if (num_classes == -1) num_classes = mx + 1;
    else EMBER_CHECK(num_classes > mx, "Class values must be smaller than num_classes.");
  }
  DimVector shape(tensor.sizes().begin(), tensor.sizes().end());
  shape.push_back(num_classes);
  Tensor r = zeros(shape, TensorOptions(kInt64));
  if (tensor.numel() == 0) return r;
  return r.scatter_(-1, tensor.unsqueeze(-1), 1);
}

}  // namespace ember::nn::functional
