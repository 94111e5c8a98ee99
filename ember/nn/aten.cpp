// The ATen-style functions of aten.h: each builds the nn::functional options from ATen's
// positional arguments and calls the functional form (qualified, so argument-dependent
// lookup never picks the other overload set).
#include "ember/nn/aten.h"

#include "ember/nn/functional/distance.h"
#include "ember/nn/functional/dropout.h"
#include "ember/nn/functional/loss.h"

namespace ember {
namespace F = nn::functional;

namespace {
Tensor or_undefined(const std::optional<Tensor>& t) { return t.value_or(Tensor()); }
}  // namespace

Tensor nll_loss(const Tensor& input, const Tensor& target, const std::optional<Tensor>& weight, Reduction reduction,
                int64_t ignore_index) {
  return F::nll_loss(input, target,
                     F::NLLLossFuncOptions().weight(or_undefined(weight)).reduction(reduction).ignore_index(ignore_index));
}

Tensor nll_loss2d(const Tensor& input, const Tensor& target, const std::optional<Tensor>& weight, Reduction reduction,
                  int64_t ignore_index) {
  return ::ember::nll_loss(input, target, weight, reduction, ignore_index);
}

Tensor cross_entropy_loss(const Tensor& input, const Tensor& target, const std::optional<Tensor>& weight,
                          Reduction reduction, int64_t ignore_index, double label_smoothing) {
  return F::cross_entropy(input, target,
                          F::CrossEntropyFuncOptions()
                              .weight(or_undefined(weight))
                              .reduction(reduction)
                              .ignore_index(ignore_index)
                              .label_smoothing(label_smoothing));
}

Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const std::optional<Tensor>& weight,
                            Reduction reduction) {
  return F::binary_cross_entropy(
      input, target, F::BinaryCrossEntropyFuncOptions().weight(or_undefined(weight)).reduction(reduction));
}

Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const std::optional<Tensor>& weight,
                                        const std::optional<Tensor>& pos_weight, Reduction reduction) {
  return F::binary_cross_entropy_with_logits(input, target,
                                             F::BinaryCrossEntropyWithLogitsFuncOptions()
                                                 .weight(or_undefined(weight))
                                                 .pos_weight(or_undefined(pos_weight))
                                                 .reduction(reduction));
}

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  return F::mse_loss(input, target, F::MSELossFuncOptions().reduction(reduction));
}

Tensor l1_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  return F::l1_loss(input, target, F::L1LossFuncOptions().reduction(reduction));
}

Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, Reduction reduction, double beta) {
  return F::smooth_l1_loss(input, target, F::SmoothL1LossFuncOptions().reduction(reduction).beta(beta));
}

Tensor huber_loss(const Tensor& input, const Tensor& target, Reduction reduction, double delta) {
  return F::huber_loss(input, target, F::HuberLossFuncOptions().reduction(reduction).delta(delta));
}

Tensor kl_div(const Tensor& input, const Tensor& target, Reduction reduction, bool log_target) {
  return F::kl_div(input, target, F::KLDivFuncOptions(reduction).log_target(log_target));
}

Tensor margin_ranking_loss(const Tensor& input1, const Tensor& input2, const Tensor& target, double margin,
                           Reduction reduction) {
  return F::margin_ranking_loss(input1, input2, target,
                                F::MarginRankingLossFuncOptions().margin(margin).reduction(reduction));
}

Tensor cosine_embedding_loss(const Tensor& input1, const Tensor& input2, const Tensor& target, double margin,
                             Reduction reduction) {
  return F::cosine_embedding_loss(input1, input2, target,
                                  F::CosineEmbeddingLossFuncOptions().margin(margin).reduction(reduction));
}

Tensor dropout(const Tensor& input, double p, bool train) { return F::detail::dropout(input, p, train, false); }

Tensor& dropout_(Tensor& self, double p, bool train) {
  F::detail::dropout(self, p, train, /*inplace=*/true);
  return self;
}

Tensor feature_dropout(const Tensor& input, double p, bool train) {
  return F::detail::feature_dropout(input, p, train, false);
}

Tensor alpha_dropout(const Tensor& input, double p, bool train) {
  return F::detail::alpha_dropout(input, p, train, false);
}

Tensor cosine_similarity(const Tensor& x1, const Tensor& x2, int64_t dim, double eps) {
  return F::cosine_similarity(x1, x2, F::CosineSimilarityFuncOptions().dim(dim).eps(eps));
}

Tensor pairwise_distance(const Tensor& x1, const Tensor& x2, double p, double eps, bool keepdim) {
  return F::pairwise_distance(x1, x2, F::PairwiseDistanceFuncOptions().p(p).eps(eps).keepdim(keepdim));
}

}  // namespace ember
