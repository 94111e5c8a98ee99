#pragma once
// Sequential: modules called in order, each on the previous one's output
// (torch.nn.Sequential). Entries are registered as children "0", "1", ... or under given
// names. Unlike LibTorch's, a Sequential nests inside another Sequential (its
// any_forward is what AnyModule calls).
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "ember/nn/modules/container/any.h"

namespace ember::nn {

class SequentialImpl : public Module {
 public:
  SequentialImpl() = default;
  template <class... Modules>
  explicit SequentialImpl(Modules&&... modules) {
    (push_back(std::forward<Modules>(modules)), ...);
  }
  explicit SequentialImpl(std::initializer_list<NamedAnyModule> named_modules) {
    for (const auto& m : named_modules) push_back(m.name(), m.module());
  }

  // Appends a module (holder, shared_ptr, module value or AnyModule), optionally named.
  template <class M>
  void push_back(M&& module) {
    push_back(std::to_string(modules_.size()), std::forward<M>(module));
  }
  template <class M>
  void push_back(std::string name, M&& module) {
    AnyModule any = to_any(std::forward<M>(module));
    register_module(std::move(name), any.ptr());
    modules_.push_back(std::move(any));
  }
  void extend(const SequentialImpl& other) {
    for (const auto& m : other.modules_) push_back(m);
  }

  // Runs the modules in order. All inputs go to the first module; later ones get the
  // single previous result.
  template <class Ret = Tensor, class... Inputs>
  Ret forward(Inputs&&... inputs) {
    EMBER_CHECK(!modules_.empty(), "Cannot call forward() on an empty Sequential");
    AnyValue value = modules_.front().any_forward(std::forward<Inputs>(inputs)...);
    for (size_t i = 1; i < modules_.size(); ++i) {
      std::vector<AnyValue> single{std::move(value)};
      value = modules_[i].any_forward_values(single);
    }
    if constexpr (std::is_same_v<Ret, AnyValue>) return value;
    else {
      EMBER_CHECK(value.try_get<Ret>() || std::is_arithmetic_v<Ret>, "The type of the return value is ",
                  demangled_type_name(value.type_info()), ", but you asked for type ",
                  demangled_type_name(typeid(Ret)));
      return value.get<Ret>();
    }
  }
  AnyValue any_forward(std::vector<AnyValue>& inputs);

  size_t size() const noexcept { return modules_.size(); }
  bool is_empty() const noexcept { return modules_.empty(); }
  auto begin() { return modules_.begin(); }
  auto end() { return modules_.end(); }
  auto begin() const { return modules_.begin(); }
  auto end() const { return modules_.end(); }
  // The module at `index` (negative counts from the end).
  std::shared_ptr<Module> operator[](int64_t index) const { return ptr(index); }
  std::shared_ptr<Module> ptr(int64_t index) const;
  template <class T>
  std::shared_ptr<T> ptr(int64_t index) const {
    return modules_.at(static_cast<size_t>(wrap(index))).template ptr<T>();
  }
  template <class T>
  T& at(int64_t index) const {
    return *ptr<T>(index);
  }

  std::shared_ptr<Module> clone(const std::optional<Device>& device = std::nullopt) const override;

 private:
  int64_t wrap(int64_t index) const;
  template <class M>
  static AnyModule to_any(M&& module) {
    if constexpr (std::is_same_v<std::decay_t<M>, AnyModule>) return module;
    else return AnyModule(std::forward<M>(module));
  }

  std::vector<AnyModule> modules_;
};

// The holder also takes a braced list of named modules, as LibTorch's does.
class Sequential : public ModuleHolder<SequentialImpl> {
 public:
  using ModuleHolder<SequentialImpl>::ModuleHolder;
  using Impl = SequentialImpl;
  Sequential() : ModuleHolder<SequentialImpl>() {}
  Sequential(std::initializer_list<NamedAnyModule> named_modules)
      : ModuleHolder<SequentialImpl>(std::make_shared<SequentialImpl>(named_modules)) {}
};

}  // namespace ember::nn
