// ember's intra-op thread pool (Note [Threads that yield] in thread_pool.h).
#include "ember/core/thread_pool.h"

#include <pthread.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "ember/core/error.h"

namespace ember::detail {

namespace {

// How long an idle thread spins before it sleeps. Long enough to bridge the gap between
// two parallel ops of a training step (a few serial small ops), short enough that an idle
// pool gives its cores back almost at once (libgomp spins for milliseconds).
constexpr auto kSpin = std::chrono::microseconds(50);

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Spins until done() or kSpin has passed; returns done().
template <class Done>
bool spin_until(const Done& done) {
  auto deadline = std::chrono::steady_clock::now() + kSpin;
  for (;;) {
    for (int i = 0; i < 64; ++i) {
      if (done()) return true;
      cpu_relax();
    }
    if (std::chrono::steady_clock::now() >= deadline) return done();
  }
}

// The claim word: generation (32 bits) | chunks (16 bits) | next unclaimed chunk (16 bits).
// Claiming a chunk is one compare-exchange on it, which fails when the region has changed
// since the claimer read it: a worker that wakes late can never run a chunk of the next
// region with the previous region's function.
constexpr int64_t kMaxChunks = 0xffff;
constexpr uint64_t claim_word(uint64_t gen, uint64_t chunks, uint64_t next) {
  return (gen << 32) | (chunks << 16) | next;
}

thread_local bool t_in_region = false;

struct Pool {
  std::mutex submit;  // held by the thread whose region the workers are serving
  std::atomic<uint64_t> claim{0};
  std::atomic<ChunkFn> fn{nullptr};
  std::atomic<void*> ctx{nullptr};
  std::atomic<int32_t> remaining{0};  // chunks of the current region not finished yet
  std::atomic<uint32_t> epoch{0};     // bumped per region; idle workers sleep on it
  std::atomic<int32_t> sleepers{0};
  uint32_t generation = 0;  // guarded by submit
  std::vector<std::thread> workers;

  // Claims and runs chunks of the current region until none is left.
  void work() {
    for (;;) {
      uint64_t s = claim.load(std::memory_order_acquire);
      const uint64_t chunks = (s >> 16) & 0xffff, next = s & 0xffff;
      if (next >= chunks) return;
      ChunkFn f = fn.load(std::memory_order_relaxed);
      void* c = ctx.load(std::memory_order_relaxed);
      if (!claim.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel, std::memory_order_relaxed)) continue;
      t_in_region = true;
      f(c, static_cast<int64_t>(next));
      t_in_region = false;
      if (remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) remaining.notify_one();
    }
  }

  void worker_loop() {
    pthread_setname_np(pthread_self(), "ember-worker");
    uint32_t seen = epoch.load(std::memory_order_acquire);
    for (;;) {
      work();
      if (!spin_until([&] { return epoch.load(std::memory_order_relaxed) != seen; })) {
        // Dekker pairing with run_chunks: we announce ourselves before the last look at
        // epoch, it bumps epoch before looking at sleepers, so one of us sees the other.
        sleepers.fetch_add(1, std::memory_order_seq_cst);
        while (epoch.load(std::memory_order_seq_cst) == seen) epoch.wait(seen, std::memory_order_seq_cst);
        sleepers.fetch_sub(1, std::memory_order_relaxed);
      }
      seen = epoch.load(std::memory_order_acquire);
    }
  }

  void ensure_workers(size_t n) {
    while (workers.size() < n) {
      workers.emplace_back([this] { worker_loop(); });
      workers.back().detach();  // the pool lives until the process ends (Note [Threads that yield])
    }
  }
};

// Never destroyed: detached workers may still be waiting on it while the process exits.
Pool* g_pool = nullptr;
std::once_flag g_atfork_once;

Pool& pool() {
  std::call_once(g_atfork_once, [] {
    // In a forked child the workers do not exist: forget them (the old pool's memory is
    // the child's copy, left alone) and start fresh ones on first use.
    pthread_atfork(nullptr, nullptr, [] { g_pool = nullptr; });
  });
  static std::mutex create;
  std::lock_guard<std::mutex> lock(create);
  if (!g_pool) g_pool = new Pool();
  return *g_pool;
}

void run_serially(int64_t chunks, ChunkFn fn, void* ctx) {
  for (int64_t i = 0; i < chunks; ++i) fn(ctx, i);
}

}  // namespace

bool in_pool_region() { return t_in_region; }

void run_chunks(int threads, int64_t chunks, ChunkFn fn, void* ctx) {
  if (chunks <= 1 || threads <= 1 || t_in_region) return run_serially(chunks, fn, ctx);
  EMBER_CHECK(chunks <= kMaxChunks, "run_chunks: at most ", kMaxChunks, " chunks per region, got ", chunks);
  Pool& p = pool();
  std::unique_lock<std::mutex> lock(p.submit, std::try_to_lock);
  if (!lock.owns_lock()) return run_serially(chunks, fn, ctx);  // another thread's region has the workers
  p.ensure_workers(static_cast<size_t>(threads - 1));

  p.fn.store(fn, std::memory_order_relaxed);
  p.ctx.store(ctx, std::memory_order_relaxed);
  p.remaining.store(static_cast<int32_t>(chunks), std::memory_order_relaxed);
  ++p.generation;
  p.claim.store(claim_word(p.generation, static_cast<uint64_t>(chunks), 0), std::memory_order_release);
  p.epoch.fetch_add(1, std::memory_order_seq_cst);
  if (p.sleepers.load(std::memory_order_seq_cst) > 0) p.epoch.notify_all();

  p.work();  // the caller claims chunks too, so a worker that is not running costs nothing
  if (!spin_until([&] { return p.remaining.load(std::memory_order_acquire) == 0; })) {
    for (int32_t r; (r = p.remaining.load(std::memory_order_acquire)) != 0;)
      p.remaining.wait(r, std::memory_order_acquire);
  }
}

}  // namespace ember::detail
