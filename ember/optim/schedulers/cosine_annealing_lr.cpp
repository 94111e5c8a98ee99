#include "ember/optim/schedulers/cosine_annealing_lr.h"

#include <cmath>

namespace ember::optim {

namespace {
constexpr double kPi = 3.141592653589793;
int64_t pymod(int64_t a, int64_t b) { return ((a % b) + b) % b; }
// A float that holds an integer is saved as a Python int, as PyTorch's T_cur is.
IValue number(double v) {
  if (v == std::floor(v) && std::abs(v) < 9e15) return IValue(static_cast<int64_t>(v));
  return IValue(v);
}
}  // namespace

// ---- CosineAnnealingLR ---------------------------------------------------------------------
CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, int64_t T_max, double eta_min, int64_t last_epoch)
    : LRScheduler(optimizer, last_epoch), T_max_(T_max), eta_min_(eta_min) {
  EMBER_CHECK_VALUE(T_max > 0, "CosineAnnealingLR: T_max must be positive, but got ", T_max);
  initial_step();
}

std::vector<double> CosineAnnealingLR::get_lr() {
  std::vector<double> lrs = group_lrs();
  const double T = static_cast<double>(T_max_), e = static_cast<double>(last_epoch_);
  if (last_epoch_ == 0) return lrs;
  if (step_count_ == 1 && last_epoch_ > 0) {
    for (size_t i = 0; i < lrs.size(); ++i)
      lrs[i] = eta_min_ + (base_lrs_[i] - eta_min_) * (1 + std::cos(e * kPi / T)) / 2;
    return lrs;
  }
  if (pymod(last_epoch_ - 1 - T_max_, 2 * T_max_) == 0) {
    for (size_t i = 0; i < lrs.size(); ++i) lrs[i] = lrs[i] + (base_lrs_[i] - eta_min_) * (1 - std::cos(kPi / T)) / 2;
    return lrs;
  }
  for (double& lr : lrs)
    lr = (1 + std::cos(kPi * e / T)) / (1 + std::cos(kPi * (e - 1) / T)) * (lr - eta_min_) + eta_min_;
  return lrs;
}

std::optional<std::vector<double>> CosineAnnealingLR::closed_form_lr() {
  std::vector<double> lrs;
  for (double b : base_lrs_)
    lrs.push_back(eta_min_ + (b - eta_min_) *
                                 (1 + std::cos(kPi * static_cast<double>(last_epoch_) / static_cast<double>(T_max_))) /
                                 2);
  return lrs;
}

void CosineAnnealingLR::save_fields(Dict& d) const {
  d.insert_or_assign("T_max", T_max_);
  d.insert_or_assign("eta_min", eta_min_);
}
void CosineAnnealingLR::load_fields(const Dict& d) {
  T_max_ = d.at("T_max").toInt();
  eta_min_ = d.at("eta_min").toDouble();
}

// ---- CosineAnnealingWarmRestarts -----------------------------------------------------------
CosineAnnealingWarmRestarts::CosineAnnealingWarmRestarts(Optimizer& optimizer, int64_t T_0, int64_t T_mult,
                                                         double eta_min, int64_t last_epoch)
    : LRScheduler(optimizer, last_epoch), T_0_(T_0), T_i_(T_0), T_mult_(T_mult), eta_min_(eta_min),
      T_cur_(static_cast<double>(last_epoch)) {
  EMBER_CHECK_VALUE(T_0 > 0, "Expected positive integer T_0, but got ", T_0);
  EMBER_CHECK_VALUE(T_mult >= 1, "Expected integer T_mult >= 1, but got ", T_mult);
  initial_step();
}

std::vector<double> CosineAnnealingWarmRestarts::get_lr() {
  std::vector<double> lrs;
  for (double b : base_lrs_)
    lrs.push_back(eta_min_ + (b - eta_min_) * (1 + std::cos(kPi * T_cur_ / static_cast<double>(T_i_))) / 2);
  return lrs;
}

// PyTorch's step(): no _step_count increment, fractional epochs allowed.
void CosineAnnealingWarmRestarts::do_step(std::optional<double> epoch) {
  if (!epoch && last_epoch_ < 0) epoch = 0.0;
  double e;
  if (!epoch) {
    e = static_cast<double>(last_epoch_ + 1);
    T_cur_ = T_cur_ + 1;
    if (T_cur_ >= static_cast<double>(T_i_)) {
      T_cur_ = T_cur_ - static_cast<double>(T_i_);
      T_i_ = T_i_ * T_mult_;
    }
  } else {
    e = *epoch;
    EMBER_CHECK_VALUE(e >= 0, "Expected non-negative epoch, but got ", e);
    const double T0 = static_cast<double>(T_0_);
    if (e >= T0) {
      if (T_mult_ == 1) {
        T_cur_ = std::fmod(e, T0);
      } else {
        const double m = static_cast<double>(T_mult_);
        auto n = static_cast<int64_t>(std::log(e / T0 * (m - 1) + 1) / std::log(m));
        const double mn = std::pow(m, static_cast<double>(n));
        T_cur_ = e - T0 * (mn - 1) / (m - 1);
        T_i_ = T_0_ * static_cast<int64_t>(mn);
      }
    } else {
      T_i_ = T_0_;
      T_cur_ = e;
    }
  }
  last_epoch_ = static_cast<int64_t>(std::floor(e));
  set_lrs(get_lr());
}

void CosineAnnealingWarmRestarts::save_fields(Dict& d) const {
  d.insert_or_assign("T_0", T_0_);
  d.insert_or_assign("T_i", T_i_);
  d.insert_or_assign("T_mult", T_mult_);
  d.insert_or_assign("eta_min", eta_min_);
  d.insert_or_assign("T_cur", number(T_cur_));
}
void CosineAnnealingWarmRestarts::load_fields(const Dict& d) {
  T_0_ = d.at("T_0").toInt();
  T_i_ = d.at("T_i").toInt();
  T_mult_ = d.at("T_mult").toInt();
  eta_min_ = d.at("eta_min").toDouble();
  T_cur_ = d.at("T_cur").toDouble();
}

}  // namespace ember::optim
