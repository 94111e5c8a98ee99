#pragma once
#include <algorithm>
#include <atomic>
#include <exception>

#include "ember/core/thread_pool.h"

namespace ember {

template <class F>
void parallel_for(int64_t begin, int64_t end, int64_t grain, const F& f) {
  if (begin >= end) return;
  const int64_t n = end - begin;
  const int nthreads = get_num_threads();
  if (nthreads <= 1 || n <= grain || detail::in_pool_region()) {
    f(begin, end);
    return;
  }
  const int64_t max_chunks = (n + grain - 1) / std::max<int64_t>(grain, 1);
  const int64_t chunks = std::min<int64_t>({nthreads, max_chunks, detail::kMaxRegionChunks});
  struct Region {
    const F* f;
    int64_t begin, end, per;
    std::exception_ptr error;
    std::atomic<bool> failed{false};
  } region{&f, begin, end, (n + chunks - 1) / chunks, {}};
  detail::run_chunks(nthreads, chunks, [](void* ctx, int64_t chunk) {
    auto& r = *static_cast<Region*>(ctx);
    const int64_t b = r.begin + chunk * r.per, e = std::min(r.end, b + r.per);
    if (b >= e || r.failed.load(std::memory_order_relaxed)) return;
    try {
      (*r.f)(b, e);
    } catch (...) {
      // The first failure is kept; run_chunks' completion orders this write before the
      // caller's read below.
      if (!r.failed.exchange(true)) r.error = std::current_exception();
    }
  }, &region);
  if (region.error) std::rethrow_exception(region.error);
}

}  // namespace ember
