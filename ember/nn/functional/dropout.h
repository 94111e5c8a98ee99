#pragma once
// nn::functional dropout. The masks come from the global generator and consume it exactly
// as PyTorch 1.13's CPU dropout does (a fresh contiguous buffer filled by bernoulli_(1 - p)),
// so after the same manual_seed ember and PyTorch drop the same elements.
#include "ember/core/tensor.h"
#include "ember/nn/options/dropout.h"

namespace ember::nn::functional {

// Zeroes each element with probability p and scales the rest by 1 / (1 - p) when training.
Tensor dropout(Tensor input, const DropoutFuncOptions& options = {});
// Zeroes whole channels: input (N, C, H, W), or (C, H, W) unbatched as LibTorch reads it.
Tensor dropout2d(Tensor input, const Dropout2dFuncOptions& options = {});
// SELU-preserving dropout: dropped elements take the negative saturation value, then an
// affine map restores mean and variance.
Tensor alpha_dropout(Tensor input, const AlphaDropoutFuncOptions& options = {});

namespace detail {
Tensor dropout(Tensor input, double p, bool training, bool inplace);
Tensor dropout2d(Tensor input, double p, bool training, bool inplace);
// ATen's feature_dropout: whole channels of an (N, C, ...) input of any rank >= 2.
Tensor feature_dropout(Tensor input, double p, bool training, bool inplace);
Tensor alpha_dropout(Tensor input, double p, bool training, bool inplace);
}  // namespace detail

}  // namespace ember::nn::functional
