#include "ember/core/scalar.h"

#include <cmath>
#include <limits>

#include "ember/core/error.h"

namespace ember {

namespace {

// The range of each element type, in double, and the name PyTorch's message gives it (c10
// names the C++ type it converts to).
struct ElementRange {
  double lowest, max;
  const char* name;
};

ElementRange element_range(ScalarType dtype) {
  switch (dtype) {
    case kUInt8: return {0, 255, "uint8_t"};
    case kInt8: return {-128, 127, "int8_t"};
    case kInt16: return {-32768, 32767, "int16_t"};
    case kInt32: return {-2147483648.0, 2147483647.0, "int"};
    case kInt64: return {-9223372036854775808.0, 9223372036854775807.0, "int64_t"};
    case kFloat16: return {-65504.0, 65504.0, "at::Half"};
    case kBFloat16: return {-3.3895313892515355e38, 3.3895313892515355e38, "at::BFloat16"};
    case kFloat32: return {-std::numeric_limits<float>::max(), std::numeric_limits<float>::max(), "float"};
    default: return {-std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity(), "double"};
  }
}

bool overflows(const Scalar& value, ScalarType dtype) {
  if (dtype == kBool || value.is_bool()) return false;  // bool takes and gives anything
  const ElementRange r = element_range(dtype);
  if (value.is_integral()) {
    const int64_t i = value.toLong();
    // Unsigned types let negative integers wrap, down to -max (`a - b` on uint8 is
    // `a + 255 * b`); the other bound checks are plain range checks.
    if (r.lowest == 0 && i < 0) return static_cast<double>(i) < -r.max;
    return static_cast<double>(i) < r.lowest || static_cast<double>(i) > r.max;
  }
  const double d = value.toDouble();
  if (is_floating_point(dtype)) {
    if (std::isinf(d) || std::isnan(d)) return false;
  } else if (!std::isfinite(d)) {
    return true;
  }
  return d < r.lowest || d > r.max;
}

}  // namespace

void check_convertible(const Scalar& value, ScalarType dtype) {
  if (overflows(value, dtype))
    EMBER_THROW(Error, "value cannot be converted to type ", element_range(dtype).name, " without overflow");
}

std::ostream& operator<<(std::ostream& os, const Scalar& s) {
  switch (s.kind()) {
    case Scalar::Kind::Bool: return os << (s.toBool() ? "true" : "false");
    case Scalar::Kind::Int: return os << s.toLong();
    default: return os << s.toDouble();
  }
}

}  // namespace ember
