// ember_fuzz: random programs run in ember and LibTorch side by side (fuzz_torch.h).
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <string>

#include "fuzz_cli.h"
#include "fuzz_ember.h"
#include "fuzz_minimize.h"
#include "fuzz_torch.h"

namespace fuzz {
namespace {

const char* kUsage =
    "usage: ember_fuzz [--seeds A:B | --seed N [--print] [--minimize]]\n"
    "                  [--family F,..] [--op NAME,..] [--exclude NAME|FAMILY,..]\n"
    "                  [--time-limit SECONDS] [--quiet] [--trace] [--examples N] [--known-bugs]\n"
    "Runs random programs in ember and LibTorch and compares every step's results and\n"
    "gradients. --seeds A:B runs seeds A..B-1 (default 0:1000); --seed N --print replays one\n"
    "with its listing; --seed N --minimize shrinks it. Exits 1 on any discrepancy.\n";

// Distinct examples, at most `limit` per op.
void print_examples(const char* title, const std::vector<std::string>& all, int limit) {
  if (all.empty() || limit <= 0) return;
  std::map<std::string, int> per_op;
  std::set<std::string> seen;
  std::printf("%s:\n", title);
  for (const auto& e : all) {
    const std::string op = e.substr(0, e.find(':'));
    if (seen.count(e) || per_op[op] >= limit) continue;
    seen.insert(e);
    ++per_op[op];
    std::printf("  %s\n", e.c_str());
  }
}

int main_impl(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::string(argv[i]) == "--known-bugs") {
      for (const auto& b : known_torch_bugs()) std::printf("%s, when %s: %s\n", b.op, b.when, b.reason);
      return 0;
    }
  const Options o = parse_options(argc, argv, kUsage);
  setup_libraries();
  const auto sigs = op_signatures();
  const auto allowed = allowed_ops(sigs, o);
  const double start = now_seconds();
  int64_t failures = 0, text_diffs = 0, limitations = 0, skips = 0, ties = 0;
  std::vector<std::string> text_examples, limitation_examples;
  std::map<std::string, int> by_signature;
  const SeedLoop loop = for_each_seed(o, sigs, allowed, start, [&](uint64_t seed, const Program& program) {
    DiffReport r = run_differential(program, o.print && !o.minimize);
    text_diffs += r.error_text_diffs;
    limitations += r.limitations;
    skips += r.known_bug_skips;
    ties += r.tie_skips;
    text_examples.insert(text_examples.end(), r.error_text_examples.begin(), r.error_text_examples.end());
    limitation_examples.insert(limitation_examples.end(), r.limitation_examples.begin(),
                               r.limitation_examples.end());
    if (o.print && !o.minimize) std::fputs(r.listing.c_str(), stdout);
    if (!r.discrepancy) {
      if (o.minimize)
        std::printf("seed %llu shows no discrepancy; nothing to minimize\n", static_cast<unsigned long long>(seed));
      return;
    }
    ++failures;
    ++by_signature[r.discrepancy->signature()];
    print_failure("ember_fuzz", seed, *r.discrepancy, o);
    if (o.minimize) {
      Discrepancy found;
      const Program small = minimize(
          program, *r.discrepancy, [](const Program& p) { return run_differential(p, false).discrepancy; }, value_as_spec, found);
      std::printf("minimal program (step %d %s: %s: %s):\n%s", found.step, found.op.c_str(), kind_name(found.kind),
                  found.detail.c_str(), run_differential(small, true).listing.c_str());
    }
  });
  const int64_t programs = loop.programs;
  const bool stopped = loop.stopped;
  const double elapsed = now_seconds() - start;
  if (!o.quiet) {
    print_examples("error-text differences (both threw)", text_examples, o.examples);
    print_examples("LibTorch dtype limitations (ember computed a result)", limitation_examples, o.examples);
  }
  if (by_signature.size() > 1 || (failures && !o.single)) {
    std::printf("discrepancies by op/kind:");
    for (const auto& [sig, n] : by_signature) std::printf(" %s %d;", sig.c_str(), n);
    std::printf("\n");
  }
  if (stopped)
    std::printf("fuzz: stopped by --time-limit after %lld of %llu programs\n", static_cast<long long>(programs),
                static_cast<unsigned long long>(o.last - o.first));
  std::printf("fuzz: %lld programs, %lld discrepancies, %lld error-text differences, %lld torch limitations, in %.1f s\n",
              static_cast<long long>(programs), static_cast<long long>(failures), static_cast<long long>(text_diffs),
              static_cast<long long>(limitations), elapsed);
  if (!o.quiet)
    std::printf("fuzz: %lld steps not run in LibTorch (known LibTorch bugs), %lld VJPs skipped on tied sort indices, "
                "%.1f programs/s\n",
                static_cast<long long>(skips), static_cast<long long>(ties), programs / std::max(elapsed, 1e-9));
  return failures ? 1 : 0;
}

}  // namespace
}  // namespace fuzz

int main(int argc, char** argv) { return fuzz::main_impl(argc, argv); }
