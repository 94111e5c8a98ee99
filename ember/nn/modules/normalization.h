#pragma once
// BatchNorm1d/2d, LayerNorm, GroupNorm and Embedding.
#include "ember/nn/holder.h"
#include "ember/nn/options/normalization.h"

namespace ember::nn {

// Shared by BatchNorm1d and BatchNorm2d; they differ only in the input ranks they accept.
class BatchNormImplBase : public Module {
 public:
  explicit BatchNormImplBase(const BatchNormOptions& options);
  void reset_running_stats();
  void reset_parameters();
  Tensor forward(const Tensor& input);
  std::string extra_repr() const override;

  BatchNormOptions options;
  Tensor weight, bias;                                     // [C] when affine
  Tensor running_mean, running_var, num_batches_tracked;   // when track_running_stats

 protected:
  virtual void check_input_dim(const Tensor& input) const = 0;
  // The steps every BatchNorm forward starts with (SyncBatchNorm's too): checks the input's
  // rank and channel count, counts the batch in num_batches_tracked when training with
  // running statistics, and returns the running-statistics update factor: `momentum`, or
  // 1 / num_batches_tracked (a cumulative average) when momentum is None.
  double begin_forward(const Tensor& input);
};

class BatchNorm1dImpl : public BatchNormImplBase {
 public:
  using BatchNormImplBase::BatchNormImplBase;
  BatchNorm1dImpl(int64_t num_features) : BatchNormImplBase(BatchNormOptions(num_features)) {}

 protected:
  void check_input_dim(const Tensor& input) const override;
};
class BatchNorm2dImpl : public BatchNormImplBase {
 public:
  using BatchNormImplBase::BatchNormImplBase;
  BatchNorm2dImpl(int64_t num_features) : BatchNormImplBase(BatchNormOptions(num_features)) {}

 protected:
  void check_input_dim(const Tensor& input) const override;
};
EMBER_MODULE(BatchNorm1d);
EMBER_MODULE(BatchNorm2d);

class LayerNormImpl : public Module {
 public:
  explicit LayerNormImpl(LayerNormOptions options);
  void reset_parameters();
  Tensor forward(const Tensor& input);
  std::string extra_repr() const override;
  LayerNormOptions options;
  Tensor weight, bias;
};
EMBER_MODULE(LayerNorm);

class GroupNormImpl : public Module {
 public:
  GroupNormImpl(int64_t num_groups, int64_t num_channels) : GroupNormImpl(GroupNormOptions(num_groups, num_channels)) {}
  explicit GroupNormImpl(const GroupNormOptions& options);
  void reset_parameters();
  Tensor forward(const Tensor& input);
  std::string extra_repr() const override;
  GroupNormOptions options;
  Tensor weight, bias;
};
EMBER_MODULE(GroupNorm);

// A lookup table of num_embeddings vectors; rows at padding_idx get no gradient.
class EmbeddingImpl : public Module {
 public:
  EmbeddingImpl(int64_t num_embeddings, int64_t embedding_dim)
      : EmbeddingImpl(EmbeddingOptions(num_embeddings, embedding_dim)) {}
  explicit EmbeddingImpl(EmbeddingOptions options);
  void reset_parameters();
  Tensor forward(const Tensor& indices);
  std::string extra_repr() const override;
  EmbeddingOptions options;
  Tensor weight;
};
EMBER_MODULE(Embedding);

namespace functional {
Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                  const BatchNormFuncOptions& options = {});
Tensor layer_norm(const Tensor& input, const LayerNormFuncOptions& options);
Tensor group_norm(const Tensor& input, const GroupNormFuncOptions& options);
Tensor embedding(const Tensor& input, const Tensor& weight, const EmbeddingFuncOptions& options = {});
}  // namespace functional

}  // namespace ember::nn
