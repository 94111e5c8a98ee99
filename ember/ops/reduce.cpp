// Front ends of the reductions: dims and keepdim, PyTorch's dtype rules and error
// messages, then one kernel call (cpu/kernels/reduce.cpp). Norms, var/std, logsumexp,
// all/any and count_nonzero are composed from the kernel reductions and elementwise ops.
#include "ember/ops/reduce.h"
#include "ember/ops/autocast.h"

#include "ember/autograd/derivatives.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "ember/kernels/reduce.h"
#include "ember/ops/elementwise.h"
#include "ember/ops/factory.h"
#include "ember/ops/reduce_util.h"
#include "ember/ops/type_promotion.h"

namespace ember {

namespace reduce_detail {

DimMask make_mask(const Tensor& x, IntArrayRef dims) {
  const int64_t nd = x.dim();
  DimMask m;
  // A 0-dim tensor accepts dim 0 / -1 (once) and reduces nothing: it is checked as one
  // size-1 dim, and its flags are dropped below.
  m.reduced = SmallVector<bool, 8>(static_cast<size_t>(std::max<int64_t>(nd, 1)), dims.empty());
  for (int64_t d : dims) {
    int64_t w = maybe_wrap_dim(d, nd);
    EMBER_CHECK(!m.reduced[w], "dim ", w, " appears multiple times in the list of dims");
    m.reduced[w] = true;
  }
  m.reduced.resize(static_cast<size_t>(nd));
  for (int64_t d = 0; d < nd; ++d) {
    if (m.reduced[d]) {
      m.num_reduced *= x.size(d);
      m.keep_shape.push_back(1);
    } else {
      m.keep_shape.push_back(x.size(d));
      m.out_shape.push_back(x.size(d));
    }
  }
  return m;
}

ScalarType kernel_dtype(ScalarType t) {
  if (t == kFloat64) return kFloat64;
  if (is_floating_point(t)) return kFloat32;
  return kInt64;
}

Tensor reduce_keepdim(kernels::ReduceOp op, const Tensor& x_in, const DimMask& m) {
  Tensor x = x_in;
  Tensor out = empty(m.keep_shape, x.options());
  // One output: make the input dense so the kernel's parallel contiguous path applies.
  if (out.numel() == 1 && !x.is_contiguous()) x = x.contiguous();
  kernels::ReduceGeometry g = kernels::make_reduce_geometry(x.sizes(), x.strides(), out.strides(), m.reduced.data());
  if (out.numel() > 0) kernels::reduce_stub(x.device())(op, x.dtype(), g, x.data_ptr(), out.data_ptr());
  return out;
}

Tensor finish(const Tensor& r, const DimMask& m, bool keepdim) { return keepdim ? r : r.view(m.out_shape); }

Tensor& write_out(Tensor& out, const Tensor& r) {
  check_can_cast_to_output(r.dtype(), out.dtype());
  resize_output(out, r.sizes());
  out.copy_(r);
  return out;
}

}  // namespace reduce_detail

using namespace reduce_detail;
using kernels::ReduceOp;

namespace {

Tensor cast(const Tensor& t, ScalarType dt) { return t.dtype() == dt ? t : t.to(dt); }

// sum/prod: integers and bool accumulate in int64; `dtype` casts the input first.
ScalarType sum_result_dtype(const Tensor& x, std::optional<ScalarType> dtype) {
  if (dtype) return *dtype;
  return is_integral(x.dtype(), /*include_bool=*/true) ? kInt64 : x.dtype();
}

// True when every output of reducing x over m is one dense run of x: x is contiguous and
// the reduced dims are its innermost ones.
bool reduces_dense_rows(const Tensor& x, const DimMask& m) {
  if (!x.is_contiguous()) return false;
  bool seen_reduced = false;
  for (int64_t d = 0; d < x.dim(); ++d) {
    if (m.reduced[d]) seen_reduced = true;
    else if (seen_reduced && x.size(d) != 1) return false;
  }
  return true;
}

// The float32 sums of the dense runs of a contiguous bfloat16 x over m (whose reduced dims
// are x's innermost ones), keepdim-shaped (Note [bfloat16 sums]).
Tensor sum_bf16_dense_rows(const Tensor& x, const DimMask& m) {
  Tensor out = empty(m.keep_shape, x.options().dtype(kFloat32));
  kernels::ReduceGeometry g = kernels::make_reduce_geometry(x.sizes(), x.strides(), out.strides(), m.reduced.data());
  if (out.numel() > 0) kernels::reduce_stub(x.device())(ReduceOp::sum, kBFloat16, g, x.data_ptr(), out.data_ptr());
  return out;
}

// Sum (or product) in the kernel dtype of `rt`, keepdim-shaped.
Tensor sum_like_keepdim(ReduceOp op, const Tensor& x, const DimMask& m, ScalarType rt) {
  if (op == ReduceOp::sum && x.dtype() == kBFloat16 && rt == kBFloat16 && x.numel() > 0 && x.is_contiguous()) {
    // Note [bfloat16 sums] (cpu/kernels/reduce.cpp): float32 sums read straight from bf16.
    if (reduces_dense_rows(x, m)) return sum_bf16_dense_rows(x, m);
    // A convolution's bias gradient (an NCHW gradient summed over N, H and W) also reduces
    // the innermost dims: sum those runs first, straight from bf16, then the remaining
    // reduced dims of the (small) float32 partial sums, instead of widening all of x.
    const int64_t nd = x.dim();
    int64_t first_inner = nd;
    while (first_inner > 0 && m.reduced[first_inner - 1]) --first_inner;
    if (first_inner < nd) {
      DimVector inner_dims;
      for (int64_t d = first_inner; d < nd; ++d) inner_dims.push_back(d);
      Tensor partial = sum_bf16_dense_rows(x, make_mask(x, inner_dims));
      return reduce_keepdim(op, partial, m);
    }
  }
  return reduce_keepdim(op, cast(cast(x, rt), kernel_dtype(rt)), m);
}

// Products of float32 and narrower accumulate in float64: a partial product that overflows
// float32 before a later 0 would make the result NaN (inf * 0) where the exact product,
// and PyTorch's lane-by-lane one in practice, is 0. Products are rarely hot.
Tensor prod_keepdim(const Tensor& x, const DimMask& m, ScalarType rt) {
  if (!is_floating_point(rt) || rt == kFloat64) return sum_like_keepdim(ReduceOp::prod, x, m, rt);
  return reduce_keepdim(ReduceOp::prod, cast(cast(x, rt), kFloat64), m);
}

Tensor sum_impl(const Tensor& x, IntArrayRef dims, bool keepdim, std::optional<ScalarType> dtype) {
  EMBER_CHECK(x.defined(), "sum(): expected a defined tensor");
  DimMask m = make_mask(x, dims);
  ScalarType rt = sum_result_dtype(x, dtype);
  return finish(cast(sum_like_keepdim(ReduceOp::sum, x, m, rt), rt), m, keepdim);
}

ScalarType mean_result_dtype(const Tensor& x, std::optional<ScalarType> dtype, const char* name) {
  if (dtype) {
    EMBER_CHECK(is_floating_point(*dtype), name, "(): could not infer output dtype. Optional dtype must be either "
                "a floating point or complex dtype. Got: ", *dtype);
    return *dtype;
  }
  EMBER_CHECK(is_floating_point(x.dtype()), name, "(): could not infer output dtype. Input dtype must be either "
              "a floating point or complex dtype. Got: ", x.dtype());
  return x.dtype();
}

Tensor mean_impl(const Tensor& x, IntArrayRef dims, bool keepdim, std::optional<ScalarType> dtype) {
  EMBER_CHECK(x.defined(), "mean(): expected a defined tensor");
  ScalarType rt = mean_result_dtype(x, dtype, "mean");
  DimMask m = make_mask(x, dims);
  Tensor s = sum_like_keepdim(ReduceOp::sum, x, m, rt);
  s.div_(Scalar(static_cast<double>(m.num_reduced)));  // 0 / 0 = nan for an empty mean
  return finish(cast(s, rt), m, keepdim);
}

// amax/amin in the input dtype; bool reduces as uint8 (no copy), other integers as int64.
Tensor extreme_keepdim(bool is_max, const Tensor& x, const DimMask& m) {
  ReduceOp op = is_max ? ReduceOp::max : ReduceOp::min;
  if (x.dtype() == kBool) return reduce_keepdim(op, x.view(kUInt8), m).view(kBool);
  if (x.dtype() == kUInt8) return reduce_keepdim(op, x, m);
  return cast(reduce_keepdim(op, cast(x, kernel_dtype(x.dtype())), m), x.dtype());
}

// PyTorch's empty-input rules for value reductions over `dims` (empty: all dims).
void check_nonempty_reduction(const char* name, const Tensor& x, IntArrayRef dims) {
  if (x.numel() != 0) return;
  EMBER_CHECK(!dims.empty(), name, "(): Expected reduction dim to be specified for input.numel() == 0. Specify "
              "the reduction dim with the 'dim' argument.");
  for (int64_t d : dims) {
    int64_t w = maybe_wrap_dim(d, x.dim());
    EMBER_CHECK_INDEX(x.dim() == 0 || x.size(w) != 0, name, "(): Expected reduction dim ", d,
                      " to have non-zero size.");  // the dim as given, as PyTorch prints it
  }
}

Tensor amax_amin(bool is_max, const Tensor& x, IntArrayRef dims, bool keepdim) {
  const char* name = is_max ? "amax" : "amin";
  EMBER_CHECK(x.defined(), name, "(): expected a defined tensor");
  DimMask m = make_mask(x, dims);
  check_nonempty_reduction(name, x, dims);
  return finish(extreme_keepdim(is_max, x, m), m, keepdim);
}

Tensor extreme_all(bool is_max, const Tensor& x) {
  const char* name = is_max ? "max" : "min";
  EMBER_CHECK(x.defined(), name, "(): expected a defined tensor");
  EMBER_CHECK(x.numel() > 0, name, "(): Expected reduction dim to be specified for input.numel() == 0. Specify "
              "the reduction dim with the 'dim' argument.");
  DimMask m = make_mask(x, {});
  return finish(extreme_keepdim(is_max, x, m), m, false);
}

// (values, indices) of max/min along one dim; values undefined when !want_values.
std::tuple<Tensor, Tensor> arg_reduce(bool is_max, const char* name, const Tensor& x, int64_t dim, bool keepdim,
                                      bool want_values) {
  EMBER_CHECK(x.defined(), name, "(): expected a defined tensor");
  int64_t d = maybe_wrap_dim(dim, x.dim());
  EMBER_CHECK_INDEX(x.dim() == 0 || x.size(d) != 0, name, "(): Expected reduction dim ", d,
                    " to have non-zero size.");
  const int64_t dims_one[1] = {d};
  DimMask m = make_mask(x, IntArrayRef(dims_one, 1));
  Tensor in = x.dtype() == kBool ? x.view(kUInt8) : x.dtype() == kUInt8 ? x : cast(x, kernel_dtype(x.dtype()));
  Tensor values = want_values ? empty(m.keep_shape, in.options()) : Tensor();
  Tensor indices = empty(m.keep_shape, TensorOptions(kInt64).device(x.device()));
  kernels::ReduceGeometry g = kernels::make_reduce_geometry(in.sizes(), in.strides(), indices.strides(), m.reduced.data());
  if (indices.numel() > 0)
    kernels::arg_reduce_stub(in.device())(is_max, in.dtype(), g, in.data_ptr(), want_values ? values.data_ptr() : nullptr,
                               indices.data_ptr<int64_t>());
  if (want_values) {
    values = x.dtype() == kBool ? values.view(kBool) : cast(values, x.dtype());
    values = finish(values, m, keepdim);
  }
  return {values, finish(indices, m, keepdim)};
}

Tensor arg_only(bool is_max, const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
  const char* name = is_max ? "argmax" : "argmin";
  EMBER_CHECK(x.defined(), name, "(): expected a defined tensor");
  // PyTorch returns before its (bool-less) kernel when there is nothing to compare: an empty
  // result or a reduced size of 1 -- but not for a 0-dim input, which always reaches it.
  const int64_t reduced = !dim ? x.numel() : (x.dim() == 0 ? 1 : x.size(maybe_wrap_dim(*dim, x.dim())));
  const int64_t outputs = reduced == 0 ? 0 : x.numel() / reduced;
  EMBER_CHECK_AS(NotImplementedError, x.dtype() != kBool || (x.dim() > 0 && (outputs == 0 || reduced <= 1)),
                 "\"", name, "_cpu\" not implemented for 'Bool'");
  if (dim) return std::get<1>(arg_reduce(is_max, name, x, *dim, keepdim, false));
  EMBER_CHECK_INDEX(x.numel() > 0, name, "(): Expected reduction dim to be specified for input.numel() == 0.");
  Tensor idx = std::get<1>(arg_reduce(is_max, name, x.reshape({-1}), 0, false, false));
  if (!keepdim) return idx;
  return idx.reshape(DimVector(static_cast<size_t>(x.dim()), 1));
}

Tensor var_impl(const Tensor& x, OptionalIntArrayRef dims, int64_t correction, bool keepdim, bool take_sqrt) {
  EMBER_CHECK(x.defined(), "var(): expected a defined tensor");
  EMBER_CHECK(is_floating_point(x.dtype()), "std and var only support floating point and complex dtypes");
  DimMask m = make_mask(x, dims ? *dims : IntArrayRef());
  // Two passes in double: mean first, then the sum of squared deviations. Accurate even
  // when the mean is large relative to the spread (PyTorch accumulates in double too).
  Tensor xd = cast(x, kFloat64);
  Tensor mu = reduce_keepdim(ReduceOp::sum, xd, m);
  mu.div_(Scalar(static_cast<double>(m.num_reduced)));
  Tensor ss = reduce_keepdim(ReduceOp::sq_sum, sub(xd, mu), m);
  double denom = std::max<double>(static_cast<double>(m.num_reduced - correction), 0.0);
  ss.div_(Scalar(denom));
  if (take_sqrt) ss.sqrt_();
  return finish(cast(ss, x.dtype()), m, keepdim);
}

Tensor norm_impl(const Tensor& x, double p, IntArrayRef dims, bool keepdim) {
  EMBER_CHECK(x.defined(), "norm(): expected a defined tensor");
  EMBER_CHECK(is_floating_point(x.dtype()), "norm(): input dtype should be either floating point or complex. Got ",
              x.dtype(), " instead.");
  DimMask m = make_mask(x, dims);
  Tensor in = cast(x, kernel_dtype(x.dtype()));
  Tensor r;
  if (p == 2) {
    r = reduce_keepdim(ReduceOp::sq_sum, in, m).sqrt_();
  } else if (p == 1) {
    r = reduce_keepdim(ReduceOp::abs_sum, in, m);
  } else if (p == 0) {
    r = reduce_keepdim(ReduceOp::nonzero_sum, in, m);
  } else if (std::isinf(p)) {
    r = reduce_keepdim(p > 0 ? ReduceOp::max : ReduceOp::min, abs(in), m);
    if (m.num_reduced == 0) r.zero_();  // PyTorch: the inf-norm of nothing is 0
  } else {
    r = reduce_keepdim(ReduceOp::sum, pow(abs(in), Scalar(p)), m).pow_(Scalar(1.0 / p));
  }
  return finish(cast(r, x.dtype()), m, keepdim);
}

Tensor logsumexp_impl(const Tensor& x, IntArrayRef dims, bool keepdim) {
  EMBER_CHECK(x.defined(), "logsumexp(): expected a defined tensor");
  Tensor xf = is_floating_point(x.dtype()) ? x : x.to(get_default_dtype());
  DimMask m = make_mask(xf, dims);
  if (m.num_reduced == 0) return full(keepdim ? m.keep_shape : m.out_shape, -INFINITY, xf.options());
  // Take the max out first so exp never overflows; an infinite max is replaced by 0 so
  // that inf - inf never appears (all -inf gives -inf, any +inf gives +inf).
  Tensor mx = extreme_keepdim(true, xf, m);
  Tensor shift = where(isinf(mx), Scalar(0.0), mx);
  Tensor s = reduce_keepdim(ReduceOp::sum, cast(exp(sub(xf, shift)), kernel_dtype(xf.dtype())), m);
  Tensor r = add(cast(log(s), xf.dtype()), shift);
  return finish(r, m, keepdim);
}

Tensor all_any(bool is_all, const Tensor& x, IntArrayRef dims, bool keepdim) {
  EMBER_CHECK(x.defined(), is_all ? "all" : "any", "(): expected a defined tensor");
  DimMask m = make_mask(x, dims);
  Tensor b = x.dtype() == kBool ? x : ne(x, Scalar(0));
  Tensor r = reduce_keepdim(is_all ? ReduceOp::min : ReduceOp::max, b.view(kUInt8), m);
  if (m.num_reduced == 0) r.fill_(Scalar(is_all ? 1 : 0));
  // PyTorch keeps uint8 for uint8 input; everything else gives bool.
  if (x.dtype() != kUInt8) r = r.view(kBool);
  return finish(r, m, keepdim);
}

}  // namespace

// ---- free functions --------------------------------------------------------------------------
using autograd::untracked;

Tensor sum(const Tensor& x, std::optional<ScalarType> dtype) {
  Tensor r = untracked([&] { return sum_impl(x, {}, false, dtype); });
  autograd::record(autograd::SumBackward0, {&x}, r, {autograd::dim_vector(x.sizes()), {}, false, x.dtype()});
  return r;
}
Tensor sum(const Tensor& x, IntArrayRef dims, bool keepdim, std::optional<ScalarType> dtype) {
  Tensor r = untracked([&] { return sum_impl(x, dims, keepdim, dtype); });
  autograd::record(dims.empty() ? autograd::SumBackward0 : autograd::SumBackward1, {&x}, r,
                   {autograd::dim_vector(x.sizes()), autograd::dim_vector(dims), keepdim, x.dtype()});
  return r;
}
Tensor& sum_out(Tensor& out, const Tensor& x, IntArrayRef dims, bool keepdim, std::optional<ScalarType> dtype) {
  return write_out(out, sum_impl(x, dims, keepdim, dtype ? dtype : std::optional<ScalarType>(out.dtype())));
}
Tensor mean(const Tensor& x, std::optional<ScalarType> dtype) {
  Tensor r = untracked([&] { return mean_impl(x, {}, false, dtype); });
  autograd::record(autograd::MeanBackward0, {&x}, r, {autograd::dim_vector(x.sizes()), {}, false, x.dtype()});
  return r;
}
Tensor mean(const Tensor& x, IntArrayRef dims, bool keepdim, std::optional<ScalarType> dtype) {
  Tensor r = untracked([&] { return mean_impl(x, dims, keepdim, dtype); });
  autograd::record(dims.empty() ? autograd::MeanBackward0 : autograd::MeanBackward1, {&x}, r,
                   {autograd::dim_vector(x.sizes()), autograd::dim_vector(dims), keepdim, x.dtype()});
  return r;
}
Tensor& mean_out(Tensor& out, const Tensor& x, IntArrayRef dims, bool keepdim, std::optional<ScalarType> dtype) {
  return write_out(out, mean_impl(x, dims, keepdim, dtype ? dtype : std::optional<ScalarType>(out.dtype())));
}

Tensor prod(const Tensor& x, std::optional<ScalarType> dtype) {
  EMBER_AUTOCAST(prod, x, dtype);
  EMBER_CHECK(x.defined(), "prod(): expected a defined tensor");
  DimMask m = make_mask(x, {});
  ScalarType rt = sum_result_dtype(x, dtype);
  Tensor r = untracked([&] { return finish(cast(prod_keepdim(x, m, rt), rt), m, false); });
  autograd::record(autograd::ProdBackward0, {&x}, r, {}, {x, r});
  return r;
}
Tensor prod(const Tensor& x, int64_t dim, bool keepdim, std::optional<ScalarType> dtype) {
  EMBER_AUTOCAST(prod, x, dim, keepdim, dtype);
  EMBER_CHECK(x.defined(), "prod(): expected a defined tensor");
  const int64_t dims_one[1] = {dim};
  DimMask m = make_mask(x, IntArrayRef(dims_one, 1));
  ScalarType rt = sum_result_dtype(x, dtype);
  Tensor r = untracked([&] { return finish(cast(prod_keepdim(x, m, rt), rt), m, keepdim); });
  autograd::record(autograd::ProdBackward1, {&x}, r,
                   {autograd::dim_vector(x.sizes()), maybe_wrap_dim(dim, x.dim()), keepdim}, {x, r});
  return r;
}
Tensor& prod_out(Tensor& out, const Tensor& x, int64_t dim, bool keepdim, std::optional<ScalarType> dtype) {
  return write_out(out, prod(x, dim, keepdim, dtype ? dtype : std::optional<ScalarType>(out.dtype())));
}

Tensor count_nonzero(const Tensor& x, IntArrayRef dims) {
  EMBER_CHECK(x.defined(), "count_nonzero(): expected a defined tensor");
  DimMask m = make_mask(x, dims);
  Tensor b = x.dtype() == kBool ? x : ne(x, Scalar(0));
  return finish(reduce_keepdim(ReduceOp::sum, b.to(kInt64), m), m, false);
}

Tensor max(const Tensor& x) {
  Tensor r = untracked([&] { return extreme_all(true, x); });
  autograd::record(autograd::MaxBackward1, {&x}, r, {}, {x, r});
  return r;
}
Tensor min(const Tensor& x) {
  Tensor r = untracked([&] { return extreme_all(false, x); });
  autograd::record(autograd::MinBackward1, {&x}, r, {}, {x, r});
  return r;
}
std::tuple<Tensor, Tensor> max(const Tensor& x, int64_t dim, bool keepdim) {
  auto r = untracked([&] { return arg_reduce(true, "max", x, dim, keepdim, true); });
  autograd::record(autograd::MaxBackward0, {&x}, std::get<0>(r), {autograd::dim_vector(x.sizes()), dim, keepdim},
                   {std::get<1>(r)});
  return r;
}
std::tuple<Tensor, Tensor> min(const Tensor& x, int64_t dim, bool keepdim) {
  auto r = untracked([&] { return arg_reduce(false, "min", x, dim, keepdim, true); });
  autograd::record(autograd::MinBackward0, {&x}, std::get<0>(r), {autograd::dim_vector(x.sizes()), dim, keepdim},
                   {std::get<1>(r)});
  return r;
}
std::tuple<Tensor&, Tensor&> max_out(Tensor& values, Tensor& indices, const Tensor& x, int64_t dim, bool keepdim) {
  auto [v, i] = max(x, dim, keepdim);
  write_out(values, v);
  write_out(indices, i);
  return {values, indices};
}
std::tuple<Tensor&, Tensor&> min_out(Tensor& values, Tensor& indices, const Tensor& x, int64_t dim, bool keepdim) {
  auto [v, i] = min(x, dim, keepdim);
  write_out(values, v);
  write_out(indices, i);
  return {values, indices};
}
Tensor amax(const Tensor& x, IntArrayRef dims, bool keepdim) {
  Tensor r = untracked([&] { return amax_amin(true, x, dims, keepdim); });
  autograd::record(autograd::AmaxBackward0, {&x}, r,
                   {autograd::dim_vector(x.sizes()), autograd::dim_vector(dims), keepdim, dims.empty()}, {x, r});
  return r;
}
Tensor amin(const Tensor& x, IntArrayRef dims, bool keepdim) {
  Tensor r = untracked([&] { return amax_amin(false, x, dims, keepdim); });
  autograd::record(autograd::AminBackward0, {&x}, r,
                   {autograd::dim_vector(x.sizes()), autograd::dim_vector(dims), keepdim, dims.empty()}, {x, r});
  return r;
}
Tensor& amax_out(Tensor& out, const Tensor& x, IntArrayRef dims, bool keepdim) {
  return write_out(out, amax(x, dims, keepdim));
}
Tensor& amin_out(Tensor& out, const Tensor& x, IntArrayRef dims, bool keepdim) {
  return write_out(out, amin(x, dims, keepdim));
}
Tensor argmax(const Tensor& x, std::optional<int64_t> dim, bool keepdim) { return arg_only(true, x, dim, keepdim); }
Tensor argmin(const Tensor& x, std::optional<int64_t> dim, bool keepdim) { return arg_only(false, x, dim, keepdim); }

Tensor var(const Tensor& x, OptionalIntArrayRef dims, int64_t correction, bool keepdim) {
  Tensor r = untracked([&] { return var_impl(x, dims, correction, keepdim, false); });
  bool all = !dims || dims->empty();
  autograd::record(
      autograd::VarBackward0, {&x}, r,
      {autograd::dim_vector(x.sizes()), all ? DimVector() : autograd::dim_vector(*dims), keepdim, all, correction},
      {x, r});
  return r;
}
Tensor std(const Tensor& x, OptionalIntArrayRef dims, int64_t correction, bool keepdim) {
  Tensor r = untracked([&] { return var_impl(x, dims, correction, keepdim, true); });
  bool all = !dims || dims->empty();
  autograd::record(
      autograd::StdBackward0, {&x}, r,
      {autograd::dim_vector(x.sizes()), all ? DimVector() : autograd::dim_vector(*dims), keepdim, all, correction},
      {x, r});
  return r;
}

Tensor norm(const Tensor& x, const Scalar& p) { return norm(x, p, {}, false); }
Tensor norm(const Tensor& x, const Scalar& p, IntArrayRef dims, bool keepdim) {
  Tensor r = untracked([&] { return norm_impl(x, p.toDouble(), dims, keepdim); });
  autograd::record(dims.empty() ? autograd::NormBackward0 : autograd::NormBackward1, {&x}, r,
                   {autograd::dim_vector(x.sizes()), autograd::dim_vector(dims), keepdim, dims.empty(), p.toDouble()},
                   {x, r});
  return r;
}
Tensor norm(const Tensor& x, const std::string& p, IntArrayRef dims, bool keepdim) {
  if (p == "fro") return norm(x, Scalar(2.0), dims, keepdim);
  EMBER_CHECK(p == "nuc", "only valid string values are 'fro' and 'nuc', found ", p);
  EMBER_CHECK(dims.size() == 2, "nuclear norm requires a 'dim' argument of size 2");
  EMBER_THROW(NotImplementedError, "norm(): the nuclear norm needs singular values, which ember does not have yet");
}

Tensor logsumexp(const Tensor& x, IntArrayRef dims, bool keepdim) {
  Tensor r = untracked([&] { return logsumexp_impl(x, dims, keepdim); });
  autograd::record(autograd::LogsumexpBackward0, {&x}, r,
                   {autograd::dim_vector(x.sizes()), autograd::dim_vector(dims), keepdim, false}, {x, r});
  return r;
}
Tensor& logsumexp_out(Tensor& out, const Tensor& x, IntArrayRef dims, bool keepdim) {
  return write_out(out, logsumexp_impl(x, dims, keepdim));
}

Tensor all(const Tensor& x) { return all_any(true, x, {}, false); }
Tensor all(const Tensor& x, int64_t dim, bool keepdim) {
  const int64_t dims_one[1] = {dim};
  return all_any(true, x, IntArrayRef(dims_one, 1), keepdim);
}
Tensor any(const Tensor& x) { return all_any(false, x, {}, false); }
Tensor any(const Tensor& x, int64_t dim, bool keepdim) {
  const int64_t dims_one[1] = {dim};
  return all_any(false, x, IntArrayRef(dims_one, 1), keepdim);
}

// ---- Tensor methods (the rows of core/reduction_list.h) -------------------------------------
#define EMBER_X(name, sig, ...) EMBER_RED_METHOD_##sig(name, Tensor::, EMBER_RED_DEFINE)
EMBER_REDUCTION_OPS(EMBER_X)
#undef EMBER_X
Tensor Tensor::norm(const std::string& p, IntArrayRef dims, bool keepdim) const {
  return ::ember::norm(*this, p, dims, keepdim);
}

}  // namespace ember
