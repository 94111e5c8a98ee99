#pragma once
// The op table of the elementwise ops: one row per op, the single source of truth for
//  - the op enums the kernels switch over (cpu/kernels/unary.cpp, binary.cpp),
//  - the public functions and Tensor methods (ops/elementwise.h, core/tensor.h),
//  - the derivatives: backward node name, what the node saves, the formula
//    (autograd/derivatives_elementwise.cpp),
//  - the tests: forward and gradient diff tests against LibTorch and the finite-difference
//    gradchecks are generated from the rows (tests/diff/test_op_table_diff.cpp,
//    tests/cpp/test_op_table.cpp), and the coverage report counts them.
// It sits in core/ so that the kernels (cpu/) see it without including ops/. The formula
// column is text: it is expanded only in autograd/, where `g` is the incoming gradient,
// `x` the saved input and `y` the saved result, and the ember ops it names are declared.
// Every switch over these enums is generated or lists every case, with no `default:`, so
// adding a row without its kernel or formula fails to compile (-Werror=switch). Note [Op
// table] in docs/architecture.md says how to add an op.

// ---- unary ops --------------------------------------------------------------------------
// X(name, methods, backward node, saves, formula...)
//  methods: METHODS  free functions name / name_ / name_out, Tensor::name() and name_()
//           METHOD   the same without Tensor::name_() (predicates: PyTorch has none)
//           FUNCTIONS  free functions only
//           CUSTOM   nothing generated: a hand-written front end calls unary_op
//  backward node: PyTorch's grad_fn name, or nullptr when the op is not differentiable
//  saves: SELF (the formula reads x), RESULT (y), NONE
// Families, by how they treat dtypes:
//   FLOAT: integer and bool inputs promote to the default float dtype (exp, sin, ...).
//   SAME:  the result has the input's dtype (abs, neg, floor, ...).
//   PRED:  the result is bool (isnan, ...).
#define EMBER_UNARY_FLOAT_OPS(X)                                                              \
  X(exp, METHODS, "ExpBackward0", RESULT, g * y)                                              \
  X(expm1, METHODS, "Expm1Backward0", RESULT, g * (y + 1))                                    \
  X(log, METHODS, "LogBackward0", SELF, g / x)                                                \
  X(log1p, METHODS, "Log1PBackward0", SELF, g / (x + 1))                                      \
  X(log2, METHODS, "Log2Backward0", SELF, g / (x * M_LN2))                                    \
  X(log10, METHODS, "Log10Backward0", SELF, g / (x * M_LN10))                                 \
  X(sqrt, METHODS, "SqrtBackward0", RESULT, g / (2 * y))                                      \
  X(rsqrt, METHODS, "RsqrtBackward0", RESULT, g * y.pow(3) * -0.5)                            \
  X(sin, METHODS, "SinBackward0", SELF, g * cos(x))                                           \
  X(cos, METHODS, "CosBackward0", SELF, g * -sin(x))                                          \
  X(tan, METHODS, "TanBackward0", RESULT, g * (y * y + 1))                                    \
  X(tanh, METHODS, "TanhBackward0", RESULT, g * (1 - y * y))                                  \
  X(sigmoid, METHODS, "SigmoidBackward0", RESULT, g * y * (1 - y))                            \
  X(erf, METHODS, "ErfBackward0", SELF, g * (M_2_SQRTPI * exp(-(x * x))))                     \
  X(reciprocal, METHODS, "ReciprocalBackward0", RESULT, g * -(y * y))                         \
  X(gelu, CUSTOM, "GeluBackward0", SELF, gelu_backward(g, x, /*tanh=*/false))                 \
  X(gelu_tanh, CUSTOM, "GeluBackward0", SELF, gelu_backward(g, x, /*tanh=*/true))
