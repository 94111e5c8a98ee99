#include "ember/optim/schedulers/sequential_lr.h"

#include <algorithm>

namespace ember::optim {

SequentialLR::SequentialLR(Optimizer& optimizer, std::vector<std::shared_ptr<LRScheduler>> schedulers,
                           std::vector<int64_t> milestones, int64_t last_epoch)
    : LRScheduler(optimizer, -1), schedulers_(std::move(schedulers)), milestones_(std::move(milestones)) {
  EMBER_CHECK_VALUE(!schedulers_.empty(), "SequentialLR: expected at least one scheduler");
  for (size_t i = 0; i < schedulers_.size(); ++i) {
    EMBER_CHECK_VALUE(schedulers_[i] != nullptr, "SequentialLR: scheduler ", i, " is null");
    EMBER_CHECK_VALUE(&schedulers_[i]->optimizer() == &optimizer,
                      "Sequential Schedulers expects all schedulers to belong to the same optimizer, but got "
                      "schedulers at index ", i, " to be different than the optimizer passed in.");
  }
  EMBER_CHECK_VALUE(milestones_.size() == schedulers_.size() - 1,
                    "Sequential Schedulers expects number of schedulers provided to be one more than the number "
                    "of milestone points, but got number of schedulers ", schedulers_.size(),
                    " and the number of milestones to be equal to ", milestones_.size());
  last_epoch_ = last_epoch + 1;
  for (auto& g : optimizer.param_groups()) g.options().set_lr(g.options().extras().at("initial_lr").toDouble());
  for (auto& s : schedulers_) s->last_epoch_ -= 1;
  schedulers_[0]->initial_step();
  last_lr_ = schedulers_[0]->get_last_lr();
}

void SequentialLR::do_step(std::optional<double> epoch) {
  EMBER_CHECK_VALUE(!epoch, "SequentialLR.step() takes no epoch");
  last_epoch_ += 1;
  const size_t idx = static_cast<size_t>(
      std::upper_bound(milestones_.begin(), milestones_.end(), last_epoch_) - milestones_.begin());
  LRScheduler& scheduler = *schedulers_[idx];
  if (idx > 0 && milestones_[idx - 1] == last_epoch_) scheduler.step(0.0);
  else scheduler.step();
  last_lr_ = scheduler.get_last_lr();
}

IValue SequentialLR::state_dict() const {
  Dict d;
  d.insert_or_assign("_milestones", IValue(milestones_));
  d.insert_or_assign("last_epoch", last_epoch_);
  d.insert_or_assign("_last_lr", IValue(last_lr_));
  GenericList subs;
  for (const auto& s : schedulers_) subs.push_back(s->state_dict());
  d.insert_or_assign("_schedulers", IValue(std::move(subs)));
  return IValue(std::move(d));
}

void SequentialLR::load_state_dict(const IValue& state_dict) {
  const Dict& d = state_dict.toDict();
  const GenericList& subs = d.at("_schedulers").toList();
  EMBER_CHECK_VALUE(subs.size() == schedulers_.size(), "SequentialLR: the state dict has ", subs.size(),
                    " schedulers, this one ", schedulers_.size());
  milestones_ = d.at("_milestones").toIntVector();
  last_epoch_ = d.at("last_epoch").toInt();
  last_lr_ = detail::double_list(d, "_last_lr");
  for (size_t i = 0; i < subs.size(); ++i) schedulers_[i]->load_state_dict(subs[i]);
}

}  // namespace ember::optim
