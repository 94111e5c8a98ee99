#pragma once
// SyncBatchNorm: batch normalisation whose batch statistics cover every rank of a process
// group, as torch.nn.SyncBatchNorm (Note [SyncBatchNorm] in sync_batch_norm.cpp).
#include <string>

#include "ember/distributed/process_group.h"
#include "ember/nn/modules/normalization.h"

namespace ember::distributed {

// Training-mode batch norm of `input` (N, C, *) with the mean and variance of the whole
// group's batch; updates running_mean / running_var (when defined) with `momentum`, the
// variance unbiased by the group's element count, as torch. weight/bias may be undefined.
// Collective: every rank of `group` (nullptr: the default group) calls it, in the same order,
// and its backward all-reduces too.
Tensor sync_batch_norm(const Tensor& input, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                       const Tensor& running_var, double momentum, double eps, const ProcessGroupPtr& group);

}  // namespace ember::distributed

namespace ember::nn {

// torch.nn.SyncBatchNorm: BatchNorm over inputs of 2 or more dimensions whose training
// statistics come from the whole process group; in eval mode (with running statistics) it is
// an ordinary BatchNorm and communicates nothing.
class SyncBatchNormImpl : public BatchNormImplBase {
 public:
  explicit SyncBatchNormImpl(const BatchNormOptions& options, distributed::ProcessGroupPtr process_group = nullptr)
      : BatchNormImplBase(options), process_group(std::move(process_group)) {}
  SyncBatchNormImpl(int64_t num_features) : SyncBatchNormImpl(BatchNormOptions(num_features)) {}
  Tensor forward(const Tensor& input);
  distributed::ProcessGroupPtr process_group;  // nullptr: the default group

 protected:
  void check_input_dim(const Tensor& input) const override;
};
EMBER_MODULE(SyncBatchNorm);

}  // namespace ember::nn
