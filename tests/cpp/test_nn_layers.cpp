// Conv, pooling, normalisation and embedding modules: printing, shapes, running
// statistics, options and errors. Values against LibTorch are in diff/test_nn_layers_diff.cpp.
#include <gtest/gtest.h>

#include <ember/ember.h>

using namespace ember;
namespace nn = ember::nn;

TEST(NnLayers, ReprMatchesPyTorch) {
  // Expected strings printed by PyTorch 1.13 for the same constructors.
  EXPECT_EQ(nn::Conv2d(1, 6, 5)->repr(), "Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))");
  EXPECT_EQ(nn::Conv2d(nn::Conv2dOptions(3, 8, {3, 5}).stride(2).padding(1).dilation(2).bias(false).padding_mode(kReflect))
                ->repr(),
            "Conv2d(3, 8, kernel_size=(3, 5), stride=(2, 2), padding=(1, 1), dilation=(2, 2), bias=False, "
            "padding_mode=reflect)");
  EXPECT_EQ(nn::Conv1d(nn::Conv1dOptions(4, 4, 3).padding(kSame).groups(2))->repr(),
            "Conv1d(4, 4, kernel_size=(3,), stride=(1,), padding=same, groups=2)");
  EXPECT_EQ(nn::ConvTranspose2d(nn::ConvTranspose2dOptions(16, 33, 3).stride(2).padding(1).output_padding(1))->repr(),
            "ConvTranspose2d(16, 33, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), output_padding=(1, 1))");
  EXPECT_EQ(nn::MaxPool2d(2)->repr(), "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)");
  EXPECT_EQ(nn::MaxPool2d(nn::MaxPool2dOptions({2, 3}).stride(1).padding(1).ceil_mode(true))->repr(),
            "MaxPool2d(kernel_size=(2, 3), stride=1, padding=1, dilation=1, ceil_mode=True)");
  EXPECT_EQ(nn::MaxPool1d(3)->repr(), "MaxPool1d(kernel_size=3, stride=3, padding=0, dilation=1, ceil_mode=False)");
  EXPECT_EQ(nn::AvgPool2d(2)->repr(), "AvgPool2d(kernel_size=2, stride=2, padding=0)");
  EXPECT_EQ(nn::AvgPool1d(3)->repr(), "AvgPool1d(kernel_size=(3,), stride=(3,), padding=(0,))");
  EXPECT_EQ(nn::AdaptiveAvgPool2d(ExpandingArray<2>({5, 7}))->repr(), "AdaptiveAvgPool2d(output_size=(5, 7))");
  EXPECT_EQ(nn::AdaptiveAvgPool2d(1)->repr(), "AdaptiveAvgPool2d(output_size=1)");
  EXPECT_EQ(nn::AdaptiveMaxPool2d(2)->repr(), "AdaptiveMaxPool2d(output_size=2)");
  EXPECT_EQ(nn::BatchNorm2d(6)->repr(), "BatchNorm2d(6, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)");
  EXPECT_EQ(nn::BatchNorm1d(nn::BatchNormOptions(4).momentum(std::nullopt).affine(false))->repr(),
            "BatchNorm1d(4, eps=1e-05, momentum=None, affine=False, track_running_stats=True)");
  EXPECT_EQ(nn::LayerNorm(nn::LayerNormOptions({10}))->repr(), "LayerNorm((10,), eps=1e-05, elementwise_affine=True)");
  EXPECT_EQ(nn::LayerNorm(nn::LayerNormOptions({3, 4}).elementwise_affine(false))->repr(),
            "LayerNorm((3, 4), eps=1e-05, elementwise_affine=False)");
  EXPECT_EQ(nn::GroupNorm(2, 6)->repr(), "GroupNorm(2, 6, eps=1e-05, affine=True)");
  EXPECT_EQ(nn::Embedding(10, 3)->repr(), "Embedding(10, 3)");
  EXPECT_EQ(nn::Embedding(nn::EmbeddingOptions(10, 3).padding_idx(-1))->repr(), "Embedding(10, 3, padding_idx=9)");
}

