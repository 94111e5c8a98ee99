#pragma once
// Image functions behind the transforms (torchvision.transforms.functional, tensor path of
// torchvision 0.14 / PyTorch 1.13). Images are tensors [..., C, H, W] (any leading batch
// dims); float images are in [0, 1], integer (uint8) images in [0, 255]. Functions that
// interpolate compute in float32 (float64 for float64 images) and round back to integer
// dtypes, as torchvision does.
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "ember/core/tensor.h"
#include "ember/nn/enum.h"

namespace ember::data::transforms::functional {

// HWC (or HW) image -> CHW; uint8 is scaled to float in [0, 1] (x / 255), other dtypes keep
// their values (torchvision's ToTensor on a numpy array).
Tensor to_tensor(const Tensor& image);

// (image - mean[c]) / std[c] per channel; image must be floating point [..., C, H, W].
Tensor normalize(const Tensor& image, const std::vector<double>& mean, const std::vector<double>& std,
                 bool inplace = false);

// Output size of resize: size = {h, w}, or {s} (int size) for the smaller edge matched to s
// with the aspect ratio kept (the longer edge truncated), capped by max_size.
std::pair<int64_t, int64_t> resized_size(int64_t h, int64_t w, const std::vector<int64_t>& size,
                                         std::optional<int64_t> max_size = std::nullopt);
// F.interpolate semantics: kNearest is PyTorch's legacy "nearest" (floor(dst * in/out));
// kBilinear uses align_corners=false and no antialiasing (torchvision 0.14's tensor default).
Tensor resize(const Tensor& image, const std::vector<int64_t>& size, InterpolateMode mode = kBilinear,
              std::optional<int64_t> max_size = std::nullopt);

// image[..., top:top+height, left:left+width]; parts outside the image are zeros.
Tensor crop(const Tensor& image, int64_t top, int64_t left, int64_t height, int64_t width);
// The central height x width (image zero-padded first when it is smaller), offsets rounded
// half to even like Python's round().
Tensor center_crop(const Tensor& image, int64_t height, int64_t width);
// padding: {all}, {left/right, top/bottom} or {left, top, right, bottom}. mode kConstant
// (fill), kReplicate (torchvision's "edge") or kReflect.
Tensor pad(const Tensor& image, const std::vector<int64_t>& padding, double fill = 0, PadMode mode = kConstant);

Tensor hflip(const Tensor& image);
Tensor vflip(const Tensor& image);

// Rotates counter-clockwise by `angle` degrees about `center` (pixel coordinates; default
// the image centre), sampling with kNearest or kBilinear; pixels from outside the image get
// fill (one value, or one per channel). expand enlarges the output to hold the whole image.
Tensor rotate(const Tensor& image, double angle, InterpolateMode mode = kNearest, bool expand = false,
              std::optional<std::pair<double, double>> center = std::nullopt, std::vector<double> fill = {0.0});

// ITU-R 601-2 luma, 0.2989 R + 0.587 G + 0.114 B, in the image's dtype (truncated for uint8);
// num_output_channels 1 or 3.
Tensor rgb_to_grayscale(const Tensor& image, int64_t num_output_channels = 1);

// torchvision's convert_image_dtype: int -> float divides by the input's max (255 for
// uint8), float -> int multiplies by (max + 1 - 1e-3) and truncates, int -> int rescales by
// powers of two, float -> float casts.
Tensor convert_image_dtype(const Tensor& image, ScalarType dtype);

}  // namespace ember::data::transforms::functional
