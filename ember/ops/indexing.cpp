// Python-style subscripts: ember::indexing::TensorIndex lists applied to a tensor.
// Basic indices (integers, slices, None, Ellipsis, Python bools) are applied one by one
// as views; the index tensors they leave behind go to the advanced-indexing machinery
// (Note [Advanced indexing] in advanced_index.cpp).
#include "ember/ops/indexing.h"

#include <cstring>
#include <limits>

#include "ember/ops/elementwise.h"
#include "ember/ops/factory.h"

namespace ember {
namespace indexing {

Slice::Slice(std::optional<int64_t> start, std::optional<int64_t> stop, std::optional<int64_t> step) {
  step_ = step.value_or(1);
  EMBER_CHECK_VALUE(step_ != 0, "slice step cannot be zero");
  // Unbounded ends are the extreme values; Tensor::slice clamps them to the dimension.
  start_ = start.value_or(step_ < 0 ? std::numeric_limits<int64_t>::max() : 0);
  stop_ = stop.value_or(step_ < 0 ? std::numeric_limits<int64_t>::min() : std::numeric_limits<int64_t>::max());
}

TensorIndex::TensorIndex(const char* str) : type_(TensorIndexType::Ellipsis) {
  EMBER_CHECK_VALUE(str != nullptr && std::strcmp(str, "...") == 0,
                    "Expected \"...\" to represent an ellipsis index, but got \"", str ? str : "(null)", "\"");
}

std::ostream& operator<<(std::ostream& os, const Slice& s) {
  return os << s.start() << ":" << s.stop() << ":" << s.step();
}

std::ostream& operator<<(std::ostream& os, const TensorIndex& i) {
  switch (i.type()) {
    case TensorIndexType::None: return os << "None";
    case TensorIndexType::Ellipsis: return os << "...";
    case TensorIndexType::Integer: return os << i.integer();
    case TensorIndexType::Boolean: return os << (i.boolean() ? "true" : "false");
    case TensorIndexType::Slice: return os << i.slice();
    // Shape and dtype only: index tensors can be large.
    case TensorIndexType::Tensor:
      if (!i.tensor().defined()) return os << "Tensor(undefined)";
      return os << "Tensor(shape=" << i.tensor().sizes() << ", dtype=" << dtype_name(i.tensor().dtype()) << ")";
  }
  return os;
}

}  // namespace indexing

namespace {
using indexing::TensorIndex;

bool is_mask_dtype(ScalarType t) { return t == kBool || t == kUInt8; }

// Dimensions of self that the indices consume (None, Ellipsis and Python bools consume
// none; a mask consumes as many as it has).
int64_t count_specified_dims(ArrayRef<TensorIndex> indices) {
  int64_t n = 0;
  for (const TensorIndex& i : indices) {
    if (i.is_tensor()) n += is_mask_dtype(i.tensor().dtype()) ? i.tensor().dim() : 1;
    else if (i.is_integer() || i.is_slice()) ++n;
  }
  return n;
}

// `real_dim` is the position in the index list, which is what PyTorch reports.
Tensor apply_select(const Tensor& t, int64_t dim, int64_t index, int64_t real_dim) {
  if (t.dim() == 0) {
    EMBER_CHECK_INDEX(index != 0, "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                      "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number");
    EMBER_THROW(IndexError, "index ", index, " is out of bounds for dimension ", real_dim, " with size 0");
  }
  const int64_t size = t.sizes()[dim];
  EMBER_CHECK_INDEX(index >= -size && index < size, "index ", index, " is out of bounds for dimension ", real_dim,
                    " with size ", size);
  return t.select(dim, index);
}

// The advanced indices left by basic indexing, in ATen's form: entry i covers the next
// dimension, or the next mask.dim() dimensions for a mask.
struct TensorIndices {
  std::vector<std::optional<Tensor>> list;
  int64_t covered = 0;
  // Records `t` as indexing dimension `dim` of the sliced tensor.
  void record(int64_t dim, Tensor t) {
    for (; covered < dim; ++covered) list.emplace_back(std::nullopt);
    covered += is_mask_dtype(t.dtype()) ? t.dim() : 1;
    list.emplace_back(std::move(t));
  }
};

// A Python bool indexes a new size-1 dimension: true keeps it, false empties it.
Tensor bool_index_tensor(bool value) {
  return value ? zeros({1}, TensorOptions(kLong)) : empty({0}, TensorOptions(kLong));
}

// Applies the basic indices, one at a time, as views. Multi-dimensional masks are kept
// whole: a mask over k dimensions moves the cursor k dimensions on (NumPy's rule).
Tensor apply_slicing(const Tensor& self, ArrayRef<TensorIndex> indices, TensorIndices& out) {
  const int64_t specified = count_specified_dims(indices);
  EMBER_CHECK_INDEX(specified <= self.dim(), "too many indices for tensor of dimension ", self.dim());
  Tensor result = self;
  int64_t dim = 0;
  bool seen_ellipsis = false;
  for (size_t i = 0; i < indices.size(); ++i) {
    const TensorIndex& obj = indices[i];
    const int64_t real_dim = static_cast<int64_t>(i);
    switch (obj.type()) {
      case indexing::TensorIndexType::Integer:
        result = apply_select(result, dim, obj.integer(), real_dim);
        break;
      case indexing::TensorIndexType::Slice: {
        const indexing::Slice& s = obj.slice();
        EMBER_CHECK_VALUE(s.step() > 0, "step must be greater than zero");
        result = result.slice(dim, s.start(), s.stop(), s.step());
        ++dim;
        break;
      }
      case indexing::TensorIndexType::Ellipsis:
        EMBER_CHECK_INDEX(!seen_ellipsis, "an index can only have a single ellipsis ('...')");
        seen_ellipsis = true;
        dim += self.dim() - specified;
        break;
      case indexing::TensorIndexType::None:
        result = result.unsqueeze(dim);
        ++dim;
        break;
      case indexing::TensorIndexType::Boolean:
        result = result.unsqueeze(dim);
        out.record(dim, bool_index_tensor(obj.boolean()));
        ++dim;
        break;
      case indexing::TensorIndexType::Tensor: {
        const Tensor& t = obj.tensor();
        EMBER_CHECK(t.defined(), "index: an undefined tensor cannot be used as an index");
        if (t.dim() == 0 && is_integral(t.dtype(), /*include_bool=*/true)) {
          // A 0-dim integer tensor acts as an integer, a 0-dim bool tensor as a Python bool.
          if (!is_mask_dtype(t.dtype())) {
            result = apply_select(result, dim, t.item<int64_t>(), real_dim);
          } else {
            result = result.unsqueeze(dim);
            out.record(dim, bool_index_tensor(t.item<bool>()));
            ++dim;
          }
        } else {
          out.record(dim, t);
          dim += is_mask_dtype(t.dtype()) ? t.dim() : 1;
        }
        break;
      }
    }
  }
  return result;
}

// A new handle on the same view (x.index({Ellipsis}) is not x itself, as in PyTorch).
Tensor alias(const Tensor& t) { return t.as_strided(t.sizes(), t.strides(), t.storage_offset()); }

Tensor get_item(const Tensor& self, ArrayRef<TensorIndex> indices) {
  EMBER_CHECK(self.defined(), "index: expected a defined tensor");
  EMBER_CHECK(!indices.empty(), "Passing an empty index list to Tensor::index() is not valid syntax");
  if (indices.size() == 1 && indices[0].is_integer()) return apply_select(self, 0, indices[0].integer(), 0);
  TensorIndices tensor_indices;
  Tensor sliced = apply_slicing(self, indices, tensor_indices);
  if (tensor_indices.list.empty()) return sliced.is_same(self) ? alias(sliced) : sliced;
  return index(sliced, tensor_indices.list);
}

// dst = src with broadcasting, after dropping src's leading size-1 dimensions (so that
// x[0] = ones({1, n}) works, as in NumPy).
void copy_to(Tensor dst, const Tensor& src) {
  if (dst.sizes() == src.sizes()) {
    dst.copy_(src);
  } else if (src.dim() == 0) {
    dst.fill_(src);
  } else {
    int64_t lead = 0;
    while (lead < src.dim() && src.sizes()[lead] == 1) ++lead;
    IntArrayRef rest = src.sizes().slice(static_cast<size_t>(lead));
    dst.copy_(src.view(DimVector(rest.begin(), rest.end())));
  }
}

void set_item(Tensor& self, ArrayRef<TensorIndex> indices, const Tensor& value) {
  EMBER_CHECK(self.defined() && value.defined(), "index_put_: expected defined tensors");
  EMBER_CHECK(!indices.empty(), "Passing an empty index list to Tensor::index_put_() is not valid syntax");
  if (indices.size() == 1 && indices[0].is_integer()) {
    copy_to(apply_select(self, 0, indices[0].integer(), 0), value);
    return;
  }
  TensorIndices tensor_indices;
  Tensor sliced = apply_slicing(self, indices, tensor_indices);
  if (tensor_indices.list.empty()) {
    copy_to(sliced, value);
    return;
  }
  int64_t lead = 0;
  while (lead < value.dim() && value.sizes()[lead] == 1) ++lead;
  IntArrayRef rest = value.sizes().slice(static_cast<size_t>(lead));
  Tensor v = lead ? value.view(DimVector(rest.begin(), rest.end())) : value;
  index_put_(sliced, tensor_indices.list, v, false);
}

}  // namespace

Tensor Tensor::index(ArrayRef<TensorIndex> indices) const { return get_item(*this, indices); }
Tensor Tensor::index(std::initializer_list<TensorIndex> indices) const {
  return get_item(*this, ArrayRef<TensorIndex>(indices));
}
Tensor& Tensor::index_put_(ArrayRef<TensorIndex> indices, const Tensor& value) {
  set_item(*this, indices, value);
  return *this;
}
Tensor& Tensor::index_put_(ArrayRef<TensorIndex> indices, const Scalar& value) {
  set_item(*this, indices, full({}, value, options()));
  return *this;
}
Tensor& Tensor::index_put_(std::initializer_list<TensorIndex> indices, const Tensor& value) {
  return index_put_(ArrayRef<TensorIndex>(indices), value);
}
Tensor& Tensor::index_put_(std::initializer_list<TensorIndex> indices, const Scalar& value) {
  return index_put_(ArrayRef<TensorIndex>(indices), value);
}

}  // namespace ember
