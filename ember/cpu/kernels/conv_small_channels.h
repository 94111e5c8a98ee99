#pragma once
// Direct float32 convolutions for layers with few input channels per group (a network's
// first layer on grey or RGB images), vectorised along output rows. Note [Small-channel
// convolutions] in conv_small_channels.cpp says when they run and why. Compiled per ISA
// (Note [CPU capability dispatch]); included only by the kernel TUs.
#include "ember/kernels/nn.h"

namespace ember::cpu::EMBER_CPU_NS {

// Whether these kernels take the geometry (then they compute the forward pass and the
// weight gradient of every float32 call with it).
bool small_channel_conv_takes(const kernels::ConvGeometry& g);

// y = conv(x, w) + b (b may be null), on contiguous NCHW / OIHW buffers with the geometry
// of Note [Convolution geometry]. False, touching nothing, when the geometry is not one
// this kernel takes (the caller runs oneDNN or im2col).
bool small_channel_conv_forward(const kernels::ConvGeometry& g, const float* x, const float* w, const float* b,
                                float* y);
// gw = the weight gradient (overwritten) and, when gb is not null, gb[o] = the sum of gy
// over the batch and output positions of channel o (overwritten): the bias gradient,
// computed in the same pass over gy. False, touching nothing, as above.
bool small_channel_conv_weight_grad(const kernels::ConvGeometry& g, const float* x, const float* gy, float* gw,
                                    float* gb);

}  // namespace ember::cpu::EMBER_CPU_NS
