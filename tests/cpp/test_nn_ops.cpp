// Convolution, pooling, normalisation and embedding: float64 finite-difference gradient
// checks (first and second order), autograd node names, batch_norm's running statistics,
// and PyTorch 1.13's error messages for bad arguments.
#include <gtest/gtest.h>

#include <string>

#include <ember/ember.h>

#include "error_of.h"

#include "gradcheck.h"

using namespace ember;
using ember::testing::gradcheck;
using ember::testing::gradgradcheck;

namespace {

Tensor leaf(IntArrayRef shape, uint64_t seed) {
  manual_seed(seed);
  return randn(shape, kFloat64).requires_grad_();
}

}  // namespace

TEST(NnOpsGrad, Conv2d) {
  Tensor x = leaf({2, 4, 5, 6}, 1), w = leaf({6, 2, 3, 2}, 2), b = leaf({6}, 3);
  auto f = [](const std::vector<Tensor>& v) { return conv2d(v[0], v[1], v[2], {2, 1}, {1, 0}, {1, 2}, 2); };
  EXPECT_TRUE(gradcheck(f, {x, w, b}));
  EXPECT_TRUE(gradgradcheck(f, {x, w, b}));
  // Pointwise fast path and "same" padding with an even kernel.
  Tensor x2 = leaf({2, 3, 4, 4}, 4), w2 = leaf({2, 3, 1, 1}, 5), w3 = leaf({2, 3, 2, 3}, 6);
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& v) { return conv2d(v[0], v[1]); }, {x2, w2}));
  auto same = [](const std::vector<Tensor>& v) { return conv2d(v[0], v[1], {}, 1, "same"); };
  EXPECT_TRUE(gradcheck(same, {x2, w3}));
  EXPECT_TRUE(gradgradcheck(same, {x2, w3}));
}

TEST(NnOpsGrad, Conv1dAndUnbatched) {
  Tensor x = leaf({2, 3, 9}, 7), w = leaf({4, 3, 3}, 8), b = leaf({4}, 9);
  auto f = [](const std::vector<Tensor>& v) { return conv1d(v[0], v[1], v[2], 2, 1, 2); };
  EXPECT_TRUE(gradcheck(f, {x, w, b}));
  EXPECT_TRUE(gradgradcheck(f, {x, w, b}));
  Tensor xu = leaf({3, 5, 5}, 10), wu = leaf({2, 3, 3, 3}, 11);
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& v) { return conv2d(v[0], v[1], {}, 1, 1); }, {xu, wu}));
}

TEST(NnOpsGrad, ConvTranspose) {
  Tensor x = leaf({2, 4, 3, 4}, 12), w = leaf({4, 3, 3, 2}, 13), b = leaf({6}, 14);
  auto f = [](const std::vector<Tensor>& v) {
    return conv_transpose2d(v[0], v[1], v[2], {2, 1}, {1, 0}, {1, 0}, 2, {1, 2});
  };
  EXPECT_TRUE(gradcheck(f, {x, w, b}));
  EXPECT_TRUE(gradgradcheck(f, {x, w, b}));
  Tensor x1 = leaf({2, 3, 5}, 15), w1 = leaf({3, 2, 3}, 16);
  auto f1 = [](const std::vector<Tensor>& v) { return conv_transpose1d(v[0], v[1], {}, 2, 1, 1); };
  EXPECT_TRUE(gradcheck(f1, {x1, w1}));
  EXPECT_TRUE(gradgradcheck(f1, {x1, w1}));
}

