// LibTorch's side: its library policy (Note [One catalogue, two libraries]), the list of
// known LibTorch bugs, and the differential runner.
#include "fuzz_torch.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/autograd.h>
#include <torch/nn/functional.h>

#include <algorithm>
#include <limits>
#include <cmath>
#include <cstring>

#include "fuzz_ember.h"

namespace fuzz {

namespace TF = torch::nn::functional;

struct TorchLib {
  using Tensor = at::Tensor;

  static c10::ScalarType dtype(DType t) {
    static const c10::ScalarType map[] = {at::kBool,  at::kByte,     at::kChar,  at::kShort,  at::kInt,
                                          at::kLong,  at::kHalf,     at::kBFloat16, at::kFloat, at::kDouble};
    return map[static_cast<int>(t)];
  }
  static DType from_dtype(c10::ScalarType t) {
    for (int i = 0; i < kNumDTypes; ++i)
      if (dtype(static_cast<DType>(i)) == t) return static_cast<DType>(i);
    throw std::runtime_error("fuzz: unexpected LibTorch dtype");
  }
  static c10::Scalar scalar(const ScalarArg& s) {
    switch (s.kind) {
      case ScalarArg::Bool: return c10::Scalar(s.v != 0);
      case ScalarArg::Int: return c10::Scalar(static_cast<int64_t>(s.v));
      default: return c10::Scalar(s.v);
    }
  }

  // ---- the calls whose spelling differs -------------------------------------------------
  static Tensor clamp(const Tensor& x, const ScalarArg* lo, const ScalarArg* hi) {
    return at::clamp(x, lo ? c10::optional<c10::Scalar>(scalar(*lo)) : c10::nullopt,
                     hi ? c10::optional<c10::Scalar>(scalar(*hi)) : c10::nullopt);
  }
  static Tensor clamp_tensors(const Tensor& x, const Tensor& lo, const Tensor& hi) {
    return at::clamp(x, lo.defined() ? c10::optional<Tensor>(lo) : c10::nullopt,
                     hi.defined() ? c10::optional<Tensor>(hi) : c10::nullopt);
  }
  static Tensor var(const Tensor& x, const std::vector<int64_t>* dims, int64_t correction, bool keepdim, bool is_std) {
    const at::OptionalIntArrayRef d = dims ? at::OptionalIntArrayRef(*dims) : at::OptionalIntArrayRef(c10::nullopt);
    const c10::optional<int64_t> c = correction;
    return is_std ? at::std(x, d, c, keepdim) : at::var(x, d, c, keepdim);
  }
  static Tensor scatter_reduce(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src,
                               const char* reduce) {
    return x.scatter(dim, index, src, c10::string_view(reduce));
  }
  static Tensor index(const Tensor& x, const std::vector<Tensor>& indices, bool tensor_index_form) {
    if (tensor_index_form) {
      std::vector<at::indexing::TensorIndex> idx;
      for (const auto& t : indices) {
        if (t.defined()) idx.emplace_back(t);
        else idx.emplace_back(at::indexing::Slice());
      }
      return x.index(idx);
    }
    return x.index(optional_list(indices));
  }
  static Tensor index_put(Tensor x, const std::vector<Tensor>& indices, const Tensor& values, bool accumulate) {
    return x.index_put_(optional_list(indices), values, accumulate);
  }
  static Tensor functional(Act a, const Tensor& x, const Params& p) {
    switch (a) {
      case Act::relu: return TF::relu(x);
      // LibTorch 1.13 has no F::relu6 / hardsigmoid / hardswish / tanh / sigmoid (Python's
      // F has them, as thin wrappers of these).
      case Act::relu6: return at::relu6(x);
      case Act::leaky_relu: return TF::leaky_relu(x, TF::LeakyReLUFuncOptions().negative_slope(p.f[0]));
      case Act::elu: return TF::elu(x, TF::ELUFuncOptions().alpha(p.f[0]));
      case Act::selu: return TF::selu(x);
      case Act::celu: return TF::celu(x, TF::CELUFuncOptions().alpha(p.f[0]));
      case Act::gelu: return TF::gelu(x, TF::GELUFuncOptions().approximate(p.f[2] == 1.0 ? "none" : "tanh"));
      case Act::silu: return TF::silu(x);
      case Act::mish: return TF::mish(x);
      case Act::softplus: return TF::softplus(x, TF::SoftplusFuncOptions().beta(p.f[0]).threshold(p.f[1]));
      case Act::hardtanh: return TF::hardtanh(x, TF::HardtanhFuncOptions().min_val(p.f[0]).max_val(p.f[1]));
      case Act::hardsigmoid: return at::hardsigmoid(x);
      case Act::hardswish: return at::hardswish(x);
      case Act::logsigmoid: return TF::logsigmoid(x);
      case Act::threshold: return TF::threshold(x, TF::ThresholdFuncOptions(p.f[0], p.f[1]));
      case Act::softsign: return TF::softsign(x);
      case Act::tanhshrink: return TF::tanhshrink(x);
      case Act::softshrink: return TF::softshrink(x, TF::SoftshrinkFuncOptions(std::abs(p.f[0])));
      case Act::hardshrink: return TF::hardshrink(x, TF::HardshrinkFuncOptions(std::abs(p.f[0])));
      case Act::glu: return TF::glu(x, TF::GLUFuncOptions(p.i[0]));
      case Act::softmin: return TF::softmin(x, TF::SoftminFuncOptions(p.i[0]));
      case Act::tanh: return at::tanh(x);
      case Act::sigmoid: return at::sigmoid(x);
    }
    return {};
  }
  template <class O>
  static O& with_reduction(O& o, int64_t r) {
    if (r == 0) o.reduction(torch::kNone);
    else if (r == 1) o.reduction(torch::kMean);
    else o.reduction(torch::kSum);
    return o;
  }
  static Tensor loss(Loss k, const Tensor& in, const Tensor& tg, const Tensor& w, const Tensor& pw, const Params& p) {
    const int64_t red = p.i[4];
    switch (k) {
      case Loss::mse: {
        TF::MSELossFuncOptions o;
        return TF::mse_loss(in, tg, with_reduction(o, red));
      }
      case Loss::l1: {
        TF::L1LossFuncOptions o;
        return TF::l1_loss(in, tg, with_reduction(o, red));
      }
      case Loss::smooth_l1: {
        TF::SmoothL1LossFuncOptions o;
        return TF::smooth_l1_loss(in, tg, with_reduction(o, red), p.f[0]);
      }
      case Loss::huber: {
        TF::HuberLossFuncOptions o;
        o.delta(p.f[0] == 0 ? 1.0 : p.f[0]);
        return TF::huber_loss(in, tg, with_reduction(o, red));
      }
      case Loss::bce: {
        TF::BinaryCrossEntropyFuncOptions o;
        if (w.defined()) o.weight(w);
        return TF::binary_cross_entropy(in, tg, with_reduction(o, red));
      }
      case Loss::bce_with_logits: {
        TF::BinaryCrossEntropyWithLogitsFuncOptions o;
        if (w.defined()) o.weight(w);
        if (pw.defined()) o.pos_weight(pw);
        return TF::binary_cross_entropy_with_logits(in, tg, with_reduction(o, red));
      }
      case Loss::cross_entropy: {
        TF::CrossEntropyFuncOptions o;
        o.ignore_index(p.i[5]).label_smoothing(p.f[0]);
        if (w.defined()) o.weight(w);
        return TF::cross_entropy(in, tg, with_reduction(o, red));
      }
      case Loss::nll: {
        // LibTorch 1.13's C++ F::nll_loss insists on a batch dim ("Expected 2 or more
        // dimensions (got 1)"); Python's F.nll_loss, and ember, also take an unbatched (C)
        // input, which both hand to ATen's nll_loss_nd, so that is the reference for it.
        if (in.dim() == 1) return at::nll_loss_nd(in, tg, w, red == 0 ? 0 : red == 1 ? 1 : 2, p.i[5]);
        TF::NLLLossFuncOptions o;
        o.ignore_index(p.i[5]);
        if (w.defined()) o.weight(w);
        return TF::nll_loss(in, tg, with_reduction(o, red));
      }
      case Loss::kl_div: {
        TF::KLDivFuncOptions o;
        o.log_target(p.i[6] != 0);
        if (red == 3) o.reduction(torch::kBatchMean);
        else with_reduction(o, red);
        return TF::kl_div(in, tg, o);
      }
    }
    return {};
  }
  static Tensor pad(const Tensor& x, const std::vector<int64_t>& pads, int64_t mode, double value) {
    TF::PadFuncOptions o(pads);
    if (mode == 0) o.mode(torch::kConstant);
    else if (mode == 1) o.mode(torch::kReflect);
    else if (mode == 2) o.mode(torch::kReplicate);
    else o.mode(torch::kCircular);
    return TF::pad(x, o.value(value));
  }
  static Tensor normalize(const Tensor& x, double p, int64_t dim, double eps) {
    return TF::normalize(x, TF::NormalizeFuncOptions().p(p).dim(dim).eps(eps));
  }
  static Tensor cosine_similarity(const Tensor& a, const Tensor& b, int64_t dim, double eps) {
    return TF::cosine_similarity(a, b, TF::CosineSimilarityFuncOptions().dim(dim).eps(eps));
  }
  static Tensor pairwise_distance(const Tensor& a, const Tensor& b, double p, double eps, bool keepdim) {
    return TF::pairwise_distance(a, b, TF::PairwiseDistanceFuncOptions().p(p).eps(eps).keepdim(keepdim));
  }

