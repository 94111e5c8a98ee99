#pragma once
// Cosine annealing: CosineAnnealingLR (PyTorch's recursive form, so sequences match exactly,
// including lr changes made from outside) and CosineAnnealingWarmRestarts (SGDR).
#include "ember/optim/schedulers/lr_scheduler.h"

namespace ember::optim {

class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, int64_t T_max, double eta_min = 0, int64_t last_epoch = -1);

 protected:
  std::vector<double> get_lr() override;
  std::optional<std::vector<double>> closed_form_lr() override;
  void save_fields(Dict& d) const override;
  void load_fields(const Dict& d) override;

 private:
  int64_t T_max_;
  double eta_min_;
};

// lr = eta_min + (initial_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2, restarting after
// T_i epochs with T_i *= T_mult. step(epoch) accepts fractional epochs (epoch + i / iters).
class CosineAnnealingWarmRestarts : public LRScheduler {
 public:
  CosineAnnealingWarmRestarts(Optimizer& optimizer, int64_t T_0, int64_t T_mult = 1, double eta_min = 0,
                              int64_t last_epoch = -1);
  double T_cur() const { return T_cur_; }
  int64_t T_i() const { return T_i_; }

 protected:
  std::vector<double> get_lr() override;
  void do_step(std::optional<double> epoch) override;
  void save_fields(Dict& d) const override;
  void load_fields(const Dict& d) override;

 private:
  int64_t T_0_, T_i_, T_mult_;
  double eta_min_;
  double T_cur_;
};

}  // namespace ember::optim
