#pragma once
// Learning-rate schedulers: the base class (PyTorch's _LRScheduler, LibTorch's
// torch::optim::LRScheduler). A scheduler reads and writes the lr of every parameter group
// of one optimizer, so it works with any optimizer.
//
//   ember::optim::SGD opt(params, 0.1);
//   ember::optim::StepLR sched(opt, /*step_size=*/30, /*gamma=*/0.1);
//   for (int epoch = 0; epoch < 100; ++epoch) { train(opt); sched.step(); }
//
// As in PyTorch, constructing a scheduler with last_epoch == -1 records each group's lr as
// 'initial_lr' (kept in the group, so it appears in the optimizer's state_dict) and
// performs the first step (last_epoch becomes 0). A derived class calls initial_step() at
// the end of its constructor, since the base constructor cannot reach derived get_lr().
#include <optional>
#include <vector>

#include "ember/core/ivalue.h"
#include "ember/optim/optimizer.h"

namespace ember::optim {

class LRScheduler {
 public:
  explicit LRScheduler(Optimizer& optimizer, int64_t last_epoch = -1);
  virtual ~LRScheduler() = default;
  LRScheduler(const LRScheduler&) = delete;
  LRScheduler& operator=(const LRScheduler&) = delete;

  // One step: last_epoch += 1 and the recursive get_lr() form.
  void step() { do_step(std::nullopt); }
  // Jumps to `epoch` (PyTorch's deprecated step(epoch)): the closed form where the
  // scheduler has one.
  void step(double epoch) { do_step(epoch); }

  // The lrs the last step set (per group).
  const std::vector<double>& get_last_lr() const { return last_lr_; }
  int64_t last_epoch() const { return last_epoch_; }
  const std::vector<double>& base_lrs() const { return base_lrs_; }
  Optimizer& optimizer() { return optimizer_; }
  const Optimizer& optimizer() const { return optimizer_; }

  // PyTorch's layout: the scheduler's fields, then base_lrs, last_epoch, verbose,
  // _step_count, _get_lr_called_within_step and _last_lr.
  virtual IValue state_dict() const;
  virtual void load_state_dict(const IValue& state_dict);

 protected:
  // The lrs for last_epoch_ computed from the current ones (PyTorch's get_lr()).
  virtual std::vector<double> get_lr() = 0;
  // The lrs for last_epoch_ from base_lrs (PyTorch's _get_closed_form_lr), if any.
  virtual std::optional<std::vector<double>> closed_form_lr() { return std::nullopt; }
  virtual void do_step(std::optional<double> epoch);
  // The scheduler's own state_dict fields (before the base ones) and their reading back.
  virtual void save_fields(Dict& d) const {}
  virtual void load_fields(const Dict& d) {}
  void initial_step();
  // Current lr of each group.
  std::vector<double> group_lrs() const;
  void set_lrs(const std::vector<double>& lrs);
  // Writes base fields (base_lrs ... _last_lr) into d.
  void save_base_fields(Dict& d) const;
  void load_base_fields(const Dict& d);

  Optimizer& optimizer_;
  int64_t last_epoch_;
  std::vector<double> base_lrs_;
  std::vector<double> last_lr_;
  int64_t step_count_ = 0;

  friend class SequentialLR;
};

namespace detail {
// Reads a list of numbers from a state dict entry.
std::vector<double> double_list(const Dict& d, const char* key);
}  // namespace detail

}  // namespace ember::optim
