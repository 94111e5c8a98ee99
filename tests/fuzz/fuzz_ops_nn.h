#pragma once
// Catalogue rows (Note [One catalogue, two libraries]): linear algebra, sorting,
// activations, losses, padding, normalize and distances.
#include <algorithm>

#include "fuzz_ops.h"
#include "fuzz_ops_shape.h"

namespace fuzz {

// ---- linear algebra -----------------------------------------------------------------------
// Note [Matrix operands]
// A linear-algebra op uses a program value when its rank (and inner size) fits and a fresh
// operand of a fitting shape otherwise, so most calls reach the kernels. p.i holds the
// argument positions of the op's matrices (operands first, then aux), p.s beta/alpha.
inline int64_t use_or_make(Rng& r, const std::vector<Meta>& m, int which, int arity, Params& p,
                           const std::vector<int64_t>& want, DType dt) {
  if (which < static_cast<int>(m.size()) && m[which].sizes == want && r.chance(0.8)) return which;
  std::vector<int64_t> sizes = want;
  if (!sizes.empty() && r.chance(kBadArg)) sizes.back() += 1;
  p.aux.push_back(aux_tensor(r, dt, sizes));
  return arity + static_cast<int64_t>(p.aux.size()) - 1;
}
inline int64_t dim_or(const Meta& m, int64_t d, Rng& r) {
  return d < m.rank() ? m.sizes[d] : r.uniform(0, 4);
}
inline DType mat_dtype(Rng& r, const Meta& m) {
  if (is_floating(m.dtype) && m.dtype != DType::Float16 && r.chance(0.9)) return m.dtype;
  return r.chance(0.8) ? (r.chance(0.5) ? DType::Float32 : DType::Float64) : random_dtype(r);
}
inline DType second_dtype(Rng& r, DType a) { return r.chance(0.9) ? a : random_dtype(r); }

inline void plan_mm(Rng& r, const std::vector<Meta>& m, Params& p) {
  const DType dt = mat_dtype(r, m[0]);
  const int64_t n = m[0].rank() == 2 ? m[0].sizes[0] : r.uniform(0, 4);
  const int64_t k = m[0].rank() == 2 ? m[0].sizes[1] : r.uniform(0, 4);
  const int64_t a = use_or_make(r, m, 0, 2, p, {n, k}, dt);
  const int64_t b = use_or_make(r, m, 1, 2, p, {k, dim_or(m[1], 1, r)}, second_dtype(r, dt));
  p.i = {a, b};
}
inline void plan_bmm(Rng& r, const std::vector<Meta>& m, Params& p) {
  const DType dt = mat_dtype(r, m[0]);
  const bool fits = m[0].rank() == 3;
  const int64_t bs = fits ? m[0].sizes[0] : r.uniform(0, 3), n = fits ? m[0].sizes[1] : r.uniform(0, 4),
                k = fits ? m[0].sizes[2] : r.uniform(0, 4);
  const int64_t a = use_or_make(r, m, 0, 2, p, {bs, n, k}, dt);
  const int64_t b = use_or_make(r, m, 1, 2, p, {bs, k, dim_or(m[1], 2, r)}, second_dtype(r, dt));
  p.i = {a, b};
}
inline void plan_matmul(Rng& r, const std::vector<Meta>& m, Params& p) {
  const DType dt = mat_dtype(r, m[0]);
  std::vector<int64_t> as = m[0].rank() >= 1 ? m[0].sizes : random_sizes(r, 1, 4);
  const int64_t k = as.back();
  std::vector<int64_t> bs;
  if (r.chance(0.25)) {
    bs = {k};
  } else {
    std::vector<int64_t> batch(as.begin(), as.end() - std::min<int64_t>(2, static_cast<int64_t>(as.size())));
    bs = broadcast_partner(r, batch);
    if (bs.size() > 2) bs.erase(bs.begin());
    bs.push_back(k);
    bs.push_back(r.uniform(0, 4));
  }
  const int64_t a = use_or_make(r, m, 0, 2, p, as, dt);
  const int64_t b = use_or_make(r, m, 1, 2, p, bs, second_dtype(r, dt));
  p.i = {a, b};
}
inline void plan_mv(Rng& r, const std::vector<Meta>& m, Params& p) {
  const DType dt = mat_dtype(r, m[0]);
  const int64_t n = m[0].rank() == 2 ? m[0].sizes[0] : r.uniform(0, 4);
  const int64_t k = m[0].rank() == 2 ? m[0].sizes[1] : r.uniform(0, 4);
  const int64_t a = use_or_make(r, m, 0, 2, p, {n, k}, dt);
  const int64_t b = use_or_make(r, m, 1, 2, p, {k}, second_dtype(r, dt));
  p.i = {a, b};
}
inline void plan_vv(Rng& r, const std::vector<Meta>& m, Params& p, bool same_len) {
  const DType dt = mat_dtype(r, m[0]);
  const int64_t n = m[0].rank() == 1 ? m[0].sizes[0] : r.uniform(0, 4);
  const int64_t a = use_or_make(r, m, 0, 2, p, {n}, dt);
  const int64_t b = use_or_make(r, m, 1, 2, p, {same_len ? n : dim_or(m[1], 0, r)}, second_dtype(r, dt));
  p.i = {a, b};
}
inline void plan_addmm(Rng& r, const std::vector<Meta>& m, Params& p) {
  plan_mm(r, m, p);
  // The matrices' sizes and dtype, wherever plan_mm took them from.
  auto sizes_of = [&](int64_t i) { return i < 2 ? m[i].sizes : p.aux[i - 2].sizes; };
  const DType dt = p.i[0] < 2 ? m[p.i[0]].dtype : p.aux[p.i[0] - 2].dtype;
  const std::vector<int64_t> out = {sizes_of(p.i[0])[0], sizes_of(p.i[1])[1]};
  p.aux.push_back(aux_tensor(r, second_dtype(r, dt), broadcast_partner(r, out)));
  p.i.push_back(2 + static_cast<int64_t>(p.aux.size()) - 1);
  static const double coefs[] = {1.0, 0.0, 0.5, 2.0, -1.0};
  p.s = {{ScalarArg::Float, coefs[r.uniform(0, 4)]}, {ScalarArg::Float, coefs[r.uniform(0, 4)]}};
  for (auto& s : p.s)
    if (s.v == std::round(s.v) && r.chance(0.5)) s.kind = ScalarArg::Int;
}

// ---- sorting ------------------------------------------------------------------------------
// i = {dim, descending / largest, stable / k}
inline void plan_sort(Rng& r, const std::vector<Meta>& m, Params& p) {
  p.form = r.chance(0.5) ? 0 : 1;
  p.i = {pick_dim(r, m[0].rank()), r.uniform(0, 1), r.uniform(0, 1)};
}
inline void plan_topk(Rng& r, const std::vector<Meta>& m, Params& p) {
  const int64_t d = pick_dim(r, m[0].rank()), n = m[0].rank() == 0 ? 1 : size_at(m[0], d);
  p.i = {d, r.uniform(0, 1), r.chance(kBadArg) ? n + 1 : r.uniform(0, n)};
}

// ---- activations --------------------------------------------------------------------------
// The nn::functional spellings (F::name(x, F::NameFuncOptions()...)), applied through
// L::functional; ops with an ATen function too pick the spelling by p.form.
enum class Act {
  relu, relu6, leaky_relu, elu, selu, celu, gelu, silu, mish, softplus, hardtanh, hardsigmoid, hardswish,
  logsigmoid, threshold, softsign, tanhshrink, softshrink, hardshrink, glu, softmin, tanh, sigmoid
};
// f = {a, b, c}: slope / alpha / beta / min / threshold / lambda, then max / value /
// threshold, then input_scale; i[0]: a dim (glu, softmin).
inline void plan_act(Rng& r, const std::vector<Meta>& m, Params& p) {
  p.form = r.chance(0.5) ? 0 : 1;
  static const double firsts[] = {0.01, 0.2, 1.0, -0.5, 2.0, 0.0};
  static const double seconds[] = {1.0, 0.5, 2.0, 20.0, -1.0};
  p.f = {firsts[r.uniform(0, 5)], seconds[r.uniform(0, 4)], r.chance(0.7) ? 1.0 : 0.5};
  p.i = {pick_dim(r, m[0].rank())};
}
inline std::string act_options(Act a, const Params& p) {
  switch (a) {
    case Act::leaky_relu: return "F::LeakyReLUFuncOptions().negative_slope(" + d_str(p.f[0]) + ")";
    case Act::elu: return "F::ELUFuncOptions().alpha(" + d_str(p.f[0]) + ")";
    case Act::celu: return "F::CELUFuncOptions().alpha(" + d_str(p.f[0]) + ")";
    case Act::gelu: return std::string("F::GELUFuncOptions().approximate(\"") + (p.f[2] == 1.0 ? "none" : "tanh") + "\")";
    case Act::softplus: return "F::SoftplusFuncOptions().beta(" + d_str(p.f[0]) + ").threshold(" + d_str(p.f[1]) + ")";
    case Act::hardtanh: return "F::HardtanhFuncOptions().min_val(" + d_str(p.f[0]) + ").max_val(" + d_str(p.f[1]) + ")";
    case Act::threshold: return "F::ThresholdFuncOptions(" + d_str(p.f[0]) + ", " + d_str(p.f[1]) + ")";
    case Act::softshrink: return "F::SoftshrinkFuncOptions(" + d_str(std::abs(p.f[0])) + ")";
    case Act::hardshrink: return "F::HardshrinkFuncOptions(" + d_str(std::abs(p.f[0])) + ")";
    case Act::glu: return "F::GLUFuncOptions(" + i_str(p.i[0]) + ")";
    case Act::softmin: return "F::SoftminFuncOptions(" + i_str(p.i[0]) + ")";
    default: return "";
  }
}

// ---- losses ---------------------------------------------------------------------------------
enum class Loss { mse, l1, smooth_l1, huber, bce, bce_with_logits, cross_entropy, nll, kl_div };
// Args: input, target, then optional weight / pos_weight (i[2], i[3] say which exist).
// i = {input position, target position, has weight, has pos_weight, reduction (0 none,
// 1 mean, 2 sum, 3 batchmean), ignore_index, log_target}; f = {beta / delta / label_smoothing}.
inline void plan_loss(Rng& r, const std::vector<Meta>& m, Params& p, Loss kind) {
  const Meta& x = m[0];
  const bool float_in = is_floating(x.dtype);
  const DType dt = float_in ? x.dtype : (r.chance(0.8) ? DType::Float32 : random_dtype(r));
  auto input_here = [&](const std::vector<int64_t>& sizes, Values values) -> int64_t {
    if (float_in && x.sizes == sizes && (values == Values::Mixed || r.chance(0.4))) return 0;
    p.aux.push_back(aux_tensor(r, dt, sizes, values));
    return 1 + static_cast<int64_t>(p.aux.size()) - 1;
  };
  int64_t in = 0, tg = 0;
  int64_t weight = 0, pos_weight = 0, ignore = -100;
  const bool classes = kind == Loss::cross_entropy || kind == Loss::nll;
  if (classes) {
    // (C), (N, C) or (N, C, d...): the class dim is 1 unless the input is 1-d.
    std::vector<int64_t> in_sizes = x.rank() >= 1 && x.rank() <= 4 ? x.sizes : random_sizes(r, 1, 3);
    const int64_t c = in_sizes.size() == 1 ? in_sizes[0] : in_sizes[1];
    in = input_here(in_sizes, kind == Loss::nll ? Values::Normal : Values::Mixed);
    std::vector<int64_t> t_sizes = in_sizes;
    t_sizes.erase(t_sizes.begin() + (in_sizes.size() == 1 ? 0 : 1));
    if (kind == Loss::cross_entropy && r.chance(0.3)) {
      p.aux.push_back(aux_tensor(r, second_dtype(r, dt), in_sizes, Values::Unit));  // probabilities
    } else {
      p.aux.push_back(index_tensor(r, t_sizes, 0, c - 1));
      if (r.chance(0.3)) ignore = r.chance(0.5) ? 0 : c - 1;
    }
    tg = static_cast<int64_t>(p.aux.size());
    if (r.chance(0.4)) {
      p.aux.push_back(aux_tensor(r, second_dtype(r, dt), {r.chance(kBadArg) ? c + 1 : c}, Values::Positive));
      // LibTorch does not differentiate class weights (and says so); test that rarely.
      p.aux.back().requires_grad = p.aux.back().requires_grad && r.chance(0.1);
      weight = 1;
    }
  } else {
    const bool prob_input = kind == Loss::bce;
    in = input_here(x.sizes, prob_input ? Values::Unit : Values::Mixed);
    std::vector<int64_t> t_sizes = r.chance(0.1) ? broadcast_partner(r, x.sizes) : x.sizes;
    const Values tv = kind == Loss::bce || kind == Loss::bce_with_logits || kind == Loss::kl_div ? Values::Unit
                                                                                              : Values::Mixed;
    p.aux.push_back(aux_tensor(r, second_dtype(r, dt), t_sizes, tv));
    tg = static_cast<int64_t>(p.aux.size());
    if ((kind == Loss::bce || kind == Loss::bce_with_logits) && r.chance(0.3)) {
      p.aux.push_back(aux_tensor(r, second_dtype(r, dt), broadcast_partner(r, x.sizes), Values::Positive));
      p.aux.back().requires_grad = p.aux.back().requires_grad && r.chance(0.1);  // as for class weights
      weight = 1;
    }
    if (kind == Loss::bce_with_logits && r.chance(0.3)) {
      const std::vector<int64_t> pw = x.rank() ? std::vector<int64_t>{x.sizes.back()} : std::vector<int64_t>{};
      p.aux.push_back(aux_tensor(r, second_dtype(r, dt), pw, Values::Positive));
      p.aux.back().requires_grad = p.aux.back().requires_grad && r.chance(0.1);
      pos_weight = 1;
    }
  }
  const int64_t reduction = kind == Loss::kl_div ? r.uniform(0, 3) : r.uniform(0, 2);
  p.i = {in, tg, weight, pos_weight, reduction, ignore, r.uniform(0, 1)};
  static const double fs[] = {1.0, 0.5, 0.0, 2.0};
  p.f = {kind == Loss::cross_entropy ? (r.chance(0.6) ? 0.0 : 0.2) : fs[r.uniform(0, 3)]};
}
inline const char* reduction_str(int64_t r) {
  static const char* names[] = {"torch::kNone", "torch::kMean", "torch::kSum", "torch::kBatchMean"};
  return names[r];
}
// Argument positions: input i[0], target i[1], weight and pos_weight follow the target.
template <class L>
typename L::Tensor loss_arg(const Tensors<L>& a, const Params& p, int which) {
  if (which == 0) return a[p.i[0]];
  if (which == 1) return a[p.i[1]];
  if (which == 2) return p.i[2] ? a[p.i[1] + 1] : typename L::Tensor();
  return p.i[3] ? a[p.i[1] + 1 + p.i[2]] : typename L::Tensor();
}
inline std::string loss_str(const char* name, const Params& p, const Names& n) {
  std::string opts = cat_all("F::", name, "FuncOptions()");
  if (p.i[2]) opts += ".weight(" + n[p.i[1] + 1] + ")";
  if (p.i[3]) opts += ".pos_weight(" + n[p.i[1] + 1 + p.i[2]] + ")";
  opts += cat_all(".reduction(", reduction_str(p.i[4]), ")");
  return cat_all(n[p.i[0]], ", ", n[p.i[1]], ", ", opts);
}

// ---- padding, normalize, distances -------------------------------------------------------------
// i = {mode (0 constant, 1 reflect, 2 replicate, 3 circular)}, l[0] the pads, f[0] the value.
// Reflect and replicate pad the last 1-3 dims of an input with one or two more dims;
// circular takes batched inputs only (N, C, ...) in LibTorch 1.13, so its planner mostly
// stays with those. Every mode takes negative pads (they crop).
inline void plan_pad(Rng& r, const std::vector<Meta>& m, Params& p) {
  const int64_t rank = m[0].rank();
  int64_t mode = rank >= 2 && r.chance(0.5) ? r.uniform(1, 3) : 0;
  if (mode == 3 && rank < 3) mode = 1;
  int64_t padded = mode == 0 ? r.uniform(1, std::max<int64_t>(rank, 1)) : std::min<int64_t>(rank - 1, 3);
  if (mode != 0 && rank >= 3 && (mode == 3 || r.chance(0.5))) padded = rank - 2;
  if (r.chance(kBadArg)) padded += 1;
  std::vector<int64_t> pads;
  for (int64_t j = 0; j < padded; ++j) {
    const int64_t n = j < rank ? m[0].sizes[rank - 1 - j] : 1;
    for (int side = 0; side < 2; ++side)
      pads.push_back(mode == 0 || r.chance(0.15) ? r.uniform(-1, 2)
                     : mode == 1                 ? r.uniform(0, std::max<int64_t>(n - 1, 0))
                                                 : r.uniform(0, std::min<int64_t>(n, 2)));
  }
  p.i = {mode};
  p.l = {pads};
  p.f = {r.chance(0.5) ? 0.0 : -1.5};
}
inline void plan_normalize(Rng& r, const std::vector<Meta>& m, Params& p) {
  static const double ps[] = {2.0, 1.0, 0.5, 3.0, INFINITY};
  p.f = {ps[r.uniform(0, 4)], r.chance(0.7) ? 1e-12 : 0.5};
  p.i = {pick_dim(r, m[0].rank())};
}
// cosine_similarity / pairwise_distance: the second input is the given value when it
// broadcasts (i[1] = 1), a fresh one otherwise; f = {p, eps}, i = {dim, program value?, keepdim}.
inline void plan_distance(Rng& r, const std::vector<Meta>& m, Params& p) {
  const bool chain = broadcastable(m[0].sizes, m[1].sizes) && r.chance(0.5);
  if (!chain) p.aux.push_back(aux_tensor(r, second_dtype(r, m[0].dtype), broadcast_partner(r, m[0].sizes)));
  static const double ps[] = {2.0, 1.0, 0.5, 3.0, INFINITY, 0.0};
  p.f = {ps[r.uniform(0, 5)], r.chance(0.7) ? 1e-6 : 0.5};
  p.i = {pick_dim(r, m[0].rank()), chain ? 1 : 0, r.uniform(0, 1)};
}

template <class L>
void add_nn_ops(std::vector<OpDef<L>>& v) {
  using T = Tensors<L>;
  // ---- linear algebra (Note [Matrix operands]) ----------------------------------------
#define FUZZ_MATMUL(NAME, PLAN)                                                                 \
  v.push_back({#NAME, "linalg", 2, PLAN,                                                         \
               [](const Params& p, const Names& n) {                                             \
                 return cat_all("torch::" #NAME "(", n[p.i[0]], ", ", n[p.i[1]], ")");            \
               },                                                                                \
               [](const T& a, const Params& p) -> T { return {NAME(a[p.i[0]], a[p.i[1]])}; }});
  FUZZ_MATMUL(mm, plan_mm)
  FUZZ_MATMUL(bmm, plan_bmm)
  FUZZ_MATMUL(matmul, plan_matmul)
  FUZZ_MATMUL(mv, plan_mv)
#undef FUZZ_MATMUL
  v.push_back({"dot", "linalg", 2, [](Rng& r, const std::vector<Meta>& m, Params& p) { plan_vv(r, m, p, true); },
               [](const Params& p, const Names& n) { return cat_all(n[p.i[0]], ".dot(", n[p.i[1]], ")"); },
               [](const T& a, const Params& p) -> T { return {a[p.i[0]].dot(a[p.i[1]])}; }});
  v.push_back({"outer", "linalg", 2, [](Rng& r, const std::vector<Meta>& m, Params& p) { plan_vv(r, m, p, false); },
               [](const Params& p, const Names& n) { return cat_all(n[p.i[0]], ".outer(", n[p.i[1]], ")"); },
               [](const T& a, const Params& p) -> T { return {a[p.i[0]].outer(a[p.i[1]])}; }});
  v.push_back({"addmm", "linalg", 2, plan_addmm,
               [](const Params& p, const Names& n) {
                 return cat_all("torch::addmm(", n[p.i[2]], ", ", n[p.i[0]], ", ", n[p.i[1]], ", ", p.s[0].str(), ", ",
                                p.s[1].str(), ")");
               },
               [](const T& a, const Params& p) -> T {
                 return {addmm(a[p.i[2]], a[p.i[0]], a[p.i[1]], L::scalar(p.s[0]), L::scalar(p.s[1]))};
               }});

  // ---- sorting (Note [Ties]) -----------------------------------------------------------------
  v.push_back({"sort", "sort", 1, plan_sort,
               [](const Params& p, const Names& n) {
                 if (p.form == 0) return cat_all("torch::sort(", n[0], ", ", i_str(p.i[0]), ", ", b_str(p.i[1]), ")");
                 return cat_all("torch::sort(", n[0], ", /*stable=*/", b_str(p.i[2]), ", ", i_str(p.i[0]), ", ",
                                b_str(p.i[1]), ")");
               },
               [](const T& a, const Params& p) -> T {
                 auto [values, indices] =
                     p.form == 0 ? sort(a[0], p.i[0], p.i[1] != 0) : sort(a[0], p.i[2] != 0, p.i[0], p.i[1] != 0);
                 return {values, indices};
               },
               1});
  v.push_back({"argsort", "sort", 1, plan_sort,
               [](const Params& p, const Names& n) {
                 return cat_all(n[0], ".argsort(", i_str(p.i[0]), ", ", b_str(p.i[1]), ")");
               },
               [](const T& a, const Params& p) -> T { return {a[0].argsort(p.i[0], p.i[1] != 0)}; }, 0});
  v.push_back({"topk", "sort", 1, plan_topk,
               [](const Params& p, const Names& n) {
                 return cat_all(n[0], ".topk(", i_str(p.i[2]), ", ", i_str(p.i[0]), ", ", b_str(p.i[1]), ")");
               },
               [](const T& a, const Params& p) -> T {
                 auto [values, indices] = a[0].topk(p.i[2], p.i[0], p.i[1] != 0, true);
                 return {values, indices};
               },
               1});

  // ---- activations -------------------------------------------------------------------------------
  // Both spellings: form 0 the ATen function, form 1 F::.
#define FUZZ_ACT(NAME, ATEN_CALL, ATEN_TEXT)                                                        \
  v.push_back({#NAME, "activation", 1, plan_act,                                                     \
               [](const Params& p, const Names& n) {                                                 \
                 if (p.form == 1) {                                                                  \
                   const std::string o = act_options(Act::NAME, p);                                  \
                   return cat_all("F::" #NAME "(", n[0], o.empty() ? "" : ", ", o, ")");             \
                 }                                                                                   \
                 return std::string(ATEN_TEXT);                                               \
               },                                                                                    \
               [](const T& a, const Params& p) -> T {                                                \
                 const auto& x = a[0];                                                               \
                 if (p.form == 1) return {L::functional(Act::NAME, x, p)};                           \
                 return {ATEN_CALL};                                                                 \
               }});
  FUZZ_ACT(relu6, relu6(x), "torch::relu6(" + n[0] + ")")
  FUZZ_ACT(leaky_relu, leaky_relu(x, p.f[0]), cat_all("torch::leaky_relu(", n[0], ", ", d_str(p.f[0]), ")"))
  FUZZ_ACT(elu, elu(x, p.f[0], p.f[1], p.f[2]),
           cat_all("torch::elu(", n[0], ", ", d_str(p.f[0]), ", ", d_str(p.f[1]), ", ", d_str(p.f[2]), ")"))
  FUZZ_ACT(selu, selu(x), "torch::selu(" + n[0] + ")")
  FUZZ_ACT(celu, celu(x, p.f[0]), cat_all("torch::celu(", n[0], ", ", d_str(p.f[0]), ")"))
  FUZZ_ACT(silu, silu(x), "torch::silu(" + n[0] + ")")
  FUZZ_ACT(mish, mish(x), "torch::mish(" + n[0] + ")")
  FUZZ_ACT(softplus, softplus(x, p.f[0], p.f[1]),
           cat_all("torch::softplus(", n[0], ", ", d_str(p.f[0]), ", ", d_str(p.f[1]), ")"))
  FUZZ_ACT(hardtanh, hardtanh(x, p.f[0], p.f[1]),
           cat_all("torch::hardtanh(", n[0], ", ", d_str(p.f[0]), ", ", d_str(p.f[1]), ")"))
  FUZZ_ACT(hardsigmoid, hardsigmoid(x), "torch::hardsigmoid(" + n[0] + ")")
  FUZZ_ACT(hardswish, hardswish(x), "torch::hardswish(" + n[0] + ")")
  FUZZ_ACT(logsigmoid, log_sigmoid(x), "torch::log_sigmoid(" + n[0] + ")")
  FUZZ_ACT(threshold, threshold(x, p.f[0], p.f[1]),
           cat_all("torch::threshold(", n[0], ", ", d_str(p.f[0]), ", ", d_str(p.f[1]), ")"))
  FUZZ_ACT(relu, x.relu(), n[0] + ".relu()  // the method")
  FUZZ_ACT(gelu, gelu(x, p.f[2] == 1.0 ? "none" : "tanh"),
           cat_all("torch::gelu(", n[0], ", \"", p.f[2] == 1.0 ? "none" : "tanh", "\")"))
  FUZZ_ACT(tanh, x.tanh(), n[0] + ".tanh()")
  FUZZ_ACT(sigmoid, x.sigmoid(), n[0] + ".sigmoid()")
  // F:: only (ember has no ATen-level function for these).
  FUZZ_ACT(softsign, L::functional(Act::softsign, x, p), "F::softsign(" + n[0] + ")")
  FUZZ_ACT(tanhshrink, L::functional(Act::tanhshrink, x, p), "F::tanhshrink(" + n[0] + ")")
  FUZZ_ACT(softshrink, L::functional(Act::softshrink, x, p), "F::softshrink(" + n[0] + ", " + act_options(Act::softshrink, p) + ")")
  FUZZ_ACT(hardshrink, L::functional(Act::hardshrink, x, p), "F::hardshrink(" + n[0] + ", " + act_options(Act::hardshrink, p) + ")")
  FUZZ_ACT(glu, L::functional(Act::glu, x, p), "F::glu(" + n[0] + ", " + act_options(Act::glu, p) + ")")
  FUZZ_ACT(softmin, L::functional(Act::softmin, x, p), "F::softmin(" + n[0] + ", " + act_options(Act::softmin, p) + ")")
#undef FUZZ_ACT
  v.push_back({"prelu", "activation", 1,
               [](Rng& r, const std::vector<Meta>& m, Params& p) {
                 const int64_t c = m[0].rank() >= 2 && r.chance(0.6) ? m[0].sizes[1] : 1;
                 p.aux.push_back(aux_tensor(r, second_dtype(r, m[0].dtype), {c}));
               },
               [](const Params&, const Names& n) { return cat_all("torch::prelu(", n[0], ", ", n[1], ")"); },
               [](const T& a, const Params&) -> T { return {prelu(a[0], a[1])}; }});

  // ---- losses --------------------------------------------------------------------------------------
#define FUZZ_LOSS(NAME, KIND, OPTS_NAME, EXTRA)                                                      \
  v.push_back({#NAME, "loss", 1, [](Rng& r, const std::vector<Meta>& m, Params& p) { plan_loss(r, m, p, Loss::KIND); }, \
               [](const Params& p, const Names& n) {                                                 \
                 return cat_all("F::" #NAME "(", loss_str(OPTS_NAME, p, n), EXTRA, ")");            \
               },                                                                                    \
               [](const T& a, const Params& p) -> T {                                                \
                 return {L::loss(Loss::KIND, loss_arg<L>(a, p, 0), loss_arg<L>(a, p, 1), loss_arg<L>(a, p, 2), \
                                 loss_arg<L>(a, p, 3), p)};                                          \
               }});
  FUZZ_LOSS(mse_loss, mse, "MSELoss", "")
  FUZZ_LOSS(l1_loss, l1, "L1Loss", "")
  FUZZ_LOSS(smooth_l1_loss, smooth_l1, "SmoothL1Loss", ", /*beta=*/" + d_str(p.f[0]))
  FUZZ_LOSS(huber_loss, huber, "HuberLoss", ".delta(" + d_str(p.f[0] == 0 ? 1.0 : p.f[0]) + ")")
  FUZZ_LOSS(binary_cross_entropy, bce, "BinaryCrossEntropy", "")
  FUZZ_LOSS(binary_cross_entropy_with_logits, bce_with_logits, "BinaryCrossEntropyWithLogits", "")
  FUZZ_LOSS(cross_entropy, cross_entropy, "CrossEntropy",
            cat_all(".ignore_index(", i_str(p.i[5]), ").label_smoothing(", d_str(p.f[0]), ")"))
  FUZZ_LOSS(nll_loss, nll, "NLLLoss", ".ignore_index(" + i_str(p.i[5]) + ")")
  FUZZ_LOSS(kl_div, kl_div, "KLDiv", ".log_target(" + b_str(p.i[6]) + ")")
#undef FUZZ_LOSS

  // ---- padding, normalize, distances -----------------------------------------------------------------
  v.push_back({"pad", "nn", 1, plan_pad,
               [](const Params& p, const Names& n) {
                 static const char* modes[] = {"torch::kConstant", "torch::kReflect", "torch::kReplicate",
                                               "torch::kCircular"};
                 return cat_all("F::pad(", n[0], ", F::PadFuncOptions(", l_str(p.l[0]), ").mode(", modes[p.i[0]],
                                ").value(", d_str(p.f[0]), "))");
               },
               [](const T& a, const Params& p) -> T { return {L::pad(a[0], p.l[0], p.i[0], p.f[0])}; }});
  v.push_back({"normalize", "nn", 1, plan_normalize,
               [](const Params& p, const Names& n) {
                 return cat_all("F::normalize(", n[0], ", F::NormalizeFuncOptions().p(", d_str(p.f[0]), ").dim(",
                                i_str(p.i[0]), ").eps(", d_str(p.f[1]), "))");
               },
               [](const T& a, const Params& p) -> T { return {L::normalize(a[0], p.f[0], p.i[0], p.f[1])}; }});
  v.push_back({"cosine_similarity", "nn", 2, plan_distance,
               [](const Params& p, const Names& n) {
                 return cat_all("F::cosine_similarity(", n[0], ", ", p.i[1] ? n[1] : n[2],
                                ", F::CosineSimilarityFuncOptions().dim(", i_str(p.i[0]), ").eps(", d_str(p.f[1]), "))");
               },
               [](const T& a, const Params& p) -> T {
                 return {L::cosine_similarity(a[0], p.i[1] ? a[1] : a[2], p.i[0], p.f[1])};
               }});
  v.push_back({"pairwise_distance", "nn", 2, plan_distance,
               [](const Params& p, const Names& n) {
                 return cat_all("F::pairwise_distance(", n[0], ", ", p.i[1] ? n[1] : n[2],
                                ", F::PairwiseDistanceFuncOptions().p(", d_str(p.f[0]), ").eps(", d_str(p.f[1]),
                                ").keepdim(", b_str(p.i[2]), "))");
               },
               [](const T& a, const Params& p) -> T {
                 return {L::pairwise_distance(a[0], p.i[1] ? a[1] : a[2], p.f[0], p.f[1], p.i[2] != 0)};
               }});
}

}  // namespace fuzz
