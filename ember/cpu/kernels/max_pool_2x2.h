#pragma once
// The 2x2 / stride-2 max-pooling window loop of cpu/kernels/pooling.cpp (included by that
// per-ISA TU only, after kernel_prelude.h), float32 and bfloat16.
//
// Note [Branch-free 2x2 max pooling]
// The result of the general window loop -- start from the window's first element, and
// replace the running maximum m (and its index) by each later element v in row-major order
// when v > m or v is NaN -- is a per-element select, so it is computed without branches:
// the branchy form mispredicted on post-ReLU activations (ties at zero, random signs) and
// took ~30% of a W4 training step. The AVX-512 copy does 16 windows of an output row at a
// time: the two input rows are loaded (masked, so a row as short as W4's 26 or 11 columns
// needs no scalar tail and nothing past the row is read), split into even and odd columns,
// and compared with ordered greater-than plus an unordered self-compare (the NaN test).
// bfloat16 values are widened exactly to float32 for the compares and the chosen element's
// bits are narrowed back, so the output is the input element bit for bit, as the scalar loop
// gives. Other ISAs run the same selects one window at a time.
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "ember/core/half.h"

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__)
#include <immintrin.h>
#define EMBER_MAX_POOL_2X2_AVX512 1
#endif

// Per-ISA namespace: each kernel copy has its own instantiations (Note [CPU capability dispatch]).
namespace ember::cpu::EMBER_CPU_NS::max_pool_2x2 {

// The value compared: bfloat16 widened exactly to float32, other types as they are.
template <class T>
inline auto as_float(T v) {
  if constexpr (std::is_same_v<T, BFloat16>) {
    uint16_t b;
    std::memcpy(&b, &v, sizeof(b));
    const uint32_t w = static_cast<uint32_t>(b) << 16;
    float f;
    std::memcpy(&f, &w, sizeof(f));
    return f;
  } else {
    return v;
  }
}

// One output row: windows ow in [begin, OW) over input rows r0 and r1 = r0 + W, whose first
// element has flat index `base` in the plane.
template <class T>
inline void row_scalar(const T* r0, int64_t W, int64_t base, int64_t begin, int64_t OW, T* y, int64_t* ind) {
  const T* r1 = r0 + W;
  for (int64_t ow = begin; ow < OW; ++ow) {
    const int64_t i0 = base + 2 * ow;
    T m = r0[2 * ow];
    int64_t mi = i0;
    auto mf = as_float(m);
    auto take = [&](T v, int64_t vi) {
      const auto vf = as_float(v);
      const bool t = vf > mf || vf != vf;
      m = t ? v : m;
      mf = t ? vf : mf;
      mi = t ? vi : mi;
    };
    take(r0[2 * ow + 1], i0 + 1);
    take(r1[2 * ow], i0 + W);
    take(r1[2 * ow + 1], i0 + W + 1);
    y[ow] = m;
    ind[ow] = mi;
  }
}

#if defined(EMBER_MAX_POOL_2X2_AVX512)
// GCC 12's own intrinsic headers initialise a vector from itself (_mm512_undefined_*), which
// -Wmaybe-uninitialized reports at every inlined use; the code here reads no undefined lane.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// 2 * n consecutive elements from p (n <= 16) as floats: elements 0-15 in lo, 16-31 in hi.
inline void load_pairs(const float* p, int64_t n, __m512& lo, __m512& hi) {
  const uint32_t k = static_cast<uint32_t>(2 * n >= 32 ? 0xFFFFFFFFu : (1u << (2 * n)) - 1);
  lo = _mm512_maskz_loadu_ps(static_cast<__mmask16>(k & 0xFFFF), p);
  hi = _mm512_maskz_loadu_ps(static_cast<__mmask16>(k >> 16), p + 16);
}
inline void load_pairs(const BFloat16* p, int64_t n, __m512& lo, __m512& hi) {
  const __mmask32 k = 2 * n >= 32 ? 0xFFFFFFFFu : (1u << (2 * n)) - 1;
  const __m512i v = _mm512_maskz_loadu_epi16(k, p);
  lo = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm512_castsi512_si256(v)), 16));
  hi = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm512_extracti64x4_epi64(v, 1)), 16));
}
inline void store_values(float* y, __mmask16 k, __m512 m) { _mm512_mask_storeu_ps(y, k, m); }
inline void store_values(BFloat16* y, __mmask16 k, __m512 m) {
  // m holds widened bfloat16 values: their top halves are the elements' bits.
  const __m256i bits = _mm512_cvtepi32_epi16(_mm512_srli_epi32(_mm512_castps_si512(m), 16));
  _mm256_mask_storeu_epi16(y, k, bits);
}

