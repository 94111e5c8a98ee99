#include "ember/optim/schedulers/reduce_lr_on_plateau.h"

#include <algorithm>
#include <cmath>

namespace ember::optim {

ReduceLROnPlateau::ReduceLROnPlateau(Optimizer& optimizer, ReduceLROnPlateauOptions o)
    : optimizer_(optimizer), factor_(o.factor()), patience_(o.patience()), cooldown_(o.cooldown()), mode_(o.mode()),
      threshold_mode_(o.threshold_mode()), threshold_(o.threshold()), eps_(o.eps()) {
  EMBER_CHECK_VALUE(factor_ < 1.0, "Factor should be < 1.0.");
  const size_t groups = optimizer.param_groups().size();
  if (o.min_lr().size() == 1) {
    min_lrs_.assign(groups, o.min_lr()[0]);
  } else {
    EMBER_CHECK_VALUE(o.min_lr().size() == groups, "expected ", groups, " min_lrs, got ", o.min_lr().size());
    min_lrs_ = o.min_lr();
  }
  init_is_better();
  best_ = mode_worse_;
  for (const auto& g : optimizer.param_groups()) last_lr_.push_back(g.options().get_lr());
}

void ReduceLROnPlateau::init_is_better() {
  EMBER_CHECK_VALUE(mode_ == "min" || mode_ == "max", "mode ", mode_, " is unknown!");
  EMBER_CHECK_VALUE(threshold_mode_ == "rel" || threshold_mode_ == "abs", "threshold mode ", threshold_mode_,
                    " is unknown!");
  mode_worse_ = mode_ == "min" ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
}

bool ReduceLROnPlateau::is_better(double a, double best) const {
  if (mode_ == "min" && threshold_mode_ == "rel") return a < best * (1. - threshold_);
  if (mode_ == "min") return a < best - threshold_;
  if (threshold_mode_ == "rel") return a > best * (threshold_ + 1.);
  return a > best + threshold_;
}

void ReduceLROnPlateau::step(double metric, std::optional<int64_t> epoch) {
  last_epoch_ = epoch ? *epoch : last_epoch_ + 1;
  if (is_better(metric, best_)) {
    best_ = metric;
    num_bad_epochs_ = 0;
  } else {
    num_bad_epochs_ += 1;
  }
  if (in_cooldown()) {
    cooldown_counter_ -= 1;
    num_bad_epochs_ = 0;  // bad epochs in cooldown do not count
  }
  if (num_bad_epochs_ > patience_) {
    reduce_lr();
    cooldown_counter_ = cooldown_;
    num_bad_epochs_ = 0;
  }
  last_lr_.clear();
  for (const auto& g : optimizer_.param_groups()) last_lr_.push_back(g.options().get_lr());
}

void ReduceLROnPlateau::reduce_lr() {
  auto& groups = optimizer_.param_groups();
  for (size_t i = 0; i < groups.size(); ++i) {
    const double old_lr = groups[i].options().get_lr();
    const double new_lr = std::max(old_lr * factor_, i < min_lrs_.size() ? min_lrs_[i] : 0.0);
    if (old_lr - new_lr > eps_) groups[i].options().set_lr(new_lr);
  }
}

IValue ReduceLROnPlateau::state_dict() const {
  Dict d;
  d.insert_or_assign("factor", factor_);
  d.insert_or_assign("min_lrs", IValue(min_lrs_));
  d.insert_or_assign("patience", patience_);
  d.insert_or_assign("verbose", false);
  d.insert_or_assign("cooldown", cooldown_);
  d.insert_or_assign("cooldown_counter", cooldown_counter_);
  d.insert_or_assign("mode", mode_);
  d.insert_or_assign("threshold", threshold_);
  d.insert_or_assign("threshold_mode", threshold_mode_);
  d.insert_or_assign("best", best_);
  d.insert_or_assign("num_bad_epochs", num_bad_epochs_);
  d.insert_or_assign("mode_worse", mode_worse_);
  d.insert_or_assign("eps", eps_);
  d.insert_or_assign("last_epoch", last_epoch_);
  d.insert_or_assign("_last_lr", IValue(last_lr_));
  return IValue(std::move(d));
}

void ReduceLROnPlateau::load_state_dict(const IValue& state_dict) {
  const Dict& d = state_dict.toDict();
  factor_ = d.at("factor").toDouble();
  min_lrs_ = d.at("min_lrs").toDoubleVector();
  patience_ = d.at("patience").toInt();
  cooldown_ = d.at("cooldown").toInt();
  cooldown_counter_ = d.at("cooldown_counter").toInt();
  mode_ = d.at("mode").toStringRef();
  threshold_ = d.at("threshold").toDouble();
  threshold_mode_ = d.at("threshold_mode").toStringRef();
  best_ = d.at("best").toDouble();
  num_bad_epochs_ = d.at("num_bad_epochs").toInt();
  eps_ = d.at("eps").toDouble();
  last_epoch_ = d.at("last_epoch").toInt();
  if (const IValue* l = d.find("_last_lr")) last_lr_ = l->toDoubleVector();
  init_is_better();
}

}  // namespace ember::optim
