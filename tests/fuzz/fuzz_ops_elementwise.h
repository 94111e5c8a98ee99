#pragma once
// Catalogue rows (Note [One catalogue, two libraries]): elementwise unary and binary ops,
// clamp, where and masked_fill.
#include "fuzz_ops.h"

namespace fuzz {

inline void plan_nothing(Rng&, const std::vector<Meta>&, Params&) {}

// Note [Second operands]
// A binary op's second operand is one of: the program value it was given (form 0, when it
// broadcasts; that is how steps chain), a fresh tensor shaped to broadcast (form 1), a
// number (form 2), or a fresh 0-dim tensor (form 3), which promotes differently from both.
inline void plan_second(Rng& r, const std::vector<Meta>& m, Params& p, bool scalar_ok) {
  const double x = r.real();
  const bool chain_ok = broadcastable(m[0].sizes, m[1].sizes) || r.chance(kBadArg);
  if (x < 0.35 && chain_ok) {
    p.form = 0;
  } else if (x < 0.6 || (!scalar_ok && x < 0.85)) {
    p.form = 1;
    p.aux.push_back(aux_tensor(r, partner_dtype(r, m[0].dtype), broadcast_partner(r, m[0].sizes)));
  } else if (scalar_ok && x < 0.85) {
    p.form = 2;
  } else {
    p.form = 3;
    p.aux.push_back(aux_tensor(r, partner_dtype(r, m[0].dtype), {}));
  }
  p.s.push_back(random_scalar(r, m[0].dtype));
}
inline void plan_binary_ts(Rng& r, const std::vector<Meta>& m, Params& p) { plan_second(r, m, p, true); }
inline void plan_binary_t(Rng& r, const std::vector<Meta>& m, Params& p) { plan_second(r, m, p, false); }
// add/sub/rsub: the second operand, then alpha (an integer mostly; float or bool sometimes).
inline void plan_alpha(Rng& r, const std::vector<Meta>& m, Params& p) {
  plan_second(r, m, p, true);
  ScalarArg alpha;
  const double x = r.real();
  if (x < 0.6) alpha = {ScalarArg::Int, static_cast<double>(r.uniform(-2, 3))};
  else if (x < 0.9) alpha = {ScalarArg::Float, r.chance(0.5) ? 0.5 : -1.5};
  else alpha = {ScalarArg::Bool, static_cast<double>(r.uniform(0, 1))};
  p.s.push_back(alpha);
}
inline void plan_div(Rng& r, const std::vector<Meta>& m, Params& p) {
  plan_second(r, m, p, true);
  p.i = {r.uniform(0, 2)};  // none, "trunc", "floor"
}
inline void plan_pow(Rng& r, const std::vector<Meta>& m, Params& p) {
  plan_second(r, m, p, true);
  if (r.chance(0.15)) p.form = 4;  // number ** tensor
  if (r.chance(0.3)) {             // the exponents with special gradients
    static const double special[] = {0.0, 0.5, 1.0, 2.0, -1.0, 3.0};
    p.s[0] = {ScalarArg::Float, special[r.uniform(0, 5)]};
  }
}

// The second operand as a string / a tensor (forms 0, 1 and 3).
inline std::string second_str(const Params& p, const Names& n) {
  return p.form == 0 ? n[1] : p.form == 2 ? p.s[0].str() : n[2];
}
template <class L>
const typename L::Tensor& second_tensor(const Tensors<L>& a, const Params& p) {
  return p.form == 0 ? a[1] : a[2];
}

// clamp: form 0 clamp(x, min?, max?) with numbers, 1 clamp_min(number), 2 clamp_max(number),
// 3 clamp(x, Tensor? min, Tensor? max). i = {has_min, has_max} for forms 0 and 3.
inline void plan_clamp(Rng& r, const std::vector<Meta>& m, Params& p) {
  p.form = static_cast<int>(r.uniform(0, 3));
  const bool one = r.chance(0.5);
  const bool lo = !one || r.chance(0.5);
  p.i = {lo ? 1 : 0, (!one || !lo) ? 1 : 0};
  if (r.chance(0.05)) p.i = {0, 0};  // no bound at all: an error in both
  for (int k = 0; k < 2; ++k) {
    ScalarArg s = random_scalar(r, m[0].dtype);
    if (s.kind == ScalarArg::Bool && r.chance(0.7)) s = {ScalarArg::Int, static_cast<double>(r.uniform(-2, 2))};
    p.s.push_back(s);
  }
  if (!p.s.empty() && p.s[0].kind != ScalarArg::Bool && p.s[1].kind != ScalarArg::Bool && p.s[0].v > p.s[1].v &&
      r.chance(0.7))
    std::swap(p.s[0], p.s[1]);
  if (p.form == 3)
    for (int k = 0; k < 2; ++k)
      p.aux.push_back(aux_tensor(r, partner_dtype(r, m[0].dtype), broadcast_partner(r, m[0].sizes)));
}
inline std::string print_clamp(const Params& p, const Names& n) {
  switch (p.form) {
    case 0:
      return cat_all("torch::clamp(", n[0], ", ", p.i[0] ? p.s[0].str() : "c10::nullopt", ", ",
                     p.i[1] ? p.s[1].str() : "c10::nullopt", ")");
    case 1: return cat_all(n[0], ".clamp_min(", p.s[0].str(), ")");
    case 2: return cat_all(n[0], ".clamp_max(", p.s[1].str(), ")");
    default:
      return cat_all("torch::clamp(", n[0], ", ", p.i[0] ? n[1] : "c10::nullopt", ", ", p.i[1] ? n[2] : "c10::nullopt",
                     ")");
  }
}

// where(cond, a, b): cond is a fresh mask (aux 0); form: 0 tensors (b: the given value or
// aux 1), 1 number a, 2 number b, 3 both numbers, 4 the method a.where(cond, b).
inline void plan_where(Rng& r, const std::vector<Meta>& m, Params& p) {
  TensorSpec cond = mask_tensor(r, broadcast_partner(r, m[0].sizes));
  if (r.chance(0.05)) cond = random_tensor(r, DType::UInt8, cond.sizes, Values::Normal);
  p.aux.push_back(cond);
  p.form = static_cast<int>(r.uniform(0, 4));
  p.i = {broadcastable(m[0].sizes, m[1].sizes) && r.chance(0.6) ? 0 : 1};  // b from the program?
  if (p.i[0] == 1) p.aux.push_back(aux_tensor(r, partner_dtype(r, m[0].dtype), broadcast_partner(r, m[0].sizes)));
  p.s = {random_scalar(r, m[0].dtype), random_scalar(r, m[0].dtype)};
}
inline std::string print_where(const Params& p, const Names& n) {
  const std::string& b = p.i[0] == 0 ? n[1] : n[3];
  switch (p.form) {
    case 1: return cat_all("torch::where(", n[2], ", ", p.s[0].str(), ", ", b, ")");
    case 2: return cat_all("torch::where(", n[2], ", ", n[0], ", ", p.s[1].str(), ")");
    case 3: return cat_all("torch::where(", n[2], ", ", p.s[0].str(), ", ", p.s[1].str(), ")");
    case 4: return cat_all(n[0], ".where(", n[2], ", ", b, ")");
    default: return cat_all("torch::where(", n[2], ", ", n[0], ", ", b, ")");
  }
}

// masked_fill(mask, value): mask is aux 0; form 0 a number, 1 a 0-dim tensor (aux 1;
// rarely 1-dim, an error in both).
inline void plan_masked_fill(Rng& r, const std::vector<Meta>& m, Params& p) {
  std::vector<int64_t> ms = m[0].sizes;
  if (r.chance(0.3) && !ms.empty()) ms.erase(ms.begin(), ms.begin() + r.uniform(0, static_cast<int64_t>(ms.size())));
  for (auto& s : ms)
    if (r.chance(0.2)) s = 1;
  if (r.chance(kBadArg)) ms = broadcast_partner(r, m[0].sizes);
  p.aux.push_back(mask_tensor(r, ms));
  p.form = r.chance(0.5) ? 0 : 1;
  p.s.push_back(random_scalar(r, m[0].dtype));
  if (p.form == 1)
    p.aux.push_back(aux_tensor(r, partner_dtype(r, m[0].dtype), r.chance(kBadArg) ? std::vector<int64_t>{1}
                                                                                   : std::vector<int64_t>{}));
}

inline void plan_nan_to_num(Rng& r, const std::vector<Meta>&, Params& p) {
  p.form = r.chance(0.5) ? 0 : 1;
  p.f = {r.chance(0.5) ? 0.0 : 1.5, r.chance(0.5) ? 1e4 : 3.0, r.chance(0.5) ? -1e4 : -3.0};
}
inline void plan_gelu(Rng& r, const std::vector<Meta>&, Params& p) { p.form = r.chance(0.5) ? 0 : 1; }

template <class L>
void add_elementwise_ops(std::vector<OpDef<L>>& v) {
  using T = Tensors<L>;
  // ---- unary: methods -------------------------------------------------------------------
#define FUZZ_UNARY_METHOD(NAME)                                                           \
  v.push_back({#NAME, "unary", 1, plan_nothing,                                           \
               [](const Params&, const Names& n) { return n[0] + "." #NAME "()"; },       \
               [](const T& a, const Params&) -> T { return {a[0].NAME()}; }});
  FUZZ_UNARY_METHOD(abs)
  FUZZ_UNARY_METHOD(neg)
  FUZZ_UNARY_METHOD(sign)
  FUZZ_UNARY_METHOD(exp)
  FUZZ_UNARY_METHOD(expm1)
  FUZZ_UNARY_METHOD(log)
  FUZZ_UNARY_METHOD(log1p)
  FUZZ_UNARY_METHOD(log2)
  FUZZ_UNARY_METHOD(log10)
  FUZZ_UNARY_METHOD(sqrt)
  FUZZ_UNARY_METHOD(rsqrt)
  FUZZ_UNARY_METHOD(sin)
  FUZZ_UNARY_METHOD(cos)
  FUZZ_UNARY_METHOD(tan)
  FUZZ_UNARY_METHOD(tanh)
  FUZZ_UNARY_METHOD(sigmoid)
  FUZZ_UNARY_METHOD(relu)
  FUZZ_UNARY_METHOD(erf)
  FUZZ_UNARY_METHOD(floor)
  FUZZ_UNARY_METHOD(ceil)
  FUZZ_UNARY_METHOD(round)
  FUZZ_UNARY_METHOD(trunc)
  FUZZ_UNARY_METHOD(reciprocal)
  FUZZ_UNARY_METHOD(square)
  FUZZ_UNARY_METHOD(isnan)
  FUZZ_UNARY_METHOD(isinf)
  FUZZ_UNARY_METHOD(isfinite)
  FUZZ_UNARY_METHOD(logical_not)
#undef FUZZ_UNARY_METHOD
  v.push_back({"bitwise_not", "unary", 1, plan_nothing,
               [](const Params&, const Names& n) { return "torch::bitwise_not(" + n[0] + ")"; },
               [](const T& a, const Params&) -> T { return {bitwise_not(a[0])}; }});
  v.push_back({"nan_to_num", "unary", 1, plan_nan_to_num,
               [](const Params& p, const Names& n) {
                 return p.form == 0 ? "torch::nan_to_num(" + n[0] + ")"
                                    : cat_all("torch::nan_to_num(", n[0], ", ", d_str(p.f[0]), ", ", d_str(p.f[1]),
                                              ", ", d_str(p.f[2]), ")");
               },
               [](const T& a, const Params& p) -> T {
                 return {p.form == 0 ? nan_to_num(a[0]) : nan_to_num(a[0], p.f[0], p.f[1], p.f[2])};
               }});
  v.push_back({"gelu", "unary", 1, plan_gelu,
               [](const Params& p, const Names& n) {
                 return cat_all("torch::gelu(", n[0], ", \"", p.form ? "tanh" : "none", "\")");
               },
               [](const T& a, const Params& p) -> T { return {gelu(a[0], p.form ? "tanh" : "none")}; }});

  // ---- binary (Note [Second operands]) ------------------------------------------------------
#define FUZZ_BINARY(NAME, SCALAR)                                                                \
  v.push_back({#NAME, "binary", 2, SCALAR ? plan_binary_ts : plan_binary_t,                          \
               [](const Params& p, const Names& n) {                                             \
                 return cat_all("torch::" #NAME "(", n[0], ", ", second_str(p, n), ")");          \
               },                                                                                \
               [](const T& a, const Params& p) -> T {                                            \
                 if constexpr (SCALAR)                                                           \
                   if (p.form == 2) return {NAME(a[0], L::scalar(p.s[0]))};                      \
                 return {NAME(a[0], second_tensor<L>(a, p))};                                    \
               }});
  FUZZ_BINARY(mul, true)
  FUZZ_BINARY(remainder, true)
  FUZZ_BINARY(fmod, true)
  FUZZ_BINARY(floor_divide, true)
  FUZZ_BINARY(eq, true)
  FUZZ_BINARY(ne, true)
  FUZZ_BINARY(lt, true)
  FUZZ_BINARY(le, true)
  FUZZ_BINARY(gt, true)
  FUZZ_BINARY(ge, true)
  FUZZ_BINARY(bitwise_and, true)
  FUZZ_BINARY(bitwise_or, true)
  FUZZ_BINARY(bitwise_xor, true)
  FUZZ_BINARY(maximum, false)
  FUZZ_BINARY(minimum, false)
  FUZZ_BINARY(atan2, false)
  FUZZ_BINARY(logical_and, false)
  FUZZ_BINARY(logical_or, false)
  FUZZ_BINARY(logical_xor, false)
#undef FUZZ_BINARY
#define FUZZ_ALPHA(NAME)                                                                          \
  v.push_back({#NAME, "binary", 2, plan_alpha,                                                    \
               [](const Params& p, const Names& n) {                                              \
                 return cat_all("torch::" #NAME "(", n[0], ", ", second_str(p, n), ", ", p.s[1].str(), ")"); \
               },                                                                                 \
               [](const T& a, const Params& p) -> T {                                             \
                 if (p.form == 2) return {NAME(a[0], L::scalar(p.s[0]), L::scalar(p.s[1]))};      \
                 return {NAME(a[0], second_tensor<L>(a, p), L::scalar(p.s[1]))};                  \
               }});
  FUZZ_ALPHA(add)
  FUZZ_ALPHA(sub)
  FUZZ_ALPHA(rsub)
#undef FUZZ_ALPHA
  v.push_back({"div", "binary", 2, plan_div,
               [](const Params& p, const Names& n) {
                 static const char* modes[] = {"", ", \"trunc\"", ", \"floor\""};
                 return cat_all("torch::div(", n[0], ", ", second_str(p, n), modes[p.i[0]], ")");
               },
               [](const T& a, const Params& p) -> T {
                 static const char* modes[] = {"", "trunc", "floor"};
                 if (p.form == 2) {
                   if (p.i[0] == 0) return {div(a[0], L::scalar(p.s[0]))};
                   return {div(a[0], L::scalar(p.s[0]), modes[p.i[0]])};
                 }
                 if (p.i[0] == 0) return {div(a[0], second_tensor<L>(a, p))};
                 return {div(a[0], second_tensor<L>(a, p), modes[p.i[0]])};
               }});
  v.push_back({"pow", "binary", 2, plan_pow,
               [](const Params& p, const Names& n) {
                 if (p.form == 4) return cat_all("torch::pow(", p.s[0].str(), ", ", n[0], ")");
                 return cat_all("torch::pow(", n[0], ", ", second_str(p, n), ")");
               },
               [](const T& a, const Params& p) -> T {
                 if (p.form == 4) return {pow(L::scalar(p.s[0]), a[0])};
                 if (p.form == 2) return {pow(a[0], L::scalar(p.s[0]))};
                 return {pow(a[0], second_tensor<L>(a, p))};
               }});

  // ---- clamp, where, masked_fill ------------------------------------------------------------
  v.push_back({"clamp", "ternary", 1, plan_clamp, print_clamp, [](const T& a, const Params& p) -> T {
                 switch (p.form) {
                   case 0: return {L::clamp(a[0], p.i[0] ? &p.s[0] : nullptr, p.i[1] ? &p.s[1] : nullptr)};
                   case 1: return {a[0].clamp_min(L::scalar(p.s[0]))};
                   case 2: return {a[0].clamp_max(L::scalar(p.s[1]))};
                   default:
                     return {L::clamp_tensors(a[0], p.i[0] ? a[1] : typename L::Tensor(),
                                              p.i[1] ? a[2] : typename L::Tensor())};
                 }
               }});
  v.push_back({"where", "ternary", 2, plan_where, print_where, [](const T& a, const Params& p) -> T {
                 const auto& b = p.i[0] == 0 ? a[1] : a[3];
                 switch (p.form) {
                   case 1: return {where(a[2], L::scalar(p.s[0]), b)};
                   case 2: return {where(a[2], a[0], L::scalar(p.s[1]))};
                   case 3: return {where(a[2], L::scalar(p.s[0]), L::scalar(p.s[1]))};
                   case 4: return {a[0].where(a[2], b)};
                   default: return {where(a[2], a[0], b)};
                 }
               }});
  v.push_back({"masked_fill", "ternary", 1, plan_masked_fill,
               [](const Params& p, const Names& n) {
                 return cat_all(n[0], ".masked_fill(", n[1], ", ", p.form == 0 ? p.s[0].str() : n[2], ")");
               },
               [](const T& a, const Params& p) -> T {
                 if (p.form == 0) return {a[0].masked_fill(a[1], L::scalar(p.s[0]))};
                 return {a[0].masked_fill(a[1], a[2])};
               }});
}

}  // namespace fuzz
