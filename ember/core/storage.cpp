#include "ember/core/storage.h"

#include "ember/core/allocator.h"
#include "ember/core/error.h"

namespace ember {

StorageImpl::StorageImpl(size_t nbytes, Device device) : nbytes_(nbytes), device_(device) {
  EMBER_CHECK_AS(NotImplementedError, device.is_cpu(),
                 "ember was built without CUDA support; cannot allocate on ", device);
  if (nbytes <= kInlineBytes) {
    inline_ = true;
    data_ = inline_bytes_;
  } else {
    data_ = CPUAllocator::get().allocate(nbytes);
  }
}

StorageImpl::StorageImpl(void* data, size_t nbytes, Device device, Deleter deleter)
    : data_(data), nbytes_(nbytes), device_(device), owned_(false), deleter_(std::move(deleter)) {}

StorageImpl::~StorageImpl() {
  if (inline_) {
    return;
  } else if (owned_) {
    CPUAllocator::get().deallocate(data_, nbytes_);
  } else if (deleter_) {
    deleter_(data_);
  }
}

}  // namespace ember
