// Note [Convolution weight cache] (cpu/onednn_conv.cpp): a convolution keeps its weights'
// reordered copy between calls while the weight storage's version is unchanged. Every
// result here is compared bit for bit with the same convolution through a fresh clone of
// the weights (a storage the cache has never seen), after each way of changing the
// weights: in-place ops under no_grad, an optimizer step, copy_, writes to another view of
// the same storage, and weights that die and are replaced. The layers are large enough for
// oneDNN in the default EMBER_CONV mode; ctest's conv_onednn entry reruns them at every
// size.
#include <gtest/gtest.h>

#include <vector>

#include <ember/ember.h>

using namespace ember;

namespace {

Tensor randn_seeded(IntArrayRef shape, uint64_t seed) {
  manual_seed(seed);
  return randn(shape);
}

// conv2d(x, w) equals the same convolution through a copy of w's current values.
::testing::AssertionResult matches_fresh(const Tensor& x, const Tensor& w, int64_t padding) {
  NoGradGuard no_grad;
  Tensor y = conv2d(x, w, {}, 1, padding), ref = conv2d(x, w.clone(), {}, 1, padding);
  if (equal(y, ref)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "max difference " << (y - ref).abs().max().item<double>();
}

struct Layer {
  std::vector<int64_t> x, w;
  int64_t padding;
};

// Two layers (16 and 32 channels, the second with padding).
const std::vector<Layer> kLayers = {{{4, 16, 12, 12}, {32, 16, 3, 3}, 0}, {{16, 32, 12, 12}, {32, 32, 3, 3}, 1}};

}  // namespace

TEST(NnOps, ConvWeightCacheRepeatedAndInPlace) {
  for (const auto& l : kLayers) {
    Tensor x = randn_seeded(l.x, 1), w = randn_seeded(l.w, 2);
    NoGradGuard no_grad;
    Tensor y1 = conv2d(x, w, {}, 1, l.padding);
    EXPECT_TRUE(equal(y1, conv2d(x, w, {}, 1, l.padding)));  // second call: the cached copy
    EXPECT_TRUE(matches_fresh(x, w, l.padding));
    w.mul_(0.5);
    EXPECT_TRUE(matches_fresh(x, w, l.padding));
    EXPECT_FALSE(equal(y1, conv2d(x, w, {}, 1, l.padding)));
    w.copy_(randn_seeded(l.w, 3));
    EXPECT_TRUE(matches_fresh(x, w, l.padding));
    w.select(0, 0).fill_(7.0);  // through a view
    EXPECT_TRUE(matches_fresh(x, w, l.padding));
  }
}

TEST(NnOps, ConvWeightCacheOptimizerStep) {
  for (const auto& l : kLayers) {
    Tensor x = randn_seeded(l.x, 4), w = randn_seeded(l.w, 5).requires_grad_();
    optim::SGD opt({w}, optim::SGDOptions(0.1).momentum(0.9));
    for (int step = 0; step < 3; ++step) {
      EXPECT_TRUE(matches_fresh(x, w, l.padding)) << "before step " << step;
      opt.zero_grad();
      Tensor y = conv2d(x, w, {}, 1, l.padding);
      (y * y).sum().backward();
      opt.step();
    }
    EXPECT_TRUE(matches_fresh(x, w, l.padding));
  }
}

TEST(NnOps, ConvWeightCacheInputGradient) {
  // The input gradient reads the weights in a layout of its own (a second entry).
  const Layer& l = kLayers[0];
  Tensor w = randn_seeded(l.w, 6), gy = randn_seeded({4, 32, 10, 10}, 7);
  for (int round = 0; round < 2; ++round) {
    Tensor x = randn_seeded(l.x, 8).requires_grad_(), xr = x.detach().clone().requires_grad_();
    conv2d(x, w).backward(gy);
    conv2d(xr, w.clone()).backward(gy);
    EXPECT_TRUE(equal(x.grad(), xr.grad())) << "round " << round;
    NoGradGuard no_grad;
    w.add_(1.0);
  }
}

TEST(NnOps, ConvWeightCacheViewsAndDeadWeights) {
  const Layer& l = kLayers[0];
  Tensor x = randn_seeded(l.x, 9);
  // Two weights in one storage: each its own entry; writing one bumps the shared version.
  Tensor big = randn_seeded({2, 32, 16, 3, 3}, 10), w0 = big.select(0, 0), w1 = big.select(0, 1);
  EXPECT_TRUE(matches_fresh(x, w0, 0));
  EXPECT_TRUE(matches_fresh(x, w1, 0));
  {
    NoGradGuard no_grad;
    w1.sub_(2.0);
  }
  EXPECT_TRUE(matches_fresh(x, w0, 0));
  EXPECT_TRUE(matches_fresh(x, w1, 0));
  // A non-contiguous weight is copied for the kernel and never cached.
  Tensor wt = randn_seeded({16, 32, 3, 3}, 11).transpose(0, 1);
  EXPECT_TRUE(matches_fresh(x, wt, 0));
  // Weights that die and are replaced (more than the cache keeps), often at the address
  // of the previous one.
  for (int i = 0; i < 300; ++i) {
    Tensor w = randn_seeded(l.w, 100 + i);
    ASSERT_TRUE(matches_fresh(x, w, 0)) << "weight " << i;
  }
}
