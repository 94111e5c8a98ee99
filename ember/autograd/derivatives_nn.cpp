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

IntArrayRef spatial(const Tensor& t) { return IntArrayRef(t.sizes().data() + 2, t.dim() - 2); }

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

// Edges: input, weight, bias. Saved: input, weight.
variable_list conv_formula(OpNode& n, const ConvState& s, const variable_list& grads) {
  const Tensor& gy = grads[0];
  if (!gy.defined()) return {Tensor(), Tensor(), Tensor()};
  const ConvParams& p = s.params;
  Tensor gx, gw, gb;
  const Tensor input = n.saved(0);
  // Both gradients in one kernel call, sharing gy's reorder (Note [Shared upstream gradient]),
  // when no graph is built through them.
  if (!s.transposed && n.needs_grad(0) && n.needs_grad(1) && !GradMode::is_enabled() &&
      nn_detail::conv_backward_untracked(input, gy, n.saved(1), p, gx, gw, n.needs_grad(2) ? &gb : nullptr)) {
    return {gx, gw, gb};
  }
  if (n.needs_grad(0)) {
    Tensor w = n.saved(1);
    gx = s.transposed ? nn_detail::conv_forward(gy, w, {}, p, spatial(input))
                      : nn_detail::conv_transpose_forward(gy, w, {}, p, spatial(input));
  }
  // The weight-gradient kernel also sums gy for the bias gradient, saving a pass over gy,
  // unless that sum must be recorded (a graph is built through gy, create_graph).
  const bool bias_with_weights =
      !s.transposed && n.needs_grad(1) && n.needs_grad(2) && !(GradMode::is_enabled() && gy.requires_grad());
  if (n.needs_grad(1))
    gw = s.transposed ? nn_detail::conv_weight_grad(gy, input, s.weight_sizes, p)
                      : nn_detail::conv_weight_grad(input, gy, s.weight_sizes, p, bias_with_weights ? &gb : nullptr);
  if (n.needs_grad(2) && !bias_with_weights) {
    DimVector dims{0};
    for (int64_t d = 2; d < gy.dim(); ++d) dims.push_back(d);
    gb = gy.sum(dims);
  }
  return {gx, gw, gb};
}

// Edges: x, gy. Saved: x, gy. The weight gradient is bilinear: <ggw, gw(x, gy)> =
// <gy, conv(x, ggw)> = <x, conv^T(gy, ggw)>.
variable_list conv_weight_grad_formula(OpNode& n, const ConvParams& p, const variable_list& grads) {
  const Tensor& ggw = grads[0];
  if (!ggw.defined()) return {Tensor(), Tensor()};
  Tensor x = n.saved(0), gy = n.saved(1);
  Tensor gx = n.needs_grad(0) ? nn_detail::conv_transpose_forward(gy, ggw, {}, p, spatial(x)) : Tensor();
  Tensor ggy = n.needs_grad(1) ? nn_detail::conv_forward(x, ggw, {}, p, spatial(gy)) : Tensor();
  return {gx, ggy};
}

// ---- pooling -------------------------------------------------------------------------

// Edge: input. Saved: indices.
variable_list max_pool_formula(OpNode& n, const SizesState& s, const variable_list& grads) {
  if (!grads[0].defined()) return {Tensor()};
  return {nn_detail::max_pool_backward(grads[0], n.saved(0), s.self_sizes)};
}

// Edge: gy. Saved: indices. The backward scatters, so its derivative gathers.
variable_list max_pool_backward_formula(OpNode& n, const NoState&, const variable_list& grads) {
  const Tensor& gg = grads[0];
  if (!gg.defined()) return {Tensor()};
  Tensor idx = n.saved(0);
  if (idx.numel() == 0) return {zeros(idx.sizes(), gg.options())};
  const int64_t planes = idx.numel() / (idx.size(-1) * idx.size(-2));
  return {gg.reshape({planes, -1}).gather(1, idx.reshape({planes, -1})).view(idx.sizes())};
}

