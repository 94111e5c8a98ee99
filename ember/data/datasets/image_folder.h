#pragma once
// ImageFolder (torchvision.datasets.ImageFolder): root/<class>/**/<image>. Classes are the
// sub-directory names sorted; samples are found by walking each class directory in sorted
// order, keeping files whose extension (case-insensitive) is an image one. Images are
// decoded on get() with stb_image: float32 [C, H, W] in [0, 1] (uint8 with raw = true),
// converted to `channels` (3 = RGB, like torchvision's default loader; 0 keeps the file's).
// Images of different sizes need a Resize/CenterCrop transform before batching.
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ember/data/dataset.h"

namespace ember::data::datasets {

class ImageFolder : public Dataset<ImageFolder, Example<>> {
 public:
  // torchvision's IMG_EXTENSIONS.
  static const std::vector<std::string>& default_extensions();

  explicit ImageFolder(const std::string& root, int channels = 3, bool raw = false,
                       std::vector<std::string> extensions = default_extensions());

  Example<> get(size_t index) override;
  std::optional<size_t> size() const override { return samples_.size(); }

  const std::vector<std::string>& classes() const { return classes_; }
  const std::map<std::string, int64_t>& class_to_idx() const { return class_to_idx_; }
  // (path, class index) per sample, in order.
  const std::vector<std::pair<std::string, int64_t>>& samples() const { return samples_; }
  std::vector<int64_t> targets() const;

 private:
  std::string root_;
  int channels_;
  bool raw_;
  std::vector<std::string> classes_;
  std::map<std::string, int64_t> class_to_idx_;
  std::vector<std::pair<std::string, int64_t>> samples_;
};

}  // namespace ember::data::datasets
