#pragma once
// Comparing what the two libraries produced (library-agnostic: it sees Snapshots and error
// texts only).
//
// Note [Tolerances]
// Integers and bool compare exactly. Floating values agree when
//   |e - t| <= atol + rtol * |t|
// with (rtol, atol) chosen by the least precise floating dtype among the op's arguments
// and results (a float64 result computed from float32 operands carries float32 rounding:
// either library may round intermediates in the narrower type, as LibTorch's losses and
// masked_fill's value gradient do): float16 (1e-2, 1e-3), bfloat16 (2e-2, 1e-2),
// float32 (1e-5, 1e-6), float64 (1e-9, 1e-12): a few units in the last place of the
// reduced floats (both libraries compute them in float32 and round once, but may round
// intermediate results differently), and room for a different summation order in the
// others. Ops that accumulate many terms (reductions, scans, matrix products, losses,
// norms, and every gradient) get the tolerance scaled by `loose` relative to the largest
// magnitude involved, S = max(max|t|, scale_floor):
//   |e - t| <= atol + rtol * (|t| + loose * S)
// where loose is 1, or 4 when the precision is float16/bfloat16 (LibTorch accumulates
// some of those in the 8- or 11-bit type itself, ember in float32). scale_floor is what a
// sum's rounding error grows with even where the sum itself cancels to ~0: for a result,
// the largest finite argument magnitude (sum([1e308, 1, -1e308]) has no reliable digits);
// for a gradient, the largest upstream gradient, times the largest other argument where
// the argument was broadcast (its gradient is a sum of such products). NaN must meet NaN
// and an infinity the same infinity; the sign of zero is not compared.
//
// Note [Undefined gradients]
// LibTorch's autograd::grad returns an undefined tensor for an input the outputs do not
// depend on (allow_unused), and sometimes also where the dependence exists but its
// derivative is zero by construction (e.g. through an integer-valued path). ember may
// return zeros there, or the other way round. So an undefined gradient on one side equals
// a gradient of zeros (either sign) on the other; an undefined gradient against anything
// non-zero (NaN included) is a discrepancy.
#include <string>
#include <vector>

#include "fuzz_program.h"

namespace fuzz {

enum class Kind {
  None,
  EmberThrows,      // torch computed a result, ember threw
  TorchThrows,      // ember computed a result, torch threw (not a known limitation)
  NumOutputs,
  DType,
  Shape,
  Values,
  RequiresGrad,
  GradEmberThrows,
  GradTorchThrows,
  GradDefined,      // undefined on one side, non-zero on the other
  GradDType,
  GradShape,
  GradValues,
  Crash,            // ember-only mode: a check on ember's own results failed
};
const char* kind_name(Kind k);

struct Tolerance {
  double rtol, atol;
};
Tolerance tolerance_for(DType t);

struct Verdict {
  Kind kind = Kind::None;
  std::string detail;
  explicit operator bool() const { return kind != Kind::None; }
};

// The first discrepancy of a program: where, and of which kind. Minimisation keeps a
// program that still shows the same signature (op and kind).
struct Discrepancy {
  int step = -1;
  std::string op;
  Kind kind = Kind::None;
  std::string detail;
  std::string signature() const { return op + "/" + kind_name(kind); }
};

// The dtype whose tolerance applies: the least precise floating one of `dtypes` (or the
// first when none is floating).
DType precision_of(const std::vector<DType>& dtypes);

// Compares dtype, shape, values and (when asked) requires_grad; `grad` selects the Grad*
// kinds, `precision` the tolerance, `loose` its scaling and `scale_floor` the least
// magnitude it scales by (Note [Tolerances]).
Verdict compare_tensors(const Snapshot& e, const Snapshot& t, bool check_requires_grad, bool grad, DType precision,
                        double loose, double scale_floor = 0);
// Note [Undefined gradients]. `upstream_scale`: the largest finite upstream gradient.
Verdict compare_grads(const Snapshot& e, const Snapshot& t, DType precision, double loose, double upstream_scale);
// e with every element that is finite where t has an infinity replaced by t's: what
// remains to compare once LibTorch's float16 overflows are set aside (Note [Known LibTorch
// bugs]).
Snapshot without_torch_overflow(const Snapshot& e, const Snapshot& t);
// Whether one result is exactly 0 somewhere the other is a finite non-zero (a float16
// intermediate underflowed, or rounding noise where the exact answer is 0).
bool zero_differs(const Snapshot& e, const Snapshot& t);
// The largest finite magnitude in s (0 when none).
double max_finite(const Snapshot& s);

// Note [Ties]: whether index tensors `ie` and `it` (taken along `dim` of `input`) select the
// same input values at every position.
bool same_selection(const Snapshot& input, int64_t dim, const Snapshot& ie, const Snapshot& it);

// Note [LibTorch dtype limitations]
// LibTorch 1.13's CPU kernels lack float16 and bfloat16 for many ops ("\"tan_vml_cpu\" not
// implemented for 'Half'"); ember computes those in float32 and rounds once, which later
// PyTorch releases also do, so such a case is counted, not failed. A kernel LibTorch lacks
// for bool or an integer dtype is different: PyTorch rejects those inputs by design
// (abs/floor/pow of bool, prelu of int64), and ember following PyTorch should reject them
// too, so ember computing a result there is a discrepancy.
bool is_torch_dtype_limitation(const std::string& torch_message);
// The first line, trimmed: the part of an error text both libraries are expected to share.
std::string error_headline(const std::string& message);

}  // namespace fuzz
