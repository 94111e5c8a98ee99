// ember_fuzz_self: the fuzzer's programs run in ember alone (no LibTorch, so it builds in
// the sanitizer preset). It checks what ember can check about itself: nothing crashes or
// reads out of bounds (ASan/UBSan), every output is defined and readable through its
// strides, no integer or bool output requires grad, and every gradient has its input's
// shape and dtype.
#include <cstdio>
#include <optional>

#include "fuzz_cli.h"
#include "fuzz_ember.h"
#include "fuzz_minimize.h"

namespace fuzz {
namespace {

const char* kUsage =
    "usage: ember_fuzz_self [--seeds A:B | --seed N [--print] [--minimize]]\n"
    "                       [--family F,..] [--op NAME,..] [--exclude NAME|FAMILY,..]\n"
    "                       [--time-limit SECONDS] [--quiet] [--trace]\n"
    "Runs random programs in ember alone and checks outputs and gradient shapes/dtypes.\n";

struct SelfResult {
  std::optional<Discrepancy> problem;
  int backward_errors = 0;
  std::string listing;
};

std::string sizes_and_dtype(const Meta& m) { return std::string(dtype_name(m.dtype)) + sizes_str(m.sizes); }

SelfResult run_self(const Program& program, bool print) {
  SelfResult r;
  EmberRun run(program);
  if (print) r.listing += inputs_listing(program);
  auto fail = [&](const EmberStep& s, const std::string& what) {
    r.problem = Discrepancy{s.index, s.op->name, Kind::Crash, what};
  };
  for (int k = 0; k < static_cast<int>(program.steps.size()) && !r.problem; ++k) {
    EmberStep s = run.prepare(k);
    run.forward(s);
    if (print) r.listing += step_listing(s, program);
    if (s.fwd.threw) {
      if (print) r.listing += "//   ember threw: " + error_headline(s.fwd.error) + "\n";
    } else {
      for (size_t j = 0; j < s.fwd.outs.size(); ++j) {
        if (!s.fwd.outs[j].defined()) {
          fail(s, "output " + std::to_string(j) + " is undefined");
          break;
        }
        const Snapshot snap = EmberLib::snapshot(s.fwd.outs[j]);  // reads every element
        if (print) r.listing += "//   ember: " + snapshot_str(snap) + "\n";
        if (snap.requires_grad && !is_floating(snap.dtype)) {
          fail(s, "output " + std::to_string(j) + " is " + dtype_name(snap.dtype) + " yet requires grad");
          break;
        }
      }
    }
    if (!r.problem && run.plan_backward(s)) {
      run.backward(s);
      if (s.bwd.threw) {
        ++r.backward_errors;
        if (print) r.listing += "//   backward threw: " + error_headline(s.bwd.error) + "\n";
      } else {
        for (size_t j = 0; j < s.grad_ins.size() && !r.problem; ++j) {
          const ember::Tensor& g = j < s.bwd.grads.size() ? s.bwd.grads[j] : ember::Tensor();
          if (!g.defined()) continue;
          const Meta in = meta_of(s.args[s.grad_ins[j]]), gm = meta_of(g);
          if (in.dtype != gm.dtype || in.sizes != gm.sizes)
            fail(s, "gradient of argument " + std::to_string(s.grad_ins[j]) + " is " + sizes_and_dtype(gm) +
                        ", the argument " + sizes_and_dtype(in));
          const Snapshot snap = EmberLib::snapshot(g);
          if (print) r.listing += "//   grad of argument " + std::to_string(s.grad_ins[j]) + ": " + snapshot_str(snap) + "\n";
        }
      }
    }
    run.commit(s);
  }
  return r;
}

int main_impl(int argc, char** argv) {
  const Options o = parse_options(argc, argv, kUsage);
  ember::set_num_threads(1);
  const auto sigs = signatures<EmberLib>();
  const auto allowed = allowed_ops(sigs, o);
  const double start = now_seconds();
  int64_t problems = 0, backward_errors = 0;
  const SeedLoop loop = for_each_seed(o, sigs, allowed, start, [&](uint64_t seed, const Program& program) {
    SelfResult r = run_self(program, o.print && !o.minimize);
    backward_errors += r.backward_errors;
    if (o.print && !o.minimize) std::fputs(r.listing.c_str(), stdout);
    if (!r.problem) {
      if (o.minimize) std::printf("seed %llu shows no problem; nothing to minimize\n", static_cast<unsigned long long>(seed));
      return;
    }
    ++problems;
    print_failure("ember_fuzz_self", seed, *r.problem, o);
    if (o.minimize) {
      Discrepancy found;
      const Program small = minimize(program, *r.problem, [](const Program& p) { return run_self(p, false).problem; },
                                     value_as_spec, found);
      std::printf("minimal program (%s):\n%s", found.detail.c_str(), run_self(small, true).listing.c_str());
    }
  });
  const int64_t programs = loop.programs;
  const bool stopped = loop.stopped;
  if (stopped)
    std::printf("fuzz-self: stopped by --time-limit after %lld of %llu programs\n", static_cast<long long>(programs),
                static_cast<unsigned long long>(o.last - o.first));
  std::printf("fuzz-self: %lld programs, %lld problems, %lld backward errors, in %.1f s\n",
              static_cast<long long>(programs), static_cast<long long>(problems),
              static_cast<long long>(backward_errors), now_seconds() - start);
  return problems ? 1 : 0;
}

}  // namespace
}  // namespace fuzz

int main(int argc, char** argv) { return fuzz::main_impl(argc, argv); }
