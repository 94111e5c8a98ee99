#pragma once
// Note [Small object pool]
// Every op result creates a TensorImpl (and usually a StorageImpl) and destroys them soon
// after; for tiny tensors the two heap round trips are a third of the op's cost. The
// classes route their operator new/delete through ThreadBlockCache, a per-thread stack of
// up to kCapacity free blocks of exactly their size: allocation and release are a few
// instructions with no lock. A block freed on another thread simply joins that thread's
// cache (all blocks come from the global heap). The cache frees its blocks when its thread
// exits; releases after that go straight to the heap. Under AddressSanitizer the cache is
// off, so use-after-free is still caught.
#include <cstddef>
#include <new>

namespace ember::detail {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kPoolSmallObjects = false;
#else
inline constexpr bool kPoolSmallObjects = true;
#endif

template <size_t BlockSize>
class ThreadBlockCache {
 public:
  static void* allocate() {
    if constexpr (kPoolSmallObjects) {
      Cache& c = local();
      if (c.count > 0) return c.blocks[--c.count];
    }
    return ::operator new(BlockSize);
  }
  static void deallocate(void* p) noexcept {
    if constexpr (kPoolSmallObjects) {
      Cache& c = local();
      if (c.alive && c.count < kCapacity) {
        c.blocks[c.count++] = p;
        return;
      }
    }
    ::operator delete(p);
  }

 private:
  static constexpr int kCapacity = 64;
  struct Cache {
    void* blocks[kCapacity];
    int count = 0;
    bool alive = true;
    ~Cache() {
      for (int i = 0; i < count; ++i) ::operator delete(blocks[i]);
      count = 0;
      alive = false;
    }
  };
  static Cache& local() {
    thread_local Cache cache;
    return cache;
  }
};

}  // namespace ember::detail

// Class-specific operator new/delete through ThreadBlockCache for objects of exactly
// sizeof(Class); derived classes of another size use the global heap.
#define EMBER_POOLED_ALLOCATION(Class)                                                      \
  static void* operator new(size_t n) {                                                     \
    return n == sizeof(Class) ? ::ember::detail::ThreadBlockCache<sizeof(Class)>::allocate() \
                              : ::operator new(n);                                          \
  }                                                                                         \
  static void operator delete(void* p, size_t n) noexcept {                                 \
    if (n == sizeof(Class)) ::ember::detail::ThreadBlockCache<sizeof(Class)>::deallocate(p); \
    else ::operator delete(p);                                                              \
  }
