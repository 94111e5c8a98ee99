#pragma once
// Scalar types (dtypes), their C++ types, and PyTorch's type-promotion rules.
#include <cstdint>
#include <ostream>
#include <string>

#include "ember/core/error.h"
#include "ember/core/half.h"

namespace ember {

// X(C++ type, enum name, PyTorch name)
#define EMBER_FORALL_SCALAR_TYPES(X) \
  X(bool, Bool, bool)                \
  X(uint8_t, UInt8, uint8)           \
  X(int8_t, Int8, int8)              \
  X(int16_t, Int16, int16)           \
  X(int32_t, Int32, int32)           \
  X(int64_t, Int64, int64)           \
  X(::ember::Half, Float16, float16) \
  X(::ember::BFloat16, BFloat16, bfloat16) \
  X(float, Float32, float32)         \
  X(double, Float64, float64)

enum class ScalarType : int8_t {
#define EMBER_ENUM(T, N, P) N,
  EMBER_FORALL_SCALAR_TYPES(EMBER_ENUM)
#undef EMBER_ENUM
  Undefined,
};
constexpr int kNumScalarTypes = static_cast<int>(ScalarType::Undefined);
using Dtype = ScalarType;

// LibTorch spellings: ember::kFloat32, ember::kFloat, ember::kLong, ...
constexpr ScalarType kBool = ScalarType::Bool;
constexpr ScalarType kUInt8 = ScalarType::UInt8;
constexpr ScalarType kByte = ScalarType::UInt8;
constexpr ScalarType kInt8 = ScalarType::Int8;
constexpr ScalarType kChar = ScalarType::Int8;
constexpr ScalarType kInt16 = ScalarType::Int16;
constexpr ScalarType kShort = ScalarType::Int16;
constexpr ScalarType kInt32 = ScalarType::Int32;
constexpr ScalarType kInt = ScalarType::Int32;
constexpr ScalarType kInt64 = ScalarType::Int64;
constexpr ScalarType kLong = ScalarType::Int64;
constexpr ScalarType kFloat16 = ScalarType::Float16;
constexpr ScalarType kHalf = ScalarType::Float16;
constexpr ScalarType kBFloat16 = ScalarType::BFloat16;
constexpr ScalarType kFloat32 = ScalarType::Float32;
constexpr ScalarType kFloat = ScalarType::Float32;
constexpr ScalarType kFloat64 = ScalarType::Float64;
constexpr ScalarType kDouble = ScalarType::Float64;
// LibTorch's short names (torch/types.h).
constexpr ScalarType kU8 = kUInt8;
constexpr ScalarType kI8 = kInt8;
constexpr ScalarType kI16 = kInt16;
constexpr ScalarType kI32 = kInt32;
constexpr ScalarType kI64 = kInt64;
constexpr ScalarType kF16 = kFloat16;
constexpr ScalarType kF32 = kFloat32;
constexpr ScalarType kF64 = kFloat64;

constexpr size_t element_size(ScalarType t) {
  switch (t) {
    case ScalarType::Bool: case ScalarType::UInt8: case ScalarType::Int8: return 1;
    case ScalarType::Int16: case ScalarType::Float16: case ScalarType::BFloat16: return 2;
    case ScalarType::Int32: case ScalarType::Float32: return 4;
    case ScalarType::Int64: case ScalarType::Float64: return 8;
    default: return 0;
  }
}
constexpr bool is_floating_point(ScalarType t) {
  return t == kFloat16 || t == kBFloat16 || t == kFloat32 || t == kFloat64;
}
constexpr bool is_integral(ScalarType t, bool include_bool = false) {
  return (include_bool && t == kBool) || t == kUInt8 || t == kInt8 || t == kInt16 || t == kInt32 ||
         t == kInt64;
}
constexpr bool is_signed(ScalarType t) { return t != kBool && t != kUInt8; }
constexpr bool is_reduced_float(ScalarType t) { return t == kFloat16 || t == kBFloat16; }

// "float32", "int64", ... (PyTorch's dtype names without the "torch." prefix).
const char* dtype_name(ScalarType t);
std::ostream& operator<<(std::ostream& os, ScalarType t);  // prints "Float", "Long" like c10

// The C++ type name PyTorch prints in some messages (caffe2::TypeMeta names:
// "long int", "c10::Half", ...).
const char* cpp_type_name(ScalarType t);

// torch.promote_types
ScalarType promote_types(ScalarType a, ScalarType b);

// torch.get_default_dtype / set_default_dtype (float32 or float64; float16/bfloat16 too).
ScalarType get_default_dtype();
void set_default_dtype(ScalarType t);

// Maps a C++ type to its ScalarType.
template <class T> struct CppTypeToScalarType;
#define EMBER_MAP(T, N, P) \
  template <> struct CppTypeToScalarType<T> { static constexpr ScalarType value = ScalarType::N; };
EMBER_FORALL_SCALAR_TYPES(EMBER_MAP)
#undef EMBER_MAP

// The type arithmetic is done in: float for the 16-bit floats, the type itself otherwise.
template <class T> struct OpMath { using type = T; };
template <> struct OpMath<Half> { using type = float; };
template <> struct OpMath<BFloat16> { using type = float; };
template <class T> using opmath_t = typename OpMath<T>::type;

}  // namespace ember

