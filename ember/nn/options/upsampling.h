#pragma once
// F::interpolate's options: exactly one of size / scale_factor (one value per spatial
// dimension, or one for all), the mode (ember::kNearest / kBilinear) and, for bilinear
// only, align_corners.
#include <cstdint>
#include <optional>
#include <vector>

#include "ember/nn/enum.h"
#include "ember/core/arg.h"

namespace ember::nn::functional {

struct InterpolateFuncOptions {
  EMBER_ARG(std::optional<std::vector<int64_t>>, size) = std::nullopt;
  EMBER_ARG(std::optional<std::vector<double>>, scale_factor) = std::nullopt;
  EMBER_ARG(InterpolateMode, mode) = kNearest;
  EMBER_ARG(std::optional<bool>, align_corners) = std::nullopt;
  // true: compute the output size from scale_factor, then interpolate as if that size had
  // been given (the source index uses in/out instead of 1/scale_factor).
  EMBER_ARG(std::optional<bool>, recompute_scale_factor) = std::nullopt;
};

}  // namespace ember::nn::functional
