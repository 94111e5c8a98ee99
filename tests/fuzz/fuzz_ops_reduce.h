#pragma once
// Catalogue rows (Note [One catalogue, two libraries]): reductions, scans and softmax.
// Params layout: i[0] a single dim, i[1] keepdim, l[0] a dim list, dt a dtype argument.
#include "fuzz_ops.h"

namespace fuzz {

// form 0: all dims; 1: over l[0] with keepdim i[1]; 2: all dims with dtype; 3: dims + dtype.
inline void plan_reduce_dims(Rng& r, const std::vector<Meta>& m, Params& p) {
  p.form = static_cast<int>(r.uniform(0, 3));
  p.l = {pick_dims(r, m[0].rank())};
  p.i = {pick_dim(r, m[0].rank()), r.uniform(0, 1)};
  p.dt = r.chance(0.6) ? (is_floating(m[0].dtype) ? m[0].dtype : DType::Float64) : random_dtype(r);
}
inline std::string dims_args(const Params& p) { return cat_all(l_str(p.l[0]), ", ", b_str(p.i[1])); }

// form 0: no dim; 1: dim i[0] with keepdim i[1].
inline void plan_reduce_dim(Rng& r, const std::vector<Meta>& m, Params& p) {
  p.form = r.chance(0.4) ? 0 : 1;
  p.i = {pick_dim(r, m[0].rank()), r.uniform(0, 1)};
  p.dt = r.chance(0.5) ? DType::Float64 : random_dtype(r);
}
inline std::string dim_args(const Params& p) { return cat_all(i_str(p.i[0]), ", ", b_str(p.i[1])); }

// var/std: form 0 the default (unbiased, all dims); 1 dims l[0]; 2 all dims (nullopt); with
// correction i[2] (including more than the count, which divides by zero).
inline void plan_var(Rng& r, const std::vector<Meta>& m, Params& p) {
  plan_reduce_dims(r, m, p);
  p.form = static_cast<int>(r.uniform(0, 2));
  static const int64_t corrections[] = {0, 1, 1, 2, 7};
  p.i.push_back(corrections[r.uniform(0, 4)]);
}
inline std::string print_var(const char* name, const Params& p, const Names& n) {
  if (p.form == 0) return cat_all(n[0], ".", name, "()");
  return cat_all("torch::", name, "(", n[0], ", ", p.form == 1 ? l_str(p.l[0]) : "c10::nullopt",
                 ", /*correction=*/", i_str(p.i[2]), ", ", b_str(p.i[1]), ")");
}

// norm: form 0 x.norm(p), 1 x.norm(p, dims, keepdim); p = s[0].
inline void plan_norm(Rng& r, const std::vector<Meta>& m, Params& p) {
  plan_reduce_dims(r, m, p);
  p.form = r.chance(0.4) ? 0 : 1;
  static const double ps[] = {0.0, 1.0, 2.0, 3.0, 0.5, 1.5, INFINITY, -INFINITY};
  const double v = ps[r.uniform(0, 7)];
  p.s = {{std::isfinite(v) && v == std::round(v) && r.chance(0.5) ? ScalarArg::Int : ScalarArg::Float, v}};
}

inline void plan_scan(Rng& r, const std::vector<Meta>& m, Params& p) {
  p.form = r.chance(0.7) ? 0 : 1;
  p.i = {pick_dim(r, m[0].rank())};
  p.dt = r.chance(0.6) ? (is_floating(m[0].dtype) ? m[0].dtype : DType::Float64) : random_dtype(r);
}

template <class L>
void add_reduce_ops(std::vector<OpDef<L>>& v) {
  using T = Tensors<L>;
#define FUZZ_SUM_LIKE(NAME)                                                                          \
  v.push_back({#NAME, "reduce", 1, plan_reduce_dims,                                                  \
               [](const Params& p, const Names& n) {                                                  \
                 switch (p.form) {                                                                    \
                   case 0: return n[0] + "." #NAME "()";                                              \
                   case 1: return cat_all(n[0], "." #NAME "(", dims_args(p), ")");                    \
                   case 2: return cat_all(n[0], "." #NAME "(", dt_str(p.dt), ")");                    \
                   default: return cat_all(n[0], "." #NAME "(", dims_args(p), ", ", dt_str(p.dt), ")"); \
                 }                                                                                    \
               },                                                                                     \
               [](const T& a, const Params& p) -> T {                                                 \
                 switch (p.form) {                                                                    \
                   case 0: return {a[0].NAME()};                                                      \
                   case 1: return {a[0].NAME(p.l[0], p.i[1] != 0)};                                   \
                   case 2: return {a[0].NAME(L::dtype(p.dt))};                                        \
                   default: return {a[0].NAME(p.l[0], p.i[1] != 0, L::dtype(p.dt))};                  \
                 }                                                                                    \
               }});
  FUZZ_SUM_LIKE(sum)
  FUZZ_SUM_LIKE(mean)
#undef FUZZ_SUM_LIKE
  v.push_back({"prod", "reduce", 1,
               [](Rng& r, const std::vector<Meta>& m, Params& p) {
                 plan_reduce_dim(r, m, p);
                 if (r.chance(0.25)) p.form = 2;
               },
               [](const Params& p, const Names& n) {
                 if (p.form == 2) return cat_all(n[0], ".prod(", dt_str(p.dt), ")");
                 return p.form == 0 ? n[0] + ".prod()" : cat_all(n[0], ".prod(", dim_args(p), ")");
               },
               [](const T& a, const Params& p) -> T {
                 if (p.form == 2) return {a[0].prod(L::dtype(p.dt))};
                 return {p.form == 0 ? a[0].prod() : a[0].prod(p.i[0], p.i[1] != 0)};
               }});
#define FUZZ_AMAX_LIKE(NAME)                                                                       \
  v.push_back({#NAME, "reduce", 1, plan_reduce_dims,                                                \
               [](const Params& p, const Names& n) { return cat_all(n[0], "." #NAME "(", dims_args(p), ")"); }, \
               [](const T& a, const Params& p) -> T { return {a[0].NAME(p.l[0], p.i[1] != 0)}; }});
  FUZZ_AMAX_LIKE(amax)
  FUZZ_AMAX_LIKE(amin)
  FUZZ_AMAX_LIKE(logsumexp)
#undef FUZZ_AMAX_LIKE
#define FUZZ_MAX_LIKE(NAME)                                                                        \
  v.push_back({#NAME, "reduce", 1, plan_reduce_dim,                                                 \
               [](const Params& p, const Names& n) {                                                \
                 return p.form == 0 ? n[0] + "." #NAME "()" : cat_all(n[0], "." #NAME "(", dim_args(p), ")"); \
               },                                                                                   \
               [](const T& a, const Params& p) -> T {                                               \
                 if (p.form == 0) return {a[0].NAME()};                                             \
                 auto [values, indices] = a[0].NAME(p.i[0], p.i[1] != 0);                           \
                 return {values, indices};                                                          \
               }});
  FUZZ_MAX_LIKE(max)
  FUZZ_MAX_LIKE(min)
#undef FUZZ_MAX_LIKE
#define FUZZ_ARGMAX_LIKE(NAME)                                                                     \
  v.push_back({#NAME, "reduce", 1, plan_reduce_dim,                                                 \
               [](const Params& p, const Names& n) {                                                \
                 return p.form == 0 ? n[0] + "." #NAME "()" : cat_all(n[0], "." #NAME "(", dim_args(p), ")"); \
               },                                                                                   \
               [](const T& a, const Params& p) -> T {                                               \
                 return {p.form == 0 ? a[0].NAME() : a[0].NAME(p.i[0], p.i[1] != 0)};               \
               }});
  FUZZ_ARGMAX_LIKE(argmax)
  FUZZ_ARGMAX_LIKE(argmin)
  FUZZ_ARGMAX_LIKE(all)
  FUZZ_ARGMAX_LIKE(any)
#undef FUZZ_ARGMAX_LIKE
  v.push_back({"var", "reduce", 1, plan_var, [](const Params& p, const Names& n) { return print_var("var", p, n); },
               [](const T& a, const Params& p) -> T {
                 if (p.form == 0) return {a[0].var()};
                 return {L::var(a[0], p.form == 1 ? &p.l[0] : nullptr, p.i[2], p.i[1] != 0, false)};
               }});
  v.push_back({"std", "reduce", 1, plan_var, [](const Params& p, const Names& n) { return print_var("std", p, n); },
               [](const T& a, const Params& p) -> T {
                 if (p.form == 0) return {a[0].std()};
                 return {L::var(a[0], p.form == 1 ? &p.l[0] : nullptr, p.i[2], p.i[1] != 0, true)};
               }});
  v.push_back({"norm", "reduce", 1, plan_norm,
               [](const Params& p, const Names& n) {
                 if (p.form == 0) return cat_all(n[0], ".norm(", p.s[0].str(), ")");
                 return cat_all(n[0], ".norm(", p.s[0].str(), ", ", dims_args(p), ")");
               },
               [](const T& a, const Params& p) -> T {
                 if (p.form == 0) return {a[0].norm(L::scalar(p.s[0]))};
                 return {a[0].norm(L::scalar(p.s[0]), p.l[0], p.i[1] != 0)};
               }});
  v.push_back({"count_nonzero", "reduce", 1, plan_reduce_dims,
               [](const Params& p, const Names& n) { return cat_all("torch::count_nonzero(", n[0], ", ", l_str(p.l[0]), ")"); },
               [](const T& a, const Params& p) -> T { return {count_nonzero(a[0], p.l[0])}; }});

  // ---- scans and softmax -----------------------------------------------------------------
#define FUZZ_SCAN(NAME, FAMILY)                                                                    \
  v.push_back({#NAME, FAMILY, 1, plan_scan,                                                         \
               [](const Params& p, const Names& n) {                                                \
                 if (p.form == 0) return cat_all(n[0], "." #NAME "(", i_str(p.i[0]), ")");           \
                 return cat_all(n[0], "." #NAME "(", i_str(p.i[0]), ", ", dt_str(p.dt), ")");        \
               },                                                                                   \
               [](const T& a, const Params& p) -> T {                                               \
                 if (p.form == 0) return {a[0].NAME(p.i[0])};                                       \
                 return {a[0].NAME(p.i[0], L::dtype(p.dt))};                                        \
               }});
  FUZZ_SCAN(cumsum, "scan")
  FUZZ_SCAN(cumprod, "scan")
  FUZZ_SCAN(softmax, "scan")
  FUZZ_SCAN(log_softmax, "scan")
#undef FUZZ_SCAN
}

}  // namespace fuzz
