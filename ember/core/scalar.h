#pragma once
// Scalar: a number passed where a tensor could be (`x + 2`, `x.fill_(1.5)`). Like a Python
// number it has a kind (bool, integer, floating) that takes part in type promotion as a
// "wrapped number": an int tensor plus a floating Scalar gives the default float dtype.
#include <cstdint>
#include <ostream>
#include <type_traits>

#include "ember/core/dtype.h"

namespace ember {

class Scalar {
 public:
  enum class Kind : uint8_t { Bool, Int, Float };

  Scalar() : Scalar(int64_t(0)) {}
  Scalar(bool v) : kind_(Kind::Bool) { i_ = v; }
  template <class T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  Scalar(T v) : kind_(Kind::Int) { i_ = static_cast<int64_t>(v); }
  template <class T, std::enable_if_t<std::is_floating_point_v<T>, int> = 0>
  Scalar(T v) : kind_(Kind::Float) { d_ = static_cast<double>(v); }
  Scalar(Half v) : kind_(Kind::Float) { d_ = static_cast<float>(v); }
  Scalar(BFloat16 v) : kind_(Kind::Float) { d_ = static_cast<float>(v); }

  Kind kind() const { return kind_; }
  bool is_bool() const { return kind_ == Kind::Bool; }
  bool is_integral(bool include_bool = false) const {
    return kind_ == Kind::Int || (include_bool && kind_ == Kind::Bool);
  }
  bool is_floating_point() const { return kind_ == Kind::Float; }

  // The dtype this number has when wrapped into a tensor (Python's rules).
  ScalarType type() const {
    switch (kind_) {
      case Kind::Bool: return kBool;
      case Kind::Int: return kInt64;
      default: return kFloat64;
    }
  }

  template <class T>
  T to() const {
    if constexpr (std::is_same_v<T, bool>) {
      return kind_ == Kind::Float ? d_ != 0 : i_ != 0;
    } else if (kind_ == Kind::Float) {
      if constexpr (std::is_integral_v<T>) return static_cast<T>(double_to_int64(d_));
      else return static_cast<T>(d_);
    } else {
      return static_cast<T>(i_);
    }
  }
  double toDouble() const { return to<double>(); }
  float toFloat() const { return to<float>(); }
  int64_t toLong() const { return to<int64_t>(); }
  int toInt() const { return to<int>(); }
  bool toBool() const { return to<bool>(); }

  Scalar operator-() const {
    if (kind_ == Kind::Float) return Scalar(-d_);
    return Scalar(-i_);
  }

 private:
  // Truncates toward zero; NaN and values outside int64's range give INT64_MIN, what the
  // x86 conversion (and so PyTorch) produces, without C++'s undefined behaviour.
  static int64_t double_to_int64(double d) {
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
      return INT64_MIN;
    return static_cast<int64_t>(d);
  }

  Kind kind_;
  union {
    int64_t i_;
    double d_;
  };
};

std::ostream& operator<<(std::ostream& os, const Scalar& s);

// PyTorch's checked conversion of a number into an element type (c10's checked_convert,
// which its kernels get from Scalar::to<scalar_t>()): fill_, full, masked_fill, clamp and the
// range factories reject a value outside the type's range with "value cannot be converted
// to type uint8_t without overflow". Negative integers may wrap into unsigned types down to
// -max, as in C; NaN and infinities pass into floating types and never into integer ones;
// bool takes anything.
void check_convertible(const Scalar& value, ScalarType dtype);

}  // namespace ember
