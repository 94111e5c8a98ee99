// Convolution kernels: im2col / col2im around GEMMs (Note [Convolution geometry] in
// kernels/nn.h). Compiled once per ISA.
//
// Note [Convolution threading]
// Each image's GEMMs are small (W4's second layer: 64 x 288 x 121), too small for the
// BLAS to split well across threads. So when the batch has at least two images, the batch
// is split into one contiguous chunk per thread; each chunk owns one column buffer
// (allocated once per call, never in the image loop) and calls the GEMM from inside the
// parallel region, where it stays on its chunk's thread (Note [GEMM threading] in
// cpu/blas.cpp). A batch of one runs on the calling thread and lets the GEMM split over
// every thread. The weight gradient sums over the batch, so each chunk
// accumulates into its own buffer and the buffers are added at the end (deterministic for
// a given thread count).
#include "ember/cpu/kernels/kernel_prelude.h"

#include <algorithm>
#include <cstring>
#include <memory>

#include "ember/core/parallel.h"
#include "ember/cpu/bf16_convert.h"
#include "ember/cpu/blas.h"
#include "ember/cpu/kernels/conv_small_channels.h"
#include "ember/cpu/onednn_conv.h"
#include "ember/kernels/nn.h"

namespace ember::cpu::EMBER_CPU_NS {
namespace {

inline int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
inline int64_t ceil_div(int64_t a, int64_t b) { return -floor_div(-a, b); }

// The range [lo, hi) of output positions o whose input position o*s - p + k*d lies in
// [0, n).
inline void valid_range(int64_t out, int64_t n, int64_t s, int64_t p, int64_t off, int64_t& lo, int64_t& hi) {
  // o*s + (off - p) >= 0  and  o*s + (off - p) <= n - 1, with off = k*d
  lo = std::clamp<int64_t>(ceil_div(p - off, s), 0, out);
  hi = std::clamp<int64_t>(floor_div(n - 1 + p - off, s) + 1, lo, out);
}

bool is_pointwise(const ConvGeometry& g) {
  return g.KH == 1 && g.KW == 1 && g.SH == 1 && g.SW == 1 && g.PH == 0 && g.PW == 0 && g.OH == g.H && g.OW == g.W;
}

// col[(c*KH + kh)*KW + kw, oh*OW + ow] = x[c, ih, iw] (zero outside) for one image and
// group: x points at the group's first channel.
template <class T>
void im2col(const ConvGeometry& g, int64_t cg, const T* __restrict x, T* __restrict col) {
  const int64_t L = g.OH * g.OW;
  for (int64_t c = 0; c < cg; ++c)
    for (int64_t kh = 0; kh < g.KH; ++kh) {
      int64_t oh0, oh1;
      valid_range(g.OH, g.H, g.SH, g.PH, kh * g.DH, oh0, oh1);
      for (int64_t kw = 0; kw < g.KW; ++kw) {
        T* row = col + ((c * g.KH + kh) * g.KW + kw) * L;
        int64_t ow0, ow1;
        valid_range(g.OW, g.W, g.SW, g.PW, kw * g.DW, ow0, ow1);
        std::fill(row, row + oh0 * g.OW, T(0));
        for (int64_t oh = oh0; oh < oh1; ++oh) {
          T* dst = row + oh * g.OW;
          const T* src = x + (c * g.H + oh * g.SH - g.PH + kh * g.DH) * g.W - g.PW + kw * g.DW;
          std::fill(dst, dst + ow0, T(0));
          if (g.SW == 1) {
            std::memcpy(dst + ow0, src + ow0, sizeof(T) * (ow1 - ow0));
          } else {
            for (int64_t ow = ow0; ow < ow1; ++ow) dst[ow] = src[ow * g.SW];
          }
          std::fill(dst + ow1, dst + g.OW, T(0));
        }
        std::fill(row + oh1 * g.OW, row + L, T(0));
      }
    }
}

// The adjoint of im2col: x[c, ih, iw] += col[...] for every window position reading it.
template <class T>
void col2im(const ConvGeometry& g, int64_t cg, const T* __restrict col, T* __restrict x) {
  const int64_t L = g.OH * g.OW;
  for (int64_t c = 0; c < cg; ++c)
    for (int64_t kh = 0; kh < g.KH; ++kh) {
      int64_t oh0, oh1;
      valid_range(g.OH, g.H, g.SH, g.PH, kh * g.DH, oh0, oh1);
      for (int64_t kw = 0; kw < g.KW; ++kw) {
        const T* row = col + ((c * g.KH + kh) * g.KW + kw) * L;
        int64_t ow0, ow1;
        valid_range(g.OW, g.W, g.SW, g.PW, kw * g.DW, ow0, ow1);
        for (int64_t oh = oh0; oh < oh1; ++oh) {
          const T* src = row + oh * g.OW;
          T* dst = x + (c * g.H + oh * g.SH - g.PH + kh * g.DH) * g.W - g.PW + kw * g.DW;
          if (g.SW == 1) {
            for (int64_t ow = ow0; ow < ow1; ++ow) dst[ow] += src[ow];
          } else {
            for (int64_t ow = ow0; ow < ow1; ++ow) dst[ow * g.SW] += src[ow];
          }
        }
      }
    }
}

// Runs body(chunk, n, col_buffer) for every image n, split as Note [Convolution threading]
// says.
template <class T, class F>
void for_each_image(int64_t N, int64_t col_size, int64_t macs, const F& body) {
  const int64_t chunks = conv_batch_chunks(N, static_cast<double>(macs));
  if (chunks <= 1) {
    std::unique_ptr<T[]> col(col_size ? new T[col_size] : nullptr);
    for (int64_t n = 0; n < N; ++n) body(int64_t{0}, n, col.get());
    return;
  }
  parallel_for(0, chunks, 1, [&](int64_t c0, int64_t c1) {
    std::unique_ptr<T[]> col(col_size ? new T[col_size] : nullptr);
    for (int64_t c = c0; c < c1; ++c)
      for (int64_t n = c * N / chunks; n < (c + 1) * N / chunks; ++n) body(c, n, col.get());
  });
}

template <class T>
void conv_forward_typed(const ConvGeometry& g, const T* x, const T* w, const T* b, T* y) {
  const int64_t cg = g.C / g.groups, og = g.O / g.groups, K = cg * g.KH * g.KW, L = g.OH * g.OW;
  const bool pointwise = is_pointwise(g);
  for_each_image<T>(g.N, pointwise ? 0 : K * L, g.N * g.O * K * L, [&](int64_t, int64_t n, T* col) {
    for (int64_t gi = 0; gi < g.groups; ++gi) {
      const T* xg = x + (n * g.C + gi * cg) * g.H * g.W;
      T* yg = y + (n * g.O + gi * og) * L;
      if (!pointwise) im2col(g, cg, xg, col);
      gemm<T>(false, false, og, L, K, T(1), w + gi * og * K, K, pointwise ? xg : col, L, T(0), yg, L);
      if (b)
        for (int64_t o = 0; o < og; ++o) {
          const T bo = b[gi * og + o];
          T* row = yg + o * L;
          for (int64_t l = 0; l < L; ++l) row[l] += bo;
        }
    }
  });
}

template <class T>
void conv_transpose_typed(const ConvGeometry& g, const T* y, const T* w, const T* b, T* x) {
  const int64_t cg = g.C / g.groups, og = g.O / g.groups, K = cg * g.KH * g.KW, L = g.OH * g.OW;
  const int64_t HW = g.H * g.W;
  const bool pointwise = is_pointwise(g);
  for_each_image<T>(g.N, pointwise ? 0 : K * L, g.N * g.O * K * L, [&](int64_t, int64_t n, T* col) {
    for (int64_t gi = 0; gi < g.groups; ++gi) {
      T* xg = x + (n * g.C + gi * cg) * HW;
      const T* yg = y + (n * g.O + gi * og) * L;
      // col[K, L] = w_g^T [K, og] @ y_g [og, L]; pointwise: straight into x.
      gemm<T>(true, false, K, L, og, T(1), w + gi * og * K, K, yg, L, T(0), pointwise ? xg : col, L);
      if (!pointwise) {
        std::fill(xg, xg + cg * HW, T(0));
        col2im(g, cg, col, xg);
      }
      if (b)
        for (int64_t c = 0; c < cg; ++c) {
          const T bc = b[gi * cg + c];
          T* plane = xg + c * HW;
          for (int64_t i = 0; i < HW; ++i) plane[i] += bc;
        }
    }
  });
}

template <class T>
void conv_weight_grad_typed(const ConvGeometry& g, const T* x, const T* gy, T* gw) {
  const int64_t cg = g.C / g.groups, og = g.O / g.groups, K = cg * g.KH * g.KW, L = g.OH * g.OW;
  const int64_t wsize = g.O * K;
  const bool pointwise = is_pointwise(g);
  const int64_t chunks = conv_batch_chunks(g.N, static_cast<double>(g.N * g.O * K * L));
  // Chunk 0 accumulates straight into gw; the others into their own slices of `partial`.
  std::unique_ptr<T[]> partial(chunks > 1 ? new T[(chunks - 1) * wsize] : nullptr);
  std::fill(gw, gw + wsize, T(0));
  if (chunks > 1) std::fill(partial.get(), partial.get() + (chunks - 1) * wsize, T(0));
  for_each_image<T>(g.N, pointwise ? 0 : K * L, g.N * g.O * K * L, [&](int64_t chunk, int64_t n, T* col) {
    T* acc = chunk == 0 ? gw : partial.get() + (chunk - 1) * wsize;
    for (int64_t gi = 0; gi < g.groups; ++gi) {
      const T* xg = x + (n * g.C + gi * cg) * g.H * g.W;
      if (!pointwise) im2col(g, cg, xg, col);
      // acc_g[og, K] += gy_g [og, L] @ col^T [L, K]
      gemm<T>(false, true, og, K, L, T(1), gy + (n * g.O + gi * og) * L, L, pointwise ? xg : col, L, T(1),
              acc + gi * og * K, K);
    }
  });
  for (int64_t c = 1; c < chunks; ++c) {
    const T* p = partial.get() + (c - 1) * wsize;
    for (int64_t i = 0; i < wsize; ++i) gw[i] += p[i];
  }
}

// gb[o] = the sum of gy[n, o, :] over n: the bias gradient, for the kernels that do not
// compute it in their own pass.
template <class T>
void channel_sums(const ConvGeometry& g, const T* gy, T* gb) {
  const int64_t plane = g.OH * g.OW;
  for (int64_t o = 0; o < g.O; ++o) {
    T s = 0;
    for (int64_t n = 0; n < g.N; ++n) {
      const T* row = gy + (n * g.O + o) * plane;
      for (int64_t i = 0; i < plane; ++i) s += row[i];
    }
    gb[o] = s;
  }
}

// x[n, c, :] += b[c] over planes of `plane` elements.
void add_channel_bias(int64_t N, int64_t C, int64_t plane, const float* b, float* x) {
  parallel_for(0, N * C, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(plane, 1)), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const float bc = b[p % C];
      float* row = x + p * plane;
      for (int64_t i = 0; i < plane; ++i) row[i] += bc;
    }
  });
}

