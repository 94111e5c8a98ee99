#include "fuzz_plan.h"

#include <algorithm>
#include <numeric>

namespace fuzz {

int64_t numel_of(const std::vector<int64_t>& sizes) {
  return std::accumulate(sizes.begin(), sizes.end(), int64_t{1}, std::multiplies<>());
}

int64_t pick_dim(Rng& rng, int64_t rank, double bad) {
  if (rng.chance(bad)) return rng.chance(0.5) ? std::max<int64_t>(rank, 1) : -std::max<int64_t>(rank, 1) - 1;
  if (rank == 0) return rng.chance(0.5) ? 0 : -1;
  const int64_t d = rng.uniform(0, rank - 1);
  return rng.chance(0.5) ? d : d - rank;
}

int64_t pick_new_dim(Rng& rng, int64_t rank) {
  if (rng.chance(kBadArg)) return rank + 1;
  const int64_t d = rng.uniform(0, rank);
  return rng.chance(0.5) ? d : d - rank - 1;
}

std::vector<int64_t> pick_dims(Rng& rng, int64_t rank, bool allow_empty) {
  std::vector<int64_t> dims;
  if (rank == 0) {
    if (!allow_empty || rng.chance(0.5)) dims.push_back(rng.chance(0.5) ? 0 : -1);
    return dims;
  }
  std::vector<int64_t> all(rank);
  std::iota(all.begin(), all.end(), 0);
  for (int64_t i = rank - 1; i > 0; --i) std::swap(all[i], all[rng.uniform(0, i)]);
  const int64_t n = rng.uniform(allow_empty && rng.chance(0.15) ? 0 : 1, rank);
  for (int64_t i = 0; i < n; ++i) dims.push_back(rng.chance(0.3) ? all[i] - rank : all[i]);
  if (!dims.empty() && rng.chance(kBadArg)) dims.push_back(dims[0]);  // repeated dim
  if (rng.chance(kBadArg)) dims.push_back(rank);                     // out of range
  return dims;
}

int64_t wrap_dim(int64_t d, int64_t rank) {
  const int64_t r = std::max<int64_t>(rank, 1);
  return d < 0 ? d + r : d;
}

bool broadcastable(const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
  for (size_t i = 1; i <= std::min(a.size(), b.size()); ++i) {
    const int64_t x = a[a.size() - i], y = b[b.size() - i];
    if (x != y && x != 1 && y != 1) return false;
  }
  return true;
}

std::vector<int64_t> broadcast_shape(const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
  std::vector<int64_t> out(std::max(a.size(), b.size()));
  for (size_t i = 1; i <= out.size(); ++i) {
    const int64_t x = i <= a.size() ? a[a.size() - i] : 1, y = i <= b.size() ? b[b.size() - i] : 1;
    out[out.size() - i] = x == 1 ? y : x;
  }
  return out;
}

std::vector<int64_t> broadcast_partner(Rng& rng, const std::vector<int64_t>& sizes) {
  std::vector<int64_t> out = sizes;
  if (rng.chance(0.3)) {  // drop leading dims
    const int64_t drop = rng.uniform(0, static_cast<int64_t>(out.size()));
    out.erase(out.begin(), out.begin() + drop);
  }
  for (auto& s : out)
    if (rng.chance(0.25)) s = 1;
  if (out.size() < 4 && rng.chance(0.15)) out.insert(out.begin(), rng.uniform(1, 3));
  if (!out.empty() && rng.chance(kBadArg)) out.back() += 1;  // usually no longer broadcastable
  return out;
}

DType partner_dtype(Rng& rng, DType like) { return rng.chance(0.65) ? like : random_dtype(rng); }

TensorSpec aux_tensor(Rng& rng, DType dtype, const std::vector<int64_t>& sizes, Values values, bool allow_layouts) {
  TensorSpec s = random_tensor(rng, dtype, sizes, values, allow_layouts);
  s.requires_grad = is_floating(dtype) && rng.chance(0.4);
  return s;
}

TensorSpec index_tensor(Rng& rng, const std::vector<int64_t>& sizes, int64_t lo, int64_t hi, bool int32_ok) {
  TensorSpec s = random_tensor(rng, int32_ok && rng.chance(0.2) ? DType::Int32 : DType::Int64, sizes, Values::Normal);
  const bool bad = rng.chance(kBadArg);
  for (auto& v : s.storage) v = static_cast<double>(hi >= lo ? rng.uniform(lo, hi) : lo);
  if (bad && !s.storage.empty()) s.storage[rng.uniform(0, static_cast<int64_t>(s.storage.size()) - 1)] = hi + 1;
  return s;
}

TensorSpec mask_tensor(Rng& rng, const std::vector<int64_t>& sizes) {
  return random_tensor(rng, DType::Bool, sizes, Values::Normal);
}

std::vector<int64_t> reshape_target(Rng& rng, const std::vector<int64_t>& sizes) {
  std::vector<int64_t> out = sizes;
  const int moves = static_cast<int>(rng.uniform(1, 3));
  for (int m = 0; m < moves; ++m) {
    const double r = rng.real();
    if (r < 0.35 && out.size() >= 2) {  // merge two neighbours
      const size_t i = static_cast<size_t>(rng.uniform(0, static_cast<int64_t>(out.size()) - 2));
      out[i] *= out[i + 1];
      out.erase(out.begin() + static_cast<int64_t>(i) + 1);
    } else if (r < 0.6) {  // split a dim into a factor pair
      std::vector<size_t> splittable;
      for (size_t i = 0; i < out.size(); ++i)
        if (out[i] >= 4 && (out[i] % 2 == 0 || out[i] % 3 == 0)) splittable.push_back(i);
      if (splittable.empty()) continue;
      const size_t i = rng.pick(splittable);
      const int64_t f = out[i] % 2 == 0 ? 2 : 3;
      out[i] /= f;
      out.insert(out.begin() + static_cast<int64_t>(i) + 1, f);
    } else if (r < 0.8 && out.size() < 5) {  // insert a 1
      out.insert(out.begin() + rng.uniform(0, static_cast<int64_t>(out.size())), 1);
    } else {  // drop a 1
      auto it = std::find(out.begin(), out.end(), 1);
      if (it != out.end()) out.erase(it);
    }
  }
  if (rng.chance(0.15)) out = {numel_of(sizes)};
  if (!out.empty() && rng.chance(0.35)) out[rng.uniform(0, static_cast<int64_t>(out.size()) - 1)] = -1;
  if (rng.chance(kBadArg)) out.push_back(2);  // wrong number of elements (or a second -1's error)
  return out;
}

}  // namespace fuzz
