#pragma once
// The two primitives of dynamic loss scaling (ember::amp::GradScaler, torch's GradScaler),
// with LibTorch's names and PyTorch's CUDA semantics, here on any device ember has.
#include <vector>

#include "ember/core/tensor.h"

namespace ember {

// Multiplies every gradient by inv_scale (a 1-element float32 tensor) in place, and sets
// found_inf (a 1-element float32 tensor) to 1 if any gradient has an inf or a NaN; found_inf
// is never reset here, so one tensor collects the verdict over several calls.
void _amp_foreach_non_finite_check_and_unscale_(TensorList self, Tensor& found_inf, const Tensor& inv_scale);

// One step of the scale's schedule (torch's _amp_update_scale_), in place: after a step with
// found_inf, scale *= backoff_factor and growth_tracker = 0; otherwise growth_tracker counts
// the step, and on reaching growth_interval the scale is multiplied by growth_factor (kept
// only if the product is finite) and growth_tracker restarts at 0. scale: 1-element float32;
// growth_tracker: 1-element int32. Returns scale.
Tensor& _amp_update_scale_(Tensor& self, Tensor& growth_tracker, const Tensor& found_inf, double scale_growth_factor,
                           double scale_backoff_factor, int64_t growth_interval);

}  // namespace ember
