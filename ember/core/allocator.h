#pragma once
// Allocators by device, and the CPU caching allocator. See Note [Allocators by device] and
// Note [Caching allocator].
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "ember/core/device.h"

namespace ember {

// Note [Allocators by device]
// Each device type has one Allocator. StorageImpl looks it up when it allocates and keeps
// it to free the block, so no code outside a backend names a device's allocator. CPU's is
// the caching allocator below; a backend registers its own at start-up. A device type with
// none (CUDA in a build without it) fails at allocation with an error saying so, the stub
// backend MLX calls no_gpu.
class Allocator {
 public:
  virtual void* allocate(size_t nbytes) = 0;
  virtual void deallocate(void* p, size_t nbytes) = 0;

 protected:
  ~Allocator() = default;  // never deleted through this interface: allocators live forever
};

namespace detail {
inline std::atomic<bool> non_cpu_allocator_registered{false};
}
// False until an allocator is registered for a device type other than the CPU; until then
// every tensor is a CPU tensor (storage on a device type needs its allocator, even for
// external memory), so checks that operands share a device can be skipped on the hot path.
// Never goes back to false.
inline bool non_cpu_devices_possible() { return detail::non_cpu_allocator_registered.load(std::memory_order_relaxed); }

// The allocator of `type`, or nullptr when this build has none.
Allocator* allocator_for(DeviceType type);
// Makes `a` (not owned; it must outlive every tensor on that device type) the allocator of
// `type` and returns the previous one. nullptr removes it.
Allocator* register_allocator(DeviceType type, Allocator* a);

// Note [Caching allocator]
// Every op allocates its output. Going to malloc for each one costs little for small
// blocks but a lot for large ones: glibc serves blocks over its mmap threshold with fresh
// pages, so every op on a 64 MB tensor page-faults 16k pages (PyTorch pays exactly that;
// DESIGN.md measured 45x over its out= forms). ember keeps freed blocks, small and large,
// in per-size-class free lists and hands them out again. Rules:
//  - Sizes are rounded up to a size class (powers of two split in four), so a freed block
//    serves any request of the same class. Every block is 64-byte aligned (AVX-512 loads).
//  - The cache holds at most `cache_limit` bytes; beyond it freed blocks go back to the OS.
//  - All calls are thread-safe (a mutex; uncontended it costs a few nanoseconds).
//  - Under AddressSanitizer, or with EMBER_NO_CACHING_ALLOCATOR=1 in the environment,
//    nothing is cached, so use-after-free is still caught.
class CPUAllocator final : public Allocator {
 public:
  static CPUAllocator& get();
  void* allocate(size_t nbytes) override;
  void deallocate(void* p, size_t nbytes) override;
  // Returns all cached blocks to the OS (torch.cuda.empty_cache's CPU counterpart).
  void empty_cache();
  size_t cached_bytes() const;
  size_t allocated_bytes() const;
  void set_cache_limit(size_t bytes);

 private:
  CPUAllocator();
  struct Impl;
  Impl* impl_;
};

// Frees every cached block.
void empty_cache();

}  // namespace ember
