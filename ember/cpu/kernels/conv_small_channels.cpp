// Direct float32 convolutions for few input channels per group (conv_small_channels.h).
//
// Note [Small-channel convolutions]
// oneDNN's direct kernels work on 16-channel blocks (Note [oneDNN convolutions] in
// cpu/onednn_conv.cpp). A first layer with 1 or 3 input channels fits them badly: the
// forward pass writes its output in the blocked layout and a reorder pass copies it back to
// NCHW, and the weight gradient first reorders the whole upstream gradient into the blocked
// layout, then a separate reduction reads it again for the bias gradient. On W4's first
// layer (1 -> 32 channels, 28x28, batch 64) those memory passes over the 5.5 MB output cost
// about as much as the multiply-adds. These kernels read and write NCHW directly, with the
// output rows as the vector dimension:
//   - each image's input planes are first copied into a zero-padded buffer (one per thread,
//     kept between calls), split by column phase for strided convolutions: plane (c, s)
//     holds padded columns s, s + SW, s + 2 SW, ..., so the input under output columns
//     [ow, ow + lanes) for kernel column kw is one contiguous load at column
//     ow + (kw * DW) / SW of phase (kw * DW) % SW, whatever the stride, dilation or padding.
//     Each padded row is long enough for a full vector at every output position, and zero
//     past the input;
//   - forward: vectors run along the flattened output plane; each block of positions
//     gathers its inputs per tap into a small column buffer, and a tile of kFwdChannels
//     output channels x kFwdPositions vectors stays in registers over every (c, kh, kw) tap
//     (Note [Small-channel forward columns]);
//   - weight gradient: for each (image, input channel, kernel row), a block of output
//     channels accumulates gy * x for every kernel column in registers over all output
//     vectors, then adds the lane sums into the gradient; the bias gradient (the sum of gy)
//     is accumulated in the same pass, so gy is read once for both. A row's last, partial
//     vector is read with masked loads, zero past the row's end in both gy and x (a zero x,
//     not a multiply by a zero gy, so an inf in an input column no window reads makes no NaN).
// Threads split the batch as Note [Convolution threading] says; the weight gradient adds
// per-chunk partial sums at the end, deterministic for a given thread count.
// Which layers: at most kMaxChannels input channels per group and kernels at most
// kMaxKernelWidth wide, in the AVX2 and AVX-512 builds (the baseline build declines). The
// forward pass has no size threshold: it does the multiply-adds of im2col + GEMM without the
// column buffer, and none of oneDNN's reorders. Measured on W4's first layer at one thread
// (docs/architecture.md, "Convolutions"): forward and weight + bias gradient each take less
// time than oneDNN's pass plus its reorders and ember's separate bias sum.
// EMBER_CONV=im2col and EMBER_CONV=onednn turn these kernels off (conv_small_channel_kernels
// in onednn_conv.h) so that the tests compare all three paths.
#include "ember/cpu/kernels/kernel_prelude.h"
#include "ember/cpu/kernels/conv_small_channels.h"

#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "ember/core/parallel.h"
#include "ember/cpu/onednn_conv.h"