// Edge: input.
variable_list avg_pool_formula(OpNode&, const AvgPoolState& s, const variable_list& grads) {
  if (!grads[0].defined()) return {Tensor()};
  return {nn_detail::avg_pool2d_backward(grads[0], s.self_sizes, s.params, s.count_include_pad, s.divisor)};
}

// Edge: gy (self_sizes: its sizes). Linear in gy: its derivative is the forward pool.
variable_list avg_pool_backward_formula(OpNode&, const AvgPoolState& s, const variable_list& grads) {
  if (!grads[0].defined()) return {Tensor()};
  return {nn_detail::avg_pool2d_impl(grads[0], s.params, s.self_sizes[s.self_sizes.size() - 2], s.self_sizes.back(),
                                     s.count_include_pad, s.divisor)};
}

variable_list adaptive_avg_formula(OpNode&, const SizesState& s, const variable_list& grads) {
  if (!grads[0].defined()) return {Tensor()};
  return {nn_detail::adaptive_avg_pool2d_backward(grads[0], s.self_sizes)};
}

variable_list adaptive_avg_backward_formula(OpNode&, const SizesState& s, const variable_list& grads) {
  if (!grads[0].defined()) return {Tensor()};
  return {nn_detail::adaptive_avg_pool2d_impl(grads[0], s.self_sizes[s.self_sizes.size() - 2], s.self_sizes.back())};
}

// ---- normalisation -------------------------------------------------------------------

// The input gradient of x_hat = (x - mean) * invstd over `dims` given gxhat = dL/dx_hat:
// invstd * (gxhat - mean(gxhat) - x_hat * mean(gxhat * x_hat)).
Tensor normalized_input_grad(const Tensor& gxhat, const Tensor& xhat, const Tensor& invstd, IntArrayRef dims) {
  return invstd * (gxhat - gxhat.mean(dims, true) - xhat * (gxhat * xhat).mean(dims, true));
}

// Edges: input, weight, bias. Saved: input, weight, running_mean, running_var.
variable_list batch_norm_formula(OpNode& n, const BatchNormState& s, const variable_list& grads) {
  const Tensor& gy = grads[0];
  if (!gy.defined()) return {Tensor(), Tensor(), Tensor()};
  Tensor x = n.saved(0), w = n.saved(1);
  const double eps = s.eps;
  const int64_t c = x.size(1);
  const DimVector dims = all_but_channel(x.dim()), cs = channel_shape(x.dim(), c);
  Tensor xc, invstd;
  if (s.training) {
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
    gx = s.training ? normalized_input_grad(gxhat, xhat, invstd, dims) : gxhat * invstd;
  }
  if (n.needs_grad(1)) gw = (gy * xhat).sum(dims);
  if (n.needs_grad(2)) gb = gy.sum(dims);
  return {gx, gw, gb};
}

