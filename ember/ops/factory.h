#pragma once
// Tensor factories: empty, zeros, ones, full, arange, linspace, logspace, eye, tensor,
// from_blob, and the *_like forms.
#include <cstring>
#include <functional>
#include <initializer_list>
#include <optional>
#include <vector>

#include "ember/core/tensor.h"

namespace ember {

Tensor empty(IntArrayRef size, const TensorOptions& options = {});
Tensor empty_strided(IntArrayRef size, IntArrayRef stride, const TensorOptions& options = {});
Tensor zeros(IntArrayRef size, const TensorOptions& options = {});
Tensor ones(IntArrayRef size, const TensorOptions& options = {});
// Without a dtype in options, the dtype follows the value (bool, int64 or default float).
Tensor full(IntArrayRef size, const Scalar& value, const TensorOptions& options = {});
Tensor scalar_tensor(const Scalar& value, const TensorOptions& options = {});

// *_like: same shape, and dtype/device unless options say otherwise.
Tensor empty_like(const Tensor& t, std::optional<TensorOptions> options = std::nullopt);
Tensor zeros_like(const Tensor& t, std::optional<TensorOptions> options = std::nullopt);
Tensor ones_like(const Tensor& t, std::optional<TensorOptions> options = std::nullopt);
Tensor full_like(const Tensor& t, const Scalar& value, std::optional<TensorOptions> options = std::nullopt);

// int64 when start, end and step are all integers, else the default float dtype.
Tensor arange(const Scalar& end, const TensorOptions& options = {});
Tensor arange(const Scalar& start, const Scalar& end, const TensorOptions& options = {});
Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step, const TensorOptions& options = {});
Tensor linspace(const Scalar& start, const Scalar& end, int64_t steps, const TensorOptions& options = {});
Tensor logspace(const Scalar& start, const Scalar& end, int64_t steps, double base = 10.0,
                const TensorOptions& options = {});
Tensor eye(int64_t n, const TensorOptions& options = {});
Tensor eye(int64_t n, int64_t m, const TensorOptions& options = {});

// Non-owning view of external memory (the caller keeps it alive, or passes a deleter).
Tensor from_blob(void* data, IntArrayRef sizes, const TensorOptions& options = {});
Tensor from_blob(void* data, IntArrayRef sizes, IntArrayRef strides, const TensorOptions& options = {});
Tensor from_blob(void* data, IntArrayRef sizes, std::function<void(void*)> deleter,
                 const TensorOptions& options = {});
Tensor from_blob(void* data, IntArrayRef sizes, IntArrayRef strides, std::function<void(void*)> deleter,
                 const TensorOptions& options = {});

// The nested-list argument of ember::tensor: a number, a braced list of them (nested to
// any depth), or a std::vector. Dtype inference follows LibTorch: integer literals give
// int64, floating literals the default dtype, bool gives bool, std::vector<T> gives T's
// dtype; a list mixing kinds promotes (as Python's torch.tensor does).
class TensorDataContainer {
 public:
  TensorDataContainer(bool v) : scalar_(v), dtype_(kBool) {}
  template <class T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  TensorDataContainer(T v) : scalar_(static_cast<int64_t>(v)), dtype_(kInt64) {}
  template <class T, std::enable_if_t<std::is_floating_point_v<T>, int> = 0>
  TensorDataContainer(T v) : scalar_(static_cast<double>(v)), dtype_(get_default_dtype()) {}
  TensorDataContainer(std::initializer_list<TensorDataContainer> list);
  template <class T>
  TensorDataContainer(const std::vector<T>& v) : TensorDataContainer(ArrayRef<T>(v.data(), v.size())) {}
  template <class T>
  TensorDataContainer(ArrayRef<T> v);
  // std::vector<bool> is bit-packed, so it gets its own overload.
  TensorDataContainer(const std::vector<bool>& v);

  bool is_scalar() const { return kind_ == Kind::Scalar; }
  IntArrayRef sizes() const { return sizes_; }
  ScalarType dtype() const { return dtype_; }
  // Writes the elements in row-major order into `out` (dtype `dt`).
  void fill(Tensor& out) const;

 private:
  enum class Kind { Scalar, List, Tensor };
  Kind kind_ = Kind::Scalar;
  Scalar scalar_;
  std::vector<TensorDataContainer> list_;
  ember::Tensor tensor_;
  DimVector sizes_;
  ScalarType dtype_ = kInt64;
  void fill_into(Tensor& out, int64_t& offset) const;
};

Tensor tensor(const TensorDataContainer& data, const TensorOptions& options = {});

// A std::vector of floats or doubles gives the default dtype and one of int32 or int64
// gives int64 (LibTorch's rule, which matches Python's torch.tensor); other element types
// keep their own. The elements are kept in their own type and converted once, to
// the dtype finally chosen, so tensor(vector<double>, kFloat64) loses no precision.
template <class T>
TensorDataContainer::TensorDataContainer(ArrayRef<T> v)
    : kind_(Kind::Tensor), sizes_{static_cast<int64_t>(v.size())},
      dtype_(std::is_floating_point_v<T>                                  ? get_default_dtype()
             : std::is_same_v<T, int32_t> || std::is_same_v<T, int64_t> ? kInt64
                                                                        : CppTypeToScalarType<T>::value) {
  tensor_ = empty({static_cast<int64_t>(v.size())}, TensorOptions(CppTypeToScalarType<T>::value));
  if (!v.empty()) std::memcpy(tensor_.data_ptr(), v.data(), v.size() * sizeof(T));
}

}  // namespace ember
