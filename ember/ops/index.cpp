// index_select, gather, scatter*, index_add, masked_*, nonzero, where(condition).
#include "ember/ops/index.h"

#include "ember/autograd/derivatives.h"

#include <algorithm>

#include "ember/core/tensor_iterator.h"
#include "ember/kernels/index.h"
#include "ember/kernels/elementwise.h"
#include "ember/ops/advanced_index.h"
#include "ember/ops/elementwise.h"
#include "ember/ops/factory.h"
#include "ember/ops/indexing.h"

namespace ember {

void check_no_internal_overlap(const Tensor& t);  // ops/copy.cpp

namespace {

// PyTorch treats a 0-dim tensor as one of shape [1] in these ops.
int64_t ndim1(const Tensor& t) { return std::max<int64_t>(t.dim(), 1); }
int64_t size1(const Tensor& t, int64_t d) { return t.dim() == 0 ? 1 : t.sizes()[d]; }
Tensor at_least_1d(const Tensor& t) { return t.dim() == 0 ? t.view({1}) : t; }

Tensor restride(const Tensor& base, IntArrayRef sizes, IntArrayRef strides) {
  return Tensor(make_intrusive<TensorImpl>(base.storage(), base.dtype(), sizes, strides, base.storage_offset()));
}

bool is_index_dtype(ScalarType t) { return t == kLong || t == kInt; }
bool is_mask_dtype(ScalarType t) { return t == kBool || t == kUInt8; }

// Note [Scatter-gather fibers]
// gather and scatter pair element k of index's fiber along `dim` with element index[k] of
// the other tensor's fiber. The TensorIterator runs over index's shape with `dim`
// squashed to 1, so each iteration element is one whole fiber (dst, src and index views
// share that shape; the callers have checked that index fits inside both), and the kernel
// walks the fiber. Threads therefore never write the same destination element, which
// keeps scatter_add and scatter with reduce deterministic and parallel.
void run_fibers(kernels::ScatterGatherOp op, const Tensor& dst, const Tensor& src, const Tensor& index, int64_t dim) {
  Tensor d = at_least_1d(dst), s = at_least_1d(src), i = at_least_1d(index);
  DimVector shape(i.sizes().begin(), i.sizes().end());
  shape[dim] = 1;
  const bool gather = op == kernels::ScatterGatherOp::gather;
  kernels::FiberGeometry g{i.sizes()[dim], i.strides()[dim], d.strides()[dim], s.strides()[dim],
                       gather ? s.sizes()[dim] : d.sizes()[dim]};
  TensorIterator iter;
  iter.add_output(restride(d, shape, d.strides()))
      .add_input(restride(s, shape, s.strides()))
      .add_input(restride(i, shape, i.strides()))
      .build();
  kernels::BadIndex bad;
  kernels::scatter_gather_stub(iter.device())(op, iter, g, bad);
  if (bad.found) EMBER_THROW(Error, "index ", bad.value, " is out of bounds for dimension ", dim, " with size ", g.dim_size);
}

kernels::ScatterGatherOp reduce_op(const std::string& reduce) {
  if (reduce == "add") return kernels::ScatterGatherOp::scatter_add;
  if (reduce == "multiply") return kernels::ScatterGatherOp::scatter_mul;
  EMBER_THROW(Error, "reduce argument must be either add or multiply.");
}

// scatter / scatter_add / scatter with reduce, in place. Exactly one of src and value.
Tensor& scatter_impl(const char* name, Tensor& self, int64_t dim, const Tensor& index, const Tensor* src,
                     const Scalar* value, kernels::ScatterGatherOp op) {
  EMBER_CHECK(self.defined() && index.defined() && (!src || src->defined()), name, "(): expected defined tensors");
  dim = maybe_wrap_dim(dim, self.dim());
  // PyTorch names every scatter variant "scatter()" in these two messages.
  EMBER_CHECK(index.dtype() == kLong, "scatter(): Expected dtype int64 for index");
  if (src) EMBER_CHECK(src->dtype() == self.dtype(), "scatter(): Expected self.dtype to be equal to src.dtype");
  EMBER_CHECK(ndim1(index) == ndim1(self), "Index tensor must have the same number of dimensions as self tensor");
  if (src) EMBER_CHECK(ndim1(index) == ndim1(*src), "Index tensor must have the same number of dimensions as src tensor");
  check_no_internal_overlap(self);
  if (index.numel() == 0) return self;
  for (int64_t d = 0; d < ndim1(self); ++d) {
    const bool bad_self = d != dim && size1(index, d) > size1(self, d);
    const bool bad_src = src && size1(index, d) > size1(*src, d);
    if (!(bad_self || bad_src)) continue;
    if (src)
      EMBER_THROW(Error, "Expected index ", index.sizes(), " to be smaller than self ", self.sizes(),
                  " apart from dimension ", dim, " and to be smaller size than src ", src->sizes());
    EMBER_THROW(Error, "Expected index ", index.sizes(), " to be smaller than self ", self.sizes(),
                " apart from dimension ", dim);
  }
  Tensor s;
  if (src) s = src->storage().get() == self.storage().get() ? src->clone() : *src;
  else s = full({}, *value, self.options()).expand(index.sizes());
  run_fibers(op, self, s, index, dim);
  mark_written(self);
  return self;
}

}  // namespace

// ---- index_select, gather ---------------------------------------------------------------
Tensor index_select(const Tensor& self, int64_t dim, const Tensor& index) {
  EMBER_CHECK(self.defined() && index.defined(), "index_select(): expected defined tensors");
  EMBER_CHECK_INDEX(index.dim() <= 1, "index_select(): Index is supposed to be a vector");
  EMBER_CHECK(is_index_dtype(index.dtype()), "index_select(): Expected dtype int32 or int64 for index");
  dim = maybe_wrap_dim(dim, self.dim());
  if (self.dim() == 0)
    EMBER_CHECK_INDEX(index.numel() == 1, "index_select(): Index to scalar can have only 1 value, got ",
                      index.numel(), " value(s)");
  std::vector<std::optional<Tensor>> indices(static_cast<size_t>(dim), std::nullopt);
  indices.emplace_back(index.reshape({-1}));
  Tensor r = autograd::untracked([&] {
    Tensor g = detail::advanced_gather(detail::make_advanced_index(at_least_1d(self), indices, detail::IndexMode::Select));
    return self.dim() == 0 ? g.view(IntArrayRef{}) : g;
  });
  autograd::record(autograd::IndexSelectBackward0, {&self}, r, {autograd::dim_vector(self.sizes()), dim},
                   {index.reshape({-1})});
  return r;
}

Tensor gather(const Tensor& self, int64_t dim, const Tensor& index, bool /*sparse_grad*/) {
  EMBER_CHECK(self.defined() && index.defined(), "gather(): expected defined tensors");
  dim = maybe_wrap_dim(dim, self.dim());
  EMBER_CHECK(index.dtype() == kLong, "gather(): Expected dtype int64 for index");
  EMBER_CHECK(ndim1(index) == ndim1(self), "Index tensor must have the same number of dimensions as input tensor");
  Tensor out = empty(index.sizes(), self.options());
  if (index.numel() > 0) {
    for (int64_t d = 0; d < ndim1(self); ++d)
      EMBER_CHECK(d == dim || size1(index, d) <= size1(self, d), "Size does not match at dimension ", d,
                  " expected index ", index.sizes(), " to be smaller than self ", self.sizes(),
                  " apart from dimension ", dim);
    run_fibers(kernels::ScatterGatherOp::gather, out, self, index, dim);
  }
  // Note [Empty results keep their history]
  autograd::record(autograd::GatherBackward0, {&self}, out, {autograd::dim_vector(self.sizes()), dim}, {index});
  return out;
}

// ---- scatter family ----------------------------------------------------------------------
namespace {
// An in-place scatter on a tensor that takes part in autograd (self or src requires grad)
// is replayed out of place and committed: Note [In-place on views].
template <class OutOfPlace>
bool scatter_inplace_recorded(Tensor& self, const Tensor* src, OutOfPlace&& out_of_place) {
  if (!autograd::should_record({&self, src ? src : &self})) return false;
  autograd::check_inplace(self);
  autograd::commit_inplace(self, out_of_place());
  return true;
}
}  // namespace

Tensor& scatter_(Tensor& self, int64_t dim, const Tensor& index, const Tensor& src) {
  if (scatter_inplace_recorded(self, &src, [&] { return scatter(self, dim, index, src); })) return self;
  return scatter_impl("scatter", self, dim, index, &src, nullptr, kernels::ScatterGatherOp::scatter);
}
Tensor& scatter_(Tensor& self, int64_t dim, const Tensor& index, const Scalar& value) {
  if (scatter_inplace_recorded(self, nullptr, [&] { return scatter(self, dim, index, value); })) return self;
  return scatter_impl("scatter", self, dim, index, nullptr, &value, kernels::ScatterGatherOp::scatter);
}
Tensor& scatter_(Tensor& self, int64_t dim, const Tensor& index, const Tensor& src, const std::string& reduce) {
  if (scatter_inplace_recorded(self, &src, [&] { return scatter(self, dim, index, src, reduce); })) return self;
  return scatter_impl("scatter", self, dim, index, &src, nullptr, reduce_op(reduce));
}
Tensor& scatter_(Tensor& self, int64_t dim, const Tensor& index, const Scalar& value, const std::string& reduce) {
  if (scatter_inplace_recorded(self, nullptr, [&] { return scatter(self, dim, index, value, reduce); })) return self;
  return scatter_impl("scatter", self, dim, index, nullptr, &value, reduce_op(reduce));
}
Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src) {
  Tensor out = autograd::untracked([&] {
    Tensor o = self.clone();
    return scatter_(o, dim, index, src);
  });
  autograd::record(autograd::ScatterBackward0, {&self, &index, &src}, out, {dim}, {index});
  return out;
}
Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index, const Scalar& value) {
  Tensor out = autograd::untracked([&] {
    Tensor o = self.clone();
    return scatter_(o, dim, index, value);
  });
  Tensor no_src;  // a Scalar value: the src edge stays empty
  autograd::record(autograd::ScatterBackward0, {&self, &index, &no_src}, out, {dim}, {index});
  return out;
}
// scatter with reduce="add" differentiates like scatter_add; "multiply" has no derivative,
// as in PyTorch 1.13 (which has none for "add" either: ember gives the scatter_add one).
Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src, const std::string& reduce) {
  Tensor out = autograd::untracked([&] {
    Tensor o = self.clone();
    return scatter_(o, dim, index, src, reduce);
  });
  if (reduce == "add")
    autograd::record(autograd::ScatterAddBackward0, {&self, &index, &src}, out, {dim}, {index});
  else
    autograd::record(autograd::NotImplemented, {&self, &src}, out, {"scatter"});
  return out;
}
Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index, const Scalar& value, const std::string& reduce) {
  Tensor out = autograd::untracked([&] {
    Tensor o = self.clone();
    return scatter_(o, dim, index, value, reduce);
  });
  Tensor no_src;  // a Scalar value: the src edge stays empty
  if (reduce == "add")
    autograd::record(autograd::ScatterAddBackward0, {&self, &index, &no_src}, out, {dim}, {index});
  else
    autograd::record(autograd::NotImplemented, {&self}, out, {"scatter"});
  return out;
}
Tensor& scatter_add_(Tensor& self, int64_t dim, const Tensor& index, const Tensor& src) {
  if (scatter_inplace_recorded(self, &src, [&] { return scatter_add(self, dim, index, src); })) return self;
  return scatter_impl("scatter_add", self, dim, index, &src, nullptr, kernels::ScatterGatherOp::scatter_add);
}
Tensor scatter_add(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src) {
  Tensor out = autograd::untracked([&] {
    Tensor o = self.clone();
    return scatter_add_(o, dim, index, src);
  });
  autograd::record(autograd::ScatterAddBackward0, {&self, &index, &src}, out, {dim}, {index});
  return out;
}

