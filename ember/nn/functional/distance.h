#pragma once
// F::cosine_similarity and F::pairwise_distance, as in LibTorch.
#include "ember/core/tensor.h"
#include "ember/nn/options/distance.h"

namespace ember::nn::functional {

// sum(x1 / max(||x1||, eps) * x2 / max(||x2||, eps)) along dim (inputs broadcast).
Tensor cosine_similarity(const Tensor& x1, const Tensor& x2, const CosineSimilarityFuncOptions& options = {});
// ||x1 - x2 + eps||_p along the last dimension.
Tensor pairwise_distance(const Tensor& x1, const Tensor& x2, const PairwiseDistanceFuncOptions& options = {});

}  // namespace ember::nn::functional
