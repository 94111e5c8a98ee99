#pragma once
// Multiplicative schedules: StepLR, MultiStepLR, ExponentialLR, LinearLR and LambdaLR
// (torch.optim.lr_scheduler's, with the same recursive update so sequences match exactly).
#include <functional>
#include <map>
#include <vector>

#include "ember/optim/schedulers/lr_scheduler.h"

namespace ember::optim {

// lr *= gamma every step_size epochs.
class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, int64_t step_size, double gamma = 0.1, int64_t last_epoch = -1);

 protected:
  std::vector<double> get_lr() override;
  std::optional<std::vector<double>> closed_form_lr() override;
  void save_fields(Dict& d) const override;
  void load_fields(const Dict& d) override;

 private:
  int64_t step_size_;
  double gamma_;
};

// lr *= gamma at each milestone (a milestone listed twice multiplies by gamma^2).
class MultiStepLR : public LRScheduler {
 public:
  MultiStepLR(Optimizer& optimizer, const std::vector<int64_t>& milestones, double gamma = 0.1,
              int64_t last_epoch = -1);

 protected:
  std::vector<double> get_lr() override;
  std::optional<std::vector<double>> closed_form_lr() override;
  void save_fields(Dict& d) const override;
  void load_fields(const Dict& d) override;

 private:
  std::map<int64_t, int64_t> milestones_;  // milestone -> count (Python's Counter)
  double gamma_;
};

// lr *= gamma every epoch.
class ExponentialLR : public LRScheduler {
 public:
  ExponentialLR(Optimizer& optimizer, double gamma, int64_t last_epoch = -1);

 protected:
  std::vector<double> get_lr() override;
  std::optional<std::vector<double>> closed_form_lr() override;
  void save_fields(Dict& d) const override;
  void load_fields(const Dict& d) override;

 private:
  double gamma_;
};

// The lr factor goes linearly from start_factor to end_factor over total_iters epochs.
class LinearLR : public LRScheduler {
 public:
  LinearLR(Optimizer& optimizer, double start_factor = 1.0 / 3, double end_factor = 1.0, int64_t total_iters = 5,
           int64_t last_epoch = -1);

 protected:
  std::vector<double> get_lr() override;
  std::optional<std::vector<double>> closed_form_lr() override;
  void save_fields(Dict& d) const override;
  void load_fields(const Dict& d) override;

 private:
  double start_factor_, end_factor_;
  int64_t total_iters_;
};

// lr = initial_lr * lr_lambda(epoch), one function for all groups or one per group.
class LambdaLR : public LRScheduler {
 public:
  using LrLambda = std::function<double(int64_t)>;
  LambdaLR(Optimizer& optimizer, LrLambda lr_lambda, int64_t last_epoch = -1);
  LambdaLR(Optimizer& optimizer, std::vector<LrLambda> lr_lambdas, int64_t last_epoch = -1);
  // PyTorch's layout, 'lr_lambdas' last (None per group: functions are not saved).
  IValue state_dict() const override;

 protected:
  std::vector<double> get_lr() override;

 private:
  std::vector<LrLambda> lr_lambdas_;
};

}  // namespace ember::optim
