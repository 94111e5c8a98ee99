// Activation, dropout, loss and distance modules: PyTorch's repr strings, forward through
// the matching nn::functional call, dropout in train/eval, weight buffers, PReLU's
// parameter, and use inside Sequential with an optimiser.
#include <gtest/gtest.h>

#include <sstream>

#include <ember/ember.h>

#include "gradcheck.h"

using namespace ember;
namespace nn = ember::nn;
namespace F = ember::nn::functional;

namespace {

template <class Holder>
std::string repr_of(const Holder& m) {
  std::ostringstream os;
  os << *m;
  return os.str();
}

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}

// A float32 input with negatives, positives, values beyond the thresholds and exact zeros.
Tensor sample_input(std::vector<int64_t> shape = {3, 4, 5}, uint64_t seed = 0) {
  manual_seed(seed);
  Tensor x = randn(shape) * 3;
  x.view({-1})[0].fill_(0.0);
  return x;
}

::testing::AssertionResult same_values(const Tensor& a, const Tensor& b) {
  if (a.sizes() != b.sizes()) return ::testing::AssertionFailure() << "shape " << a.sizes() << " vs " << b.sizes();
  if (a.dtype() != b.dtype()) return ::testing::AssertionFailure() << "dtype differs";
  if (!allclose(a, b, 0, 0, /*equal_nan=*/true)) return ::testing::AssertionFailure() << a << "\nvs\n" << b;
  return ::testing::AssertionSuccess();
}

}  // namespace

// Every expected string below is PyTorch 1.13.1's print(torch.nn.X(...)) for the same options.
TEST(NnModulesActLoss, ActivationRepr) {
  EXPECT_EQ(repr_of(nn::ReLU()), "ReLU()");
  EXPECT_EQ(repr_of(nn::ReLU(nn::ReLUOptions().inplace(true))), "ReLU(inplace=True)");
  EXPECT_EQ(repr_of(nn::ReLU(true)), "ReLU(inplace=True)");
  EXPECT_EQ(repr_of(nn::ReLU6()), "ReLU6()");
  EXPECT_EQ(repr_of(nn::ReLU6(nn::ReLU6Options(true))), "ReLU6(inplace=True)");
  EXPECT_EQ(repr_of(nn::LeakyReLU()), "LeakyReLU(negative_slope=0.01)");
  EXPECT_EQ(repr_of(nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.2).inplace(true))),
            "LeakyReLU(negative_slope=0.2, inplace=True)");
  EXPECT_EQ(repr_of(nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.2))), "LeakyReLU(negative_slope=0.2)");
  EXPECT_EQ(repr_of(nn::PReLU()), "PReLU(num_parameters=1)");
  EXPECT_EQ(repr_of(nn::PReLU(nn::PReLUOptions().num_parameters(3).init(0.1))), "PReLU(num_parameters=3)");
  EXPECT_EQ(repr_of(nn::ELU()), "ELU(alpha=1.0)");
  EXPECT_EQ(repr_of(nn::ELU(nn::ELUOptions().alpha(2.0).inplace(true))), "ELU(alpha=2.0, inplace=True)");
  EXPECT_EQ(repr_of(nn::SELU()), "SELU()");
  EXPECT_EQ(repr_of(nn::SELU(nn::SELUOptions(true))), "SELU(inplace=True)");
  EXPECT_EQ(repr_of(nn::CELU()), "CELU(alpha=1.0)");
  EXPECT_EQ(repr_of(nn::CELU(nn::CELUOptions().alpha(0.5).inplace(true))), "CELU(alpha=0.5, inplace=True)");
  EXPECT_EQ(repr_of(nn::GELU()), "GELU(approximate='none')");
  EXPECT_EQ(repr_of(nn::GELU(nn::GELUOptions().approximate("tanh"))), "GELU(approximate='tanh')");
  EXPECT_EQ(repr_of(nn::SiLU()), "SiLU()");
  EXPECT_EQ(repr_of(nn::Mish()), "Mish()");
  EXPECT_EQ(repr_of(nn::Softplus()), "Softplus(beta=1, threshold=20)");
  EXPECT_EQ(repr_of(nn::Softplus(nn::SoftplusOptions().beta(2.5).threshold(10.0))),
            "Softplus(beta=2.5, threshold=10.0)");
  EXPECT_EQ(repr_of(nn::Tanh()), "Tanh()");
  EXPECT_EQ(repr_of(nn::Sigmoid()), "Sigmoid()");
  EXPECT_EQ(repr_of(nn::Hardtanh()), "Hardtanh(min_val=-1.0, max_val=1.0)");
  EXPECT_EQ(repr_of(nn::Hardtanh(nn::HardtanhOptions().min_val(-2.0).max_val(3.0).inplace(true))),
            "Hardtanh(min_val=-2.0, max_val=3.0, inplace=True)");
  EXPECT_EQ(repr_of(nn::Hardsigmoid()), "Hardsigmoid()");
  EXPECT_EQ(repr_of(nn::Hardsigmoid(nn::HardsigmoidOptions(true))), "Hardsigmoid()");
  EXPECT_EQ(repr_of(nn::Hardswish()), "Hardswish()");
  EXPECT_EQ(repr_of(nn::Hardswish(nn::HardswishOptions(true))), "Hardswish()");
  EXPECT_EQ(repr_of(nn::Softsign()), "Softsign()");
  EXPECT_EQ(repr_of(nn::LogSigmoid()), "LogSigmoid()");
  EXPECT_EQ(repr_of(nn::Tanhshrink()), "Tanhshrink()");
  EXPECT_EQ(repr_of(nn::Hardshrink()), "Hardshrink(0.5)");
  EXPECT_EQ(repr_of(nn::Hardshrink(1.5)), "Hardshrink(1.5)");
  EXPECT_EQ(repr_of(nn::Softshrink()), "Softshrink(0.5)");
  EXPECT_EQ(repr_of(nn::Softshrink(0.25)), "Softshrink(0.25)");
  EXPECT_EQ(repr_of(nn::Threshold(0.1, 20.0)), "Threshold(threshold=0.1, value=20.0)");
  EXPECT_EQ(repr_of(nn::Threshold(nn::ThresholdOptions(0.1, 20.0).inplace(true))),
            "Threshold(threshold=0.1, value=20.0, inplace=True)");
  EXPECT_EQ(repr_of(nn::GLU()), "GLU(dim=-1)");
  EXPECT_EQ(repr_of(nn::GLU(1)), "GLU(dim=1)");
  EXPECT_EQ(repr_of(nn::Softmax(1)), "Softmax(dim=1)");
  EXPECT_EQ(repr_of(nn::Softmax(nn::SoftmaxOptions(-1))), "Softmax(dim=-1)");
  EXPECT_EQ(repr_of(nn::Softmin(-1)), "Softmin(dim=-1)");
  EXPECT_EQ(repr_of(nn::LogSoftmax(1)), "LogSoftmax(dim=1)");
}

