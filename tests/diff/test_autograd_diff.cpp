// Gradients against LibTorch: the same forward in both libraries on the same inputs, then
// backward with the same upstream gradient; compares input gradients and grad_fn names.
#include "diff_util.h"

using diff::same;

namespace {
struct Case {
  const char* name;
  std::function<ember::Tensor(const std::vector<ember::Tensor>&)> e;
  std::function<torch::Tensor(const std::vector<torch::Tensor>&)> t;
  std::vector<std::vector<int64_t>> shapes;
  bool positive = false;
  bool same_node_name = true;  // false where PyTorch's last node is an internal alias op
};

void run(const Case& c) {
  std::vector<ember::Tensor> ein;
  std::vector<torch::Tensor> tin;
  int seed = 1;
  for (const auto& s : c.shapes) {
    torch::Tensor x = diff::random_tensor(s, torch::kFloat64, seed++);
    if (c.positive) x = x.abs() + 0.5;
    tin.push_back(x.clone().requires_grad_(true));
    ein.push_back(diff::from_torch(x).requires_grad_(true));
  }
  ember::Tensor eo = c.e(ein);
  torch::Tensor to = c.t(tin);
  ASSERT_TRUE(same(eo, to.detach(), 1e-10, 1e-10)) << c.name << " forward";
  torch::Tensor g = diff::random_tensor(to.sizes().vec(), torch::kFloat64, 99);
  to.backward(g);
  eo.backward(diff::from_torch(g));
  for (size_t i = 0; i < ein.size(); ++i)
    EXPECT_TRUE(same(ein[i].grad(), tin[i].grad(), 1e-9, 1e-9)) << c.name << " grad of input " << i;
  if (c.same_node_name && to.grad_fn()) EXPECT_EQ(eo.grad_fn()->name(), to.grad_fn()->name()) << c.name;
}
}  // namespace

