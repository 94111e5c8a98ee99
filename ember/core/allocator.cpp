#include "ember/core/allocator.h"

#include <atomic>

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
  void* p = std::aligned_alloc(kAlignment, rounded);
  if (!p) {
    empty_cache();
    p = std::aligned_alloc(kAlignment, rounded);
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
  std::free(p);
}

void CPUAllocator::empty_cache() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  for (auto& list : impl_->free_lists) {
    for (void* p : list) std::free(p);
    list.clear();
  }
  impl_->cached = 0;
}

size_t CPUAllocator::cached_bytes() const { return impl_->cached; }
size_t CPUAllocator::allocated_bytes() const { return impl_->allocated; }
void CPUAllocator::set_cache_limit(size_t bytes) { impl_->cache_limit = bytes; }

void empty_cache() { CPUAllocator::get().empty_cache(); }

}  // namespace ember
