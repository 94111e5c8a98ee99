#pragma once
// Command-line handling shared by ember_fuzz and ember_fuzz_self.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "fuzz_compare.h"
#include "fuzz_program.h"

namespace fuzz {

struct Options {
  uint64_t first = 0, last = 1000;  // --seeds A:B runs [A, B)
  bool single = false;              // --seed N
  bool print = false;               // --print
  bool minimize = false;            // --minimize
  bool quiet = false;               // --quiet
  bool trace = false;               // --trace: name each seed on stderr before running it
  double time_limit = 0;            // --time-limit SECONDS (0: none)
  int examples = 5;                 // --examples N: error-text / limitation examples shown
  std::vector<std::string> families, ops;  // --family a,b / --op a,b
  std::vector<std::string> excluded;       // --exclude a,b (ops or families)
};

// Parses argv; prints `usage` and exits on --help or a bad argument.
Options parse_options(int argc, char** argv, const char* usage);
// The catalogue indices the options allow; exits naming the valid choices on an unknown name.
std::vector<int> allowed_ops(const std::vector<OpSig>& sigs, const Options& o);
// The flags that select the same programs again (--family / --op / --exclude), for replay
// commands.
std::string selection_flags(const Options& o);

double now_seconds();

// The seed loop both tools share: generates the program of each seed of `o` in order and
// hands it to `run_one(seed, program)`, stopping early at --time-limit (and naming each
// seed on stderr with --trace).
struct SeedLoop {
  int64_t programs = 0;
  bool stopped = false;  // by --time-limit
};
template <class F>
SeedLoop for_each_seed(const Options& o, const std::vector<OpSig>& sigs, const std::vector<int>& allowed,
                       double start, F&& run_one) {
  SeedLoop loop;
  for (uint64_t seed = o.first; seed < o.last; ++seed) {
    if (o.time_limit > 0 && now_seconds() - start > o.time_limit) {
      loop.stopped = true;
      break;
    }
    if (o.trace) std::fprintf(stderr, "seed %llu\n", static_cast<unsigned long long>(seed));
    const Program program = generate(seed, sigs, allowed);
    ++loop.programs;
    run_one(seed, program);
  }
  return loop;
}

// "seed N: step K op: kind: detail" and the replay command for `tool`.
void print_failure(const char* tool, uint64_t seed, const Discrepancy& d, const Options& o);

}  // namespace fuzz
