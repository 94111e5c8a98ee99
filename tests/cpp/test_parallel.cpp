// ember's thread pool (Note [Threads that yield] in core/thread_pool.h) and the GEMM split
// over it (Note [GEMM threading] in cpu/blas.cpp).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <dirent.h>
#include <dlfcn.h>
#include <fstream>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <ember/ember.h>

using namespace ember;

namespace {

// Sets the intra-op thread count for one test and restores it.
struct Threads {
  int saved = get_num_threads();
  explicit Threads(int n) { set_num_threads(n); }
  ~Threads() { set_num_threads(saved); }
};

std::vector<std::pair<int64_t, int64_t>> chunks_of(int64_t begin, int64_t end, int64_t grain) {
  std::mutex m;
  std::vector<std::pair<int64_t, int64_t>> seen;
  parallel_for(begin, end, grain, [&](int64_t b, int64_t e) {
    std::lock_guard<std::mutex> lock(m);
    seen.emplace_back(b, e);
  });
  std::sort(seen.begin(), seen.end());
  return seen;
}

// The states ('R', 'S', ...) of this process's threads named ember-worker.
std::vector<char> worker_states() {
  std::vector<char> states;
  DIR* dir = opendir("/proc/self/task");
  if (!dir) return states;
  while (dirent* d = readdir(dir)) {
    if (d->d_name[0] == '.') continue;
    std::string base = std::string("/proc/self/task/") + d->d_name;
    std::ifstream comm(base + "/comm");
    std::string name;
    std::getline(comm, name);
    if (name != "ember-worker") continue;
    std::ifstream stat(base + "/stat");
    std::string line;
    std::getline(stat, line);
    auto close = line.rfind(')');  // "pid (comm) S ..."
    if (close != std::string::npos && close + 2 < line.size()) states.push_back(line[close + 2]);
  }
  closedir(dir);
  return states;
}

}  // namespace

TEST(Parallel, ChunksCoverTheRangeOnceWithFixedBoundaries) {
  Threads t(3);
  auto first = chunks_of(5, 100005, 1000);
  ASSERT_EQ(first.size(), 3u);
  int64_t next = 5;
  for (auto [b, e] : first) {
    EXPECT_EQ(b, next);
    next = e;
  }
  EXPECT_EQ(next, 100005);
  for (int rep = 0; rep < 50; ++rep) EXPECT_EQ(chunks_of(5, 100005, 1000), first);
  // Ranges at or below the grain run once on the calling thread.
  EXPECT_EQ(chunks_of(0, 1000, 1000), (std::vector<std::pair<int64_t, int64_t>>{{0, 1000}}));
  EXPECT_TRUE(chunks_of(7, 7, 1).empty());
}

TEST(Parallel, RunsOnSeveralThreadsAndNestsSerially) {
  Threads t(2);
  std::mutex m;
  std::set<std::thread::id> ids;
  std::atomic<int> nested_calls{0}, inside{0};
  // Enough rounds that the worker surely takes a chunk at least once.
  for (int round = 0; round < 200 && ids.size() < 2; ++round) {
    parallel_for(0, 2, 1, [&](int64_t, int64_t) {
      if (in_parallel_region()) ++inside;
      {
        std::lock_guard<std::mutex> lock(m);
        ids.insert(std::this_thread::get_id());
      }
      parallel_for(0, 1 << 20, 1, [&](int64_t b, int64_t e) {
        EXPECT_EQ(b, 0);  // nested: one call over the whole range
        EXPECT_EQ(e, 1 << 20);
        ++nested_calls;
      });
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    });
  }
  EXPECT_EQ(ids.size(), 2u);
  EXPECT_EQ(nested_calls.load(), inside.load());
  EXPECT_FALSE(in_parallel_region());
}

TEST(Parallel, IntraOpThreadsGuardKeepsOpsOnTheCallingThread) {
  Threads t(4);
  IntraOpThreadsGuard serial(1);
  std::atomic<int> calls{0};
  parallel_for(0, 1 << 20, 1, [&](int64_t b, int64_t e) {
    EXPECT_EQ(b, 0);
    EXPECT_EQ(e, 1 << 20);
    ++calls;
  });
  EXPECT_EQ(calls.load(), 1);
}

