#include "ember/optim/schedulers/one_cycle_lr.h"

#include <cmath>

namespace ember::optim {

namespace {
constexpr double kPi = 3.141592653589793;

// PyTorch's _format_param: one value for every group, or exactly one per group.
std::vector<double> per_group(const char* name, const std::vector<double>& v, size_t groups) {
  if (v.size() == 1) return std::vector<double>(groups, v[0]);
  EMBER_CHECK_VALUE(v.size() == groups, "expected ", groups, " values for ", name, ", got ", v.size());
  return v;
}

double beta2_of(const OptimizerOptions& o) { return o.get("betas").toList().at(1).toDouble(); }

// Validates before the base constructor touches the optimizer's groups.
int64_t checked_total_steps(const OneCycleLROptions& o) {
  if (!o.total_steps() && !o.epochs() && !o.steps_per_epoch())
    EMBER_THROW(ValueError, "You must define either total_steps OR (epochs AND steps_per_epoch)");
  if (o.total_steps()) {
    EMBER_CHECK_VALUE(*o.total_steps() > 0, "Expected positive integer total_steps, but got ", *o.total_steps());
    return *o.total_steps();
  }
  EMBER_CHECK_VALUE(o.epochs() && *o.epochs() > 0, "Expected positive integer epochs, but got ",
                    o.epochs() ? std::to_string(*o.epochs()) : "None");
  EMBER_CHECK_VALUE(o.steps_per_epoch() && *o.steps_per_epoch() > 0,
                    "Expected positive integer steps_per_epoch, but got ",
                    o.steps_per_epoch() ? std::to_string(*o.steps_per_epoch()) : "None");
  return *o.epochs() * *o.steps_per_epoch();
}

// Sets initial_lr, max_lr, min_lr and the momentum keys in the groups (PyTorch does this
// before _LRScheduler.__init__, which then finds initial_lr already set).
Optimizer& prepare_groups(Optimizer& optimizer, const OneCycleLROptions& o) {
  checked_total_steps(o);
  EMBER_CHECK_VALUE(o.pct_start() >= 0 && o.pct_start() <= 1, "Expected float between 0 and 1 pct_start, but got ",
                    o.pct_start());
  EMBER_CHECK_VALUE(o.anneal_strategy() == "cos" || o.anneal_strategy() == "linear",
                    "anneal_strategy must by one of 'cos' or 'linear', instead got ", o.anneal_strategy());
  auto& groups = optimizer.param_groups();
  auto max_lrs = per_group("max_lr", o.max_lr(), groups.size());
  if (o.last_epoch() == -1)
    for (size_t i = 0; i < groups.size(); ++i) {
      OptimizerOptions& g = groups[i].options();
      g.set("initial_lr", max_lrs[i] / o.div_factor());
      g.set("max_lr", max_lrs[i]);
      g.set("min_lr", max_lrs[i] / o.div_factor() / o.final_div_factor());
    }
  if (o.cycle_momentum()) {
    const bool has_momentum = optimizer.defaults().contains("momentum");
    const bool use_beta1 = optimizer.defaults().contains("betas");
    EMBER_CHECK_VALUE(has_momentum || use_beta1, "optimizer must support momentum with `cycle_momentum` option enabled");
    auto max_m = per_group("max_momentum", o.max_momentum(), groups.size());
    auto base_m = per_group("base_momentum", o.base_momentum(), groups.size());
    if (o.last_epoch() == -1)
      for (size_t i = 0; i < groups.size(); ++i) {
        OptimizerOptions& g = groups[i].options();
        if (use_beta1) g.set("betas", IValue::tuple({max_m[i], beta2_of(g)}));
        else g.set("momentum", max_m[i]);
        g.set("max_momentum", max_m[i]);
        g.set("base_momentum", base_m[i]);
      }
  }
  return optimizer;
}
}  // namespace

OneCycleLR::OneCycleLR(Optimizer& optimizer, const OneCycleLROptions& o)
    : LRScheduler(prepare_groups(optimizer, o), o.last_epoch()), total_steps_(checked_total_steps(o)),
      cos_(o.anneal_strategy() == "cos"), cycle_momentum_(o.cycle_momentum()) {
  const double total = static_cast<double>(total_steps_), pct = o.pct_start();
  if (o.three_phase()) {
    phases_ = {{pct * total - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"},
               {2 * pct * total - 2, "max_lr", "initial_lr", "base_momentum", "max_momentum"},
               {total - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"}};
  } else {
    phases_ = {{pct * total - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"},
               {total - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"}};
  }
  use_beta1_ = cycle_momentum_ && optimizer.defaults().contains("betas");
  initial_step();
}

double OneCycleLR::anneal(double start, double end, double pct) const {
  if (cos_) {
    const double cos_out = std::cos(kPi * pct) + 1;
    return end + (start - end) / 2.0 * cos_out;
  }
  return (end - start) * pct + start;
}

std::vector<double> OneCycleLR::get_lr() {
  const int64_t step_num = last_epoch_;
  EMBER_CHECK_VALUE(step_num <= total_steps_, "Tried to step ", step_num + 1,
                    " times. The specified number of total steps is ", total_steps_);
  std::vector<double> lrs;
  for (OptimizerParamGroup& group : optimizer_.param_groups()) {
    OptimizerOptions& g = group.options();
    double start_step = 0, computed_lr = 0, computed_momentum = 0;
    for (size_t i = 0; i < phases_.size(); ++i) {
      const Phase& phase = phases_[i];
      if (static_cast<double>(step_num) <= phase.end_step || i == phases_.size() - 1) {
        const double pct = (static_cast<double>(step_num) - start_step) / (phase.end_step - start_step);
        computed_lr = anneal(g.get(phase.start_lr).toDouble(), g.get(phase.end_lr).toDouble(), pct);
        if (cycle_momentum_)
          computed_momentum =
              anneal(g.get(phase.start_momentum).toDouble(), g.get(phase.end_momentum).toDouble(), pct);
        break;
      }
      start_step = phase.end_step;
    }
    lrs.push_back(computed_lr);
    if (cycle_momentum_) {
      if (use_beta1_) g.set("betas", IValue::tuple({computed_momentum, beta2_of(g)}));
      else g.set("momentum", computed_momentum);
    }
  }
  return lrs;
}

void OneCycleLR::save_fields(Dict& d) const {
  d.insert_or_assign("total_steps", total_steps_);
  GenericList phases;
  for (size_t i = 0; i < phases_.size(); ++i) {
    Dict p;
    // The last phase's end_step is an int in PyTorch (total_steps - 1).
    if (i + 1 == phases_.size()) p.insert_or_assign("end_step", static_cast<int64_t>(phases_[i].end_step));
    else p.insert_or_assign("end_step", phases_[i].end_step);
    p.insert_or_assign("start_lr", phases_[i].start_lr);
    p.insert_or_assign("end_lr", phases_[i].end_lr);
    p.insert_or_assign("start_momentum", phases_[i].start_momentum);
    p.insert_or_assign("end_momentum", phases_[i].end_momentum);
    phases.emplace_back(std::move(p));
  }
  d.insert_or_assign("_schedule_phases", IValue(std::move(phases)));
  d.insert_or_assign("anneal_strategy", cos_ ? "cos" : "linear");  // PyTorch stores the bound method
  d.insert_or_assign("cycle_momentum", cycle_momentum_);
  if (cycle_momentum_) d.insert_or_assign("use_beta1", use_beta1_);
}

void OneCycleLR::load_fields(const Dict& d) {
  total_steps_ = d.at("total_steps").toInt();
  const GenericList& phases = d.at("_schedule_phases").toList();
  EMBER_CHECK_VALUE(phases.size() == phases_.size(), "OneCycleLR: the state dict has ", phases.size(),
                    " phases, this scheduler ", phases_.size());
  for (size_t i = 0; i < phases.size(); ++i) phases_[i].end_step = phases[i].toDict().at("end_step").toDouble();
  if (const IValue* a = d.find("anneal_strategy"); a && a->isString()) cos_ = a->toStringRef() == "cos";
  cycle_momentum_ = d.at("cycle_momentum").toBool();
  if (const IValue* u = d.find("use_beta1")) use_beta1_ = u->toBool();
}

}  // namespace ember::optim
