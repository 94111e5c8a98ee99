#pragma once
// Shared plumbing of the reduction front ends (ops/reduce.cpp, scan.cpp, softmax.cpp, sort.cpp):
// which dims are reduced, the kernel compute dtypes, and writing results into out=.
#include "ember/core/small_vector.h"
#include "ember/core/tensor.h"
#include "ember/kernels/reduce.h"

namespace ember::reduce_detail {

// The reduced dims of an input, and the output shapes with and without keepdim.
struct DimMask {
  SmallVector<bool, 8> reduced;  // one flag per input dim
  DimVector keep_shape;          // reduced dims of size 1
  DimVector out_shape;           // reduced dims removed
  int64_t num_reduced = 1;       // elements folded into each output
};
// dims empty: every dim. Wraps dims and rejects repeats with PyTorch's message.
DimMask make_mask(const Tensor& x, IntArrayRef dims);

// The dtype a kernel computes in: double for float64, float for the other floats
// (16-bit floats accumulate in float as in PyTorch), int64 for integers and bool.
ScalarType kernel_dtype(ScalarType t);

// Runs a kernel reduction of x (already in a kernel dtype) and returns the keepdim-shaped
// result in x's dtype.
Tensor reduce_keepdim(kernels::ReduceOp op, const Tensor& x, const DimMask& m);
// Drops the reduced dims of a keepdim-shaped contiguous result unless keepdim.
Tensor finish(const Tensor& r, const DimMask& m, bool keepdim);
// Resizes `out` to r's shape, checks the dtype cast, copies r in.
Tensor& write_out(Tensor& out, const Tensor& r);

}  // namespace ember::reduce_detail
