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
  for (int64_t st : stride)
    EMBER_CHECK(st >= 0, "as_strided: Negative strides are not supported at the moment, got strides: ", stride);
  auto storage = make_intrusive<StorageImpl>(compute_storage_nbytes(size, stride, element_size(options.dtype())),
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

// Note [Range factories]
// arange, linspace and logspace follow PyTorch 1.13's CPU kernels, quirks included, since a
// range's element count and its last element are what code depends on:
// - arange works in the dtype's accumulation type: int64 for every integer dtype (so
//   start, end and step are truncated first: arange(0, 5, 0.5, dtype=int64) has a zero
//   step and is an error), double for float32/float64, float for the 16-bit floats. The
//   element count is ceil((end - start) / step) in double from the arguments as given,
//   except for int64, where it comes from the truncated values.
// - linspace and logspace first convert start and end to the element type (checked, so
//   uint8 rejects 1000 but wraps -1 to 255), then step from both ends towards the middle so
//   the last element is exactly `end`. Integer linspace steps in double; logspace raises a
//   double base to double exponents and wraps the result into integer types as the x86
//   conversion does (10^3 in uint8 is 232).
// One deliberate difference: PyTorch 1.13 computes integer linspace 4 or 8 lanes at a time
// from a truncated base, which makes fractional-step results non-monotonic
// (linspace(-3, 5, 100, dtype=int64) starts -3, -2, -2, -2, -2, -1, -1, -1, -2); ember
// truncates each element of the exact sequence instead.
namespace {

// A double into an integer element type the way x86's cvttsd2si does it (what PyTorch's
// results show): narrow types go through int32, and NaN or out-of-range values give the
// "integer indefinite" INT_MIN, with no undefined behaviour on the C++ side.
template <class T>
T wrap_to_integral(double d) {
  if constexpr (std::is_same_v<T, bool>) {
    return d != 0;
  } else if constexpr (sizeof(T) == 8) {
    return Scalar(d).to<int64_t>();
  } else {
    const int32_t i = d > -2147483649.0 && d < 2147483648.0 ? static_cast<int32_t>(d) : INT32_MIN;
    return static_cast<T>(i);
  }
}

// The element type's value of a number, checked as PyTorch's Scalar::to<scalar_t>() is.
template <class T>
T checked_element(const Scalar& v, ScalarType dt) {
  check_convertible(v, dt);
  return v.to<T>();
}

}  // namespace

Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step, const TensorOptions& options) {
  bool any_float = start.is_floating_point() || end.is_floating_point() || step.is_floating_point();
  ScalarType dt = options.has_dtype() ? options.dtype() : (any_float ? get_default_dtype() : kInt64);
  const bool integral = !is_floating_point(dt);
  const ScalarType acc = integral ? kInt64 : (dt == kFloat16 || dt == kBFloat16) ? kFloat32 : kFloat64;
  for (const Scalar* v : {&start, &end, &step}) check_convertible(*v, acc);
  // The bounds in the accumulation type, widened to double for the checks.
  auto in_acc = [&](const Scalar& v) {
    if (integral) return static_cast<double>(v.toLong());
    return acc == kFloat32 ? static_cast<double>(v.toFloat()) : v.toDouble();
  };
  const double xs = in_acc(start), xe = in_acc(end), xst = in_acc(step);
  EMBER_CHECK(xst != 0, "step must be nonzero");
  EMBER_CHECK(std::isfinite(xs) && std::isfinite(xe), "unsupported range: ", xs, " -> ", xe);
  EMBER_CHECK((xst > 0 && xe >= xs) || (xst < 0 && xe <= xs), "upper bound and larger bound inconsistent with step sign");
  double size_d;
  if (dt == kInt64) {
    int64_t diff;
    const bool wide = __builtin_sub_overflow(end.toLong(), start.toLong(), &diff);
    size_d = std::ceil((wide ? xe - xs : static_cast<double>(diff)) / xst);
  } else {
    size_d = std::ceil((end.toDouble() - start.toDouble()) / step.toDouble());
  }
  EMBER_CHECK(size_d >= 0 && size_d <= static_cast<double>(INT64_MAX), "invalid size, possible overflow?");
  const int64_t n = static_cast<int64_t>(size_d);
  Tensor out = empty({n}, options.dtype(dt).requires_grad(false));
  EMBER_DISPATCH_ALL_TYPES(dt, "arange", [&] {
    scalar_t* p = out.data_ptr<scalar_t>();
    if constexpr (std::is_integral_v<scalar_t>) {
      // Unsigned arithmetic: wraps like PyTorch's int64 loop, without signed overflow.
      const uint64_t s = static_cast<uint64_t>(start.toLong()), st = static_cast<uint64_t>(step.toLong());
      for (int64_t i = 0; i < n; ++i) p[i] = static_cast<scalar_t>(static_cast<int64_t>(s + st * static_cast<uint64_t>(i)));
    } else if (acc == kFloat32) {
      const float s = static_cast<float>(xs), st = static_cast<float>(xst);
      for (int64_t i = 0; i < n; ++i) p[i] = static_cast<scalar_t>(s + st * static_cast<float>(i));
    } else {
      for (int64_t i = 0; i < n; ++i) p[i] = static_cast<scalar_t>(xs + xst * static_cast<double>(i));
    }
  });
  return finish(out, options);
}

