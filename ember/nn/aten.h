#pragma once
// ATen's namespace-level neural-network functions, as LibTorch programs call them beside
// torch::nn::functional:
//   auto loss = ember::nll_loss(output, target, /*weight=*/{}, ember::Reduction::Sum);
//   x = ember::dropout(x, /*p=*/0.5, /*train=*/is_training());
// Each is a thin forward to the nn::functional function that computes it (one source of
// truth for the math, the checks and the error messages), with ATen's positional
// signature and defaults (PyTorch 1.13's native_functions.yaml). `reduction` is
// ember::Reduction::None / Mean / Sum (ember::kNone, kMean, kSum). The activations,
// softmax / log_softmax (with dtype), convolution, pooling and normalisation functions are
// already namespace-level ops (ember/ops/).
#include <cstdint>
#include <optional>

#include "ember/core/tensor.h"
#include "ember/nn/enum.h"

namespace ember {

// ---- losses -----------------------------------------------------------------------------
Tensor nll_loss(const Tensor& input, const Tensor& target, const std::optional<Tensor>& weight = std::nullopt,
                Reduction reduction = Reduction::Mean, int64_t ignore_index = -100);
// ATen's name for the 4-D case; the same function here (nll_loss accepts (N, C, d1, ...)).
Tensor nll_loss2d(const Tensor& input, const Tensor& target, const std::optional<Tensor>& weight = std::nullopt,
                  Reduction reduction = Reduction::Mean, int64_t ignore_index = -100);
Tensor cross_entropy_loss(const Tensor& input, const Tensor& target,
                          const std::optional<Tensor>& weight = std::nullopt, Reduction reduction = Reduction::Mean,
                          int64_t ignore_index = -100, double label_smoothing = 0.0);
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target,
                            const std::optional<Tensor>& weight = std::nullopt,
                            Reduction reduction = Reduction::Mean);
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const std::optional<Tensor>& weight = std::nullopt,
                                        const std::optional<Tensor>& pos_weight = std::nullopt,
                                        Reduction reduction = Reduction::Mean);
Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean);
Tensor l1_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean);
Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean,
                      double beta = 1.0);
Tensor huber_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean,
                  double delta = 1.0);
// ATen's kl_div has no batchmean; F::kl_div(x, t, ember::kBatchMean) does.
Tensor kl_div(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean,
              bool log_target = false);
Tensor margin_ranking_loss(const Tensor& input1, const Tensor& input2, const Tensor& target, double margin = 0.0,
                           Reduction reduction = Reduction::Mean);
Tensor cosine_embedding_loss(const Tensor& input1, const Tensor& input2, const Tensor& target, double margin = 0.0,
                             Reduction reduction = Reduction::Mean);

// ---- dropout ------------------------------------------------------------------------------
// The masks consume the default generator as PyTorch's do (nn/functional/dropout.h).
Tensor dropout(const Tensor& input, double p, bool train);
Tensor& dropout_(Tensor& self, double p, bool train);
// Whole channels of (N, C, ...) inputs of any rank >= 2.
Tensor feature_dropout(const Tensor& input, double p, bool train);
Tensor alpha_dropout(const Tensor& input, double p, bool train);

// ---- distances ----------------------------------------------------------------------------
Tensor cosine_similarity(const Tensor& x1, const Tensor& x2, int64_t dim = 1, double eps = 1e-8);
Tensor pairwise_distance(const Tensor& x1, const Tensor& x2, double p = 2, double eps = 1e-6, bool keepdim = false);

}  // namespace ember
