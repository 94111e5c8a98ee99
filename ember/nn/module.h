#pragma once
// nn::Module: the base of every layer and model (torch.nn.Module / LibTorch's
// torch::nn::Module). A module owns three ordered dicts (parameters, buffers, children);
// everything else (named_parameters, state_dict, train/eval, to, zero_grad, printing)
// walks them. Modules are held by std::shared_ptr (see holder.h), so a module tree is
// shared, not copied, when a holder is copied; clone() makes a deep copy.
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <typeinfo>
#include <vector>

#include "ember/core/device.h"
#include "ember/core/dtype.h"
#include "ember/core/ordered_dict.h"
#include "ember/core/tensor.h"

namespace ember::nn {

class Module;

// Forward hooks (torch.nn.Module.register_forward_pre_hook / register_forward_hook). They
// see the forward call's Tensor arguments (other arguments pass through untouched) and may
// replace them; a forward hook may replace a Tensor output. Hooks run when the module is
// called through its holder (`model(x)`), a Sequential or AnyModule, not when `forward` is
// called directly, exactly as in PyTorch.
using ForwardPreHook = std::function<void(Module& module, std::vector<Tensor>& inputs)>;
using ForwardHook = std::function<void(Module& module, const std::vector<Tensor>& inputs, Tensor& output)>;

// Returned by register_*_hook; remove() unregisters the hook (idempotent).
class HookHandle {
 public:
  HookHandle() = default;
  HookHandle(std::weak_ptr<void> owner, std::function<void()> remover)
      : owner_(std::move(owner)), remover_(std::move(remover)) {}
  void remove();

 private:
  std::weak_ptr<void> owner_;
  std::function<void()> remover_;
};

// What load_state_dict(strict = false) reports (PyTorch's _IncompatibleKeys).
struct LoadStateDictResult {
  std::vector<std::string> missing_keys;
  std::vector<std::string> unexpected_keys;
};

using StateDict = OrderedDict<std::string, Tensor>;

class Module : public std::enable_shared_from_this<Module> {
 public:
  Module();
  explicit Module(std::string name);  // forces name() instead of the demangled type
  Module(const Module&) = default;
  Module& operator=(const Module&) = default;
  Module(Module&&) = default;
  Module& operator=(Module&&) = default;
  virtual ~Module() = default;

  // The demangled C++ type ("NetImpl", "ember::nn::LinearImpl") unless given.
  const std::string& name() const;
  // PyTorch's class name as printed by repr: namespaces and an "Impl" suffix removed
  // ("Net", "Linear").
  std::string python_name() const;

  // ---- registration ------------------------------------------------------------------
  // Stores `tensor` as a parameter and sets its requires_grad. An undefined tensor is
  // allowed (PyTorch's register_parameter(name, None)) and skipped by parameters().
  Tensor& register_parameter(std::string name, Tensor tensor, bool requires_grad = true);
  // persistent = false keeps the buffer out of state_dict().
  Tensor& register_buffer(std::string name, Tensor tensor, bool persistent = true);
  template <class ModuleType>
  std::shared_ptr<ModuleType> register_module(std::string name, std::shared_ptr<ModuleType> module) {
    register_child(std::move(name), module);
    return module;
  }
  // Holders (Linear, Sequential, user TORCH-style holders) return the same holder type.
  template <class Holder, class = decltype(std::declval<Holder>().ptr())>
  Holder register_module(std::string name, Holder holder) {
    register_child(std::move(name), holder.ptr());
    return holder;
  }
  template <class ModuleType>
  std::shared_ptr<ModuleType> replace_module(const std::string& name, std::shared_ptr<ModuleType> module) {
    replace_child(name, module);
    return module;
  }
  template <class Holder, class = decltype(std::declval<Holder>().ptr())>
  Holder replace_module(const std::string& name, Holder holder) {
    replace_child(name, holder.ptr());
    return holder;
  }
  void unregister_module(const std::string& name);

  // ---- traversal ---------------------------------------------------------------------
  // Pre-order, registration order, dotted names; a tensor shared by two modules appears
  // once (at its first name), as in PyTorch.
  std::vector<Tensor> parameters(bool recurse = true) const;
  StateDict named_parameters(bool recurse = true) const;
  std::vector<Tensor> buffers(bool recurse = true) const;
  StateDict named_buffers(bool recurse = true) const;
  std::vector<std::shared_ptr<Module>> children() const;
  OrderedDict<std::string, std::shared_ptr<Module>> named_children() const;
  // include_self needs this module to be owned by a shared_ptr (held by a holder).
  std::vector<std::shared_ptr<Module>> modules(bool include_self = true) const;
  OrderedDict<std::string, std::shared_ptr<Module>> named_modules(const std::string& prefix = "",
                                                                  bool include_self = true) const;
  // Calls fn on every module, this one first, then children in pre-order.
  void apply(const std::function<void(Module&)>& fn);
  void apply(const std::function<void(const std::string&, Module&)>& fn, const std::string& prefix = "");

