#pragma once
// Automatic mixed precision: autocast (LibTorch's at::autocast, torch.autocast in Python).
//
//   {
//     ember::autocast::AutocastGuard guard(ember::kCPU);    // bfloat16 on the CPU
//     auto y = model->forward(x);                            // linear/conv/matmul in bfloat16
//     auto loss = F::cross_entropy(y, target);               // losses in float32
//   }                                                        // weight-cast cache cleared here
//   loss.backward();                                         // parameter grads in float32
//
// The state is thread-local: per device type whether autocast is on and its lower-precision
// dtype (CPU: bfloat16, the only one torch 1.13 allows there; CUDA: float16), whether the
// weight-cast cache is on, and how deep the guards nest. Which op does what is the policy
// table, ember/ops/autocast_list.h (Note [Autocast policy table]).
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "ember/core/tensor.h"
#include "ember/ops/autocast_list.h"

namespace ember::autocast {

enum class CastPolicy : uint8_t { lower_precision_fp, fp32, promote };

// One value per row of the policy table.
enum class Op : uint8_t {
#define EMBER_AUTOCAST_ENUM_(name, policy) name,
  EMBER_AUTOCAST_OPS(EMBER_AUTOCAST_ENUM_)
#undef EMBER_AUTOCAST_ENUM_
};

constexpr CastPolicy policy_of(Op op) {
  switch (op) {
#define EMBER_AUTOCAST_CASE_(name, policy) \
  case Op::name:                           \
    return CastPolicy::policy;
    EMBER_AUTOCAST_OPS(EMBER_AUTOCAST_CASE_)
#undef EMBER_AUTOCAST_CASE_
  }
  return CastPolicy::fp32;  // unreachable: the switch lists every row
}
const char* op_name(Op op);
const char* policy_name(CastPolicy policy);  // "lower_precision_fp", "fp32", "promote"
// Every row, in table order (for tests, docs and the Python binding).
std::vector<std::pair<const char*, CastPolicy>> policy_table();

// ---- LibTorch's at::autocast functions ------------------------------------------------------
bool is_enabled();  // CUDA, as in LibTorch
void set_enabled(bool enabled);
bool is_cpu_enabled();
void set_cpu_enabled(bool enabled);
ScalarType get_autocast_gpu_dtype();
void set_autocast_gpu_dtype(ScalarType dtype);
ScalarType get_autocast_cpu_dtype();
// Throws for anything but bfloat16, as torch 1.13 does ("Currently, AutocastCPU only support
// Bfloat16 as the autocast_cpu_dtype").
void set_autocast_cpu_dtype(ScalarType dtype);
bool is_autocast_cache_enabled();
void set_autocast_cache_enabled(bool enabled);
// Drops every cached cast (Note [Autocast weight cache] in autocast.cpp).
void clear_cache();
// The nesting depth of autocast regions; the outermost region's exit clears the cache.
int increment_nesting();
int decrement_nesting();
// By device type (LibTorch 2.x's spelling; the functions above are these for kCPU / kCUDA).
bool is_autocast_enabled(DeviceType device_type);
void set_autocast_enabled(DeviceType device_type, bool enabled);
ScalarType get_autocast_dtype(DeviceType device_type);
void set_autocast_dtype(DeviceType device_type, ScalarType dtype);
// ember: how many casts the cache holds now (tests).
size_t cache_size();

// `arg` cast to `to_type` when autocast may cast it (defined, on `device_type`, floating
// point, not float64, not already `to_type`), else `arg` itself. A float32 leaf that requires
// grad (a parameter) cast to the autocast dtype is cached while the cache is on.
Tensor cached_cast(ScalarType to_type, const Tensor& arg, DeviceType device_type = DeviceType::CPU);

// An autocast region (torch.autocast as a scope): on entry sets the device type's autocast
// flag and dtype and the cache flag and increments the nesting; on exit restores them, and
// the outermost region's exit clears the cache. AutocastGuard(kCPU, std::nullopt, false) is an
// `enabled=False` region inside an enabled one. device_type kCUDA: ember has no CUDA, so, as
// torch does where CUDA is not available, the region is a disabled one.
class AutocastGuard {
 public:
  explicit AutocastGuard(DeviceType device_type, std::optional<ScalarType> dtype = std::nullopt, bool enabled = true,
                         std::optional<bool> cache_enabled = std::nullopt);
  ~AutocastGuard();
  AutocastGuard(const AutocastGuard&) = delete;
  AutocastGuard& operator=(const AutocastGuard&) = delete;

