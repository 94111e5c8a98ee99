// nn::functional against LibTorch's torch::nn::functional: the same random float32 inputs
// in both libraries, forward values and dtypes, then backward with the same upstream
// gradient and the input gradients; node names where both are single dedicated ops.
#include <ember/nn/functional.h>

#include "diff_util.h"

using diff::same;
namespace F = ember::nn::functional;
namespace TF = torch::nn::functional;

namespace {

using E = std::vector<ember::Tensor>;
using T = std::vector<torch::Tensor>;

struct Case {
  std::string name;
  std::function<ember::Tensor(const E&)> e;
  std::function<torch::Tensor(const T&)> t;
  std::vector<std::vector<int64_t>> shapes;
  // How each input is made: 'n' normal*3, 'p' probability in (0, 1), 'g' normal but no grad,
  // 'q' probability without grad, 'b' large logits (+-1000) with grad.
  std::string kinds;
  const char* node = nullptr;  // expected node name (ember and torch), if checked
  double rtol = 1e-5, atol = 1e-5;
};

void run(const Case& c) {
  SCOPED_TRACE(c.name);
  E ein;
  T tin;
  int seed = 11;
  for (size_t i = 0; i < c.shapes.size(); ++i) {
    char k = i < c.kinds.size() ? c.kinds[i] : 'n';
    torch::Tensor x = diff::random_tensor(c.shapes[i], torch::kFloat32, seed++);
    if (k == 'p' || k == 'q') x = torch::sigmoid(x);
    if (k == 'b') x = x.sign() * 1000 + x;
    bool grad = k == 'n' || k == 'p' || k == 'b';
    tin.push_back(x.clone().requires_grad_(grad));
    ein.push_back(diff::from_torch(x).requires_grad_(grad));
  }
  ember::Tensor eo = c.e(ein);
  torch::Tensor to = c.t(tin);
  ASSERT_TRUE(same(eo, to.detach(), c.rtol, c.atol)) << c.name << " forward";
  if (!to.requires_grad()) return;
  torch::Tensor g = diff::random_tensor(to.sizes().vec(), torch::kFloat32, 99);
  to.backward(g);
  eo.backward(diff::from_torch(g));
  for (size_t i = 0; i < ein.size(); ++i) {
    if (!tin[i].requires_grad()) continue;
    ASSERT_TRUE(tin[i].grad().defined()) << c.name << " torch grad " << i;
    EXPECT_TRUE(same(ein[i].grad(), tin[i].grad(), c.rtol * 10, c.atol * 10)) << c.name << " grad of input " << i;
  }
  if (c.node) {
    EXPECT_EQ(to.grad_fn()->name(), c.node) << c.name;
    EXPECT_EQ(eo.grad_fn()->name(), c.node) << c.name;
  }
}

torch::Tensor ti(std::vector<int64_t> v) { return torch::tensor(v, torch::kLong); }
ember::Tensor ei(std::vector<int64_t> v) { return ember::tensor(v); }

// Sets the same reduction (0 none, 1 mean, 2 sum) on a LibTorch options struct.
template <class O>
O tred(O o, int r) {
  if (r == 0) o.reduction(torch::kNone);
  else if (r == 1) o.reduction(torch::kMean);
  else o.reduction(torch::kSum);
  return o;
}
const ember::Reduction kEmberReductions[] = {ember::kNone, ember::kMean, ember::kSum};

}  // namespace

