#include "ember/optim/adadelta.h"

#include "ember/autograd/grad_mode.h"
#include "ember/ops/fused_optim.h"
#include "ember/optim/state_buffer.h"

namespace ember::optim {

void AdadeltaOptions::to_dict(Dict& d) const {
  d.insert_or_assign("lr", lr());
  d.insert_or_assign("rho", rho());
  d.insert_or_assign("eps", eps());
  d.insert_or_assign("weight_decay", weight_decay());
  d.insert_or_assign("maximize", maximize());
  d.insert_or_assign("foreach", IValue());
}

bool AdadeltaOptions::set_field(const std::string& key, const IValue& v) {
  if (key == "lr") lr(detail::ivalue_to_double(v, "lr"));
  else if (key == "rho") rho(detail::ivalue_to_double(v, "rho"));
  else if (key == "eps") eps(detail::ivalue_to_double(v, "eps"));
  else if (key == "weight_decay") weight_decay(detail::ivalue_to_double(v, "weight_decay"));
  else if (key == "maximize") maximize(detail::ivalue_to_bool(v, "maximize"));
  else if (key == "foreach") {}
  else return false;
  return true;
}

void AdadeltaParamState::to_dict(Dict& d) const {
  d.insert_or_assign("step", step());  // a Python int in PyTorch 1.13
  d.insert_or_assign("square_avg", square_avg());
  d.insert_or_assign("acc_delta", acc_delta());
}
void AdadeltaParamState::from_dict(const Dict& d) {
  step(detail::state_step(d));
  square_avg(detail::state_tensor(d, "square_avg"));
  acc_delta(detail::state_tensor(d, "acc_delta"));
}

namespace {
void check_adadelta_options(const AdadeltaOptions& o) {
  EMBER_CHECK_VALUE(o.lr() >= 0, "Invalid learning rate: ", o.lr());
  EMBER_CHECK_VALUE(o.rho() >= 0 && o.rho() <= 1, "Invalid rho value: ", o.rho());
  EMBER_CHECK_VALUE(o.eps() >= 0, "Invalid epsilon value: ", o.eps());
  EMBER_CHECK_VALUE(o.weight_decay() >= 0, "Invalid weight_decay value: ", o.weight_decay());
}
}  // namespace

Adadelta::Adadelta(std::vector<OptimizerParamGroup> param_groups, AdadeltaOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<AdadeltaOptions>(defaults)) {
  check_adadelta_options(defaults);
  for (const auto& g : param_groups_) check_adadelta_options(static_cast<const AdadeltaOptions&>(g.options()));
}

Tensor Adadelta::step(LossClosure closure) {
  Tensor loss = run_closure(closure);
  NoGradGuard no_grad;
  for (OptimizerParamGroup& group : param_groups_) {
    const auto& o = static_cast<const AdadeltaOptions&>(group.options());
    for (Tensor& p : group.params()) {
      Tensor grad = p.grad();
      if (!grad.defined()) continue;
      auto& slot = state_[p.unsafeGetTensorImpl()];
      if (!slot) {
        auto s = std::make_unique<AdadeltaParamState>();
        s->square_avg(detail::new_state(p));
        s->acc_delta(detail::new_state(p));
        slot = std::move(s);
      }
      auto& st = static_cast<AdadeltaParamState&>(*slot);
      st.step(st.step() + 1);
      kernels::AdadeltaStepArgs args{o.lr(), o.rho(), o.eps(), o.weight_decay(), o.maximize()};
      fused_adadelta_step_("Adadelta", p, grad, st.square_avg(), st.acc_delta(), args);
    }
  }
  return loss;
}

}  // namespace ember::optim