namespace ember::cpu::EMBER_CPU_NS {
namespace {

#if defined(__AVX512F__)
constexpr int kLanes = 16, kRegisters = 32;
constexpr int kFwdChannels = 8, kFwdPositions = 3;  // 24 accumulators
constexpr bool kEnabled = true;
#elif defined(__AVX2__)
constexpr int kLanes = 8, kRegisters = 16;
constexpr int kFwdChannels = 4, kFwdPositions = 2;  // 8 accumulators
constexpr bool kEnabled = true;
#else
constexpr int kLanes = 4, kRegisters = 16;
constexpr int kFwdChannels = 1, kFwdPositions = 1;
constexpr bool kEnabled = false;
#endif
constexpr int64_t kMaxChannels = 4;
constexpr int64_t kMaxKernelWidth = 7;

typedef float Vec __attribute__((vector_size(kLanes * sizeof(float))));

inline Vec load(const float* p) {
  Vec v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store(float* p, Vec v) { std::memcpy(p, &v, sizeof v); }
// Lanes [0, n) from p, zero above; lanes [n, kLanes) are not read (masked loads do not
// fault), so p + n may be the end of a buffer. A call to memcpy here instead would make the
// compiler spill every accumulator around it.
inline Vec load_first(const float* p, int n) {
#if defined(__AVX512F__)
  return reinterpret_cast<Vec>(_mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << n) - 1), p));
#elif defined(__AVX2__)
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return reinterpret_cast<Vec>(_mm256_maskload_ps(p, _mm256_cmpgt_epi32(_mm256_set1_epi32(n), lane)));
#else
  Vec v = {};
  for (int i = 0; i < n; ++i) v[i] = p[i];
  return v;
#endif
}
// Stores lanes [0, n) of v at p; nothing is written past p + n.
inline void store_first(float* p, Vec v, int n) {
#if defined(__AVX512F__)
  _mm512_mask_storeu_ps(p, static_cast<__mmask16>((1u << n) - 1), reinterpret_cast<__m512>(v));
#elif defined(__AVX2__)
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  _mm256_maskstore_ps(p, _mm256_cmpgt_epi32(_mm256_set1_epi32(n), lane), reinterpret_cast<__m256>(v));
#else
  for (int i = 0; i < n; ++i) p[i] = v[i];
#endif
}
// s - 0 is s for every s (0 + s would turn -0 into +0), so this compiles to a broadcast.
inline Vec splat(float s) { return s - Vec{}; }
// Halving through vector shuffles, not v[i] on the argument: indexing its lanes made GCC
// keep the accumulator arrays in memory and store them on every iteration (and GCC 12's
// extract intrinsics warn -Wuninitialized).
typedef float Quad __attribute__((vector_size(4 * sizeof(float))));
inline float quad_sum(Quad q) { return (q[0] + q[2]) + (q[1] + q[3]); }
inline float lane_sum(Vec v) {
#if defined(__AVX512F__)
  typedef float Oct __attribute__((vector_size(8 * sizeof(float))));
  const Oct a = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7) +
                __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
  return quad_sum(__builtin_shufflevector(a, a, 0, 1, 2, 3) + __builtin_shufflevector(a, a, 4, 5, 6, 7));
#elif defined(__AVX2__)
  return quad_sum(__builtin_shufflevector(v, v, 0, 1, 2, 3) + __builtin_shufflevector(v, v, 4, 5, 6, 7));
#else
  return quad_sum(v);
#endif
}

bool takes(const ConvGeometry& g) {
  return kEnabled && conv_small_channel_kernels() && g.groups > 0 && g.C / g.groups <= kMaxChannels &&
         g.KW <= kMaxKernelWidth && g.N > 0 && g.C > 0 && g.O > 0 && g.OH > 0 && g.OW > 0 && g.H > 0 && g.W > 0;
}

// The padded, phase-split copy of one image (Note [Small-channel convolutions]): plane
// (c, s) starts at (c * phases + s) * rows * cols; padded row r is input row r - PH.
struct Padded {
  int64_t rows = 0, cols = 0, phases = 1;
  int64_t plane() const { return rows * cols; }
  int64_t size(int64_t C) const { return C * phases * plane(); }
};

Padded padded_layout(const ConvGeometry& g) {
  Padded p;
  p.rows = (g.OH - 1) * g.SH + (g.KH - 1) * g.DH + 1;
  const int64_t out_lanes = (g.OW + kLanes - 1) / kLanes * kLanes;
  p.cols = out_lanes + (g.KW - 1) * g.DW / g.SW;
  p.phases = g.SW;
  return p;
}

void pad_image(const ConvGeometry& g, const Padded& p, const float* x, float* buf) {
  for (int64_t c = 0; c < g.C; ++c)
    for (int64_t s = 0; s < p.phases; ++s) {
      float* plane = buf + (c * p.phases + s) * p.plane();
      for (int64_t r = 0; r < p.rows; ++r) {
        float* row = plane + r * p.cols;
        const int64_t ih = r - g.PH;
        if (ih < 0 || ih >= g.H) {
          std::fill(row, row + p.cols, 0.0f);
          continue;
        }
        const float* src = x + (c * g.H + ih) * g.W;
        if (g.SW == 1) {
          // Column j is input column j - PW.
          const int64_t j0 = std::min(g.PW, p.cols), j1 = std::clamp<int64_t>(g.PW + g.W, j0, p.cols);
          std::fill(row, row + j0, 0.0f);
          if (j1 > j0) std::memcpy(row + j0, src + (j0 - g.PW), sizeof(float) * (j1 - j0));
          std::fill(row + j1, row + p.cols, 0.0f);
        } else {
          for (int64_t j = 0; j < p.cols; ++j) {
            const int64_t iw = j * g.SW + s - g.PW;
            row[j] = iw >= 0 && iw < g.W ? src[iw] : 0.0f;
          }
        }
      }
    }
}

