#pragma once
// float32 convolutions through oneDNN's convolution primitives (Note [oneDNN convolutions]
// in onednn_conv.cpp). Each function computes the same map as the im2col kernel of the same
// name in cpu/kernels/conv.cpp, on contiguous NCHW / OIHW float32 buffers with the geometry
// of Note [Convolution geometry] (kernels/nn.h), and returns false, touching nothing, when
// it does not handle the call: oneDNN not built in, EMBER_CONV=im2col, a product too small
// to be worth the dispatch, or a geometry oneDNN declines. The caller then runs im2col.
#include "ember/core/half.h"
#include "ember/kernels/nn.h"

namespace ember::cpu {

// How many contiguous chunks of images a convolution over N images of `macs` multiply-adds
// in all is split into, one per thread of ember's pool (Note [Convolution threading] in
// cpu/kernels/conv.cpp); 1 runs it on the calling thread. Shared by the im2col and the
// oneDNN kernels so both split alike.
int64_t conv_batch_chunks(int64_t N, double macs);

// Whether the direct small-channel kernels (Note [Small-channel convolutions] in
// cpu/kernels/conv_small_channels.cpp) may run: not under EMBER_CONV=im2col or onednn,
// which force one of the other two paths.
bool conv_small_channel_kernels();

// y = conv(x, w) + b (b may be null).
bool onednn_conv_forward(const kernels::ConvGeometry& g, const float* x, const float* w, const float* b, float* y);
// x = conv^T(y, w): the gradient of conv with respect to its input. No bias.
bool onednn_conv_backward_data(const kernels::ConvGeometry& g, const float* y, const float* w, float* x);
// gw = d<gy, conv(x, w)>/dw, summed over the batch. Overwrites gw. When gb is not null, the
// same primitive also writes the bias gradient (gy summed over all but the channel dim).
bool onednn_conv_backward_weights(const kernels::ConvGeometry& g, const float* x, const float* gy, float* gw,
                                  float* gb = nullptr);
// The input gradient gx, the weight gradient gw and, when gb is not null, the bias gradient
// of one convolution in one call, reordering gy once for both passes (Note [Shared upstream
// gradient] in onednn_conv.cpp). False, touching nothing, when oneDNN does not take both
// passes; the caller then computes them apart.
bool onednn_conv_backward(const kernels::ConvGeometry& g, const float* x, const float* gy, const float* w, float* gx,
                          float* gw, float* gb);

// bfloat16 (Note [bfloat16 convolutions] in onednn_conv.cpp): bf16 operands, float32
// accumulation, one rounding of each output element. The float outputs serve the callers
// that add something before rounding (a transposed convolution's bias) or sum over chunks
// (the weight gradient). Same contract as above; the caller's fallback widens to float32.
bool onednn_conv_forward(const kernels::ConvGeometry& g, const BFloat16* x, const BFloat16* w, const BFloat16* b,
                         BFloat16* y);
bool onednn_conv_backward_data(const kernels::ConvGeometry& g, const BFloat16* y, const BFloat16* w, BFloat16* x);
bool onednn_conv_backward_data(const kernels::ConvGeometry& g, const BFloat16* y, const BFloat16* w, float* x);
bool onednn_conv_backward_weights(const kernels::ConvGeometry& g, const BFloat16* x, const BFloat16* gy, float* gw);

}  // namespace ember::cpu
