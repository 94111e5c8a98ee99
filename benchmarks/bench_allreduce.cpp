// bench_allreduce: all_reduce(SUM) of float32 buffers through ember's ProcessGroup (the comm
// thread, Note [Comm thread]) against a bare MPI_Allreduce of the same buffer in the same run,
// interleaved round by round so both see the same machine. Run under mpirun (compare_distributed.py
// does, with single-copy on and off):
//   mpirun -np 2 --bind-to none build/release/benchmarks/bench_allreduce [--rounds 15] [--quick] [--bytes N]
// Prints one JSON line per size (rank 0 only):
//   {"bench": "allreduce", "bytes": n, "ranks": p, "ember_us": t, "ember_async_us": t, "mpi_us": t,
//    "ratio": mpi_us/ember_us, "ratio_async": mpi_us/ember_async_us, "ember_algbw_GBps": ..., ...,
//    "mpi_burst_us": t, "ratio_async_burst": mpi_burst_us/ember_async_us}
// ember_us: blocking dist::all_reduce (runs on the calling thread when the group is idle);
// ember_async_us: per op in bursts of 4 async_op=true all_reduces waited together, which go
// through the comm thread as DDP's buckets do; mpi_burst_us: bare MPI_Allreduce over the same four
// buffers in turn (ratio_async_burst = mpi_burst_us / ember_async_us compares the async path with
// bare MPI on the same buffers). Times are medians over rounds of the slowest
// rank's time per call (a barrier before each block); ratio = bandwidth ember / bare MPI; the
// *_min fields are the best round of each (the least disturbed on a shared machine).
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <ember/ember.h>

namespace dist = ember::distributed;

namespace {

double now_us() {
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// The slowest rank's time: what the job waits for.
double slowest(double t) {
  double m = 0;
  MPI_Allreduce(&t, &m, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = 15;
  bool quick = false;
  // Latency sizes (the cost model's alpha) and the bandwidth sizes (1, 25, 100 MiB).
  std::vector<int64_t> sizes = {4, 64, 1024, 16384, 262144, 1 << 20, 25 << 20, 100 << 20};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--rounds" && i + 1 < argc) rounds = std::atoi(argv[++i]);
    else if (a == "--quick") quick = true;
    else if (a == "--bytes" && i + 1 < argc) sizes = {std::atoll(argv[++i])};  // one size only
  }
  if (quick) rounds = std::min(rounds, 5);
  dist::init_process_group();  // initialises MPI (MPI_THREAD_MULTIPLE)
  const int rank = dist::get_rank(), p = dist::get_world_size();
  const char* sc = std::getenv("OMPI_MCA_btl_vader_single_copy_mechanism");
  if (rank == 0)
    std::fprintf(stderr, "bench_allreduce: %d ranks, vader single copy: %s, %d rounds\n", p, sc ? sc : "default (cma)",
                 rounds);

  for (int64_t bytes : sizes) {
    const int64_t n = bytes / 4;
    ember::Tensor t = ember::ones({n});
    std::vector<float> bare(size_t(n), 1.0f);
    // Calls per timed block: enough that a block lasts about a millisecond or more.
    const int calls = bytes <= 16384 ? (quick ? 200 : 1000) : bytes <= 262144 ? 50 : bytes <= (1 << 20) ? 10 : 1;
    auto time_ember = [&] {
      MPI_Barrier(MPI_COMM_WORLD);
      double t0 = now_us();
      for (int c = 0; c < calls; ++c) dist::all_reduce(t);
      return slowest((now_us() - t0) / calls);
    };
    // The comm-thread path DDP takes: a burst of async ops (buckets) queued, then waited for.
    constexpr int kBurst = 4;
    std::vector<ember::Tensor> burst;
    for (int k = 0; k < kBurst; ++k) burst.push_back(ember::ones({n}));
    auto time_async = [&] {
      MPI_Barrier(MPI_COMM_WORLD);
      double t0 = now_us();
      for (int c = 0; c < calls; ++c) {
        std::vector<dist::WorkPtr> ws;
        for (auto& b : burst) ws.push_back(dist::all_reduce(b, dist::ReduceOp::SUM, nullptr, /*async_op=*/true));
        std::this_thread::yield();
        for (auto& w : ws) w->wait();
      }
      return slowest((now_us() - t0) / (calls * kBurst));
    };
    auto time_mpi = [&] {
      MPI_Barrier(MPI_COMM_WORLD);
      double t0 = now_us();
      for (int c = 0; c < calls; ++c)
        MPI_Allreduce(MPI_IN_PLACE, bare.data(), int(n), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
      return slowest((now_us() - t0) / calls);
    };
    // Bare MPI over the burst's own buffers, one after another: the async path's baseline (four
    // buffers are four times the cache footprint of `bare`).
    auto time_mpi_burst = [&] {
      MPI_Barrier(MPI_COMM_WORLD);
      double t0 = now_us();
      for (int c = 0; c < calls; ++c)
        for (auto& b : burst)
          MPI_Allreduce(MPI_IN_PLACE, b.data_ptr(), int(n), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
      return slowest((now_us() - t0) / (calls * kBurst));
    };
    time_ember();  // warm-up: page faults, vader's buffers
    time_async();
    time_mpi();
    time_mpi_burst();
    std::vector<double> te, ta, tm, tb;
    for (int r = 0; r < rounds; ++r) {
      // Rotate which goes first, so none always follows another.
      for (int k = 0; k < 4; ++k) {
        int which = (k + r) % 4;
        if (which == 0) te.push_back(time_ember());
        if (which == 1) ta.push_back(time_async());
        if (which == 2) tm.push_back(time_mpi());
        if (which == 3) tb.push_back(time_mpi_burst());
      }
    }
    const double e = median(te), a = median(ta), m = median(tm), mb = median(tb);
    // Best of the rounds too: on a shared machine the minimum is the run least disturbed by others.
    const double e0 = *std::min_element(te.begin(), te.end()), a0 = *std::min_element(ta.begin(), ta.end()),
                 m0 = *std::min_element(tm.begin(), tm.end());
    const double algbw_e = bytes / e / 1e3, algbw_m = bytes / m / 1e3;  // GB/s
    const double bus = 2.0 * (p - 1) / p;
    if (rank == 0)
      std::printf("{\"bench\": \"allreduce\", \"bytes\": %lld, \"ranks\": %d, \"single_copy\": \"%s\", "
                  "\"ember_us\": %.2f, \"ember_async_us\": %.2f, \"mpi_us\": %.2f, \"ratio\": %.3f, "
                  "\"ratio_async\": %.3f, \"ember_algbw_GBps\": %.3f, \"ember_busbw_GBps\": %.3f, "
                  "\"mpi_busbw_GBps\": %.3f, \"ember_us_min\": %.2f, \"ember_async_us_min\": %.2f, "
                  "\"mpi_us_min\": %.2f, \"ratio_min\": %.3f, \"ratio_async_min\": %.3f, "
                  "\"mpi_burst_us\": %.2f, \"ratio_async_burst\": %.3f}\n",
                  static_cast<long long>(bytes), p, sc ? sc : "cma", e, a, m, m / e, m / a, algbw_e, algbw_e * bus,
                  algbw_m * bus, e0, a0, m0, m0 / e0, m0 / a0, mb, mb / a);
    std::fflush(stdout);
  }
  dist::destroy_process_group();
  return 0;
}
