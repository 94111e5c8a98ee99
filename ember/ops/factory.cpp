#include "ember/ops/factory.h"

#include <cmath>

#include "ember/core/tensor_iterator.h"

namespace ember {

namespace {
// Applies options.requires_grad() to a freshly made tensor.
Tensor finish(Tensor t, const TensorOptions& options) {
  if (options.requires_grad()) t.requires_grad_(true);
  return t;
}
void check_sizes(IntArrayRef size) {
  for (int64_t s : size)
    EMBER_CHECK(s >= 0, "Trying to create tensor with negative dimension ", s, ": ", size);
}
TensorOptions like_options(const Tensor& t, const std::optional<TensorOptions>& options) {
  if (!options) return t.options();
  TensorOptions o = *options;
  if (!o.has_dtype()) o = o.dtype(t.dtype());
  return o;
}
}  // namespace

Tensor empty(IntArrayRef size, const TensorOptions& options) {
  check_sizes(size);
  return finish(Tensor(make_intrusive<TensorImpl>(size, options.dtype(), options.device())), options);
}

Tensor empty_strided(IntArrayRef size, IntArrayRef stride, const TensorOptions& options) {
  check_sizes(size);
  EMBER_CHECK(size.size() == stride.size(), "mismatch in length of strides and shape");
  int64_t extent = 1;  // 1 + the largest offset reachable
  bool any_empty = false;
  for (size_t i = 0; i < size.size(); ++i) {
    EMBER_CHECK(stride[i] >= 0, "as_strided: Negative strides are not supported at the moment, got strides: ", stride);
    if (size[i] == 0) any_empty = true;
    extent += (size[i] - 1) * stride[i];
  }
  if (any_empty) extent = 0;
  auto storage = make_intrusive<StorageImpl>(static_cast<size_t>(extent) * element_size(options.dtype()),
                                             options.device());
  return finish(Tensor(make_intrusive<TensorImpl>(std::move(storage), options.dtype(), size, stride, 0)),
                options);
}

Tensor zeros(IntArrayRef size, const TensorOptions& options) {
  Tensor t = empty(size, options.requires_grad(false));
  t.zero_();
  return finish(t, options);
}

Tensor ones(IntArrayRef size, const TensorOptions& options) {
  Tensor t = empty(size, options.requires_grad(false));
  t.fill_(1);
  return finish(t, options);
}

Tensor full(IntArrayRef size, const Scalar& value, const TensorOptions& options) {
  TensorOptions o = options.requires_grad(false);
  if (!o.has_dtype()) o = o.dtype(value.is_floating_point() ? get_default_dtype() : value.type());
  Tensor t = empty(size, o);
  t.fill_(value);
  return finish(t, options);
}

Tensor scalar_tensor(const Scalar& value, const TensorOptions& options) {
  return full({}, value, options);
}

Tensor empty_like(const Tensor& t, std::optional<TensorOptions> options) {
  return empty(t.sizes(), like_options(t, options));
}
Tensor zeros_like(const Tensor& t, std::optional<TensorOptions> options) {
  return zeros(t.sizes(), like_options(t, options));
}
Tensor ones_like(const Tensor& t, std::optional<TensorOptions> options) {
  return ones(t.sizes(), like_options(t, options));
}
Tensor full_like(const Tensor& t, const Scalar& value, std::optional<TensorOptions> options) {
  return full(t.sizes(), value, like_options(t, options));
}

Tensor arange(const Scalar& end, const TensorOptions& options) { return arange(0, end, 1, options); }
Tensor arange(const Scalar& start, const Scalar& end, const TensorOptions& options) {
  return arange(start, end, 1, options);
}

Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step, const TensorOptions& options) {
  bool any_float = start.is_floating_point() || end.is_floating_point() || step.is_floating_point();
  ScalarType dt = options.has_dtype() ? options.dtype() : (any_float ? get_default_dtype() : kInt64);
  double s = start.toDouble(), e = end.toDouble(), st = step.toDouble();
  EMBER_CHECK(st != 0, "step must be nonzero");
  EMBER_CHECK(std::isfinite(s) && std::isfinite(e), "unsupported range: ", s, " -> ", e);
  EMBER_CHECK((st > 0 && e >= s) || (st < 0 && e <= s), "upper bound and larger bound inconsistent with step sign");
  double size_d = std::ceil((e - s) / st);
  EMBER_CHECK(size_d >= 0 && size_d <= static_cast<double>(INT64_MAX),
              "invalid size, possible overflow?");
  int64_t n = static_cast<int64_t>(size_d);
  Tensor out = empty({n}, options.dtype(dt).requires_grad(false));
  EMBER_DISPATCH_ALL_TYPES(dt, "arange", [&] {
    scalar_t* p = out.data_ptr<scalar_t>();
    if constexpr (std::is_integral_v<scalar_t>) {
      int64_t is = start.toLong(), ist = step.toLong();
      if (!any_float) {
        for (int64_t i = 0; i < n; ++i) p[i] = static_cast<scalar_t>(is + i * ist);
        return;
      }
    }
    // Values are computed in double, as PyTorch's CPU kernel accumulates floats in double.
    for (int64_t i = 0; i < n; ++i) p[i] = static_cast<scalar_t>(static_cast<opmath_t<scalar_t>>(s + st * static_cast<double>(i)));
  });
  return finish(out, options);
}

