// LibTorch-style program 1: regression with nn::Linear and an nn::Sequential MLP.
// Written from LibTorch's documented C++ frontend (the shape of pytorch/examples'
// cpp/regression); the compatibility suite builds it unchanged against LibTorch 1.13.1 and
// against ember through ember::torch_compat, and compares what the two print.
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

constexpr int64_t kDegree = 4;

// Builds features [x, x^2, x^3, x^4].
torch::Tensor make_features(torch::Tensor x) {
  x = x.unsqueeze(1);
  std::vector<torch::Tensor> powers;
  for (int64_t i = 1; i <= kDegree; ++i) powers.push_back(x.pow(i));
  return torch::cat(powers, 1);
}

int main(int argc, char** argv) {
  int64_t scale = argc > 1 ? std::atoll(argv[1]) : 1;
  torch::manual_seed(1);

  // Part 1: a polynomial with random coefficients, fitted by one Linear layer.
  auto W_target = torch::randn({kDegree, 1}) * 5;
  auto b_target = torch::randn({1}) * 5;
  auto f = [&](const torch::Tensor& x) { return x.mm(W_target) + b_target.item(); };

  torch::nn::Linear fc(W_target.size(0), 1);
  torch::optim::SGD optim(fc->parameters(), .1);
  float loss_value = 0;
  for (int64_t step = 1; step <= 200 * scale; ++step) {
    auto batch_x = make_features(torch::randn({32}));
    auto batch_y = f(batch_x);
    optim.zero_grad();
    auto loss = torch::smooth_l1_loss(fc(batch_x), batch_y);
    loss.backward();
    optim.step();
    loss_value = loss.item<float>();
    if (step % 25 == 0) std::printf("linear step %ld loss %.5f\n", static_cast<long>(step), loss_value);
  }
  for (int64_t i = 0; i < kDegree; ++i)
    std::printf("w%ld learned %.4f target %.4f\n", static_cast<long>(i), fc->weight[0][i].item<float>(),
                W_target[i].item<float>());
  std::printf("bias learned %.4f target %.4f\n", fc->bias[0].item<float>(), b_target[0].item<float>());

  // Part 2: sin(3x) on a fixed grid, with a Sequential MLP, MSELoss and Adam.
  auto x = torch::linspace(-1, 1, 128).unsqueeze(1);
  auto y = torch::sin(x * 3);
  torch::nn::Sequential net(torch::nn::Linear(1, 32), torch::nn::Tanh(), torch::nn::Linear(32, 32),
                            torch::nn::Tanh(), torch::nn::Linear(32, 1));
  torch::optim::Adam adam(net->parameters(), torch::optim::AdamOptions(1e-2));
  torch::nn::MSELoss criterion;
  for (int64_t epoch = 1; epoch <= 300 * scale; ++epoch) {
    adam.zero_grad();
    auto loss = criterion(net->forward(x), y);
    loss.backward();
    adam.step();
    if (epoch % 50 == 0) std::printf("mlp epoch %ld mse %.6f\n", static_cast<long>(epoch), loss.item<float>());
  }
  {
    torch::NoGradGuard no_grad;
    auto probe = torch::tensor({-0.5, 0.0, 0.5}, torch::kFloat).unsqueeze(1);
    auto out = net->forward(probe);
    for (int64_t i = 0; i < 3; ++i)
      std::printf("mlp f(%.1f) = %.4f (sin %.4f)\n", probe[i][0].item<float>(), out[i][0].item<float>(),
                  std::sin(3 * probe[i][0].item<float>()));
  }
  TORCH_CHECK(loss_value < 1.0, "the linear fit did not converge: loss ", loss_value);
  std::printf("done\n");
  return 0;
}
