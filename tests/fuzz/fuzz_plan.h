#pragma once
// Helpers the op planners share (library-agnostic): picking dims, shapes that broadcast,
// index tensors in range, shapes with the same number of elements.
//
// Note [Mostly valid arguments]
// A planner draws valid arguments most of the time and invalid ones (a dim out of range,
// an index past the end, shapes that do not broadcast) a few percent of the time: the
// valid ones test values and gradients, the invalid ones test that both libraries throw.
#include <cstdint>
#include <vector>

#include "fuzz_program.h"

namespace fuzz {

constexpr double kBadArg = 0.03;  // chance of an invalid argument (Note [Mostly valid arguments])

// A dim of a rank-r tensor, negative half the time; 0-dim tensors accept 0 and -1.
int64_t pick_dim(Rng& rng, int64_t rank, double bad = kBadArg);
// A dim of a rank-(r+1) result (unsqueeze, stack).
int64_t pick_new_dim(Rng& rng, int64_t rank);
// A list of distinct dims in random order (sometimes empty; rarely a repeat).
std::vector<int64_t> pick_dims(Rng& rng, int64_t rank, bool allow_empty = true);
int64_t wrap_dim(int64_t d, int64_t rank);  // for planners that need the actual dim

// Sizes that broadcast with `sizes` (a suffix, ones in places, extra leading dims); rarely not.
std::vector<int64_t> broadcast_partner(Rng& rng, const std::vector<int64_t>& sizes);
bool broadcastable(const std::vector<int64_t>& a, const std::vector<int64_t>& b);
std::vector<int64_t> broadcast_shape(const std::vector<int64_t>& a, const std::vector<int64_t>& b);

// A dtype for a second operand: the same as `like` most of the time.
DType partner_dtype(Rng& rng, DType like);
// A fresh tensor operand; floating ones require grad some of the time.
TensorSpec aux_tensor(Rng& rng, DType dtype, const std::vector<int64_t>& sizes, Values values = Values::Mixed,
                      bool allow_layouts = true);

// An index tensor (int64, sometimes int32 when int32_ok) with values in [lo, hi], rarely
// one outside.
TensorSpec index_tensor(Rng& rng, const std::vector<int64_t>& sizes, int64_t lo, int64_t hi, bool int32_ok = false);
// A bool mask of the given sizes.
TensorSpec mask_tensor(Rng& rng, const std::vector<int64_t>& sizes);

// A shape with the same number of elements (merging and splitting dims, adding ones), with
// one -1 sometimes; rarely a wrong one.
std::vector<int64_t> reshape_target(Rng& rng, const std::vector<int64_t>& sizes);

int64_t numel_of(const std::vector<int64_t>& sizes);

}  // namespace fuzz