// Note [bfloat16 convolution fallback]
// bfloat16 convolutions go to oneDNN's bf16 primitives (Note [bfloat16 convolutions] in
// cpu/onednn_conv.cpp). Where those decline (no AVX-512, EMBER_CONV=im2col, a product too
// small to be worth the dispatch), the operands are widened to float32 (exact), the float32
// kernels above compute the result, and each output element is rounded to bfloat16 once,
// to nearest even: the result PyTorch's float-accumulating bf16 kernels give, up to the
// order of the float32 sums.
std::unique_ptr<float[]> widened(const void* p, int64_t n) {
  if (!p) return nullptr;
  std::unique_ptr<float[]> out(new float[std::max<int64_t>(n, 1)]);
  widen_bf16(static_cast<const BFloat16*>(p), out.get(), n);
  return out;
}

// Note [bfloat16 rounding] (cpu/bf16_convert.h).
void round_to_bf16(const float* src, int64_t n, void* dst) { round_bf16(src, static_cast<BFloat16*>(dst), n); }

int64_t x_numel(const ConvGeometry& g) { return g.N * g.C * g.H * g.W; }
int64_t y_numel(const ConvGeometry& g) { return g.N * g.O * g.OH * g.OW; }
int64_t w_numel(const ConvGeometry& g) { return g.O * (g.C / g.groups) * g.KH * g.KW; }

