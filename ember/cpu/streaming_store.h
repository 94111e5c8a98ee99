#pragma once
// Non-temporal ("streaming") stores for large elementwise outputs. Included only by the
// per-ISA kernel TUs (through loops.h); the store width follows the ISA of the copy.
#include <algorithm>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace ember::cpu {

// Note [Streaming stores]
// A plain store to a line that is not in cache first reads the line (read for
// ownership), so `out = a + b` over arrays larger than the cache moves four bytes across
// the memory bus for every three it needs. A non-temporal store writes the line without
// reading it: measured on the Zen 4 machines here, a 16M-float add with an existing
// output went from ~40 to ~58 GB/s on one core and from ~92 to ~127 GB/s on two. The
// price is that the result is not left in cache, which only matters when it would have
// fit: outputs of at least kStreamingStoreBytes (32 MiB, the L3 of one Zen 4 CCD and
// more than most desktop L3s) are streamed, smaller ones are stored normally. (The L3
// size sysconf reports inside these VMs is the host's, 500+ MB, so it is not used.)
// Values are computed into a small cache-resident staging buffer, then copied out in
// 64-byte-aligned blocks with the widest streaming store the ISA has; results are the
// same bits either way.
constexpr int64_t kStreamingStoreBytes = int64_t(32) << 20;

// Copies `bytes` (a multiple of 64) from 64-byte-aligned `src` to 64-byte-aligned `dst`
// with non-temporal stores.
inline void stream_copy_lines(void* dst, const void* src, int64_t bytes) {
  auto* d = static_cast<char*>(dst);
  const auto* s = static_cast<const char*>(src);
  for (int64_t off = 0; off < bytes; off += 64) {
#if defined(__AVX512F__)
    _mm512_stream_si512(reinterpret_cast<__m512i*>(d + off), _mm512_load_si512(s + off));
#elif defined(__AVX__)
    _mm256_stream_si256(reinterpret_cast<__m256i*>(d + off),
                        _mm256_load_si256(reinterpret_cast<const __m256i*>(s + off)));
    _mm256_stream_si256(reinterpret_cast<__m256i*>(d + off + 32),
                        _mm256_load_si256(reinterpret_cast<const __m256i*>(s + off + 32)));
#elif defined(__SSE2__)
    for (int k = 0; k < 64; k += 16)
      _mm_stream_si128(reinterpret_cast<__m128i*>(d + off + k),
                       _mm_load_si128(reinterpret_cast<const __m128i*>(s + off + k)));
#else
    std::memcpy(d + off, s + off, 64);
#endif
  }
}

// Orders the streaming stores before whatever the thread does next (they are weakly
// ordered on x86), so that a thread joining this one sees the results.
inline void stream_fence() {
#if defined(__SSE2__)
  _mm_sfence();
#endif
}

// Writes out[0..n) with streaming stores. compute(dst, i0, count) must write outputs
// i0 .. i0+count-1 to dst[0..count). The unaligned head and the tail are written
// directly; the 64-byte-aligned middle goes through the staging buffer.
template <class Out, class Compute>
void store_streaming(Out* out, int64_t n, const Compute& compute) {
  static_assert(64 % sizeof(Out) == 0, "an element must tile a cache line");
  constexpr int64_t kStage = 4096 / static_cast<int64_t>(sizeof(Out));
  const auto addr = reinterpret_cast<uintptr_t>(out);
  if (addr % sizeof(Out) != 0) {  // an element straddling lines: no aligned blocks exist
    compute(out, 0, n);
    return;
  }
  const int64_t head = std::min<int64_t>(n, static_cast<int64_t>((64 - addr % 64) % 64 / sizeof(Out)));
  if (head) compute(out, 0, head);
  alignas(64) Out stage[kStage];
  int64_t i = head;
  for (; i + kStage <= n; i += kStage) {
    compute(stage, i, kStage);
    stream_copy_lines(out + i, stage, sizeof(stage));
  }
  if (i < n) compute(out + i, i, n - i);
  stream_fence();
}

}  // namespace ember::cpu
