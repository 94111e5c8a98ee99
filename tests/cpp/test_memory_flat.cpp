// A training loop's memory is flat: every tensor, graph node and saved variable of an
// iteration is released by the next one (no reference cycles through saved outputs, no
// growth in the allocator). Under the debug preset the same test runs with LeakSanitizer.
#include <gtest/gtest.h>

#include <ember/ember.h>

using namespace ember;
namespace nn = ember::nn;
namespace F = ember::nn::functional;

TEST(MemoryFlat, TrainingLoopDoesNotGrow) {
  manual_seed(0);
  nn::Sequential model(nn::Conv2d(1, 4, 3), nn::ReLU(), nn::MaxPool2d(2), nn::Flatten(), nn::Linear(4 * 5 * 5, 16),
                       nn::Tanh(), nn::Dropout(0.1), nn::Linear(16, 3));
  optim::Adam opt(model->parameters(), optim::AdamOptions(1e-3));
  Tensor x = randn({8, 1, 12, 12});
  Tensor y = randint(0, 3, {8}, kInt64);
  auto step = [&] {
    opt.zero_grad();
    Tensor loss = F::cross_entropy(model->forward(x), y);
    loss.backward();
    opt.step();
  };
  for (int i = 0; i < 20; ++i) step();  // optimizer state and caches reach steady state
  size_t after_warmup = CPUAllocator::get().allocated_bytes();
  ASSERT_GT(after_warmup, 0u);  // the parameters and optimizer state are live
  for (int i = 0; i < 300; ++i) step();
  EXPECT_EQ(CPUAllocator::get().allocated_bytes(), after_warmup);
}

TEST(MemoryFlat, RetainedGraphIsFreedWithItsOutput) {
  size_t before = CPUAllocator::get().allocated_bytes();
  {
    Tensor w = randn({64, 64}).requires_grad_();
    for (int i = 0; i < 50; ++i) {
      Tensor h = tanh(mm(w, w)) * w;  // saves inputs and outputs
      h.sum().backward(Tensor(), /*retain_graph=*/true);
    }
  }
  EXPECT_EQ(CPUAllocator::get().allocated_bytes(), before);
}

// Note [Huge pages for large blocks]: blocks from 4 MiB up are mappings of their own. Every
// size class around the cut-off keeps its contents, is 64-byte aligned, is recycled through
// the cache, and is unmapped whole by empty_cache (a wrong length would unmap a neighbour,
// whose check below would then fault).
TEST(MemoryFlat, LargeBlocksAreAlignedRecycledAndReleased) {
  std::vector<Tensor> keep;
  for (int64_t mb : {3, 4, 5, 7, 9, 33}) {
    for (int64_t extra : {-1, 0, 1}) {
      const int64_t n = (mb << 20) / 4 + extra;
      Tensor t = full({n}, mb, kInt32);  // integer sums are exact
      EXPECT_EQ(reinterpret_cast<uintptr_t>(t.data_ptr()) % 64, 0u);
      keep.push_back(t);
    }
  }
  for (const Tensor& t : keep) EXPECT_EQ(t.sum().item<int64_t>(), t.numel() * t[0].item<int64_t>());
  const size_t live = CPUAllocator::get().allocated_bytes();
  keep.resize(keep.size() / 2);  // half go to the cache
  EXPECT_LT(CPUAllocator::get().allocated_bytes(), live);
  empty_cache();
  EXPECT_EQ(CPUAllocator::get().cached_bytes(), 0u);
  for (const Tensor& t : keep) EXPECT_EQ(t.sum().item<int64_t>(), t.numel() * t[0].item<int64_t>());
  Tensor again = ones({(int64_t{9} << 20) / 4}, kInt32);
  EXPECT_EQ(again.sum().item<int64_t>(), again.numel());
}
