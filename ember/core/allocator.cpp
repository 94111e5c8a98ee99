#include "ember/core/allocator.h"

#include <sys/mman.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <new>
#include <vector>

namespace ember {

namespace {
constexpr size_t kAlignment = 64;
constexpr int kNumClasses = 64 * 4;

// Size class: blocks up to 64 bytes share class 0; above that each power of two is split
// into four classes.
// Every class size is a multiple of kAlignment (aligned_alloc requires it).
int size_class(size_t n, size_t* rounded) {
  if (n <= 64) {
    *rounded = 64;
    return 0;
  }
  if (n <= 256) {  // 128, 192, 256 (classes 2..4): quarter steps this small are not multiples of 64
    *rounded = (n + 63) & ~size_t(63);
    return static_cast<int>(*rounded / 64);
  }
  int log2 = 63 - __builtin_clzll(n - 1);  // 2^log2 < n <= 2^(log2+1), log2 >= 8 here
  size_t base = size_t(1) << log2;
  size_t quarter = base / 4;
  size_t steps = (n - base + quarter - 1) / quarter;  // 1..4
  *rounded = base + steps * quarter;
  return (log2 - 5) * 4 + static_cast<int>(steps) - 4 + 1;
}

// Note [Huge pages for large blocks]
// A fresh 4 KiB page costs a fault to map it in, and on this project's virtual machines a
// fault is slow: first touching 100 MB of fresh memory takes 0.3-0.6 s with 4 KiB pages
// against 0.01-0.2 s with 2 MiB transparent huge pages, which the kernel gives only to
// mappings that ask (transparent_hugepage=madvise, Debian's default). Loading a checkpoint,
// the first training step and every dataset read pay that on each new large block. So
// blocks of kHugeBlockMin bytes and more are their own mappings, started on a 2 MiB
// boundary and marked MADV_HUGEPAGE. Each mapping ends at the block's end, so the tail past
// the last whole 2 MiB stays in small pages and a block never holds more resident memory
// than the bytes it spans. Blocks are cached as before; only the trip to the OS changes.
// With caching disabled (sanitizers, EMBER_NO_CACHING_ALLOCATOR=1) every block comes from
// malloc, whose use-after-free checks those modes exist for.
constexpr size_t kHugePage = size_t(2) << 20;
constexpr size_t kHugeBlockMin = size_t(4) << 20;
constexpr size_t kPage = 4096;

size_t mapping_size(size_t rounded) { return (rounded + kPage - 1) & ~(kPage - 1); }

void* map_huge_block(size_t rounded) {
  const size_t len = mapping_size(rounded);
  void* raw = ::mmap(nullptr, len + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  const auto start = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = (start + kHugePage - 1) & ~uintptr_t(kHugePage - 1);
  // Give back the slack on both sides of the aligned block.
  if (aligned > start) ::munmap(raw, aligned - start);
  const uintptr_t end = aligned + len, raw_end = start + len + kHugePage;
  if (raw_end > end) ::munmap(reinterpret_cast<void*>(end), raw_end - end);
  void* p = reinterpret_cast<void*>(aligned);
  (void)::madvise(p, len, MADV_HUGEPAGE);  // advice only: without THP the block still works
  return p;
}

bool uses_huge_mapping(bool caching_disabled, size_t rounded) { return !caching_disabled && rounded >= kHugeBlockMin; }

// Gives a block back to the OS (a block of `rounded` bytes, as allocate made it).
void release_block(bool caching_disabled, void* p, size_t rounded) {
  if (uses_huge_mapping(caching_disabled, rounded)) {
    ::munmap(p, mapping_size(rounded));
  } else {
    std::free(p);
  }
}

// The block size of class `cls` (the inverse of size_class).
size_t class_size(int cls) {
  if (cls <= 4) return cls == 0 ? 64 : static_cast<size_t>(cls) * 64;
  const int t = cls + 3;  // = (log2 - 5) * 4 + steps, steps in 1..4
  const int log2 = 5 + (t - 1) / 4, steps = (t - 1) % 4 + 1;
  const size_t base = size_t(1) << log2;
  return base + static_cast<size_t>(steps) * (base / 4);
}

bool caching_disabled() {
#if defined(__SANITIZE_ADDRESS__)
  return true;
#else
  const char* env = std::getenv("EMBER_NO_CACHING_ALLOCATOR");
  return env && env[0] == '1';
#endif
}
}  // namespace

struct CPUAllocator::Impl {
  std::mutex mu;
  std::vector<void*> free_lists[kNumClasses];
  size_t cached = 0;
  size_t allocated = 0;
  size_t cache_limit = size_t(4) << 30;
  bool disabled = caching_disabled();
};

CPUAllocator::CPUAllocator() : impl_(new Impl) {}

namespace {
std::atomic<Allocator*>* allocator_table() {
  // Function-local, so storage made during other static initialisers still finds CPU's.
  static std::atomic<Allocator*> table[kNumDeviceTypes] = {&CPUAllocator::get()};
  return table;
}
}  // namespace

Allocator* allocator_for(DeviceType type) {
  return allocator_table()[static_cast<int>(type)].load(std::memory_order_acquire);
}

Allocator* register_allocator(DeviceType type, Allocator* a) {
  if (type != DeviceType::CPU && a) detail::non_cpu_allocator_registered.store(true, std::memory_order_relaxed);
  return allocator_table()[static_cast<int>(type)].exchange(a, std::memory_order_acq_rel);
}

CPUAllocator& CPUAllocator::get() {
  // Leaked on purpose: tensors held in static objects may be freed after main returns.
  static CPUAllocator* instance = new CPUAllocator();
  return *instance;
}

void* CPUAllocator::allocate(size_t nbytes) {
  size_t rounded;
  int cls = size_class(nbytes, &rounded);
  if (!impl_->disabled) {
    std::lock_guard<std::mutex> lock(impl_->mu);
    auto& list = impl_->free_lists[cls];
    impl_->allocated += rounded;
    if (!list.empty()) {
      void* p = list.back();
      list.pop_back();
      impl_->cached -= rounded;
      return p;
    }
  } else {
    // Not caching (sanitizers): still count live bytes, which tests use to check that
    // memory stays flat.
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->allocated += rounded;
  }
  const bool huge = uses_huge_mapping(impl_->disabled, rounded);
  void* p = huge ? map_huge_block(rounded) : std::aligned_alloc(kAlignment, rounded);
  if (!p) {
    empty_cache();
    p = huge ? map_huge_block(rounded) : std::aligned_alloc(kAlignment, rounded);
    if (!p) throw std::bad_alloc();
  }
  return p;
}



void CPUAllocator::deallocate(void* p, size_t nbytes) {
  if (!p) return;
  size_t rounded;
  int cls = size_class(nbytes, &rounded);
  if (!impl_->disabled) {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->allocated -= rounded;
    if (impl_->cached + rounded <= impl_->cache_limit) {
      impl_->free_lists[cls].push_back(p);
      impl_->cached += rounded;
      return;
    }
  } else {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->allocated -= rounded;
  }
  release_block(impl_->disabled, p, rounded);
}

void CPUAllocator::empty_cache() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  for (int cls = 0; cls < kNumClasses; ++cls) {
    for (void* p : impl_->free_lists[cls]) release_block(impl_->disabled, p, class_size(cls));
    impl_->free_lists[cls].clear();
  }
  impl_->cached = 0;
}

size_t CPUAllocator::cached_bytes() const { return impl_->cached; }
size_t CPUAllocator::allocated_bytes() const { return impl_->allocated; }
void CPUAllocator::set_cache_limit(size_t bytes) { impl_->cache_limit = bytes; }

void empty_cache() { CPUAllocator::get().empty_cache(); }

}  // namespace ember
