#pragma once
// Tensor: the user-facing handle (one pointer to a shared TensorImpl). Copying a Tensor
// shares data, as in LibTorch; clone() copies.
//
// The methods are declared here and defined next to the op they forward to, in ops/.
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "ember/core/array_ref.h"
#include "ember/core/generator.h"
#include "ember/core/op_list.h"
#include "ember/core/reduction_list.h"
#include "ember/core/scalar.h"
#include "ember/core/tensor_accessor.h"
#include "ember/core/tensor_impl.h"
#include "ember/core/tensor_options.h"

namespace ember {

class Tensor;
using TensorList = ArrayRef<Tensor>;
namespace indexing { class TensorIndex; }
namespace autograd { struct Node; }

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(intrusive_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}
  Tensor(const Tensor&) = default;
  Tensor(Tensor&&) noexcept = default;

  // Note [Assignment to a temporary tensor]
  // Assigning to a named tensor rebinds the handle (`a = b` makes a share b's data), but
  // assigning to a temporary writes into it, as in LibTorch: `t[i] = v`,
  // `p.grad().data() = g / n` and `t.index({...}) = v` copy v (or fill a Scalar) into the
  // elements the temporary views. Without the rvalue-qualified overloads the second form
  // compiled and rebound a temporary handle that died at the semicolon: the gradient was
  // silently left unchanged.
  Tensor& operator=(const Tensor& other) & {
    impl_ = other.impl_;
    return *this;
  }
  Tensor& operator=(Tensor&& other) & noexcept {
    impl_ = std::move(other.impl_);
    return *this;
  }
  Tensor& operator=(const Tensor& src) && { return copy_(src); }
  Tensor& operator=(Tensor&& src) && { return copy_(src); }
  Tensor& operator=(const Scalar& value) && { return fill_(value); }

  // ---- identity and geometry ---------------------------------------------------------
  bool defined() const { return impl_.defined(); }
  void reset() { impl_.reset(); }
  TensorImpl* unsafeGetTensorImpl() const { return impl_.get(); }
  const intrusive_ptr<TensorImpl>& impl() const { return impl_; }
  bool is_same(const Tensor& o) const { return impl_ == o.impl_; }
  size_t use_count() const { return impl_.use_count(); }

  int64_t dim() const { return impl_->dim(); }
  int64_t ndimension() const { return dim(); }
  IntArrayRef sizes() const { return impl_->sizes(); }
  IntArrayRef strides() const { return impl_->strides(); }
  int64_t size(int64_t d) const;    // negative d counts from the end
  int64_t stride(int64_t d) const;
  int64_t numel() const { return impl_->numel(); }
  ScalarType dtype() const { return impl_->dtype(); }
  ScalarType scalar_type() const { return impl_->dtype(); }
  Device device() const { return impl_->device(); }
  TensorOptions options() const { return TensorOptions(dtype()).device(device()); }
  bool is_contiguous() const { return impl_->is_contiguous(); }
  int64_t storage_offset() const { return impl_->storage_offset(); }
  size_t element_size() const { return impl_->itemsize(); }
  size_t itemsize() const { return impl_->itemsize(); }
  size_t nbytes() const { return static_cast<size_t>(numel()) * itemsize(); }
  bool is_floating_point() const { return ::ember::is_floating_point(dtype()); }
  bool is_cpu() const { return device().is_cpu(); }
  bool is_cuda() const { return device().is_cuda(); }
  const Storage& storage() const { return impl_->storage(); }
  uint32_t _version() const { return impl_->version(); }

