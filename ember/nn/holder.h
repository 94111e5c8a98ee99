#pragma once
// ModuleHolder<Impl> and EMBER_MODULE(Name): LibTorch's pimpl idiom. `NameImpl` is the
// module class; `Name` is a shared handle to it with value-like syntax, so copying a
// holder shares the module (Python reference semantics):
//
//   struct NetImpl : ember::nn::Module { ... Tensor forward(Tensor x); };
//   EMBER_MODULE(Net);
//   Net net(3);              // constructs NetImpl(3)
//   Tensor y = net(x);       // NetImpl::forward through the forward hooks
//   Net none{nullptr};       // empty until assigned
#include <memory>
#include <tuple>
#include <type_traits>
#include <utility>

#include "ember/nn/module.h"

namespace ember::nn {

// Constructs Impl(args...) in a shared_ptr and remembers how, so Module::clone() can
// re-construct it (Note in module.h: clone without a hand-written reset()).
template <class Impl, class... Args>
std::shared_ptr<Impl> make_module(Args&&... args) {
  auto module = std::make_shared<Impl>(args...);
  if constexpr ((std::is_copy_constructible_v<std::decay_t<Args>> && ...)) {
    module->set_factory([... saved = std::decay_t<Args>(args)]() -> std::shared_ptr<Module> {
      return std::make_shared<Impl>(saved...);
    });
  }
  return module;
}

namespace detail {

template <class T>
inline constexpr bool is_tensor_v = std::is_same_v<std::decay_t<T>, Tensor>;

template <class Arg>
decltype(auto) pick_argument(Arg&& arg, std::vector<Tensor>& tensors, size_t& next) {
  if constexpr (is_tensor_v<Arg>) return Tensor(tensors[next++]);
  else return std::forward<Arg>(arg);
}

}  // namespace detail

// Calls module.forward(args...), running its forward pre-hooks and hooks when it has any.
template <class Impl, class... Args>
decltype(auto) call_forward(Impl& module, Args&&... args) {
  if (!module.has_forward_hooks()) return module.forward(std::forward<Args>(args)...);
  std::vector<Tensor> inputs;
  (([&] {
     if constexpr (detail::is_tensor_v<Args>) inputs.push_back(args);
   }()),
   ...);
  module.run_forward_pre_hooks(inputs);
  size_t next = 0;
  // Braced initialisation evaluates left to right, so tensors are picked in order.
  std::tuple<decltype(detail::pick_argument(std::forward<Args>(args), inputs, next))...> call{
      detail::pick_argument(std::forward<Args>(args), inputs, next)...};
  using Result = decltype(module.forward(std::forward<Args>(args)...));
  if constexpr (std::is_same_v<std::decay_t<Result>, Tensor>) {
    Tensor output = std::apply([&](auto&&... a) { return module.forward(std::forward<decltype(a)>(a)...); },
                               std::move(call));
    module.run_forward_hooks(inputs, output);
    return Result(output);
  } else {
    return std::apply([&](auto&&... a) -> Result { return module.forward(std::forward<decltype(a)>(a)...); },
                      std::move(call));
  }
}

template <class Contained>
class ModuleHolder {
 public:
  using ContainedType = Contained;

  // Default-constructs the module (as LibTorch: `Linear fc;` needs LinearImpl()).
  ModuleHolder() : impl_(default_construct()) {}
  // An empty holder; using it throws.
  ModuleHolder(std::nullptr_t) {}
  // Forwards to Contained's constructor (not for a single holder argument: that copies).
  template <class Head, class... Tail,
            class = std::enable_if_t<!(std::is_same_v<std::decay_t<Head>, ModuleHolder> && sizeof...(Tail) == 0) &&
                                     !(std::is_convertible_v<Head, std::shared_ptr<Contained>> &&
                                       sizeof...(Tail) == 0) &&
                                     !(std::is_same_v<std::decay_t<Head>, std::nullptr_t> && sizeof...(Tail) == 0)>>
  explicit ModuleHolder(Head&& head, Tail&&... tail)
      : impl_(make_module<Contained>(std::forward<Head>(head), std::forward<Tail>(tail)...)) {}
  ModuleHolder(std::shared_ptr<Contained> module) : impl_(std::move(module)) {}

  explicit operator bool() const noexcept { return !is_empty(); }
  bool is_empty() const noexcept { return impl_ == nullptr; }

  Contained* operator->() { return get(); }
  const Contained* operator->() const { return get(); }
  Contained& operator*() { return *get(); }
  const Contained& operator*() const { return *get(); }
  const std::shared_ptr<Contained>& ptr() const {
    check();
    return impl_;
  }
  Contained* get() {
    check();
    return impl_.get();
  }
  const Contained* get() const {
    check();
    return impl_.get();
  }

  // Calls forward (with hooks). The return type is whatever Contained::forward returns.
  template <class... Args>
  decltype(auto) operator()(Args&&... args) {
    return call_forward(*get(), std::forward<Args>(args)...);
  }
  template <class Arg>
  decltype(auto) operator[](Arg&& arg) {
    return (*get())[std::forward<Arg>(arg)];
  }

 private:
  void check() const { EMBER_CHECK(impl_ != nullptr, "Accessing empty ModuleHolder"); }
  static std::shared_ptr<Contained> default_construct() {
    static_assert(std::is_default_constructible_v<Contained>,
                  "This module has no default constructor: give the holder arguments or nullptr");
    return make_module<Contained>();
  }

  std::shared_ptr<Contained> impl_;
};

template <class T>
std::ostream& operator<<(std::ostream& stream, const ModuleHolder<T>& holder) {
  return stream << *holder;
}

// Cloneable<Derived>: LibTorch's base for modules that rebuild themselves in reset().
// ember's Module::clone() works without it; it is kept so LibTorch code compiles, and for
// modules built outside holders.
template <class Derived>
class Cloneable : public Module {
 public:
  using Module::Module;
  virtual void reset() = 0;

  std::shared_ptr<Module> clone(const std::optional<Device>& device = std::nullopt) const override {
    auto copy = std::make_shared<Derived>(static_cast<const Derived&>(*this));
    copy->parameters_.clear();
    copy->buffers_.clear();
    copy->children_.clear();
    copy->non_persistent_buffers_.clear();
    copy->reset();
    copy->copy_state_from(*this, device);
    return copy;
  }
};

}  // namespace ember::nn

// EMBER_MODULE(Name): declares `Name` as the holder of `NameImpl`.
#define EMBER_MODULE_IMPL(Name, ImplType)                   \
  class Name : public ::ember::nn::ModuleHolder<ImplType> { \
   public:                                                  \
    using ::ember::nn::ModuleHolder<ImplType>::ModuleHolder; \
    using Impl = ImplType;                                  \
  }
#define EMBER_MODULE(Name) EMBER_MODULE_IMPL(Name, Name##Impl)
