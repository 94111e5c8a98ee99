#pragma once
// The kernel interface: DispatchStub, the slot through which an op front end finds the
// kernel for its tensors' device. See Note [Dispatch by device].
#include <atomic>
#include <cstdint>

#include "ember/core/device.h"

namespace ember::kernels {

// Note [Dispatch by device]
// Every kernel family is one DispatchStub, declared in this directory (ember/kernels/) and
// called by the op front ends in ops/ as `stub(tensor.device())(args...)`. A backend fills
// the stubs of its device type:
//  - CPU fills one slot per instruction set (cpu/kernels/*.cpp are compiled once per ISA;
//    Note [CPU capability dispatch] in cpu/dispatch.h) and the first CPU lookup picks the
//    best one this machine runs, then caches it, so the hot path is one compare and one
//    load.
//  - Any other device type has one slot, set by its backend when it registers (a test
//    backend in tests/cpp/test_device.cpp does; CUDA will).
// A device type whose backend is not in this build, or that lacks this family, makes the
// lookup throw an error naming the family and the device: ember never calls a null
// kernel, and no op front end names a backend. Backends are registered explicitly (no
// static initialisers), so a static libember links them all.
enum class CpuCapability : int { Default = 0, AVX2 = 1, AVX512 = 2 };
constexpr int kNumCpuCapabilities = 3;

namespace detail {
// Registers the kernels of every backend built into libember, once (the CPU ones today).
void ensure_backends_registered();
// The best instruction set this CPU supports (after EMBER_CPU_CAPABILITY).
CpuCapability cpu_capability();
[[noreturn]] void no_kernel(const char* family, DeviceType type);
}  // namespace detail

template <class Fn>
class DispatchStub {
 public:
  constexpr explicit DispatchStub(const char* family) : family_(family) {}
  DispatchStub(const DispatchStub&) = delete;
  DispatchStub& operator=(const DispatchStub&) = delete;

  // The kernel for `type`; throws when there is none.
  Fn operator()(DeviceType type) {
    if (__builtin_expect(type == DeviceType::CPU, 1)) {
      Fn fn = cpu_chosen_.load(std::memory_order_acquire);
      if (__builtin_expect(fn != nullptr, 1)) return fn;
      return choose_cpu();
    }
    detail::ensure_backends_registered();
    Fn fn = devices_[static_cast<int>(type)].load(std::memory_order_acquire);
    if (!fn) detail::no_kernel(family_, type);
    return fn;
  }
  Fn operator()(const Device& device) { return (*this)(device.type); }

  // Backend registration. The CPU slots are filled before the first lookup (by
  // detail::ensure_backends_registered); another device type's slot may change at any time
  // and returns the kernel it replaces (nullptr removes it).
  void register_cpu(CpuCapability isa, Fn fn) { cpu_table_[static_cast<int>(isa)] = fn; }
  Fn register_device(DeviceType type, Fn fn) {
    return devices_[static_cast<int>(type)].exchange(fn, std::memory_order_acq_rel);
  }
  const char* family() const { return family_; }

 private:
  Fn choose_cpu() {
    detail::ensure_backends_registered();
    for (int c = static_cast<int>(detail::cpu_capability()); c >= 0; --c)
      if (Fn fn = cpu_table_[c]) {
        cpu_chosen_.store(fn, std::memory_order_release);
        return fn;
      }
    detail::no_kernel(family_, DeviceType::CPU);
  }

  const char* family_;
  std::atomic<Fn> cpu_chosen_{nullptr};
  Fn cpu_table_[kNumCpuCapabilities] = {};
  std::atomic<Fn> devices_[kNumDeviceTypes] = {};
};

}  // namespace ember::kernels
