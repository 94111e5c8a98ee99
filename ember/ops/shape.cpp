// The view ops: view/reshape, permute/transpose, squeeze/unsqueeze, expand,
// narrow/slice/select, split/chunk/unbind, as_strided. The shape ops that copy (cat,
// stack, flip, repeat) are in shape_copy.cpp.
#include "ember/ops/shape.h"

#include <algorithm>
#include <numeric>

#include "ember/autograd/derivatives.h"
#include "ember/core/tensor_iterator.h"
#include "ember/ops/factory.h"
#include "ember/ops/type_promotion.h"

namespace ember {

int64_t maybe_wrap_dim(int64_t d, int64_t ndim, bool wrap_scalar) {
  if (ndim <= 0) {
    EMBER_CHECK_INDEX(wrap_scalar, "dimension specified as ", d, " but tensor has no dimensions");
    ndim = 1;
  }
  int64_t lo = -ndim, hi = ndim - 1;
  EMBER_CHECK_INDEX(d >= lo && d <= hi, "Dimension out of range (expected to be in range of [", lo, ", ", hi,
                    "], but got ", d, ")");
  return d < 0 ? d + ndim : d;
}

int64_t Tensor::size(int64_t d) const {
  d = maybe_wrap_dim(d, dim(), false);
  return sizes()[d];
}
int64_t Tensor::stride(int64_t d) const {
  d = maybe_wrap_dim(d, dim(), false);
  return strides()[d];
}

namespace {
// A view of `base` with new geometry over the same storage.
Tensor make_view(const Tensor& base, IntArrayRef sizes, IntArrayRef strides, int64_t offset) {
  Tensor v(make_intrusive<TensorImpl>(base.storage(), base.dtype(), sizes, strides, offset));
  TensorImpl* root = base.unsafeGetTensorImpl()->view_base();
  v.unsafeGetTensorImpl()->set_view_base(root ? intrusive_ptr<TensorImpl>(root) : base.impl());
  return v;
}
// Records a view op's history (Note [Recording autograd history]) and returns the view.
// `make_state` runs only when recording: views are cheap and mostly run without grad.
template <class State, class MakeState>
Tensor recorded(const autograd::Derivative<State>& derivative, const Tensor& self, Tensor view,
                MakeState&& make_state) {
  autograd::record(derivative, {&self}, view, std::forward<MakeState>(make_state));
  return view;
}
template <class State>
Tensor recorded(const autograd::Derivative<State>& derivative, const Tensor& self, Tensor view) {
  autograd::record(derivative, {&self}, view);
  return view;
}
// The state of the views whose gradient is reshaped (or summed) back to the input's sizes.
auto self_sizes(const Tensor& self) {
  return [&self] { return autograd::SizesState{autograd::dim_vector(self.sizes())}; };
}

}  // namespace

DimVector infer_size(IntArrayRef shape, int64_t numel) {
  DimVector out(shape.begin(), shape.end());
  int64_t known = 1;
  std::optional<size_t> infer;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      EMBER_CHECK(!infer, "only one dimension can be inferred");
      infer = i;
    } else {
      EMBER_CHECK(shape[i] >= 0, "invalid shape dimension ", shape[i]);
      known *= shape[i];
    }
  }
  if (infer) {
    EMBER_CHECK(!(known == 0 && numel == 0), "cannot reshape tensor of 0 elements into shape ", shape,
                " because the unspecified dimension size -1 can be any value and is ambiguous");
    EMBER_CHECK(known != 0 && numel % known == 0, "shape '", shape, "' is invalid for input of size ", numel);
    // A 0-element tensor can't have its -1 resolved unless the rest is non-zero.
    out[*infer] = numel / known;
  } else {
    EMBER_CHECK(known == numel, "shape '", shape, "' is invalid for input of size ", numel);
  }
  return out;
}

