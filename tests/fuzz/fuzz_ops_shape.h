#pragma once
// Catalogue rows (Note [One catalogue, two libraries]): views and shape ops.
#include <algorithm>
#include <numeric>

#include "fuzz_ops.h"

namespace fuzz {

// The size of dim d of m, or 1 when d is out of range (the op will throw anyway).
inline int64_t size_at(const Meta& m, int64_t d) {
  const int64_t w = wrap_dim(d, m.rank());
  return w >= 0 && w < m.rank() ? m.sizes[w] : 1;
}

inline void plan_reshape(Rng& r, const std::vector<Meta>& m, Params& p) { p.l = {reshape_target(r, m[0].sizes)}; }
inline void plan_two_dims(Rng& r, const std::vector<Meta>& m, Params& p) {
  p.i = {pick_dim(r, m[0].rank()), pick_dim(r, m[0].rank())};
}
inline void plan_permute(Rng& r, const std::vector<Meta>& m, Params& p) {
  std::vector<int64_t> perm(m[0].rank());
  std::iota(perm.begin(), perm.end(), 0);
  for (int64_t i = m[0].rank() - 1; i > 0; --i) std::swap(perm[i], perm[r.uniform(0, i)]);
  for (auto& d : perm)
    if (r.chance(0.2)) d -= m[0].rank();
  if (r.chance(kBadArg)) perm.push_back(0);
  p.l = {perm};
}
inline void plan_squeeze(Rng& r, const std::vector<Meta>& m, Params& p) {
  p.form = r.chance(0.3) ? 0 : 1;
  p.i = {pick_dim(r, m[0].rank())};
  // Prefer a dim of size 1 when there is one.
  for (int64_t d = 0; d < m[0].rank(); ++d)
    if (m[0].sizes[d] == 1 && r.chance(0.5)) p.i[0] = d;
}
inline void plan_flatten(Rng& r, const std::vector<Meta>& m, Params& p) {
  p.form = r.chance(0.3) ? 0 : 1;
  int64_t a = pick_dim(r, m[0].rank()), b = pick_dim(r, m[0].rank());
  if (wrap_dim(a, m[0].rank()) > wrap_dim(b, m[0].rank()) && r.chance(0.9)) std::swap(a, b);
  p.i = {a, b};
}
inline void plan_unflatten(Rng& r, const std::vector<Meta>& m, Params& p) {
  p.i = {pick_dim(r, m[0].rank())};
  const int64_t n = size_at(m[0], p.i[0]);
  std::vector<int64_t> sizes = {n};
  if (n >= 4 && n % 2 == 0) sizes = {2, n / 2};
  else if (r.chance(0.5)) sizes = {1, n};
  if (r.chance(0.3)) sizes[r.uniform(0, static_cast<int64_t>(sizes.size()) - 1)] = -1;
  if (r.chance(kBadArg)) sizes.push_back(3);
  p.l = {sizes};
}
inline void plan_expand(Rng& r, const std::vector<Meta>& m, Params& p) {
  std::vector<int64_t> sizes = m[0].sizes;
  for (auto& s : sizes) {
    if (s == 1 && r.chance(0.6)) s = r.uniform(0, 4);
    else if (r.chance(0.3)) s = -1;
  }
  const int64_t extra = r.chance(0.4) ? r.uniform(1, 2) : 0;
  for (int64_t k = 0; k < extra && sizes.size() < 5; ++k) sizes.insert(sizes.begin(), r.uniform(0, 3));
  if (!sizes.empty() && r.chance(kBadArg)) sizes.back() = 7;
  p.l = {sizes};
}
// slice / narrow / select: i[0] the dim, then start/end/step, start/length, or the index.
inline void plan_slice(Rng& r, const std::vector<Meta>& m, Params& p) {
  const int64_t d = pick_dim(r, m[0].rank()), n = size_at(m[0], d);
  const int64_t start = r.uniform(-n - 1, n + 1), end = r.chance(0.2) ? INT64_MAX : r.uniform(-n - 1, n + 2);
  p.i = {d, start, end, r.chance(kBadArg) ? 0 : r.uniform(1, 3)};
}
inline void plan_narrow(Rng& r, const std::vector<Meta>& m, Params& p) {
  const int64_t d = pick_dim(r, m[0].rank()), n = size_at(m[0], d);
  const int64_t start = r.chance(0.2) ? r.uniform(-n, -1) : r.uniform(0, n);
  const int64_t len = r.uniform(0, std::max<int64_t>(n - (start < 0 ? start + n : start), 0));
  p.i = {d, start, r.chance(kBadArg) ? len + 1 : len};
}
inline void plan_select(Rng& r, const std::vector<Meta>& m, Params& p) {
  const int64_t d = pick_dim(r, m[0].rank()), n = size_at(m[0], d);
  p.i = {d, r.chance(kBadArg) ? n : r.uniform(-n, std::max<int64_t>(n - 1, -n))};
}
inline void plan_flip(Rng& r, const std::vector<Meta>& m, Params& p) { p.l = {pick_dims(r, m[0].rank())}; }
inline void plan_repeat(Rng& r, const std::vector<Meta>& m, Params& p) {
  std::vector<int64_t> reps(m[0].rank() + (r.chance(0.3) ? 1 : 0));
  for (auto& x : reps) x = r.chance(0.1) ? 0 : r.uniform(1, 3);
  if (r.chance(kBadArg) && !reps.empty()) reps.pop_back();
  p.l = {reps};
}
// cat / stack: i[0] the dim; the other operand is the given value when its shape fits (i[1]
// = 0) or a fresh tensor (i[1] = 1); cat sometimes adds a third, 1-d empty tensor, which
// cat skips (a legacy rule both libraries keep).
inline void plan_cat(Rng& r, const std::vector<Meta>& m, Params& p, bool stack) {
  const int64_t rank = m[0].rank();
  const int64_t d = stack ? pick_new_dim(r, rank) : pick_dim(r, rank);
  std::vector<int64_t> other = m[0].sizes;
  const int64_t wd = wrap_dim(d, rank);
  if (!stack && wd >= 0 && wd < rank && r.chance(0.7)) other[wd] = r.uniform(0, 3);
  bool fits = m[1].sizes == m[0].sizes;
  if (!stack && m[1].rank() == rank && rank > 0) {
    fits = true;
    for (int64_t k = 0; k < rank; ++k)
      if (k != wd && m[1].sizes[k] != m[0].sizes[k]) fits = false;
  }
  p.i = {d, fits && r.chance(0.6) ? 0 : 1, !stack && r.chance(0.1) ? 1 : 0};
  if (r.chance(kBadArg) && !other.empty()) other[0] += 1;
  if (p.i[1] == 1) p.aux.push_back(aux_tensor(r, partner_dtype(r, m[0].dtype), other));
  if (p.i[2] == 1) p.aux.push_back(aux_tensor(r, partner_dtype(r, m[0].dtype), {0}));
}
inline std::string print_cat(const char* name, const Params& p, const Names& n) {
  std::string list = n[0] + ", " + (p.i[1] == 0 ? n[1] : n[2]);
  if (p.i[2]) list += ", " + n[p.i[1] == 0 ? 2 : 3];
  return cat_all("torch::", name, "({", list, "}, ", i_str(p.i[0]), ")");
}
template <class L>
Tensors<L> cat_list(const Tensors<L>& a, const Params& p) {
  Tensors<L> list = {a[0], p.i[1] == 0 ? a[1] : a[2]};
  if (p.i[2]) list.push_back(a[p.i[1] == 0 ? 2 : 3]);
  return list;
}
// split (i = {dim, size}), split_with_sizes (l[0] sizes), chunk (i = {dim, chunks}),
// unbind (i[0]): every piece is an output; a random one becomes the step's value.
inline void plan_split(Rng& r, const std::vector<Meta>& m, Params& p) {
  const int64_t d = pick_dim(r, m[0].rank()), n = size_at(m[0], d);
  p.i = {d, r.chance(kBadArg) ? 0 : r.uniform(1, std::max<int64_t>(n, 1) + 1)};
  std::vector<int64_t> sizes;
  for (int64_t left = n; left > 0;) sizes.push_back(std::min(left, r.uniform(0, 3))), left -= sizes.back();
  if (r.chance(kBadArg)) sizes.push_back(1);
  p.l = {sizes};
  p.primary = static_cast<int>(r.uniform(0, 3));
}

template <class L>
void add_shape_ops(std::vector<OpDef<L>>& v) {
  using T = Tensors<L>;
  v.push_back({"view", "shape", 1, plan_reshape,
               [](const Params& p, const Names& n) { return cat_all(n[0], ".view(", l_str(p.l[0]), ")"); },
               [](const T& a, const Params& p) -> T { return {a[0].view(p.l[0])}; }});
  v.push_back({"reshape", "shape", 1, plan_reshape,
               [](const Params& p, const Names& n) { return cat_all(n[0], ".reshape(", l_str(p.l[0]), ")"); },
               [](const T& a, const Params& p) -> T { return {a[0].reshape(p.l[0])}; }});
  v.push_back({"transpose", "shape", 1, plan_two_dims,
               [](const Params& p, const Names& n) {
                 return cat_all(n[0], ".transpose(", i_str(p.i[0]), ", ", i_str(p.i[1]), ")");
               },
               [](const T& a, const Params& p) -> T { return {a[0].transpose(p.i[0], p.i[1])}; }});
  v.push_back({"t", "shape", 1, plan_nothing, [](const Params&, const Names& n) { return n[0] + ".t()"; },
               [](const T& a, const Params&) -> T { return {a[0].t()}; }});
  v.push_back({"movedim", "shape", 1, plan_two_dims,
               [](const Params& p, const Names& n) {
                 return cat_all(n[0], ".movedim(", i_str(p.i[0]), ", ", i_str(p.i[1]), ")");
               },
               [](const T& a, const Params& p) -> T { return {a[0].movedim(p.i[0], p.i[1])}; }});
  v.push_back({"permute", "shape", 1, plan_permute,
               [](const Params& p, const Names& n) { return cat_all(n[0], ".permute(", l_str(p.l[0]), ")"); },
               [](const T& a, const Params& p) -> T { return {a[0].permute(p.l[0])}; }});
  v.push_back({"squeeze", "shape", 1, plan_squeeze,
               [](const Params& p, const Names& n) {
                 return p.form == 0 ? n[0] + ".squeeze()" : cat_all(n[0], ".squeeze(", i_str(p.i[0]), ")");
               },
               [](const T& a, const Params& p) -> T { return {p.form == 0 ? a[0].squeeze() : a[0].squeeze(p.i[0])}; }});
  v.push_back({"unsqueeze", "shape", 1,
               [](Rng& r, const std::vector<Meta>& m, Params& p) { p.i = {pick_new_dim(r, m[0].rank())}; },
               [](const Params& p, const Names& n) { return cat_all(n[0], ".unsqueeze(", i_str(p.i[0]), ")"); },
               [](const T& a, const Params& p) -> T { return {a[0].unsqueeze(p.i[0])}; }});
  v.push_back({"flatten", "shape", 1, plan_flatten,
               [](const Params& p, const Names& n) {
                 return p.form == 0 ? n[0] + ".flatten()"
                                    : cat_all(n[0], ".flatten(", i_str(p.i[0]), ", ", i_str(p.i[1]), ")");
               },
               [](const T& a, const Params& p) -> T {
                 return {p.form == 0 ? a[0].flatten() : a[0].flatten(p.i[0], p.i[1])};
               }});
  v.push_back({"unflatten", "shape", 1, plan_unflatten,
               [](const Params& p, const Names& n) {
                 return cat_all(n[0], ".unflatten(", i_str(p.i[0]), ", ", l_str(p.l[0]), ")");
               },
               [](const T& a, const Params& p) -> T { return {a[0].unflatten(p.i[0], p.l[0])}; }});
  v.push_back({"expand", "shape", 1, plan_expand,
               [](const Params& p, const Names& n) { return cat_all(n[0], ".expand(", l_str(p.l[0]), ")"); },
               [](const T& a, const Params& p) -> T { return {a[0].expand(p.l[0])}; }});
  v.push_back({"slice", "shape", 1, plan_slice,
               [](const Params& p, const Names& n) {
                 return cat_all(n[0], ".slice(", i_str(p.i[0]), ", ", i_str(p.i[1]), ", ",
                                p.i[2] == INT64_MAX ? "INT64_MAX" : i_str(p.i[2]), ", ", i_str(p.i[3]), ")");
               },
               [](const T& a, const Params& p) -> T { return {a[0].slice(p.i[0], p.i[1], p.i[2], p.i[3])}; }});
  v.push_back({"narrow", "shape", 1, plan_narrow,
               [](const Params& p, const Names& n) {
                 return cat_all(n[0], ".narrow(", i_str(p.i[0]), ", ", i_str(p.i[1]), ", ", i_str(p.i[2]), ")");
               },
               [](const T& a, const Params& p) -> T { return {a[0].narrow(p.i[0], p.i[1], p.i[2])}; }});
  v.push_back({"select", "shape", 1, plan_select,
               [](const Params& p, const Names& n) {
                 return cat_all(n[0], ".select(", i_str(p.i[0]), ", ", i_str(p.i[1]), ")");
               },
               [](const T& a, const Params& p) -> T { return {a[0].select(p.i[0], p.i[1])}; }});
  v.push_back({"flip", "shape", 1, plan_flip,
               [](const Params& p, const Names& n) { return cat_all(n[0], ".flip(", l_str(p.l[0]), ")"); },
               [](const T& a, const Params& p) -> T { return {a[0].flip(p.l[0])}; }});
  v.push_back({"repeat", "shape", 1, plan_repeat,
               [](const Params& p, const Names& n) { return cat_all(n[0], ".repeat(", l_str(p.l[0]), ")"); },
               [](const T& a, const Params& p) -> T { return {a[0].repeat(p.l[0])}; }});
  v.push_back({"diagonal", "shape", 1,
               [](Rng& r, const std::vector<Meta>& m, Params& p) {
                 plan_two_dims(r, m, p);
                 p.i.insert(p.i.begin(), r.uniform(-2, 2));
               },
               [](const Params& p, const Names& n) {
                 return cat_all(n[0], ".diagonal(", i_str(p.i[0]), ", ", i_str(p.i[1]), ", ", i_str(p.i[2]), ")");
               },
               [](const T& a, const Params& p) -> T { return {a[0].diagonal(p.i[0], p.i[1], p.i[2])}; }});
  v.push_back({"contiguous", "shape", 1, plan_nothing, [](const Params&, const Names& n) { return n[0] + ".contiguous()"; },
               [](const T& a, const Params&) -> T { return {a[0].contiguous()}; }});
  v.push_back({"clone", "shape", 1, plan_nothing, [](const Params&, const Names& n) { return n[0] + ".clone()"; },
               [](const T& a, const Params&) -> T { return {a[0].clone()}; }});
  v.push_back({"cat", "shape", 2, [](Rng& r, const std::vector<Meta>& m, Params& p) { plan_cat(r, m, p, false); },
               [](const Params& p, const Names& n) { return print_cat("cat", p, n); },
               [](const T& a, const Params& p) -> T { return {cat(cat_list<L>(a, p), p.i[0])}; }});
  v.push_back({"stack", "shape", 2, [](Rng& r, const std::vector<Meta>& m, Params& p) { plan_cat(r, m, p, true); },
               [](const Params& p, const Names& n) { return print_cat("stack", p, n); },
               [](const T& a, const Params& p) -> T { return {stack(cat_list<L>(a, p), p.i[0])}; }});
  v.push_back({"split", "shape", 1, plan_split,
               [](const Params& p, const Names& n) {
                 return cat_all(n[0], ".split(", i_str(p.i[1]), ", ", i_str(p.i[0]), ")[", i_str(p.primary), "]");
               },
               [](const T& a, const Params& p) -> T { return a[0].split(p.i[1], p.i[0]); }});
  v.push_back({"split_with_sizes", "shape", 1, plan_split,
               [](const Params& p, const Names& n) {
                 return cat_all(n[0], ".split_with_sizes(", l_str(p.l[0]), ", ", i_str(p.i[0]), ")[",
                                i_str(p.primary), "]");
               },
               [](const T& a, const Params& p) -> T { return a[0].split_with_sizes(p.l[0], p.i[0]); }});
  v.push_back({"chunk", "shape", 1, plan_split,
               [](const Params& p, const Names& n) {
                 return cat_all(n[0], ".chunk(", i_str(p.i[1]), ", ", i_str(p.i[0]), ")[", i_str(p.primary), "]");
               },
               [](const T& a, const Params& p) -> T { return a[0].chunk(p.i[1], p.i[0]); }});
  v.push_back({"unbind", "shape", 1, plan_split,
               [](const Params& p, const Names& n) {
                 return cat_all(n[0], ".unbind(", i_str(p.i[0]), ")[", i_str(p.primary), "]");
               },
               [](const T& a, const Params& p) -> T { return a[0].unbind(p.i[0]); }});
}

}  // namespace fuzz
