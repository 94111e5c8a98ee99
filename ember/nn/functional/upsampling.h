#pragma once
// F::interpolate for 3-D (N, C, L) and 4-D (N, C, H, W) inputs: kNearest (any of them) and
// kBilinear (4-D), with PyTorch 1.13's source-index formulas (nearest: floor(dst * scale);
// bilinear: align_corners or half-pixel centres), so outputs match PyTorch's.
#include "ember/core/tensor.h"
#include "ember/nn/options/upsampling.h"

namespace ember::nn::functional {

Tensor interpolate(const Tensor& input, const InterpolateFuncOptions& options = {});

}  // namespace ember::nn::functional
