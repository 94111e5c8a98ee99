#pragma once
// The optimizer base, as LibTorch's torch::optim::Optimizer: parameter groups each with
// their own options, per-parameter state keyed by the parameter's TensorImpl, step() with
// an optional loss closure, zero_grad(), and state_dict()/load_state_dict() in PyTorch's
// Python layout (Note [Optimizer state dict layout]).
//
//   ember::optim::SGD opt(model_params, ember::optim::SGDOptions(0.01).momentum(0.9));
//   opt.zero_grad();
//   loss.backward();
//   opt.step();
//
// Optimizers only need the parameters as std::vector<Tensor> (Module::parameters()).
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "ember/core/ivalue.h"
#include "ember/core/tensor.h"
#include "ember/core/arg.h"

namespace ember::optim {

using LossClosure = std::function<Tensor()>;

// Note [Optimizer state dict layout]
// state_dict() returns PyTorch's dict:
//   {'state': {0: {'step': tensor(3.), 'exp_avg': ..., ...}, 1: {...}},
//    'param_groups': [{'lr': 0.001, 'betas': (0.9, 0.999), ..., 'params': [0, 1]}, ...]}
// Parameters are numbered 0..n-1 across the groups in order. Each group lists its options
// under PyTorch's key names and in PyTorch's order (OptimizerOptions::to_dict), then the
// keys schedulers added (initial_lr, max_lr, ...: OptimizerOptions::extras()), then
// 'params'. Tensors in the returned dict are the live state tensors (as in PyTorch);
// load_state_dict() deep-copies, casting floating state to each parameter's dtype except
// 'step'.

// A parameter group's options. Each optimizer's options class derives from
// OptimizerCloneableOptions<Derived> and declares its fields with EMBER_ARG.
class OptimizerOptions {
 public:
  virtual ~OptimizerOptions() = default;
  virtual std::unique_ptr<OptimizerOptions> clone() const = 0;
  // The learning rate, whatever the optimizer (schedulers read and write it through these).
  virtual double get_lr() const = 0;
  virtual void set_lr(double lr) = 0;
  double lr() const { return get_lr(); }

  // The options as PyTorch's param_group entries (typed fields first, in PyTorch's order,
  // then extras()).
  Dict as_dict() const;
  // Dict-style access by PyTorch's key: typed fields or extras.
  bool contains(const std::string& key) const;
  IValue get(const std::string& key) const;  // IndexError "KeyError: 'key'" when missing
  // Sets a typed field (with a type check) or, for any other key, an extra entry.
  void set(const std::string& key, const IValue& value);
  // Keys that are not options of this optimizer (initial_lr set by schedulers, ...).
  Dict& extras() { return extras_; }
  const Dict& extras() const { return extras_; }

 protected:
  // The typed fields, in PyTorch's defaults order.
  virtual void to_dict(Dict& d) const = 0;
  // Sets a typed field; false when `key` is not one.
  virtual bool set_field(const std::string& key, const IValue& value) = 0;

 private:
  Dict extras_;
};

template <class Derived>
class OptimizerCloneableOptions : public OptimizerOptions {
 public:
  std::unique_ptr<OptimizerOptions> clone() const override {
    return std::make_unique<Derived>(static_cast<const Derived&>(*this));
  }
};

// Per-parameter state (momentum buffers, moments, step counts).
class OptimizerParamState {
 public:
  virtual ~OptimizerParamState() = default;
  virtual std::unique_ptr<OptimizerParamState> clone() const = 0;
  // The state under PyTorch's key names (live tensors, not copies).
  virtual void to_dict(Dict& d) const = 0;
  // Reads the state back from such a dict (tensors already copied and cast).
  virtual void from_dict(const Dict& d) = 0;
};

template <class Derived>
class OptimizerCloneableParamState : public OptimizerParamState {
 public:
  std::unique_ptr<OptimizerParamState> clone() const override {
    return std::make_unique<Derived>(static_cast<const Derived&>(*this));
  }
};

// A list of parameters with, optionally, their own options (otherwise the optimizer's
// defaults are used).
class OptimizerParamGroup {
 public:
  OptimizerParamGroup(std::vector<Tensor> params) : params_(std::move(params)) {}
  OptimizerParamGroup(std::vector<Tensor> params, std::unique_ptr<OptimizerOptions> options)
      : params_(std::move(params)), options_(std::move(options)) {}
  OptimizerParamGroup(const OptimizerParamGroup& o)
      : params_(o.params_), options_(o.options_ ? o.options_->clone() : nullptr) {}
  OptimizerParamGroup& operator=(const OptimizerParamGroup& o) {
    params_ = o.params_;
    options_ = o.options_ ? o.options_->clone() : nullptr;
    return *this;
  }
  OptimizerParamGroup(OptimizerParamGroup&&) = default;
  OptimizerParamGroup& operator=(OptimizerParamGroup&&) = default;

