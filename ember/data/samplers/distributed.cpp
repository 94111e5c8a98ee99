// LibTorch's distributed samplers: Note [LibTorch distributed samplers] in distributed.h.
#include "ember/data/samplers/distributed.h"

#include <algorithm>
#include <numeric>
#include <random>

#include "ember/core/error.h"

namespace ember::data::samplers {

DistributedLibTorchSampler::DistributedLibTorchSampler(size_t size, size_t num_replicas, size_t rank,
                                                       bool allow_duplicates)
    : size_(size), num_replicas_(num_replicas), rank_(rank), allow_duplicates_(allow_duplicates) {
  EMBER_CHECK_VALUE(num_replicas_ > 0, "DistributedSampler: num_replicas must be positive");
  EMBER_CHECK_VALUE(rank_ < num_replicas_, "Invalid rank ", rank_, ", rank should be in the interval [0, ",
                    num_replicas_ - 1, "]");
}

size_t DistributedLibTorchSampler::size() const {
  return allow_duplicates_ ? (size_ + num_replicas_ - 1) / num_replicas_ : size_ / num_replicas_;
}

void DistributedLibTorchSampler::populate_indices() {
  size_t local = size();
  // One replica visits the dataset once; more visit num_replicas blocks of `local`, the
  // positions past the dataset's end wrapping to 0, 1, ... (allow_duplicates). The modulo
  // matters only when size < num_replicas, where LibTorch's random sampler would hand out
  // indices past the dataset's end.
  size_t count = num_replicas_ == 1 ? size_ : local * num_replicas_;
  all_indices_.resize(count);
  std::iota(all_indices_.begin(), all_indices_.end(), size_t{0});
  for (size_t i = size_; i < count; ++i) all_indices_[i] = i % size_;
  begin_index_ = rank_ * local;
  end_index_ = begin_index_ + local;
  sample_index_ = begin_index_;
}

std::optional<std::vector<size_t>> DistributedLibTorchSampler::next(size_t batch_size) {
  if (sample_index_ == end_index_) return std::nullopt;
  size_t end = std::min(sample_index_ + batch_size, end_index_);
  std::vector<size_t> out(all_indices_.begin() + static_cast<std::ptrdiff_t>(sample_index_),
                          all_indices_.begin() + static_cast<std::ptrdiff_t>(end));
  sample_index_ = end;
  return out;
}

std::vector<size_t> DistributedLibTorchSampler::indices() {
  reset();
  std::vector<size_t> out;
  while (auto batch = next(end_index_ - begin_index_ + 1)) out.insert(out.end(), batch->begin(), batch->end());
  return out;
}

DistributedRandomSampler::DistributedRandomSampler(size_t size, size_t num_replicas, size_t rank,
                                                   bool allow_duplicates)
    : DistributedLibTorchSampler(size, num_replicas, rank, allow_duplicates) {
  reset(size_);
}

void DistributedRandomSampler::reset(std::optional<size_t> new_size) {
  size_ = new_size.value_or(size_);
  populate_indices();
  // The same generator on every replica, so the shuffled list, and its split into blocks,
  // agree across replicas.
  std::mt19937 rng(static_cast<std::mt19937::result_type>(epoch_));
  std::shuffle(all_indices_.begin(), all_indices_.end(), rng);
  sample_index_ = begin_index_;
}

DistributedSequentialSampler::DistributedSequentialSampler(size_t size, size_t num_replicas, size_t rank,
                                                           bool allow_duplicates)
    : DistributedLibTorchSampler(size, num_replicas, rank, allow_duplicates) {
  populate_indices();
}

void DistributedSequentialSampler::reset(std::optional<size_t> new_size) {
  size_t size = new_size.value_or(size_);
  if (size != size_) {
    size_ = size;
    populate_indices();
  } else {
    sample_index_ = begin_index_;
  }
}

}  // namespace ember::data::samplers
