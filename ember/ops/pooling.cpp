// Pooling front ends: argument checks with PyTorch's messages, output sizes (ceil_mode),
// 1-d pools as 2-d ones over (..., 1, L), and the internal ops of ops/nn_impl.h that call
// the kernels (cpu/kernels/pooling.cpp) and record autograd.
#include "ember/ops/pooling.h"

#include "ember/autograd/derivatives_nn.h"
#include "ember/kernels/nn.h"
#include "ember/ops/factory.h"
#include "ember/ops/nn_impl.h"

namespace ember {

namespace nn_detail {

namespace {

// Sizes with the last two dims replaced.
DimVector with_plane(IntArrayRef sizes, int64_t h, int64_t w) {
  DimVector s(sizes.begin(), sizes.end());
  s[s.size() - 2] = h;
  s[s.size() - 1] = w;
  return s;
}

int64_t num_planes(IntArrayRef sizes) {
  int64_t p = 1;
  for (size_t i = 0; i + 2 < sizes.size(); ++i) p *= sizes[i];
  return p;
}

kernels::PoolGeometry pool_geometry(IntArrayRef in, int64_t oh, int64_t ow, const PoolParams& p) {
  kernels::PoolGeometry g;
  g.P = num_planes(in);
  g.H = in[in.size() - 2];
  g.W = in.back();
  g.OH = oh;
  g.OW = ow;
  g.KH = p.kernel[0], g.KW = p.kernel[1];
  g.SH = p.stride[0], g.SW = p.stride[1];
  g.PH = p.padding[0], g.PW = p.padding[1];
  g.DH = p.dilation[0], g.DW = p.dilation[1];
  return g;
}

}  // namespace

std::tuple<Tensor, Tensor> max_pool2d_impl(const Tensor& x, const PoolParams& p, int64_t out_h, int64_t out_w) {
  Tensor y, idx;
  autograd::untracked([&] {
    y = empty(with_plane(x.sizes(), out_h, out_w), x.options());
    idx = empty(y.sizes(), TensorOptions(kInt64).device(x.device()));
    if (y.numel() == 0) return 0;
    Tensor xc = x.contiguous();
    kernels::max_pool_stub(x.device())(x.dtype(), pool_geometry(x.sizes(), out_h, out_w, p), xc.data_ptr(), y.data_ptr(),
                             idx.data_ptr<int64_t>());
    return 0;
  });
  autograd::record(autograd::MaxPool2DWithIndicesBackward0, {&x}, y, {autograd::dim_vector(x.sizes())}, {idx});
  return {y, idx};
}

Tensor max_pool_backward(const Tensor& gy, const Tensor& indices, IntArrayRef input_sizes) {
  Tensor gx = autograd::untracked([&] {
    Tensor out = zeros(input_sizes, gy.options());
    if (gy.numel() == 0) return out;
    Tensor gc = gy.contiguous(), ic = indices.contiguous();
    const int64_t planes = num_planes(input_sizes);
    kernels::max_pool_backward_stub(gy.device())(gy.dtype(), planes, out.numel() / planes, gy.numel() / planes,
                                      gc.data_ptr(), ic.data_ptr<int64_t>(), out.data_ptr());
    return out;
  });
  autograd::record(autograd::MaxPool2DWithIndicesBackwardBackward0, {&gy}, gx, {}, {indices});
  return gx;
}

Tensor avg_pool2d_impl(const Tensor& x, const PoolParams& p, int64_t out_h, int64_t out_w, bool count_include_pad,
                       int64_t divisor) {
  Tensor y = autograd::untracked([&] {
    Tensor out = empty(with_plane(x.sizes(), out_h, out_w), x.options());
    if (out.numel() == 0) return out;
    Tensor xc = x.contiguous();
    kernels::avg_pool_stub(x.device())(x.dtype(), pool_geometry(x.sizes(), out_h, out_w, p), count_include_pad, divisor,
                             xc.data_ptr(), out.data_ptr());
    return out;
  });
  autograd::record(autograd::AvgPool2DBackward0, {&x}, y,
                   {p, count_include_pad, divisor, autograd::dim_vector(x.sizes())});
  return y;
}

Tensor avg_pool2d_backward(const Tensor& gy, IntArrayRef input_sizes, const PoolParams& p, bool count_include_pad,
                           int64_t divisor) {
  Tensor gx = autograd::untracked([&] {
    Tensor out = empty(input_sizes, gy.options());
    if (out.numel() == 0) return out;
    if (gy.numel() == 0) return out.zero_();
    Tensor gc = gy.contiguous();
    kernels::avg_pool_backward_stub(gy.device())(gy.dtype(), pool_geometry(input_sizes, gy.size(-2), gy.size(-1), p),
                                      count_include_pad, divisor, gc.data_ptr(), out.data_ptr());
    return out;
  });
  autograd::record(autograd::AvgPool2DBackwardBackward0, {&gy}, gx,
                   {p, count_include_pad, divisor, autograd::dim_vector(gy.sizes())});
  return gx;
}

Tensor adaptive_avg_pool2d_impl(const Tensor& x, int64_t out_h, int64_t out_w) {
  Tensor y = autograd::untracked([&] {
    Tensor out = empty(with_plane(x.sizes(), out_h, out_w), x.options());
    if (out.numel() == 0) return out;
    Tensor xc = x.contiguous();
    kernels::adaptive_avg_pool_stub(x.device())(x.dtype(), pool_geometry(x.sizes(), out_h, out_w, {}), xc.data_ptr(),
                                      out.data_ptr());
    return out;
  });
  autograd::record(autograd::AdaptiveAvgPool2DBackward0, {&x}, y, {autograd::dim_vector(x.sizes())});
  return y;
}

Tensor adaptive_avg_pool2d_backward(const Tensor& gy, IntArrayRef input_sizes) {
  Tensor gx = autograd::untracked([&] {
    Tensor out = empty(input_sizes, gy.options());
    if (out.numel() == 0) return out;
    if (gy.numel() == 0) return out.zero_();
    Tensor gc = gy.contiguous();
    kernels::adaptive_avg_pool_backward_stub(gy.device())(gy.dtype(), pool_geometry(input_sizes, gy.size(-2), gy.size(-1), {}),
                                               gc.data_ptr(), out.data_ptr());
    return out;
  });
  autograd::record(autograd::AdaptiveAvgPool2DBackwardBackward0, {&gy}, gx, {autograd::dim_vector(gy.sizes())});
  return gx;
}

std::tuple<Tensor, Tensor> adaptive_max_pool2d_impl(const Tensor& x, int64_t out_h, int64_t out_w) {
  Tensor y, idx;
  autograd::untracked([&] {
    y = empty(with_plane(x.sizes(), out_h, out_w), x.options());
    idx = empty(y.sizes(), TensorOptions(kInt64).device(x.device()));
    if (y.numel() == 0) return 0;
    Tensor xc = x.contiguous();
    kernels::adaptive_max_pool_stub(x.device())(x.dtype(), pool_geometry(x.sizes(), out_h, out_w, {}), xc.data_ptr(),
                                      y.data_ptr(), idx.data_ptr<int64_t>());
    return 0;
  });
  autograd::record(autograd::AdaptiveMaxPool2DBackward0, {&x}, y, {autograd::dim_vector(x.sizes())}, {idx});
  return {y, idx};
}

}  // namespace nn_detail

namespace {

using nn_detail::PoolParams;

// (h, w) from one value or two; `empty_value` stands in when the list is empty (stride).
void two_values(IntArrayRef v, const char* op, const char* what, int64_t out[2]) {
  EMBER_CHECK(v.size() == 1 || v.size() == 2, op, ": ", what, " must either be a single int, or a tuple of two ints");
  out[0] = v[0];
  out[1] = v.size() == 2 ? v[1] : v[0];
}

// PyTorch's pooling_output_shape: floor or ceil division, and with ceil_mode the last
// window must start inside the input or its left padding.
int64_t pool_out_size(int64_t in, int64_t k, int64_t pad, int64_t stride, int64_t dilation, bool ceil_mode) {
  const int64_t num = in + 2 * pad - dilation * (k - 1) - 1 + (ceil_mode ? stride - 1 : 0);
  int64_t out = (num >= 0 ? num / stride : -((-num + stride - 1) / stride)) + 1;
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  return out;
}

// Shared checks of max/avg pooling in 2-d. Fills p (dilation defaults to 1) and the
// output size.
void check_pool2d(const char* op, const Tensor& x, IntArrayRef kernel, IntArrayRef stride, IntArrayRef padding,
                  IntArrayRef dilation, bool ceil_mode, PoolParams& p, int64_t& oh, int64_t& ow) {
  EMBER_CHECK(x.defined(), op, "(): expected a defined input");
  two_values(kernel, op, "kernel_size", p.kernel);
  if (stride.empty()) {
    p.stride[0] = p.kernel[0], p.stride[1] = p.kernel[1];
  } else {
    EMBER_CHECK(stride.size() == 1 || stride.size() == 2, op,
                ": stride must either be omitted, a single int, or a tuple of two ints");
    two_values(stride, op, "stride", p.stride);
  }
  EMBER_CHECK(padding.size() == 1 || padding.size() == 2, op,
              ": padding must either be a single int, or a tuple of two ints");
  two_values(padding, op, "padding", p.padding);
  EMBER_CHECK(dilation.size() == 1 || dilation.size() == 2, op,
              ": dilation must be either a single int, or a tuple of two ints");
  two_values(dilation, op, "dilation", p.dilation);
  EMBER_CHECK(p.stride[0] != 0 && p.stride[1] != 0, "stride should not be zero");
  EMBER_CHECK(p.stride[0] > 0 && p.stride[1] > 0, "stride should be greater than zero, but got dH: ", p.stride[0],
              " dW: ", p.stride[1]);
  EMBER_CHECK(p.kernel[0] > 0 && p.kernel[1] > 0, "kernel size should be greater than zero, but got kH: ",
              p.kernel[0], " kW: ", p.kernel[1]);
  EMBER_CHECK(p.dilation[0] > 0 && p.dilation[1] > 0, "dilation should be greater than zero, but got dilationH: ",
              p.dilation[0], " dilationW: ", p.dilation[1]);
  EMBER_CHECK(p.padding[0] >= 0 && p.padding[1] >= 0, "pad should be non-negative, but got padH: ", p.padding[0],
              " padW: ", p.padding[1]);
  for (int i = 0; i < 2; ++i)
    EMBER_CHECK(p.padding[i] <= p.kernel[i] / 2, "pad should be at most half of kernel size, but got pad=",
                p.padding[i], " and kernel_size=", p.kernel[i]);
  bool shape_ok = x.dim() == 3 || x.dim() == 4;
  for (int64_t d = x.dim() - 3; shape_ok && d < x.dim(); ++d) shape_ok = x.size(d) != 0;
  EMBER_CHECK(shape_ok, "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:",
              x.sizes());
  // max_pool2d also runs in bfloat16 (autocast's dtype on the CPU), as PyTorch's does.
  if (!(x.dtype() == kBFloat16 && std::string_view(op) == "max_pool2d")) nn_detail::check_float_dtype(x, op);
  const int64_t h = x.size(-2), w = x.size(-1), c = x.size(-3);
  oh = pool_out_size(h, p.kernel[0], p.padding[0], p.stride[0], p.dilation[0], ceil_mode);
  ow = pool_out_size(w, p.kernel[1], p.padding[1], p.stride[1], p.dilation[1], ceil_mode);
  EMBER_CHECK(oh >= 1 && ow >= 1, "Given input size: (", c, "x", h, "x", w, "). Calculated output size: (", c, "x",
              oh, "x", ow, "). Output size is too small");
}

// 1-d arguments as the 2-d call on (..., 1, L) takes them.
struct As2d {
  DimVector kernel, stride, padding, dilation;
};
As2d one_d_args(const char* op, IntArrayRef kernel, IntArrayRef stride, IntArrayRef padding, IntArrayRef dilation) {
  EMBER_CHECK(kernel.size() == 1, op, "() argument 'kernel_size' should contain one int (got ", kernel.size(), ")");
  EMBER_CHECK(stride.size() <= 1, op, "() argument 'stride' should contain one int (got ", stride.size(), ")");
  EMBER_CHECK(padding.size() == 1, op, "() argument 'padding' should contain one int (got ", padding.size(), ")");
  EMBER_CHECK(dilation.size() == 1, op, "() argument 'dilation' should contain one int (got ", dilation.size(), ")");
  As2d a;
  a.kernel = {1, kernel[0]};
  if (!stride.empty()) a.stride = {1, stride[0]};
  a.padding = {0, padding[0]};
  a.dilation = {1, dilation[0]};
  return a;
}

void check_1d_input(const char* op, const Tensor& x) {
  EMBER_CHECK(x.defined(), op, "(): expected a defined input");
  bool ok = x.dim() == 2 || x.dim() == 3;
  for (int64_t d = x.dim() - 2; ok && d < x.dim(); ++d) ok = x.size(d) != 0;
  EMBER_CHECK(ok, op, ": Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, but got:",
              x.sizes());
}

void adaptive_sizes(const char* op, const Tensor& x, IntArrayRef output_size, int64_t& oh, int64_t& ow) {
  EMBER_CHECK(x.defined(), op, "(): expected a defined input");
  EMBER_CHECK(output_size.size() == 1 || output_size.size() == 2, op, ": output_size must be 2");
  oh = output_size[0];
  ow = output_size.size() == 2 ? output_size[1] : output_size[0];
  EMBER_CHECK(x.dim() == 3 || x.dim() == 4, op, "(): Expected 3D or 4D tensor, but got ", x.sizes());
  for (int64_t d = x.dim() - 2; d < x.dim(); ++d)
    EMBER_CHECK(x.size(d) != 0, op,
                "(): Expected input to have non-zero size for non-batch dimensions, but input has sizes ", x.sizes(),
                " with dimension ", d, " being empty");
  if (x.dim() == 4)
    EMBER_CHECK(x.size(1) != 0, op,
                "(): Expected input to have non-zero size for non-batch dimensions, but input has sizes ", x.sizes(),
                " with dimension 1 being empty");
  EMBER_CHECK(oh >= 0 && ow >= 0, op, "(): elements of output_size must be greater than or equal to 0 but received {",
              oh, ", ", ow, "}");
  nn_detail::check_float_dtype(x, op);
}

}  // namespace

std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride,
                                                   IntArrayRef padding, IntArrayRef dilation, bool ceil_mode) {
  PoolParams p;
  int64_t oh, ow;
  check_pool2d("max_pool2d", input, kernel_size, stride, padding, dilation, ceil_mode, p, oh, ow);
  return nn_detail::max_pool2d_impl(input, p, oh, ow);
}

