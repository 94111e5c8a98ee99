#include "ember/data/samplers/sampler.h"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <numeric>

#include "ember/core/error.h"
#include "ember/ops/factory.h"
#include "ember/ops/random.h"

namespace ember::data {

namespace detail {

uint64_t draw_seed(const std::optional<Generator>& generator) {
  Tensor t = empty({}, TensorOptions(kInt64));
  t.random_(generator);
  return static_cast<uint64_t>(t.item<int64_t>());
}

namespace {
std::vector<size_t> to_indices(const Tensor& t) {
  const int64_t* d = t.data_ptr<int64_t>();
  return std::vector<size_t>(d, d + t.numel());
}

}  // namespace

std::vector<size_t> multinomial(const std::vector<double>& w, size_t n, bool replacement,
                                const std::optional<Generator>& generator) {
  EMBER_CHECK(!w.empty(), "multinomial: the weights are empty");
  if (n == 0) return {};
  Tensor weights = tensor(w, TensorOptions(kFloat64));
  return to_indices(ember::multinomial(weights, static_cast<int64_t>(n), replacement, generator));
}

}  // namespace detail

namespace samplers {

std::vector<size_t> SequentialSampler::indices() {
  std::vector<size_t> out(size_);
  std::iota(out.begin(), out.end(), size_t{0});
  return out;
}

RandomSampler::RandomSampler(size_t size, bool replacement, std::optional<size_t> num_samples,
                             std::optional<Generator> generator)
    : size_(size), replacement_(replacement), num_samples_(num_samples), generator_(std::move(generator)) {
  EMBER_CHECK_VALUE(this->num_samples() > 0,
                    "num_samples should be a positive integer value, but got num_samples=", this->num_samples());
}

std::vector<size_t> RandomSampler::indices() {
  EMBER_CHECK_VALUE(size_ > 0, "RandomSampler: cannot sample from an empty dataset");
  std::optional<Generator> gen = generator_;
  if (!gen) gen = Generator(detail::draw_seed(std::nullopt));
  const int64_t n = static_cast<int64_t>(size_);
  const size_t total = num_samples();
  std::vector<size_t> out;
  out.reserve(total);
  auto append = [&](const Tensor& t, size_t limit) {
    std::vector<size_t> v = detail::to_indices(t);
    out.insert(out.end(), v.begin(), v.begin() + std::min(limit, v.size()));
  };
  if (replacement_) {
    for (size_t i = 0; i < total / 32; ++i) append(randint(n, {32}, gen, TensorOptions(kInt64)), 32);
    append(randint(n, {static_cast<int64_t>(total % 32)}, gen, TensorOptions(kInt64)), 32);
  } else {
    for (size_t i = 0; i < total / size_; ++i) append(randperm(n, gen), size_);
    append(randperm(n, gen), total % size_);  // PyTorch draws this permutation even when it keeps none of it
  }
  return out;
}

std::vector<size_t> SubsetRandomSampler::indices() {
  Tensor p = randperm(static_cast<int64_t>(indices_.size()), generator_);
  std::vector<size_t> out;
  out.reserve(indices_.size());
  for (size_t i : detail::to_indices(p)) out.push_back(indices_[i]);
  return out;
}

WeightedRandomSampler::WeightedRandomSampler(std::vector<double> weights, size_t num_samples, bool replacement,
                                             std::optional<Generator> generator)
    : weights_(std::move(weights)), num_samples_(num_samples), replacement_(replacement),
      generator_(std::move(generator)) {
  EMBER_CHECK_VALUE(num_samples_ > 0, "num_samples should be a positive integer value, but got num_samples=",
                    num_samples_);
}

std::vector<size_t> WeightedRandomSampler::indices() {
  return detail::multinomial(weights_, num_samples_, replacement_, generator_);
}

DistributedSampler::DistributedSampler(size_t dataset_size, size_t num_replicas, size_t rank, bool shuffle,
                                       uint64_t seed, bool drop_last)
    : dataset_size_(dataset_size), num_replicas_(num_replicas), rank_(rank), shuffle_(shuffle), seed_(seed),
      drop_last_(drop_last) {
  EMBER_CHECK_VALUE(num_replicas_ > 0, "DistributedSampler: num_replicas must be positive");
  EMBER_CHECK_VALUE(rank_ < num_replicas_, "Invalid rank ", rank_, ", rank should be in the interval [0, ",
                    num_replicas_ - 1, "]");
  if (drop_last_ && dataset_size_ % num_replicas_ != 0)
    // ceil((n - r) / r): drop the tail so every replica gets the same amount of data.
    num_samples_ = dataset_size_ < num_replicas_ ? 0 : (dataset_size_ - num_replicas_ + num_replicas_ - 1) / num_replicas_;
  else
    num_samples_ = (dataset_size_ + num_replicas_ - 1) / num_replicas_;
  total_size_ = num_samples_ * num_replicas_;
}

std::vector<size_t> DistributedSampler::indices() {
  std::vector<size_t> all;
  if (shuffle_) {
    Generator g(seed_ + epoch_);
    all = detail::to_indices(randperm(static_cast<int64_t>(dataset_size_), g));
  } else {
    all.resize(dataset_size_);
    std::iota(all.begin(), all.end(), size_t{0});
  }
  if (!drop_last_) {
    // Pad by repeating the list's start (the whole list as often as needed).
    size_t base = all.size();
    EMBER_CHECK(base > 0 || total_size_ == 0, "DistributedSampler: the dataset is empty");
    for (size_t i = 0; all.size() < total_size_; ++i) all.push_back(all[i % base]);
  } else {
    all.resize(total_size_);
  }
  std::vector<size_t> out;
  out.reserve(num_samples_);
  for (size_t i = rank_; i < total_size_; i += num_replicas_) out.push_back(all[i]);
  return out;
}

BatchSampler::BatchSampler(std::shared_ptr<Sampler> sampler, size_t batch_size, bool drop_last)
    : sampler_(std::move(sampler)), batch_size_(batch_size), drop_last_(drop_last) {
  EMBER_CHECK(sampler_ != nullptr, "BatchSampler: the sampler is null");
  EMBER_CHECK_VALUE(batch_size_ > 0, "batch_size should be a positive integer value, but got batch_size=",
                    batch_size_);
}

std::vector<std::vector<size_t>> BatchSampler::batches() {
  std::vector<size_t> idx = sampler_->indices();
  std::vector<std::vector<size_t>> out;
  for (size_t b = 0; b < idx.size(); b += batch_size_) {
    size_t e = std::min(idx.size(), b + batch_size_);
    if (drop_last_ && e - b < batch_size_) break;
    out.emplace_back(idx.begin() + b, idx.begin() + e);
  }
  return out;
}

size_t BatchSampler::size() const {
  size_t n = sampler_->size();
  return drop_last_ ? n / batch_size_ : (n + batch_size_ - 1) / batch_size_;
}

}  // namespace samplers
}  // namespace ember::data