TEST(NnLayers, ParameterNamesAndShapes) {
  nn::Conv2d conv(nn::Conv2dOptions(4, 8, 3).groups(2));
  EXPECT_EQ(conv->weight.sizes(), (IntArrayRef{8, 2, 3, 3}));
  EXPECT_EQ(conv->named_parameters().keys(), (std::vector<std::string>{"weight", "bias"}));
  nn::ConvTranspose2d deconv(nn::ConvTranspose2dOptions(4, 6, 3).groups(2).bias(false));
  EXPECT_EQ(deconv->weight.sizes(), (IntArrayRef{4, 3, 3, 3}));
  EXPECT_EQ(deconv->named_parameters().keys(), std::vector<std::string>{"weight"});
  nn::BatchNorm2d bn(3);
  EXPECT_EQ(bn->state_dict().keys(),
            (std::vector<std::string>{"weight", "bias", "running_mean", "running_var", "num_batches_tracked"}));
  EXPECT_EQ(bn->num_batches_tracked.dtype(), kInt64);
  EXPECT_THROW(nn::Conv2d(nn::Conv2dOptions(3, 4, 3).groups(2)), ValueError);
  EXPECT_THROW(nn::GroupNorm(4, 6), ValueError);
  EXPECT_THROW(nn::Embedding(nn::EmbeddingOptions(5, 2).padding_idx(5)), ValueError);
}

TEST(NnLayers, ConvShapesWithPaddingModes) {
  manual_seed(0);
  Tensor x = randn({2, 3, 10, 9});
  EXPECT_EQ(nn::Conv2d(nn::Conv2dOptions(3, 4, 3).padding(kSame))(x).sizes(), (IntArrayRef{2, 4, 10, 9}));
  EXPECT_EQ(nn::Conv2d(nn::Conv2dOptions(3, 4, 3).padding(kValid))(x).sizes(), (IntArrayRef{2, 4, 8, 7}));
  EXPECT_EQ(nn::Conv2d(nn::Conv2dOptions(3, 4, 3).padding(1).padding_mode(kCircular))(x).sizes(),
            (IntArrayRef{2, 4, 10, 9}));
  EXPECT_EQ(nn::Conv2d(nn::Conv2dOptions(3, 4, 4).padding(kSame).padding_mode(kReplicate))(x).sizes(),
            (IntArrayRef{2, 4, 10, 9}));
  EXPECT_EQ(nn::ConvTranspose2d(nn::ConvTranspose2dOptions(3, 2, 3).stride(2))(x).sizes(), (IntArrayRef{2, 2, 21, 19}));
  // Unbatched input works as in PyTorch.
  EXPECT_EQ(nn::Conv2d(3, 4, 3)(randn({3, 5, 5})).sizes(), (IntArrayRef{4, 3, 3}));
  // A wrong channel count names both shapes.
  try {
    nn::Conv2d(1, 6, 5)(x);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("expected input[2, 3, 10, 9] to have 1 channels, but got 3 channels"),
              std::string::npos)
        << e.what();
  }
}

TEST(NnLayers, PoolingModules) {
  Tensor x = arange(16, kFloat32).view({1, 1, 4, 4});
  Tensor y = nn::MaxPool2d(2)(x);
  EXPECT_TRUE(y.equal(tensor({5.f, 7.f, 13.f, 15.f}).view({1, 1, 2, 2})));
  auto [values, indices] = nn::MaxPool2d(2)->forward_with_indices(x);
  EXPECT_TRUE(indices.equal(tensor({5L, 7L, 13L, 15L}).view({1, 1, 2, 2})));
  EXPECT_TRUE(nn::AvgPool2d(2)(x).equal(tensor({2.5f, 4.5f, 10.5f, 12.5f}).view({1, 1, 2, 2})));
  EXPECT_TRUE(nn::AdaptiveAvgPool2d(1)(x).equal(tensor({7.5f}).view({1, 1, 1, 1})));
  EXPECT_TRUE(nn::AdaptiveMaxPool2d(1)(x).equal(tensor({15.f}).view({1, 1, 1, 1})));
  EXPECT_EQ(nn::MaxPool1d(2)(arange(6, kFloat32).view({1, 1, 6})).sizes(), (IntArrayRef{1, 1, 3}));
}

