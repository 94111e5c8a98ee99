#pragma once
#include <optional>
// ArrayRef / IntArrayRef: a non-owning view of a contiguous list of values, the type every
// shape argument takes (LibTorch's at::IntArrayRef). It binds to braced lists, vectors,
// SmallVectors and a single value, so `zeros({2, 3})`, `zeros(sizes_vector)` and
// `x.sum(1)` all work.
#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <vector>

#include "ember/core/small_vector.h"

namespace ember {

template <class T>
class ArrayRef {
 public:
  constexpr ArrayRef() = default;
  constexpr ArrayRef(const T& one) : data_(&one), size_(1) {}
  constexpr ArrayRef(const T* data, size_t n) : data_(data), size_(n) {}
  // The list must outlive the ArrayRef: fine for function arguments, as in LibTorch.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winit-list-lifetime"
  constexpr ArrayRef(std::initializer_list<T> il) : data_(il.begin()), size_(il.size()) {}
#pragma GCC diagnostic pop
  ArrayRef(const std::vector<T>& v) : data_(v.data()), size_(v.size()) {}
  template <size_t N>
  ArrayRef(const SmallVector<T, N>& v) : data_(v.data()), size_(v.size()) {}

  constexpr const T* data() const { return data_; }
  constexpr size_t size() const { return size_; }
  constexpr bool empty() const { return size_ == 0; }
  constexpr const T& operator[](size_t i) const { return data_[i]; }
  constexpr const T* begin() const { return data_; }
  constexpr const T* end() const { return data_ + size_; }
  const T& back() const { return data_[size_ - 1]; }
  std::vector<T> vec() const { return std::vector<T>(begin(), end()); }
  ArrayRef slice(size_t start, size_t n) const { return ArrayRef(data_ + start, n); }
  ArrayRef slice(size_t start) const { return ArrayRef(data_ + start, size_ - start); }

  friend bool operator==(ArrayRef a, ArrayRef b) {
    if (a.size_ != b.size_) return false;
    for (size_t i = 0; i < a.size_; ++i)
      if (!(a.data_[i] == b.data_[i])) return false;
    return true;
  }

 private:
  const T* data_ = nullptr;
  size_t size_ = 0;
};

using IntArrayRef = ArrayRef<int64_t>;
// Sizes and strides live inline for up to 6 dimensions.
using DimVector = SmallVector<int64_t, 6>;

// A dimension list that may be absent (`var(dims = None)`), holding its values: a
// std::optional<IntArrayRef> made from one integer (`t.std(0)`) would point at a temporary
// that dies before the op reads it.
class OptionalIntArrayRef {
 public:
  OptionalIntArrayRef() = default;
  OptionalIntArrayRef(std::nullopt_t) {}
  OptionalIntArrayRef(int64_t dim) : dims_(DimVector{dim}) {}
  OptionalIntArrayRef(std::initializer_list<int64_t> dims) : dims_(DimVector(dims.begin(), dims.end())) {}
  OptionalIntArrayRef(IntArrayRef dims) : dims_(DimVector(dims.begin(), dims.end())) {}
  OptionalIntArrayRef(const std::vector<int64_t>& dims) : dims_(DimVector(dims.begin(), dims.end())) {}
  OptionalIntArrayRef(const std::optional<IntArrayRef>& dims) {
    if (dims) dims_ = DimVector(dims->begin(), dims->end());
  }

  bool has_value() const noexcept { return dims_.has_value(); }
  explicit operator bool() const noexcept { return has_value(); }
  IntArrayRef operator*() const { return IntArrayRef(*dims_); }
  IntArrayRef value() const { return IntArrayRef(dims_.value()); }
  const DimVector* operator->() const { return &*dims_; }

 private:
  std::optional<DimVector> dims_;
};

// Prints like PyTorch prints a size list inside error messages: [2, 3]
template <class T>
std::ostream& operator<<(std::ostream& os, ArrayRef<T> a) {
  os << '[';
  for (size_t i = 0; i < a.size(); ++i) os << (i ? ", " : "") << a[i];
  return os << ']';
}
template <class T, size_t N>
std::ostream& operator<<(std::ostream& os, const SmallVector<T, N>& v) {
  return os << ArrayRef<T>(v);
}

}  // namespace ember
