// nn::functional: float64 finite-difference gradient checks of each activation and loss
// (second derivatives for a few), and the error cases with PyTorch's wording.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include <ember/ember.h>
#include <ember/nn/functional.h>

#include "gradcheck.h"

using namespace ember;
namespace F = ember::nn::functional;
using ember::testing::gradcheck;
using ember::testing::gradgradcheck;

namespace {

// A float64 leaf that requires grad, with values away from the kinks at 0, +-1, +-3.
Tensor leaf(IntArrayRef shape, int seed, double scale = 2.0) {
  manual_seed(seed);
  Tensor x = randn(shape, TensorOptions(kFloat64)) * scale;
  x = where(lt(abs(x - x.round()), 0.05), x + 0.1, x);
  return x.requires_grad_();
}
Tensor prob_leaf(IntArrayRef shape, int seed) {
  manual_seed(seed);
  return (rand(shape, TensorOptions(kFloat64)) * 0.8 + 0.1).requires_grad_();
}

template <class Fn>
std::string error_of(Fn&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "<no error>";
}

}  // namespace

TEST(Functional, ActivationGradcheck) {
  using V = std::vector<Tensor>;
  std::vector<std::pair<const char*, ember::testing::Fn>> fns = {
      {"leaky_relu", [](const V& v) { return F::leaky_relu(v[0], F::LeakyReLUFuncOptions().negative_slope(0.2)); }},
      {"elu", [](const V& v) { return F::elu(v[0], F::ELUFuncOptions().alpha(0.7)); }},
      {"selu", [](const V& v) { return F::selu(v[0]); }},
      {"celu", [](const V& v) { return F::celu(v[0], F::CELUFuncOptions().alpha(1.5)); }},
      {"gelu", [](const V& v) { return F::gelu(v[0]); }},
      {"gelu_tanh", [](const V& v) { return F::gelu(v[0], F::GELUFuncOptions().approximate("tanh")); }},
      {"silu", [](const V& v) { return F::silu(v[0]); }},
      {"mish", [](const V& v) { return F::mish(v[0]); }},
      {"softplus", [](const V& v) { return F::softplus(v[0], F::SoftplusFuncOptions().beta(1.5).threshold(2)); }},
      {"hardtanh", [](const V& v) { return F::hardtanh(v[0], F::HardtanhFuncOptions().min_val(-1.5).max_val(2.5)); }},
      {"relu6", [](const V& v) { return F::relu6(v[0] * 3); }},
      {"hardsigmoid", [](const V& v) { return F::hardsigmoid(v[0]); }},
      {"hardswish", [](const V& v) { return F::hardswish(v[0]); }},
      {"softsign", [](const V& v) { return F::softsign(v[0]); }},
      {"logsigmoid", [](const V& v) { return F::logsigmoid(v[0]); }},
      {"tanh", [](const V& v) { return F::tanh(v[0]); }},
      {"sigmoid", [](const V& v) { return F::sigmoid(v[0]); }},
      {"softmax", [](const V& v) { return F::softmax(v[0], 1); }},
      {"log_softmax", [](const V& v) { return F::log_softmax(v[0], 0); }},
      {"glu", [](const V& v) { return F::glu(v[0], 1); }},
      {"threshold", [](const V& v) { return F::threshold(v[0], F::ThresholdFuncOptions(0.1, 20.0)); }},
      {"relu", [](const V& v) { return F::relu(v[0]); }},
  };
  for (auto& [name, fn] : fns) EXPECT_TRUE(gradcheck(fn, {leaf({3, 4}, 1)})) << name;
  // Strided input.
  EXPECT_TRUE(gradcheck([](const V& v) { return F::silu(v[0].t()); }, {leaf({4, 3}, 2)}));
  // prelu: input and weight, shared and per-channel.
  EXPECT_TRUE(gradcheck([](const V& v) { return F::prelu(v[0], v[1]); }, {leaf({2, 3, 4}, 3), leaf({1}, 4)}));
  EXPECT_TRUE(gradcheck([](const V& v) { return F::prelu(v[0], v[1]); }, {leaf({2, 3, 4}, 3), leaf({3}, 5)}));
}

