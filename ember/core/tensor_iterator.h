#pragma once
// TensorIterator: the one place where elementwise geometry is handled (broadcasting,
// dimension reordering and coalescing, splitting work across threads). Kernels see only
// a 1-D inner loop: loop(char** data, const int64_t* strides, int64_t n), where data[i]
// and strides[i] (bytes) belong to operand i, outputs first.
//
// It does no dtype work: op front ends (ops/) promote and cast before building one, so
// every input already has the dtype its kernel expects.
#include <cstdint>
#include <vector>

#include "ember/core/parallel.h"
#include "ember/core/small_vector.h"
#include "ember/core/tensor.h"

namespace ember {

// Broadcast shape of two or more shapes, with PyTorch's error:
// "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 1"
DimVector broadcast_shapes(IntArrayRef a, IntArrayRef b);

// Note [TensorIterator operands]
// An op's operands usually outlive its iterator (they are the op's arguments and locals),
// so the iterator borrows a tensor passed as an lvalue, as PyTorch's does with
// MaybeOwned: copying each handle would cost two atomic reference-count updates per
// operand, a tenth of a 1-element op. A tensor passed as an rvalue (`cast(x, dt)`,
// `y.expand(...)`) is moved into the iterator and owned. Geometry lives in fixed arrays
// (at most kMaxDims dimensions), so building and destroying an iterator allocates and
// frees nothing.
class TensorIterator {
 public:
  static constexpr int kMaxOperands = 8;
  static constexpr int kMaxDims = 16;

  TensorIterator() = default;
  TensorIterator(TensorIterator&& other) noexcept;
  TensorIterator(const TensorIterator&) = delete;
  TensorIterator& operator=(const TensorIterator&) = delete;
  TensorIterator& operator=(TensorIterator&&) = delete;

  // Outputs must be defined and already have the broadcast shape of the inputs (an
  // in-place op passes `self` as output and input). The builder checks that. An lvalue
  // is borrowed and must outlive the iterator; an rvalue is owned.
  TensorIterator& add_output(const Tensor& t);
  TensorIterator& add_output(Tensor&& t);
  TensorIterator& add_input(const Tensor& t);
  TensorIterator& add_input(Tensor&& t);
  // Broadcasts, checks output shapes, reorders and coalesces dimensions.
  TensorIterator& build();

  // A fresh contiguous output for an op.
  static Tensor allocate_output(IntArrayRef shape, ScalarType dtype, Device device);

  int ntensors() const { return ntensors_; }
  int noutputs() const { return noutputs_; }
  int64_t numel() const { return numel_; }
  int ndim() const { return ndim_; }
  IntArrayRef shape() const { return IntArrayRef(shape_, static_cast<size_t>(ndim_)); }  // innermost first
  const DimVector& broadcast_shape() const { return broadcast_shape_; }  // logical shape
  char* data(int i) const { return data_[i]; }
  const Tensor& operand(int i) const { return *operands_[i]; }
  ScalarType dtype(int i) const { return operands_[i]->dtype(); }
  // Where the kernel runs: every operand is on this device (build() checks).
  Device device() const { return operands_[0]->device(); }
  int64_t stride(int operand, int d) const { return strides_[operand][d]; }
  // True when the iteration is one dimension in which every operand is dense.
  bool is_contiguous() const;

  template <class Loop>
  void for_each(const Loop& loop, int64_t grain = kGrainSize) const;
  template <class Loop>
  void serial_for_each(const Loop& loop, int64_t begin, int64_t end) const;

 private:
  TensorIterator& add_operand(const Tensor* t, bool output);
  void check_same_device() const;
  void reorder_dims();
  void coalesce_dims();

  const Tensor* operands_[kMaxOperands] = {};
  Tensor owned_[kMaxOperands];  // rvalue operands; operands_[i] == &owned_[i] for those
  int ntensors_ = 0;
  int noutputs_ = 0;
  int ndim_ = 0;
  int64_t numel_ = 0;
  DimVector broadcast_shape_;
  char* data_[kMaxOperands] = {};
  int64_t shape_[kMaxDims];
  int64_t strides_[kMaxOperands][kMaxDims];  // bytes, innermost first
};

template <class Loop>
void TensorIterator::serial_for_each(const Loop& loop, int64_t begin, int64_t end) const {
  if (begin >= end) return;
  const int nt = ntensors_;
  const int nd = ndim_;
  char* ptrs[kMaxOperands];
  int64_t inner_strides[kMaxOperands];
  for (int i = 0; i < nt; ++i) inner_strides[i] = nd ? strides_[i][0] : 0;
  if (nd <= 1) {
    for (int i = 0; i < nt; ++i) ptrs[i] = data_[i] + begin * inner_strides[i];
    loop(ptrs, inner_strides, end - begin);
    return;
  }
  // Multi-index of `begin`, innermost first.
  int64_t idx[16];
  int64_t rem = begin;
  for (int d = 0; d < nd; ++d) {
    idx[d] = rem % shape_[d];
    rem /= shape_[d];
  }
  int64_t pos = begin;
  while (pos < end) {
    for (int i = 0; i < nt; ++i) {
      int64_t off = 0;
      for (int d = 0; d < nd; ++d) off += idx[d] * strides_[i][d];
      ptrs[i] = data_[i] + off;
    }
    int64_t n = std::min(shape_[0] - idx[0], end - pos);
    loop(ptrs, inner_strides, n);
    pos += n;
    idx[0] += n;
    for (int d = 0; d < nd - 1 && idx[d] >= shape_[d]; ++d) {
      idx[d] = 0;
      ++idx[d + 1];
    }
  }
}

template <class Loop>
void TensorIterator::for_each(const Loop& loop, int64_t grain) const {
  parallel_for(0, numel_, grain, [&](int64_t b, int64_t e) { serial_for_each(loop, b, e); });
}

}  // namespace ember
