#include "ember/core/tensor_iterator.h"

#include <algorithm>
#include <numeric>

#include "ember/core/allocator.h"
#include "ember/core/error.h"

namespace ember {

DimVector broadcast_shapes(IntArrayRef a, IntArrayRef b) {
  size_t n = std::max(a.size(), b.size());
  DimVector out(n);
  for (size_t i = 0; i < n; ++i) {
    int64_t ia = static_cast<int64_t>(a.size()) - 1 - static_cast<int64_t>(i);
    int64_t ib = static_cast<int64_t>(b.size()) - 1 - static_cast<int64_t>(i);
    int64_t sa = ia >= 0 ? a[ia] : 1;
    int64_t sb = ib >= 0 ? b[ib] : 1;
    EMBER_CHECK(sa == sb || sa == 1 || sb == 1, "The size of tensor a (", sa,
                ") must match the size of tensor b (", sb, ") at non-singleton dimension ",
                n - 1 - i);
    out[n - 1 - i] = sa == 1 ? sb : sa;
  }
  return out;
}

Tensor TensorIterator::allocate_output(IntArrayRef shape, ScalarType dtype, Device device) {
  return Tensor(make_intrusive<TensorImpl>(shape, dtype, device));
}

TensorIterator::TensorIterator(TensorIterator&& o) noexcept
    : ntensors_(o.ntensors_), noutputs_(o.noutputs_), ndim_(o.ndim_), numel_(o.numel_),
      broadcast_shape_(std::move(o.broadcast_shape_)) {
  for (int i = 0; i < ntensors_; ++i) {
    if (o.operands_[i] == &o.owned_[i]) {
      owned_[i] = std::move(o.owned_[i]);
      operands_[i] = &owned_[i];
    } else {
      operands_[i] = o.operands_[i];
    }
    data_[i] = o.data_[i];
    std::copy(o.strides_[i], o.strides_[i] + ndim_, strides_[i]);
  }
  std::copy(o.shape_, o.shape_ + ndim_, shape_);
}

TensorIterator& TensorIterator::add_operand(const Tensor* t, bool output) {
  if (output) EMBER_CHECK(noutputs_ == ntensors_, "TensorIterator: outputs must be added before inputs");
  EMBER_CHECK(ntensors_ < kMaxOperands, "TensorIterator: too many operands");
  operands_[ntensors_] = t;
  if (output) ++noutputs_;
  ++ntensors_;
  return *this;
}

TensorIterator& TensorIterator::add_output(const Tensor& t) { return add_operand(&t, true); }
TensorIterator& TensorIterator::add_input(const Tensor& t) { return add_operand(&t, false); }
TensorIterator& TensorIterator::add_output(Tensor&& t) {
  if (ntensors_ < kMaxOperands) owned_[ntensors_] = std::move(t);
  return add_operand(&owned_[std::min(ntensors_, kMaxOperands - 1)], true);
}
TensorIterator& TensorIterator::add_input(Tensor&& t) {
  if (ntensors_ < kMaxOperands) owned_[ntensors_] = std::move(t);
  return add_operand(&owned_[std::min(ntensors_, kMaxOperands - 1)], false);
}

void TensorIterator::check_same_device() const {
  const Device d0 = operands_[0]->device();
  for (int i = 1; i < ntensors_; ++i) {
    const Device d = operands_[i]->device();
    EMBER_CHECK(d == d0,
                "Expected all tensors to be on the same device, but found at least two devices, ", d, " and ", d0,
                "!");
  }
}

TensorIterator& TensorIterator::build() {
  // Until a second device type has a backend every operand is on the CPU, and the check
  // would cost a tenth of a 1-element op.
  if (__builtin_expect(non_cpu_devices_possible(), 0) && ntensors_ > 1) check_same_device();
  // 0. Fast path: every operand contiguous with one shape (same-shape elementwise ops, the
  // per-op floor of small models): one dense dimension, nothing to broadcast, reorder or
  // coalesce.
  if (ntensors_ > 0) {
    IntArrayRef s0 = operands_[0]->sizes();
    bool dense = true;
    for (int i = 0; i < ntensors_ && dense; ++i) dense = operands_[i]->is_contiguous() && operands_[i]->sizes() == s0;
    if (dense) {
      broadcast_shape_.assign(s0.begin(), s0.end());
      numel_ = operands_[0]->numel();
      ndim_ = 1;
      shape_[0] = numel_;
      for (int i = 0; i < ntensors_; ++i) {
        data_[i] = static_cast<char*>(operands_[i]->data_ptr());
        strides_[i][0] = static_cast<int64_t>(operands_[i]->element_size());
      }
      return *this;
    }
  }
  // 1. Broadcast the inputs; outputs must already have that shape.
  DimVector shape;
  bool first = true;
  for (int i = noutputs_; i < ntensors_; ++i) {
    if (first) {
      shape.assign(operands_[i]->sizes().begin(), operands_[i]->sizes().end());
      first = false;
    } else {
      shape = broadcast_shapes(shape, operands_[i]->sizes());
    }
  }
  if (first && noutputs_ > 0) shape.assign(operands_[0]->sizes().begin(), operands_[0]->sizes().end());
  for (int i = 0; i < noutputs_; ++i) {
    EMBER_CHECK(operands_[i]->sizes() == IntArrayRef(shape), "output with shape ",
                operands_[i]->sizes(), " doesn't match the broadcast shape ", shape);
  }
  broadcast_shape_ = shape;
  numel_ = 1;
  for (int64_t s : shape) numel_ *= s;

  // 2. Strides in bytes over the broadcast shape, innermost dimension first.
  const int nd = static_cast<int>(shape.size());
  EMBER_CHECK(nd <= kMaxDims, "TensorIterator supports at most ", kMaxDims, " dimensions, got ", nd);
  ndim_ = nd;
  for (int d = 0; d < nd; ++d) shape_[d] = shape[nd - 1 - d];
  for (int i = 0; i < ntensors_; ++i) {
    const Tensor& t = *operands_[i];
    data_[i] = static_cast<char*>(t.data_ptr());
    std::fill(strides_[i], strides_[i] + nd, int64_t(0));
    int64_t offset = nd - t.dim();
    int64_t item = static_cast<int64_t>(t.element_size());
    for (int d = 0; d < t.dim(); ++d) {
      int64_t logical = d + offset;  // dimension in the broadcast shape
      int64_t s = t.sizes()[d] == 1 ? 0 : t.strides()[d] * item;
      strides_[i][nd - 1 - logical] = s;
    }
  }
  reorder_dims();
  coalesce_dims();
  return *this;
}

// Orders dimensions so that the innermost has the smallest output stride: in-place ops on
// transposed tensors then walk memory forwards.
void TensorIterator::reorder_dims() {
  const int nd = ndim();
  if (nd <= 1 || ntensors_ == 0) return;
  SmallVector<int, 16> perm(nd);
  std::iota(perm.begin(), perm.end(), 0);
  auto less = [&](int a, int b) {
    for (int i = 0; i < ntensors_; ++i) {
      int64_t sa = strides_[i][a], sb = strides_[i][b];
      if (sa == 0 || sb == 0) continue;  // broadcast dims carry no order information
      if (sa != sb) return sa < sb;
    }
    return a < b;
  };
  // Insertion sort: stable, and nd is small.
  for (int i = 1; i < nd; ++i)
    for (int j = i; j > 0 && less(perm[j], perm[j - 1]); --j) std::swap(perm[j], perm[j - 1]);
  bool identity = true;
  for (int d = 0; d < nd; ++d) identity = identity && perm[d] == d;
  if (identity) return;
  int64_t tmp[kMaxDims];
  for (int d = 0; d < nd; ++d) tmp[d] = shape_[perm[d]];
  std::copy(tmp, tmp + nd, shape_);
  for (int i = 0; i < ntensors_; ++i) {
    for (int d = 0; d < nd; ++d) tmp[d] = strides_[i][perm[d]];
    std::copy(tmp, tmp + nd, strides_[i]);
  }
}

// Merges neighbouring dimensions that every operand walks as one (stride of the outer
// = size * stride of the inner), so a contiguous tensor becomes one flat loop.
void TensorIterator::coalesce_dims() {
  int nd = ndim();
  if (nd <= 1) return;
  int prev = 0;
  for (int d = 1; d < nd; ++d) {
    bool can = true;
    for (int i = 0; i < ntensors_ && can; ++i) {
      can = shape_[prev] == 1 || shape_[d] == 1 ||
            strides_[i][d] == shape_[prev] * strides_[i][prev];
    }
    if (can) {
      if (shape_[prev] == 1)
        for (int i = 0; i < ntensors_; ++i) strides_[i][prev] = strides_[i][d];
      shape_[prev] *= shape_[d];
    } else {
      ++prev;
      if (prev != d) {
        shape_[prev] = shape_[d];
        for (int i = 0; i < ntensors_; ++i) strides_[i][prev] = strides_[i][d];
      }
    }
  }
  ndim_ = prev + 1;
}

bool TensorIterator::is_contiguous() const {
  if (ndim() > 1) return false;
  if (ndim() == 0) return true;
  for (int i = 0; i < ntensors_; ++i)
    if (strides_[i][0] != static_cast<int64_t>(operands_[i]->element_size())) return false;
  return true;
}

}  // namespace ember
