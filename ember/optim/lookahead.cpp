#include "ember/optim/lookahead.h"

#include "ember/autograd/grad_mode.h"

namespace ember::optim {

namespace {
std::vector<OptimizerParamGroup> groups_of(const std::shared_ptr<Optimizer>& o) {
  EMBER_CHECK_VALUE(o != nullptr, "Lookahead: the inner optimizer is null");
  return o->param_groups();
}
std::unique_ptr<OptimizerOptions> defaults_of(const std::shared_ptr<Optimizer>& o) {
  EMBER_CHECK_VALUE(o != nullptr, "Lookahead: the inner optimizer is null");
  return o->defaults().clone();
}
}  // namespace

Lookahead::Lookahead(std::shared_ptr<Optimizer> optimizer, LookaheadOptions options)
    : Optimizer(groups_of(optimizer), defaults_of(optimizer)), inner_(std::move(optimizer)), options_(options) {
  EMBER_CHECK_VALUE(options.k() >= 1, "Invalid lookahead steps: ", options.k());
  EMBER_CHECK_VALUE(options.alpha() >= 0 && options.alpha() <= 1, "Invalid alpha parameter: ", options.alpha());
  param_groups_.clear();  // the groups are the inner optimizer's (param_groups() forwards)
  NoGradGuard no_grad;
  for (OptimizerParamGroup& g : inner_->param_groups()) {
    init_group(g);
    for (const Tensor& p : g.params()) slow_[p.unsafeGetTensorImpl()] = p.detach().clone();
  }
}

void Lookahead::init_group(OptimizerParamGroup& group) {
  OptimizerOptions& o = group.options();
  if (!o.extras().contains("lookahead_k")) o.set("lookahead_k", options_.k());
  if (!o.extras().contains("lookahead_alpha")) o.set("lookahead_alpha", options_.alpha());
  if (!o.extras().contains("lookahead_step")) o.set("lookahead_step", int64_t(0));
}

void Lookahead::add_param_group(const OptimizerParamGroup& param_group) {
  inner_->add_param_group(param_group);
  init_group(inner_->param_groups().back());
  NoGradGuard no_grad;
  for (const Tensor& p : inner_->param_groups().back().params()) slow_[p.unsafeGetTensorImpl()] = p.detach().clone();
}

Tensor Lookahead::slow_weights(const Tensor& param) const {
  auto it = slow_.find(param.unsafeGetTensorImpl());
  return it == slow_.end() ? Tensor() : it->second;
}

Tensor Lookahead::step(LossClosure closure) {
  Tensor loss = inner_->step(std::move(closure));
  NoGradGuard no_grad;
  for (OptimizerParamGroup& g : inner_->param_groups()) {
    OptimizerOptions& o = g.options();
    init_group(g);
    const int64_t step = o.extras().at("lookahead_step").toInt() + 1;
    o.set("lookahead_step", step);
    const int64_t k = o.extras().at("lookahead_k").toInt();
    if (k <= 0 || step % k != 0) continue;
    const double alpha = o.extras().at("lookahead_alpha").toDouble();
    for (Tensor& p : g.params()) {
      Tensor& slow = slow_[p.unsafeGetTensorImpl()];
      if (!slow.defined()) slow = p.detach().clone();
      slow.add_(p.detach() - slow, alpha);  // slow += alpha * (fast - slow)
      p.detach().copy_(slow);               // fast = slow
    }
  }
  return loss;
}

IValue Lookahead::state_dict() const {
  IValue sd = inner_->state_dict();
  Dict& state = sd.toDict().at("state").toDict();
  int64_t index = 0;
  for (const OptimizerParamGroup& g : inner_->param_groups())
    for (const Tensor& p : g.params()) {
      Tensor slow = slow_weights(p);
      if (slow.defined()) {
        IValue& entry = state.setdefault(index, IValue::dict());
        entry.toDict().insert_or_assign("slow_buffer", slow);
      }
      ++index;
    }
  return sd;
}

void Lookahead::load_state_dict(const IValue& state_dict) {
  inner_->load_state_dict(state_dict);  // checks the layout; ignores 'slow_buffer'
  const Dict& state = state_dict.toDict().at("state").toDict();
  const GenericList& saved_groups = state_dict.toDict().at("param_groups").toList();
  NoGradGuard no_grad;
  auto& groups = inner_->param_groups();
  for (size_t i = 0; i < groups.size(); ++i) {
    init_group(groups[i]);
    std::vector<int64_t> ids = saved_groups[i].toDict().at("params").toIntVector();
    for (size_t j = 0; j < ids.size(); ++j) {
      const Tensor& p = groups[i].params()[j];
      const IValue* entry = state.find(ids[j]);
      const IValue* slow = entry && entry->isDict() ? entry->toDict().find("slow_buffer") : nullptr;
      if (slow && slow->isTensor()) slow_[p.unsafeGetTensorImpl()] = slow->toTensor().detach().clone().to(p.dtype());
    }
  }
}

}  // namespace ember::optim