Tensor max_pool2d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride, IntArrayRef padding,
                  IntArrayRef dilation, bool ceil_mode) {
  return std::get<0>(max_pool2d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode));
}

std::tuple<Tensor, Tensor> max_pool1d_with_indices(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride,
                                                   IntArrayRef padding, IntArrayRef dilation, bool ceil_mode) {
  check_1d_input("max_pool1d", input);
  As2d a = one_d_args("max_pool1d", kernel_size, stride, padding, dilation);
  auto [y, idx] = max_pool2d_with_indices(input.unsqueeze(-2), a.kernel, a.stride, a.padding, a.dilation, ceil_mode);
  return {y.squeeze(-2), idx.squeeze(-2)};
}

Tensor max_pool1d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride, IntArrayRef padding,
                  IntArrayRef dilation, bool ceil_mode) {
  return std::get<0>(max_pool1d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode));
}

Tensor avg_pool2d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride, IntArrayRef padding,
                  bool ceil_mode, bool count_include_pad, std::optional<int64_t> divisor_override) {
  PoolParams p;
  int64_t oh, ow;
  check_pool2d("avg_pool2d", input, kernel_size, stride, padding, 1, ceil_mode, p, oh, ow);
  EMBER_CHECK(!divisor_override || *divisor_override != 0, "divisor must be not zero");
  return nn_detail::avg_pool2d_impl(input, p, oh, ow, count_include_pad, divisor_override.value_or(0));
}