std::optional<DimVector> compute_view_strides(IntArrayRef old_sizes, IntArrayRef old_strides, IntArrayRef shape) {
  DimVector new_strides(shape.size());
  if (old_sizes.empty()) {  // a 0-dim tensor: every target dimension has size 1
    return contiguous_strides(shape);
  }
  int64_t numel = 1;
  for (int64_t s : old_sizes) numel *= s;
  if (numel == 0) {
    if (old_sizes == shape) return DimVector(old_strides.begin(), old_strides.end());
    return contiguous_strides(shape);
  }
  int64_t view_d = static_cast<int64_t>(shape.size()) - 1;
  int64_t chunk_base_stride = old_strides.back();
  int64_t tensor_numel = 1, view_numel = 1;
  for (int64_t tensor_d = static_cast<int64_t>(old_sizes.size()) - 1; tensor_d >= 0; --tensor_d) {
    tensor_numel *= old_sizes[tensor_d];
    // At the end of a chunk of memory-contiguous dimensions, lay the view's dims over it.
    if (tensor_d == 0 || (old_sizes[tensor_d - 1] != 1 && old_strides[tensor_d - 1] != tensor_numel * chunk_base_stride)) {
      while (view_d >= 0 && (view_numel < tensor_numel || shape[view_d] == 1)) {
        new_strides[view_d] = view_numel * chunk_base_stride;
        view_numel *= shape[view_d];
        --view_d;
      }
      if (view_numel != tensor_numel) return std::nullopt;
      if (tensor_d > 0) {
        chunk_base_stride = old_strides[tensor_d - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  if (view_d != -1) return std::nullopt;
  return new_strides;
}

Tensor Tensor::view(IntArrayRef sizes_in) const {
  DimVector shape = infer_size(sizes_in, numel());
  auto strides_opt = compute_view_strides(sizes(), strides(), shape);
  EMBER_CHECK(strides_opt.has_value(),
              "view size is not compatible with input tensor's size and stride (at least one dimension spans "
              "across two contiguous subspaces). Use .reshape(...) instead.");
  return recorded(autograd::ViewBackward0, *this, make_view(*this, shape, *strides_opt, storage_offset()),
                  self_sizes(*this));
}

Tensor Tensor::view(ScalarType dt) const {
  EMBER_CHECK(element_size() == ::ember::element_size(dt),
              "view(dtype) between dtypes of different sizes is not supported: ", dtype(), " to ", dt);
  return Tensor(make_intrusive<TensorImpl>(storage(), dt, sizes(), strides(), storage_offset()));
}

Tensor Tensor::view_as(const Tensor& other) const { return view(other.sizes()); }

Tensor Tensor::reshape(IntArrayRef sizes_in) const {
  DimVector shape = infer_size(sizes_in, numel());
  if (auto s = compute_view_strides(sizes(), strides(), shape))
    return recorded(autograd::ReshapeAliasBackward0, *this, make_view(*this, shape, *s, storage_offset()),
                    self_sizes(*this));
  // Not viewable: PyTorch copies, then takes an untracked view of the copy (_unsafe_view),
  // so the history reads UnsafeViewBackward0 <- CloneBackward0.
  Tensor copy = clone();
  return recorded(autograd::UnsafeViewBackward0, copy, make_view(copy, shape, contiguous_strides(shape), 0),
                  self_sizes(copy));
}
Tensor Tensor::reshape_as(const Tensor& other) const { return reshape(other.sizes()); }
Tensor reshape(const Tensor& t, IntArrayRef sizes) { return t.reshape(sizes); }

Tensor Tensor::permute(IntArrayRef dims) const {
  int64_t nd = dim();
  EMBER_CHECK(static_cast<int64_t>(dims.size()) == nd,
              "permute(sparse_coo): number of dimensions in the tensor input does not match the length of the "
              "desired ordering of dimensions i.e. input.dim() = ", nd, " is not equal to len(dims) = ", dims.size());
  DimVector sz(nd), st(nd);
  SmallVector<bool, 8> seen(nd, false);
  for (int64_t i = 0; i < nd; ++i) {
    int64_t d = maybe_wrap_dim(dims[i], nd);
    EMBER_CHECK(!seen[d], "permute(): duplicate dims are not allowed.");
    seen[d] = true;
    sz[i] = sizes()[d];
    st[i] = strides()[d];
  }
  return recorded(autograd::PermuteBackward0, *this, make_view(*this, sz, st, storage_offset()), [&] {
    autograd::DimsState s;
    for (int64_t i = 0; i < nd; ++i) s.dims.push_back(maybe_wrap_dim(dims[i], nd));
    return s;
  });
}
Tensor permute(const Tensor& t, IntArrayRef dims) { return t.permute(dims); }

Tensor Tensor::transpose(int64_t d0, int64_t d1) const {
  int64_t nd = dim();
  if (nd == 0) {
    maybe_wrap_dim(d0, 0);
    maybe_wrap_dim(d1, 0);
    return recorded(autograd::AliasBackward0, *this, make_view(*this, {}, {}, storage_offset()), self_sizes(*this));
  }
  d0 = maybe_wrap_dim(d0, nd);
  d1 = maybe_wrap_dim(d1, nd);
  DimVector sz(sizes().begin(), sizes().end()), st(strides().begin(), strides().end());
  std::swap(sz[d0], sz[d1]);
  std::swap(st[d0], st[d1]);
  return recorded(autograd::TransposeBackward0, *this, make_view(*this, sz, st, storage_offset()), [&] {
    return autograd::TransposeState{d0, d1};
  });
}
Tensor transpose(const Tensor& t, int64_t d0, int64_t d1) { return t.transpose(d0, d1); }

Tensor Tensor::t() const {
  EMBER_CHECK(dim() <= 2, "t() expects a tensor with <= 2 dimensions, but self is ", dim(), "D");
  if (dim() < 2) return recorded(autograd::TBackward0, *this, make_view(*this, sizes(), strides(), storage_offset()));
  return recorded(autograd::TBackward0, *this,
                  make_view(*this, {sizes()[1], sizes()[0]}, {strides()[1], strides()[0]}, storage_offset()));
}
Tensor Tensor::mT() const {
  EMBER_CHECK(dim() >= 2, "tensor.mT is only supported on matrices or batches of matrices. Got ", dim(), "-D tensor.");
  return transpose(-2, -1);
}

Tensor Tensor::movedim(int64_t src, int64_t dst) const {
  int64_t nd = dim();
  src = maybe_wrap_dim(src, nd);
  dst = maybe_wrap_dim(dst, nd);
  if (nd == 0) return permute(DimVector{});  // dims 0 / -1 of a 0-dim tensor: nothing moves
  DimVector order;
  for (int64_t i = 0; i < nd; ++i)
    if (i != src) order.push_back(i);
  order.insert(order.begin() + dst, src);
  return permute(order);
}
Tensor movedim(const Tensor& t, int64_t src, int64_t dst) { return t.movedim(src, dst); }

Tensor Tensor::squeeze() const {
  DimVector sz, st;
  for (int64_t d = 0; d < dim(); ++d)
    if (sizes()[d] != 1) {
      sz.push_back(sizes()[d]);
      st.push_back(strides()[d]);
    }
  return recorded(autograd::SqueezeBackward0, *this, make_view(*this, sz, st, storage_offset()), self_sizes(*this));
}
Tensor Tensor::squeeze(int64_t d) const {
  int64_t nd = dim();
  d = maybe_wrap_dim(d, nd);
  if (nd == 0 || sizes()[d] != 1)
    return recorded(autograd::SqueezeBackward1, *this, make_view(*this, sizes(), strides(), storage_offset()),
                    self_sizes(*this));
  DimVector sz(sizes().begin(), sizes().end()), st(strides().begin(), strides().end());
  sz.erase(sz.begin() + d);
  st.erase(st.begin() + d);
  return recorded(autograd::SqueezeBackward1, *this, make_view(*this, sz, st, storage_offset()), self_sizes(*this));
}
Tensor squeeze(const Tensor& t) { return t.squeeze(); }
Tensor squeeze(const Tensor& t, int64_t d) { return t.squeeze(d); }

Tensor Tensor::unsqueeze(int64_t d) const {
  int64_t nd = dim();
  d = maybe_wrap_dim(d, nd + 1);
  DimVector sz(sizes().begin(), sizes().end()), st(strides().begin(), strides().end());
  int64_t new_stride = d >= nd ? 1 : sz[d] * st[d];
  sz.insert(sz.begin() + d, 1);
  st.insert(st.begin() + d, new_stride);
  return recorded(autograd::UnsqueezeBackward0, *this, make_view(*this, sz, st, storage_offset()),
                  [&] { return autograd::DimState{d}; });
}
Tensor unsqueeze(const Tensor& t, int64_t d) { return t.unsqueeze(d); }

Tensor& Tensor::squeeze_() {
  Tensor v = squeeze();
  impl_->set_geometry(v.sizes(), v.strides(), v.storage_offset());
  return *this;
}
Tensor& Tensor::squeeze_(int64_t d) {
  Tensor v = squeeze(d);
  impl_->set_geometry(v.sizes(), v.strides(), v.storage_offset());
  return *this;
}
Tensor& Tensor::unsqueeze_(int64_t d) {
  Tensor v = unsqueeze(d);
  impl_->set_geometry(v.sizes(), v.strides(), v.storage_offset());
  return *this;
}

Tensor Tensor::expand(IntArrayRef target, bool implicit) const {
  int64_t nd = dim();
  int64_t nt = static_cast<int64_t>(target.size());
  EMBER_CHECK(nt >= nd, "expand(torch.FloatTensor{", sizes(), "}, size=", target,
              "): the number of sizes provided (", nt, ") must be greater or equal to the number of dimensions in the tensor (",
              nd, ")");
  DimVector sz(nt), st(nt);
  for (int64_t i = nt - 1; i >= 0; --i) {
    int64_t offset = nd - nt + i;
    int64_t size = offset >= 0 ? sizes()[offset] : 1;
    int64_t stride = offset >= 0 ? strides()[offset] : (i + 1 < nt ? sz[i + 1] * st[i + 1] : 1);
    int64_t want = target[i];
    if (want == -1) {
      EMBER_CHECK(offset >= 0, "The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension ", i);
      want = size;
    }
    if (size != want) {
      EMBER_CHECK(size == 1, "The expanded size of the tensor (", want, ") must match the existing size (", size,
                  ") at non-singleton dimension ", i, ".  Target sizes: ", target, ".  Tensor sizes: ", sizes());
      EMBER_CHECK(want >= 0, "Trying to create tensor with negative dimension ", want, ": ", target);
      stride = 0;
    }
    sz[i] = want;
    st[i] = stride;
  }
  return recorded(autograd::ExpandBackward0, *this, make_view(*this, sz, st, storage_offset()), self_sizes(*this));
}
Tensor Tensor::expand_as(const Tensor& other) const { return expand(other.sizes()); }

std::vector<Tensor> broadcast_tensors(TensorList tensors) {
  DimVector shape;
  for (const Tensor& t : tensors) shape = broadcast_shapes(shape, t.sizes());
  std::vector<Tensor> out;
  for (const Tensor& t : tensors) out.push_back(t.expand(shape));
  return out;
}

Tensor Tensor::flatten(int64_t start, int64_t end) const {
  int64_t nd = dim();
  start = maybe_wrap_dim(start, nd);  // a 0-dim tensor takes dims 0 / -1 only
  end = maybe_wrap_dim(end, nd);
  if (nd == 0) return reshape({1});
  EMBER_CHECK(start <= end, "flatten() has invalid args: start_dim cannot come after end_dim");
  if (start == end) return *this;
  DimVector shape;
  for (int64_t i = 0; i < start; ++i) shape.push_back(sizes()[i]);
  int64_t prod = 1;
  for (int64_t i = start; i <= end; ++i) prod *= sizes()[i];
  shape.push_back(prod);
  for (int64_t i = end + 1; i < nd; ++i) shape.push_back(sizes()[i]);
  return reshape(shape);
}
Tensor flatten(const Tensor& t, int64_t s, int64_t e) { return t.flatten(s, e); }

Tensor Tensor::unflatten(int64_t d, IntArrayRef sizes_in) const {
  EMBER_CHECK_INDEX(dim() > 0, "Dimension specified as ", d, " but tensor has no dimensions");
  d = maybe_wrap_dim(d, dim());
  EMBER_CHECK(!sizes_in.empty(), "unflatten: sizes must be non-empty");
  // PyTorch's own message when the sizes cannot fit the dim (an ambiguous -1 over an empty
  // dim is left to infer_size's).
  const int64_t n = sizes()[d];
  int64_t known = 1;
  bool has_infer = false;
  for (int64_t v : sizes_in) {
    if (v == -1) has_infer = true;
    else known *= v;
  }
  EMBER_CHECK(has_infer ? (known == 0 || n % known == 0) : known == n, "unflatten: Provided sizes ", sizes_in,
              " don't multiply up to the size of dim ", d, " (", n, ") in the input tensor");
  DimVector inner = infer_size(sizes_in, n);
  DimVector shape;
  for (int64_t i = 0; i < d; ++i) shape.push_back(sizes()[i]);
  for (int64_t s : inner) shape.push_back(s);
  for (int64_t i = d + 1; i < dim(); ++i) shape.push_back(sizes()[i]);
  return view(shape);
}

Tensor Tensor::narrow(int64_t d, int64_t start, int64_t length) const {
  EMBER_CHECK(dim() > 0, "narrow() cannot be applied to a 0-dim tensor.");
  d = maybe_wrap_dim(d, dim());
  int64_t size = sizes()[d];
  EMBER_CHECK_INDEX(start >= -size && start <= size, "start out of range (expected to be in range of [", -size, ", ",
                    size, "], but got ", start, ")");
  if (start < 0) start += size;
  EMBER_CHECK(length >= 0, "narrow(): length must be non-negative.");
  EMBER_CHECK(start <= size - length, "start (", start, ") + length (", length, ") exceeds dimension size (", size, ").");
  return slice(d, start, start + length, 1);
}
Tensor narrow(const Tensor& t, int64_t d, int64_t s, int64_t l) { return t.narrow(d, s, l); }

Tensor Tensor::slice(int64_t d, std::optional<int64_t> start_opt, std::optional<int64_t> end_opt, int64_t step) const {
  EMBER_CHECK_INDEX(dim() > 0, "slice() cannot be applied to a 0-dim tensor.");
  d = maybe_wrap_dim(d, dim());
  EMBER_CHECK_VALUE(step > 0, "slice step must be positive");
  int64_t size = sizes()[d];
  int64_t start = start_opt.value_or(0), end = end_opt.value_or(size);
  if (start < 0) start += size;
  if (end < 0) end += size;
  start = std::clamp<int64_t>(start, 0, size);
  end = std::clamp<int64_t>(end, start, size);
  int64_t len = end == start ? 0 : 1 + (end - start - 1) / step;  // ceil, without overflow for huge steps
  DimVector sz(sizes().begin(), sizes().end()), st(strides().begin(), strides().end());
  int64_t offset = storage_offset() + start * st[d];
  sz[d] = len;
  // A step past the end leaves at most one element, whose stride is never multiplied by
  // anything but 0; saturate rather than overflow.
  if (__builtin_mul_overflow(st[d], step, &st[d])) st[d] = INT64_MAX;
  return recorded(autograd::SliceBackward0, *this, make_view(*this, sz, st, offset), [&] {
    return autograd::SliceState{autograd::dim_vector(sizes()), d, start, end, step};
  });
}

Tensor Tensor::select(int64_t d, int64_t index) const {
  EMBER_CHECK_INDEX(dim() > 0, "select() cannot be applied to a 0-dim tensor.");
  d = maybe_wrap_dim(d, dim());
  int64_t size = sizes()[d];
  EMBER_CHECK_INDEX(index >= -size && index < size, "select(): index ", index, " out of range for tensor of size ",
                    sizes(), " at dimension ", d);
  if (index < 0) index += size;
  DimVector sz(sizes().begin(), sizes().end()), st(strides().begin(), strides().end());
  int64_t offset = storage_offset() + index * st[d];
  sz.erase(sz.begin() + d);
  st.erase(st.begin() + d);
  return recorded(autograd::SelectBackward0, *this, make_view(*this, sz, st, offset), [&] {
    return autograd::SelectState{autograd::dim_vector(sizes()), d, index};
  });
}
Tensor select(const Tensor& t, int64_t d, int64_t i) { return t.select(d, i); }

std::vector<Tensor> Tensor::split(int64_t split_size, int64_t d) const {
  EMBER_CHECK(dim() != 0, "split expects at least a 1-dimensional tensor");
  d = maybe_wrap_dim(d, dim());
  int64_t size = sizes()[d];
  EMBER_CHECK(split_size >= 0, "split expects split_size be non-negative, but got split_size=", split_size);
  EMBER_CHECK(split_size > 0 || size == 0, "split_size can only be 0 if dimension size is 0, but got dimension size of ", size);
  int64_t n = split_size == 0 ? 1 : std::max<int64_t>((size + split_size - 1) / split_size, 1);
  std::vector<Tensor> out = autograd::untracked([&] {
    std::vector<Tensor> pieces;
    for (int64_t i = 0; i < n; ++i) {
      int64_t start = i * split_size;
      pieces.push_back(narrow(d, start, std::min(split_size, size - start)));
    }
    return pieces;
  });
  autograd::record_outputs(autograd::SplitBackward0, {this}, out, {d});
  return out;
}
std::vector<Tensor> Tensor::split_with_sizes(IntArrayRef split_sizes, int64_t d) const {
  EMBER_CHECK(dim() != 0, "split expects at least a 1-dimensional tensor");
  d = maybe_wrap_dim(d, dim());
  int64_t total = 0;
  for (int64_t s : split_sizes) {
    EMBER_CHECK(s >= 0, "split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes=", split_sizes);
    total += s;
  }
  EMBER_CHECK(total == sizes()[d], "split_with_sizes expects split_sizes to sum exactly to ", sizes()[d],
              " (input tensor's size at dimension ", d, "), but got split_sizes=", split_sizes);
  std::vector<Tensor> out = autograd::untracked([&] {
    std::vector<Tensor> pieces;
    int64_t start = 0;
    for (int64_t s : split_sizes) {
      pieces.push_back(narrow(d, start, s));
      start += s;
    }
    return pieces;
  });
  autograd::record_outputs(autograd::SplitWithSizesBackward0, {this}, out, {d});
  return out;
}
std::vector<Tensor> Tensor::split(IntArrayRef split_sizes, int64_t d) const { return split_with_sizes(split_sizes, d); }
std::vector<Tensor> split(const Tensor& t, int64_t s, int64_t d) { return t.split(s, d); }

std::vector<Tensor> Tensor::chunk(int64_t chunks, int64_t d) const {
  EMBER_CHECK(dim() > 0, "chunk expects at least a 1-dimensional tensor");
  EMBER_CHECK(chunks > 0, "chunk expects `chunks` to be greater than 0, got: ", chunks);
  d = maybe_wrap_dim(d, dim());
  int64_t size = sizes()[d];
  int64_t split_size = (size + chunks - 1) / chunks;
  if (split_size == 0 && size == 0) {
    std::vector<int64_t> sizes_v(chunks, 0);
    return split_with_sizes(sizes_v, d);
  }
  return split(split_size, d);
}
std::vector<Tensor> chunk(const Tensor& t, int64_t c, int64_t d) { return t.chunk(c, d); }

std::vector<Tensor> Tensor::unbind(int64_t d) const {
  EMBER_CHECK(dim() > 0, "Dimension specified as 0 but tensor has no dimensions");
  d = maybe_wrap_dim(d, dim());
  std::vector<Tensor> out = autograd::untracked([&] {
    std::vector<Tensor> pieces;
    for (int64_t i = 0; i < sizes()[d]; ++i) pieces.push_back(select(d, i));
    return pieces;
  });
  autograd::record_outputs(autograd::UnbindBackward0, {this}, out, {d});
  return out;
}
std::vector<Tensor> unbind(const Tensor& t, int64_t d) { return t.unbind(d); }

Tensor Tensor::as_strided(IntArrayRef sz, IntArrayRef st, std::optional<int64_t> offset_opt) const {
  EMBER_CHECK(sz.size() == st.size(), "mismatch in length of strides and shape");
  int64_t offset = offset_opt.value_or(storage_offset());
  EMBER_CHECK(offset >= 0, "Tensor: invalid storage offset ", offset);
  for (size_t i = 0; i < sz.size(); ++i) {
    EMBER_CHECK(sz[i] >= 0, "Trying to create tensor with negative dimension ", sz[i], ": ", sz);
    EMBER_CHECK(st[i] >= 0, "as_strided: Negative strides are not supported at the moment, got strides: ", st);
  }
  // An empty view reaches no storage; any other must fit, offset included, without wrapping.
  const size_t reach = compute_storage_nbytes(sz, st, element_size());
  size_t required = 0;
  const bool overflowed = __builtin_mul_overflow(static_cast<size_t>(offset), element_size(), &required) ||
                          __builtin_add_overflow(required, reach, &required);
  EMBER_CHECK(!overflowed, "Storage size calculation overflowed with sizes=", sz, " and strides=", st);
  EMBER_CHECK(reach == 0 || required <= storage()->nbytes(), "setStorage: sizes ", sz, ", strides ", st,
              ", storage offset ", offset, ", and itemsize ", element_size(), " requiring a storage size of ", required,
              " are out of bounds for storage of size ", storage()->nbytes());
  Tensor view = make_view(*this, sz, st, offset);
  return recorded(autograd::AsStridedBackward0, *this, view, [&] {
    return autograd::AsStridedState{autograd::dim_vector(sizes()), autograd::dim_vector(strides()),
                                    autograd::dim_vector(view.sizes()), autograd::dim_vector(view.strides()),
                                    view.storage_offset() - storage_offset()};
  });
}
Tensor& Tensor::as_strided_(IntArrayRef sz, IntArrayRef st, std::optional<int64_t> offset) {
  Tensor v = as_strided(sz, st, offset);
  impl_->set_geometry(v.sizes(), v.strides(), v.storage_offset());
  return *this;
}
Tensor as_strided(const Tensor& t, IntArrayRef sz, IntArrayRef st, std::optional<int64_t> off) {
  return t.as_strided(sz, st, off);
}

Tensor Tensor::diagonal(int64_t offset, int64_t dim1, int64_t dim2) const {
  int64_t nd = dim();
  const int64_t d1 = maybe_wrap_dim(dim1, nd), d2 = maybe_wrap_dim(dim2, nd);
  EMBER_CHECK(d1 != d2, "diagonal dimensions cannot be identical ", dim1, ", ", dim2);  // as given, as PyTorch
  int64_t len, start = storage_offset();
  if (offset >= 0) {
    len = std::max<int64_t>(std::min(sizes()[d1], sizes()[d2] - offset), 0);
    if (len > 0) start += offset * strides()[d2];
  } else {
    len = std::max<int64_t>(std::min(sizes()[d1] + offset, sizes()[d2]), 0);
    if (len > 0) start -= offset * strides()[d1];
  }
  DimVector sz, st;
  for (int64_t i = 0; i < nd; ++i)
    if (i != d1 && i != d2) {
      sz.push_back(sizes()[i]);
      st.push_back(strides()[i]);
    }
  sz.push_back(len);
  st.push_back(strides()[d1] + strides()[d2]);
  return recorded(autograd::DiagonalBackward0, *this, make_view(*this, sz, st, start), [&] {
    return autograd::DiagonalState{autograd::dim_vector(sizes()), offset, d1, d2};
  });
}
Tensor diagonal(const Tensor& t, int64_t o, int64_t a, int64_t b) { return t.diagonal(o, a, b); }

}  // namespace ember
