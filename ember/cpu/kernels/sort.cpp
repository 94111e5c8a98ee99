// Row sort kernel (sort, argsort, topk). Compiled once per ISA.
#include "ember/cpu/kernels/kernel_prelude.h"

#include <algorithm>
#include <numeric>
#include <type_traits>
#include <vector>

#include "ember/core/parallel.h"
#include "ember/kernels/reduce.h"

namespace ember::cpu::EMBER_CPU_NS {
namespace {

// Always stable: a stable order is a valid answer for stable=false too, and it is the
// one stable=true must give (ties keep their input order, descending included). NaN
// sorts as larger than everything, so it comes last ascending and first descending.
template <class T>
void sort_typed(const T* in, T* values, int64_t* indices, int64_t rows, int64_t n, bool descending) {
  int64_t grain = std::max<int64_t>(1, kGrainSize / std::max<int64_t>(n, 1) / 8);
  parallel_for(0, rows, grain, [&](int64_t r0, int64_t r1) {
    std::vector<int64_t> idx(n);
    for (int64_t r = r0; r < r1; ++r) {
      const T* p = in + r * n;
      std::iota(idx.begin(), idx.end(), int64_t(0));
      auto less = [p](int64_t a, int64_t b) {
        if constexpr (std::is_floating_point_v<T>) {
          bool an = p[a] != p[a], bn = p[b] != p[b];
          if (an || bn) return !an && bn;
        }
        return p[a] < p[b];
      };
      if (descending) std::stable_sort(idx.begin(), idx.end(), [&](int64_t a, int64_t b) { return less(b, a); });
      else std::stable_sort(idx.begin(), idx.end(), less);
      for (int64_t i = 0; i < n; ++i) {
        values[r * n + i] = p[idx[i]];
        indices[r * n + i] = idx[i];
      }
    }
  });
}

void sort_kernel(ScalarType dtype, const void* in, void* values, int64_t* indices, int64_t rows, int64_t n,
                 bool descending) {
  switch (dtype) {
    case kFloat32:
      return sort_typed(static_cast<const float*>(in), static_cast<float*>(values), indices, rows, n, descending);
    case kFloat64:
      return sort_typed(static_cast<const double*>(in), static_cast<double*>(values), indices, rows, n, descending);
    case kInt64:
      return sort_typed(static_cast<const int64_t*>(in), static_cast<int64_t*>(values), indices, rows, n,
                        descending);
    default: EMBER_THROW(Error, "sort kernel: unsupported dtype ", dtype);
  }
}

}  // namespace

void register_sort() { EMBER_REGISTER_KERNEL(sort_stub, sort_kernel); }

}  // namespace ember::cpu::EMBER_CPU_NS