#define EMBER_UNARY_SAME_OPS(X)                                                               \
  X(abs, METHODS, "AbsBackward0", SELF, g * sign(x))                                          \
  X(neg, METHODS, "NegBackward0", NONE, neg(g))                                               \
  X(sign, METHODS, "SignBackward0", NONE, zeros_like(g))                                      \
  X(floor, METHODS, "FloorBackward0", NONE, zeros_like(g))                                    \
  X(ceil, METHODS, "CeilBackward0", NONE, zeros_like(g))                                      \
  X(round, METHODS, "RoundBackward0", NONE, zeros_like(g))                                    \
  X(trunc, METHODS, "TruncBackward0", NONE, zeros_like(g))                                    \
  /* PyTorch's threshold_backward(g, result, 0): a NaN result passes g */                     \
  X(relu, METHODS, "ReluBackward0", RESULT, threshold_backward(g, y, 0))                      \
  X(square, METHODS, "PowBackward0", SELF, g * 2 * x)                                         \
  X(bitwise_not, METHODS, nullptr, NONE, Tensor())
#define EMBER_UNARY_PRED_OPS(X)                   \
  X(isnan, METHOD, nullptr, NONE, Tensor())       \
  X(isinf, METHOD, nullptr, NONE, Tensor())       \
  X(isfinite, METHOD, nullptr, NONE, Tensor())    \
  X(logical_not, METHOD, nullptr, NONE, Tensor())
#define EMBER_UNARY_OPS(X) EMBER_UNARY_FLOAT_OPS(X) EMBER_UNARY_SAME_OPS(X) EMBER_UNARY_PRED_OPS(X)

// ---- binary ops -------------------------------------------------------------------------
// X(name, backward node, saves, formula)
//  backward node: an expression of the operands a, b giving PyTorch's grad_fn name (it
//  depends on which operand is a wrapped number for sub/pow/remainder/fmod), or nullptr
//  when the op is not differentiable
//  saves: NONE, OPERANDS (a, b) or OPERANDS_RESULT (a, b, the result)
//  formula: the function in autograd/derivatives_elementwise.cpp that computes both
//  operands' gradients, or nullptr
// Families:
//   ARITH: result is the promoted dtype (add, mul, ...). div is true division and promotes
//          integers to the default float dtype; div_trunc / div_floor keep the dtype.
//   CMP:   result is bool, computed in the promoted dtype.
//   LOGIC: result is bool, inputs read as truth values.
#define EMBER_BINARY_ARITH_OPS(X)                                                                      \
  X(add, "AddBackward0", NONE, add_backward)                                                           \
  X(sub, is_wrapped(a) ? "RsubBackward1" : "SubBackward0", NONE, sub_backward)                         \
  X(mul, "MulBackward0", OPERANDS, mul_backward)                                                       \
  X(div, "DivBackward0", OPERANDS, div_backward)                                                       \
  X(div_trunc, "DivBackward2", NONE, zero_backward)                                                    \
  X(div_floor, "DivBackward2", NONE, zero_backward)                                                    \
  X(pow, is_wrapped(b) ? "PowBackward0" : (is_wrapped(a) ? "PowBackward2" : "PowBackward1"),            \
    OPERANDS_RESULT, pow_backward)                                                                     \
  X(remainder, is_wrapped(b) ? "RemainderBackward0" : "RemainderBackward1", OPERANDS, remainder_backward) \
  X(fmod, is_wrapped(b) ? "FmodBackward0" : "FmodBackward1", OPERANDS, fmod_backward)                  \
  X(maximum, "MaximumBackward0", OPERANDS, maximum_backward)                                          \
  X(minimum, "MinimumBackward0", OPERANDS, minimum_backward)                                          \
  X(atan2, "Atan2Backward0", OPERANDS, atan2_backward)                                                 \
  X(bitwise_and, nullptr, NONE, nullptr)                                                               \
  X(bitwise_or, nullptr, NONE, nullptr)                                                                \
  X(bitwise_xor, nullptr, NONE, nullptr)
#define EMBER_BINARY_CMP_OPS(X)                                                                  \
  X(eq, nullptr, NONE, nullptr) X(ne, nullptr, NONE, nullptr) X(lt, nullptr, NONE, nullptr)     \
  X(le, nullptr, NONE, nullptr) X(gt, nullptr, NONE, nullptr) X(ge, nullptr, NONE, nullptr)
