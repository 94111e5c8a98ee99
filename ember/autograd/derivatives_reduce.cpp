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

// Elements folded into each output of a reduction over `dims` (every dim when `all`).
int64_t reduced_count(const Tensor& self, IntArrayRef dims, bool all) {
  if (all) return self.numel();
  int64_t count = 1;
  if (self.dim() > 0)
    for (int64_t d : dims) count *= self.size(maybe_wrap_dim(d, self.dim()));
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

// shape0: input sizes; shape1: reduced dims (empty: all); i0: keepdim; i1: element count.
variable_list sum_formula(OpNode& n, const variable_list& grads) {
  DimVector dims = n.shape1;
  if (dims.empty())
    for (size_t d = 0; d < n.shape0.size(); ++d) dims.push_back(static_cast<int64_t>(d));
  Tensor g = grads[0];
  if (n.shape1.empty()) g = g.reshape(DimVector(n.shape0.size(), 1));  // all-reduce: 0-dim grad
  Tensor r = unreduce(g, n.shape0, n.shape1.empty() ? IntArrayRef() : IntArrayRef(dims), n.i0 != 0 || n.shape1.empty());
  if (n.code == 1) r = r / static_cast<double>(n.i1);  // mean
  return {r.to(n.dtype0)};
}
}  // namespace

void record_sum(const Tensor& self, IntArrayRef dims, bool keepdim, const Tensor& result, bool all, bool mean) {
  if (!should_record({&self})) return;
  const char* name = mean ? (all ? "MeanBackward0" : "MeanBackward1") : (all ? "SumBackward0" : "SumBackward1");
  auto node = make_node(name, sum_formula, {&self});
  node->code = mean ? 1 : 0;
  node->shape0 = DimVector(self.sizes().begin(), self.sizes().end());
  if (!all) node->shape1 = DimVector(dims.begin(), dims.end());
  node->i0 = keepdim;
  node->i1 = reduced_count(self, dims, all);
  node->dtype0 = self.dtype();
  set_history(result, node);
}

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
DimVector dims_or_all(const OpNode& n) { return n.i2 ? all_dims(static_cast<int64_t>(n.shape0.size())) : n.shape1; }

variable_list softmax_formula(OpNode& n, const variable_list& grads) {
  Tensor y = n.saved(0);
  const Tensor& g = grads[0];
  if (n.code == 1) return {g - exp(y) * g.sum({n.i0}, true)};  // log_softmax
  return {y * (g - (g * y).sum({n.i0}, true))};
}

variable_list logsumexp_formula(OpNode& n, const variable_list& grads) {
  Tensor x = n.saved(0), y = n.saved(1);
  DimVector dims = n.shape1;
  return {keep(grads[0], n.shape0, dims, n.i0) * exp(x - keep(y, n.shape0, dims, n.i0))};
}

// amax/amin: the gradient is shared evenly among the elements equal to the result. A NaN
// result equals nothing, so its slice gets 0/0 = NaN, as in PyTorch.
variable_list extremum_formula(OpNode& n, const variable_list& grads) {
  Tensor x = n.saved(0), y = n.saved(1);
  DimVector dims = dims_or_all(n);
  bool kd = n.i0 || n.i2;
  Tensor yk = n.i2 ? y.reshape(DimVector(n.shape0.size(), 1)) : keep(y, n.shape0, dims, kd);
  Tensor gk = n.i2 ? grads[0].reshape(DimVector(n.shape0.size(), 1)) : keep(grads[0], n.shape0, dims, kd);
  Tensor mask = eq(x, yk).to(x.dtype());
  return {gk * mask / mask.sum(dims, true)};
}

// max()/min() of a whole tensor: the gradient is shared evenly among the elements equal to
// the result, or among the NaN elements when the result is NaN (PyTorch's
// evenly_distribute_backward); elsewhere it is exactly 0, even for an infinite gradient.
variable_list extremum_all_formula(OpNode& n, const variable_list& grads) {
  Tensor x = n.saved(0), y = n.saved(1);
  Tensor mask = isnan(y).item<bool>() ? isnan(x) : eq(x, y);
  return {masked_grad(mask, grads[0] / mask.sum())};
}