TEST(NnOpsGrad, Pools) {
  // Distinct values so the maxima are stable under the finite-difference steps.
  Tensor x = (arange(2 * 3 * 7 * 6, kFloat64).view({2, 3, 7, 6}) * 0.37).sin().requires_grad_();
  using V = const std::vector<Tensor>&;
  auto mp = [](V v) { return max_pool2d(v[0], 3, 2, 1, 1, true); };
  EXPECT_TRUE(gradcheck(mp, {x}));
  EXPECT_TRUE(gradgradcheck(mp, {x}));
  auto mp1 = [](V v) { return max_pool1d(v[0].flatten(2), 4, 3, 2, 2); };
  EXPECT_TRUE(gradcheck(mp1, {x}));
  for (bool cip : {true, false}) {
    auto ap = [cip](V v) { return avg_pool2d(v[0], {3, 2}, {2, 2}, 1, true, cip); };
    EXPECT_TRUE(gradcheck(ap, {x}));
    EXPECT_TRUE(gradgradcheck(ap, {x}));
  }
  EXPECT_TRUE(gradcheck([](V v) { return avg_pool2d(v[0], 2, {}, 0, false, true, 3); }, {x}));
  EXPECT_TRUE(gradcheck([](V v) { return avg_pool1d(v[0].flatten(2), 3); }, {x}));
  auto aap = [](V v) { return adaptive_avg_pool2d(v[0], {3, 4}); };
  EXPECT_TRUE(gradcheck(aap, {x}));
  EXPECT_TRUE(gradgradcheck(aap, {x}));
  EXPECT_TRUE(gradcheck([](V v) { return adaptive_avg_pool1d(v[0].flatten(2), 5); }, {x}));
  auto amp = [](V v) { return std::get<0>(adaptive_max_pool2d(v[0], {3, 4})); };
  EXPECT_TRUE(gradcheck(amp, {x}));
  EXPECT_TRUE(gradgradcheck(amp, {x}));
  EXPECT_TRUE(gradcheck([](V v) { return std::get<0>(adaptive_max_pool1d(v[0].flatten(2), 5)); }, {x}));
}

TEST(NnOpsGrad, Norms) {
  using V = const std::vector<Tensor>&;
  Tensor x = leaf({4, 3, 5}, 20), w = leaf({3}, 21), b = leaf({3}, 22);
  auto bn = [](V v) { return batch_norm(v[0], v[1], v[2], {}, {}, true, 0.1, 1e-5); };
  EXPECT_TRUE(gradcheck(bn, {x, w, b}));
  EXPECT_TRUE(gradgradcheck(bn, {x, w, b}));
  Tensor rm = randn({3}, kFloat64), rv = rand({3}, kFloat64) + 0.5;
  auto bn_eval = [&](V v) { return batch_norm(v[0], v[1], v[2], rm, rv, false, 0.1, 1e-5); };
  EXPECT_TRUE(gradcheck(bn_eval, {x, w, b}));
  EXPECT_TRUE(gradgradcheck(bn_eval, {x, w, b}));
  Tensor lw = leaf({3, 5}, 23), lb = leaf({3, 5}, 24);
  auto ln = [](V v) { return layer_norm(v[0], {3, 5}, v[1], v[2]); };
  EXPECT_TRUE(gradcheck(ln, {x, lw, lb}));
  EXPECT_TRUE(gradgradcheck(ln, {x, lw, lb}));
  Tensor gx = leaf({2, 6, 4}, 25), gw = leaf({6}, 26), gb = leaf({6}, 27);
  auto gn = [](V v) { return group_norm(v[0], 3, v[1], v[2]); };
  EXPECT_TRUE(gradcheck(gn, {gx, gw, gb}));
  EXPECT_TRUE(gradgradcheck(gn, {gx, gw, gb}));
}

TEST(NnOpsGrad, Embedding) {
  Tensor w = leaf({5, 3}, 30);
  Tensor idx = tensor({{0, 4, 4}, {2, 0, 1}});
  // padding_idx 3 is not among the indices; a used padding row has, by design, a
  // gradient that differs from the true derivative (checked exactly below).
  auto f = [&](const std::vector<Tensor>& v) { return embedding(v[0], idx, 3) * v[0].sum(); };
  EXPECT_TRUE(gradcheck(f, {w}));
  EXPECT_TRUE(gradgradcheck(f, {w}));
  embedding(w, idx, -1).sum().backward();  // -1 = the last row (4)
  Tensor expect = tensor({{2., 2., 2.}, {1., 1., 1.}, {1., 1., 1.}, {0., 0., 0.}, {0., 0., 0.}}, kFloat64);
  EXPECT_TRUE(w.grad().equal(expect)) << w.grad();
}

