#pragma once
// CIFAR-10 from its binary version (cifar-10-binary.tar.gz): data_batch_1.bin ..
// data_batch_5.bin (train, 50000 images) and test_batch.bin (10000), each a sequence of
// 3073-byte records (a label byte, then 32x32 red, green and blue planes). Files are looked
// up in root or root/cifar-10-batches-bin. Examples: image float32 [3, 32, 32] in [0, 1]
// (uint8 with raw = true), target an int64 scalar tensor.
#include <optional>
#include <string>
#include <vector>

#include "ember/data/dataset.h"

namespace ember::data::datasets {

class CIFAR10 : public Dataset<CIFAR10, Example<>> {
 public:
  enum class Mode { kTrain, kTest };

  explicit CIFAR10(const std::string& root, Mode mode = Mode::kTrain, bool raw = false);
  CIFAR10(const std::string& root, bool train, bool raw = false);

  Example<> get(size_t index) override;
  std::optional<size_t> size() const override { return static_cast<size_t>(targets_.size(0)); }

  bool is_train() const noexcept { return train_; }
  // uint8 [N, 3, 32, 32].
  const Tensor& images_uint8() const { return images_; }
  const Tensor& targets() const { return targets_; }
  // airplane, automobile, bird, cat, deer, dog, frog, horse, ship, truck.
  static const std::vector<std::string>& classes();

 private:
  Tensor images_, targets_;
  bool train_, raw_;
};

}  // namespace ember::data::datasets
