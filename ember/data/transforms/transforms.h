#pragma once
// Image transforms (torchvision.transforms, tensor images [..., C, H, W]) and LibTorch's
// Lambda / Normalize<> / Stack<> (data/collate.h). Every transform is a callable
// Tensor -> Tensor; any callable works where a transform is expected (Compose, map). On a
// dataset, dataset.map(t) applies t to the data part of each Example.
//
// Random transforms draw from the default generator with the calls torchvision makes
// (torch.rand(1), torch.randint(...), torch.empty(1).uniform_(...)), so a seed gives
// torchvision's choices; inside DataLoader workers that is the worker's own generator
// (Note [DataLoader worker threads] in data/dataloader.h).
#include <cstdint>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "ember/core/array_ref.h"
#include "ember/core/tensor.h"
#include "ember/data/transforms/functional.h"
#include "ember/nn/enum.h"

namespace ember::data::transforms {

// Applies transforms in order.
class Compose {
 public:
  Compose(std::vector<std::function<Tensor(Tensor)>> transforms) : transforms_(std::move(transforms)) {}  // NOLINT
  Tensor operator()(Tensor x) const {
    for (const auto& t : transforms_) x = t(std::move(x));
    return x;
  }
  const std::vector<std::function<Tensor(Tensor)>>& transforms() const { return transforms_; }

 private:
  std::vector<std::function<Tensor(Tensor)>> transforms_;
};

// A function as a transform (torchvision's Lambda, LibTorch's Lambda<In, Out>).
template <class In = Tensor, class Out = In>
class Lambda {
 public:
  template <class F>
  explicit Lambda(F f) : f_(std::move(f)) {}
  Out operator()(In x) const { return f_(std::move(x)); }

 private:
  std::function<Out(In)> f_;
};

// HWC (or HW) uint8 image -> CHW float in [0, 1].
struct ToTensor {
  Tensor operator()(const Tensor& image) const { return functional::to_tensor(image); }
};

// (x - mean[c]) / std[c]. One value applies to every channel: Normalize<>(0.5, 0.5).
// The template parameter only keeps LibTorch's spelling Normalize<>; it applies to tensors
// and, through map(), to the data of Examples.
template <class Target = Tensor>
class Normalize {
 public:
  Normalize(ArrayRef<double> mean, ArrayRef<double> std, bool inplace = false)
      : mean_(mean.begin(), mean.end()), std_(std.begin(), std.end()), inplace_(inplace) {}
  Tensor operator()(const Tensor& image) const { return functional::normalize(image, mean_, std_, inplace_); }

 private:
  std::vector<double> mean_, std_;
  bool inplace_;
};

// Resize to {h, w}, or with one number the smaller edge to it keeping the aspect ratio.
class Resize {
 public:
  Resize(std::vector<int64_t> size, InterpolateMode interpolation = kBilinear,
         std::optional<int64_t> max_size = std::nullopt);
  Resize(int64_t size, InterpolateMode interpolation = kBilinear, std::optional<int64_t> max_size = std::nullopt)
      : Resize(std::vector<int64_t>{size}, interpolation, max_size) {}
  Tensor operator()(const Tensor& image) const;

 private:
  std::vector<int64_t> size_;
  InterpolateMode interpolation_;
  std::optional<int64_t> max_size_;
};

// The central {h, w} (or size x size) region.
class CenterCrop {
 public:
  CenterCrop(std::vector<int64_t> size);  // NOLINT
  CenterCrop(int64_t size) : CenterCrop(std::vector<int64_t>{size}) {}  // NOLINT
  Tensor operator()(const Tensor& image) const;

 private:
  int64_t h_, w_;
};

// Pads the borders ({all}, {left/right, top/bottom} or {left, top, right, bottom}).
class Pad {
 public:
  Pad(std::vector<int64_t> padding, double fill = 0, PadMode padding_mode = kConstant);
  Tensor operator()(const Tensor& image) const;

 private:
  std::vector<int64_t> padding_;
  double fill_;
  PadMode mode_;
};

// A random {h, w} crop, after optional padding; pad_if_needed pads a smaller image (both
// sides by the shortfall, as torchvision does).
class RandomCrop {
 public:
  RandomCrop(std::vector<int64_t> size, std::vector<int64_t> padding = {}, bool pad_if_needed = false, double fill = 0,
             PadMode padding_mode = kConstant);
  RandomCrop(int64_t size, std::vector<int64_t> padding = {}, bool pad_if_needed = false, double fill = 0,
             PadMode padding_mode = kConstant)
      : RandomCrop(std::vector<int64_t>{size}, std::move(padding), pad_if_needed, fill, padding_mode) {}
  Tensor operator()(const Tensor& image) const;

 private:
  int64_t h_, w_;
  std::vector<int64_t> padding_;
  bool pad_if_needed_;
  double fill_;
  PadMode mode_;
};

// Flips left-right with probability p (one torch.rand(1) draw per call).
class RandomHorizontalFlip {
 public:
  explicit RandomHorizontalFlip(double p = 0.5) : p_(p) {}
  Tensor operator()(const Tensor& image) const;

 private:
  double p_;
};

// Flips upside down with probability p.
class RandomVerticalFlip {
 public:
  explicit RandomVerticalFlip(double p = 0.5) : p_(p) {}
  Tensor operator()(const Tensor& image) const;

 private:
  double p_;
};

// Rotates by an angle uniform in [-degrees, degrees] (or [min, max]).
class RandomRotation {
 public:
  RandomRotation(double degrees, InterpolateMode interpolation = kNearest, bool expand = false,
                 std::optional<std::pair<double, double>> center = std::nullopt, std::vector<double> fill = {0.0});
  RandomRotation(std::pair<double, double> degrees, InterpolateMode interpolation = kNearest, bool expand = false,
                 std::optional<std::pair<double, double>> center = std::nullopt, std::vector<double> fill = {0.0});
  Tensor operator()(const Tensor& image) const;
  // The angle a call would use: float(torch.empty(1).uniform_(min, max)).
  static double get_params(std::pair<double, double> degrees);

 private:
  std::pair<double, double> degrees_;
  InterpolateMode interpolation_;
  bool expand_;
  std::optional<std::pair<double, double>> center_;
  std::vector<double> fill_;
};

// RGB -> luma (0.2989 R + 0.587 G + 0.114 B), 1 or 3 output channels.
class Grayscale {
 public:
  explicit Grayscale(int64_t num_output_channels = 1);
  Tensor operator()(const Tensor& image) const {
    return functional::rgb_to_grayscale(image, num_output_channels_);
  }

 private:
  int64_t num_output_channels_;
};

// Converts the dtype and rescales values (uint8 [0, 255] <-> float [0, 1]).
class ConvertDtype {
 public:
  explicit ConvertDtype(ScalarType dtype) : dtype_(dtype) {}
  Tensor operator()(const Tensor& image) const { return functional::convert_image_dtype(image, dtype_); }

 private:
  ScalarType dtype_;
};
// torchvision's name.
using ConvertImageDtype = ConvertDtype;

}  // namespace ember::data::transforms
