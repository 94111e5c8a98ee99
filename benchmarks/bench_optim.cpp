// Optimizer step cost, ember vs LibTorch side by side in one process: one step() over the
// parameters of a 784-512-256-10 MLP (535,818 float32 parameters, gradients fixed), for
// SGD with momentum, Adam, AdamW (amsgrad), RMSprop (centered, momentum) and Adagrad, at 1
// and 2 threads. Prints microseconds per step and LibTorch/ember (> 1: ember is faster).
// Run: ./build/release/benchmarks/bench_optim [reps]
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <vector>

#include <ember/ember.h>

namespace {

double median_seconds(const std::function<void()>& f, int reps) {
  for (int i = 0; i < 3; ++i) f();
  std::vector<double> t;
  for (int i = 0; i < reps; ++i) {
    auto a = std::chrono::steady_clock::now();
    f();
    auto b = std::chrono::steady_clock::now();
    t.push_back(std::chrono::duration<double>(b - a).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const int reps = argc > 1 ? std::atoi(argv[1]) : 51;
  const std::vector<std::vector<int64_t>> shapes = {{512, 784}, {512}, {256, 512}, {256}, {10, 256}, {10}};
  torch::manual_seed(0);
  std::vector<torch::Tensor> tp;
  std::vector<ember::Tensor> ep;
  int64_t total = 0;
  for (const auto& s : shapes) {
    torch::Tensor t = torch::randn(s).mul_(0.05).requires_grad_();
    t.mutable_grad() = torch::randn(s).mul_(0.01);
    ember::Tensor e = ember::empty(ember::IntArrayRef(s.data(), s.size()));
    std::memcpy(e.data_ptr(), t.data_ptr(), sizeof(float) * t.numel());
    e.requires_grad_();
    ember::Tensor g = ember::empty(ember::IntArrayRef(s.data(), s.size()));
    std::memcpy(g.data_ptr(), t.grad().data_ptr(), sizeof(float) * t.numel());
    e.mutable_grad() = g;
    tp.push_back(t);
    ep.push_back(e);
    total += t.numel();
  }
  namespace eo = ember::optim;
  namespace to = torch::optim;
  struct Case {
    const char* name;
    std::unique_ptr<eo::Optimizer> e;
    std::unique_ptr<to::Optimizer> t;
  };
  std::vector<Case> cases;
  cases.push_back({"SGD momentum=0.9", std::make_unique<eo::SGD>(ep, eo::SGDOptions(1e-3).momentum(0.9)),
                   std::make_unique<to::SGD>(tp, to::SGDOptions(1e-3).momentum(0.9))});
  cases.push_back({"Adam", std::make_unique<eo::Adam>(ep, eo::AdamOptions(1e-4)),
                   std::make_unique<to::Adam>(tp, to::AdamOptions(1e-4))});
  cases.push_back({"AdamW amsgrad", std::make_unique<eo::AdamW>(ep, eo::AdamWOptions(1e-4).amsgrad(true)),
                   std::make_unique<to::AdamW>(tp, to::AdamWOptions(1e-4).amsgrad(true))});
  cases.push_back({"RMSprop centered+mom",
                   std::make_unique<eo::RMSprop>(ep, eo::RMSpropOptions(1e-4).centered(true).momentum(0.9)),
                   std::make_unique<to::RMSprop>(tp, to::RMSpropOptions(1e-4).centered(true).momentum(0.9))});
  cases.push_back({"Adagrad", std::make_unique<eo::Adagrad>(ep, eo::AdagradOptions(1e-3)),
                   std::make_unique<to::Adagrad>(tp, to::AdagradOptions(1e-3))});
  std::printf("%lld float32 parameters in %zu tensors\n", static_cast<long long>(total), shapes.size());
  std::printf("%-22s %7s %12s %12s %8s\n", "optimizer", "threads", "ember us", "torch us", "torch/ember");
  for (int threads : {1, 2}) {
    ember::set_num_threads(threads);
    torch::set_num_threads(threads);
    for (auto& c : cases) {
      torch::NoGradGuard ng;
      auto ef = [&] { c.e->step(); };
      auto tf = [&] { c.t->step(); };
      double te = median_seconds(ef, reps), tq = median_seconds(tf, reps);
      te = std::min(te, median_seconds(ef, reps));
      tq = std::min(tq, median_seconds(tf, reps));
      std::printf("%-22s %7d %12.1f %12.1f %8.2f\n", c.name, threads, te * 1e6, tq * 1e6, tq / te);
    }
  }
  return 0;
}
