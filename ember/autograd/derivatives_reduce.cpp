// The derivative table, reductions part.
#include "ember/autograd/derivatives.h"
#include "ember/autograd/engine.h"
#include "ember/ops/elementwise.h"
#include "ember/ops/factory.h"
#include "ember/ops/shape.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace ember::autograd {

namespace {
// Note [Reducing a 0-dim tensor]
// A 0-dim input accepts dim 0 / -1 and reduces nothing: its gradient is already 0-dim and
// its element count is 1. Formulas must not unsqueeze it nor read sizes()[dim] of it.

// Elements folded into each output of a reduction over `dims` (every dim when `all`) of an
// input of sizes `sizes`.
int64_t reduced_count(IntArrayRef sizes, IntArrayRef dims, bool all) {
  int64_t count = 1;
  if (all) {
    for (int64_t s : sizes) count *= s;
    return count;
  }
  const auto ndim = static_cast<int64_t>(sizes.size());
  if (ndim > 0)
    for (int64_t d : dims) count *= sizes[maybe_wrap_dim(d, ndim)];
  return count;
}

// Puts back the reduced dims (as size 1) of a gradient reduced without keepdim, then
// expands it to the input's shape.
Tensor unreduce(const Tensor& g, IntArrayRef input_sizes, IntArrayRef dims, bool keepdim) {
  Tensor r = g;
  if (!keepdim && !dims.empty() && !input_sizes.empty()) {
    DimVector sorted;
    for (int64_t d : dims) sorted.push_back(maybe_wrap_dim(d, static_cast<int64_t>(input_sizes.size())));
    std::sort(sorted.begin(), sorted.end());
    for (int64_t d : sorted) r = r.unsqueeze(d);
  }
  return r.expand(input_sizes);
}

// dims empty: reduced over every dim (the gradient is 0-dim).
Tensor sum_grad(const SumState& s, const Tensor& grad) {
  const bool all = s.dims.empty();
  Tensor g = grad;
  if (all) g = g.reshape(DimVector(s.self_sizes.size(), 1));
  return unreduce(g, s.self_sizes, all ? IntArrayRef() : IntArrayRef(s.dims), s.keepdim || all);
}
variable_list sum_formula(OpNode&, const SumState& s, const variable_list& grads) {
  return {sum_grad(s, grads[0]).to(s.self_dtype)};
}
variable_list mean_formula(OpNode&, const SumState& s, const variable_list& grads) {
  const auto count = static_cast<double>(reduced_count(s.self_sizes, s.dims, s.dims.empty()));
  return {(sum_grad(s, grads[0]) / count).to(s.self_dtype)};
}
}  // namespace

const Derivative<SumState> SumBackward0{"SumBackward0", sum_formula};
const Derivative<SumState> SumBackward1{"SumBackward1", sum_formula};
const Derivative<SumState> MeanBackward0{"MeanBackward0", mean_formula};
const Derivative<SumState> MeanBackward1{"MeanBackward1", mean_formula};

}  // namespace ember::autograd