TEST(NnOps, NodeNames) {
  Tensor x = leaf({1, 2, 6, 6}, 40), w = leaf({2, 2, 3, 3}, 41);
  EXPECT_EQ(conv2d(x, w).grad_fn()->name(), "ConvolutionBackward0");
  EXPECT_EQ(conv1d(x.flatten(2), w.flatten(2)).grad_fn()->name(), "ConvolutionBackward0");
  EXPECT_EQ(conv_transpose2d(x, w).grad_fn()->name(), "ConvolutionBackward0");
  EXPECT_EQ(max_pool2d(x, 2).grad_fn()->name(), "MaxPool2DWithIndicesBackward0");
  EXPECT_EQ(avg_pool2d(x, 2).grad_fn()->name(), "AvgPool2DBackward0");
  EXPECT_EQ(adaptive_avg_pool2d(x, 2).grad_fn()->name(), "AdaptiveAvgPool2DBackward0");
  EXPECT_EQ(std::get<0>(adaptive_max_pool2d(x, 2)).grad_fn()->name(), "AdaptiveMaxPool2DBackward0");
  // PyTorch: SqueezeBackward1 (max_pool1d is max_pool2d on an unsqueezed input, squeezed back).
  EXPECT_EQ(max_pool1d(x.flatten(2), 2).grad_fn()->name(), "SqueezeBackward1");
  EXPECT_EQ(batch_norm(x, {}, {}, {}, {}, true, 0.1, 1e-5).grad_fn()->name(), "NativeBatchNormBackward0");
  EXPECT_EQ(layer_norm(x, {6}).grad_fn()->name(), "NativeLayerNormBackward0");
  EXPECT_EQ(group_norm(x, 2).grad_fn()->name(), "NativeGroupNormBackward0");
  EXPECT_EQ(embedding(w.flatten(1), tensor({0, 1})).grad_fn()->name(), "EmbeddingBackward0");
  NoGradGuard no_grad;
  EXPECT_FALSE(conv2d(x, w).requires_grad());
}

TEST(NnOps, InPlaceOnResultsKeepsHistory) {
  // Results are tensors of their own, not views of a temporary: an in-place op on them
  // must chain onto their history.
  Tensor w = leaf({4, 3}, 50);
  Tensor y = embedding(w, tensor({1, 1, 2}));
  y.mul_(2);
  y.sum().backward();
  EXPECT_TRUE(w.grad().equal(tensor({{0., 0., 0.}, {4., 4., 4.}, {2., 2., 2.}, {0., 0., 0.}}, kFloat64)));
  Tensor x = leaf({2, 4, 3}, 51);
  Tensor g = group_norm(x, 2);
  g.add_(1);
  g.sum().backward();
  EXPECT_TRUE(x.grad().defined());
  EXPECT_LT(x.grad().abs().max().item<double>(), 1e-9);  // sum of a normalised group has zero gradient
}

TEST(NnOps, BatchNormRunningStats) {
  Tensor x = tensor({{1., 10.}, {3., 20.}, {5., 60.}});
  Tensor rm = zeros({2}), rv = ones({2});
  Tensor y = batch_norm(x, {}, {}, rm, rv, true, 0.5, 0.0);
  EXPECT_TRUE(rm.allclose(tensor({1.5f, 15.f})));  // 0.5 * 0 + 0.5 * mean
  // Unbiased variances 4 and 700.
  EXPECT_TRUE(rv.allclose(tensor({2.5f, 350.5f})));
  EXPECT_NEAR(y[0][0].item<double>(), -1.224744871, 1e-5);
  // Eval uses the running stats and leaves them alone.
  Tensor ye = batch_norm(x, {}, {}, rm, rv, false, 0.5, 0.0);
  EXPECT_NEAR(ye[0][0].item<double>(), (1 - 1.5) / std::sqrt(2.5), 1e-5);
  EXPECT_TRUE(rm.allclose(tensor({1.5f, 15.f})));
}

