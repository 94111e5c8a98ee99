#include "fuzz_minimize.h"

#include <cmath>

namespace fuzz {

namespace {

// The same values, stored contiguously in logical order.
TensorSpec contiguous_version(const TensorSpec& s) {
  TensorSpec c = s;
  c.strides = contiguous_strides(s.sizes);
  c.layout = "contiguous";
  c.storage.clear();
  const int64_t n = s.numel(), rank = static_cast<int64_t>(s.sizes.size());
  std::vector<int64_t> idx(rank, 0);
  for (int64_t k = 0; k < n; ++k) {
    int64_t off = 0;
    for (int64_t d = 0; d < rank; ++d) off += idx[d] * s.strides[d];
    c.storage.push_back(s.storage[off]);
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++idx[d] < s.sizes[d]) break;
      idx[d] = 0;
    }
  }
  return c;
}

// Removes entry `j` along dim d (the result is contiguous).
TensorSpec remove_slice(const TensorSpec& s, int64_t d, int64_t j) {
  TensorSpec c = contiguous_version(s);
  TensorSpec out = c;
  out.sizes[d] -= 1;
  out.strides = contiguous_strides(out.sizes);
  out.storage.clear();
  const int64_t n = c.numel(), rank = static_cast<int64_t>(c.sizes.size());
  std::vector<int64_t> idx(rank, 0);
  for (int64_t k = 0; k < n; ++k) {
    if (idx[d] != j) out.storage.push_back(c.storage[k]);
    for (int64_t e = rank - 1; e >= 0; --e) {
      if (++idx[e] < c.sizes[e]) break;
      idx[e] = 0;
    }
  }
  return out;
}

TensorSpec with_dtype(const TensorSpec& s, DType t) {
  TensorSpec c = s;
  c.dtype = t;
  for (auto& v : c.storage) {
    if (!is_floating(t) && !std::isfinite(v)) v = 0;
    if (!is_floating(t)) v = std::trunc(v);
    v = quantize(t, v);
  }
  if (!is_floating(t)) c.requires_grad = false;
  return c;
}

// Removes value number `v`; references to it become `replacement`.
void drop_value(Program& p, int v, int replacement) {
  for (auto& st : p.steps)
    for (auto& r : st.refs) {
      if (r == v) r = replacement;
      if (r > v) --r;
    }
}

class Minimizer {
 public:
  Minimizer(const Discrepancy& target, const Oracle& run, int max_runs)
      : target_(target.signature()), run_(run), budget_(max_runs) {}

  // Keeps `candidate` when it still fails the same way.
  bool accept(Program& best, const Program& candidate) {
    if (budget_-- <= 0) return false;
    auto d = run_(candidate);
    if (!d || d->signature() != target_) return false;
    best = candidate;
    found_ = *d;
    return true;
  }
  bool out_of_budget() const { return budget_ <= 0; }
  Discrepancy found_;

 private:
  std::string target_;
  const Oracle& run_;
  int budget_;
};

}  // namespace

// Value v (made by a step) becomes a new last input; the step stays, unreferenced, until
// the step pass drops it.
Program with_value_as_input(const Program& p, int v, const TensorSpec& spec) {
  Program c = p;
  const int n_in = static_cast<int>(p.inputs.size());
  c.inputs.push_back(spec);
  for (auto& st : c.steps)
    for (auto& r : st.refs) r = r == v ? n_in : r >= n_in ? r + 1 : r;
  return c;
}

