#pragma once
// Reduces the lr when a metric stops improving: torch.optim.lr_scheduler.ReduceLROnPlateau
// (LibTorch: ReduceLROnPlateauScheduler). step(metric) once per epoch.
//
//   ReduceLROnPlateau sched(opt, ReduceLROnPlateauOptions().mode("min").patience(3));
//   sched.step(val_loss);
#include <limits>
#include <string>
#include <vector>

#include "ember/optim/optimizer.h"

namespace ember::optim {

struct ReduceLROnPlateauOptions {
  EMBER_ARG(std::string, mode) = "min";  // "min" or "max"
  EMBER_ARG(double, factor) = 0.1;
  EMBER_ARG(int64_t, patience) = 10;
  EMBER_ARG(double, threshold) = 1e-4;
  EMBER_ARG(std::string, threshold_mode) = "rel";  // "rel" or "abs"
  EMBER_ARG(int64_t, cooldown) = 0;
  EMBER_ARG(std::vector<double>, min_lr) = {0.0};  // one value, or one per group
  EMBER_ARG(double, eps) = 1e-8;
};

class ReduceLROnPlateau {
 public:
  explicit ReduceLROnPlateau(Optimizer& optimizer, ReduceLROnPlateauOptions options = {});
  // One epoch's metric; epoch defaults to last_epoch + 1.
  void step(double metric, std::optional<int64_t> epoch = std::nullopt);
  const std::vector<double>& get_last_lr() const { return last_lr_; }
  int64_t last_epoch() const { return last_epoch_; }
  double best() const { return best_; }
  int64_t num_bad_epochs() const { return num_bad_epochs_; }
  bool in_cooldown() const { return cooldown_counter_ > 0; }

  IValue state_dict() const;
  void load_state_dict(const IValue& state_dict);

 private:
  bool is_better(double a, double best) const;
  void init_is_better();
  void reduce_lr();

  Optimizer& optimizer_;
  double factor_;
  std::vector<double> min_lrs_;
  int64_t patience_, cooldown_, cooldown_counter_ = 0;
  std::string mode_, threshold_mode_;
  double threshold_, eps_;
  double best_ = 0, mode_worse_ = std::numeric_limits<double>::infinity();
  int64_t num_bad_epochs_ = 0;
  int64_t last_epoch_ = 0;
  std::vector<double> last_lr_;
};
using ReduceLROnPlateauScheduler = ReduceLROnPlateau;  // LibTorch's name

}  // namespace ember::optim
