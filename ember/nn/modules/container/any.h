#pragma once
// AnyValue and AnyModule: type erasure for module calls, so Sequential can hold modules
// whose forward signatures differ (LibTorch's torch::nn::AnyModule). AnyModule deduces
// the argument types from &M::forward (which must not be overloaded or a template) and
// checks them at run time; arithmetic arguments convert between each other (LibTorch
// refuses float for double; ember accepts it). A module may instead define
//   AnyValue any_forward(std::vector<AnyValue>& inputs);
// which is how Sequential nests inside Sequential.
#include <any>
#include <memory>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#include "ember/nn/holder.h"

namespace ember::nn {

std::string demangled_type_name(const std::type_info& info);

class AnyValue {
 public:
  AnyValue() = default;
  template <class T, class = std::enable_if_t<!std::is_same_v<std::decay_t<T>, AnyValue>>>
  explicit AnyValue(T&& value) : value_(std::forward<T>(value)) {}

  const std::type_info& type_info() const noexcept { return value_.type(); }
  bool has_value() const noexcept { return value_.has_value(); }

  template <class T>
  T* try_get() noexcept {
    return std::any_cast<T>(&value_);
  }
  // The value as T; arithmetic values convert to any arithmetic T.
  template <class T>
  T get() const {
    if (const T* p = std::any_cast<T>(&value_)) return *p;
    if constexpr (std::is_arithmetic_v<T>) {
      if (auto v = arithmetic<T>()) return *v;
    }
    EMBER_THROW(TypeError, "Attempted to cast AnyValue to ", demangled_type_name(typeid(T)),
                ", but its actual type is ", demangled_type_name(value_.type()));
  }

 private:
  template <class T>
  std::optional<T> arithmetic() const {
#define EMBER_ANY_TRY(U) \
  if (auto p = std::any_cast<U>(&value_)) return static_cast<T>(*p);
    EMBER_ANY_TRY(double) EMBER_ANY_TRY(float) EMBER_ANY_TRY(int64_t) EMBER_ANY_TRY(int) EMBER_ANY_TRY(bool)
    EMBER_ANY_TRY(int32_t) EMBER_ANY_TRY(uint64_t) EMBER_ANY_TRY(size_t)
#undef EMBER_ANY_TRY
    return std::nullopt;
  }
  std::any value_;
};

namespace detail {

template <class T>
struct ForwardSignature;
template <class R, class M, class... A>
struct ForwardSignature<R (M::*)(A...)> {
  using Result = R;
  using Args = std::tuple<std::decay_t<A>...>;
  static constexpr size_t arity = sizeof...(A);
};
template <class R, class M, class... A>
struct ForwardSignature<R (M::*)(A...) const> : ForwardSignature<R (M::*)(A...)> {};

// Note [Forward default arguments]
// AnyModule calls forward through a member pointer, which loses C++ default arguments: a
// forward(Tensor x, double scale = 2.0) reached through AnyModule or Sequential with one
// argument would be refused. A module lists its defaults with
//   EMBER_FORWARD_HAS_DEFAULT_ARGS({1, AnyValue(2.0)})   // LibTorch: FORWARD_HAS_DEFAULT_ARGS
// giving, for each defaulted argument in order, its 0-based position and its value. The
// first position is then the number of required arguments: AnyModule accepts from that
// many to all of forward's arguments and appends the defaults of the missing ones. The
// macro adds a static member and befriends ForwardDefaults, so it works under any access
// specifier and costs modules that do not use it nothing (no virtual function on Module).
template <class M>
struct ForwardDefaults {
  static constexpr bool declared = requires { M::ember_forward_default_args_(); };
  static std::vector<std::pair<unsigned int, AnyValue>> values() { return M::ember_forward_default_args_(); }
};

template <class M>
concept HasAnyForward = requires(M& m, std::vector<AnyValue>& v) {
  { m.any_forward(v) } -> std::same_as<AnyValue>;
};

}  // namespace detail

class AnyModule {
 public:
  AnyModule() = default;
  template <class M, class = std::enable_if_t<std::is_base_of_v<Module, M>>>
  explicit AnyModule(std::shared_ptr<M> module) : module_(module) { call_ = make_caller(std::move(module)); }
  // A module value (moved into a new shared_ptr).
  template <class M, class = std::enable_if_t<std::is_base_of_v<Module, std::decay_t<M>>>, class = void>
  explicit AnyModule(M&& module) : AnyModule(std::make_shared<std::decay_t<M>>(std::forward<M>(module))) {}
  template <class C>
  explicit AnyModule(const ModuleHolder<C>& holder) : AnyModule(holder.ptr()) {}

  // Calls forward with the arguments and returns its result as Ret.
  template <class Ret = Tensor, class... Args>
  Ret forward(Args&&... args) {
    return any_forward(std::forward<Args>(args)...).template get<Ret>();
  }
  template <class... Args>
  AnyValue any_forward(Args&&... args) {
    std::vector<AnyValue> inputs;
    inputs.reserve(sizeof...(Args));
    (inputs.emplace_back(std::forward<Args>(args)), ...);
    return any_forward_values(inputs);
  }
  AnyValue any_forward_values(std::vector<AnyValue>& inputs) {
    EMBER_CHECK(call_, "Cannot call forward() on an empty AnyModule");
    return call_(inputs);
  }