TEST(DiffFunctional, Activations) {
  std::vector<Case> cases = {
      {"relu", [](const E& v) { return F::relu(v[0]); }, [](const T& v) { return TF::relu(v[0]); }, {{4, 5}}, "n",
       "ReluBackward0"},
      {"relu6", [](const E& v) { return F::relu6(v[0]); }, [](const T& v) { return TF::relu6(v[0]); }, {{4, 5}}, "n",
       "HardtanhBackward0"},
      {"leaky_relu", [](const E& v) { return F::leaky_relu(v[0]); }, [](const T& v) { return TF::leaky_relu(v[0]); },
       {{4, 5}}, "n", "LeakyReluBackward0"},
      {"leaky_relu_0.2", [](const E& v) { return F::leaky_relu(v[0], F::LeakyReLUFuncOptions().negative_slope(0.2)); },
       [](const T& v) { return TF::leaky_relu(v[0], TF::LeakyReLUFuncOptions().negative_slope(0.2)); }, {{3, 7}}},
      {"elu", [](const E& v) { return F::elu(v[0]); }, [](const T& v) { return TF::elu(v[0]); }, {{4, 5}}, "n",
       "EluBackward0"},
      {"elu_alpha", [](const E& v) { return F::elu(v[0], F::ELUFuncOptions().alpha(0.5)); },
       [](const T& v) { return TF::elu(v[0], TF::ELUFuncOptions().alpha(0.5)); }, {{1000}}},
      {"selu", [](const E& v) { return F::selu(v[0]); }, [](const T& v) { return TF::selu(v[0]); }, {{4, 5}}, "n",
       "EluBackward0"},
      {"celu", [](const E& v) { return F::celu(v[0], F::CELUFuncOptions().alpha(2.0)); },
       [](const T& v) { return TF::celu(v[0], TF::CELUFuncOptions().alpha(2.0)); }, {{4, 5}}, "n", "CeluBackward0"},
      {"gelu", [](const E& v) { return F::gelu(v[0]); }, [](const T& v) { return TF::gelu(v[0]); }, {{4, 5}}, "n",
       "GeluBackward0"},
      {"gelu_tanh", [](const E& v) { return F::gelu(v[0], F::GELUFuncOptions().approximate("tanh")); },
       [](const T& v) { return TF::gelu(v[0], TF::GELUFuncOptions().approximate("tanh")); }, {{4, 5}}},
      {"silu", [](const E& v) { return F::silu(v[0]); }, [](const T& v) { return TF::silu(v[0]); }, {{1037}}, "n",
       "SiluBackward0"},
      {"mish", [](const E& v) { return F::mish(v[0]); }, [](const T& v) { return TF::mish(v[0]); }, {{1037}}, "n",
       "MishBackward0"},
      {"softplus", [](const E& v) { return F::softplus(v[0]); }, [](const T& v) { return TF::softplus(v[0]); },
       {{4, 5}}, "n", "SoftplusBackward0"},
      {"softplus_beta", [](const E& v) { return F::softplus(v[0], F::SoftplusFuncOptions().beta(2).threshold(3)); },
       [](const T& v) { return TF::softplus(v[0], TF::SoftplusFuncOptions().beta(2).threshold(3)); }, {{600}}},
      {"tanh", [](const E& v) { return F::tanh(v[0]); }, [](const T& v) { return torch::tanh(v[0]); }, {{4, 5}}},
      {"sigmoid", [](const E& v) { return F::sigmoid(v[0]); }, [](const T& v) { return torch::sigmoid(v[0]); }, {{4, 5}}},
      {"hardtanh", [](const E& v) { return F::hardtanh(v[0], F::HardtanhFuncOptions().min_val(-2).max_val(3)); },
       [](const T& v) { return TF::hardtanh(v[0], TF::HardtanhFuncOptions().min_val(-2).max_val(3)); }, {{4, 5}}, "n",
       "HardtanhBackward0"},
      {"hardsigmoid", [](const E& v) { return F::hardsigmoid(v[0]); }, [](const T& v) { return torch::hardsigmoid(v[0]); },
       {{40}}, "n", "HardsigmoidBackward0"},
      {"hardswish", [](const E& v) { return F::hardswish(v[0]); }, [](const T& v) { return torch::hardswish(v[0]); },
       {{40}}, "n", "HardswishBackward0"},
      {"softsign", [](const E& v) { return F::softsign(v[0]); }, [](const T& v) { return TF::softsign(v[0]); }, {{4, 5}}},
      {"logsigmoid", [](const E& v) { return F::logsigmoid(v[0]); }, [](const T& v) { return TF::logsigmoid(v[0]); },
       {{1030}}, "n", "LogSigmoidBackward0"},
      {"logsigmoid_large", [](const E& v) { return F::logsigmoid(v[0]); }, [](const T& v) { return TF::logsigmoid(v[0]); },
       {{30}}, "b"},
      {"tanhshrink", [](const E& v) { return F::tanhshrink(v[0]); }, [](const T& v) { return TF::tanhshrink(v[0]); }, {{9}}},
      {"hardshrink", [](const E& v) { return F::hardshrink(v[0], 1.0); }, [](const T& v) { return TF::hardshrink(v[0], 1.0); }, {{9}}},
      {"softshrink", [](const E& v) { return F::softshrink(v[0], 1.0); }, [](const T& v) { return TF::softshrink(v[0], 1.0); }, {{9}}},
      {"threshold", [](const E& v) { return F::threshold(v[0], F::ThresholdFuncOptions(0.5, -2)); },
       [](const T& v) { return TF::threshold(v[0], TF::ThresholdFuncOptions(0.5, -2)); }, {{9}}},
      {"glu", [](const E& v) { return F::glu(v[0], 1); }, [](const T& v) { return TF::glu(v[0], 1); }, {{3, 6}}},
      {"prelu_one", [](const E& v) { return F::prelu(v[0], v[1]); }, [](const T& v) { return TF::prelu(v[0], v[1]); },
       {{2, 3, 4}, {1}}, "nn", "PreluBackward0"},
      {"prelu_channels", [](const E& v) { return F::prelu(v[0], v[1]); }, [](const T& v) { return TF::prelu(v[0], v[1]); },
       {{2, 3, 4, 5}, {3}}, "nn", "PreluBackward0"},
      {"softmax", [](const E& v) { return F::softmax(v[0], 1); }, [](const T& v) { return TF::softmax(v[0], 1); }, {{3, 5}}},
      {"softmin", [](const E& v) { return F::softmin(v[0], 0); }, [](const T& v) { return TF::softmin(v[0], 0); }, {{3, 5}}},
      {"log_softmax", [](const E& v) { return F::log_softmax(v[0], F::LogSoftmaxFuncOptions(1).dtype(ember::kFloat64)); },
       [](const T& v) { return TF::log_softmax(v[0], TF::LogSoftmaxFuncOptions(1).dtype(torch::kFloat64)); }, {{3, 5}}},
      {"strided_leaky", [](const E& v) { return F::leaky_relu(v[0].t()); }, [](const T& v) { return TF::leaky_relu(v[0].t()); },
       {{5, 7}}},
      {"strided_silu", [](const E& v) { return F::silu(v[0].t()); }, [](const T& v) { return TF::silu(v[0].t()); }, {{5, 7}}},
  };
  for (const auto& c : cases) run(c);
}