TEST(Functional, ActivationGradgradcheck) {
  using V = std::vector<Tensor>;
  std::vector<std::pair<const char*, ember::testing::Fn>> fns = {
      {"relu", [](const V& v) { return F::relu(v[0]) * v[0]; }},
      {"threshold", [](const V& v) { return F::threshold(v[0], F::ThresholdFuncOptions(0.1, 2.0)) * v[0]; }},
      {"elu", [](const V& v) { return F::elu(v[0]); }},
      {"silu", [](const V& v) { return F::silu(v[0]); }},
      {"mish", [](const V& v) { return F::mish(v[0]); }},
      {"softplus", [](const V& v) { return F::softplus(v[0]); }},
      {"logsigmoid", [](const V& v) { return F::logsigmoid(v[0]); }},
      {"leaky_relu", [](const V& v) { return F::leaky_relu(v[0]); }},
  };
  for (auto& [name, fn] : fns) EXPECT_TRUE(gradgradcheck(fn, {leaf({2, 3}, 6)})) << name;
}

TEST(Functional, LossGradcheck) {
  using V = std::vector<Tensor>;
  Tensor target = tensor({0, 3, 2, -100, 1});
  // The class weights have the input's dtype (float64 here), as nll_loss requires.
  Tensor weight = tensor({0.5, 1.0, 2.0, 1.5}).to(kFloat64);
  for (Reduction r : {kNone, kMean, kSum}) {
    SCOPED_TRACE(reduction_name(r));
    EXPECT_TRUE(gradcheck([r](const V& v) { return F::mse_loss(v[0], v[1], r); }, {leaf({3, 4}, 1), leaf({3, 4}, 2)}));
    EXPECT_TRUE(gradcheck([r](const V& v) { return F::l1_loss(v[0], v[1], r); }, {leaf({3, 4}, 1), leaf({3, 4}, 2)}));
    EXPECT_TRUE(gradcheck([r](const V& v) { return F::smooth_l1_loss(v[0], v[1], F::SmoothL1LossFuncOptions(r).beta(0.7)); },
                          {leaf({3, 4}, 1), leaf({3, 4}, 2)}));
    EXPECT_TRUE(gradcheck([r](const V& v) { return F::huber_loss(v[0], v[1], F::HuberLossFuncOptions(r).delta(1.3)); },
                          {leaf({3, 4}, 1), leaf({3, 4}, 2)}));
    EXPECT_TRUE(gradcheck([r](const V& v) {
      return F::binary_cross_entropy(v[0], v[1], F::BinaryCrossEntropyFuncOptions().reduction(r).weight(tensor({1.0, 2.0, 0.5, 1.0})));
    }, {prob_leaf({3, 4}, 1), prob_leaf({3, 4}, 2)}));
    EXPECT_TRUE(gradcheck([r](const V& v) {
      return F::binary_cross_entropy_with_logits(
          v[0], v[1], F::BinaryCrossEntropyWithLogitsFuncOptions().reduction(r).pos_weight(tensor({1.0, 2.0, 0.5, 3.0})));
    }, {leaf({3, 4}, 1), prob_leaf({3, 4}, 2)}));
    EXPECT_TRUE(gradcheck([&](const V& v) {
      return F::cross_entropy(v[0], target, F::CrossEntropyFuncOptions().weight(weight).label_smoothing(0.1).reduction(r));
    }, {leaf({5, 4}, 3)}));
    EXPECT_TRUE(gradcheck([&](const V& v) {
      return F::nll_loss(v[0], target, F::NLLLossFuncOptions().weight(weight).reduction(r));
    }, {leaf({5, 4}, 3)}));
    EXPECT_TRUE(gradcheck([r](const V& v) {
      return F::cross_entropy(v[0], v[1].softmax(1), F::CrossEntropyFuncOptions().reduction(r));
    }, {leaf({3, 4}, 4), leaf({3, 4}, 5)}));
    EXPECT_TRUE(gradcheck([r](const V& v) { return F::kl_div(v[0].log_softmax(1), v[1], F::KLDivFuncOptions(r)); },
                          {leaf({3, 4}, 6), prob_leaf({3, 4}, 7)}));
    EXPECT_TRUE(gradcheck([r](const V& v) {
      return F::margin_ranking_loss(v[0], v[1], tensor({1.0, -1.0, 1.0}), F::MarginRankingLossFuncOptions().margin(0.2).reduction(r));
    }, {leaf({3}, 8), leaf({3}, 9)}));
    EXPECT_TRUE(gradcheck([r](const V& v) {
      return F::cosine_embedding_loss(v[0], v[1], tensor({1.0, -1.0, 1.0}),
                                      F::CosineEmbeddingLossFuncOptions().margin(-0.5).reduction(r));
    }, {leaf({3, 4}, 10), leaf({3, 4}, 11)}));
  }
  // Spatial targets (N, C, d1, d2).
  Tensor sp = tensor({0, 2, 1, 1, 2, 0, 2, 2}).reshape({2, 2, 2});
  EXPECT_TRUE(gradcheck([&](const V& v) { return F::cross_entropy(v[0], sp); }, {leaf({2, 3, 2, 2}, 12)}));
}

