#include "ember/optim/schedulers/lr_scheduler.h"

#include <cmath>

namespace ember::optim {

LRScheduler::LRScheduler(Optimizer& optimizer, int64_t last_epoch) : optimizer_(optimizer), last_epoch_(last_epoch) {
  auto& groups = optimizer.param_groups();
  if (last_epoch == -1) {
    for (auto& g : groups)
      if (!g.options().extras().contains("initial_lr")) g.options().set("initial_lr", g.options().get_lr());
  } else {
    for (size_t i = 0; i < groups.size(); ++i)
      EMBER_CHECK_INDEX(groups[i].options().extras().contains("initial_lr"),
                        "param 'initial_lr' is not specified in param_groups[", i, "] when resuming an optimizer");
  }
  for (auto& g : groups) base_lrs_.push_back(g.options().extras().at("initial_lr").toDouble());
}

void LRScheduler::initial_step() {
  step_count_ = 0;
  step();
}

std::vector<double> LRScheduler::group_lrs() const {
  std::vector<double> r;
  for (const auto& g : optimizer_.param_groups()) r.push_back(g.options().get_lr());
  return r;
}

void LRScheduler::set_lrs(const std::vector<double>& lrs) {
  auto& groups = optimizer_.param_groups();
  for (size_t i = 0; i < groups.size() && i < lrs.size(); ++i) groups[i].options().set_lr(lrs[i]);
  last_lr_ = group_lrs();
}

void LRScheduler::do_step(std::optional<double> epoch) {
  step_count_ += 1;
  std::vector<double> values;
  if (!epoch) {
    last_epoch_ += 1;
    values = get_lr();
  } else {
    last_epoch_ = static_cast<int64_t>(std::floor(*epoch));
    auto closed = closed_form_lr();
    values = closed ? *closed : get_lr();
  }
  set_lrs(values);
}

void LRScheduler::save_base_fields(Dict& d) const {
  d.insert_or_assign("base_lrs", IValue(base_lrs_));
  d.insert_or_assign("last_epoch", last_epoch_);
  d.insert_or_assign("verbose", false);
  d.insert_or_assign("_step_count", step_count_);
  d.insert_or_assign("_get_lr_called_within_step", false);
  d.insert_or_assign("_last_lr", IValue(last_lr_));
}

void LRScheduler::load_base_fields(const Dict& d) {
  if (d.contains("base_lrs")) base_lrs_ = detail::double_list(d, "base_lrs");
  if (d.contains("last_epoch")) last_epoch_ = d.at("last_epoch").toInt();
  if (d.contains("_step_count")) step_count_ = d.at("_step_count").toInt();
  if (d.contains("_last_lr")) last_lr_ = detail::double_list(d, "_last_lr");
}

IValue LRScheduler::state_dict() const {
  Dict d;
  save_fields(d);
  save_base_fields(d);
  return IValue(std::move(d));
}

void LRScheduler::load_state_dict(const IValue& state_dict) {
  EMBER_CHECK_VALUE(state_dict.isDict(), "scheduler state dict must be a dict, but got ", state_dict.type_name());
  load_fields(state_dict.toDict());
  load_base_fields(state_dict.toDict());
}

namespace detail {
std::vector<double> double_list(const Dict& d, const char* key) { return d.at(key).toDoubleVector(); }
}  // namespace detail

}  // namespace ember::optim
