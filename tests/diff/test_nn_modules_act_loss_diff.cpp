// Activation, dropout, loss and distance modules against LibTorch's torch::nn modules built
// with the same options: forward values, then the input gradients (and PReLU's weight
// gradient) for the same upstream gradient; dropout masks after the same manual_seed.
#include <functional>

#include "diff_util.h"

using diff::same;
namespace enn = ember::nn;
namespace tnn = torch::nn;

namespace {

using E = std::vector<ember::Tensor>;
using T = std::vector<torch::Tensor>;

struct Case {
  std::string name;
  std::function<ember::Tensor(const E&)> e;
  std::function<torch::Tensor(const T&)> t;
  std::vector<std::vector<int64_t>> shapes;
  // Per input: 'n' normal*3 with grad, 'p' probability with grad, 'q' probability without
  // grad, 'g' normal without grad.
  std::string kinds;
};

void run(const Case& c) {
  SCOPED_TRACE(c.name);
  E ein;
  T tin;
  int seed = 21;
  for (size_t i = 0; i < c.shapes.size(); ++i) {
    char k = i < c.kinds.size() ? c.kinds[i] : 'n';
    torch::Tensor x = diff::random_tensor(c.shapes[i], torch::kFloat32, seed++);
    if (k == 'p' || k == 'q') x = torch::sigmoid(x);
    bool grad = k == 'n' || k == 'p';
    tin.push_back(x.clone().requires_grad_(grad));
    ein.push_back(diff::from_torch(x).requires_grad_(grad));
  }
  ember::Tensor eo = c.e(ein);
  torch::Tensor to = c.t(tin);
  ASSERT_TRUE(same(eo, to.detach())) << "forward";
  torch::Tensor g = diff::random_tensor(to.sizes().vec(), torch::kFloat32, 77);
  to.backward(g);
  eo.backward(diff::from_torch(g));
  for (size_t i = 0; i < ein.size(); ++i) {
    if (!tin[i].requires_grad()) continue;
    EXPECT_TRUE(same(ein[i].grad(), tin[i].grad(), 1e-4, 1e-5)) << "grad of input " << i;
  }
}

}  // namespace

TEST(DiffNnModulesActLoss, Activations) {
  enn::LeakyReLU e_leaky(enn::LeakyReLUOptions().negative_slope(0.2));
  tnn::LeakyReLU t_leaky(tnn::LeakyReLUOptions().negative_slope(0.2));
  enn::ELU e_elu(enn::ELUOptions().alpha(0.7));
  tnn::ELU t_elu(tnn::ELUOptions().alpha(0.7));
  enn::GELU e_gelu(enn::GELUOptions().approximate("tanh"));
  tnn::GELU t_gelu(tnn::GELUOptions().approximate("tanh"));
  enn::Softplus e_softplus(enn::SoftplusOptions().beta(2).threshold(4));
  tnn::Softplus t_softplus(tnn::SoftplusOptions().beta(2).threshold(4));
  enn::Hardtanh e_hardtanh(enn::HardtanhOptions().min_val(-2).max_val(1.5));
  tnn::Hardtanh t_hardtanh(tnn::HardtanhOptions().min_val(-2).max_val(1.5));
  enn::Softshrink e_shrink(0.8);
  tnn::Softshrink t_shrink(0.8);
  enn::Threshold e_threshold(0.5, -1.0);
  tnn::Threshold t_threshold(0.5, -1.0);
  enn::GLU e_glu(1);
  tnn::GLU t_glu(1);
  enn::Softmax e_softmax(1);
  tnn::Softmax t_softmax(1);
  enn::LogSoftmax e_log_softmax(-1);
  tnn::LogSoftmax t_log_softmax(-1);
  enn::Softmin e_softmin(0);
  tnn::Softmin t_softmin(0);
  enn::SELU e_selu;
  tnn::SELU t_selu;
  enn::Mish e_mish;
  tnn::Mish t_mish;
  std::vector<Case> cases = {
      {"LeakyReLU", [&](const E& v) { return e_leaky(v[0]); }, [&](const T& v) { return t_leaky(v[0]); }, {{4, 5}}},
      {"ELU", [&](const E& v) { return e_elu(v[0]); }, [&](const T& v) { return t_elu(v[0]); }, {{4, 5}}},
      {"GELU", [&](const E& v) { return e_gelu(v[0]); }, [&](const T& v) { return t_gelu(v[0]); }, {{4, 5}}},
      {"Softplus", [&](const E& v) { return e_softplus(v[0]); }, [&](const T& v) { return t_softplus(v[0]); },
       {{4, 5}}},
      {"Hardtanh", [&](const E& v) { return e_hardtanh(v[0]); }, [&](const T& v) { return t_hardtanh(v[0]); },
       {{4, 5}}},
      {"Softshrink", [&](const E& v) { return e_shrink(v[0]); }, [&](const T& v) { return t_shrink(v[0]); }, {{4, 5}}},
      {"Threshold", [&](const E& v) { return e_threshold(v[0]); }, [&](const T& v) { return t_threshold(v[0]); },
       {{4, 5}}},
      {"GLU", [&](const E& v) { return e_glu(v[0]); }, [&](const T& v) { return t_glu(v[0]); }, {{3, 6, 2}}},
      {"Softmax", [&](const E& v) { return e_softmax(v[0]); }, [&](const T& v) { return t_softmax(v[0]); },
       {{3, 4, 2}}},
      {"LogSoftmax", [&](const E& v) { return e_log_softmax(v[0]); },
       [&](const T& v) { return t_log_softmax(v[0]); }, {{3, 4}}},
      {"Softmin", [&](const E& v) { return e_softmin(v[0]); }, [&](const T& v) { return t_softmin(v[0]); }, {{3, 4}}},
      {"SELU", [&](const E& v) { return e_selu(v[0]); }, [&](const T& v) { return t_selu(v[0]); }, {{4, 5}}},
      {"Mish", [&](const E& v) { return e_mish(v[0]); }, [&](const T& v) { return t_mish(v[0]); }, {{4, 5}}},
  };
  for (const auto& c : cases) run(c);
}