  // ---- runner support ----------------------------------------------------------------------
  static Tensor from_raw(const void* data, DType dt, const std::vector<int64_t>& sizes,
                         const std::vector<int64_t>& strides, bool requires_grad) {
    Tensor t = at::empty_strided(sizes, strides, at::TensorOptions().dtype(dtype(dt)));
    const int64_t extent = storage_extent(sizes, strides);
    if (extent > 0) std::memcpy(t.data_ptr(), data, static_cast<size_t>(extent) * element_size(dt));
    if (requires_grad) t.requires_grad_(true);
    return t;
  }
  static Snapshot snapshot(const Tensor& t) {
    if (!t.defined()) return {};
    return read_strided(t.data_ptr(), from_dtype(t.scalar_type()), t.sizes().vec(), t.strides().vec(),
                        t.requires_grad());
  }
  static std::vector<Tensor> grad(const std::vector<Tensor>& outs, const std::vector<Tensor>& ins,
                                  const std::vector<Tensor>& gouts) {
    return torch::autograd::grad(outs, ins, gouts, c10::nullopt, /*create_graph=*/false, /*allow_unused=*/true);
  }
  static std::string message(const std::exception& e) {
    if (const auto* c = dynamic_cast<const c10::Error*>(&e)) return c->what_without_backtrace();
    return e.what();
  }

