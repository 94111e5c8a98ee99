// The derivative table, neural-network part: convolution, pooling, normalisation and
// embedding. Convolution and pooling gradients call the internal ops of ops/nn_impl.h,
// which record their own nodes, so each formula is differentiable again (conv's input
// gradient is a transposed convolution, its weight gradient a bilinear op whose own
// derivatives are convolutions). Normalisation formulas are written with ember ops and
// recompute the statistics from the saved input, so double backward sees them too.
#include "ember/autograd/derivatives_nn.h"

#include "ember/ops/elementwise.h"
#include "ember/ops/factory.h"
#include "ember/ops/index.h"
#include "ember/ops/reduce.h"

namespace ember::autograd {

namespace {

using nn_detail::ConvParams;
using nn_detail::PoolParams;

DimVector pack(const ConvParams& p) {
  return {p.stride[0], p.stride[1], p.padding[0], p.padding[1], p.dilation[0], p.dilation[1], p.groups};
}
ConvParams unpack_conv(const DimVector& v) {
  ConvParams p;
  p.stride[0] = v[0], p.stride[1] = v[1], p.padding[0] = v[2], p.padding[1] = v[3];
  p.dilation[0] = v[4], p.dilation[1] = v[5], p.groups = v[6];
  return p;
}
DimVector pack(const PoolParams& p) {
  return {p.kernel[0], p.kernel[1], p.stride[0],   p.stride[1],
          p.padding[0], p.padding[1], p.dilation[0], p.dilation[1]};
}
PoolParams unpack_pool(const DimVector& v) {
  PoolParams p;
  p.kernel[0] = v[0], p.kernel[1] = v[1], p.stride[0] = v[2], p.stride[1] = v[3];
  p.padding[0] = v[4], p.padding[1] = v[5], p.dilation[0] = v[6], p.dilation[1] = v[7];
  return p;
}

IntArrayRef spatial(const Tensor& t) { return IntArrayRef(t.sizes().data() + 2, t.dim() - 2); }
DimVector sizes_of(const Tensor& t) { return DimVector(t.sizes().begin(), t.sizes().end()); }

// Every dim but the channel dim 1.
DimVector all_but_channel(int64_t dim) {
  DimVector d;
  for (int64_t i = 0; i < dim; ++i)
    if (i != 1) d.push_back(i);
  return d;
}
DimVector channel_shape(int64_t dim, int64_t c) {
  DimVector s(static_cast<size_t>(dim), 1);
  s[1] = c;
  return s;
}

// ---- convolution ---------------------------------------------------------------------

// Edges: input, weight, bias. Saved: input, weight. code: transposed.
variable_list conv_formula(OpNode& n, const variable_list& grads) {
  const Tensor& gy = grads[0];
  if (!gy.defined()) return {Tensor(), Tensor(), Tensor()};
  const ConvParams p = unpack_conv(n.shape0);
  Tensor gx, gw, gb;
  const Tensor input = n.saved(0);
  if (n.needs_grad(0)) {
    Tensor w = n.saved(1);
    gx = n.code ? nn_detail::conv_forward(gy, w, {}, p, spatial(input))
                : nn_detail::conv_transpose_forward(gy, w, {}, p, spatial(input));
  }
  if (n.needs_grad(1))
    gw = n.code ? nn_detail::conv_weight_grad(gy, input, n.shape1, p)
                : nn_detail::conv_weight_grad(input, gy, n.shape1, p);
  if (n.needs_grad(2)) {
    DimVector dims{0};
    for (int64_t d = 2; d < gy.dim(); ++d) dims.push_back(d);
    gb = gy.sum(dims);
  }
  return {gx, gw, gb};
}

// Edges: x, gy. Saved: x, gy. The weight gradient is bilinear: <ggw, gw(x, gy)> =
// <gy, conv(x, ggw)> = <x, conv^T(gy, ggw)>.
variable_list conv_weight_grad_formula(OpNode& n, const variable_list& grads) {
  const Tensor& ggw = grads[0];
  if (!ggw.defined()) return {Tensor(), Tensor()};
  const ConvParams p = unpack_conv(n.shape0);
  Tensor x = n.saved(0), gy = n.saved(1);
  Tensor gx = n.needs_grad(0) ? nn_detail::conv_transpose_forward(gy, ggw, {}, p, spatial(x)) : Tensor();
  Tensor ggy = n.needs_grad(1) ? nn_detail::conv_forward(x, ggw, {}, p, spatial(gy)) : Tensor();
  return {gx, ggy};
}

// ---- pooling -------------------------------------------------------------------------

// Edge: input. Saved: indices. shape1: input sizes.
variable_list max_pool_formula(OpNode& n, const variable_list& grads) {
  if (!grads[0].defined()) return {Tensor()};
  return {nn_detail::max_pool_backward(grads[0], n.saved(0), n.shape1)};
}

// Edge: gy. Saved: indices. The backward scatters, so its derivative gathers.
variable_list max_pool_backward_formula(OpNode& n, const variable_list& grads) {
  const Tensor& gg = grads[0];
  if (!gg.defined()) return {Tensor()};
  Tensor idx = n.saved(0);
  if (idx.numel() == 0) return {zeros(idx.sizes(), gg.options())};
  const int64_t planes = idx.numel() / (idx.size(-1) * idx.size(-2));
  return {gg.reshape({planes, -1}).gather(1, idx.reshape({planes, -1})).view(idx.sizes())};
}

// Edge: input. shape0: params, shape1: input sizes; code: count_include_pad; i0: divisor.
variable_list avg_pool_formula(OpNode& n, const variable_list& grads) {
  if (!grads[0].defined()) return {Tensor()};
  return {nn_detail::avg_pool2d_backward(grads[0], n.shape1, unpack_pool(n.shape0), n.code, n.i0)};
}

// Edge: gy. shape1: gy sizes. Linear in gy: its derivative is the forward pool.
variable_list avg_pool_backward_formula(OpNode& n, const variable_list& grads) {
  if (!grads[0].defined()) return {Tensor()};
  return {nn_detail::avg_pool2d_impl(grads[0], unpack_pool(n.shape0), n.shape1[n.shape1.size() - 2],
                                     n.shape1.back(), n.code, n.i0)};
}

variable_list adaptive_avg_formula(OpNode& n, const variable_list& grads) {
  if (!grads[0].defined()) return {Tensor()};
  return {nn_detail::adaptive_avg_pool2d_backward(grads[0], n.shape1)};
}

variable_list adaptive_avg_backward_formula(OpNode& n, const variable_list& grads) {
  if (!grads[0].defined()) return {Tensor()};
  return {nn_detail::adaptive_avg_pool2d_impl(grads[0], n.shape1[n.shape1.size() - 2], n.shape1.back())};
}

// ---- normalisation -------------------------------------------------------------------

// The input gradient of x_hat = (x - mean) * invstd over `dims` given gxhat = dL/dx_hat:
// invstd * (gxhat - mean(gxhat) - x_hat * mean(gxhat * x_hat)).
Tensor normalized_input_grad(const Tensor& gxhat, const Tensor& xhat, const Tensor& invstd, IntArrayRef dims) {
  return invstd * (gxhat - gxhat.mean(dims, true) - xhat * (gxhat * xhat).mean(dims, true));
}

// Edges: input, weight, bias. Saved: input, weight, running_mean, running_var.
// code: training; s0: eps.
variable_list batch_norm_formula(OpNode& n, const variable_list& grads) {
  const Tensor& gy = grads[0];
  if (!gy.defined()) return {Tensor(), Tensor(), Tensor()};
  Tensor x = n.saved(0), w = n.saved(1);
  const double eps = n.s0.toDouble();
  const int64_t c = x.size(1);
  const DimVector dims = all_but_channel(x.dim()), cs = channel_shape(x.dim(), c);
  Tensor xc, invstd;
  if (n.code) {
    xc = x - x.mean(dims, true);
    invstd = (xc.square().mean(dims, true) + eps).rsqrt();
  } else {
    xc = x - n.saved(2).reshape(cs).to(x.dtype());
    invstd = (n.saved(3).reshape(cs).to(x.dtype()) + eps).rsqrt();
  }
  Tensor xhat = xc * invstd;
  Tensor gx, gw, gb;
  if (n.needs_grad(0)) {
    Tensor gxhat = w.defined() ? gy * w.reshape(cs) : gy;
    gx = n.code ? normalized_input_grad(gxhat, xhat, invstd, dims) : gxhat * invstd;
  }
  if (n.needs_grad(1)) gw = (gy * xhat).sum(dims);
  if (n.needs_grad(2)) gb = gy.sum(dims);
  return {gx, gw, gb};
}

// Edges: input, weight, bias. Saved: input, weight. i0: normalised dims; s0: eps.
variable_list layer_norm_formula(OpNode& n, const variable_list& grads) {
  const Tensor& gy = grads[0];
  if (!gy.defined()) return {Tensor(), Tensor(), Tensor()};
  Tensor x = n.saved(0), w = n.saved(1);
  const double eps = n.s0.toDouble();
  DimVector dims, lead;
  for (int64_t d = 0; d < x.dim(); ++d) (d < x.dim() - n.i0 ? lead : dims).push_back(d);
  Tensor xc = x - x.mean(dims, true);
  Tensor invstd = (xc.square().mean(dims, true) + eps).rsqrt();
  Tensor xhat = xc * invstd;
  Tensor gx, gw, gb;
  if (n.needs_grad(0)) gx = normalized_input_grad(w.defined() ? gy * w : gy, xhat, invstd, dims);
  // sum over no dims would mean "all dims": a 1-row input's gradients need no reduction.
  if (n.needs_grad(1)) gw = lead.empty() ? gy * xhat : (gy * xhat).sum(lead);
  if (n.needs_grad(2)) gb = lead.empty() ? gy : gy.sum(lead);
  return {gx, gw, gb};
}

// Edges: input, weight, bias. Saved: input, weight. i0: groups; s0: eps.
variable_list group_norm_formula(OpNode& n, const variable_list& grads) {
  const Tensor& gy = grads[0];
  if (!gy.defined()) return {Tensor(), Tensor(), Tensor()};
  Tensor x = n.saved(0), w = n.saved(1);
  const double eps = n.s0.toDouble();
  const int64_t batch = x.size(0), c = x.size(1);
  const DimVector dims = all_but_channel(x.dim()), cs = channel_shape(x.dim(), c);
  Tensor x3 = x.reshape({batch, n.i0, -1});
  Tensor xc = x3 - x3.mean({2}, true);
  Tensor invstd = (xc.square().mean({2}, true) + eps).rsqrt();
  Tensor xhat3 = xc * invstd;
  Tensor gx, gw, gb;
  if (n.needs_grad(0)) {
    Tensor gxhat3 = (w.defined() ? gy * w.reshape(cs) : gy).reshape({batch, n.i0, -1});
    gx = normalized_input_grad(gxhat3, xhat3, invstd, {2}).reshape(x.sizes());
  }
  if (n.needs_grad(1)) gw = (gy * xhat3.reshape(x.sizes())).sum(dims);
  if (n.needs_grad(2)) gb = gy.sum(dims);
  return {gx, gw, gb};
}

// ---- embedding -----------------------------------------------------------------------

// Edge: weight. Saved: indices. i0: padding_idx (< 0: none); shape1: weight sizes.
variable_list embedding_formula(OpNode& n, const variable_list& grads) {
  const Tensor& gy = grads[0];
  if (!gy.defined()) return {Tensor()};
  Tensor idx = n.saved(0).reshape({-1}).to(kInt64);
  Tensor rows = gy.reshape({-1, n.shape1[1]});
  if (n.i0 >= 0) rows = rows.masked_fill(idx.eq(n.i0).unsqueeze(1), 0);
  return {zeros(n.shape1, gy.options()).index_add(0, idx, rows)};
}

}  // namespace

void record_convolution(const Tensor& input, const Tensor& weight, const Tensor& bias, const ConvParams& p,
                        bool transposed, const Tensor& result) {
  if (!should_record({&input, &weight, &bias})) return;
  auto node = make_node("ConvolutionBackward0", conv_formula, {&input, &weight, &bias});
  node->code = transposed;
  node->shape0 = pack(p);
  node->shape1 = sizes_of(weight);
  node->saved_ = {SavedVariable(input, false), SavedVariable(weight, false)};
  set_history(result, node);
}

void record_conv_weight_grad(const Tensor& x, const Tensor& gy, const ConvParams& p, const Tensor& result) {
  if (!should_record({&x, &gy})) return;
  auto node = make_node("ConvolutionBackwardBackward0", conv_weight_grad_formula, {&x, &gy});
  node->shape0 = pack(p);
  node->saved_ = {SavedVariable(x, false), SavedVariable(gy, false)};
  set_history(result, node);
}

void record_max_pool(const char* name, const Tensor& input, const Tensor& indices, const Tensor& result) {
  if (!should_record({&input})) return;
  auto node = make_node(name, max_pool_formula, {&input});
  node->shape1 = sizes_of(input);
  node->saved_ = {SavedVariable(indices, false)};
  set_history(result, node);
}

void record_max_pool_backward(const Tensor& gy, const Tensor& indices, const Tensor& result) {
  if (!should_record({&gy})) return;
  auto node = make_node("MaxPool2DWithIndicesBackwardBackward0", max_pool_backward_formula, {&gy});
  node->saved_ = {SavedVariable(indices, false)};
  set_history(result, node);
}

void record_avg_pool(const Tensor& input, const PoolParams& p, bool count_include_pad, int64_t divisor,
                     const Tensor& result) {
  if (!should_record({&input})) return;
  auto node = make_node("AvgPool2DBackward0", avg_pool_formula, {&input});
  node->shape0 = pack(p);
  node->shape1 = sizes_of(input);
  node->code = count_include_pad;
  node->i0 = divisor;
  set_history(result, node);
}

void record_avg_pool_backward(const Tensor& gy, const PoolParams& p, bool count_include_pad, int64_t divisor,
                              const Tensor& result) {
  if (!should_record({&gy})) return;
  auto node = make_node("AvgPool2DBackwardBackward0", avg_pool_backward_formula, {&gy});
  node->shape0 = pack(p);
  node->shape1 = sizes_of(gy);
  node->code = count_include_pad;
  node->i0 = divisor;
  set_history(result, node);
}

void record_adaptive_avg_pool(const Tensor& input, const Tensor& result) {
  if (!should_record({&input})) return;
  auto node = make_node("AdaptiveAvgPool2DBackward0", adaptive_avg_formula, {&input});
  node->shape1 = sizes_of(input);
  set_history(result, node);
}

void record_adaptive_avg_pool_backward(const Tensor& gy, const Tensor& result) {
  if (!should_record({&gy})) return;
  auto node = make_node("AdaptiveAvgPool2DBackwardBackward0", adaptive_avg_backward_formula, {&gy});
  node->shape1 = sizes_of(gy);
  set_history(result, node);
}

void record_batch_norm(const Tensor& input, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                       const Tensor& running_var, bool training, double eps, const Tensor& result) {
  if (!should_record({&input, &weight, &bias})) return;
  auto node = make_node("NativeBatchNormBackward0", batch_norm_formula, {&input, &weight, &bias});
  node->code = training;
  node->s0 = eps;
  node->saved_ = {SavedVariable(input, false), SavedVariable(weight, false),
                  SavedVariable(training ? Tensor() : running_mean, false),
                  SavedVariable(training ? Tensor() : running_var, false)};
  set_history(result, node);
}

void record_layer_norm(const Tensor& input, int64_t normalized_dims, const Tensor& weight, const Tensor& bias,
                       double eps, const Tensor& result) {
  if (!should_record({&input, &weight, &bias})) return;
  auto node = make_node("NativeLayerNormBackward0", layer_norm_formula, {&input, &weight, &bias});
  node->i0 = normalized_dims;
  node->s0 = eps;
  node->saved_ = {SavedVariable(input, false), SavedVariable(weight, false)};
  set_history(result, node);
}

void record_group_norm(const Tensor& input, int64_t num_groups, const Tensor& weight, const Tensor& bias,
                       double eps, const Tensor& result) {
  if (!should_record({&input, &weight, &bias})) return;
  auto node = make_node("NativeGroupNormBackward0", group_norm_formula, {&input, &weight, &bias});
  node->i0 = num_groups;
  node->s0 = eps;
  node->saved_ = {SavedVariable(input, false), SavedVariable(weight, false)};
  set_history(result, node);
}

void record_embedding(const Tensor& weight, const Tensor& indices, int64_t padding_idx, const Tensor& result) {
  if (!should_record({&weight})) return;
  auto node = make_node("EmbeddingBackward0", embedding_formula, {&weight});
  node->i0 = padding_idx;
  node->shape1 = sizes_of(weight);
  node->saved_ = {SavedVariable(indices, false)};
  set_history(result, node);
}

}  // namespace ember::autograd