TEST(Functional, LossGradgradcheck) {
  using V = std::vector<Tensor>;
  Tensor target = tensor({0, 3, 2, 1});
  EXPECT_TRUE(gradgradcheck([&](const V& v) { return F::cross_entropy(v[0], target); }, {leaf({4, 4}, 1)}));
  EXPECT_TRUE(gradgradcheck([](const V& v) { return F::mse_loss(v[0], v[1]); }, {leaf({2, 3}, 2), leaf({2, 3}, 3)}));
  EXPECT_TRUE(gradgradcheck([](const V& v) { return F::binary_cross_entropy(v[0], v[1]); },
                            {prob_leaf({2, 3}, 2), prob_leaf({2, 3}, 3)}));
  EXPECT_TRUE(gradgradcheck([](const V& v) { return F::binary_cross_entropy_with_logits(v[0], v[1]); },
                            {leaf({2, 3}, 2), prob_leaf({2, 3}, 3)}));
  EXPECT_TRUE(gradgradcheck([](const V& v) { return F::smooth_l1_loss(v[0], v[1]); }, {leaf({2, 3}, 4), leaf({2, 3}, 5)}));
}

TEST(Functional, MiscGradcheck) {
  using V = std::vector<Tensor>;
  EXPECT_TRUE(gradcheck([](const V& v) { return F::pad(v[0], F::PadFuncOptions({1, 2, -1, 1}).value(3)); }, {leaf({2, 3, 4}, 1)}));
  EXPECT_TRUE(gradgradcheck([](const V& v) { return F::pad(v[0], F::PadFuncOptions({1, 2, 0, 1})); }, {leaf({2, 3}, 1)}));
  for (PadMode m : {kReflect, kReplicate, kCircular})
    EXPECT_TRUE(gradcheck([m](const V& v) { return F::pad(v[0], F::PadFuncOptions({2, 1, 1, 2}).mode(m)); }, {leaf({1, 2, 3, 4}, 2)}));
  EXPECT_TRUE(gradcheck([](const V& v) {
    return F::interpolate(v[0], F::InterpolateFuncOptions().size(std::vector<int64_t>{5, 3}).mode(kBilinear).align_corners(false));
  }, {leaf({1, 2, 3, 4}, 3)}));
  EXPECT_TRUE(gradcheck([](const V& v) {
    return F::interpolate(v[0], F::InterpolateFuncOptions().scale_factor(std::vector<double>{1.5}));
  }, {leaf({1, 2, 4}, 4)}));
  EXPECT_TRUE(gradcheck([](const V& v) { return F::normalize(v[0]); }, {leaf({3, 4}, 5)}));
  EXPECT_TRUE(gradcheck([](const V& v) { return F::cosine_similarity(v[0], v[1]); }, {leaf({3, 4}, 6), leaf({3, 4}, 7)}));
}