// This thread's buffers, kept between calls: the padded image, and the forward pass's
// column buffer (Note [Small-channel forward columns]). Zero-filled when grown.
enum class ThreadBuffer { kPadded, kColumns };

float* thread_buffer(ThreadBuffer which, int64_t floats) {
  thread_local std::vector<float> bufs[2];
  std::vector<float>& buf = bufs[static_cast<int>(which)];
  if (static_cast<int64_t>(buf.size()) < floats) buf.assign(static_cast<size_t>(floats), 0.0f);
  return buf.data();
}

// ---- forward --------------------------------------------------------------------------

// Note [Small-channel forward columns]
// The forward pass vectorises along the output plane flattened (oh * OW + ow), not along
// each row: a 26-wide row (W4's first layer) would take two vectors, the second overlapping
// the first by 6 lanes, so 32 lanes of multiply-adds and stores for 26 outputs, 23% waste.
// Flattened, a plane is whole vectors and one partial one at its end. The input under a
// vector of flattened positions is not one contiguous run of the padded image once it
// crosses a row, so each block of kLanes-aligned positions first gathers, for every tap
// (c, kh, kw), the inputs under its positions into a column buffer: tap t's row holds, for
// position p0 + i, the input that output position multiplies by weight tap t. That is
// im2col restricted to a block small enough to stay in L1 (taps * block floats), built from
// the padded rows with whole-vector copies, one per kLanes outputs of a row. A tile of
// kFwdChannels output channels x kFwdPositions vectors then keeps its accumulators in
// registers over every tap, reading the column rows, and stores whole vectors, the plane's
// last one masked. Lanes past the plane's end in the last block hold whatever the copies
// left there (zeros or stale inputs) and are never stored.
constexpr int64_t kColumnBytes = 32 * 1024;  // within Zen / Intel L1d (32-48 KB)

// Positions per block: a multiple of kFwdPositions vectors, as many as keep the column
// buffer within kColumnBytes (at least one tile), and no more than the plane needs.
int64_t column_block(int64_t taps, int64_t plane) {
  const int64_t tile = kFwdPositions * kLanes;
  const int64_t fit = std::max<int64_t>(1, kColumnBytes / (taps * static_cast<int64_t>(sizeof(float)) * tile));
  return std::min(fit, (plane + tile - 1) / tile) * tile;
}

// Where kernel column kw's input starts, from a padded row's start (its phase's plane, then
// its column): Note [Small-channel convolutions].
struct ColumnOffsets {
  int64_t at[kMaxKernelWidth];
};

ColumnOffsets column_offsets(const ConvGeometry& g, const Padded& p) {
  ColumnOffsets o{};
  for (int64_t kw = 0; kw < g.KW; ++kw) o.at[kw] = (kw * g.DW) % g.SW * p.plane() + kw * g.DW / g.SW;
  return o;
}

// col[t * stride + i] = the input under flattened output position p0 + i for tap
// t = (c * KH + kh) * KW + kw, input channels [c0, c0 + cg), positions [p0, p1). Each row
// segment is copied in whole vectors; the last one of a segment is a masked load (the
// padded row may end inside it) stored whole: its extra lanes land where the next segment
// or the row's slack (stride >= block + kLanes) will be.
void gather_columns(const ConvGeometry& g, const Padded& p, const ColumnOffsets& cols, const float* buf, int64_t c0,
                    int64_t cg, int64_t p0, int64_t p1, float* col, int64_t stride) {
  for (int64_t c = 0; c < cg; ++c)
    for (int64_t kh = 0; kh < g.KH; ++kh)
      for (int64_t kw = 0; kw < g.KW; ++kw) {
        float* dst = col + ((c * g.KH + kh) * g.KW + kw) * stride;
        const float* plane = buf + (c0 + c) * p.phases * p.plane() + kh * g.DH * p.cols + cols.at[kw];
        for (int64_t q = p0; q < p1;) {
          const int64_t oh = q / g.OW, ow = q % g.OW, len = std::min(g.OW - ow, p1 - q);
          const float* src = plane + oh * g.SH * p.cols + ow;
          float* out = dst + (q - p0);
          int64_t i = 0;
          for (; i + kLanes <= len; i += kLanes) store(out + i, load(src + i));
          if (i < len) store(out + i, load_first(src + i, static_cast<int>(len - i)));
          q += len;
        }
      }
}

