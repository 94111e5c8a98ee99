#pragma once
// Subset, ConcatDataset and random_split (torch.utils.data), for any dataset type that
// follows Note [Dataset protocol] in data/dataset.h.
#include <algorithm>
#include <cmath>
#include <concepts>
#include <memory>
#include <numeric>
#include <optional>
#include <vector>

#include "ember/core/generator.h"
#include "ember/data/dataset.h"

namespace ember::data::datasets {

// The examples of `dataset` at `indices`. Subsets made by random_split share one dataset.
template <MapStyleDataset D>
class Subset : public Dataset<Subset<D>, dataset_example_t<D>> {
 public:
  using ExampleType = dataset_example_t<D>;

  Subset(D dataset, std::vector<size_t> indices)
      : Subset(std::make_shared<D>(std::move(dataset)), std::move(indices)) {}
  Subset(std::shared_ptr<D> dataset, std::vector<size_t> indices)
      : dataset_(std::move(dataset)), indices_(std::move(indices)) {
    EMBER_CHECK(dataset_ != nullptr, "Subset: the dataset is null");
  }

  ExampleType get(size_t index) override {
    EMBER_CHECK_INDEX(index < indices_.size(), "Subset index ", index, " is out of range for a subset of size ",
                      indices_.size());
    return dataset_->get(indices_[index]);
  }
  std::optional<size_t> size() const override { return indices_.size(); }

  const std::vector<size_t>& indices() const { return indices_; }
  D& dataset() const { return *dataset_; }

 private:
  std::shared_ptr<D> dataset_;
  std::vector<size_t> indices_;
};

// The datasets one after another (all of type D; to mix types give them one example type
// and wrap them in a common type first).
template <MapStyleDataset D>
class ConcatDataset : public Dataset<ConcatDataset<D>, dataset_example_t<D>> {
 public:
  using ExampleType = dataset_example_t<D>;

  explicit ConcatDataset(std::vector<D> datasets) : datasets_(std::move(datasets)) {
    EMBER_CHECK_VALUE(!datasets_.empty(), "datasets should not be an empty iterable");  // PyTorch's wording
    size_t total = 0;
    for (const D& d : datasets_) cumulative_.push_back(total += dataset_size(d));
  }

  ExampleType get(size_t index) override {
    EMBER_CHECK_INDEX(index < cumulative_.back(), "ConcatDataset index ", index,
                      " is out of range for a dataset of size ", cumulative_.back());
    size_t k = std::upper_bound(cumulative_.begin(), cumulative_.end(), index) - cumulative_.begin();
    size_t offset = k == 0 ? 0 : cumulative_[k - 1];
    return datasets_[k].get(index - offset);
  }
  std::optional<size_t> size() const override { return cumulative_.back(); }

  const std::vector<D>& datasets() const { return datasets_; }
  const std::vector<size_t>& cumulative_sizes() const { return cumulative_; }

 private:
  std::vector<D> datasets_;
  std::vector<size_t> cumulative_;
};

namespace detail {
// Resolves random_split's lengths: fractions that sum to 1 become counts (floor, then the
// remainder handed out round-robin), as torch.utils.data.random_split does.
std::vector<size_t> split_lengths(size_t n, const std::vector<double>& lengths);
// randperm(n, generator) as a vector, the permutation random_split slices.
std::vector<size_t> random_permutation(size_t n, const std::optional<Generator>& generator);
}  // namespace detail

// Splits `dataset` into non-overlapping Subsets of the given lengths (or fractions summing
// to 1) using randperm(len, generator): the same split as PyTorch for the same generator
// state. Without a generator the default one is used, as in PyTorch.
template <MapStyleDataset D>
std::vector<Subset<D>> random_split(D dataset, const std::vector<double>& lengths,
                                    std::optional<Generator> generator = std::nullopt) {
  auto shared = std::make_shared<D>(std::move(dataset));
  std::vector<size_t> sizes = detail::split_lengths(dataset_size(*shared), lengths);
  size_t total = std::accumulate(sizes.begin(), sizes.end(), size_t{0});
  std::vector<size_t> perm = detail::random_permutation(total, generator);
  std::vector<Subset<D>> out;
  size_t offset = 0;
  for (size_t len : sizes) {
    out.emplace_back(shared, std::vector<size_t>(perm.begin() + offset, perm.begin() + offset + len));
    offset += len;
  }
  return out;
}

template <MapStyleDataset D, std::integral I>
std::vector<Subset<D>> random_split(D dataset, const std::vector<I>& lengths,
                                    std::optional<Generator> generator = std::nullopt) {
  std::vector<double> l;
  for (I v : lengths) {
    EMBER_CHECK_VALUE(v >= 0, "random_split: lengths must be non-negative, got ", v);
    l.push_back(static_cast<double>(v));
  }
  return random_split(std::move(dataset), l, std::move(generator));
}

}  // namespace ember::data::datasets
