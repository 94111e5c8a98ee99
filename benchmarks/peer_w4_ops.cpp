// W4ops for LibTorch: the same layers and inputs as ember_w4_ops.cpp.
#include <torch/torch.h>

#include "bench_common.h"

namespace peer {

namespace {
torch::Tensor w4_input(std::vector<int64_t> shape, double phase) {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  return (torch::sin(torch::arange(n, torch::kFloat32) * 0.7 + phase) * 0.5).view(shape);
}

void report(const std::string& name, const std::function<void()>& op) {
  auto t = bench::time_per_call([&](long iters) {
    for (long i = 0; i < iters; ++i) op();
  }, 0.3);
  bench::emit("libtorch", "W4ops." + name, {{"ms_per_call", bench::map(t, [](double s) { return s * 1e3; })}});
}
}  // namespace

void w4ops() {
  torch::Tensor x1 = w4_input({64, 1, 28, 28}, 0.0);
  torch::Tensor w1 = w4_input({32, 1, 3, 3}, 0.1).requires_grad_(), b1 = w4_input({32}, 0.2).requires_grad_();
  torch::Tensor x2 = w4_input({64, 32, 13, 13}, 0.3).requires_grad_();
  torch::Tensor w2 = w4_input({64, 32, 3, 3}, 0.4).requires_grad_(), b2 = w4_input({64}, 0.5).requires_grad_();
  torch::Tensor p1 = w4_input({64, 32, 26, 26}, 0.6).requires_grad_();
  torch::Tensor g1 = w4_input({64, 32, 26, 26}, 0.7), g2 = w4_input({64, 64, 11, 11}, 0.8),
                gp = w4_input({64, 32, 13, 13}, 0.9);
  {
    torch::NoGradGuard no_grad;
    report("conv1_fwd", [&] { torch::Tensor y = torch::conv2d(x1, w1, b1); });
    report("conv2_fwd", [&] { torch::Tensor y = torch::conv2d(x2, w2, b2); });
    report("maxpool1_fwd", [&] { torch::Tensor y = torch::max_pool2d(p1, 2); });
  }
  report("conv1_fwd_bwd", [&] { torch::conv2d(x1, w1, b1).backward(g1); });
  report("conv2_fwd_bwd", [&] { torch::conv2d(x2, w2, b2).backward(g2); });
  // The same with an input that needs no gradient: with conv2_fwd and conv2_fwd_bwd it splits
  // the backward pass into its weight (and bias) gradient and its input gradient.
  torch::Tensor x2_const = x2.detach();
  report("conv2_fwd_wgrad", [&] { torch::conv2d(x2_const, w2, b2).backward(g2); });
  report("maxpool1_fwd_bwd", [&] { torch::max_pool2d(p1, 2).backward(gp); });
}

}  // namespace peer
