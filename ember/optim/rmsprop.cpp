#include "ember/optim/rmsprop.h"

#include "ember/autograd/grad_mode.h"
#include "ember/ops/fused_optim.h"
#include "ember/optim/state_buffer.h"

namespace ember::optim {

void RMSpropOptions::to_dict(Dict& d) const {
  d.insert_or_assign("lr", lr());
  d.insert_or_assign("momentum", momentum());
  d.insert_or_assign("alpha", alpha());
  d.insert_or_assign("eps", eps());
  d.insert_or_assign("centered", centered());
  d.insert_or_assign("weight_decay", weight_decay());
  d.insert_or_assign("foreach", IValue());
  d.insert_or_assign("maximize", maximize());
  d.insert_or_assign("differentiable", false);
}

bool RMSpropOptions::set_field(const std::string& key, const IValue& v) {
  if (key == "lr") lr(detail::ivalue_to_double(v, "lr"));
  else if (key == "momentum") momentum(detail::ivalue_to_double(v, "momentum"));
  else if (key == "alpha") alpha(detail::ivalue_to_double(v, "alpha"));
  else if (key == "eps") eps(detail::ivalue_to_double(v, "eps"));
  else if (key == "centered") centered(detail::ivalue_to_bool(v, "centered"));
  else if (key == "weight_decay") weight_decay(detail::ivalue_to_double(v, "weight_decay"));
  else if (key == "maximize") maximize(detail::ivalue_to_bool(v, "maximize"));
  else if (key == "foreach" || key == "differentiable") {}
  else return false;
  return true;
}

void RMSpropParamState::to_dict(Dict& d) const {
  d.insert_or_assign("step", step());  // a Python int in PyTorch 1.13
  d.insert_or_assign("square_avg", square_avg());
  if (momentum_buffer().defined()) d.insert_or_assign("momentum_buffer", momentum_buffer());
  if (grad_avg().defined()) d.insert_or_assign("grad_avg", grad_avg());
}
void RMSpropParamState::from_dict(const Dict& d) {
  step(detail::state_step(d));
  square_avg(detail::state_tensor(d, "square_avg"));
  if (d.contains("momentum_buffer")) momentum_buffer(detail::state_tensor(d, "momentum_buffer"));
  if (d.contains("grad_avg")) grad_avg(detail::state_tensor(d, "grad_avg"));
}

namespace {
void check_rmsprop_options(const RMSpropOptions& o) {
  EMBER_CHECK_VALUE(o.lr() >= 0, "Invalid learning rate: ", o.lr());
  EMBER_CHECK_VALUE(o.eps() >= 0, "Invalid epsilon value: ", o.eps());
  EMBER_CHECK_VALUE(o.momentum() >= 0, "Invalid momentum value: ", o.momentum());
  EMBER_CHECK_VALUE(o.weight_decay() >= 0, "Invalid weight_decay value: ", o.weight_decay());
  EMBER_CHECK_VALUE(o.alpha() >= 0, "Invalid alpha value: ", o.alpha());
}
}  // namespace

RMSprop::RMSprop(std::vector<OptimizerParamGroup> param_groups, RMSpropOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<RMSpropOptions>(defaults)) {
  check_rmsprop_options(defaults);
  for (const auto& g : param_groups_) check_rmsprop_options(static_cast<const RMSpropOptions&>(g.options()));
}

Tensor RMSprop::step(LossClosure closure) {
  Tensor loss = run_closure(closure);
  NoGradGuard no_grad;
  for (OptimizerParamGroup& group : param_groups_) {
    const auto& o = static_cast<const RMSpropOptions&>(group.options());
    for (Tensor& p : group.params()) {
      Tensor grad = p.grad();
      if (!grad.defined()) continue;
      auto& slot = state_[p.unsafeGetTensorImpl()];
      if (!slot) {
        auto s = std::make_unique<RMSpropParamState>();
        s->square_avg(detail::new_state(p));
        if (o.momentum() > 0) s->momentum_buffer(detail::new_state(p));
        if (o.centered()) s->grad_avg(detail::new_state(p));
        slot = std::move(s);
      }
      auto& st = static_cast<RMSpropParamState&>(*slot);
      // Options changed after the first step (PyTorch would fail on the missing key).
      if (o.momentum() > 0 && !st.momentum_buffer().defined()) st.momentum_buffer(detail::new_state(p));
      if (o.centered() && !st.grad_avg().defined()) st.grad_avg(detail::new_state(p));
      st.step(st.step() + 1);
      kernels::RmspropStepArgs args{o.lr(), o.alpha(), o.eps(), o.weight_decay(), o.momentum(), o.centered(), o.maximize()};
      Tensor none1, none2;
      fused_rmsprop_step_("RMSprop", p, grad, st.square_avg(), o.centered() ? st.grad_avg() : none1,
                          o.momentum() > 0 ? st.momentum_buffer() : none2, args);
    }
  }
  return loss;
}

}  // namespace ember::optim
