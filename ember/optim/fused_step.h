#pragma once
// Internal: hands one parameter's update to a fused kernel (Note [Fused optimiser steps] in
// cpu/optim_kernels.h). Kernels take contiguous Float32/Float64 arrays of one dtype; any
// other layout or dtype (a strided parameter, a float16 one, state loaded in another
// dtype) runs on contiguous copies in the compute dtype that are written back after.
#include <functional>
#include <initializer_list>
#include <vector>

#include "ember/core/tensor.h"

namespace ember::optim::detail {

// fn(dtype, n, buffers, grad): buffers[0] is the parameter, then `state` in order (null
// for undefined tensors); all are updated in place.
using FusedFn = std::function<void(ScalarType, int64_t, void* const* buffers, const void* grad)>;
void run_fused(const char* optimizer, Tensor& param, const Tensor& grad, std::initializer_list<Tensor*> state,
               const FusedFn& fn);

// A state buffer for `param`: contiguous, its shape and dtype, filled with `value`.
Tensor new_state(const Tensor& param, double value = 0);

}  // namespace ember::optim::detail
