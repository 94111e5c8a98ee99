// Random ops: argument checks with PyTorch's messages, then the kernels of
// cpu/kernels/random.cpp (Note [Random streams match PyTorch] in core/generator.h).
#include "ember/ops/random.h"

#include <cmath>
#include <limits>
#include <type_traits>

#include "ember/core/tensor_iterator.h"
#include "ember/kernels/random.h"
#include "ember/ops/elementwise.h"
#include "ember/ops/factory.h"

namespace ember {

void check_no_internal_overlap(const Tensor& t);  // ops/copy.cpp

namespace {


template <class T>
constexpr int mantissa_digits() {
  if constexpr (std::is_same_v<T, Half>) return 11;
  else if constexpr (std::is_same_v<T, BFloat16>) return 8;
  else return std::numeric_limits<T>::digits;
}
template <class T>
constexpr double float_max() {
  if constexpr (std::is_same_v<T, Half>) return 65504.0;
  else if constexpr (std::is_same_v<T, BFloat16>) return 3.3895313892515355e38;
  else return static_cast<double>(std::numeric_limits<T>::max());
}

void check_random_target(const Tensor& self, const char* name) {
  EMBER_CHECK(self.defined(), name, ": expected a defined tensor");
  check_no_internal_overlap(self);
}

// Nullary iteration over self in memory order.
TensorIterator nullary(const Tensor& self) {
  TensorIterator iter;
  iter.add_output(self).build();
  return iter;
}

// T -> int64 as x86 converts (an out-of-range value gives INT64_MIN), without UB.
template <class T>
int64_t to_int64(T v) {
  const double d = static_cast<double>(static_cast<std::conditional_t<std::is_same_v<T, double>, double, float>>(v));
  if (!(d >= -9.2233720368547758e18 && d < 9.2233720368547758e18)) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(d);
}
// int64 -> T with one rounding, as static_cast<scalar_t>(int64) does in PyTorch.
template <class T>
T from_int64(int64_t v) {
  if constexpr (std::is_same_v<T, double>) return static_cast<double>(v);
  else return T(static_cast<float>(v));
}
inline int log2_floor_abs(int64_t v) {
  uint64_t mag = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  int n = 0;
  while (mag >>= 1) ++n;
  return n;
}

// PyTorch's update_from/update_to: for floating dtypes, move a bound that does not
// survive a round trip through the dtype to the nearest representable integer inside
// the range. (An adjustment only happens for |bound| > 2^digits, so the shift is >= 1.)
template <class T>
int64_t update_from(int64_t from) {
  const int64_t f1 = from == std::numeric_limits<int64_t>::max() ? from : from + 1;
  const int64_t from_plus_1 = to_int64(from_int64<T>(f1));
  if (from_plus_1 < from) from = from_plus_1 + (int64_t{1} << (log2_floor_abs(f1) - mantissa_digits<T>() + 1));
  return from;
}
template <class T>
int64_t update_to(int64_t to) {
  const int64_t to_minus_1 = to_int64(from_int64<T>(to - 1));
  if (to_minus_1 >= to) to = to_minus_1 - (int64_t{1} << (log2_floor_abs(to - 1) - mantissa_digits<T>() + 1));
  return to;
}

// Both bounds must be representable in the dtype (to_inc is the inclusive upper bound).
void check_from_to_in_range(int64_t from, int64_t to_inc, ScalarType dt) {
  auto check = [&](auto lo, auto hi) {
    EMBER_CHECK(from >= lo && from <= hi, "from is out of bounds for ", cpp_type_name(dt));
    EMBER_CHECK(to_inc >= lo && to_inc <= hi, "to - 1 is out of bounds for ", cpp_type_name(dt));
  };
  if (is_floating_point(dt)) {
    EMBER_DISPATCH_FLOATING_TYPES(dt, "check_random_fp_bounds", [&] {
      check(-float_max<scalar_t>(), float_max<scalar_t>());
    });
  } else if (dt == kBool) {
    check(int64_t{0}, int64_t{1});
  } else {
    EMBER_DISPATCH_ALL_TYPES(dt, "check_random_integral_bounds", [&] {
      if constexpr (std::is_integral_v<scalar_t>)
        check(static_cast<int64_t>(std::numeric_limits<scalar_t>::lowest()),
              static_cast<int64_t>(std::numeric_limits<scalar_t>::max()));
    });
  }
}

// Values of an integral-valued result dtype must hold n - 1 (PyTorch checks this through
// scalar_tensor(n - 1), hence the wording).
void check_randperm_dtype(int64_t n, ScalarType dt) {
  const int64_t top = n > 0 ? n - 1 : n;
  auto overflow = [&](const char* type) {
    EMBER_THROW(Error, "value cannot be converted to type ", type, " without overflow");
  };
  switch (dt) {
    case kUInt8: if (top > 255) overflow("uint8_t"); break;
    case kInt8: if (top > 127) overflow("int8_t"); break;
    case kInt16: if (top > 32767) overflow("int16_t"); break;
    case kInt32: if (top > std::numeric_limits<int32_t>::max()) overflow("int32_t"); break;
    case kFloat16:
      if (top > 65504) overflow("at::Half");
      EMBER_CHECK(n <= (int64_t{1} << 11) + 1, "n cannot be greater than 2049 for Half type.");
      break;
    case kFloat32:
      EMBER_CHECK(n <= (int64_t{1} << 24) + 1, "n cannot be greater than 2^24+1 for Float type.");
      break;
    case kFloat64:
      EMBER_CHECK(n <= (int64_t{1} << 53) + 1, "n cannot be greater than 2^53+1 for Double type.");
      break;
    default: break;
  }
}

// Fills a fresh tensor without recording grad, then applies options.requires_grad().
template <class Fill>
Tensor make_random(IntArrayRef size, const TensorOptions& options, Fill&& fill) {
  Tensor t = empty(size, options.requires_grad(false));
  fill(t);
  if (options.requires_grad()) t.requires_grad_(true);
  return t;
}

TensorOptions with_default_dtype(const TensorOptions& options, ScalarType dt) {
  return options.has_dtype() ? options : options.dtype(dt);
}

}  // namespace

// ---- in-place methods -----------------------------------------------------------------

Tensor& Tensor::uniform_(double from, double to, std::optional<Generator> gen) {
  check_random_target(*this, "uniform_");
  const ScalarType dt = dtype();
  EMBER_DISPATCH_FLOATING_TYPES(dt, "check_uniform_bounds", [&] {
    const double hi = float_max<scalar_t>(), lo = -hi;
    EMBER_CHECK(from >= lo && from <= hi, "from is out of bounds for ", cpp_type_name(dt));
    EMBER_CHECK(to >= lo && to <= hi, "to is out of bounds for ", cpp_type_name(dt));
    EMBER_CHECK(from <= to, "uniform_ expects to return a [from, to) range, but found from=", from, " > to=", to);
    EMBER_CHECK(to - from <= hi, "uniform_ expects to-from <= std::numeric_limits<", dt,
                ">::max(), but found to=", to, " and from=", from, " which result in to-from to exceed the limit");
  });
  if (numel() > 0) kernels::uniform_stub(device())(nullary(*this), from, to, generator_or_default(gen));
  mark_written(*this);
  return *this;
}

Tensor& Tensor::normal_(double mean, double std, std::optional<Generator> gen) {
  check_random_target(*this, "normal_");
  EMBER_CHECK(std >= 0.0, "normal expects std >= 0.0, but found std ", std);
  if (!is_floating_point())
    EMBER_THROW(NotImplementedError, "\"normal_kernel_cpu\" not implemented for '", dtype(), "'");
  if (numel() > 0) kernels::normal_stub(device())(*this, mean, std, generator_or_default(gen));
  mark_written(*this);
  return *this;
}

Tensor& Tensor::random_(int64_t from, std::optional<int64_t> to_opt, std::optional<Generator> gen) {
  check_random_target(*this, "random_");
  const ScalarType dt = dtype();
  GeneratorImpl* g = generator_or_default(gen);
  if (to_opt) {
    int64_t to = *to_opt;
    EMBER_CHECK(from < to, "random_ expects 'from' to be less than 'to', but got from=", from, " >= to=", to);
    if (::ember::is_floating_point(dt)) {
      EMBER_DISPATCH_FLOATING_TYPES(dt, "random_update_from_to", [&] {
        from = update_from<scalar_t>(from);
        to = update_to<scalar_t>(to);
        EMBER_CHECK(from < to, "random_ expects 'from' casted to dtype to be less than 'to' casted to dtype, but got from=",
                    from, " >= to=", to);
      });
    }
    check_from_to_in_range(from, to - 1, dt);
    const uint64_t range = static_cast<uint64_t>(to) - static_cast<uint64_t>(from);
    if (numel() > 0) kernels::random_from_to_stub(device())(nullary(*this), range, from, g);
  } else if (from != std::numeric_limits<int64_t>::lowest()) {
    // [from, the largest value the dtype holds exactly]
    int64_t to_inc = 0;
    if (::ember::is_floating_point(dt)) {
      EMBER_DISPATCH_FLOATING_TYPES(dt, "random_update_from_to", [&] {
        to_inc = int64_t{1} << mantissa_digits<scalar_t>();
        from = update_from<scalar_t>(from);
        EMBER_CHECK(from < to_inc, "random_ expects 'from' casted to dtype to be less than or equal to 'to_inc' "
                    "casted to dtype, but got from=", from, " > to_inc=", to_inc);
      });
    } else {
      EMBER_DISPATCH_ALL_TYPES(dt, "random_from_to_range_calc", [&] {
        if constexpr (std::is_same_v<scalar_t, bool>) to_inc = 1;
        else if constexpr (std::is_integral_v<scalar_t>) to_inc = std::numeric_limits<scalar_t>::max();
      });
    }
    check_from_to_in_range(from, to_inc, dt);
    const uint64_t range = static_cast<uint64_t>(to_inc) - static_cast<uint64_t>(from) + 1;
    if (numel() > 0) kernels::random_from_to_stub(device())(nullary(*this), range, from, g);
  } else {
    // The full int64 range: one 64-bit draw per element.
    EMBER_CHECK(dt == kInt64 || dt == kFloat64 || dt == kFloat32 || dt == kBFloat16,
                "random_full_64_bits_range_kernel_cpu handles only int64, double, float and bfloat16");
    if (numel() > 0) kernels::random_full64_stub(device())(nullary(*this), g);
  }
  mark_written(*this);
  return *this;
}

Tensor& Tensor::random_(int64_t to, std::optional<Generator> gen) { return random_(0, to, std::move(gen)); }

Tensor& Tensor::random_(std::optional<Generator> gen) {
  check_random_target(*this, "random_");
  if (numel() > 0) kernels::random_stub(device())(nullary(*this), generator_or_default(gen));
  mark_written(*this);
  return *this;
}

Tensor& Tensor::bernoulli_(double p, std::optional<Generator> gen) {
  check_random_target(*this, "bernoulli_");
  EMBER_CHECK(0 <= p && p <= 1, "bernoulli_ expects p to be in [0, 1], but got p=", p);
  // PyTorch 1.13's CPU kernels have no Half case (bfloat16 they do have).
  if (dtype() == kFloat16) EMBER_THROW(NotImplementedError, "\"bernoulli_scalar_cpu_\" not implemented for 'Half'");
  if (numel() > 0) kernels::bernoulli_scalar_stub(device())(nullary(*this), p, generator_or_default(gen));
  mark_written(*this);
  return *this;
}

Tensor& Tensor::bernoulli_(const Tensor& p, std::optional<Generator> gen) {
  check_random_target(*this, "bernoulli_");
  EMBER_CHECK(p.defined(), "bernoulli_: expected a defined probability tensor");
  Tensor pe = p.expand(sizes());
  if (dtype() == kFloat16) EMBER_THROW(NotImplementedError, "\"bernoulli_tensor_cpu_self_\" not implemented for 'Half'");
  if (!pe.is_floating_point() || pe.dtype() == kFloat16)
    EMBER_THROW(NotImplementedError, "\"bernoulli_tensor_cpu_p_\" not implemented for '", pe.dtype(), "'");
  if (pe.numel() > 0) {
    EMBER_CHECK(pe.ge(0).logical_and(pe.le(1)).all().item<bool>(),
                "Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message be "
                "improved?  If so, please report an enhancement request to PyTorch.)");
  }
  // p may alias self (x.bernoulli_(x)); the kernel reads each p before writing its output,
  // but a broadcast p could be read after its element was overwritten, so copy then.
  if (pe.storage().get() == storage().get()) pe = pe.clone();
  if (numel() > 0) {
    TensorIterator iter;
    iter.add_output(*this).add_input(pe).build();
    kernels::bernoulli_tensor_stub(iter.device())(iter, generator_or_default(gen));
  }
  mark_written(*this);
  return *this;
}

// ---- factories ----------------------------------------------------------------------------

Tensor rand(IntArrayRef size, const TensorOptions& options) { return rand(size, std::nullopt, options); }
Tensor rand(IntArrayRef size, std::optional<Generator> gen, const TensorOptions& options) {
  return make_random(size, options, [&](Tensor& t) { t.uniform_(0, 1, gen); });
}

Tensor randn(IntArrayRef size, const TensorOptions& options) { return randn(size, std::nullopt, options); }
Tensor randn(IntArrayRef size, std::optional<Generator> gen, const TensorOptions& options) {
  return make_random(size, options, [&](Tensor& t) { t.normal_(0, 1, gen); });
}

Tensor randint(int64_t high, IntArrayRef size, const TensorOptions& options) {
  return randint(0, high, size, std::nullopt, options);
}
Tensor randint(int64_t high, IntArrayRef size, std::optional<Generator> gen, const TensorOptions& options) {
  return randint(0, high, size, std::move(gen), options);
}
Tensor randint(int64_t low, int64_t high, IntArrayRef size, const TensorOptions& options) {
  return randint(low, high, size, std::nullopt, options);
}
Tensor randint(int64_t low, int64_t high, IntArrayRef size, std::optional<Generator> gen,
               const TensorOptions& options) {
  return make_random(size, with_default_dtype(options, kInt64), [&](Tensor& t) { t.random_(low, high, gen); });
}

Tensor randperm(int64_t n, const TensorOptions& options) { return randperm(n, std::nullopt, options); }
Tensor randperm(int64_t n, std::optional<Generator> gen, const TensorOptions& options) {
  const TensorOptions o = with_default_dtype(options, kInt64);
  return make_random({n}, o, [&](Tensor& t) {
    EMBER_CHECK(n >= 0, "n must be non-negative, got", n);
    check_randperm_dtype(n, o.dtype());
    GeneratorImpl* g = generator_or_default(gen);
    std::lock_guard<std::mutex> lock(g->mutex_);
    // 1.13's Fisher-Yates: one 32-bit draw per swap, for every n (formats-rng.md 4.6).
    auto shuffle = [&](auto* r) {
      using T = std::remove_pointer_t<decltype(r)>;
      for (int64_t i = 0; i < n; ++i) {
        if constexpr (std::is_same_v<T, Half>) r[i] = Half(static_cast<float>(i));
        else r[i] = static_cast<T>(i);
      }
      for (int64_t i = 0; i + 1 < n; ++i) {
        const int64_t z = static_cast<int64_t>(g->random() % static_cast<uint64_t>(n - i));
        std::swap(r[i], r[i + z]);
      }
    };
    switch (o.dtype()) {
      case kUInt8: shuffle(t.data_ptr<uint8_t>()); break;
      case kInt8: shuffle(t.data_ptr<int8_t>()); break;
      case kInt16: shuffle(t.data_ptr<int16_t>()); break;
      case kInt32: shuffle(t.data_ptr<int32_t>()); break;
      case kInt64: shuffle(t.data_ptr<int64_t>()); break;
      case kFloat16: shuffle(t.data_ptr<Half>()); break;
      case kFloat32: shuffle(t.data_ptr<float>()); break;
      case kFloat64: shuffle(t.data_ptr<double>()); break;
      default: EMBER_THROW(NotImplementedError, "\"randperm\" not implemented for '", o.dtype(), "'");
    }
  });
}

Tensor rand_like(const Tensor& t, std::optional<TensorOptions> options) {
  Tensor out = empty_like(t, options ? std::optional<TensorOptions>(options->requires_grad(false)) : std::nullopt);
  out.uniform_(0, 1);
  if (options && options->requires_grad()) out.requires_grad_(true);
  return out;
}
Tensor randn_like(const Tensor& t, std::optional<TensorOptions> options) {
  Tensor out = empty_like(t, options ? std::optional<TensorOptions>(options->requires_grad(false)) : std::nullopt);
  out.normal_(0, 1);
  if (options && options->requires_grad()) out.requires_grad_(true);
  return out;
}
Tensor randint_like(const Tensor& t, int64_t high, std::optional<TensorOptions> options) {
  return randint_like(t, 0, high, std::move(options));
}
Tensor randint_like(const Tensor& t, int64_t low, int64_t high, std::optional<TensorOptions> options) {
  Tensor out = empty_like(t, options ? std::optional<TensorOptions>(options->requires_grad(false)) : std::nullopt);
  out.random_(low, high);
  if (options && options->requires_grad()) out.requires_grad_(true);
  return out;
}

Tensor bernoulli(const Tensor& probs, std::optional<Generator> gen) {
  Tensor out = empty_like(probs);
  out.bernoulli_(probs, std::move(gen));
  return out;
}
Tensor bernoulli(const Tensor& x, double p, std::optional<Generator> gen) {
  Tensor out = empty_like(x);
  out.bernoulli_(p, std::move(gen));
  return out;
}

Tensor normal(double mean, double std, IntArrayRef size, std::optional<Generator> gen, const TensorOptions& options) {
  return make_random(size, options, [&](Tensor& t) { t.normal_(mean, std, gen); });
}

// The tensor forms check std, draw into the broadcast shape, then scale and shift with
// separately rounded operations (as PyTorch: normal_ then mul_/add_).
Tensor normal(const Tensor& mean, double std, std::optional<Generator> gen) {
  EMBER_CHECK(std >= 0.0, "normal expects std >= 0.0, but found std ", std);
  Tensor out = empty(mean.sizes(), mean.options());
  out.normal_(0, std, std::move(gen));
  out.add_(mean);
  return out;
}

namespace {
void check_normal_std_tensor(const Tensor& std) {
  EMBER_CHECK(std.numel() == 0 || std.ge(0).all().item<bool>(), "normal expects all elements of std >= 0.0");
}
}  // namespace

Tensor normal(double mean, const Tensor& std, std::optional<Generator> gen) {
  check_normal_std_tensor(std);
  Tensor out = empty(std.sizes(), std.options());
  out.normal_(0, 1, std::move(gen));
  out.mul_(std).add_(mean);
  return out;
}

Tensor normal(const Tensor& mean, const Tensor& std, std::optional<Generator> gen) {
  check_normal_std_tensor(std);
  Tensor out = empty(broadcast_shapes(mean.sizes(), std.sizes()), mean.options());
  out.normal_(0, 1, std::move(gen));
  out.mul_(std).add_(mean);
  return out;
}

}  // namespace ember
