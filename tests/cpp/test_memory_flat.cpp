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
