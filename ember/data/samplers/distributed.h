#pragma once
// LibTorch's own distributed samplers (torch::data::samplers::DistributedRandomSampler and
// DistributedSequentialSampler), with LibTorch's semantics, beside the Python-style
// DistributedSampler of sampler.h (which interleaves: every num_replicas-th index).
//
// Note [LibTorch distributed samplers]
// Each replica takes one contiguous block of one index list: replica `rank` of
// `num_replicas` visits positions [rank * n, (rank + 1) * n) where n, the local sample
// count, is ceil(size / num_replicas) with allow_duplicates (the list is padded with
// 0, 1, ... so every replica gets n indices; a few samples are seen twice) and
// floor(size / num_replicas) without (the tail is never visited). The random sampler
// shuffles the list with std::shuffle driven by std::mt19937(epoch) before taking the
// block, so every replica shuffles the same way and the blocks stay disjoint; as in
// LibTorch, call set_epoch(e) before each epoch, or every epoch repeats the same order.
// std::shuffle's draws are those of the C++ standard library, so the order equals
// LibTorch's when both are built against the same libstdc++ (checked by
// tests/diff/test_compat_diff.cpp).
//
// A DataLoader calls indices() once per epoch (a reset() followed by the whole block);
// LibTorch's stateful interface (reset, next, index) is there for code that drives a
// sampler by hand.
#include <cstddef>
#include <optional>
#include <vector>

#include "ember/data/samplers/sampler.h"

namespace ember::data::samplers {

class DistributedLibTorchSampler : public Sampler {
 public:
  void set_epoch(size_t epoch) { epoch_ = epoch; }
  size_t epoch() const { return epoch_; }
  size_t num_replicas() const { return num_replicas_; }
  size_t rank() const { return rank_; }
  bool allow_duplicates() const { return allow_duplicates_; }
  // Indices this replica visits per epoch.
  size_t size() const override;

  // Starts a new pass (with a new dataset size when given).
  virtual void reset(std::optional<size_t> new_size = std::nullopt) = 0;
  // The next up-to batch_size indices of this pass, or nullopt when it is over.
  std::optional<std::vector<size_t>> next(size_t batch_size);
  // Position in the index list of the next index next() returns.
  size_t index() const noexcept { return sample_index_; }
  std::vector<size_t> indices() override;

 protected:
  DistributedLibTorchSampler(size_t size, size_t num_replicas, size_t rank, bool allow_duplicates);
  // Sets the block [begin_index_, end_index_) and fills all_indices_ (without shuffling).
  void populate_indices();

  size_t size_, num_replicas_, rank_;
  size_t epoch_ = 0;
  bool allow_duplicates_;
  size_t begin_index_ = 0, end_index_ = 0, sample_index_ = 0;
  std::vector<size_t> all_indices_;
};

// This replica's block of a permutation shuffled by std::mt19937(epoch).
class DistributedRandomSampler : public DistributedLibTorchSampler {
 public:
  explicit DistributedRandomSampler(size_t size, size_t num_replicas = 1, size_t rank = 0,
                                    bool allow_duplicates = true);
  void reset(std::optional<size_t> new_size = std::nullopt) override;
};

// This replica's block of 0, 1, ..., size - 1 (positions past the end wrap to the start).
class DistributedSequentialSampler : public DistributedLibTorchSampler {
 public:
  explicit DistributedSequentialSampler(size_t size, size_t num_replicas = 1, size_t rank = 0,
                                        bool allow_duplicates = true);
  void reset(std::optional<size_t> new_size = std::nullopt) override;
};

}  // namespace ember::data::samplers
