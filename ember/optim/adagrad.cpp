#include "ember/optim/adagrad.h"

#include "ember/autograd/grad_mode.h"
#include "ember/ops/fused_optim.h"
#include "ember/optim/state_buffer.h"

namespace ember::optim {

void AdagradOptions::to_dict(Dict& d) const {
  d.insert_or_assign("lr", lr());
  d.insert_or_assign("lr_decay", lr_decay());
  d.insert_or_assign("eps", eps());
  d.insert_or_assign("weight_decay", weight_decay());
  d.insert_or_assign("initial_accumulator_value", initial_accumulator_value());
  d.insert_or_assign("foreach", IValue());
  d.insert_or_assign("maximize", maximize());
}

bool AdagradOptions::set_field(const std::string& key, const IValue& v) {
  if (key == "lr") lr(detail::ivalue_to_double(v, "lr"));
  else if (key == "lr_decay") lr_decay(detail::ivalue_to_double(v, "lr_decay"));
  else if (key == "eps") eps(detail::ivalue_to_double(v, "eps"));
  else if (key == "weight_decay") weight_decay(detail::ivalue_to_double(v, "weight_decay"));
  else if (key == "initial_accumulator_value")
    initial_accumulator_value(detail::ivalue_to_double(v, "initial_accumulator_value"));
  else if (key == "maximize") maximize(detail::ivalue_to_bool(v, "maximize"));
  else if (key == "foreach") {}
  else return false;
  return true;
}

void AdagradParamState::to_dict(Dict& d) const {
  d.insert_or_assign("step", detail::step_tensor(step()));
  d.insert_or_assign("sum", sum());
}
void AdagradParamState::from_dict(const Dict& d) {
  step(detail::state_step(d));
  sum(detail::state_tensor(d, "sum"));
}

namespace {
void check_adagrad_options(const AdagradOptions& o) {
  EMBER_CHECK_VALUE(o.lr() >= 0, "Invalid learning rate: ", o.lr());
  EMBER_CHECK_VALUE(o.lr_decay() >= 0, "Invalid lr_decay value: ", o.lr_decay());
  EMBER_CHECK_VALUE(o.weight_decay() >= 0, "Invalid weight_decay value: ", o.weight_decay());
  EMBER_CHECK_VALUE(o.initial_accumulator_value() >= 0, "Invalid initial_accumulator_value value: ",
                    o.initial_accumulator_value());
  EMBER_CHECK_VALUE(o.eps() >= 0, "Invalid epsilon value: ", o.eps());
}

std::unique_ptr<AdagradParamState> fresh_state(const Tensor& p, const AdagradOptions& o) {
  auto s = std::make_unique<AdagradParamState>();
  s->sum(detail::new_state(p, o.initial_accumulator_value()));
  return s;
}
}  // namespace

Adagrad::Adagrad(std::vector<OptimizerParamGroup> param_groups, AdagradOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<AdagradOptions>(defaults)) {
  check_adagrad_options(defaults);
  for (const auto& g : param_groups_) {
    const auto& o = static_cast<const AdagradOptions&>(g.options());
    check_adagrad_options(o);
    for (const Tensor& p : g.params()) state_[p.unsafeGetTensorImpl()] = fresh_state(p, o);
  }
}

Tensor Adagrad::step(LossClosure closure) {
  Tensor loss = run_closure(closure);
  NoGradGuard no_grad;
  for (OptimizerParamGroup& group : param_groups_) {
    const auto& o = static_cast<const AdagradOptions&>(group.options());
    for (Tensor& p : group.params()) {
      Tensor grad = p.grad();
      if (!grad.defined()) continue;
      auto& slot = state_[p.unsafeGetTensorImpl()];
      if (!slot) slot = fresh_state(p, o);  // a group added after construction
      auto& st = static_cast<AdagradParamState&>(*slot);
      st.step(st.step() + 1);
      const double step = static_cast<double>(static_cast<float>(st.step()));
      kernels::AdagradStepArgs args{o.lr() / (1 + (step - 1) * o.lr_decay()), o.eps(), o.weight_decay(), o.maximize()};
      fused_adagrad_step_("Adagrad", p, grad, st.sum(), args);
    }
  }
  return loss;
}

}  // namespace ember::optim