// Edges: input, weight, bias. Saved: input, weight.
variable_list layer_norm_formula(OpNode& n, const LayerNormState& s, const variable_list& grads) {
  const Tensor& gy = grads[0];
  if (!gy.defined()) return {Tensor(), Tensor(), Tensor()};
  Tensor x = n.saved(0), w = n.saved(1);
  const double eps = s.eps;
  DimVector dims, lead;
  for (int64_t d = 0; d < x.dim(); ++d) (d < x.dim() - s.normalized_dims ? lead : dims).push_back(d);
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

// Edges: input, weight, bias. Saved: input, weight.
variable_list group_norm_formula(OpNode& n, const GroupNormState& s, const variable_list& grads) {
  const Tensor& gy = grads[0];
  if (!gy.defined()) return {Tensor(), Tensor(), Tensor()};
  Tensor x = n.saved(0), w = n.saved(1);
  const double eps = s.eps;
  const int64_t batch = x.size(0), c = x.size(1);
  const DimVector dims = all_but_channel(x.dim()), cs = channel_shape(x.dim(), c);
  Tensor x3 = x.reshape({batch, s.num_groups, -1});
  Tensor xc = x3 - x3.mean({2}, true);
  Tensor invstd = (xc.square().mean({2}, true) + eps).rsqrt();
  Tensor xhat3 = xc * invstd;
  Tensor gx, gw, gb;
  if (n.needs_grad(0)) {
    Tensor gxhat3 = (w.defined() ? gy * w.reshape(cs) : gy).reshape({batch, s.num_groups, -1});
    gx = normalized_input_grad(gxhat3, xhat3, invstd, {2}).reshape(x.sizes());
  }
  if (n.needs_grad(1)) gw = (gy * xhat3.reshape(x.sizes())).sum(dims);
  if (n.needs_grad(2)) gb = gy.sum(dims);
  return {gx, gw, gb};
}

// ---- embedding -----------------------------------------------------------------------

// Edge: weight. Saved: indices.
variable_list embedding_formula(OpNode& n, const EmbeddingState& s, const variable_list& grads) {
  const Tensor& gy = grads[0];
  if (!gy.defined()) return {Tensor()};
  Tensor idx = n.saved(0).reshape({-1}).to(kInt64);
  Tensor rows = gy.reshape({-1, s.weight_sizes[1]});
  if (s.padding_idx >= 0) rows = rows.masked_fill(idx.eq(s.padding_idx).unsqueeze(1), 0);
  return {zeros(s.weight_sizes, gy.options()).index_add(0, idx, rows)};
}

}  // namespace

EMBER_INSTANTIATE_RECORD(ConvState);
EMBER_INSTANTIATE_RECORD(ConvParams);
EMBER_INSTANTIATE_RECORD(AvgPoolState);
EMBER_INSTANTIATE_RECORD(BatchNormState);
EMBER_INSTANTIATE_RECORD(LayerNormState);
EMBER_INSTANTIATE_RECORD(GroupNormState);
EMBER_INSTANTIATE_RECORD(EmbeddingState);

const Derivative<ConvState> ConvolutionBackward0{"ConvolutionBackward0", conv_formula};
const Derivative<ConvParams> ConvolutionBackwardBackward0{"ConvolutionBackwardBackward0", conv_weight_grad_formula};
const Derivative<SizesState> MaxPool2DWithIndicesBackward0{"MaxPool2DWithIndicesBackward0", max_pool_formula};
const Derivative<SizesState> AdaptiveMaxPool2DBackward0{"AdaptiveMaxPool2DBackward0", max_pool_formula};
const Derivative<> MaxPool2DWithIndicesBackwardBackward0{"MaxPool2DWithIndicesBackwardBackward0",
                                                         max_pool_backward_formula};
const Derivative<AvgPoolState> AvgPool2DBackward0{"AvgPool2DBackward0", avg_pool_formula};
const Derivative<AvgPoolState> AvgPool2DBackwardBackward0{"AvgPool2DBackwardBackward0", avg_pool_backward_formula};
const Derivative<SizesState> AdaptiveAvgPool2DBackward0{"AdaptiveAvgPool2DBackward0", adaptive_avg_formula};
const Derivative<SizesState> AdaptiveAvgPool2DBackwardBackward0{"AdaptiveAvgPool2DBackwardBackward0",
                                                                adaptive_avg_backward_formula};
const Derivative<BatchNormState> NativeBatchNormBackward0{"NativeBatchNormBackward0", batch_norm_formula};
const Derivative<LayerNormState> NativeLayerNormBackward0{"NativeLayerNormBackward0", layer_norm_formula};
const Derivative<GroupNormState> NativeGroupNormBackward0{"NativeGroupNormBackward0", group_norm_formula};
const Derivative<EmbeddingState> EmbeddingBackward0{"EmbeddingBackward0", embedding_formula};

}  // namespace ember::autograd
