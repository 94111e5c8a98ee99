#pragma once
// The CPU caching allocator. See Note [Caching allocator].
#include <cstddef>
#include <cstdint>

namespace ember {

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
class CPUAllocator {
 public:
  static CPUAllocator& get();
  void* allocate(size_t nbytes);
  void deallocate(void* p, size_t nbytes);
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
