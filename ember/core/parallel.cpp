#include "ember/core/parallel.h"

#include <sched.h>

#include <algorithm>
#include <cstdlib>
#include <thread>

#include "ember/core/error.h"
#include "ember/core/thread_state.h"

namespace ember {

namespace {
int initial_threads() {
  // OMP_NUM_THREADS like PyTorch; otherwise one thread per core this process may run on
  // (the affinity mask, so `taskset` and container CPU sets are respected).
  if (const char* env = std::getenv("OMP_NUM_THREADS")) {
    int n = std::atoi(env);
    if (n > 0) return n;
  }
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}
int g_num_threads = initial_threads();
// Note [Per-thread overrides]
// 0 = no override. initial-exec TLS is a single %fs-relative load, so reading it on every
// parallel_for costs nothing measurable (the default model would call __tls_get_addr).
__attribute__((tls_model("initial-exec"))) thread_local int t_num_threads_override = 0;
}  // namespace

void set_num_threads(int n) {
  EMBER_CHECK(n > 0, "set_num_threads expects a positive integer");
  g_num_threads = n;
}

int get_num_threads() {
  int o = t_num_threads_override;
  return o > 0 ? o : g_num_threads;
}

IntraOpThreadsGuard::IntraOpThreadsGuard(int n) : prev_override_(t_num_threads_override) {
  EMBER_CHECK(n > 0, "IntraOpThreadsGuard expects a positive thread count, got ", n);
  t_num_threads_override = n;
}

IntraOpThreadsGuard::~IntraOpThreadsGuard() { t_num_threads_override = prev_override_; }

bool in_parallel_region() { return detail::in_pool_region(); }

}  // namespace ember