TEST(NnModulesActLoss, DropoutLossDistanceRepr) {
  EXPECT_EQ(repr_of(nn::Dropout()), "Dropout(p=0.5, inplace=False)");
  EXPECT_EQ(repr_of(nn::Dropout(nn::DropoutOptions().p(0.2).inplace(true))), "Dropout(p=0.2, inplace=True)");
  EXPECT_EQ(repr_of(nn::Dropout(0.25)), "Dropout(p=0.25, inplace=False)");
  EXPECT_EQ(repr_of(nn::Dropout2d()), "Dropout2d(p=0.5, inplace=False)");
  EXPECT_EQ(repr_of(nn::Dropout2d(nn::Dropout2dOptions(0.3).inplace(true))), "Dropout2d(p=0.3, inplace=True)");
  EXPECT_EQ(repr_of(nn::AlphaDropout()), "AlphaDropout(p=0.5, inplace=False)");
  EXPECT_EQ(repr_of(nn::AlphaDropout(nn::AlphaDropoutOptions(0.1).inplace(true))),
            "AlphaDropout(p=0.1, inplace=True)");
  // PyTorch's losses and distances print no options, whatever they are.
  EXPECT_EQ(repr_of(nn::MSELoss()), "MSELoss()");
  EXPECT_EQ(repr_of(nn::MSELoss(nn::MSELossOptions(kSum))), "MSELoss()");
  EXPECT_EQ(repr_of(nn::L1Loss()), "L1Loss()");
  EXPECT_EQ(repr_of(nn::SmoothL1Loss(nn::SmoothL1LossOptions().beta(0.5))), "SmoothL1Loss()");
  EXPECT_EQ(repr_of(nn::HuberLoss(nn::HuberLossOptions().delta(2.0))), "HuberLoss()");
  EXPECT_EQ(repr_of(nn::BCELoss(nn::BCELossOptions().weight(ones({3})))), "BCELoss()");
  EXPECT_EQ(repr_of(nn::BCEWithLogitsLoss(nn::BCEWithLogitsLossOptions().pos_weight(ones({3})))),
            "BCEWithLogitsLoss()");
  EXPECT_EQ(repr_of(nn::CrossEntropyLoss()), "CrossEntropyLoss()");
  EXPECT_EQ(repr_of(nn::CrossEntropyLoss(
                nn::CrossEntropyLossOptions().weight(ones({3})).ignore_index(1).label_smoothing(0.1))),
            "CrossEntropyLoss()");
  EXPECT_EQ(repr_of(nn::NLLLoss()), "NLLLoss()");
  EXPECT_EQ(repr_of(nn::KLDivLoss(nn::KLDivLossOptions(kBatchMean).log_target(true))), "KLDivLoss()");
  EXPECT_EQ(repr_of(nn::MarginRankingLoss(nn::MarginRankingLossOptions().margin(0.5))), "MarginRankingLoss()");
  EXPECT_EQ(repr_of(nn::CosineEmbeddingLoss()), "CosineEmbeddingLoss()");
  EXPECT_EQ(repr_of(nn::CosineSimilarity(nn::CosineSimilarityOptions().dim(0).eps(1e-6))), "CosineSimilarity()");
  EXPECT_EQ(repr_of(nn::PairwiseDistance(nn::PairwiseDistanceOptions().p(1.0).keepdim(true))), "PairwiseDistance()");
}

