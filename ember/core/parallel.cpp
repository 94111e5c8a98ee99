#include "ember/core/parallel.h"

#include <cstdlib>

#include "ember/core/error.h"
#include "ember/core/thread_state.h"

// OpenBLAS's own thread setter (OpenMP build). Declared here rather than including
// cblas.h so core/ does not depend on BLAS headers.
extern "C" void openblas_set_num_threads(int);

namespace ember {

namespace {
int initial_threads() {
  // Respect OMP_NUM_THREADS like PyTorch; otherwise one thread per core.
  return omp_get_max_threads();
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
  omp_set_num_threads(n);
  openblas_set_num_threads(n);
}

int get_num_threads() {
  int o = t_num_threads_override;
  return o > 0 ? o : g_num_threads;
}

IntraOpThreadsGuard::IntraOpThreadsGuard(int n)
    : prev_override_(t_num_threads_override), prev_omp_(omp_get_max_threads()) {
  EMBER_CHECK(n > 0, "IntraOpThreadsGuard expects a positive thread count, got ", n);
  t_num_threads_override = n;
  omp_set_num_threads(n);  // a per-thread OpenMP setting; OpenBLAS's OpenMP build reads it
}

IntraOpThreadsGuard::~IntraOpThreadsGuard() {
  t_num_threads_override = prev_override_;
  omp_set_num_threads(prev_omp_);
}

bool in_parallel_region() { return omp_in_parallel(); }

}  // namespace ember
