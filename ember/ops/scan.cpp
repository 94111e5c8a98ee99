// cumsum / cumprod front ends: dtype rules, then the scan kernel on a contiguous copy
// viewed as [outer, n, inner] (cpu/kernels/scan.cpp).
#include "ember/kernels/reduce.h"
#include "ember/ops/factory.h"
#include "ember/ops/reduce.h"

#include "ember/autograd/derivatives.h"
#include "ember/ops/reduce_util.h"

namespace ember {

namespace {

Tensor scan_impl(bool is_prod, const Tensor& x, int64_t dim, std::optional<ScalarType> dtype) {
  const char* name = is_prod ? "cumprod" : "cumsum";
  EMBER_CHECK(x.defined(), name, "(): expected a defined tensor");
  int64_t d = maybe_wrap_dim(dim, x.dim());
  // Integers and bool accumulate in int64 unless dtype says otherwise (PyTorch's rule).
  ScalarType rt = dtype ? *dtype : (is_integral(x.dtype(), true) ? kInt64 : x.dtype());
  // PyTorch fills a 0-dim result from the value with its checked conversion, so NaN or
  // 300 into an integer dtype is an error there (and only there).
  if (x.dim() == 0 && rt != x.dtype()) check_convertible(x.item(), rt);
  ScalarType kd = reduce_detail::kernel_dtype(rt);
  Tensor in = x.to(rt).to(kd).contiguous();
  Tensor out = empty(x.sizes(), TensorOptions(kd).device(x.device()));
  if (x.numel() > 0) {
    int64_t outer = 1, n = 1, inner = 1;
    for (int64_t i = 0; i < x.dim(); ++i) {
      if (i < d) outer *= x.size(i);
      else if (i == d) n = x.size(i);
      else inner *= x.size(i);
    }
    kernels::scan_stub(in.device())(is_prod, kd, in.data_ptr(), out.data_ptr(), outer, n, inner);
  }
  return out.to(rt);
}

}  // namespace

Tensor cumsum(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype) {
  Tensor r = autograd::untracked([&] { return scan_impl(false, x, dim, dtype); });
  autograd::record(autograd::CumsumBackward0, {&x}, r, {maybe_wrap_dim(dim, x.dim())});
  return r;
}
Tensor cumprod(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype) {
  Tensor r = autograd::untracked([&] { return scan_impl(true, x, dim, dtype); });
  autograd::record(autograd::CumprodBackward0, {&x}, r, {maybe_wrap_dim(dim, x.dim())}, {x, r});
  return r;
}
Tensor& cumsum_out(Tensor& out, const Tensor& x, int64_t dim, std::optional<ScalarType> dtype) {
  return reduce_detail::write_out(out, scan_impl(false, x, dim, dtype ? dtype : std::optional<ScalarType>(out.dtype())));
}
Tensor& cumprod_out(Tensor& out, const Tensor& x, int64_t dim, std::optional<ScalarType> dtype) {
  return reduce_detail::write_out(out, scan_impl(true, x, dim, dtype ? dtype : std::optional<ScalarType>(out.dtype())));
}


}  // namespace ember
