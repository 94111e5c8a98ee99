// Advanced indexing: integer index tensors and boolean masks.
//
// Note [Advanced indexing]
// self[i_0, ..., i_{k-1}] with index tensors (and undefined entries meaning "the whole
// dimension") follows NumPy:
//   1. Each bool/uint8 mask becomes one int64 index tensor per mask dimension (its true
//      positions, row-major), after its shape is checked against the dimensions it covers.
//   2. The index tensors broadcast together to a shape B.
//   3. If the indexed dimensions are adjacent, B replaces them in place; otherwise the
//      indexed dimensions are moved to the front first (so B comes first).
//   4. Every result element reads self at (its coordinates in the un-indexed dimensions)
//      + sum_j index_j * stride_j. The second term depends only on the position in B, so
//      it is computed once into an int64 `offsets` tensor of shape B (checking bounds on
//      the way), and the copy itself is an elementwise TensorIterator loop over
//      (out, src, offsets) where src is self restrided to the result's shape with zero
//      strides over the B dimensions and offsets is broadcast over the others.
// index_put_ runs the same loop with src as the destination. The error for an
// out-of-range value names the index tensor's position j, as PyTorch does.
#include "ember/ops/advanced_index.h"

#include "ember/autograd/derivatives.h"

#include <numeric>
#include <sstream>

#include "ember/core/tensor_iterator.h"
#include "ember/kernels/index.h"
#include "ember/ops/elementwise.h"
#include "ember/ops/factory.h"
#include "ember/ops/index.h"

