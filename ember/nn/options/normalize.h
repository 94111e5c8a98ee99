#pragma once
// F::normalize's options (LibTorch's NormalizeFuncOptions): x / max(||x||_p, eps) along dim.
#include <cstdint>

#include "ember/core/arg.h"

namespace ember::nn::functional {

struct NormalizeFuncOptions {
  EMBER_ARG(double, p) = 2.0;
  EMBER_ARG(int64_t, dim) = 1;
  EMBER_ARG(double, eps) = 1e-12;
};

}  // namespace ember::nn::functional