  // Typed pointer to the first element; checks that T matches the dtype.
  template <class T> T* data_ptr() const;
  void* data_ptr() const { return impl_->data(); }
  // LibTorch's deprecated spelling of data_ptr<T>() (still common in published code).
  template <class T> T* data() const { return data_ptr<T>(); }
  // Typed element access through sizes and strides, checked once (Note [Tensor accessors]
  // in core/tensor_accessor.h): `auto a = t.accessor<float, 2>(); a[i][j] += 1;`. Refuses
  // another dimension count ("TensorAccessor expected 2 dims but tensor has 3") or dtype (as
  // data_ptr<T>()); T may be const. Deleted on a temporary, whose sizes the accessor would
  // borrow past its end; the packed accessors copy them, and packed_accessor32 refuses
  // tensors of more than INT32_MAX elements.
  template <class T, size_t N> TensorAccessor<T, N> accessor() const&;
  template <class T, size_t N> TensorAccessor<T, N> accessor() && = delete;
  template <class T, size_t N, template <class U> class PtrTraits = DefaultPtrTraits, class index_t = int64_t>
  GenericPackedTensorAccessor<T, N, PtrTraits, index_t> generic_packed_accessor() const&;
  template <class T, size_t N, template <class U> class PtrTraits = DefaultPtrTraits, class index_t = int64_t>
  GenericPackedTensorAccessor<T, N, PtrTraits, index_t> generic_packed_accessor() && = delete;
  template <class T, size_t N, template <class U> class PtrTraits = DefaultPtrTraits>
  PackedTensorAccessor32<T, N, PtrTraits> packed_accessor32() const&;
  template <class T, size_t N, template <class U> class PtrTraits = DefaultPtrTraits>
  PackedTensorAccessor32<T, N, PtrTraits> packed_accessor32() && = delete;
  template <class T, size_t N, template <class U> class PtrTraits = DefaultPtrTraits>
  PackedTensorAccessor64<T, N, PtrTraits> packed_accessor64() const& {
    return generic_packed_accessor<T, N, PtrTraits, int64_t>();
  }
  template <class T, size_t N, template <class U> class PtrTraits = DefaultPtrTraits>
  PackedTensorAccessor64<T, N, PtrTraits> packed_accessor64() && = delete;
  // The value of a one-element tensor ("a Tensor with 2 elements cannot be converted to Scalar").
  Scalar item() const;
  template <class T> T item() const { return item().to<T>(); }

  // ---- autograd (full semantics in autograd/) ---------------------------------------
  bool requires_grad() const;
  Tensor& requires_grad_(bool r = true);
  Tensor& set_requires_grad(bool r) { return requires_grad_(r); }
  bool is_leaf() const;
  Tensor grad() const;
  Tensor& mutable_grad() const;
  const std::shared_ptr<autograd::Node>& grad_fn() const;
  void backward(const Tensor& gradient = {}, std::optional<bool> retain_graph = std::nullopt,
                bool create_graph = false, TensorList inputs = {}) const;
  Tensor detach() const;
  Tensor& detach_();
  void retain_grad() const;
  // A function of the gradient, run when it is computed; a defined return value
  // replaces the gradient. Returns the hook's index.
  unsigned register_hook(std::function<Tensor(const Tensor&)> hook) const;
  bool retains_grad() const;
  Tensor data() const;
  void set_data(const Tensor& new_data) const;

  // ---- conversion ---------------------------------------------------------------------
  // A no-op conversion returns this same tensor (unless copy is true), as in PyTorch.
  Tensor to(ScalarType dtype, bool non_blocking = false, bool copy = false) const;
  Tensor to(Device device, std::optional<ScalarType> dtype = std::nullopt, bool non_blocking = false,
            bool copy = false) const;
  Tensor to(const TensorOptions& options, bool non_blocking = false, bool copy = false) const;
  Tensor to(const Tensor& other, bool non_blocking = false, bool copy = false) const;
  // t.to(kCPU): a DeviceType converts equally well to Device and to TensorOptions, so
  // without this exact match the call is ambiguous (LibTorch has the same overload set).
  Tensor to(DeviceType type, std::optional<ScalarType> dtype = std::nullopt, bool non_blocking = false,
            bool copy = false) const {
    return to(Device(type), dtype, non_blocking, copy);
  }
  Tensor cpu() const;
  Tensor toType(ScalarType t) const { return to(t); }
  Tensor type_as(const Tensor& other) const { return to(other.dtype()); }
  Tensor clone() const;
  Tensor contiguous() const;
  Tensor& copy_(const Tensor& src, bool non_blocking = false);
  Tensor& fill_(const Scalar& value);
  Tensor& fill_(const Tensor& value);
  Tensor& zero_();