TEST(NnModulesActLoss, ActivationForwardEqualsFunctional) {
  const Tensor x = sample_input();
  EXPECT_TRUE(same_values(nn::ReLU()(x), F::relu(x)));
  EXPECT_TRUE(same_values(nn::ReLU6()(x), F::relu6(x)));
  EXPECT_TRUE(same_values(nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.2))(x),
                          F::leaky_relu(x, F::LeakyReLUFuncOptions().negative_slope(0.2))));
  EXPECT_TRUE(same_values(nn::ELU(nn::ELUOptions().alpha(0.7))(x), F::elu(x, F::ELUFuncOptions().alpha(0.7))));
  EXPECT_TRUE(same_values(nn::SELU()(x), F::selu(x)));
  EXPECT_TRUE(same_values(nn::CELU(nn::CELUOptions().alpha(1.5))(x), F::celu(x, F::CELUFuncOptions().alpha(1.5))));
  EXPECT_TRUE(same_values(nn::GELU()(x), F::gelu(x)));
  EXPECT_TRUE(same_values(nn::GELU(nn::GELUOptions().approximate("tanh"))(x),
                          F::gelu(x, F::GELUFuncOptions().approximate("tanh"))));
  EXPECT_FALSE(same_values(nn::GELU(nn::GELUOptions().approximate("tanh"))(x), F::gelu(x)));  // options reach F
  EXPECT_TRUE(same_values(nn::SiLU()(x), F::silu(x)));
  EXPECT_TRUE(same_values(nn::Mish()(x), F::mish(x)));
  EXPECT_TRUE(same_values(nn::Softplus(nn::SoftplusOptions().beta(2).threshold(3))(x),
                          F::softplus(x, F::SoftplusFuncOptions().beta(2).threshold(3))));
  EXPECT_TRUE(same_values(nn::Tanh()(x), F::tanh(x)));
  EXPECT_TRUE(same_values(nn::Sigmoid()(x), F::sigmoid(x)));
  EXPECT_TRUE(same_values(nn::Hardtanh(nn::HardtanhOptions().min_val(-2).max_val(0.5))(x),
                          F::hardtanh(x, F::HardtanhFuncOptions().min_val(-2).max_val(0.5))));
  EXPECT_TRUE(same_values(nn::Hardsigmoid()(x), F::hardsigmoid(x)));
  EXPECT_TRUE(same_values(nn::Hardswish()(x), F::hardswish(x)));
  EXPECT_TRUE(same_values(nn::Softsign()(x), F::softsign(x)));
  EXPECT_TRUE(same_values(nn::LogSigmoid()(x), F::logsigmoid(x)));
  EXPECT_TRUE(same_values(nn::Tanhshrink()(x), F::tanhshrink(x)));
  EXPECT_TRUE(same_values(nn::Hardshrink(1.5)(x), F::hardshrink(x, 1.5)));
  EXPECT_TRUE(same_values(nn::Softshrink(1.5)(x), F::softshrink(x, 1.5)));
  EXPECT_TRUE(same_values(nn::Threshold(0.5, -3.0)(x), F::threshold(x, F::ThresholdFuncOptions(0.5, -3.0))));
  EXPECT_TRUE(same_values(nn::GLU(1)(x), F::glu(x, 1)));
  EXPECT_TRUE(same_values(nn::GLU()(sample_input({3, 4})), F::glu(sample_input({3, 4}))));
  EXPECT_TRUE(same_values(nn::Softmax(1)(x), F::softmax(x, 1)));
  EXPECT_TRUE(same_values(nn::Softmin(-1)(x), F::softmin(x, -1)));
  EXPECT_TRUE(same_values(nn::LogSoftmax(0)(x), F::log_softmax(x, 0)));
  // Spot values so a wrong functional cannot hide behind the comparison.
  Tensor v = tensor({-2.0f, 0.5f, 3.0f});
  EXPECT_TRUE(same_values(nn::ReLU()(v), tensor({0.0f, 0.5f, 3.0f})));
  EXPECT_TRUE(same_values(nn::Hardtanh()(v), tensor({-1.0f, 0.5f, 1.0f})));
  EXPECT_TRUE(same_values(nn::Threshold(1.0, 7.0)(v), tensor({7.0f, 7.0f, 3.0f})));
}

