// Conv/pool/norm/embedding modules against LibTorch's: default initialisation bit for bit
// after the same seed, forward values, input and parameter gradients, running statistics,
// and a whole W4-style CNN trained a few steps with Adam.
#include "diff_util.h"

namespace {

::testing::AssertionResult bits(const ember::Tensor& e, const torch::Tensor& t) {
  auto r = diff::same(e, t, 0, 0);
  if (!r) return r;
  if (!torch::equal(diff::to_torch(e), t.contiguous())) return ::testing::AssertionFailure() << "bits differ";
  return ::testing::AssertionSuccess();
}

}  // namespace

TEST(NnLayersDiff, DefaultInitIsBitIdentical) {
  torch::manual_seed(4);
  torch::nn::Conv2d tc(torch::nn::Conv2dOptions(3, 6, 5));
  torch::nn::Conv1d tc1(torch::nn::Conv1dOptions(4, 2, 3).groups(2));
  torch::nn::ConvTranspose2d tt(torch::nn::ConvTranspose2dOptions(4, 6, 3).groups(2));
  torch::nn::Embedding te(7, 3);
  ember::manual_seed(4);
  ember::nn::Conv2d ec(3, 6, 5);
  ember::nn::Conv1d ec1(ember::nn::Conv1dOptions(4, 2, 3).groups(2));
  ember::nn::ConvTranspose2d et(ember::nn::ConvTranspose2dOptions(4, 6, 3).groups(2));
  ember::nn::Embedding ee(7, 3);
  EXPECT_TRUE(bits(ec->weight, tc->weight.detach()));
  EXPECT_TRUE(bits(ec->bias, tc->bias.detach()));
  EXPECT_TRUE(bits(ec1->weight, tc1->weight.detach()));
  EXPECT_TRUE(bits(et->weight, tt->weight.detach()));
  EXPECT_TRUE(bits(et->bias, tt->bias.detach()));
  EXPECT_TRUE(bits(ee->weight, te->weight.detach()));
}

TEST(NnLayersDiff, ConvForwardAndGradients) {
  torch::manual_seed(1);
  torch::nn::Conv2d t(torch::nn::Conv2dOptions(3, 4, 3).stride(2).padding(1).padding_mode(torch::kReflect));
  ember::manual_seed(1);
  ember::nn::Conv2d e(ember::nn::Conv2dOptions(3, 4, 3).stride(2).padding(1).padding_mode(ember::kReflect));
  torch::Tensor xt = diff::random_tensor({2, 3, 9, 8}, torch::kFloat32).requires_grad_();
  ember::Tensor xe = diff::from_torch(xt.detach()).requires_grad_();
  torch::Tensor yt = t(xt);
  ember::Tensor ye = e(xe);
  EXPECT_TRUE(diff::same(ye, yt.detach(), 1e-4, 1e-5));
  (yt * yt).sum().backward();
  (ye * ye).sum().backward();
  EXPECT_TRUE(diff::same(xe.grad(), xt.grad(), 1e-4, 1e-4));
  EXPECT_TRUE(diff::same(e->weight.grad(), t->weight.grad(), 1e-4, 1e-3));
  EXPECT_TRUE(diff::same(e->bias.grad(), t->bias.grad(), 1e-4, 1e-3));
}

TEST(NnLayersDiff, BatchNormTrainingAndEval) {
  torch::nn::BatchNorm2d t(3);
  ember::nn::BatchNorm2d e(3);
  for (int step = 0; step < 3; ++step) {
    torch::Tensor xt = diff::random_tensor({4, 3, 5, 5}, torch::kFloat32, step).requires_grad_();
    ember::Tensor xe = diff::from_torch(xt.detach()).requires_grad_();
    torch::Tensor yt = t(xt);
    ember::Tensor ye = e(xe);
    EXPECT_TRUE(diff::same(ye, yt.detach(), 1e-4, 1e-5));
    (yt * torch::arange(5, torch::kFloat32)).sum().backward();
    (ye * ember::arange(5, ember::kFloat32)).sum().backward();
    EXPECT_TRUE(diff::same(xe.grad(), xt.grad(), 1e-3, 1e-4));
    EXPECT_TRUE(diff::same(e->weight.grad(), t->weight.grad(), 1e-3, 1e-3));
  }
  EXPECT_TRUE(diff::same(e->running_mean, t->running_mean, 1e-5, 1e-6));
  EXPECT_TRUE(diff::same(e->running_var, t->running_var, 1e-5, 1e-6));
  EXPECT_TRUE(diff::same(e->num_batches_tracked, t->num_batches_tracked));
  t->eval();
  e->eval();
  torch::Tensor xt = diff::random_tensor({2, 3, 4, 4}, torch::kFloat32, 9);
  EXPECT_TRUE(diff::same(e(diff::from_torch(xt)), t(xt).detach(), 1e-4, 1e-5));
}

TEST(NnLayersDiff, W4CnnTrainsLikeLibTorch) {
  torch::manual_seed(0);
  namespace tn = torch::nn;
  tn::Sequential tm(tn::Conv2d(tn::Conv2dOptions(1, 8, 3)), tn::ReLU(), tn::MaxPool2d(tn::MaxPool2dOptions(2)),
                    tn::Conv2d(tn::Conv2dOptions(8, 16, 3)), tn::ReLU(), tn::MaxPool2d(tn::MaxPool2dOptions(2)),
                    tn::Flatten(), tn::Linear(16 * 5 * 5, 32), tn::ReLU(), tn::Linear(32, 10));
  ember::manual_seed(0);
  namespace en = ember::nn;
  auto relu = [](ember::Tensor x) { return ember::relu(x); };
  en::Sequential em(en::Conv2d(1, 8, 3), en::Functional(relu), en::MaxPool2d(2), en::Conv2d(8, 16, 3),
                    en::Functional(relu), en::MaxPool2d(2), en::Flatten(), en::Linear(16 * 5 * 5, 32),
                    en::Functional(relu), en::Linear(32, 10));
  auto tp = tm->parameters();
  auto ep = em->parameters();
  ASSERT_EQ(tp.size(), ep.size());
  for (size_t i = 0; i < tp.size(); ++i) EXPECT_TRUE(bits(ep[i], tp[i].detach())) << i;
  torch::optim::Adam topt(tp, torch::optim::AdamOptions(1e-3));
  ember::optim::Adam eopt(ep, ember::optim::AdamOptions(1e-3));
  torch::Tensor xt = diff::random_tensor({16, 1, 28, 28}, torch::kFloat32, 3);
  torch::Tensor yt = torch::randint(0, 10, {16}, torch::kLong);
  ember::Tensor xe = diff::from_torch(xt), ye = diff::from_torch(yt);
  for (int step = 0; step < 5; ++step) {
    topt.zero_grad();
    eopt.zero_grad();
    torch::Tensor lt = tn::functional::cross_entropy(tm->forward(xt), yt);
    ember::Tensor le = en::functional::cross_entropy(em->forward(xe), ye);
    EXPECT_NEAR(le.item<double>(), lt.item<double>(), 1e-4 * std::max(1.0, lt.item<double>())) << step;
    lt.backward();
    le.backward();
    topt.step();
    eopt.step();
  }
  for (size_t i = 0; i < tp.size(); ++i) EXPECT_TRUE(diff::same(ep[i], tp[i].detach(), 1e-3, 1e-4)) << i;
}
