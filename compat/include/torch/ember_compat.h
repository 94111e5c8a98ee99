#pragma once
// ember::torch_compat: LibTorch's C++ frontend names, spelled torch::, at:: and c10::, for
// ember. A LibTorch program that includes <torch/torch.h> builds against ember when its
// CMake target links ember::torch_compat instead of ${TORCH_LIBRARIES}; docs/libtorch-compat.md
// lists what works and the known limits.
//
// Note [torch is ember]
// torch, at and c10 are namespace aliases of ember, not namespaces of their own: every
// name LibTorch code reaches through them is ember's, so there is one API, not a copy to
// keep in sync. The cost: an alias cannot be reopened, so code that writes
// `namespace torch { ... }` (to add its own names) does not compile. ember's own sources
// and tests never include these headers (they live outside ember/, in compat/include), so
// they cannot shadow LibTorch in the differential tests.
#include <ember/ember.h>

#include <iostream>

namespace ember::jit {
// Note [No TorchScript]
// TorchScript (torch::jit: load, script::Module, trace, compile) is outside ember's scope:
// ember runs eager C++ and Python code only. Each name below exists so that using it stops
// the build with one message naming torch::jit, not a screen of template errors.
namespace detail {
template <class... T>
inline constexpr bool torchscript_unsupported = false;
struct Refused {};
}  // namespace detail
#define EMBER_NO_TORCHSCRIPT(what)                                                                        \
  static_assert(::ember::jit::detail::torchscript_unsupported<Args...>,                                   \
                what ": TorchScript (torch::jit) is not supported by ember's LibTorch compatibility "     \
                     "layer (ember::torch_compat runs eager C++ code only; see docs/libtorch-compat.md)")
namespace script {
struct Module {
  template <class... Args>
  Module(Args&&...) {  // NOLINT(google-explicit-constructor)
    EMBER_NO_TORCHSCRIPT("torch::jit::script::Module");
  }
  // What the refused functions below return, so a use reports their message only.
  explicit Module(detail::Refused) {}
};
}  // namespace script
template <class... Args>
script::Module load(Args&&...) {
  EMBER_NO_TORCHSCRIPT("torch::jit::load");
  return script::Module(detail::Refused{});
}
template <class... Args>
script::Module trace(Args&&...) {
  EMBER_NO_TORCHSCRIPT("torch::jit::trace");
  return script::Module(detail::Refused{});
}
template <class... Args>
script::Module compile(Args&&...) {
  EMBER_NO_TORCHSCRIPT("torch::jit::compile");
  return script::Module(detail::Refused{});
}
using Module = script::Module;
#undef EMBER_NO_TORCHSCRIPT
// jit::IValue is the one name that is not TorchScript-only (custom functions' saved data).
using IValue = ::ember::IValue;
}  // namespace ember::jit

namespace torch = ::ember;
namespace at = ::ember;
namespace c10 = ::ember;

// ---- LibTorch's macros --------------------------------------------------------------------
#define TORCH_MODULE(Name) EMBER_MODULE(Name)
#define TORCH_MODULE_IMPL(Name, ImplType) EMBER_MODULE_IMPL(Name, ImplType)
#define TORCH_ARG(T, name) EMBER_ARG(T, name)
// Default arguments of a module's forward, for AnyModule and Sequential
// (Note [Forward default arguments] in ember/nn/modules/container/any.h).
#define FORWARD_HAS_DEFAULT_ARGS(...) EMBER_FORWARD_HAS_DEFAULT_ARGS(__VA_ARGS__)
// TORCH_CHECK(cond, message parts...): a RuntimeError (ember::Error) with the message, or
// LibTorch's "Expected cond to be true, but got false." without one.
namespace ember::compat_detail {
template <class... Parts>
std::string check_message(const char* cond, const Parts&... parts) {
  if constexpr (sizeof...(Parts) == 0) {
    return ::ember::str("Expected ", cond, " to be true, but got false.");
  } else {
    return ::ember::str(parts...);
  }
}
}  // namespace ember::compat_detail
#define TORCH_CHECK(cond, ...) \
  EMBER_CHECK(cond, ::ember::compat_detail::check_message(#cond __VA_OPT__(, ) __VA_ARGS__))
#define TORCH_CHECK_VALUE(cond, ...) \
  EMBER_CHECK_VALUE(cond, ::ember::compat_detail::check_message(#cond __VA_OPT__(, ) __VA_ARGS__))
#define TORCH_CHECK_INDEX(cond, ...) \
  EMBER_CHECK_INDEX(cond, ::ember::compat_detail::check_message(#cond __VA_OPT__(, ) __VA_ARGS__))
#define TORCH_CHECK_TYPE(cond, ...) \
  EMBER_CHECK_TYPE(cond, ::ember::compat_detail::check_message(#cond __VA_OPT__(, ) __VA_ARGS__))
#define TORCH_INTERNAL_ASSERT(cond, ...) \
  EMBER_CHECK(cond, "Internal assert failed: ", ::ember::compat_detail::check_message(#cond __VA_OPT__(, ) __VA_ARGS__))
#define AT_ASSERT(cond) EMBER_CHECK(cond, "Assertion failed: " #cond)
#define AT_ERROR(...) EMBER_THROW(Error, __VA_ARGS__)
#define TORCH_WARN(...) (std::cerr << "Warning: " << ::ember::str(__VA_ARGS__) << std::endl)
#define TORCH_WARN_ONCE(...)                                                          \
  do {                                                                               \
    static bool ember_warned_once_ = (TORCH_WARN(__VA_ARGS__), true);                \
    (void)ember_warned_once_;                                                        \
  } while (0)
#define C10_UNUSED [[maybe_unused]]
