#include "fuzz_compare.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace fuzz {

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::None: return "none";
    case Kind::EmberThrows: return "ember-throws";
    case Kind::TorchThrows: return "torch-throws";
    case Kind::NumOutputs: return "output-count";
    case Kind::DType: return "dtype";
    case Kind::Shape: return "shape";
    case Kind::Values: return "values";
    case Kind::RequiresGrad: return "requires_grad";
    case Kind::GradEmberThrows: return "grad-ember-throws";
    case Kind::GradTorchThrows: return "grad-torch-throws";
    case Kind::GradDefined: return "grad-undefined";
    case Kind::GradDType: return "grad-dtype";
    case Kind::GradShape: return "grad-shape";
    case Kind::GradValues: return "grad-values";
    case Kind::Crash: return "self-check";
  }
  return "?";
}

Tolerance tolerance_for(DType t) {
  switch (t) {
    case DType::Float16: return {1e-2, 1e-3};
    case DType::BFloat16: return {2e-2, 1e-2};
    case DType::Float32: return {1e-5, 1e-6};
    case DType::Float64: return {1e-9, 1e-12};
    default: return {0, 0};
  }
}

namespace {
std::string index_str(const std::vector<int64_t>& sizes, size_t flat) {
  std::vector<int64_t> idx(sizes.size());
  for (size_t d = sizes.size(); d-- > 0;) {
    idx[d] = static_cast<int64_t>(flat % static_cast<size_t>(sizes[d]));
    flat /= static_cast<size_t>(sizes[d]);
  }
  return sizes_str(idx);
}
std::string num_str(DType t, long double v) {
  if (!is_floating(t)) return std::to_string(static_cast<long long>(v));
  return real_str(static_cast<double>(v));
}
}  // namespace

DType precision_of(const std::vector<DType>& dtypes) {
  // Precision order, worst first.
  static const DType order[] = {DType::BFloat16, DType::Float16, DType::Float32, DType::Float64};
  for (DType d : order)
    for (DType t : dtypes)
      if (t == d) return d;
  return dtypes.empty() ? DType::Float64 : dtypes.front();
}

double max_finite(const Snapshot& s) {
  long double m = 0;
  for (long double v : s.values)
    if (std::isfinite(v)) m = std::max(m, std::fabs(v));
  return static_cast<double>(m);
}

Snapshot without_torch_overflow(const Snapshot& e, const Snapshot& t) {
  Snapshot patched = e;
  if (e.values.size() != t.values.size()) return patched;
  for (size_t i = 0; i < e.values.size(); ++i)
    if (std::isinf(t.values[i]) && std::isfinite(e.values[i])) patched.values[i] = t.values[i];
  return patched;
}

bool zero_differs(const Snapshot& e, const Snapshot& t) {
  if (e.values.size() != t.values.size()) return false;
  for (size_t i = 0; i < e.values.size(); ++i) {
    const long double a = e.values[i], b = t.values[i];
    if (std::isfinite(a) && std::isfinite(b) && (a == 0) != (b == 0)) return true;
  }
  return false;
}

Verdict compare_tensors(const Snapshot& e, const Snapshot& t, bool check_requires_grad, bool grad, DType precision,
                        double loose, double scale_floor) {
  std::ostringstream os;
  if (e.dtype != t.dtype) {
    os << "ember " << dtype_name(e.dtype) << " vs torch " << dtype_name(t.dtype);
    return {grad ? Kind::GradDType : Kind::DType, os.str()};
  }
  if (e.sizes != t.sizes) {
    os << "ember " << sizes_str(e.sizes) << " vs torch " << sizes_str(t.sizes);
    return {grad ? Kind::GradShape : Kind::Shape, os.str()};
  }
  const Tolerance tol = tolerance_for(is_floating(t.dtype) ? precision : t.dtype);
  const long double scale = loose > 0 ? std::max(max_finite(t), scale_floor) : 0.0;
  for (size_t i = 0; i < e.values.size(); ++i) {
    const long double a = e.values[i], b = t.values[i];
    bool ok;
    if (!is_floating(t.dtype)) ok = a == b;
    else if (std::isnan(a) || std::isnan(b)) ok = std::isnan(a) && std::isnan(b);
    else if (std::isinf(a) || std::isinf(b)) ok = a == b;
    else ok = std::fabs(a - b) <= tol.atol + tol.rtol * (std::fabs(b) + loose * scale);
    if (!ok) {
      os << "at " << index_str(e.sizes, i) << ": ember " << num_str(e.dtype, a) << " vs torch " << num_str(t.dtype, b)
         << " (" << dtype_name(t.dtype) << ")";
      return {grad ? Kind::GradValues : Kind::Values, os.str()};
    }
  }
  // LibTorch sometimes marks an integer or bool result as requiring grad (index_put_ of a
  // grad-requiring float value into an integer tensor); no such tensor can have a gradient,
  // and ember's never requires grad (Note [Known LibTorch bugs]).
  const bool torch_impossible = t.requires_grad && !is_floating(t.dtype) && !e.requires_grad;
  if (check_requires_grad && e.requires_grad != t.requires_grad && !torch_impossible) {
    os << "ember " << (e.requires_grad ? "true" : "false") << " vs torch " << (t.requires_grad ? "true" : "false")
       << " (" << dtype_name(t.dtype) << sizes_str(t.sizes) << ")";
    return {Kind::RequiresGrad, os.str()};
  }
  return {};
}

