#pragma once
// Gradient clipping: torch::nn::utils::clip_grad_norm_ / clip_grad_value_.
#include <vector>

#include "ember/core/tensor.h"

namespace ember::nn::utils {

// Scales the gradients of `parameters` in place so that their total norm (the norm_type
// norm of all gradients concatenated; inf: the largest |g|) is at most max_norm, with
// PyTorch's clip_coef = max_norm / (total_norm + 1e-6) clamped to 1. Returns the total norm
// before clipping (a double, as in LibTorch). Parameters without a gradient are skipped;
// with none at all the result is 0. error_if_nonfinite: a NaN or infinite total norm throws
// instead of scaling by it.
double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type = 2.0,
                       bool error_if_nonfinite = false);
double clip_grad_norm_(const Tensor& parameter, double max_norm, double norm_type = 2.0,
                       bool error_if_nonfinite = false);

// Clamps every gradient element into [-clip_value, clip_value], in place.
void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value);
void clip_grad_value_(const Tensor& parameter, double clip_value);

}  // namespace ember::nn::utils
