// Pooling kernels over [P, H, W] planes: max (with indices), average, adaptive average
// and adaptive max, and the backward passes that are not plain ember ops. Compiled once
// per ISA. Planes are independent, so every kernel splits the planes across threads and
// no two threads ever write the same element.
#include "ember/cpu/kernels/kernel_prelude.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "ember/core/parallel.h"
#include "ember/cpu/kernels/max_pool_2x2.h"
#include "ember/kernels/nn.h"

namespace ember::cpu::EMBER_CPU_NS {
namespace {

// Planes per chunk so that a chunk does at least ~kGrainSize element reads.
inline int64_t plane_grain(int64_t work_per_plane) {
  return std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, work_per_plane));
}

template <class T>
void max_pool_typed(const PoolGeometry& g, const T* x, T* y, int64_t* ind) {
  const int64_t in_plane = g.H * g.W, out_plane = g.OH * g.OW;
  const bool fast2x2 = g.KH == 2 && g.KW == 2 && g.SH == 2 && g.SW == 2 && g.PH == 0 && g.PW == 0 && g.DH == 1 &&
                       g.DW == 1 && 2 * g.OH <= g.H && 2 * g.OW <= g.W;
  parallel_for(0, g.P, plane_grain(out_plane * g.KH * g.KW), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const T* xp = x + p * in_plane;
      T* yp = y + p * out_plane;
      int64_t* ip = ind + p * out_plane;
      if (fast2x2) {
        // The common 2x2/stride-2 case: every window is in range (Note [Branch-free 2x2 max
        // pooling] in max_pool_2x2.h gives the general loop's result, NaN included).
        max_pool_2x2::planes(x, y, ind, p, p + 1, g.H, g.W, g.OH, g.OW);
        continue;
      }
      for (int64_t oh = 0; oh < g.OH; ++oh) {
        int64_t hs = oh * g.SH - g.PH;
        const int64_t he = std::min(hs + (g.KH - 1) * g.DH + 1, g.H);
        while (hs < 0) hs += g.DH;
        for (int64_t ow = 0; ow < g.OW; ++ow) {
          int64_t ws = ow * g.SW - g.PW;
          const int64_t we = std::min(ws + (g.KW - 1) * g.DW + 1, g.W);
          while (ws < 0) ws += g.DW;
          T m = static_cast<T>(-std::numeric_limits<float>::infinity());  // also bfloat16's -inf
          int64_t mi = hs * g.W + ws;
          for (int64_t ih = hs; ih < he; ih += g.DH)
            for (int64_t iw = ws; iw < we; iw += g.DW) {
              const T v = xp[ih * g.W + iw];
              if (v > m || std::isnan(v)) m = v, mi = ih * g.W + iw;
            }
          yp[oh * g.OW + ow] = m;
          ip[oh * g.OW + ow] = mi;
        }
      }
    }
  });
}

template <class T>
void max_pool_backward_typed(int64_t P, int64_t in_plane, int64_t out_plane, const T* gy, const int64_t* ind,
                             T* gx) {
  parallel_for(0, P, plane_grain(out_plane), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const T* g = gy + p * out_plane;
      const int64_t* ip = ind + p * out_plane;
      T* dst = gx + p * in_plane;
      if constexpr (std::is_same_v<T, BFloat16>) {
        // bfloat16 adds in float32 and rounds once per element, as PyTorch's kernel. Into
        // the zero-filled gradient (every element, where windows do not overlap) that sum is
        // g itself, except that -0 becomes +0 and a NaN the canonical NaN, as rounding
        // 0.0f + g gives: computed on the bits, without the float round trip.
        const uint16_t* gb = reinterpret_cast<const uint16_t*>(g);
        uint16_t* db = reinterpret_cast<uint16_t*>(dst);
        for (int64_t j = 0; j < out_plane; ++j) {
          uint16_t& d = db[ip[j]];
          const uint16_t v = gb[j];
          if (d == 0) d = v == 0x8000 ? uint16_t{0} : (v & 0x7FFF) > 0x7F80 ? uint16_t{0x7FC0} : v;
          else dst[ip[j]] = static_cast<T>(dst[ip[j]] + g[j]);
        }
      } else {
        for (int64_t j = 0; j < out_plane; ++j) dst[ip[j]] = static_cast<T>(dst[ip[j]] + g[j]);
      }
    }
  });
}

// PyTorch's divisor: the window clipped to the padded input when count_include_pad,
// otherwise to the input itself; `divisor` > 0 overrides both.
struct AvgWindow {
  int64_t hs, he, ws, we, div;
};
inline AvgWindow avg_window(const PoolGeometry& g, int64_t oh, int64_t ow, bool count_include_pad, int64_t divisor) {
  int64_t hs = oh * g.SH - g.PH, ws = ow * g.SW - g.PW;
  int64_t he = std::min(hs + g.KH, g.H + g.PH), we = std::min(ws + g.KW, g.W + g.PW);
  const int64_t padded = (he - hs) * (we - ws);
  hs = std::max<int64_t>(hs, 0);
  ws = std::max<int64_t>(ws, 0);
  he = std::min(he, g.H);
  we = std::min(we, g.W);
  const int64_t div = divisor > 0 ? divisor : count_include_pad ? padded : (he - hs) * (we - ws);
  return {hs, he, ws, we, div};
}