 private:
  DeviceType device_type_;
  bool prev_enabled_;
  ScalarType prev_dtype_;
  bool prev_cache_enabled_;
};

namespace detail {

// Bit i: autocast is on for DeviceType i. The one word an op of the table reads when
// autocast is off (Note [Autocast policy table]); constinit, so the read is a plain
// thread-local load with no initialisation check.
extern thread_local constinit uint8_t tls_enabled_mask;
inline bool active() noexcept { return tls_enabled_mask != 0; }

// Autocast off for the duration of one op's call, so the ops it calls are not cast again.
class ExcludeGuard {
 public:
  ExcludeGuard() noexcept : saved_(tls_enabled_mask) { tls_enabled_mask = 0; }
  ~ExcludeGuard() { tls_enabled_mask = saved_; }
  ExcludeGuard(const ExcludeGuard&) = delete;
  ExcludeGuard& operator=(const ExcludeGuard&) = delete;
  bool was_enabled(DeviceType t) const noexcept { return (saved_ >> static_cast<int>(t)) & 1; }

 private:
  uint8_t saved_;
};

// The device type of the first defined tensor argument.
inline void find_device(std::optional<DeviceType>& d, const Tensor& t) {
  if (!d && t.defined()) d = t.device().type;
}
inline void find_device(std::optional<DeviceType>& d, TensorList l) {
  for (const Tensor& t : l) find_device(d, t);
}
inline void find_device(std::optional<DeviceType>& d, const std::vector<Tensor>& l) { find_device(d, TensorList(l)); }
template <class T>
inline void find_device(std::optional<DeviceType>&, const T&) {}

// The promote policy's widest type: float32 if any castable argument is float32, else the
// autocast dtype; float64 arguments are ignored (and left alone by the cast).
void prioritize(ScalarType& current, const Tensor& t, DeviceType device_type);
inline void prioritize(ScalarType& current, TensorList l, DeviceType device_type) {
  for (const Tensor& t : l) prioritize(current, t, device_type);
}
inline void prioritize(ScalarType& current, const std::vector<Tensor>& l, DeviceType device_type) {
  prioritize(current, TensorList(l), device_type);
}
template <class T>
inline void prioritize(ScalarType&, const T&, DeviceType) {}

inline Tensor cast_arg(ScalarType to, const Tensor& t, DeviceType d) { return cached_cast(to, t, d); }
inline std::vector<Tensor> cast_arg(ScalarType to, TensorList l, DeviceType d) {
  std::vector<Tensor> out;
  out.reserve(l.size());
  for (const Tensor& t : l) out.push_back(cached_cast(to, t, d));
  return out;
}
inline std::vector<Tensor> cast_arg(ScalarType to, const std::vector<Tensor>& l, DeviceType d) {
  return cast_arg(to, TensorList(l), d);
}
template <class T>
inline const T& cast_arg(ScalarType, const T& a, DeviceType) {
  return a;
}

ScalarType lower_precision_dtype(DeviceType device_type);

// Runs `f` on the arguments cast by `op`'s policy, with autocast off inside.
template <class F, class... Args>
auto run(Op op, F&& f, const Args&... args) {
  ExcludeGuard guard;
  std::optional<DeviceType> device;
  (find_device(device, args), ...);
  if (!device || !guard.was_enabled(*device)) return f(args...);
  ScalarType to = kFloat;
  switch (policy_of(op)) {
    case CastPolicy::lower_precision_fp:
      to = lower_precision_dtype(*device);
      break;
    case CastPolicy::fp32:
      to = kFloat;
      break;
    case CastPolicy::promote:
      to = lower_precision_dtype(*device);
      (prioritize(to, args, *device), ...);
      break;
  }
  return f(cast_arg(to, args, *device)...);
}

}  // namespace detail
}  // namespace ember::autocast

// The hook of a policy-table row, the first statement of its op's front end:
//   Tensor mm(const Tensor& self, const Tensor& mat2) {
//     EMBER_AUTOCAST(mm, self, mat2);
//     ...
// With autocast off it is one thread-local load and a not-taken branch; with it on, the op is
// called again with its arguments cast and autocast off.
#define EMBER_AUTOCAST(op, ...) EMBER_AUTOCAST_AS(op, op, __VA_ARGS__)
// A row whose op is one mode of a wider front end: F::pad's reflect mode is the row
// reflection_pad, so pad calls EMBER_AUTOCAST_AS(reflection_pad, pad, input, options).
#define EMBER_AUTOCAST_AS(row, fn, ...)                                                                    \
  do {                                                                                                     \
    if (::ember::autocast::detail::active()) [[unlikely]]                                                  \
      return ::ember::autocast::detail::run(                                                               \
          ::ember::autocast::Op::row, [](const auto&... autocast_args_) { return fn(autocast_args_...); }, \
          __VA_ARGS__);                                                                                    \
  } while (0)