  const std::shared_ptr<Module>& ptr() const { return module_; }
  template <class T>
  std::shared_ptr<T> ptr() const {
    auto p = std::dynamic_pointer_cast<T>(module_);
    EMBER_CHECK(p, "Attempted to cast module of type ", module_ ? module_->name() : "<empty>", " to type ",
                demangled_type_name(typeid(T)));
    return p;
  }
  template <class T>
  T& get() const {
    return *ptr<T>();
  }
  bool is_empty() const noexcept { return module_ == nullptr; }
  // A deep copy (AnyModule copies are shallow).
  AnyModule clone(const std::optional<Device>& device = std::nullopt) const {
    AnyModule out;
    out.module_ = module_->clone(device);
    out.call_ = rebind_(out.module_);
    out.rebind_ = rebind_;
    return out;
  }

 private:
  using Caller = std::function<AnyValue(std::vector<AnyValue>&)>;

  template <class M>
  Caller make_caller(std::shared_ptr<M> module) {
    rebind_ = [](const std::shared_ptr<Module>& m) {
      return AnyModule(std::dynamic_pointer_cast<M>(m)).call_;
    };
    std::weak_ptr<M> weak = module;  // module_ owns it; no cycle through the closure
    if constexpr (detail::HasAnyForward<M>) {
      return [weak](std::vector<AnyValue>& inputs) { return weak.lock()->any_forward(inputs); };
    } else {
      using Sig = detail::ForwardSignature<decltype(&M::forward)>;
      return [weak](std::vector<AnyValue>& inputs) {
        auto m = weak.lock();
        if constexpr (detail::ForwardDefaults<M>::declared) {
          if (inputs.size() != Sig::arity) {
            std::vector<AnyValue> filled = with_defaults(*m, inputs, Sig::arity, detail::ForwardDefaults<M>::values());
            return call_with<M, Sig>(*m, filled, std::make_index_sequence<Sig::arity>{});
          }
        } else {
          EMBER_CHECK(inputs.size() == Sig::arity, m->python_name(), "'s forward() method expects ", Sig::arity,
                      " argument(s), but received ", inputs.size(), ".",
                      inputs.size() < Sig::arity ? missing_defaults_hint(m->python_name()) : std::string());
        }
        return call_with<M, Sig>(*m, inputs, std::make_index_sequence<Sig::arity>{});
      };
    }
  }

  // Note [Forward default arguments]: `inputs` followed by the defaults it lacks.
  static std::vector<AnyValue> with_defaults(const Module& module, const std::vector<AnyValue>& inputs, size_t arity,
                                             std::vector<std::pair<unsigned int, AnyValue>> defaults);
  static std::string missing_defaults_hint(const std::string& module_name);

  template <class M, class Sig, size_t... I>
  static AnyValue call_with(M& module, std::vector<AnyValue>& inputs, std::index_sequence<I...>) {
    using Args = typename Sig::Args;
    if constexpr (std::is_void_v<typename Sig::Result>) {
      call_forward(module, argument<std::tuple_element_t<I, Args>>(inputs, I)...);
      return AnyValue();
    } else {
      return AnyValue(call_forward(module, argument<std::tuple_element_t<I, Args>>(inputs, I)...));
    }
  }
  template <class T>
  static T argument(std::vector<AnyValue>& inputs, size_t i) {
    if (T* p = inputs[i].try_get<T>()) return *p;
    if constexpr (std::is_arithmetic_v<T>) return inputs[i].get<T>();
    EMBER_THROW(TypeError, "Expected argument #", i, " to be of type ", demangled_type_name(typeid(T)),
                ", but received value of type ", demangled_type_name(inputs[i].type_info()));
  }

  std::shared_ptr<Module> module_;
  Caller call_;
  std::function<Caller(const std::shared_ptr<Module>&)> rebind_;
};

// Declares the default arguments of a module's forward for AnyModule and Sequential
// (Note [Forward default arguments]); write it inside the module's class:
//   Tensor forward(Tensor x, double scale = 2.0, int64_t shift = 0);
//   EMBER_FORWARD_HAS_DEFAULT_ARGS({1, AnyValue(2.0)}, {2, AnyValue(int64_t{0})})
#define EMBER_FORWARD_HAS_DEFAULT_ARGS(...)                                              \
  template <class>                                                                       \
  friend struct ::ember::nn::detail::ForwardDefaults;                                    \
  static std::vector<std::pair<unsigned int, ::ember::nn::AnyValue>> ember_forward_default_args_() { \
    return {__VA_ARGS__};                                                                \
  }

// A name and a module, for Sequential({{"conv", Conv2d(...)}, {"relu", ReLU()}}).
class NamedAnyModule {
 public:
  template <class M>
  NamedAnyModule(std::string name, std::shared_ptr<M> module) : name_(std::move(name)), module_(std::move(module)) {}
  template <class C>
  NamedAnyModule(std::string name, const ModuleHolder<C>& holder) : name_(std::move(name)), module_(holder) {}
  template <class M, class = std::enable_if_t<std::is_base_of_v<Module, std::decay_t<M>>>>
  NamedAnyModule(std::string name, M&& module) : name_(std::move(name)), module_(std::forward<M>(module)) {}
  NamedAnyModule(std::string name, AnyModule module) : name_(std::move(name)), module_(std::move(module)) {}

  const std::string& name() const noexcept { return name_; }
  const AnyModule& module() const noexcept { return module_; }

 private:
  std::string name_;
  AnyModule module_;
};

}  // namespace ember::nn
