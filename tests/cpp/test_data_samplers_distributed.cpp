// LibTorch's DistributedRandomSampler / DistributedSequentialSampler
// (Note [LibTorch distributed samplers]): contiguous blocks of one index list per replica.
// Their exact orders against LibTorch's are checked in tests/diff/test_compat_diff.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include <ember/ember.h>

#include "error_of.h"

using namespace ember;
using namespace ember::data::samplers;

namespace {
template <class S>
std::vector<size_t> drain(S& sampler, size_t batch) {
  std::vector<size_t> out;
  while (auto b = sampler.next(batch)) {
    EXPECT_LE(b->size(), batch);
    out.insert(out.end(), b->begin(), b->end());
  }
  return out;
}
}  // namespace

TEST(DistributedLibTorchSamplers, SequentialBlocksWithAndWithoutDuplicates) {
  // 10 samples over 3 replicas: blocks of ceil(10/3) = 4, the last wrapping to the start.
  std::vector<std::vector<size_t>> expected = {{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9, 0, 1}};
  for (size_t rank = 0; rank < 3; ++rank) {
    DistributedSequentialSampler s(10, 3, rank);
    EXPECT_EQ(s.size(), 4u);
    EXPECT_EQ(drain(s, 3), expected[rank]);
    EXPECT_FALSE(s.next(3).has_value());
    s.reset();
    EXPECT_EQ(s.indices(), expected[rank]);
  }
  // Without duplicates: floor(10/3) = 3 each, sample 9 is never visited.
  DistributedSequentialSampler last(10, 3, 2, /*allow_duplicates=*/false);
  EXPECT_EQ(drain(last, 2), (std::vector<size_t>{6, 7, 8}));
  // reset with a new size re-blocks.
  last.reset(20);
  EXPECT_EQ(last.index(), 12u);
  EXPECT_EQ(last.indices(), (std::vector<size_t>{12, 13, 14, 15, 16, 17}));
}

TEST(DistributedLibTorchSamplers, RandomBlocksPartitionOnePermutation) {
  for (bool dup : {true, false}) {
    std::multiset<size_t> seen;
    size_t per_rank = dup ? 4 : 3;
    for (size_t rank = 0; rank < 3; ++rank) {
      DistributedRandomSampler s(10, 3, rank, dup);
      s.set_epoch(1);
      std::vector<size_t> idx = s.indices();
      EXPECT_EQ(idx.size(), per_rank);
      seen.insert(idx.begin(), idx.end());
    }
    // With duplicates all 10 appear (two of them twice); without, 9 distinct ones.
    std::set<size_t> distinct(seen.begin(), seen.end());
    EXPECT_EQ(distinct.size(), dup ? 10u : 9u);
    EXPECT_EQ(seen.size(), 3 * per_rank);
    for (size_t i : seen) EXPECT_LT(i, 10u);
  }
}

TEST(DistributedLibTorchSamplers, RandomOrderDependsOnEpochOnly) {
  DistributedRandomSampler a(50, 2, 0), b(50, 2, 0);
  EXPECT_EQ(a.indices(), b.indices());
  std::vector<size_t> epoch0 = a.indices();
  EXPECT_EQ(a.indices(), epoch0);  // no set_epoch: the same order again, as in LibTorch
  a.set_epoch(1);
  EXPECT_EQ(a.epoch(), 1u);
  EXPECT_NE(a.indices(), epoch0);
  std::vector<size_t> sorted = epoch0;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_NE(sorted, epoch0);  // shuffled
  // The stateful interface walks the same block.
  b.reset();
  EXPECT_EQ(b.index(), 0u);
  EXPECT_EQ(drain(b, 7), epoch0);
}

TEST(DistributedLibTorchSamplers, FewerSamplesThanReplicasStayInRange) {
  for (size_t rank = 0; rank < 5; ++rank) {
    DistributedRandomSampler r(2, 5, rank);
    for (size_t i : r.indices()) EXPECT_LT(i, 2u);
    DistributedSequentialSampler s(2, 5, rank);
    for (size_t i : s.indices()) EXPECT_LT(i, 2u);
  }
}

TEST(DistributedLibTorchSamplers, BadArgumentsAndDataLoader) {
  EXPECT_EQ(error_of([] { DistributedRandomSampler(10, 2, 2); }),
            "Invalid rank 2, rank should be in the interval [0, 1]");
  EXPECT_EQ(error_of([] { DistributedSequentialSampler(10, 0, 0); }),
            "DistributedSampler: num_replicas must be positive");
  auto ds = data::datasets::TensorDataset(arange(10, kF32), arange(10, kI64));
  auto loader = data::make_data_loader(std::move(ds), DistributedSequentialSampler(10, 2, 1), 2);
  std::vector<int64_t> targets;
  for (auto& batch : *loader)
    for (int64_t i = 0; i < batch.target.size(0); ++i) targets.push_back(batch.target[i].item<int64_t>());
  EXPECT_EQ(targets, (std::vector<int64_t>{5, 6, 7, 8, 9}));
}
