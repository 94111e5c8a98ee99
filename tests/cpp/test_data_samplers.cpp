// Samplers, random_split and the DataLoader's shuffle order against PyTorch 1.13
// (tests/data_golden.py).
#include <gtest/gtest.h>

#include <ember/data/data.h>
#include <ember/ember.h>

#include "data_golden.h"

using namespace ember;
using namespace ember::data;
namespace g = data_golden;

namespace {
// A dataset of its own indices: index i -> int64 i.
struct Range : datasets::Dataset<Range, int64_t> {
  explicit Range(size_t n) : n(n) {}
  int64_t get(size_t i) override { return static_cast<int64_t>(i); }
  std::optional<size_t> size() const override { return n; }
  size_t n;
};

template <class Loader>
std::vector<size_t> epoch(Loader& loader) {
  std::vector<size_t> out;
  for (auto& batch : loader)
    for (int64_t i = 0; i < batch.size(0); ++i) out.push_back(static_cast<size_t>(batch[i].template item<int64_t>()));
  return out;
}
}  // namespace

TEST(DataSamplers, ShuffleOrderMatchesPyTorchDefaultGenerator) {
  manual_seed(0);
  DataLoader loader(Range(10), DataLoaderOptions().batch_size(3).shuffle(true));
  EXPECT_EQ(epoch(loader), g::indices("loader.shuffle.seed0.epoch1"));
  EXPECT_EQ(epoch(loader), g::indices("loader.shuffle.seed0.epoch2"));
  // The default generator advanced by exactly PyTorch's draws (base_seed + sampler seed per epoch).
  Tensor after = rand({2});
  EXPECT_TRUE(after.equal(g::tensor("loader.shuffle.seed0.after", kFloat32)));
}

TEST(DataSamplers, ShuffleOrderMatchesPyTorchWithGenerator) {
  DataLoader loader(Range(25), DataLoaderOptions().batch_size(4).shuffle(true).drop_last(true).generator(Generator(7)));
  EXPECT_EQ(loader.size(), 6u);
  EXPECT_EQ(epoch(loader), g::indices("loader.shuffle.gen7.epoch1"));
  EXPECT_EQ(epoch(loader), g::indices("loader.shuffle.gen7.epoch2"));
}

TEST(DataSamplers, RandomSplitMatchesPyTorch) {
  auto check = [](const std::vector<datasets::Subset<Range>>& parts, const std::string& key) {
    for (size_t i = 0; i < parts.size(); ++i) EXPECT_EQ(parts[i].indices(), g::indices(key + "." + std::to_string(i)));
  };
  check(datasets::random_split(Range(10), std::vector<int>{3, 7}, Generator(42)), "split.int");
  check(datasets::random_split(Range(30), {0.3, 0.3, 0.4}, Generator(42)), "split.frac");
  check(datasets::random_split(Range(11), {0.5, 0.5}, Generator(1)), "split.frac_remainder");
  manual_seed(1);
  auto parts = datasets::random_split(Range(8), std::vector<int64_t>{5, 3});
  check(parts, "split.default");
  // Subsets read through to the shared dataset.
  EXPECT_EQ(parts[1].get(0), static_cast<int64_t>(parts[1].indices()[0]));
  EXPECT_EQ(parts[1].size().value(), 3u);
  EXPECT_THROW(parts[1].get(3), IndexError);
}

TEST(DataSamplers, RandomSplitErrors) {
  try {
    datasets::random_split(Range(10), std::vector<int>{3, 6});
    FAIL() << "expected ValueError";
  } catch (const ValueError& e) {
    EXPECT_STREQ(e.what(), "Sum of input lengths does not equal the length of the input dataset!");
  }
  EXPECT_THROW(datasets::random_split(Range(10), {1.5, -0.5}), ValueError);
}

TEST(DataSamplers, RandomSamplerMatchesPyTorch) {
  samplers::RandomSampler repl(10, true, 40, Generator(3));
  EXPECT_EQ(repl.size(), 40u);
  EXPECT_EQ(repl.indices(), g::indices("sampler.random.repl"));
  samplers::RandomSampler more(7, false, 17, Generator(11));
  EXPECT_EQ(more.indices(), g::indices("sampler.random.num_samples"));
  manual_seed(5);
  samplers::RandomSampler plain(12);
  EXPECT_EQ(plain.indices(), g::indices("sampler.random.default"));
  EXPECT_THROW(samplers::RandomSampler(0), ValueError);
}

TEST(DataSamplers, SubsetRandomSamplerMatchesPyTorch) {
  samplers::SubsetRandomSampler s({5, 7, 9, 11, 13}, Generator(4));
  EXPECT_EQ(s.indices(), g::indices("sampler.subset"));
}

TEST(DataSamplers, WeightedRandomSamplerMatchesTorchMultinomial) {
  std::vector<double> w = {0.1, 0.9, 0.4, 0.7, 3, 0.6};
  EXPECT_EQ(samplers::WeightedRandomSampler(w, 40, true, Generator(5)).indices(), g::indices("sampler.weighted.repl"));
  EXPECT_EQ(samplers::WeightedRandomSampler(w, 4, false, Generator(5)).indices(), g::indices("sampler.weighted.norepl"));
  EXPECT_EQ(samplers::WeightedRandomSampler(w, 1, true, Generator(6)).indices(), g::indices("sampler.weighted.one"));
  EXPECT_THROW(samplers::WeightedRandomSampler(w, 7, false).indices(), Error);  // more than categories
  EXPECT_THROW(samplers::WeightedRandomSampler({0.0, 0.0}, 3).indices(), Error);
  EXPECT_THROW(samplers::WeightedRandomSampler({1.0, -1.0}, 3).indices(), Error);
}

TEST(DataSamplers, BatchSamplerMatchesPyTorch) {
  auto base = std::make_shared<samplers::RandomSampler>(10, false, std::nullopt, Generator(8));
  samplers::BatchSampler bs(base, 4, false);
  EXPECT_EQ(bs.size(), 3u);
  auto batches = bs.batches();
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches[2].size(), 2u);
  std::vector<size_t> flat;
  for (auto& b : batches) flat.insert(flat.end(), b.begin(), b.end());
  EXPECT_EQ(flat, g::indices("sampler.batch"));
  EXPECT_EQ(samplers::BatchSampler(base, 4, true).size(), 2u);
  EXPECT_EQ(samplers::BatchSampler(base, 4, true).batches().size(), 2u);
}

TEST(DataSamplers, DistributedSamplerMatchesPyTorch) {
  struct Case {
    size_t n, reps;
    bool drop;
  };
  for (Case c : {Case{10, 3, false}, Case{10, 3, true}, Case{11, 4, true}, Case{2, 3, false}})
    for (bool shuffle : {true, false})
      for (uint64_t epoch : {0, 1})
        for (size_t r = 0; r < c.reps; ++r) {
          samplers::DistributedSampler s(c.n, c.reps, r, shuffle, 3, c.drop);
          s.set_epoch(epoch);
          std::string key = "dist.n" + std::to_string(c.n) + ".r" + std::to_string(c.reps) + ".drop" +
                            std::to_string(int(c.drop)) + ".shuffle" + std::to_string(int(shuffle)) + ".e" +
                            std::to_string(epoch) + ".rank" + std::to_string(r);
          std::vector<size_t> got = s.indices();
          EXPECT_EQ(got, g::indices(key)) << key;
          EXPECT_EQ(got.size(), s.size()) << key;
        }
  EXPECT_THROW(samplers::DistributedSampler(10, 2, 2), ValueError);
}
