#pragma once
// The 1cycle policy (Smith & Topin): torch.optim.lr_scheduler.OneCycleLR, stepped after
// every batch. The lr goes from max_lr / div_factor up to max_lr and down to
// initial_lr / final_div_factor; with cycle_momentum the momentum (SGD/RMSprop
// 'momentum', or Adam's beta1) cycles inversely between max_momentum and base_momentum.
//
//   OneCycleLR sched(opt, OneCycleLROptions(0.1).total_steps(1000));
//   OneCycleLR sched(opt, OneCycleLROptions({0.1, 0.01}).epochs(10).steps_per_epoch(100));
#include <optional>
#include <string>
#include <vector>

#include "ember/optim/schedulers/lr_scheduler.h"

namespace ember::optim {

struct OneCycleLROptions {
  OneCycleLROptions(double max_lr) : max_lr_({max_lr}) {}
  OneCycleLROptions(std::vector<double> max_lr) : max_lr_(std::move(max_lr)) {}  // one per group
  EMBER_ARG(std::vector<double>, max_lr);
  EMBER_ARG(std::optional<int64_t>, total_steps) = std::nullopt;
  EMBER_ARG(std::optional<int64_t>, epochs) = std::nullopt;
  EMBER_ARG(std::optional<int64_t>, steps_per_epoch) = std::nullopt;
  EMBER_ARG(double, pct_start) = 0.3;
  EMBER_ARG(std::string, anneal_strategy) = "cos";  // "cos" or "linear"
  EMBER_ARG(bool, cycle_momentum) = true;
  EMBER_ARG(std::vector<double>, base_momentum) = {0.85};  // one value, or one per group
  EMBER_ARG(std::vector<double>, max_momentum) = {0.95};
  EMBER_ARG(double, div_factor) = 25.;
  EMBER_ARG(double, final_div_factor) = 1e4;
  EMBER_ARG(bool, three_phase) = false;
  EMBER_ARG(int64_t, last_epoch) = -1;
};

class OneCycleLR : public LRScheduler {
 public:
  OneCycleLR(Optimizer& optimizer, const OneCycleLROptions& options);
  int64_t total_steps() const { return total_steps_; }

 protected:
  std::vector<double> get_lr() override;
  void save_fields(Dict& d) const override;
  void load_fields(const Dict& d) override;

 private:
  struct Phase {
    double end_step;
    const char *start_lr, *end_lr, *start_momentum, *end_momentum;
  };
  double anneal(double start, double end, double pct) const;
  int64_t total_steps_;
  std::vector<Phase> phases_;
  bool cos_;
  bool cycle_momentum_;
  bool use_beta1_ = false;
};

}  // namespace ember::optim
