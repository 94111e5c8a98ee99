// SummaryWriter::add_scalar inside a loop: 1M iterations of a small computation with and
// without the call, best of --reps runs; the difference per iteration is what logging costs
// the training thread (encoding and writing happen on the writer thread: Note [Event writer
// thread]). Also reports the time until close() has written everything.
//
//   build/release/benchmarks/bench_tensorboard [--n 1000000] [--reps 3]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <ember/utils/tensorboard/summary_writer.h>

namespace tb = ember::utils::tensorboard;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  int64_t n = 1000000;
  int reps = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--n") n = std::atoll(argv[i + 1]);
    else if (k == "--reps") reps = std::atoi(argv[i + 1]);
  }
  const auto dir = std::filesystem::temp_directory_path() / "ember_bench_tensorboard";
  double best_plain = 1e30, best_logged = 1e30, best_closed = 1e30;
  volatile double sink = 0;
  for (int r = 0; r < reps; ++r) {
    // The loop alone: a running mean, as a training loop keeps its loss.
    auto t0 = Clock::now();
    double mean = 0;
    for (int64_t i = 0; i < n; ++i) mean += (1.0 / static_cast<double>(i + 1) - mean) / static_cast<double>(i + 1);
    sink = mean;
    best_plain = std::min(best_plain, std::chrono::duration<double>(Clock::now() - t0).count());

    std::filesystem::remove_all(dir);
    tb::SummaryWriter writer(dir.string());
    const std::string tag = "train/loss";
    t0 = Clock::now();
    mean = 0;
    for (int64_t i = 0; i < n; ++i) {
      mean += (1.0 / static_cast<double>(i + 1) - mean) / static_cast<double>(i + 1);
      writer.add_scalar(tag, mean, i);
    }
    const double logged = std::chrono::duration<double>(Clock::now() - t0).count();
    writer.close();
    const double closed = std::chrono::duration<double>(Clock::now() - t0).count();
    sink = mean;
    best_logged = std::min(best_logged, logged);
    best_closed = std::min(best_closed, closed);
  }
  std::filesystem::remove_all(dir);
  std::printf("C++ add_scalar, %lld calls (best of %d): loop alone %.3f s, with add_scalar %.3f s "
              "-> %.3f us per call on the training thread; %.3f s until close() wrote every record\n",
              static_cast<long long>(n), reps, best_plain, best_logged,
              (best_logged - best_plain) / static_cast<double>(n) * 1e6, best_closed);
  return sink < 0;
}
