#include <sstream>

#include "ember/nn/modules/container/module_list.h"
#include "ember/nn/modules/container/sequential.h"

namespace ember::nn {

namespace {
int64_t wrap_index(int64_t index, size_t size, const char* what) {
  int64_t n = static_cast<int64_t>(size);
  EMBER_CHECK_INDEX(index >= -n && index < n, "index ", index, " is out of range for ", what, " of size ", n);
  return index < 0 ? index + n : index;
}
}  // namespace

// ---- AnyModule -------------------------------------------------------------------------

std::vector<AnyValue> AnyModule::with_defaults(const Module& module, const std::vector<AnyValue>& inputs,
                                               size_t arity, std::vector<std::pair<unsigned int, AnyValue>> defaults) {
  // The listed positions must be forward()'s last ones, in order.
  EMBER_CHECK(!defaults.empty() && defaults.size() <= arity, module.python_name(),
              "'s EMBER_FORWARD_HAS_DEFAULT_ARGS lists ", defaults.size(), " default(s) for a forward() of ", arity,
              " argument(s)");
  const size_t required = arity - defaults.size();
  for (size_t k = 0; k < defaults.size(); ++k) {
    EMBER_CHECK(defaults[k].first == required + k, module.python_name(),
                "'s EMBER_FORWARD_HAS_DEFAULT_ARGS must list the positions of forward()'s last ", defaults.size(),
                " argument(s) in order (", required, " to ", arity - 1, "), but its entry ", k, " is position ",
                defaults[k].first);
  }
  EMBER_CHECK(inputs.size() >= required && inputs.size() <= arity, module.python_name(),
              "'s forward() method expects at least ", required, " argument(s) and at most ", arity,
              " argument(s), but received ", inputs.size(), ".");
  std::vector<AnyValue> filled = inputs;
  filled.reserve(arity);
  for (size_t position = inputs.size(); position < arity; ++position) {
    filled.push_back(std::move(defaults[position - required].second));
  }
  return filled;
}

std::string AnyModule::missing_defaults_hint(const std::string& module_name) {
  return " If " + module_name +
         "'s forward() method has default arguments, please make sure the forward() method is declared with a "
         "corresponding `FORWARD_HAS_DEFAULT_ARGS` macro (EMBER_FORWARD_HAS_DEFAULT_ARGS).";
}

// ---- Sequential ------------------------------------------------------------------------

AnyValue SequentialImpl::any_forward(std::vector<AnyValue>& inputs) {
  EMBER_CHECK(!modules_.empty(), "Cannot call forward() on an empty Sequential");
  AnyValue value = modules_.front().any_forward_values(inputs);
  for (size_t i = 1; i < modules_.size(); ++i) {
    std::vector<AnyValue> single{std::move(value)};
    value = modules_[i].any_forward_values(single);
  }
  return value;
}

int64_t SequentialImpl::wrap(int64_t index) const { return wrap_index(index, modules_.size(), "Sequential"); }

std::shared_ptr<Module> SequentialImpl::ptr(int64_t index) const {
  return modules_[static_cast<size_t>(wrap(index))].ptr();
}

std::shared_ptr<Module> SequentialImpl::clone(const std::optional<Device>& device) const {
  auto copy = std::make_shared<SequentialImpl>();
  auto names = children_.keys();
  for (size_t i = 0; i < modules_.size(); ++i) copy->push_back(names[i], modules_[i].clone(device));
  copy->train(is_training());
  for (size_t i = 0; i < modules_.size(); ++i) copy->modules_[i].ptr()->train(modules_[i].ptr()->is_training());
  return copy;
}

// ---- ModuleList ------------------------------------------------------------------------

void ModuleListImpl::push_back(std::shared_ptr<Module> module) {
  register_module(std::to_string(modules_.size()), module);
  modules_.push_back(std::move(module));
}

void ModuleListImpl::insert(int64_t index, std::shared_ptr<Module> module) {
  int64_t n = static_cast<int64_t>(modules_.size());
  EMBER_CHECK_INDEX(index >= -n && index <= n, "index ", index, " is out of range for ModuleList of size ", n);
  if (index < 0) index += n;
  modules_.insert(modules_.begin() + index, std::move(module));
  renumber();
}

void ModuleListImpl::renumber() {
  children_.clear();
  for (size_t i = 0; i < modules_.size(); ++i) register_module(std::to_string(i), modules_[i]);
}

std::shared_ptr<Module> ModuleListImpl::ptr(int64_t index) const {
  return modules_[static_cast<size_t>(wrap_index(index, modules_.size(), "ModuleList"))];
}

std::shared_ptr<Module> ModuleListImpl::clone(const std::optional<Device>& device) const {
  auto copy = std::make_shared<ModuleListImpl>();
  for (const auto& m : modules_) copy->push_back(m->clone(device));
  copy->train(is_training());
  for (size_t i = 0; i < modules_.size(); ++i) copy->modules_[i]->train(modules_[i]->is_training());
  return copy;
}

// ---- ModuleDict ------------------------------------------------------------------------

void ModuleDictImpl::insert(const std::string& key, std::shared_ptr<Module> module) {
  if (children_.contains(key)) replace_module(key, std::move(module));
  else register_module(key, std::move(module));
}

std::shared_ptr<Module> ModuleDictImpl::pop(const std::string& key) {
  EMBER_CHECK_INDEX(children_.contains(key), "Key '", key, "' is not in the ModuleDict");
  return children_.pop(key);
}

void ModuleDictImpl::clear() { children_.clear(); }

std::shared_ptr<Module> ModuleDictImpl::operator[](const std::string& key) const {
  const auto* m = children_.find(key);
  EMBER_CHECK_INDEX(m, "Key '", key, "' is not in the ModuleDict");
  return *m;
}

std::shared_ptr<Module> ModuleDictImpl::clone(const std::optional<Device>& device) const {
  auto copy = std::make_shared<ModuleDictImpl>();
  for (const auto& item : children_) copy->insert(item.key(), item.value()->clone(device));
  copy->train(is_training());
  return copy;
}

// ---- ParameterList / ParameterDict ------------------------------------------------------

void ParameterListImpl::append(const Tensor& param) {
  register_parameter(std::to_string(parameters_.size()), param, param.defined() && param.is_floating_point());
}

Tensor& ParameterListImpl::operator[](int64_t index) {
  return parameters_[static_cast<size_t>(wrap_index(index, parameters_.size(), "ParameterList"))].value();
}

namespace {
// "(0): Parameter containing: [torch.float32 of size 3x4]", as PyTorch prints containers.
std::string parameter_line(const std::string& key, const Tensor& t) {
  std::ostringstream os;
  os << "(" << key << "): Parameter containing: [torch." << dtype_name(t.dtype()) << " of size ";
  for (int64_t d = 0; d < t.dim(); ++d) os << (d ? "x" : "") << t.size(d);
  os << "]";
  return os.str();
}
}  // namespace

std::string ParameterListImpl::extra_repr() const {
  std::string out;
  for (const auto& item : parameters_) {
    if (!out.empty()) out += '\n';
    out += parameter_line(item.key(), item.value());
  }
  return out;
}

void ParameterDictImpl::insert(const std::string& key, const Tensor& param) {
  if (parameters_.contains(key)) {
    parameters_[key] = param;
    if (param.defined() && param.is_floating_point()) parameters_[key].set_requires_grad(true);
  } else {
    register_parameter(key, param, param.defined() && param.is_floating_point());
  }
}

std::string ParameterDictImpl::extra_repr() const {
  std::string out;
  for (const auto& item : parameters_) {
    if (!out.empty()) out += '\n';
    out += parameter_line(item.key(), item.value());
  }
  return out;
}

}  // namespace ember::nn
