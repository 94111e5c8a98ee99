#pragma once
// ExpandingArray<D>: D integers given as one integer (repeated D times), a braced list or a
// vector of exactly D values. Options such as Conv2dOptions::kernel_size use it, so
// `kernel_size(3)` and `kernel_size({3, 5})` both work, as in LibTorch.
#include <array>
#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <vector>

#include "ember/core/array_ref.h"
#include "ember/core/error.h"

namespace ember {

template <size_t D, class T = int64_t>
class ExpandingArray {
 public:
  /*implicit*/ ExpandingArray(T single) { values_.fill(single); }
  /*implicit*/ ExpandingArray(std::initializer_list<T> list) : ExpandingArray(std::vector<T>(list)) {}
  /*implicit*/ ExpandingArray(const std::vector<T>& list) {
    EMBER_CHECK_VALUE(list.size() == D, "Expected ", D, " values, but instead got ", list.size());
    for (size_t i = 0; i < D; ++i) values_[i] = list[i];
  }
  /*implicit*/ ExpandingArray(const std::array<T, D>& values) : values_(values) {}

  T& operator[](size_t i) { return values_[i]; }
  const T& operator[](size_t i) const { return values_[i]; }
  T* data() { return values_.data(); }
  const T* data() const { return values_.data(); }
  static constexpr size_t size() { return D; }
  const std::array<T, D>& operator*() const { return values_; }
  operator ArrayRef<T>() const { return ArrayRef<T>(values_.data(), D); }
  std::vector<T> vec() const { return std::vector<T>(values_.begin(), values_.end()); }
  bool operator==(const ExpandingArray& o) const { return values_ == o.values_; }

 private:
  std::array<T, D> values_{};
};

// Printed as Python prints a tuple: (3, 3); one-element arrays as (3,).
template <size_t D, class T>
std::ostream& operator<<(std::ostream& os, const ExpandingArray<D, T>& a) {
  os << "(";
  for (size_t i = 0; i < D; ++i) os << (i ? ", " : "") << a[i];
  if (D == 1) os << ",";
  return os << ")";
}

}  // namespace ember
