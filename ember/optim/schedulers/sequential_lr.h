#pragma once
// Runs schedulers one after another, switching at the milestones:
// torch.optim.lr_scheduler.SequentialLR.
//
//   auto warmup = std::make_shared<LinearLR>(opt, 0.1, 1.0, 5);
//   auto decay = std::make_shared<ExponentialLR>(opt, 0.9);
//   SequentialLR sched(opt, {warmup, decay}, {5});
#include <memory>
#include <vector>

#include "ember/optim/schedulers/lr_scheduler.h"

namespace ember::optim {

class SequentialLR : public LRScheduler {
 public:
  SequentialLR(Optimizer& optimizer, std::vector<std::shared_ptr<LRScheduler>> schedulers,
               std::vector<int64_t> milestones, int64_t last_epoch = -1);
  // PyTorch's layout: _milestones, last_epoch, _last_lr, _schedulers (their state dicts).
  IValue state_dict() const override;
  void load_state_dict(const IValue& state_dict) override;

 protected:
  std::vector<double> get_lr() override { return group_lrs(); }
  void do_step(std::optional<double> epoch) override;

 private:
  std::vector<std::shared_ptr<LRScheduler>> schedulers_;
  std::vector<int64_t> milestones_;
};

}  // namespace ember::optim
