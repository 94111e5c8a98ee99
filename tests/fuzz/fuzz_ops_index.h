#pragma once
// Catalogue rows (Note [One catalogue, two libraries]): indexing ops.
#include <algorithm>
#include <numeric>

#include "fuzz_ops.h"
#include "fuzz_ops_shape.h"

namespace fuzz {

// index_select / index_add: i[0] the dim, aux[0] a 1-d (sometimes 0-dim) index in range.
inline void plan_index_select(Rng& r, const std::vector<Meta>& m, Params& p) {
  p.i = {pick_dim(r, m[0].rank())};
  const int64_t n = size_at(m[0], p.i[0]);
  const std::vector<int64_t> isz = r.chance(0.15) ? std::vector<int64_t>{} : std::vector<int64_t>{r.uniform(0, 4)};
  p.aux.push_back(index_tensor(r, isz, 0, n - 1, true));
}
inline void plan_index_add(Rng& r, const std::vector<Meta>& m, Params& p) {
  plan_index_select(r, m, p);
  std::vector<int64_t> src = m[0].sizes;
  const int64_t d = wrap_dim(p.i[0], m[0].rank());
  if (d >= 0 && d < m[0].rank()) src[d] = p.aux[0].numel();
  p.aux.push_back(aux_tensor(r, partner_dtype(r, m[0].dtype), src));
  p.s = {r.chance(0.5) ? ScalarArg{ScalarArg::Int, 1} : random_scalar(r, m[0].dtype)};
}

// gather / scatter: i[0] the dim; aux[0] an index of the input's rank, no larger than the
// input off the dim. scatter without a reduction writes each position once (Note [Unique
// scatter indices]); form 0 src tensor (aux[1]), 1 a number, 2 src with reduce "add" or
// "multiply" (i[1]).
//
// Note [Unique scatter indices]
// scatter and index_put_ without accumulation leave it to the implementation which of two
// values written to one position wins, so those planners draw indices that never collide.
inline void plan_gather(Rng& r, const std::vector<Meta>& m, Params& p, bool unique) {
  const Meta& x = m[0];
  p.i = {pick_dim(r, x.rank()), r.uniform(0, 1)};
  const int64_t d = wrap_dim(p.i[0], x.rank());
  const int64_t n = size_at(x, p.i[0]);
  std::vector<int64_t> isz = x.sizes;
  for (int64_t k = 0; k < x.rank(); ++k)
    isz[k] = k == d ? (unique ? r.uniform(0, n) : r.uniform(0, n + 1)) : r.uniform(0, isz[k]);
  TensorSpec idx = index_tensor(r, isz, 0, n - 1);
  if (unique && !idx.sizes.empty() && d >= 0 && d < x.rank() && idx.numel() > 0) {
    // Each line along d gets distinct positions: a prefix of a random permutation of [0, n).
    idx.strides = contiguous_strides(idx.sizes);
    idx.layout = "contiguous";
    idx.storage.assign(static_cast<size_t>(idx.numel()), 0);
    const int64_t inner = idx.strides[d], len = idx.sizes[d];
    for (int64_t base = 0; base < idx.numel(); ++base) {
      if ((base / inner) % len != 0) continue;  // visit each line once, from its first element
      std::vector<int64_t> perm(n);
      std::iota(perm.begin(), perm.end(), 0);
      for (int64_t i = n - 1; i > 0; --i) std::swap(perm[i], perm[r.uniform(0, i)]);
      for (int64_t j = 0; j < len; ++j) idx.storage[base + j * inner] = static_cast<double>(perm[j]);
    }
  }
  p.aux.push_back(idx);
}
inline void plan_scatter(Rng& r, const std::vector<Meta>& m, Params& p, bool unique) {
  plan_gather(r, m, p, unique);
  p.form = unique ? static_cast<int>(r.uniform(0, 2)) : 0;
  std::vector<int64_t> src = p.aux[0].sizes;
  for (auto& s : src)
    if (r.chance(0.2)) s += 1;
  p.aux.push_back(aux_tensor(r, r.chance(0.85) ? m[0].dtype : random_dtype(r), src));
  p.s = {random_scalar(r, m[0].dtype)};
}

// Advanced indexing, ATen's form (one optional index tensor per leading dim) or the
// TensorIndex form (form 1). i[0]: 0 int index tensors on dims [lead, lead + k), broadcast
// among themselves; 1 a bool mask over dims [0, k). i[1] = lead (a leading full slice).
// Undefined index tensors stand for full slices.
inline void plan_advanced(Rng& r, const std::vector<Meta>& m, Params& p, bool for_put) {
  const Meta& x = m[0];
  p.form = r.chance(0.5) ? 0 : 1;
  const bool mask = x.rank() > 0 && r.chance(0.25);
  const int64_t lead = !for_put && !mask && x.rank() >= 2 && r.chance(0.25) ? 1 : 0;
  const int64_t k = std::max<int64_t>(1, r.uniform(1, std::max<int64_t>(x.rank() - lead, 1)));
  p.i = {mask ? 1 : 0, lead, k, r.uniform(0, 1)};  // i[3]: accumulate (index_put_)
  std::vector<int64_t> result;  // the indexing result's shape, for index_put_'s values
  if (mask) {
    std::vector<int64_t> ms(x.sizes.begin(), x.sizes.begin() + std::min(k, x.rank()));
    if (r.chance(kBadArg) && !ms.empty()) ms[0] += 1;
    p.aux.push_back(mask_tensor(r, ms));
    int64_t count = 0;
    const TensorSpec& mt = p.aux.back();
    // The mask's values are read through its strides.
    const Snapshot snap = [&] {
      std::vector<unsigned char> bytes(mt.storage.size());
      for (size_t j = 0; j < bytes.size(); ++j) bytes[j] = mt.storage[j] != 0;
      return read_strided(bytes.data(), DType::Bool, mt.sizes, mt.strides, false);
    }();
    for (auto v : snap.values) count += v != 0;
    result = {count};
    for (int64_t d = k; d < x.rank(); ++d) result.push_back(x.sizes[d]);
  } else {
    std::vector<int64_t> shape = random_sizes(r, 0, 2);
    int64_t room = 1;  // distinct index tuples available
    for (int64_t d = lead; d < lead + k && d < x.rank(); ++d) room *= x.sizes[d];
    const bool unique = for_put && p.i[3] == 0;
    if (unique)
      while (numel_of(shape) > room && !shape.empty()) shape.pop_back();
    if (unique && numel_of(shape) > room) shape = {0};  // no room at all (a zero-size dim)
    std::vector<int64_t> linear;
    if (unique) {
      std::vector<int64_t> all(room);
      std::iota(all.begin(), all.end(), 0);
      for (int64_t i = room - 1; i > 0; --i) std::swap(all[i], all[r.uniform(0, i)]);
      linear.assign(all.begin(), all.begin() + std::min(room, numel_of(shape)));
    }
    int64_t stride = room;
    for (int64_t j = 0; j < k; ++j) {
      const int64_t d = lead + j;
      const int64_t n = d < x.rank() ? x.sizes[d] : 1;
      stride /= std::max<int64_t>(n, 1);
      if (unique) {
        std::vector<double> vals;
        for (int64_t lin : linear) vals.push_back(static_cast<double>((lin / std::max<int64_t>(stride, 1)) % std::max<int64_t>(n, 1)));
        p.aux.push_back(tensor_of(DType::Int64, shape, vals));
      } else {
        // int64 only: LibTorch 1.13 rejects int32 index tensors here, which ember accepts
        // on purpose (as later PyTorch releases do).
        p.aux.push_back(index_tensor(r, r.chance(0.7) ? shape : broadcast_partner(r, shape), -n, n - 1));
      }
    }
    std::vector<int64_t> bshape = p.aux[0].sizes;
    for (size_t j = 1; j < p.aux.size(); ++j) bshape = broadcast_shape(bshape, p.aux[j].sizes);
    if (lead) result.push_back(x.sizes[0]);
    result.insert(result.end(), bshape.begin(), bshape.end());
    for (int64_t d = lead + k; d < x.rank(); ++d) result.push_back(x.sizes[d]);
  }
  if (for_put) {
    std::vector<int64_t> vs = result;
    if (r.chance(0.3)) vs.erase(vs.begin(), vs.begin() + r.uniform(0, static_cast<int64_t>(vs.size())));
    const DType vdt = r.chance(0.9) ? x.dtype : random_dtype(r);
    p.aux.push_back(aux_tensor(r, vdt, vs));
  }
}
// The index list (with undefined tensors for full slices) and the printed form.
template <class L>
Tensors<L> advanced_indices(const Tensors<L>& a, const Params& p, size_t n_index) {
  Tensors<L> idx;
  if (p.i[1]) idx.push_back(typename L::Tensor());
  for (size_t j = 0; j < n_index; ++j) idx.push_back(a[1 + j]);
  return idx;
}
inline std::string print_indices(const Params& p, const Names& n, size_t n_index) {
  std::string s = "{";
  if (p.i[1]) s += p.form == 0 ? "c10::nullopt, " : "Slice(), ";
  for (size_t j = 0; j < n_index; ++j) s += (j ? ", " : "") + n[1 + j];
  return s + "}";
}

template <class L>
void add_index_ops(std::vector<OpDef<L>>& v) {
  using T = Tensors<L>;
  v.push_back({"index_select", "index", 1, plan_index_select,
               [](const Params& p, const Names& n) {
                 return cat_all(n[0], ".index_select(", i_str(p.i[0]), ", ", n[1], ")");
               },
               [](const T& a, const Params& p) -> T { return {a[0].index_select(p.i[0], a[1])}; }});
  v.push_back({"gather", "index", 1, [](Rng& r, const std::vector<Meta>& m, Params& p) { plan_gather(r, m, p, false); },
               [](const Params& p, const Names& n) { return cat_all(n[0], ".gather(", i_str(p.i[0]), ", ", n[1], ")"); },
               [](const T& a, const Params& p) -> T { return {a[0].gather(p.i[0], a[1])}; }});
  v.push_back({"scatter", "index", 1, [](Rng& r, const std::vector<Meta>& m, Params& p) { plan_scatter(r, m, p, true); },
               [](const Params& p, const Names& n) {
                 const std::string head = cat_all(n[0], ".scatter(", i_str(p.i[0]), ", ", n[1], ", ");
                 if (p.form == 1) return cat_all(head, p.s[0].str(), ")");
                 if (p.form == 2) return cat_all(head, n[2], ", \"", p.i[1] ? "multiply" : "add", "\")");
                 return cat_all(head, n[2], ")");
               },
               [](const T& a, const Params& p) -> T {
                 if (p.form == 1) return {a[0].scatter(p.i[0], a[1], L::scalar(p.s[0]))};
                 if (p.form == 2) return {L::scatter_reduce(a[0], p.i[0], a[1], a[2], p.i[1] ? "multiply" : "add")};
                 return {a[0].scatter(p.i[0], a[1], a[2])};
               }});
  v.push_back({"scatter_add", "index", 1,
               [](Rng& r, const std::vector<Meta>& m, Params& p) { plan_scatter(r, m, p, false); },
               [](const Params& p, const Names& n) {
                 return cat_all(n[0], ".scatter_add(", i_str(p.i[0]), ", ", n[1], ", ", n[2], ")");
               },
               [](const T& a, const Params& p) -> T { return {a[0].scatter_add(p.i[0], a[1], a[2])}; }});
  v.push_back({"index_add", "index", 1, plan_index_add,
               [](const Params& p, const Names& n) {
                 return cat_all(n[0], ".index_add(", i_str(p.i[0]), ", ", n[1], ", ", n[2], ", ", p.s[0].str(), ")");
               },
               [](const T& a, const Params& p) -> T { return {a[0].index_add(p.i[0], a[1], a[2], L::scalar(p.s[0]))}; }});
  v.push_back({"masked_select", "index", 1,
               [](Rng& r, const std::vector<Meta>& m, Params& p) {
                 p.aux.push_back(mask_tensor(r, broadcast_partner(r, m[0].sizes)));
               },
               [](const Params&, const Names& n) { return cat_all(n[0], ".masked_select(", n[1], ")"); },
               [](const T& a, const Params&) -> T { return {a[0].masked_select(a[1])}; }});
  v.push_back({"index", "index", 1,
               [](Rng& r, const std::vector<Meta>& m, Params& p) { plan_advanced(r, m, p, false); },
               [](const Params& p, const Names& n) {
                 return cat_all(n[0], ".index(", print_indices(p, n, n.size() - 1), ")",
                                p.form == 0 ? "  // ATen form" : "");
               },
               [](const T& a, const Params& p) -> T {
                 return {L::index(a[0], advanced_indices<L>(a, p, a.size() - 1), p.form == 1)};
               }});
  v.push_back({"index_put_", "index", 1,
               [](Rng& r, const std::vector<Meta>& m, Params& p) { plan_advanced(r, m, p, true); },
               [](const Params& p, const Names& n) {
                 return cat_all(n[0], ".clone().index_put_(", print_indices(p, n, n.size() - 2), ", ", n.back(), ", ",
                                b_str(p.i[3]), ")");
               },
               [](const T& a, const Params& p) -> T {
                 return {L::index_put(a[0].clone(), advanced_indices<L>(a, p, a.size() - 2), a.back(), p.i[3] != 0)};
               }});
  v.push_back({"nonzero", "index", 1, plan_nothing, [](const Params&, const Names& n) { return n[0] + ".nonzero()"; },
               [](const T& a, const Params&) -> T { return {a[0].nonzero()}; }});
  v.push_back({"where_nonzero", "index", 1, plan_nothing,
               [](const Params&, const Names& n) { return "torch::where(" + n[0] + ")[0]"; },
               [](const T& a, const Params&) -> T { return where(a[0]); }});
}

}  // namespace fuzz
