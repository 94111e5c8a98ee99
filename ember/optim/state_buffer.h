#pragma once
// Internal: the optimisers' per-parameter state buffers.
#include "ember/ops/factory.h"

namespace ember::optim::detail {

// A state buffer for `param`: contiguous, its shape, dtype and device, filled with `value`.
inline Tensor new_state(const Tensor& param, double value = 0) { return full(param.sizes(), value, param.options()); }

}  // namespace ember::optim::detail
