// DataLoader: batching, collation, options, worker threads (order, randomness against
// PyTorch, exceptions, early exit), LibTorch-style use.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <thread>
#include <tuple>

#include <ember/data/data.h>
#include <ember/ember.h>

#include "data_golden.h"

using namespace ember;
using namespace ember::data;
namespace g = data_golden;

namespace {

// Example{[i, 2i] as float, i}.
struct Numbers : datasets::Dataset<Numbers> {
  explicit Numbers(size_t n) : n(n) {}
  Example<> get(size_t i) override {
    double v = static_cast<double>(i);
    return {tensor({v, 2 * v}, TensorOptions(kFloat32)), scalar_tensor(static_cast<int64_t>(i), TensorOptions(kInt64))};
  }
  std::optional<size_t> size() const override { return n; }
  size_t n;
};

std::vector<Example<>> collect(DataLoader<Numbers>& loader) {
  std::vector<Example<>> out;
  for (auto& b : loader) out.push_back(b);
  return out;
}

}  // namespace

TEST(DataLoader, SequentialBatches) {
  DataLoader loader(Numbers(10), DataLoaderOptions().batch_size(3));
  EXPECT_EQ(loader.size(), 4u);
  std::vector<int64_t> seen;
  for (auto& batch : loader) {
    EXPECT_EQ(batch.data.size(1), 2);
    EXPECT_EQ(batch.data.dtype(), kFloat32);
    EXPECT_EQ(batch.target.dtype(), kInt64);
    for (int64_t i = 0; i < batch.target.size(0); ++i) seen.push_back(batch.target[i].item<int64_t>());
  }
  EXPECT_EQ(seen, (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  DataLoader dropped(Numbers(10), DataLoaderOptions(3).drop_last(true));
  EXPECT_EQ(dropped.size(), 3u);
  EXPECT_EQ(collect(dropped).size(), 3u);
}

TEST(DataLoader, TensorDatasetAndStructuredBindings) {
  datasets::TensorDataset ds(arange(12).view({6, 2}).to(kFloat32), arange(6));
  DataLoader loader(ds, DataLoaderOptions().batch_size(4));
  int n = 0;
  for (auto& [x, y] : loader) {
    EXPECT_EQ(x.size(0), y.size(0));
    if (n++ == 1) {
      EXPECT_TRUE(y.equal(tensor({4, 5})));
    }
  }
  EXPECT_EQ(n, 2);
  EXPECT_THROW(datasets::TensorDataset(zeros({3, 2}), zeros({4})), ValueError);
  datasets::TensorDataset only_data(zeros({3, 2}));
  auto batch = *DataLoader(only_data, DataLoaderOptions(3)).begin();
  EXPECT_EQ(batch.data.sizes(), IntArrayRef({3, 2}));
  EXPECT_FALSE(batch.target.defined());
}

TEST(DataLoader, WorkerCountsGiveIdenticalBatchOrder) {
  std::vector<std::vector<Example<>>> runs;
  for (size_t workers : {0, 1, 3}) {
    DataLoader loader(Numbers(50), DataLoaderOptions().batch_size(4).shuffle(true).generator(Generator(11)).num_workers(workers));
    runs.push_back(collect(loader));
  }
  for (size_t r = 1; r < runs.size(); ++r) {
    ASSERT_EQ(runs[r].size(), runs[0].size());
    for (size_t b = 0; b < runs[0].size(); ++b) {
      EXPECT_TRUE(runs[r][b].data.equal(runs[0][b].data)) << "run " << r << " batch " << b;
      EXPECT_TRUE(runs[r][b].target.equal(runs[0][b].target)) << "run " << r << " batch " << b;
    }
  }
  // And the order is a shuffle, not the identity.
  EXPECT_FALSE(runs[0][0].target.equal(arange(4)));
}

namespace {
// PyTorch's RandDataset in tests/data_golden.py: (rand(2) + i, randint(0, 1000, ()).item()).
struct RandDataset {
  std::tuple<Tensor, int64_t> get(size_t i) {
    Tensor x = rand({2}).add(static_cast<int64_t>(i));
    int64_t y = randint(0, 1000, {}).item<int64_t>();
    return {x, y};
  }
  size_t size() const { return 13; }
};
}  // namespace

TEST(DataLoader, WorkerRandomnessMatchesPyTorchWorkers) {
  // PyTorch seeds worker w's default generator with base_seed + w and gives it batches
  // w, w + W, ...; ember's worker threads do the same, so the numbers match.
  for (size_t workers : {0, 2, 3}) {
    manual_seed(0);
    DataLoader loader(RandDataset{}, DataLoaderOptions().batch_size(2).shuffle(true).num_workers(workers));
    std::vector<double> got;
    for (auto& [x, y] : loader) {
      EXPECT_EQ(x.dtype(), kFloat32);
      EXPECT_EQ(y.dtype(), kInt64);
      Tensor xf = x.flatten().to(kFloat64);
      for (int64_t i = 0; i < xf.numel(); ++i) got.push_back(xf[i].item<double>());
      for (int64_t i = 0; i < y.numel(); ++i) got.push_back(static_cast<double>(y[i].item<int64_t>()));
    }
    const auto& want = g::values("loader.rand.workers" + std::to_string(workers));
    ASSERT_EQ(got.size(), want.size()) << workers << " workers";
    for (size_t i = 0; i < want.size(); ++i)
      EXPECT_EQ(static_cast<float>(got[i]), static_cast<float>(want[i])) << workers << " workers, value " << i;
  }
}

namespace {
struct Failing : datasets::Dataset<Failing> {
  Example<> get(size_t i) override {
    if (i == 5) throw ValueError("bad sample 5");
    return {zeros({2}), scalar_tensor(int64_t(0))};
  }
  std::optional<size_t> size() const override { return 12; }
};
}  // namespace

TEST(DataLoader, WorkerExceptionIsRethrownWithItsMessage) {
  DataLoader loader(Failing{}, DataLoaderOptions().batch_size(2).num_workers(2));
  int batches = 0;
  try {
    for (auto& b : loader) {
      (void)b;
      ++batches;
    }
    FAIL() << "expected WorkerException";
  } catch (const WorkerException& e) {
    EXPECT_NE(std::string(e.what()).find("Caught exception in DataLoader worker thread"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("bad sample 5"), std::string::npos) << e.what();
    EXPECT_THROW(std::rethrow_exception(e.original_exception), ValueError);
  }
  EXPECT_EQ(batches, 2);  // batches 0 and 1 arrive in order before the failing batch 2
  // Without workers the dataset's own exception propagates.
  DataLoader serial(Failing{}, DataLoaderOptions().batch_size(2));
  EXPECT_THROW(for (auto& b : serial) (void)b, ValueError);
}

namespace {
struct Slow {
  std::shared_ptr<std::atomic<int>> fetched = std::make_shared<std::atomic<int>>(0);
  Tensor get(size_t i) {
    fetched->fetch_add(1);
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    return full({3}, static_cast<double>(i));
  }
  size_t size() const { return 4000; }
};
}  // namespace

TEST(DataLoader, BreakingEarlyStopsWorkersWithoutHanging) {
  auto start = std::chrono::steady_clock::now();
  for (int rep = 0; rep < 50; ++rep) {
    Slow ds;
    auto fetched = ds.fetched;
    {
      DataLoader loader(ds, DataLoaderOptions().batch_size(2).num_workers(4));
      for (auto& batch : loader) {
        EXPECT_EQ(batch.size(0), 2);
        break;
      }
    }
    // Bounded prefetch: at most prefetch_factor * workers batches in flight, plus the one
    // consumed and one more each worker may have started: far fewer than 2000 batches.
    EXPECT_LE(fetched->load(), 2 * (2 * 4 + 4 + 1)) << "rep " << rep;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(secs, 30.0);
}

TEST(DataLoader, IteratorOutlivesLoaderAndMultipleEpochs) {
  auto loader = std::make_unique<DataLoader<Numbers>>(Numbers(9), DataLoaderOptions(4).num_workers(2));
  auto it = loader->begin();
  loader.reset();  // the iterator keeps the loader's state alive
  int n = 0;
  for (; it != DataLoader<Numbers>::Iterator(); ++it) ++n;
  EXPECT_EQ(n, 3);
  DataLoader again(Numbers(9), DataLoaderOptions(4).num_workers(2));
  for (int e = 0; e < 3; ++e) EXPECT_EQ(collect(again).size(), 3u);
}

TEST(DataLoader, WorkersRunSeriallyWithTheirOwnGenerator) {
  struct Probe {
    std::pair<int64_t, int64_t> get(size_t) {
      auto info = get_worker_info();
      return {get_num_threads(), info ? static_cast<int64_t>(info->id) : -1};
    }
    size_t size() const { return 8; }
  };
  set_num_threads(2);
  DataLoader loader(Probe{}, DataLoaderOptions(2).num_workers(2));
  std::set<int64_t> ids;
  for (auto& [threads, id] : loader) {
    EXPECT_TRUE(threads.equal(full({2}, 1, TensorOptions(kInt64))));
    ids.insert(id[0].item<int64_t>());
  }
  EXPECT_EQ(ids, (std::set<int64_t>{0, 1}));
  EXPECT_EQ(get_num_threads(), 2);  // the consumer's setting is untouched
  EXPECT_FALSE(get_worker_info().has_value());
  DataLoader serial(Probe{}, DataLoaderOptions(2));
  for (auto& [threads, id] : serial) EXPECT_EQ(id[0].item<int64_t>(), -1);
}

TEST(DataLoader, WorkerInitFnRunsInEachWorker) {
  auto calls = std::make_shared<std::atomic<int>>(0);
  DataLoader loader(Numbers(10), DataLoaderOptions(2).num_workers(3).worker_init_fn([calls](size_t) { ++*calls; }));
  EXPECT_EQ(collect(loader).size(), 5u);
  EXPECT_EQ(calls->load(), 3);
  DataLoader failing(Numbers(10), DataLoaderOptions(2).num_workers(2).worker_init_fn([](size_t w) {
    if (w == 1) throw std::runtime_error("init failed in worker 1");
  }));
  try {
    collect(failing);
    FAIL() << "expected WorkerException";
  } catch (const WorkerException& e) {
    EXPECT_NE(std::string(e.what()).find("init failed in worker 1"), std::string::npos);
  }
}

TEST(DataLoader, OptionErrorsUsePyTorchWording) {
  auto sampler = std::make_shared<samplers::SequentialSampler>(10);
  try {
    DataLoader(Numbers(10), DataLoaderOptions().sampler(sampler).shuffle(true));
    FAIL();
  } catch (const ValueError& e) {
    EXPECT_STREQ(e.what(), "sampler option is mutually exclusive with shuffle");
  }
  auto bs = std::make_shared<samplers::BatchSampler>(sampler, 3);
  EXPECT_THROW(DataLoader(Numbers(10), DataLoaderOptions().batch_sampler(bs).batch_size(4)), ValueError);
  EXPECT_THROW(DataLoader(Numbers(10), DataLoaderOptions().batch_size(0)), ValueError);
  // A batch sampler alone decides the batches.
  DataLoader custom(Numbers(10), DataLoaderOptions().batch_sampler(bs));
  EXPECT_EQ(custom.size(), 4u);
  EXPECT_EQ(collect(custom)[3].target.numel(), 1);
}

TEST(DataLoader, SamplerOption) {
  auto sampler = std::make_shared<samplers::SubsetRandomSampler>(std::vector<size_t>{1, 3, 5}, Generator(0));
  DataLoader loader(Numbers(10), DataLoaderOptions(5).sampler(sampler));
  auto batches = collect(loader);
  ASSERT_EQ(batches.size(), 1u);
  auto sorted = std::get<0>(sort(batches[0].target));
  EXPECT_TRUE(sorted.equal(tensor({1, 3, 5})));
}

// --- collation ---------------------------------------------------------------------------

namespace {
struct Point {
  Tensor x;
  int label;
  std::string name;
};
struct PointBatch {
  Tensor x, labels;
  std::vector<std::string> names;
};
}  // namespace

template <>
struct ember::data::Collate<Point> {
  PointBatch operator()(std::vector<Point>&& batch) const {
    PointBatch out;
    std::vector<Tensor> xs;
    std::vector<int> labels;
    for (auto& p : batch) {
      xs.push_back(p.x);
      labels.push_back(p.label);
      out.names.push_back(p.name);
    }
    out.x = stack(xs);
    out.labels = Collate<int>{}(std::move(labels));
    return out;
  }
};

TEST(DataCollate, TupleMapVectorArrayNumbersStrings) {
  using Ex = std::tuple<Tensor, double, std::map<std::string, Tensor>, std::vector<int>, std::array<bool, 2>, std::string>;
  std::vector<Ex> batch;
  for (int i = 0; i < 3; ++i)
    batch.push_back(Ex{full({2, 2}, i), 0.5 * i, {{"a", full({1}, static_cast<double>(i))}, {"b", full({3}, -i)}}, {i, 10 * i}, {i == 1, true},
                       "s" + std::to_string(i)});
  auto [t, d, m, v, a, s] = DefaultCollate{}(batch);
  EXPECT_EQ(t.sizes(), IntArrayRef({3, 2, 2}));
  EXPECT_EQ(d.dtype(), kFloat64);
  EXPECT_TRUE(d.equal(tensor({0.0, 0.5, 1.0}, TensorOptions(kFloat64))));
  EXPECT_EQ(m.at("b").sizes(), IntArrayRef({3, 3}));
  EXPECT_TRUE(m.at("a").equal(tensor({{0.f}, {1.f}, {2.f}})));
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[1].dtype(), kInt64);
  EXPECT_TRUE(v[1].equal(tensor({0, 10, 20})));
  EXPECT_EQ(a[0].dtype(), kBool);
  EXPECT_TRUE(a[0].equal(tensor({false, true, false})));
  EXPECT_EQ(s, (std::vector<std::string>{"s0", "s1", "s2"}));
}

TEST(DataCollate, ExamplePairAndErrors) {
  std::vector<Example<Tensor, std::pair<int, float>>> batch = {{zeros({2}), {1, 0.5f}}, {ones({2}), {2, 1.5f}}};
  auto out = DefaultCollate{}(batch);
  EXPECT_EQ(out.data.sizes(), IntArrayRef({2, 2}));
  EXPECT_TRUE(out.target.first.equal(tensor({1, 2})));
  EXPECT_EQ(out.target.second.dtype(), kFloat64);
  std::vector<Tensor> ragged = {zeros({2}), zeros({3})};
  try {
    DefaultCollate{}(ragged);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("stack expects each tensor to be equal size"), std::string::npos) << e.what();
  }
  std::vector<std::vector<int>> uneven = {{1, 2}, {3}};
  EXPECT_THROW(DefaultCollate{}(uneven), Error);
  std::vector<std::map<std::string, int>> keys = {{{"a", 1}}, {{"b", 2}}};
  EXPECT_THROW(DefaultCollate{}(keys), Error);
}

TEST(DataCollate, UserStructThroughSpecialisationAndCustomCollateFunction) {
  struct Points {
    Point get(size_t i) { return {full({2}, static_cast<double>(i)), static_cast<int>(i % 3), "p" + std::to_string(i)}; }
    size_t size() const { return 5; }
  };
  DataLoader loader(Points{}, DataLoaderOptions(2).num_workers(2));
  std::vector<std::string> names;
  for (PointBatch& b : loader) {
    EXPECT_EQ(b.x.size(1), 2);
    EXPECT_EQ(b.labels.numel(), static_cast<int64_t>(b.names.size()));
    names.insert(names.end(), b.names.begin(), b.names.end());
  }
  EXPECT_EQ(names, (std::vector<std::string>{"p0", "p1", "p2", "p3", "p4"}));
  // Any callable over the vector of examples works as collate function.
  DataLoader sums(Numbers(6), DataLoaderOptions(3), [](std::vector<Example<>> b) {
    double s = 0;
    for (auto& e : b) s += e.data.sum().item<double>();
    return s;
  });
  std::vector<double> got;
  for (double s : sums) got.push_back(s);
  EXPECT_EQ(got, (std::vector<double>{9.0, 36.0}));
}

// --- LibTorch style ----------------------------------------------------------------------

TEST(DataLoader, LibTorchStyleMapStackAndMakeDataLoader) {
  // As LibTorch's MNIST example: images [1, H, W], Normalize<>, Stack<>.
  datasets::TensorDataset images(arange(40).view({10, 1, 2, 2}).to(kFloat32), arange(10));
  auto ds = images.map(transforms::Normalize<>(0.5, 2.0)).map(transforms::Stack<>());
  EXPECT_EQ(ds.size().value(), 10u);
  auto loader = make_data_loader<samplers::SequentialSampler>(std::move(ds), 4);
  int64_t n = 0;
  for (Example<>& batch : *loader) {
    if (n == 0) {
      EXPECT_TRUE(batch.data[1].equal(tensor({{{1.75f, 2.25f}, {2.75f, 3.25f}}})));  // ([4..7] - 0.5) / 2
    }
    n += batch.data.size(0);
  }
  EXPECT_EQ(n, 10);
  // Default sampler: RandomSampler (LibTorch's default), a permutation of all indices.
  auto shuffled = make_data_loader(Numbers(10), DataLoaderOptions(10).workers(2));
  Tensor t = (*shuffled->begin()).target;
  EXPECT_TRUE(std::get<0>(sort(t)).equal(arange(10)));
  // make_data_loader(dataset, sampler, options)
  auto with_sampler = make_data_loader(Numbers(6), samplers::SequentialSampler(6), DataLoaderOptions(6));
  EXPECT_TRUE((*with_sampler->begin()).target.equal(arange(6)));
}

TEST(DataLoader, MapAppliesTensorTransformsToDataAndWholeExampleTransforms) {
  datasets::TensorDataset ds(arange(6).view({3, 2}).to(kFloat32), arange(3));
  auto doubled = ds.map(transforms::Lambda<>([](Tensor x) { return x * 2; }));
  EXPECT_TRUE(doubled.get(1).data.equal(tensor({4.f, 6.f})));
  EXPECT_TRUE(doubled.get(1).target.equal(scalar_tensor(int64_t(1))));
  auto swapped = ds.map([](Example<> e) { return Example<>{e.target, e.data}; });
  EXPECT_TRUE(swapped.get(2).target.equal(tensor({4.f, 5.f})));
  auto chained = std::move(doubled).map([](Tensor x) { return x + 1; });
  EXPECT_TRUE(chained.get(0).data.equal(tensor({1.f, 3.f})));
  DataLoader loader(chained, DataLoaderOptions(3).num_workers(1));
  EXPECT_TRUE((*loader.begin()).data.equal(tensor({{1.f, 3.f}, {5.f, 7.f}, {9.f, 11.f}})));
}

TEST(DataDatasets, SubsetAndConcat) {
  datasets::ConcatDataset<Numbers> cat({Numbers(3), Numbers(4)});
  EXPECT_EQ(cat.size().value(), 7u);
  EXPECT_EQ(cat.get(3).target.item<int64_t>(), 0);
  EXPECT_EQ(cat.get(6).target.item<int64_t>(), 3);
  EXPECT_THROW(cat.get(7), IndexError);
  datasets::Subset<Numbers> sub(Numbers(10), {9, 2});
  EXPECT_EQ(sub.get(0).target.item<int64_t>(), 9);
  DataLoader loader(datasets::ConcatDataset<datasets::Subset<Numbers>>({sub, sub}), DataLoaderOptions(4));
  EXPECT_TRUE((*loader.begin()).target.equal(tensor({9, 2, 9, 2})));
  EXPECT_THROW(datasets::ConcatDataset<Numbers>(std::vector<Numbers>{}), ValueError);
}