TEST(DiffNnModulesActLoss, PReLUWeightAndGradients) {
  enn::PReLU e(enn::PReLUOptions().num_parameters(3).init(0.3));
  tnn::PReLU t(tnn::PReLUOptions().num_parameters(3).init(0.3));
  ASSERT_TRUE(same(e->weight, t->weight.detach()));
  EXPECT_EQ(e->named_parameters().keys(), (std::vector<std::string>{"weight"}));
  EXPECT_EQ(t->named_parameters().keys(), (std::vector<std::string>{"weight"}));
  run({"PReLU", [&](const E& v) { return e(v[0]); }, [&](const T& v) { return t(v[0]); }, {{2, 3, 4}}});
  EXPECT_TRUE(same(e->weight.grad(), t->weight.grad(), 1e-4, 1e-5)) << "weight grad";
}

TEST(DiffNnModulesActLoss, Losses) {
  torch::Tensor tw = torch::rand({3}) + 0.5;
  ember::Tensor ew = diff::from_torch(tw);
  enn::CrossEntropyLoss e_ce(enn::CrossEntropyLossOptions().weight(ew).label_smoothing(0.1));
  tnn::CrossEntropyLoss t_ce(tnn::CrossEntropyLossOptions().weight(tw).label_smoothing(0.1));
  EXPECT_EQ(e_ce->named_buffers().keys(), (std::vector<std::string>{"weight"}));
  EXPECT_EQ(t_ce->named_buffers().keys(), (std::vector<std::string>{"weight"}));
  torch::Tensor t_target = torch::tensor({0L, 2L, 1L, 2L, 0L});
  ember::Tensor e_target = diff::from_torch(t_target);
  enn::BCEWithLogitsLoss e_bce(enn::BCEWithLogitsLossOptions().pos_weight(ew).reduction(ember::kSum));
  tnn::BCEWithLogitsLoss t_bce(tnn::BCEWithLogitsLossOptions().pos_weight(tw).reduction(torch::kSum));
  enn::NLLLoss e_nll(enn::NLLLossOptions().weight(ew).ignore_index(1));
  tnn::NLLLoss t_nll(tnn::NLLLossOptions().weight(tw).ignore_index(1));
  enn::SmoothL1Loss e_sl1(enn::SmoothL1LossOptions().beta(0.5));
  tnn::SmoothL1Loss t_sl1(tnn::SmoothL1LossOptions().beta(0.5));
  enn::HuberLoss e_huber(enn::HuberLossOptions(ember::kNone).delta(2.0));
  tnn::HuberLoss t_huber(tnn::HuberLossOptions(torch::kNone).delta(2.0));
  enn::KLDivLoss e_kl(enn::KLDivLossOptions(ember::kBatchMean));
  tnn::KLDivLoss t_kl(tnn::KLDivLossOptions(torch::kBatchMean));
  enn::MarginRankingLoss e_mr(enn::MarginRankingLossOptions().margin(0.3));
  tnn::MarginRankingLoss t_mr(tnn::MarginRankingLossOptions().margin(0.3));
  enn::MSELoss e_mse;
  tnn::MSELoss t_mse;
  std::vector<Case> cases = {
      {"CrossEntropyLoss", [&](const E& v) { return e_ce(v[0], e_target); },
       [&](const T& v) { return t_ce(v[0], t_target); }, {{5, 3}}},
      {"BCEWithLogitsLoss", [&](const E& v) { return e_bce(v[0], v[1]); }, [&](const T& v) { return t_bce(v[0], v[1]); },
       {{5, 3}, {5, 3}}, "nq"},
      {"NLLLoss", [&](const E& v) { return e_nll(v[0], e_target); }, [&](const T& v) { return t_nll(v[0], t_target); },
       {{5, 3}}},
      {"SmoothL1Loss", [&](const E& v) { return e_sl1(v[0], v[1]); }, [&](const T& v) { return t_sl1(v[0], v[1]); },
       {{4, 5}, {4, 5}}},
      {"HuberLoss", [&](const E& v) { return e_huber(v[0], v[1]); }, [&](const T& v) { return t_huber(v[0], v[1]); },
       {{4, 5}, {4, 5}}},
      {"KLDivLoss", [&](const E& v) { return e_kl(v[0], v[1]); }, [&](const T& v) { return t_kl(v[0], v[1]); },
       {{4, 5}, {4, 5}}, "nq"},
      {"MarginRankingLoss", [&](const E& v) { return e_mr(v[0], v[1], v[2].sign()); },
       [&](const T& v) { return t_mr(v[0], v[1], v[2].sign()); }, {{6}, {6}, {6}}, "nng"},
      {"MSELoss", [&](const E& v) { return e_mse(v[0], v[1]); }, [&](const T& v) { return t_mse(v[0], v[1]); },
       {{4, 5}, {4, 5}}},
  };
  for (const auto& c : cases) run(c);
}