TEST(DiffAutograd, OpsMatchLibTorchGradients) {
  using E = std::vector<ember::Tensor>;
  using T = std::vector<torch::Tensor>;
  std::vector<Case> cases = {
      {"add_broadcast", [](const E& v) { return ember::add(v[0], v[1], 2.0); },
       [](const T& v) { return torch::add(v[0], v[1], 2.0); }, {{3, 4}, {4}}},
      {"mul", [](const E& v) { return v[0] * v[1]; }, [](const T& v) { return v[0] * v[1]; }, {{3, 4}, {3, 1}}},
      {"div", [](const E& v) { return v[0] / v[1]; }, [](const T& v) { return v[0] / v[1]; }, {{3, 4}, {3, 4}}, true},
      {"pow", [](const E& v) { return ember::pow(v[0], v[1]); }, [](const T& v) { return torch::pow(v[0], v[1]); },
       {{2, 3}, {2, 3}}, true},
      {"exp_tanh", [](const E& v) { return v[0].exp().tanh(); }, [](const T& v) { return v[0].exp().tanh(); }, {{5}}},
      {"sigmoid_log", [](const E& v) { return v[0].sigmoid().log(); }, [](const T& v) { return v[0].sigmoid().log(); }, {{4, 2}}},
      {"sum_dim", [](const E& v) { return v[0].sum({1}, true); }, [](const T& v) { return v[0].sum({1}, true); }, {{3, 4}}},
      {"mean", [](const E& v) { return v[0].mean(); }, [](const T& v) { return v[0].mean(); }, {{3, 4}}},
      {"amax", [](const E& v) { return v[0].amax({0}); }, [](const T& v) { return v[0].amax({0}); }, {{3, 4}}},
      {"max_dim", [](const E& v) { return std::get<0>(v[0].max(1)); }, [](const T& v) { return std::get<0>(v[0].max(1)); }, {{3, 4}}},
      {"var", [](const E& v) { return v[0].var(ember::IntArrayRef{1}); }, [](const T& v) { return v[0].var({1}); }, {{3, 5}}},
      {"std_all", [](const E& v) { return v[0].std(); }, [](const T& v) { return v[0].std(); }, {{3, 5}}},
      {"norm", [](const E& v) { return v[0].norm(); }, [](const T& v) { return v[0].norm(); }, {{3, 5}}},
      {"logsumexp", [](const E& v) { return v[0].logsumexp({1}); }, [](const T& v) { return v[0].logsumexp({1}); }, {{3, 5}}},
      {"log_softmax", [](const E& v) { return v[0].log_softmax(1); }, [](const T& v) { return v[0].log_softmax(1); }, {{3, 5}}},
      {"softmax", [](const E& v) { return v[0].softmax(0); }, [](const T& v) { return v[0].softmax(0); }, {{3, 5}}},
      {"cumsum", [](const E& v) { return v[0].cumsum(1); }, [](const T& v) { return v[0].cumsum(1); }, {{3, 5}}},
      {"mm", [](const E& v) { return v[0].mm(v[1]); }, [](const T& v) { return v[0].mm(v[1]); }, {{3, 4}, {4, 2}}},
      {"addmm", [](const E& v) { return ember::addmm(v[2], v[0], v[1], 0.5, 2.0); },
       [](const T& v) { return torch::addmm(v[2], v[0], v[1], 0.5, 2.0); }, {{3, 4}, {4, 2}, {2}}},
      {"bmm", [](const E& v) { return v[0].bmm(v[1]); }, [](const T& v) { return v[0].bmm(v[1]); }, {{2, 3, 4}, {2, 4, 5}}},
      {"matmul_bcast", [](const E& v) { return v[0].matmul(v[1]); }, [](const T& v) { return v[0].matmul(v[1]); },
       {{2, 1, 3, 4}, {5, 4, 2}}, false, false},  // PyTorch ends with UnsafeViewBackward0
      {"gather", [](const E& v) { return v[0].gather(1, ember::tensor({{0, 2}, {1, 1}, {3, 0}})); },
       [](const T& v) { return v[0].gather(1, torch::tensor({{0, 2}, {1, 1}, {3, 0}})); }, {{3, 4}}},
      {"index_select", [](const E& v) { return v[0].index_select(0, ember::tensor({2, 0, 2})); },
       [](const T& v) { return v[0].index_select(0, torch::tensor({2, 0, 2})); }, {{3, 4}}},
      {"advanced_index", [](const E& v) { return v[0].index({ember::tensor({1, 1, 0})}); },
       [](const T& v) { return v[0].index({torch::tensor({1, 1, 0})}); }, {{3, 4}}},
      {"masked_fill", [](const E& v) { return v[0].masked_fill(ember::gt(v[0], 0.0), 0.5); },
       [](const T& v) { return v[0].masked_fill(v[0] > 0.0, 0.5); }, {{3, 4}}},
      {"views", [](const E& v) { return v[0].t().reshape({-1}).narrow(0, 1, 6).view({2, 3}).expand({4, 2, 3}); },
       [](const T& v) { return v[0].t().reshape({-1}).narrow(0, 1, 6).view({2, 3}).expand({4, 2, 3}); }, {{3, 4}}},
      {"cat_stack", [](const E& v) { return ember::stack({ember::cat({v[0], v[1]}, 0), ember::cat({v[1], v[0]}, 0)}, 1); },
       [](const T& v) { return torch::stack({torch::cat({v[0], v[1]}, 0), torch::cat({v[1], v[0]}, 0)}, 1); },
       {{2, 3}, {2, 3}}},
      {"sort", [](const E& v) { return std::get<0>(v[0].sort(1)); }, [](const T& v) { return std::get<0>(v[0].sort(1)); }, {{3, 5}}},
      {"topk", [](const E& v) { return std::get<0>(v[0].topk(2, 1)); }, [](const T& v) { return std::get<0>(v[0].topk(2, 1)); }, {{3, 5}}},
      {"where", [](const E& v) { return ember::where(ember::gt(v[0], 0.0), v[0], v[1]); },
       [](const T& v) { return torch::where(v[0] > 0.0, v[0], v[1]); }, {{3, 4}, {3, 4}}},
  };
  for (const auto& c : cases) run(c);
}

TEST(DiffAutograd, InplaceOnViewMatchesLibTorch) {
  torch::Tensor x0 = diff::random_tensor({3, 4}, torch::kFloat64, 5);
  torch::Tensor tx = x0.clone().requires_grad_(true);
  ember::Tensor ex = diff::from_torch(x0).requires_grad_(true);
  torch::Tensor ty = tx * 2;
  ty.select(1, 2).mul_(tx.select(1, 0));
  ty.narrow(0, 1, 1).zero_();
  ember::Tensor ey = ex * 2;
  ey.select(1, 2).mul_(ex.select(1, 0));
  ey.narrow(0, 1, 1).zero_();
  ASSERT_TRUE(same(ey, ty.detach()));
  (ty * ty).sum().backward();
  (ey * ey).sum().backward();
  EXPECT_TRUE(same(ex.grad(), tx.grad(), 1e-10, 1e-10));
}
