// ember._C._optim: the fused optimiser steps (ops/fused_optim.h) over a whole parameter
// group in one call, for ember.optim's built-in optimisers. The Python side keeps torch's
// param_groups and state dicts; the arithmetic is here, one pass per parameter.
#include <pybind11/stl.h>

#include <cmath>

#include "ember/ops/fused_optim.h"
#include "python/src/bind_common.h"

namespace ember::python {

namespace {

Tensor tensor_or_undefined(py::handle h) { return h.is_none() ? Tensor() : unwrap(h.ptr()); }

}  // namespace

void init_optim(py::module_& m) {
  py::module_ optim = m.def_submodule("_optim", "ember._C._optim: fused optimiser steps for ember.optim");

  // init_buffers[i]: parameter i's momentum buffer was just created (its first step).
  optim.def("sgd_step_", [](py::list params, py::list grads, py::list buffers, std::vector<bool> init_buffers,
                            double lr, double momentum, double dampening, double weight_decay, bool nesterov,
                            bool maximize) {
    for (size_t i = 0; i < params.size(); ++i) {
      Tensor p = unwrap(params[i].ptr());
      Tensor buf = tensor_or_undefined(buffers[i]);
      kernels::SgdStepArgs args{lr, momentum, dampening, weight_decay, nesterov, maximize, bool(init_buffers[i])};
      py::gil_scoped_release release;
      fused_sgd_step_("SGD", p, unwrap(grads[i].ptr()), buf, args);
    }
  });
  // steps[i]: parameter i's step count after this step (torch's state['step']).
  optim.def("adam_step_", [](const char* name, py::list params, py::list grads, py::list exp_avgs,
                             py::list exp_avg_sqs, py::list max_exp_avg_sqs, std::vector<double> steps, double lr,
                             double beta1, double beta2, double eps, double weight_decay, bool amsgrad, bool maximize,
                             bool decoupled) {
    for (size_t i = 0; i < params.size(); ++i) {
      Tensor p = unwrap(params[i].ptr());
      Tensor m1 = unwrap(exp_avgs[i].ptr()), m2 = unwrap(exp_avg_sqs[i].ptr());
      Tensor mx = tensor_or_undefined(max_exp_avg_sqs[i]);
      const double step = steps[i];
      kernels::AdamStepArgs args{lr, beta1, beta2, eps, weight_decay, lr / (1 - std::pow(beta1, step)),
                                 std::sqrt(1 - std::pow(beta2, step)), amsgrad, maximize, decoupled};
      py::gil_scoped_release release;
      fused_adam_step_(name, p, unwrap(grads[i].ptr()), m1, m2, mx, args);
    }
  });
  optim.def("rmsprop_step_", [](py::list params, py::list grads, py::list square_avgs, py::list grad_avgs,
                                py::list momentum_buffers, double lr, double alpha, double eps, double weight_decay,
                                double momentum, bool centered, bool maximize) {
    for (size_t i = 0; i < params.size(); ++i) {
      Tensor p = unwrap(params[i].ptr());
      Tensor sq = unwrap(square_avgs[i].ptr());
      Tensor ga = tensor_or_undefined(grad_avgs[i]), mb = tensor_or_undefined(momentum_buffers[i]);
      kernels::RmspropStepArgs args{lr, alpha, eps, weight_decay, momentum, centered, maximize};
      py::gil_scoped_release release;
      fused_rmsprop_step_("RMSprop", p, unwrap(grads[i].ptr()), sq, ga, mb, args);
    }
  });
  optim.def("adagrad_step_", [](py::list params, py::list grads, py::list sums, std::vector<double> steps, double lr,
                                double lr_decay, double eps, double weight_decay, bool maximize) {
    for (size_t i = 0; i < params.size(); ++i) {
      Tensor p = unwrap(params[i].ptr());
      Tensor s = unwrap(sums[i].ptr());
      kernels::AdagradStepArgs args{lr / (1 + (steps[i] - 1) * lr_decay), eps, weight_decay, maximize};
      py::gil_scoped_release release;
      fused_adagrad_step_("Adagrad", p, unwrap(grads[i].ptr()), s, args);
    }
  });
  optim.def("adadelta_step_", [](py::list params, py::list grads, py::list square_avgs, py::list acc_deltas, double lr,
                                 double rho, double eps, double weight_decay, bool maximize) {
    for (size_t i = 0; i < params.size(); ++i) {
      Tensor p = unwrap(params[i].ptr());
      Tensor sq = unwrap(square_avgs[i].ptr()), ad = unwrap(acc_deltas[i].ptr());
      kernels::AdadeltaStepArgs args{lr, rho, eps, weight_decay, maximize};
      py::gil_scoped_release release;
      fused_adadelta_step_("Adadelta", p, unwrap(grads[i].ptr()), sq, ad, args);
    }
  });
}

}  // namespace ember::python