Program minimize(const Program& program, const Discrepancy& target, const Oracle& run, const ValueOf& value_of,
                 Discrepancy& found, int max_runs) {
  Minimizer m(target, run, max_runs);
  m.found_ = target;
  Program best = program;
  // Cut everything after the failing step.
  if (target.step >= 0 && target.step + 1 < static_cast<int>(best.steps.size())) {
    Program c = best;
    c.steps.resize(target.step + 1);
    m.accept(best, c);
  }
  bool changed = true;
  while (changed && !m.out_of_budget()) {
    changed = false;
    const int n_in = static_cast<int>(best.inputs.size());
    // Drop steps, newest first (the failing step is among them; its drop fails the check).
    for (int j = static_cast<int>(best.steps.size()) - 1; j >= 0; --j) {
      if (best.steps.size() <= 1) break;
      Program c = best;
      const int v = n_in + j;
      const int repl = c.steps[j].refs.empty() ? 0 : c.steps[j].refs[0];
      c.steps.erase(c.steps.begin() + j);
      drop_value(c, v, repl);
      if (m.accept(best, c)) changed = true;
    }
    // Cut the failing step loose: its operands that steps made become inputs.
    if (!changed && m.found_.step >= 0 && m.found_.step < static_cast<int>(best.steps.size())) {
      const int n_in_now = static_cast<int>(best.inputs.size());
      for (int r : best.steps[m.found_.step].refs) {
        if (r < n_in_now) continue;
        Program c = with_value_as_input(best, r, value_of(best, r));
        if (m.accept(best, c)) {
          changed = true;
          break;
        }
      }
    }
    // Drop inputs.
    for (int i = static_cast<int>(best.inputs.size()) - 1; i >= 0 && best.inputs.size() > 1; --i) {
      Program c = best;
      c.inputs.erase(c.inputs.begin() + i);
      drop_value(c, i, i == 0 ? 1 : 0);  // (value 1 then moves down to 0)
      if (m.accept(best, c)) changed = true;
    }
    // Simplify inputs.
    for (size_t i = 0; i < best.inputs.size(); ++i) {
      auto try_spec = [&](const TensorSpec& s) {
        Program c = best;
        c.inputs[i] = s;
        if (m.accept(best, c)) changed = true;
      };
      if (best.inputs[i].requires_grad) {
        TensorSpec s = best.inputs[i];
        s.requires_grad = false;
        try_spec(s);
      }
      if (best.inputs[i].layout != "contiguous") try_spec(contiguous_version(best.inputs[i]));
      for (size_t d = 0; d < best.inputs[i].sizes.size(); ++d) {
        const TensorSpec& s = best.inputs[i];
        if (s.sizes[d] == 1) {  // drop the dim
          TensorSpec c = contiguous_version(s);
          c.sizes.erase(c.sizes.begin() + static_cast<int64_t>(d));
          c.strides = contiguous_strides(c.sizes);
          try_spec(c);
        } else {
          for (int64_t j = s.sizes[d] - 1; j >= 0; --j)
            if (best.inputs[i].sizes.size() > d && j < best.inputs[i].sizes[d])
              try_spec(remove_slice(best.inputs[i], static_cast<int64_t>(d), j));
        }
      }
      for (DType t : {DType::Float64, DType::Float32, DType::Int64}) {
        if (best.inputs[i].dtype == t) break;
        if (is_floating(best.inputs[i].dtype) != is_floating(t)) continue;
        try_spec(with_dtype(best.inputs[i], t));
      }
      // Plainer values: each element to 0, then 1, then rounded (small tensors only).
      if (best.inputs[i].storage.size() <= 32) {
        for (size_t k = 0; k < best.inputs[i].storage.size(); ++k) {
          for (double plain : {0.0, 1.0, std::round(best.inputs[i].storage[k])}) {
            const double cur = best.inputs[i].storage[k];
            if (std::isnan(plain) || (cur == plain && std::signbit(cur) == std::signbit(plain))) continue;
            TensorSpec s = best.inputs[i];
            s.storage[k] = quantize(s.dtype, plain);
            Program c = best;
            c.inputs[i] = s;
            if (m.accept(best, c)) {
              changed = true;
              break;
            }
          }
        }
      }
    }
  }
  found = m.found_;
  return best;
}

}  // namespace fuzz