TEST(Functional, OptionsAndValues) {
  // Defaults as LibTorch's.
  EXPECT_DOUBLE_EQ(nn::LeakyReLUOptions().negative_slope(), 0.01);
  EXPECT_EQ(nn::CrossEntropyLossOptions().ignore_index(), -100);
  EXPECT_EQ(nn::CrossEntropyLossOptions().reduction(), kMean);
  EXPECT_TRUE(nn::KLDivLossOptions(kBatchMean).reduction().is_batchmean());
  EXPECT_EQ(reduction_name(nn::KLDivLossOptions().reduction(kSum).reduction()), "sum");
  EXPECT_EQ(nn::PReLUOptions().num_parameters(), 1);
  EXPECT_DOUBLE_EQ(nn::SoftplusOptions().threshold(), 20.0);
  EXPECT_FALSE(F::SoftmaxFuncOptions(1).dtype().has_value());
  // Values: large logits stay finite; BCE clamps log at -100.
  Tensor big = tensor({1000.0, -1000.0});
  Tensor l = F::binary_cross_entropy_with_logits(big, tensor({0.0, 1.0}), F::BinaryCrossEntropyWithLogitsFuncOptions().reduction(kNone));
  EXPECT_TRUE(allclose(l, tensor({1000.0, 1000.0})));
  Tensor b = F::binary_cross_entropy(tensor({0.0, 1.0}), tensor({1.0, 0.0}), F::BinaryCrossEntropyFuncOptions().reduction(kNone));
  EXPECT_TRUE(allclose(b, tensor({100.0, 100.0})));
  EXPECT_TRUE(allclose(F::logsigmoid(tensor({-1000.0, 1000.0})), tensor({-1000.0, 0.0})));
  // All targets ignored: mean is NaN, as PyTorch.
  Tensor ign = F::nll_loss(zeros({2, 3}), tensor({-100, -100}));
  EXPECT_TRUE(std::isnan(ign.item<double>()));
  // one_hot
  EXPECT_TRUE(equal(F::one_hot(tensor({2, 0})), tensor({{0, 0, 1}, {1, 0, 0}})));
  EXPECT_EQ(F::one_hot(tensor({1}), 4).sizes(), IntArrayRef({1, 4}));
  // In-place without grad writes into the input; the version counter moves.
  Tensor x = tensor({-1.0f, 2.0f});
  auto v0 = x._version();
  F::leaky_relu(x, F::LeakyReLUFuncOptions().inplace(true));
  EXPECT_TRUE(allclose(x, tensor({-0.01f, 2.0f})));
  EXPECT_GT(x._version(), v0);
  // Half-precision inputs compute in float32 and keep their dtype.
  EXPECT_EQ(F::silu(ones({3}, TensorOptions(kFloat16))).dtype(), kFloat16);
}