// ---- index_add ---------------------------------------------------------------------------
Tensor& index_add_(Tensor& self, int64_t dim, const Tensor& index, const Tensor& source, const Scalar& alpha) {
  EMBER_CHECK(self.defined() && index.defined() && source.defined(), "index_add_(): expected defined tensors");
  dim = maybe_wrap_dim(dim, self.dim());
  EMBER_CHECK_INDEX(index.dim() <= 1, "index_add_(): Index is supposed to be a vector, but got dim: ", index.dim(),
                    " with type: ", index.dtype(), " and size: ", index.sizes());
  EMBER_CHECK(is_index_dtype(index.dtype()), "index_add_(): Expected dtype int32/int64 for index but got: ",
              index.dtype());
  EMBER_CHECK(self.dtype() == source.dtype(), "index_add_(): self (", self.dtype(), ") and source (", source.dtype(),
              ") must have the same scalar type");
  EMBER_CHECK(ndim1(source) == ndim1(self),
              "index_add_(): Source and destination tensors must have the same number of dimensions, got source ",
              source.sizes(), " and self ", self.sizes());
  const int64_t n = index.numel();
  EMBER_CHECK(n == size1(source, dim), "index_add_(): Number of indices (", n,
              ") should be equal to source.size(dim): (", size1(source, dim), "), for dim: ", dim);
  for (int64_t d = 0; d < ndim1(self); ++d)
    EMBER_CHECK(d == dim || size1(source, d) == size1(self, d), "index_add_(): source ", source.sizes(),
                " and self ", self.sizes(), " must have the same size apart from dimension ", dim);
  check_no_internal_overlap(self);
  // PyTorch converts alpha (checked) whenever it has indices, and for a 0-d or 1-d self
  // always, even when the tensors are empty.
  if (n == 0 && self.dim() > 1) return self;
  check_convertible(alpha, self.dtype());
  if (n == 0) return self;
  Tensor self1 = at_least_1d(self);
  std::vector<std::optional<Tensor>> indices(static_cast<size_t>(dim), std::nullopt);
  indices.emplace_back(index.reshape({-1}));
  detail::AdvancedIndex ai = detail::make_advanced_index(self1, indices, detail::IndexMode::Select);
  Tensor values = at_least_1d(source);
  // alpha is converted to self's dtype first: on integer tensors 2.7 counts as 2 (PyTorch).
  const Scalar a = is_floating_point(self.dtype()) || alpha.is_bool() ? alpha
                   : self.dtype() == kBool                           ? Scalar(alpha.to<bool>())
                                                                     : Scalar(alpha.to<int64_t>());
  if (!(a.is_bool() ? a.to<bool>() : a.to<double>() == 1.0)) values = mul(values, full({}, a, self.options()));
  detail::advanced_put(ai, values, /*accumulate=*/true);
  mark_written(self);
  return self;
}
Tensor index_add(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source, const Scalar& alpha) {
  Tensor out = autograd::untracked([&] {
    Tensor o = self.clone();
    return index_add_(o, dim, index, source, alpha);
  });
  autograd::record(autograd::IndexAddBackward0, {&self, &index, &source}, out,
                   {maybe_wrap_dim(dim, std::max<int64_t>(self.dim(), 1)), alpha, autograd::dim_vector(source.sizes())},
                   {index});
  return out;
}