namespace ember::detail {
namespace {

// A view of base's storage with the given geometry, starting where base starts.
Tensor restride(const Tensor& base, IntArrayRef sizes, IntArrayRef strides) {
  return Tensor(make_intrusive<TensorImpl>(base.storage(), base.dtype(), sizes, strides, base.storage_offset()));
}

bool is_mask_dtype(ScalarType t) { return t == kBool || t == kUInt8; }

// Step 1 of Note [Advanced indexing]. Undefined tensors stand for whole dimensions.
std::vector<Tensor> expand_masks(const Tensor& self, const std::vector<std::optional<Tensor>>& indices) {
  std::vector<Tensor> out;
  out.reserve(indices.size());
  for (const auto& opt : indices) {
    if (!opt || !opt->defined()) {
      out.emplace_back();
      continue;
    }
    const Tensor& idx = *opt;
    ScalarType dt = idx.dtype();
    EMBER_CHECK_INDEX(dt == kLong || dt == kInt || is_mask_dtype(dt),
                      "tensors used as indices must be long, int, byte or bool tensors");
    if (!is_mask_dtype(dt)) {
      out.push_back(idx);
      continue;
    }
    const int64_t first = static_cast<int64_t>(out.size());
    EMBER_CHECK_INDEX(first + idx.dim() <= self.dim(), "too many indices for tensor of dimension ", self.dim(),
                      " (got ", first + idx.dim(), ")");
    for (int64_t j = 0; j < idx.dim(); ++j)
      EMBER_CHECK_INDEX(idx.sizes()[j] == self.sizes()[first + j], "The shape of the mask ", idx.sizes(),
                        " at index ", j, " does not match the shape of the indexed tensor ", self.sizes(),
                        " at index ", first + j);
    Tensor nz = nonzero(idx);  // [n, idx.dim()]
    for (int64_t j = 0; j < idx.dim(); ++j) out.push_back(nz.select(1, j));
  }
  return out;
}

// Broadcast of two shapes, or false when they do not broadcast.
bool try_broadcast(IntArrayRef a, IntArrayRef b, DimVector& out) {
  size_t n = std::max(a.size(), b.size());
  DimVector r(n);
  for (size_t i = 0; i < n; ++i) {
    int64_t sa = i < a.size() ? a[a.size() - 1 - i] : 1;
    int64_t sb = i < b.size() ? b[b.size() - 1 - i] : 1;
    if (sa != sb && sa != 1 && sb != 1) return false;
    r[n - 1 - i] = sa == 1 ? sb : sa;
  }
  out = r;
  return true;
}

}  // namespace

AdvancedIndex make_advanced_index(const Tensor& self, const std::vector<std::optional<Tensor>>& indices,
                                  IndexMode mode) {
  EMBER_CHECK(self.defined(), "index: expected a defined tensor");
  EMBER_CHECK_INDEX(static_cast<int64_t>(indices.size()) <= self.dim(), "too many indices for tensor of dimension ",
                    self.dim(), " (got ", indices.size(), ")");
  std::vector<Tensor> idx = expand_masks(self, indices);
  idx.resize(static_cast<size_t>(self.dim()));

  // Step 2: broadcast the index tensors.
  std::vector<int64_t> pos;
  DimVector bshape;
  bool ok = true;
  for (int64_t d = 0; d < self.dim(); ++d) {
    if (!idx[d].defined()) continue;
    if (pos.empty()) bshape.assign(idx[d].sizes().begin(), idx[d].sizes().end());
    else ok = ok && try_broadcast(bshape, idx[d].sizes(), bshape);
    pos.push_back(d);
  }
  if (!ok) {
    std::ostringstream shapes;
    for (size_t j = 0; j < pos.size(); ++j) shapes << (j ? ", " : "") << idx[pos[j]].sizes();
    EMBER_THROW(IndexError, "shape mismatch: indexing tensors could not be broadcast together with shapes ",
                shapes.str());
  }
  if (pos.empty()) {
    // Nothing to index: every element, at offset 0.
    return {self, scalar_tensor(0, kLong).expand(self.sizes())};
  }

  // Step 3: move separated indexed dimensions to the front.
  Tensor base = self;
  const int64_t k = static_cast<int64_t>(pos.size());
  const bool adjacent = pos.back() - pos.front() + 1 == k;
  if (!adjacent) {
    std::vector<int64_t> perm(pos.begin(), pos.end());
    std::vector<Tensor> reordered;
    for (int64_t d : pos) reordered.push_back(idx[d]);
    for (int64_t d = 0; d < self.dim(); ++d)
      if (!idx[d].defined()) {
        perm.push_back(d);
        reordered.emplace_back();
      }
    base = self.permute(perm);
    idx = std::move(reordered);
  }
  const int64_t s = adjacent ? pos.front() : 0;

  // Step 4a: offsets over B, with bounds checks. Subscripting (x[idx]) checks bounds only
  // when the result has elements, as PyTorch's kernel does: zeros(3, 0)[[5]] is an empty
  // (1, 0) tensor, not an error. Indexing a dimension of size 0 is always an error.
  Tensor offsets = empty(bshape, kLong);
  int64_t others = 1;
  for (int64_t d = 0; d < base.dim(); ++d)
    if (d < s || d >= s + k) others *= base.sizes()[d];
  const bool skip_bounds = mode == IndexMode::Subscript && others == 0;
  if (offsets.numel() > 0) {
    for (int64_t j = 0; j < k; ++j) {
      const int64_t d = s + j;
      const int64_t size = base.sizes()[d];
      if (size == 0) {
        if (mode == IndexMode::Select) EMBER_THROW(IndexError, "index out of range in self");
        EMBER_THROW(IndexError, "index is out of bounds for dimension with size 0");
      }
      if (skip_bounds) {
        offsets.zero_();  // never read: the result is empty
        continue;
      }
      kernels::BadIndex bad;
      TensorIterator iter;
      iter.add_output(offsets).add_input(idx[d].expand(bshape)).build();
      kernels::index_offsets_stub(iter.device())(iter, size, base.strides()[d], mode == IndexMode::Subscript, j > 0, bad);
      if (bad.found) {
        if (mode == IndexMode::Select) EMBER_THROW(IndexError, "index out of range in self");
        EMBER_THROW(IndexError, "index ", bad.value, " is out of bounds for dimension ", j, " with size ", size);
      }
    }
  }

  // Step 4b: result geometry.
  DimVector rshape, src_strides, off_strides;
  for (int64_t d = 0; d < s; ++d) {
    rshape.push_back(base.sizes()[d]);
    src_strides.push_back(base.strides()[d]);
    off_strides.push_back(0);
  }
  for (size_t b = 0; b < bshape.size(); ++b) {
    rshape.push_back(bshape[b]);
    src_strides.push_back(0);
    off_strides.push_back(offsets.strides()[b]);
  }
  for (int64_t d = s + k; d < base.dim(); ++d) {
    rshape.push_back(base.sizes()[d]);
    src_strides.push_back(base.strides()[d]);
    off_strides.push_back(0);
  }
  return {restride(base, rshape, src_strides), restride(offsets, rshape, off_strides)};
}

Tensor advanced_gather(const AdvancedIndex& ai) {
  Tensor out = empty(ai.src.sizes(), ai.src.options());
  if (out.numel() == 0) return out;
  TensorIterator iter;
  iter.add_output(out).add_input(ai.src).add_input(ai.offsets).build();
  kernels::index_gather_stub(iter.device())(iter);
  return out;
}

void advanced_put(const AdvancedIndex& ai, const Tensor& values, bool accumulate) {
  IntArrayRef rshape = ai.src.sizes();
  bool fits = values.dim() <= static_cast<int64_t>(rshape.size());
  for (int64_t i = 0; fits && i < values.dim(); ++i) {
    int64_t v = values.sizes()[values.dim() - 1 - i], r = rshape[rshape.size() - 1 - i];
    fits = v == r || v == 1;
  }
  EMBER_CHECK(fits, "shape mismatch: value tensor of shape ", values.sizes(),
              " cannot be broadcast to indexing result of shape ", rshape);
  if (ai.src.numel() == 0) return;
  // Values that share memory with the destination are read from a copy.
  Tensor v = values.storage().get() == ai.src.storage().get() ? values.clone() : values;
  TensorIterator iter;
  iter.add_output(ai.src).add_input(v.expand(rshape)).add_input(ai.offsets).build();
  kernels::index_put_stub(iter.device())(iter, accumulate);
}

}  // namespace ember::detail

