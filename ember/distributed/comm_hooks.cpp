#include "ember/distributed/comm_hooks.h"

#include "ember/autograd/grad_mode.h"

namespace ember::distributed::ddp_comm_hooks {

namespace {

ProcessGroupPtr group_or_default(const ProcessGroupPtr& group) { return group ? group : default_group(); }

// Reduces a copy of the bucket in `dtype` and writes the average back into the bucket.
FuturePtr compressed_allreduce(const ProcessGroupPtr& group, GradBucket& bucket, ScalarType dtype) {
  ProcessGroupPtr g = group_or_default(group);
  NoGradGuard no_grad;
  Tensor compressed = bucket.buffer().to(dtype);
  compressed.div_(static_cast<double>(g->size()));
  FuturePtr reduced = all_reduce(compressed, ReduceOp::SUM, g, /*async_op=*/true)->get_future();
  Tensor buffer = bucket.buffer();
  return reduced->then([buffer](Future& f) mutable -> FutureValue {
    NoGradGuard no_grad;  // runs on the comm thread, whose grad mode is its own
    buffer.copy_(f.tensor());
    return buffer;
  });
}

}  // namespace

FuturePtr allreduce_hook(const ProcessGroupPtr& group, GradBucket& bucket) {
  ProcessGroupPtr g = group_or_default(group);
  Tensor buffer = bucket.buffer();
  {
    NoGradGuard no_grad;
    buffer.div_(static_cast<double>(g->size()));
  }
  return all_reduce(buffer, ReduceOp::SUM, g, /*async_op=*/true)->get_future()->then(
      [](Future& f) -> FutureValue { return f.tensor(); });
}

FuturePtr fp16_compress_hook(const ProcessGroupPtr& group, GradBucket& bucket) {
  return compressed_allreduce(group, bucket, kFloat16);
}

FuturePtr bf16_compress_hook(const ProcessGroupPtr& group, GradBucket& bucket) {
  return compressed_allreduce(group, bucket, kBFloat16);
}

}  // namespace ember::distributed::ddp_comm_hooks