// ---- masked_fill, masked_select --------------------------------------------------------
Tensor& masked_fill_(Tensor& self, const Tensor& mask, const Scalar& value) {
  EMBER_CHECK(self.defined() && mask.defined(), "masked_fill_(): expected defined tensors");
  EMBER_CHECK(is_mask_dtype(mask.dtype()), "masked_fill_ only supports boolean masks, but got mask with dtype ",
              dtype_name(mask.dtype()));
  check_no_internal_overlap(self);
  if (autograd::should_record({&self})) {  // Note [In-place on views]
    autograd::check_inplace(self);
    autograd::commit_inplace(self, masked_fill(self, mask, value));
    return self;
  }
  // out = mask ? value : self, written over self (the where kernel, in place).
  TensorIterator iter;
  iter.add_output(self)
      .add_input(mask.dtype() == kBool ? mask : mask.to(kBool))
      .add_input(full({}, value, self.options()))
      .add_input(self)
      .build();
  if (self.numel() > 0) kernels::where_stub(iter.device())(iter);
  mark_written(self);
  return self;
}
Tensor& masked_fill_(Tensor& self, const Tensor& mask, const Tensor& value) {
  EMBER_CHECK(value.defined(), "masked_fill_(): expected a defined value tensor");
  EMBER_CHECK(value.dim() == 0, "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with ",
              value.dim(), " dimension(s).");
  if (autograd::should_record({&value})) {  // the value's gradient too: Note [In-place on views]
    autograd::check_inplace(self);
    autograd::commit_inplace(self, masked_fill(self, mask, value));
    return self;
  }
  return masked_fill_(self, mask, value.item());
}
Tensor masked_fill(const Tensor& self, const Tensor& mask, const Scalar& value) {
  EMBER_CHECK(self.defined() && mask.defined(), "masked_fill(): expected defined tensors");
  EMBER_CHECK(is_mask_dtype(mask.dtype()), "masked_fill_ only supports boolean masks, but got mask with dtype ",
              dtype_name(mask.dtype()));
  Tensor out = autograd::untracked([&] {
    Tensor o = empty(broadcast_shapes(self.sizes(), mask.sizes()), self.options());
    o.copy_(self);
    return masked_fill_(o, mask, value);
  });
  autograd::record(autograd::MaskedFillBackward0, {&self}, out, {}, {mask});
  return out;
}
Tensor masked_fill(const Tensor& self, const Tensor& mask, const Tensor& value) {
  EMBER_CHECK(value.defined(), "masked_fill(): expected a defined value tensor");
  EMBER_CHECK(value.dim() == 0, "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with ",
              value.dim(), " dimension(s).");
  Tensor out = autograd::untracked([&] { return masked_fill(self, mask, value.item()); });
  // The value is differentiable too.
  autograd::record(autograd::MaskedFillBackward1, {&self, &value}, out, {value.dtype()}, {mask});
  return out;
}