  // ---- views and shape ----------------------------------------------------------------
  Tensor view(IntArrayRef sizes) const;
  Tensor view(ScalarType dtype) const;
  Tensor view_as(const Tensor& other) const;
  Tensor reshape(IntArrayRef sizes) const;
  Tensor reshape_as(const Tensor& other) const;
  Tensor permute(IntArrayRef dims) const;
  Tensor transpose(int64_t d0, int64_t d1) const;
  Tensor swapaxes(int64_t d0, int64_t d1) const { return transpose(d0, d1); }
  Tensor movedim(int64_t src, int64_t dst) const;
  Tensor t() const;
  Tensor mT() const;
  Tensor squeeze() const;
  Tensor squeeze(int64_t d) const;
  Tensor unsqueeze(int64_t d) const;
  Tensor& squeeze_();
  Tensor& squeeze_(int64_t d);
  Tensor& unsqueeze_(int64_t d);
  Tensor expand(IntArrayRef sizes, bool implicit = false) const;
  Tensor expand_as(const Tensor& other) const;
  Tensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) const;
  Tensor unflatten(int64_t d, IntArrayRef sizes) const;
  Tensor narrow(int64_t d, int64_t start, int64_t length) const;
  Tensor slice(int64_t d = 0, std::optional<int64_t> start = std::nullopt,
               std::optional<int64_t> end = std::nullopt, int64_t step = 1) const;
  Tensor select(int64_t d, int64_t index) const;
  Tensor operator[](int64_t index) const { return select(0, index); }
  std::vector<Tensor> split(int64_t split_size, int64_t d = 0) const;
  std::vector<Tensor> split(IntArrayRef split_sizes, int64_t d = 0) const;
  std::vector<Tensor> split_with_sizes(IntArrayRef split_sizes, int64_t d = 0) const;
  std::vector<Tensor> chunk(int64_t chunks, int64_t d = 0) const;
  std::vector<Tensor> unbind(int64_t d = 0) const;
  Tensor flip(IntArrayRef dims) const;
  Tensor repeat(IntArrayRef repeats) const;
  Tensor as_strided(IntArrayRef sizes, IntArrayRef strides,
                    std::optional<int64_t> storage_offset = std::nullopt) const;
  Tensor& as_strided_(IntArrayRef sizes, IntArrayRef strides,
                      std::optional<int64_t> storage_offset = std::nullopt);
  Tensor diagonal(int64_t offset = 0, int64_t d1 = 0, int64_t d2 = 1) const;

  // ---- indexing -----------------------------------------------------------------------
  Tensor index(ArrayRef<indexing::TensorIndex> indices) const;
  Tensor index(std::initializer_list<indexing::TensorIndex> indices) const;
  Tensor& index_put_(ArrayRef<indexing::TensorIndex> indices, const Tensor& value);
  Tensor& index_put_(ArrayRef<indexing::TensorIndex> indices, const Scalar& value);
  Tensor& index_put_(std::initializer_list<indexing::TensorIndex> indices, const Tensor& value);
  Tensor& index_put_(std::initializer_list<indexing::TensorIndex> indices, const Scalar& value);
  Tensor index_select(int64_t d, const Tensor& index) const;
  Tensor gather(int64_t d, const Tensor& index) const;
  Tensor scatter(int64_t d, const Tensor& index, const Tensor& src) const;
  Tensor scatter(int64_t d, const Tensor& index, const Scalar& value) const;
  // reduce: "add" or "multiply".
  Tensor scatter(int64_t d, const Tensor& index, const Tensor& src, const std::string& reduce) const;
  Tensor scatter(int64_t d, const Tensor& index, const Scalar& value, const std::string& reduce) const;
  Tensor& scatter_(int64_t d, const Tensor& index, const Tensor& src);
  Tensor& scatter_(int64_t d, const Tensor& index, const Scalar& value);
  Tensor& scatter_(int64_t d, const Tensor& index, const Tensor& src, const std::string& reduce);
  Tensor& scatter_(int64_t d, const Tensor& index, const Scalar& value, const std::string& reduce);
  Tensor scatter_add(int64_t d, const Tensor& index, const Tensor& src) const;
  Tensor& scatter_add_(int64_t d, const Tensor& index, const Tensor& src);
  Tensor index_add(int64_t d, const Tensor& index, const Tensor& src, const Scalar& alpha = 1) const;
  Tensor& index_add_(int64_t d, const Tensor& index, const Tensor& src, const Scalar& alpha = 1);
  Tensor masked_fill(const Tensor& mask, const Scalar& value) const;
  Tensor masked_fill(const Tensor& mask, const Tensor& value) const;
  Tensor& masked_fill_(const Tensor& mask, const Scalar& value);
  Tensor& masked_fill_(const Tensor& mask, const Tensor& value);
  Tensor masked_select(const Tensor& mask) const;
  Tensor nonzero() const;
  Tensor where(const Tensor& condition, const Tensor& other) const;

  // ---- elementwise: binary ------------------------------------------------------------
  Tensor add(const Tensor& o, const Scalar& alpha = 1) const;
  Tensor add(const Scalar& o, const Scalar& alpha = 1) const;
  Tensor& add_(const Tensor& o, const Scalar& alpha = 1);
  Tensor& add_(const Scalar& o, const Scalar& alpha = 1);
  Tensor sub(const Tensor& o, const Scalar& alpha = 1) const;
  Tensor sub(const Scalar& o, const Scalar& alpha = 1) const;
  Tensor& sub_(const Tensor& o, const Scalar& alpha = 1);
  Tensor& sub_(const Scalar& o, const Scalar& alpha = 1);
  Tensor mul(const Tensor& o) const;
  Tensor mul(const Scalar& o) const;
  Tensor& mul_(const Tensor& o);
  Tensor& mul_(const Scalar& o);
  // rounding_mode: std::nullopt (true division), "trunc" or "floor".
  Tensor div(const Tensor& o, std::optional<std::string> rounding_mode = std::nullopt) const;
  Tensor div(const Scalar& o, std::optional<std::string> rounding_mode = std::nullopt) const;
  Tensor& div_(const Tensor& o, std::optional<std::string> rounding_mode = std::nullopt);
  Tensor& div_(const Scalar& o, std::optional<std::string> rounding_mode = std::nullopt);
  Tensor pow(const Tensor& exponent) const;
  Tensor pow(const Scalar& exponent) const;
  Tensor& pow_(const Tensor& exponent);
  Tensor& pow_(const Scalar& exponent);
  Tensor remainder(const Tensor& o) const;
  Tensor remainder(const Scalar& o) const;
  Tensor& remainder_(const Tensor& o);
  Tensor& remainder_(const Scalar& o);
  Tensor fmod(const Tensor& o) const;
  Tensor fmod(const Scalar& o) const;
  Tensor& fmod_(const Tensor& o);
  Tensor& fmod_(const Scalar& o);
  Tensor maximum(const Tensor& o) const;
  Tensor minimum(const Tensor& o) const;
  Tensor atan2(const Tensor& o) const;
  Tensor& atan2_(const Tensor& o);
  Tensor eq(const Tensor& o) const;
  Tensor eq(const Scalar& o) const;
  Tensor ne(const Tensor& o) const;
  Tensor ne(const Scalar& o) const;
  Tensor lt(const Tensor& o) const;
  Tensor lt(const Scalar& o) const;
  Tensor le(const Tensor& o) const;
  Tensor le(const Scalar& o) const;
  Tensor gt(const Tensor& o) const;
  Tensor gt(const Scalar& o) const;
  Tensor ge(const Tensor& o) const;
  Tensor ge(const Scalar& o) const;
  // In-place comparisons: self becomes 1 where the comparison holds and 0 elsewhere, in
  // self's own dtype (other must broadcast to self's shape).
  Tensor& eq_(const Tensor& o);
  Tensor& eq_(const Scalar& o);
  Tensor& ne_(const Tensor& o);
  Tensor& ne_(const Scalar& o);
  Tensor& lt_(const Tensor& o);
  Tensor& lt_(const Scalar& o);
  Tensor& le_(const Tensor& o);
  Tensor& le_(const Scalar& o);
  Tensor& gt_(const Tensor& o);
  Tensor& gt_(const Scalar& o);
  Tensor& ge_(const Tensor& o);
  Tensor& ge_(const Scalar& o);
  Tensor logical_and(const Tensor& o) const;
  Tensor logical_or(const Tensor& o) const;
  Tensor logical_xor(const Tensor& o) const;
  bool equal(const Tensor& o) const;
  bool allclose(const Tensor& o, double rtol = 1e-5, double atol = 1e-8, bool equal_nan = false) const;
  Tensor isclose(const Tensor& o, double rtol = 1e-5, double atol = 1e-8, bool equal_nan = false) const;

  // ---- elementwise: unary -------------------------------------------------------------
  // name() and name_() per row of the op table (core/op_list.h), by its methods column.
