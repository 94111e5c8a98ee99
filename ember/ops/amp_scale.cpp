// The loss-scaling primitives (ember/ops/amp_scale.h).
#include "ember/ops/amp_scale.h"

#include <cmath>

#include "ember/autograd/grad_mode.h"
#include "ember/ops/elementwise.h"
#include "ember/ops/reduce.h"

namespace ember {

namespace {
void check_scalar_float(const Tensor& t, const char* what, const char* op) {
  EMBER_CHECK(t.defined() && t.numel() == 1, op, ": ", what, " must be a 1-element tensor.");
  EMBER_CHECK(t.dtype() == kFloat, op, ": ", what, " must be a float tensor.");
}
}  // namespace

void _amp_foreach_non_finite_check_and_unscale_(TensorList self, Tensor& found_inf, const Tensor& inv_scale) {
  const char* op = "_amp_foreach_non_finite_check_and_unscale_";
  check_scalar_float(inv_scale, "inv_scale", op);
  check_scalar_float(found_inf, "found_inf", op);
  NoGradGuard no_grad;
  const double inv = inv_scale.item<double>();
  bool non_finite = false;
  for (const Tensor& g : self) {
    if (!g.defined()) continue;
    EMBER_CHECK(g.is_floating_point(), op, ": gradients must be floating-point tensors, got ", g.dtype());
    EMBER_CHECK(g.device() == inv_scale.device(), op, ": gradients and inv_scale must be on the same device");
    if (!non_finite && g.numel() > 0 && !isfinite(g).all().item<bool>()) non_finite = true;
    Tensor gm = g;
    gm.mul_(inv);
  }
  if (non_finite) found_inf.fill_(1.0);
}

Tensor& _amp_update_scale_(Tensor& self, Tensor& growth_tracker, const Tensor& found_inf, double scale_growth_factor,
                           double scale_backoff_factor, int64_t growth_interval) {
  const char* op = "_amp_update_scale_";
  check_scalar_float(self, "current_scale", op);
  check_scalar_float(found_inf, "found_inf", op);
  EMBER_CHECK(growth_tracker.defined() && growth_tracker.numel() == 1 && growth_tracker.dtype() == kInt,
              op, ": growth_tracker must be a 1-element int32 tensor.");
  NoGradGuard no_grad;
  float* scale = self.data_ptr<float>();
  int32_t* tracker = growth_tracker.data_ptr<int32_t>();
  if (found_inf.item<float>() != 0.0f) {
    *scale = static_cast<float>(*scale * scale_backoff_factor);
    *tracker = 0;
  } else {
    const int64_t successful = static_cast<int64_t>(*tracker) + 1;
    if (successful == growth_interval) {
      const float grown = static_cast<float>(*scale * scale_growth_factor);
      if (std::isfinite(grown)) *scale = grown;
      *tracker = 0;
    } else {
      *tracker = static_cast<int32_t>(successful);
    }
  }
  self.unsafeGetTensorImpl()->bump_version();
  growth_tracker.unsafeGetTensorImpl()->bump_version();
  return self;
}

}  // namespace ember
