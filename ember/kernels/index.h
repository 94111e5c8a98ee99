#pragma once
// The indexing kernel families (gather/scatter by computed offsets). DispatchStubs (Note
// [Dispatch by device] in kernels/stub.h); the CPU fills them from cpu/kernels/index.cpp.
//
// The kernels never throw: an out-of-range index stops the kernel before any memory is
// touched through it, and is reported back so that the op front end (ops/) can raise the
// error with its own op's wording.
#include <atomic>
#include <cstdint>

#include "ember/core/tensor_iterator.h"
#include "ember/kernels/stub.h"

namespace ember::kernels {

// The first out-of-range index seen by a (possibly multithreaded) kernel.
struct BadIndex {
  std::atomic<bool> found{false};
  int64_t value = 0;
  void report(int64_t v) {
    bool expected = false;
    if (found.compare_exchange_strong(expected, true)) value = v;
  }
};

// iter: (offsets int64 out, index int64 or int32 in). Turns index values for one
// dimension of `size` elements into element offsets: offsets = v * stride, or
// offsets += v * stride when `accumulate` (later dimensions of a multi-index). With
// `wrap`, v may be in [-size, size) and negative values count from the end; otherwise v
// must be in [0, size).
using IndexOffsetsKernel = void (*)(const TensorIterator& iter, int64_t size, int64_t stride, bool wrap,
                                    bool accumulate, BadIndex& bad);
// iter: (out, src, offsets): out = src[offsets] (offsets in src elements from src's pointer).
using IndexGatherKernel = void (*)(const TensorIterator& iter);
// iter: (dst, values, offsets): dst[offsets] = values, or += with accumulate (serial, so
// repeated offsets sum).
using IndexPutKernel = void (*)(const TensorIterator& iter, bool accumulate);

// gather / scatter along one dimension. See Note [Scatter-gather fibers] in
// ops/index.cpp: each iteration element is one fiber along `dim`.
enum class ScatterGatherOp : int { gather, scatter, scatter_add, scatter_mul };
struct FiberGeometry {
  int64_t n;            // fiber length (index.size(dim))
  int64_t index_step;   // index stride along dim, in elements
  int64_t dst_step;     // operand 0 stride along dim, in elements
  int64_t src_step;     // operand 1 stride along dim, in elements
  int64_t dim_size;     // valid indices are [0, dim_size)
};
// iter: (dst, src, index int64). gather: dst[k] = src[index[k]]; scatter*: dst[index[k]] (op)= src[k].
using ScatterGatherKernel = void (*)(ScatterGatherOp op, const TensorIterator& iter, const FiberGeometry& g,
                                     BadIndex& bad);
// Row-major coordinates of the true elements of a dense bool array of shape `sizes`
// (ndim entries) into out [count, ndim]; returns the count. With out == nullptr, only counts.
using NonzeroKernel = int64_t (*)(const bool* data, const int64_t* sizes, int64_t ndim, int64_t* out);

inline DispatchStub<IndexOffsetsKernel> index_offsets_stub{"index_offsets"};
inline DispatchStub<IndexGatherKernel> index_gather_stub{"index_gather"};
inline DispatchStub<IndexPutKernel> index_put_stub{"index_put"};
inline DispatchStub<ScatterGatherKernel> scatter_gather_stub{"scatter_gather"};
inline DispatchStub<NonzeroKernel> nonzero_stub{"nonzero"};

}  // namespace ember::kernels