TEST(DiffFunctional, InplaceActivations) {
  torch::Tensor x = diff::random_tensor({4, 6}, torch::kFloat32, 3);
  std::vector<std::pair<std::function<void(ember::Tensor)>, std::function<void(torch::Tensor)>>> ops = {
      {[](ember::Tensor t) { F::relu(t, true); }, [](torch::Tensor t) { TF::relu(t, true); }},
      {[](ember::Tensor t) { F::leaky_relu(t, F::LeakyReLUFuncOptions().inplace(true)); },
       [](torch::Tensor t) { TF::leaky_relu(t, TF::LeakyReLUFuncOptions().inplace(true)); }},
      {[](ember::Tensor t) { F::elu(t, F::ELUFuncOptions().inplace(true)); },
       [](torch::Tensor t) { TF::elu(t, TF::ELUFuncOptions().inplace(true)); }},
      {[](ember::Tensor t) { F::hardtanh(t, F::HardtanhFuncOptions().inplace(true)); },
       [](torch::Tensor t) { TF::hardtanh(t, TF::HardtanhFuncOptions().inplace(true)); }},
      {[](ember::Tensor t) { F::relu6(t, true); }, [](torch::Tensor t) { TF::relu6(t, true); }},
      {[](ember::Tensor t) { F::selu(t, true); }, [](torch::Tensor t) { TF::selu(t, true); }},
      {[](ember::Tensor t) { F::hardswish(t, true); }, [](torch::Tensor t) { torch::hardswish_(t); }},
  };
  for (auto& [eop, top] : ops) {
    // Without grad: modifies the input itself.
    ember::Tensor e = diff::from_torch(x);
    torch::Tensor t = x.clone();
    eop(e);
    top(t);
    EXPECT_TRUE(same(e, t));
    // With grad, on a non-leaf: the gradient flows through the in-place op.
    torch::Tensor tl = x.clone().requires_grad_(true);
    ember::Tensor el = diff::from_torch(x).requires_grad_(true);
    torch::Tensor ty = tl * 1.5;
    ember::Tensor ey = el * 1.5;
    top(ty);
    eop(ey);
    EXPECT_TRUE(same(ey, ty.detach()));
    ty.sum().backward();
    ey.sum().backward();
    EXPECT_TRUE(same(el.grad(), tl.grad()));
  }
}

