#pragma once
// Kernel entry points of the reduction family: reductions (sum, prod, max, min and the
// mapped sums norms are made of), arg-reductions, scans, softmax and sort. Each is a
// DispatchStub (Note [Dispatch by device] in kernels/stub.h); the CPU fills them from
// cpu/kernels/{reduce,scan,softmax,sort}.cpp. The op front ends (ops/reduce.cpp, ...)
// decide dtypes and shapes; kernels see only a handful of compute dtypes and the geometry
// below.
#include <cstdint>

#include "ember/core/array_ref.h"
#include "ember/core/dtype.h"
#include "ember/kernels/stub.h"

namespace ember::kernels {

// Note [Reduction geometry]
// A reduction reads an input of shape S and writes an output of the same rank in which
// every reduced dimension has size 1 (the keepdim shape; the front end squeezes later).
// make_reduce_geometry splits S into two groups, kept and reduced, each sorted by input
// stride (innermost first), with size-1 dimensions dropped and neighbours that are
// contiguous with each other merged. The kernel then only asks: is the innermost reduced
// dimension dense (each output reduces contiguous rows), or is the innermost kept
// dimension dense (accumulate whole rows, vectorised across outputs), or neither (the
// strided fallback). Strides are in elements, not bytes. Sorting changes only the order
// in which elements are combined, which matters for floating-point rounding alone;
// arg-reductions therefore take at most one reduced dimension, whose order is kept.
struct ReduceGeometry {
  DimVector out_sizes;       // kept dims, innermost first
  DimVector out_in_strides;  // their input strides
  DimVector out_strides;     // their output strides
  DimVector red_sizes;       // reduced dims, innermost first
  DimVector red_strides;     // their input strides
  int64_t num_outputs = 1;
  int64_t num_reduced = 1;
};

// reduced[d] says whether dimension d is reduced; out_strides are the strides of the
// (keepdim-shaped) output, whose entries for reduced dimensions are ignored.
ReduceGeometry make_reduce_geometry(IntArrayRef sizes, IntArrayRef in_strides, IntArrayRef out_strides,
                                    const bool* reduced);

// The reductions a kernel knows. The *_sum forms map each element first (|x|, x*x,
// x != 0) and add; the common norms are built from them without a temporary.
enum class ReduceOp : int { sum, prod, max, min, abs_sum, sq_sum, nonzero_sum };

// in/out have the same dtype: Float32, Float64 or Int64 (UInt8 too for max/min). An
// empty reduction writes the identity (0, 1, lowest, highest). One exception: dtype
// BFloat16 is a sum of bfloat16 input into float32 output, and only where every output's
// reduced elements form one dense run (Note [bfloat16 sums] in cpu/kernels/reduce.cpp).
using ReduceKernel = void (*)(ReduceOp op, ScalarType dtype, const ReduceGeometry& g, const void* in, void* out);
// max/min with the index of the first extreme element (NaN counts as the extreme, as in
// PyTorch). g has at most one reduced dimension and it is non-empty. values has `dtype`
// (Float32, Float64, Int64, UInt8) and shares out_strides with the int64 `indices`.
using ArgReduceKernel = void (*)(bool is_max, ScalarType dtype, const ReduceGeometry& g, const void* in,
                                 void* values, int64_t* indices);
// Inclusive cumulative sum/product over the middle dim of a contiguous [outer, n, inner]
// array; in and out are contiguous of the same dtype (Float32, Float64 or Int64).
// Floating types accumulate in double (PyTorch's CPU accumulate type).
using ScanKernel = void (*)(bool is_prod, ScalarType dtype, const void* in, void* out, int64_t outer, int64_t n,
                            int64_t inner);
// Softmax / log-softmax of each contiguous row of length n (Float32 or Float64).
using SoftmaxKernel = void (*)(bool log, ScalarType dtype, const void* in, void* out, int64_t rows, int64_t n);
// Sorts each contiguous row of length n (Float32, Float64 or Int64), stably, NaN largest.
// Writes the sorted values and the int64 source positions.
using SortKernel = void (*)(ScalarType dtype, const void* in, void* values, int64_t* indices, int64_t rows,
                            int64_t n, bool descending);

inline DispatchStub<ReduceKernel> reduce_stub{"reduce"};
inline DispatchStub<ArgReduceKernel> arg_reduce_stub{"arg_reduce"};
inline DispatchStub<ScanKernel> scan_stub{"scan"};
inline DispatchStub<SoftmaxKernel> softmax_stub{"softmax"};
inline DispatchStub<SortKernel> sort_stub{"sort"};

}  // namespace ember::kernels
