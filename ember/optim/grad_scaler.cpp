// ember::amp::GradScaler (ember/optim/grad_scaler.h).
#include "ember/optim/grad_scaler.h"

#include "ember/autograd/grad_mode.h"
#include "ember/ops/amp_scale.h"
#include "ember/ops/elementwise.h"
#include "ember/ops/factory.h"

namespace ember::amp {

GradScaler::GradScaler(GradScalerOptions options) : options_(options) {
  if (options_.enabled_) {
    EMBER_CHECK(options_.growth_factor_ > 1.0, "The growth factor must be > 1.0.");
    EMBER_CHECK(options_.backoff_factor_ < 1.0, "The backoff factor must be < 1.0.");
  }
}

GradScaler::GradScaler(double init_scale, double growth_factor, double backoff_factor, int64_t growth_interval,
                       bool enabled)
    : GradScaler(GradScalerOptions()
                     .init_scale(init_scale)
                     .growth_factor(growth_factor)
                     .backoff_factor(backoff_factor)
                     .growth_interval(growth_interval)
                     .enabled(enabled)) {}

void GradScaler::lazy_init(Device device) {
  scale_ = full({1}, options_.init_scale_, TensorOptions(kFloat).device(device));
  growth_tracker_ = full({1}, init_growth_tracker_, TensorOptions(kInt).device(device));
}

void GradScaler::check_scale_growth_tracker(const char* funcname) const {
  EMBER_CHECK(scale_.defined(), "Attempted ", funcname,
              " but _scale is None.  This may indicate your script did not use scaler.scale(loss or outputs) "
              "earlier in the iteration.");
}

Tensor GradScaler::scale(const Tensor& outputs) {
  if (!options_.enabled_) return outputs;
  if (!scale_.defined()) lazy_init(outputs.device());
  return outputs * scale_.to(outputs.device());
}

std::vector<Tensor> GradScaler::scale(const std::vector<Tensor>& outputs) {
  std::vector<Tensor> out;
  out.reserve(outputs.size());
  for (const Tensor& t : outputs) out.push_back(scale(t));
  return out;
}

void GradScaler::unscale_(optim::Optimizer& optimizer) {
  if (!options_.enabled_) return;
  check_scale_growth_tracker("unscale_");
  OptimizerState& st = per_optimizer_[&optimizer];
  EMBER_CHECK(st.stage != Stage::unscaled,
              "unscale_() has already been called on this optimizer since the last update().");
  EMBER_CHECK(st.stage != Stage::stepped, "unscale_() is being called after step().");
  NoGradGuard no_grad;
  // The reciprocal in float64, rounded once to float32, as torch computes it.
  Tensor inv_scale = scale_.to(kDouble).reciprocal().to(kFloat);
  Tensor found_inf = zeros({1}, TensorOptions(kFloat).device(scale_.device()));
  std::vector<Tensor> grads;
  for (auto& group : optimizer.param_groups())
    for (const Tensor& p : group.params()) {
      Tensor g = p.grad();
      if (!g.defined()) continue;
      EMBER_CHECK_VALUE(g.dtype() != kHalf, "Attempting to unscale FP16 gradients.");
      grads.push_back(g);
    }
  _amp_foreach_non_finite_check_and_unscale_(grads, found_inf, inv_scale);
  st.found_inf = found_inf;
  st.stage = Stage::unscaled;
}

Tensor GradScaler::step(optim::Optimizer& optimizer) {
  if (!options_.enabled_) return optimizer.step();
  check_scale_growth_tracker("step");
  OptimizerState& st = per_optimizer_[&optimizer];
  EMBER_CHECK(st.stage != Stage::stepped, "step() has already been called since the last update().");
  if (st.stage == Stage::ready) unscale_(optimizer);
  OptimizerState& ready = per_optimizer_[&optimizer];
  Tensor retval;
  if (ready.found_inf.item<double>() == 0.0) retval = optimizer.step();
  ready.stage = Stage::stepped;
  return retval;
}

void GradScaler::update(std::optional<double> new_scale) {
  if (!options_.enabled_) return;
  check_scale_growth_tracker("update");
  NoGradGuard no_grad;
  if (new_scale) {
    scale_.fill_(*new_scale);
  } else {
    Tensor found_inf;
    for (auto& [opt, st] : per_optimizer_) {
      if (!st.found_inf.defined()) continue;
      found_inf = found_inf.defined() ? found_inf + st.found_inf.to(scale_.device()) : st.found_inf.clone();
    }
    EMBER_CHECK(found_inf.defined(), "No inf checks were recorded prior to update.");
    _amp_update_scale_(scale_, growth_tracker_, found_inf, options_.growth_factor_, options_.backoff_factor_,
                       options_.growth_interval_);
  }
  per_optimizer_.clear();
}

void GradScaler::update(const Tensor& new_scale) {
  if (!options_.enabled_) return;
  check_scale_growth_tracker("update");
  EMBER_CHECK(new_scale.defined() && new_scale.numel() == 1 && new_scale.dtype() == kFloat &&
                  !new_scale.requires_grad(),
              "new_scale should be a float or a 1-element torch.cuda.FloatTensor with requires_grad=False.");
  NoGradGuard no_grad;
  scale_.copy_(new_scale.reshape({1}));
  per_optimizer_.clear();
}

double GradScaler::get_scale() const {
  if (!options_.enabled_) return 1.0;
  return scale_.defined() ? scale_.item<double>() : options_.init_scale_;
}

int64_t GradScaler::get_growth_tracker() const {
  if (!options_.enabled_) return 0;
  return growth_tracker_.defined() ? growth_tracker_.item<int64_t>() : init_growth_tracker_;
}

std::map<std::string, double> GradScaler::state_dict() const {
  if (!options_.enabled_) return {};
  return {{"scale", get_scale()},
          {"growth_factor", options_.growth_factor_},
          {"backoff_factor", options_.backoff_factor_},
          {"growth_interval", static_cast<double>(options_.growth_interval_)},
          {"_growth_tracker", static_cast<double>(get_growth_tracker())}};
}

void GradScaler::load_state_dict(const std::map<std::string, double>& sd) {
  if (!options_.enabled_) return;
  EMBER_CHECK(!sd.empty(),
              "The source state dict is empty, possibly because it was saved from a disabled instance of GradScaler.");
  auto get = [&](const char* key) {
    auto it = sd.find(key);
    EMBER_CHECK(it != sd.end(), "GradScaler.load_state_dict: missing key '", key, "'");
    return it->second;
  };
  options_.init_scale_ = get("scale");
  options_.growth_factor_ = get("growth_factor");
  options_.backoff_factor_ = get("backoff_factor");
  options_.growth_interval_ = static_cast<int64_t>(get("growth_interval"));
  init_growth_tracker_ = static_cast<int64_t>(get("_growth_tracker"));
  NoGradGuard no_grad;
  if (scale_.defined()) scale_.fill_(options_.init_scale_);
  if (growth_tracker_.defined()) growth_tracker_.fill_(init_growth_tracker_);
}

}  // namespace ember::amp
