#include "ember/nn/module.h"

#include <cxxabi.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <typeinfo>
#include <unordered_set>

#include "ember/autograd/grad_mode.h"
#include "ember/core/generator.h"
#include "ember/ops/print.h"

namespace ember::nn {

namespace {

std::string demangle(const char* mangled) {
  int status = 0;
  char* out = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
  std::string s = (status == 0 && out) ? out : mangled;
  std::free(out);
  return s;
}

std::string join_name(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

// torch.Size([3, 4]) as PyTorch prints shapes in load_state_dict errors.
std::string torch_size(IntArrayRef sizes) {
  std::ostringstream os;
  os << "torch.Size([";
  for (size_t i = 0; i < sizes.size(); ++i) os << (i ? ", " : "") << sizes[i];
  os << "])";
  return os.str();
}

// PyTorch's _addindent: every line after the first indented by `spaces`.
std::string add_indent(const std::string& s, int spaces) {
  std::string out;
  std::string pad(static_cast<size_t>(spaces), ' ');
  for (char c : s) {
    out += c;
    if (c == '\n') out += pad;
  }
  return out;
}

}  // namespace

void HookHandle::remove() {
  if (auto owner = owner_.lock()) {
    if (remover_) remover_();
  }
  remover_ = nullptr;
}

Module::Module() = default;
Module::Module(std::string name) : name_(std::move(name)) {}

const std::string& Module::name() const {
  // RTTI of the most derived type is only usable after construction, hence lazily.
  if (!name_) name_ = demangle(typeid(*this).name());
  return *name_;
}

std::string Module::python_name() const {
  std::string n = name();
  if (auto angle = n.find('<'); angle != std::string::npos) n = n.substr(0, angle);
  if (auto colon = n.rfind("::"); colon != std::string::npos) n = n.substr(colon + 2);
  if (n.size() > 4 && n.compare(n.size() - 4, 4, "Impl") == 0) n.resize(n.size() - 4);
  return n;
}

std::string demangled_type_name(const std::type_info& info) { return demangle(info.name()); }

// ---- registration ----------------------------------------------------------------------

void Module::check_name(const std::string& name, const char* kind) const {
  EMBER_CHECK(!name.empty(), kind, " name can't be empty string \"\" (in module ", python_name(), ")");
  EMBER_CHECK(name.find('.') == std::string::npos, kind, " name can't contain \".\", got: ", name, " (in module ",
              python_name(), ")");
}

Tensor& Module::register_parameter(std::string name, Tensor tensor, bool requires_grad) {
  check_name(name, "parameter");
  EMBER_CHECK(!buffers_.contains(name) && !children_.contains(name), "attribute '", name,
              "' already exists in module ", python_name());
  if (tensor.defined()) tensor.set_requires_grad(requires_grad);
  return parameters_.insert(std::move(name), std::move(tensor));
}

Tensor& Module::register_buffer(std::string name, Tensor tensor, bool persistent) {
  check_name(name, "buffer");
  EMBER_CHECK(!parameters_.contains(name) && !children_.contains(name), "attribute '", name,
              "' already exists in module ", python_name());
  if (!persistent) non_persistent_buffers_.push_back(name);
  return buffers_.insert(std::move(name), std::move(tensor));
}

void Module::register_child(std::string name, std::shared_ptr<Module> module) {
  check_name(name, "module");
  EMBER_CHECK(module, "register_module: submodule '", name, "' of ", python_name(), " is empty (nullptr)");
  EMBER_CHECK(!parameters_.contains(name) && !buffers_.contains(name), "attribute '", name,
              "' already exists in module ", python_name());
  children_.insert(std::move(name), std::move(module));
}

void Module::replace_child(const std::string& name, std::shared_ptr<Module> module) {
  EMBER_CHECK(children_.contains(name), "Submodule '", name, "' is not defined in ", python_name());
  EMBER_CHECK(module, "replace_module: submodule '", name, "' is empty (nullptr)");
  children_[name] = std::move(module);
}

void Module::unregister_module(const std::string& name) {
  EMBER_CHECK(children_.contains(name), "No Module with name `", name, "` is registered");
  children_.erase(name);
}

// ---- traversal -------------------------------------------------------------------------

StateDict Module::named_parameters(bool recurse) const {
  StateDict out("Parameter");
  std::unordered_set<const TensorImpl*> seen;
  auto add = [&](const std::string& prefix, const Module& m) {
    for (const auto& item : m.parameters_) {
      const Tensor& t = item.value();
      if (!t.defined() || !seen.insert(t.unsafeGetTensorImpl()).second) continue;
      out.insert(join_name(prefix, item.key()), t);
    }
  };
  if (!recurse) {
    add("", *this);
    return out;
  }
  add("", *this);
  for (const auto& item : named_modules("", /*include_self=*/false)) add(item.key(), *item.value());
  return out;
}

std::vector<Tensor> Module::parameters(bool recurse) const { return named_parameters(recurse).values(); }

StateDict Module::named_buffers(bool recurse) const {
  StateDict out("Buffer");
  std::unordered_set<const TensorImpl*> seen;
  auto add = [&](const std::string& prefix, const Module& m) {
    for (const auto& item : m.buffers_) {
      const Tensor& t = item.value();
      if (!t.defined() || !seen.insert(t.unsafeGetTensorImpl()).second) continue;
      out.insert(join_name(prefix, item.key()), t);
    }
  };
  if (!recurse) {
    add("", *this);
    return out;
  }
  add("", *this);
  for (const auto& item : named_modules("", false)) add(item.key(), *item.value());
  return out;
}

std::vector<Tensor> Module::buffers(bool recurse) const { return named_buffers(recurse).values(); }

std::vector<std::shared_ptr<Module>> Module::children() const { return children_.values(); }

OrderedDict<std::string, std::shared_ptr<Module>> Module::named_children() const { return children_; }

void Module::collect_named_modules(const std::string& prefix, OrderedDict<std::string, std::shared_ptr<Module>>& out,
                                   std::vector<const Module*>& seen) const {
  for (const auto& item : children_) {
    const Module* child = item.value().get();
    bool dup = false;
    for (const Module* s : seen) dup = dup || s == child;
    if (dup) continue;
    seen.push_back(child);
    std::string name = join_name(prefix, item.key());
    out.insert(name, item.value());
    child->collect_named_modules(name, out, seen);
  }
}

OrderedDict<std::string, std::shared_ptr<Module>> Module::named_modules(const std::string& prefix,
                                                                        bool include_self) const {
  OrderedDict<std::string, std::shared_ptr<Module>> out("Module");
  std::vector<const Module*> seen{this};
  if (include_self) {
    std::shared_ptr<const Module> self = weak_from_this().lock();
    EMBER_CHECK(self,
                "It looks like you attempted to retrieve your top-level module as a shared_ptr, but it is not "
                "stored in a shared_ptr. Use std::make_shared<", python_name(),
                ">() or a module holder instead, or call this with include_self = false.");
    out.insert(prefix, std::const_pointer_cast<Module>(self));
  }
  collect_named_modules(prefix, out, seen);
  return out;
}

std::vector<std::shared_ptr<Module>> Module::modules(bool include_self) const {
  return named_modules("", include_self).values();
}

void Module::apply(const std::function<void(Module&)>& fn) {
  fn(*this);
  for (auto& item : children_) item.value()->apply(fn);
}

void Module::apply(const std::function<void(const std::string&, Module&)>& fn, const std::string& prefix) {
  fn(prefix, *this);
  for (auto& item : children_) item.value()->apply(fn, join_name(prefix, item.key()));
}

// ---- mode, device, dtype, gradients ----------------------------------------------------

void Module::train(bool on) {
  is_training_ = on;
  for (auto& item : children_) item.value()->train(on);
}

void Module::convert(const std::function<Tensor(const Tensor&)>& fn) {
  NoGradGuard no_grad;
  auto apply_to = [&](Tensor& t) {
    if (!t.defined()) return;
    Tensor converted = fn(t);
    if (!converted.is_same(t)) t.set_data(converted);
    if (t.grad().defined()) {
      Tensor g = fn(t.grad());
      if (!g.is_same(t.grad())) t.mutable_grad() = g;
    }
  };
  for (auto& item : parameters_) apply_to(item.value());
  for (auto& item : buffers_) apply_to(item.value());
  for (auto& item : children_) item.value()->convert(fn);
}

void Module::to(ScalarType dtype, bool non_blocking) {
  convert([&](const Tensor& t) { return t.is_floating_point() ? t.to(dtype, non_blocking) : t; });
}

void Module::to(Device device, bool non_blocking) {
  convert([&](const Tensor& t) { return t.to(device, std::nullopt, non_blocking); });
}

void Module::to(Device device, ScalarType dtype, bool non_blocking) {
  convert([&](const Tensor& t) {
    return t.to(device, t.is_floating_point() ? std::optional<ScalarType>(dtype) : std::nullopt, non_blocking);
  });
}

void Module::zero_grad(bool set_to_none) {
  for (Tensor& p : parameters()) {
    Tensor& g = p.mutable_grad();
    if (!g.defined()) continue;
    if (set_to_none) {
      g = Tensor();
    } else {
      if (g.grad_fn()) g = g.detach();
      else g.requires_grad_(false);
      g.zero_();
    }
  }
}

Module& Module::requires_grad_(bool requires_grad) {
  for (Tensor& p : parameters()) p.requires_grad_(requires_grad);
  return *this;
}

// ---- state -----------------------------------------------------------------------------

StateDict Module::state_dict() const {
  StateDict out("Key");
  // PyTorch's order: each module's own parameters, then its buffers, then its children.
  std::function<void(const Module&, const std::string&)> visit = [&](const Module& m, const std::string& prefix) {
    for (const auto& item : m.parameters_)
      if (item.value().defined()) out.update(join_name(prefix, item.key()), item.value().detach());
    for (const auto& item : m.buffers_) {
      bool persistent = true;
      for (const auto& n : m.non_persistent_buffers_) persistent = persistent && n != item.key();
      if (persistent && item.value().defined()) out.update(join_name(prefix, item.key()), item.value().detach());
    }
    for (const auto& item : m.children_) visit(*item.value(), join_name(prefix, item.key()));
  };
  visit(*this, "");
  return out;
}

LoadStateDictResult Module::load_state_dict(const StateDict& state_dict, bool strict) {
  // Targets are the live tensors (not the detached copies state_dict() returns).
  std::vector<std::pair<std::string, Tensor>> targets;
  std::function<void(Module&, const std::string&)> visit = [&](Module& m, const std::string& prefix) {
    for (auto& item : m.parameters_)
      if (item.value().defined()) targets.emplace_back(join_name(prefix, item.key()), item.value());
    for (auto& item : m.buffers_) {
      bool persistent = true;
      for (const auto& n : m.non_persistent_buffers_) persistent = persistent && n != item.key();
      if (persistent && item.value().defined()) targets.emplace_back(join_name(prefix, item.key()), item.value());
    }
    for (auto& item : m.children_) visit(*item.value(), join_name(prefix, item.key()));
  };
  visit(*this, "");

  LoadStateDictResult result;
  std::vector<std::string> errors;
  std::unordered_set<std::string> expected;
  for (const auto& [key, target] : targets) {
    expected.insert(key);
    const Tensor* source = state_dict.find(key);
    if (!source) {
      result.missing_keys.push_back(key);
      continue;
    }
    EMBER_CHECK(source->defined(), "load_state_dict: entry '", key, "' is an undefined tensor");
    if (source->sizes() != target.sizes()) {
      errors.push_back("size mismatch for " + key + ": copying a param with shape " + torch_size(source->sizes()) +
                       " from checkpoint, the shape in current model is " + torch_size(target.sizes()) + ".");
    }
  }
  for (const auto& item : state_dict)
    if (!expected.count(item.key())) result.unexpected_keys.push_back(item.key());

  auto quoted = [](const std::vector<std::string>& keys) {
    std::string s;
    for (size_t i = 0; i < keys.size(); ++i) s += (i ? ", \"" : "\"") + keys[i] + "\"";
    return s;
  };
  if (strict && !result.unexpected_keys.empty())
    errors.insert(errors.begin(), "Unexpected key(s) in state_dict: " + quoted(result.unexpected_keys) + ". ");
  if (strict && !result.missing_keys.empty())
    errors.insert(errors.begin(), "Missing key(s) in state_dict: " + quoted(result.missing_keys) + ". ");
  if (!errors.empty()) {
    std::string msg = "Error(s) in loading state_dict for " + python_name() + ":";
    for (const auto& e : errors) msg += "\n\t" + e;
    EMBER_THROW(Error, msg);
  }

  NoGradGuard no_grad;
  for (auto& [key, target] : targets)
    if (const Tensor* source = state_dict.find(key)) target.copy_(*source);
  return result;
}

// ---- clone -----------------------------------------------------------------------------

void Module::copy_state_from(const Module& source, const std::optional<Device>& device) {
  StateDict mine_p = named_parameters(), theirs_p = source.named_parameters();
  StateDict mine_b = named_buffers(), theirs_b = source.named_buffers();
  EMBER_CHECK(mine_p.keys() == theirs_p.keys() && mine_b.keys() == theirs_b.keys(), "clone() of ",
              source.python_name(),
              ": the re-constructed module has different parameters or buffers than the original (was a "
              "submodule replaced after construction?)");
  NoGradGuard no_grad;
  auto copy_into = [&](StateDict& dst, const StateDict& src) {
    for (size_t i = 0; i < dst.size(); ++i) {
      Tensor& d = dst[i].value();
      const Tensor& s = src[i].value();
      EMBER_CHECK(!d.is_same(s), "clone() of ", source.python_name(), ": '", dst[i].key(),
                  "' is shared with the original (a constructor argument holds a submodule or tensor); "
                  "construct the copy yourself");
      Tensor value = s.detach().clone();
      if (device) value = value.to(*device);
      d.set_data(value);
      d.set_requires_grad(s.requires_grad());
      if (s.grad().defined()) d.mutable_grad() = device ? s.grad().clone().to(*device) : s.grad().clone();
    }
  };
  copy_into(mine_p, theirs_p);
  copy_into(mine_b, theirs_b);
  // Training flags, module by module (named_modules without self works for any owner).
  auto mine_m = named_modules("", false), theirs_m = source.named_modules("", false);
  is_training_ = source.is_training_;
  for (size_t i = 0; i < mine_m.size() && i < theirs_m.size(); ++i)
    mine_m[i].value()->is_training_ = theirs_m[i].value()->is_training_;
}

std::shared_ptr<Module> Module::clone(const std::optional<Device>& device) const {
  EMBER_CHECK(factory_, "clone() has not been implemented for ", python_name(),
              ". Construct it through its module holder or ember::nn::make_module<", python_name(),
              "Impl>(...), or subclass ember::nn::Cloneable<", python_name(), "Impl> and define reset().");
  // Re-running the constructor must not advance the global random stream.
  Generator& gen = default_generator();
  Tensor rng_state = gen.get_state();
  std::shared_ptr<Module> copy = factory_();
  gen.set_state(rng_state);
  copy->copy_state_from(*this, device);
  return copy;
}

// ---- hooks -----------------------------------------------------------------------------

HookHandle Module::register_forward_pre_hook(ForwardPreHook hook) {
  if (!hooks_) hooks_ = std::make_shared<Hooks>();
  int64_t id = hooks_->next_id++;
  hooks_->pre.emplace_back(id, std::move(hook));
  std::weak_ptr<Hooks> weak = hooks_;
  return HookHandle(weak, [weak, id] {
    if (auto h = weak.lock())
      std::erase_if(h->pre, [id](const auto& e) { return e.first == id; });
  });
}

HookHandle Module::register_forward_hook(ForwardHook hook) {
  if (!hooks_) hooks_ = std::make_shared<Hooks>();
  int64_t id = hooks_->next_id++;
  hooks_->post.emplace_back(id, std::move(hook));
  std::weak_ptr<Hooks> weak = hooks_;
  return HookHandle(weak, [weak, id] {
    if (auto h = weak.lock())
      std::erase_if(h->post, [id](const auto& e) { return e.first == id; });
  });
}

void Module::run_forward_pre_hooks(std::vector<Tensor>& inputs) {
  if (!hooks_) return;
  auto pre = hooks_->pre;  // a hook may remove itself
  for (auto& [id, hook] : pre) hook(*this, inputs);
}

void Module::run_forward_hooks(const std::vector<Tensor>& inputs, Tensor& output) {
  if (!hooks_) return;
  auto post = hooks_->post;
  for (auto& [id, hook] : post) hook(*this, inputs, output);
}

// ---- printing --------------------------------------------------------------------------

void Module::pretty_print(std::ostream& stream) const {
  std::string extra = extra_repr();
  std::vector<std::string> lines;
  size_t extra_lines = 0;
  if (!extra.empty()) {
    std::istringstream in(extra);
    for (std::string line; std::getline(in, line);) lines.push_back(line), ++extra_lines;
  }
  for (const auto& item : children_) {
    std::ostringstream child;
    item.value()->pretty_print(child);
    lines.push_back("(" + item.key() + "): " + add_indent(child.str(), 2));
  }
  stream << python_name() << "(";
  if (!lines.empty()) {
    if (extra_lines == 1 && children_.empty()) {
      stream << lines[0];
    } else {
      stream << "\n  ";
      for (size_t i = 0; i < lines.size(); ++i) stream << (i ? "\n  " : "") << lines[i];
      stream << "\n";
    }
  }
  stream << ")";
}

std::string Module::repr() const {
  std::ostringstream os;
  pretty_print(os);
  return os.str();
}

std::ostream& operator<<(std::ostream& stream, const Module& module) {
  module.pretty_print(stream);
  return stream;
}

std::string python_repr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  // Shortest round-trip digits, then Python's layout: scientific when the decimal
  // exponent is < -4 or >= 16, else positional with at least one fractional digit.
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  bool negative = sci[0] == '-';
  if (negative) sci.erase(0, 1);
  auto e = sci.find('e');
  std::string mantissa = sci.substr(0, e);
  int exponent = std::stoi(sci.substr(e + 1));
  std::string digits;
  for (char c : mantissa)
    if (c != '.') digits += c;
  std::string out;
  if (exponent < -4 || exponent >= 16) {
    out = digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char exp_buf[16];
    std::snprintf(exp_buf, sizeof(exp_buf), "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    out += exp_buf;
  } else if (exponent < 0) {
    out = "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
  } else {
    size_t int_len = static_cast<size_t>(exponent) + 1;
    if (digits.size() <= int_len) {
      out = digits + std::string(int_len - digits.size(), '0') + ".0";
    } else {
      out = digits.substr(0, int_len) + "." + digits.substr(int_len);
    }
  }
  return negative ? "-" + out : out;
}

}  // namespace ember::nn
