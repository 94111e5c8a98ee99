// softmax / log_softmax front ends. The kernel works on contiguous rows, so the softmax
// dim is moved last (a copy when it is not already last) and moved back afterwards.
#include "ember/kernels/reduce.h"
#include "ember/ops/factory.h"
#include "ember/ops/reduce.h"

#include "ember/autograd/derivatives.h"
#include "ember/ops/reduce_util.h"

namespace ember {

namespace {

Tensor softmax_impl(bool log, const Tensor& x, int64_t dim, std::optional<ScalarType> dtype) {
  EMBER_CHECK(x.defined(), log ? "log_softmax" : "softmax", "(): expected a defined tensor");
  Tensor in = dtype ? x.to(*dtype) : x;
  int64_t d = maybe_wrap_dim(dim, in.dim());
  // PyTorch returns an empty input as it is, before its float-only kernels check the dtype.
  if (in.numel() == 0) return empty(in.sizes(), in.options());
  // PyTorch's names: (log_)softmax_lastdim_kernel_impl along the last dim, softmax_kernel_impl
  // (for both) along another.
  const bool last = in.dim() == 0 || d == in.dim() - 1;
  EMBER_CHECK_AS(NotImplementedError, is_floating_point(in.dtype()), "\"", log && last ? "log_" : "",
                 last ? "softmax_lastdim_kernel_impl" : "softmax_kernel_impl", "\" not implemented for '", in.dtype(),
                 "'");
  if (in.dim() == 0) return softmax_impl(log, in.reshape({1}), 0, std::nullopt).reshape({});
  ScalarType kd = reduce_detail::kernel_dtype(in.dtype());
  Tensor rows = in.movedim(d, -1).to(kd).contiguous();
  Tensor out = empty(rows.sizes(), TensorOptions(kd).device(rows.device()));
  const int64_t n = in.size(d);
  if (rows.numel() > 0) kernels::softmax_stub(rows.device())(log, kd, rows.data_ptr(), out.data_ptr(), rows.numel() / n, n);
  return out.movedim(-1, d).contiguous().to(in.dtype());
}

}  // namespace

Tensor softmax(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype) {
  // A dtype argument is a cast before the op; the cast records its own node.
  Tensor in = dtype && *dtype != x.dtype() ? x.to(*dtype) : x;
  Tensor r = autograd::untracked([&] { return softmax_impl(false, in, dim, std::nullopt); });
  autograd::record(autograd::SoftmaxBackward0, {&in}, r, {maybe_wrap_dim(dim, in.dim())}, {r});
  return r;
}
Tensor log_softmax(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype) {
  Tensor in = dtype && *dtype != x.dtype() ? x.to(*dtype) : x;
  Tensor r = autograd::untracked([&] { return softmax_impl(true, in, dim, std::nullopt); });
  autograd::record(autograd::LogSoftmaxBackward0, {&in}, r, {maybe_wrap_dim(dim, in.dim())}, {r});
  return r;
}

Tensor Tensor::softmax(int64_t d, std::optional<ScalarType> dtype) const { return ::ember::softmax(*this, d, dtype); }
Tensor Tensor::log_softmax(int64_t d, std::optional<ScalarType> dtype) const {
  return ::ember::log_softmax(*this, d, dtype);
}

}  // namespace ember