#define EMBER_DECLARE_UNARY_METHODS(name) \
  Tensor name() const;                    \
  Tensor& name##_();
#define EMBER_DECLARE_UNARY_METHOD(name) Tensor name() const;
#define EMBER_DECLARE_UNARY_FUNCTIONS(name)
#define EMBER_DECLARE_UNARY_CUSTOM(name)
#define EMBER_X(name, methods, ...) EMBER_DECLARE_UNARY_##methods(name)
  EMBER_UNARY_OPS(EMBER_X)
#undef EMBER_X
  Tensor gelu(const std::string& approximate = "none") const;
  Tensor clamp(std::optional<Scalar> min, std::optional<Scalar> max = std::nullopt) const;
  Tensor& clamp_(std::optional<Scalar> min, std::optional<Scalar> max = std::nullopt);
  // Unlike clamp(min=NaN) / clamp(max=NaN), which leave the input, clamp_min(NaN) and
  // clamp_max(NaN) are NaN everywhere (PyTorch 1.13).
  Tensor clamp_min(const Scalar& min) const;
  Tensor clamp_max(const Scalar& max) const;
  Tensor nan_to_num(std::optional<double> nan = std::nullopt, std::optional<double> posinf = std::nullopt,
                    std::optional<double> neginf = std::nullopt) const;

  // ---- reductions and scans (the rows of core/reduction_list.h) ---------------------------