  // ---- mode, device, dtype, gradients ------------------------------------------------
  virtual void train(bool on = true);
  void eval() { train(false); }
  virtual bool is_training() const noexcept { return is_training_; }
  // Converts floating-point parameters and buffers (and their grads) in place: tensors
  // held elsewhere (an optimizer) see the change because set_data keeps their identity.
  virtual void to(ScalarType dtype, bool non_blocking = false);
  virtual void to(Device device, bool non_blocking = false);
  virtual void to(Device device, ScalarType dtype, bool non_blocking = false);
  virtual void zero_grad(bool set_to_none = true);
  // Sets requires_grad on every parameter (PyTorch's Module.requires_grad_); returns *this.
  Module& requires_grad_(bool requires_grad = true);

  // ---- state -------------------------------------------------------------------------
  // Parameters and persistent buffers, detached, under PyTorch's dotted key names.
  StateDict state_dict() const;
  // Copies values in (converting dtype). With strict, missing or unexpected keys are an
  // error; a shape mismatch always is. Nothing is copied unless every entry can be.
  LoadStateDictResult load_state_dict(const StateDict& state_dict, bool strict = true);

  // A deep copy: new parameters and buffers with the same values, requires_grad, grads
  // and training flags. Works for every module built through a holder or make_module
  // (the constructor is re-run with its original arguments, without consuming random
  // numbers, then the values are copied), and for Cloneable<T> modules with reset().
  virtual std::shared_ptr<Module> clone(const std::optional<Device>& device = std::nullopt) const;

  // ---- hooks -------------------------------------------------------------------------
  HookHandle register_forward_pre_hook(ForwardPreHook hook);
  HookHandle register_forward_hook(ForwardHook hook);
  bool has_forward_hooks() const noexcept { return hooks_ && !hooks_->empty(); }
  void run_forward_pre_hooks(std::vector<Tensor>& inputs);
  void run_forward_hooks(const std::vector<Tensor>& inputs, Tensor& output);

  // ---- printing ----------------------------------------------------------------------
  // PyTorch's repr: python_name() + "(" + extra_repr() + ")", children indented below.
  virtual std::string extra_repr() const { return {}; }
  virtual void pretty_print(std::ostream& stream) const;
  std::string repr() const;

  // dynamic_cast helpers: as<LinearImpl>() or as<Linear>() (holder type).
  template <class T>
  auto as() noexcept {
    if constexpr (requires { typename T::Impl; }) return dynamic_cast<typename T::Impl*>(this);
    else return dynamic_cast<T*>(this);
  }
  template <class T>
  auto as() const noexcept {
    if constexpr (requires { typename T::Impl; }) return dynamic_cast<const typename T::Impl*>(this);
    else return dynamic_cast<const T*>(this);
  }

  // Functional modules opt out of serialization (LibTorch's is_serializable).
  virtual bool is_serializable() const { return true; }

  // Set by make_module / holders: re-runs the constructor with the original arguments.
  void set_factory(std::function<std::shared_ptr<Module>()> factory) { factory_ = std::move(factory); }

 protected:
  OrderedDict<std::string, Tensor> parameters_{"Parameter"};
  OrderedDict<std::string, Tensor> buffers_{"Buffer"};
  OrderedDict<std::string, std::shared_ptr<Module>> children_{"Submodule"};
  std::vector<std::string> non_persistent_buffers_;

  // Copies every parameter/buffer value, requires_grad and grad, and the training flags,
  // from `source` into this module (same structure), for clone().
  void copy_state_from(const Module& source, const std::optional<Device>& device);

 private:
  struct Hooks {
    std::vector<std::pair<int64_t, ForwardPreHook>> pre;
    std::vector<std::pair<int64_t, ForwardHook>> post;
    int64_t next_id = 0;
    bool empty() const { return pre.empty() && post.empty(); }
  };

  void register_child(std::string name, std::shared_ptr<Module> module);
  void replace_child(const std::string& name, std::shared_ptr<Module> module);
  void check_name(const std::string& name, const char* kind) const;
  void collect_named_modules(const std::string& prefix, OrderedDict<std::string, std::shared_ptr<Module>>& out,
                             std::vector<const Module*>& seen) const;
  void convert(const std::function<Tensor(const Tensor&)>& fn);

  mutable std::optional<std::string> name_;
  bool is_training_ = true;
  std::function<std::shared_ptr<Module>()> factory_;
  std::shared_ptr<Hooks> hooks_;
};

std::ostream& operator<<(std::ostream& stream, const Module& module);

// The demangled C++ name of a type, for error messages.
std::string demangled_type_name(const std::type_info& info);

// Python's float repr (1e-05, 0.1, 1.0) and bool (True/False), for extra_repr().
std::string python_repr(double value);
inline const char* python_repr(bool value) { return value ? "True" : "False"; }

}  // namespace ember::nn
