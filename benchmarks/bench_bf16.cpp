// bfloat16 kernels, ember vs LibTorch side by side in one process (issue 22):
//   W5bf16   mm_out of square bf16 matrices, n = 1024 and 2048 (GFLOP/s)
//   W4bf16   W4's two convolutions in bf16 at batch 64, forward (no grad) and forward +
//            backward as in a training step (ms per call)
//   EWbf16   elementwise and reductions on 4M bf16 elements, and the f32 <-> bf16 casts
//            (GB/s moved: bytes read + bytes written)
//   train    W3 (MLP, SGD momentum, batch 128) and W4 (CNN, Adam, batch 64) training steps in
//            float32 and under bf16 autocast (ms per step)
// Each case alternates the libraries and keeps the best of several medians (the machine is
// shared). One JSON line per case and thread count:
//   {"bench": ..., "threads": N, "unit": ..., "ember": x, "torch": y}
// benchmarks/compare_bf16.py runs it and prints the table. Usage:
//   bench_bf16 [--threads 1,2] [--only W5bf16,W4bf16,EWbf16] [--rounds 3]
//              [--bench <substring of a bench name>] [--ember-only]
#include <ATen/autocast_mode.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include <ember/ember.h>

namespace {

// Median seconds per call over 5 repetitions of an iteration count calibrated to ~0.2 s.
double seconds_per_call(const std::function<void()>& f) {
  f();
  auto t0 = std::chrono::steady_clock::now();
  f();
  double one = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  long iters = std::max(1L, static_cast<long>(0.2 / std::max(one, 1e-7)));
  std::vector<double> t;
  for (int r = 0; r < 5; ++r) {
    auto a = std::chrono::steady_clock::now();
    for (long i = 0; i < iters; ++i) f();
    t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count() / iters);
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

struct Case {
  std::string bench, unit;
  double amount;  // flop or bytes per call; 0: report ms per call
  std::function<void()> ember_fn, torch_fn;
};

int g_rounds = 3;
bool g_ember_only = false;  // --ember-only: skip PyTorch's side (for profiling ember alone)

void run(const Case& c, int threads) {
  double te = 1e30, tt = 1e30;
  for (int r = 0; r < g_rounds; ++r) {  // interleaved, so drift hits both alike
    te = std::min(te, seconds_per_call(c.ember_fn));
    if (g_ember_only) continue;
    // One libgomp serves both libraries, and its thread count is a per-thread setting:
    // ember's oneDNN calls set the calling thread's to 1 (Note [GEMM threading] in
    // ember/cpu/blas.cpp), so LibTorch's is set again before each of its measurements.
    torch::set_num_threads(threads);
    tt = std::min(tt, seconds_per_call(c.torch_fn));
  }
  auto value = [&](double s) { return c.amount > 0 ? c.amount / s / 1e9 : s * 1e3; };
  char torch_value[32] = "null";  // --ember-only: no PyTorch figure
  if (!g_ember_only) std::snprintf(torch_value, sizeof torch_value, "%.4g", value(tt));
  std::printf("{\"bench\": \"%s\", \"threads\": %d, \"unit\": \"%s\", \"ember\": %.4g, \"torch\": %s}\n",
              c.bench.c_str(), threads, c.unit.c_str(), value(te), torch_value);
  std::fflush(stdout);
}

// The same deterministic values in both libraries, rounded to bf16 once.
torch::Tensor t_input(std::vector<int64_t> shape, double phase) {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  return (torch::sin(torch::arange(n, torch::kFloat32) * 0.7 + phase) * 0.5).view(shape).to(torch::kBFloat16);
}
ember::Tensor e_twin(const torch::Tensor& t) {
  std::vector<int64_t> sizes(t.sizes().begin(), t.sizes().end());
  ember::Tensor e = ember::empty(sizes, t.scalar_type() == torch::kBFloat16 ? ember::kBFloat16 : ember::kFloat32);
  std::memcpy(e.data_ptr(), t.data_ptr(), t.nbytes());
  return e;
}

volatile float g_sink;

std::vector<Case> w5() {
  std::vector<Case> cases;
  for (int64_t n : {1024, 2048}) {
    torch::Tensor ta = t_input({n, n}, 0.1), tb = t_input({n, n}, 0.2), tc = torch::empty({n, n}, torch::kBFloat16);
    ember::Tensor ea = e_twin(ta), eb = e_twin(tb), ec = ember::empty({n, n}, ember::kBFloat16);
    cases.push_back({"W5bf16.matmul_" + std::to_string(n), "GFLOP/s", 2.0 * n * n * n,
                     [=]() mutable { ember::mm_out(ec, ea, eb); }, [=]() mutable { torch::mm_out(tc, ta, tb); }});
  }
  return cases;
}

std::vector<Case> w4() {
  torch::Tensor x1 = t_input({64, 1, 28, 28}, 0.0), w1 = t_input({32, 1, 3, 3}, 0.1), b1 = t_input({32}, 0.2);
  torch::Tensor x2 = t_input({64, 32, 13, 13}, 0.3), w2 = t_input({64, 32, 3, 3}, 0.4), b2 = t_input({64}, 0.5);
  torch::Tensor g1 = t_input({64, 32, 26, 26}, 0.7), g2 = t_input({64, 64, 11, 11}, 0.8);
  ember::Tensor ex1 = e_twin(x1), ew1 = e_twin(w1).requires_grad_(), eb1 = e_twin(b1).requires_grad_();
  ember::Tensor ex2 = e_twin(x2).requires_grad_(), ew2 = e_twin(w2).requires_grad_(), eb2 = e_twin(b2).requires_grad_();
  ember::Tensor eg1 = e_twin(g1), eg2 = e_twin(g2);
  w1.requires_grad_(), b1.requires_grad_(), x2.requires_grad_(), w2.requires_grad_(), b2.requires_grad_();
  return {
      {"W4bf16.conv1_fwd", "ms", 0,
       [=] {
         ember::NoGradGuard g;
         ember::Tensor y = ember::conv2d(ex1, ew1, eb1);
       },
       [=] {
         torch::NoGradGuard g;
         torch::Tensor y = torch::conv2d(x1, w1, b1);
       }},
      {"W4bf16.conv2_fwd", "ms", 0,
       [=] {
         ember::NoGradGuard g;
         ember::Tensor y = ember::conv2d(ex2, ew2, eb2);
       },
       [=] {
         torch::NoGradGuard g;
         torch::Tensor y = torch::conv2d(x2, w2, b2);
       }},
      {"W4bf16.conv1_fwd_bwd", "ms", 0, [=] { ember::conv2d(ex1, ew1, eb1).backward(eg1); },
       [=] { torch::conv2d(x1, w1, b1).backward(g1); }},
      {"W4bf16.conv2_fwd_bwd", "ms", 0, [=] { ember::conv2d(ex2, ew2, eb2).backward(eg2); },
       [=] { torch::conv2d(x2, w2, b2).backward(g2); }},
  };
}

std::vector<Case> ew() {
  const int64_t n = 4 << 20;
  torch::Tensor a = t_input({n}, 0.1), b = t_input({n}, 0.2), o = torch::empty({n}, torch::kBFloat16);
  torch::Tensor f = a.to(torch::kFloat32), fo = torch::empty({n});
  ember::Tensor ea = e_twin(a), eb = e_twin(b), eo = ember::empty({n}, ember::kBFloat16);
  ember::Tensor ef = e_twin(f), efo = ember::empty({n});
  const double b2 = 2.0 * n, b4 = 4.0 * n;
  std::vector<Case> cases = {
      {"EWbf16.cast_f32_to_bf16", "GB/s", b4 + b2, [=]() mutable { eo.copy_(ef); }, [=]() mutable { o.copy_(f); }},
      {"EWbf16.cast_bf16_to_f32", "GB/s", b2 + b4, [=]() mutable { efo.copy_(ea); }, [=]() mutable { fo.copy_(a); }},
      {"EWbf16.add_out", "GB/s", 3 * b2, [=]() mutable { ember::add_out(eo, ea, eb); },
       [=]() mutable { torch::add_out(o, a, b); }},
      {"EWbf16.mul_out", "GB/s", 3 * b2, [=]() mutable { ember::mul_out(eo, ea, eb); },
       [=]() mutable { torch::mul_out(o, a, b); }},
      {"EWbf16.add", "GB/s", 3 * b2, [=] { ember::Tensor r = ea + eb; }, [=] { torch::Tensor r = a + b; }},
      {"EWbf16.relu", "GB/s", 2 * b2, [=] { ember::Tensor r = ember::relu(ea); }, [=] { torch::Tensor r = torch::relu(a); }},
      {"EWbf16.exp_out", "GB/s", 2 * b2, [=]() mutable { ember::exp_out(eo, ea); },
       [=]() mutable { torch::exp_out(o, a); }},
      {"EWbf16.tanh_out", "GB/s", 2 * b2, [=]() mutable { ember::tanh_out(eo, ea); },
       [=]() mutable { torch::tanh_out(o, a); }},
      {"EWbf16.sigmoid_out", "GB/s", 2 * b2, [=]() mutable { ember::sigmoid_out(eo, ea); },
       [=]() mutable { torch::sigmoid_out(o, a); }},
      {"EWbf16.sum", "GB/s", b2, [=] { g_sink = ember::sum(ea).item<float>(); },
       [=] { g_sink = torch::sum(a).item<float>(); }},
      {"EWbf16.mean", "GB/s", b2, [=] { g_sink = ember::mean(ea).item<float>(); },
       [=] { g_sink = torch::mean(a).item<float>(); }},
  };
  return cases;
}

// The core clock while busy, in GHz: a chain of dependent 1-cycle integer adds (x86-64),
// 64 per iteration. compare_bf16.py derives the bf16 peak from it.
double measured_ghz() {
#if defined(__x86_64__)
  auto run = [](long iters) {
    long x = 0;
    auto a = std::chrono::steady_clock::now();
    for (long i = 0; i < iters; ++i) {
#define EMBER_ADD8 "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
      asm volatile(EMBER_ADD8 EMBER_ADD8 EMBER_ADD8 EMBER_ADD8 EMBER_ADD8 EMBER_ADD8 EMBER_ADD8 EMBER_ADD8 : "+r"(x));
#undef EMBER_ADD8
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count();
  };
  // Many short runs, the fastest: on a shared machine most runs lose time slices.
  const long iters = 500000;
  double best = 1e30;
  for (int r = 0; r < 200; ++r) best = std::min(best, run(iters));
  return 64.0 * iters / best / 1e9;
#else
  return 0;
#endif
}

// W3 and W4 training steps (the models, optimisers and batch shapes of ember_models.cpp and
// peer_models.cpp), float32 and under bf16 autocast (forward and loss in the region,
// backward and step outside, as PyTorch's recipe). Each call is one step on one of a few
// fixed random batches.
namespace en = ember::nn;
namespace tn = torch::nn;

struct EmberNet {
  en::Sequential model;
  std::shared_ptr<ember::optim::Optimizer> opt;
  ember::Tensor xs, ys;
  long k = 0;
  void step(bool amp) {
    const int64_t i = k++ % xs.size(0);
    opt->zero_grad();
    ember::Tensor loss;
    {
      ember::autocast::AutocastGuard guard(ember::kCPU, ember::kBFloat16, amp);
      loss = en::functional::cross_entropy(model->forward(xs[i]), ys[i]);
    }
    loss.backward();
    opt->step();
  }
};

struct TorchNet {
  tn::Sequential model;
  std::shared_ptr<torch::optim::Optimizer> opt;
  torch::Tensor xs, ys;
  long k = 0;
  void step(bool amp) {
    const int64_t i = k++ % xs.size(0);
    opt->zero_grad();
    torch::Tensor loss;
    if (amp) {  // what torch.autocast("cpu", dtype=torch.bfloat16) does on entry and exit
      at::autocast::set_cpu_enabled(true);
      at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
      at::autocast::increment_nesting();
    }
    loss = torch::nn::functional::cross_entropy(model->forward(xs[i]), ys[i]);
    if (amp) {
      if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
      at::autocast::set_cpu_enabled(false);
    }
    loss.backward();
    opt->step();
  }
};

std::vector<Case> training() {
  auto e_mlp = std::make_shared<EmberNet>(), e_cnn = std::make_shared<EmberNet>();
  auto t_mlp = std::make_shared<TorchNet>(), t_cnn = std::make_shared<TorchNet>();
  ember::manual_seed(0);
  torch::manual_seed(0);
  e_mlp->model = en::Sequential(en::Linear(784, 512), en::ReLU(), en::Linear(512, 256), en::ReLU(), en::Linear(256, 10));
  e_mlp->opt = std::make_shared<ember::optim::SGD>(e_mlp->model->parameters(), ember::optim::SGDOptions(0.01).momentum(0.9));
  e_mlp->xs = ember::randn({8, 128, 784});
  e_mlp->ys = ember::randint(0, 10, {8, 128}, ember::kInt64);
  e_cnn->model = en::Sequential(en::Conv2d(1, 32, 3), en::ReLU(), en::MaxPool2d(2), en::Conv2d(32, 64, 3), en::ReLU(),
                                en::MaxPool2d(2), en::Flatten(), en::Linear(1600, 128), en::ReLU(), en::Linear(128, 10));
  e_cnn->opt = std::make_shared<ember::optim::Adam>(e_cnn->model->parameters(), ember::optim::AdamOptions(1e-3));
  e_cnn->xs = ember::randn({4, 64, 1, 28, 28});
  e_cnn->ys = ember::randint(0, 10, {4, 64}, ember::kInt64);
  t_mlp->model = tn::Sequential(tn::Linear(784, 512), tn::ReLU(), tn::Linear(512, 256), tn::ReLU(), tn::Linear(256, 10));
  t_mlp->opt = std::make_shared<torch::optim::SGD>(t_mlp->model->parameters(), torch::optim::SGDOptions(0.01).momentum(0.9));
  t_mlp->xs = torch::randn({8, 128, 784});
  t_mlp->ys = torch::randint(0, 10, {8, 128}, torch::kInt64);
  t_cnn->model = tn::Sequential(tn::Conv2d(tn::Conv2dOptions(1, 32, 3)), tn::ReLU(), tn::MaxPool2d(2),
                                tn::Conv2d(tn::Conv2dOptions(32, 64, 3)), tn::ReLU(), tn::MaxPool2d(2), tn::Flatten(),
                                tn::Linear(1600, 128), tn::ReLU(), tn::Linear(128, 10));
  t_cnn->opt = std::make_shared<torch::optim::Adam>(t_cnn->model->parameters(), torch::optim::AdamOptions(1e-3));
  t_cnn->xs = torch::randn({4, 64, 1, 28, 28});
  t_cnn->ys = torch::randint(0, 10, {4, 64}, torch::kInt64);
  // The eight bf16 products of one W3 step under autocast alone (forward, input and weight
  // gradients; the first layer's input needs none), on operands of the step's shapes: the
  // floor that the whole step's time stands on (README, "Why ... out of reach").
  auto w3_gemms = [](auto randn_bf16) {
    auto x = randn_bf16(128, 784), w1 = randn_bf16(512, 784), w2 = randn_bf16(256, 512), w3 = randn_bf16(10, 256);
    auto h1 = randn_bf16(128, 512), h2 = randn_bf16(128, 256), g1 = randn_bf16(128, 512), g2 = randn_bf16(128, 256),
         g3 = randn_bf16(128, 10);
    return [=] {
      x.matmul(w1.t()), h1.matmul(w2.t()), h2.matmul(w3.t());  // forward
      g3.matmul(w3), g3.t().matmul(h2), g2.matmul(w2), g2.t().matmul(h1), g1.t().matmul(x);
    };
  };
  auto e_gemms = w3_gemms([](int64_t r, int64_t c) { return ember::randn({r, c}).to(ember::kBFloat16); });
  auto t_gemms = w3_gemms([](int64_t r, int64_t c) { return torch::randn({r, c}).to(torch::kBFloat16); });
  return {
      {"W3.gemms_bf16", "ms", 0, e_gemms, t_gemms},
      {"W3.step_f32", "ms", 0, [=] { e_mlp->step(false); }, [=] { t_mlp->step(false); }},
      {"W3.step_amp_bf16", "ms", 0, [=] { e_mlp->step(true); }, [=] { t_mlp->step(true); }},
      {"W4.step_f32", "ms", 0, [=] { e_cnn->step(false); }, [=] { t_cnn->step(false); }},
      {"W4.step_amp_bf16", "ms", 0, [=] { e_cnn->step(true); }, [=] { t_cnn->step(true); }},
  };
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  size_t p = 0;
  while (p <= s.size()) {
    size_t q = s.find(',', p);
    if (q == std::string::npos) q = s.size();
    if (q > p) out.push_back(s.substr(p, q - p));
    p = q + 1;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string only = "W5bf16,W4bf16,EWbf16,train", threads_arg = "1,2", bench_filter;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--ember-only")) { g_ember_only = true; continue; }
    if (i + 1 >= argc) break;
    if (!std::strcmp(argv[i], "--only")) only = argv[++i];
    else if (!std::strcmp(argv[i], "--bench")) bench_filter = argv[++i];
    else if (!std::strcmp(argv[i], "--threads")) threads_arg = argv[++i];
    else if (!std::strcmp(argv[i], "--rounds")) g_rounds = std::atoi(argv[++i]);
  }
  const auto wanted = split(only);
  auto want = [&](const char* id) { return std::find(wanted.begin(), wanted.end(), id) != wanted.end(); };
  std::vector<Case> cases;
  if (want("W5bf16")) for (auto& c : w5()) cases.push_back(c);
  if (want("W4bf16")) for (auto& c : w4()) cases.push_back(c);
  if (want("EWbf16")) for (auto& c : ew()) cases.push_back(c);
  if (want("train")) for (auto& c : training()) cases.push_back(c);
  std::printf("{\"bench\": \"clock\", \"ghz\": %.3f}\n", measured_ghz());
  for (const auto& t : split(threads_arg)) {
    const int threads = std::atoi(t.c_str());
    ember::set_num_threads(threads);
    torch::set_num_threads(threads);
    for (const auto& c : cases)
      if (bench_filter.empty() || c.bench.find(bench_filter) != std::string::npos) run(c, threads);
  }
  return 0;
}