#define EMBER_X(name, sig, ...) EMBER_RED_METHOD_##sig(name, , EMBER_RED_DECLARE)
  EMBER_REDUCTION_OPS(EMBER_X)
#undef EMBER_X
  // norm's string form: "fro" (the 2-norm); see ops/reduce.h.
  Tensor norm(const std::string& p, IntArrayRef dims = {}, bool keepdim = false) const;
  // x.norm("fro"): without this a string literal converts equally well to Scalar (via bool)
  // and to std::string, and the call is ambiguous.
  Tensor norm(const char* p, IntArrayRef dims = {}, bool keepdim = false) const {
    return norm(std::string(p), dims, keepdim);
  }
  // x.norm(0): a literal 0 is a null pointer constant, which would pick the const char*
  // overload over the Scalar one; any arithmetic p lands here instead.
  template <class T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
  Tensor norm(T p) const {
    return norm(Scalar(p));
  }
  template <class T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
  Tensor norm(T p, IntArrayRef dims, bool keepdim = false) const {
    return norm(Scalar(p), dims, keepdim);
  }
  Tensor softmax(int64_t d, std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor log_softmax(int64_t d, std::optional<ScalarType> dtype = std::nullopt) const;
  std::tuple<Tensor, Tensor> sort(int64_t d = -1, bool descending = false, bool stable = false) const;
  Tensor argsort(int64_t d = -1, bool descending = false, bool stable = false) const;
  std::tuple<Tensor, Tensor> topk(int64_t k, int64_t d = -1, bool largest = true, bool sorted = true) const;

  // ---- linear algebra -----------------------------------------------------------------
  Tensor mm(const Tensor& o) const;
  Tensor bmm(const Tensor& o) const;
  Tensor matmul(const Tensor& o) const;
  Tensor dot(const Tensor& o) const;
  Tensor outer(const Tensor& o) const;
  Tensor addmm(const Tensor& m1, const Tensor& m2, const Scalar& beta = 1, const Scalar& alpha = 1) const;

  // ---- random (in place, from the default generator unless one is given) -------------
  // (defined in ops/random.cpp; streams match PyTorch's, Note [Random streams match PyTorch])
  Tensor& uniform_(double from = 0, double to = 1, std::optional<Generator> gen = std::nullopt);
  Tensor& normal_(double mean = 0, double std = 1, std::optional<Generator> gen = std::nullopt);
  Tensor& bernoulli_(double p = 0.5, std::optional<Generator> gen = std::nullopt);
  Tensor& bernoulli_(const Tensor& p, std::optional<Generator> gen = std::nullopt);
  Tensor& random_(int64_t from, std::optional<int64_t> to, std::optional<Generator> gen = std::nullopt);
  Tensor& random_(int64_t to, std::optional<Generator> gen = std::nullopt);
  Tensor& random_(std::optional<Generator> gen = std::nullopt);

  // ---- printing -----------------------------------------------------------------------
  std::string toString() const;  // "CPUFloatType" as LibTorch
  std::string repr() const;      // PyTorch's Python repr: tensor([1., 2.])

  // ---- in-place operators ---------------------------------------------------------------
  Tensor& operator+=(const Tensor& o) { return add_(o); }
  Tensor& operator+=(const Scalar& o) { return add_(o); }
  Tensor& operator-=(const Tensor& o) { return sub_(o); }
  Tensor& operator-=(const Scalar& o) { return sub_(o); }
  Tensor& operator*=(const Tensor& o) { return mul_(o); }
  Tensor& operator*=(const Scalar& o) { return mul_(o); }
  Tensor& operator/=(const Tensor& o) { return div_(o); }
  Tensor& operator/=(const Scalar& o) { return div_(o); }

 private:
  intrusive_ptr<TensorImpl> impl_;
};

