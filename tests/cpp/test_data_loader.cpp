#include <gtest/gtest.h>

#include <ember/ember.h>
#include <ember/data/data.h>

using namespace ember;
using namespace ember::data;

TEST(DataLoader, SequentialBatches) {
  datasets::TensorDataset ds(arange(10).view({10, 1}).to(kFloat32), arange(10));
  DataLoader loader(ds, DataLoaderOptions().batch_size(3));
  EXPECT_EQ(loader.size(), 4u);
  std::vector<int64_t> seen;
  for (auto& batch : loader) {
    for (int64_t i = 0; i < batch.target.size(0); ++i) seen.push_back(batch.target[i].item<int64_t>());
  }
  EXPECT_EQ(seen, (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
}
