#pragma once
// Shared harness of ember's benchmark program (ember_bench) and its LibTorch peer
// (peer_libtorch): argument parsing, the thread environment, timing with calibrated
// iteration counts, and the JSON line format that compare.py reads:
//   {"impl": ..., "bench": ..., "threads": N, "metrics": {name: {"median", "min", "max"}}}
// Nothing in here knows either library; the workloads live in each program.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace bench {

struct Options {
  int threads = 1;          // 0: leave the library's defaults and the environment alone
  bool quick = false;       // smoke run: fewer repetitions, shorter timing windows
  int reps = 0;             // repetitions per metric (0: 5, or 3 with --quick)
  std::string only;         // comma-separated workload ids (W1,W5,W6,W7); empty: all
  std::string probe_op;     // --probe OP N: untimed loop for callgrind
  long probe_n = 0;
  bool keep_env = false;
};

inline Options& opts() {
  static Options o;
  return o;
}

inline int reps() { return opts().reps ? opts().reps : (opts().quick ? 3 : 5); }

inline bool wanted(const std::string& id) {
  if (opts().only.empty()) return true;
  return ("," + opts().only + ",").find("," + id + ",") != std::string::npos;
}

// Parses the command line. OpenBLAS and OpenMP read their thread counts when the library
// loads, so when the environment disagrees with --threads the program sets both variables
// and re-executes itself (--keep-env skips that, e.g. under valgrind).
inline void parse_args(int argc, char** argv, const char* prog) {
  Options& o = opts();
  for (int i = 1; i < argc; ++i) {
    std::string s = argv[i];
    if (s == "--threads" && i + 1 < argc) o.threads = std::atoi(argv[++i]);
    else if (s == "--quick") o.quick = true;
    else if (s == "--reps" && i + 1 < argc) o.reps = std::atoi(argv[++i]);
    else if (s == "--only" && i + 1 < argc) o.only = argv[++i];
    else if (s == "--keep-env") o.keep_env = true;
    else if (s == "--probe" && i + 2 < argc) {
      o.probe_op = argv[++i];
      o.probe_n = std::atol(argv[++i]);
    } else {
      std::fprintf(stderr,
                   "usage: %s [--threads N] [--quick] [--reps R] [--only W1,W5,W6,W7] [--keep-env] "
                   "[--probe OP N]\n",
                   prog);
      std::exit(2);
    }
  }
  if (!o.keep_env && o.threads > 0) {
    const std::string want = std::to_string(o.threads);
    const char* ob = std::getenv("OPENBLAS_NUM_THREADS");
    const char* om = std::getenv("OMP_NUM_THREADS");
    if (!ob || want != ob || !om || want != om) {
      setenv("OPENBLAS_NUM_THREADS", want.c_str(), 1);
      setenv("OMP_NUM_THREADS", want.c_str(), 1);
      execv("/proc/self/exe", argv);
      std::perror("execv");  // fall through with the current environment
    }
  }
}

inline double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Seconds per call of f: one warm-up call, an iteration count calibrated so that one
// repetition lasts about `window` seconds, then reps() repetitions.
inline std::vector<double> time_per_call(const std::function<void(long)>& f, double window = 0.25) {
  if (opts().quick) window /= 5;
  f(1);
  double t0 = now_s();
  f(1);
  double one = std::max(now_s() - t0, 1e-9);
  long iters = std::max<long>(1, static_cast<long>(window / one));
  std::vector<double> out;
  for (int r = 0; r < reps(); ++r) {
    t0 = now_s();
    f(iters);
    out.push_back((now_s() - t0) / iters);
  }
  return out;
}

inline std::vector<double> map(const std::vector<double>& v, const std::function<double(double)>& g) {
  std::vector<double> o;
  for (double x : v) o.push_back(g(x));
  return o;
}

using Metrics = std::vector<std::pair<std::string, std::vector<double>>>;

inline void emit(const char* impl, const std::string& name, const Metrics& m) {
  std::ostringstream o;
  o.precision(8);
  o << "{\"impl\": \"" << impl << "\", \"bench\": \"" << name << "\", \"threads\": " << opts().threads
    << ", \"metrics\": {";
  for (size_t i = 0; i < m.size(); ++i) {
    const auto& v = m[i].second;
    o << (i ? ", " : "") << "\"" << m[i].first << "\": {\"median\": " << median(v)
      << ", \"min\": " << *std::min_element(v.begin(), v.end()) << ", \"max\": " << *std::max_element(v.begin(), v.end())
      << "}";
  }
  o << "}}";
  std::printf("%s\n", o.str().c_str());
  std::fflush(stdout);
}

// --probe: each op in "op1,op2:N" runs 3 warm-up iterations, getppid(), N iterations,
// getppid(). Under `valgrind --tool=callgrind --dump-before=getppid` the timed loop is
// exactly the second dump, so compare.py reads instructions per op from it.
inline int run_probes(const std::function<std::function<void(long)>(const std::string&)>& make) {
  std::stringstream ss(opts().probe_op);
  std::string item;
  while (std::getline(ss, item, ',')) {
    const auto colon = item.find(':');
    const std::string op = item.substr(0, colon);
    const long n = colon == std::string::npos ? opts().probe_n : std::atol(item.c_str() + colon + 1);
    auto f = make(op);
    if (!f) {
      std::fprintf(stderr, "unknown probe %s\n", op.c_str());
      return 2;
    }
    f(3);
    getppid();
    f(n);
    getppid();
  }
  return 0;
}

}  // namespace bench
