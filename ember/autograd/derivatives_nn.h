#pragma once
// The derivative table's entries for the neural-network ops (convolution, pooling,
// normalisation, embedding); formulas in derivatives_nn.cpp. Called by the op front ends
// under Note [Recording autograd history] (autograd/record.h).
#include "ember/autograd/record.h"
#include "ember/ops/nn_impl.h"

namespace ember::autograd {

// transposed: result = conv^T(input, weight) (input has the conv output's shape).
void record_convolution(const Tensor& input, const Tensor& weight, const Tensor& bias,
                        const nn_detail::ConvParams& p, bool transposed, const Tensor& result);
void record_conv_weight_grad(const Tensor& x, const Tensor& gy, const nn_detail::ConvParams& p,
                             const Tensor& result);

// name: MaxPool2DWithIndicesBackward0 or AdaptiveMaxPool2DBackward0.
void record_max_pool(const char* name, const Tensor& input, const Tensor& indices, const Tensor& result);
void record_max_pool_backward(const Tensor& gy, const Tensor& indices, const Tensor& result);
void record_avg_pool(const Tensor& input, const nn_detail::PoolParams& p, bool count_include_pad, int64_t divisor,
                     const Tensor& result);
void record_avg_pool_backward(const Tensor& gy, const nn_detail::PoolParams& p, bool count_include_pad,
                              int64_t divisor, const Tensor& result);
void record_adaptive_avg_pool(const Tensor& input, const Tensor& result);
void record_adaptive_avg_pool_backward(const Tensor& gy, const Tensor& result);

// Normalisation: the formulas recompute the statistics from the saved input with ember
// ops, so double backward sees their dependence on the input.
// training: batch statistics; otherwise the given running stats (saved as constants).
void record_batch_norm(const Tensor& input, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                       const Tensor& running_var, bool training, double eps, const Tensor& result);
void record_layer_norm(const Tensor& input, int64_t normalized_dims, const Tensor& weight, const Tensor& bias,
                       double eps, const Tensor& result);
void record_group_norm(const Tensor& input, int64_t num_groups, const Tensor& weight, const Tensor& bias,
                       double eps, const Tensor& result);

// padding_idx < 0: none.
void record_embedding(const Tensor& weight, const Tensor& indices, int64_t padding_idx, const Tensor& result);

}  // namespace ember::autograd