Tensor masked_select(const Tensor& self, const Tensor& mask) {
  EMBER_CHECK(self.defined() && mask.defined(), "masked_select(): expected defined tensors");
  EMBER_CHECK(is_mask_dtype(mask.dtype()), "masked_select: expected BoolTensor or ByteTensor for mask");
  DimVector shape = broadcast_shapes(self.sizes(), mask.sizes());
  if (shape.empty()) shape.push_back(1);  // a 0-dim pair selects into a 1-d result too
  Tensor r = autograd::untracked([&] { return index(self.expand(shape), {std::optional<Tensor>(mask.expand(shape))}); });
  autograd::record(autograd::MaskedSelectBackward0, {&self}, r, {shape}, {mask});
  return r;
}

// ---- nonzero, where ------------------------------------------------------------------------
Tensor nonzero(const Tensor& self) {
  EMBER_CHECK(self.defined(), "nonzero(): expected a defined tensor");
  Tensor b = self.to(kBool).contiguous();  // NaN counts as non-zero, as in PyTorch
  const int64_t nd = b.dim();
  const bool* data = b.data_ptr<bool>();
  int64_t count = kernels::nonzero_stub(b.device())(data, b.sizes().data(), nd, nullptr);
  Tensor out = empty({count, nd}, TensorOptions(kLong).device(self.device()));
  if (count > 0 && nd > 0) kernels::nonzero_stub(b.device())(data, b.sizes().data(), nd, out.data_ptr<int64_t>());
  return out;
}

