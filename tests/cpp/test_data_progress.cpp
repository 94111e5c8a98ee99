// ember::tqdm over a DataLoader, with a progress bar written to a file (not a terminal).
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include <ember/data/data.h>
#include <ember/ember.h>
#include <ember/utils/tqdm.h>

using namespace ember;

namespace {
std::string read_all(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string s;
  char buf[512];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
  return s;
}
}  // namespace

TEST(DataProgress, TqdmCountsBatchesAndShowsPostfix) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  data::datasets::TensorDataset ds(zeros({10, 2}), arange(10));
  data::DataLoader loader(ds, data::DataLoaderOptions(3));
  int n = 0;
  {
    auto bar = tqdm(loader, "epoch 1", f);
    for (auto& batch : bar) {
      n += static_cast<int>(batch.data.size(0));
      bar.set_postfix({{"loss", 0.25}, {"acc", 0.875}});
    }
  }
  EXPECT_EQ(n, 10);
  std::string out = read_all(f);
  // Not a terminal: one plain line at the end with count/total, elapsed, ETA, rate, postfix.
  EXPECT_NE(out.find("epoch 1: 100%|"), std::string::npos) << out;
  EXPECT_NE(out.find("4/4 ["), std::string::npos) << out;
  EXPECT_NE(out.find("it/s] loss=0.25, acc=0.875"), std::string::npos) << out;
  EXPECT_EQ(out.find('\r'), std::string::npos) << out;
  std::fclose(f);
}

TEST(DataProgress, TqdmOnATemporaryAndAfterBreak) {
  std::FILE* f = std::tmpfile();
  {
    auto bar = tqdm(std::vector<int>{1, 2, 3, 4, 5}, "", f);
    for (int v : bar)
      if (v == 2) break;
  }
  std::string out = read_all(f);
  EXPECT_NE(out.find("1/5 ["), std::string::npos) << out;
  std::fclose(f);
}
