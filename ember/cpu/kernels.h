#pragma once
// Entry points of the CPU kernel families. Each is a DispatchStub filled by the per-ISA
// copies of cpu/kernels/*.cpp (Note [CPU capability dispatch]). Kernels know nothing of
// autograd or type promotion: the op front ends hand them operands of the right dtypes.
#include "ember/core/scalar.h"
#include "ember/core/tensor_iterator.h"
#include "ember/cpu/dispatch.h"
#include "ember/core/op_list.h"

namespace ember::cpu {

// iter: (out, in). in has the compute dtype; out has it too, or bool for predicates.
// For gelu, `arg` selects nothing; reserved for ops with a parameter.
using UnaryKernel = void (*)(UnaryOp op, const TensorIterator& iter);
// iter: (out, a, b). a and b have the compute dtype; out has it too, or bool for CMP/LOGIC.
// alpha scales b for add/sub.
using BinaryKernel = void (*)(BinaryOp op, const TensorIterator& iter, const Scalar& alpha);
// iter: (out, in) of any two dtypes: converts element by element.
using CopyKernel = void (*)(const TensorIterator& iter);
// iter: (out): writes `value` converted to out's dtype.
using FillKernel = void (*)(const TensorIterator& iter, const Scalar& value);
// iter: (out, in): out = clamp(in, lo, hi); either bound may be absent.
using ClampKernel = void (*)(const TensorIterator& iter, const Scalar* lo, const Scalar* hi);
// iter: (out, cond, a, b): out = cond ? a : b (cond bool, a/b/out one dtype).
using WhereKernel = void (*)(const TensorIterator& iter);
// iter: (out, in): nan_to_num with the given replacements.
using NanToNumKernel = void (*)(const TensorIterator& iter, double nan, double posinf, double neginf);

extern DispatchStub<UnaryKernel> unary_stub;
extern DispatchStub<BinaryKernel> binary_stub;
extern DispatchStub<CopyKernel> copy_stub;
extern DispatchStub<FillKernel> fill_stub;
extern DispatchStub<ClampKernel> clamp_stub;
extern DispatchStub<WhereKernel> where_stub;
extern DispatchStub<NanToNumKernel> nan_to_num_stub;

}  // namespace ember::cpu
