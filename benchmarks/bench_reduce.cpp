// Reduction throughput, ember vs LibTorch side by side in one process (issue W7):
// sum of 16M float32, and sum over dim 1 / dim 0 of a 4096x4096 float32 matrix, at 1 and
// 2 threads. Prints GB/s read and the ember/LibTorch throughput ratio (>= 1 is the goal).
// Run: OMP_NUM_THREADS=2 ./build/release/benchmarks/bench_reduce
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <vector>

#include <ember/ember.h>

namespace {

// Median wall time of `reps` calls, after two warm-up calls.
double median_seconds(const std::function<void()>& f, int reps) {
  f();
  f();
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

volatile float g_sink;

}  // namespace

int main(int argc, char** argv) {
  int reps = argc > 1 ? std::atoi(argv[1]) : 21;
  const int64_t n = 4096;
  torch::manual_seed(0);
  torch::Tensor tt = torch::randn({n, n});
  ember::Tensor et = ember::empty({n, n});
  std::memcpy(et.data_ptr(), tt.data_ptr(), sizeof(float) * n * n);
  torch::Tensor tflat = tt.view({-1});
  ember::Tensor eflat = et.view({-1});
  const double bytes = sizeof(float) * double(n) * n;

  struct Case {
    const char* name;
    std::function<void()> ember_fn, torch_fn;
  };
  std::vector<Case> cases = {
      {"sum(16M)", [&] { g_sink = eflat.sum().item<float>(); }, [&] { g_sink = tflat.sum().item<float>(); }},
      {"sum(4096x4096, dim=1)", [&] { g_sink = et.sum(1).data_ptr<float>()[0]; },
       [&] { g_sink = tt.sum(1).data_ptr<float>()[0]; }},
      {"sum(4096x4096, dim=0)", [&] { g_sink = et.sum(0).data_ptr<float>()[0]; },
       [&] { g_sink = tt.sum(0).data_ptr<float>()[0]; }},
  };
  std::printf("%-24s %7s %12s %12s %8s\n", "case", "threads", "ember GB/s", "torch GB/s", "ratio");
  for (int threads : {1, 2}) {
    ember::set_num_threads(threads);
    torch::set_num_threads(threads);
    for (auto& c : cases) {
      // Interleave the two libraries so drift on a shared machine hits both alike.
      double te = median_seconds(c.ember_fn, reps);
      double tq = median_seconds(c.torch_fn, reps);
      te = std::min(te, median_seconds(c.ember_fn, reps));
      tq = std::min(tq, median_seconds(c.torch_fn, reps));
      std::printf("%-24s %7d %12.2f %12.2f %8.2f\n", c.name, threads, bytes / te / 1e9, bytes / tq / 1e9, tq / te);
    }
  }
  return 0;
}
