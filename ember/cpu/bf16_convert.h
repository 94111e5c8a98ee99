#pragma once
// Dense float32 <-> bfloat16 conversion loops for the kernel TUs (compiled once per ISA,
// Note [CPU capability dispatch]).
//
// Note [bfloat16 rounding]
// float32 -> bfloat16 rounds to nearest, ties to even, as c10::BFloat16 does; NaN stays NaN
// (its bit pattern may differ: PyTorch's own scalar and vector paths disagree on it too).
// bfloat16 -> float32 is exact (the 16 bits become the high half). The AVX-512 copy of a
// kernel converts with vcvtneps2bf16 when the CPU has AVX512-BF16 (checked once, at run
// time; the instruction flushes subnormal inputs to zero, so a vector holding one is
// rounded the other way); every other copy, and AVX-512 CPUs without it, use the integer
// form of the same rounding, (bits + 0x7FFF + lsb) >> 16, written branch-free so the compiler vectorises it.
// Both give the same bits for every non-NaN input. Kernels that compute a bf16 result
// through float32 (unary, binary, reductions) use these on blocks that stay in L1:
// widen a block, run the float32 loop, round once.
#include <cstdint>
#include <cstring>

#include "ember/core/half.h"

#if defined(__AVX512F__) && defined(__GNUC__) && !defined(__clang__)
#include <immintrin.h>
#define EMBER_HAVE_AVX512BF16_PATH 1
#endif

namespace ember::cpu {

// Elements per block of the widen / compute / round loops (float block of 4 KiB).
constexpr int64_t kBf16Block = 1024;

// The float bits go through memcpy (one move each, vectorised), never through a uint32_t
// pointer to the floats: that breaks strict aliasing, and GCC 12 then read a float buffer
// before the uint32_t stores that filled it once these loops were inlined into a caller
// that summed the buffer.
inline void widen_bf16(const BFloat16* __restrict in, float* __restrict out, int64_t n) {
  const uint16_t* src = reinterpret_cast<const uint16_t*>(in);
  for (int64_t i = 0; i < n; ++i) {
    const uint32_t bits = static_cast<uint32_t>(src[i]) << 16;
    std::memcpy(out + i, &bits, sizeof bits);
  }
}

inline void round_bf16_emulated(const float* __restrict in, BFloat16* __restrict out, int64_t n) {
  uint16_t* dst = reinterpret_cast<uint16_t*>(out);
  for (int64_t i = 0; i < n; ++i) {
    uint32_t x;
    std::memcpy(&x, in + i, sizeof x);
    const uint32_t rounded = (x + 0x7FFFu + ((x >> 16) & 1u)) >> 16;
    dst[i] = (x & 0x7FFFFFFFu) > 0x7F800000u ? uint16_t{0x7FC0} : static_cast<uint16_t>(rounded);
  }
}

#if defined(EMBER_HAVE_AVX512BF16_PATH)
__attribute__((target("avx512f,avx512bf16"))) inline void round_bf16_native(const float* __restrict in,
                                                                           BFloat16* __restrict out, int64_t n) {
  int64_t i = 0;
  const __m512i exponent = _mm512_set1_epi32(0x7F800000), mantissa = _mm512_set1_epi32(0x007FFFFF);
  for (; i + 16 <= n; i += 16) {
    const __m512 v = _mm512_loadu_ps(in + i);
    const __m512i vi = _mm512_castps_si512(v);
    // vcvtneps2bf16 flushes subnormal inputs to zero; c10::BFloat16 rounds them.
    if (_mm512_testn_epi32_mask(vi, exponent) & _mm512_test_epi32_mask(vi, mantissa)) {
      round_bf16_emulated(in + i, out + i, 16);
      continue;
    }
    const __m256bh r = _mm512_cvtneps_pbh(v);
    __m256i bits;
    std::memcpy(&bits, &r, sizeof(bits));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), bits);
  }
  round_bf16_emulated(in + i, out + i, n - i);
}

inline bool cpu_has_avx512bf16() {
  static const bool has = __builtin_cpu_supports("avx512bf16");
  return has;
}
#endif

inline void round_bf16(const float* __restrict in, BFloat16* __restrict out, int64_t n) {
#if defined(EMBER_HAVE_AVX512BF16_PATH)
  if (cpu_has_avx512bf16()) return round_bf16_native(in, out, n);
#endif
  round_bf16_emulated(in, out, n);
}

}  // namespace ember::cpu