template <class T>
void avg_pool_typed(const PoolGeometry& g, bool cip, int64_t divisor, const T* x, T* y) {
  const int64_t in_plane = g.H * g.W, out_plane = g.OH * g.OW;
  parallel_for(0, g.P, plane_grain(out_plane * g.KH * g.KW), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const T* xp = x + p * in_plane;
      T* yp = y + p * out_plane;
      for (int64_t oh = 0; oh < g.OH; ++oh)
        for (int64_t ow = 0; ow < g.OW; ++ow) {
          const AvgWindow w = avg_window(g, oh, ow, cip, divisor);
          T s = 0;
          for (int64_t ih = w.hs; ih < w.he; ++ih)
            for (int64_t iw = w.ws; iw < w.we; ++iw) s += xp[ih * g.W + iw];
          yp[oh * g.OW + ow] = (w.he > w.hs && w.we > w.ws) ? s / T(w.div) : T(0);
        }
    }
  });
}

template <class T>
void avg_pool_backward_typed(const PoolGeometry& g, bool cip, int64_t divisor, const T* gy, T* gx) {
  const int64_t in_plane = g.H * g.W, out_plane = g.OH * g.OW;
  parallel_for(0, g.P, plane_grain(out_plane * g.KH * g.KW), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const T* gp = gy + p * out_plane;
      T* xp = gx + p * in_plane;
      std::fill(xp, xp + in_plane, T(0));
      for (int64_t oh = 0; oh < g.OH; ++oh)
        for (int64_t ow = 0; ow < g.OW; ++ow) {
          const AvgWindow w = avg_window(g, oh, ow, cip, divisor);
          const T v = gp[oh * g.OW + ow] / T(w.div);
          for (int64_t ih = w.hs; ih < w.he; ++ih)
            for (int64_t iw = w.ws; iw < w.we; ++iw) xp[ih * g.W + iw] += v;
        }
    }
  });
}

inline int64_t adaptive_start(int64_t i, int64_t out, int64_t in) { return (i * in) / out; }
inline int64_t adaptive_end(int64_t i, int64_t out, int64_t in) { return ((i + 1) * in + out - 1) / out; }

template <class T>
void adaptive_avg_typed(const PoolGeometry& g, const T* x, T* y) {
  const int64_t in_plane = g.H * g.W, out_plane = g.OH * g.OW;
  parallel_for(0, g.P, plane_grain(in_plane + out_plane), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const T* xp = x + p * in_plane;
      T* yp = y + p * out_plane;
      for (int64_t oh = 0; oh < g.OH; ++oh) {
        const int64_t hs = adaptive_start(oh, g.OH, g.H), he = adaptive_end(oh, g.OH, g.H);
        for (int64_t ow = 0; ow < g.OW; ++ow) {
          const int64_t ws = adaptive_start(ow, g.OW, g.W), we = adaptive_end(ow, g.OW, g.W);
          T s = 0;
          for (int64_t ih = hs; ih < he; ++ih)
            for (int64_t iw = ws; iw < we; ++iw) s += xp[ih * g.W + iw];
          yp[oh * g.OW + ow] = s / T((he - hs) * (we - ws));
        }
      }
    }
  });
}

template <class T>
void adaptive_avg_backward_typed(const PoolGeometry& g, const T* gy, T* gx) {
  const int64_t in_plane = g.H * g.W, out_plane = g.OH * g.OW;
  parallel_for(0, g.P, plane_grain(in_plane + out_plane), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const T* gp = gy + p * out_plane;
      T* xp = gx + p * in_plane;
      std::fill(xp, xp + in_plane, T(0));
      for (int64_t oh = 0; oh < g.OH; ++oh) {
        const int64_t hs = adaptive_start(oh, g.OH, g.H), he = adaptive_end(oh, g.OH, g.H);
        for (int64_t ow = 0; ow < g.OW; ++ow) {
          const int64_t ws = adaptive_start(ow, g.OW, g.W), we = adaptive_end(ow, g.OW, g.W);
          const T v = gp[oh * g.OW + ow] / T((he - hs) * (we - ws));
          for (int64_t ih = hs; ih < he; ++ih)
            for (int64_t iw = ws; iw < we; ++iw) xp[ih * g.W + iw] += v;
        }
      }
    }
  });
}

