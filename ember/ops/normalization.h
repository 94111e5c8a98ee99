#pragma once
// Normalisation, as torch.nn.functional.batch_norm / layer_norm / group_norm (PyTorch
// 1.13 semantics). weight and bias are optional (undefined tensors). float32 and float64.
#include "ember/core/tensor.h"

namespace ember {

// input (N, C, *). training: normalise with the batch's biased variance and, when the
// running stats are defined, update them in place: running = (1 - momentum) * running +
// momentum * batch_stat, with the unbiased variance for running_var. Otherwise normalise
// with running_mean / running_var (then they must be defined).
Tensor batch_norm(const Tensor& input, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                  const Tensor& running_var, bool training, double momentum, double eps);
// Normalises over the trailing dims given by normalized_shape; weight/bias have that shape.
Tensor layer_norm(const Tensor& input, IntArrayRef normalized_shape, const Tensor& weight = {},
                  const Tensor& bias = {}, double eps = 1e-5);
// input (N, C, *), C divisible by num_groups; weight/bias have C elements.
Tensor group_norm(const Tensor& input, int64_t num_groups, const Tensor& weight = {}, const Tensor& bias = {},
                  double eps = 1e-5);

}  // namespace ember
