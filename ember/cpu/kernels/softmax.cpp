// Softmax / log-softmax over contiguous rows. Compiled once per ISA.
#include "ember/cpu/kernels/kernel_prelude.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "ember/core/parallel.h"
#include "ember/kernels/reduce.h"
#include "ember/cpu/vec_math.h"

namespace ember::cpu::EMBER_CPU_NS {
namespace {

// Stable form: subtract the row maximum before exp, so large inputs never overflow
// (softmax([1000, 1000]) is [0.5, 0.5]). A row whose maximum is +-inf or NaN yields NaN
// where PyTorch does (inf - inf), and -inf entries give exactly 0.
// Sum of n values in double across 8 independent lanes: a long row (a 1M-class
// softmax) would lose ~1e-4 relative accuracy summed sequentially in float.
template <class T>
double lane_sum(const T* __restrict p, int64_t n) {
  double lanes[8] = {};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) lanes[j] += double(p[i + j]);
  double s = 0;
  for (; i < n; ++i) s += double(p[i]);
  for (int j = 0; j < 8; ++j) s += lanes[j];
  return s;
}

template <class T>
void softmax_row(bool log, const T* __restrict in, T* __restrict out, int64_t n) {
  T mx = -std::numeric_limits<T>::infinity();
  for (int64_t i = 0; i < n; ++i) mx = (in[i] > mx || in[i] != in[i]) ? in[i] : mx;
  for (int64_t i = 0; i < n; ++i) out[i] = in[i] - mx;
  if (log) {
    // log_softmax = (x - max) - log(sum(exp(x - max))); exp into a scratch block.
    constexpr int64_t kBlock = 1024;
    T tmp[kBlock];
    double sum = 0;
    for (int64_t b = 0; b < n; b += kBlock) {
      int64_t m = std::min(kBlock, n - b);
      vec::exp(out + b, tmp, m);
      sum += lane_sum(tmp, m);
    }
    const T ls = T(std::log(sum));
    for (int64_t i = 0; i < n; ++i) out[i] -= ls;
  } else {
    vec::exp(out, out, n);
    const T inv = T(1.0 / lane_sum(out, n));
    for (int64_t i = 0; i < n; ++i) out[i] *= inv;
  }
}

template <class T>
void softmax_typed(bool log, const T* in, T* out, int64_t rows, int64_t n) {
  int64_t grain = std::max<int64_t>(1, kGrainSize / std::max<int64_t>(n, 1) / 4);
  parallel_for(0, rows, grain, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) softmax_row<T>(log, in + r * n, out + r * n, n);
  });
}

void softmax_kernel(bool log, ScalarType dtype, const void* in, void* out, int64_t rows, int64_t n) {
  switch (dtype) {
    case kFloat32:
      return softmax_typed<float>(log, static_cast<const float*>(in), static_cast<float*>(out), rows, n);
    case kFloat64:
      return softmax_typed<double>(log, static_cast<const double*>(in), static_cast<double*>(out), rows, n);
    default: EMBER_THROW(Error, "softmax kernel: unsupported dtype ", dtype);
  }
}

}  // namespace

void register_softmax() { EMBER_REGISTER_KERNEL(softmax_stub, softmax_kernel); }

}  // namespace ember::cpu::EMBER_CPU_NS