// y[j * plane + q0 + r * kLanes + lane] for output channels j < OB and vectors r < R, over
// `taps` column rows starting at col (vector r at col + r * kLanes). w points at output
// channel o0's weights (taps per channel), b at its bias (or null), y at its plane of
// `plane` positions; the vector that reaches past the plane's end stores only the lanes
// inside it.
template <int OB, int R>
void forward_tile(int64_t taps, const float* col, int64_t stride, const float* w, const float* b, float* y,
                  int64_t plane, int64_t q0) {
  Vec acc[OB][R];
#pragma GCC unroll 8
  for (int j = 0; j < OB; ++j) {
    const Vec bj = splat(b ? b[j] : 0.0f);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) acc[j][r] = bj;
  }
  for (int64_t t = 0; t < taps; ++t) {
    Vec xv[R];
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) xv[r] = load(col + t * stride + r * kLanes);
#pragma GCC unroll 8
    for (int j = 0; j < OB; ++j) {
      const Vec wv = splat(w[j * taps + t]);
#pragma GCC unroll 8
      for (int r = 0; r < R; ++r) acc[j][r] += wv * xv[r];
    }
  }
#pragma GCC unroll 8
  for (int j = 0; j < OB; ++j)
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const int64_t q = q0 + r * kLanes;
      float* dst = y + j * plane + q;
      if (q + kLanes <= plane) store(dst, acc[j][r]);
      else store_first(dst, acc[j][r], static_cast<int>(plane - q));
    }
}

// Output channels [o, o + OB) (weights w, bias b, planes from y) over the block of
// positions [p0, p1) whose columns are in col.
template <int OB>
void forward_block(int64_t taps, const float* col, int64_t stride, const float* w, const float* b, float* y,
                   int64_t plane, int64_t p0, int64_t p1) {
  const int64_t vectors = (p1 - p0 + kLanes - 1) / kLanes;
  int64_t v = 0;
  for (; v + kFwdPositions <= vectors; v += kFwdPositions)
    forward_tile<OB, kFwdPositions>(taps, col + v * kLanes, stride, w, b, y, plane, p0 + v * kLanes);
  for (; v < vectors; ++v) forward_tile<OB, 1>(taps, col + v * kLanes, stride, w, b, y, plane, p0 + v * kLanes);
}

// ---- weight gradient ------------------------------------------------------------------

// Output channels per block for a kernel KW wide: accumulators for every kernel column and
// the bias, the gy vectors and one input vector must fit the registers.
template <int KW>
constexpr int grad_block() {
  return std::max(1, std::min(4, (kRegisters - 1) / (KW + 2)));
}

// The weight gradient's vectors: lanes [ow, ow + valid) of output row oh, at `out` in a gy
// plane and at `in` in a padded input plane (kernel row 0, column 0, stride applied).
struct GradPosition {
  int64_t out, in;
  int valid;
};

std::vector<GradPosition> grad_positions(const ConvGeometry& g, const Padded& p) {
  std::vector<GradPosition> pos;
  for (int64_t oh = 0; oh < g.OH; ++oh)
    for (int64_t ow = 0; ow < g.OW; ow += kLanes)
      pos.push_back({oh * g.OW + ow, oh * g.SH * p.cols + ow, static_cast<int>(std::min<int64_t>(kLanes, g.OW - ow))});
  return pos;
}