void conv_forward_kernel(ScalarType dtype, const ConvGeometry& g, const void* x, const void* w, const void* b,
                         void* y);
void conv_transpose_kernel(ScalarType dtype, const ConvGeometry& g, const void* y, const void* w, const void* b,
                           void* x);
void conv_weight_grad_kernel(ScalarType dtype, const ConvGeometry& g, const void* x, const void* gy, void* gw,
                             void* gb);

void conv_forward_bf16(const ConvGeometry& g, const void* x, const void* w, const void* b, void* y) {
  using B = BFloat16;
  if (onednn_conv_forward(g, static_cast<const B*>(x), static_cast<const B*>(w), static_cast<const B*>(b),
                          static_cast<B*>(y)))
    return;
  auto xf = widened(x, x_numel(g)), wf = widened(w, w_numel(g)), bf = widened(b, g.O);
  std::unique_ptr<float[]> yf(new float[std::max<int64_t>(y_numel(g), 1)]);
  conv_forward_kernel(kFloat32, g, xf.get(), wf.get(), bf.get(), yf.get());
  round_to_bf16(yf.get(), y_numel(g), y);
}

void conv_transpose_bf16(const ConvGeometry& g, const void* y, const void* w, const void* b, void* x) {
  using B = BFloat16;
  const B* yb = static_cast<const B*>(y);
  const B* wb = static_cast<const B*>(w);
  if (!b) {
    if (onednn_conv_backward_data(g, yb, wb, static_cast<B*>(x))) return;
  } else {
    // The bias joins the float32 sums before the one rounding.
    std::unique_ptr<float[]> xf(new float[std::max<int64_t>(x_numel(g), 1)]);
    if (onednn_conv_backward_data(g, yb, wb, xf.get())) {
      auto bf = widened(b, g.C);
      add_channel_bias(g.N, g.C, g.H * g.W, bf.get(), xf.get());
      round_to_bf16(xf.get(), x_numel(g), x);
      return;
    }
  }
  auto yf = widened(y, y_numel(g)), wf = widened(w, w_numel(g)), bf = widened(b, g.C);
  std::unique_ptr<float[]> xf(new float[std::max<int64_t>(x_numel(g), 1)]);
  conv_transpose_kernel(kFloat32, g, yf.get(), wf.get(), bf.get(), xf.get());
  round_to_bf16(xf.get(), x_numel(g), x);
}

