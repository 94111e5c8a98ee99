// F::interpolate. Both modes are separable: each spatial dimension is resampled in turn
// with index_select (nearest) or two index_selects blended by per-position weights
// (linear), so autograd gives the gradients. The index and weight arithmetic follows
// PyTorch's CPU kernels, in float for float32 inputs, so the same sources are chosen.
#include "ember/nn/functional/upsampling.h"

#include <cmath>
#include <vector>

#include "ember/ops/elementwise.h"
#include "ember/ops/factory.h"
#include "ember/ops/index.h"

namespace ember::nn::functional {

namespace {

Tensor index_tensor(const std::vector<int64_t>& v) {
  Tensor t = empty({static_cast<int64_t>(v.size())}, TensorOptions(kInt64));
  std::copy(v.begin(), v.end(), t.data_ptr<int64_t>());
  return t;
}

// PyTorch's compute_scales_value: 1 / scale_factor when one was given, else in / out.
template <class T>
T scale_value(std::optional<double> scale, int64_t in, int64_t out) {
  return scale && *scale > 0 ? static_cast<T>(1.0 / *scale) : static_cast<T>(in) / static_cast<T>(out);
}

Tensor nearest_dim(const Tensor& x, int64_t d, int64_t out, std::optional<double> scale) {
  const int64_t in = x.size(d);
  std::vector<int64_t> idx(static_cast<size_t>(out));
  const float s = scale_value<float>(scale, in, out);
  for (int64_t o = 0; o < out; ++o) {
    if (out == in) idx[o] = o;
    else if (out == 2 * in) idx[o] = o >> 1;  // exact for the common x2 case
    else idx[o] = std::min(static_cast<int64_t>(std::floor(static_cast<float>(o) * s)), in - 1);
  }
  return x.index_select(d, index_tensor(idx));
}

template <class T>
Tensor linear_dim(const Tensor& x, int64_t d, int64_t out, bool align_corners, std::optional<double> scale) {
  const int64_t in = x.size(d);
  // area_pixel_compute_scale / area_pixel_compute_source_index.
  T s;
  if (align_corners) s = out > 1 ? static_cast<T>(in - 1) / static_cast<T>(out - 1) : T(0);
  else s = scale_value<T>(scale, in, out);
  std::vector<int64_t> i0(static_cast<size_t>(out)), i1(static_cast<size_t>(out));
  Tensor w0 = empty({out}, TensorOptions(x.dtype())), w1 = empty({out}, TensorOptions(x.dtype()));
  T* pw0 = w0.data_ptr<T>();
  T* pw1 = w1.data_ptr<T>();
  for (int64_t o = 0; o < out; ++o) {
    T src;
    if (align_corners) {
      src = s * static_cast<T>(o);
    } else {
      src = s * (static_cast<T>(o) + T(0.5)) - T(0.5);
      if (src < T(0)) src = T(0);
    }
    int64_t h0 = static_cast<int64_t>(src);
    h0 = std::min(h0, in - 1);
    const int64_t step = h0 < in - 1 ? 1 : 0;
    const T l1 = src - static_cast<T>(h0);
    i0[o] = h0;
    i1[o] = h0 + step;
    pw0[o] = T(1) - l1;
    pw1[o] = l1;
  }
  // Weights shaped to broadcast along dimension d.
  DimVector wshape(static_cast<size_t>(x.dim()), 1);
  wshape[d] = out;
  return x.index_select(d, index_tensor(i0)) * w0.reshape(wshape) + x.index_select(d, index_tensor(i1)) * w1.reshape(wshape);
}

}  // namespace

Tensor interpolate(const Tensor& input, const InterpolateFuncOptions& options) {
  EMBER_CHECK(input.defined(), "interpolate: expected a defined tensor");
  const bool bilinear = options.mode() == InterpolateMode::Bilinear;
  const auto& size = options.size();
  const auto& scale_factor = options.scale_factor();
  if (options.align_corners().has_value())
    EMBER_CHECK_VALUE(bilinear, "align_corners option can only be set with the interpolating modes: "
                      "linear | bilinear | bicubic | trilinear");
  EMBER_CHECK_AS(NotImplementedError, input.dim() == 3 || input.dim() == 4,
                 "Input Error: Only 3D, 4D and 5D input Tensors supported (got ", input.dim(),
                 "D) for the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got ",
                 bilinear ? "bilinear" : "nearest", ")");
  if (bilinear)
    EMBER_CHECK_AS(NotImplementedError, input.dim() == 4, "Got ", input.dim(), "D input, but bilinear mode needs 4D input");
  const int64_t dim = input.dim() - 2;
  EMBER_CHECK_VALUE(!(size && scale_factor), "only one of size or scale_factor should be defined");
  EMBER_CHECK_VALUE(size || scale_factor, "either size or scale_factor should be defined");
  if (options.recompute_scale_factor().value_or(false))
    EMBER_CHECK_VALUE(!size, "recompute_scale_factor is not meaningful with an explicit size.");

  std::vector<int64_t> out_size;
  std::vector<std::optional<double>> scales(static_cast<size_t>(dim));
  if (size) {
    EMBER_CHECK_VALUE(size->size() == 1 || static_cast<int64_t>(size->size()) == dim,
                      "size shape must match input shape. Input is ", dim, "D, size is ", size->size());
    for (int64_t i = 0; i < dim; ++i) out_size.push_back(size->size() == 1 ? (*size)[0] : (*size)[i]);
  } else {
    EMBER_CHECK_VALUE(scale_factor->size() == 1 || static_cast<int64_t>(scale_factor->size()) == dim,
                      "scale_factor shape must match input shape. Input is ", dim, "D, scale_factor is ",
                      scale_factor->size());
    const bool recompute = options.recompute_scale_factor().value_or(false);
    for (int64_t i = 0; i < dim; ++i) {
      const double f = scale_factor->size() == 1 ? (*scale_factor)[0] : (*scale_factor)[i];
      out_size.push_back(static_cast<int64_t>(std::floor(static_cast<double>(input.size(i + 2)) * f)));
      if (!recompute) scales[i] = f;
    }
  }
  for (int64_t i = 0; i < dim; ++i)
    EMBER_CHECK(input.size(i + 2) > 0 && out_size[i] > 0, "Input and output sizes should be greater than 0, but got "
                "input (", input.sizes(), ") and output (", IntArrayRef(out_size), ")");

  Tensor r = input;
  if (!bilinear) {
    for (int64_t i = 0; i < dim; ++i) r = nearest_dim(r, i + 2, out_size[i], scales[i]);
    return r;
  }
  EMBER_CHECK_AS(NotImplementedError, is_floating_point(input.dtype()), "\"upsample_bilinear2d_channels_last\" not "
                 "implemented for '", input.dtype(), "'");
  const bool ac = options.align_corners().value_or(false);
  for (int64_t i = 0; i < dim; ++i) {
    r = input.dtype() == kFloat64 ? linear_dim<double>(r, i + 2, out_size[i], ac, scales[i])
                                  : linear_dim<float>(r.to(kFloat32), i + 2, out_size[i], ac, scales[i]);
  }
  return r.to(input.dtype());
}

}  // namespace ember::nn::functional