TEST(NnModulesActLoss, InplaceActivationsModifyTheirInput) {
  Tensor x = sample_input();
  Tensor expected = F::leaky_relu(x, F::LeakyReLUFuncOptions().negative_slope(0.3));
  Tensor y = x.clone();
  Tensor out = nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.3).inplace(true))(y);
  EXPECT_TRUE(out.is_same(y));
  EXPECT_TRUE(same_values(y, expected));
  Tensor z = x.clone();
  nn::ReLU(true)(z);
  EXPECT_TRUE(same_values(z, F::relu(x)));
  Tensor h = x.clone();
  nn::Hardtanh(nn::HardtanhOptions().inplace(true))(h);
  EXPECT_TRUE(same_values(h, F::hardtanh(x)));
  // Without inplace the input is untouched.
  Tensor w = x.clone();
  nn::ELU()(w);
  EXPECT_TRUE(same_values(w, x));
}

TEST(NnModulesActLoss, ConstructionErrors) {
  EXPECT_EQ(error_of([] { nn::Dropout(1.5); }), "dropout probability has to be between 0 and 1, but got 1.5");
  EXPECT_THROW(nn::Dropout2d(-0.1), ValueError);
  EXPECT_THROW(nn::AlphaDropout(2.0), ValueError);
  EXPECT_NE(error_of([] { nn::Hardtanh(nn::HardtanhOptions().min_val(1).max_val(1)); })
                .find("max_val must be greater than min_val"),
            std::string::npos);
  EXPECT_THROW(nn::PReLU(nn::PReLUOptions().num_parameters(-1)), ValueError);
  // Errors at forward come from the functional op.
  EXPECT_THROW(nn::Softmax(3)(ones({2, 2})), IndexError);
  EXPECT_THROW(nn::GLU(0)(ones({3, 2})), Error);
  EXPECT_THROW(nn::GELU(nn::GELUOptions().approximate("fast"))(ones({2})), Error);
  EXPECT_THROW(nn::MSELoss()(ones({2, 3}), ones({4})), Error);
}