void conv_weight_grad_bf16(const ConvGeometry& g, const void* x, const void* gy, void* gw) {
  using B = BFloat16;
  std::unique_ptr<float[]> gwf(new float[std::max<int64_t>(w_numel(g), 1)]);
  if (!onednn_conv_backward_weights(g, static_cast<const B*>(x), static_cast<const B*>(gy), gwf.get())) {
    auto xf = widened(x, x_numel(g)), gyf = widened(gy, y_numel(g));
    conv_weight_grad_kernel(kFloat32, g, xf.get(), gyf.get(), gwf.get(), nullptr);
  }
  round_to_bf16(gwf.get(), w_numel(g), gw);
}

void conv_forward_kernel(ScalarType dtype, const ConvGeometry& g, const void* x, const void* w, const void* b,
                         void* y) {
  if (dtype == kBFloat16) return conv_forward_bf16(g, x, w, b, y);
  if (dtype == kFloat32) {
    const float* xf = static_cast<const float*>(x);
    const float* wf = static_cast<const float*>(w);
    const float* bf = static_cast<const float*>(b);
    if (small_channel_conv_forward(g, xf, wf, bf, static_cast<float*>(y)) ||
        onednn_conv_forward(g, xf, wf, bf, static_cast<float*>(y)))
      return;
    conv_forward_typed<float>(g, static_cast<const float*>(x), static_cast<const float*>(w),
                              static_cast<const float*>(b), static_cast<float*>(y));
  } else {
    conv_forward_typed<double>(g, static_cast<const double*>(x), static_cast<const double*>(w),
                               static_cast<const double*>(b), static_cast<double*>(y));
  }
}

