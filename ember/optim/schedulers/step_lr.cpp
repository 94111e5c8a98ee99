#include "ember/optim/schedulers/step_lr.h"

#include <algorithm>
#include <cmath>

namespace ember::optim {

namespace {
// Python's floor division.
int64_t floordiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}
}  // namespace

// ---- StepLR ------------------------------------------------------------------------------
StepLR::StepLR(Optimizer& optimizer, int64_t step_size, double gamma, int64_t last_epoch)
    : LRScheduler(optimizer, last_epoch), step_size_(step_size), gamma_(gamma) {
  EMBER_CHECK_VALUE(step_size > 0, "StepLR: step_size must be positive, but got ", step_size);
  initial_step();
}

std::vector<double> StepLR::get_lr() {
  std::vector<double> lrs = group_lrs();
  if (last_epoch_ == 0 || last_epoch_ % step_size_ != 0) return lrs;
  for (double& lr : lrs) lr *= gamma_;
  return lrs;
}

std::optional<std::vector<double>> StepLR::closed_form_lr() {
  std::vector<double> lrs;
  for (double b : base_lrs_) lrs.push_back(b * std::pow(gamma_, static_cast<double>(floordiv(last_epoch_, step_size_))));
  return lrs;
}

void StepLR::save_fields(Dict& d) const {
  d.insert_or_assign("step_size", step_size_);
  d.insert_or_assign("gamma", gamma_);
}
void StepLR::load_fields(const Dict& d) {
  step_size_ = d.at("step_size").toInt();
  gamma_ = d.at("gamma").toDouble();
}

// ---- MultiStepLR -------------------------------------------------------------------------
MultiStepLR::MultiStepLR(Optimizer& optimizer, const std::vector<int64_t>& milestones, double gamma,
                         int64_t last_epoch)
    : LRScheduler(optimizer, last_epoch), gamma_(gamma) {
  for (int64_t m : milestones) milestones_[m] += 1;
  initial_step();
}

std::vector<double> MultiStepLR::get_lr() {
  std::vector<double> lrs = group_lrs();
  auto it = milestones_.find(last_epoch_);
  if (it == milestones_.end()) return lrs;
  for (double& lr : lrs) lr *= std::pow(gamma_, static_cast<double>(it->second));
  return lrs;
}

std::optional<std::vector<double>> MultiStepLR::closed_form_lr() {
  // bisect_right over the sorted milestones (with repeats): how many are <= last_epoch.
  int64_t passed = 0;
  for (const auto& [m, count] : milestones_)
    if (m <= last_epoch_) passed += count;
  std::vector<double> lrs;
  for (double b : base_lrs_) lrs.push_back(b * std::pow(gamma_, static_cast<double>(passed)));
  return lrs;
}

void MultiStepLR::save_fields(Dict& d) const {
  Dict counter;
  for (const auto& [m, count] : milestones_) counter.insert_or_assign(m, count);
  d.insert_or_assign("milestones", IValue(std::move(counter)));
  d.insert_or_assign("gamma", gamma_);
}
void MultiStepLR::load_fields(const Dict& d) {
  milestones_.clear();
  for (const auto& [m, count] : d.at("milestones").toDict()) milestones_[m.toInt()] = count.toInt();
  gamma_ = d.at("gamma").toDouble();
}

// ---- ExponentialLR -----------------------------------------------------------------------
ExponentialLR::ExponentialLR(Optimizer& optimizer, double gamma, int64_t last_epoch)
    : LRScheduler(optimizer, last_epoch), gamma_(gamma) {
  initial_step();
}

std::vector<double> ExponentialLR::get_lr() {
  std::vector<double> lrs = group_lrs();
  if (last_epoch_ == 0) return lrs;
  for (double& lr : lrs) lr *= gamma_;
  return lrs;
}

std::optional<std::vector<double>> ExponentialLR::closed_form_lr() {
  std::vector<double> lrs;
  for (double b : base_lrs_) lrs.push_back(b * std::pow(gamma_, static_cast<double>(last_epoch_)));
  return lrs;
}

