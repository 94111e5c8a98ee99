// Convolution front ends: argument checks with PyTorch's messages, unbatched inputs,
// "same"/"valid" padding, then the internal ops of ops/nn_impl.h that call the kernels
// (cpu/kernels/conv.cpp) and record ConvolutionBackward0.
#include "ember/ops/conv.h"
#include "ember/ops/autocast.h"

#include <string>

#include "ember/autograd/derivatives_nn.h"
#include "ember/kernels/nn.h"
#include "ember/ops/factory.h"
#include "ember/ops/nn_impl.h"
#include "ember/ops/shape.h"

namespace ember {

namespace nn_detail {

void check_float_dtype(const Tensor& t, const char* op) {
  EMBER_CHECK_AS(NotImplementedError, t.dtype() == kFloat32 || t.dtype() == kFloat64, "\"", op,
                 "\" not implemented for '", t.dtype(), "'");
}

Tensor as_fresh(const Tensor& t) {
  if (!t.unsafeGetTensorImpl()->view_base()) return t;
  return Tensor(make_intrusive<TensorImpl>(t.storage(), t.dtype(), t.sizes(), t.strides(), t.storage_offset()));
}

namespace {

// The kernel geometry of conv(x, w) -> y, for 3-d (N, C, L) or 4-d operands.
kernels::ConvGeometry geometry(IntArrayRef x, IntArrayRef w, IntArrayRef y_spatial, const ConvParams& p,
                           int64_t groups) {
  kernels::ConvGeometry g;
  const bool one_d = x.size() == 3;
  g.N = x[0];
  g.C = x[1];
  g.H = one_d ? 1 : x[2];
  g.W = x.back();
  g.O = w[0];
  g.KH = one_d ? 1 : w[2];
  g.KW = w.back();
  g.OH = one_d ? 1 : y_spatial[0];
  g.OW = y_spatial.back();
  g.SH = p.stride[0], g.SW = p.stride[1];
  g.PH = p.padding[0], g.PW = p.padding[1];
  g.DH = p.dilation[0], g.DW = p.dilation[1];
  g.groups = groups;
  return g;
}

// The largest conv output size along one dim (slot 0 = H, 1 = W).
int64_t conv_out_size(int64_t in, int64_t k, const ConvParams& p, int slot) {
  return (in + 2 * p.padding[slot] - p.dilation[slot] * (k - 1) - 1) / p.stride[slot] + 1;
}

const void* ptr_or_null(const Tensor& t) { return t.defined() ? t.data_ptr() : nullptr; }

// The weight's storage when the kernel reads w's own memory (w.contiguous() is w), so a
// kernel may cache w's reordered copy (Note [Convolution weight cache]).
const StorageImpl* weight_storage(const Tensor& w) { return w.is_contiguous() ? w.storage().get() : nullptr; }

}  // namespace

Tensor conv_forward(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParams& p, IntArrayRef y_spatial) {
  Tensor y = autograd::untracked([&] {
    const bool one_d = x.dim() == 3;
    DimVector ys;
    if (!y_spatial.empty()) ys = DimVector(y_spatial.begin(), y_spatial.end());
    else if (one_d) ys = {conv_out_size(x.size(2), w.size(2), p, 1)};
    else ys = {conv_out_size(x.size(2), w.size(2), p, 0), conv_out_size(x.size(3), w.size(3), p, 1)};
    DimVector shape{x.size(0), w.size(0)};
    for (int64_t s : ys) shape.push_back(s);
    Tensor out = empty(shape, x.options());
    if (out.numel() == 0) return out;
    Tensor xc = x.contiguous(), wc = w.contiguous(), bc = b.defined() ? b.contiguous() : Tensor();
    kernels::ConvGeometry g = geometry(x.sizes(), w.sizes(), ys, p, p.groups);
    g.weight_storage = weight_storage(w);
    kernels::conv_forward_stub(x.device())(x.dtype(), g, xc.data_ptr(), wc.data_ptr(), ptr_or_null(bc),
                                           out.data_ptr());
    return out;
  });
  autograd::record(autograd::ConvolutionBackward0, {&x, &w, &b}, y,
                   {p, /*transposed=*/false, autograd::dim_vector(w.sizes())}, {x, w});
  return y;
}

Tensor conv_transpose_forward(const Tensor& y, const Tensor& w, const Tensor& b, const ConvParams& p,
                              IntArrayRef x_spatial) {
  Tensor x = autograd::untracked([&] {
    DimVector shape{y.size(0), w.size(1) * p.groups};
    for (int64_t s : x_spatial) shape.push_back(s);
    Tensor out = empty(shape, y.options());
    if (out.numel() == 0) return out;
    if (y.numel() == 0) {  // nothing reaches the output but the bias
      out.zero_();
      if (b.defined()) out.add_(b.view(y.dim() == 3 ? DimVector{-1, 1} : DimVector{-1, 1, 1}));
      return out;
    }
    Tensor yc = y.contiguous(), wc = w.contiguous(), bc = b.defined() ? b.contiguous() : Tensor();
    IntArrayRef ys(y.sizes().data() + 2, y.dim() - 2);
    kernels::ConvGeometry g = geometry(shape, w.sizes(), ys, p, p.groups);
    g.weight_storage = weight_storage(w);
    kernels::conv_transpose_stub(y.device())(y.dtype(), g, yc.data_ptr(), wc.data_ptr(), ptr_or_null(bc),
                                             out.data_ptr());
    return out;
  });
  autograd::record(autograd::ConvolutionBackward0, {&y, &w, &b}, x,
                   {p, /*transposed=*/true, autograd::dim_vector(w.sizes())}, {y, w});
  return x;
}

Tensor conv_weight_grad(const Tensor& x, const Tensor& gy, IntArrayRef weight_sizes, const ConvParams& p,
                        Tensor* bias_grad) {
  // The kernels write the bias gradient for float types only (kernels/nn.h).
  const bool fused_bias = bias_grad && (x.dtype() == kFloat32 || x.dtype() == kFloat64);
  Tensor gb;
  Tensor gw = autograd::untracked([&] {
    Tensor out = empty(weight_sizes, x.options());
    if (fused_bias) gb = empty({gy.size(1)}, gy.options());
    if (out.numel() == 0 || x.numel() == 0 || gy.numel() == 0) {
      if (gb.defined()) gb.zero_();
      return out.zero_();
    }
    Tensor xc = x.contiguous(), gc = gy.contiguous();
    IntArrayRef ys(gy.sizes().data() + 2, gy.dim() - 2);
    kernels::conv_weight_grad_stub(x.device())(x.dtype(), geometry(x.sizes(), weight_sizes, ys, p, p.groups), xc.data_ptr(),
                                     gc.data_ptr(), out.data_ptr(), fused_bias ? gb.data_ptr() : nullptr);
    return out;
  });
  autograd::record(autograd::ConvolutionBackwardBackward0, {&x, &gy}, gw, p, {x, gy});
  if (bias_grad) {
    if (!fused_bias) {
      DimVector dims{0};
      for (int64_t d = 2; d < gy.dim(); ++d) dims.push_back(d);
      gb = gy.sum(dims);
    }
    *bias_grad = gb;
  }
  return gw;
}

bool conv_backward_untracked(const Tensor& x, const Tensor& gy, const Tensor& w, const ConvParams& p, Tensor& gx,
                             Tensor& gw, Tensor* gb) {
  if (x.dtype() != kFloat32 || x.numel() == 0 || gy.numel() == 0 || w.numel() == 0) return false;
  Tensor xc = x.contiguous(), gc = gy.contiguous(), wc = w.contiguous();
  IntArrayRef ys(gy.sizes().data() + 2, gy.dim() - 2);
  kernels::ConvGeometry g = geometry(x.sizes(), w.sizes(), ys, p, p.groups);
  g.weight_storage = weight_storage(w);
  Tensor gx_out = empty(x.sizes(), x.options()), gw_out = empty(w.sizes(), w.options());
  Tensor gb_out = gb ? empty({gy.size(1)}, gy.options()) : Tensor();
  if (!kernels::conv_backward_stub(x.device())(x.dtype(), g, xc.data_ptr(), gc.data_ptr(), wc.data_ptr(),
                                                gx_out.data_ptr(), gw_out.data_ptr(), gb ? gb_out.data_ptr() : nullptr))
    return false;
  gx = gx_out;
  gw = gw_out;
  if (gb) *gb = gb_out;
  return true;
}

}  // namespace nn_detail

namespace {

using nn_detail::ConvParams;

// One value per spatial dim: a single value is repeated.
DimVector expand_param(IntArrayRef v, int64_t n, const char* name) {
  EMBER_CHECK(v.size() == 1 || static_cast<int64_t>(v.size()) == n, "expected ", name,
              " to be a single integer value or a list of ", n,
              " values to match the convolution dimensions, but got ", name, "=", v);
  DimVector out;
  for (int64_t i = 0; i < n; ++i) out.push_back(v.size() == 1 ? v[0] : v[i]);
  return out;
}

std::string size_list(IntArrayRef v, const char* sep) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + std::to_string(v[i]);
  return s;
}

struct ConvCall {
  const char* name;  // "conv2d", "conv_transpose1d", ...
  int64_t spatial;   // 1 or 2
  bool transposed;
};

// Checks every argument as PyTorch does and returns the 2-d parameter block.
ConvParams check_conv(const ConvCall& call, const Tensor& input, const Tensor& weight, const Tensor& bias,
                      IntArrayRef stride_in, const DimVector& padding, IntArrayRef dilation_in, int64_t groups) {
  const int64_t n = call.spatial;
  EMBER_CHECK(input.defined() && weight.defined(), call.name, "(): expected defined input and weight");
  EMBER_CHECK(input.dim() == n + 1 || input.dim() == n + 2, "Expected ", n + 1, "D (unbatched) or ", n + 2,
              "D (batched) input to ", call.name, ", but got input of size: ", input.sizes());
  EMBER_CHECK(weight.dim() == n + 2, call.name, "(): expected weight to be ", n + 2, "-dimensional, but got weight of size ",
              weight.sizes());
  EMBER_CHECK(input.dtype() == weight.dtype(), "Input type (", input.dtype(), ") and weight type (", weight.dtype(),
              ") should be the same");
  EMBER_CHECK(!bias.defined() || bias.dtype() == input.dtype(), "Input type (", input.dtype(), ") and bias type (",
              bias.dtype(), ") should be the same");
  // bfloat16 runs through oneDNN or widened (Note [bfloat16 convolution fallback] in
  // cpu/kernels/conv.cpp); float16 is refused as PyTorch 1.13 does on the CPU.
  if (input.dtype() != kBFloat16) nn_detail::check_float_dtype(input, n == 1 ? "slow_conv1d_cpu" : "slow_conv2d_cpu");
  DimVector stride = expand_param(stride_in, n, "stride"), dilation = expand_param(dilation_in, n, "dilation");
  for (int64_t s : stride) EMBER_CHECK(s > 0, "non-positive stride is not supported");
  for (int64_t p : padding) EMBER_CHECK(p >= 0, "negative padding is not supported");
  for (int64_t d : dilation) EMBER_CHECK(d > 0, "non-positive dilation is not supported");
  EMBER_CHECK(groups > 0, "non-positive groups is not supported");
  const bool batched = input.dim() == n + 2;
  const int64_t in_channels = input.size(batched ? 1 : 0);
  EMBER_CHECK(weight.size(0) % groups == 0, "Given groups=", groups, ", expected weight to be divisible by ", groups,
              " at dimension 0, but got weight of size ", weight.sizes(), " instead");
  const int64_t expect_c = call.transposed ? weight.size(0) : weight.size(1) * groups;
  if (in_channels != expect_c) {
    if (call.transposed)
      EMBER_THROW(Error, "Given transposed=1, weight of size ", weight.sizes(), ", expected input", input.sizes(),
                  " to have ", expect_c, " channels, but got ", in_channels, " channels instead");
    EMBER_THROW(Error, "Given groups=", groups, ", weight of size ", weight.sizes(), ", expected input",
                input.sizes(), " to have ", expect_c, " channels, but got ", in_channels, " channels instead");
  }
  const int64_t out_channels = call.transposed ? weight.size(1) * groups : weight.size(0);
  EMBER_CHECK(!bias.defined() || (bias.dim() == 1 && bias.size(0) == out_channels), "Given weight of size ",
              weight.sizes(), ", expected bias to be 1-dimensional with ", out_channels,
              " elements, but got bias of size ", bias.sizes(), " instead");
  if (!call.transposed) {
    // The dilated kernel must fit the padded input.
    DimVector padded, kernel;
    bool fits = true;
    for (int64_t i = 0; i < n; ++i) {
      padded.push_back(input.size(input.dim() - n + i) + 2 * padding[i]);
      kernel.push_back(dilation[i] * (weight.size(2 + i) - 1) + 1);
      fits = fits && kernel.back() <= padded.back();
    }
    EMBER_CHECK(fits, "Calculated padded input size per channel: (", size_list(padded, " x "), "). Kernel size: (",
                size_list(kernel, " x "), "). Kernel size can't be greater than actual input size");
  }
  ConvParams p;
  for (int64_t i = 0; i < n; ++i) {
    const int slot = static_cast<int>(2 - n + i);
    p.stride[slot] = stride[i];
    p.padding[slot] = padding[i];
    p.dilation[slot] = dilation[i];
  }
  p.groups = groups;
  return p;
}

Tensor conv_nd(const ConvCall& call, const Tensor& input, const Tensor& weight, const Tensor& bias,
               IntArrayRef stride, IntArrayRef padding, IntArrayRef dilation, int64_t groups) {
  DimVector pad = expand_param(padding, call.spatial, "padding");
  ConvParams p = check_conv(call, input, weight, bias, stride, pad, dilation, groups);
  const bool batched = input.dim() == call.spatial + 2;
  Tensor x = batched ? input : input.unsqueeze(0);
  Tensor y = nn_detail::conv_forward(x, weight, bias, p);
  return batched ? y : y.squeeze(0);
}

Tensor conv_nd_str(const ConvCall& call, const Tensor& input, const Tensor& weight, const Tensor& bias,
                   IntArrayRef stride, std::string_view padding, IntArrayRef dilation, int64_t groups) {
  const int64_t n = call.spatial;
  if (padding == "valid") return conv_nd(call, input, weight, bias, stride, 0, dilation, groups);
  EMBER_CHECK(padding == "same", "Invalid padding string: '", padding, "'");
  EMBER_CHECK(weight.defined() && weight.dim() == n + 2, call.name, "(): expected weight to be ", n + 2,
              "-dimensional");
  for (int64_t s : expand_param(stride, n, "stride"))
    EMBER_CHECK(s == 1, "padding='same' is not supported for strided convolutions");
  DimVector dil = expand_param(dilation, n, "dilation");
  // Total padding d * (k - 1): the left side gets half, the right side the rest; an odd
  // total pads the input's right edge by one extra zero first (as PyTorch does).
  DimVector left;
  Tensor x = input;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t total = dil[i] * (weight.size(2 + i) - 1);
    left.push_back(total / 2);
    const int64_t extra = total - 2 * (total / 2);
    if (extra > 0 && x.defined() && x.dim() >= n) {
      const int64_t d = x.dim() - n + i;
      DimVector zshape(x.sizes().begin(), x.sizes().end());
      zshape[d] = extra;
      x = cat({x, zeros(zshape, x.options())}, d);
    }
  }
  return conv_nd(call, x, weight, bias, stride, left, dilation, groups);
}