TEST(Functional, Errors) {
  Tensor x = randn({3, 5});
  EXPECT_EQ(error_of([&] { F::cross_entropy(x, tensor({0, 10, 1})); }), "Target 10 is out of bounds.");
  EXPECT_THROW(F::cross_entropy(x, tensor({0, 10, 1})), IndexError);
  EXPECT_EQ(error_of([&] { F::nll_loss(x, tensor({0, -5, 1})); }), "Target -5 is out of bounds.");
  EXPECT_EQ(error_of([&] { F::cross_entropy(x, tensor({0.f, 1.f, 1.f})); }), "expected scalar type Long but found Float");
  EXPECT_EQ(error_of([&] { F::cross_entropy(x, tensor({0, 1, 1, 2})); }),
            "Expected input batch_size (3) to match target batch_size (4).");
  EXPECT_THROW(F::cross_entropy(x, tensor({0, 1, 1, 2})), ValueError);
  EXPECT_EQ(error_of([&] { F::nll_loss(x, tensor({0, 1, 1}), F::NLLLossFuncOptions().weight(ones({3}))); }),
            "weight tensor should be defined either for all 5 classes or no classes but got weight tensor of shape: [3]");
  EXPECT_EQ(error_of([&] { F::cross_entropy(x, rand({3, 5}), F::CrossEntropyFuncOptions().label_smoothing(1.5)); }),
            "label_smoothing must be between 0.0 and 1.0. Got: 1.5");
  EXPECT_EQ(error_of([&] { F::nll_loss(randn({2, 3, 4, 5}), zeros({2, 4, 6}, TensorOptions(kInt64))); }),
            "size mismatch (got input: [2, 3, 4, 5] , target: [2, 4, 6]");
  EXPECT_EQ(error_of([&] { F::nll_loss(randn({}), tensor(int64_t(1)).reshape({})); }), "Expected 1 or more dimensions (got 0)");
  EXPECT_EQ(error_of([&] { F::binary_cross_entropy(x.sigmoid(), rand({3, 4})); }),
            "Using a target size ([3, 4]) that is different to the input size ([3, 5]) is deprecated. Please ensure "
            "they have the same size.");
  EXPECT_THROW(F::binary_cross_entropy(x.sigmoid(), rand({3, 4})), ValueError);
  EXPECT_EQ(error_of([&] { F::binary_cross_entropy(x, rand({3, 5})); }), "all elements of input should be between 0 and 1");
  EXPECT_EQ(error_of([&] { F::binary_cross_entropy_with_logits(x, rand({3, 4})); }),
            "Target size ([3, 4]) must be the same as input size ([3, 5])");
  EXPECT_EQ(error_of([&] { F::one_hot(tensor({0, -1})); }), "Class values must be non-negative.");
  EXPECT_EQ(error_of([&] { F::one_hot(tensor({0, 5}), 3); }), "Class values must be smaller than num_classes.");
  EXPECT_EQ(error_of([&] { F::one_hot(tensor({0.f, 5.f})); }), "one_hot is only applicable to index tensor.");
  EXPECT_EQ(error_of([&] { F::one_hot(empty({0}, TensorOptions(kInt64))); }),
            "Can not infer total number of classes from empty tensor.");
  EXPECT_EQ(error_of([&] { F::leaky_relu(tensor({1, 2})); }), "\"leaky_relu_cpu\" not implemented for 'Long'");
  EXPECT_EQ(error_of([&] { F::smooth_l1_loss(x, x, F::SmoothL1LossFuncOptions().beta(-1)); }),
            "smooth_l1_loss does not support negative values for beta.");
  EXPECT_EQ(error_of([&] { F::huber_loss(x, x, F::HuberLossFuncOptions().delta(0)); }),
            "huber_loss does not support non-positive values for delta.");
  EXPECT_EQ(error_of([&] { F::prelu(x, ones({2})); }),
            "Mismatch of parameter numbers and input channel size. Found parameter numbers = 2 and channel size = 5.");
  EXPECT_EQ(error_of([&] { F::prelu(x, ones({1, 1})); }), "prelu: Expected `weight` to be a scalar or 1D tensor, but got ndim = 2");
  EXPECT_EQ(error_of([&] { F::dropout(x, F::DropoutFuncOptions().p(1.5)); }),
            "dropout probability has to be between 0 and 1, but got 1.5");
  EXPECT_EQ(error_of([&] { F::cosine_embedding_loss(x, x, ones({3, 1})); }),
            "0D or 1D target tensor expected, multi-target not supported");
  EXPECT_EQ(error_of([&] { F::pad(x.unsqueeze(0), F::PadFuncOptions({6, 6}).mode(kReflect)); }),
            "Argument #4: Padding size should be less than the corresponding input dimension, but got: padding (6, 6) "
            "at dimension 2 of input [1, 3, 5]");
  EXPECT_EQ(error_of([&] { F::pad(x.unsqueeze(0), F::PadFuncOptions({6, 6}).mode(kCircular)); }),
            "Padding value causes wrapping around more than once.");
  EXPECT_EQ(error_of([&] { F::pad(x, F::PadFuncOptions({1, 1, 1})); }), "Padding length must be divisible by 2");
  EXPECT_EQ(error_of([&] { F::pad(x, F::PadFuncOptions({1, 1, 1, 1, 1, 1})); }), "Padding length too large");
  EXPECT_THROW(F::pad(x, F::PadFuncOptions({1, 1, 1, 1}).mode(kReflect)), NotImplementedError);
  EXPECT_EQ(error_of([&] {
    F::interpolate(x.unsqueeze(0), F::InterpolateFuncOptions().scale_factor(std::vector<double>{2}).mode(kBilinear));
  }), "Got 3D input, but bilinear mode needs 4D input");
  EXPECT_EQ(error_of([&] {
    F::interpolate(x.unsqueeze(0), F::InterpolateFuncOptions().size(std::vector<int64_t>{3}).scale_factor(std::vector<double>{2}));
  }), "only one of size or scale_factor should be defined");
  EXPECT_EQ(error_of([&] { F::interpolate(x.unsqueeze(0)); }), "either size or scale_factor should be defined");
  EXPECT_THROW(F::interpolate(x.unsqueeze(0), F::InterpolateFuncOptions().scale_factor(std::vector<double>{2}).align_corners(true)),
               ValueError);
  EXPECT_EQ(error_of([&] { F::margin_ranking_loss(x, x, ones({3})); }),
            "margin_ranking_loss : All input tensors should have same dimension but got sizes: input1: [3, 5], input2: "
            "[3, 5], target: [3] ");
}