TEST(DiffNnModulesActLoss, Distances) {
  enn::CosineSimilarity e_cos(enn::CosineSimilarityOptions().dim(0));
  tnn::CosineSimilarity t_cos(tnn::CosineSimilarityOptions().dim(0));
  enn::PairwiseDistance e_pd(enn::PairwiseDistanceOptions().p(1.5).keepdim(true));
  tnn::PairwiseDistance t_pd(tnn::PairwiseDistanceOptions().p(1.5).keepdim(true));
  run({"CosineSimilarity", [&](const E& v) { return e_cos(v[0], v[1]); }, [&](const T& v) { return t_cos(v[0], v[1]); },
       {{4, 5}, {4, 5}}});
  run({"PairwiseDistance", [&](const E& v) { return e_pd(v[0], v[1]); }, [&](const T& v) { return t_pd(v[0], v[1]); },
       {{4, 5}, {4, 5}}});
}

TEST(DiffNnModulesActLoss, DropoutModulesMatchLibTorch) {
  torch::Tensor x = diff::random_tensor({8, 6, 5, 4}, torch::kFloat32, 3);
  enn::Dropout e_drop(0.3);
  tnn::Dropout t_drop(0.3);
  enn::Dropout2d e_drop2d(0.4);
  tnn::Dropout2d t_drop2d(0.4);
  enn::AlphaDropout e_alpha(0.2);
  tnn::AlphaDropout t_alpha(0.2);
  for (bool training : {true, false}) {
    SCOPED_TRACE(training);
    e_drop->train(training);
    t_drop->train(training);
    e_drop2d->train(training);
    t_drop2d->train(training);
    e_alpha->train(training);
    t_alpha->train(training);
    ember::manual_seed(17);
    torch::manual_seed(17);
    EXPECT_TRUE(same(e_drop(diff::from_torch(x)), t_drop(x), 1e-6, 0));
    EXPECT_TRUE(same(e_drop2d(diff::from_torch(x)), t_drop2d(x), 1e-6, 0));
    EXPECT_TRUE(same(e_alpha(diff::from_torch(x)), t_alpha(x), 1e-5, 1e-6));
  }
  // The mask also scales the gradient identically.
  e_drop->train();
  t_drop->train();
  ember::manual_seed(8);
  torch::manual_seed(8);
  torch::Tensor tx = x.clone().requires_grad_(true);
  ember::Tensor ex = diff::from_torch(x).requires_grad_(true);
  t_drop(tx).sum().backward();
  e_drop(ex).sum().backward();
  EXPECT_TRUE(same(ex.grad(), tx.grad()));
}