// For output channels o0 .. o0 + OB - 1 (gy at image n's channel o0), input channel c and
// kernel row kh: dw[j * taps + kw] += sum of gy * x, and with Bias db[j] += sum of gy. One
// loop over every vector position, with masked loads for the partial ones, keeps the
// accumulators in registers (nested row / column loops made GCC spill them every row).
template <int OB, int KW, bool Bias>
void grad_rows(const ConvGeometry& g, const Padded& p, const float* buf, int64_t c, int64_t kh, const float* gy,
               int64_t taps, const std::vector<GradPosition>& pos, float* dw, float* db) {
  const int64_t out_plane = g.OH * g.OW;
  Vec acc[OB][KW], accb[OB];
#pragma GCC unroll 8
  for (int j = 0; j < OB; ++j) {
    accb[j] = Vec{};
#pragma GCC unroll 8
    for (int kw = 0; kw < KW; ++kw) acc[j][kw] = Vec{};
  }
  const float* x = buf + c * p.phases * p.plane() + kh * g.DH * p.cols;
  const ColumnOffsets cols = column_offsets(g, p);
  const float* xk[KW];
#pragma GCC unroll 8
  for (int kw = 0; kw < KW; ++kw) xk[kw] = x + cols.at[kw];
  // Lanes past a row's end are zero in gy and in x (a zero x, not a multiply by a zero gy, so
  // an inf in the input makes no NaN).
  for (const GradPosition& q : pos) {
    Vec gv[OB];
#pragma GCC unroll 8
    for (int j = 0; j < OB; ++j) {
      gv[j] = load_first(gy + j * out_plane + q.out, q.valid);
      if constexpr (Bias) accb[j] += gv[j];
    }
#pragma GCC unroll 8
    for (int kw = 0; kw < KW; ++kw) {
      const Vec xv = load_first(xk[kw] + q.in, q.valid);
#pragma GCC unroll 8
      for (int j = 0; j < OB; ++j) acc[j][kw] += gv[j] * xv;
    }
  }
#pragma GCC unroll 8
  for (int j = 0; j < OB; ++j) {
#pragma GCC unroll 8
    for (int kw = 0; kw < KW; ++kw) dw[j * taps + kw] += lane_sum(acc[j][kw]);
    if constexpr (Bias) db[j] += lane_sum(accb[j]);
  }
}

// Image n's contribution to dw (and db when not null), for every output channel.
template <int KW>
void grad_image(const ConvGeometry& g, const Padded& p, const std::vector<GradPosition>& pos, const float* buf,
                const float* gy, float* dw, float* db) {
  constexpr int OB = grad_block<KW>();
  const int64_t cg = g.C / g.groups, og = g.O / g.groups, taps = cg * g.KH * KW, out_plane = g.OH * g.OW;
  for (int64_t gi = 0; gi < g.groups; ++gi)
    for (int64_t o0 = 0; o0 < og;) {
      const int64_t o = gi * og + o0;
      const bool block = og - o0 >= OB;
      for (int64_t c = 0; c < cg; ++c)
        for (int64_t kh = 0; kh < g.KH; ++kh) {
          const float* gyo = gy + o * out_plane;
          float* dwo = dw + o * taps + (c * g.KH + kh) * KW;
          const bool bias = db && c == 0 && kh == 0;
          const int64_t ci = gi * cg + c;
          if (block) {
            if (bias) grad_rows<OB, KW, true>(g, p, buf, ci, kh, gyo, taps, pos, dwo, db + o);
            else grad_rows<OB, KW, false>(g, p, buf, ci, kh, gyo, taps, pos, dwo, nullptr);
          } else {
            if (bias) grad_rows<1, KW, true>(g, p, buf, ci, kh, gyo, taps, pos, dwo, db + o);
            else grad_rows<1, KW, false>(g, p, buf, ci, kh, gyo, taps, pos, dwo, nullptr);
          }
        }
      o0 += block ? OB : 1;
    }
}

using GradImageFn = void (*)(const ConvGeometry&, const Padded&, const std::vector<GradPosition>&, const float*,
                             const float*, float*, float*);

GradImageFn grad_image_for(int64_t KW) {
  switch (KW) {
    case 1: return grad_image<1>;
    case 2: return grad_image<2>;
    case 3: return grad_image<3>;
    case 4: return grad_image<4>;
    case 5: return grad_image<5>;
    case 6: return grad_image<6>;
    case 7: return grad_image<7>;
    default: return nullptr;
  }
}

double macs_of(const ConvGeometry& g) {
  return static_cast<double>(g.N) * g.O * g.OH * g.OW * (g.C / g.groups) * g.KH * g.KW;
}

}  // namespace

bool small_channel_conv_takes(const ConvGeometry& g) { return takes(g) && grad_image_for(g.KW) != nullptr; }