TEST(NnLayers, BatchNormRunningStatsAndEval) {
  manual_seed(0);
  nn::BatchNorm1d bn(3);
  Tensor x = randn({8, 3}) * 2 + 1;
  Tensor y = bn(x);
  EXPECT_TRUE(allclose(y.mean(0), zeros({3}), 1e-5, 1e-5));
  EXPECT_EQ(bn->num_batches_tracked.item<int64_t>(), 1);
  EXPECT_TRUE(allclose(bn->running_mean, x.mean(0) * 0.1, 1e-5, 1e-6));
  EXPECT_TRUE(allclose(bn->running_var, x.var(0) * 0.1 + 0.9, 1e-5, 1e-6));  // unbiased variance
  bn->eval();
  Tensor z = bn(x);
  EXPECT_TRUE(allclose(z, (x - bn->running_mean) / sqrt(bn->running_var + 1e-5), 1e-5, 1e-5));
  EXPECT_EQ(bn->num_batches_tracked.item<int64_t>(), 1);  // eval does not count batches
  EXPECT_THROW(bn(randn({2, 3, 4, 4})), ValueError);
  EXPECT_THROW(nn::BatchNorm2d(3)(randn({2, 3, 4})), ValueError);
  EXPECT_THROW(bn(randn({4, 5})), Error);

  // momentum = None: cumulative average over batches.
  nn::BatchNorm1d cumulative(nn::BatchNormOptions(2).momentum(std::nullopt));
  Tensor a = randn({4, 2}), b = randn({4, 2});
  cumulative(a);
  cumulative(b);
  EXPECT_TRUE(allclose(cumulative->running_mean, (a.mean(0) + b.mean(0)) / 2, 1e-5, 1e-6));

  // Without running statistics eval normalises with the batch.
  nn::BatchNorm2d no_stats(nn::BatchNormOptions(2).track_running_stats(false));
  no_stats->eval();
  Tensor img = randn({3, 2, 4, 4});
  EXPECT_TRUE(allclose(no_stats(img).mean({0, 2, 3}), zeros({2}), 1e-5, 1e-5));
  EXPECT_EQ(no_stats->buffers().size(), 0u);
}

TEST(NnLayers, NormsAndEmbedding) {
  manual_seed(0);
  Tensor x = randn({2, 6, 3});
  Tensor ln = nn::LayerNorm(nn::LayerNormOptions({6, 3}))(x);
  EXPECT_TRUE(allclose(ln.mean({1, 2}), zeros({2}), 1e-5, 1e-5));
  Tensor gn = nn::GroupNorm(3, 6)(x);
  EXPECT_TRUE(allclose(gn.view({2, 3, 6}).mean(2), zeros({2, 3}), 1e-5, 1e-5));

  nn::Embedding emb(nn::EmbeddingOptions(5, 2).padding_idx(0));
  EXPECT_TRUE(emb->weight[0].equal(zeros({2})));
  Tensor idx = tensor({0L, 3L, 3L, 1L});
  emb(idx).sum().backward();
  EXPECT_TRUE(emb->weight.grad()[0].equal(zeros({2})));
  EXPECT_TRUE(emb->weight.grad()[3].equal(full({2}, 2.f)));
  EXPECT_THROW(emb(tensor({7L})), IndexError);
}

TEST(NnLayers, CnnTrainsInSequential) {
  manual_seed(0);
  nn::Sequential net(nn::Conv2d(1, 4, 3), nn::BatchNorm2d(4), nn::Functional([](Tensor t) { return relu(t); }),
                     nn::MaxPool2d(2), nn::Flatten(), nn::Linear(4 * 3 * 3, 2));
  Tensor x = randn({16, 1, 8, 8});
  Tensor target = (x.mean({1, 2, 3}) > 0).to(kInt64);
  optim::SGD opt(net->parameters(), optim::SGDOptions(0.1).momentum(0.9));
  double first = 0, last = 0;
  for (int step = 0; step < 60; ++step) {
    opt.zero_grad();
    Tensor loss = nn::functional::cross_entropy(net->forward(x), target);
    loss.backward();
    opt.step();
    if (step == 0) first = loss.item<double>();
    last = loss.item<double>();
  }
  EXPECT_LT(last, first * 0.2);
}

// linear's x @ W.t(): the weight's gradient is computed as (g^T x) in W's own layout, so
// it is contiguous like PyTorch's, and equal to the textbook g^T x.
TEST(NnLayers, LinearWeightGradIsContiguous) {
  manual_seed(0);
  nn::Linear fc(5, 3);
  Tensor x = randn({4, 5}, kFloat64).to(kFloat32);
  Tensor g = randn({4, 3});
  fc->forward(x).backward(g);
  Tensor gw = fc->weight.grad();
  EXPECT_TRUE(gw.is_contiguous());
  EXPECT_EQ(gw.sizes(), IntArrayRef({3, 5}));
  EXPECT_TRUE(allclose(gw, g.t().mm(x), 1e-5, 1e-6));
  EXPECT_TRUE(allclose(fc->bias.grad(), g.sum(0), 1e-5, 1e-6));
  // The same through a plain mm with a transposed operand.
  Tensor w = randn({3, 5}).requires_grad_();
  x.mm(w.t()).backward(g);
  EXPECT_TRUE(w.grad().is_contiguous());
  EXPECT_TRUE(allclose(w.grad(), g.t().mm(x), 1e-5, 1e-6));
}
