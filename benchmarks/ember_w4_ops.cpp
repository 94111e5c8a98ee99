// W4ops for ember: the convolution and pooling layers of workload W4 (the Fashion-MNIST
// CNN: Conv(1,32,3)-ReLU-MaxPool2-Conv(32,64,3)-ReLU-MaxPool2-..., batch 64), each timed
// forward only (no grad) and forward + backward, as in a training step: the first conv's
// input needs no gradient, the second's does. Twin: peer_w4_ops.cpp.
#include <ember/ember.h>

#include "bench_common.h"
#include "ember_workloads.h"

namespace ember_bench {

namespace {
ember::Tensor w4_input(ember::IntArrayRef shape, double phase) {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  return (ember::sin(ember::arange(n, ember::kFloat32) * 0.7 + phase) * 0.5).view(shape);
}

void report(const std::string& name, const std::function<void()>& op) {
  auto t = bench::time_per_call([&](long iters) {
    for (long i = 0; i < iters; ++i) op();
  }, 0.3);
  bench::emit("ember", "W4ops." + name, {{"ms_per_call", bench::map(t, [](double s) { return s * 1e3; })}});
}
}  // namespace

void w4ops() {
  ember::Tensor x1 = w4_input({64, 1, 28, 28}, 0.0);
  ember::Tensor w1 = w4_input({32, 1, 3, 3}, 0.1).requires_grad_(), b1 = w4_input({32}, 0.2).requires_grad_();
  ember::Tensor x2 = w4_input({64, 32, 13, 13}, 0.3).requires_grad_();
  ember::Tensor w2 = w4_input({64, 32, 3, 3}, 0.4).requires_grad_(), b2 = w4_input({64}, 0.5).requires_grad_();
  ember::Tensor p1 = w4_input({64, 32, 26, 26}, 0.6).requires_grad_();
  ember::Tensor g1 = w4_input({64, 32, 26, 26}, 0.7), g2 = w4_input({64, 64, 11, 11}, 0.8),
                gp = w4_input({64, 32, 13, 13}, 0.9);
  {
    ember::NoGradGuard no_grad;
    report("conv1_fwd", [&] { ember::Tensor y = ember::conv2d(x1, w1, b1); });
    report("conv2_fwd", [&] { ember::Tensor y = ember::conv2d(x2, w2, b2); });
    report("maxpool1_fwd", [&] { ember::Tensor y = ember::max_pool2d(p1, 2); });
  }
  report("conv1_fwd_bwd", [&] { ember::conv2d(x1, w1, b1).backward(g1); });
  report("conv2_fwd_bwd", [&] { ember::conv2d(x2, w2, b2).backward(g2); });
  // The same with an input that needs no gradient: with conv2_fwd and conv2_fwd_bwd it splits
  // the backward pass into its weight (and bias) gradient and its input gradient.
  ember::Tensor x2_const = x2.detach();
  report("conv2_fwd_wgrad", [&] { ember::conv2d(x2_const, w2, b2).backward(g2); });
  report("maxpool1_fwd_bwd", [&] { ember::max_pool2d(p1, 2).backward(gp); });
}

}  // namespace ember_bench
