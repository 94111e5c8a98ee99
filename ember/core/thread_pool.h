#pragma once
// ember's intra-op thread pool: the workers behind parallel_for (core/parallel.h).
//
// Note [Threads that yield]
// ember used to run parallel_for on OpenMP (libgomp). libgomp's idle threads spin for
// milliseconds after every parallel region, and its static schedule makes each region wait
// for its slowest thread. On a loaded machine (another busy process, or the Python
// DataLoader's worker processes) that collapses: the main job took 2.6x longer with two
// threads than with one. libgomp reads its spin policy (OMP_WAIT_POLICY, GOMP_SPINCOUNT)
// from the environment when it loads, before any ember code runs, so it cannot be tuned
// from inside. So ember has its own pool, built for sharing a machine:
//  - a region is split into chunks that any thread may claim (one compare-exchange), the
//    calling thread included: a worker that the OS has not scheduled simply gets no chunk,
//    and the caller does the work instead of waiting for it;
//  - an idle worker spins for a bounded time (kSpinMicros), then sleeps on a futex, so it
//    stops competing for a core soon after the work stops;
//  - the caller, once no chunk is left, waits for the chunks still running the same way.
// Chunk boundaries depend only on the range, the grain and the thread count, never on
// which thread runs a chunk, so results are the same run to run. Each thread first runs the
// chunk with its own index, so consecutive ops find their data in the same core's cache
// (Note [Chunks stay on their threads] in thread_pool.cpp).
// The BLAS libraries (oneDNN, OpenBLAS) are OpenMP programs; ember keeps their OpenMP
// thread count at 1 and splits large GEMMs over this pool itself (Note [GEMM threading] in
// cpu/blas.cpp), so one pool owns the cores.
// After fork() the child has no workers (only the forking thread survives): a pthread_atfork
// handler forgets them and the child starts its own when it first needs them, where libgomp
// would hang.
#include <cstdint>

namespace ember::detail {

// Runs fn(ctx, i) for every i in [0, chunks), on the calling thread and up to
// `threads - 1` pool workers, and returns when all have finished. fn must not throw.
// Called with chunks <= 1, or from inside a region (see in_pool_region), it runs
// everything on the calling thread. Regions started concurrently from several threads
// take turns for the workers; a thread that finds the workers busy runs its region alone.
using ChunkFn = void (*)(void* ctx, int64_t chunk);
constexpr int64_t kMaxRegionChunks = 4096;  // chunks per region at most
void run_chunks(int threads, int64_t chunks, ChunkFn fn, void* ctx);

// True on a thread while it runs a chunk (nested parallel_for calls run serially).
bool in_pool_region();

}  // namespace ember::detail
