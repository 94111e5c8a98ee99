#include "ember/data/transforms/functional.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "ember/core/error.h"
#include "ember/ops/elementwise.h"
#include "ember/ops/factory.h"
#include "ember/ops/shape.h"

namespace ember::data::transforms::functional {

namespace {

void check_image(const Tensor& image, const char* fn, int64_t min_dim = 2) {
  EMBER_CHECK(image.defined(), fn, ": the image is an undefined tensor");
  EMBER_CHECK_TYPE(image.dim() >= min_dim, fn, ": expected an image tensor with at least ", min_dim,
                   " dimensions ([..., ", min_dim >= 3 ? "C, " : "", "H, W]), got shape ", image.sizes());
  EMBER_CHECK_TYPE(image.dtype() != kBool, fn, ": bool images are not supported");
}

// Interpolating functions compute in float32, or float64 for float64 images (torchvision's
// _cast_squeeze_in).
ScalarType compute_dtype(const Tensor& image) { return image.dtype() == kFloat64 ? kFloat64 : kFloat32; }

// Back to the input dtype, rounding for integer dtypes (_cast_squeeze_out).
Tensor cast_back(Tensor out, ScalarType dtype) {
  if (out.dtype() == dtype) return out;
  if (!is_floating_point(dtype)) out = out.round();
  return out.to(dtype);
}

DimVector with_hw(const Tensor& image, int64_t h, int64_t w) {
  DimVector s(image.sizes().begin(), image.sizes().end());
  s[s.size() - 2] = h;
  s[s.size() - 1] = w;
  return s;
}

// --- resize ----------------------------------------------------------------------------

// PyTorch's legacy "nearest" source index (UpSample.h nearest_idx).
int64_t nearest_index(int64_t dst, int64_t in, int64_t out) {
  if (out == in) return dst;
  if (out == 2 * in) return dst >> 1;
  float scale = static_cast<float>(in) / static_cast<float>(out);
  return std::min(static_cast<int64_t>(std::floor(static_cast<float>(dst) * scale)), in - 1);
}

// Linear source indices and weights with align_corners=false, as PyTorch 1.13 computes them
// (checked against F.interpolate): the ratio in/out is a T division, the source position
// ratio * (d + 0.5) - 0.5 is evaluated in double, and the weights are rounded to T.
template <class T>
struct LinearTap {
  int64_t i0, i1;
  T l0, l1;
};
template <class T>
std::vector<LinearTap<T>> linear_taps(int64_t in, int64_t out) {
  std::vector<LinearTap<T>> taps(out);
  const T ratio = static_cast<T>(in) / static_cast<T>(out);
  for (int64_t d = 0; d < out; ++d) {
    if (in == out) {
      taps[d] = {d, d, T(1), T(0)};
      continue;
    }
    double src = static_cast<double>(ratio) * (static_cast<double>(d) + 0.5) - 0.5;
    if (src < 0) src = 0;
    int64_t i0 = static_cast<int64_t>(src);
    int64_t i1 = i0 + (i0 < in - 1 ? 1 : 0);
    T l1 = static_cast<T>(std::min(std::max(src - static_cast<double>(i0), 0.0), 1.0));
    taps[d] = {i0, i1, T(1) - l1, l1};
  }
  return taps;
}

// x0 * l0 + x1 * l1 with PyTorch's rounding: the second product rounded, the first fused
// into the sum (the multiply-add its compiled kernel performs).
template <class T>
__attribute__((always_inline)) inline T lerp2(T x0, T l0, T x1, T l1) {
  return std::fma(x0, l0, x1 * l1);
}

template <class T>
__attribute__((always_inline)) inline void resize_planes_impl(const T* src, T* dst, int64_t planes, int64_t h,
                                                              int64_t w, int64_t oh, int64_t ow, InterpolateMode mode) {
  if (mode == kNearest) {
    std::vector<int64_t> ys(oh), xs(ow);
    for (int64_t y = 0; y < oh; ++y) ys[y] = nearest_index(y, h, oh);
    for (int64_t x = 0; x < ow; ++x) xs[x] = nearest_index(x, w, ow);
    for (int64_t p = 0; p < planes; ++p)
      for (int64_t y = 0; y < oh; ++y) {
        const T* row = src + (p * h + ys[y]) * w;
        T* o = dst + (p * oh + y) * ow;
        for (int64_t x = 0; x < ow; ++x) o[x] = row[xs[x]];
      }
    return;
  }
  auto ty = linear_taps<T>(h, oh);
  auto tx = linear_taps<T>(w, ow);
  for (int64_t p = 0; p < planes; ++p) {
    const T* plane = src + p * h * w;
    for (int64_t y = 0; y < oh; ++y) {
      const T* r0 = plane + ty[y].i0 * w;
      const T* r1 = plane + ty[y].i1 * w;
      T* o = dst + (p * oh + y) * ow;
      for (int64_t x = 0; x < ow; ++x) {
        const LinearTap<T>& c = tx[x];
        // Same association as PyTorch's separable kernel: along rows first, then columns.
        T top = lerp2(r0[c.i0], c.l0, r0[c.i1], c.l1);
        T bottom = lerp2(r1[c.i0], c.l0, r1[c.i1], c.l1);
        o[x] = lerp2(top, ty[y].l0, bottom, ty[y].l1);
      }
    }
  }
}

// Built twice, with and without the FMA instruction set, and picked at load time: std::fma
// is one instruction where the CPU has FMA instead of a call into libm per tap.
__attribute__((target_clones("fma", "default"))) void resize_planes(const float* src, float* dst, int64_t planes,
                                                                    int64_t h, int64_t w, int64_t oh, int64_t ow,
                                                                    InterpolateMode mode) {
  resize_planes_impl(src, dst, planes, h, w, oh, ow, mode);
}
__attribute__((target_clones("fma", "default"))) void resize_planes(const double* src, double* dst, int64_t planes,
                                                                    int64_t h, int64_t w, int64_t oh, int64_t ow,
                                                                    InterpolateMode mode) {
  resize_planes_impl(src, dst, planes, h, w, oh, ow, mode);
}

// --- padding ---------------------------------------------------------------------------

std::vector<int64_t> ltrb(const std::vector<int64_t>& padding, const char* fn) {
  for (int64_t p : padding) EMBER_CHECK_VALUE(p >= 0, fn, ": padding must be non-negative, got ", p);
  switch (padding.size()) {
    case 1: return {padding[0], padding[0], padding[0], padding[0]};
    case 2: return {padding[0], padding[1], padding[0], padding[1]};
    case 4: return padding;
    default:
      EMBER_THROW(ValueError, "Padding must be an int or a 1, 2, or 4 element tuple, not a ", padding.size(),
                  " element tuple");
  }
}

// Source index along one axis for an output position o (in padded coordinates).
int64_t pad_source(int64_t i, int64_t n, PadMode mode) {
  if (mode == kReplicate) return std::clamp<int64_t>(i, 0, n - 1);
  // kReflect: mirror about the edge pixels (torch's reflect pad needs padding < n).
  if (i < 0) return -i;
  if (i >= n) return 2 * (n - 1) - i;
  return i;
}

}  // namespace

Tensor to_tensor(const Tensor& image) {
  EMBER_CHECK(image.defined(), "to_tensor: the image is an undefined tensor");
  EMBER_CHECK_TYPE(image.dim() == 2 || image.dim() == 3, "to_tensor: pic should be 2/3 dimensional (HW or HWC). Got ",
                   image.dim(), " dimensions.");
  Tensor chw = image.dim() == 2 ? image.unsqueeze(0) : image.permute({2, 0, 1});
  chw = chw.contiguous();
  if (image.dtype() == kUInt8) return chw.to(get_default_dtype()).div(255);
  return chw;
}

Tensor normalize(const Tensor& image, const std::vector<double>& mean, const std::vector<double>& std, bool inplace) {
  EMBER_CHECK(image.defined(), "normalize: the image is an undefined tensor");
  EMBER_CHECK_TYPE(image.is_floating_point(), "Input tensor should be a float tensor. Got torch.", dtype_name(image.dtype()), ".");
  EMBER_CHECK_TYPE(image.dim() >= 3, "Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = ",
                   image.sizes(), ".");
  const int64_t c = image.size(-3);
  for (const auto* v : {&mean, &std})
    EMBER_CHECK_VALUE(v->size() == 1 || static_cast<int64_t>(v->size()) == c, "normalize: ",
                      v == &mean ? "mean" : "std", " has ", v->size(), " values for an image with ", c, " channels");
  Tensor m = tensor(mean, TensorOptions(kFloat64)).to(image.dtype()).view({-1, 1, 1});
  Tensor s = tensor(std, TensorOptions(kFloat64)).to(image.dtype()).view({-1, 1, 1});
  EMBER_CHECK_VALUE(!s.eq(0).any().item<bool>(), "std evaluated to zero after conversion to torch.", dtype_name(image.dtype()),
                    ", leading to division by zero.");
  if (inplace) {
    Tensor out = image;
    out.sub_(m).div_(s);
    return out;
  }
  return image.sub(m).div(s);
}

std::pair<int64_t, int64_t> resized_size(int64_t h, int64_t w, const std::vector<int64_t>& size,
                                         std::optional<int64_t> max_size) {
  EMBER_CHECK_VALUE(size.size() == 1 || size.size() == 2,
                    "Size must be an int or a 1 or 2 element tuple/list, not a ", size.size(), " element tuple/list");
  for (int64_t s : size) EMBER_CHECK_VALUE(s > 0, "resize: sizes must be positive, got ", s);
  if (size.size() == 2) {
    EMBER_CHECK_VALUE(!max_size, "max_size should only be passed if size specifies the length of the smaller edge, "
                      "i.e. size should be an int or a sequence of length 1");
    return {size[0], size[1]};
  }
  int64_t shorter = std::min(h, w), longer = std::max(h, w);
  EMBER_CHECK_VALUE(shorter > 0, "resize: cannot resize an empty image of size ", h, "x", w);
  int64_t new_short = size[0];
  int64_t new_long = static_cast<int64_t>(static_cast<double>(new_short) * static_cast<double>(longer) /
                                          static_cast<double>(shorter));
  if (max_size) {
    EMBER_CHECK_VALUE(*max_size > new_short, "max_size = ", *max_size,
                      " must be strictly greater than the requested size for the smaller edge size = ", new_short);
    if (new_long > *max_size) {
      new_short = static_cast<int64_t>(static_cast<double>(*max_size) * static_cast<double>(new_short) /
                                       static_cast<double>(new_long));
      new_long = *max_size;
    }
  }
  return w <= h ? std::pair{new_long, new_short} : std::pair{new_short, new_long};
}

Tensor resize(const Tensor& image, const std::vector<int64_t>& size, InterpolateMode mode,
              std::optional<int64_t> max_size) {
  check_image(image, "resize");
  EMBER_CHECK_VALUE(mode == kNearest || mode == kBilinear, "resize: only nearest and bilinear are supported");
  const int64_t h = image.size(-2), w = image.size(-1);
  auto [oh, ow] = resized_size(h, w, size, max_size);
  if (oh == h && ow == w) return image;
  ScalarType ct = compute_dtype(image);
  Tensor src = image.to(ct).contiguous();
  Tensor out = empty(with_hw(image, oh, ow), TensorOptions(ct));
  const int64_t planes = h * w == 0 ? 0 : image.numel() / (h * w);
  if (ct == kFloat64)
    resize_planes(src.data_ptr<double>(), out.data_ptr<double>(), planes, h, w, oh, ow, mode);
  else
    resize_planes(src.data_ptr<float>(), out.data_ptr<float>(), planes, h, w, oh, ow, mode);
  return cast_back(out, image.dtype());
}

Tensor crop(const Tensor& image, int64_t top, int64_t left, int64_t height, int64_t width) {
  check_image(image, "crop");
  EMBER_CHECK_VALUE(height >= 0 && width >= 0, "crop: height and width must be non-negative, got ", height, "x", width);
  const int64_t h = image.size(-2), w = image.size(-1);
  if (top >= 0 && left >= 0 && top + height <= h && left + width <= w)
    return image.narrow(-2, top, height).narrow(-1, left, width);
  // Partly outside: zeros there (torchvision pads the missing part with 0).
  Tensor out = zeros(with_hw(image, height, width), TensorOptions(image.dtype()));
  int64_t y0 = std::max<int64_t>(top, 0), y1 = std::min(top + height, h);
  int64_t x0 = std::max<int64_t>(left, 0), x1 = std::min(left + width, w);
  if (y1 > y0 && x1 > x0)
    out.narrow(-2, y0 - top, y1 - y0).narrow(-1, x0 - left, x1 - x0).copy_(image.narrow(-2, y0, y1 - y0).narrow(-1, x0, x1 - x0));
  return out;
}

Tensor center_crop(const Tensor& image, int64_t height, int64_t width) {
  check_image(image, "center_crop");
  EMBER_CHECK_VALUE(height > 0 && width > 0, "center_crop: the crop size must be positive, got ", height, "x", width);
  Tensor img = image;
  int64_t h = img.size(-2), w = img.size(-1);
  if (height > h || width > w) {
    std::vector<int64_t> p = {width > w ? (width - w) / 2 : 0, height > h ? (height - h) / 2 : 0,
                              width > w ? (width - w + 1) / 2 : 0, height > h ? (height - h + 1) / 2 : 0};
    img = pad(img, p, 0);
    h = img.size(-2);
    w = img.size(-1);
    if (height == h && width == w) return img;
  }
  // int(round((h - height) / 2.0)): Python rounds halves to even, as nearbyint does.
  int64_t top = static_cast<int64_t>(std::nearbyint(static_cast<double>(h - height) / 2.0));
  int64_t left = static_cast<int64_t>(std::nearbyint(static_cast<double>(w - width) / 2.0));
  return crop(img, top, left, height, width);
}

Tensor pad(const Tensor& image, const std::vector<int64_t>& padding, double fill, PadMode mode) {
  check_image(image, "pad");
  std::vector<int64_t> p = ltrb(padding, "pad");
  const int64_t h = image.size(-2), w = image.size(-1);
  const int64_t oh = h + p[1] + p[3], ow = w + p[0] + p[2];
  if (mode == kConstant || mode == kZeros) {
    Tensor out = full(with_hw(image, oh, ow), mode == kZeros ? 0.0 : fill, TensorOptions(image.dtype()));
    out.narrow(-2, p[1], h).narrow(-1, p[0], w).copy_(image);
    return out;
  }
  EMBER_CHECK_VALUE(mode == kReplicate || mode == kReflect,
                    "pad: padding_mode must be constant, edge (kReplicate) or reflect");
  EMBER_CHECK_VALUE(h > 0 && w > 0, "pad: cannot ", mode == kReflect ? "reflect" : "replicate", "-pad an empty image");
  if (mode == kReflect)
    EMBER_CHECK_VALUE(p[0] < w && p[2] < w && p[1] < h && p[3] < h,
                      "Padding size should be less than the corresponding input dimension, but got: padding (", p[0],
                      ", ", p[2], ") at dimension ", image.dim() - 1, " of input ", image.sizes());
  std::vector<int64_t> ys(oh), xs(ow);
  for (int64_t y = 0; y < oh; ++y) ys[y] = pad_source(y - p[1], h, mode);
  for (int64_t x = 0; x < ow; ++x) xs[x] = pad_source(x - p[0], w, mode);
  return image.index_select(-2, tensor(ys)).index_select(-1, tensor(xs));
}

Tensor hflip(const Tensor& image) {
  check_image(image, "hflip");
  return image.flip({-1});
}

Tensor vflip(const Tensor& image) {
  check_image(image, "vflip");
  return image.flip({-2});
}

namespace {

// torchvision's _get_inverse_affine_matrix for a rotation (no translation, scale 1, no shear),
// in double with the same operations.
std::vector<double> inverse_rotation_matrix(double cx, double cy, double angle) {
  const double rot = -angle * (M_PI / 180.0);  // math.radians(-angle)
  const double a = std::cos(rot), b = -std::sin(rot), c = std::sin(rot), d = std::cos(rot);
  std::vector<double> m = {d, -b, 0.0, -c, a, 0.0};
  m[2] += m[0] * (-cx) + m[1] * (-cy);
  m[5] += m[3] * (-cx) + m[4] * (-cy);
  m[2] += cx;
  m[5] += cy;
  return m;
}

// torchvision's _compute_affine_output_size (float32, PIL-compatible rounding).
std::pair<int64_t, int64_t> affine_output_size(const std::vector<double>& m, int64_t w, int64_t h) {
  const float hw = static_cast<float>(0.5 * w), hh = static_cast<float>(0.5 * h);
  const float pts[4][2] = {{-hw, -hh}, {-hw, hh}, {hw, hh}, {hw, -hh}};
  float t[6];
  for (int i = 0; i < 6; ++i) t[i] = static_cast<float>(m[i]);
  float mn[2] = {std::numeric_limits<float>::infinity(), std::numeric_limits<float>::infinity()};
  float mx[2] = {-mn[0], -mn[1]};
  for (const auto& p : pts) {
    for (int j = 0; j < 2; ++j) {
      float v = p[0] * t[3 * j] + p[1] * t[3 * j + 1] + t[3 * j + 2];
      mn[j] = std::min(mn[j], v);
      mx[j] = std::max(mx[j], v);
    }
  }
  const float tol = 1e-4f;
  int64_t size[2];
  for (int j = 0; j < 2; ++j) {
    float off = j == 0 ? hw : hh;
    float cmax = std::ceil(std::trunc((mx[j] + off) / tol) * tol);
    float cmin = std::floor(std::trunc((mn[j] + off) / tol) * tol);
    size[j] = static_cast<int64_t>(cmax - cmin);
  }
  return {size[0], size[1]};  // w, h
}

// grid_sample(image, affine grid, padding zeros, align_corners=false) plus torchvision's
// fill mask, on contiguous planes of T.
template <class T>
void rotate_planes(const T* src, T* dst, int64_t n, int64_t c, int64_t h, int64_t w, int64_t oh, int64_t ow,
                   const std::vector<double>& m, InterpolateMode mode, const std::vector<T>& fill) {
  // rescaled_theta = theta^T / [0.5 w, 0.5 h], in T.
  T th[6];
  for (int i = 0; i < 6; ++i) th[i] = static_cast<T>(m[i]);
  const T sw = static_cast<T>(0.5 * w), sh = static_cast<T>(0.5 * h);
  const T rx[3] = {th[0] / sw, th[1] / sw, th[2] / sw};
  const T ry[3] = {th[3] / sh, th[4] / sh, th[5] / sh};
  const ScalarType st = std::is_same_v<T, double> ? kFloat64 : kFloat32;
  Tensor xg = linspace(-ow * 0.5 + 0.5, ow * 0.5 + 0.5 - 1, ow, TensorOptions(st));
  Tensor yg = linspace(-oh * 0.5 + 0.5, oh * 0.5 + 0.5 - 1, oh, TensorOptions(st));
  const T* xs = xg.data_ptr<T>();
  const T* ys = yg.data_ptr<T>();
  const T half_w = static_cast<T>(w) / 2, half_h = static_cast<T>(h) / 2;
  const int64_t plane = h * w, oplane = oh * ow;
  for (int64_t oy = 0; oy < oh; ++oy) {
    for (int64_t ox = 0; ox < ow; ++ox) {
      const T gx = xs[ox] * rx[0] + ys[oy] * rx[1] + rx[2];
      const T gy = xs[ox] * ry[0] + ys[oy] * ry[1] + ry[2];
      const T ix = (gx + T(1)) * half_w - T(0.5);
      const T iy = (gy + T(1)) * half_h - T(0.5);
      const int64_t o = oy * ow + ox;
      if (mode == kNearest) {
        const T nx = std::nearbyint(ix), ny = std::nearbyint(iy);
        const bool inside = nx >= 0 && nx < static_cast<T>(w) && ny >= 0 && ny < static_cast<T>(h);
        const int64_t s = inside ? static_cast<int64_t>(ny) * w + static_cast<int64_t>(nx) : 0;
        for (int64_t p = 0; p < n * c; ++p)
          dst[p * oplane + o] = inside ? src[p * plane + s] : fill[p % c];
        continue;
      }
      const T fx = std::floor(ix), fy = std::floor(iy);
      const T wx1 = ix - fx, wx0 = T(1) - wx1, wy1 = iy - fy, wy0 = T(1) - wy1;
      const int64_t x0 = static_cast<int64_t>(fx), y0 = static_cast<int64_t>(fy);
      struct Corner {
        int64_t y, x;
        T wt;
      } corners[4] = {{y0, x0, wx0 * wy0}, {y0, x0 + 1, wx1 * wy0}, {y0 + 1, x0, wx0 * wy1}, {y0 + 1, x0 + 1, wx1 * wy1}};
      T mask = 0;
      for (const Corner& k : corners)
        if (k.y >= 0 && k.y < h && k.x >= 0 && k.x < w) mask += k.wt;
      for (int64_t p = 0; p < n * c; ++p) {
        T v = 0;
        for (const Corner& k : corners)
          if (k.y >= 0 && k.y < h && k.x >= 0 && k.x < w) v += src[p * plane + k.y * w + k.x] * k.wt;
        dst[p * oplane + o] = v * mask + (T(1) - mask) * fill[p % c];
      }
    }
  }
}

}  // namespace

Tensor rotate(const Tensor& image, double angle, InterpolateMode mode, bool expand,
              std::optional<std::pair<double, double>> center, std::vector<double> fill) {
  check_image(image, "rotate", 3);
  EMBER_CHECK_VALUE(mode == kNearest || mode == kBilinear, "rotate: only nearest and bilinear are supported");
  EMBER_CHECK_VALUE(std::isfinite(angle), "rotate: the angle must be finite, got ", angle);
  const int64_t c = image.size(-3), h = image.size(-2), w = image.size(-1);
  if (fill.empty()) fill = {0.0};
  EMBER_CHECK_VALUE(fill.size() == 1 || static_cast<int64_t>(fill.size()) == c,
                    "The number of elements in 'fill' does not match the number of channels of the image (",
                    fill.size(), " != ", c, ")");
  double cx = 0, cy = 0;
  if (center) {
    cx = center->first - w * 0.5;
    cy = center->second - h * 0.5;
  }
  std::vector<double> m = inverse_rotation_matrix(cx, cy, angle);
  auto [ow, oh] = expand ? affine_output_size(m, w, h) : std::pair<int64_t, int64_t>{w, h};
  ScalarType ct = compute_dtype(image);
  Tensor src = image.to(ct).contiguous();
  Tensor out = empty(with_hw(image, oh, ow), TensorOptions(ct));
  const int64_t n = c * h * w == 0 ? 0 : image.numel() / (c * h * w);
  if (out.numel() > 0 && h > 0 && w > 0) {
    if (ct == kFloat64) {
      std::vector<double> f(c);
      for (int64_t i = 0; i < c; ++i) f[i] = fill[fill.size() == 1 ? 0 : i];
      rotate_planes<double>(src.data_ptr<double>(), out.data_ptr<double>(), n, c, h, w, oh, ow, m, mode, f);
    } else {
      std::vector<float> f(c);
      for (int64_t i = 0; i < c; ++i) f[i] = static_cast<float>(fill[fill.size() == 1 ? 0 : i]);
      rotate_planes<float>(src.data_ptr<float>(), out.data_ptr<float>(), n, c, h, w, oh, ow, m, mode, f);
    }
  }
  return cast_back(out, image.dtype());
}

Tensor rgb_to_grayscale(const Tensor& image, int64_t num_output_channels) {
  check_image(image, "rgb_to_grayscale", 3);
  EMBER_CHECK_VALUE(num_output_channels == 1 || num_output_channels == 3,
                    "num_output_channels should be either 1 or 3");
  const int64_t c = image.size(-3);
  EMBER_CHECK_TYPE(c == 1 || c == 3, "Input image tensor permitted channel values are (1, 3), but found ", c);
  if (c == 1) return image.clone();  // torchvision returns a copy of a 1-channel image as is
  Tensor r = image.select(-3, 0), g = image.select(-3, 1), b = image.select(-3, 2);
  // Separate ops in the compute dtype, as torchvision's (0.2989 * r + 0.587 * g + 0.114 * b).
  Tensor l = r.mul(0.2989).add(g.mul(0.587)).add(b.mul(0.114)).to(image.dtype()).unsqueeze(-3);
  if (num_output_channels == 3) return l.expand(image.sizes()).contiguous();
  return l;
}

namespace {
double int_max(ScalarType t) {
  switch (t) {
    case kUInt8: return 255;
    case kInt8: return 127;
    case kInt16: return 32767;
    case kInt32: return 2147483647.0;
    case kInt64: return 9223372036854775807.0;
    default: EMBER_THROW(TypeError, "convert_image_dtype: unsupported dtype ", t);
  }
}
int64_t int_max_exact(ScalarType t) {
  switch (t) {
    case kUInt8: return 255;
    case kInt8: return 127;
    case kInt16: return 32767;
    case kInt32: return 2147483647;
    case kInt64: return std::numeric_limits<int64_t>::max();
    default: EMBER_THROW(TypeError, "convert_image_dtype: unsupported dtype ", t);
  }
}
}  // namespace

Tensor convert_image_dtype(const Tensor& image, ScalarType dtype) {
  EMBER_CHECK(image.defined(), "convert_image_dtype: the image is an undefined tensor");
  EMBER_CHECK_TYPE(image.dtype() != kBool && dtype != kBool, "convert_image_dtype: bool images are not supported");
  if (image.dtype() == dtype) return image;
  const bool in_float = image.is_floating_point(), out_float = is_floating_point(dtype);
  if (in_float && out_float) return image.to(dtype);
  if (in_float) {
    EMBER_CHECK(!((image.dtype() == kFloat32 && (dtype == kInt32 || dtype == kInt64)) ||
                  (image.dtype() == kFloat64 && dtype == kInt64)),
                "The cast from torch.", dtype_name(image.dtype()), " to torch.", dtype_name(dtype), " cannot be performed safely.");
    // Multiply by max + 1 - eps so that 1.0 maps to max and the bins are equally wide.
    return image.mul(int_max(dtype) + 1.0 - 1e-3).to(dtype);
  }
  if (out_float) return image.to(dtype).div(int_max(image.dtype()));
  // int -> int: rescale by the ratio of the (power-of-two) ranges.
  const int64_t in_max = int_max_exact(image.dtype()), out_max = int_max_exact(dtype);
  auto range = [](int64_t m) { return static_cast<unsigned __int128>(m) + 1; };
  if (in_max > out_max) {
    int64_t factor = static_cast<int64_t>(range(in_max) / range(out_max));
    return image.div(factor, "floor").to(dtype);
  }
  int64_t factor = static_cast<int64_t>(range(out_max) / range(in_max));
  return image.to(dtype).mul(factor);
}

}  // namespace ember::data::transforms::functional
