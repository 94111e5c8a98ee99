// ember_bench: ember's implementations of workloads W1, W5, W6 (and W7 when built with the
// reductions), printing one JSON line per result. The LibTorch twin is peer_libtorch.cpp;
// compare.py runs both. Usage: ember_bench [--threads N] [--quick] [--only W1,W5] ...
#include <ember/ember.h>

#include "bench_common.h"
#include "ember_workloads.h"

namespace ember_bench {

namespace {

const char* kImpl = "ember";

// Deterministic inputs in [-2, 2] (the same formula as the peer, so both see equal data).
ember::Tensor input(ember::IntArrayRef shape) {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  return (ember::sin(ember::arange(n, ember::kFloat32) * 0.7) * 2.0).view(shape);
}

}  // namespace

void w1() {
  for (int64_t n : {1, 64}) {
    ember::Tensor a = input({n}), b = input({n});
    auto t = bench::time_per_call([&](long iters) {
      ember::NoGradGuard no_grad;
      for (long i = 0; i < iters; ++i) {
        ember::Tensor c = a + b;
      }
    }, 0.2);
    bench::emit(kImpl, "W1.add_n" + std::to_string(n) + "_nograd",
                {{"ns_per_op", bench::map(t, [](double s) { return s * 1e9; })}});
  }
  {
    // Grad mode on, no input requiring grad: must cost what no_grad costs.
    ember::Tensor a = input({1}), b = input({1});
    auto t = bench::time_per_call([&](long iters) {
      for (long i = 0; i < iters; ++i) {
        ember::Tensor c = a + b;
      }
    }, 0.2);
    bench::emit(kImpl, "W1.add_n1_gradmode", {{"ns_per_op", bench::map(t, [](double s) { return s * 1e9; })}});
  }
  ember::Tensor x = input({64}).requires_grad_();
  auto t = bench::time_per_call([&](long iters) {
    for (long i = 0; i < iters; ++i) (x * 2 + 1).sum().backward();
  }, 0.3);
  bench::emit(kImpl, "W1.autograd_fwd_bwd_n64", {{"us_per_iter", bench::map(t, [](double s) { return s * 1e6; })}});
}

void w5() {
  for (int64_t n : {256, 1024, 2048}) {
    ember::Tensor a = input({n, n}), b = input({n, n}), c = ember::empty({n, n});
    auto t = bench::time_per_call([&](long iters) {
      for (long i = 0; i < iters; ++i) ember::mm_out(c, a, b);
    }, 0.5);
    const double flop = 2.0 * n * n * n;
    bench::emit(kImpl, "W5.matmul_" + std::to_string(n),
                {{"gflops", bench::map(t, [&](double s) { return flop / s * 1e-9; })},
                 {"ms_per_call", bench::map(t, [](double s) { return s * 1e3; })}});
  }
}

void w6() {
  const int64_t n = 16 * 1024 * 1024;
  ember::Tensor a = input({n}), b = input({n}) + 0.5, out = ember::empty({n});
  const double bin_bytes = 3.0 * n * 4, un_bytes = 2.0 * n * 4;
  auto report = [&](const std::string& name, double bytes, const std::function<void()>& op) {
    auto t = bench::time_per_call([&](long iters) {
      for (long i = 0; i < iters; ++i) op();
    }, 0.3);
    bench::emit(kImpl, "W6." + name, {{"gbps", bench::map(t, [&](double s) { return bytes / s * 1e-9; })}});
  };
  report("add_alloc", bin_bytes, [&] { ember::Tensor c = a + b; });
  report("add_out", bin_bytes, [&] { ember::add_out(out, a, b); });
  report("mul_alloc", bin_bytes, [&] { ember::Tensor c = a * b; });
  report("mul_out", bin_bytes, [&] { ember::mul_out(out, a, b); });
  report("exp_alloc", un_bytes, [&] { ember::Tensor c = ember::exp(a); });
  report("exp_out", un_bytes, [&] { ember::exp_out(out, a); });
  report("tanh_alloc", un_bytes, [&] { ember::Tensor c = ember::tanh(a); });
  report("tanh_out", un_bytes, [&] { ember::tanh_out(out, a); });
  report("relu_alloc", un_bytes, [&] { ember::Tensor c = ember::relu(a); });
  report("relu_out", un_bytes, [&] { ember::relu_out(out, a); });
}

std::function<void(long)> make_probe(const std::string& op) {
  if (op == "add_n1" || op == "add_n64") {
    const int64_t k = op == "add_n1" ? 1 : 64;
    ember::Tensor a = input({k}), b = input({k});
    return [a, b](long n) {
      ember::NoGradGuard no_grad;
      for (long i = 0; i < n; ++i) {
        ember::Tensor c = a + b;
      }
    };
  }
  if (op == "autograd_n64") {
    ember::Tensor x = input({64}).requires_grad_();
    return [x](long n) {
      for (long i = 0; i < n; ++i) (x * 2 + 1).sum().backward();
    };
  }
  if (op == "mm_n16") {  // small-GEMM floor (the MLP-inference shapes are small too)
    ember::Tensor a = input({16, 16}), b = input({16, 16}), c = ember::empty({16, 16});
    return [a, b, c](long n) mutable {
      for (long i = 0; i < n; ++i) ember::mm_out(c, a, b);
    };
  }
  return make_model_probe(op);
}

}  // namespace ember_bench

int main(int argc, char** argv) {
  bench::parse_args(argc, argv, "ember_bench");
  if (bench::opts().threads > 0) ember::set_num_threads(bench::opts().threads);
  if (!bench::opts().probe_op.empty()) return bench::run_probes(ember_bench::make_probe);
  const std::pair<const char*, void (*)()> all[] = {
      {"W1", ember_bench::w1}, {"W5", ember_bench::w5}, {"W6", ember_bench::w6}, {"W7", ember_bench::w7},
      {"W4ops", ember_bench::w4ops}, {"W2", ember_bench::w2}, {"W3", ember_bench::w3}, {"W4", ember_bench::w4}, {"W8", ember_bench::w8}};
  for (auto& [id, fn] : all)
    if (bench::wanted(id)) {
      std::fprintf(stderr, "[ember %s, %d threads]\n", id, bench::opts().threads);
      fn();
    }
  return 0;
}