variable_list indexed_formula(OpNode& n, const variable_list& grads) {
  Tensor idx = n.saved(0);
  Tensor g = grads[0];
  if (!n.i1 && n.shape0.size() > 0) {
    g = g.unsqueeze(n.i0);
    idx = idx.unsqueeze(n.i0);
  }
  if (n.shape0.empty()) return {g.reshape({})};
  return {zeros(n.shape0, g.options()).scatter_add(n.i0, idx, g)};
}

variable_list var_std_formula(OpNode& n, const variable_list& grads) {
  Tensor x = n.saved(0);
  DimVector dims = dims_or_all(n);
  bool kd = n.i0 || n.i2;
  Tensor g = n.i2 ? grads[0].reshape(DimVector(n.shape0.size(), 1)) : keep(grads[0], n.shape0, dims, kd);
  // PyTorch divides by N - correction unclamped here (the forward clamps it at 0), so a
  // correction above the count gives a finite negative factor, not infinity.
  double denom = static_cast<double>(n.i3 - n.i1);
  Tensor centered = x - x.mean(dims, true);
  if (n.code == 1) {
    // std = sqrt(var): d std = d var / (2 std) = g (x - mean) / (std (N - correction)), and 0
    // where std is 0. (x - mean) / std comes first: it is at most sqrt(N) in size, where
    // g (x - mean) or 2 std can overflow.
    Tensor s = n.saved(1);
    Tensor sk = n.i2 ? s.reshape(DimVector(n.shape0.size(), 1)) : keep(s, n.shape0, dims, kd);
    return {masked_grad(ne(sk, 0), g * (centered / sk) * (1.0 / denom))};
  }
  // (2 / (N - correction)) g first, then the deviation: the order PyTorch uses, which also
  // keeps g (x - mean) from overflowing where the gradient does not.
  return {(g * (2.0 / denom)) * centered};
}

