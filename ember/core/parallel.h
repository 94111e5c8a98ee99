#pragma once
// Threading. ember runs its kernels on one thread pool of its own (Note [Threads that
// yield] in thread_pool.h), and its GEMMs too: the BLAS libraries run single-threaded on
// chunks that ember's pool hands out (Note [GEMM threading] in cpu/blas.cpp), so the cores
// are never oversubscribed (DESIGN.md measured PyTorch's OpenMP + OpenBLAS threads
// fighting at 2.3x slowdown).
#include <cstdint>

namespace ember {

// torch.set_num_threads / get_num_threads: the most threads one op uses (the calling
// thread included). The default is OMP_NUM_THREADS when set, else the cores this process may
// run on, as in PyTorch.
void set_num_threads(int n);
int get_num_threads();
// True while inside a parallel region (nested parallel_for calls run serially).
bool in_parallel_region();

// Below this many elements an elementwise op runs on one thread (PyTorch's grain size).
constexpr int64_t kGrainSize = 32768;

// Runs f(begin, end) over [begin, end) split into contiguous chunks, one per thread, when
// the range is larger than `grain`; otherwise calls f once on the calling thread. The
// chunk boundaries depend only on the range, grain and thread count. Exceptions thrown by
// f are rethrown on the calling thread (the first one; the other chunks may be skipped).
template <class F>
void parallel_for(int64_t begin, int64_t end, int64_t grain, const F& f);

}  // namespace ember

#include "ember/core/parallel_inl.h"
