#pragma once
// CosineSimilarity and PairwiseDistance modules (torch.nn / LibTorch's torch::nn), calling
// F::cosine_similarity / F::pairwise_distance. PyTorch prints them without options.
#include "ember/nn/holder.h"
#include "ember/nn/options/distance.h"

namespace ember::nn {

class CosineSimilarityImpl : public Module {
 public:
  explicit CosineSimilarityImpl(const CosineSimilarityOptions& options = {}) : options(options) {}
  Tensor forward(const Tensor& input1, const Tensor& input2);
  CosineSimilarityOptions options;
};
EMBER_MODULE(CosineSimilarity);

class PairwiseDistanceImpl : public Module {
 public:
  explicit PairwiseDistanceImpl(const PairwiseDistanceOptions& options = {}) : options(options) {}
  Tensor forward(const Tensor& input1, const Tensor& input2);
  PairwiseDistanceOptions options;
};
EMBER_MODULE(PairwiseDistance);

}  // namespace ember::nn