variable_list norm_formula(OpNode& n, const variable_list& grads) {
  Tensor x = n.saved(0), y = n.saved(1);
  DimVector dims = dims_or_all(n);
  bool kd = n.i0 || n.i2;
  Tensor g = n.i2 ? grads[0].reshape(DimVector(n.shape0.size(), 1)) : keep(grads[0], n.shape0, dims, kd);
  Tensor yk = n.i2 ? y.reshape(DimVector(n.shape0.size(), 1)) : keep(y, n.shape0, dims, kd);
  double p = n.s0.toDouble();
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
variable_list prod_formula(OpNode& n, const variable_list& grads) {
  Tensor y = n.saved(1);
  // In the result's dtype (prod(dtype=float64) of float16): a 0-dim y would otherwise be
  // divided in x's dtype, where it may not fit.
  Tensor x = n.saved(0).to(y.dtype());
  const Tensor& g = grads[0];
  if (x.dim() == 0) return {g};
  const int64_t zeros_in_x = eq(x, 0).sum().item<int64_t>();
  if (n.i2) {  // all
    if (zeros_in_x == 0) return {g * (y / x)};
    if (zeros_in_x > 1) return {zeros_like(x)};
    return {g * product_of_others(x.reshape({-1}), 0).view(x.sizes())};
  }
  Tensor gk = keep(g, n.shape0, {n.i0}, n.i1);
  if (zeros_in_x == 0) return {gk * (keep(y, n.shape0, {n.i0}, n.i1) / x)};
  return {gk * product_of_others(x, n.i0)};
}

// sum_{k >= i} t_k along d.
Tensor reverse_cumsum(const Tensor& t, int64_t d) { return t.flip({d}).cumsum(d).flip({d}); }

variable_list cumsum_formula(OpNode& n, const variable_list& grads) { return {reverse_cumsum(grads[0], n.i0)}; }

variable_list cumprod_formula(OpNode& n, const variable_list& grads) {
  // d/dx_i sum_k g_k y_k = sum_{k>=i} g_k prod_{j<=k, j!=i} x_j.
  const int64_t d = n.i0;
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

std::shared_ptr<OpNode> reduce_node(const char* name, Formula f, const Tensor& self, IntArrayRef dims, bool keepdim,
                                    bool all) {
  auto node = make_node(name, f, {&self});
  node->shape0 = DimVector(self.sizes().begin(), self.sizes().end());
  if (!all) node->shape1 = DimVector(dims.begin(), dims.end());
  node->i0 = keepdim;
  node->i2 = all;
  return node;
}
}  // namespace

void record_softmax(const Tensor& self, int64_t dim, const Tensor& result, bool log) {
  if (!should_record({&self})) return;
  auto node = make_node(log ? "LogSoftmaxBackward0" : "SoftmaxBackward0", softmax_formula, {&self});
  node->code = log ? 1 : 0;
  node->i0 = maybe_wrap_dim(dim, self.dim());
  set_history(result, node);
  node->saved_ = {SavedVariable(result, true)};
}

void record_logsumexp(const Tensor& self, IntArrayRef dims, bool keepdim, const Tensor& result) {
  if (!should_record({&self})) return;
  auto node = reduce_node("LogsumexpBackward0", logsumexp_formula, self, dims, keepdim, false);
  set_history(result, node);
  node->saved_ = {SavedVariable(self, false), SavedVariable(result, true)};
}

void record_extremum(const Tensor& self, IntArrayRef dims, bool keepdim, const Tensor& result, bool all,
                     const char* name) {
  if (!should_record({&self})) return;
  auto node = reduce_node(name, extremum_formula, self, dims, keepdim, all);
  set_history(result, node);
  node->saved_ = {SavedVariable(self, false), SavedVariable(result, true)};
}

void record_extremum_all(const Tensor& self, const Tensor& result, bool is_max) {
  if (!should_record({&self})) return;
  auto node = reduce_node(is_max ? "MaxBackward1" : "MinBackward1", extremum_all_formula, self, {}, false, true);
  set_history(result, node);
  node->saved_ = {SavedVariable(self, false), SavedVariable(result, true)};
}

void record_indexed(const char* name, const Tensor& self, int64_t dim, bool keepdim, const Tensor& values,
                    const Tensor& indices) {
  if (!should_record({&self})) return;
  auto node = make_node(name, indexed_formula, {&self});
  node->shape0 = DimVector(self.sizes().begin(), self.sizes().end());
  node->i0 = self.dim() ? maybe_wrap_dim(dim, self.dim()) : 0;
  node->i1 = keepdim;
  node->saved_ = {SavedVariable(indices, false)};
  set_history(values, node);
}

void record_var_std(const Tensor& self, IntArrayRef dims, int64_t correction, bool keepdim, const Tensor& result,
                    bool all, bool is_std) {
  if (!should_record({&self})) return;
  auto node = reduce_node(is_std ? "StdBackward0" : "VarBackward0", var_std_formula, self, dims, keepdim, all);
  node->code = is_std;
  node->i1 = correction;
  node->i3 = reduced_count(self, dims, all);
  set_history(result, node);
  node->saved_ = {SavedVariable(self, false), SavedVariable(result, true)};
}

void record_norm(const Tensor& self, double p, IntArrayRef dims, bool keepdim, const Tensor& result, bool all) {
  if (!should_record({&self})) return;
  auto node = reduce_node(all ? "NormBackward0" : "NormBackward1", norm_formula, self, dims, keepdim, all);
  node->s0 = p;
  set_history(result, node);
  node->saved_ = {SavedVariable(self, false), SavedVariable(result, true)};
}

void record_prod(const Tensor& self, std::optional<int64_t> dim, bool keepdim, const Tensor& result) {
  if (!should_record({&self})) return;
  auto node = make_node(dim ? "ProdBackward1" : "ProdBackward0", prod_formula, {&self});
  node->shape0 = DimVector(self.sizes().begin(), self.sizes().end());
  node->i0 = dim ? maybe_wrap_dim(*dim, self.dim()) : 0;
  node->i1 = keepdim;
  node->i2 = !dim;
  set_history(result, node);
  node->saved_ = {SavedVariable(self, false), SavedVariable(result, true)};
}

void record_cumsum(const Tensor& self, int64_t dim, const Tensor& result) {
  if (!should_record({&self})) return;
  auto node = make_node("CumsumBackward0", cumsum_formula, {&self});
  node->i0 = maybe_wrap_dim(dim, self.dim());
  set_history(result, node);
}

void record_cumprod(const Tensor& self, int64_t dim, const Tensor& result) {
  if (!should_record({&self})) return;
  auto node = make_node("CumprodBackward0", cumprod_formula, {&self});
  node->i0 = maybe_wrap_dim(dim, self.dim());
  set_history(result, node);
  node->saved_ = {SavedVariable(self, false), SavedVariable(result, true)};
}

}  // namespace ember::autograd