std::vector<Tensor> where(const Tensor& condition) {
  Tensor nz = nonzero(at_least_1d(condition));
  return nz.unbind(1);
}

// ---- Tensor methods ----------------------------------------------------------------------
Tensor Tensor::index_select(int64_t d, const Tensor& index) const { return ::ember::index_select(*this, d, index); }
Tensor Tensor::gather(int64_t d, const Tensor& index) const { return ::ember::gather(*this, d, index); }
Tensor Tensor::scatter(int64_t d, const Tensor& index, const Tensor& src) const {
  return ::ember::scatter(*this, d, index, src);
}
Tensor Tensor::scatter(int64_t d, const Tensor& index, const Scalar& value) const {
  return ::ember::scatter(*this, d, index, value);
}
Tensor Tensor::scatter(int64_t d, const Tensor& index, const Tensor& src, const std::string& reduce) const {
  return ::ember::scatter(*this, d, index, src, reduce);
}
Tensor Tensor::scatter(int64_t d, const Tensor& index, const Scalar& value, const std::string& reduce) const {
  return ::ember::scatter(*this, d, index, value, reduce);
}
Tensor& Tensor::scatter_(int64_t d, const Tensor& index, const Tensor& src, const std::string& reduce) {
  return ::ember::scatter_(*this, d, index, src, reduce);
}
Tensor& Tensor::scatter_(int64_t d, const Tensor& index, const Scalar& value, const std::string& reduce) {
  return ::ember::scatter_(*this, d, index, value, reduce);
}
Tensor& Tensor::scatter_(int64_t d, const Tensor& index, const Tensor& src) {
  return ::ember::scatter_(*this, d, index, src);
}
Tensor& Tensor::scatter_(int64_t d, const Tensor& index, const Scalar& value) {
  return ::ember::scatter_(*this, d, index, value);
}
Tensor Tensor::scatter_add(int64_t d, const Tensor& index, const Tensor& src) const {
  return ::ember::scatter_add(*this, d, index, src);
}
Tensor& Tensor::scatter_add_(int64_t d, const Tensor& index, const Tensor& src) {
  return ::ember::scatter_add_(*this, d, index, src);
}
Tensor Tensor::index_add(int64_t d, const Tensor& index, const Tensor& src, const Scalar& alpha) const {
  return ::ember::index_add(*this, d, index, src, alpha);
}
Tensor& Tensor::index_add_(int64_t d, const Tensor& index, const Tensor& src, const Scalar& alpha) {
  return ::ember::index_add_(*this, d, index, src, alpha);
}
Tensor Tensor::masked_fill(const Tensor& mask, const Scalar& value) const {
  return ::ember::masked_fill(*this, mask, value);
}
Tensor Tensor::masked_fill(const Tensor& mask, const Tensor& value) const {
  return ::ember::masked_fill(*this, mask, value);
}
Tensor& Tensor::masked_fill_(const Tensor& mask, const Scalar& value) { return ::ember::masked_fill_(*this, mask, value); }
Tensor& Tensor::masked_fill_(const Tensor& mask, const Tensor& value) { return ::ember::masked_fill_(*this, mask, value); }
Tensor Tensor::masked_select(const Tensor& mask) const { return ::ember::masked_select(*this, mask); }
Tensor Tensor::nonzero() const { return ::ember::nonzero(*this); }

}  // namespace ember