Tensor conv_transpose_nd(const ConvCall& call, const Tensor& input, const Tensor& weight, const Tensor& bias,
                         IntArrayRef stride, IntArrayRef padding, IntArrayRef output_padding, int64_t groups,
                         IntArrayRef dilation) {
  const int64_t n = call.spatial;
  DimVector pad = expand_param(padding, n, "padding");
  ConvParams p = check_conv(call, input, weight, bias, stride, pad, dilation, groups);
  DimVector op = expand_param(output_padding, n, "output_padding");
  bool op_ok = true;
  for (int64_t i = 0; i < n; ++i) {
    const int slot = static_cast<int>(2 - n + i);
    EMBER_CHECK(op[i] >= 0, "negative output_padding is not supported");
    op_ok = op_ok && (op[i] < p.stride[slot] || op[i] < p.dilation[slot]);
  }
  if (!op_ok) {
    std::string msg = "output padding must be smaller than either stride or dilation, but got";
    const char* names[2] = {"height", "width"};
    auto add = [&](const char* what, auto value_of) {
      for (int64_t i = 0; i < n; ++i)
        msg += std::string(" ") + what + (n == 1 ? "" : std::string("_") + names[i]) + ": " +
               std::to_string(value_of(i));
    };
    add("output_padding", [&](int64_t i) { return op[i]; });
    add("stride", [&](int64_t i) { return p.stride[2 - n + i]; });
    add("dilation", [&](int64_t i) { return p.dilation[2 - n + i]; });
    EMBER_THROW(Error, msg);
  }
  const bool batched = input.dim() == n + 2;
  Tensor y = batched ? input : input.unsqueeze(0);
  DimVector out_spatial, in_spatial;
  bool positive = true;
  for (int64_t i = 0; i < n; ++i) {
    const int slot = static_cast<int>(2 - n + i);
    const int64_t in = y.size(2 + i);
    in_spatial.push_back(in);
    out_spatial.push_back((in - 1) * p.stride[slot] - 2 * p.padding[slot] +
                          p.dilation[slot] * (weight.size(2 + i) - 1) + op[i] + 1);
    positive = positive && out_spatial.back() > 0;
  }
  EMBER_CHECK(positive, "Given input size per channel: (", size_list(in_spatial, " x "),
              "). Calculated output size per channel: (", size_list(out_spatial, " x "), "). Output size is too small");
  Tensor x = nn_detail::conv_transpose_forward(y, weight, bias, p, out_spatial);
  return batched ? x : x.squeeze(0);
}

}  // namespace

Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride, IntArrayRef padding,
              IntArrayRef dilation, int64_t groups) {
  EMBER_AUTOCAST(conv1d, input, weight, bias, stride, padding, dilation, groups);
  return conv_nd({"conv1d", 1, false}, input, weight, bias, stride, padding, dilation, groups);
}
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride, IntArrayRef padding,
              IntArrayRef dilation, int64_t groups) {
  EMBER_AUTOCAST(conv2d, input, weight, bias, stride, padding, dilation, groups);
  return conv_nd({"conv2d", 2, false}, input, weight, bias, stride, padding, dilation, groups);
}
Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride,
              std::string_view padding, IntArrayRef dilation, int64_t groups) {
  EMBER_AUTOCAST(conv1d, input, weight, bias, stride, padding, dilation, groups);
  return conv_nd_str({"conv1d", 1, false}, input, weight, bias, stride, padding, dilation, groups);
}
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride,
              std::string_view padding, IntArrayRef dilation, int64_t groups) {
  EMBER_AUTOCAST(conv2d, input, weight, bias, stride, padding, dilation, groups);
  return conv_nd_str({"conv2d", 2, false}, input, weight, bias, stride, padding, dilation, groups);
}
Tensor conv_transpose1d(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride,
                        IntArrayRef padding, IntArrayRef output_padding, int64_t groups, IntArrayRef dilation) {
  EMBER_AUTOCAST(conv_transpose1d, input, weight, bias, stride, padding, output_padding, groups, dilation);
  return conv_transpose_nd({"conv_transpose1d", 1, true}, input, weight, bias, stride, padding, output_padding,
                           groups, dilation);
}
Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride,
                        IntArrayRef padding, IntArrayRef output_padding, int64_t groups, IntArrayRef dilation) {
  EMBER_AUTOCAST(conv_transpose2d, input, weight, bias, stride, padding, output_padding, groups, dilation);
  return conv_transpose_nd({"conv_transpose2d", 2, true}, input, weight, bias, stride, padding, output_padding,
                           groups, dilation);
}

}  // namespace ember
