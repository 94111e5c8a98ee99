#pragma once
// The fused optimiser steps as ops: each updates one parameter and its state buffers in
// place in one pass (Note [Fused optimiser steps] in kernels/optim.h), through the kernel
// of the parameter's device. optim/ calls these; it never names a backend.
//
// Every tensor must have the parameter's shape and device. The kernels take contiguous
// Float32/Float64 arrays of one dtype; any other layout or dtype (a strided parameter, a
// float16 one, state loaded in another dtype) runs on contiguous copies in the compute
// dtype that are written back after. An undefined optional buffer is absent. `optimizer`
// names the caller in error messages ("SGD", "AdamW", ...).
#include "ember/core/tensor.h"
#include "ember/kernels/optim.h"

namespace ember {

// momentum_buffer: undefined when momentum == 0.
void fused_sgd_step_(const char* optimizer, Tensor& param, const Tensor& grad, Tensor& momentum_buffer,
                     const kernels::SgdStepArgs& args);
// max_exp_avg_sq: undefined unless amsgrad.
void fused_adam_step_(const char* optimizer, Tensor& param, const Tensor& grad, Tensor& exp_avg, Tensor& exp_avg_sq,
                      Tensor& max_exp_avg_sq, const kernels::AdamStepArgs& args);
// grad_avg: undefined unless centered; momentum_buffer: undefined unless momentum > 0.
void fused_rmsprop_step_(const char* optimizer, Tensor& param, const Tensor& grad, Tensor& square_avg,
                         Tensor& grad_avg, Tensor& momentum_buffer, const kernels::RmspropStepArgs& args);
void fused_adagrad_step_(const char* optimizer, Tensor& param, const Tensor& grad, Tensor& sum,
                         const kernels::AdagradStepArgs& args);
void fused_adadelta_step_(const char* optimizer, Tensor& param, const Tensor& grad, Tensor& square_avg,
                          Tensor& acc_delta, const kernels::AdadeltaStepArgs& args);

}  // namespace ember
