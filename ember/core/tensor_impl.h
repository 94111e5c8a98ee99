#pragma once
// TensorImpl: the shared state behind a Tensor handle (storage, sizes, strides, offset,
// dtype, device, and the autograd slot).
#include <cstdint>
#include <memory>

#include "ember/core/array_ref.h"
#include "ember/core/device.h"
#include "ember/core/dtype.h"
#include "ember/core/intrusive_ptr.h"
#include "ember/core/small_object_pool.h"
#include "ember/core/storage.h"

namespace ember {

// The autograd slot. core/ knows nothing of autograd; autograd/ derives from this.
// A tensor that has never been touched by autograd has a null slot, so plain tensor math
// pays nothing for autograd's existence.
struct AutogradMetaBase {
  virtual ~AutogradMetaBase() = default;
};

class TensorImpl : public RefCounted {
 public:
  TensorImpl(Storage storage, ScalarType dtype, IntArrayRef sizes, IntArrayRef strides,
             int64_t storage_offset);
  // A fresh contiguous tensor backed by new storage.
  TensorImpl(IntArrayRef sizes, ScalarType dtype, Device device);
  ~TensorImpl() override;
  EMBER_POOLED_ALLOCATION(TensorImpl)  // Note [Small object pool]

  const Storage& storage() const { return storage_; }
  ScalarType dtype() const { return dtype_; }
  Device device() const { return storage_->device(); }
  IntArrayRef sizes() const { return sizes_; }
  IntArrayRef strides() const { return strides_; }
  int64_t dim() const { return static_cast<int64_t>(sizes_.size()); }
  int64_t numel() const { return numel_; }
  int64_t storage_offset() const { return storage_offset_; }
  bool is_contiguous() const { return is_contiguous_; }
  size_t itemsize() const { return element_size(dtype_); }

  // Start of this tensor's elements.
  void* data() const {
    return static_cast<char*>(storage_->data()) + storage_offset_ * static_cast<int64_t>(itemsize());
  }

  // Re-points the tensor at a new geometry over the same storage (as_strided_, view
  // resizing). Checks that the geometry stays inside the storage.
  void set_geometry(IntArrayRef sizes, IntArrayRef strides, int64_t storage_offset);
  // Replaces storage and dtype (set_data, resize).
  void set_storage(Storage storage, ScalarType dtype);

  // A number that came from a C++/Python scalar: it takes part in type promotion with the
  // lowest priority (see result_type).
  bool is_wrapped_number() const { return wrapped_number_; }
  void set_wrapped_number(bool v) { wrapped_number_ = v; }

  // The tensor this one is a view of (the root of a chain of views), or null. In-place
  // ops on a view use it to rewrite the base's autograd history (Note [In-place on views]).
  TensorImpl* view_base() const { return view_base_.get(); }
  void set_view_base(intrusive_ptr<TensorImpl> base) { view_base_ = std::move(base); }

  AutogradMetaBase* autograd_meta() const { return autograd_meta_.get(); }
  void set_autograd_meta(std::unique_ptr<AutogradMetaBase> m) { autograd_meta_ = std::move(m); }

  uint32_t version() const { return storage_->version(); }
  void bump_version() { storage_->bump_version(); }

  // Note [Python object of a tensor]
  // The Python binding (python/src/tensor_object.cpp) keeps here a borrowed pointer to the
  // one Python object that wraps this TensorImpl, so that returning the same tensor to
  // Python twice gives the same object (`a.grad is a.grad`, attributes set on it stay, a
  // Parameter stays a Parameter). The Python object owns the TensorImpl, never the other
  // way round; it clears the slot when it dies. Read and written only with the GIL held.
  // core/ knows nothing of Python: to it this is an opaque pointer.
  void* python_object() const { return python_object_; }
  void set_python_object(void* o) { python_object_ = o; }

 private:
  void refresh_numel_and_contiguity();

  Storage storage_;
  DimVector sizes_;
  DimVector strides_;
  int64_t storage_offset_ = 0;
  int64_t numel_ = 1;
  ScalarType dtype_;
  bool is_contiguous_ = true;
  bool wrapped_number_ = false;
  void* python_object_ = nullptr;  // Note [Python object of a tensor]
  intrusive_ptr<TensorImpl> view_base_;
  std::unique_ptr<AutogradMetaBase> autograd_meta_;
};

// Row-major strides for `sizes`.
DimVector contiguous_strides(IntArrayRef sizes);
// Product of sizes, with PyTorch's overflow check.
int64_t checked_numel(IntArrayRef sizes);
// Bytes of storage a view with these (non-negative) sizes and strides reaches from its
// offset: itemsize * (1 + the largest element offset), 0 when the view is empty. Throws
// PyTorch's "Storage size calculation overflowed" rather than wrapping, so hostile sizes or
// strides can never pass a bounds check with a small wrapped-around extent.
size_t compute_storage_nbytes(IntArrayRef sizes, IntArrayRef strides, size_t itemsize);

}  // namespace ember
