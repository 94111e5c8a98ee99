// W7 for ember: sum of 16M floats, and sums over dim 1 and dim 0 of 4096 x 4096.
#include <ember/ember.h>

#include "bench_common.h"
#include "ember_workloads.h"

namespace ember_bench {

void w7() {
  const int64_t n = 4096;
  ember::Tensor x = (ember::sin(ember::arange(n * n, ember::kFloat32) * 0.7) * 2.0).view({n, n});
  ember::Tensor flat = x.view({n * n});
  const double bytes = 4.0 * n * n;
  auto report = [&](const char* name, const std::function<void()>& op) {
    auto t = bench::time_per_call([&](long iters) {
      for (long i = 0; i < iters; ++i) op();
    }, 0.3);
    bench::emit("ember", name, {{"gbps", bench::map(t, [&](double s) { return bytes / s * 1e-9; })}});
  };
  report("W7.sum_all", [&] { ember::Tensor s = flat.sum(); });
  report("W7.sum_dim1", [&] { ember::Tensor s = x.sum({1}); });
  report("W7.sum_dim0", [&] { ember::Tensor s = x.sum({0}); });
}

}  // namespace ember_bench
