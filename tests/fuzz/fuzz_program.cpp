#include "fuzz_program.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <sstream>

namespace fuzz {

const char* dtype_name(DType t) {
  static const char* names[] = {"bool",    "uint8",    "int8",    "int16",   "int32",
                                "int64",   "float16",  "bfloat16", "float32", "float64"};
  return names[static_cast<int>(t)];
}
const char* dtype_cpp(DType t) {
  static const char* names[] = {"torch::kBool",    "torch::kUInt8",    "torch::kInt8",    "torch::kInt16",
                                "torch::kInt32",   "torch::kInt64",    "torch::kFloat16", "torch::kBFloat16",
                                "torch::kFloat32", "torch::kFloat64"};
  return names[static_cast<int>(t)];
}
size_t element_size(DType t) {
  static const size_t sizes[] = {1, 1, 1, 2, 4, 8, 2, 2, 4, 8};
  return sizes[static_cast<int>(t)];
}

// ---- element encoding ------------------------------------------------------------------
namespace {
uint16_t float_to_half_bits(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  uint32_t ax = x & 0x7fffffffu;
  if (ax >= 0x7f800000u) return sign | (ax > 0x7f800000u ? 0x7e00u : 0x7c00u);
  if (ax >= 0x477ff000u) return sign | 0x7c00u;  // >= 65520 rounds to infinity
  if (ax < 0x38800000u) {                         // below 2^-14: subnormal (or zero)
    float a;
    std::memcpy(&a, &ax, 4);
    // Exact in float: a * 2^24 < 2^10, and nearbyint rounds half to even.
    return sign | static_cast<uint16_t>(std::nearbyint(a * 16777216.0f));
  }
  // Rebias the exponent (127 -> 15) and round the 13 dropped mantissa bits to nearest even;
  // a carry out of the mantissa correctly bumps the exponent.
  ax += 0xC8000000u + 0xfffu + ((ax >> 13) & 1u);
  return sign | static_cast<uint16_t>(ax >> 13);
}
float half_bits_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1fu, mant = h & 0x3ffu;
  float mag;
  if (exp == 0) {
    mag = std::ldexp(static_cast<float>(mant), -24);
  } else if (exp == 31) {
    mag = mant ? std::numeric_limits<float>::quiet_NaN() : std::numeric_limits<float>::infinity();
  } else {
    mag = std::ldexp(static_cast<float>(mant | 0x400u), static_cast<int>(exp) - 25);
  }
  uint32_t bits;
  std::memcpy(&bits, &mag, 4);
  bits |= sign;
  std::memcpy(&mag, &bits, 4);
  return mag;
}
uint16_t float_to_bf16_bits(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((x >> 16) | 0x40u);
  x += 0x7fffu + ((x >> 16) & 1u);
  return static_cast<uint16_t>(x >> 16);
}
float bf16_bits_to_float(uint16_t b) {
  uint32_t x = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &x, 4);
  return f;
}
template <class T>
void put(void* out, T v) {
  std::memcpy(out, &v, sizeof(T));
}
template <class T>
T get(const void* in) {
  T v;
  std::memcpy(&v, in, sizeof(T));
  return v;
}
}  // namespace

void encode(DType t, double v, void* out) {
  switch (t) {
    case DType::Bool: put<uint8_t>(out, v != 0); break;
    case DType::UInt8: put<uint8_t>(out, static_cast<uint8_t>(static_cast<int64_t>(v))); break;
    case DType::Int8: put<int8_t>(out, static_cast<int8_t>(static_cast<int64_t>(v))); break;
    case DType::Int16: put<int16_t>(out, static_cast<int16_t>(static_cast<int64_t>(v))); break;
    case DType::Int32: put<int32_t>(out, static_cast<int32_t>(static_cast<int64_t>(v))); break;
    case DType::Int64: put<int64_t>(out, static_cast<int64_t>(v)); break;
    case DType::Float16: put<uint16_t>(out, float_to_half_bits(static_cast<float>(v))); break;
    case DType::BFloat16: put<uint16_t>(out, float_to_bf16_bits(static_cast<float>(v))); break;
    case DType::Float32: put<float>(out, static_cast<float>(v)); break;
    case DType::Float64: put<double>(out, v); break;
  }
}
long double decode(DType t, const void* in) {
  switch (t) {
    case DType::Bool: return get<uint8_t>(in) != 0;
    case DType::UInt8: return get<uint8_t>(in);
    case DType::Int8: return get<int8_t>(in);
    case DType::Int16: return get<int16_t>(in);
    case DType::Int32: return get<int32_t>(in);
    case DType::Int64: return static_cast<long double>(get<int64_t>(in));
    case DType::Float16: return half_bits_to_float(get<uint16_t>(in));
    case DType::BFloat16: return bf16_bits_to_float(get<uint16_t>(in));
    case DType::Float32: return get<float>(in);
    case DType::Float64: return get<double>(in);
  }
  return 0;
}
double quantize(DType t, double v) {
  unsigned char buf[8];
  encode(t, v, buf);
  return static_cast<double>(decode(t, buf));
}

