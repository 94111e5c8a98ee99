// LibTorch's W3, W4 and W8 (as ../shared/anchors/anchor_libtorch.cpp runs them), for
// peer_libtorch; ember's twin is ember_models.cpp.
#include <torch/torch.h>

#include "bench_common.h"

namespace peer {

namespace {

const char* kImpl = "libtorch";

torch::nn::Sequential mlp() {
  using namespace torch::nn;
  return Sequential(Linear(784, 512), ReLU(), Linear(512, 256), ReLU(), Linear(256, 10));
}

torch::nn::Sequential cnn() {
  using namespace torch::nn;
  return Sequential(Conv2d(Conv2dOptions(1, 32, 3)), ReLU(), MaxPool2d(MaxPool2dOptions(2)),
                    Conv2d(Conv2dOptions(32, 64, 3)), ReLU(), MaxPool2d(MaxPool2dOptions(2)), Flatten(),
                    Linear(1600, 128), ReLU(), Linear(128, 10));
}

void train_steps(torch::nn::Sequential& model, torch::optim::Optimizer& opt, const torch::Tensor& xs,
                 const torch::Tensor& ys, long steps) {
  for (long i = 0; i < steps; ++i) {
    int64_t k = i % xs.size(0);
    opt.zero_grad();
    auto loss = torch::nn::functional::cross_entropy(model->forward(xs[k]), ys[k]);
    loss.backward();
    opt.step();
  }
}

}  // namespace

void w3() {
  torch::manual_seed(0);
  auto model = mlp();
  torch::optim::SGD opt(model->parameters(), torch::optim::SGDOptions(0.01).momentum(0.9));
  auto xs = torch::randn({8, 128, 784});
  auto ys = torch::randint(0, 10, {8, 128}, torch::kLong);
  train_steps(model, opt, xs, ys, 20);
  auto t = bench::time_per_call([&](long n) { train_steps(model, opt, xs, ys, n); }, 0.5);
  bench::emit(kImpl, "W3.mlp_train", {{"ms_per_step", bench::map(t, [](double s) { return s * 1e3; })}});
}

void w4() {
  torch::manual_seed(0);
  auto model = cnn();
  torch::optim::Adam opt(model->parameters(), torch::optim::AdamOptions(1e-3));
  auto xs = torch::randn({4, 64, 1, 28, 28});
  auto ys = torch::randint(0, 10, {4, 64}, torch::kLong);
  train_steps(model, opt, xs, ys, 5);
  auto t = bench::time_per_call([&](long n) { train_steps(model, opt, xs, ys, n); }, 1.0);
  bench::emit(kImpl, "W4.cnn_train", {{"ms_per_step", bench::map(t, [](double s) { return s * 1e3; })}});
}

void w8() {
  torch::manual_seed(0);
  auto model = mlp();
  model->eval();
  for (int64_t bs : {1, 128}) {
    auto x = torch::randn({bs, 784});
    auto t = bench::time_per_call([&](long n) {
      torch::NoGradGuard no_grad;
      for (long i = 0; i < n; ++i) model->forward(x);
    }, 0.3);
    bench::emit(kImpl, "W8.mlp_infer_b" + std::to_string(bs),
                {{"us_per_call", bench::map(t, [](double s) { return s * 1e6; })}});
  }
}

std::function<void(long)> make_model_probe(const std::string& op) {
  if (op == "mlp_step" || op == "cnn_step") {
    torch::manual_seed(0);
    bool is_mlp = op == "mlp_step";
    auto model = is_mlp ? mlp() : cnn();
    std::shared_ptr<torch::optim::Optimizer> opt;
    if (is_mlp) opt = std::make_shared<torch::optim::SGD>(model->parameters(), torch::optim::SGDOptions(0.01).momentum(0.9));
    else opt = std::make_shared<torch::optim::Adam>(model->parameters(), torch::optim::AdamOptions(1e-3));
    auto x = is_mlp ? torch::randn({128, 784}) : torch::randn({64, 1, 28, 28});
    auto y = torch::randint(0, 10, {x.size(0)}, torch::kLong);
    return [=](long n) mutable {
      for (long i = 0; i < n; ++i) {
        opt->zero_grad();
        torch::nn::functional::cross_entropy(model->forward(x), y).backward();
        opt->step();
      }
    };
  }
  if (op == "mlp_infer_b1" || op == "mlp_infer_b128") {
    auto model = mlp();
    model->eval();
    auto x = torch::randn({op == "mlp_infer_b1" ? 1 : 128, 784});
    return [=](long n) mutable {
      torch::NoGradGuard no_grad;
      for (long i = 0; i < n; ++i) model->forward(x);
    };
  }
  return {};
}

}  // namespace peer
