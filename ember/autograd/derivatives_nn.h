#pragma once
// The derivative table's rows for the neural-network ops (convolution, pooling,
// normalisation, embedding) and their states (Note [Typed node state]); formulas in
// derivatives_nn.cpp. The op front ends pass them to record() under Note [Recording
// autograd history] (autograd/record.h).
#include "ember/autograd/derivatives.h"
#include "ember/autograd/record.h"
#include "ember/ops/nn_impl.h"

namespace ember::autograd {

struct ConvState {
  nn_detail::ConvParams params;
  bool transposed;  // result = conv^T(input, weight) (input has the conv output's shape)
  DimVector weight_sizes;
};
struct AvgPoolState {
  nn_detail::PoolParams params;
  bool count_include_pad;
  int64_t divisor;
  DimVector self_sizes;  // the pool's input, or the backward's gy
};
struct BatchNormState {
  bool training;  // batch statistics; otherwise the saved running stats (constants)
  double eps;
};
struct LayerNormState {
  int64_t normalized_dims;
  double eps;
};
struct GroupNormState {
  int64_t num_groups;
  double eps;
};
struct EmbeddingState {
  int64_t padding_idx;  // < 0: none
  DimVector weight_sizes;
};

// Inputs: input, weight, bias. Saves: input, weight.
extern const Derivative<ConvState> ConvolutionBackward0;
// The weight gradient conv_weight_grad(x, gy) as an op. Inputs and saves: x, gy.
extern const Derivative<nn_detail::ConvParams> ConvolutionBackwardBackward0;

// Input: input. Saves: indices. self_sizes: the input's.
extern const Derivative<SizesState> MaxPool2DWithIndicesBackward0, AdaptiveMaxPool2DBackward0;
// max_pool_backward(gy, indices) as an op. Input: gy. Saves: indices.
extern const Derivative<> MaxPool2DWithIndicesBackwardBackward0;
extern const Derivative<AvgPoolState> AvgPool2DBackward0, AvgPool2DBackwardBackward0;
// self_sizes: the input's (gy's for the backward's own row).
extern const Derivative<SizesState> AdaptiveAvgPool2DBackward0, AdaptiveAvgPool2DBackwardBackward0;

// Normalisation: the formulas recompute the statistics from the saved input with ember
// ops, so double backward sees their dependence on the input.
// Inputs: input, weight, bias. Saves: input, weight, running_mean, running_var (the
// running stats undefined when training).
extern const Derivative<BatchNormState> NativeBatchNormBackward0;
// Inputs: input, weight, bias. Saves: input, weight.
extern const Derivative<LayerNormState> NativeLayerNormBackward0;
extern const Derivative<GroupNormState> NativeGroupNormBackward0;

// Input: weight. Saves: indices.
extern const Derivative<EmbeddingState> EmbeddingBackward0;

// Note [One instantiation per state] (record.h): instantiated in derivatives_nn.cpp.
EMBER_EXTERN_RECORD(ConvState);
EMBER_EXTERN_RECORD(nn_detail::ConvParams);
EMBER_EXTERN_RECORD(AvgPoolState);
EMBER_EXTERN_RECORD(BatchNormState);
EMBER_EXTERN_RECORD(LayerNormState);
EMBER_EXTERN_RECORD(GroupNormState);
EMBER_EXTERN_RECORD(EmbeddingState);

}  // namespace ember::autograd