TEST(DiffFunctional, RegressionLosses) {
  std::vector<Case> cases;
  for (int tr = 0; tr < 3; ++tr) {
    const ember::Reduction er = kEmberReductions[tr];
    std::string sfx = "_" + ember::reduction_name(er);
    cases.push_back({"mse" + sfx, [er](const E& v) { return F::mse_loss(v[0], v[1], er); },
                     [tr](const T& v) { return TF::mse_loss(v[0], v[1], tred(TF::MSELossFuncOptions(), tr)); }, {{4, 5}, {4, 5}}, "nn",
                     "MseLossBackward0"});
    cases.push_back({"l1" + sfx, [er](const E& v) { return F::l1_loss(v[0], v[1], er); },
                     [tr](const T& v) { return TF::l1_loss(v[0], v[1], tred(TF::L1LossFuncOptions(), tr)); }, {{4, 5}, {4, 5}}, "nn"});
    cases.push_back({"smooth_l1" + sfx, [er](const E& v) { return F::smooth_l1_loss(v[0], v[1], F::SmoothL1LossFuncOptions(er).beta(2.0)); },
                     [tr](const T& v) { return TF::smooth_l1_loss(v[0], v[1], tred(TF::SmoothL1LossFuncOptions(), tr), 2.0); },
                     {{4, 5}, {4, 5}}, "nn", "SmoothL1LossBackward0"});
    cases.push_back({"huber" + sfx, [er](const E& v) { return F::huber_loss(v[0], v[1], F::HuberLossFuncOptions(er).delta(1.5)); },
                     [tr](const T& v) { return TF::huber_loss(v[0], v[1], tred(TF::HuberLossFuncOptions(), tr).delta(1.5)); },
                     {{4, 5}, {4, 5}}, "nn", "HuberLossBackward0"});
    cases.push_back({"bce" + sfx, [er](const E& v) { return F::binary_cross_entropy(v[0], v[1], F::BinaryCrossEntropyFuncOptions().reduction(er)); },
                     [tr](const T& v) { return TF::binary_cross_entropy(v[0], v[1], tred(TF::BinaryCrossEntropyFuncOptions(), tr)); },
                     {{4, 5}, {4, 5}}, "pp", "BinaryCrossEntropyBackward0"});
    cases.push_back({"bce_weight" + sfx, [er](const E& v) { return F::binary_cross_entropy(v[0], v[1], F::BinaryCrossEntropyFuncOptions().weight(v[2]).reduction(er)); },
                     [tr](const T& v) { return TF::binary_cross_entropy(v[0], v[1], tred(TF::BinaryCrossEntropyFuncOptions().weight(v[2]), tr)); },
                     {{4, 5}, {4, 5}, {5}}, "pqq"});
    cases.push_back({"bce_logits" + sfx, [er](const E& v) { return F::binary_cross_entropy_with_logits(v[0], v[1], F::BinaryCrossEntropyWithLogitsFuncOptions().reduction(er)); },
                     [tr](const T& v) { return TF::binary_cross_entropy_with_logits(v[0], v[1], tred(TF::BinaryCrossEntropyWithLogitsFuncOptions(), tr)); },
                     {{4, 5}, {4, 5}}, "np", "BinaryCrossEntropyWithLogitsBackward0"});
    cases.push_back({"bce_logits_weights" + sfx,
                     [er](const E& v) { return F::binary_cross_entropy_with_logits(v[0], v[1], F::BinaryCrossEntropyWithLogitsFuncOptions().weight(v[2]).pos_weight(v[3]).reduction(er)); },
                     [tr](const T& v) { return TF::binary_cross_entropy_with_logits(v[0], v[1], tred(TF::BinaryCrossEntropyWithLogitsFuncOptions().weight(v[2]).pos_weight(v[3]), tr)); },
                     {{4, 5}, {4, 5}, {4, 1}, {5}}, "npqq"});
    cases.push_back({"bce_logits_large" + sfx,
                     [er](const E& v) { return F::binary_cross_entropy_with_logits(v[0], v[1], F::BinaryCrossEntropyWithLogitsFuncOptions().pos_weight(v[2]).reduction(er)); },
                     [tr](const T& v) { return TF::binary_cross_entropy_with_logits(v[0], v[1], tred(TF::BinaryCrossEntropyWithLogitsFuncOptions().pos_weight(v[2]), tr)); },
                     {{4, 5}, {4, 5}, {5}}, "bpq"});
    cases.push_back({"kl_div" + sfx, [er](const E& v) { return F::kl_div(v[0].log_softmax(1), v[1], F::KLDivFuncOptions(er)); },
                     [tr](const T& v) { return TF::kl_div(v[0].log_softmax(1), v[1], tred(TF::KLDivFuncOptions(), tr)); },
                     {{4, 5}, {4, 5}}, "nq"});
    cases.push_back({"kl_div_log_target" + sfx, [er](const E& v) { return F::kl_div(v[0].log_softmax(1), v[1], F::KLDivFuncOptions(er).log_target(true)); },
                     [tr](const T& v) { return TF::kl_div(v[0].log_softmax(1), v[1], tred(TF::KLDivFuncOptions(), tr).log_target(true)); },
                     {{4, 5}, {4, 5}}, "nn"});
    cases.push_back({"margin_ranking" + sfx,
                     [er](const E& v) { return F::margin_ranking_loss(v[0], v[1], v[2].sign(), F::MarginRankingLossFuncOptions().margin(0.5).reduction(er)); },
                     [tr](const T& v) { return TF::margin_ranking_loss(v[0], v[1], v[2].sign(), tred(TF::MarginRankingLossFuncOptions().margin(0.5), tr)); },
                     {{6}, {6}, {6}}, "nng"});
    cases.push_back({"cosine_embedding" + sfx,
                     [er](const E& v) { return F::cosine_embedding_loss(v[0], v[1], v[2].sign(), F::CosineEmbeddingLossFuncOptions().margin(0.1).reduction(er)); },
                     [tr](const T& v) { return TF::cosine_embedding_loss(v[0], v[1], v[2].sign(), tred(TF::CosineEmbeddingLossFuncOptions().margin(0.1), tr)); },
                     {{6, 4}, {6, 4}, {6}}, "nng"});
  }
  cases.push_back({"kl_div_batchmean", [](const E& v) { return F::kl_div(v[0].log_softmax(1), v[1], F::KLDivFuncOptions(ember::kBatchMean)); },
                   [](const T& v) { return TF::kl_div(v[0].log_softmax(1), v[1], TF::KLDivFuncOptions(torch::kBatchMean)); },
                   {{4, 5}, {4, 5}}, "nq"});
  cases.push_back({"mse_broadcast", [](const E& v) { return F::mse_loss(v[0], v[1]); },
                   [](const T& v) { return TF::mse_loss(v[0], v[1]); }, {{4, 5}, {4, 1}}, "nn"});
  cases.push_back({"smooth_l1_beta_arg", [](const E& v) { return F::smooth_l1_loss(v[0], v[1], {}, 0.5); },
                   [](const T& v) { return TF::smooth_l1_loss(v[0], v[1], {}, 0.5); }, {{4, 5}, {4, 5}}, "nn"});
  cases.push_back({"smooth_l1_beta0", [](const E& v) { return F::smooth_l1_loss(v[0], v[1], F::SmoothL1LossFuncOptions().beta(0)); },
                   [](const T& v) { return TF::smooth_l1_loss(v[0], v[1], TF::SmoothL1LossFuncOptions(), 0.0); }, {{4, 5}, {4, 5}}, "nn"});
  for (const auto& c : cases) run(c);
}

