#pragma once
// What the op table's generated tests need to know per row (core/op_list.h): the input
// range where the gradient is smooth (for finite differences and the gradient diff test)
// and the forward tolerance against LibTorch. The switches list every op with no default,
// and tests compile with -Werror=switch: a row added to the table without its spec here
// does not build, so every op gets its diff tests and gradchecks.
#include <ember/core/op_list.h>
#include <ember/core/reduction_list.h>

namespace ember::test {

struct UnarySpec {
  double lo, hi;  // smooth input range for gradients
  double tol;     // forward rtol = atol against LibTorch
};

constexpr UnarySpec unary_spec(UnaryOp op) {
  switch (op) {
    case UnaryOp::exp: return {-2, 2, 1e-5};
    case UnaryOp::expm1: return {-2, 2, 1e-5};
    case UnaryOp::log: return {0.5, 3, 1e-5};
    case UnaryOp::log1p: return {0.1, 3, 1e-5};
    case UnaryOp::log2: return {0.5, 3, 1e-5};
    case UnaryOp::log10: return {0.5, 3, 1e-5};
    case UnaryOp::sqrt: return {0.5, 3, 1e-5};
    case UnaryOp::rsqrt: return {0.5, 3, 1e-5};
    case UnaryOp::sin: return {-2, 2, 1e-5};
    case UnaryOp::cos: return {-2, 2, 1e-5};
    case UnaryOp::tan: return {-1, 1, 1e-4};
    case UnaryOp::tanh: return {-2, 2, 1e-5};
    case UnaryOp::sigmoid: return {-3, 3, 1e-5};
    case UnaryOp::erf: return {-2, 2, 1e-5};
    case UnaryOp::reciprocal: return {0.5, 2, 1e-5};
    case UnaryOp::gelu: return {-2, 2, 1e-5};
    case UnaryOp::gelu_tanh: return {-2, 2, 1e-5};
    case UnaryOp::abs: return {0.2, 2, 1e-6};      // away from the kink at 0
    case UnaryOp::neg: return {-2, 2, 1e-6};
    case UnaryOp::sign: return {0.2, 2, 1e-6};
    case UnaryOp::floor: return {0.1, 0.9, 1e-6};  // inside one step: the gradient is 0
    case UnaryOp::ceil: return {0.1, 0.9, 1e-6};
    case UnaryOp::round: return {0.1, 0.4, 1e-6};
    case UnaryOp::trunc: return {0.1, 0.9, 1e-6};
    case UnaryOp::relu: return {0.1, 2, 0};
    case UnaryOp::square: return {-2, 2, 1e-6};
    case UnaryOp::bitwise_not: return {0, 0, 0};  // integers only; not differentiable
    case UnaryOp::isnan: return {0, 0, 0};
    case UnaryOp::isinf: return {0, 0, 0};
    case UnaryOp::isfinite: return {0, 0, 0};
    case UnaryOp::logical_not: return {0, 0, 0};
  }
  return {0, 0, 0};
}

struct BinarySpec {
  double a_lo, a_hi, b_lo, b_hi;  // smooth input ranges for gradients
  double tol;                     // forward rtol = atol against LibTorch
};

constexpr BinarySpec binary_spec(BinaryOp op) {
  switch (op) {
    case BinaryOp::add: return {-2, 2, -2, 2, 1e-6};
    case BinaryOp::sub: return {-2, 2, -2, 2, 1e-6};
    case BinaryOp::mul: return {-2, 2, -2, 2, 1e-6};
    case BinaryOp::div: return {-2, 2, 0.5, 2, 1e-6};
    case BinaryOp::div_trunc: return {0.1, 0.9, 1.1, 1.9, 1e-6};  // quotient stays in (0, 1)
    case BinaryOp::div_floor: return {0.1, 0.9, 1.1, 1.9, 1e-6};
    case BinaryOp::pow: return {0.5, 2, 0.6, 1.7, 1e-5};
    case BinaryOp::remainder: return {0.5, 2, 0.6, 1.7, 1e-6};
    case BinaryOp::fmod: return {0.5, 2, 0.6, 1.7, 1e-6};
    case BinaryOp::maximum: return {-2, 2, -2, 2, 0};
    case BinaryOp::minimum: return {-2, 2, -2, 2, 0};
    case BinaryOp::atan2: return {0.5, 2, 0.6, 1.7, 1e-5};
    case BinaryOp::bitwise_and: return {0, 0, 0, 0, 0};  // integers only; not differentiable
    case BinaryOp::bitwise_or: return {0, 0, 0, 0, 0};
    case BinaryOp::bitwise_xor: return {0, 0, 0, 0, 0};
    case BinaryOp::eq: return {0, 0, 0, 0, 0};
    case BinaryOp::ne: return {0, 0, 0, 0, 0};
    case BinaryOp::lt: return {0, 0, 0, 0, 0};
    case BinaryOp::le: return {0, 0, 0, 0, 0};
    case BinaryOp::gt: return {0, 0, 0, 0, 0};
    case BinaryOp::ge: return {0, 0, 0, 0, 0};
    case BinaryOp::logical_and: return {0, 0, 0, 0, 0};
    case BinaryOp::logical_or: return {0, 0, 0, 0, 0};
    case BinaryOp::logical_xor: return {0, 0, 0, 0, 0};
  }
  return {0, 0, 0, 0, 0};
}

// The reduction table (core/reduction_list.h): the input range where both forms' gradients
// are smooth (max/min/amax/amin need distinct values, which the tests' inputs have; prod and
// norm stay away from 0) and the float32 forward tolerance against LibTorch (sums in another
// order differ in the last bits).
struct ReductionSpec {
  double lo, hi;
  double tol;
};

constexpr ReductionSpec reduction_spec(ReductionOp op) {
  switch (op) {
    case ReductionOp::sum: return {-2, 2, 1e-5};
    case ReductionOp::mean: return {-2, 2, 1e-5};
    case ReductionOp::prod: return {0.5, 1.5, 1e-5};
    case ReductionOp::amax: return {-2, 2, 0};
    case ReductionOp::amin: return {-2, 2, 0};
    case ReductionOp::max: return {-2, 2, 0};
    case ReductionOp::min: return {-2, 2, 0};
    case ReductionOp::argmax: return {-2, 2, 0};
    case ReductionOp::argmin: return {-2, 2, 0};
    case ReductionOp::var: return {-2, 2, 1e-5};
    case ReductionOp::std: return {-2, 2, 1e-5};
    case ReductionOp::norm: return {0.5, 2, 1e-5};
    case ReductionOp::logsumexp: return {-2, 2, 1e-5};
    case ReductionOp::all: return {-2, 2, 0};
    case ReductionOp::any: return {-2, 2, 0};
    case ReductionOp::count_nonzero: return {-2, 2, 0};
    case ReductionOp::cumsum: return {-2, 2, 1e-5};
    case ReductionOp::cumprod: return {0.5, 1.5, 1e-5};
  }
  return {0, 0, 0};
}

// The rows, for loops.
inline constexpr UnaryOp kUnaryOps[] = {
#define EMBER_X(name, ...) UnaryOp::name,
    EMBER_UNARY_OPS(EMBER_X)
#undef EMBER_X
};
inline constexpr BinaryOp kBinaryOps[] = {
#define EMBER_X(name, ...) BinaryOp::name,
    EMBER_BINARY_OPS(EMBER_X)
#undef EMBER_X
};

}  // namespace ember::test
