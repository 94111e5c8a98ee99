#include "ember/distributed/sync_batch_norm.h"

#include "ember/ember.h"

namespace ember::distributed {

// Note [SyncBatchNorm]
// The group's statistics are built from two sums per channel, each all-reduced: Σx (with the
// element count appended, so one collective gives both), then, about the global mean,
// Σ(x - mean)² — two passes, as stable as a one-process batch norm. Each all-reduce is made
// differentiable (all_reduce_sum below): its value is the group's sum, and the gradient
// reaching a rank's local sum is the group's sum of the gradients of the global one, which a
// gradient hook on the local sum all-reduces during backward. Those two backward all-reduces
// are torch's all-reduced sum_dy and sum_dy_xmu (each a linear function of them), so every rank
// gets the gradient of the whole batch's loss with respect to its own input, as one BatchNorm
// over the whole batch would give; weight and bias get this rank's share (DDP averages them).
// The hooks run in backward's (deterministic) order on every rank, so the collectives match.
namespace {

Tensor all_reduce_sum(const Tensor& local, const ProcessGroupPtr& group) {
  Tensor reduced = local.detach().clone();
  all_reduce(reduced, ReduceOp::SUM, group);
  if (!local.requires_grad()) return reduced;
  local.register_hook([group](const Tensor& grad) {
    Tensor g = grad.contiguous().clone();
    all_reduce(g, ReduceOp::SUM, group);
    return g;
  });
  // The value is exactly `reduced` (local - local.detach() is 0); the gradient flows to `local`.
  return reduced + (local - local.detach());
}

}  // namespace

Tensor sync_batch_norm(const Tensor& input, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                       const Tensor& running_var, double momentum, double eps, const ProcessGroupPtr& group_arg) {
  ProcessGroupPtr group = group_arg ? group_arg : default_group();
  EMBER_CHECK_VALUE(input.dim() >= 2, "expected at least 2D input (got ", input.dim(), "D input)");
  const int64_t c = input.size(1);
  std::vector<int64_t> dims{0}, shape(static_cast<size_t>(input.dim()), 1);
  for (int64_t d = 2; d < input.dim(); ++d) dims.push_back(d);
  shape[1] = c;
  Tensor count = full({1}, static_cast<double>(input.numel() / std::max<int64_t>(c, 1)), input.options());
  Tensor sums = all_reduce_sum(cat({input.sum(dims), count}), group);
  const double n = sums.select(0, c).item<double>();
  EMBER_CHECK_VALUE(n > 1, "Expected more than 1 value per channel when training, got input size ", input.sizes(),
                    " on this rank and ", n, " values per channel in the group");
  Tensor mean = sums.narrow(0, 0, c) / n;
  Tensor xmu = input - mean.view(shape);
  Tensor var = all_reduce_sum((xmu * xmu).sum(dims), group) / n;
  Tensor out = xmu * (var + eps).rsqrt().view(shape);
  if (weight.defined()) out = out * weight.view(shape);
  if (bias.defined()) out = out + bias.view(shape);
  if (running_mean.defined() && running_var.defined()) {
    NoGradGuard no_grad;
    Tensor rm = running_mean, rv = running_var;  // handles: updated in place
    rm.mul_(1 - momentum).add_(mean.detach().to(running_mean.dtype()) * momentum);
    rv.mul_(1 - momentum).add_(var.detach().to(running_var.dtype()) * (momentum * n / (n - 1)));
  }
  return out;
}

}  // namespace ember::distributed

namespace ember::nn {

void SyncBatchNormImpl::check_input_dim(const Tensor& input) const {
  EMBER_CHECK_VALUE(input.dim() >= 2, "expected at least 2D input (got ", input.dim(), "D input)");
}

Tensor SyncBatchNormImpl::forward(const Tensor& input) {
  // Eval with running statistics: an ordinary BatchNorm, no communication.
  if (!is_training() && options.track_running_stats()) return BatchNormImplBase::forward(input);
  const double factor = begin_forward(input);
  const bool update = is_training() && options.track_running_stats();
  return distributed::sync_batch_norm(input, weight, bias, update ? running_mean : Tensor(),
                                      update ? running_var : Tensor(), factor, options.eps(), process_group);
}

}  // namespace ember::nn