TEST(NnOps, ConvErrors) {
  Tensor x = randn({2, 3, 28, 28});
  EXPECT_EQ(error_of([&] { conv2d(x, randn({6, 1, 5, 5})); }),
            "Given groups=1, weight of size [6, 1, 5, 5], expected input[2, 3, 28, 28] to have 1 channels, but got 3 "
            "channels instead");
  EXPECT_EQ(error_of([&] { conv2d(randn({2, 3}), randn({6, 3, 5, 5})); }),
            "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [2, 3]");
  EXPECT_EQ(error_of([&] { conv1d(x, randn({6, 3, 5})); }),
            "Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: [2, 3, 28, 28]");
  EXPECT_EQ(error_of([&] { conv2d(randn({2, 3, 4, 4}), randn({6, 3, 5, 5})); }),
            "Calculated padded input size per channel: (4 x 4). Kernel size: (5 x 5). Kernel size can't be greater "
            "than actual input size");
  EXPECT_EQ(error_of([&] { conv2d(randn({2, 3, 4, 4}), randn({6, 3, 3, 3}), randn({5})); }),
            "Given weight of size [6, 3, 3, 3], expected bias to be 1-dimensional with 6 elements, but got bias of "
            "size [5] instead");
  EXPECT_EQ(error_of([&] { conv2d(x, randn({6, 3, 3, 3}), {}, 0); }), "non-positive stride is not supported");
  EXPECT_EQ(error_of([&] { conv2d(x, randn({6, 3, 3, 3}), {}, 1, -1); }), "negative padding is not supported");
  EXPECT_EQ(error_of([&] { conv2d(x, randn({6, 3, 3, 3}), {}, 1, 0, 0); }), "non-positive dilation is not supported");
  EXPECT_EQ(error_of([&] { conv2d(x, randn({6, 3, 3, 3}), {}, 1, 0, 1, 0); }), "non-positive groups is not supported");
  EXPECT_EQ(error_of([&] { conv2d(x, randn({6, 3, 3, 3}), {}, 2, "same"); }),
            "padding='same' is not supported for strided convolutions");
  EXPECT_EQ(error_of([&] { conv2d(x, randn({6, 3, 3, 3}), {}, 1, "foo"); }), "Invalid padding string: 'foo'");
  EXPECT_EQ(error_of([&] { conv2d(x, randn({6, 3, 3, 3}), {}, 1, {1, 1, 1}); }),
            "expected padding to be a single integer value or a list of 2 values to match the convolution "
            "dimensions, but got padding=[1, 1, 1]");
  EXPECT_EQ(error_of([&] { conv2d(x, randn({6, 3, 3, 3}, kFloat64)); }),
            "Input type (Float) and weight type (Double) should be the same");
  EXPECT_EQ(error_of([&] { conv_transpose2d(randn({2, 4, 4, 4}), randn({3, 6, 3, 3})); }),
            "Given transposed=1, weight of size [3, 6, 3, 3], expected input[2, 4, 4, 4] to have 3 channels, but got "
            "4 channels instead");
  EXPECT_EQ(error_of([&] { conv_transpose2d(randn({2, 4, 4, 4}), randn({4, 6, 3, 3}), {}, 1, 0, 1); }),
            "output padding must be smaller than either stride or dilation, but got output_padding_height: 1 "
            "output_padding_width: 1 stride_height: 1 stride_width: 1 dilation_height: 1 dilation_width: 1");
  EXPECT_THROW(conv2d(x.to(kFloat16), randn({6, 3, 3, 3}).to(kFloat16)), NotImplementedError);
  EXPECT_THROW(conv2d(x.to(kInt64), randn({6, 3, 3, 3}).to(kInt64)), NotImplementedError);
}

