#include "ember/core/dtype.h"

#include "ember/core/error.h"

namespace ember {

const char* dtype_name(ScalarType t) {
  switch (t) {
#define EMBER_NAME(T, N, P) case ScalarType::N: return #P;
    EMBER_FORALL_SCALAR_TYPES(EMBER_NAME)
#undef EMBER_NAME
    default: return "undefined";
  }
}

// c10's names, which PyTorch uses in error messages ("expected scalar type Float").
std::ostream& operator<<(std::ostream& os, ScalarType t) {
  switch (t) {
    case kBool: return os << "Bool";
    case kUInt8: return os << "Byte";
    case kInt8: return os << "Char";
    case kInt16: return os << "Short";
    case kInt32: return os << "Int";
    case kInt64: return os << "Long";
    case kFloat16: return os << "Half";
    case kBFloat16: return os << "BFloat16";
    case kFloat32: return os << "Float";
    case kFloat64: return os << "Double";
    default: return os << "Undefined";
  }
}

const char* cpp_type_name(ScalarType t) {
  switch (t) {
    case kBool: return "bool";
    case kUInt8: return "unsigned char";
    case kInt8: return "signed char";
    case kInt16: return "short int";
    case kInt32: return "int";
    case kInt64: return "long int";
    case kFloat16: return "c10::Half";
    case kBFloat16: return "c10::BFloat16";
    case kFloat32: return "float";
    case kFloat64: return "double";
    default: return "unknown";
  }
}

ScalarType promote_types(ScalarType a, ScalarType b) {
  if (a == b) return a;
  if (a == ScalarType::Undefined) return b;
  if (b == ScalarType::Undefined) return a;
  if (a == kBool) return b;
  if (b == kBool) return a;
  bool fa = is_floating_point(a), fb = is_floating_point(b);
  if (fa && !fb) return a;
  if (fb && !fa) return b;
  if (fa && fb) {
    if (is_reduced_float(a) && is_reduced_float(b)) return kFloat32;  // half + bfloat16
    return element_size(a) >= element_size(b) ? a : b;
  }
  // Both integral. uint8 mixed with a signed type needs a signed type wider than 8 bits.
  if (a == kUInt8) return b == kInt8 ? kInt16 : b;
  if (b == kUInt8) return a == kInt8 ? kInt16 : a;
  return element_size(a) >= element_size(b) ? a : b;
}

namespace {
ScalarType g_default_dtype = kFloat32;
}
ScalarType get_default_dtype() { return g_default_dtype; }
void set_default_dtype(ScalarType t) {
  EMBER_CHECK_TYPE(is_floating_point(t),
                   "only floating-point types are supported as the default type");
  g_default_dtype = t;
}

}  // namespace ember
