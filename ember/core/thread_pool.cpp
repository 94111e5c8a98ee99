// ember's intra-op thread pool (Note [Threads that yield] in thread_pool.h).
#include "ember/core/thread_pool.h"

#include <pthread.h>

#include <algorithm>
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

// Note [Chunks stay on their threads]
// Thread t of a region (the caller is 0, pool worker k is k) first claims chunk t, and only
// then takes chunks nobody has claimed yet, from the last one down. parallel_for cuts every
// op into the same contiguous chunks, so an op's chunk t reads the part of its input that
// chunk t of the op before it wrote, and that part is still in thread t's core's cache. A
// first-come claim (one shared counter) handed chunks to whichever thread asked first; on
// this workplace's 2-core Zen 5 VMs, whose cores do not share a last-level cache, a 4M-element
// bf16 add then ran at 44-60 GB/s on two threads against 53 on one, and at 108 GB/s with
// chunks kept on their threads (the float32 <-> bf16 casts: 94 against 186 GB/s). A worker
// that the OS has not scheduled still costs nothing: its chunk is taken by a thread that
// has finished its own.
// Claims: claimed[c] is the generation of the last region in which chunk c was claimed, and
// claiming chunk c of region g is one compare-exchange from an earlier generation to g.
// Chunks of a finished region are all claimed, so a worker that read a region's generation
// and then slept through its end can claim nothing with it (every chunk it could name is
// marked with that generation or a later one): it never runs a chunk of the next region with
// the previous region's function. Generations are compared modulo 2^32, so they may wrap.
// The region word: generation (32 bits) | threads (16 bits) | chunks (16 bits), read in one
// load, so a thread always sees a region's sizes together with its generation. Workers whose
// index is not below the region's thread count (left from a larger set_num_threads) or its
// chunk count sit it out: every chunk has an owner, and owners take over each other's.
constexpr int64_t kMaxRegionThreads = 0xffff;
constexpr uint64_t region_word(uint64_t gen, uint64_t threads, uint64_t chunks) {
  return (gen << 32) | (threads << 16) | chunks;
}
inline bool before(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b) < 0; }

thread_local bool t_in_region = false;

struct Pool {
  std::mutex submit;  // held by the thread whose region the workers are serving
  std::atomic<uint64_t> region{0};
  std::atomic<ChunkFn> fn{nullptr};
  std::atomic<void*> ctx{nullptr};
  std::atomic<int32_t> remaining{0};  // chunks of the current region not finished yet
  std::atomic<uint32_t> epoch{0};     // bumped per region; idle workers sleep on it
  std::atomic<int32_t> sleepers{0};
  std::atomic<uint32_t> claimed[kMaxRegionChunks] = {};  // Note [Chunks stay on their threads]
  uint32_t generation = 0;  // guarded by submit
  std::vector<std::thread> workers;

  bool claim(int64_t chunk, uint32_t gen) {
    uint32_t seen = claimed[chunk].load(std::memory_order_relaxed);
    while (before(seen, gen))
      if (claimed[chunk].compare_exchange_weak(seen, gen, std::memory_order_acq_rel, std::memory_order_relaxed))
        return true;
    return false;
  }

  // Runs chunk `own` of the current region if nobody has claimed it, then any chunk still
  // unclaimed, until none is left (Note [Chunks stay on their threads]).
  void work(int64_t own) {
    const uint64_t r = region.load(std::memory_order_acquire);
    const uint32_t gen = static_cast<uint32_t>(r >> 32);
    const int64_t threads = static_cast<int64_t>((r >> 16) & 0xffff), chunks = static_cast<int64_t>(r & 0xffff);
    if (own >= threads || own >= chunks) return;  // no chunk of its own: leave the others theirs
    ChunkFn f = fn.load(std::memory_order_relaxed);
    void* c = ctx.load(std::memory_order_relaxed);
    auto run = [&](int64_t chunk) {
      t_in_region = true;
      f(c, chunk);
      t_in_region = false;
      if (remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) remaining.notify_one();
    };
    if (claim(own, gen)) run(own);
    for (int64_t chunk = chunks - 1; chunk >= 0; --chunk)
      if (claim(chunk, gen)) run(chunk);
  }

  void worker_loop(int64_t index) {
    pthread_setname_np(pthread_self(), "ember-worker");
    uint32_t seen = epoch.load(std::memory_order_acquire);
    for (;;) {
      work(index);
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
      const int64_t index = static_cast<int64_t>(workers.size()) + 1;  // the caller is thread 0
      workers.emplace_back([this, index] { worker_loop(index); });
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
  EMBER_CHECK(chunks <= kMaxRegionChunks, "run_chunks: at most ", kMaxRegionChunks, " chunks per region, got ", chunks);
  Pool& p = pool();
  std::unique_lock<std::mutex> lock(p.submit, std::try_to_lock);
  if (!lock.owns_lock()) return run_serially(chunks, fn, ctx);  // another thread's region has the workers
  const int64_t region_threads = std::min<int64_t>(threads, kMaxRegionThreads);
  p.ensure_workers(static_cast<size_t>(region_threads - 1));

  p.fn.store(fn, std::memory_order_relaxed);
  p.ctx.store(ctx, std::memory_order_relaxed);
  p.remaining.store(static_cast<int32_t>(chunks), std::memory_order_relaxed);
  ++p.generation;
  p.region.store(region_word(p.generation, static_cast<uint64_t>(region_threads), static_cast<uint64_t>(chunks)),
                 std::memory_order_release);
  p.epoch.fetch_add(1, std::memory_order_seq_cst);
  if (p.sleepers.load(std::memory_order_seq_cst) > 0) p.epoch.notify_all();

  p.work(0);  // the caller claims chunks too, so a worker that is not running costs nothing
  if (!spin_until([&] { return p.remaining.load(std::memory_order_acquire) == 0; })) {
    for (int32_t r; (r = p.remaining.load(std::memory_order_acquire)) != 0;)
      p.remaining.wait(r, std::memory_order_acquire);
  }
}

}  // namespace ember::detail
