#pragma once
// Samplers (torch.utils.data.*Sampler): which dataset indices an epoch visits, in which
// order. indices() is one pass, Python's list(iter(sampler)); random samplers draw their
// randomness there, from the same generators and with the same calls as PyTorch 1.13, so a
// seed gives PyTorch's index sequence (Note [Random streams match PyTorch]).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "ember/core/generator.h"

namespace ember::data::samplers {

class Sampler {
 public:
  virtual ~Sampler() = default;
  // One epoch's indices, in order.
  virtual std::vector<size_t> indices() = 0;
  // len(sampler): how many indices indices() returns.
  virtual size_t size() const = 0;
};

// 0, 1, ..., n-1.
class SequentialSampler : public Sampler {
 public:
  explicit SequentialSampler(size_t size) : size_(size) {}
  std::vector<size_t> indices() override;
  size_t size() const override { return size_; }

 private:
  size_t size_;
};

// A random permutation (or, with replacement, num_samples uniform draws). Without a
// generator each pass seeds a fresh Generator from one draw of the default generator, as
// PyTorch does; with one, it draws from it directly.
class RandomSampler : public Sampler {
 public:
  explicit RandomSampler(size_t size, bool replacement = false, std::optional<size_t> num_samples = std::nullopt,
                         std::optional<Generator> generator = std::nullopt);
  std::vector<size_t> indices() override;
  size_t size() const override { return num_samples(); }
  size_t num_samples() const { return num_samples_.value_or(size_); }
  bool replacement() const { return replacement_; }

 private:
  size_t size_;
  bool replacement_;
  std::optional<size_t> num_samples_;
  std::optional<Generator> generator_;
};

// The given indices in a random order: indices[randperm(len)] (default generator when none).
class SubsetRandomSampler : public Sampler {
 public:
  explicit SubsetRandomSampler(std::vector<size_t> indices, std::optional<Generator> generator = std::nullopt)
      : indices_(std::move(indices)), generator_(std::move(generator)) {}
  std::vector<size_t> indices() override;
  size_t size() const override { return indices_.size(); }

 private:
  std::vector<size_t> indices_;
  std::optional<Generator> generator_;
};

// num_samples indices drawn with probability proportional to weights: torch.multinomial
// on float64 weights, reproduced draw for draw (with replacement: inverse-CDF binary search
// on double uniforms; without, or for one sample: the exponential-race (Gumbel) trick with
// argmax/top-k).
class WeightedRandomSampler : public Sampler {
 public:
  WeightedRandomSampler(std::vector<double> weights, size_t num_samples, bool replacement = true,
                        std::optional<Generator> generator = std::nullopt);
  std::vector<size_t> indices() override;
  size_t size() const override { return num_samples_; }
  const std::vector<double>& weights() const { return weights_; }

 private:
  std::vector<double> weights_;
  size_t num_samples_;
  bool replacement_;
  std::optional<Generator> generator_;
};

// This replica's share of the dataset (torch.utils.data.distributed.DistributedSampler):
// a permutation seeded with seed + epoch (or 0..n-1), padded by repeating its start to a
// multiple of num_replicas (or trimmed with drop_last), then every num_replicas-th index
// from rank. Every replica must call set_epoch(e) before each epoch to reshuffle.
class DistributedSampler : public Sampler {
 public:
  DistributedSampler(size_t dataset_size, size_t num_replicas = 1, size_t rank = 0, bool shuffle = true,
                     uint64_t seed = 0, bool drop_last = false);
  std::vector<size_t> indices() override;
  size_t size() const override { return num_samples_; }
  void set_epoch(uint64_t epoch) { epoch_ = epoch; }
  uint64_t epoch() const { return epoch_; }
  size_t num_replicas() const { return num_replicas_; }
  size_t rank() const { return rank_; }
  size_t total_size() const { return total_size_; }

 private:
  size_t dataset_size_, num_replicas_, rank_;
  bool shuffle_;
  uint64_t seed_;
  bool drop_last_;
  uint64_t epoch_ = 0;
  size_t num_samples_, total_size_;
};

// Groups another sampler's indices into batches of batch_size (the last one shorter, or
// dropped with drop_last). Subclass and override batches()/size() for custom batching.
class BatchSampler {
 public:
  BatchSampler(std::shared_ptr<Sampler> sampler, size_t batch_size, bool drop_last = false);
  virtual ~BatchSampler() = default;
  // One epoch's batches of indices, in order.
  virtual std::vector<std::vector<size_t>> batches();
  virtual size_t size() const;
  size_t batch_size() const { return batch_size_; }
  bool drop_last() const { return drop_last_; }
  const std::shared_ptr<Sampler>& sampler() const { return sampler_; }

 protected:
  BatchSampler() = default;  // for subclasses that batch on their own

 private:
  std::shared_ptr<Sampler> sampler_;
  size_t batch_size_ = 1;
  bool drop_last_ = false;
};

}  // namespace ember::data::samplers

namespace ember::data::detail {
// torch.multinomial(weights (float64, 1-D), n, replacement, generator).tolist().
std::vector<size_t> multinomial(const std::vector<double>& weights, size_t n, bool replacement,
                                const std::optional<Generator>& generator);
// int(torch.empty((), dtype=torch.int64).random_(generator=g).item()): the seeds PyTorch's
// samplers and DataLoader draw.
uint64_t draw_seed(const std::optional<Generator>& generator);
}  // namespace ember::data::detail