TEST(NnModulesActLoss, DropoutTrainAndEval) {
  const Tensor x = sample_input({8, 6, 5, 4}, 3);
  struct Case {
    std::function<Tensor(const Tensor&)> module;
    std::function<Tensor(const Tensor&)> functional;
  };
  nn::Dropout drop(0.3);
  nn::Dropout2d drop2d(0.4);
  nn::AlphaDropout alpha(0.2);
  std::vector<std::pair<nn::Module*, Case>> cases = {
      {drop.get(),
       {[&](const Tensor& t) { return drop(t); },
        [](const Tensor& t) { return F::dropout(t, F::DropoutFuncOptions().p(0.3)); }}},
      {drop2d.get(),
       {[&](const Tensor& t) { return drop2d(t); },
        [](const Tensor& t) { return F::dropout2d(t, F::Dropout2dFuncOptions().p(0.4)); }}},
      {alpha.get(),
       {[&](const Tensor& t) { return alpha(t); },
        [](const Tensor& t) { return F::alpha_dropout(t, F::AlphaDropoutFuncOptions().p(0.2).training(true)); }}},
  };
  for (auto& [module, c] : cases) {
    SCOPED_TRACE(module->repr());
    EXPECT_TRUE(module->is_training());
    manual_seed(42);
    Tensor a = c.module(x);
    manual_seed(42);
    Tensor b = c.functional(x);
    EXPECT_TRUE(same_values(a, b));
    EXPECT_FALSE(same_values(a, x));  // something was dropped
    module->eval();
    Tensor e = c.module(x);
    EXPECT_TRUE(same_values(e, x));
    module->train();
  }
  // Channel dropout zeroes whole (H, W) planes.
  manual_seed(5);
  Tensor y = drop2d(ones({4, 16, 3, 3}));
  Tensor plane_max = y.amax({2, 3}), plane_min = y.amin({2, 3});
  EXPECT_TRUE(same_values(plane_max, plane_min));
  // In place dropout writes into its input.
  Tensor z = x.clone();
  manual_seed(11);
  Tensor out = nn::Dropout(nn::DropoutOptions(0.5).inplace(true))(z);
  manual_seed(11);
  EXPECT_TRUE(out.is_same(z));
  EXPECT_TRUE(same_values(z, F::dropout(x, F::DropoutFuncOptions().p(0.5))));
}

TEST(NnModulesActLoss, LossForwardEqualsFunctional) {
  Tensor a = sample_input({4, 3}, 1), b = sample_input({4, 3}, 2);
  for (Reduction r : {kNone, kMean, kSum}) {
    EXPECT_TRUE(same_values(nn::MSELoss(r)(a, b), F::mse_loss(a, b, r)));
    EXPECT_TRUE(same_values(nn::L1Loss(r)(a, b), F::l1_loss(a, b, r)));
  }
  EXPECT_TRUE(same_values(nn::SmoothL1Loss(nn::SmoothL1LossOptions().beta(0.5))(a, b),
                          F::smooth_l1_loss(a, b, F::SmoothL1LossFuncOptions().beta(0.5))));
  EXPECT_TRUE(same_values(nn::HuberLoss(nn::HuberLossOptions(kSum).delta(2.0))(a, b),
                          F::huber_loss(a, b, F::HuberLossFuncOptions(kSum).delta(2.0))));
  Tensor p = sigmoid(a), q = sigmoid(b), w = rand({3}) + 0.5;
  EXPECT_TRUE(same_values(nn::BCELoss(nn::BCELossOptions().weight(w))(p, q),
                          F::binary_cross_entropy(p, q, F::BinaryCrossEntropyFuncOptions().weight(w))));
  EXPECT_TRUE(same_values(
      nn::BCEWithLogitsLoss(nn::BCEWithLogitsLossOptions().pos_weight(w).reduction(kSum))(a, q),
      F::binary_cross_entropy_with_logits(a, q, F::BinaryCrossEntropyWithLogitsFuncOptions().pos_weight(w).reduction(kSum))));
  Tensor target = tensor({0L, 2L, 1L, 2L});
  auto ce = nn::CrossEntropyLossOptions().weight(w).ignore_index(1).label_smoothing(0.1);
  EXPECT_TRUE(same_values(nn::CrossEntropyLoss(ce)(a, target), F::cross_entropy(a, target, ce)));
  EXPECT_FALSE(same_values(nn::CrossEntropyLoss()(a, target), F::cross_entropy(a, target, ce)));  // options matter
  Tensor logp = F::log_softmax(a, 1);
  EXPECT_TRUE(same_values(nn::NLLLoss(nn::NLLLossOptions().weight(w))(logp, target),
                          F::nll_loss(logp, target, F::NLLLossFuncOptions().weight(w))));
  Tensor probs = F::softmax(b, 1);
  EXPECT_TRUE(same_values(nn::KLDivLoss(kBatchMean)(logp, probs), F::kl_div(logp, probs, kBatchMean)));
  Tensor x1 = a.select(1, 0), x2 = b.select(1, 0), sign = tensor({1.0f, -1.0f, 1.0f, -1.0f});
  EXPECT_TRUE(same_values(nn::MarginRankingLoss(nn::MarginRankingLossOptions().margin(0.5))(x1, x2, sign),
                          F::margin_ranking_loss(x1, x2, sign, F::MarginRankingLossFuncOptions().margin(0.5))));
  EXPECT_TRUE(same_values(nn::CosineEmbeddingLoss(nn::CosineEmbeddingLossOptions().margin(0.2))(a, b, sign),
                          F::cosine_embedding_loss(a, b, sign, F::CosineEmbeddingLossFuncOptions().margin(0.2))));
  EXPECT_TRUE(same_values(nn::CosineSimilarity(nn::CosineSimilarityOptions().dim(0))(a, b),
                          F::cosine_similarity(a, b, F::CosineSimilarityFuncOptions().dim(0))));
  EXPECT_TRUE(same_values(nn::PairwiseDistance(nn::PairwiseDistanceOptions().p(1).keepdim(true))(a, b),
                          F::pairwise_distance(a, b, F::PairwiseDistanceFuncOptions().p(1).keepdim(true))));
  // A spot value: MSE of (1, 2) against (0, 0) is 2.5.
  EXPECT_DOUBLE_EQ(nn::MSELoss()(tensor({1.0, 2.0}), zeros({2}, kFloat64)).item<double>(), 2.5);
}