void conv_transpose_kernel(ScalarType dtype, const ConvGeometry& g, const void* y, const void* w, const void* b,
                           void* x) {
  if (dtype == kBFloat16) return conv_transpose_bf16(g, y, w, b, x);
  if (dtype == kFloat32) {
    if (onednn_conv_backward_data(g, static_cast<const float*>(y), static_cast<const float*>(w),
                                  static_cast<float*>(x))) {
      if (b) add_channel_bias(g.N, g.C, g.H * g.W, static_cast<const float*>(b), static_cast<float*>(x));
      return;
    }
    conv_transpose_typed<float>(g, static_cast<const float*>(y), static_cast<const float*>(w),
                                static_cast<const float*>(b), static_cast<float*>(x));
  } else {
    conv_transpose_typed<double>(g, static_cast<const double*>(y), static_cast<const double*>(w),
                                 static_cast<const double*>(b), static_cast<double*>(x));
  }
}

void conv_weight_grad_kernel(ScalarType dtype, const ConvGeometry& g, const void* x, const void* gy, void* gw,
                             void* gb) {
  if (dtype == kBFloat16) return conv_weight_grad_bf16(g, x, gy, gw);  // gb: float types only
  if (dtype == kFloat32) {
    const float* xf = static_cast<const float*>(x);
    const float* gyf = static_cast<const float*>(gy);
    float* gwf = static_cast<float*>(gw);
    float* gbf = static_cast<float*>(gb);
    if (small_channel_conv_weight_grad(g, xf, gyf, gwf, gbf) || onednn_conv_backward_weights(g, xf, gyf, gwf, gbf))
      return;
    conv_weight_grad_typed<float>(g, xf, gyf, gwf);
    if (gbf) channel_sums(g, gyf, gbf);
  } else {
    conv_weight_grad_typed<double>(g, static_cast<const double*>(x), static_cast<const double*>(gy),
                                   static_cast<double*>(gw));
    if (gb) channel_sums(g, static_cast<const double*>(gy), static_cast<double*>(gb));
  }
}

// Both gradients in one call where oneDNN runs both passes; not where the small-channel
// kernel computes the weight gradient (it is faster there than sharing gy's reorder).
bool conv_backward_kernel(ScalarType dtype, const ConvGeometry& g, const void* x, const void* gy, const void* w,
                          void* gx, void* gw, void* gb) {
  if (dtype != kFloat32 || small_channel_conv_takes(g)) return false;
  return onednn_conv_backward(g, static_cast<const float*>(x), static_cast<const float*>(gy),
                              static_cast<const float*>(w), static_cast<float*>(gx), static_cast<float*>(gw),
                              static_cast<float*>(gb));
}

}  // namespace

void register_conv() {
  EMBER_REGISTER_KERNEL(conv_forward_stub, conv_forward_kernel);
  EMBER_REGISTER_KERNEL(conv_transpose_stub, conv_transpose_kernel);
  EMBER_REGISTER_KERNEL(conv_weight_grad_stub, conv_weight_grad_kernel);
  EMBER_REGISTER_KERNEL(conv_backward_stub, conv_backward_kernel);
}

}  // namespace ember::cpu::EMBER_CPU_NS