Tensor linspace(const Scalar& start, const Scalar& end, int64_t steps, const TensorOptions& options) {
  EMBER_CHECK(steps >= 0, "number of steps must be non-negative");
  ScalarType dt = options.dtype();
  Tensor out = empty({steps}, options.requires_grad(false));
  if (steps == 1) out.fill_(start);
  if (steps <= 1) return finish(out, options);
  EMBER_DISPATCH_ALL_TYPES(dt, "linspace", [&] {
    scalar_t* p = out.data_ptr<scalar_t>();
    const scalar_t a = checked_element<scalar_t>(start, dt), b = checked_element<scalar_t>(end, dt);
    // Integer types step in double; floating types in their own type, rounding after each
    // operation as PyTorch's scalar_t arithmetic does (a no-op for float and double).
    using step_t = std::conditional_t<std::is_integral_v<scalar_t>, double, scalar_t>;
    const step_t range = static_cast<step_t>(static_cast<step_t>(b) - static_cast<step_t>(a));
    const step_t step = static_cast<step_t>(range / static_cast<step_t>(steps - 1));
    const int64_t half = steps / 2;
    for (int64_t i = 0; i < steps; ++i) {
      if (i < half) p[i] = static_cast<scalar_t>(a + static_cast<step_t>(step * static_cast<step_t>(i)));
      else p[i] = static_cast<scalar_t>(b - static_cast<step_t>(step * static_cast<step_t>(steps - i - 1)));
    }
  });
  return finish(out, options);
}

Tensor logspace(const Scalar& start, const Scalar& end, int64_t steps, double base, const TensorOptions& options) {
  EMBER_CHECK(steps >= 0, "number of steps must be non-negative");
  ScalarType dt = options.dtype();
  Tensor out = empty({steps}, options.requires_grad(false));
  if (steps == 1) out.fill_(std::pow(base, start.toDouble()));
  if (steps <= 1) return finish(out, options);
  EMBER_DISPATCH_ALL_TYPES(dt, "logspace", [&] {
    scalar_t* p = out.data_ptr<scalar_t>();
    const scalar_t a = checked_element<scalar_t>(start, dt), b = checked_element<scalar_t>(end, dt);
    // The difference in the element type (promoted to int or float, as C++ does), the
    // exponents and the power in double.
    double range;
    if constexpr (std::is_same_v<scalar_t, int64_t>)  // wraps as PyTorch's int64 difference does
      range = static_cast<double>(static_cast<int64_t>(static_cast<uint64_t>(b) - static_cast<uint64_t>(a)));
    else
      range = static_cast<double>(b - a);
    const double step = range / static_cast<double>(steps - 1);
    const int64_t half = steps / 2;
    for (int64_t i = 0; i < steps; ++i) {
      const double e = i < half ? static_cast<double>(a) + step * static_cast<double>(i)
                                : static_cast<double>(b) - step * static_cast<double>(steps - i - 1);
      const double v = std::pow(base, e);
      if constexpr (std::is_integral_v<scalar_t>) p[i] = wrap_to_integral<scalar_t>(v);
      else p[i] = static_cast<scalar_t>(v);
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
  for (int64_t st : strides)
    EMBER_CHECK(st >= 0, "from_blob: negative strides are not supported, got strides: ", strides);
  auto storage = make_intrusive<StorageImpl>(data, compute_storage_nbytes(sizes, strides, element_size(options.dtype())),
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
