#pragma once
// Kernel entry points of the neural-network families: convolution (im2col/col2im + GEMM)
// and pooling. Each is a DispatchStub (Note [Dispatch by device] in
// kernels/stub.h); the CPU fills them from cpu/kernels/{conv,pooling}.cpp. The op front ends
// (ops/conv.cpp, ops/pooling.cpp) check arguments, make every operand contiguous NCHW of
// one dtype (Float32, Float64, or BFloat16 for convolutions) and compute the geometry below; kernels never throw on
// user input because the front ends have validated it.
#include <cstdint>

#include "ember/core/dtype.h"
#include "ember/kernels/stub.h"

namespace ember {
class StorageImpl;  // core/storage.h
}  // namespace ember

namespace ember::kernels {

// Note [Convolution geometry]
// Every convolution is 2-d here (1-d ones have H = KH = 1). The geometry is always that of
// the forward (non-transposed) convolution that maps x[N, C, H, W] through
// w[O, C/groups, KH, KW] to y[N, O, OH, OW]:
//   y[n, o, oh, ow] = sum_{c in o's group, kh, kw} w[o, c, kh, kw] * x[n, c, oh*SH - PH + kh*DH, ow*SW - PW + kw*DW]
// (out-of-range x reads are zero padding). A transposed convolution is the adjoint of this
// map with respect to x, so it uses the same geometry with x and y swapped: its input has
// y's shape and its output x's shape (H, W include output_padding; the rows no window
// reaches get only the bias).
struct ConvGeometry {
  int64_t N = 0, C = 0, H = 0, W = 0;  // x
  int64_t O = 0, OH = 0, OW = 0;       // y
  int64_t KH = 1, KW = 1, SH = 1, SW = 1, PH = 0, PW = 0, DH = 1, DW = 1;
  int64_t groups = 1;
  // The storage w lies in when w is a tensor's own memory (not a temporary copy): a kernel
  // may then keep w in its own layout between calls while the storage's version is
  // unchanged (Note [Convolution weight cache] in cpu/onednn_conv.cpp). Null: no caching.
  const StorageImpl* weight_storage = nullptr;
};

// y = conv(x, w) + b (b may be null).
using ConvForwardKernel = void (*)(ScalarType dtype, const ConvGeometry& g, const void* x, const void* w,
                                   const void* b, void* y);
// x = conv^T(y, w) + b: the transposed convolution, also the gradient of conv w.r.t. its
// input (b null). b has C entries.
using ConvTransposeKernel = void (*)(ScalarType dtype, const ConvGeometry& g, const void* y, const void* w,
                                     const void* b, void* x);
// gw = d<gy, conv(x, w)>/dw: sum over the batch of gy (x) im2col(x). Overwrites gw. When gb
// is not null (float32 and float64 only), also overwrites gb[o] with the sum of gy over
// the batch and output positions of channel o, the bias gradient, which the float32
// kernels compute in the same pass over gy.
using ConvWeightGradKernel = void (*)(ScalarType dtype, const ConvGeometry& g, const void* x, const void* gy,
                                      void* gw, void* gb);
// The input gradient gx = conv^T(gy, w), the weight gradient gw and, when gb is not null, the
// bias gradient of conv(x, w) in one call, for kernels that share work between the passes
// (Note [Shared upstream gradient] in cpu/onednn_conv.cpp). Returns false, writing nothing,
// when the kernel has no such path for this call; the caller then runs the transpose and
// weight-gradient kernels.
using ConvBackwardKernel = bool (*)(ScalarType dtype, const ConvGeometry& g, const void* x, const void* gy,
                                    const void* w, void* gx, void* gw, void* gb);

// Pooling over planes: x is [P, H, W] (P = batch * channels), y is [P, OH, OW].
struct PoolGeometry {
  int64_t P = 0, H = 0, W = 0, OH = 0, OW = 0;
  int64_t KH = 1, KW = 1, SH = 1, SW = 1, PH = 0, PW = 0, DH = 1, DW = 1;
};
// Max pooling: the maximum of each window (NaN wins) and its flat index ih * W + iw in
// the plane; an all -inf window reports its first in-range element.
using MaxPoolKernel = void (*)(ScalarType dtype, const PoolGeometry& g, const void* x, void* y, int64_t* indices);
// Adds gy[p, j] to gx[p, indices[p, j]] (gx zeroed by the caller); also serves adaptive
// max pooling. in_plane / out_plane are the plane sizes.
using MaxPoolBackwardKernel = void (*)(ScalarType dtype, int64_t P, int64_t in_plane, int64_t out_plane,
                                       const void* gy, const int64_t* indices, void* gx);
// Average pooling (no dilation). divisor > 0 overrides the window size.
using AvgPoolKernel = void (*)(ScalarType dtype, const PoolGeometry& g, bool count_include_pad, int64_t divisor,
                               const void* x, void* y);
// Its adjoint: gx = sum over windows of gy / divisor. Overwrites gx.
using AvgPoolBackwardKernel = void (*)(ScalarType dtype, const PoolGeometry& g, bool count_include_pad,
                                       int64_t divisor, const void* gy, void* gx);
// Adaptive pooling: window i of n outputs over `in` elements is
// [floor(i * in / n), ceil((i + 1) * in / n)). Only P, H, W, OH, OW of g are used.
using AdaptiveAvgPoolKernel = void (*)(ScalarType dtype, const PoolGeometry& g, const void* x, void* y);
using AdaptiveAvgPoolBackwardKernel = void (*)(ScalarType dtype, const PoolGeometry& g, const void* gy, void* gx);
using AdaptiveMaxPoolKernel = void (*)(ScalarType dtype, const PoolGeometry& g, const void* x, void* y,
                                       int64_t* indices);

inline DispatchStub<ConvForwardKernel> conv_forward_stub{"conv_forward"};
inline DispatchStub<ConvTransposeKernel> conv_transpose_stub{"conv_transpose"};
inline DispatchStub<ConvWeightGradKernel> conv_weight_grad_stub{"conv_weight_grad"};
inline DispatchStub<ConvBackwardKernel> conv_backward_stub{"conv_backward"};
inline DispatchStub<MaxPoolKernel> max_pool_stub{"max_pool"};
inline DispatchStub<MaxPoolBackwardKernel> max_pool_backward_stub{"max_pool_backward"};
inline DispatchStub<AvgPoolKernel> avg_pool_stub{"avg_pool"};
inline DispatchStub<AvgPoolBackwardKernel> avg_pool_backward_stub{"avg_pool_backward"};
inline DispatchStub<AdaptiveAvgPoolKernel> adaptive_avg_pool_stub{"adaptive_avg_pool"};
inline DispatchStub<AdaptiveAvgPoolBackwardKernel> adaptive_avg_pool_backward_stub{"adaptive_avg_pool_backward"};
inline DispatchStub<AdaptiveMaxPoolKernel> adaptive_max_pool_stub{"adaptive_max_pool"};

}  // namespace ember::kernels
