#pragma once
// Internal entry points of the convolution and pooling ops, shared by their public front
// ends (ops/conv.cpp, ops/pooling.cpp) and their derivative formulas
// (autograd/derivatives_nn.cpp). Not part of the public API.
//
// Each function here takes batched operands (3-d for one spatial dim, 4-d for two),
// computes with the kernels of kernels/nn.h, and records its own autograd node when
// an input requires grad. Backward formulas are built from these same functions, so every
// derivative is differentiable again (create_graph=true).
#include <cstdint>
#include <tuple>

#include "ember/core/tensor.h"

namespace ember::nn_detail {

// Always 2-d: a 1-d convolution is a 2-d one with H = 1 (stride/dilation 1, padding 0 in
// the first slot).
struct ConvParams {
  int64_t stride[2] = {1, 1}, padding[2] = {0, 0}, dilation[2] = {1, 1};
  int64_t groups = 1;
};

// y = conv(x, w) + b. Records ConvolutionBackward0.
// y_spatial: the output size (empty: the largest the geometry allows). A transposed
// convolution's input gradient passes its input's size, which can be smaller when
// output_padding >= stride.
Tensor conv_forward(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParams& p,
                    IntArrayRef y_spatial = {});
// x = conv^T(y, w) + b with x's spatial size given (output_padding already folded in).
// Records ConvolutionBackward0.
Tensor conv_transpose_forward(const Tensor& y, const Tensor& w, const Tensor& b, const ConvParams& p,
                              IntArrayRef x_spatial);
// The gradient of conv(x, w) w.r.t. w for output gradient gy (bilinear in x and gy).
// Records ConvolutionBackwardBackward0. With bias_grad, also sets *bias_grad to the bias
// gradient (gy summed over all dims but 1), computed in the same pass over gy where the
// kernel can (float32, float64) and recorded by no node: only for callers that build no
// graph through gy (the convolution's backward without create_graph).
Tensor conv_weight_grad(const Tensor& x, const Tensor& gy, IntArrayRef weight_sizes, const ConvParams& p,
                        Tensor* bias_grad = nullptr);
// The input, weight and (with gb) bias gradients of conv_forward(x, w) for output gradient
// gy in one kernel call, where the kernel shares work between them (Note [Shared upstream
// gradient] in cpu/onednn_conv.cpp). Records nothing: only for callers that build no graph
// (the convolution's backward under no grad mode). False, leaving the outputs alone, when the
// kernel has no such path for this call; the caller then computes the gradients apart.
bool conv_backward_untracked(const Tensor& x, const Tensor& gy, const Tensor& w, const ConvParams& p, Tensor& gx,
                             Tensor& gw, Tensor* gb);

struct PoolParams {
  int64_t kernel[2] = {1, 1}, stride[2] = {1, 1}, padding[2] = {0, 0}, dilation[2] = {1, 1};
};
// 3-d (C, H, W) or 4-d input; outputs of spatial size out_h x out_w.
std::tuple<Tensor, Tensor> max_pool2d_impl(const Tensor& x, const PoolParams& p, int64_t out_h, int64_t out_w);
// The gradient of a max pool (or adaptive max pool): gy scattered to the indices.
Tensor max_pool_backward(const Tensor& gy, const Tensor& indices, IntArrayRef input_sizes);
Tensor avg_pool2d_impl(const Tensor& x, const PoolParams& p, int64_t out_h, int64_t out_w, bool count_include_pad,
                       int64_t divisor);
Tensor avg_pool2d_backward(const Tensor& gy, IntArrayRef input_sizes, const PoolParams& p, bool count_include_pad,
                           int64_t divisor);
Tensor adaptive_avg_pool2d_impl(const Tensor& x, int64_t out_h, int64_t out_w);
Tensor adaptive_avg_pool2d_backward(const Tensor& gy, IntArrayRef input_sizes);
std::tuple<Tensor, Tensor> adaptive_max_pool2d_impl(const Tensor& x, int64_t out_h, int64_t out_w);

// A result computed under autograd::untracked that is a view (reshape of a temporary)
// would make autograd treat in-place changes to it as changes to that temporary (Note
// [In-place on views]); this gives the same data as a tensor of its own.
Tensor as_fresh(const Tensor& t);

// float32/float64 only; other dtypes raise NotImplementedError naming `op`.
void check_float_dtype(const Tensor& t, const char* op);

}  // namespace ember::nn_detail
