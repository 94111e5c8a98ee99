#include "ember/ops/fused_optim.h"

#include <functional>
#include <initializer_list>
#include <vector>

#include "ember/core/error.h"
#include "ember/ops/elementwise.h"
#include "ember/ops/factory.h"

namespace ember {

namespace {
// fn(dtype, n, buffers, grad): buffers[0] is the parameter, then `state` in order (null
// for undefined tensors); all are updated in place.
using FusedFn = std::function<void(ScalarType, int64_t, void* const* buffers, const void* grad)>;

void run_fused(const char* optimizer, Tensor& param, const Tensor& grad, std::initializer_list<Tensor*> state,
               const FusedFn& fn) {
  EMBER_CHECK(grad.device() == param.device(), optimizer, ": the gradient of a parameter on ", param.device(),
              " is on ", grad.device());
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
      EMBER_CHECK(s->device() == param.device(), optimizer, ": a state buffer on ", s->device(),
                  " does not match its parameter on ", param.device());
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

}  // namespace

void fused_sgd_step_(const char* optimizer, Tensor& param, const Tensor& grad, Tensor& momentum_buffer,
                     const kernels::SgdStepArgs& args) {
  const kernels::SgdStepKernel kernel = kernels::sgd_step_stub(param.device());
  run_fused(optimizer, param, grad, {&momentum_buffer}, [&](ScalarType dt, int64_t n, void* const* b, const void* g) {
    kernel(dt, n, b[0], g, b[1], args);
  });
}

void fused_adam_step_(const char* optimizer, Tensor& param, const Tensor& grad, Tensor& exp_avg, Tensor& exp_avg_sq,
                      Tensor& max_exp_avg_sq, const kernels::AdamStepArgs& args) {
  const kernels::AdamStepKernel kernel = kernels::adam_step_stub(param.device());
  run_fused(optimizer, param, grad, {&exp_avg, &exp_avg_sq, &max_exp_avg_sq},
            [&](ScalarType dt, int64_t n, void* const* b, const void* g) {
              kernel(dt, n, b[0], g, b[1], b[2], b[3], args);
            });
}

void fused_rmsprop_step_(const char* optimizer, Tensor& param, const Tensor& grad, Tensor& square_avg,
                         Tensor& grad_avg, Tensor& momentum_buffer, const kernels::RmspropStepArgs& args) {
  const kernels::RmspropStepKernel kernel = kernels::rmsprop_step_stub(param.device());
  run_fused(optimizer, param, grad, {&square_avg, &grad_avg, &momentum_buffer},
            [&](ScalarType dt, int64_t n, void* const* b, const void* g) {
              kernel(dt, n, b[0], g, b[1], b[2], b[3], args);
            });
}

void fused_adagrad_step_(const char* optimizer, Tensor& param, const Tensor& grad, Tensor& sum,
                         const kernels::AdagradStepArgs& args) {
  const kernels::AdagradStepKernel kernel = kernels::adagrad_step_stub(param.device());
  run_fused(optimizer, param, grad, {&sum}, [&](ScalarType dt, int64_t n, void* const* b, const void* g) {
    kernel(dt, n, b[0], g, b[1], args);
  });
}

void fused_adadelta_step_(const char* optimizer, Tensor& param, const Tensor& grad, Tensor& square_avg,
                          Tensor& acc_delta, const kernels::AdadeltaStepArgs& args) {
  const kernels::AdadeltaStepKernel kernel = kernels::adadelta_step_stub(param.device());
  run_fused(optimizer, param, grad, {&square_avg, &acc_delta}, [&](ScalarType dt, int64_t n, void* const* b,
                                                                   const void* g) {
    kernel(dt, n, b[0], g, b[1], b[2], args);
  });
}

}  // namespace ember