template <class T>
void adaptive_max_typed(const PoolGeometry& g, const T* x, T* y, int64_t* ind) {
  const int64_t in_plane = g.H * g.W, out_plane = g.OH * g.OW;
  parallel_for(0, g.P, plane_grain(in_plane + out_plane), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const T* xp = x + p * in_plane;
      for (int64_t oh = 0; oh < g.OH; ++oh) {
        const int64_t hs = adaptive_start(oh, g.OH, g.H), he = adaptive_end(oh, g.OH, g.H);
        for (int64_t ow = 0; ow < g.OW; ++ow) {
          const int64_t ws = adaptive_start(ow, g.OW, g.W), we = adaptive_end(ow, g.OW, g.W);
          T m = static_cast<T>(-std::numeric_limits<float>::infinity());  // also bfloat16's -inf
          int64_t mi = hs * g.W + ws;
          for (int64_t ih = hs; ih < he; ++ih)
            for (int64_t iw = ws; iw < we; ++iw) {
              const T v = xp[ih * g.W + iw];
              if (v > m || std::isnan(v)) m = v, mi = ih * g.W + iw;
            }
          y[p * out_plane + oh * g.OW + ow] = m;
          ind[p * out_plane + oh * g.OW + ow] = mi;
        }
      }
    }
  });
}

template <class T>
const T* cp(const void* p) {
  return static_cast<const T*>(p);
}
template <class T>
T* mp(void* p) {
  return static_cast<T*>(p);
}

// Max pooling also takes bfloat16 (autocast's dtype: a max is exact in any precision).
void max_pool_kernel(ScalarType dt, const PoolGeometry& g, const void* x, void* y, int64_t* ind) {
  if (dt == kFloat32) max_pool_typed<float>(g, cp<float>(x), mp<float>(y), ind);
  else if (dt == kBFloat16) max_pool_typed<BFloat16>(g, cp<BFloat16>(x), mp<BFloat16>(y), ind);
  else max_pool_typed<double>(g, cp<double>(x), mp<double>(y), ind);
}
void max_pool_backward_kernel(ScalarType dt, int64_t P, int64_t in_plane, int64_t out_plane, const void* gy,
                              const int64_t* ind, void* gx) {
  if (dt == kFloat32) max_pool_backward_typed<float>(P, in_plane, out_plane, cp<float>(gy), ind, mp<float>(gx));
  else if (dt == kBFloat16)
    max_pool_backward_typed<BFloat16>(P, in_plane, out_plane, cp<BFloat16>(gy), ind, mp<BFloat16>(gx));
  else max_pool_backward_typed<double>(P, in_plane, out_plane, cp<double>(gy), ind, mp<double>(gx));
}
void avg_pool_kernel(ScalarType dt, const PoolGeometry& g, bool cip, int64_t divisor, const void* x, void* y) {
  if (dt == kFloat32) avg_pool_typed<float>(g, cip, divisor, cp<float>(x), mp<float>(y));
  else avg_pool_typed<double>(g, cip, divisor, cp<double>(x), mp<double>(y));
}
void avg_pool_backward_kernel(ScalarType dt, const PoolGeometry& g, bool cip, int64_t divisor, const void* gy,
                              void* gx) {
  if (dt == kFloat32) avg_pool_backward_typed<float>(g, cip, divisor, cp<float>(gy), mp<float>(gx));
  else avg_pool_backward_typed<double>(g, cip, divisor, cp<double>(gy), mp<double>(gx));
}
void adaptive_avg_kernel(ScalarType dt, const PoolGeometry& g, const void* x, void* y) {
  if (dt == kFloat32) adaptive_avg_typed<float>(g, cp<float>(x), mp<float>(y));
  else adaptive_avg_typed<double>(g, cp<double>(x), mp<double>(y));
}
void adaptive_avg_backward_kernel(ScalarType dt, const PoolGeometry& g, const void* gy, void* gx) {
  if (dt == kFloat32) adaptive_avg_backward_typed<float>(g, cp<float>(gy), mp<float>(gx));
  else adaptive_avg_backward_typed<double>(g, cp<double>(gy), mp<double>(gx));
}
void adaptive_max_kernel(ScalarType dt, const PoolGeometry& g, const void* x, void* y, int64_t* ind) {
  if (dt == kFloat32) adaptive_max_typed<float>(g, cp<float>(x), mp<float>(y), ind);
  else adaptive_max_typed<double>(g, cp<double>(x), mp<double>(y), ind);
}

}  // namespace

void register_pool() {
  EMBER_REGISTER_KERNEL(max_pool_stub, max_pool_kernel);
  EMBER_REGISTER_KERNEL(max_pool_backward_stub, max_pool_backward_kernel);
  EMBER_REGISTER_KERNEL(avg_pool_stub, avg_pool_kernel);
  EMBER_REGISTER_KERNEL(avg_pool_backward_stub, avg_pool_backward_kernel);
  EMBER_REGISTER_KERNEL(adaptive_avg_pool_stub, adaptive_avg_kernel);
  EMBER_REGISTER_KERNEL(adaptive_avg_pool_backward_stub, adaptive_avg_backward_kernel);
  EMBER_REGISTER_KERNEL(adaptive_max_pool_stub, adaptive_max_kernel);
}

}  // namespace ember::cpu::EMBER_CPU_NS
