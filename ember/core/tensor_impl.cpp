#include "ember/core/tensor_impl.h"

#include "ember/core/error.h"

namespace ember {

DimVector contiguous_strides(IntArrayRef sizes) {
  DimVector strides(sizes.size());
  int64_t s = 1;
  for (int64_t i = static_cast<int64_t>(sizes.size()) - 1; i >= 0; --i) {
    strides[i] = s;
    s *= std::max<int64_t>(sizes[i], 1);
  }
  return strides;
}

int64_t checked_numel(IntArrayRef sizes) {
  int64_t n = 1;
  for (int64_t s : sizes) {
    EMBER_CHECK(s >= 0, "Trying to create tensor with negative dimension ", s, ": ", sizes);
    EMBER_CHECK(!__builtin_mul_overflow(n, s, &n), "numel: integer multiplication overflow");
  }
  return n;
}

size_t compute_storage_nbytes(IntArrayRef sizes, IntArrayRef strides, size_t itemsize) {
  uint64_t extent = 1;
  bool overflowed = false;
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] == 0) return 0;
    uint64_t reach = 0;
    overflowed |= __builtin_mul_overflow(static_cast<uint64_t>(sizes[i] - 1), static_cast<uint64_t>(strides[i]), &reach);
    overflowed |= __builtin_add_overflow(extent, reach, &extent);
  }
  overflowed |= __builtin_mul_overflow(extent, static_cast<uint64_t>(itemsize), &extent);
  overflowed |= extent > static_cast<uint64_t>(INT64_MAX);
  EMBER_CHECK(!overflowed, "Storage size calculation overflowed with sizes=", sizes, " and strides=", strides);
  return static_cast<size_t>(extent);
}

TensorImpl::TensorImpl(Storage storage, ScalarType dtype, IntArrayRef sizes, IntArrayRef strides,
                       int64_t storage_offset)
    : storage_(std::move(storage)), sizes_(sizes.begin(), sizes.end()),
      strides_(strides.begin(), strides.end()), storage_offset_(storage_offset), dtype_(dtype) {
  refresh_numel_and_contiguity();
}

TensorImpl::TensorImpl(IntArrayRef sizes, ScalarType dtype, Device device)
    : sizes_(sizes.begin(), sizes.end()), dtype_(dtype) {
  numel_ = checked_numel(sizes);
  size_t nbytes;
  EMBER_CHECK(!__builtin_mul_overflow(static_cast<size_t>(numel_), element_size(dtype), &nbytes),
              "Storage size calculation overflowed with sizes=", sizes);
  storage_ = make_intrusive<StorageImpl>(nbytes, device);
  strides_ = contiguous_strides(sizes);
  is_contiguous_ = true;
}

TensorImpl::~TensorImpl() = default;

void TensorImpl::refresh_numel_and_contiguity() {
  numel_ = checked_numel(sizes_);
  // PyTorch's definition: size-1 dimensions may have any stride; empty tensors are
  // contiguous.
  is_contiguous_ = true;
  if (numel_ == 0) return;
  int64_t expected = 1;
  for (int64_t i = dim() - 1; i >= 0; --i) {
    if (sizes_[i] == 1) continue;
    if (strides_[i] != expected) {
      is_contiguous_ = false;
      return;
    }
    expected *= sizes_[i];
  }
}

void TensorImpl::set_geometry(IntArrayRef sizes, IntArrayRef strides, int64_t storage_offset) {
  EMBER_CHECK(sizes.size() == strides.size(), "mismatch in length of strides and shape");
  EMBER_CHECK(storage_offset >= 0, "Tensor: invalid storage offset ", storage_offset);
  sizes_.assign(sizes.begin(), sizes.end());
  strides_.assign(strides.begin(), strides.end());
  storage_offset_ = storage_offset;
  refresh_numel_and_contiguity();
}

void TensorImpl::set_storage(Storage storage, ScalarType dtype) {
  storage_ = std::move(storage);
  dtype_ = dtype;
}

}  // namespace ember