 private:
  static c10::List<c10::optional<Tensor>> optional_list(const std::vector<Tensor>& indices) {
    c10::List<c10::optional<Tensor>> l;
    for (const auto& t : indices) l.push_back(t.defined() ? c10::optional<Tensor>(t) : c10::nullopt);
    return l;
  }
};

// ---- known LibTorch bugs --------------------------------------------------------------------
// Note [Known LibTorch bugs]
// Cases where LibTorch 1.13 itself is wrong: it would corrupt memory (never run), it fails
// where the operation is well defined, or its gradient is plainly off. A rule either keeps
// the step out of LibTorch altogether (Scope::Forward; ember still runs it) or only skips
// the VJP comparison (Scope::Backward). Either way the step counts as a known-bug skip.
// Besides these rules, a LibTorch error that calls itself a bug ("INTERNAL ASSERT FAILED
// ... please report a bug to PyTorch") is counted the same way. Each rule has a one-line
// reason; docs/pytorch-differences.md lists the same.
namespace {
enum class Scope { Forward, Backward };
struct KnownBugRule {
  KnownTorchBug info;
  Scope scope;
  bool (*applies)(const std::vector<Meta>& m, const Params& p);
  // For the rare bug that depends on values: also required to hold (on the step's arguments).
  bool (*values_apply)(const std::vector<Snapshot>& args) = nullptr;
};
long double max_value(DType dt);
// A zero together with an infinity, a NaN or a value within a factor 16 of overflowing.
bool has_zero_and_non_finite(const std::vector<Snapshot>& args) {
  bool zero = false, non_finite = false;
  const long double huge = max_value(args[0].dtype) / 16;
  for (long double v : args[0].values) {
    zero = zero || v == 0;
    non_finite = non_finite || !std::isfinite(v) || std::fabs(v) > huge;
  }
  return zero && non_finite;
}
long double max_value(DType dt) {
  switch (dt) {
    case DType::Float16: return 65504.0L;
    case DType::BFloat16: return 3.3895313892515355e38L;
    case DType::Float32: return std::numeric_limits<float>::max();
    default: return std::numeric_limits<double>::max();
  }
}
bool has_huge_value(const std::vector<Snapshot>& args) {
  const long double big = max_value(args[0].dtype) / 4;
  for (long double v : args[0].values)
    if (std::isfinite(v) && std::fabs(v) > big) return true;
  return false;
}
bool has_subnormal(const std::vector<Snapshot>& args) {
  for (const Snapshot& a : args) {
    if (!is_floating(a.dtype)) continue;
    const long double smallest_normal =
        a.dtype == DType::Float16 ? 6.103515625e-05L
        : a.dtype == DType::Float64 ? static_cast<long double>(std::numeric_limits<double>::min())
                                    : static_cast<long double>(std::numeric_limits<float>::min());
    for (long double v : a.values)
      if (v != 0 && std::fabs(v) < smallest_normal) return true;
  }
  return false;
}
// A non-zero floating value below sqrt(1 / max) of its dtype.
bool has_tiny_value(const std::vector<Snapshot>& args) {
  for (const Snapshot& a : args) {
    if (!is_floating(a.dtype)) continue;
    const long double tiny = std::sqrt(1.0L / max_value(a.dtype));
    for (long double v : a.values)
      if (v != 0 && std::fabs(v) < tiny) return true;
  }
  return false;
}
bool has_repeated_value(const std::vector<Snapshot>& args) {
  std::vector<long double> v = args[0].values;
  std::sort(v.begin(), v.end());
  return std::adjacent_find(v.begin(), v.end()) != v.end();
}
bool has_exact_three(const std::vector<Snapshot>& args) {
  for (long double v : args[0].values)
    if (v == 3 || v == -3) return true;
  return false;
}
// The dtype / metadata of argument `i` (operands first, then the planner's fresh tensors).
DType arg_dtype(const std::vector<Meta>& m, const Params& p, int64_t i) {
  return i < static_cast<int64_t>(m.size()) ? m[i].dtype : p.aux[i - m.size()].dtype;
}
int64_t arg_rank(const std::vector<Meta>& m, const Params& p, int64_t i) {
  return i < static_cast<int64_t>(m.size()) ? m[i].rank() : static_cast<int64_t>(p.aux[i - m.size()].sizes.size());
}
const std::vector<int64_t>& arg_sizes(const std::vector<Meta>& m, const Params& p, int64_t i) {
  return i < static_cast<int64_t>(m.size()) ? m[i].sizes : p.aux[i - m.size()].sizes;
}
bool arg_contiguous(const std::vector<Meta>& m, const Params& p, int64_t i) {
  if (i < static_cast<int64_t>(m.size())) return m[i].contiguous;
  const TensorSpec& s = p.aux[i - m.size()];
  return s.strides == contiguous_strides(s.sizes);
}
// Elements var/std average over (Params layout of plan_var).
int64_t var_count(const std::vector<Meta>& m, const Params& p) {
  if (p.form != 1 || p.l[0].empty()) return m[0].numel();
  int64_t n = 1;
  for (int64_t d : p.l[0]) {
    const int64_t w = d < 0 ? d + std::max<int64_t>(m[0].rank(), 1) : d;
    n *= w >= 0 && w < m[0].rank() ? m[0].sizes[w] : 1;
  }
  return n;
}
bool var_degenerate(const std::vector<Meta>& m, const Params& p) {
  return var_count(m, p) <= (p.form == 0 ? 1 : p.i[2]);
}
bool loss_mixed_target(const std::vector<Meta>& m, const Params& p) {
  return arg_dtype(m, p, p.i[0]) != arg_dtype(m, p, p.i[1]);
}
bool var_all_dims_by_empty_list(const std::vector<Meta>&, const Params& p) { return p.form == 1 && p.l[0].empty(); }
// clamp with tensor bounds (form 3) whose broadcast result is larger than the input.
bool clamp_grows(const std::vector<Meta>& m, const Params& p) {
  if (p.form != 3) return false;
  std::vector<int64_t> shape = m[0].sizes;
  if (p.i[0]) shape = broadcast_shape(shape, p.aux[0].sizes);
  if (p.i[1]) shape = broadcast_shape(shape, p.aux[1].sizes);
  return shape != m[0].sizes;
}
// Constant padding (Params of plan_pad) that leaves some padded dim empty, or whose negative
// pads crop one to nothing.
bool pad_crops_to_nothing(const std::vector<Meta>& m, const Params& p) {
  if (p.i[0] != 0) return false;
  const std::vector<int64_t>& pads = p.l[0];
  for (size_t j = 0; 2 * j + 1 < pads.size(); ++j) {
    const int64_t d = m[0].rank() - 1 - static_cast<int64_t>(j);
    if (d < 0) break;
    const int64_t n = m[0].sizes[d], l = pads[2 * j], r = pads[2 * j + 1];
    if (n + l + r <= 0) return true;
    if ((l < 0 || r < 0) && n + std::min<int64_t>(l, 0) + std::min<int64_t>(r, 0) <= 0) return true;
  }
  return false;
}
// A classification loss whose input (N, C, d1, ...) has no classes.
bool no_classes_3d(const std::vector<Meta>& m, const Params& p) {
  const std::vector<int64_t>& s = arg_sizes(m, p, p.i[0]);
  return s.size() >= 3 && s[1] == 0;
}
// Reflect or replicate padding with an empty result from a non-empty input.
bool pad_empties_input(const std::vector<Meta>& m, const Params& p) {
  if (p.i[0] == 0 || m[0].numel() == 0) return false;
  const std::vector<int64_t>& pads = p.l[0];
  for (size_t j = 0; 2 * j + 1 < pads.size() && static_cast<int64_t>(j) < m[0].rank(); ++j)
    if (m[0].sizes[m[0].rank() - 1 - static_cast<int64_t>(j)] + pads[2 * j] + pads[2 * j + 1] == 0) return true;
  return false;
}
// Circular padding (batched, so the pads fit) where a pad is longer than what is left of
// its dim after cropping: LibTorch's copy then reads its own output.
bool pad_wraps_past_middle(const std::vector<Meta>& m, const Params& p) {
  const std::vector<int64_t>& pads = p.l[0];
  if (p.i[0] != 3 || static_cast<int64_t>(pads.size()) != 2 * (m[0].rank() - 2)) return false;
  for (size_t j = 0; 2 * j + 1 < pads.size(); ++j) {
    const int64_t n = m[0].sizes[m[0].rank() - 1 - static_cast<int64_t>(j)], l = pads[2 * j], r = pads[2 * j + 1];
    if (l > n || r > n || n + l + r < 0) return false;  // refused by both
    const int64_t middle = n + std::min<int64_t>(l, 0) + std::min<int64_t>(r, 0);
    if (l > middle || r > middle) return true;
  }
  return false;
}
bool pad_empty_with_negative(const std::vector<Meta>& m, const Params& p) {
  if (p.i[0] != 0 || m[0].numel() != 0) return false;
  return std::any_of(p.l[0].begin(), p.l[0].end(), [](int64_t x) { return x < 0; });
}

const std::vector<KnownBugRule>& known_bug_rules() {
  static const std::vector<KnownBugRule> rules = {
      {{"index_select", "the input is 0-dim",
        "the CPU kernel writes past the end of its result (heap corruption; never run)"},
       Scope::Forward, [](const std::vector<Meta>& m, const Params&) { return m[0].rank() == 0; }},
      {{"logsumexp", "the dim list is empty and the input has dims",
        "throws \"output with shape [] doesn't match the broadcast shape [n]\" instead of reducing"},
       Scope::Forward, [](const std::vector<Meta>& m, const Params& p) { return p.l[0].empty() && m[0].rank() > 0; }},
      {{"var", "the count is at most the correction",
        "backward returns a 0-dim gradient (\"VarBackward0 returned an invalid gradient\")"},
       Scope::Backward, var_degenerate},
      {{"std", "the count is at most the correction",
        "backward returns a 0-dim gradient (\"StdBackward0 returned an invalid gradient\")"},
       Scope::Backward, var_degenerate},
      {{"hardsigmoid", "float64",
        "backward multiplies by 1/6 rounded to float32 (relative error 3e-8)"},
       Scope::Backward, [](const std::vector<Meta>& m, const Params&) { return m[0].dtype == DType::Float64; }},
      {{"mse_loss", "target and input dtypes differ",
        "forward promotes, backward throws \"Found dtype Long but expected Float\""},
       Scope::Backward, loss_mixed_target},
      {{"huber_loss", "target and input dtypes differ",
        "forward promotes, backward throws \"Found dtype Long but expected Float\""},
       Scope::Backward, loss_mixed_target},
      {{"var", "the dim list is empty (meaning all dims)",
        "backward counts N = 1 instead of all elements, so the gradient has the wrong scale (even sign)"},
       Scope::Backward, var_all_dims_by_empty_list},
      {{"std", "the dim list is empty (meaning all dims)",
        "backward counts N = 1 instead of all elements, so the gradient has the wrong scale (even sign)"},
       Scope::Backward, var_all_dims_by_empty_list},
      {{"celu", "float64", "backward uses 1/alpha rounded to float32 (relative error ~1e-8)"},
       Scope::Backward, [](const std::vector<Meta>& m, const Params&) { return m[0].dtype == DType::Float64; }},
      {{"addmm", "alpha is 0",
        "whether NaN/inf in mat1 or mat2 reach the result depends on the shapes (the BLAS path), so it has no "
        "single answer"},
       Scope::Forward, [](const std::vector<Meta>&, const Params& p) { return p.s[1].v == 0; }},
      {{"clamp", "tensor bounds broadcast the result to more than the input's shape",
        "backward throws \"output with shape [..] doesn't match the broadcast shape [..]\""},
       Scope::Backward, clamp_grows},
      {{"cumprod", "the dtype argument differs from the input's dtype",
        "backward throws \"masked_scatter: expected self and source to have same dtypes\" (when the input has a "
        "zero)"},
       Scope::Backward,
       [](const std::vector<Meta>& m, const Params& p) { return p.form == 1 && p.dt != m[0].dtype; }},
      {{"pow", "the exponent is a bool tensor",
        "backward throws \"Subtraction, the `-` operator, with a bool tensor is not supported\""},
       Scope::Backward,
       [](const std::vector<Meta>& m, const Params& p) {
         if (p.form == 2 || p.form == 4) return false;
         return (p.form == 0 ? m[1].dtype : p.aux[0].dtype) == DType::Bool;
       }},
      {{"pad", "constant mode, and a padded dim comes out empty or negative pads crop one to nothing",
        "throws (\"resulted in a negative output size\" for a size of 0, \"start (0) + length (-1) exceeds "
        "dimension size (0)\", \"Dimension out of range\") even where the result is well defined (e.g. empty)"},
       Scope::Forward, pad_crops_to_nothing},
      {{"pad", "circular mode, and a pad is longer than what negative pads leave of its dim",
        "throws \"some elements of the input tensor and the written-to tensor refer to a single memory location\", "
        "or returns uninitialised memory when nothing is left"},
       Scope::Forward, pad_wraps_past_middle},
      {{"pad", "reflect or replicate mode, and negative pads empty the result of a non-empty input",
        "backward leaves the input's gradient uninitialised (arbitrary values)"},
       Scope::Backward, pad_empties_input},
      {{"pow", "the exponent is the number false",
        "backward misses that false is the exponent 0 and computes 0 * x^-1 (NaN at x = 0)"},
       Scope::Backward,
       [](const std::vector<Meta>&, const Params& p) {
         return p.form == 2 && p.s[0].kind == ScalarArg::Bool && p.s[0].v == 0;
       }},
      {{"std", "the count is at most the correction and an input value repeats",
        "the sum of squares of a constant slice is rounding noise, not 0, so noise / 0 gives inf where the "
        "exact 0 / 0 is NaN (ember's)"},
       Scope::Forward, var_degenerate, has_repeated_value},
      {{"var", "the count is at most the correction and an input value repeats",
        "the sum of squares of a constant slice is rounding noise, not 0, so noise / 0 gives inf where the "
        "exact 0 / 0 is NaN (ember's)"},
       Scope::Forward, var_degenerate, has_repeated_value},
      {{"var", "float16 with an input magnitude above a quarter of 65504",
        "backward recomputes the mean in float16, whose sum overflows (the gradient becomes infinite)"},
       Scope::Backward, [](const std::vector<Meta>& m, const Params&) { return m[0].dtype == DType::Float16; },
       has_huge_value},
      {{"std", "an input magnitude above a quarter of the dtype's largest value",
        "backward divides the gradient by 2 * std, which overflows to infinity, so the gradient is 0"},
       Scope::Backward, [](const std::vector<Meta>&, const Params&) { return true; }, has_huge_value},
      {{"atan2", "a non-zero argument so small that 1 / (a^2 + b^2) overflows",
        "backward multiplies by that reciprocal (infinite), so 0 * inf gives NaN where the gradient is 0"},
       Scope::Backward, [](const std::vector<Meta>&, const Params&) { return true; }, has_tiny_value},
      {{"log1p", "float32 or bfloat16 with an input above half the float32 maximum",
        "returns inf where log1p is about 88"},
       Scope::Forward,
       [](const std::vector<Meta>& m, const Params&) {
         return m[0].dtype == DType::Float32 || m[0].dtype == DType::BFloat16;
       },
       [](const std::vector<Snapshot>& a) {
         return std::any_of(a[0].values.begin(), a[0].values.end(), [](long double v) { return v > 1.7e38L; });
       }},
      {{"normalize", "the normalised dim has one element (or the input is 0-dim)",
        "the exact gradient is 0 (x / |x| is constant); LibTorch's is the rounding residue of two cancelling terms "
        "of size g / |x|, and so is ember's unless it is exactly 0"},
       Scope::Backward,
       [](const std::vector<Meta>& m, const Params& p) {
         if (m[0].rank() == 0) return true;
         const int64_t d = p.i[0] < 0 ? p.i[0] + m[0].rank() : p.i[0];
         return d >= 0 && d < m[0].rank() && m[0].sizes[d] == 1;
       }},
      {{"norm", "bfloat16 with 32 or more elements per norm",
        "accumulates |x|^p in bfloat16 itself, so the sum stops growing (257 rounds to 256); ember accumulates in "
        "float32"},
       Scope::Forward,
       [](const std::vector<Meta>& m, const Params& p) {
         if (m[0].dtype != DType::BFloat16) return false;
         int64_t n = m[0].numel();
         if (p.form != 0 && !p.l[0].empty()) {
           n = 1;
           for (int64_t d : p.l[0]) {
             const int64_t w = d < 0 ? d + std::max<int64_t>(m[0].rank(), 1) : d;
             n *= w >= 0 && w < m[0].rank() ? m[0].sizes[w] : 1;
           }
         }
         return n >= 32;
       }},
      {{"l1_loss", "a 0-dim target of another dtype than a dimensioned input (or the reverse)",
        "LibTorch's C++ F::l1_loss skips Python's broadcast_tensors, so the 0-dim operand does not take part in type "
        "promotion; ember follows Python (docs/pytorch-differences.md)"},
       Scope::Forward,
       [](const std::vector<Meta>& m, const Params& p) {
         const int64_t ri = arg_rank(m, p, p.i[0]), rt = arg_rank(m, p, p.i[1]);
         return arg_dtype(m, p, p.i[0]) != arg_dtype(m, p, p.i[1]) && (ri == 0) != (rt == 0);
       }},
      {{"prelu", "a bfloat16 input with an integer weight",
        "backward converts through the weight's dtype and throws \"value cannot be converted to type int without "
        "overflow\" for an infinite gradient"},
       Scope::Backward,
       [](const std::vector<Meta>& m, const Params& p) {
         return m[0].dtype == DType::BFloat16 && !is_floating(p.aux[0].dtype);
       }},
      {{"prod", "float32 or narrower with an infinity and a value below sqrt(1 / max)",
        "accumulates in float32, where a partial product underflows to 0 before the infinity (0 * inf = NaN); ember "
        "accumulates in float64 and gives the infinity"},
       Scope::Forward, [](const std::vector<Meta>& m, const Params&) { return m[0].dtype != DType::Float64; },
       [](const std::vector<Snapshot>& a) {
         return has_tiny_value(a) &&
                std::any_of(a[0].values.begin(), a[0].values.end(), [](long double v) { return std::isinf(v); });
       }},
      {{"pairwise_distance", "float16 or bfloat16 with p < 1",
        "the gradient holds |d|^(p-1), ill-conditioned where rows nearly coincide (d ~ eps), so how each library "
        "rounds x1 - x2 + eps in the 8- or 11-bit type decides it"},
       Scope::Backward,
       [](const std::vector<Meta>& m, const Params& p) {
         if (p.f[0] >= 1) return false;
         std::vector<DType> dts;
         for (const Meta& a : m) dts.push_back(a.dtype);
         for (const TensorSpec& a : p.aux) dts.push_back(a.dtype);
         return std::any_of(dts.begin(), dts.end(), [](DType d) { return d == DType::Float16 || d == DType::BFloat16; });
       }},
      {{"pow", "an integer tensor base with a float64 exponent",
        "backward takes log(base) in float32 (the default dtype), so the exponent's gradient has a relative error "
        "of ~1e-8; ember takes it in the result's dtype"},
       Scope::Backward, [](const std::vector<Meta>& m, const Params& p) { return p.form != 4 && !is_floating(m[0].dtype); }},
      {{"pad", "constant mode, an empty input and a negative pad",
        "backward throws \"negative output size\""},
       Scope::Backward, pad_empty_with_negative},
      {{"pad", "constant mode, an empty input and a negative pad (forward)",
        "throws \"The input size 0, plus negative padding 0 and 0 resulted in a negative output size\" for an "
        "output size of 0 (never run)"},
       Scope::Forward, pad_empty_with_negative},
      {{"log_softmax", "bfloat16 along a dim that is not the last",
        "the vectorised kernel spreads a NaN from one lane to another 8 elements away"},
       Scope::Forward,
       [](const std::vector<Meta>& m, const Params& p) {
         const DType dt = p.form == 1 ? p.dt : m[0].dtype;
         const int64_t rank = m[0].rank(), d = p.i[0] < 0 ? p.i[0] + rank : p.i[0];
         return dt == DType::BFloat16 && rank >= 2 && d != rank - 1;
       }},
      {{"cross_entropy", "a bfloat16 input of 3+ dims (classes not last)",
        "log_softmax's vectorised kernel along a dim that is not the last spreads NaN and infinities between "
        "lanes (as above)"},
       Scope::Forward,
       [](const std::vector<Meta>& m, const Params& p) {
         return arg_dtype(m, p, p.i[0]) == DType::BFloat16 && arg_sizes(m, p, p.i[0]).size() >= 3;
       }},
      {{"binary_cross_entropy_with_logits", "pos_weight is given and an input is -inf",
        "computes log(exp(-m) + exp(-x - m)) with m = inf, which is NaN; ember's log_sigmoid form gives the limit"},
       Scope::Forward, [](const std::vector<Meta>&, const Params& p) { return p.i[3] != 0; },
       [](const std::vector<Snapshot>& args) {
         for (const Snapshot& a : args)
           for (long double v : a.values)
             if (std::isinf(v) && v < 0) return true;
         return false;
       }},
      {{"fmod", "an operand is subnormal",
        "returns NaN where the quotient overflows (ember's std::fmod is exact)"},
       Scope::Forward, [](const std::vector<Meta>&, const Params&) { return true; }, has_subnormal},
      {{"masked_select", "the input is not contiguous",
        "backward scatters the gradient in the input's memory order instead of its logical order (wrong values)"},
       Scope::Backward, [](const std::vector<Meta>& m, const Params&) { return !m[0].contiguous; }},
      {{"hardswish", "an input element is exactly +-3",
        "backward at x = 3 gives 1.5 * grad from the scalar loop and grad from the vectorised one, so the answer "
        "depends on the element's position"},
       Scope::Backward, [](const std::vector<Meta>&, const Params&) { return true; }, has_exact_three},
      {{"smooth_l1_loss", "beta is 0",
        "the gradient is -1 where input equals target (the kernel's x <= -beta branch); PyTorch 2 calls "
        "l1_loss there (gradient 0), as ember does"},
       Scope::Backward, [](const std::vector<Meta>&, const Params& p) { return p.f[0] == 0; }},
      {{"cumprod", "the input holds both a zero and a NaN, an infinity or a value near overflow",
        "backward divides by the input (after products that may overflow) and gives NaN or inf where the exact "
        "gradient (ember's) is finite"},
       Scope::Backward, [](const std::vector<Meta>&, const Params&) { return true; }, has_zero_and_non_finite},
      {{"cross_entropy", "the input has 3+ dims and zero classes",
        "throws \"size mismatch (got input: [1, 0, 0, 0] , target: [1, 1, 2]\" for shapes that match (never run)"},
       Scope::Forward, no_classes_3d},
      {{"nll_loss", "the input has 3+ dims and zero classes",
        "throws \"size mismatch (got input: [5, 0, 0, 0] , target: [5, 1, 4]\" for shapes that match (never run)"},
       Scope::Forward, no_classes_3d},
      {{"nll_loss", "the input has 3+ dims and is not contiguous",
        "nll_loss2d backward allocates grad_input with the input's strides, then throws \"grad_input must be "
        "contiguous\""},
       Scope::Backward,
       [](const std::vector<Meta>& m, const Params& p) {
         return arg_rank(m, p, p.i[0]) >= 3 && !arg_contiguous(m, p, p.i[0]);
       }},
  };
  return rules;
}
const KnownBugRule* known_bug(const std::string& op, Scope scope, const std::vector<Meta>& m, const Params& p,
                              const std::vector<ember::Tensor>& args) {
  for (const auto& r : known_bug_rules()) {
    if (op != r.info.op || r.scope != scope || !r.applies(m, p)) continue;
    if (r.values_apply) {
      std::vector<Snapshot> snaps;
      for (const auto& a : args) snaps.push_back(EmberLib::snapshot(a));
      if (!r.values_apply(snaps)) continue;
    }
    return &r;
  }
  return nullptr;
}
// Note [Vectorisation artefacts]
// LibTorch's CPU kernels run a vectorised loop over the bulk of a contiguous tensor and a
// scalar loop over small, strided or left-over elements, and for these activations the two
// give different gradients at a NaN input (docs/pytorch-differences.md has the table).
// Which one an element gets depends on its position, so those elements are not compared.
bool has_nan_gradient_artefact(const std::string& op) {
  static const char* const ops[] = {"elu", "selu", "celu", "hardshrink", "softshrink", "hardtanh", "relu6",
                                    "hardswish"};
  return std::any_of(std::begin(ops), std::end(ops), [&](const char* o) { return op == o; });
}
void blank_where_input_is_nan(Snapshot& ember_grad, Snapshot& torch_grad, const Snapshot& input) {
  if (input.values.size() != ember_grad.values.size() || input.values.size() != torch_grad.values.size()) return;
  for (size_t i = 0; i < input.values.size(); ++i)
    if (std::isnan(input.values[i])) ember_grad.values[i] = torch_grad.values[i] = 0;
}
// Ops whose derivative jumps where the result is 0 (a norm's kink), so a result that is 0
// on one side only (rounding noise, or a float16 underflow) makes the gradients differ.
bool has_kink_at_zero(const std::string& op) {
  static const char* const ops[] = {"std", "norm", "pairwise_distance"};
  return std::any_of(std::begin(ops), std::end(ops), [&](const char* o) { return op == o; });
}
// Note [Structural zeros]
// cumprod's and prod's gradients are sums of g_k times products of the other inputs. Where
// such a product holds a 0 input, LibTorch leaves the term out; ember multiplies it, so an
// infinite upstream g_k gives 0 * inf = NaN there (IEEE) where LibTorch has a number. With
// an infinite upstream gradient and a zero input, the positions where only ember's
// gradient is NaN are not compared.
bool drops_structural_zeros(const std::string& op) { return op == "cumprod" || op == "prod"; }
bool has_zero(const Snapshot& s) {
  return std::any_of(s.values.begin(), s.values.end(), [](long double v) { return v == 0; });
}
void blank_where_ember_nan(Snapshot& ember_grad, Snapshot& torch_grad) {
  if (ember_grad.values.size() != torch_grad.values.size()) return;
  for (size_t i = 0; i < ember_grad.values.size(); ++i)
    if (std::isnan(ember_grad.values[i]) && !std::isnan(torch_grad.values[i]))
      ember_grad.values[i] = torch_grad.values[i] = 0;
}
// Ops whose backward multiplies in an order that overflows in LibTorch where the result
// does not (pow: exponent * x^(exponent - 1) before the upstream gradient).
bool has_backward_overflow(const std::string& op) { return op == "pow" || op == "square"; }
// Floor division whose quotient overflows: LibTorch's vectorised loop gives NaN (inf - inf
// in its rounding fix-up), its scalar loop and ember +-inf (Note [Vectorisation artefacts]).
void blank_vectorised_floor_overflow(Snapshot& ember_out, const Snapshot& torch_out) {
  if (ember_out.values.size() != torch_out.values.size()) return;
  for (size_t i = 0; i < ember_out.values.size(); ++i)
    if (std::isnan(torch_out.values[i]) && std::isinf(ember_out.values[i])) ember_out.values[i] = torch_out.values[i];
}
// The largest finite magnitude among the floating arguments (all but `skip`).
double largest_argument(const std::vector<ember::Tensor>& args, int skip = -1) {
  double m = 0;
  for (size_t i = 0; i < args.size(); ++i)
    if (static_cast<int>(i) != skip && args[i].defined() && args[i].is_floating_point())
      m = std::max(m, max_finite(EmberLib::snapshot(args[i])));
  return m;
}
int64_t largest_output(const std::vector<ember::Tensor>& outs) {
  int64_t n = 0;
  for (const auto& o : outs)
    if (o.defined()) n = std::max(n, o.numel());
  return n;
}
// LibTorch calling its own error a bug.
bool is_torch_internal_error(const std::string& message) {
  return message.find("INTERNAL ASSERT FAILED") != std::string::npos;
}
}  // namespace

const std::vector<KnownTorchBug>& known_torch_bugs() {
  static const std::vector<KnownTorchBug> list = [] {
    std::vector<KnownTorchBug> v;
    for (const auto& r : known_bug_rules()) v.push_back(r.info);
    v.push_back({"(reductions, losses, norms)", "the result is float16 and LibTorch's is +-inf where ember's is finite",
                 "float16 mean, mean-reduced losses and p-norms (pairwise_distance) keep float16 intermediates (sums, "
                 "|d|^p) that overflow past 65504; ember accumulates in float32"});
    v.push_back({"(reductions, losses, norms; std, norm, pairwise_distance)",
                 "the result is 0 on one side only: float16 with LibTorch's 0 where ember's is not, or std/norm of "
                 "any dtype (VJP not compared)",
                 "float16 p-norms (pairwise_distance of nearly equal rows) compute |d|^p in float16, which underflows "
                 "to 0, and the gradient at a zero norm is 0; ember accumulates in float32. LibTorch's std of a "
                 "constant slice is rounding noise (6e-8), not 0, so its gradient is noise divided by noise; ember's "
                 "is exactly 0 with gradient 0"});
    v.push_back({"cumprod, prod", "an infinite upstream gradient and a zero input (positions where only ember's "
                 "gradient is NaN not compared)",
                 "LibTorch leaves out gradient terms whose product holds the zero; ember multiplies them, and "
                 "0 * inf is NaN (Note [Structural zeros])"});
    v.push_back({"pow, square", "LibTorch's gradient is +-inf where ember's is finite",
                 "backward forms exponent * x^(exponent - 1) (2 * x) before multiplying by the upstream gradient, "
                 "which overflows where the product does not"});
    v.push_back({"(any op; index_put_)", "LibTorch's result is an integer or bool tensor that requires grad "
                 "(requires_grad not compared)",
                 "index_put_ of a grad-requiring float value into an integer tensor marks the integer result as "
                 "requiring grad, which no integer tensor can"});
    v.push_back({"(any op)", "LibTorch throws \"INTERNAL ASSERT FAILED ... please report a bug to PyTorch\"",
                 "seen when an integer or bool result comes from an input requiring grad (sum/prod/cumprod with an "
                 "integer dtype, masked_fill of an integer tensor with a grad-requiring value, empty mm/bmm/mv mixing "
                 "float and integer): autograd asserts the result is differentiable"});
    return v;
  }();
  return list;
}

// ---- the differential runner ------------------------------------------------------------------
namespace {
class NoWarnings : public c10::WarningHandler {
 public:
  void process(const c10::SourceLocation&, const std::string&, const bool) override {}
};

// Families whose ops accumulate many terms get the scaled tolerance (Note [Tolerances]).
double looseness(const char* family) {
  static const char* loose[] = {"reduce", "scan", "linalg", "loss", "nn"};
  for (const char* f : loose)
    if (std::strcmp(f, family) == 0) return 1.0;
  return 0.0;
}

std::string quote(const std::string& s) { return "'" + error_headline(s) + "'"; }
}  // namespace

void setup_libraries() {
  static NoWarnings no_warnings;
  c10::Warning::set_warning_handler(&no_warnings);
  at::set_num_threads(1);
  ember::set_num_threads(1);
}

std::vector<OpSig> op_signatures() { return signatures<EmberLib>(); }

DiffReport run_differential(const Program& program, bool print) {
  DiffReport r;
  EmberRun run(program);
  const auto& torch_ops = catalogue<TorchLib>();
  std::string& out = r.listing;
  if (print) out += inputs_listing(program);
  for (int k = 0; k < static_cast<int>(program.steps.size()); ++k) {
    EmberStep s = run.prepare(k);
    const OpDef<TorchLib>& top = torch_ops[program.steps[k].op];
    const std::string op = s.op->name;
    auto discrepancy = [&](Kind kind, const std::string& detail) {
      r.discrepancy = Discrepancy{k, op, kind, detail};
      if (print) out += "//   DISCREPANCY (" + std::string(kind_name(kind)) + "): " + detail + "\n";
    };

    // Both sides get the same bytes, sizes and strides (Note [Step isolation]).
    std::vector<at::Tensor> targs;
    for (const auto& a : s.args) {
      const Meta m = meta_of(a);
      targs.push_back(TorchLib::from_raw(a.data_ptr(), m.dtype, m.sizes,
                                         std::vector<int64_t>(a.strides().begin(), a.strides().end()),
                                         a.requires_grad()));
    }
    run.forward(s);
    if (print) out += step_listing(s, program);
    if (const KnownBugRule* bug = known_bug(op, Scope::Forward, s.metas, s.params, s.args)) {
      ++r.known_bug_skips;
      if (print) out += "//   not run in LibTorch: " + std::string(bug->info.reason) + "\n";
      run.commit(s);
      continue;
    }
    Forward<TorchLib> tf = run_forward(top, targs, s.params);
    if (tf.threw && is_torch_internal_error(tf.error)) {
      // LibTorch asserts where a result that cannot carry a gradient gets one; ember's
      // results are still checked for that much.
      ++r.known_bug_skips;
      if (print) out += "//   LibTorch failed an internal assertion (its own bug): " + error_headline(tf.error) + "\n";
      for (const auto& o : s.fwd.outs) {
        const Meta om = o.defined() ? meta_of(o) : Meta{};
        if (o.defined() && om.requires_grad && !is_floating(om.dtype))
          discrepancy(Kind::RequiresGrad, std::string("ember's ") + dtype_name(om.dtype) + sizes_str(om.sizes) +
                                              " result requires grad (LibTorch asserted: " +
                                              error_headline(tf.error) + ")");
      }
      if (r.discrepancy) break;
      run.commit(s);
      continue;
    }
    // Note [Tolerances]: the least precise floating dtype among arguments and results.
    std::vector<DType> dtypes;
    for (const auto& a : s.args) dtypes.push_back(meta_of(a).dtype);
    for (const auto& o : s.fwd.outs)
      if (o.defined()) dtypes.push_back(meta_of(o).dtype);
    const DType precision = precision_of(dtypes);

    // ---- forward: throw / no throw, then every output ----
    if (s.fwd.threw || tf.threw) {
      if (print) {
        if (s.fwd.threw) out += "//   ember threw: " + error_headline(s.fwd.error) + "\n";
        if (tf.threw) out += "//   torch threw: " + error_headline(tf.error) + "\n";
      }
      if (s.fwd.threw && tf.threw) {
        if (error_headline(s.fwd.error) != error_headline(tf.error)) {
          ++r.error_text_diffs;
          r.error_text_examples.push_back(op + ": ember " + quote(s.fwd.error) + " vs torch " + quote(tf.error));
        }
      } else if (s.fwd.threw) {
        discrepancy(Kind::EmberThrows, "ember threw " + quote(s.fwd.error));
        break;
      } else if (is_torch_dtype_limitation(tf.error)) {
        ++r.limitations;
        r.limitation_examples.push_back(op + ": torch " + quote(tf.error));
        if (print)
          for (const auto& o : s.fwd.outs) out += "//   ember: " + snapshot_str(EmberLib::snapshot(o)) + "\n";
      } else {
        discrepancy(Kind::TorchThrows, "torch threw " + quote(tf.error));
        break;
      }
      run.commit(s);
      continue;
    }
    if (s.fwd.outs.size() != tf.outs.size()) {
      discrepancy(Kind::NumOutputs, "ember " + std::to_string(s.fwd.outs.size()) + " outputs vs torch " +
                                        std::to_string(tf.outs.size()));
      break;
    }
    bool tie_differs = false, overflowed = false, underflowed = false;
    const double loose = looseness(s.op->family) * (is_reduced_float(precision) ? 4 : 1);
    const double scale_floor = loose > 0 ? largest_argument(s.args) : 0;  // Note [Tolerances]
    for (size_t j = 0; j < s.fwd.outs.size() && !r.discrepancy; ++j) {
      const Snapshot es = EmberLib::snapshot(s.fwd.outs[j]), ts = TorchLib::snapshot(tf.outs[j]);
      if (print) out += "//   ember: " + snapshot_str(es) + "\n//   torch: " + snapshot_str(ts) + "\n";
      Snapshot ec = es;
      if (op == "floor_divide" || op == "div") blank_vectorised_floor_overflow(ec, ts);
      Verdict v = compare_tensors(ec, ts, true, false, precision, loose, scale_floor);
      if (v && v.kind == Kind::Values && ts.dtype == DType::Float16 && looseness(s.op->family) > 0 &&
          !compare_tensors(without_torch_overflow(es, ts), ts, true, false, precision, loose)) {
        overflowed = true;  // Note [Known LibTorch bugs]: float16 sums overflow in LibTorch
        if (print) out += "//   (LibTorch overflowed a float16 intermediate; not compared)\n";
        continue;
      }
      if (v && v.kind == Kind::Values && s.op->tie_output == static_cast<int>(j) &&
          same_selection(EmberLib::snapshot(s.args[0]), s.params.i[0], es, ts)) {
        tie_differs = true;  // Note [Ties]
        if (print) out += "//   (the indices differ only among equal values)\n";
        continue;
      }
      if (v) discrepancy(v.kind, (s.fwd.outs.size() > 1 ? "output " + std::to_string(j) + " " : "") + v.detail);
      else if (zero_differs(es, ts) && ((ts.dtype == DType::Float16 && looseness(s.op->family) > 0) ||
                                         has_kink_at_zero(op)))
        underflowed = true;  // equal within tolerance, but a 0 on one side has another derivative
    }
    if (r.discrepancy) break;
    if (underflowed && run.plan_backward(s)) {
      ++r.known_bug_skips;
      if (print) out += "//   VJP not compared: one library's result is exactly 0 where the other's is not\n";
      run.commit(s);
      continue;
    }
    if (overflowed) {
      ++r.known_bug_skips;
      run.commit(s);
      continue;
    }

    // ---- the vector-Jacobian product ----
    if (run.plan_backward(s)) {
      if (tie_differs) {
        ++r.tie_skips;
        run.commit(s);
        continue;
      }
      if (const KnownBugRule* bug = known_bug(op, Scope::Backward, s.metas, s.params, s.args)) {
        ++r.known_bug_skips;
        if (print) out += "//   VJP not compared: LibTorch " + std::string(bug->info.reason) + "\n";
        run.commit(s);
        continue;
      }
      run.backward(s);
      if (print)
        for (size_t j = 0; j < s.upstream.size(); ++j)
          out += "//   upstream gradient of output " + std::to_string(s.grad_outs[j]) + ": " +
                 spec_listing("g", s.upstream[j]) + "\n";
      std::vector<at::Tensor> touts, tins, tgouts;
      for (int i : s.grad_outs) touts.push_back(tf.outs[i]);
      for (int i : s.grad_ins) tins.push_back(targs[i]);
      for (const auto& u : s.upstream) tgouts.push_back(from_spec<TorchLib>(u));
      Backward<TorchLib> tb = run_backward<TorchLib>(touts, tins, tgouts);
      if (s.bwd.threw || tb.threw) {
        if (print) {
          if (s.bwd.threw) out += "//   ember backward threw: " + error_headline(s.bwd.error) + "\n";
          if (tb.threw) out += "//   torch backward threw: " + error_headline(tb.error) + "\n";
        }
        if (tb.threw && is_torch_internal_error(tb.error)) {
          ++r.known_bug_skips;
        } else if (s.bwd.threw && tb.threw) {
          if (error_headline(s.bwd.error) != error_headline(tb.error)) {
            ++r.error_text_diffs;
            r.error_text_examples.push_back(op + " (backward): ember " + quote(s.bwd.error) + " vs torch " +
                                            quote(tb.error));
          }
        } else if (s.bwd.threw) {
          discrepancy(Kind::GradEmberThrows, "ember backward threw " + quote(s.bwd.error));
          break;
        } else if (is_torch_dtype_limitation(tb.error)) {
          ++r.limitations;
          r.limitation_examples.push_back(op + " (backward): torch " + quote(tb.error));
        } else {
          discrepancy(Kind::GradTorchThrows, "torch backward threw " + quote(tb.error));
          break;
        }
      } else {
        double upstream_scale = 0;
        bool upstream_finite = true;
        for (const auto& u : s.upstream)
          for (double x : u.storage) {
            if (std::isfinite(x)) upstream_scale = std::max(upstream_scale, std::fabs(x));
            else upstream_finite = false;
          }
        const double grad_loose = is_reduced_float(precision) ? 4 : 1;
        for (size_t j = 0; j < s.grad_ins.size() && !r.discrepancy; ++j) {
          Snapshot eg = EmberLib::snapshot(j < s.bwd.grads.size() ? s.bwd.grads[j] : ember::Tensor());
          Snapshot tg = TorchLib::snapshot(j < tb.grads.size() ? tb.grads[j] : at::Tensor());
          if (has_nan_gradient_artefact(op) && eg.defined && tg.defined)
            blank_where_input_is_nan(eg, tg, EmberLib::snapshot(s.args[s.grad_ins[j]]));
          const std::string which = "grad of argument " + std::to_string(s.grad_ins[j]);
          if (print) out += "//   " + which + ": ember " + snapshot_str(eg) + "\n//   " + which + ": torch " +
                            snapshot_str(tg) + "\n";
          if (drops_structural_zeros(op) && eg.defined && tg.defined && !upstream_finite &&
              has_zero(EmberLib::snapshot(s.args[s.grad_ins[j]])))
            blank_where_ember_nan(eg, tg);
          if (has_backward_overflow(op) && eg.defined && tg.defined)
            eg = without_torch_overflow(eg, tg);
          // A broadcast argument's gradient sums products of the upstream gradient and the
          // other arguments (Note [Tolerances]).
          double scale = upstream_scale;
          if (eg.defined && static_cast<int64_t>(eg.values.size()) < largest_output(s.fwd.outs))
            scale *= std::max(1.0, largest_argument(s.args, s.grad_ins[j]));
          if (Verdict v = compare_grads(eg, tg, precision, grad_loose, scale))
            discrepancy(v.kind, which + " " + v.detail);
        }
        if (r.discrepancy) break;
      }
    }
    run.commit(s);
  }
  return r;
}

}  // namespace fuzz
