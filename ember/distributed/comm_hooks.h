#pragma once
// DDP communication hooks (torch's register_comm_hook): instead of the reducer's own
// all_reduce(AVG) of a bucket, a hook gets the bucket (GradBucket) and returns a Future whose
// value is the reduced bucket (Note [DDP comm hooks] in reducer.h). The built-in hooks are
// torch's default_hooks: plain all-reduce, and all-reduce in float16 / bfloat16.
#include <cstddef>
#include <functional>
#include <vector>

#include "ember/core/tensor.h"
#include "ember/distributed/future.h"
#include "ember/distributed/process_group.h"

namespace ember::distributed {

// torch.distributed.GradBucket: one bucket of DDP's gradients, as a hook sees it.
class GradBucket {
 public:
  GradBucket(size_t index, bool is_last, Tensor buffer, std::vector<Tensor> gradients, std::vector<Tensor> parameters)
      : index_(index), is_last_(is_last), buffer_(std::move(buffer)), gradients_(std::move(gradients)),
        parameters_(std::move(parameters)) {}
  // The bucket's position in launch order (0 is reduced first).
  size_t index() const { return index_; }
  // The flat buffer holding every gradient of the bucket (reduce this one).
  const Tensor& buffer() const { return buffer_; }
  // Per parameter, its gradient as a view into buffer(), shaped like the parameter.
  const std::vector<Tensor>& gradients() const { return gradients_; }
  const std::vector<Tensor>& parameters() const { return parameters_; }
  // The last bucket of the iteration.
  bool is_last() const { return is_last_; }

 private:
  size_t index_;
  bool is_last_;
  Tensor buffer_;
  std::vector<Tensor> gradients_;
  std::vector<Tensor> parameters_;
};

// Returns a future whose value (a tensor, or a list whose first tensor is taken) is the
// bucket's reduced gradients, with buffer()'s number of elements.
using CommHook = std::function<FuturePtr(GradBucket&)>;

// torch.distributed.algorithms.ddp_comm_hooks.default_hooks, with the process group as the
// state (nullptr: the default group). Each averages the bucket over the group's ranks.
namespace ddp_comm_hooks {
// Divides the bucket by the world size, then all-reduces it (SUM): the same result as DDP
// without a hook for power-of-two world sizes, where the division is exact.
FuturePtr allreduce_hook(const ProcessGroupPtr& group, GradBucket& bucket);
// The bucket cast to float16 (bfloat16), divided by the world size, all-reduced in that
// dtype, and cast back into the bucket: half the bytes on the wire, at that dtype's precision.
FuturePtr fp16_compress_hook(const ProcessGroupPtr& group, GradBucket& bucket);
FuturePtr bf16_compress_hook(const ProcessGroupPtr& group, GradBucket& bucket);
}  // namespace ddp_comm_hooks

}  // namespace ember::distributed
