// ember's W3 (MLP training step), W4 (CNN training step) and W8 (MLP inference) — the
// same models, data shapes and optimisers as peer_models.cpp and the anchors.
#include <ember/ember.h>

#include "bench_common.h"
#include "ember_workloads.h"

namespace ember_bench {

namespace {

const char* kImpl = "ember";
namespace nn = ember::nn;
namespace F = ember::nn::functional;

nn::Sequential mlp() {
  return nn::Sequential(nn::Linear(784, 512), nn::ReLU(), nn::Linear(512, 256), nn::ReLU(), nn::Linear(256, 10));
}

nn::Sequential cnn() {
  return nn::Sequential(nn::Conv2d(1, 32, 3), nn::ReLU(), nn::MaxPool2d(2), nn::Conv2d(32, 64, 3), nn::ReLU(),
                        nn::MaxPool2d(2), nn::Flatten(), nn::Linear(1600, 128), nn::ReLU(), nn::Linear(128, 10));
}

// steps of zero_grad / forward / cross_entropy / backward / step over `batches` inputs.
template <class Opt>
void train_steps(nn::Sequential& model, Opt& opt, const ember::Tensor& xs, const ember::Tensor& ys, long steps) {
  for (long i = 0; i < steps; ++i) {
    int64_t k = i % xs.size(0);
    opt.zero_grad();
    ember::Tensor loss = F::cross_entropy(model->forward(xs[k]), ys[k]);
    loss.backward();
    opt.step();
  }
}

// The seeds' XOR task (the anchors' xor_data): 2500 points of {0,1}^2, label x0 != x1.
std::pair<ember::Tensor, ember::Tensor> xor_data() {
  ember::Generator g;
  g.manual_seed(0);
  ember::Tensor x = ember::randint(0, 2, {2500, 2}, g).to(ember::kFloat32);
  ember::Tensor y = x.select(1, 0).ne(x.select(1, 1)).to(ember::kFloat32).unsqueeze(1);
  return {x, y};
}

nn::Sequential xor_model() { return nn::Sequential(nn::Linear(2, 4), nn::Tanh(), nn::Linear(4, 1)); }

}  // namespace

// W2: 100 epochs of the XOR task at batch 128, through DataLoader(TensorDataset, shuffle)
// and by slicing a randperm-shuffled copy by hand; seconds in all.
void w2() {
  const int epochs = bench::opts().quick ? 10 : 100;
  auto [x, y] = xor_data();
  const int64_t n = x.size(0), bs = 128;
  nn::BCEWithLogitsLoss loss_fn;
  auto through_loader = [&, x = x, y = y](long reps) {
    for (long r = 0; r < reps; ++r) {
      ember::manual_seed(0);
      auto model = xor_model();
      ember::optim::SGD opt(model->parameters(), ember::optim::SGDOptions(0.1));
      ember::data::DataLoader loader(ember::data::datasets::TensorDataset(x, y),
                                     ember::data::DataLoaderOptions().batch_size(bs).shuffle(true));
      for (int e = 0; e < epochs; ++e) {
        for (auto& batch : loader) {
          opt.zero_grad();
          ember::Tensor loss = loss_fn(model->forward(batch.data), batch.target);
          loss.backward();
          opt.step();
        }
      }
    }
  };
  auto by_hand = [&, x = x, y = y](long reps) {
    for (long r = 0; r < reps; ++r) {
      ember::manual_seed(0);
      auto model = xor_model();
      ember::optim::SGD opt(model->parameters(), ember::optim::SGDOptions(0.1));
      for (int e = 0; e < epochs; ++e) {
        ember::Tensor perm = ember::randperm(n);
        ember::Tensor xs = x.index_select(0, perm), ys = y.index_select(0, perm);
        for (int64_t i = 0; i < n; i += bs) {
          int64_t end = std::min(n, i + bs);
          opt.zero_grad();
          ember::Tensor loss = loss_fn(model->forward(xs.slice(0, i, end)), ys.slice(0, i, end));
          loss.backward();
          opt.step();
        }
      }
    }
  };
  auto t1 = bench::time_per_call(through_loader, 0.5);
  bench::emit(kImpl, "W2.xor_dataloader", {{"s_total", t1}});
  auto t2 = bench::time_per_call(by_hand, 0.5);
  bench::emit(kImpl, "W2.xor_manual_shuffled", {{"s_total", t2}});
}

void w3() {
  ember::manual_seed(0);
  const int64_t bs = 128;
  auto model = mlp();
  ember::optim::SGD opt(model->parameters(), ember::optim::SGDOptions(0.01).momentum(0.9));
  ember::Tensor xs = ember::randn({8, bs, 784});
  ember::Tensor ys = ember::randint(0, 10, {8, bs}, ember::kInt64);
  train_steps(model, opt, xs, ys, 20);  // warm-up
  auto t = bench::time_per_call([&](long n) { train_steps(model, opt, xs, ys, n); }, 0.5);
  bench::emit(kImpl, "W3.mlp_train", {{"ms_per_step", bench::map(t, [](double s) { return s * 1e3; })}});
}

void w4() {
  ember::manual_seed(0);
  const int64_t bs = 64;
  auto model = cnn();
  ember::optim::Adam opt(model->parameters(), ember::optim::AdamOptions(1e-3));
  ember::Tensor xs = ember::randn({4, bs, 1, 28, 28});
  ember::Tensor ys = ember::randint(0, 10, {4, bs}, ember::kInt64);
  train_steps(model, opt, xs, ys, 5);
  auto t = bench::time_per_call([&](long n) { train_steps(model, opt, xs, ys, n); }, 1.0);
  bench::emit(kImpl, "W4.cnn_train", {{"ms_per_step", bench::map(t, [](double s) { return s * 1e3; })}});
}

void w8() {
  ember::manual_seed(0);
  auto model = mlp();
  model->eval();
  for (int64_t bs : {1, 128}) {
    ember::Tensor x = ember::randn({bs, 784});
    auto t = bench::time_per_call([&](long n) {
      ember::NoGradGuard no_grad;
      for (long i = 0; i < n; ++i) model->forward(x);
    }, 0.3);
    bench::emit(kImpl, "W8.mlp_infer_b" + std::to_string(bs),
                {{"us_per_call", bench::map(t, [](double s) { return s * 1e6; })}});
  }
}

std::function<void(long)> make_model_probe(const std::string& op) {
  if (op == "mlp_step" || op == "cnn_step") {
    ember::manual_seed(0);
    bool is_mlp = op == "mlp_step";
    auto model = std::make_shared<nn::Sequential>(is_mlp ? mlp() : cnn());
    std::shared_ptr<ember::optim::Optimizer> opt;
    if (is_mlp) opt = std::make_shared<ember::optim::SGD>((*model)->parameters(), ember::optim::SGDOptions(0.01).momentum(0.9));
    else opt = std::make_shared<ember::optim::Adam>((*model)->parameters(), ember::optim::AdamOptions(1e-3));
    ember::Tensor x = is_mlp ? ember::randn({128, 784}) : ember::randn({64, 1, 28, 28});
    ember::Tensor y = ember::randint(0, 10, {x.size(0)}, ember::kInt64);
    return [=](long n) {
      for (long i = 0; i < n; ++i) {
        opt->zero_grad();
        F::cross_entropy((*model)->forward(x), y).backward();
        opt->step();
      }
    };
  }
  if (op == "mlp_infer_b1" || op == "mlp_infer_b128") {
    auto model = std::make_shared<nn::Sequential>(mlp());
    (*model)->eval();
    ember::Tensor x = ember::randn({op == "mlp_infer_b1" ? 1 : 128, 784});
    return [=](long n) {
      ember::NoGradGuard no_grad;
      for (long i = 0; i < n; ++i) (*model)->forward(x);
    };
  }
  return {};
}

}  // namespace ember_bench
