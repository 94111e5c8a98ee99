#pragma once
// The differential runner: each step of a program in ember and in LibTorch on identical
// inputs (Note [Step isolation] in fuzz_ember.h), compared by fuzz_compare.h's rules. This
// header does not include LibTorch; only fuzz_torch.cpp does.
#include <optional>
#include <string>
#include <vector>

#include "fuzz_compare.h"
#include "fuzz_program.h"

namespace fuzz {

struct DiffReport {
  std::optional<Discrepancy> discrepancy;  // the first one; the program stops there
  int error_text_diffs = 0;                // both threw, with different messages
  int limitations = 0;                     // LibTorch lacks a dtype that ember handles
  int known_bug_skips = 0;                 // steps not run in LibTorch (known_torch_bugs)
  int tie_skips = 0;                       // VJPs skipped because sort indices differ on ties
  // "op: ember 'message' vs torch 'message'" (error texts) and "op: torch 'message'" (limitations).
  std::vector<std::string> error_text_examples, limitation_examples;
  std::string listing;                     // with `print`: the program and each step's results
};

// Single-threaded LibTorch and ember (small tensors; deterministic), LibTorch's warnings off.
void setup_libraries();
std::vector<OpSig> op_signatures();
DiffReport run_differential(const Program& program, bool print);

// Note [Known LibTorch bugs]: cases never run in LibTorch, each with its reason.
struct KnownTorchBug {
  const char* op;
  const char* when;
  const char* reason;
};
const std::vector<KnownTorchBug>& known_torch_bugs();

}  // namespace fuzz