Tensor avg_pool1d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride, IntArrayRef padding,
                  bool ceil_mode, bool count_include_pad) {
  check_1d_input("avg_pool1d", input);
  As2d a = one_d_args("avg_pool1d", kernel_size, stride, padding, 1);
  return avg_pool2d(input.unsqueeze(-2), a.kernel, a.stride, a.padding, ceil_mode, count_include_pad).squeeze(-2);
}

Tensor adaptive_avg_pool2d(const Tensor& input, IntArrayRef output_size) {
  int64_t oh, ow;
  adaptive_sizes("adaptive_avg_pool2d", input, output_size, oh, ow);
  return nn_detail::adaptive_avg_pool2d_impl(input, oh, ow);
}

std::tuple<Tensor, Tensor> adaptive_max_pool2d(const Tensor& input, IntArrayRef output_size) {
  int64_t oh, ow;
  adaptive_sizes("adaptive_max_pool2d", input, output_size, oh, ow);
  return nn_detail::adaptive_max_pool2d_impl(input, oh, ow);
}

Tensor adaptive_avg_pool1d(const Tensor& input, IntArrayRef output_size) {
  EMBER_CHECK(output_size.size() == 1, "adaptive_avg_pool1d() argument 'output_size' should contain one int (got ",
              output_size.size(), ")");
  check_1d_input("adaptive_avg_pool1d", input);
  return adaptive_avg_pool2d(input.unsqueeze(-2), {1, output_size[0]}).squeeze(-2);
}

std::tuple<Tensor, Tensor> adaptive_max_pool1d(const Tensor& input, IntArrayRef output_size) {
  EMBER_CHECK(output_size.size() == 1, "adaptive_max_pool1d() argument 'output_size' should contain one int (got ",
              output_size.size(), ")");
  check_1d_input("adaptive_max_pool1d", input);
  auto [y, idx] = adaptive_max_pool2d(input.unsqueeze(-2), {1, output_size[0]});
  return {y.squeeze(-2), idx.squeeze(-2)};
}

}  // namespace ember
