// Cumulative sum / product kernels. Compiled once per ISA.
#include "ember/cpu/kernels/kernel_prelude.h"

#include <algorithm>
#include <type_traits>
#include <vector>

#include "ember/core/parallel.h"
#include "ember/kernels/reduce.h"

namespace ember::cpu::EMBER_CPU_NS {
namespace {

// PyTorch's CPU accumulate type: floating scans run in double, so a float32 cumsum does
// not lose small terms after a large one (cumsum([1e8, 1, -1e8, 1]) ends in 2, not 1).
template <class T>
using scan_acc_t = std::conditional_t<std::is_floating_point_v<T>, double, T>;

template <class T, bool IsProd>
void scan_impl(const T* in, T* out, int64_t outer, int64_t n, int64_t inner) {
  using A = scan_acc_t<T>;
  // Integer scans wrap around on overflow as in PyTorch (unsigned arithmetic: defined).
  auto op = [](A a, A x) -> A {
    if constexpr (std::is_integral_v<A>) {
      using U = std::make_unsigned_t<A>;
      return IsProd ? A(U(a) * U(x)) : A(U(a) + U(x));
    } else {
      return IsProd ? a * x : a + x;
    }
  };
  if (inner == 1) {
    // Each line is contiguous: a sequential running value per line.
    int64_t grain = std::max<int64_t>(1, kGrainSize / std::max<int64_t>(n, 1));
    parallel_for(0, outer, grain, [&](int64_t o0, int64_t o1) {
      for (int64_t o = o0; o < o1; ++o) {
        const T* p = in + o * n;
        T* q = out + o * n;
        A acc = IsProd ? A(1) : A(0);
        for (int64_t i = 0; i < n; ++i) {
          acc = op(acc, A(p[i]));
          q[i] = T(acc);
        }
      }
    });
    return;
  }
  // Lines run across rows: keep a row of running values, updated vectorised across inner.
  constexpr int64_t kWidth = 512;
  const int64_t nblocks = (inner + kWidth - 1) / kWidth;
  int64_t grain = std::max<int64_t>(1, kGrainSize / std::max<int64_t>(n * std::min(inner, kWidth), 1));
  parallel_for(0, outer * nblocks, grain, [&](int64_t t0, int64_t t1) {
    A acc[kWidth];
    for (int64_t t = t0; t < t1; ++t) {
      int64_t o = t / nblocks, j0 = (t % nblocks) * kWidth, w = std::min(kWidth, inner - j0);
      for (int64_t j = 0; j < w; ++j) acc[j] = IsProd ? A(1) : A(0);
      for (int64_t i = 0; i < n; ++i) {
        const T* __restrict p = in + (o * n + i) * inner + j0;
        T* __restrict q = out + (o * n + i) * inner + j0;
        for (int64_t j = 0; j < w; ++j) {
          acc[j] = op(acc[j], A(p[j]));
          q[j] = T(acc[j]);
        }
      }
    }
  });
}

template <class T>
void scan_typed(bool is_prod, const void* in, void* out, int64_t outer, int64_t n, int64_t inner) {
  if (is_prod) scan_impl<T, true>(static_cast<const T*>(in), static_cast<T*>(out), outer, n, inner);
  else scan_impl<T, false>(static_cast<const T*>(in), static_cast<T*>(out), outer, n, inner);
}

void scan_kernel(bool is_prod, ScalarType dtype, const void* in, void* out, int64_t outer, int64_t n,
                 int64_t inner) {
  switch (dtype) {
    case kFloat32: return scan_typed<float>(is_prod, in, out, outer, n, inner);
    case kFloat64: return scan_typed<double>(is_prod, in, out, outer, n, inner);
    case kInt64: return scan_typed<int64_t>(is_prod, in, out, outer, n, inner);
    default: EMBER_THROW(Error, "scan kernel: unsupported dtype ", dtype);
  }
}

}  // namespace

void register_scan() { EMBER_REGISTER_KERNEL(scan_stub, scan_kernel); }

}  // namespace ember::cpu::EMBER_CPU_NS
