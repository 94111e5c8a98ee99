#pragma once
// MNIST and Fashion-MNIST (LibTorch's torch::data::datasets::MNIST; torchvision's MNIST /
// FashionMNIST). The four IDX files, raw or gzip-compressed, are looked up in `root` itself
// (LibTorch's and Debian's layout: dataset-fashion-mnist installs them in
// /usr/share/datasets/fashion-mnist/) or in root/MNIST/raw, root/FashionMNIST/raw
// (torchvision's layout). Examples: image float32 [1, 28, 28] in [0, 1] (uint8 [1, 28, 28]
// with raw = true), target an int64 scalar tensor.
#include <optional>
#include <string>
#include <vector>

#include "ember/data/dataset.h"

namespace ember::data::datasets {

class MNIST : public Dataset<MNIST, Example<>> {
 public:
  enum class Mode { kTrain, kTest };

  explicit MNIST(const std::string& root, Mode mode = Mode::kTrain, bool raw = false);
  MNIST(const std::string& root, bool train, bool raw = false);

  Example<> get(size_t index) override;
  std::optional<size_t> size() const override { return static_cast<size_t>(targets_.size(0)); }

  bool is_train() const noexcept { return train_; }
  // All images as one tensor: float32 [N, 1, H, W] in [0, 1] (computed on each call), or the
  // stored uint8 [N, 1, H, W] with raw = true.
  Tensor images() const;
  // Labels, int64 [N].
  const Tensor& targets() const { return targets_; }
  // The class names, in label order.
  virtual const std::vector<std::string>& classes() const;

 protected:
  struct Info {
    const char* name;        // for messages and the torchvision sub-folder
    const char* how_to_get;  // appended to "not found" errors
  };
  MNIST(const std::string& root, bool train, bool raw, const Info& info);

 private:
  Tensor images_u8_;  // [N, 1, H, W]
  Tensor targets_;    // int64 [N]
  bool train_, raw_;
};

class FashionMNIST : public MNIST {
 public:
  static constexpr const char* kDefaultRoot = "/usr/share/datasets/fashion-mnist";

  explicit FashionMNIST(const std::string& root = kDefaultRoot, Mode mode = Mode::kTrain, bool raw = false);
  FashionMNIST(const std::string& root, bool train, bool raw = false);

  // "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot".
  const std::vector<std::string>& classes() const override;
};

}  // namespace ember::data::datasets
