// Default initialisations and nn::init functions, bit for bit against LibTorch after the
// same manual_seed (ember's generator reproduces PyTorch's CPU stream).
#include "diff_util.h"

namespace {

// Exact equality (same bits), not allclose.
::testing::AssertionResult identical(const ember::Tensor& e, const torch::Tensor& t) {
  auto r = diff::same(e, t, 0, 0);
  if (!r) return r;
  if (!torch::equal(diff::to_torch(e), t.contiguous())) return ::testing::AssertionFailure() << "bits differ";
  return ::testing::AssertionSuccess();
}

}  // namespace

TEST(NnInitDiff, LinearDefaultInitIsBitIdentical) {
  for (auto [in, out, seed] : std::vector<std::tuple<int, int, int>>{{3, 5, 0}, {784, 256, 1}, {1, 1, 7}}) {
    torch::manual_seed(seed);
    torch::nn::Linear t(in, out);
    ember::manual_seed(seed);
    ember::nn::Linear e(in, out);
    EXPECT_TRUE(identical(e->weight, t->weight.detach())) << in << "x" << out;
    EXPECT_TRUE(identical(e->bias, t->bias.detach())) << in << "x" << out;
    // The stream continues identically after construction.
    EXPECT_TRUE(identical(ember::rand({4}), torch::rand({4})));
  }
}

TEST(NnInitDiff, InitFunctionsAreBitIdentical) {
  using Fn = std::function<void(ember::Tensor&, torch::Tensor&)>;
  std::vector<std::pair<const char*, Fn>> cases = {
      {"uniform_", [](auto& e, auto& t) { ember::nn::init::uniform_(e, -0.3, 0.7); torch::nn::init::uniform_(t, -0.3, 0.7); }},
      {"normal_", [](auto& e, auto& t) { ember::nn::init::normal_(e, 0.5, 2); torch::nn::init::normal_(t, 0.5, 2); }},
      {"xavier_uniform_", [](auto& e, auto& t) { ember::nn::init::xavier_uniform_(e, 1.5); torch::nn::init::xavier_uniform_(t, 1.5); }},
      {"xavier_normal_", [](auto& e, auto& t) { ember::nn::init::xavier_normal_(e); torch::nn::init::xavier_normal_(t); }},
      {"kaiming_uniform_", [](auto& e, auto& t) {
         ember::nn::init::kaiming_uniform_(e, 0, ember::kFanOut, ember::kReLU);
         torch::nn::init::kaiming_uniform_(t, 0, torch::kFanOut, torch::kReLU);
       }},
      {"kaiming_normal_", [](auto& e, auto& t) {
         ember::nn::init::kaiming_normal_(e, 0.2);
         torch::nn::init::kaiming_normal_(t, 0.2);
       }},
      {"constant_", [](auto& e, auto& t) { ember::nn::init::constant_(e, 0.25); torch::nn::init::constant_(t, 0.25); }},
      {"eye_", [](auto& e, auto& t) {
         e = e.view({6, -1}); t = t.view({6, -1});
         ember::nn::init::eye_(e); torch::nn::init::eye_(t);
       }},
      {"dirac_", [](auto& e, auto& t) { ember::nn::init::dirac_(e); torch::nn::init::dirac_(t); }},
  };
  for (auto& [name, fn] : cases) {
    torch::manual_seed(11);
    ember::manual_seed(11);
    torch::Tensor t = torch::empty({6, 4, 3, 3});
    ember::Tensor e = ember::empty({6, 4, 3, 3});
    fn(e, t);
    EXPECT_TRUE(identical(e, t)) << name;
  }
  // orthogonal_ goes through a QR decomposition: the same matrix up to rounding.
  for (auto shape : {std::vector<int64_t>{8, 3}, std::vector<int64_t>{3, 8}, std::vector<int64_t>{4, 2, 3}}) {
    torch::manual_seed(5);
    ember::manual_seed(5);
    torch::Tensor t = torch::empty(shape);
    ember::Tensor e = ember::empty(shape);
    torch::nn::init::orthogonal_(t, 0.5);
    ember::nn::init::orthogonal_(e, 0.5);
    EXPECT_TRUE(diff::same(e, t, 1e-5, 1e-6));
  }
}

TEST(NnInitDiff, LinearForwardAndGradients) {
  torch::manual_seed(3);
  torch::nn::Linear t(5, 4);
  ember::manual_seed(3);
  ember::nn::Linear e(5, 4);
  for (auto shape : {std::vector<int64_t>{7, 5}, std::vector<int64_t>{2, 3, 5}, std::vector<int64_t>{5}}) {
    torch::Tensor xt = diff::random_tensor(shape, torch::kFloat32).requires_grad_();
    ember::Tensor xe = diff::from_torch(xt.detach()).requires_grad_();
    torch::Tensor yt = t(xt);
    ember::Tensor ye = e(xe);
    EXPECT_TRUE(diff::same(ye, yt.detach()));
    EXPECT_EQ(ye.grad_fn()->name(), yt.grad_fn()->name());
    (yt * yt).sum().backward();
    (ye * ye).sum().backward();
    EXPECT_TRUE(diff::same(xe.grad(), xt.grad(), 1e-4, 1e-5));
    EXPECT_TRUE(diff::same(e->weight.grad(), t->weight.grad(), 1e-4, 1e-5));
    EXPECT_TRUE(diff::same(e->bias.grad(), t->bias.grad(), 1e-4, 1e-5));
    t->zero_grad();
    e->zero_grad();
  }
}
