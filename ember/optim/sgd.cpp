#include "ember/optim/sgd.h"

#include "ember/autograd/grad_mode.h"
#include "ember/ops/fused_optim.h"
#include "ember/optim/state_buffer.h"

namespace ember::optim {

void SGDOptions::to_dict(Dict& d) const {
  d.insert_or_assign("lr", lr());
  d.insert_or_assign("momentum", momentum());
  d.insert_or_assign("dampening", dampening());
  d.insert_or_assign("weight_decay", weight_decay());
  d.insert_or_assign("nesterov", nesterov());
  d.insert_or_assign("maximize", maximize());
  d.insert_or_assign("foreach", IValue());  // PyTorch's implementation switches, fixed here
  d.insert_or_assign("differentiable", false);
}

bool SGDOptions::set_field(const std::string& key, const IValue& v) {
  if (key == "lr") lr(detail::ivalue_to_double(v, "lr"));
  else if (key == "momentum") momentum(detail::ivalue_to_double(v, "momentum"));
  else if (key == "dampening") dampening(detail::ivalue_to_double(v, "dampening"));
  else if (key == "weight_decay") weight_decay(detail::ivalue_to_double(v, "weight_decay"));
  else if (key == "nesterov") nesterov(detail::ivalue_to_bool(v, "nesterov"));
  else if (key == "maximize") maximize(detail::ivalue_to_bool(v, "maximize"));
  else if (key == "foreach" || key == "differentiable") {}  // accepted and ignored
  else return false;
  return true;
}

void SGDParamState::to_dict(Dict& d) const {
  d.insert_or_assign("momentum_buffer", momentum_buffer().defined() ? IValue(momentum_buffer()) : IValue());
}
void SGDParamState::from_dict(const Dict& d) {
  const IValue& v = d.at("momentum_buffer");
  momentum_buffer(v.isNone() ? Tensor() : detail::state_tensor(d, "momentum_buffer"));
}

namespace {
void check_sgd_options(const SGDOptions& o) {
  EMBER_CHECK_VALUE(o.lr() >= 0, "Invalid learning rate: ", o.lr());
  EMBER_CHECK_VALUE(o.momentum() >= 0, "Invalid momentum value: ", o.momentum());
  EMBER_CHECK_VALUE(o.weight_decay() >= 0, "Invalid weight_decay value: ", o.weight_decay());
  EMBER_CHECK_VALUE(!o.nesterov() || (o.momentum() > 0 && o.dampening() == 0),
                    "Nesterov momentum requires a momentum and zero dampening");
}
}  // namespace

SGD::SGD(std::vector<OptimizerParamGroup> param_groups, SGDOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<SGDOptions>(defaults)) {
  check_sgd_options(defaults);
  for (const auto& g : param_groups_) check_sgd_options(static_cast<const SGDOptions&>(g.options()));
}

Tensor SGD::step(LossClosure closure) {
  Tensor loss = run_closure(closure);
  NoGradGuard no_grad;
  for (OptimizerParamGroup& group : param_groups_) {
    const auto& o = static_cast<const SGDOptions&>(group.options());
    for (Tensor& p : group.params()) {
      Tensor grad = p.grad();
      if (!grad.defined()) continue;
      auto& slot = state_[p.unsafeGetTensorImpl()];
      if (!slot) slot = std::make_unique<SGDParamState>();
      auto& st = static_cast<SGDParamState&>(*slot);
      Tensor& buf = st.momentum_buffer();
      kernels::SgdStepArgs args{o.lr(), o.momentum(), o.dampening(), o.weight_decay(), o.nesterov(), o.maximize(), false};
      if (o.momentum() != 0 && !buf.defined()) {
        buf = detail::new_state(p);  // the kernel writes d_p into it (torch.clone(d_p))
        args.init_buffer = true;
      }
      // Without momentum the buffer (None, or one kept from earlier steps) is left alone.
      Tensor none;
      fused_sgd_step_("SGD", p, grad, o.momentum() != 0 ? buf : none, args);
    }
  }
  return loss;
}

}  // namespace ember::optim
