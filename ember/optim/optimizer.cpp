#include "ember/optim/optimizer.h"

#include <unordered_set>

#include "ember/autograd/grad_mode.h"
#include "ember/ops/factory.h"

namespace ember::optim {

// ---- OptimizerOptions -----------------------------------------------------------------
Dict OptimizerOptions::as_dict() const {
  Dict d;
  to_dict(d);
  for (const auto& [k, v] : extras_) d.insert_or_assign(k, v);
  return d;
}

bool OptimizerOptions::contains(const std::string& key) const { return as_dict().contains(key); }

IValue OptimizerOptions::get(const std::string& key) const {
  Dict d = as_dict();
  const IValue* v = d.find(key);
  EMBER_CHECK_INDEX(v, "KeyError: '", key, "'");
  return *v;
}

void OptimizerOptions::set(const std::string& key, const IValue& value) {
  if (set_field(key, value)) return;
  extras_.insert_or_assign(key, value);
}

// ---- OptimizerParamGroup --------------------------------------------------------------
OptimizerOptions& OptimizerParamGroup::options() {
  EMBER_CHECK(options_, "parameter group has no options");
  return *options_;
}
const OptimizerOptions& OptimizerParamGroup::options() const {
  EMBER_CHECK(options_, "parameter group has no options");
  return *options_;
}

// ---- Optimizer ------------------------------------------------------------------------
Optimizer::Optimizer(std::vector<OptimizerParamGroup> param_groups, std::unique_ptr<OptimizerOptions> defaults)
    : defaults_(std::move(defaults)) {
  // (PyTorch accepts [{'params': []}]; ember's vector<Tensor> constructors make exactly
  // that of an empty list, so no parameters at all is the error.)
  size_t total = 0;
  for (const OptimizerParamGroup& g : param_groups) total += g.params().size();
  EMBER_CHECK_VALUE(total > 0, "optimizer got an empty parameter list");
  for (const OptimizerParamGroup& g : param_groups) add_param_group(g);
}

void Optimizer::add_param_group(const OptimizerParamGroup& param_group) {
  OptimizerParamGroup group(param_group.params());
  for (const Tensor& p : group.params()) {
    EMBER_CHECK_TYPE(p.defined(), "optimizer can only optimize Tensors, but one of the params is undefined");
    EMBER_CHECK_VALUE(p.is_leaf() || p.retains_grad(), "can't optimize a non-leaf Tensor");
  }
  std::unordered_set<TensorImpl*> seen;
  for (const OptimizerParamGroup& g : param_groups())
    for (const Tensor& p : g.params()) seen.insert(p.unsafeGetTensorImpl());
  for (const Tensor& p : group.params())
    EMBER_CHECK_VALUE(!seen.count(p.unsafeGetTensorImpl()), "some parameters appear in more than one parameter group");
  group.set_options(param_group.has_options() ? param_group.options().clone() : defaults_->clone());
  param_groups().push_back(std::move(group));
}

void Optimizer::zero_grad(bool set_to_none) {
  for (OptimizerParamGroup& g : param_groups())
    for (Tensor& p : g.params()) {
      Tensor& grad = p.mutable_grad();
      if (!grad.defined()) continue;
      if (set_to_none) {
        grad.reset();
      } else {
        // As PyTorch: a gradient with history is detached, then zeroed in place.
        if (grad.grad_fn()) grad.detach_();
        else grad.requires_grad_(false);
        grad.zero_();
      }
    }
}

const std::vector<Tensor>& Optimizer::parameters() const noexcept { return param_groups().at(0).params(); }
std::vector<Tensor>& Optimizer::parameters() noexcept { return param_groups().at(0).params(); }

size_t Optimizer::size() const noexcept {
  size_t n = 0;
  for (const OptimizerParamGroup& g : param_groups()) n += g.params().size();
  return n;
}

OptimizerParamState* Optimizer::find_state(const Tensor& p) const {
  auto it = state_.find(p.unsafeGetTensorImpl());
  return it == state_.end() ? nullptr : it->second.get();
}

Tensor Optimizer::run_closure(const LossClosure& closure) {
  if (!closure) return Tensor();
  AutoGradMode enable(true);
  return closure();
}

IValue Optimizer::state_dict() const {
  std::unordered_map<TensorImpl*, int64_t> index;
  GenericList groups;
  std::vector<const Tensor*> ordered;
  int64_t next = 0;
  for (const OptimizerParamGroup& g : param_groups()) {
    Dict packed = g.options().as_dict();
    std::vector<int64_t> ids;
    for (const Tensor& p : g.params()) {
      auto [it, inserted] = index.emplace(p.unsafeGetTensorImpl(), next);
      if (inserted) {
        ordered.push_back(&p);
        ++next;
      }
      ids.push_back(it->second);
    }
    packed.insert_or_assign("params", IValue(ids));
    groups.emplace_back(std::move(packed));
  }
  Dict state;
  for (size_t i = 0; i < ordered.size(); ++i) {
    const OptimizerParamState* s = find_state(*ordered[i]);
    if (!s) continue;
    Dict entry;
    s->to_dict(entry);
    state.insert_or_assign(static_cast<int64_t>(i), IValue(std::move(entry)));
  }
  Dict out;
  out.insert_or_assign("state", IValue(std::move(state)));
  out.insert_or_assign("param_groups", IValue(std::move(groups)));
  return IValue(std::move(out));
}

namespace {
// Deep copy of a state value, floating tensors cast to the parameter's dtype (not 'step',
// pytorch/pytorch#74424).
IValue cast_state(const Tensor& param, const IValue& v, const std::string& key) {
  if (v.isTensor()) {
    Tensor t = v.toTensor();
    if (!t.defined()) return v;
    t = t.detach().clone();
    if (key != "step" && param.is_floating_point() && t.is_floating_point() && t.dtype() != param.dtype())
      t = t.to(param.dtype());
    return IValue(t);
  }
  if (v.isDict()) {
    Dict d;
    for (const auto& [k, x] : v.toDict()) d.insert_or_assign(k, cast_state(param, x, k.isString() ? k.toStringRef() : ""));
    return IValue(std::move(d));
  }
  if (v.isList() || v.isTuple()) {
    GenericList items;
    for (const IValue& x : v.toList()) items.push_back(cast_state(param, x, ""));
    return v.isTuple() ? IValue::tuple(std::move(items)) : IValue(std::move(items));
  }
  return v;
}
}  // namespace

void Optimizer::load_state_dict(const IValue& state_dict) {
  EMBER_CHECK_VALUE(state_dict.isDict(), "optimizer state dict must be a dict, but got ", state_dict.type_name());
  const Dict& sd = state_dict.toDict();
  const GenericList& saved_groups = sd.at("param_groups").toList();
  auto& groups = param_groups();
  EMBER_CHECK_VALUE(groups.size() == saved_groups.size(),
                    "loaded state dict has a different number of parameter groups");
  for (size_t i = 0; i < groups.size(); ++i)
    EMBER_CHECK_VALUE(groups[i].params().size() == saved_groups[i].toDict().at("params").toList().size(),
                      "loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
  // Saved index -> parameter, zipping the saved groups' lists with ours.
  std::vector<std::pair<int64_t, const Tensor*>> id_map;
  for (size_t i = 0; i < groups.size(); ++i) {
    std::vector<int64_t> ids = saved_groups[i].toDict().at("params").toIntVector();
    for (size_t j = 0; j < ids.size(); ++j) id_map.emplace_back(ids[j], &groups[i].params()[j]);
  }
  // Build everything first so a malformed dict leaves the optimizer unchanged.
  OptimizerState new_state;
  for (const auto& [k, v] : sd.at("state").toDict()) {
    const Tensor* param = nullptr;
    if (k.isInt())
      for (const auto& [id, p] : id_map)
        if (id == k.toInt()) param = p;
    if (!param) continue;  // PyTorch keeps such entries keyed as saved; they name no parameter here
    auto s = make_param_state();
    s->from_dict(cast_state(*param, v, "").toDict());
    new_state[param->unsafeGetTensorImpl()] = std::move(s);
  }
  std::vector<std::unique_ptr<OptimizerOptions>> new_options;
  for (size_t i = 0; i < groups.size(); ++i) {
    auto opts = groups[i].options().clone();
    opts->extras().clear();
    for (const auto& [k, v] : saved_groups[i].toDict()) {
      EMBER_CHECK_VALUE(k.isString(), "param_groups keys must be strings, but got ", k.type_name());
      if (k.toStringRef() != "params") opts->set(k.toStringRef(), v.deepcopy());
    }
    new_options.push_back(std::move(opts));
  }
  state_ = std::move(new_state);
  for (size_t i = 0; i < groups.size(); ++i) groups[i].set_options(std::move(new_options[i]));
}

namespace detail {
double ivalue_to_double(const IValue& v, const char* key) {
  EMBER_CHECK_TYPE(v.isNumber(), "optimizer option '", key, "' must be a number, but got ", v.type_name());
  return v.toDouble();
}
bool ivalue_to_bool(const IValue& v, const char* key) {
  EMBER_CHECK_TYPE(v.isBool(), "optimizer option '", key, "' must be a bool, but got ", v.type_name());
  return v.toBool();
}
int64_t ivalue_to_int(const IValue& v, const char* key) {
  EMBER_CHECK_TYPE(v.isInt(), "optimizer option '", key, "' must be an int, but got ", v.type_name());
  return v.toInt();
}
Tensor state_tensor(const Dict& d, const char* key) {
  const IValue& v = d.at(key);
  EMBER_CHECK_TYPE(v.isTensor(), "optimizer state '", key, "' must be a Tensor, but got ", v.type_name());
  return v.toTensor();
}
int64_t state_step(const Dict& d, const char* key) {
  const IValue& v = d.at(key);
  if (v.isTensor()) return static_cast<int64_t>(v.toTensor().item<double>());
  EMBER_CHECK_TYPE(v.isNumber(), "optimizer state '", key, "' must be a number or a Tensor, but got ", v.type_name());
  return static_cast<int64_t>(v.toDouble());
}
Tensor step_tensor(int64_t step) { return scalar_tensor(static_cast<double>(step), TensorOptions(kFloat32)); }
}  // namespace detail

}  // namespace ember::optim
