#include "ember/core/storage.h"

#include "ember/core/allocator.h"
#include "ember/core/error.h"

namespace ember {

StorageImpl::StorageImpl(size_t nbytes, Device device) : nbytes_(nbytes), device_(device) {
  if (nbytes <= kInlineBytes && device.is_cpu()) {  // Note [Inline storage]
    inline_ = true;
    data_ = inline_bytes_;
    return;
  }
  allocator_ = allocator_for(device.type);  // Note [Allocators by device]
  if (!allocator_) {
    if (device.is_cuda()) EMBER_THROW(NotImplementedError, "ember was built without CUDA support; cannot allocate on ", device);
    EMBER_THROW(NotImplementedError, "no backend is registered for device type ", device.type, "; cannot allocate on ", device);
  }
  data_ = allocator_->allocate(nbytes);
}

StorageImpl::StorageImpl(void* data, size_t nbytes, Device device, Deleter deleter)
    : data_(data), nbytes_(nbytes), device_(device), owned_(false), deleter_(std::move(deleter)) {
  // External memory on a device type needs that device's backend too (see
  // non_cpu_devices_possible in allocator.h).
  if (!device.is_cpu() && !allocator_for(device.type)) {
    if (device.is_cuda()) EMBER_THROW(NotImplementedError, "ember was built without CUDA support; cannot use memory on ", device);
    EMBER_THROW(NotImplementedError, "no backend is registered for device type ", device.type, "; cannot use memory on ", device);
  }
}

StorageImpl::~StorageImpl() {
  if (inline_) {
    return;
  } else if (owned_) {
    allocator_->deallocate(data_, nbytes_);
  } else if (deleter_) {
    deleter_(data_);
  }
}

}  // namespace ember
