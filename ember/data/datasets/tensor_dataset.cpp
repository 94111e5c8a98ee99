#include "ember/data/datasets/tensor_dataset.h"

namespace ember::data::datasets {

TensorDataset::TensorDataset(Tensor data, Tensor target) : data_(std::move(data)), target_(std::move(target)) {
  EMBER_CHECK(data_.defined(), "TensorDataset: data is an undefined tensor");
  EMBER_CHECK_INDEX(data_.dim() >= 1, "TensorDataset: data must have a first (sample) dimension, got a 0-dim tensor");
  if (target_.defined()) {
    EMBER_CHECK_INDEX(target_.dim() >= 1, "TensorDataset: target must have a first (sample) dimension, got a 0-dim tensor");
    // PyTorch's wording.
    EMBER_CHECK_VALUE(data_.size(0) == target_.size(0), "Size mismatch between tensors: data has ", data_.size(0),
                      " samples, target has ", target_.size(0));
  }
}

Example<> TensorDataset::get(size_t index) {
  EMBER_CHECK_INDEX(index < static_cast<size_t>(data_.size(0)), "TensorDataset index ", index,
                    " is out of range for a dataset of size ", data_.size(0));
  int64_t i = static_cast<int64_t>(index);
  return {data_[i], target_.defined() ? target_[i] : Tensor()};
}

}  // namespace ember::data::datasets