TEST(NnModulesActLoss, LossWeightBuffersInStateDict) {
  Tensor w = tensor({1.0f, 2.0f, 3.0f});
  // PyTorch: CrossEntropyLoss(weight=w).state_dict().keys() == ['weight'].
  nn::CrossEntropyLoss ce(nn::CrossEntropyLossOptions().weight(w));
  EXPECT_EQ(ce->state_dict().keys(), (std::vector<std::string>{"weight"}));
  EXPECT_TRUE(same_values(ce->state_dict()["weight"], w));
  EXPECT_TRUE(ce->parameters().empty());
  // No weight: nothing in state_dict (PyTorch registers None).
  EXPECT_TRUE(nn::CrossEntropyLoss()->state_dict().is_empty());
  EXPECT_TRUE(nn::BCEWithLogitsLoss()->state_dict().is_empty());
  // PyTorch: ['weight', 'pos_weight'], and ['pos_weight'] alone.
  nn::BCEWithLogitsLoss both(nn::BCEWithLogitsLossOptions().weight(w).pos_weight(w * 2));
  EXPECT_EQ(both->state_dict().keys(), (std::vector<std::string>{"weight", "pos_weight"}));
  EXPECT_EQ(nn::BCEWithLogitsLoss(nn::BCEWithLogitsLossOptions().pos_weight(w))->state_dict().keys(),
            (std::vector<std::string>{"pos_weight"}));
  EXPECT_EQ(nn::BCELoss(nn::BCELossOptions().weight(w))->state_dict().keys(), (std::vector<std::string>{"weight"}));
  EXPECT_EQ(nn::NLLLoss(nn::NLLLossOptions().weight(w))->state_dict().keys(), (std::vector<std::string>{"weight"}));

  // Forward uses the buffer: loading a new weight changes the loss.
  Tensor logits = sample_input({5, 3}, 4), target = tensor({0L, 1L, 2L, 1L, 0L});
  Tensor w2 = tensor({0.5f, 0.0f, 4.0f});
  nn::StateDict sd;
  sd.insert("weight", w2);
  ce->load_state_dict(sd);
  EXPECT_TRUE(same_values(ce(logits, target), F::cross_entropy(logits, target, F::CrossEntropyFuncOptions().weight(w2))));
  // to(kFloat64) converts the buffer, and the loss follows in float64.
  ce->to(kFloat64);
  EXPECT_EQ(ce->weight.dtype(), kFloat64);
  EXPECT_EQ(ce->named_buffers()["weight"].dtype(), kFloat64);
  Tensor logits64 = logits.to(kFloat64);
  EXPECT_TRUE(same_values(ce(logits64, target),
                          F::cross_entropy(logits64, target, F::CrossEntropyFuncOptions().weight(w2.to(kFloat64)))));
}

