// torch.matmul: the case analysis of PyTorch 1.13 (so results, strides and error messages
// agree), on top of dot / mv / mm / bmm from ops/linalg.cpp.
#include <algorithm>
#include "ember/ops/autocast.h"

#include "ember/core/tensor_iterator.h"
#include "ember/ops/elementwise.h"
#include "ember/ops/linalg.h"
#include "ember/ops/linalg_impl.h"

namespace ember {

namespace {

// Note [matmul folding]
// N-D @ 1-D and N-D @ 2-D fold the batch dims of the N-D operand into the rows of one
// matrix and run a single mm/mv (one large GEMM instead of a batch of small ones); 1-D/2-D
// @ N-D is folded the same way through the transpose. The one exception: a 3-D operand
// whose last two dims are transposed but whose batch dim is outermost (permute(0, 2, 1))
// would need a copy to fold, while bmm reads each transposed matrix in place.
bool should_fold(const Tensor& t1, int64_t dim2) {
  const int64_t dim1 = t1.dim();
  if (dim1 < 3 || (dim2 != 1 && dim2 != 2)) return false;
  if (dim1 == 3 && dim2 == 2 && t1.stride(2) != 1 && t1.stride(0) == t1.size(1) * t1.size(2)) return false;
  return true;
}

int64_t product(IntArrayRef v) {
  int64_t p = 1;
  for (int64_t x : v) p *= x;
  return p;
}

Tensor matmul_folded(const Tensor& a, const Tensor& b) {
  const int64_t d1 = a.dim(), d2 = b.dim();
  const bool transpose = d2 > d1;
  // t1 is the >= 3-D operand (transposed when it is the right one), t2 the 1-D/2-D one.
  const Tensor t1 = transpose ? b.mT() : a;
  const Tensor t2 = !transpose ? b : (d1 == 2 ? a.t() : a);
  const IntArrayRef s1 = t1.sizes();
  DimVector out_shape(s1.begin(), s1.end() - 1);
  const int64_t folded = product(out_shape);  // explicit, as reshape(-1, 0) would be ambiguous
  const bool t2_matrix = t2.dim() == 2;
  if (t2_matrix) out_shape.push_back(t2.size(1));
  const Tensor t1_folded = t1.reshape({folded, s1.back()});
  if (!t2_matrix) return mv(t1_folded, t2).view(out_shape);
  const Tensor out = mm(t1_folded, t2).view(out_shape);
  return transpose ? out.mT().contiguous() : out;
}

Tensor matmul_batched(const Tensor& a, const Tensor& b) {
  const int64_t d1 = a.dim(), d2 = b.dim();
  const int64_t n = d1 > 1 ? a.size(-2) : 1, m1 = a.size(-1);
  const int64_t m2 = d2 > 1 ? b.size(-2) : b.size(0), p = d2 > 1 ? b.size(-1) : 1;
  const IntArrayRef batch1 = a.sizes().slice(0, static_cast<size_t>(std::max<int64_t>(d1 - 2, 0)));
  const IntArrayRef batch2 = b.sizes().slice(0, static_cast<size_t>(std::max<int64_t>(d2 - 2, 0)));
  DimVector out_shape = broadcast_shapes(batch1, batch2);
  const int64_t nbatch = product(out_shape);
  DimVector shape1 = out_shape, shape2 = out_shape;
  shape1.push_back(n);
  shape1.push_back(m1);
  shape2.push_back(m2);
  shape2.push_back(p);
  // reshape keeps a view where it can (a batch that was not broadcast), copies otherwise.
  const Tensor a3 = a.expand(shape1).reshape({nbatch, n, m1});
  const Tensor b3 = b.expand(shape2).reshape({nbatch, m2, p});
  if (d1 > 1) out_shape.push_back(n);
  if (d2 > 1) out_shape.push_back(p);
  return bmm(a3, b3).view(out_shape);
}

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
  EMBER_AUTOCAST(matmul, a, b);
  EMBER_CHECK(a.defined() && b.defined(), "matmul: expected defined tensors");
  const int64_t d1 = a.dim(), d2 = b.dim();
  EMBER_CHECK(d1 != 0 && d2 != 0, "both arguments to matmul need to be at least 1D, but they are ", d1, "D and ",
              d2, "D");
  if (d1 == 1 && d2 == 1) return dot(a, b);
  if (d1 == 2 && d2 == 1) return mv(a, b);
  if (d1 == 1 && d2 == 2) return mm(a.unsqueeze(0), b).squeeze(0);
  if (d1 == 2 && d2 == 2) return mm(a, b);
  if (should_fold(a, d2) || should_fold(b, d1)) return matmul_folded(a, b);
  return matmul_batched(a, b);
}

Tensor& matmul_out(Tensor& out, const Tensor& a, const Tensor& b) {
  EMBER_CHECK(a.defined() && b.defined(), "matmul: expected defined tensors");
  if (a.dim() == 2 && b.dim() == 2) return mm_out(out, a, b);  // straight into out
  Tensor r = matmul(a, b);
  linalg_detail::check_out_dtype(out, r.dtype());
  resize_output(out, r.sizes());
  out.copy_(r);
  return out;
}

}  // namespace ember
