#pragma once
// Storage: a reference-counted block of memory on one device, shared by a tensor and all
// its views.
#include <cstddef>
#include <cstdint>
#include <functional>

#include "ember/core/device.h"
#include "ember/core/small_object_pool.h"
#include "ember/core/intrusive_ptr.h"

namespace ember {

class Allocator;  // core/allocator.h

// Note [Version counter]
// In-place ops bump a version number that autograd compares with the one it saw when it
// saved a tensor for backward ("...has been modified by an inplace operation"). PyTorch
// shares one counter between a tensor, its views and its detach()ed aliases. All of those
// share this Storage, so the counter lives here: one counter per block of memory.
class StorageImpl : public RefCounted {
 public:
  using Deleter = std::function<void(void*)>;

  // Owns `nbytes` fresh bytes: from the device's allocator (Note [Allocators by device]),
  // or for tiny CPU tensors from a buffer inside this object (Note [Inline storage]).
  StorageImpl(size_t nbytes, Device device);
  // Wraps external memory (from_blob). `deleter` (may be empty) runs when the last
  // tensor using the memory dies.
  StorageImpl(void* data, size_t nbytes, Device device, Deleter deleter);
  ~StorageImpl() override;
  EMBER_POOLED_ALLOCATION(StorageImpl)  // Note [Small object pool]
  StorageImpl(const StorageImpl&) = delete;
  StorageImpl& operator=(const StorageImpl&) = delete;

  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }
  Device device() const { return device_; }
  bool owns_memory() const { return owned_; }

  uint32_t version() const { return version_.load(std::memory_order_relaxed); }
  void bump_version() { version_.fetch_add(1, std::memory_order_relaxed); }

 private:
  void* data_ = nullptr;
  size_t nbytes_ = 0;
  Device device_;
  bool owned_ = true;
  Allocator* allocator_ = nullptr;  // what frees data_ when owned_ and not inline_
  Deleter deleter_;
  std::atomic<uint32_t> version_{0};
  bool inline_ = false;
  // Note [Inline storage]: tensors of at most kInlineBytes (scalars, losses, small
  // vectors) keep their bytes here, so creating one costs a single heap allocation and
  // no allocator lock; that is most of a 1-element op's cost. 16-byte alignment suits
  // every dtype; kernels never assume more (from_blob memory may be unaligned anyway).
 public:
  static constexpr size_t kInlineBytes = 64;

 private:
  alignas(16) unsigned char inline_bytes_[kInlineBytes];
};

using Storage = intrusive_ptr<StorageImpl>;

}  // namespace ember