namespace ember::autograd {
namespace {

DimVector all_dims(int64_t n) {
  DimVector d;
  for (int64_t i = 0; i < n; ++i) d.push_back(i);
  return d;
}
// Reattaches reduced dims (size 1) to a result reduced without keepdim (none for a 0-dim
// input: Note [Reducing a 0-dim tensor]).
Tensor keep(const Tensor& t, IntArrayRef input_sizes, IntArrayRef dims, bool keepdim) {
  if (keepdim || input_sizes.empty()) return t;
  Tensor r = t;
  DimVector sorted;
  for (int64_t d : dims) sorted.push_back(maybe_wrap_dim(d, static_cast<int64_t>(input_sizes.size())));
  std::sort(sorted.begin(), sorted.end());
  for (int64_t d : sorted) r = r.unsqueeze(d);
  return r;
}
template <class S>
DimVector dims_or_all(const S& s) {
  return s.all ? all_dims(static_cast<int64_t>(s.self_sizes.size())) : s.dims;
}
// A reduced tensor (gradient or result) with its reduced dims back as size 1.
template <class S>
Tensor kept(const S& s, const Tensor& t, IntArrayRef dims) {
  if (s.all) return t.reshape(DimVector(s.self_sizes.size(), 1));
  return keep(t, s.self_sizes, dims, s.keepdim);
}

variable_list softmax_formula(OpNode& n, const DimState& s, const variable_list& grads) {
  Tensor y = n.saved(0);
  const Tensor& g = grads[0];
  return {y * (g - (g * y).sum({s.dim}, true))};
}
variable_list log_softmax_formula(OpNode& n, const DimState& s, const variable_list& grads) {
  Tensor y = n.saved(0);
  const Tensor& g = grads[0];
  return {g - exp(y) * g.sum({s.dim}, true)};
}

variable_list logsumexp_formula(OpNode& n, const ReduceState& s, const variable_list& grads) {
  Tensor x = n.saved(0), y = n.saved(1);
  return {keep(grads[0], s.self_sizes, s.dims, s.keepdim) * exp(x - keep(y, s.self_sizes, s.dims, s.keepdim))};
}

// amax/amin: the gradient is shared evenly among the elements equal to the result. A NaN
// result equals nothing, so its slice gets 0/0 = NaN, as in PyTorch.
variable_list extremum_formula(OpNode& n, const ReduceState& s, const variable_list& grads) {
  Tensor x = n.saved(0), y = n.saved(1);
  DimVector dims = dims_or_all(s);
  Tensor yk = kept(s, y, dims);
  Tensor gk = kept(s, grads[0], dims);
  Tensor mask = eq(x, yk).to(x.dtype());
  return {gk * mask / mask.sum(dims, true)};
}

// max()/min() of a whole tensor: the gradient is shared evenly among the elements equal to
// the result, or among the NaN elements when the result is NaN (PyTorch's
// evenly_distribute_backward); elsewhere it is exactly 0, even for an infinite gradient.
variable_list extremum_all_formula(OpNode& n, const NoState&, const variable_list& grads) {
  Tensor x = n.saved(0), y = n.saved(1);
  Tensor mask = isnan(y).item<bool>() ? isnan(x) : eq(x, y);
  return {masked_grad(mask, grads[0] / mask.sum())};
}

variable_list indexed_formula(OpNode& n, const IndexedState& s, const variable_list& grads) {
  Tensor idx = n.saved(0);
  Tensor g = grads[0];
  if (s.self_sizes.empty()) return {g.reshape({})};
  const int64_t dim = maybe_wrap_dim(s.dim, static_cast<int64_t>(s.self_sizes.size()));
  if (!s.keepdim) {
    g = g.unsqueeze(dim);
    idx = idx.unsqueeze(dim);
  }
  return {zeros(s.self_sizes, g.options()).scatter_add(dim, idx, g)};
}

// (x - mean) and the divisor N - correction.
struct Deviation {
  Tensor centered;
  double denom;
};
Deviation deviation(const Tensor& x, const VarStdState& s, IntArrayRef dims) {
  // PyTorch divides by N - correction unclamped here (the forward clamps it at 0), so a
  // correction above the count gives a finite negative factor, not infinity.
  const int64_t count = reduced_count(s.self_sizes, s.dims, s.all);
  return {x - x.mean(dims, true), static_cast<double>(count - s.correction)};
}

variable_list var_formula(OpNode& n, const VarStdState& s, const variable_list& grads) {
  Tensor x = n.saved(0);
  DimVector dims = dims_or_all(s);
  Tensor g = kept(s, grads[0], dims);
  auto [centered, denom] = deviation(x, s, dims);
  // (2 / (N - correction)) g first, then the deviation: the order PyTorch uses, which also
  // keeps g (x - mean) from overflowing where the gradient does not.
  return {(g * (2.0 / denom)) * centered};
}

variable_list std_formula(OpNode& n, const VarStdState& s, const variable_list& grads) {
  Tensor x = n.saved(0);
  DimVector dims = dims_or_all(s);
  Tensor g = kept(s, grads[0], dims);
  auto [centered, denom] = deviation(x, s, dims);
  // std = sqrt(var): d std = d var / (2 std) = g (x - mean) / (std (N - correction)), and 0
  // where std is 0. (x - mean) / std comes first: it is at most sqrt(N) in size, where
  // g (x - mean) or 2 std can overflow.
  Tensor sk = kept(s, n.saved(1), dims);
  return {masked_grad(ne(sk, 0), g * (centered / sk) * (1.0 / denom))};
}

variable_list norm_formula(OpNode& n, const NormState& s, const variable_list& grads) {
  Tensor x = n.saved(0), y = n.saved(1);
  DimVector dims = dims_or_all(s);
  Tensor g = kept(s, grads[0], dims);
  Tensor yk = kept(s, y, dims);
  const double p = s.p;
  if (p == 0) return {zeros_like(x)};  // the count of non-zeros is piecewise constant
  if (p == 1) return {g * sign(x)};
  if (std::isinf(p)) {
    // The extremal elements, NaNs included when the norm is NaN (their sign is 0, as PyTorch's).
    Tensor mask = logical_or(eq(abs(x), yk), logical_and(isnan(x), isnan(yk))).to(x.dtype());
    return {g * sign(x) * mask / mask.sum(dims, true)};
  }
  // x / ||x|| first: g * x can overflow where the ratio is at most 1.
  if (p == 2) return {where(eq(yk, 0), scalar_to_tensor(0.0), g * (x / yk))};
  // General p: |x|^(p-1) sign(x) / ||x||^(p-1), 0 where x is 0 (for p < 1, |x|^(p-1) is
  // infinite there) and where the norm is 0. float16 and bfloat16 work in float32, where
  // the powers neither underflow nor overflow as they would in 11 or 8 bits.
  const bool narrow = x.dtype() == kFloat16 || x.dtype() == kBFloat16;
  Tensor xw = narrow ? x.to(kFloat32) : x, yw = narrow ? yk.to(kFloat32) : yk;
  Tensor scaled = masked_grad(ne(xw, 0), sign(xw) * pow(abs(xw), p - 1));
  return {where(eq(yw, 0), scalar_to_tensor(0.0), g * scaled / pow(yw, p - 1))};
}

// prod_{j < i} x_j along d (1 at i = 0); x.size(d) >= 1.
Tensor exclusive_cumprod(const Tensor& x, int64_t d) {
  const int64_t len = x.size(d);
  return cat({ones_like(x.narrow(d, 0, 1)), x.narrow(d, 0, len - 1)}, d).cumprod(d);
}

// prod_{j != i} x_j along d, from exclusive products on both sides: exact with zeros
// (y / x is not), and written with ember ops so it differentiates again.
Tensor product_of_others(const Tensor& x, int64_t d) {
  if (x.size(d) <= 1) return ones_like(x);
  return exclusive_cumprod(x, d) * exclusive_cumprod(x.flip({d}), d).flip({d});
}

// The product of the others is y / x without zeros (PyTorch's choice, which also decides
// what NaN and inf inputs give), and exclusive products on both sides otherwise (exact with
// zeros). Over all elements, two zeros or more make every gradient 0.
variable_list prod_all_formula(OpNode& n, const NoState&, const variable_list& grads) {
  Tensor y = n.saved(1);
  // In the result's dtype (prod(dtype=float64) of float16): a 0-dim y would otherwise be
  // divided in x's dtype, where it may not fit.
  Tensor x = n.saved(0).to(y.dtype());
  const Tensor& g = grads[0];
  if (x.dim() == 0) return {g};
  const int64_t zeros_in_x = eq(x, 0).sum().item<int64_t>();
  if (zeros_in_x == 0) return {g * (y / x)};
  if (zeros_in_x > 1) return {zeros_like(x)};
  return {g * product_of_others(x.reshape({-1}), 0).view(x.sizes())};
}

variable_list prod_dim_formula(OpNode& n, const ProdDimState& s, const variable_list& grads) {
  Tensor y = n.saved(1);
  Tensor x = n.saved(0).to(y.dtype());  // as in prod_all_formula
  const Tensor& g = grads[0];
  if (x.dim() == 0) return {g};
  const int64_t zeros_in_x = eq(x, 0).sum().item<int64_t>();
  Tensor gk = keep(g, s.self_sizes, {s.dim}, s.keepdim);
  if (zeros_in_x == 0) return {gk * (keep(y, s.self_sizes, {s.dim}, s.keepdim) / x)};
  return {gk * product_of_others(x, s.dim)};
}

// sum_{k >= i} t_k along d.
Tensor reverse_cumsum(const Tensor& t, int64_t d) { return t.flip({d}).cumsum(d).flip({d}); }

variable_list cumsum_formula(OpNode&, const DimState& s, const variable_list& grads) {
  return {reverse_cumsum(grads[0], s.dim)};
}

variable_list cumprod_formula(OpNode& n, const DimState& s, const variable_list& grads) {
  // d/dx_i sum_k g_k y_k = sum_{k>=i} g_k prod_{j<=k, j!=i} x_j.
  const int64_t d = s.dim;
  Tensor x = n.saved(0), y = n.saved(1);
  const Tensor& g = grads[0];
  if (x.dim() == 0 || x.size(d) == 1) return {g};  // y = x (PyTorch returns g, even for inf x)
  Tensor is_zero = eq(x, 0);
  // Without zeros the sum is sum_{k>=i} g_k y_k / x_i.
  if (!is_zero.any().item<bool>()) return {reverse_cumsum(g * y, d) / x};
  // With zeros: grad_i = prod_{j<i} x_j * S_i with S_i = sum_{k>=i} g_k prod_{i<j<=k} x_j,
  // built by the recurrence S_i = g_i + x_{i+1} S_{i+1} (one small op per position, paid
  // only when a zero is present). No division and no case split, so the result also
  // differentiates correctly in x_z = 0 itself (double backward).
  const int64_t len = x.size(d);  // >= 1: x holds a zero
  std::vector<Tensor> suffix(static_cast<size_t>(len));
  suffix[len - 1] = g.narrow(d, len - 1, 1);
  for (int64_t i = len - 2; i >= 0; --i) suffix[i] = g.narrow(d, i, 1) + x.narrow(d, i + 1, 1) * suffix[i + 1];
  return {exclusive_cumprod(x, d) * cat(suffix, d)};
}

}  // namespace

EMBER_INSTANTIATE_RECORD(ReduceState);
EMBER_INSTANTIATE_RECORD(SumState);
EMBER_INSTANTIATE_RECORD(VarStdState);
EMBER_INSTANTIATE_RECORD(NormState);
EMBER_INSTANTIATE_RECORD(IndexedState);
EMBER_INSTANTIATE_RECORD(ProdDimState);

const Derivative<DimState> SoftmaxBackward0{"SoftmaxBackward0", softmax_formula};
const Derivative<DimState> LogSoftmaxBackward0{"LogSoftmaxBackward0", log_softmax_formula};
const Derivative<ReduceState> LogsumexpBackward0{"LogsumexpBackward0", logsumexp_formula};
const Derivative<ReduceState> AmaxBackward0{"AmaxBackward0", extremum_formula};
const Derivative<ReduceState> AminBackward0{"AminBackward0", extremum_formula};
const Derivative<> MaxBackward1{"MaxBackward1", extremum_all_formula};
const Derivative<> MinBackward1{"MinBackward1", extremum_all_formula};
const Derivative<IndexedState> MaxBackward0{"MaxBackward0", indexed_formula};
const Derivative<IndexedState> MinBackward0{"MinBackward0", indexed_formula};
const Derivative<IndexedState> SortBackward0{"SortBackward0", indexed_formula};
const Derivative<IndexedState> TopkBackward0{"TopkBackward0", indexed_formula};
const Derivative<VarStdState> VarBackward0{"VarBackward0", var_formula};
const Derivative<VarStdState> StdBackward0{"StdBackward0", std_formula};
const Derivative<NormState> NormBackward0{"NormBackward0", norm_formula};
const Derivative<NormState> NormBackward1{"NormBackward1", norm_formula};
const Derivative<> ProdBackward0{"ProdBackward0", prod_all_formula};
const Derivative<ProdDimState> ProdBackward1{"ProdBackward1", prod_dim_formula};
const Derivative<DimState> CumsumBackward0{"CumsumBackward0", cumsum_formula};
const Derivative<DimState> CumprodBackward0{"CumprodBackward0", cumprod_formula};

}  // namespace ember::autograd
