#pragma once
// Convolutions, as torch.nn.functional.conv{1,2}d and conv_transpose{1,2}d (PyTorch 1.13
// semantics). Inputs are batched (N, C, L) / (N, C, H, W) or unbatched (C, L) / (C, H, W).
// A single stride/padding/dilation value applies to every spatial dim. float32, float64 and
// bfloat16 (accumulated in float32, rounded once);
// backward gives gradients for input, weight and bias and is itself differentiable.
#include <string_view>

#include "ember/core/tensor.h"

namespace ember {

Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias = {}, IntArrayRef stride = 1,
              IntArrayRef padding = 0, IntArrayRef dilation = 1, int64_t groups = 1);
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias = {}, IntArrayRef stride = 1,
              IntArrayRef padding = 0, IntArrayRef dilation = 1, int64_t groups = 1);
// padding "valid" (none) or "same" (output size = input size; stride must be 1). When the
// total padding dilation * (kernel - 1) is odd, the extra zero goes on the right, as in PyTorch.
Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride,
              std::string_view padding, IntArrayRef dilation = 1, int64_t groups = 1);
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride,
              std::string_view padding, IntArrayRef dilation = 1, int64_t groups = 1);
// A literal 0 converts to both IntArrayRef and string_view (as a null pointer); these
// make conv2d(x, w, b, 1, 0) pick the integer padding.
inline Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride, int padding,
                     IntArrayRef dilation = 1, int64_t groups = 1) {
  const int64_t p = padding;
  return conv1d(input, weight, bias, stride, IntArrayRef(p), dilation, groups);
}
inline Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride, int padding,
                     IntArrayRef dilation = 1, int64_t groups = 1) {
  const int64_t p = padding;
  return conv2d(input, weight, bias, stride, IntArrayRef(p), dilation, groups);
}

// weight is (in_channels, out_channels / groups, k...). Output size per dim:
// (in - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1.
Tensor conv_transpose1d(const Tensor& input, const Tensor& weight, const Tensor& bias = {}, IntArrayRef stride = 1,
                        IntArrayRef padding = 0, IntArrayRef output_padding = 0, int64_t groups = 1,
                        IntArrayRef dilation = 1);
Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor& bias = {}, IntArrayRef stride = 1,
                        IntArrayRef padding = 0, IntArrayRef output_padding = 0, int64_t groups = 1,
                        IntArrayRef dilation = 1);

}  // namespace ember