bool small_channel_conv_forward(const ConvGeometry& g, const float* x, const float* w, const float* b, float* y) {
  if (!takes(g)) return false;
  const Padded p = padded_layout(g);
  const ColumnOffsets cols = column_offsets(g, p);
  const int64_t cg = g.C / g.groups, og = g.O / g.groups, taps = cg * g.KH * g.KW;
  const int64_t x_image = g.C * g.H * g.W, y_image = g.O * g.OH * g.OW, plane = g.OH * g.OW;
  // Note [Small-channel forward columns]: blocks of `block` positions, column rows `stride`
  // apart (a vector of slack for the copies' whole-vector tails).
  const int64_t block = column_block(taps, plane), stride = block + kLanes;
  const int64_t chunks = conv_batch_chunks(g.N, macs_of(g));
  auto images = [&](int64_t n0, int64_t n1) {
    float* buf = thread_buffer(ThreadBuffer::kPadded, p.size(g.C));
    float* col = thread_buffer(ThreadBuffer::kColumns, taps * stride);
    for (int64_t n = n0; n < n1; ++n) {
      pad_image(g, p, x + n * x_image, buf);
      for (int64_t gi = 0; gi < g.groups; ++gi)
        for (int64_t p0 = 0; p0 < plane; p0 += block) {
          const int64_t p1 = std::min(plane, p0 + block);
          gather_columns(g, p, cols, buf, gi * cg, cg, p0, p1, col, stride);
          for (int64_t o0 = 0; o0 < og;) {
            const int64_t o = gi * og + o0;
            float* yo = y + n * y_image + o * plane;
            const float* bo = b ? b + o : nullptr;
            if (og - o0 >= kFwdChannels) {
              forward_block<kFwdChannels>(taps, col, stride, w + o * taps, bo, yo, plane, p0, p1);
              o0 += kFwdChannels;
            } else {
              forward_block<1>(taps, col, stride, w + o * taps, bo, yo, plane, p0, p1);
              o0 += 1;
            }
          }
        }
    }
  };
  if (chunks <= 1) {
    images(0, g.N);
  } else {
    parallel_for(0, chunks, 1, [&](int64_t c0, int64_t c1) {
      for (int64_t c = c0; c < c1; ++c) images(c * g.N / chunks, (c + 1) * g.N / chunks);
    });
  }
  return true;
}

bool small_channel_conv_weight_grad(const ConvGeometry& g, const float* x, const float* gy, float* gw, float* gb) {
  if (!takes(g)) return false;
  const GradImageFn grad = grad_image_for(g.KW);
  if (!grad) return false;
  const Padded p = padded_layout(g);
  const std::vector<GradPosition> pos = grad_positions(g, p);
  const int64_t wsize = g.O * (g.C / g.groups) * g.KH * g.KW, bsize = gb ? g.O : 0;
  const int64_t x_image = g.C * g.H * g.W, y_image = g.O * g.OH * g.OW;
  const int64_t chunks = conv_batch_chunks(g.N, macs_of(g));
  // Chunk 0 accumulates into gw / gb, the others into their own slices of `partial`.
  std::unique_ptr<float[]> partial(chunks > 1 ? new float[(chunks - 1) * (wsize + bsize)]() : nullptr);
  std::fill(gw, gw + wsize, 0.0f);
  if (gb) std::fill(gb, gb + g.O, 0.0f);
  auto images = [&](int64_t chunk) {
    float* dw = chunk == 0 ? gw : partial.get() + (chunk - 1) * (wsize + bsize);
    float* db = !gb ? nullptr : chunk == 0 ? gb : dw + wsize;
    float* buf = thread_buffer(ThreadBuffer::kPadded, p.size(g.C));
    for (int64_t n = chunk * g.N / chunks; n < (chunk + 1) * g.N / chunks; ++n) {
      pad_image(g, p, x + n * x_image, buf);
      grad(g, p, pos, buf, gy + n * y_image, dw, db);
    }
  };
  if (chunks <= 1) {
    images(0);
  } else {
    parallel_for(0, chunks, 1, [&](int64_t c0, int64_t c1) {
      for (int64_t c = c0; c < c1; ++c) images(c);
    });
    for (int64_t c = 1; c < chunks; ++c) {
      const float* part = partial.get() + (c - 1) * (wsize + bsize);
      for (int64_t i = 0; i < wsize; ++i) gw[i] += part[i];
      for (int64_t i = 0; i < bsize; ++i) gb[i] += part[wsize + i];
    }
  }
  return true;
}

}  // namespace ember::cpu::EMBER_CPU_NS
