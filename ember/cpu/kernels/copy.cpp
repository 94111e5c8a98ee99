// Conversions (copy between dtypes), fill, clamp, where and nan_to_num. Compiled once per ISA.
#include "ember/cpu/kernels/kernel_prelude.h"

#include "ember/cpu/bf16_convert.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

namespace ember::cpu::EMBER_CPU_NS {
namespace {

// Converts like a C++ static_cast through the op-math type, except that float -> bool is
// "non-zero" (as PyTorch) and the 16-bit floats go through float.
template <class To, class From>
inline To convert(From v) {
  if constexpr (std::is_same_v<To, From>) {
    return v;
  } else if constexpr (std::is_same_v<To, bool>) {
    return static_cast<opmath_t<From>>(v) != opmath_t<From>(0);
  } else if constexpr (std::is_same_v<To, Half> || std::is_same_v<To, BFloat16>) {
    return To(static_cast<float>(static_cast<opmath_t<From>>(v)));
  } else if constexpr (std::is_integral_v<To> && std::is_floating_point_v<opmath_t<From>>) {
    // Out-of-range float -> int is undefined in C++. PyTorch on x86 gets the hardware's
    // answer: targets of up to 32 bits convert through int32 and 64-bit ones through int64,
    // and NaN, infinities and out-of-range values become the minimum of that type (then
    // truncated: -inf -> int8 is 0, -> int32 INT32_MIN). ember computes the same without UB.
    double d = static_cast<double>(static_cast<opmath_t<From>>(v));
    if constexpr (sizeof(To) <= 4) {
      if (!(d > -2147483649.0 && d < 2147483648.0)) return static_cast<To>(INT32_MIN);
      return static_cast<To>(static_cast<int32_t>(d));
    } else {
      if (!(d >= -9.2233720368547758e18 && d < 9.2233720368547758e18)) return static_cast<To>(INT64_MIN);
      return static_cast<To>(static_cast<int64_t>(d));
    }
  } else {
    return static_cast<To>(static_cast<opmath_t<From>>(v));
  }
}

template <class To, class From>
void copy_typed(const TensorIterator& iter) {
  iter.for_each([](char** data, const int64_t* strides, int64_t n) {
    if constexpr (std::is_same_v<To, From>) {
      if (strides[0] == sizeof(To) && strides[1] == sizeof(From)) {
        std::memcpy(data[0], data[1], n * sizeof(To));
        return;
      }
    }
    // The casts on every autocast path (Note [bfloat16 rounding]).
    if constexpr (std::is_same_v<To, BFloat16> && std::is_same_v<From, float>) {
      if (strides[0] == sizeof(To) && strides[1] == sizeof(From))
        return round_bf16(reinterpret_cast<const float*>(data[1]), reinterpret_cast<BFloat16*>(data[0]), n);
    }
    if constexpr (std::is_same_v<To, float> && std::is_same_v<From, BFloat16>) {
      if (strides[0] == sizeof(To) && strides[1] == sizeof(From))
        return widen_bf16(reinterpret_cast<const BFloat16*>(data[1]), reinterpret_cast<float*>(data[0]), n);
    }
    if (strides[0] == sizeof(To) && strides[1] == sizeof(From)) {
      To* __restrict out = reinterpret_cast<To*>(data[0]);
      const From* __restrict in = reinterpret_cast<const From*>(data[1]);
      for (int64_t i = 0; i < n; ++i) out[i] = convert<To, From>(in[i]);
    } else {
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<To*>(data[0] + i * strides[0]) =
            convert<To, From>(*reinterpret_cast<const From*>(data[1] + i * strides[1]));
    }
  });
}

void copy_kernel(const TensorIterator& iter) {
  ScalarType to = iter.dtype(0), from = iter.dtype(1);
  EMBER_DISPATCH_ALL_TYPES(to, "copy_", [&] {
    using to_t = scalar_t;
    EMBER_DISPATCH_ALL_TYPES(from, "copy_", [&] { copy_typed<to_t, scalar_t>(iter); });
  });
}

void fill_kernel(const TensorIterator& iter, const Scalar& value) {
  EMBER_DISPATCH_ALL_TYPES(iter.dtype(0), "fill_", [&] {
    scalar_t v;
    if (value.is_floating_point()) v = convert<scalar_t, double>(value.to<double>());
    else if (value.is_bool()) v = convert<scalar_t, bool>(value.to<bool>());
    else v = convert<scalar_t, int64_t>(value.to<int64_t>());
    iter.for_each([v](char** data, const int64_t* strides, int64_t n) {
      if constexpr (std::is_same_v<scalar_t, BFloat16> || std::is_same_v<scalar_t, Half>) {
        // The 16-bit floats are stored as their bit patterns: the compiler vectorises a fill
        // of uint16_t (a loop over the class type stayed one scalar store per element).
        if (strides[0] == sizeof(scalar_t)) {
          uint16_t bits;
          std::memcpy(&bits, &v, sizeof(bits));
          std::fill_n(reinterpret_cast<uint16_t*>(data[0]), n, bits);
          return;
        }
      }
      if (strides[0] == sizeof(scalar_t)) {
        scalar_t* out = reinterpret_cast<scalar_t*>(data[0]);
        for (int64_t i = 0; i < n; ++i) out[i] = v;
      } else {
        for (int64_t i = 0; i < n; ++i) *reinterpret_cast<scalar_t*>(data[0] + i * strides[0]) = v;
      }
    });
  });
}

void clamp_kernel(const TensorIterator& iter, const Scalar* lo, const Scalar* hi) {
  EMBER_DISPATCH_ALL_TYPES(iter.dtype(1), "clamp", [&] {
    using A = opmath_t<scalar_t>;
    if constexpr (std::is_same_v<scalar_t, bool>) {
      bool l = lo ? lo->to<bool>() : false, h = hi ? hi->to<bool>() : true;
      unary_loop<bool, bool>(iter, [=](bool x) { return x < l ? l : (x > h ? h : x); });
    } else {
      // Bounds are applied as PyTorch does: min first, then max (so lo > hi gives hi). A
      // missing bound is -inf / +inf for floats, so infinite elements pass through. A NaN
      // bound makes every element NaN when both bounds are given; alone it leaves the input
      // unchanged (PyTorch 1.13's clamp with one NaN bound keeps x; its clamp_min/clamp_max
      // methods give NaN instead, see Tensor::clamp_min).
      constexpr bool is_float = std::is_floating_point_v<A>;
      constexpr A lowest = is_float ? -std::numeric_limits<A>::infinity() : std::numeric_limits<A>::lowest();
      constexpr A highest = is_float ? std::numeric_limits<A>::infinity() : std::numeric_limits<A>::max();
      A l = lo ? lo->to<A>() : lowest;
      A h = hi ? hi->to<A>() : highest;
      const bool both = lo && hi;
      unary_loop<scalar_t, scalar_t>(iter, [=](scalar_t xs) {
        A x = xs;
        if constexpr (is_float) {
          if (x != x) return xs;  // NaN stays NaN
          if (l != l || h != h) return both ? scalar_t(l != l ? l : h) : xs;
        }
        A r = x < l ? l : x;
        r = r > h ? h : r;
        return scalar_t(r);
      });
    }
  });
}

void where_kernel(const TensorIterator& iter) {
  EMBER_DISPATCH_ALL_TYPES(iter.dtype(0), "where", [&] {
    iter.for_each([](char** data, const int64_t* s, int64_t n) {
      for (int64_t i = 0; i < n; ++i) {
        bool c = *reinterpret_cast<const bool*>(data[1] + i * s[1]);
        *reinterpret_cast<scalar_t*>(data[0] + i * s[0]) =
            c ? *reinterpret_cast<const scalar_t*>(data[2] + i * s[2])
              : *reinterpret_cast<const scalar_t*>(data[3] + i * s[3]);
      }
    });
  });
}

void nan_to_num_kernel(const TensorIterator& iter, double nan, double posinf, double neginf) {
  EMBER_DISPATCH_FLOATING_TYPES(iter.dtype(1), "nan_to_num", [&] {
    using A = opmath_t<scalar_t>;
    A vn = A(nan), vp = A(posinf), vm = A(neginf);
    unary_loop<scalar_t, scalar_t>(iter, [=](scalar_t xs) {
      A x = xs;
      if (x != x) return scalar_t(vn);
      if (x == std::numeric_limits<A>::infinity()) return scalar_t(vp);
      if (x == -std::numeric_limits<A>::infinity()) return scalar_t(vm);
      return xs;
    });
  });
}

}  // namespace

void register_copy() {
  EMBER_REGISTER_KERNEL(copy_stub, &copy_kernel);
  EMBER_REGISTER_KERNEL(fill_stub, &fill_kernel);
  EMBER_REGISTER_KERNEL(clamp_stub, &clamp_kernel);
  EMBER_REGISTER_KERNEL(where_stub, &where_kernel);
  EMBER_REGISTER_KERNEL(nan_to_num_stub, &nan_to_num_kernel);
}

}  // namespace ember::cpu::EMBER_CPU_NS