// ---- RNG ---------------------------------------------------------------------------------
uint64_t Rng::next() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
int64_t Rng::uniform(int64_t lo, int64_t hi) {
  if (hi <= lo) return lo;
  const uint64_t span = static_cast<uint64_t>(hi - lo) + 1;
  return lo + static_cast<int64_t>(next() % span);
}
double Rng::real() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
double Rng::normal() {
  const double u1 = std::max(real(), 1e-300), u2 = real();
  return std::sqrt(-2 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

// ---- tensors -------------------------------------------------------------------------------
int64_t TensorSpec::numel() const {
  return std::accumulate(sizes.begin(), sizes.end(), int64_t{1}, std::multiplies<>());
}
int64_t Meta::numel() const {
  return std::accumulate(sizes.begin(), sizes.end(), int64_t{1}, std::multiplies<>());
}
std::vector<int64_t> contiguous_strides(const std::vector<int64_t>& sizes) {
  std::vector<int64_t> st(sizes.size());
  int64_t acc = 1;
  for (size_t d = sizes.size(); d-- > 0;) {
    st[d] = acc;
    acc *= std::max<int64_t>(sizes[d], 1);
  }
  return st;
}
int64_t storage_extent(const std::vector<int64_t>& sizes, const std::vector<int64_t>& strides) {
  int64_t extent = 1;
  for (size_t d = 0; d < sizes.size(); ++d) {
    if (sizes[d] == 0) return 0;
    extent += (sizes[d] - 1) * strides[d];
  }
  return extent;
}

namespace {
double random_value(Rng& rng, DType dtype, Values values, double special_rate, bool wide) {
  switch (dtype) {
    case DType::Bool: return static_cast<double>(rng.uniform(0, 1));
    case DType::UInt8: return static_cast<double>(rng.uniform(0, wide ? 255 : 6));
    case DType::Int8: return static_cast<double>(wide ? rng.uniform(-128, 127) : rng.uniform(-5, 5));
    case DType::Int16:
    case DType::Int32:
    case DType::Int64: return static_cast<double>(wide ? rng.uniform(-1000, 1000) : rng.uniform(-5, 5));
    default: break;
  }
  switch (values) {
    case Values::Unit: return rng.chance(0.1) ? static_cast<double>(rng.uniform(0, 1)) : rng.real();
    case Values::Positive: return 0.1 + 2.9 * rng.real();
    case Values::Ones: return 1.0;
    case Values::Normal: return 2 * rng.normal();
    case Values::Mixed: break;
  }
  if (rng.chance(special_rate)) {
    static const double specials[] = {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
                                      -std::numeric_limits<double>::infinity(), 0.0, -0.0, 1.0, -1.0};
    return specials[rng.uniform(0, 6)];
  }
  const double v = (wide ? 100 : 2) * rng.normal();
  // Some tensors have only a few distinct values, so ties (sort, max, argmax) are exercised.
  return rng.chance(0.2) ? std::round(v * 2) / 2 : v;
}
}  // namespace

TensorSpec tensor_of(DType dtype, const std::vector<int64_t>& sizes, const std::vector<double>& values) {
  TensorSpec s;
  s.dtype = dtype;
  s.sizes = sizes;
  s.strides = contiguous_strides(sizes);
  for (double v : values) s.storage.push_back(quantize(dtype, v));
  return s;
}

TensorSpec random_tensor(Rng& rng, DType dtype, const std::vector<int64_t>& sizes, Values values,
                         bool allow_layouts) {
  TensorSpec s;
  s.dtype = dtype;
  s.sizes = sizes;
  s.strides = contiguous_strides(sizes);
  const int64_t rank = static_cast<int64_t>(sizes.size());
  const bool has_elements = s.numel() > 0;
  const double r = rng.real();
  if (allow_layouts && has_elements && rank >= 2 && r < 0.2) {
    // Transposed: a contiguous buffer of permuted sizes, read back in the original order.
    std::vector<int64_t> perm(rank);
    std::iota(perm.begin(), perm.end(), 0);
    for (int64_t i = rank - 1; i > 0; --i) std::swap(perm[i], perm[rng.uniform(0, i)]);
    if (std::is_sorted(perm.begin(), perm.end())) std::reverse(perm.begin(), perm.end());
    std::vector<int64_t> psizes(rank);
    for (int64_t i = 0; i < rank; ++i) psizes[i] = sizes[perm[i]];
    const std::vector<int64_t> pstrides = contiguous_strides(psizes);
    for (int64_t i = 0; i < rank; ++i) s.strides[perm[i]] = pstrides[i];
    s.layout = "transposed";
  } else if (allow_layouts && has_elements && rank >= 1 && r < 0.35) {
    // Stepped: every second or third element along one dimension (x.slice(d, 0, end, step)).
    const int64_t d = rng.uniform(0, rank - 1), step = rng.uniform(2, 3);
    std::vector<int64_t> bsizes = sizes;
    bsizes[d] *= step;
    s.strides = contiguous_strides(bsizes);
    s.strides[d] *= step;
    s.layout = "stepped";
  } else if (allow_layouts && has_elements && rank >= 1 && r < 0.47) {
    // Expanded: zero strides, so several elements share one memory location.
    bool any = false;
    for (int64_t d = 0; d < rank; ++d)
      if (sizes[d] > 1 && rng.chance(0.5)) s.strides[d] = 0, any = true;
    if (!any) s.strides[rng.uniform(0, rank - 1)] = 0;
    // Recompute the remaining strides densely over the non-broadcast dims.
    int64_t acc = 1;
    for (int64_t d = rank - 1; d >= 0; --d)
      if (s.strides[d] != 0) s.strides[d] = acc, acc *= sizes[d];
    s.layout = "expanded";
  }
  const int64_t extent = storage_extent(s.sizes, s.strides);
  const double special_rate = rng.chance(0.35) ? 0.25 : 0.0;
  const bool wide = rng.chance(0.1);
  s.storage.resize(static_cast<size_t>(extent));
  for (auto& v : s.storage) v = quantize(dtype, random_value(rng, dtype, values, special_rate, wide));
  return s;
}

std::vector<int64_t> random_sizes(Rng& rng, int min_rank, int max_rank) {
  static const int rank_weights[] = {10, 25, 30, 20, 15};
  int rank;
  do {
    int64_t w = rng.uniform(0, 99);
    rank = 0;
    while (w >= rank_weights[rank]) w -= rank_weights[rank++];
  } while (rank < min_rank || rank > max_rank);
  std::vector<int64_t> sizes(rank);
  for (auto& s : sizes) {
    const double r = rng.real();
    s = r < 0.05 ? 0 : r < 0.25 ? 1 : rng.uniform(2, 5);
  }
  return sizes;
}

DType random_dtype(Rng& rng) {
  // Floating dtypes dominate: most ops are about them, and only they carry gradients.
  static const int weights[] = {9, 5, 5, 4, 7, 11, 8, 8, 27, 16};
  int64_t w = rng.uniform(0, 99);
  int i = 0;
  while (w >= weights[i]) w -= weights[i++];
  return static_cast<DType>(i);
}

std::string ScalarArg::str() const {
  switch (kind) {
    case Bool: return v != 0 ? "true" : "false";
    case Int: return std::to_string(static_cast<int64_t>(v));
    default: return real_str(v);
  }
}

ScalarArg random_scalar(Rng& rng, DType like) {
  ScalarArg s;
  const double r = rng.real();
  if (r < 0.1) {
    s.kind = ScalarArg::Bool;
    s.v = static_cast<double>(rng.uniform(0, 1));
  } else if (r < (is_floating(like) ? 0.35 : 0.7)) {
    s.kind = ScalarArg::Int;
    s.v = static_cast<double>(rng.uniform(-3, 3));
  } else {
    s.kind = ScalarArg::Float;
    static const double specials[] = {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
                                      -std::numeric_limits<double>::infinity(), -0.0, 0.5, 2.0, -1.5};
    s.v = rng.chance(0.2) ? specials[rng.uniform(0, 6)] : std::round(rng.normal() * 8) / 4;
  }
  return s;
}

// ---- programs -------------------------------------------------------------------------
Program generate(uint64_t seed, const std::vector<OpSig>& ops, const std::vector<int>& allowed) {
  Program p;
  p.seed = seed;
  Rng rng(seed);
  const int64_t n_inputs = rng.uniform(1, 3);
  for (int64_t i = 0; i < n_inputs; ++i) {
    const DType dt = random_dtype(rng);
    TensorSpec s = random_tensor(rng, dt, random_sizes(rng));
    s.requires_grad = is_floating(dt) && rng.chance(0.5);
    p.inputs.push_back(std::move(s));
  }
  const int64_t n_steps = rng.uniform(3, 8);
  for (int64_t k = 0; k < n_steps; ++k) {
    Step st;
    st.op = allowed[static_cast<size_t>(rng.uniform(0, static_cast<int64_t>(allowed.size()) - 1))];
    const int nv = p.num_values();
    for (int a = 0; a < ops[st.op].arity; ++a)
      st.refs.push_back(rng.chance(0.55) ? nv - 1 : static_cast<int>(rng.uniform(0, nv - 1)));
    st.seed = rng.fork();
    p.steps.push_back(std::move(st));
  }
  return p;
}

// ---- listing ---------------------------------------------------------------------------
std::string real_str(double v) {
  if (std::isnan(v)) return "NAN";
  if (std::isinf(v)) return v > 0 ? "INFINITY" : "-INFINITY";
  // The shortest text that reads back as the same double, as C++ literal.
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof(buf), v);
  std::string s(buf, res.ptr);
  if (s.find_first_of(".e") == std::string::npos) s += ".";
  return s;
}
std::string list_str(const std::vector<int64_t>& v) {
  std::string s = "{";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "}";
}
std::string sizes_str(const std::vector<int64_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

namespace {
std::string value_str(DType dt, long double v) {
  if (dt == DType::Bool) return v != 0 ? "true" : "false";
  if (is_integral(dt)) return std::to_string(static_cast<int64_t>(v));
  return real_str(static_cast<double>(v));
}
}  // namespace

std::string spec_listing(const std::string& name, const TensorSpec& s) {
  std::ostringstream os;
  os << "auto " << name << " = ";
  if (storage_extent(s.sizes, s.strides) == 0) {
    os << "torch::empty(" << list_str(s.sizes) << ", " << dtype_cpp(s.dtype) << ")";
  } else if (s.sizes.empty()) {
    os << "torch::scalar_tensor(" << value_str(s.dtype, s.storage[0]) << ", " << dtype_cpp(s.dtype) << ")";
  } else {
    os << "torch::tensor({";
    for (size_t i = 0; i < s.storage.size(); ++i) os << (i ? ", " : "") << value_str(s.dtype, s.storage[i]);
    os << "}, " << dtype_cpp(s.dtype) << ")";
    if (s.strides == contiguous_strides(s.sizes)) {
      if (s.sizes.size() != 1) os << ".view(" << list_str(s.sizes) << ")";
    } else {
      os << ".as_strided(" << list_str(s.sizes) << ", " << list_str(s.strides) << ")";
    }
  }
  if (s.requires_grad) os << ".requires_grad_()";
  os << ";";
  if (s.layout != "contiguous") os << "  // " << s.layout;
  return os.str();
}

// ---- snapshots ---------------------------------------------------------------------------
Snapshot read_strided(const void* data, DType dtype, const std::vector<int64_t>& sizes,
                      const std::vector<int64_t>& strides, bool requires_grad) {
  Snapshot s;
  s.defined = true;
  s.dtype = dtype;
  s.sizes = sizes;
  s.requires_grad = requires_grad;
  int64_t n = 1;
  for (int64_t v : sizes) n *= v;
  s.values.reserve(static_cast<size_t>(n));
  if (n == 0) return s;
  const size_t rank = sizes.size(), esize = element_size(dtype);
  std::vector<int64_t> idx(rank, 0);
  const char* base = static_cast<const char*>(data);
  for (int64_t k = 0; k < n; ++k) {
    int64_t off = 0;
    for (size_t d = 0; d < rank; ++d) off += idx[d] * strides[d];
    s.values.push_back(decode(dtype, base + off * static_cast<int64_t>(esize)));
    for (size_t d = rank; d-- > 0;) {
      if (++idx[d] < sizes[d]) break;
      idx[d] = 0;
    }
  }
  return s;
}

std::string snapshot_str(const Snapshot& s, size_t max_values) {
  if (!s.defined) return "(undefined)";
  std::ostringstream os;
  os << dtype_name(s.dtype) << sizes_str(s.sizes) << " {";
  for (size_t i = 0; i < s.values.size() && i < max_values; ++i) os << (i ? ", " : "") << value_str(s.dtype, s.values[i]);
  if (s.values.size() > max_values) os << ", ... (" << s.values.size() << " values)";
  os << "}";
  if (s.requires_grad) os << " requires_grad";
  return os.str();
}

}  // namespace fuzz
