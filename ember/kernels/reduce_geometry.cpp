// The geometry split every reduction kernel works on, on any device (Note [Reduction
// geometry] in kernels/reduce.h).
#include "ember/kernels/reduce.h"

#include <algorithm>

namespace ember::kernels {

namespace {

struct Dim {
  int64_t size, in_stride, out_stride;
};

// Sorts innermost first (smallest input stride; ties keep the later logical dim first,
// so a contiguous tensor keeps its natural order), then merges neighbours where the outer
// dim continues the inner one in the input and, for kept dims, in the output too.
void order_and_merge(SmallVector<Dim, 6>& dims, bool check_out) {
  std::stable_sort(dims.begin(), dims.end(),
                   [](const Dim& a, const Dim& b) { return a.in_stride < b.in_stride; });
  SmallVector<Dim, 6> merged;
  for (const Dim& d : dims) {
    if (!merged.empty()) {
      Dim& last = merged.back();
      bool in_ok = last.in_stride * last.size == d.in_stride;
      bool out_ok = !check_out || last.out_stride * last.size == d.out_stride;
      if (in_ok && out_ok) {
        last.size *= d.size;
        continue;
      }
    }
    merged.push_back(d);
  }
  dims = merged;
}

}  // namespace

ReduceGeometry make_reduce_geometry(IntArrayRef sizes, IntArrayRef in_strides, IntArrayRef out_strides,
                                    const bool* reduced) {
  ReduceGeometry g;
  SmallVector<Dim, 6> kept, red;
  // Walk from the last logical dim so that equal strides keep innermost-first order.
  for (int64_t d = static_cast<int64_t>(sizes.size()) - 1; d >= 0; --d) {
    if (reduced[d]) g.num_reduced *= sizes[d];
    else g.num_outputs *= sizes[d];
    if (sizes[d] == 1) continue;
    if (reduced[d]) red.push_back({sizes[d], in_strides[d], 0});
    else kept.push_back({sizes[d], in_strides[d], out_strides[d]});
  }
  order_and_merge(kept, true);
  order_and_merge(red, false);
  for (const Dim& d : kept) {
    g.out_sizes.push_back(d.size);
    g.out_in_strides.push_back(d.in_stride);
    g.out_strides.push_back(d.out_stride);
  }
  for (const Dim& d : red) {
    g.red_sizes.push_back(d.size);
    g.red_strides.push_back(d.in_stride);
  }
  return g;
}

}  // namespace ember::kernels
