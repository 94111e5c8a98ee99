// Unary elementwise kernels (exp, abs, isnan, ...). Compiled once per ISA.
#include "ember/cpu/kernels/kernel_prelude.h"

#include <cmath>
#include <type_traits>

#include "ember/cpu/bf16_convert.h"
#include "ember/cpu/vec_math.h"

namespace ember::cpu::EMBER_CPU_NS {
namespace {

constexpr int64_t kBlock = 1024;  // elements per vectorised block (stays in L1)

template <class T>
using acc = opmath_t<T>;

// Scalar definition of each FLOAT op, in the op-math type.
template <class A>
A scalar_float_op(UnaryOp op, A x) {
  switch (op) {
    case UnaryOp::exp: return std::exp(x);
    case UnaryOp::expm1: return std::expm1(x);
    case UnaryOp::log: return std::log(x);
    case UnaryOp::log1p: return std::log1p(x);
    case UnaryOp::log2: return std::log2(x);
    case UnaryOp::log10: return std::log10(x);
    case UnaryOp::sqrt: return std::sqrt(x);
    case UnaryOp::rsqrt: return A(1) / std::sqrt(x);
    case UnaryOp::sin: return std::sin(x);
    case UnaryOp::cos: return std::cos(x);
    case UnaryOp::tan: return std::tan(x);
    case UnaryOp::tanh: return std::tanh(x);
    case UnaryOp::sigmoid: return A(1) / (A(1) + std::exp(-x));
    case UnaryOp::erf: return std::erf(x);
    case UnaryOp::reciprocal: return A(1) / x;
    case UnaryOp::gelu: return A(0.5) * x * (A(1) + std::erf(x * A(M_SQRT1_2)));
    case UnaryOp::gelu_tanh: {
      const A k = A(M_SQRT2 * M_2_SQRTPI * 0.5);  // sqrt(2/pi)
      return A(0.5) * x * (A(1) + std::tanh(k * (x + A(0.044715) * x * x * x)));
    }
    // Every row of the op table is listed (no default: a new FLOAT row must add its case).
#define EMBER_X(name, ...) case UnaryOp::name:
    EMBER_UNARY_SAME_OPS(EMBER_X) EMBER_UNARY_PRED_OPS(EMBER_X)
#undef EMBER_X
      break;  // float_op only gets FLOAT ops
  }
  return x;
}

// Dense float/double path: SLEEF for transcendental functions, plain loops the compiler
// vectorises for the rest. Returns false when `op` has no dense path here.
template <class T>
bool dense_float_op(UnaryOp op, const T* in, T* out, int64_t n) {
  switch (op) {
    case UnaryOp::exp: vec::exp(in, out, n); return true;
    case UnaryOp::expm1: vec::expm1(in, out, n); return true;
    case UnaryOp::log: vec::log(in, out, n); return true;
    case UnaryOp::log1p: vec::log1p(in, out, n); return true;
    case UnaryOp::log2: vec::log2(in, out, n); return true;
    case UnaryOp::log10: vec::log10(in, out, n); return true;
    case UnaryOp::sin: vec::sin(in, out, n); return true;
    case UnaryOp::cos: vec::cos(in, out, n); return true;
    case UnaryOp::tan: vec::tan(in, out, n); return true;
    case UnaryOp::tanh: vec::tanh(in, out, n); return true;
    case UnaryOp::erf: vec::erf(in, out, n); return true;
    case UnaryOp::sqrt:
      for (int64_t i = 0; i < n; ++i) out[i] = std::sqrt(in[i]);
      return true;
    case UnaryOp::rsqrt:
      for (int64_t i = 0; i < n; ++i) out[i] = T(1) / std::sqrt(in[i]);
      return true;
    case UnaryOp::reciprocal:
      for (int64_t i = 0; i < n; ++i) out[i] = T(1) / in[i];
      return true;
    case UnaryOp::sigmoid: {
      T tmp[kBlock];
      for (int64_t b = 0; b < n; b += kBlock) {
        int64_t m = std::min(kBlock, n - b);
        for (int64_t i = 0; i < m; ++i) tmp[i] = -in[b + i];
        vec::exp(tmp, tmp, m);
        for (int64_t i = 0; i < m; ++i) out[b + i] = T(1) / (T(1) + tmp[i]);
      }
      return true;
    }
    case UnaryOp::gelu: {
      T tmp[kBlock];
      for (int64_t b = 0; b < n; b += kBlock) {
        int64_t m = std::min(kBlock, n - b);
        for (int64_t i = 0; i < m; ++i) tmp[i] = in[b + i] * T(M_SQRT1_2);
        vec::erf(tmp, tmp, m);
        for (int64_t i = 0; i < m; ++i) out[b + i] = T(0.5) * in[b + i] * (T(1) + tmp[i]);
      }
      return true;
    }
    case UnaryOp::gelu_tanh: {
      T tmp[kBlock];
      const T k = T(M_SQRT2 * M_2_SQRTPI * 0.5);
      for (int64_t b = 0; b < n; b += kBlock) {
        int64_t m = std::min(kBlock, n - b);
        for (int64_t i = 0; i < m; ++i) {
          T x = in[b + i];
          tmp[i] = k * (x + T(0.044715) * x * x * x);
        }
        vec::tanh(tmp, tmp, m);
        for (int64_t i = 0; i < m; ++i) out[b + i] = T(0.5) * in[b + i] * (T(1) + tmp[i]);
      }
      return true;
    }
    default: return false;
  }
}

template <class T>
void float_op(UnaryOp op, const TensorIterator& iter) {
  if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
    iter.for_each([&](char** data, const int64_t* strides, int64_t n) {
      if (strides[0] == sizeof(T) && strides[1] == sizeof(T) &&
          dense_float_op(op, reinterpret_cast<const T*>(data[1]), reinterpret_cast<T*>(data[0]), n))
        return;
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<T*>(data[0] + i * strides[0]) =
            scalar_float_op<T>(op, *reinterpret_cast<const T*>(data[1] + i * strides[1]));
    });
  } else {
    if constexpr (std::is_same_v<T, BFloat16>) {
      // Dense bf16: widen a block, the float32 path, one rounding (Note [bfloat16 rounding]).
      // dense_float_op's answer depends on `op` alone, so asking it about no elements
      // decides once, before the loop runs on several threads, which ops have the block path.
      float none = 0;
      const bool dense = dense_float_op(op, &none, &none, 0);
      iter.for_each([&](char** data, const int64_t* strides, int64_t n) {
        if (dense && strides[0] == sizeof(T) && strides[1] == sizeof(T)) {
          const T* in = reinterpret_cast<const T*>(data[1]);
          T* out = reinterpret_cast<T*>(data[0]);
          float tmp[kBf16Block];
          for (int64_t b = 0; b < n; b += kBf16Block) {
            const int64_t m = std::min(kBf16Block, n - b);
            widen_bf16(in + b, tmp, m);
            dense_float_op(op, tmp, tmp, m);
            round_bf16(tmp, out + b, m);
          }
          return;
        }
        for (int64_t i = 0; i < n; ++i)
          *reinterpret_cast<T*>(data[0] + i * strides[0]) =
              T(scalar_float_op<float>(op, float(*reinterpret_cast<const T*>(data[1] + i * strides[1]))));
      });
      return;
    }
    unary_loop<T, T>(iter, [op](T x) { return T(scalar_float_op<acc<T>>(op, acc<T>(x))); });
  }
}

template <class T>
void same_op(UnaryOp op, const TensorIterator& iter) {
  using A = acc<T>;
  constexpr bool is_fp = std::is_floating_point_v<A>;
  switch (op) {
    case UnaryOp::abs:
      if constexpr (std::is_same_v<T, bool> || std::is_unsigned_v<T>) unary_loop<T, T>(iter, [](T x) { return x; });
      else unary_loop<T, T>(iter, [](T x) { return T(A(x) < A(0) ? -A(x) : A(x)); });
      break;
    case UnaryOp::neg:
      unary_loop<T, T>(iter, [](T x) { return T(-A(x)); });
      break;
    case UnaryOp::sign:
      if constexpr (std::is_same_v<T, bool>) unary_loop<T, T>(iter, [](T x) { return x; });
      else unary_loop<T, T>(iter, [](T x) { return T(A((A(0) < A(x)) - (A(x) < A(0)))); });
      break;
    case UnaryOp::floor:
      if constexpr (is_fp) unary_loop<T, T>(iter, [](T x) { return T(std::floor(A(x))); });
      else unary_loop<T, T>(iter, [](T x) { return x; });
      break;
    case UnaryOp::ceil:
      if constexpr (is_fp) unary_loop<T, T>(iter, [](T x) { return T(std::ceil(A(x))); });
      else unary_loop<T, T>(iter, [](T x) { return x; });
      break;
    case UnaryOp::round:  // half to even, as torch.round
      if constexpr (is_fp) unary_loop<T, T>(iter, [](T x) { return T(std::nearbyint(A(x))); });
      else unary_loop<T, T>(iter, [](T x) { return x; });
      break;
    case UnaryOp::trunc:
      if constexpr (is_fp) unary_loop<T, T>(iter, [](T x) { return T(std::trunc(A(x))); });
      else unary_loop<T, T>(iter, [](T x) { return x; });
      break;
    case UnaryOp::relu:
      if constexpr (std::is_same_v<T, bool>) unary_loop<T, T>(iter, [](T x) { return x; });
      // NaN propagates: NaN > 0 is false but PyTorch's relu (clamp_min) keeps NaN.
      else if constexpr (std::is_same_v<T, BFloat16>)
        // On the bits: negative, non-zero and not NaN (magnitude 1..0x7F80) becomes +0.
        unary_loop<T, T>(iter, [](T x) {
          const bool neg = (x.x & 0x8000) && static_cast<uint16_t>((x.x & 0x7FFF) - 1) < 0x7F80;
          return neg ? BFloat16(0, BFloat16::from_bits_t{}) : x;
        });
      else unary_loop<T, T>(iter, [](T x) { return A(x) < A(0) ? T(A(0)) : x; });
      break;
    case UnaryOp::square:
      unary_loop<T, T>(iter, [](T x) { return T(wrap_mul(A(x), A(x))); });  // Note [Integer wrap-around]
      break;
    case UnaryOp::bitwise_not:
      if constexpr (std::is_same_v<T, bool>) unary_loop<T, T>(iter, [](T x) { return !x; });
      else if constexpr (std::is_integral_v<T>) unary_loop<T, T>(iter, [](T x) { return T(~x); });
      break;
#define EMBER_X(name, ...) case UnaryOp::name:
    EMBER_UNARY_FLOAT_OPS(EMBER_X) EMBER_UNARY_PRED_OPS(EMBER_X)
#undef EMBER_X
      break;  // same_op only gets SAME ops
  }
}

template <class T>
void pred_op(UnaryOp op, const TensorIterator& iter) {
  using A = acc<T>;
  switch (op) {
    case UnaryOp::isnan:
      if constexpr (std::is_floating_point_v<A>) unary_loop<bool, T>(iter, [](T x) { return std::isnan(A(x)); });
      else unary_loop<bool, T>(iter, [](T) { return false; });
      break;
    case UnaryOp::isinf:
      if constexpr (std::is_floating_point_v<A>) unary_loop<bool, T>(iter, [](T x) { return std::isinf(A(x)); });
      else unary_loop<bool, T>(iter, [](T) { return false; });
      break;
    case UnaryOp::isfinite:
      if constexpr (std::is_floating_point_v<A>) unary_loop<bool, T>(iter, [](T x) { return std::isfinite(A(x)); });
      else unary_loop<bool, T>(iter, [](T) { return true; });
      break;
    case UnaryOp::logical_not:
      unary_loop<bool, T>(iter, [](T x) { return !(A(x) != A(0)); });
      break;
#define EMBER_X(name, ...) case UnaryOp::name:
    EMBER_UNARY_FLOAT_OPS(EMBER_X) EMBER_UNARY_SAME_OPS(EMBER_X)
#undef EMBER_X
      break;  // pred_op only gets PRED ops
  }
}


// iter: (out, in); the input's dtype selects the instantiation.
void unary_kernel(UnaryOp op, const TensorIterator& iter) {
  ScalarType dt = iter.dtype(1);
  if (is_unary_float_op(op)) {
    EMBER_DISPATCH_FLOATING_TYPES(dt, op_name(op), [&] { float_op<scalar_t>(op, iter); });
  } else if (is_unary_pred_op(op)) {
    EMBER_DISPATCH_ALL_TYPES(dt, op_name(op), [&] { pred_op<scalar_t>(op, iter); });
  } else {
    EMBER_DISPATCH_ALL_TYPES(dt, op_name(op), [&] { same_op<scalar_t>(op, iter); });
  }
}

}  // namespace

void register_unary() {
  EMBER_REGISTER_KERNEL(unary_stub, &unary_kernel);
}

}  // namespace ember::cpu::EMBER_CPU_NS
