#include "ember/optim/adam.h"

#include <cmath>

#include "ember/autograd/grad_mode.h"
#include "ember/ops/fused_optim.h"
#include "ember/optim/state_buffer.h"

namespace ember::optim {

namespace {

IValue betas_value(const std::tuple<double, double>& b) {
  return IValue::tuple({std::get<0>(b), std::get<1>(b)});
}
std::tuple<double, double> betas_from(const IValue& v) {
  EMBER_CHECK_TYPE((v.isTuple() || v.isList()) && v.toList().size() == 2,
                   "optimizer option 'betas' must be a pair of numbers, but got ", v.repr());
  return {detail::ivalue_to_double(v.toList()[0], "betas"), detail::ivalue_to_double(v.toList()[1], "betas")};
}

template <class O>
bool set_adam_field(O& o, const std::string& key, const IValue& v) {
  if (key == "lr") o.lr(detail::ivalue_to_double(v, "lr"));
  else if (key == "betas") o.betas(betas_from(v));
  else if (key == "eps") o.eps(detail::ivalue_to_double(v, "eps"));
  else if (key == "weight_decay") o.weight_decay(detail::ivalue_to_double(v, "weight_decay"));
  else if (key == "amsgrad") o.amsgrad(detail::ivalue_to_bool(v, "amsgrad"));
  else if (key == "maximize") o.maximize(detail::ivalue_to_bool(v, "maximize"));
  else if (key == "foreach" || key == "capturable" || key == "differentiable" || key == "fused") {}
  else return false;
  return true;
}

template <class O>
void check_adam_options(const O& o) {
  EMBER_CHECK_VALUE(o.lr() >= 0, "Invalid learning rate: ", o.lr());
  EMBER_CHECK_VALUE(o.eps() >= 0, "Invalid epsilon value: ", o.eps());
  auto [b1, b2] = o.betas();
  EMBER_CHECK_VALUE(b1 >= 0 && b1 < 1, "Invalid beta parameter at index 0: ", b1);
  EMBER_CHECK_VALUE(b2 >= 0 && b2 < 1, "Invalid beta parameter at index 1: ", b2);
  EMBER_CHECK_VALUE(o.weight_decay() >= 0, "Invalid weight_decay value: ", o.weight_decay());
}

// One Adam/AdamW step over a group (PyTorch's _single_tensor_adam / _single_tensor_adamw).
template <class O>
void adam_group_step(const char* name, OptimizerState& state, OptimizerParamGroup& group, bool decoupled) {
  const auto& o = static_cast<const O&>(group.options());
  auto [beta1, beta2] = o.betas();
  for (Tensor& p : group.params()) {
    Tensor grad = p.grad();
    if (!grad.defined()) continue;
    auto& slot = state[p.unsafeGetTensorImpl()];
    if (!slot) {
      auto s = std::make_unique<AdamParamState>();
      s->exp_avg(detail::new_state(p));
      s->exp_avg_sq(detail::new_state(p));
      if (o.amsgrad()) s->max_exp_avg_sq(detail::new_state(p));
      slot = std::move(s);
    }
    auto& st = static_cast<AdamParamState&>(*slot);
    if (o.amsgrad() && !st.max_exp_avg_sq().defined()) st.max_exp_avg_sq(detail::new_state(p));
    st.step(st.step() + 1);
    // Python float arithmetic on the step count (PyTorch keeps it in a float32 tensor and
    // reads it back with item(), exact below 2^24).
    const double step = static_cast<double>(static_cast<float>(st.step()));
    const double bias_correction1 = 1 - std::pow(beta1, step);
    const double bias_correction2 = 1 - std::pow(beta2, step);
    kernels::AdamStepArgs args{o.lr(), beta1, beta2, o.eps(), o.weight_decay(), o.lr() / bias_correction1,
                           std::sqrt(bias_correction2), o.amsgrad(), o.maximize(), decoupled};
    Tensor none;
    fused_adam_step_(name, p, grad, st.exp_avg(), st.exp_avg_sq(), o.amsgrad() ? st.max_exp_avg_sq() : none, args);
  }
}

}  // namespace

void AdamOptions::to_dict(Dict& d) const {
  d.insert_or_assign("lr", lr());
  d.insert_or_assign("betas", betas_value(betas()));
  d.insert_or_assign("eps", eps());
  d.insert_or_assign("weight_decay", weight_decay());
  d.insert_or_assign("amsgrad", amsgrad());
  d.insert_or_assign("maximize", maximize());
  d.insert_or_assign("foreach", IValue());
  d.insert_or_assign("capturable", false);
  d.insert_or_assign("differentiable", false);
  d.insert_or_assign("fused", false);
}
bool AdamOptions::set_field(const std::string& key, const IValue& v) { return set_adam_field(*this, key, v); }

void AdamWOptions::to_dict(Dict& d) const {
  d.insert_or_assign("lr", lr());
  d.insert_or_assign("betas", betas_value(betas()));
  d.insert_or_assign("eps", eps());
  d.insert_or_assign("weight_decay", weight_decay());
  d.insert_or_assign("amsgrad", amsgrad());
  d.insert_or_assign("foreach", IValue());
  d.insert_or_assign("maximize", maximize());
  d.insert_or_assign("capturable", false);
}
bool AdamWOptions::set_field(const std::string& key, const IValue& v) { return set_adam_field(*this, key, v); }

void AdamParamState::to_dict(Dict& d) const {
  d.insert_or_assign("step", detail::step_tensor(step()));
  d.insert_or_assign("exp_avg", exp_avg());
  d.insert_or_assign("exp_avg_sq", exp_avg_sq());
  if (max_exp_avg_sq().defined()) d.insert_or_assign("max_exp_avg_sq", max_exp_avg_sq());
}
void AdamParamState::from_dict(const Dict& d) {
  step(detail::state_step(d));
  exp_avg(detail::state_tensor(d, "exp_avg"));
  exp_avg_sq(detail::state_tensor(d, "exp_avg_sq"));
  if (d.contains("max_exp_avg_sq")) max_exp_avg_sq(detail::state_tensor(d, "max_exp_avg_sq"));
}

Adam::Adam(std::vector<OptimizerParamGroup> param_groups, AdamOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<AdamOptions>(defaults)) {
  check_adam_options(defaults);
  for (const auto& g : param_groups_) check_adam_options(static_cast<const AdamOptions&>(g.options()));
}

Tensor Adam::step(LossClosure closure) {
  Tensor loss = run_closure(closure);
  NoGradGuard no_grad;
  for (OptimizerParamGroup& group : param_groups_) adam_group_step<AdamOptions>("Adam", state_, group, false);
  return loss;
}

AdamW::AdamW(std::vector<OptimizerParamGroup> param_groups, AdamWOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<AdamWOptions>(defaults)) {
  check_adam_options(defaults);
  for (const auto& g : param_groups_) check_adam_options(static_cast<const AdamWOptions&>(g.options()));
}

Tensor AdamW::step(LossClosure closure) {
  Tensor loss = run_closure(closure);
  NoGradGuard no_grad;
  for (OptimizerParamGroup& group : param_groups_) adam_group_step<AdamWOptions>("AdamW", state_, group, true);
  return loss;
}

}  // namespace ember::optim