  bool has_options() const { return options_ != nullptr; }
  OptimizerOptions& options();
  const OptimizerOptions& options() const;
  void set_options(std::unique_ptr<OptimizerOptions> options) { options_ = std::move(options); }
  std::vector<Tensor>& params() { return params_; }
  const std::vector<Tensor>& params() const { return params_; }

 private:
  std::vector<Tensor> params_;
  std::unique_ptr<OptimizerOptions> options_;
};

using OptimizerState = std::unordered_map<void*, std::unique_ptr<OptimizerParamState>>;

class Optimizer {
 public:
  Optimizer(std::vector<OptimizerParamGroup> param_groups, std::unique_ptr<OptimizerOptions> defaults);
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;
  virtual ~Optimizer() = default;

  // One update. With a closure, the closure runs first with grad mode on and its loss is
  // returned (an undefined Tensor otherwise).
  virtual Tensor step(LossClosure closure = nullptr) = 0;

  // Appends a group; its options default to this optimizer's defaults. Errors as PyTorch:
  // ValueError "can't optimize a non-leaf Tensor", "some parameters appear in more than one
  // parameter group".
  virtual void add_param_group(const OptimizerParamGroup& param_group);
  // Sets each gradient to undefined (set_to_none) or to zero.
  virtual void zero_grad(bool set_to_none = true);

  // The parameters of the first group (LibTorch's parameters()).
  const std::vector<Tensor>& parameters() const noexcept;
  std::vector<Tensor>& parameters() noexcept;
  // The number of parameters across all groups.
  size_t size() const noexcept;

  OptimizerOptions& defaults() noexcept { return *defaults_; }
  const OptimizerOptions& defaults() const noexcept { return *defaults_; }
  virtual std::vector<OptimizerParamGroup>& param_groups() noexcept { return param_groups_; }
  virtual const std::vector<OptimizerParamGroup>& param_groups() const noexcept { return param_groups_; }
  OptimizerState& state() noexcept { return state_; }
  const OptimizerState& state() const noexcept { return state_; }

  // Note [Optimizer state dict layout].
  virtual IValue state_dict() const;
  virtual void load_state_dict(const IValue& state_dict);

 protected:
  // A fresh, empty state object of this optimizer's kind (filled by load_state_dict).
  virtual std::unique_ptr<OptimizerParamState> make_param_state() const = 0;
  // The state of `p`, or nullptr.
  OptimizerParamState* find_state(const Tensor& p) const;
  // Runs the closure with grad mode on (for step()).
  static Tensor run_closure(const LossClosure& closure);

  std::vector<OptimizerParamGroup> param_groups_;
  OptimizerState state_;
  std::unique_ptr<OptimizerOptions> defaults_;
};

namespace detail {
// Field conversion helpers for options' set_field, with PyTorch-style type errors.
double ivalue_to_double(const IValue& v, const char* key);
bool ivalue_to_bool(const IValue& v, const char* key);
int64_t ivalue_to_int(const IValue& v, const char* key);
// A state tensor read back from a state dict (the key must be present).
Tensor state_tensor(const Dict& d, const char* key);
// A step count stored as a number or a one-element tensor.
int64_t state_step(const Dict& d, const char* key = "step");
// PyTorch 1.13 keeps Adam/AdamW/Adagrad step counts as float32 0-dim tensors.
Tensor step_tensor(int64_t step);
}  // namespace detail

}  // namespace ember::optim