TEST(DiffFunctional, ClassificationLosses) {
  torch::Tensor t1 = ti({0, 4, 2, 1, 4, 3});
  ember::Tensor e1 = ei({0, 4, 2, 1, 4, 3});
  torch::Tensor tign = ti({0, -100, 2, 1, 4, -100});
  ember::Tensor eign = ei({0, -100, 2, 1, 4, -100});
  torch::Tensor tsp = torch::tensor({0, 2, 1, 1, 2, 0, 2, 2}, torch::kLong).reshape({2, 2, 2});
  ember::Tensor esp = ember::tensor({0, 2, 1, 1, 2, 0, 2, 2}).reshape({2, 2, 2});
  std::vector<Case> cases;
  for (int tr = 0; tr < 3; ++tr) {
    const ember::Reduction er = kEmberReductions[tr];
    std::string sfx = "_" + ember::reduction_name(er);
    cases.push_back({"ce" + sfx, [=](const E& v) { return F::cross_entropy(v[0], e1, F::CrossEntropyFuncOptions().reduction(er)); },
                     [=](const T& v) { return TF::cross_entropy(v[0], t1, tred(TF::CrossEntropyFuncOptions(), tr)); },
                     {{6, 5}}, "n", "NllLossBackward0"});
    cases.push_back({"ce_weight_ignore" + sfx,
                     [=](const E& v) { return F::cross_entropy(v[0], eign, F::CrossEntropyFuncOptions().weight(v[1]).reduction(er)); },
                     [=](const T& v) { return TF::cross_entropy(v[0], tign, tred(TF::CrossEntropyFuncOptions().weight(v[1]), tr)); },
                     {{6, 5}, {5}}, "nq"});
    cases.push_back({"ce_ignore_index" + sfx,
                     [=](const E& v) { return F::cross_entropy(v[0], e1, F::CrossEntropyFuncOptions().ignore_index(4).reduction(er)); },
                     [=](const T& v) { return TF::cross_entropy(v[0], t1, tred(TF::CrossEntropyFuncOptions().ignore_index(4), tr)); },
                     {{6, 5}}, "n"});
    cases.push_back({"ce_smoothing" + sfx,
                     [=](const E& v) { return F::cross_entropy(v[0], eign, F::CrossEntropyFuncOptions().label_smoothing(0.2).reduction(er)); },
                     [=](const T& v) { return TF::cross_entropy(v[0], tign, tred(TF::CrossEntropyFuncOptions().label_smoothing(0.2), tr)); },
                     {{6, 5}}, "n"});
    cases.push_back({"ce_smoothing_weight" + sfx,
                     [=](const E& v) { return F::cross_entropy(v[0], eign, F::CrossEntropyFuncOptions().weight(v[1]).label_smoothing(0.3).reduction(er)); },
                     [=](const T& v) { return TF::cross_entropy(v[0], tign, tred(TF::CrossEntropyFuncOptions().weight(v[1]).label_smoothing(0.3), tr)); },
                     {{6, 5}, {5}}, "nq"});
    cases.push_back({"ce_spatial" + sfx,
                     [=](const E& v) { return F::cross_entropy(v[0], esp, F::CrossEntropyFuncOptions().weight(v[1]).reduction(er)); },
                     [=](const T& v) { return TF::cross_entropy(v[0], tsp, tred(TF::CrossEntropyFuncOptions().weight(v[1]), tr)); },
                     {{2, 3, 2, 2}, {3}}, "nq"});
    cases.push_back({"ce_spatial_3d" + sfx,
                     [=](const E& v) { return F::cross_entropy(v[0], esp.reshape({2, 4}), F::CrossEntropyFuncOptions().reduction(er)); },
                     [=](const T& v) { return TF::cross_entropy(v[0], tsp.reshape({2, 4}), tred(TF::CrossEntropyFuncOptions(), tr)); },
                     {{2, 3, 4}}, "n"});
    cases.push_back({"ce_probs" + sfx,
                     [=](const E& v) { return F::cross_entropy(v[0], v[1].softmax(1), F::CrossEntropyFuncOptions().reduction(er)); },
                     [=](const T& v) { return TF::cross_entropy(v[0], v[1].softmax(1), tred(TF::CrossEntropyFuncOptions(), tr)); },
                     {{6, 5}, {6, 5}}, "ng"});
    cases.push_back({"ce_probs_weight_smooth" + sfx,
                     [=](const E& v) { return F::cross_entropy(v[0], v[1].softmax(1), F::CrossEntropyFuncOptions().weight(v[2]).label_smoothing(0.1).reduction(er)); },
                     [=](const T& v) { return TF::cross_entropy(v[0], v[1].softmax(1), tred(TF::CrossEntropyFuncOptions().weight(v[2]).label_smoothing(0.1), tr)); },
                     {{6, 5}, {6, 5}, {5}}, "ngq"});
    cases.push_back({"nll" + sfx,
                     [=](const E& v) { return F::nll_loss(v[0], eign, F::NLLLossFuncOptions().weight(v[1]).reduction(er)); },
                     [=](const T& v) { return TF::nll_loss(v[0], tign, tred(TF::NLLLossFuncOptions().weight(v[1]), tr)); },
                     {{6, 5}, {5}}, "nq", "NllLossBackward0"});
    cases.push_back({"nll_unbatched" + sfx,
                     [=](const E& v) { return F::nll_loss(v[0], ember::tensor(int64_t(3)).reshape({}), F::NLLLossFuncOptions().weight(v[1]).reduction(er)); },
                     [=](const T& v) { return torch::nll_loss_nd(v[0], torch::tensor(3, torch::kLong), v[1], tr, -100); },
                     {{5}, {5}}, "nq"});
  }
  for (const auto& c : cases) run(c);
}

