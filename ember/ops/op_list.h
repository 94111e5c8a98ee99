#pragma once
// The op list: the single source of truth for elementwise ops. It feeds the kernel enums
// (cpu/), the op front ends (ops/), the coverage report (tests), and later the derivative
// table (autograd/) and the Python bindings.
//
// Unary ops, by how they treat dtypes:
//   FLOAT: integer and bool inputs promote to the default float dtype (exp, sin, ...).
//   SAME:  the result has the input's dtype (abs, neg, floor, ...).
//   PRED:  the result is bool (isnan, ...).
#define EMBER_UNARY_FLOAT_OPS(X) \
  X(exp) X(expm1) X(log) X(log1p) X(log2) X(log10) X(sqrt) X(rsqrt) X(sin) X(cos) X(tan) \
  X(tanh) X(sigmoid) X(erf) X(reciprocal) X(gelu) X(gelu_tanh)
#define EMBER_UNARY_SAME_OPS(X) \
  X(abs) X(neg) X(sign) X(floor) X(ceil) X(round) X(trunc) X(relu) X(square) X(bitwise_not)
#define EMBER_UNARY_PRED_OPS(X) X(isnan) X(isinf) X(isfinite) X(logical_not)
#define EMBER_UNARY_OPS(X) EMBER_UNARY_FLOAT_OPS(X) EMBER_UNARY_SAME_OPS(X) EMBER_UNARY_PRED_OPS(X)

// Binary ops:
//   ARITH: result is the promoted dtype (add, mul, ...). div is true division and promotes
//          integers to the default float dtype; div_trunc / div_floor keep the dtype.
//   CMP:   result is bool, computed in the promoted dtype.
//   LOGIC: result is bool, inputs read as truth values.
#define EMBER_BINARY_ARITH_OPS(X) \
  X(add) X(sub) X(mul) X(div) X(div_trunc) X(div_floor) X(pow) X(remainder) X(fmod) \
  X(maximum) X(minimum) X(atan2) X(bitwise_and) X(bitwise_or) X(bitwise_xor)
#define EMBER_BINARY_CMP_OPS(X) X(eq) X(ne) X(lt) X(le) X(gt) X(ge)
#define EMBER_BINARY_LOGIC_OPS(X) X(logical_and) X(logical_or) X(logical_xor)
#define EMBER_BINARY_OPS(X) EMBER_BINARY_ARITH_OPS(X) EMBER_BINARY_CMP_OPS(X) EMBER_BINARY_LOGIC_OPS(X)

namespace ember {

enum class UnaryOp : int {
#define EMBER_X(name) name,
  EMBER_UNARY_OPS(EMBER_X)
#undef EMBER_X
};
enum class BinaryOp : int {
#define EMBER_X(name) name,
  EMBER_BINARY_OPS(EMBER_X)
#undef EMBER_X
};

const char* op_name(UnaryOp op);
const char* op_name(BinaryOp op);

// Family membership, generated from the lists above (front ends and kernels both ask).
constexpr bool is_unary_float_op(UnaryOp op) {
  switch (op) {
#define EMBER_X(name) case UnaryOp::name:
    EMBER_UNARY_FLOAT_OPS(EMBER_X)
#undef EMBER_X
    return true;
    default: return false;
  }
}
constexpr bool is_unary_pred_op(UnaryOp op) {
  switch (op) {
#define EMBER_X(name) case UnaryOp::name:
    EMBER_UNARY_PRED_OPS(EMBER_X)
#undef EMBER_X
    return true;
    default: return false;
  }
}
// CMP and LOGIC ops write bool.
constexpr bool is_bool_result(BinaryOp op) {
  switch (op) {
#define EMBER_X(name) case BinaryOp::name:
    EMBER_BINARY_CMP_OPS(EMBER_X)
    EMBER_BINARY_LOGIC_OPS(EMBER_X)
#undef EMBER_X
    return true;
    default: return false;
  }
}

}  // namespace ember
