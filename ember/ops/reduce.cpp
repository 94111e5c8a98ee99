// Reductions. (Placeholder until the reductions branch lands: all(), any(), sum.)
#include "ember/autograd/derivatives.h"
#include "ember/core/tensor.h"
#include "ember/ops/factory.h"
#include "ember/ops/shape.h"

namespace ember {

Tensor Tensor::all() const {
  Tensor b = to(kBool).contiguous();
  const bool* p = b.data_ptr<bool>();
  bool r = true;
  for (int64_t i = 0; i < b.numel() && r; ++i) r = p[i];
  return scalar_tensor(r, kBool);
}
Tensor Tensor::any() const {
  Tensor b = to(kBool).contiguous();
  const bool* p = b.data_ptr<bool>();
  bool r = false;
  for (int64_t i = 0; i < b.numel() && !r; ++i) r = p[i];
  return scalar_tensor(r, kBool);
}
Tensor Tensor::sum(IntArrayRef dims, bool keepdim, std::optional<ScalarType>) const {
  // Naive: move reduced dims last, loop in double.
  Tensor x = to(kFloat64).contiguous();
  DimVector keep, red;
  std::vector<bool> is_red(dim(), false);
  for (int64_t d : dims) is_red[maybe_wrap_dim(d, dim())] = true;
  DimVector perm, out_shape, keep_shape;
  int64_t rn = 1;
  for (int64_t d = 0; d < dim(); ++d) if (!is_red[d]) { perm.push_back(d); keep_shape.push_back(sizes()[d]); }
  for (int64_t d = 0; d < dim(); ++d) if (is_red[d]) { perm.push_back(d); rn *= sizes()[d]; }
  Tensor p = x.permute(perm).contiguous();
  int64_t kn = rn ? p.numel() / rn : 0;
  for (int64_t d = 0; d < dim(); ++d) out_shape.push_back(is_red[d] ? 1 : sizes()[d]);
  Tensor out = zeros(keep_shape, kFloat64);
  const double* src = p.data_ptr<double>();
  double* dst = out.data_ptr<double>();
  for (int64_t i = 0; i < kn; ++i) { double s = 0; for (int64_t j = 0; j < rn; ++j) s += src[i * rn + j]; dst[i] = s; }
  Tensor r;
  {
    NoGradGuard g;
    r = out.to(dtype());
    if (keepdim) r = r.view(out_shape);
  }
  autograd::record_sum(*this, dims, keepdim, r, false, false);
  return r;
}
Tensor Tensor::sum(std::optional<ScalarType> dt) const {
  DimVector all;
  for (int64_t d = 0; d < dim(); ++d) all.push_back(d);
  Tensor r;
  {
    NoGradGuard g;
    r = sum(all, false, dt);
  }
  autograd::record_sum(*this, {}, false, r, true, false);
  return r;
}

}  // namespace ember