TEST(DiffFunctional, Misc) {
  std::vector<Case> cases = {
      {"pad_constant", [](const E& v) { return F::pad(v[0], F::PadFuncOptions({1, 2, 0, 3}).value(1.5)); },
       [](const T& v) { return TF::pad(v[0], TF::PadFuncOptions({1, 2, 0, 3}).value(1.5)); }, {{2, 3, 4}}, "n",
       "ConstantPadNdBackward0"},
      {"pad_crop", [](const E& v) { return F::pad(v[0], F::PadFuncOptions({-1, 2, 1, -2})); },
       [](const T& v) { return TF::pad(v[0], TF::PadFuncOptions({-1, 2, 1, -2})); }, {{2, 3, 4}}},
      {"pad_reflect1d", [](const E& v) { return F::pad(v[0], F::PadFuncOptions({2, 3}).mode(ember::kReflect)); },
       [](const T& v) { return TF::pad(v[0], TF::PadFuncOptions({2, 3}).mode(torch::kReflect)); }, {{2, 3, 5}}},
      {"pad_reflect2d", [](const E& v) { return F::pad(v[0], F::PadFuncOptions({1, 2, 2, 1}).mode(ember::kReflect)); },
       [](const T& v) { return TF::pad(v[0], TF::PadFuncOptions({1, 2, 2, 1}).mode(torch::kReflect)); }, {{2, 2, 4, 5}}},
      {"pad_replicate2d", [](const E& v) { return F::pad(v[0], F::PadFuncOptions({1, 2, 3, 0}).mode(ember::kReplicate)); },
       [](const T& v) { return TF::pad(v[0], TF::PadFuncOptions({1, 2, 3, 0}).mode(torch::kReplicate)); }, {{2, 4, 5}}},
      {"pad_circular2d", [](const E& v) { return F::pad(v[0], F::PadFuncOptions({1, 2, 3, 1}).mode(ember::kCircular)); },
       [](const T& v) { return TF::pad(v[0], TF::PadFuncOptions({1, 2, 3, 1}).mode(torch::kCircular)); }, {{1, 2, 4, 5}}},
      {"pad_replicate3d", [](const E& v) { return F::pad(v[0], F::PadFuncOptions({1, 0, 0, 1, 1, 1}).mode(ember::kReplicate)); },
       [](const T& v) { return TF::pad(v[0], TF::PadFuncOptions({1, 0, 0, 1, 1, 1}).mode(torch::kReplicate)); }, {{1, 2, 2, 3, 2}}},
      {"normalize", [](const E& v) { return F::normalize(v[0]); }, [](const T& v) { return TF::normalize(v[0]); }, {{4, 5}}},
      {"normalize_p1_dim0", [](const E& v) { return F::normalize(v[0], F::NormalizeFuncOptions().p(1).dim(0)); },
       [](const T& v) { return TF::normalize(v[0], TF::NormalizeFuncOptions().p(1).dim(0)); }, {{4, 5}}},
      {"cosine_similarity", [](const E& v) { return F::cosine_similarity(v[0], v[1]); },
       [](const T& v) { return TF::cosine_similarity(v[0], v[1]); }, {{4, 5}, {4, 5}}, "nn"},
      {"cosine_similarity_bcast", [](const E& v) { return F::cosine_similarity(v[0], v[1], F::CosineSimilarityFuncOptions().dim(-1)); },
       [](const T& v) { return TF::cosine_similarity(v[0], v[1], TF::CosineSimilarityFuncOptions().dim(-1)); }, {{3, 4, 5}, {4, 5}}, "nn"},
      {"pairwise_distance", [](const E& v) { return F::pairwise_distance(v[0], v[1]); },
       [](const T& v) { return TF::pairwise_distance(v[0], v[1]); }, {{4, 5}, {4, 5}}, "nn"},
  };
  // interpolate: nearest and bilinear, sizes and scale factors (incl. non-integer ones).
  struct Interp {
    std::string name;
    std::vector<int64_t> shape;
    bool bilinear;
    std::optional<std::vector<int64_t>> size;
    std::optional<std::vector<double>> scale;
    std::optional<bool> align;
    std::optional<bool> recompute = std::nullopt;
  };
  std::vector<Interp> ints = {
      {"nearest_size_1d", {2, 3, 5}, false, std::vector<int64_t>{8}, {}, {}},
      {"nearest_scale_1d", {2, 3, 5}, false, {}, std::vector<double>{1.7}, {}},
      {"nearest_x2", {1, 2, 3, 4}, false, {}, std::vector<double>{2.0, 2.0}, {}},
      {"nearest_down", {1, 2, 7, 9}, false, std::vector<int64_t>{3, 4}, {}, {}},
      {"nearest_scale_2d", {1, 2, 5, 6}, false, {}, std::vector<double>{1.5, 0.7}, {}},
      {"nearest_recompute", {1, 2, 5, 6}, false, {}, std::vector<double>{1.3, 1.3}, {}, true},
      {"bilinear_size", {2, 2, 4, 5}, true, std::vector<int64_t>{7, 3}, {}, {}},
      {"bilinear_align", {2, 2, 4, 5}, true, std::vector<int64_t>{7, 9}, {}, true},
      {"bilinear_scale", {1, 3, 4, 5}, true, {}, std::vector<double>{1.6, 2.3}, false},
      {"bilinear_down", {1, 1, 9, 8}, true, std::vector<int64_t>{4, 3}, {}, {}},
      {"bilinear_align_1", {1, 1, 4, 5}, true, std::vector<int64_t>{1, 3}, {}, true},
  };
  for (const auto& it : ints) {
    cases.push_back({"interp_" + it.name,
                     [it](const E& v) {
                       auto o = F::InterpolateFuncOptions().mode(it.bilinear ? ember::kBilinear : ember::kNearest);
                       if (it.size) o.size(*it.size);
                       if (it.scale) o.scale_factor(*it.scale);
                       if (it.align) o.align_corners(*it.align);
                       if (it.recompute) o.recompute_scale_factor(*it.recompute);
                       return F::interpolate(v[0], o);
                     },
                     [it](const T& v) {
                       auto o = TF::InterpolateFuncOptions();
                       if (it.bilinear) o.mode(torch::kBilinear); else o.mode(torch::kNearest);
                       if (it.size) o.size(*it.size);
                       if (it.scale) o.scale_factor(*it.scale);
                       if (it.align) o.align_corners(*it.align);
                       if (it.recompute) o.recompute_scale_factor(*it.recompute);
                       return TF::interpolate(v[0], o);
                     },
                     {it.shape}});
  }
  for (const auto& c : cases) run(c);
  // one_hot
  torch::Tensor idx = ti({3, 0, 2, 2});
  EXPECT_TRUE(same(F::one_hot(ei({3, 0, 2, 2})), TF::one_hot(idx)));
  EXPECT_TRUE(same(F::one_hot(ei({3, 0, 2, 2}).reshape({2, 2}), 6), TF::one_hot(idx.reshape({2, 2}), 6)));
}

