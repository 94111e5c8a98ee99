#pragma once
// The two 16-bit float types. They are stored as 16 bits and computed in float32, as in
// PyTorch: every arithmetic operator converts to float, computes, and rounds back
// (round-to-nearest-even).
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <ostream>

namespace ember {

namespace detail {
inline uint32_t f32_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
inline float f32_from_bits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

// IEEE binary16 <-> binary32, exact and round-to-nearest-even.
inline float half_bits_to_float(uint16_t h) {
  uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1F;
  uint32_t man = h & 0x3FF;
  if (exp == 0x1F) return f32_from_bits(sign | 0x7F800000u | (man << 13));  // inf / nan
  if (exp == 0) {
    if (man == 0) return f32_from_bits(sign);
    // subnormal: value = man * 2^-24
    float v = static_cast<float>(man) * 5.9604644775390625e-08f;
    return sign ? -v : v;
  }
  return f32_from_bits(sign | ((exp + 112) << 23) | (man << 13));
}
inline uint16_t float_to_half_bits(float f) {
  uint32_t x = f32_bits(f);
  uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000);
  uint32_t ax = x & 0x7FFFFFFFu;
  if (ax >= 0x7F800000u) return sign | (ax > 0x7F800000u ? 0x7E00 : 0x7C00);  // nan / inf
  if (ax >= 0x477FF000u) return sign | 0x7C00;  // rounds to >= 65520 -> inf
  if (ax < 0x38800000u) {                       // below 2^-14: subnormal half or zero
    // Scale into the subnormal grid using float arithmetic, which rounds to nearest even.
    float v = f32_from_bits(ax) * 16777216.0f;  // * 2^24, exact
    uint32_t m = static_cast<uint32_t>(std::nearbyint(v));
    return sign | static_cast<uint16_t>(m);
  }
  uint32_t mant_odd = (ax >> 13) & 1;
  ax += 0xC8000FFFu + mant_odd;  // rebias exponent (-112 << 23) and round
  return sign | static_cast<uint16_t>(ax >> 13);
}
inline float bf16_bits_to_float(uint16_t b) { return f32_from_bits(static_cast<uint32_t>(b) << 16); }
inline uint16_t float_to_bf16_bits(float f) {
  uint32_t x = f32_bits(f);
  if ((x & 0x7FFFFFFFu) > 0x7F800000u) return 0x7FC0;  // canonical nan
  uint32_t rounding_bias = 0x7FFF + ((x >> 16) & 1);
  return static_cast<uint16_t>((x + rounding_bias) >> 16);
}
}  // namespace detail

struct Half {
  uint16_t x = 0;
  struct from_bits_t {};
  Half() = default;
  constexpr Half(uint16_t bits, from_bits_t) : x(bits) {}
  Half(float f) : x(detail::float_to_half_bits(f)) {}
  operator float() const { return detail::half_bits_to_float(x); }
};

struct BFloat16 {
  uint16_t x = 0;
  struct from_bits_t {};
  BFloat16() = default;
  constexpr BFloat16(uint16_t bits, from_bits_t) : x(bits) {}
  BFloat16(float f) : x(detail::float_to_bf16_bits(f)) {}
  operator float() const { return detail::bf16_bits_to_float(x); }
};

inline std::ostream& operator<<(std::ostream& os, Half h) { return os << static_cast<float>(h); }
inline std::ostream& operator<<(std::ostream& os, BFloat16 h) { return os << static_cast<float>(h); }

}  // namespace ember