// Wraps a C++ number as a 0-dim tensor marked as a wrapped number (lowest promotion priority).
Tensor scalar_to_tensor(const Scalar& s, Device device = Device(DeviceType::CPU));

// ---- C++ operators ------------------------------------------------------------------
Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, const Scalar& b);
Tensor operator+(const Scalar& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Scalar& b);
Tensor operator-(const Scalar& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Scalar& b);
Tensor operator*(const Scalar& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Scalar& b);
Tensor operator/(const Scalar& a, const Tensor& b);
Tensor operator%(const Tensor& a, const Tensor& b);
Tensor operator%(const Tensor& a, const Scalar& b);
Tensor operator-(const Tensor& a);
Tensor operator==(const Tensor& a, const Tensor& b);
Tensor operator==(const Tensor& a, const Scalar& b);
Tensor operator!=(const Tensor& a, const Tensor& b);
Tensor operator!=(const Tensor& a, const Scalar& b);
Tensor operator<(const Tensor& a, const Tensor& b);
Tensor operator<(const Tensor& a, const Scalar& b);
Tensor operator<=(const Tensor& a, const Tensor& b);
Tensor operator<=(const Tensor& a, const Scalar& b);
Tensor operator>(const Tensor& a, const Tensor& b);
Tensor operator>(const Tensor& a, const Scalar& b);
Tensor operator>=(const Tensor& a, const Tensor& b);
Tensor operator>=(const Tensor& a, const Scalar& b);
Tensor operator&&(const Tensor& a, const Tensor& b);
Tensor operator||(const Tensor& a, const Tensor& b);
Tensor operator!(const Tensor& a);
Tensor operator~(const Tensor& a);
Tensor operator&(const Tensor& a, const Tensor& b);
Tensor operator|(const Tensor& a, const Tensor& b);
Tensor operator^(const Tensor& a, const Tensor& b);

// PyTorch's Python repr, e.g. tensor([[1., 2.],\n        [3., 4.]])
std::ostream& operator<<(std::ostream& os, const Tensor& t);

template <class T>
T* Tensor::data_ptr() const {
  EMBER_CHECK(CppTypeToScalarType<T>::value == dtype(), "expected scalar type ",
              CppTypeToScalarType<T>::value, " but found ", dtype());
  return static_cast<T*>(impl_->data());
}

template <class T, size_t N>
TensorAccessor<T, N> Tensor::accessor() const& {
  static_assert(N > 0, "accessor<T, N>() needs N > 0; read a 0-dim tensor with *data_ptr<T>()");
  EMBER_CHECK(dim() == static_cast<int64_t>(N), "TensorAccessor expected ", N, " dims but tensor has ", dim());
  return TensorAccessor<T, N>(data_ptr<std::remove_const_t<T>>(), sizes().data(), strides().data());
}

template <class T, size_t N, template <class U> class PtrTraits, class index_t>
GenericPackedTensorAccessor<T, N, PtrTraits, index_t> Tensor::generic_packed_accessor() const& {
  static_assert(N > 0, "packed accessors need N > 0; read a 0-dim tensor with *data_ptr<T>()");
  EMBER_CHECK(dim() == static_cast<int64_t>(N), "TensorAccessor expected ", N, " dims but tensor has ", dim());
  return GenericPackedTensorAccessor<T, N, PtrTraits, index_t>(data_ptr<std::remove_const_t<T>>(), sizes().data(),
                                                               strides().data());
}

template <class T, size_t N, template <class U> class PtrTraits>
PackedTensorAccessor32<T, N, PtrTraits> Tensor::packed_accessor32() const& {
  EMBER_CHECK(numel() <= static_cast<int64_t>(std::numeric_limits<int32_t>::max()),
              "numel needs to be smaller than int32_t max; otherwise, please use packed_accessor64");
  return generic_packed_accessor<T, N, PtrTraits, int32_t>();
}

// Wraps a dimension index into [0, ndim) with PyTorch's message:
// "Dimension out of range (expected to be in range of [-2, 1], but got 2)"
int64_t maybe_wrap_dim(int64_t d, int64_t ndim, bool wrap_scalar = true);

}  // namespace ember
