#include "ember/data/datasets/subset.h"

#include <cstdio>

#include "ember/ops/random.h"

namespace ember::data::datasets::detail {

std::vector<size_t> split_lengths(size_t n, const std::vector<double>& lengths) {
  double sum = 0;
  for (double l : lengths) sum += l;
  std::vector<size_t> sizes;
  // math.isclose(sum, 1) (rel_tol 1e-9) and sum <= 1: fractions.
  if (std::fabs(sum - 1.0) <= 1e-9 * std::max(1.0, std::fabs(sum)) && sum <= 1) {
    for (size_t i = 0; i < lengths.size(); ++i) {
      EMBER_CHECK_VALUE(lengths[i] >= 0 && lengths[i] <= 1, "Fraction at index ", i, " is not between 0 and 1");
      sizes.push_back(static_cast<size_t>(std::floor(static_cast<double>(n) * lengths[i])));
    }
    size_t assigned = std::accumulate(sizes.begin(), sizes.end(), size_t{0});
    for (size_t i = 0; i < n - assigned; ++i) sizes[i % sizes.size()] += 1;
    for (size_t i = 0; i < sizes.size(); ++i)
      if (sizes[i] == 0)
        std::fprintf(stderr, "UserWarning: Length of split at index %zu is 0. This might result in an empty dataset.\n", i);
  } else {
    for (double l : lengths) {
      EMBER_CHECK_VALUE(l >= 0 && l == std::floor(l), "random_split: lengths must be non-negative integers or "
                        "fractions summing to 1, got ", l);
      sizes.push_back(static_cast<size_t>(l));
    }
  }
  size_t total = std::accumulate(sizes.begin(), sizes.end(), size_t{0});
  EMBER_CHECK_VALUE(total == n, "Sum of input lengths does not equal the length of the input dataset!");
  return sizes;
}

std::vector<size_t> random_permutation(size_t n, const std::optional<Generator>& generator) {
  Tensor p = randperm(static_cast<int64_t>(n), generator);
  const int64_t* d = p.data_ptr<int64_t>();
  return std::vector<size_t>(d, d + n);
}

}  // namespace ember::data::datasets::detail