TEST(NnOps, PoolErrors) {
  Tensor x = randn({2, 3, 4, 4});
  EXPECT_EQ(error_of([&] { max_pool2d(x, 5); }),
            "Given input size: (3x4x4). Calculated output size: (3x0x0). Output size is too small");
  EXPECT_EQ(error_of([&] { max_pool2d(x, 2, {}, 2); }),
            "pad should be at most half of kernel size, but got pad=2 and kernel_size=2");
  EXPECT_EQ(error_of([&] { max_pool2d(x, 2, 0); }), "stride should not be zero");
  EXPECT_EQ(error_of([&] { max_pool2d(x, 2, {}, 0, 0); }),
            "dilation should be greater than zero, but got dilationH: 0 dilationW: 0");
  EXPECT_EQ(error_of([&] { max_pool2d(x, {2, 2, 2}); }),
            "max_pool2d: kernel_size must either be a single int, or a tuple of two ints");
  EXPECT_EQ(error_of([&] { max_pool2d(randn({2, 0, 4, 4}), 2); }),
            "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:[2, 0, 4, 4]");
  EXPECT_EQ(error_of([&] { max_pool1d(x, 2); }),
            "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, but "
            "got:[2, 3, 4, 4]");
  EXPECT_EQ(error_of([&] { avg_pool2d(x, 2, {}, 0, false, true, 0); }), "divisor must be not zero");
  EXPECT_EQ(error_of([&] { avg_pool1d(randn({2, 3, 4}), 5); }),
            "Given input size: (3x1x4). Calculated output size: (3x1x0). Output size is too small");
  EXPECT_EQ(error_of([&] { adaptive_avg_pool2d(x, {2, 2, 2}); }), "adaptive_avg_pool2d: output_size must be 2");
  EXPECT_EQ(error_of([&] { adaptive_max_pool2d(randn({2, 3, 0, 4}), {2, 2}); }),
            "adaptive_max_pool2d(): Expected input to have non-zero size for non-batch dimensions, but input has "
            "sizes [2, 3, 0, 4] with dimension 2 being empty");
  EXPECT_THROW(max_pool2d(x.to(kInt64), 2), NotImplementedError);
}

TEST(NnOps, NormAndEmbeddingErrors) {
  EXPECT_EQ(error_of([] { batch_norm(randn({2, 3, 4}), {}, {}, randn({4}), randn({4}), false, 0.1, 1e-5); }),
            "running_mean should contain 3 elements not 4");
  EXPECT_THROW(batch_norm(randn({1, 3}), {}, {}, {}, {}, true, 0.1, 1e-5), ValueError);
  EXPECT_EQ(error_of([] { batch_norm(randn({2, 3}), randn({4}), {}, {}, {}, true, 0.1, 1e-5); }),
            "weight should contain 3 elements not 4");
  EXPECT_EQ(error_of([] { layer_norm(randn({2, 3, 4}), {3}); }),
            "Given normalized_shape=[3], expected input with shape [*, 3], but got input of size[2, 3, 4]");
  EXPECT_EQ(error_of([] { layer_norm(randn({2, 3, 4}), {4}, randn({3})); }),
            "Expected weight to be of same shape as normalized_shape, but got weight of shape [3] and "
            "normalized_shape = [4]");
  EXPECT_EQ(error_of([] { group_norm(randn({2, 6, 4}), 4); }),
            "Expected number of channels in input to be divisible by num_groups, but got input of shape [2, 6, 4] "
            "and num_groups=4");
  EXPECT_EQ(error_of([] { group_norm(randn({2, 6, 4}), 3, randn({4})); }),
            "Expected weight to be a vector of size equal to the number of channels in input, but got weight of "
            "shape [4] and input of shape [2, 6, 4]");
  Tensor w = randn({4, 3});
  EXPECT_THROW(embedding(w, tensor({5})), IndexError);
  EXPECT_EQ(error_of([&] { embedding(w, tensor({-1})); }), "index out of range in self");
  EXPECT_EQ(error_of([&] { embedding(w, tensor({1}), 4); }), "Padding_idx must be within num_embeddings");
  EXPECT_EQ(error_of([&] { embedding(w, tensor({1}), -5); }), "Padding_idx must be within num_embeddings");
  EXPECT_EQ(error_of([&] { embedding(randn({4}), tensor({1})); }), "'weight' must be 2-D");
  EXPECT_EQ(error_of([&] { embedding(w, tensor({1.})); }),
            "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got "
            "Float instead (while checking arguments for embedding)");
}
