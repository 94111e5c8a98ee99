#pragma once
// F::pad's options: the pads, last dimension first (left, right, top, bottom, ...), the mode
// (ember::kConstant / kReflect / kReplicate / kCircular) and the constant fill value.
#include <cstdint>
#include <vector>

#include "ember/nn/enum.h"
#include "ember/core/arg.h"

namespace ember::nn::functional {

struct PadFuncOptions {
  PadFuncOptions(std::vector<int64_t> pad) : pad_(std::move(pad)) {}  // NOLINT: implicit as in LibTorch
  EMBER_ARG(std::vector<int64_t>, pad);
  EMBER_ARG(PadMode, mode) = kConstant;
  EMBER_ARG(double, value) = 0;
};

}  // namespace ember::nn::functional