void ExponentialLR::save_fields(Dict& d) const { d.insert_or_assign("gamma", gamma_); }
void ExponentialLR::load_fields(const Dict& d) { gamma_ = d.at("gamma").toDouble(); }

// ---- LinearLR ----------------------------------------------------------------------------
LinearLR::LinearLR(Optimizer& optimizer, double start_factor, double end_factor, int64_t total_iters,
                   int64_t last_epoch)
    : LRScheduler(optimizer, last_epoch), start_factor_(start_factor), end_factor_(end_factor),
      total_iters_(total_iters) {
  EMBER_CHECK_VALUE(start_factor <= 1.0 && start_factor >= 0,
                    "Starting multiplicative factor expected to be between 0 and 1.");
  EMBER_CHECK_VALUE(end_factor <= 1.0 && end_factor >= 0, "Ending multiplicative factor expected to be between 0 and 1.");
  initial_step();
}

std::vector<double> LinearLR::get_lr() {
  std::vector<double> lrs = group_lrs();
  if (last_epoch_ == 0) {
    for (double& lr : lrs) lr *= start_factor_;
    return lrs;
  }
  if (last_epoch_ > total_iters_) return lrs;
  const double factor =
      1. + (end_factor_ - start_factor_) /
               (static_cast<double>(total_iters_) * start_factor_ +
                static_cast<double>(last_epoch_ - 1) * (end_factor_ - start_factor_));
  for (double& lr : lrs) lr *= factor;
  return lrs;
}

std::optional<std::vector<double>> LinearLR::closed_form_lr() {
  std::vector<double> lrs;
  for (double b : base_lrs_)
    lrs.push_back(b * (start_factor_ + (end_factor_ - start_factor_) *
                                           static_cast<double>(std::min(total_iters_, last_epoch_)) /
                                           static_cast<double>(total_iters_)));
  return lrs;
}

void LinearLR::save_fields(Dict& d) const {
  d.insert_or_assign("start_factor", start_factor_);
  d.insert_or_assign("end_factor", end_factor_);
  d.insert_or_assign("total_iters", total_iters_);
}
void LinearLR::load_fields(const Dict& d) {
  start_factor_ = d.at("start_factor").toDouble();
  end_factor_ = d.at("end_factor").toDouble();
  total_iters_ = d.at("total_iters").toInt();
}

// ---- LambdaLR ----------------------------------------------------------------------------
LambdaLR::LambdaLR(Optimizer& optimizer, LrLambda lr_lambda, int64_t last_epoch)
    : LambdaLR(optimizer, std::vector<LrLambda>(optimizer.param_groups().size(), lr_lambda), last_epoch) {}

LambdaLR::LambdaLR(Optimizer& optimizer, std::vector<LrLambda> lr_lambdas, int64_t last_epoch)
    : LRScheduler(optimizer, last_epoch), lr_lambdas_(std::move(lr_lambdas)) {
  EMBER_CHECK_VALUE(lr_lambdas_.size() == optimizer.param_groups().size(), "Expected ",
                    optimizer.param_groups().size(), " lr_lambdas, but got ", lr_lambdas_.size());
  for (const auto& f : lr_lambdas_) EMBER_CHECK_TYPE(f != nullptr, "LambdaLR: lr_lambda is empty");
  initial_step();
}

std::vector<double> LambdaLR::get_lr() {
  std::vector<double> lrs;
  for (size_t i = 0; i < base_lrs_.size(); ++i) lrs.push_back(base_lrs_[i] * lr_lambdas_[i](last_epoch_));
  return lrs;
}

IValue LambdaLR::state_dict() const {
  Dict d;
  save_base_fields(d);
  d.insert_or_assign("lr_lambdas", IValue(GenericList(lr_lambdas_.size())));
  return IValue(std::move(d));
}

}  // namespace ember::optim