template <class T>
inline void row(const T* r0, int64_t W, int64_t base, int64_t OW, T* y, int64_t* ind) {
  if (W >= (int64_t{1} << 30)) return row_scalar(r0, W, base, 0, OW, y, ind);  // int32 offsets below
  const T* r1 = r0 + W;
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
  // Offsets of each lane's window start from the row block's start (2 * lane), plus the
  // chosen element's offset inside the window (0, 1, W, W + 1).
  const __m512i lane2 = even;
  const __m512i off1 = _mm512_set1_epi32(1), offW = _mm512_set1_epi32(static_cast<int32_t>(W)),
                offW1 = _mm512_set1_epi32(static_cast<int32_t>(W + 1));
  for (int64_t ow = 0; ow < OW; ow += 16) {
    const int64_t n = OW - ow < 16 ? OW - ow : 16;
    __m512 lo, hi;
    load_pairs(r0 + 2 * ow, n, lo, hi);
    const __m512 a = _mm512_permutex2var_ps(lo, even, hi), b = _mm512_permutex2var_ps(lo, odd, hi);
    load_pairs(r1 + 2 * ow, n, lo, hi);
    const __m512 c = _mm512_permutex2var_ps(lo, even, hi), d = _mm512_permutex2var_ps(lo, odd, hi);
    __m512 m = a;
    __m512i off = _mm512_setzero_si512();
    auto take = [&](__m512 v, __m512i voff) {
      const __mmask16 t = _mm512_cmp_ps_mask(v, m, _CMP_GT_OQ) | _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
      m = _mm512_mask_mov_ps(m, t, v);
      off = _mm512_mask_mov_epi32(off, t, voff);
    };
    take(b, off1);
    take(c, offW);
    take(d, offW1);
    const __mmask16 k = static_cast<__mmask16>(n >= 16 ? 0xFFFF : (1u << n) - 1);
    store_values(y + ow, k, m);
    const __m512i rel = _mm512_add_epi32(lane2, off);
    const __m512i start = _mm512_set1_epi64(base + 2 * ow);
    const __m512i i_lo = _mm512_add_epi64(start, _mm512_cvtepi32_epi64(_mm512_castsi512_si256(rel)));
    const __m512i i_hi = _mm512_add_epi64(start, _mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(rel, 1)));
    _mm512_mask_storeu_epi64(ind + ow, static_cast<__mmask8>(k & 0xFF), i_lo);
    _mm512_mask_storeu_epi64(ind + ow + 8, static_cast<__mmask8>(k >> 8), i_hi);
  }
}
#pragma GCC diagnostic pop
#else
template <class T>
inline void row(const T* r0, int64_t W, int64_t base, int64_t OW, T* y, int64_t* ind) {
  row_scalar(r0, W, base, 0, OW, y, ind);
}
#endif

// Whole planes [p0, p1): every window lies inside the input (2 * OH <= H, 2 * OW <= W).
template <class T>
void planes(const T* x, T* y, int64_t* ind, int64_t p0, int64_t p1, int64_t H, int64_t W, int64_t OH, int64_t OW) {
  if constexpr (std::is_same_v<T, float> || std::is_same_v<T, BFloat16>) {
    for (int64_t p = p0; p < p1; ++p) {
      const T* xp = x + p * H * W;
      for (int64_t oh = 0; oh < OH; ++oh)
        row(xp + 2 * oh * W, W, 2 * oh * W, OW, y + (p * OH + oh) * OW, ind + (p * OH + oh) * OW);
    }
  } else {
    for (int64_t p = p0; p < p1; ++p) {
      const T* xp = x + p * H * W;
      for (int64_t oh = 0; oh < OH; ++oh)
        row_scalar(xp + 2 * oh * W, W, 2 * oh * W, 0, OW, y + (p * OH + oh) * OW, ind + (p * OH + oh) * OW);
    }
  }
}

}  // namespace ember::cpu::EMBER_CPU_NS::max_pool_2x2
