#pragma once
// Dynamic loss scaling for mixed-precision training: torch.cuda.amp.GradScaler in C++.
//
//   ember::amp::GradScaler scaler;                        // init_scale 2^16, growth 2, backoff 0.5, interval 2000
//   for (auto& batch : loader) {
//     opt.zero_grad();
//     ember::Tensor loss;
//     { ember::autocast::AutocastGuard guard(ember::kCPU); loss = loss_fn(model->forward(batch.data), batch.target); }
//     scaler.scale(loss).backward();                      // gradients of loss * scale
//     scaler.step(opt);                                   // unscales; skips the step on inf/NaN gradients
//     scaler.update();                                    // backs off after inf/NaN, grows after 2000 clean steps
//   }
//
// The bookkeeping is PyTorch 1.13's (per-optimizer stages: unscale_ at most once per step,
// step at most once per update; the same error texts); the arithmetic is the two primitives
// of ember/ops/amp_scale.h. Deliberate difference: torch 1.13's scaler disables itself where
// CUDA is not available; this one scales on the device of the loss, the CPU included.
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ember/core/tensor.h"
#include "ember/optim/optimizer.h"

namespace ember::amp {

struct GradScalerOptions {
  GradScalerOptions& init_scale(double v) { init_scale_ = v; return *this; }
  GradScalerOptions& growth_factor(double v) { growth_factor_ = v; return *this; }
  GradScalerOptions& backoff_factor(double v) { backoff_factor_ = v; return *this; }
  GradScalerOptions& growth_interval(int64_t v) { growth_interval_ = v; return *this; }
  GradScalerOptions& enabled(bool v) { enabled_ = v; return *this; }
  double init_scale_ = 65536.0;
  double growth_factor_ = 2.0;
  double backoff_factor_ = 0.5;
  int64_t growth_interval_ = 2000;
  bool enabled_ = true;
};

class GradScaler {
 public:
  explicit GradScaler(GradScalerOptions options = {});
  GradScaler(double init_scale, double growth_factor = 2.0, double backoff_factor = 0.5,
             int64_t growth_interval = 2000, bool enabled = true);

  // outputs * scale (the outputs themselves when disabled). The scale tensor is made on the
  // device of the first output scaled.
  Tensor scale(const Tensor& outputs);
  std::vector<Tensor> scale(const std::vector<Tensor>& outputs);

  // Divides the optimizer's gradients by the scale, in place, at most once between updates,
  // and records whether any is inf or NaN.
  void unscale_(optim::Optimizer& optimizer);
  // Unscales (unless unscale_ did) and runs optimizer.step() unless a gradient is inf/NaN.
  // Returns what step() returned; an undefined tensor when the step was skipped.
  Tensor step(optim::Optimizer& optimizer);
  // Updates the scale from the steps since the last update (torch's _amp_update_scale_), or
  // sets it to new_scale.
  void update(std::optional<double> new_scale = std::nullopt);
  void update(const Tensor& new_scale);

  double get_scale() const;
  double get_growth_factor() const { return options_.growth_factor_; }
  void set_growth_factor(double v) { options_.growth_factor_ = v; }
  double get_backoff_factor() const { return options_.backoff_factor_; }
  void set_backoff_factor(double v) { options_.backoff_factor_ = v; }
  int64_t get_growth_interval() const { return options_.growth_interval_; }
  void set_growth_interval(int64_t v) { options_.growth_interval_ = v; }
  int64_t get_growth_tracker() const;  // torch's _get_growth_tracker()
  bool is_enabled() const { return options_.enabled_; }

  // torch's keys: scale, growth_factor, backoff_factor, growth_interval, _growth_tracker
  // (empty when disabled).
  std::map<std::string, double> state_dict() const;
  void load_state_dict(const std::map<std::string, double>& state_dict);

 private:
  enum class Stage { ready, unscaled, stepped };
  struct OptimizerState {
    Stage stage = Stage::ready;
    Tensor found_inf;  // undefined until unscale_
  };
  void check_scale_growth_tracker(const char* funcname) const;
  void lazy_init(Device device);

  GradScalerOptions options_;
  int64_t init_growth_tracker_ = 0;
  Tensor scale_;           // float32 [1], made lazily
  Tensor growth_tracker_;  // int32 [1]
  std::unordered_map<const optim::Optimizer*, OptimizerState> per_optimizer_;
};

}  // namespace ember::amp
