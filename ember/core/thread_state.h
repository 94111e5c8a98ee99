#pragma once
// Per-thread overrides of two process-wide settings, for threads that must behave like
// PyTorch's DataLoader worker *processes* (ember's workers are threads):
//  - the intra-op thread count (PyTorch's workers call torch.set_num_threads(1)), and
//  - the default generator (each PyTorch worker has its own, seeded base_seed + worker_id).
// Both are RAII guards that restore the previous state of the calling thread only; other
// threads keep seeing the process-wide values (Note [Per-thread overrides]).
#include <cstdint>

#include "ember/core/generator.h"

namespace ember {

// While alive, ops started on this thread use at most n intra-op threads (n = 1: they run
// serially, GEMMs included).
class IntraOpThreadsGuard {
 public:
  explicit IntraOpThreadsGuard(int n);
  ~IntraOpThreadsGuard();
  IntraOpThreadsGuard(const IntraOpThreadsGuard&) = delete;
  IntraOpThreadsGuard& operator=(const IntraOpThreadsGuard&) = delete;

 private:
  int prev_override_;
};

// While alive, default_generator() (and so every random op given no generator, and
// manual_seed) on this thread uses `gen` instead of the process-wide generator.
class DefaultGeneratorGuard {
 public:
  explicit DefaultGeneratorGuard(Generator gen);
  ~DefaultGeneratorGuard();
  DefaultGeneratorGuard(const DefaultGeneratorGuard&) = delete;
  DefaultGeneratorGuard& operator=(const DefaultGeneratorGuard&) = delete;

 private:
  Generator gen_;
  Generator* prev_;
};

}  // namespace ember
