#pragma once
// Typed element access to a tensor through its sizes and strides (LibTorch's
// at::TensorAccessor and at::PackedTensorAccessor32/64): `auto a = t.accessor<float, 2>();`
// then `a[i][j]`, `a.size(0)`, `a.stride(1)`, `a.data()`. Tensor::accessor<T, N>() and
// packed_accessor32/64<T, N>() (core/tensor.h) check the dimension count and dtype once and
// return these; indexing is pointer arithmetic only. Header-only; needs nothing of Tensor.
//
// Note [Tensor accessors]
// An accessor is a pointer to the tensor's first element plus its sizes and strides.
// a[i] advances the pointer by i * stride(0) and drops the first dimension, so a[i][j] is
// data[i * stride(0) + j * stride(1)] (in elements; any strided view works, including
// transposes and slices), with no bounds check and no dtype dispatch: those checks happen
// once, when the accessor is made. The two kinds differ in who owns sizes and strides:
// - TensorAccessor borrows the tensor's own size and stride arrays, so it must not outlive
//   the tensor; accessor() on a temporary tensor is deleted for that reason.
// - GenericPackedTensorAccessor (packed_accessor32/64) copies them into arrays of its index
//   type, so it is a self-contained value (what a kernel takes by value); it still points
//   into the tensor's storage. packed_accessor32 refuses tensors with more than INT32_MAX
//   elements, whose offsets could overflow int32_t.
// Indexing a packed accessor gives a TensorAccessor over the packed arrays, valid while the
// packed accessor lives.
#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "ember/core/array_ref.h"
#include "ember/core/error.h"

namespace ember {

// How an accessor spells its data pointer: plain, or __restrict__ (the caller promises no
// other pointer aliases the elements, which lets the compiler vectorise loops over them).
template <class T>
struct DefaultPtrTraits {
  using PtrType = T*;
};
template <class T>
struct RestrictPtrTraits {
  using PtrType = T* __restrict__;
};

template <class T, size_t N, template <class U> class PtrTraits, class index_t>
class TensorAccessor;

namespace detail {
// What TensorAccessor and the packed accessors share: the data pointer, the geometry and
// indexing. Geometry is `const index_t*` (borrowed) or std::array<index_t, N> (packed).
template <class T, size_t N, template <class U> class PtrTraits, class index_t, class Geometry>
class AccessorBase {
 public:
  using PtrType = typename PtrTraits<T>::PtrType;

  index_t size(index_t d) const { return sizes_[d]; }
  index_t stride(index_t d) const { return strides_[d]; }
  PtrType data() { return data_; }
  const T* data() const { return data_; }
  // The sizes and strides as lists (int64_t accessors only, as in LibTorch).
  IntArrayRef sizes() const
    requires std::is_same_v<index_t, int64_t>
  {
    return IntArrayRef(&sizes_[0], N);
  }
  IntArrayRef strides() const
    requires std::is_same_v<index_t, int64_t>
  {
    return IntArrayRef(&strides_[0], N);
  }

  // The sub-accessor at index i of the first dimension; for N == 1, the element itself.
  decltype(auto) operator[](index_t i) { return at<T>(data_, i); }
  decltype(auto) operator[](index_t i) const { return at<const T>(data_, i); }

 protected:
  AccessorBase() = default;
  AccessorBase(PtrType data, Geometry sizes, Geometry strides) : data_(data), sizes_(sizes), strides_(strides) {}

  PtrType data_{};
  Geometry sizes_{};
  Geometry strides_{};

 private:
  template <class E>
  decltype(auto) at(E* base, index_t i) const {
    if constexpr (N == 1) {
      return static_cast<E&>(base[strides_[0] * i]);
    } else {
      return TensorAccessor<E, N - 1, PtrTraits, index_t>(base + strides_[0] * i, &sizes_[1], &strides_[1]);
    }
  }
};
}  // namespace detail

// N dimensions over the tensor's own size and stride arrays (Note [Tensor accessors]).
template <class T, size_t N, template <class U> class PtrTraits = DefaultPtrTraits, class index_t = int64_t>
class TensorAccessor : public detail::AccessorBase<T, N, PtrTraits, index_t, const index_t*> {
  static_assert(N > 0, "an accessor needs at least one dimension; read a 0-dim tensor with *data_ptr<T>()");
  using Base = detail::AccessorBase<T, N, PtrTraits, index_t, const index_t*>;

 public:
  TensorAccessor(typename Base::PtrType data, const index_t* sizes, const index_t* strides)
      : Base(data, sizes, strides) {}
};

// N dimensions over its own copies of the sizes and strides, as index_t
// (Note [Tensor accessors]).
template <class T, size_t N, template <class U> class PtrTraits = DefaultPtrTraits, class index_t = int64_t>
class GenericPackedTensorAccessor
    : public detail::AccessorBase<T, N, PtrTraits, index_t, std::array<index_t, N>> {
  static_assert(N > 0, "an accessor needs at least one dimension; read a 0-dim tensor with *data_ptr<T>()");
  using Base = detail::AccessorBase<T, N, PtrTraits, index_t, std::array<index_t, N>>;

 public:
  // From a tensor's int64_t sizes and strides (narrowed to index_t: packed_accessor32 has
  // checked that every offset fits).
  GenericPackedTensorAccessor(typename Base::PtrType data, const int64_t* sizes, const int64_t* strides) {
    this->data_ = data;
    for (size_t d = 0; d < N; ++d) {
      this->sizes_[d] = static_cast<index_t>(sizes[d]);
      this->strides_[d] = static_cast<index_t>(strides[d]);
    }
  }
  template <class I = index_t>
    requires(!std::is_same_v<I, int64_t>)
  GenericPackedTensorAccessor(typename Base::PtrType data, const index_t* sizes, const index_t* strides) {
    this->data_ = data;
    for (size_t d = 0; d < N; ++d) {
      this->sizes_[d] = sizes[d];
      this->strides_[d] = strides[d];
    }
  }

  // The same elements with dimensions d1 and d2 swapped.
  GenericPackedTensorAccessor transpose(index_t d1, index_t d2) const {
    check_dim(d1);
    check_dim(d2);
    GenericPackedTensorAccessor out = *this;
    std::swap(out.sizes_[d1], out.sizes_[d2]);
    std::swap(out.strides_[d1], out.strides_[d2]);
    return out;
  }

 private:
  static void check_dim(index_t d) {
    EMBER_CHECK_INDEX(d >= 0 && static_cast<size_t>(d) < N, "Index ", d, " is not within bounds of a tensor of dimension ", N);
  }
};

template <class T, size_t N, template <class U> class PtrTraits = DefaultPtrTraits>
using PackedTensorAccessor32 = GenericPackedTensorAccessor<T, N, PtrTraits, int32_t>;
template <class T, size_t N, template <class U> class PtrTraits = DefaultPtrTraits>
using PackedTensorAccessor64 = GenericPackedTensorAccessor<T, N, PtrTraits, int64_t>;

}  // namespace ember