Tensor linspace(const Scalar& start, const Scalar& end, int64_t steps, const TensorOptions& options) {
  EMBER_CHECK(steps >= 0, "number of steps must be non-negative");
  ScalarType dt = options.dtype();
  Tensor out = empty({steps}, options.requires_grad(false));
  if (steps == 0) return finish(out, options);
  EMBER_DISPATCH_ALL_TYPES(dt, "linspace", [&] {
    scalar_t* p = out.data_ptr<scalar_t>();
    if (steps == 1) {
      p[0] = static_cast<scalar_t>(static_cast<opmath_t<scalar_t>>(start.toDouble()));
      return;
    }
    // Symmetric from both ends so the last value is exactly `end` (PyTorch's formula).
    using A = std::conditional_t<std::is_floating_point_v<opmath_t<scalar_t>>, opmath_t<scalar_t>, double>;
    A a = static_cast<A>(start.toDouble()), b = static_cast<A>(end.toDouble());
    A step = (b - a) / static_cast<A>(steps - 1);
    int64_t half = steps / 2;
    for (int64_t i = 0; i < steps; ++i) {
      A v = i < half ? a + step * static_cast<A>(i) : b - step * static_cast<A>(steps - i - 1);
      p[i] = static_cast<scalar_t>(v);
    }
  });
  return finish(out, options);
}

Tensor logspace(const Scalar& start, const Scalar& end, int64_t steps, double base, const TensorOptions& options) {
  EMBER_CHECK(steps >= 0, "number of steps must be non-negative");
  ScalarType dt = options.dtype();
  Tensor out = empty({steps}, options.requires_grad(false));
  if (steps == 0) return finish(out, options);
  EMBER_DISPATCH_ALL_TYPES(dt, "logspace", [&] {
    scalar_t* p = out.data_ptr<scalar_t>();
    using A = std::conditional_t<std::is_floating_point_v<opmath_t<scalar_t>>, opmath_t<scalar_t>, double>;
    A a = static_cast<A>(start.toDouble()), b = static_cast<A>(end.toDouble());
    if (steps == 1) {
      p[0] = static_cast<scalar_t>(std::pow(base, static_cast<double>(a)));
      return;
    }
    A step = (b - a) / static_cast<A>(steps - 1);
    int64_t half = steps / 2;
    for (int64_t i = 0; i < steps; ++i) {
      A e = i < half ? a + step * static_cast<A>(i) : b - step * static_cast<A>(steps - i - 1);
      p[i] = static_cast<scalar_t>(std::pow(static_cast<A>(base), e));
    }
  });
  return finish(out, options);
}

Tensor eye(int64_t n, const TensorOptions& options) { return eye(n, n, options); }

Tensor eye(int64_t n, int64_t m, const TensorOptions& options) {
  EMBER_CHECK(n >= 0, "n must be greater or equal to 0, got ", n);
  EMBER_CHECK(m >= 0, "m must be greater or equal to 0, got ", m);
  Tensor out = zeros({n, m}, options.requires_grad(false));
  EMBER_DISPATCH_ALL_TYPES(out.dtype(), "eye", [&] {
    scalar_t* p = out.data_ptr<scalar_t>();
    for (int64_t i = 0; i < std::min(n, m); ++i) p[i * m + i] = static_cast<scalar_t>(1);
  });
  return finish(out, options);
}

