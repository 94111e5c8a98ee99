#pragma once
// The derivative table's rows (and their states, Note [Typed node state]) of the
// nn::functional ops that are dedicated ops (activations with parameters, losses, constant
// padding), which front ends pass to record() under Note [Recording autograd history].
// The formulas live in derivatives_functional.cpp and use ember ops when a graph of the
// backward is being built (create_graph), so double backward works; otherwise the
// activations use their fused backward kernels.
#include <cstdint>

#include "ember/autograd/derivatives.h"
#include "ember/autograd/record.h"
#include "ember/kernels/activation.h"

namespace ember::autograd {

struct ActivationState {
  kernels::ActOp op;
  kernels::ActParams params;
};
// Saves: self. One row per node name: elu, selu and celu share the elu kernel but not the
// name (EluBackward0 for elu and selu, CeluBackward0 for celu); ThresholdBackward1 is
// threshold_.
extern const Derivative<ActivationState> LeakyReluBackward0, EluBackward0, CeluBackward0, HardtanhBackward0,
    HardsigmoidBackward0, HardswishBackward0, SoftplusBackward0, SiluBackward0, MishBackward0, LogSigmoidBackward0,
    ThresholdBackward0, ThresholdBackward1;
// Inputs and saves: self, weight.
extern const Derivative<> PreluBackward0;
// Saves: self. dim: the halved dim.
extern const Derivative<DimState> GluBackward0;
// grad * f'(x) for an ActOp: the fused kernel, or ember ops while a graph of the backward is
// being built. Also relu's backward (ActOp::threshold at 0 on relu's result).
Tensor activation_grad(kernels::ActOp op, const kernels::ActParams& p, const Tensor& grad, const Tensor& x);

// Losses. `reduction`: 0 none, 1 mean, 2 sum (PyTorch's enum order); numel: the element
// count of the (broadcast) input, the mean's divisor.
struct LossState {
  int reduction;
  int64_t numel;
};
// delta: huber's delta, or smooth_l1's beta (the gradient is then divided by beta).
struct SmoothL1HuberState {
  int reduction;
  int64_t numel;
  double delta;
};
// nll_loss over an input viewed as (N, C, S).
struct NllLossState {
  int reduction;
  int64_t num_classes;  // C
  double total_weight;
  DimVector input_sizes;
};
struct ConstantPadState {
  DimVector pad;
};
// Inputs and saves: input, target.
extern const Derivative<LossState> MseLossBackward0;
extern const Derivative<SmoothL1HuberState> SmoothL1LossBackward0, HuberLossBackward0;
// Inputs: input, target. Saves: input, target, weight (undefined: none).
extern const Derivative<LossState> BinaryCrossEntropyBackward0;
// Inputs: input, target. Saves: input, target, weight, pos_weight (undefined: none).
extern const Derivative<LossState> BinaryCrossEntropyWithLogitsBackward0;
// Input: input. Saves: index (N, 1, S), the targets (ignored ones replaced by 0), and coef
// (N, 1, S), the factor -weight[target] (0 where ignored).
extern const Derivative<NllLossState> NllLossBackward0, NllLoss2DBackward0;
// constant_pad_nd: the gradient is the incoming gradient padded by -pad.
extern const Derivative<ConstantPadState> ConstantPadNdBackward0;

// Note [One instantiation per state] (record.h): instantiated in derivatives_functional.cpp.
EMBER_EXTERN_RECORD(ActivationState);
EMBER_EXTERN_RECORD(LossState);
EMBER_EXTERN_RECORD(SmoothL1HuberState);
EMBER_EXTERN_RECORD(NllLossState);
EMBER_EXTERN_RECORD(ConstantPadState);

}  // namespace ember::autograd