TEST(DiffFunctional, DropoutMasksMatchLibTorch) {
  torch::Tensor x = diff::random_tensor({8, 6, 5, 4}, torch::kFloat32, 2);
  for (double p : {0.0, 0.2, 0.5, 0.9, 1.0}) {
    SCOPED_TRACE(p);
    ember::manual_seed(123);
    torch::manual_seed(123);
    ember::Tensor e = F::dropout(diff::from_torch(x), F::DropoutFuncOptions().p(p));
    torch::Tensor t = TF::dropout(x, TF::DropoutFuncOptions().p(p));
    EXPECT_TRUE(same(e, t, 1e-6, 0));
    ember::Tensor e2 = F::dropout2d(diff::from_torch(x), F::Dropout2dFuncOptions().p(p));
    torch::Tensor t2 = TF::dropout2d(x, TF::Dropout2dFuncOptions().p(p));
    EXPECT_TRUE(same(e2, t2, 1e-6, 0));
    ember::Tensor e3 = F::dropout2d(diff::from_torch(x[0]), F::Dropout2dFuncOptions().p(p));  // unbatched
    torch::Tensor t3 = TF::dropout2d(x[0], TF::Dropout2dFuncOptions().p(p));
    EXPECT_TRUE(same(e3, t3, 1e-6, 0));
    ember::Tensor e4 = F::alpha_dropout(diff::from_torch(x), F::AlphaDropoutFuncOptions().p(p).training(true));
    torch::Tensor t4 = TF::alpha_dropout(x, TF::AlphaDropoutFuncOptions().p(p).training(true));
    EXPECT_TRUE(same(e4, t4, 1e-5, 1e-6));
  }
  // Gradient: the same mask scales the gradient.
  ember::manual_seed(7);
  torch::manual_seed(7);
  torch::Tensor tx = x.clone().requires_grad_(true);
  ember::Tensor ex = diff::from_torch(x).requires_grad_(true);
  TF::dropout(tx, TF::DropoutFuncOptions().p(0.3)).sum().backward();
  F::dropout(ex, F::DropoutFuncOptions().p(0.3)).sum().backward();
  EXPECT_TRUE(same(ex.grad(), tx.grad()));
  // Evaluation mode is the identity.
  ember::Tensor ein = diff::from_torch(x);
  EXPECT_TRUE(F::dropout(ein, F::DropoutFuncOptions().training(false)).is_same(ein));
  // In place modifies the input.
  ember::manual_seed(9);
  torch::manual_seed(9);
  ember::Tensor ei2 = diff::from_torch(x);
  torch::Tensor ti2 = x.clone();
  F::dropout(ei2, F::DropoutFuncOptions().inplace(true));
  TF::dropout(ti2, TF::DropoutFuncOptions().inplace(true));
  EXPECT_TRUE(same(ei2, ti2, 1e-6, 0));
}
