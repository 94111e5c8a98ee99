// ATen's namespace-level functions (ember/nn/aten.h): each must give what its
// nn::functional form gives for the same arguments, take ATen's positional arguments and
// defaults, and pass on the functional form's errors.
#include <gtest/gtest.h>

#include <ember/ember.h>

#include "error_of.h"

using namespace ember;
namespace F = ember::nn::functional;

namespace {
Tensor log_probs() {
  manual_seed(0);
  return log_softmax(randn({6, 4}), 1);
}
Tensor classes() { return tensor({0, 3, 1, 1, 2, -100}, kLong); }
}  // namespace

TEST(CompatAten, NllLossDefaultsWeightReductionIgnoreIndex) {
  Tensor x = log_probs();
  Tensor t = classes();
  EXPECT_TRUE(nll_loss(x, t).equal(F::nll_loss(x, t)));
  // ignore_index -100 by default: the last row is skipped.
  Tensor by_hand = -(x[0][0] + x[1][3] + x[2][1] + x[3][1] + x[4][2]) / 5;
  EXPECT_TRUE(nll_loss(x, t).allclose(by_hand));
  Tensor w = tensor({1.0f, 2.0f, 0.5f, 3.0f});
  EXPECT_TRUE(nll_loss(x, t, w, Reduction::Sum)
                  .equal(F::nll_loss(x, t, F::NLLLossFuncOptions().weight(w).reduction(kSum))));
  EXPECT_TRUE(nll_loss(x, t, {}, Reduction::None).sizes() == IntArrayRef({6}));
  Tensor t2 = tensor({0, 3, 1, 1, 2, 2}, kLong);
  EXPECT_TRUE(nll_loss(x, t2, std::nullopt, Reduction::Mean, /*ignore_index=*/1)
                  .equal(F::nll_loss(x, t2, F::NLLLossFuncOptions().ignore_index(1))));
  EXPECT_TRUE(nll_loss2d(x, t2).equal(nll_loss(x, t2)));
  EXPECT_EQ(error_of([&] { nll_loss(x, tensor({0, 1}, kLong)); }),
            error_of([&] { F::nll_loss(x, tensor({0, 1}, kLong)); }));
  EXPECT_NE(error_of([&] { nll_loss(x, tensor({0, 1}, kLong)); }), "");
}

TEST(CompatAten, CrossEntropyLoss) {
  manual_seed(1);
  Tensor logits = randn({5, 3});
  Tensor t = tensor({0, 2, 1, 2, 0}, kLong);
  EXPECT_TRUE(cross_entropy_loss(logits, t).equal(F::cross_entropy(logits, t)));
  EXPECT_TRUE(cross_entropy_loss(logits, t).allclose(nll_loss(log_softmax(logits, 1), t)));
  EXPECT_TRUE(cross_entropy_loss(logits, t, std::nullopt, Reduction::Sum, -100, 0.1)
                  .equal(F::cross_entropy(logits, t, F::CrossEntropyFuncOptions().reduction(kSum).label_smoothing(0.1))));
}

TEST(CompatAten, BinaryCrossEntropy) {
  Tensor p = tensor({0.9f, 0.2f, 0.6f});
  Tensor y = tensor({1.0f, 0.0f, 1.0f});
  Tensor expected = -(std::log(0.9) + std::log(0.8) + std::log(0.6)) / 3 * ones({});
  EXPECT_TRUE(binary_cross_entropy(p, y).allclose(expected.to(kFloat)));
  Tensor w = tensor({1.0f, 2.0f, 3.0f});
  EXPECT_TRUE(binary_cross_entropy(p, y, w, Reduction::None)
                  .equal(F::binary_cross_entropy(p, y, F::BinaryCrossEntropyFuncOptions().weight(w).reduction(kNone))));
  Tensor logits = tensor({2.0f, -1.0f, 0.5f});
  EXPECT_TRUE(binary_cross_entropy_with_logits(logits, y).allclose(binary_cross_entropy(sigmoid(logits), y)));
  Tensor pw = tensor({2.0f, 1.0f, 0.5f});
  EXPECT_TRUE(binary_cross_entropy_with_logits(logits, y, w, pw, Reduction::Sum)
                  .equal(F::binary_cross_entropy_with_logits(
                      logits, y, F::BinaryCrossEntropyWithLogitsFuncOptions().weight(w).pos_weight(pw).reduction(kSum))));
  EXPECT_EQ(error_of([&] { binary_cross_entropy(p, tensor({1.0f, 0.0f})); }),
            error_of([&] { F::binary_cross_entropy(p, tensor({1.0f, 0.0f})); }));
}

