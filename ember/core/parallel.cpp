#include "ember/core/parallel.h"

#include <cstdlib>

#include "ember/core/error.h"

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
}  // namespace

void set_num_threads(int n) {
  EMBER_CHECK(n > 0, "set_num_threads expects a positive integer");
  g_num_threads = n;
  omp_set_num_threads(n);
  openblas_set_num_threads(n);
}

int get_num_threads() { return g_num_threads; }

bool in_parallel_region() { return omp_in_parallel(); }

}  // namespace ember