// Dispatch on a runtime ScalarType: defines `scalar_t` inside the body.
#define EMBER_DISPATCH_CASE(N, T, ...) \
  case ::ember::ScalarType::N: {       \
    using scalar_t = T;                \
    __VA_ARGS__();                     \
    break;                             \
  }
#define EMBER_DISPATCH_ALL_TYPES(TYPE, NAME, ...)                                            \
  [&] {                                                                                      \
    switch (TYPE) {                                                                          \
      EMBER_DISPATCH_CASE(Bool, bool, __VA_ARGS__)                                           \
      EMBER_DISPATCH_CASE(UInt8, uint8_t, __VA_ARGS__)                                       \
      EMBER_DISPATCH_CASE(Int8, int8_t, __VA_ARGS__)                                         \
      EMBER_DISPATCH_CASE(Int16, int16_t, __VA_ARGS__)                                       \
      EMBER_DISPATCH_CASE(Int32, int32_t, __VA_ARGS__)                                       \
      EMBER_DISPATCH_CASE(Int64, int64_t, __VA_ARGS__)                                       \
      EMBER_DISPATCH_CASE(Float16, ::ember::Half, __VA_ARGS__)                               \
      EMBER_DISPATCH_CASE(BFloat16, ::ember::BFloat16, __VA_ARGS__)                          \
      EMBER_DISPATCH_CASE(Float32, float, __VA_ARGS__)                                       \
      EMBER_DISPATCH_CASE(Float64, double, __VA_ARGS__)                                      \
      default:                                                                               \
        EMBER_THROW(NotImplementedError, "\"", NAME, "\" not implemented for '", TYPE, "'"); \
    }                                                                                        \
  }()
#define EMBER_DISPATCH_FLOATING_TYPES(TYPE, NAME, ...)                                       \
  [&] {                                                                                      \
    switch (TYPE) {                                                                          \
      EMBER_DISPATCH_CASE(Float16, ::ember::Half, __VA_ARGS__)                               \
      EMBER_DISPATCH_CASE(BFloat16, ::ember::BFloat16, __VA_ARGS__)                          \
      EMBER_DISPATCH_CASE(Float32, float, __VA_ARGS__)                                       \
      EMBER_DISPATCH_CASE(Float64, double, __VA_ARGS__)                                      \
      default:                                                                               \
        EMBER_THROW(NotImplementedError, "\"", NAME, "\" not implemented for '", TYPE, "'"); \
    }                                                                                        \
  }()
