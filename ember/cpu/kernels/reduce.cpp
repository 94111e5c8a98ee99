// Reduction kernels (sum, prod, max, min, mapped sums; arg max/min). Compiled once per
// ISA. Geometry: Note [Reduction geometry]; accuracy: Note [Cascade summation].
#include "ember/cpu/kernels/kernel_prelude.h"

#include "ember/cpu/bf16_convert.h"

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

#include "ember/core/parallel.h"
#include "ember/kernels/reduce.h"

namespace ember::cpu::EMBER_CPU_NS {
namespace {

#if defined(__AVX512F__)
constexpr int kVecBytes = 64;
#elif defined(__AVX2__)
constexpr int kVecBytes = 32;
#else
constexpr int kVecBytes = 16;
#endif
// Independent accumulators per row: eight vector registers' worth, enough to hide the
// add latency on two FP pipes. The inner `for j < kLanes` loops are plain array loops
// the compiler turns into vector code for this ISA.
template <class T>
constexpr int kLanes = 8 * kVecBytes / static_cast<int>(sizeof(T));

// Note [Cascade summation]
// Floating sums are pairwise: each lane adds kLeaf values in order into a leaf, and the
// leaves are combined like a binary counter (leaf k merges with the stored partial sums
// of the levels its trailing one-bits name), which is pairwise summation over leaves.
// Rounding error therefore grows with log(n) instead of n, close to PyTorch's cascade
// sum, for about one extra vector add per kLeaf loads. The split into leaves depends only
// on n, so a result depends only on the data and the chunking by thread count.
// kLeaf = 64: with 16, the binary-counter bookkeeping after every 8 KB leaf held a 16M
// float sum to ~33 GB/s on one core, against ~45 for a plain loop; with 64 it streams at
// the plain loop's speed, and each lane still adds only 64 values in a row.
constexpr int kLeaf = 64;
constexpr int kMaxLevels = 48;

// ---- the reduction ops -----------------------------------------------------------------
// Integer sums and products wrap around on overflow as in PyTorch; computing them in the
// unsigned type makes that defined behaviour.
template <class T>
inline T wrap_add(T a, T b) {
  if constexpr (std::is_integral_v<T>) return T(std::make_unsigned_t<T>(a) + std::make_unsigned_t<T>(b));
  else return a + b;
}
template <class T>
inline T wrap_mul(T a, T b) {
  if constexpr (std::is_integral_v<T>) return T(std::make_unsigned_t<T>(a) * std::make_unsigned_t<T>(b));
  else return a * b;
}

// step(acc, x) folds one element in; combine(a, b) merges two partial results.
template <class T>
struct SumOp {
  static constexpr bool cascade = std::is_floating_point_v<T>;
  static T init() { return T(0); }
  static T step(T a, T x) { return wrap_add(a, x); }
  static T combine(T a, T b) { return wrap_add(a, b); }
};
template <class T>
struct AbsSumOp : SumOp<T> {
  static T step(T a, T x) { return wrap_add(a, x < T(0) ? T(-x) : x); }
};
template <class T>
struct SqSumOp : SumOp<T> {
  static T step(T a, T x) { return wrap_add(a, wrap_mul(x, x)); }
};
template <class T>
struct NonzeroSumOp : SumOp<T> {
  static T step(T a, T x) { return wrap_add(a, T(x != T(0))); }
};
template <class T>
struct ProdOp {
  static constexpr bool cascade = false;
  static T init() { return T(1); }
  static T step(T a, T x) { return wrap_mul(a, x); }
  static T combine(T a, T b) { return wrap_mul(a, b); }
};
// max/min propagate NaN: once an accumulator holds NaN no comparison replaces it.
template <class T>
struct MaxOp {
  static constexpr bool cascade = false;
  static T init() {
    if constexpr (std::is_floating_point_v<T>) return -std::numeric_limits<T>::infinity();
    else return std::numeric_limits<T>::lowest();
  }
  static T step(T a, T x) {
    if constexpr (std::is_floating_point_v<T>) return (x > a || x != x) ? x : a;
    else return x > a ? x : a;
  }
  static T combine(T a, T b) { return step(a, b); }
};
template <class T>
struct MinOp {
  static constexpr bool cascade = false;
  static T init() {
    if constexpr (std::is_floating_point_v<T>) return std::numeric_limits<T>::infinity();
    else return std::numeric_limits<T>::max();
  }
  static T step(T a, T x) {
    if constexpr (std::is_floating_point_v<T>) return (x < a || x != x) ? x : a;
    else return x < a ? x : a;
  }
  static T combine(T a, T b) { return step(a, b); }
};
// ---- contiguous rows -------------------------------------------------------------------
// Pairwise combination of lane vectors (Note [Cascade summation]).
template <class T, class Op>
struct Cascade {
  static constexpr int L = kLanes<T>;
  T level[kMaxLevels][L];
  uint64_t occupied = 0;

