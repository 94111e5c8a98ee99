// torch.multinomial (declared in ops/random.h).
#include <algorithm>
#include <cmath>
#include <mutex>
#include <numeric>
#include <vector>

#include "ember/core/error.h"
#include "ember/ops/factory.h"
#include "ember/ops/random.h"

namespace ember {

// Note [Multinomial draws]
// PyTorch 1.13's CPU multinomial consumes its generator in one of two ways, and matching its
// indices after the same seed means consuming it the same way:
//  - without replacement: one Exp(1) draw per weight of the whole tensor, in
//    row-major order (exponential_: -log(1 - u), u from 53 bits of one 64-bit draw, computed
//    in double and rounded to the weights' dtype), then per row the indices of the largest
//    w / q (argmax for one sample, descending order for several);
//  - with replacement: per row, the cumulative sums of the weights in their dtype divided by
//    the total (the last set to exactly 1), then one double uniform per sample and the first
//    bucket whose cumulative mass is >= it (binary search).
// The generator is locked for the whole call, so concurrent users see one block of draws.
// The loop is serial by nature (each draw depends on the generator's state), and CPU-only:
// another device would need its own kernel.

namespace {

double uniform53(GeneratorImpl* g) {
  return static_cast<double>(g->random64() & ((uint64_t{1} << 53) - 1)) * (1.0 / 9007199254740992.0);
}

// The two paths check the weights with different messages, as PyTorch's do.
template <class T>
void check_weights(const T* w, int64_t rows, int64_t k, bool replacement) {
  for (int64_t r = 0; r < rows; ++r) {
    T sum = 0;
    for (int64_t i = 0; i < k; ++i) {
      T v = w[r * k + i];
      if (replacement) {
        EMBER_CHECK(v >= 0, "invalid multinomial distribution (encountering probability entry < 0)");
        EMBER_CHECK(std::isfinite(static_cast<double>(v)),
                    "invalid multinomial distribution (encountering probability entry = infinity or NaN)");
      } else {
        EMBER_CHECK(std::isfinite(static_cast<double>(v)) && v >= 0,
                    "probability tensor contains either `inf`, `nan` or element < 0");
      }
      sum += v;
    }
    EMBER_CHECK(sum > 0, "invalid multinomial distribution (sum of probabilities <= 0)");
  }
}

template <class T>
void draw_without_replacement(const T* w, int64_t rows, int64_t k, int64_t n, GeneratorImpl* g, int64_t* out) {
  std::vector<T> key(static_cast<size_t>(rows * k));
  for (int64_t i = 0; i < rows * k; ++i) {
    T q = static_cast<T>(-std::log(1.0 - uniform53(g)));
    key[i] = w[i] / q;
  }
  std::vector<int64_t> order(static_cast<size_t>(k));
  for (int64_t r = 0; r < rows; ++r) {
    const T* row = key.data() + r * k;
    if (n == 1) {
      out[r] = std::max_element(row, row + k) - row;  // the first largest, as argmax
      continue;
    }
    std::iota(order.begin(), order.end(), int64_t{0});
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return row[a] > row[b]; });
    std::copy(order.begin(), order.begin() + n, out + r * n);
  }
}

template <class T>
void draw_with_replacement(const T* w, int64_t rows, int64_t k, int64_t n, GeneratorImpl* g, int64_t* out) {
  std::vector<T> cum(static_cast<size_t>(k));
  for (int64_t r = 0; r < rows; ++r) {
    T acc = 0;
    for (int64_t i = 0; i < k; ++i) cum[i] = (acc += w[r * k + i]);
    for (T& c : cum) c /= acc;
    cum[k - 1] = 1;
    for (int64_t s = 0; s < n; ++s) {
      double u = uniform53(g);
      int64_t lo = 0, hi = k;
      while (hi > lo) {
        int64_t mid = lo + (hi - lo) / 2;
        if (static_cast<double>(cum[mid]) < u) lo = mid + 1;
        else hi = mid;
      }
      out[r * n + s] = lo;
    }
  }
}

template <class T>
void draw(const Tensor& weights, int64_t n, bool replacement, GeneratorImpl* g, Tensor& result) {
  const int64_t k = weights.size(-1), rows = weights.dim() == 2 ? weights.size(0) : 1;
  const T* w = weights.data_ptr<T>();
  check_weights(w, rows, k, replacement);
  int64_t* out = result.data_ptr<int64_t>();
  std::lock_guard<std::mutex> lock(g->mutex_);
  if (!replacement) draw_without_replacement(w, rows, k, n, g, out);
  else draw_with_replacement(w, rows, k, n, g, out);
}

}  // namespace

Tensor multinomial(const Tensor& self, int64_t num_samples, bool replacement, std::optional<Generator> gen) {
  EMBER_CHECK(self.dim() > 0 && self.dim() <= 2, "prob_dist must be 1 or 2 dim");
  EMBER_CHECK(is_floating_point(self.scalar_type()),
              "multinomial only supports floating-point dtypes for input, got: ", self.scalar_type());
  EMBER_CHECK(num_samples > 0, "cannot sample n_sample <= 0 samples");
  const int64_t k = self.size(-1);
  EMBER_CHECK(replacement || num_samples <= k,
              "cannot sample n_sample > prob_dist.size(-1) samples without replacement");
  EMBER_CHECK(k <= (int64_t{1} << 24), "number of categories cannot exceed 2^24");
  EMBER_CHECK(self.device().is_cpu(), "multinomial: ember implements it for CPU tensors only, got a tensor on ",
              self.device());
  std::vector<int64_t> sizes = self.dim() == 2 ? std::vector<int64_t>{self.size(0), num_samples}
                                               : std::vector<int64_t>{num_samples};
  Tensor result = empty(sizes, TensorOptions(kInt64));
  if (self.numel() == 0) return result;
  GeneratorImpl* g = generator_or_default(gen);
  Tensor weights = self.contiguous();
  switch (self.scalar_type()) {
    case kFloat64: draw<double>(weights, num_samples, replacement, g, result); break;
    case kFloat32: draw<float>(weights, num_samples, replacement, g, result); break;
    default: draw<float>(weights.to(kFloat32), num_samples, replacement, g, result); break;
  }
  return result;
}

}  // namespace ember