TEST(CompatAten, RegressionLosses) {
  Tensor a = tensor({0.0f, 1.0f, 3.0f});
  Tensor b = tensor({0.5f, 1.0f, 0.0f});
  EXPECT_FLOAT_EQ(mse_loss(a, b).item<float>(), (0.25f + 9.0f) / 3);
  EXPECT_FLOAT_EQ(mse_loss(a, b, Reduction::Sum).item<float>(), 9.25f);
  EXPECT_FLOAT_EQ(l1_loss(a, b).item<float>(), 3.5f / 3);
  // smooth L1 with beta 1: 0.5 * 0.25 for |d| = 0.5, 3 - 0.5 for |d| = 3.
  EXPECT_FLOAT_EQ(smooth_l1_loss(a, b).item<float>(), (0.125f + 2.5f) / 3);
  EXPECT_FLOAT_EQ(smooth_l1_loss(a, b, Reduction::Sum, /*beta=*/2.0).item<float>(), 0.0625f + 2.0f);
  EXPECT_FLOAT_EQ(huber_loss(a, b, Reduction::Sum, /*delta=*/2.0).item<float>(), 0.125f + 4.0f);
  EXPECT_TRUE(l1_loss(a, b, Reduction::None).equal(tensor({0.5f, 0.0f, 3.0f})));
  EXPECT_EQ(error_of([&] { huber_loss(a, b, Reduction::Mean, 0.0); }),
            "huber_loss does not support non-positive values for delta.");
}

TEST(CompatAten, KlDivAndMarginLosses) {
  Tensor lp = log_softmax(tensor({{1.0, 2.0, 0.5}}), 1);
  Tensor q = softmax(tensor({{0.3, 0.1, 2.0}}), 1);
  EXPECT_TRUE(kl_div(lp, q).equal(F::kl_div(lp, q)));
  EXPECT_TRUE(kl_div(lp, q, Reduction::Sum).allclose((q * (q.log() - lp)).sum()));
  EXPECT_TRUE(kl_div(lp, q.log(), Reduction::Sum, /*log_target=*/true).allclose(kl_div(lp, q, Reduction::Sum)));
  Tensor x1 = tensor({1.0, 2.0}), x2 = tensor({2.0, 0.0}), y = tensor({1.0, -1.0});
  EXPECT_TRUE(margin_ranking_loss(x1, x2, y, 0.5)
                  .equal(F::margin_ranking_loss(x1, x2, y, F::MarginRankingLossFuncOptions().margin(0.5))));
  Tensor e1 = tensor({{1.0, 0.0}, {0.0, 1.0}}), e2 = tensor({{1.0, 1.0}, {1.0, 0.0}});
  EXPECT_TRUE(cosine_embedding_loss(e1, e2, y, 0.1, Reduction::Sum)
                  .equal(F::cosine_embedding_loss(e1, e2, y, F::CosineEmbeddingLossFuncOptions().margin(0.1).reduction(kSum))));
}

TEST(CompatAten, DropoutForms) {
  Tensor x = ones({2000});
  EXPECT_TRUE(dropout(x, 0.5, /*train=*/false).equal(x));
  manual_seed(3);
  Tensor a = dropout(x, 0.25, true);
  manual_seed(3);
  Tensor b = F::dropout(x, F::DropoutFuncOptions().p(0.25));
  EXPECT_TRUE(a.equal(b));
  double kept = a.ne(0).sum().item<double>() / 2000;
  EXPECT_NEAR(kept, 0.75, 0.05);
  EXPECT_TRUE(a.masked_select(a.ne(0)).allclose(full({1}, 1 / 0.75)));
  Tensor y = ones({100});
  manual_seed(3);
  Tensor& r = dropout_(y, 0.25, true);
  EXPECT_TRUE(r.is_same(y));
  EXPECT_TRUE(y.equal(a.slice(0, 0, 100)));
  EXPECT_EQ(error_of([&] { dropout(x, 1.5, true); }), error_of([&] { F::dropout(x, F::DropoutFuncOptions().p(1.5)); }));
  EXPECT_NE(error_of([&] { dropout(x, 1.5, true); }), "");
  // feature_dropout zeroes whole channels.
  manual_seed(4);
  Tensor fd = feature_dropout(ones({4, 8, 3, 3}), 0.5, true);
  Tensor per_channel = fd.sum({2, 3});
  EXPECT_TRUE((per_channel.eq(0) | per_channel.eq(18)).all().item<bool>());
  manual_seed(5);
  Tensor ad = alpha_dropout(ones({50}), 0.2, true);
  manual_seed(5);
  EXPECT_TRUE(ad.equal(F::alpha_dropout(ones({50}), F::AlphaDropoutFuncOptions().p(0.2).training(true))));
}

TEST(CompatAten, DistancesAndSoftmaxWithDtype) {
  Tensor a = tensor({{3.0f, 4.0f}}), b = tensor({{4.0f, 3.0f}});
  EXPECT_FLOAT_EQ(cosine_similarity(a, b).item<float>(), 24.0f / 25.0f);
  EXPECT_NEAR(pairwise_distance(a, b).item<float>(), std::sqrt(2.0f), 1e-5);
  EXPECT_EQ(pairwise_distance(a, b, 2, 1e-6, /*keepdim=*/true).sizes(), IntArrayRef({1, 1}));
  Tensor s = softmax(a, 1, kDouble);
  EXPECT_EQ(s.dtype(), kDouble);
  EXPECT_EQ(log_softmax(a, 1, kF64).dtype(), kF64);
  EXPECT_TRUE(s.allclose(softmax(a.to(kDouble), 1)));
}
