// bench_functional: ember vs LibTorch in one process: cross_entropy fwd+bwd (W3 head sizes and a
// large one) and activation fwd+bwd on 4M floats. Median of 7 runs, microseconds; ratio ember/LibTorch.
//   OMP_NUM_THREADS=1 build/release/benchmarks/bench_functional
#include <torch/torch.h>
#include <ember/ember.h>
#include <ember/nn/functional.h>
#include <chrono>
#include <cstdio>
#include <algorithm>
#include <functional>
#include <vector>
namespace F = ember::nn::functional;
namespace TF = torch::nn::functional;
template <class Fn> double med(Fn f, int iters) {
  std::vector<double> v;
  for (int r = 0; r < 7; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < iters; ++i) f();
    v.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / iters);
  }
  std::sort(v.begin(), v.end());
  return v[3];
}
int main() {
  for (auto [N, C] : std::vector<std::pair<int64_t,int64_t>>{{64, 10}, {256, 10}, {4096, 1000}}) {
    auto tl = torch::randn({N, C}).requires_grad_(); auto tt = torch::randint(0, C, {N});
    auto el = ember::randn({N, C}).requires_grad_(); auto et = ember::randint(0, C, {N});
    int it = N * C > 100000 ? 20 : 2000;
    double a = med([&] { auto l = F::cross_entropy(el, et); l.backward(); el.mutable_grad().reset(); }, it);
    double b = med([&] { auto l = TF::cross_entropy(tl, tt); l.backward(); tl.mutable_grad().reset(); }, it);
    printf("cross_entropy fwd+bwd %ldx%ld: ember %.2f us, libtorch %.2f us, ratio %.2f\n", N, C, a, b, a / b);
  }
  int64_t n = 1 << 22;
  auto tx = torch::randn({n}).requires_grad_(); auto ex = ember::randn({n}).requires_grad_();
  auto tg = torch::randn({n}); auto eg = ember::randn({n});
  struct Op { const char* name; std::function<ember::Tensor(const ember::Tensor&)> e; std::function<torch::Tensor(const torch::Tensor&)> t; };
  std::vector<Op> ops = {
    {"leaky_relu", [](const ember::Tensor& x) { return F::leaky_relu(x); }, [](const torch::Tensor& x) { return TF::leaky_relu(x); }},
    {"elu", [](const ember::Tensor& x) { return F::elu(x); }, [](const torch::Tensor& x) { return TF::elu(x); }},
    {"silu", [](const ember::Tensor& x) { return F::silu(x); }, [](const torch::Tensor& x) { return TF::silu(x); }},
    {"mish", [](const ember::Tensor& x) { return F::mish(x); }, [](const torch::Tensor& x) { return TF::mish(x); }},
    {"hardswish", [](const ember::Tensor& x) { return F::hardswish(x); }, [](const torch::Tensor& x) { return torch::hardswish(x); }},
  };
  for (auto& op : ops) {
    double a = med([&] { auto y = op.e(ex); y.backward(eg); ex.mutable_grad().reset(); }, 5);
    double b = med([&] { auto y = op.t(tx); y.backward(tg); tx.mutable_grad().reset(); }, 5);
    printf("%s fwd+bwd 4M: ember %.0f us, libtorch %.0f us, ratio %.2f\n", op.name, a, b, a / b);
  }
}
