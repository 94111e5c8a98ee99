#pragma once
// Derivative table entries of the nn::functional ops that are dedicated ops (activations
// with parameters, losses, constant padding), recorded under Note [Recording autograd
// history]. The formulas live in derivatives_functional.cpp and use ember ops when a graph
// of the backward is being built (create_graph), so double backward works; otherwise
// the activations use their fused backward kernels.
#include <cstdint>

#include "ember/autograd/record.h"
#include "ember/kernels/activation.h"

namespace ember::autograd {

// `name`: the node name (EluBackward0 for elu and selu, CeluBackward0 for celu, ...).
void record_activation(kernels::ActOp op, const kernels::ActParams& p, const char* name, const Tensor& self,
                       const Tensor& result);
void record_prelu(const Tensor& self, const Tensor& weight, const Tensor& result);
void record_glu(const Tensor& self, int64_t dim, const Tensor& result);
// grad * f'(x) for an ActOp: the fused kernel, or ember ops while a graph of the backward is
// being built. Also relu's backward (ActOp::threshold at 0 on relu's result).
Tensor activation_grad(kernels::ActOp op, const kernels::ActParams& p, const Tensor& grad, const Tensor& x);

// Losses. `reduction`: 0 none, 1 mean, 2 sum (PyTorch's enum order).
void record_mse_loss(const Tensor& input, const Tensor& target, int reduction, const Tensor& result);
// delta: huber's delta, or smooth_l1's beta when `smooth_l1` (the gradient is then divided by beta).
void record_smooth_l1_huber(const Tensor& input, const Tensor& target, int reduction, double delta, bool smooth_l1,
                            const Tensor& result);
void record_binary_cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight, int reduction,
                                 const Tensor& result);
void record_binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target, const Tensor& weight,
                                             const Tensor& pos_weight, int reduction, const Tensor& result);
// nll_loss over an input viewed as (N, C, S): `index` (N, 1, S) holds the targets (ignored
// ones replaced by 0) and `coef` (N, 1, S) the factor -weight[target] (0 where ignored).
void record_nll_loss(const Tensor& input, const Tensor& index, const Tensor& coef, int reduction,
                     double total_weight, bool two_d, const Tensor& result);
// constant_pad_nd: the gradient is the incoming gradient padded by -pad.
void record_constant_pad(const Tensor& self, IntArrayRef pad, const Tensor& result);

}  // namespace ember::autograd
