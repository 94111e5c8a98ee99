// F::normalize, F::cosine_similarity, F::pairwise_distance: composites of ember ops.
#include "ember/nn/functional/distance.h"

#include "ember/autograd/derivatives.h"
#include "ember/autograd/grad_mode.h"
#include "ember/nn/functional/normalize.h"
#include "ember/ops/elementwise.h"
#include "ember/ops/reduce.h"
#include "ember/ops/shape.h"
#include "ember/ops/type_promotion.h"

namespace ember::nn::functional {

Tensor normalize(const Tensor& input, NormalizeFuncOptions options) {
  EMBER_CHECK(input.defined(), "normalize: expected a defined tensor");
  Tensor denom = clamp(input.norm(options.p(), {options.dim()}, true), options.eps());
  return input / denom.expand_as(input);
}

Tensor cosine_similarity(const Tensor& x1, const Tensor& x2, const CosineSimilarityFuncOptions& options) {
  EMBER_CHECK(x1.defined() && x2.defined(), "cosine_similarity: expected defined tensors");
  ScalarType common = result_type(x1, x2);
  EMBER_CHECK(is_floating_point(common), "expected common dtype to be floating point, yet common dtype is ", common);
  Tensor a = x1.to(common), b = x2.to(common);
  if (a.sizes() != b.sizes()) {
    auto ab = broadcast_tensors({a, b});
    a = ab[0];
    b = ab[1];
  }
  const int64_t dim = options.dim();
  // Note [cosine_similarity's clamped norms]
  // Each input is divided by its norm sqrt(sum(x^2)) clamped below at eps, which keeps the
  // result within [-1, 1]. PyTorch 1.13 clamps the sqrt's output in place with autograd
  // off, so the clamp itself is invisible to autograd but sqrt's backward, g / (2 y), reads
  // the clamped y. ember records the sqrt node with the clamped result as its saved output,
  // which gives the same gradients.
  auto clamped_norm = [&](const Tensor& x) {
    Tensor squares = x.pow(2).sum({dim}, true);
    Tensor norm = autograd::untracked([&] { return squares.sqrt().clamp_(options.eps()); });
    autograd::record_unary(UnaryOp::sqrt, squares, norm);
    return norm;
  };
  Tensor n1 = clamped_norm(a), n2 = clamped_norm(b);
  return ((a / n1) * (b / n2)).sum({dim});
}

Tensor pairwise_distance(const Tensor& x1, const Tensor& x2, const PairwiseDistanceFuncOptions& options) {
  EMBER_CHECK(x1.defined() && x2.defined(), "pairwise_distance: expected defined tensors");
  // The p-norm over the last dim, which for 0-dim inputs reduces nothing (so p = 0 gives 1
  // for a non-zero difference, as in PyTorch).
  return (x1 - x2 + options.eps()).norm(options.p(), {-1}, options.keepdim());
}

}  // namespace ember::nn::functional
