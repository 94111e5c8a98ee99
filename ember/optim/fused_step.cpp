#include "ember/optim/fused_step.h"

#include "ember/core/error.h"
#include "ember/ops/elementwise.h"
#include "ember/ops/factory.h"

namespace ember::optim::detail {

void run_fused(const char* optimizer, Tensor& param, const Tensor& grad, std::initializer_list<Tensor*> state,
               const FusedFn& fn) {
  EMBER_CHECK(grad.sizes() == param.sizes(), optimizer, ": the gradient of a parameter of shape ", param.sizes(),
              " has shape ", grad.sizes());
  EMBER_CHECK(param.is_floating_point(), optimizer, ": can only optimize floating point parameters, but got ",
              param.dtype());
  const ScalarType dt = param.dtype();
  bool fast = (dt == kFloat32 || dt == kFloat64) && param.is_contiguous() && grad.dtype() == dt &&
              grad.is_contiguous();
  for (Tensor* s : state)
    if (s->defined()) {
      EMBER_CHECK(s->sizes() == param.sizes(), optimizer, ": a state buffer of shape ", s->sizes(),
                  " does not match its parameter of shape ", param.sizes());
      fast = fast && s->dtype() == dt && s->is_contiguous();
    }
  std::vector<void*> buffers;
  if (fast) {
    buffers.push_back(param.data_ptr());
    for (Tensor* s : state) buffers.push_back(s->defined() ? s->data_ptr() : nullptr);
    if (param.numel() > 0) fn(dt, param.numel(), buffers.data(), grad.data_ptr());
  } else {
    // Compute in float64 for float64 parameters, float32 otherwise (float16/bfloat16 too).
    const ScalarType cd = dt == kFloat64 ? kFloat64 : kFloat32;
    std::vector<Tensor> work;
    work.push_back(param.to(cd).contiguous());
    for (Tensor* s : state) work.push_back(s->defined() ? s->to(cd).contiguous() : Tensor());
    Tensor g = grad.to(cd).contiguous();
    for (Tensor& w : work) buffers.push_back(w.defined() ? w.data_ptr() : nullptr);
    if (param.numel() > 0) fn(cd, param.numel(), buffers.data(), g.data_ptr());
    // Write back where the work buffer is a copy; state keeps its own dtype.
    if (!work[0].is_same(param)) param.copy_(work[0]);
    size_t i = 1;
    for (Tensor* s : state) {
      if (s->defined() && !work[i].is_same(*s)) s->copy_(work[i]);
      ++i;
    }
  }
  mark_written(param);
  for (Tensor* s : state)
    if (s->defined()) mark_written(*s);
}

Tensor new_state(const Tensor& param, double value) {
  return full(param.sizes(), value, param.options());
}

}  // namespace ember::optim::detail