namespace ember {

Tensor index(const Tensor& self, const std::vector<std::optional<Tensor>>& indices) {
  Tensor r = autograd::untracked(
      [&] { return detail::advanced_gather(detail::make_advanced_index(self, indices, detail::IndexMode::Subscript)); });
  autograd::record(autograd::IndexBackward0, {&self}, r, {autograd::dim_vector(self.sizes())}, {indices});
  return r;
}

void check_no_internal_overlap(const Tensor& t);  // ops/copy.cpp

namespace {
// One bool/uint8 mask as the only index, one value, no accumulation: the case PyTorch
// hands to masked_fill_.
bool fills_like_masked_fill(const std::vector<std::optional<Tensor>>& indices, const Tensor& values, bool accumulate) {
  if (accumulate || values.numel() != 1) return false;
  int masks = 0;
  for (const auto& i : indices) {
    if (!i || !i->defined()) continue;
    if (i->dtype() != kBool && i->dtype() != kUInt8) return false;
    ++masks;
  }
  return masks == 1;
}
}  // namespace

Tensor& index_put_(Tensor& self, const std::vector<std::optional<Tensor>>& indices, const Tensor& values,
                   bool accumulate) {
  EMBER_CHECK(values.defined(), "index_put_: expected a defined value tensor");
  if (values.dtype() != self.dtype() && fills_like_masked_fill(indices, values, accumulate)) {
    // PyTorch runs this case as masked_fill_(mask, value.item()): the value is converted
    // (checked) instead of refused. The cast is recorded, so the value keeps its gradient.
    check_convertible(values.item(), self.dtype());
    return index_put_(self, indices, values.to(self.dtype()), accumulate);
  }
  EMBER_CHECK(values.dtype() == self.dtype(), "Index put requires the source and destination dtypes match, got ",
              self.dtype(), " for the destination and ", values.dtype(), " for the source.");
  check_no_internal_overlap(self);
  if (autograd::should_record({&self, &values})) {  // Note [In-place on views]
    autograd::check_inplace(self);
    Tensor result = autograd::untracked([&] {
      Tensor r = self.clone();
      detail::advanced_put(detail::make_advanced_index(r, indices, detail::IndexMode::Subscript), values, accumulate);
      return r;
    });
    autograd::record(autograd::IndexPutBackward0, {&self, &values}, result, {accumulate}, {indices});
    autograd::commit_inplace(self, result);
    return self;
  }
  detail::advanced_put(detail::make_advanced_index(self, indices, detail::IndexMode::Subscript), values, accumulate);
  mark_written(self);
  return self;
}

Tensor index_put(const Tensor& self, const std::vector<std::optional<Tensor>>& indices, const Tensor& values,
                 bool accumulate) {
  Tensor out = self.clone();
  return index_put_(out, indices, values, accumulate);
}

}  // namespace ember
