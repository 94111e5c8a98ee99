// sort / argsort / topk front ends. The kernel sorts contiguous rows, so the sort dim is
// moved last (a copy) and the results moved back. topk is a stable sort plus a narrow:
// O(n log n) rather than a selection, but its order of tied values is then the input order.
#include "ember/kernels/reduce.h"
#include "ember/ops/factory.h"
#include "ember/ops/reduce.h"

#include "ember/autograd/derivatives.h"
#include "ember/ops/reduce_util.h"

namespace ember {

namespace {

std::tuple<Tensor, Tensor> sort_impl(const Tensor& x, int64_t dim, bool descending) {
  EMBER_CHECK(x.defined(), "sort(): expected a defined tensor");
  int64_t d = maybe_wrap_dim(dim, x.dim());
  if (x.dim() == 0) {
    auto [v, i] = sort_impl(x.reshape({1}), 0, descending);
    return {v.reshape({}), i.reshape({})};
  }
  ScalarType kd = reduce_detail::kernel_dtype(x.dtype());
  Tensor rows = x.movedim(d, -1).to(kd).contiguous();
  Tensor values = empty(rows.sizes(), TensorOptions(kd).device(x.device()));
  Tensor indices = empty(rows.sizes(), TensorOptions(kInt64).device(x.device()));
  const int64_t n = x.size(d);
  if (rows.numel() > 0)
    kernels::sort_stub(rows.device())(kd, rows.data_ptr(), values.data_ptr(), indices.data_ptr<int64_t>(), rows.numel() / n, n,
                         descending);
  return {values.movedim(-1, d).contiguous().to(x.dtype()), indices.movedim(-1, d).contiguous()};
}

}  // namespace

std::tuple<Tensor, Tensor> sort(const Tensor& x, int64_t dim, bool descending) {
  auto r = autograd::untracked([&] { return sort_impl(x, dim, descending); });
  autograd::record(autograd::SortBackward0, {&x}, std::get<0>(r), {autograd::dim_vector(x.sizes()), dim, true},
                   {std::get<1>(r)});
  return r;
}
std::tuple<Tensor, Tensor> sort(const Tensor& x, std::optional<bool> stable, int64_t dim, bool descending) {
  return sort(x, dim, descending);
}
Tensor argsort(const Tensor& x, int64_t dim, bool descending) { return std::get<1>(sort_impl(x, dim, descending)); }
Tensor argsort(const Tensor& x, bool stable, int64_t dim, bool descending) {
  return std::get<1>(sort_impl(x, dim, descending));
}

std::tuple<Tensor, Tensor> topk(const Tensor& x, int64_t k, int64_t dim, bool largest, bool sorted) {
  EMBER_CHECK(x.defined(), "topk(): expected a defined tensor");
  int64_t d = maybe_wrap_dim(dim, x.dim());
  int64_t n = x.dim() == 0 ? 1 : x.size(d);
  EMBER_CHECK(k >= 0 && k <= n, "selected index k out of range");
  // A 0-dim input is returned as it is, before PyTorch's (bool-less) kernel.
  EMBER_CHECK_AS(NotImplementedError, x.dtype() != kBool || x.dim() == 0, "\"topk_cpu\" not implemented for 'Bool'");
  auto [v, i] = autograd::untracked([&] { return sort_impl(x, d, largest); });
  if (x.dim() != 0) {
    AutoGradMode off(false);
    v = v.narrow(d, 0, k).contiguous();
    i = i.narrow(d, 0, k).contiguous();
  }
  autograd::record(autograd::TopkBackward0, {&x}, v, {autograd::dim_vector(x.sizes()), d, true}, {i});
  return {v, i};
}

std::tuple<Tensor, Tensor> Tensor::sort(int64_t d, bool descending, bool stable) const {
  return ::ember::sort(*this, d, descending);
}
Tensor Tensor::argsort(int64_t d, bool descending, bool stable) const { return ::ember::argsort(*this, d, descending); }
std::tuple<Tensor, Tensor> Tensor::topk(int64_t k, int64_t d, bool largest, bool sorted) const {
  return ::ember::topk(*this, k, d, largest, sorted);
}

}  // namespace ember
