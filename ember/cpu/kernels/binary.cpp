// Binary elementwise kernels (add, div, pow, comparisons, ...). Compiled once per ISA.
#include "ember/cpu/kernels/kernel_prelude.h"

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "ember/cpu/bf16_convert.h"

namespace ember::cpu::EMBER_CPU_NS {
namespace {

template <class T>
using acc = opmath_t<T>;

template <class T>
constexpr bool is_int_v = std::is_integral_v<T> && !std::is_same_v<T, bool>;

// Note [Rounding between steps]
// PyTorch's float16 and bfloat16 kernels round to the element type after every arithmetic
// step (c10::Half * c10::Half is a Half), so a + alpha * b rounds alpha and alpha * b before
// the add; ember's kernels compute in float and do the same rounding where a kernel takes
// more than one step. For float, double and the integers this is the identity.
template <class T, class A>
A round_to(A x) {
  if constexpr (std::is_floating_point_v<A> && !std::is_same_v<T, A>) return A(T(x));
  else return x;
}

template <class A>
A floor_divide(A a, A b) {
  if constexpr (std::is_floating_point_v<A>) {
    // PyTorch's formula: exact for representable quotients, no double rounding.
    if (b == 0) return a / b;
    A mod = std::fmod(a, b);
    A div = (a - mod) / b;
    if (mod != 0 && ((b < 0) != (mod < 0))) div -= A(1);
    A floordiv;
    if (div != 0) {
      floordiv = std::floor(div);
      if (div - floordiv > A(0.5)) floordiv += A(1);
    } else {
      floordiv = std::copysign(A(0), a / b);
    }
    return floordiv;
  } else {
    if (b == 0) throw Error("ZeroDivisionError");
    A q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
    return q;
  }
}

template <class A>
A remainder_op(A a, A b) {
  if constexpr (std::is_floating_point_v<A>) {
    A mod = std::fmod(a, b);
    if (mod != 0 && ((b < 0) != (mod < 0))) mod += b;
    return mod;
  } else {
    if (b == 0) throw Error("ZeroDivisionError");
    A mod = a % b;
    if (mod != 0 && ((b < 0) != (mod < 0))) mod += b;
    return mod;
  }
}

template <class A>
A int_pow(A base, A exp) {
  if constexpr (std::is_signed_v<A>) {
    if (exp < 0) {
      if (base == 1) return 1;
      if (base == -1) return (exp % 2 == 0) ? 1 : -1;
      return 0;
    }
  }
  A result = 1;
  using U = std::make_unsigned_t<A>;
  U ub = static_cast<U>(base);  // wrap-around multiplication, as C++ unsigned (PyTorch wraps too)
  U ur = 1;
  while (exp) {
    if (exp & 1) ur *= ub;
    ub *= ub;
    exp >>= 1;
  }
  result = static_cast<A>(ur);
  return result;
}

// bfloat16 a (op) b for one-step ops: dense or scalar operands are widened a block at a
// time, combined in float32 and rounded once (Note [bfloat16 rounding]); strided chunks go
// element by element. f(float, float) -> float.
template <class F>
void bf16_blocks(const TensorIterator& iter, const F& f) {
  iter.for_each([&](char** data, const int64_t* strides, int64_t n) {
    constexpr int64_t s = sizeof(BFloat16);
    const bool dense = strides[0] == s && (strides[1] == s || strides[1] == 0) && (strides[2] == s || strides[2] == 0);
    const BFloat16* a = reinterpret_cast<const BFloat16*>(data[1]);
    const BFloat16* b = reinterpret_cast<const BFloat16*>(data[2]);
    BFloat16* out = reinterpret_cast<BFloat16*>(data[0]);
    if (!dense) {
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<BFloat16*>(data[0] + i * strides[0]) =
            BFloat16(f(float(*reinterpret_cast<const BFloat16*>(data[1] + i * strides[1])),
                       float(*reinterpret_cast<const BFloat16*>(data[2] + i * strides[2]))));
      return;
    }
    float fa[kBf16Block], fb[kBf16Block];
    for (int64_t i0 = 0; i0 < n; i0 += kBf16Block) {
      const int64_t m = std::min(kBf16Block, n - i0);
      if (strides[1]) widen_bf16(a + i0, fa, m);
      else std::fill(fa, fa + m, float(*a));
      if (strides[2]) widen_bf16(b + i0, fb, m);
      else std::fill(fb, fb + m, float(*b));
      for (int64_t i = 0; i < m; ++i) fa[i] = f(fa[i], fb[i]);
      round_bf16(fa, out + i0, m);
    }
  });
}

// The bf16 fast path of arith(); false when `op` / alpha take another route.
bool bf16_arith(BinaryOp op, const TensorIterator& iter, const Scalar& alpha_s) {
  const bool unit_alpha = alpha_s.to<double>() == 1.0;
  switch (op) {
    case BinaryOp::add:
      if (!unit_alpha) return false;
      bf16_blocks(iter, [](float a, float b) { return a + b; });
      return true;
    case BinaryOp::sub:
      if (!unit_alpha) return false;
      bf16_blocks(iter, [](float a, float b) { return a - b; });
      return true;
    case BinaryOp::mul: bf16_blocks(iter, [](float a, float b) { return a * b; }); return true;
    case BinaryOp::div: bf16_blocks(iter, [](float a, float b) { return a / b; }); return true;
    default: return false;
  }
}

template <class T>
void arith(BinaryOp op, const TensorIterator& iter, const Scalar& alpha_s) {
  using A = acc<T>;
  constexpr bool fp = std::is_floating_point_v<A>;
  if constexpr (std::is_same_v<T, BFloat16>)
    if (bf16_arith(op, iter, alpha_s)) return;
  switch (op) {
    case BinaryOp::add: {
      if constexpr (std::is_same_v<T, bool>) {
        // a + alpha * b in bool: alpha 0 leaves a, any other alpha is a logical or.
        if (alpha_s.to<bool>()) binary_loop<T, T>(iter, [](T a, T b) { return a || b; });
        else binary_loop<T, T>(iter, [](T a, T) { return a; });
      } else {
        const A alpha = round_to<T>(alpha_s.to<A>());
        // Note [Integer wrap-around], Note [Rounding between steps]
        if (alpha == A(1)) binary_loop<T, T>(iter, [](T a, T b) { return T(wrap_add(A(a), A(b))); });
        else binary_loop<T, T>(iter, [alpha](T a, T b) { return T(wrap_add(A(a), round_to<T>(wrap_mul(alpha, A(b))))); });
      }
      break;
    }
    case BinaryOp::sub: {
      const A alpha = round_to<T>(alpha_s.to<A>());
      if (alpha == A(1)) binary_loop<T, T>(iter, [](T a, T b) { return T(wrap_sub(A(a), A(b))); });
      else binary_loop<T, T>(iter, [alpha](T a, T b) { return T(wrap_sub(A(a), round_to<T>(wrap_mul(alpha, A(b))))); });
      break;
    }
    case BinaryOp::mul:
      if constexpr (std::is_same_v<T, bool>) binary_loop<T, T>(iter, [](T a, T b) { return a && b; });
      else binary_loop<T, T>(iter, [](T a, T b) { return T(wrap_mul(A(a), A(b))); });
      break;
    case BinaryOp::div:
      if constexpr (fp) binary_loop<T, T>(iter, [](T a, T b) { return T(A(a) / A(b)); });
      break;
    case BinaryOp::div_trunc:
      if constexpr (fp) {
        // The quotient is rounded to T before truncating, as PyTorch's trunc(a / b) in T:
        // in bfloat16, 1 / -0.0835 = -11.98 rounds to -12, which truncates to -12.
        binary_loop<T, T>(iter, [](T a, T b) { return T(std::trunc(round_to<T>(A(a) / A(b)))); });
      } else if constexpr (is_int_v<T>) {
        binary_loop<T, T>(iter, [](T a, T b) {
          if (b == 0) throw Error("ZeroDivisionError");
          if constexpr (std::is_signed_v<T>)
            if (b == -1) return T(static_cast<std::make_unsigned_t<T>>(0) - static_cast<std::make_unsigned_t<T>>(a));
          return T(a / b);
        });
      }
      break;
    case BinaryOp::div_floor:
      if constexpr (!std::is_same_v<T, bool>) {
        binary_loop<T, T>(iter, [](T a, T b) {
          if constexpr (std::is_signed_v<A> && !fp)
            if (b == -1) return T(static_cast<std::make_unsigned_t<A>>(0) - static_cast<std::make_unsigned_t<A>>(a));
          return T(floor_divide<A>(A(a), A(b)));
        });
      }
      break;
    case BinaryOp::pow:
      if constexpr (fp) binary_loop<T, T>(iter, [](T a, T b) { return T(std::pow(A(a), A(b))); });
      else if constexpr (is_int_v<T>) binary_loop<T, T>(iter, [](T a, T b) { return int_pow<T>(a, b); });
      break;
    case BinaryOp::remainder:
      if constexpr (!std::is_same_v<T, bool>) binary_loop<T, T>(iter, [](T a, T b) { return T(remainder_op<A>(A(a), A(b))); });
      break;
    case BinaryOp::fmod:
      if constexpr (fp) {
        binary_loop<T, T>(iter, [](T a, T b) { return T(std::fmod(A(a), A(b))); });
      } else if constexpr (is_int_v<T>) {
        binary_loop<T, T>(iter, [](T a, T b) {
          if (b == 0) throw Error("ZeroDivisionError");
          if constexpr (std::is_signed_v<T>) if (b == -1) return T(0);
          return T(a % b);
        });
      }
      break;
    case BinaryOp::maximum:
      if constexpr (fp) binary_loop<T, T>(iter, [](T a, T b) { A x = a, y = b; return (x != x || y != y) ? T(x + y) : T(x > y ? x : y); });
      else binary_loop<T, T>(iter, [](T a, T b) { return a > b ? a : b; });
      break;
    case BinaryOp::minimum:
      if constexpr (fp) binary_loop<T, T>(iter, [](T a, T b) { A x = a, y = b; return (x != x || y != y) ? T(x + y) : T(x < y ? x : y); });
      else binary_loop<T, T>(iter, [](T a, T b) { return a < b ? a : b; });
      break;
    case BinaryOp::atan2:
      if constexpr (fp) binary_loop<T, T>(iter, [](T a, T b) { return T(std::atan2(A(a), A(b))); });
      break;
    case BinaryOp::bitwise_and:
      if constexpr (!fp) binary_loop<T, T>(iter, [](T a, T b) { return T(a & b); });
      break;
    case BinaryOp::bitwise_or:
      if constexpr (!fp) binary_loop<T, T>(iter, [](T a, T b) { return T(a | b); });
      break;
    case BinaryOp::bitwise_xor:
      if constexpr (!fp) binary_loop<T, T>(iter, [](T a, T b) { return T(a ^ b); });
      break;
#define EMBER_X(name, ...) case BinaryOp::name:
    EMBER_BINARY_CMP_OPS(EMBER_X) EMBER_BINARY_LOGIC_OPS(EMBER_X)
#undef EMBER_X
      break;  // arith only gets ARITH ops
  }
}

template <class T>
void compare(BinaryOp op, const TensorIterator& iter) {
  using A = acc<T>;
  switch (op) {
    case BinaryOp::eq: binary_loop<bool, T>(iter, [](T a, T b) { return A(a) == A(b); }); break;
    case BinaryOp::ne: binary_loop<bool, T>(iter, [](T a, T b) { return A(a) != A(b); }); break;
    case BinaryOp::lt: binary_loop<bool, T>(iter, [](T a, T b) { return A(a) < A(b); }); break;
    case BinaryOp::le: binary_loop<bool, T>(iter, [](T a, T b) { return A(a) <= A(b); }); break;
    case BinaryOp::gt: binary_loop<bool, T>(iter, [](T a, T b) { return A(a) > A(b); }); break;
    case BinaryOp::ge: binary_loop<bool, T>(iter, [](T a, T b) { return A(a) >= A(b); }); break;
    case BinaryOp::logical_and: binary_loop<bool, T>(iter, [](T a, T b) { return A(a) != A(0) && A(b) != A(0); }); break;
    case BinaryOp::logical_or: binary_loop<bool, T>(iter, [](T a, T b) { return A(a) != A(0) || A(b) != A(0); }); break;
    case BinaryOp::logical_xor: binary_loop<bool, T>(iter, [](T a, T b) { return (A(a) != A(0)) != (A(b) != A(0)); }); break;
#define EMBER_X(name, ...) case BinaryOp::name:
    EMBER_BINARY_ARITH_OPS(EMBER_X)
#undef EMBER_X
      break;  // compare only gets CMP and LOGIC ops
  }
}


// iter: (out, a, b); the inputs' (common) dtype selects the instantiation.
void binary_kernel(BinaryOp op, const TensorIterator& iter, const Scalar& alpha) {
  ScalarType dt = iter.dtype(1);
  if (is_bool_result(op)) {
    EMBER_DISPATCH_ALL_TYPES(dt, op_name(op), [&] { compare<scalar_t>(op, iter); });
  } else {
    EMBER_DISPATCH_ALL_TYPES(dt, op_name(op), [&] { arith<scalar_t>(op, iter, alpha); });
  }
}

}  // namespace

void register_binary() {
  EMBER_REGISTER_KERNEL(binary_stub, &binary_kernel);
}

}  // namespace ember::cpu::EMBER_CPU_NS
