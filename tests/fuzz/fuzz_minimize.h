#pragma once
// Shrinking a failing program (library-agnostic: it only reruns programs through `run`).
//
// Note [Minimization]
// Greedy, to a fixed point: cut the steps after the failing one, drop earlier steps and
// inputs (renumbering the values that referred to them), turn a step's value into an
// input holding what ember computed for it (so the steps before can go), then simplify
// each input: no
// grad, contiguous layout, smaller and fewer dims, a plainer dtype, plainer values. A change
// is kept when the rerun still fails with the same signature (op and kind, anywhere in the
// program). Parameters are redrawn from each step's seed for the new operand shapes
// (Note [Program shape]), so a shrunk input still gets arguments that fit it.
#include <functional>
#include <optional>

#include "fuzz_compare.h"
#include "fuzz_program.h"

namespace fuzz {

using Oracle = std::function<std::optional<Discrepancy>(const Program&)>;
// The value number `v` of a program as a contiguous input recipe (what ember computes for
// it), so a step can be cut loose from the steps that made its operands.
using ValueOf = std::function<TensorSpec(const Program&, int v)>;

// Returns the smallest program found (and its discrepancy in `found`) within `max_runs`.
Program minimize(const Program& program, const Discrepancy& target, const Oracle& run, const ValueOf& value_of,
                 Discrepancy& found, int max_runs = 3000);

}  // namespace fuzz