Tensor from_blob(void* data, IntArrayRef sizes, const TensorOptions& options) {
  return from_blob(data, sizes, contiguous_strides(sizes), nullptr, options);
}
Tensor from_blob(void* data, IntArrayRef sizes, IntArrayRef strides, const TensorOptions& options) {
  return from_blob(data, sizes, strides, nullptr, options);
}
Tensor from_blob(void* data, IntArrayRef sizes, std::function<void(void*)> deleter, const TensorOptions& options) {
  return from_blob(data, sizes, contiguous_strides(sizes), std::move(deleter), options);
}
Tensor from_blob(void* data, IntArrayRef sizes, IntArrayRef strides, std::function<void(void*)> deleter,
                 const TensorOptions& options) {
  check_sizes(sizes);
  EMBER_CHECK(sizes.size() == strides.size(), "from_blob: mismatch in length of strides and shape");
  int64_t extent = 1;
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] == 0) { extent = 0; break; }
    extent += (sizes[i] - 1) * strides[i];
  }
  auto storage = make_intrusive<StorageImpl>(data, static_cast<size_t>(extent) * element_size(options.dtype()),
                                             options.device(), std::move(deleter));
  return finish(Tensor(make_intrusive<TensorImpl>(std::move(storage), options.dtype(), sizes, strides, 0)), options);
}

// ---- tensor({...}) ----------------------------------------------------------------------

TensorDataContainer::TensorDataContainer(std::initializer_list<TensorDataContainer> list)
    : kind_(Kind::List), list_(list) {
  sizes_.push_back(static_cast<int64_t>(list_.size()));
  if (list_.empty()) {
    dtype_ = get_default_dtype();  // torch.tensor([]) is float
    return;
  }
  const auto& first = list_.front();
  for (int64_t s : first.sizes()) sizes_.push_back(s);
  dtype_ = first.dtype();
  for (const auto& e : list_) {
    if (!(e.sizes() == first.sizes())) {
      EMBER_THROW(ValueError, "Expected all sub-lists to have sizes: ", first.sizes(),
                  ", but got a sub-list with sizes: ", e.sizes());
    }
    dtype_ = promote_types(dtype_, e.dtype());
  }
}

TensorDataContainer::TensorDataContainer(const std::vector<bool>& v)
    : kind_(Kind::Tensor), sizes_{static_cast<int64_t>(v.size())}, dtype_(kBool) {
  tensor_ = empty({static_cast<int64_t>(v.size())}, TensorOptions(kBool));
  bool* p = tensor_.data_ptr<bool>();
  for (size_t i = 0; i < v.size(); ++i) p[i] = v[i];
}

void TensorDataContainer::fill_into(Tensor& out, int64_t& offset) const {
  switch (kind_) {
    case Kind::Scalar:
      EMBER_DISPATCH_ALL_TYPES(out.dtype(), "tensor", [&] {
        scalar_t* p = static_cast<scalar_t*>(out.data_ptr());
        if (scalar_.is_floating_point()) p[offset] = static_cast<scalar_t>(static_cast<opmath_t<scalar_t>>(scalar_.toDouble()));
        else p[offset] = static_cast<scalar_t>(static_cast<opmath_t<scalar_t>>(scalar_.toLong()));
      });
      ++offset;
      break;
    case Kind::List:
      for (const auto& e : list_) e.fill_into(out, offset);
      break;
    case Kind::Tensor: {
      Tensor dst = out.view({-1}).narrow(0, offset, tensor_.numel());
      dst.copy_(tensor_);
      offset += tensor_.numel();
      break;
    }
  }
}

void TensorDataContainer::fill(Tensor& out) const {
  int64_t offset = 0;
  fill_into(out, offset);
}

Tensor tensor(const TensorDataContainer& data, const TensorOptions& options) {
  TensorOptions o = options.requires_grad(false);
  if (!o.has_dtype()) o = o.dtype(data.dtype());
  Tensor out = empty(data.sizes(), o);
  data.fill(out);
  return finish(out, options);
}

}  // namespace ember