Verdict compare_grads(const Snapshot& e, const Snapshot& t, DType precision, double loose, double upstream_scale) {
  if (e.defined && t.defined) return compare_tensors(e, t, false, true, precision, loose, upstream_scale);
  if (!e.defined && !t.defined) return {};
  const Snapshot& d = e.defined ? e : t;
  for (size_t i = 0; i < d.values.size(); ++i)
    if (d.values[i] != 0 || std::isnan(d.values[i])) {
      std::ostringstream os;
      os << (e.defined ? "torch undefined, ember " : "ember undefined, torch ") << num_str(d.dtype, d.values[i])
         << " at " << index_str(d.sizes, i);
      return {Kind::GradDefined, os.str()};
    }
  return {};
}

bool same_selection(const Snapshot& input, int64_t dim, const Snapshot& ie, const Snapshot& it) {
  if (ie.sizes != it.sizes || ie.values.size() != it.values.size()) return false;
  const int64_t rank = static_cast<int64_t>(input.sizes.size());
  if (rank == 0) return ie.values == it.values;
  if (dim < 0) dim += rank;
  if (dim < 0 || dim >= rank || static_cast<int64_t>(ie.sizes.size()) != rank) return false;
  // Element (i0, .., id, .., ir) of an index tensor selects input element (i0, .., idx, .., ir).
  std::vector<int64_t> in_strides(rank);
  int64_t acc = 1;
  for (int64_t d = rank - 1; d >= 0; --d) in_strides[d] = acc, acc *= input.sizes[d];
  std::vector<int64_t> pos(rank, 0);
  for (size_t k = 0; k < ie.values.size(); ++k) {
    int64_t base = 0;
    for (int64_t d = 0; d < rank; ++d)
      if (d != dim) base += pos[d] * in_strides[d];
    const auto a = static_cast<int64_t>(ie.values[k]), b = static_cast<int64_t>(it.values[k]);
    const int64_t n = input.sizes[dim];
    if (a < 0 || b < 0 || a >= n || b >= n) return false;
    const long double va = input.values[base + a * in_strides[dim]], vb = input.values[base + b * in_strides[dim]];
    if (!(va == vb || (std::isnan(va) && std::isnan(vb)))) return false;
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++pos[d] < ie.sizes[d]) break;
      pos[d] = 0;
    }
  }
  return true;
}

// Note [LibTorch limitations]
// LibTorch 1.13 has no CPU kernel for some dtypes of some ops ("not implemented for 'Long'"),
// no derivative for a few ops (floor_divide, scatter with reduce) and refuses gradients for
// loss weights; ember computes all of these (docs/pytorch-differences.md, "Where ember does
// more"). Such a LibTorch error is counted as a limitation, not a discrepancy. The dtype
// rejections PyTorch's users rely on (bool abs, bool pow, ...) are not of this form: ember
// raises them too, and the fuzzer checks it.
bool is_torch_dtype_limitation(const std::string& m) {
  auto has = [&](const char* s) { return m.find(s) != std::string::npos; };
  // Bool inputs ember must refuse as PyTorch does (fuzzer finding: they once gave values).
  static const char* const refused_bool[] = {"\"abs_cpu\"", "\"floor_vml_cpu\"", "\"ceil_vml_cpu\"",
                                             "\"round_vml_cpu\"", "\"trunc_vml_cpu\"", "\"pow\"",
                                             "\"fmod_cpu\"", "\"remainder_cpu\"", "\"clamp_"};
  if (has("not implemented for 'Bool'"))
    for (const char* k : refused_bool)
      if (has(k)) return false;
  return has("\" not implemented for '") ||
         (has("derivative for aten::") && has("is not implemented")) ||
         has("is not differentiable with respect to argument");
}

std::string error_headline(const std::string& message) {
  std::string s = message.substr(0, message.find('\n'));
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.pop_back();
  size_t b = 0;
  while (b < s.size() && s[b] == ' ') ++b;
  return s.substr(b);
}

}  // namespace fuzz