#define EMBER_BINARY_LOGIC_OPS(X) \
  X(logical_and, nullptr, NONE, nullptr) X(logical_or, nullptr, NONE, nullptr) X(logical_xor, nullptr, NONE, nullptr)
#define EMBER_BINARY_OPS(X) EMBER_BINARY_ARITH_OPS(X) EMBER_BINARY_CMP_OPS(X) EMBER_BINARY_LOGIC_OPS(X)

namespace ember {

enum class UnaryOp : int {
#define EMBER_X(name, ...) name,
  EMBER_UNARY_OPS(EMBER_X)
#undef EMBER_X
};
enum class BinaryOp : int {
#define EMBER_X(name, ...) name,
  EMBER_BINARY_OPS(EMBER_X)
#undef EMBER_X
};

#define EMBER_X(name, ...) +1
constexpr int kNumUnaryOps = 0 EMBER_UNARY_OPS(EMBER_X);
constexpr int kNumBinaryOps = 0 EMBER_BINARY_OPS(EMBER_X);
#undef EMBER_X

constexpr const char* op_name(UnaryOp op) {
  switch (op) {
#define EMBER_X(name, ...) case UnaryOp::name: return #name;
    EMBER_UNARY_OPS(EMBER_X)
#undef EMBER_X
  }
  return "?";
}
constexpr const char* op_name(BinaryOp op) {
  switch (op) {
#define EMBER_X(name, ...) case BinaryOp::name: return #name;
    EMBER_BINARY_OPS(EMBER_X)
#undef EMBER_X
  }
  return "?";
}

// Family membership, generated from the rows above (front ends and kernels both ask).
constexpr bool is_unary_float_op(UnaryOp op) {
  switch (op) {
#define EMBER_X(name, ...) case UnaryOp::name: return true;
    EMBER_UNARY_FLOAT_OPS(EMBER_X)
#undef EMBER_X
#define EMBER_X(name, ...) case UnaryOp::name: return false;
    EMBER_UNARY_SAME_OPS(EMBER_X) EMBER_UNARY_PRED_OPS(EMBER_X)
#undef EMBER_X
  }
  return false;
}
constexpr bool is_unary_pred_op(UnaryOp op) {
  switch (op) {
#define EMBER_X(name, ...) case UnaryOp::name: return true;
    EMBER_UNARY_PRED_OPS(EMBER_X)
#undef EMBER_X
#define EMBER_X(name, ...) case UnaryOp::name: return false;
    EMBER_UNARY_FLOAT_OPS(EMBER_X) EMBER_UNARY_SAME_OPS(EMBER_X)
#undef EMBER_X
  }
  return false;
}
namespace detail {
constexpr bool is_nullptr_text(const char* s) {
  const char* n = "nullptr";
  while (*s == *n && *n) ++s, ++n;
  return *s == 0 && *n == 0;
}
}  // namespace detail

// Whether a row has a derivative (its backward-node column is not nullptr).
constexpr bool is_differentiable(UnaryOp op) {
  switch (op) {
#define EMBER_X(name, methods, node, ...) case UnaryOp::name: return !detail::is_nullptr_text(#node);
    EMBER_UNARY_OPS(EMBER_X)
#undef EMBER_X
  }
  return false;
}
constexpr bool is_differentiable(BinaryOp op) {
  switch (op) {
#define EMBER_X(name, node, saves, formula) case BinaryOp::name: return !detail::is_nullptr_text(#formula);
    EMBER_BINARY_OPS(EMBER_X)
#undef EMBER_X
  }
  return false;
}

// CMP and LOGIC ops write bool.
constexpr bool is_bool_result(BinaryOp op) {
  switch (op) {
#define EMBER_X(name, ...) case BinaryOp::name: return true;
    EMBER_BINARY_CMP_OPS(EMBER_X) EMBER_BINARY_LOGIC_OPS(EMBER_X)
#undef EMBER_X
#define EMBER_X(name, ...) case BinaryOp::name: return false;
    EMBER_BINARY_ARITH_OPS(EMBER_X)
#undef EMBER_X
  }
  return false;
}

}  // namespace ember