TEST(Parallel, FirstExceptionReachesTheCaller) {
  Threads t(2);
  for (int rep = 0; rep < 20; ++rep) {
    try {
      parallel_for(0, 4, 1, [&](int64_t b, int64_t) {
        if (b >= 2) throw std::runtime_error("chunk failed");
      });
      FAIL() << "expected the chunk's exception";
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "chunk failed");
    }
  }
  // The pool still works afterwards.
  EXPECT_EQ(chunks_of(0, 10, 1).size(), 2u);
}

TEST(Parallel, ConcurrentCallersAllFinish) {
  Threads t(2);
  std::vector<std::thread> callers;
  std::atomic<int64_t> total{0};
  for (int c = 0; c < 4; ++c)
    callers.emplace_back([&] {
      for (int rep = 0; rep < 200; ++rep)
        parallel_for(0, 1000, 10, [&](int64_t b, int64_t e) { total += e - b; });
    });
  for (auto& th : callers) th.join();
  EXPECT_EQ(total.load(), 4 * 200 * 1000);
  // Tensor ops from several threads at once give the same answers as from one.
  Tensor x = arange(1 << 18, kFloat64);
  const double want = x.sum().item<double>();
  std::vector<std::thread> summers;
  std::atomic<int> wrong{0};
  for (int c = 0; c < 3; ++c)
    summers.emplace_back([&] {
      for (int rep = 0; rep < 20; ++rep)
        if ((x * 1.0).sum().item<double>() != want) ++wrong;
    });
  for (auto& th : summers) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

// Chunk t of every region runs on thread t while all threads are running (Note [Chunks stay
// on their threads]), so consecutive ops find their data in the cache of the core that wrote
// it. Each chunk waits until both have started, so both threads take part in every region.
TEST(Parallel, ChunksStayOnTheirThreads) {
  Threads t(2);
  const auto caller = std::this_thread::get_id();
  std::thread::id chunk1_thread;
  int regions_on_caller = 0, regions_elsewhere = 0, chunk1_moved = 0;
  for (int rep = 0; rep < 200; ++rep) {
    std::atomic<int> started{0};
    std::thread::id ran[2];
    parallel_for(0, 2, 1, [&](int64_t b, int64_t e) {
      ASSERT_EQ(e - b, 1);
      ran[b] = std::this_thread::get_id();
      started.fetch_add(1);
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
      while (started.load() < 2 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
    });
    ASSERT_EQ(started.load(), 2);
    (ran[0] == caller ? regions_on_caller : regions_elsewhere)++;
    if (rep > 0 && ran[1] != chunk1_thread) ++chunk1_moved;
    chunk1_thread = ran[1];
  }
  EXPECT_EQ(regions_on_caller, 200) << "chunk 0 ran on a worker " << regions_elsewhere << " times";
  EXPECT_NE(chunk1_thread, caller);
  EXPECT_EQ(chunk1_moved, 0) << "chunk 1 changed threads";
}

// Idle workers must give their cores back (sleep), not spin: the point of the pool.
TEST(Parallel, IdleWorkersSleep) {
  Threads t(2);
  for (int rep = 0; rep < 10; ++rep) chunks_of(0, 100, 1);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  std::vector<char> states;
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    states = worker_states();
    bool all_asleep = !states.empty() && std::all_of(states.begin(), states.end(), [](char s) { return s == 'S'; });
    if (all_asleep || std::chrono::steady_clock::now() > deadline) break;
  }
  ASSERT_FALSE(states.empty()) << "no ember-worker threads found";
  for (char s : states) EXPECT_EQ(s, 'S') << "an idle worker is still running";
}

// A forked child (the Python DataLoader's workers) gets a working pool of its own.
TEST(Parallel, PoolWorksInAForkedChild) {
  Threads t(2);
  EXPECT_EQ(chunks_of(0, 10, 1).size(), 2u);  // the parent's workers exist
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    alarm(20);  // a hang fails the test instead of stalling the suite
    bool ok = chunks_of(0, 10, 1).size() == 2;
    Tensor x = arange(1 << 18, kFloat64);
    ok = ok && (x * 2).sum().item<double>() == 2 * x.sum().item<double>();
    _exit(ok ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "the child was killed (signal " << WTERMSIG(status) << ")";
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

// A GEMM large enough to be split over threads gives what one thread gives.
TEST(Parallel, SplitGemmMatchesOneThread) {
  manual_seed(0);
  for (auto dt : {kFloat32, kFloat64}) {
    Tensor a = randn({300, 200}, TensorOptions(dt)), b = randn({200, 150}, TensorOptions(dt));
    Tensor wide_b = randn({200, 700}, TensorOptions(dt)), v = randn({200}, TensorOptions(dt));
    Tensor big = randn({2000, 400}, TensorOptions(dt)), u = randn({2000}, TensorOptions(dt));
    Tensor one_mm, one_wide, one_t, one_mv, one_tmv;
    {
      Threads t(1);
      one_mm = a.mm(b);
      one_wide = a.mm(wide_b);
      one_t = a.t().t().mm(b.t().contiguous().t());
      one_mv = mv(big, v.repeat({2}));
      one_tmv = mv(big.t(), u);
    }
    Threads t(2);
    const double tol = dt == kFloat32 ? 1e-4 : 1e-12;
    EXPECT_TRUE(allclose(a.mm(b), one_mm, tol, tol));            // split by rows
    EXPECT_TRUE(allclose(a.mm(wide_b), one_wide, tol, tol));     // split by columns
    EXPECT_TRUE(allclose(a.t().contiguous().t().mm(b.t().contiguous().t()), one_t, tol, tol));  // transposed operands
    EXPECT_TRUE(allclose(mv(big, v.repeat({2})), one_mv, tol, tol));  // GEMV split by rows
    EXPECT_TRUE(allclose(mv(big.t(), u), one_tmv, tol, tol));          // of a transposed matrix
  }
}

// bf16 products split by rows, by columns (b larger than a and c together: a Linear layer's
// forward pass) and with too few rows for two blocks (Note [Splitting a bf16 GEMM]) give what
// one thread gives, up to one bf16 rounding step: each element is a k-long float32 sum rounded
// once, but oneDNN may block the sum differently for a narrower block of columns.
TEST(Parallel, SplitBf16GemmMatchesOneThread) {
  manual_seed(0);
  Tensor x = randn({128, 784}).to(kBFloat16), w = randn({512, 784}).to(kBFloat16);
  Tensor g = randn({128, 512}).to(kBFloat16), narrow_x = randn({32, 2048}).to(kBFloat16);
  Tensor wide_w = randn({1000, 2048}).to(kBFloat16);
  auto products = [&] {
    return std::vector<Tensor>{g.t().mm(x),              // rows (a weight gradient)
                               x.mm(w.t()),              // columns (b is the weight)
                               g.mm(w),                  // columns (an input gradient)
                               narrow_x.mm(wide_w.t())}; // 32 rows: columns
  };
  std::vector<Tensor> one;
  {
    Threads t(1);
    one = products();
  }
  Threads t(2);
  auto two = products();
  EXPECT_TRUE(equal(two[0], one[0]));  // row blocks keep each row's blocking
  for (size_t i = 1; i < one.size(); ++i)
    EXPECT_TRUE(allclose(two[i].to(kFloat32), one[i].to(kFloat32), /*rtol=*/1.0 / 128, /*atol=*/1e-3)) << "product " << i;
}

// libgomp's thread count is a per-thread setting that any library in the process may set
// (LibTorch's at::set_num_threads does). ember's GEMMs put it back to one on every call, so
// oneDNN never starts OpenMP threads beside ember's pool (Note [GEMM threading]).
TEST(Parallel, GemmPutsOpenMpBackToOneThread) {
  using SetThreads = void (*)(int);
  using GetThreads = int (*)();
  auto set_omp = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "omp_set_num_threads"));
  auto get_omp = reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "omp_get_max_threads"));
  ASSERT_NE(set_omp, nullptr) << "libember links libgomp (Note [GEMM threading])";
  ASSERT_NE(get_omp, nullptr);
  manual_seed(0);
  Tensor a = randn({256, 256}), b = randn({256, 256});
  Tensor ah = a.to(kBFloat16), bh = b.to(kBFloat16);
  for (int dt = 0; dt < 2; ++dt) {
    Threads t(2);
    (void)(dt ? ah.mm(bh) : a.mm(b));
    set_omp(4);  // what another library does between ember's calls
    (void)(dt ? ah.mm(bh) : a.mm(b));
    EXPECT_EQ(get_omp(), 1) << (dt ? "bfloat16" : "float32");
  }
}