  void push(T* v) {
    int l = 0;
    while (occupied >> l & 1) {
      for (int j = 0; j < L; ++j) v[j] = Op::combine(level[l][j], v[j]);
      occupied &= ~(uint64_t(1) << l);
      ++l;
    }
    std::memcpy(level[l], v, sizeof(T) * L);
    occupied |= uint64_t(1) << l;
  }
  // Folds every stored level into acc, lowest level first.
  void drain(T* acc) {
    for (int l = 0; l < kMaxLevels; ++l)
      if (occupied >> l & 1)
        for (int j = 0; j < L; ++j) acc[j] = Op::combine(level[l][j], acc[j]);
  }
};

template <class T, class Op>
T tree_combine(T* acc, int n) {
  for (int w = n / 2; w >= 1; w /= 2)
    for (int j = 0; j < w; ++j) acc[j] = Op::combine(acc[j], acc[j + w]);
  return acc[0];
}

// Note [Two read streams]
// One core reading one sequential stream does not reach the memory bandwidth it can use:
// the hardware prefetchers keep a limited number of lines in flight per stream. Reading
// two distant streams in lockstep keeps about twice as many misses outstanding; on the
// Zen 4 machines here a 64 MB sum runs ~10% faster on one core and ~25% faster on two.
// reduce_contig_streams<S> therefore reduces S equal-length dense runs at once, each
// with exactly the arithmetic reduce_contig uses for one run, so pairing changes no
// result. The S * kLanes accumulators fit the register file only with AVX-512's 32
// vector registers, so other ISA copies use one stream (kStreams).
#if defined(__AVX512F__)
constexpr int kStreams = 2;
#else
constexpr int kStreams = 1;
#endif

// Reduces the S dense runs p[s][0..n) with kLanes independent accumulators each.
template <class T, class Op, int S>
void reduce_contig_streams(const T* const* p, int64_t n, T* result) {
  constexpr int L = kLanes<T>;
  alignas(64) T acc[S][L];
  for (int s = 0; s < S; ++s)
    for (int j = 0; j < L; ++j) acc[s][j] = Op::init();
  int64_t i = 0;
  if constexpr (Op::cascade) {
    constexpr int64_t kBlock = int64_t(L) * kLeaf;
    // Short rows (each lane then adds at most 2 * kLeaf values in order) skip the
    // cascade: its bookkeeping buys no accuracy there.
    if (n >= 2 * kBlock) {
      Cascade<T, Op> c[S];
      alignas(64) T leaf[S][L];
      for (; i + kBlock <= n; i += kBlock) {
        for (int s = 0; s < S; ++s)
          for (int j = 0; j < L; ++j) leaf[s][j] = Op::init();
        for (int k = 0; k < kLeaf; ++k)
          for (int s = 0; s < S; ++s) {
            const T* __restrict q = p[s] + i + int64_t(k) * L;
            for (int j = 0; j < L; ++j) leaf[s][j] = Op::step(leaf[s][j], q[j]);
          }
        for (int s = 0; s < S; ++s) c[s].push(leaf[s]);
      }
      for (int s = 0; s < S; ++s) c[s].drain(acc[s]);
    }
  }
  for (; i + L <= n; i += L)
    for (int s = 0; s < S; ++s) {
      const T* __restrict q = p[s] + i;
      for (int j = 0; j < L; ++j) acc[s][j] = Op::step(acc[s][j], q[j]);
    }
  // Fewer than L values left: each whole vector of them into its own accumulator vector,
  // so that a row shorter than L (a bias gradient's 11x11 planes) is not one serial chain
  // of scalar steps.
  constexpr int V = kVecBytes / static_cast<int>(sizeof(T));
  for (int v = 0; i + V <= n; i += V, ++v)
    for (int s = 0; s < S; ++s) {
      const T* __restrict q = p[s] + i;
      for (int j = 0; j < V; ++j) acc[s][v * V + j] = Op::step(acc[s][v * V + j], q[j]);
    }
  for (int s = 0; s < S; ++s) {
    T r = tree_combine<T, Op>(acc[s], L);
    for (int64_t t = i; t < n; ++t) r = Op::step(r, p[s][t]);
    result[s] = r;
  }
}

// Reduces p[0..n) (dense) with kLanes independent accumulators.
template <class T, class Op>
T reduce_contig(const T* p, int64_t n) {
  T r;
  reduce_contig_streams<T, Op, 1>(&p, n, &r);
  return r;
}

// A long dense run as kStreams streams (Note [Two read streams]): the run is cut at a
// point that depends only on n, so the result still depends only on the data.
template <class T, class Op>
T reduce_contig_long(const T* p, int64_t n) {
  constexpr int64_t kMinStream = int64_t(4) * kLanes<T> * kLeaf;
  if constexpr (kStreams == 2) {
    if (n >= 2 * kMinStream) {
      const int64_t half = n / 2;
      const T* runs[2] = {p, p + half};
      T r[2];
      reduce_contig_streams<T, Op, 2>(runs, half, r);
      T total = Op::combine(r[0], r[1]);
      if (n > 2 * half) total = Op::step(total, p[n - 1]);
      return total;
    }
  }
  return reduce_contig<T, Op>(p, n);
}

// acc[0..w) folds rows base + r*stride (r < nrows), vectorised across the row; floating
// sums combine blocks of kLeaf rows pairwise as reduce_contig does.
template <class T, class Op>
void reduce_rows(const T* base, int64_t nrows, int64_t stride, int64_t w, T* acc) {
  for (int64_t j = 0; j < w; ++j) acc[j] = Op::init();
  auto fold = [&](T* __restrict dst, int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const T* __restrict q = base + r * stride;
      for (int64_t j = 0; j < w; ++j) dst[j] = Op::step(dst[j], q[j]);
    }
  };
  if constexpr (Op::cascade) {
    if (nrows >= 2 * kLeaf) {
      // Binary-counter cascade over leaves of kLeaf rows, on w-wide vectors.
      std::vector<T> buf(static_cast<size_t>(w) * (kMaxLevels + 1));
      T* leaf = buf.data() + static_cast<size_t>(w) * kMaxLevels;
      uint64_t occupied = 0;
      int64_t r = 0;
      for (; r + kLeaf <= nrows; r += kLeaf) {
        for (int64_t j = 0; j < w; ++j) leaf[j] = Op::init();
        fold(leaf, r, r + kLeaf);
        int l = 0;
        while (occupied >> l & 1) {
          T* lv = buf.data() + static_cast<size_t>(w) * l;
          for (int64_t j = 0; j < w; ++j) leaf[j] = Op::combine(lv[j], leaf[j]);
          occupied &= ~(uint64_t(1) << l);
          ++l;
        }
        std::memcpy(buf.data() + static_cast<size_t>(w) * l, leaf, sizeof(T) * w);
        occupied |= uint64_t(1) << l;
      }
      fold(acc, r, nrows);
      for (int l = 0; l < kMaxLevels; ++l)
        if (occupied >> l & 1) {
          T* lv = buf.data() + static_cast<size_t>(w) * l;
          for (int64_t j = 0; j < w; ++j) acc[j] = Op::combine(lv[j], acc[j]);
        }
      return;
    }
  }
  fold(acc, 0, nrows);
}

// Offset (in elements) of the idx-th element of a multi-dim walk over sizes/strides.
inline int64_t offset_of(int64_t idx, const DimVector& sizes, const DimVector& strides, size_t first_dim = 0) {
  int64_t off = 0;
  for (size_t d = first_dim; d < sizes.size(); ++d) {
    off += (idx % sizes[d]) * strides[d];
    idx /= sizes[d];
  }
  return off;
}

template <class T, class Op>
void reduce_impl(const ReduceGeometry& g, const T* in, T* out) {
  const int64_t nout = g.num_outputs, nred = g.num_reduced;
  if (nout == 0) return;
  if (nred == 0) {
    for (int64_t o = 0; o < nout; ++o) out[offset_of(o, g.out_sizes, g.out_strides)] = Op::init();
    return;
  }
  const size_t nr = g.red_sizes.size();
  const bool inner_red_dense = nr > 0 && g.red_strides[0] == 1;

  // (a) One output, one dense reduced run: split the run across threads; partial results
  // are combined in thread order, so the result depends only on the thread count.
  if (nout == 1 && nr == 1 && inner_red_dense) {
    const int64_t n = g.red_sizes[0];
    int nthreads = get_num_threads();
    int64_t chunks = std::max<int64_t>(1, std::min<int64_t>(nthreads, n / kGrainSize));
    if (chunks == 1) {
      out[0] = reduce_contig_long<T, Op>(in, n);
      return;
    }
    std::vector<T> partial(chunks, Op::init());
    int64_t per = (n + chunks - 1) / chunks;
    parallel_for(0, chunks, 1, [&](int64_t c0, int64_t c1) {
      for (int64_t c = c0; c < c1; ++c) {
        int64_t b = c * per, e = std::min(n, b + per);
        if (b < e) partial[c] = reduce_contig_long<T, Op>(in + b, e - b);
      }
    });
    T r = partial[0];
    for (int64_t c = 1; c < chunks; ++c) r = Op::combine(r, partial[c]);
    out[0] = r;
    return;
  }

  // (b) Dense innermost reduced dim: every output reduces contiguous rows.
  if (inner_red_dense && (g.out_in_strides.empty() || g.out_in_strides[0] != 1)) {
    const int64_t row = g.red_sizes[0];
    const int64_t nrows = nred / row;
    // Where each of an output's rows starts, relative to its first (computed once: the
    // divisions of offset_of cost as much as summing a short row).
    std::vector<int64_t> row_off(static_cast<size_t>(nrows));
    for (int64_t k = 0; k < nrows; ++k) row_off[k] = offset_of(k, g.red_sizes, g.red_strides, 1);
    int64_t grain = std::max<int64_t>(1, kGrainSize / std::max<int64_t>(nred, 1));
    parallel_for(0, nout, grain, [&](int64_t o0, int64_t o1) {
      if constexpr (kStreams == 2) {
        // Outputs o and o + half are reduced in lockstep, row k of one beside row k of the
        // other, as two streams (Note [Two read streams]); each row's arithmetic and the
        // order rows are combined in are unchanged. Short rows (a bias gradient's 11x11
        // planes) gain most: two independent dependency chains instead of one.
        if (row >= kLanes<T>) {
          const int64_t half = (o1 - o0) / 2;
          for (int64_t k = o0; k < o0 + half; ++k) {
            const T* b0 = in + offset_of(k, g.out_sizes, g.out_in_strides);
            const T* b1 = in + offset_of(k + half, g.out_sizes, g.out_in_strides);
            T r[2];
            const T* runs[2] = {b0, b1};
            reduce_contig_streams<T, Op, 2>(runs, row, r);
            for (int64_t j = 1; j < nrows; ++j) {
              const T* more[2] = {b0 + row_off[j], b1 + row_off[j]};
              T t[2];
              reduce_contig_streams<T, Op, 2>(more, row, t);
              r[0] = Op::combine(r[0], t[0]);
              r[1] = Op::combine(r[1], t[1]);
            }
            out[offset_of(k, g.out_sizes, g.out_strides)] = r[0];
            out[offset_of(k + half, g.out_sizes, g.out_strides)] = r[1];
          }
          o0 += 2 * half;  // an odd last output falls through to the loop below
        }
      }
      for (int64_t o = o0; o < o1; ++o) {
        const T* base = in + offset_of(o, g.out_sizes, g.out_in_strides);
        T r = reduce_contig<T, Op>(base, row);
        for (int64_t k = 1; k < nrows; ++k) r = Op::combine(r, reduce_contig<T, Op>(base + row_off[k], row));
        out[offset_of(o, g.out_sizes, g.out_strides)] = r;
      }
    });
    return;
  }

  // (c) Dense innermost kept dim and one reduced dim: accumulate whole rows, vectorised
  // across a block of neighbouring outputs.
  if (nr == 1 && !g.out_in_strides.empty() && g.out_in_strides[0] == 1) {
    constexpr int64_t kWidth = 1024 / sizeof(T) * 4;  // 4 KiB of accumulators per block
    const int64_t width = g.out_sizes[0];
    const int64_t nblocks = (width + kWidth - 1) / kWidth;
    const int64_t nouter = nout / width;
    const int64_t rows = g.red_sizes[0], rstride = g.red_strides[0];
    int64_t grain = std::max<int64_t>(1, kGrainSize / std::max<int64_t>(rows * std::min(width, kWidth), 1));
    parallel_for(0, nouter * nblocks, grain, [&](int64_t t0, int64_t t1) {
      alignas(64) T acc[kWidth];
      for (int64_t t = t0; t < t1; ++t) {
        int64_t outer = t / nblocks, blk = t % nblocks;
        int64_t j0 = blk * kWidth, w = std::min(kWidth, width - j0);
        const T* base = in + offset_of(outer, g.out_sizes, g.out_in_strides, 1) + j0;
        reduce_rows<T, Op>(base, rows, rstride, w, acc);
        T* o = out + offset_of(outer, g.out_sizes, g.out_strides, 1) + j0 * g.out_strides[0];
        if (g.out_strides[0] == 1) std::memcpy(o, acc, sizeof(T) * w);
        else for (int64_t j = 0; j < w; ++j) o[j * g.out_strides[0]] = acc[j];
      }
    });
    return;
  }

  // Strided fallback: one accumulator per output, walking the reduced dims.
  int64_t grain = std::max<int64_t>(1, kGrainSize / std::max<int64_t>(nred, 1));
  parallel_for(0, nout, grain, [&](int64_t o0, int64_t o1) {
    for (int64_t o = o0; o < o1; ++o) {
      const T* base = in + offset_of(o, g.out_sizes, g.out_in_strides);
      T r = Op::init();
      if (nr == 0) {
        r = Op::step(r, *base);
      } else {
        const int64_t row = g.red_sizes[0], s = g.red_strides[0];
        for (int64_t k = 0; k < nred / row; ++k) {
          const T* q = base + offset_of(k, g.red_sizes, g.red_strides, 1);
          for (int64_t i = 0; i < row; ++i) r = Op::step(r, q[i * s]);
        }
      }
      out[offset_of(o, g.out_sizes, g.out_strides)] = r;
    }
  });
}

// Note [bfloat16 sums]
// A bfloat16 sum accumulates in float32, as PyTorch's. Where each output reduces one dense
// run (the whole tensor, or its innermost dims; ops/reduce.cpp checks), the kernel reads the
// bf16 input directly and sums blocks of kBf16Block elements in float32 lanes; the block sums
// are added in float64 (one add per block), so no float32 copy of the input is ever written.
// The AVX-512 build widens in registers: a bf16 is the high half of a float32, so of one
// 512-bit load of 32 bf16, the 32-bit lanes shifted left by 16 are the even elements and
// the lanes with the low half masked off are the odd ones, each exact, and both go to float32
// accumulators (8 of them, to cover the add latency). That is one load and four cheap
// instructions per 32 elements, where widening into an L1 buffer first and summing it read
// and wrote every element twice more (about half PyTorch's throughput on 4M elements).
// Other builds widen each block into an L1 buffer and sum it with reduce_contig's float32
// lanes. Other layouts are widened to float32 by the op first.
#if defined(__AVX512F__)
// GCC vector types rather than the shift and reduce intrinsics, whose GCC 12 definitions
// warn about their own uninitialised placeholder operand.
typedef uint32_t U32x16 __attribute__((vector_size(64)));
typedef float F32x16 __attribute__((vector_size(64)));

float sum_bf16_block(const BFloat16* p, int64_t m) {
  const uint16_t* q = reinterpret_cast<const uint16_t*>(p);
  F32x16 acc[8] = {};
  auto add32 = [&](__m512i loaded, int slot) {
    const U32x16 x = reinterpret_cast<U32x16>(loaded);
    acc[slot] += reinterpret_cast<F32x16>(x << 16);               // the even elements
    acc[slot + 1] += reinterpret_cast<F32x16>(x & 0xFFFF0000u);   // the odd ones
  };
  int64_t j = 0;
  for (; j + 128 <= m; j += 128)
    for (int u = 0; u < 4; ++u) add32(_mm512_loadu_si512(q + j + 32 * u), 2 * u);
  for (; j + 32 <= m; j += 32) add32(_mm512_loadu_si512(q + j), 0);
  if (j < m) add32(_mm512_maskz_loadu_epi16((__mmask32{1} << (m - j)) - 1, q + j), 2);
  const F32x16 v = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
  float lanes[16];
  std::memcpy(lanes, &v, sizeof lanes);
  for (int w = 8; w >= 1; w /= 2)
    for (int l = 0; l < w; ++l) lanes[l] += lanes[l + w];
  return lanes[0];
}
#else
float sum_bf16_block(const BFloat16* p, int64_t m) {
  float buf[kBf16Block];
  widen_bf16(p, buf, m);
  return reduce_contig<float, SumOp<float>>(buf, m);
}
#endif

float sum_bf16_run(const BFloat16* p, int64_t n) {
  double total = 0;
  for (int64_t i = 0; i < n; i += kBf16Block) total += sum_bf16_block(p + i, std::min(kBf16Block, n - i));
  return static_cast<float>(total);
}

void sum_bf16_rows(const ReduceGeometry& g, const BFloat16* in, float* out) {
  const int64_t nout = g.num_outputs, n = g.num_reduced;
  if (nout == 0) return;
  if (nout == 1) {
    // One run: blocks split across threads, partials combined in order.
    const int64_t blocks = (n + kBf16Block - 1) / kBf16Block;
    const int64_t chunks = std::max<int64_t>(1, std::min<int64_t>(get_num_threads(), n / kGrainSize));
    std::vector<double> partial(chunks, 0.0);
    parallel_for(0, chunks, 1, [&](int64_t c0, int64_t c1) {
      for (int64_t c = c0; c < c1; ++c) {
        const int64_t b = c * blocks / chunks * kBf16Block, e = std::min(n, (c + 1) * blocks / chunks * kBf16Block);
        if (b < e) partial[c] = sum_bf16_run(in + b, e - b);
      }
    });
    double r = 0;
    for (double v : partial) r += v;
    out[0] = static_cast<float>(r);
    return;
  }
  const int64_t grain = std::max<int64_t>(1, kGrainSize / std::max<int64_t>(n, 1));
  parallel_for(0, nout, grain, [&](int64_t o0, int64_t o1) {
    for (int64_t o = o0; o < o1; ++o)
      out[offset_of(o, g.out_sizes, g.out_strides)] = sum_bf16_run(in + offset_of(o, g.out_sizes, g.out_in_strides), n);
  });
}

template <class T>
void reduce_typed(ReduceOp op, const ReduceGeometry& g, const void* in_, void* out_) {
  const T* in = static_cast<const T*>(in_);
  T* out = static_cast<T*>(out_);
  switch (op) {
    case ReduceOp::sum: return reduce_impl<T, SumOp<T>>(g, in, out);
    case ReduceOp::prod: return reduce_impl<T, ProdOp<T>>(g, in, out);
    case ReduceOp::max: return reduce_impl<T, MaxOp<T>>(g, in, out);
    case ReduceOp::min: return reduce_impl<T, MinOp<T>>(g, in, out);
    case ReduceOp::abs_sum: return reduce_impl<T, AbsSumOp<T>>(g, in, out);
    case ReduceOp::sq_sum: return reduce_impl<T, SqSumOp<T>>(g, in, out);
    case ReduceOp::nonzero_sum: return reduce_impl<T, NonzeroSumOp<T>>(g, in, out);
  }
  EMBER_THROW(Error, "reduce kernel: unsupported op for this dtype");
}

void reduce_kernel(ReduceOp op, ScalarType dtype, const ReduceGeometry& g, const void* in, void* out) {
  switch (dtype) {
    case kFloat32: return reduce_typed<float>(op, g, in, out);
    case kFloat64: return reduce_typed<double>(op, g, in, out);
    case kInt64: return reduce_typed<int64_t>(op, g, in, out);
    case kBFloat16:
      if (op == ReduceOp::sum) return sum_bf16_rows(g, static_cast<const BFloat16*>(in), static_cast<float*>(out));
      break;
    case kUInt8:
      if (op == ReduceOp::max) return reduce_impl<uint8_t, MaxOp<uint8_t>>(g, static_cast<const uint8_t*>(in),
                                                                            static_cast<uint8_t*>(out));
      if (op == ReduceOp::min) return reduce_impl<uint8_t, MinOp<uint8_t>>(g, static_cast<const uint8_t*>(in),
                                                                            static_cast<uint8_t*>(out));
      break;
    default: break;
  }
  EMBER_THROW(Error, "reduce kernel: unsupported dtype ", dtype);
}

// ---- arg max / arg min -------------------------------------------------------------------
// First index of the extreme element; the first NaN wins over everything.
template <class T, bool IsMax>
void arg_reduce_impl(const ReduceGeometry& g, const T* in, T* values, int64_t* indices) {
  const int64_t nout = g.num_outputs;
  if (nout == 0) return;
  const int64_t n = g.red_sizes.empty() ? 1 : g.red_sizes[0];
  const int64_t s = g.red_sizes.empty() ? 0 : g.red_strides[0];
  int64_t grain = std::max<int64_t>(1, kGrainSize / std::max<int64_t>(n, 1));
  parallel_for(0, nout, grain, [&](int64_t o0, int64_t o1) {
    for (int64_t o = o0; o < o1; ++o) {
      const T* q = in + offset_of(o, g.out_sizes, g.out_in_strides);
      T best = q[0];
      int64_t bi = 0;
      if constexpr (std::is_floating_point_v<T>) {
        if (best == best) {
          for (int64_t i = 1; i < n; ++i) {
            T x = q[i * s];
            if (x != x) {
              best = x;
              bi = i;
              break;
            }
            if (IsMax ? x > best : x < best) {
              best = x;
              bi = i;
            }
          }
        }
      } else {
        for (int64_t i = 1; i < n; ++i) {
          T x = q[i * s];
          if (IsMax ? x > best : x < best) {
            best = x;
            bi = i;
          }
        }
      }
      int64_t off = offset_of(o, g.out_sizes, g.out_strides);
      if (values) values[off] = best;
      indices[off] = bi;
    }
  });
}

template <class T>
void arg_reduce_typed(bool is_max, const ReduceGeometry& g, const void* in, void* values, int64_t* indices) {
  if (is_max) arg_reduce_impl<T, true>(g, static_cast<const T*>(in), static_cast<T*>(values), indices);
  else arg_reduce_impl<T, false>(g, static_cast<const T*>(in), static_cast<T*>(values), indices);
}

void arg_reduce_kernel(bool is_max, ScalarType dtype, const ReduceGeometry& g, const void* in, void* values,
                       int64_t* indices) {
  switch (dtype) {
    case kFloat32: return arg_reduce_typed<float>(is_max, g, in, values, indices);
    case kFloat64: return arg_reduce_typed<double>(is_max, g, in, values, indices);
    case kInt64: return arg_reduce_typed<int64_t>(is_max, g, in, values, indices);
    case kUInt8: return arg_reduce_typed<uint8_t>(is_max, g, in, values, indices);
    default: EMBER_THROW(Error, "arg reduce kernel: unsupported dtype ", dtype);
  }
}

}  // namespace

void register_reduce() {
  EMBER_REGISTER_KERNEL(reduce_stub, reduce_kernel);
  EMBER_REGISTER_KERNEL(arg_reduce_stub, arg_reduce_kernel);
}

}  // namespace ember::cpu::EMBER_CPU_NS
