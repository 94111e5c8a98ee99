// Autocast's thread-local state, the weight-cast cache and the guard (ember/ops/autocast.h).
#include "ember/ops/autocast.h"

#include <unordered_map>

#include "ember/core/tensor_impl.h"

namespace ember::autocast {

namespace detail {
thread_local constinit uint8_t tls_enabled_mask = 0;
}  // namespace detail

namespace {

// The lower-precision dtype per device type (DeviceType order): torch 1.13's defaults,
// bfloat16 on the CPU and float16 on CUDA.
thread_local ScalarType tls_dtype[kNumDeviceTypes] = {kBFloat16, kHalf, kHalf};
thread_local bool tls_cache_enabled = true;
thread_local int tls_nesting = 0;

// Note [Autocast weight cache]
// Inside an autocast region a model's parameters are cast to the lower-precision dtype by
// every op that uses them, often several times per forward pass (a weight shared by two
// layers, or one layer called per time step). As PyTorch (after Apex) does, the casts of
// float32 leaves that require grad and are not views -- parameters -- to the autocast dtype
// are cached, keyed by the source's TensorImpl, and the cached cast is returned while the
// cache lives. The entry holds a reference to the source, so the address cannot be reused by
// another tensor while the entry exists (PyTorch holds a weak reference for the same reason).
// The cache is per thread, as the autocast state is, and is emptied when the outermost
// autocast region exits (decrement_nesting() returns 0) or by clear_cache(). The cached cast
// is a differentiable copy made once, so every use in the region back-propagates into the
// parameter through one ToCopyBackward0 node, and the parameter's gradient is float32.
// A cast made under no_grad has no history; reusing it later in the same region with grad
// on gives no gradient to the parameter -- PyTorch's cache does the same.
struct CacheEntry {
  Tensor source;
  Tensor cast;
};
std::unordered_map<TensorImpl*, CacheEntry>& cache() {
  thread_local std::unordered_map<TensorImpl*, CacheEntry> c;
  return c;
}

int index_of(DeviceType t) { return static_cast<int>(t); }

bool eligible(const Tensor& t, DeviceType device_type) {
  return t.defined() && t.device().type == device_type && t.is_floating_point() && t.dtype() != kDouble;
}

}  // namespace

const char* op_name(Op op) {
  switch (op) {
#define EMBER_AUTOCAST_NAME_(name, policy) \
  case Op::name:                           \
    return #name;
    EMBER_AUTOCAST_OPS(EMBER_AUTOCAST_NAME_)
#undef EMBER_AUTOCAST_NAME_
  }
  return "?";
}

const char* policy_name(CastPolicy policy) {
  switch (policy) {
    case CastPolicy::lower_precision_fp:
      return "lower_precision_fp";
    case CastPolicy::fp32:
      return "fp32";
    case CastPolicy::promote:
      return "promote";
  }
  return "?";
}

std::vector<std::pair<const char*, CastPolicy>> policy_table() {
  return {
#define EMBER_AUTOCAST_ROW_(name, policy) {#name, CastPolicy::policy},
      EMBER_AUTOCAST_OPS(EMBER_AUTOCAST_ROW_)
#undef EMBER_AUTOCAST_ROW_
  };
}

bool is_autocast_enabled(DeviceType device_type) {
  return (detail::tls_enabled_mask >> index_of(device_type)) & 1;
}
void set_autocast_enabled(DeviceType device_type, bool enabled) {
  uint8_t bit = static_cast<uint8_t>(1u << index_of(device_type));
  detail::tls_enabled_mask = enabled ? (detail::tls_enabled_mask | bit) : (detail::tls_enabled_mask & ~bit);
}
ScalarType get_autocast_dtype(DeviceType device_type) { return tls_dtype[index_of(device_type)]; }
void set_autocast_dtype(DeviceType device_type, ScalarType dtype) {
  if (device_type == DeviceType::CPU)
    EMBER_CHECK(dtype == kBFloat16, "Currently, AutocastCPU only support Bfloat16 as the autocast_cpu_dtype");
  tls_dtype[index_of(device_type)] = dtype;
}

bool is_enabled() { return is_autocast_enabled(DeviceType::CUDA); }
void set_enabled(bool enabled) { set_autocast_enabled(DeviceType::CUDA, enabled); }
bool is_cpu_enabled() { return is_autocast_enabled(DeviceType::CPU); }
void set_cpu_enabled(bool enabled) { set_autocast_enabled(DeviceType::CPU, enabled); }
ScalarType get_autocast_gpu_dtype() { return get_autocast_dtype(DeviceType::CUDA); }
void set_autocast_gpu_dtype(ScalarType dtype) { set_autocast_dtype(DeviceType::CUDA, dtype); }
ScalarType get_autocast_cpu_dtype() { return get_autocast_dtype(DeviceType::CPU); }
void set_autocast_cpu_dtype(ScalarType dtype) { set_autocast_dtype(DeviceType::CPU, dtype); }
bool is_autocast_cache_enabled() { return tls_cache_enabled; }
void set_autocast_cache_enabled(bool enabled) { tls_cache_enabled = enabled; }
void clear_cache() { cache().clear(); }
size_t cache_size() { return cache().size(); }
int increment_nesting() { return ++tls_nesting; }
int decrement_nesting() { return --tls_nesting; }

Tensor cached_cast(ScalarType to_type, const Tensor& arg, DeviceType device_type) {
  if (!eligible(arg, device_type) || arg.dtype() == to_type) return arg;
  bool can_cache = tls_cache_enabled && to_type == get_autocast_dtype(device_type) && arg.dtype() == kFloat &&
                   arg.requires_grad() && arg.is_leaf() && arg.unsafeGetTensorImpl()->view_base() == nullptr;
  if (!can_cache) return arg.to(to_type);
  auto& c = cache();
  auto it = c.find(arg.unsafeGetTensorImpl());
  if (it != c.end()) return it->second.cast;
  Tensor cast = arg.to(to_type);
  c.emplace(arg.unsafeGetTensorImpl(), CacheEntry{arg, cast});
  return cast;
}

namespace detail {

ScalarType lower_precision_dtype(DeviceType device_type) { return get_autocast_dtype(device_type); }

void prioritize(ScalarType& current, const Tensor& t, DeviceType device_type) {
  if (!t.defined() || t.device().type != device_type || !t.is_floating_point()) return;
  ScalarType next = t.dtype();
  if (next == kDouble) return;  // float64 arguments are neither cast nor widen the others
  ScalarType lower = get_autocast_dtype(device_type);
  if (current == kFloat || next == kFloat) {
    current = kFloat;
  } else {
    EMBER_CHECK(current == lower && next == lower, "Unexpected floating ScalarType in at::autocast::prioritize");
  }
}

}  // namespace detail

AutocastGuard::AutocastGuard(DeviceType device_type, std::optional<ScalarType> dtype, bool enabled,
                             std::optional<bool> cache_enabled)
    : device_type_(device_type) {
  EMBER_CHECK(device_type == DeviceType::CPU || device_type == DeviceType::CUDA,
              "User specified autocast device_type must be 'cuda' or 'cpu'");
  ScalarType fast = dtype.value_or(get_autocast_dtype(device_type));
  // torch.autocast("cpu", dtype=torch.float16) warns that it disables itself and then fails
  // on entry with this error; C++ has no warnings, so the guard fails at once, changing nothing.
  if (device_type == DeviceType::CPU)
    EMBER_CHECK(fast == kBFloat16, "Currently, AutocastCPU only support Bfloat16 as the autocast_cpu_dtype");
  // No CUDA in this build: as torch where CUDA is not available, a disabled region.
  if (device_type == DeviceType::CUDA) enabled = false;
  prev_enabled_ = is_autocast_enabled(device_type);
  prev_dtype_ = get_autocast_dtype(device_type);
  prev_cache_enabled_ = tls_cache_enabled;
  set_autocast_enabled(device_type, enabled);
  set_autocast_dtype(device_type, fast);
  increment_nesting();
  tls_cache_enabled = cache_enabled.value_or(tls_cache_enabled);
}

AutocastGuard::~AutocastGuard() {
  // Leaving the outermost region drops the cached casts, so none outlive it.
  if (decrement_nesting() == 0) clear_cache();
  set_autocast_enabled(device_type_, prev_enabled_);
  tls_dtype[index_of(device_type_)] = prev_dtype_;
  tls_cache_enabled = prev_cache_enabled_;
}

}  // namespace ember::autocast
