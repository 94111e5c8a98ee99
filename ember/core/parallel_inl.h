#pragma once
#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>

#include <omp.h>

namespace ember {

template <class F>
void parallel_for(int64_t begin, int64_t end, int64_t grain, const F& f) {
  if (begin >= end) return;
  int64_t n = end - begin;
  int nthreads = get_num_threads();
  if (nthreads <= 1 || n <= grain || omp_in_parallel()) {
    f(begin, end);
    return;
  }
  int64_t max_chunks = (n + grain - 1) / std::max<int64_t>(grain, 1);
  int chunks = static_cast<int>(std::min<int64_t>(nthreads, max_chunks));
  std::exception_ptr error;
  std::atomic<bool> failed{false};
#pragma omp parallel num_threads(chunks)
  {
    int tid = omp_get_thread_num();
    int64_t per = (n + chunks - 1) / chunks;
    int64_t b = begin + tid * per;
    int64_t e = std::min(end, b + per);
    if (b < e && !failed.load(std::memory_order_relaxed)) {
      try {
        f(b, e);
      } catch (...) {
#pragma omp critical(ember_parallel_error)
        {
          if (!error) error = std::current_exception();
        }
        failed = true;
      }
    }
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace ember
