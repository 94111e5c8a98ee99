#pragma once
// TensorDataset: examples are rows of tensors, Example{data[i], target[i]} (PyTorch's
// TensorDataset(x, y); LibTorch's TensorDataset(x) when no target is given, in which case
// the example's target is an undefined tensor and batches carry an undefined target too).
#include "ember/data/dataset.h"

namespace ember::data::datasets {

class TensorDataset : public Dataset<TensorDataset, Example<>> {
 public:
  explicit TensorDataset(Tensor data, Tensor target = {});
  Example<> get(size_t index) override;
  std::optional<size_t> size() const override { return static_cast<size_t>(data_.size(0)); }

  const Tensor& data() const { return data_; }
  const Tensor& target() const { return target_; }

 private:
  Tensor data_, target_;
};

}  // namespace ember::data::datasets
