#pragma once
// nn::functional losses (LibTorch's torch::nn::functional):
//   F::cross_entropy(logits, target, F::CrossEntropyFuncOptions().label_smoothing(0.1));
// Each takes its options struct (ember/nn/options/loss.h); `reduction` is ember::kNone,
// kMean (default) or kSum. Semantics, dtypes and errors follow PyTorch 1.13.
#include "ember/core/tensor.h"
#include "ember/nn/options/loss.h"

namespace ember::nn::functional {

// Squared / absolute error. Target broadcasts against input (PyTorch warns; ember does not).
Tensor mse_loss(const Tensor& input, const Tensor& target, const MSELossFuncOptions& options = {});
Tensor l1_loss(const Tensor& input, const Tensor& target, const L1LossFuncOptions& options = {});
Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, const SmoothL1LossFuncOptions& options = {});
// LibTorch 1.13's form with beta as a separate argument (it ignores options.beta()); here
// the argument wins over options.beta().
Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, const SmoothL1LossFuncOptions& options, double beta);
Tensor huber_loss(const Tensor& input, const Tensor& target, const HuberLossFuncOptions& options = {});

// input: probabilities in [0, 1], target of the same size; log terms are clamped to >= -100.
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target,
                            const BinaryCrossEntropyFuncOptions& options = {});
// input: logits; stable for any magnitude (log-sigmoid form).
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const BinaryCrossEntropyWithLogitsFuncOptions& options = {});

// input: log-probabilities (N, C), (N, C, d1, ...) or (C); target: int64 class indices of
// shape (N), (N, d1, ...) or ().
Tensor nll_loss(const Tensor& input, const Tensor& target, const NLLLossFuncOptions& options = {});
// input: logits with the class dimension 1 ((C) unbatched); target: class indices as for
// nll_loss, or class probabilities of the input's shape.
Tensor cross_entropy(const Tensor& input, const Tensor& target, const CrossEntropyFuncOptions& options = {});
// input: log-probabilities; target: probabilities (log-probabilities with log_target).
Tensor kl_div(const Tensor& input, const Tensor& target, const KLDivFuncOptions& options = {});
// max(0, -target * (input1 - input2) + margin), target in {1, -1}.
Tensor margin_ranking_loss(const Tensor& input1, const Tensor& input2, const Tensor& target,
                           const MarginRankingLossFuncOptions& options = {});
// 1 - cos(x1, x2) where target is 1, max(0, cos(x1, x2) - margin) where it is -1.
Tensor cosine_embedding_loss(const Tensor& input1, const Tensor& input2, const Tensor& target,
                             const CosineEmbeddingLossFuncOptions& options = {});

}  // namespace ember::nn::functional