TEST(NnModulesActLoss, PReLUParameter) {
  nn::PReLU prelu(nn::PReLUOptions().num_parameters(3).init(0.1));
  auto named = prelu->named_parameters();
  ASSERT_EQ(named.keys(), (std::vector<std::string>{"weight"}));
  EXPECT_TRUE(named["weight"].is_same(prelu->weight));
  EXPECT_EQ(prelu->weight.sizes(), IntArrayRef({3}));
  EXPECT_TRUE(prelu->weight.requires_grad());
  EXPECT_TRUE(same_values(prelu->weight, full({3}, 0.1)));
  EXPECT_TRUE(same_values(nn::PReLU()->weight, full({1}, 0.25)));
  // Forward: x where x >= 0, weight[c] * x elsewhere, channel = dim 1.
  Tensor x = sample_input({2, 3, 4}, 6);
  Tensor y = prelu(x);
  EXPECT_TRUE(same_values(y, F::prelu(x, prelu->weight)));
  Tensor manual = where(ge(x, 0.0), x, x * full({3}, 0.1).view({1, 3, 1}));
  EXPECT_TRUE(allclose(y, manual, 1e-6, 1e-7));
  // d sum(y) / d weight[c] = sum of the negative inputs of channel c.
  y.sum().backward();
  Tensor expected = where(lt(x, 0.0), x, zeros_like(x)).sum(std::vector<int64_t>{0, 2});
  EXPECT_TRUE(allclose(prelu->weight.grad(), expected, 1e-5, 1e-5));
  // Finite differences in float64, for the input and the parameter (away from the kink at 0).
  prelu->to(kFloat64);
  manual_seed(8);
  Tensor x64 = randn({2, 3, 4}, kFloat64).requires_grad_(true);
  EXPECT_TRUE(ember::testing::gradcheck([&](const std::vector<Tensor>& v) { return prelu(v[0]); },
                                        {x64, prelu->weight}));
  // A clone owns its own weight.
  auto copy = std::dynamic_pointer_cast<nn::PReLUImpl>(prelu->clone());
  ASSERT_TRUE(copy);
  EXPECT_FALSE(copy->weight.is_same(prelu->weight));
  EXPECT_TRUE(same_values(copy->weight, prelu->weight));
}

TEST(NnModulesActLoss, InsideSequential) {
  manual_seed(0);
  nn::Sequential model(nn::Linear(2, 4), nn::Tanh(), nn::Linear(4, 1));
  // PyTorch's print(nn.Sequential(nn.Linear(2,4), nn.Tanh(), nn.Linear(4,1))).
  EXPECT_EQ(repr_of(model),
            "Sequential(\n"
            "  (0): Linear(in_features=2, out_features=4, bias=True)\n"
            "  (1): Tanh()\n"
            "  (2): Linear(in_features=4, out_features=1, bias=True)\n"
            ")");
  // A separable problem: label 1 where x0 + x1 > 0.
  Tensor x = randn({64, 2});
  Tensor y = gt(x.sum(1, true), 0.0).to(kFloat32);
  nn::BCEWithLogitsLoss criterion;
  optim::SGD opt(model->parameters(), optim::SGDOptions(0.5));
  double first = 0, last = 0;
  for (int step = 0; step < 60; ++step) {
    opt.zero_grad();
    Tensor loss = criterion(model->forward(x), y);
    if (step == 0) first = loss.item<double>();
    last = loss.item<double>();
    loss.backward();
    opt.step();
  }
  EXPECT_LT(last, first * 0.5) << "first " << first << " last " << last;

  // Modules with options, PReLU's parameter and dropout inside one Sequential.
  nn::Sequential net(nn::Linear(2, 4), nn::PReLU(nn::PReLUOptions().num_parameters(4)), nn::Dropout(0.1),
                     nn::Linear(4, 3), nn::LogSoftmax(1));
  EXPECT_EQ(repr_of(net),
            "Sequential(\n"
            "  (0): Linear(in_features=2, out_features=4, bias=True)\n"
            "  (1): PReLU(num_parameters=4)\n"
            "  (2): Dropout(p=0.1, inplace=False)\n"
            "  (3): Linear(in_features=4, out_features=3, bias=True)\n"
            "  (4): LogSoftmax(dim=1)\n"
            ")");
  EXPECT_EQ(net->named_parameters().keys(),
            (std::vector<std::string>{"0.weight", "0.bias", "1.weight", "3.weight", "3.bias"}));
  net->eval();
  Tensor out = net->forward(x);
  EXPECT_EQ(out.sizes(), IntArrayRef({64, 3}));
  EXPECT_TRUE(allclose(out.exp().sum(1), ones({64}), 1e-5, 1e-5));
  EXPECT_TRUE(same_values(net->forward(x), out));  // eval: dropout is off, so deterministic
}
