// Random-number kernels: uniform_, normal_, random_, bernoulli_. Compiled once per ISA,
// but every copy computes bit-identical values (Note [Random kernels are ISA-independent]).
//
// Note [Random kernels are ISA-independent]
// PyTorch's x86-64 Linux builds compile these loops with GCC and -ffp-contract=fast, so
// its u*(to-from)+from and x*std+mean are fused multiply-adds, and its normal_ vector
// path is the AVX2 Cephes transform (reference/formats-rng.md 4.3, 4.4.2). Here every
// operation PyTorch fuses is an explicit std::fma, and no other product feeds an
// addition (this TU is compiled with -ffp-contract=fast too, which would otherwise fuse
// only in the AVX2/AVX-512 copies). The Cephes transform is used in all copies, so the
// default-ISA copy reproduces AVX2 PyTorch as well; std::fma is exact everywhere.
#include "ember/cpu/kernels/kernel_prelude.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>
#include <type_traits>

#include "ember/kernels/random.h"

namespace ember::cpu::EMBER_CPU_NS {
namespace {

constexpr double kPi = 3.14159265358979323846;

// Calls fn(T* out) for every output element in memory order, serially.
template <class T, class Fn>
void serial_fill(const TensorIterator& iter, Fn&& fn) {
  iter.serial_for_each(
      [&](char** data, const int64_t* strides, int64_t n) {
        char* p = data[0];
        for (int64_t i = 0; i < n; ++i, p += strides[0]) *reinterpret_cast<T*>(p) = fn();
      },
      0, iter.numel());
}

// Mantissa digits as std::numeric_limits<T>::digits, including the 16-bit floats.
template <class T>
constexpr int digits() {
  if constexpr (std::is_same_v<T, Half>) return 11;
  else if constexpr (std::is_same_v<T, BFloat16>) return 8;
  else return std::numeric_limits<T>::digits;
}

// The [0, 1) uniform of dtype T (formats-rng.md 4.2): 24 bits for float, 53 (two draws)
// for double, 11 for half, 8 for bfloat16; in T's op-math type.
template <class T>
inline opmath_t<T> uniform01(GeneratorImpl* g) {
  if constexpr (std::is_same_v<T, double>) {
    return static_cast<double>(g->random64() & ((1ULL << 53) - 1)) * 0x1p-53;
  } else {
    constexpr uint32_t mask = (1u << digits<T>()) - 1;
    constexpr float scale = 1.0f / static_cast<float>(1u << digits<T>());
    return static_cast<float>(g->random() & mask) * scale;
  }
}

// ---- uniform_ -------------------------------------------------------------------------

template <class T>
void uniform_typed(const TensorIterator& iter, double from_d, double to_d, GeneratorImpl* g) {
  // The bounds are first rounded to T; (to - from) is rounded to T as well (PyTorch's
  // Half/BFloat16 subtraction returns Half/BFloat16).
  const T from = static_cast<T>(from_d), to = static_cast<T>(to_d);
  using acc = opmath_t<T>;
  const acc range = static_cast<acc>(static_cast<T>(static_cast<acc>(to) - static_cast<acc>(from)));
  const acc base = static_cast<acc>(from);
  serial_fill<T>(iter, [&] { return static_cast<T>(std::fma(uniform01<T>(g), range, base)); });
}

void uniform_kernel(const TensorIterator& iter, double from, double to, GeneratorImpl* g) {
  std::lock_guard<std::mutex> lock(g->mutex_);
  EMBER_DISPATCH_FLOATING_TYPES(iter.dtype(0), "uniform_", [&] { uniform_typed<scalar_t>(iter, from, to, g); });
}

// ---- normal_: scalar path -----------------------------------------------------------

// One N(mean, std) sample through the generator's cached double (formats-rng.md 4.4.4).
inline double normal_scalar(GeneratorImpl* g, double mean, double std) {
  if (g->next_double_normal_) {
    double cached = *g->next_double_normal_;
    g->next_double_normal_.reset();
    return std::fma(cached, std, mean);
  }
  const double u1 = uniform01<double>(g);
  const double u2 = uniform01<double>(g);
  const double r = std::sqrt(-2.0 * std::log(1.0 - u2));
  const double theta = 2.0 * kPi * u1;
  g->next_double_normal_ = r * std::sin(theta);
  const double rc = r * std::cos(theta);
  return std::fma(rc, std, mean);
}

// ---- normal_: 16-wide vector path -----------------------------------------------------

inline uint32_t bits_of(float f) { return ::ember::detail::f32_bits(f); }
inline float from_bits(uint32_t b) { return ::ember::detail::f32_from_bits(b); }

// Cephes logf as PyTorch's AVX2 avx_mathfun.h computes it (formats-rng.md 4.4.2 step 2).
inline float cephes_log(float u) {
  float x = std::max(u, 0x1p-126f);
  const uint32_t xb = bits_of(x);
  const int32_t e_int = static_cast<int32_t>(xb >> 23) - 127;
  const float m = from_bits((xb & ~0x7F800000u) | 0x3F000000u);
  float e = static_cast<float>(e_int) + 1.0f;
  if (m < 0.707106781186547524f) {
    e = e - 1.0f;
    x = (m - 1.0f) + m;
  } else {
    x = m - 1.0f;
  }
  const float z = x * x;
  float y = std::fma(x, 7.0376836292E-2f, -1.1514610310E-1f);
  y = std::fma(x, y, 1.1676998740E-1f);
  y = std::fma(x, y, -1.2420140846E-1f);
  y = std::fma(x, y, 1.4249322787E-1f);
  y = std::fma(x, y, -1.6668057665E-1f);
  y = std::fma(x, y, 2.0000714765E-1f);
  y = std::fma(x, y, -2.4999993993E-1f);
  y = std::fma(x, y, 3.3333331174E-1f);
  y = x * y;
  const float t = e * -2.12194440e-4f;
  y = std::fma(z, y, t);
  y = std::fma(-z, 0.5f, y);
  return std::fma(e, 0.693359375f, x + y);
}

// Cephes sincosf for theta >= 0, as avx_mathfun.h (formats-rng.md 4.4.2 step 5).
inline void cephes_sincos(float theta, float* sin_out, float* cos_out) {
  float x = std::fabs(theta);
  float y = x * 1.27323954473516f;
  int32_t k = static_cast<int32_t>(y);
  k = (k + 1) & ~1;
  y = static_cast<float>(k);
  const bool swap_sin = (k & 4) != 0;
  const bool first_poly = (k & 2) == 0;
  const bool sign_cos = ((~(k - 2)) & 4) != 0;
  x = std::fma(y, -0.78515625f, x);
  x = std::fma(y, -2.4187564849853515625e-4f, x);
  x = std::fma(y, -3.77489497744594108e-8f, x);
  const float z = x * x;
  float c = std::fma(z, 2.443315711809948E-5f, -1.388731625493765E-3f);
  c = std::fma(z, c, 4.166664568298827E-2f);
  c = z * c;
  const float h = z * 0.5f;
  c = std::fma(z, c, -h);
  c = c + 1.0f;
  float s = std::fma(z, -1.9515295891E-4f, 8.3321608736E-3f);
  s = std::fma(z, s, -1.6666654611E-1f);
  s = z * s;
  s = std::fma(x, s, x);
  float sv = first_poly ? s : c;
  float cv = first_poly ? c : s;
  if (swap_sin) sv = -sv;
  if (sign_cos) cv = -cv;
  *sin_out = sv;
  *cos_out = cv;
}

// Box-Muller on 16 uniforms in place: pairs (data[j], data[j+8]).
void normal_block_cephes(float* data, float mean, float std) {
  const float two_pi = static_cast<float>(2.0 * kPi);
  for (int j = 0; j < 8; ++j) {
    const float u1 = 1.0f - data[j];
    const float r = std::sqrt(-2.0f * cephes_log(u1));
    const float theta = two_pi * data[j + 8];
    float s, c;
    cephes_sincos(theta, &s, &c);
    const float rc = r * c, rs = r * s;
    data[j] = std::fma(rc, std, mean);
    data[j + 8] = std::fma(rs, std, mean);
  }
}

// The libm transform PyTorch uses for double (and, rounding every named intermediate to
// the element type, for half and bfloat16) (formats-rng.md 4.4.3).
template <class T>
void normal_block_generic(T* data, T mean, T std) {
  for (int j = 0; j < 8; ++j) {
    if constexpr (std::is_same_v<T, double>) {
      const double u1 = 1.0 - data[j];
      const double r = std::sqrt(-2.0 * std::log(u1));
      const double theta = 2.0 * kPi * data[j + 8];
      const double rc = r * std::cos(theta), rs = r * std::sin(theta);
      data[j] = std::fma(rc, std, mean);
      data[j + 8] = std::fma(rs, std, mean);
    } else if constexpr (std::is_same_v<T, Half>) {
      // c10::Half math: log/sqrt/cos/sin go through float; Half * float stays float.
      const Half u1 = Half(1.0f - static_cast<float>(data[j]));
      const Half r = Half(std::sqrt(-2.0f * std::log(static_cast<float>(u1))));
      const Half theta = Half(static_cast<float>(2.0 * kPi * static_cast<double>(static_cast<float>(data[j + 8]))));
      const float rc = static_cast<float>(r) * std::cos(static_cast<float>(theta));
      const float rs = static_cast<float>(r) * std::sin(static_cast<float>(theta));
      data[j] = Half(std::fma(rc, static_cast<float>(std), static_cast<float>(mean)));
      data[j + 8] = Half(std::fma(rs, static_cast<float>(std), static_cast<float>(mean)));
    } else {
      // c10::BFloat16 math returns BFloat16 from every operation and function.
      using B = BFloat16;
      const B u1 = B(1.0f - static_cast<float>(data[j]));
      const B lg = B(std::log(static_cast<float>(u1)));
      const B m2 = B(-2.0f * static_cast<float>(lg));
      const B r = B(std::sqrt(static_cast<float>(m2)));
      const B theta = B(static_cast<float>(2.0 * kPi * static_cast<double>(static_cast<float>(data[j + 8]))));
      const B c = B(std::cos(static_cast<float>(theta)));
      const B s = B(std::sin(static_cast<float>(theta)));
      const B rc = B(static_cast<float>(r) * static_cast<float>(c));
      const B rs = B(static_cast<float>(r) * static_cast<float>(s));
      const B rcs = B(static_cast<float>(rc) * static_cast<float>(std));
      const B rss = B(static_cast<float>(rs) * static_cast<float>(std));
      data[j] = B(static_cast<float>(rcs) + static_cast<float>(mean));
      data[j + 8] = B(static_cast<float>(rss) + static_cast<float>(mean));
    }
  }
}

// formats-rng.md 4.4.1: n uniforms, every full block of 16 transformed, and a ragged
// tail handled by redrawing 16 fresh uniforms over the last 16 outputs.
template <class T>
void normal_fill(T* data, int64_t n, double mean_d, double std_d, GeneratorImpl* g) {
  const T mean = static_cast<T>(mean_d), std = static_cast<T>(std_d);
  auto block = [&](T* p) {
    if constexpr (std::is_same_v<T, float>) normal_block_cephes(p, mean, std);
    else normal_block_generic<T>(p, mean, std);
  };
  for (int64_t i = 0; i < n; ++i) data[i] = static_cast<T>(uniform01<T>(g));
  for (int64_t i = 0; i + 16 <= n; i += 16) block(data + i);
  if (n % 16 != 0) {
    T* tail = data + n - 16;
    for (int i = 0; i < 16; ++i) tail[i] = static_cast<T>(uniform01<T>(g));
    block(tail);
  }
}

void normal_kernel(const Tensor& self, double mean, double std, GeneratorImpl* g) {
  std::lock_guard<std::mutex> lock(g->mutex_);
  const int64_t n = self.numel();
  EMBER_DISPATCH_FLOATING_TYPES(self.dtype(), "normal_kernel_cpu", [&] {
    if (n >= 16 && self.is_contiguous()) {
      normal_fill<scalar_t>(static_cast<scalar_t*>(self.data_ptr()), n, mean, std, g);
    } else {
      TensorIterator iter;
      iter.add_output(self).build();
      serial_fill<scalar_t>(iter, [&] { return static_cast<scalar_t>(normal_scalar(g, mean, std)); });
    }
  });
}

// ---- random_ ---------------------------------------------------------------------------

template <class T>
inline T from_int64(int64_t v) {
  if constexpr (std::is_same_v<T, bool>) return v != 0;
  else if constexpr (std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>) return T(static_cast<float>(v));
  else return static_cast<T>(v);
}

void random_from_to_kernel(const TensorIterator& iter, uint64_t range, int64_t base, GeneratorImpl* g) {
  std::lock_guard<std::mutex> lock(g->mutex_);
  EMBER_DISPATCH_ALL_TYPES(iter.dtype(0), "random_from_to_kernel_cpu", [&] {
    constexpr bool wide_ok = std::is_same_v<scalar_t, int64_t> || std::is_same_v<scalar_t, double> ||
                             std::is_same_v<scalar_t, float> || std::is_same_v<scalar_t, BFloat16>;
    const bool wide = wide_ok && range >= (1ULL << 32);
    serial_fill<scalar_t>(iter, [&] {
      const uint64_t v = wide ? g->random64() : static_cast<uint64_t>(g->random());
      return from_int64<scalar_t>(static_cast<int64_t>(v % range + static_cast<uint64_t>(base)));
    });
  });
}

void random_full64_kernel(const TensorIterator& iter, GeneratorImpl* g) {
  std::lock_guard<std::mutex> lock(g->mutex_);
  EMBER_DISPATCH_ALL_TYPES(iter.dtype(0), "random_full_64_bits_range_kernel_cpu", [&] {
    serial_fill<scalar_t>(iter, [&] { return from_int64<scalar_t>(static_cast<int64_t>(g->random64())); });
  });
}

// random_() without bounds (formats-rng.md 4.5): [0, 2^digits] for floating dtypes,
// [0, max] for integers, {0, 1} for bool.
void random_kernel(const TensorIterator& iter, GeneratorImpl* g) {
  std::lock_guard<std::mutex> lock(g->mutex_);
  EMBER_DISPATCH_ALL_TYPES(iter.dtype(0), "random_kernel_cpu", [&] {
    using T = scalar_t;
    serial_fill<T>(iter, [&]() -> T {
      if constexpr (std::is_same_v<T, bool>) {
        return (g->random() & 1u) != 0;
      } else if constexpr (std::is_same_v<T, double> || std::is_same_v<T, int64_t>) {
        const uint64_t v = g->random64();
        if constexpr (std::is_same_v<T, double>) return static_cast<double>(v % ((1ULL << 53) + 1));
        else return static_cast<int64_t>(v % (static_cast<uint64_t>(INT64_MAX) + 1));
      } else if constexpr (std::is_integral_v<T>) {
        return static_cast<T>(g->random() % (static_cast<uint64_t>(std::numeric_limits<T>::max()) + 1));
      } else {
        return from_int64<T>(static_cast<int64_t>(g->random() % ((1ULL << digits<T>()) + 1)));
      }
    });
  });
}

// ---- bernoulli_ ------------------------------------------------------------------------

template <class T>
inline T from_bool(bool b) {
  if constexpr (std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>) return T(b ? 1.0f : 0.0f);
  else return static_cast<T>(b);
}

void bernoulli_scalar_kernel(const TensorIterator& iter, double p, GeneratorImpl* g) {
  std::lock_guard<std::mutex> lock(g->mutex_);
  EMBER_DISPATCH_ALL_TYPES(iter.dtype(0), "bernoulli_scalar_cpu_", [&] {
    serial_fill<scalar_t>(iter, [&] { return from_bool<scalar_t>(uniform01<double>(g) < p); });
  });
}

// A double p draws a 53-bit uniform; any other floating p a 24-bit float uniform compared
// in float.
void bernoulli_tensor_kernel(const TensorIterator& iter, GeneratorImpl* g) {
  std::lock_guard<std::mutex> lock(g->mutex_);
  EMBER_DISPATCH_ALL_TYPES(iter.dtype(0), "bernoulli_tensor_cpu_self_", [&] {
    using self_t = scalar_t;
    EMBER_DISPATCH_FLOATING_TYPES(iter.dtype(1), "bernoulli_tensor_cpu_p_", [&] {
      using p_t = scalar_t;
      iter.serial_for_each(
          [&](char** data, const int64_t* strides, int64_t n) {
            char* out = data[0];
            const char* pp = data[1];
            for (int64_t i = 0; i < n; ++i, out += strides[0], pp += strides[1]) {
              const p_t pv = *reinterpret_cast<const p_t*>(pp);
              bool b;
              if constexpr (std::is_same_v<p_t, double>) b = uniform01<double>(g) < pv;
              else b = uniform01<float>(g) < static_cast<float>(pv);
              *reinterpret_cast<self_t*>(out) = from_bool<self_t>(b);
            }
          },
          0, iter.numel());
    });
  });
}

}  // namespace

void register_random() {
  EMBER_REGISTER_KERNEL(uniform_stub, uniform_kernel);
  EMBER_REGISTER_KERNEL(normal_stub, normal_kernel);
  EMBER_REGISTER_KERNEL(random_from_to_stub, random_from_to_kernel);
  EMBER_REGISTER_KERNEL(random_full64_stub, random_full64_kernel);
  EMBER_REGISTER_KERNEL(random_stub, random_kernel);
  EMBER_REGISTER_KERNEL(bernoulli_scalar_stub, bernoulli_scalar_kernel);
  EMBER_REGISTER_KERNEL(bernoulli_tensor_stub, bernoulli_tensor_kernel);
}

}  // namespace ember::cpu::EMBER_CPU_NS
