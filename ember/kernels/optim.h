#pragma once
// Kernel entry points of the optimiser family: one fused pass per parameter for each
// optimiser's update (DispatchStubs, Note [Dispatch by device]; the CPU's are in
// cpu/kernels/optim.cpp). The op front ends (ops/fused_optim.cpp) hand them contiguous
// Float32 or Float64 arrays of one dtype; every scalar argument is cast to that dtype
// first, as PyTorch casts Python floats in its ops.
//
// Note [Fused optimiser steps]
// Each kernel performs, element by element, the same arithmetic in the same order as
// PyTorch 1.13's single-tensor (for-loop) implementation, whose in-place ops (mul_,
// add_(x, alpha), addcmul_, addcdiv_, sqrt) it fuses into one read and one write of each
// buffer. addcmul_(t1, t2, value) computes self + value * t1 * t2 and addcdiv_ computes
// self + value * t1 / t2, left to right, as ATen's CPU kernels do. Results then match
// PyTorch's up to FMA contraction (a few ulps per step), not bit for bit.
#include <cstdint>

#include "ember/core/dtype.h"
#include "ember/kernels/stub.h"

namespace ember::kernels {

struct SgdStepArgs {
  double lr, momentum, dampening, weight_decay;
  bool nesterov, maximize;
  bool init_buffer;  // first step with momentum: the buffer becomes a copy of d_p
};
// momentum_buffer is null when momentum == 0.
using SgdStepKernel = void (*)(ScalarType dtype, int64_t n, void* param, const void* grad, void* momentum_buffer,
                               const SgdStepArgs& args);

struct AdamStepArgs {
  double lr, beta1, beta2, eps, weight_decay;
  double step_size;              // lr / (1 - beta1^step)
  double bias_correction2_sqrt;  // sqrt(1 - beta2^step)
  bool amsgrad, maximize;
  bool decoupled;  // AdamW: param *= 1 - lr * weight_decay instead of grad += weight_decay * param
};
// max_exp_avg_sq is null unless amsgrad.
using AdamStepKernel = void (*)(ScalarType dtype, int64_t n, void* param, const void* grad, void* exp_avg,
                                void* exp_avg_sq, void* max_exp_avg_sq, const AdamStepArgs& args);

struct RmspropStepArgs {
  double lr, alpha, eps, weight_decay, momentum;
  bool centered, maximize;
};
// grad_avg is null unless centered; momentum_buffer is null unless momentum > 0.
using RmspropStepKernel = void (*)(ScalarType dtype, int64_t n, void* param, const void* grad, void* square_avg,
                                   void* grad_avg, void* momentum_buffer, const RmspropStepArgs& args);

struct AdagradStepArgs {
  double clr;  // lr / (1 + (step - 1) * lr_decay)
  double eps, weight_decay;
  bool maximize;
};
using AdagradStepKernel = void (*)(ScalarType dtype, int64_t n, void* param, const void* grad, void* sum,
                                   const AdagradStepArgs& args);

struct AdadeltaStepArgs {
  double lr, rho, eps, weight_decay;
  bool maximize;
};
using AdadeltaStepKernel = void (*)(ScalarType dtype, int64_t n, void* param, const void* grad, void* square_avg,
                                    void* acc_delta, const AdadeltaStepArgs& args);

inline DispatchStub<SgdStepKernel> sgd_step_stub{"sgd_step"};
inline DispatchStub<AdamStepKernel> adam_step_stub{"adam_step"};
inline DispatchStub<RmspropStepKernel> rmsprop_step_stub{"rmsprop_step"};
inline DispatchStub<AdagradStepKernel> adagrad_step_stub{"adagrad_step"};
inline DispatchStub<AdadeltaStepKernel> adadelta_step_stub{"adadelta_step"};

}  // namespace ember::kernels
