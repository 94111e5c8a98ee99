#pragma once
// The elementwise kernel families: unary, binary, copy, fill, clamp, where, nan_to_num,
// and the copy between devices. Each is a DispatchStub (Note [Dispatch by device] in
// kernels/stub.h); the CPU fills them from cpu/kernels/*.cpp. Kernels know nothing of
// autograd or type promotion: the op front ends hand them operands of the right dtypes.
#include "ember/core/scalar.h"
#include "ember/core/tensor_iterator.h"
#include "ember/kernels/stub.h"
#include "ember/core/op_list.h"

namespace ember::kernels {

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
// Copies nbytes of dense memory from src on src_device to dst on dst_device; one of the
// two devices is the CPU and the stub is looked up on the other (Note [Copies between
// devices] in ops/copy.cpp).
using CopyBetweenDevicesKernel = void (*)(void* dst, Device dst_device, const void* src, Device src_device,
                                          size_t nbytes);
// iter: (out, in): nan_to_num with the given replacements.
using NanToNumKernel = void (*)(const TensorIterator& iter, double nan, double posinf, double neginf);

inline DispatchStub<UnaryKernel> unary_stub{"unary"};
inline DispatchStub<BinaryKernel> binary_stub{"binary"};
inline DispatchStub<CopyKernel> copy_stub{"copy"};
inline DispatchStub<FillKernel> fill_stub{"fill"};
inline DispatchStub<ClampKernel> clamp_stub{"clamp"};
inline DispatchStub<WhereKernel> where_stub{"where"};
inline DispatchStub<NanToNumKernel> nan_to_num_stub{"nan_to_num"};
inline DispatchStub<CopyBetweenDevicesKernel> copy_between_devices_stub{"copy_between_devices"};

}  // namespace ember::kernels