// relu's backward is PyTorch's threshold_backward(g, result, 0): exactly 0 where the result
// is <= 0 even for a NaN or inf gradient, and g where the result is NaN.
TEST(Functional, ReluAndThresholdBackwardNanSemantics) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  Tensor x = tensor({-1.f, 0.f, nan, 2.f}).requires_grad_();
  relu(x).backward(tensor({1.f, nan, 3.f, 4.f}));
  EXPECT_TRUE(equal(x.grad(), tensor({0.f, 0.f, 3.f, 4.f})));
  {
    // The same with create_graph (the composite formula).
    Tensor x2 = tensor({-1.f, 0.f, nan, 2.f}).requires_grad_();
    auto g = autograd::grad({relu(x2)}, {x2}, {tensor({1.f, nan, 3.f, 4.f})}, true, true);
    EXPECT_TRUE(equal(g[0], tensor({0.f, 0.f, 3.f, 4.f})));
  }
  Tensor t = tensor({-1.f, 0.5f, nan, 2.f}).requires_grad_();
  Tensor y = F::threshold(t, F::ThresholdFuncOptions(0.5, 9.0));
  EXPECT_EQ(y.grad_fn()->name(), "ThresholdBackward0");
  EXPECT_TRUE(y.slice(0, 0, 2).equal(tensor({9.f, 9.f})));
  EXPECT_TRUE(std::isnan(y[2].item<float>()));
  EXPECT_EQ(y[3].item<float>(), 2.f);
  y.backward(ones_like(y));
  EXPECT_TRUE(equal(t.grad(), tensor({0.f, 0.f, 1.f, 1.f})));
  Tensor c = t.detach().clone().requires_grad_();
  Tensor d = c * 1;
  F::threshold(d, F::ThresholdFuncOptions(0.5, 9.0).inplace(true));
  EXPECT_EQ(d.grad_fn()->name(), "ThresholdBackward1");
  // Integer inputs keep working (no kernel for them; PyTorch accepts them too).
  EXPECT_TRUE(equal(F::threshold(tensor({1, 2, 3}), F::ThresholdFuncOptions(1, 0)), tensor({0, 2, 3})));
}
