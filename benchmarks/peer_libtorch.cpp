// peer_libtorch: the same workloads as ember_bench (W1, W5, W6, W7) written against
// LibTorch 1.13 (Debian's libtorch-dev), printing the same JSON lines with impl
// "libtorch". Built only with EMBER_WITH_LIBTORCH_TESTS=ON; never linked into libember.
#include <torch/torch.h>

#include "bench_common.h"

namespace peer {
void w4ops();  // peer_w4_ops.cpp
void w3();     // peer_models.cpp
void w4();
void w8();
std::function<void(long)> make_model_probe(const std::string& op);
}

namespace {

const char* kImpl = "libtorch";

torch::Tensor input(std::vector<int64_t> shape) {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  return (torch::sin(torch::arange(n, torch::kFloat32) * 0.7) * 2.0).view(shape);
}

void w1() {
  for (int64_t n : {1, 64}) {
    torch::Tensor a = input({n}), b = input({n});
    auto t = bench::time_per_call([&](long iters) {
      torch::NoGradGuard no_grad;
      for (long i = 0; i < iters; ++i) {
        torch::Tensor c = a + b;
      }
    }, 0.2);
    bench::emit(kImpl, "W1.add_n" + std::to_string(n) + "_nograd",
                {{"ns_per_op", bench::map(t, [](double s) { return s * 1e9; })}});
  }
  {
    torch::Tensor a = input({1}), b = input({1});
    auto t = bench::time_per_call([&](long iters) {
      for (long i = 0; i < iters; ++i) {
        torch::Tensor c = a + b;
      }
    }, 0.2);
    bench::emit(kImpl, "W1.add_n1_gradmode", {{"ns_per_op", bench::map(t, [](double s) { return s * 1e9; })}});
  }
  torch::Tensor x = input({64}).requires_grad_();
  auto t = bench::time_per_call([&](long iters) {
    for (long i = 0; i < iters; ++i) (x * 2 + 1).sum().backward();
  }, 0.3);
  bench::emit(kImpl, "W1.autograd_fwd_bwd_n64", {{"us_per_iter", bench::map(t, [](double s) { return s * 1e6; })}});
}

void w5() {
  torch::NoGradGuard no_grad;
  for (int64_t n : {256, 1024, 2048}) {
    torch::Tensor a = input({n, n}), b = input({n, n}), c = torch::empty({n, n});
    auto t = bench::time_per_call([&](long iters) {
      for (long i = 0; i < iters; ++i) torch::mm_out(c, a, b);
    }, 0.5);
    const double flop = 2.0 * n * n * n;
    bench::emit(kImpl, "W5.matmul_" + std::to_string(n),
                {{"gflops", bench::map(t, [&](double s) { return flop / s * 1e-9; })},
                 {"ms_per_call", bench::map(t, [](double s) { return s * 1e3; })}});
  }
}

void w6() {
  torch::NoGradGuard no_grad;
  const int64_t n = 16 * 1024 * 1024;
  torch::Tensor a = input({n}), b = input({n}) + 0.5, out = torch::empty({n});
  const double bin_bytes = 3.0 * n * 4, un_bytes = 2.0 * n * 4;
  auto report = [&](const std::string& name, double bytes, const std::function<void()>& op) {
    auto t = bench::time_per_call([&](long iters) {
      for (long i = 0; i < iters; ++i) op();
    }, 0.3);
    bench::emit(kImpl, "W6." + name, {{"gbps", bench::map(t, [&](double s) { return bytes / s * 1e-9; })}});
  };
  report("add_alloc", bin_bytes, [&] { torch::Tensor c = a + b; });
  report("add_out", bin_bytes, [&] { torch::add_out(out, a, b); });
  report("mul_alloc", bin_bytes, [&] { torch::Tensor c = a * b; });
  report("mul_out", bin_bytes, [&] { torch::mul_out(out, a, b); });
  report("exp_alloc", un_bytes, [&] { torch::Tensor c = torch::exp(a); });
  report("exp_out", un_bytes, [&] { torch::exp_out(out, a); });
  report("tanh_alloc", un_bytes, [&] { torch::Tensor c = torch::tanh(a); });
  report("tanh_out", un_bytes, [&] { torch::tanh_out(out, a); });
  report("relu_alloc", un_bytes, [&] { torch::Tensor c = torch::relu(a); });
  report("relu_out", un_bytes, [&] { torch::relu_out(out, a); });
}

void w7() {
  torch::NoGradGuard no_grad;
  const int64_t n = 4096;
  torch::Tensor x = input({n, n});
  torch::Tensor flat = x.view({n * n});
  const double bytes = 4.0 * n * n;
  auto report = [&](const char* name, const std::function<void()>& op) {
    auto t = bench::time_per_call([&](long iters) {
      for (long i = 0; i < iters; ++i) op();
    }, 0.3);
    bench::emit(kImpl, name, {{"gbps", bench::map(t, [&](double s) { return bytes / s * 1e-9; })}});
  };
  report("W7.sum_all", [&] { torch::Tensor s = flat.sum(); });
  report("W7.sum_dim1", [&] { torch::Tensor s = x.sum({1}); });
  report("W7.sum_dim0", [&] { torch::Tensor s = x.sum({0}); });
}

std::function<void(long)> make_probe(const std::string& op) {
  if (op == "add_n1" || op == "add_n64") {
    const int64_t k = op == "add_n1" ? 1 : 64;
    torch::Tensor a = input({k}), b = input({k});
    return [a, b](long n) {
      torch::NoGradGuard no_grad;
      for (long i = 0; i < n; ++i) {
        torch::Tensor c = a + b;
      }
    };
  }
  if (op == "autograd_n64") {
    torch::Tensor x = input({64}).requires_grad_();
    return [x](long n) {
      for (long i = 0; i < n; ++i) (x * 2 + 1).sum().backward();
    };
  }
  if (op == "mm_n16") {
    torch::Tensor a = input({16, 16}), b = input({16, 16}), c = torch::empty({16, 16});
    return [a, b, c](long n) mutable {
      torch::NoGradGuard no_grad;
      for (long i = 0; i < n; ++i) torch::mm_out(c, a, b);
    };
  }
  return peer::make_model_probe(op);
}

}  // namespace

int main(int argc, char** argv) {
  bench::parse_args(argc, argv, "peer_libtorch");
  if (bench::opts().threads > 0) torch::set_num_threads(bench::opts().threads);
  if (!bench::opts().probe_op.empty()) return bench::run_probes(make_probe);
  const std::pair<const char*, void (*)()> all[] = {{"W1", w1}, {"W5", w5}, {"W6", w6}, {"W7", w7},
                                                     {"W4ops", peer::w4ops}, {"W3", peer::w3}, {"W4", peer::w4},
                                                     {"W8", peer::w8}};
  for (auto& [id, fn] : all)
    if (bench::wanted(id)) {
      std::fprintf(stderr, "[libtorch %s, %d threads]\n", id, bench::opts().threads);
      fn();
    }
  return 0;
}
