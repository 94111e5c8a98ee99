#include "ember/data/transforms/transforms.h"

#include "ember/core/error.h"
#include "ember/ops/factory.h"
#include "ember/ops/random.h"

namespace ember::data::transforms {

namespace {
// torchvision's _setup_size: one number means a square.
std::pair<int64_t, int64_t> hw(const std::vector<int64_t>& size, const char* what) {
  EMBER_CHECK_VALUE(size.size() == 1 || size.size() == 2, "Please provide only two dimensions (h, w) for size of ",
                    what, ", got ", size.size());
  int64_t h = size[0], w = size.size() == 2 ? size[1] : size[0];
  EMBER_CHECK_VALUE(h > 0 && w > 0, what, ": the size must be positive, got ", h, "x", w);
  return {h, w};
}
}  // namespace

Resize::Resize(std::vector<int64_t> size, InterpolateMode interpolation, std::optional<int64_t> max_size)
    : size_(std::move(size)), interpolation_(interpolation), max_size_(max_size) {
  EMBER_CHECK_VALUE(size_.size() == 1 || size_.size() == 2,
                    "If size is a sequence, it should have 1 or 2 values, got ", size_.size());
  for (int64_t s : size_) EMBER_CHECK_VALUE(s > 0, "Resize: sizes must be positive, got ", s);
}

Tensor Resize::operator()(const Tensor& image) const {
  return functional::resize(image, size_, interpolation_, max_size_);
}

CenterCrop::CenterCrop(std::vector<int64_t> size) { std::tie(h_, w_) = hw(size, "CenterCrop"); }

Tensor CenterCrop::operator()(const Tensor& image) const { return functional::center_crop(image, h_, w_); }

Pad::Pad(std::vector<int64_t> padding, double fill, PadMode padding_mode)
    : padding_(std::move(padding)), fill_(fill), mode_(padding_mode) {
  EMBER_CHECK_VALUE(padding_.size() == 1 || padding_.size() == 2 || padding_.size() == 4,
                    "Padding must be an int or a 1, 2, or 4 element tuple, not a ", padding_.size(), " element tuple");
}

Tensor Pad::operator()(const Tensor& image) const { return functional::pad(image, padding_, fill_, mode_); }

RandomCrop::RandomCrop(std::vector<int64_t> size, std::vector<int64_t> padding, bool pad_if_needed, double fill,
                       PadMode padding_mode)
    : padding_(std::move(padding)), pad_if_needed_(pad_if_needed), fill_(fill), mode_(padding_mode) {
  std::tie(h_, w_) = hw(size, "RandomCrop");
  EMBER_CHECK_VALUE(padding_.empty() || padding_.size() == 1 || padding_.size() == 2 || padding_.size() == 4,
                    "Padding must be an int or a 1, 2, or 4 element tuple, not a ", padding_.size(), " element tuple");
}

Tensor RandomCrop::operator()(const Tensor& image) const {
  Tensor img = image;
  if (!padding_.empty()) img = functional::pad(img, padding_, fill_, mode_);
  if (pad_if_needed_ && img.size(-1) < w_) img = functional::pad(img, {w_ - img.size(-1), 0}, fill_, mode_);
  if (pad_if_needed_ && img.size(-2) < h_) img = functional::pad(img, {0, h_ - img.size(-2)}, fill_, mode_);
  const int64_t h = img.size(-2), w = img.size(-1);
  EMBER_CHECK_VALUE(h >= h_ && w >= w_, "Required crop size (", h_, ", ", w_, ") is larger than input image size (",
                    h, ", ", w, ")");
  if (h == h_ && w == w_) return functional::crop(img, 0, 0, h, w);
  int64_t i = randint(0, h - h_ + 1, {1}).item<int64_t>();
  int64_t j = randint(0, w - w_ + 1, {1}).item<int64_t>();
  return functional::crop(img, i, j, h_, w_);
}

namespace {
// torch.rand(1) < p, compared in float32 like the tensor comparison.
bool coin(double p) { return rand({1}, TensorOptions(kFloat32)).item<float>() < static_cast<float>(p); }
}  // namespace

Tensor RandomHorizontalFlip::operator()(const Tensor& image) const {
  return coin(p_) ? functional::hflip(image) : image;
}

Tensor RandomVerticalFlip::operator()(const Tensor& image) const {
  return coin(p_) ? functional::vflip(image) : image;
}

RandomRotation::RandomRotation(double degrees, InterpolateMode interpolation, bool expand,
                               std::optional<std::pair<double, double>> center, std::vector<double> fill)
    : RandomRotation(std::pair<double, double>{-degrees, degrees}, interpolation, expand, center, std::move(fill)) {
  EMBER_CHECK_VALUE(degrees >= 0, "If degrees is a single number, it must be positive.");
}

RandomRotation::RandomRotation(std::pair<double, double> degrees, InterpolateMode interpolation, bool expand,
                               std::optional<std::pair<double, double>> center, std::vector<double> fill)
    : degrees_(degrees), interpolation_(interpolation), expand_(expand), center_(center), fill_(std::move(fill)) {
  EMBER_CHECK_VALUE(interpolation == kNearest || interpolation == kBilinear,
                    "RandomRotation: only nearest and bilinear interpolation are supported");
}

double RandomRotation::get_params(std::pair<double, double> degrees) {
  return empty({1}, TensorOptions(kFloat32)).uniform_(degrees.first, degrees.second).item<float>();
}

Tensor RandomRotation::operator()(const Tensor& image) const {
  double angle = get_params(degrees_);
  return functional::rotate(image, angle, interpolation_, expand_, center_, fill_);
}

Grayscale::Grayscale(int64_t num_output_channels) : num_output_channels_(num_output_channels) {
  EMBER_CHECK_VALUE(num_output_channels == 1 || num_output_channels == 3,
                    "num_output_channels should be either 1 or 3");
}

}  // namespace ember::data::transforms
