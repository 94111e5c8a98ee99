// DistributedDataParallel's reducer: Notes [DDP buckets], [DDP bucket launch order],
// [DDP finalize] and [Gradient as bucket view] in reducer.h.
#include "ember/distributed/reducer.h"

#include <algorithm>
#include <map>
#include <sstream>
#include <unordered_set>

#include "ember/autograd/autograd_meta.h"
#include "ember/autograd/engine.h"
#include "ember/autograd/grad_mode.h"
#include "ember/autograd/node.h"
#include "ember/ops/factory.h"

namespace ember::distributed {

namespace {

// Packs params[order[0]], params[order[1]], ... into buckets, one open bucket per dtype; a
// dtype's first bucket closes at first_bucket_bytes, later ones at bucket_bytes_cap. Buckets
// come in the order they closed, the still-open ones last.
std::vector<std::vector<size_t>> assign_in_order(const std::vector<Tensor>& params, const std::vector<size_t>& order,
                                                 int64_t first_bucket_bytes, int64_t bucket_bytes_cap) {
  struct Open {
    std::vector<size_t> indices;
    int64_t bytes = 0;
    bool first = true;
  };
  std::map<ScalarType, Open> open;
  std::vector<std::vector<size_t>> buckets;
  for (size_t i : order) {
    const Tensor& p = params[i];
    Open& b = open[p.scalar_type()];
    b.indices.push_back(i);
    b.bytes += p.numel() * static_cast<int64_t>(p.element_size());
    if (b.bytes >= (b.first ? first_bucket_bytes : bucket_bytes_cap)) {
      buckets.push_back(std::move(b.indices));
      b.indices.clear();
      b.bytes = 0;
      b.first = false;
    }
  }
  for (auto& [dtype, b] : open)
    if (!b.indices.empty()) buckets.push_back(std::move(b.indices));
  return buckets;
}

}  // namespace

std::vector<std::vector<size_t>> compute_bucket_assignment_by_size(const std::vector<Tensor>& params,
                                                                   int64_t first_bucket_bytes,
                                                                   int64_t bucket_bytes_cap) {
  std::vector<size_t> order(params.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto buckets = assign_in_order(params, order, first_bucket_bytes, bucket_bytes_cap);
  // Order buckets by their first parameter (c10d does too, so that dtypes interleave as the
  // parameters do), then reverse: bucket 0 holds the last parameters (Note [DDP buckets]).
  std::sort(buckets.begin(), buckets.end(), [](const auto& a, const auto& b) { return a.front() < b.front(); });
  std::reverse(buckets.begin(), buckets.end());
  return buckets;
}

Reducer::Reducer(std::vector<Tensor> params, std::vector<std::string> names, ProcessGroupPtr group,
                 ReducerOptions options)
    : params_(std::move(params)), names_(std::move(names)), group_(std::move(group)), options_(options) {
  EMBER_CHECK(group_, "DistributedDataParallel needs a process group");
  EMBER_CHECK(names_.size() == params_.size(), "Reducer: ", params_.size(), " parameters but ", names_.size(),
              " names");
  EMBER_CHECK(!params_.empty(),
              "DistributedDataParallel is not needed when a module doesn't have any parameter that requires a "
              "gradient.");
  for (size_t i = 0; i < params_.size(); ++i) {
    EMBER_CHECK(params_[i].is_contiguous(), "DistributedDataParallel: parameter '", names_[i],
                "' is not contiguous; its gradient cannot live in a bucket");
  }
  build_buckets(compute_bucket_assignment_by_size(params_, first_bucket_bytes(), options_.bucket_bytes_cap));
  ready_.assign(params_.size(), 0);
  if (options_.find_unused_parameters) local_used_ = zeros({static_cast<int64_t>(params_.size())}, kInt32);
}

int64_t Reducer::first_bucket_bytes() const {
  // A cap below the 1 MiB first bucket bounds the first bucket too (c10d would still make it 1 MiB).
  return std::min(options_.first_bucket_bytes, options_.bucket_bytes_cap);
}

void Reducer::build_buckets(std::vector<std::vector<size_t>> assignment) {
  bucket_indices_ = std::move(assignment);
  buckets_.clear();
  locator_.assign(params_.size(), {0, 0});
  NoGradGuard no_grad;
  for (size_t b = 0; b < bucket_indices_.size(); ++b) {
    Bucket bucket;
    bucket.params = bucket_indices_[b];
    int64_t total = 0;
    for (size_t i : bucket.params) total += params_[i].numel();
    const Tensor& first = params_[bucket.params.front()];
    bucket.buffer = zeros({total}, TensorOptions().dtype(first.scalar_type()).device(first.device()));
    int64_t offset = 0;
    for (size_t k = 0; k < bucket.params.size(); ++k) {
      const Tensor& p = params_[bucket.params[k]];
      bucket.views.push_back(bucket.buffer.narrow(0, offset, p.numel()).view(p.sizes()));
      offset += p.numel();
      locator_[bucket.params[k]] = {b, k};
    }
    bucket.pending = bucket.params.size();
    buckets_.push_back(std::move(bucket));
  }
  // Note [Gradient as bucket view]: gradients that exist already (in the old buckets, after a
  // rebuild) move into the new buckets now.
  if (options_.gradient_as_bucket_view) {
    for (size_t i = 0; i < params_.size(); ++i) {
      Tensor& grad = params_[i].mutable_grad();
      if (!grad.defined()) continue;
      auto [b, k] = locator_[i];
      buckets_[b].views[k].copy_(grad);
      grad = buckets_[b].views[k];
    }
  }
}

std::shared_ptr<Reducer> make_reducer(std::vector<Tensor> params, std::vector<std::string> names,
                                      ProcessGroupPtr group, ReducerOptions options) {
  auto reducer = std::make_shared<Reducer>(std::move(params), std::move(names), std::move(group), options);
  reducer->install_hooks();
  return reducer;
}

void Reducer::install_hooks() {
  std::weak_ptr<Reducer> self = weak_from_this();
  for (size_t i = 0; i < params_.size(); ++i) {
    hook_handles_.push_back(autograd::register_post_accumulate_grad_hook(params_[i], [self, i](const Tensor&) {
      if (auto reducer = self.lock()) reducer->autograd_hook(i);
    }));
  }
}

Reducer::~Reducer() {
  for (size_t i = 0; i < hook_handles_.size(); ++i)
    autograd::remove_post_accumulate_grad_hook(params_[i], hook_handles_[i]);
  // A bucket may still be on the comm thread (an unfinished backward): it writes into our
  // buffers, so wait for it before they go; errors no longer matter here.
  for (Bucket& b : buckets_) {
    if (!b.work) continue;
    try {
      b.work->wait();
    } catch (...) {
    }
  }
  if (local_used_work_) {
    try {
      local_used_work_->wait();
    } catch (...) {
    }
  }
}

std::vector<int64_t> Reducer::bucket_bytes() const {
  std::vector<int64_t> r;
  for (const Bucket& b : buckets_) r.push_back(b.buffer.numel() * static_cast<int64_t>(b.buffer.element_size()));
  return r;
}

void Reducer::reset_accounting() {
  std::fill(ready_.begin(), ready_.end(), 0);
  for (Bucket& b : buckets_) {
    b.pending = b.params.size();
    b.work.reset();
    b.future.reset();
  }
  next_bucket_ = 0;
  has_marked_unused_ = false;
  local_used_work_.reset();
  if (local_used_.defined()) local_used_.zero_();
}

void Reducer::prepare_for_forward() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (require_finalize_) throw_unfinished_reduction();
  if (rebuild_pending_) rebuild_buckets();
}

void Reducer::rebuild_buckets() {
  rebuild_pending_ = false;
  has_rebuilt_ = true;
  // Every rank takes rank 0's order (c10d's sync_bucket_indices): the buckets, and so the
  // collectives, must be identical everywhere even if the ranks saw different orders.
  const int64_t n = static_cast<int64_t>(params_.size());
  Tensor order = empty({n}, kInt64);
  int64_t* o = order.data_ptr<int64_t>();
  for (int64_t i = 0; i < n; ++i) o[i] = static_cast<int64_t>(ready_order_[static_cast<size_t>(i)]);
  ready_order_.clear();
  if (group_->size() > 1) group_->broadcast(order, 0)->wait();
  std::vector<size_t> ord(static_cast<size_t>(n));
  std::vector<char> seen(static_cast<size_t>(n), 0);
  for (int64_t i = 0; i < n; ++i) {
    EMBER_CHECK(o[i] >= 0 && o[i] < n && !seen[static_cast<size_t>(o[i])],
                "DistributedDataParallel: rank 0's gradient order is not a permutation of the parameters");
    seen[static_cast<size_t>(o[i])] = 1;
    ord[static_cast<size_t>(i)] = static_cast<size_t>(o[i]);
  }
  build_buckets(assign_in_order(params_, ord, first_bucket_bytes(), options_.bucket_bytes_cap));
}

void Reducer::prepare_for_backward(const std::vector<Tensor>& outputs) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (require_finalize_) throw_unfinished_reduction();
  reset_accounting();
  expect_autograd_hooks_ = true;
  unused_.clear();
  if (!options_.find_unused_parameters) return;
  // Every leaf the backward of `outputs` can reach has its AccumulateGrad in the graph.
  std::unordered_set<const TensorImpl*> reached;
  std::unordered_set<const autograd::Node*> seen;
  std::vector<autograd::Node*> stack;
  for (const Tensor& out : outputs) {
    if (!out.defined()) continue;
    autograd::Edge e = autograd::gradient_edge(out);
    if (e.is_valid() && seen.insert(e.function.get()).second) stack.push_back(e.function.get());
  }
  while (!stack.empty()) {
    autograd::Node* fn = stack.back();
    stack.pop_back();
    if (auto* acc = dynamic_cast<autograd::AccumulateGrad*>(fn)) reached.insert(acc->variable.unsafeGetTensorImpl());
    for (const autograd::Edge& next : fn->next_edges())
      if (next.is_valid() && seen.insert(next.function.get()).second) stack.push_back(next.function.get());
  }
  for (size_t i = 0; i < params_.size(); ++i)
    if (!reached.count(params_[i].unsafeGetTensorImpl())) unused_.push_back(i);
}

void Reducer::autograd_hook(size_t index) {
  std::lock_guard<std::mutex> lock(mutex_);
  // Outside a synchronised forward (no_sync(), or no DDP forward at all) gradients only
  // accumulate locally.
  if (!expect_autograd_hooks_) return;
  if (options_.find_unused_parameters) {
    // The first hook of this backward also marks the parameters the forward could not reach.
    if (!has_marked_unused_) {
      has_marked_unused_ = true;
      for (size_t u : unused_) mark_variable_ready(u);
    }
    local_used_.data_ptr<int32_t>()[index] = 1;
  }
  mark_variable_ready(index);
}

void Reducer::mark_variable_ready(size_t index) {
  if (ready_[index]) {
    std::ostringstream msg;
    msg << "Expected to mark a variable ready only once. This error is caused by one of the following reasons: "
           "1) Use of a module parameter outside the `forward` function. Please make sure model parameters are not "
           "shared across multiple concurrent forward-backward passes. 2) Reused parameters in multiple reentrant "
           "backward passes, e.g. the same part of a model wrapped in several `checkpoint` calls. DDP does not "
           "support such use cases. Parameter at index "
        << index << " with name " << names_[index]
        << " has been marked as ready twice. This means that multiple autograd engine hooks have fired for this "
           "particular parameter during this iteration.";
    throw Error(msg.str());
  }
  ready_[index] = 1;
  require_finalize_ = true;
  if (!has_rebuilt_ && !options_.find_unused_parameters) ready_order_.push_back(index);  // Note [DDP bucket rebuild]
  auto [b, k] = locator_[index];
  Bucket& bucket = buckets_[b];
  Tensor& view = bucket.views[k];
  Tensor& grad = params_[index].mutable_grad();
  {
    NoGradGuard no_grad;
    if (!grad.defined()) {
      view.zero_();  // an unused parameter contributes zeros
    } else if (grad.data_ptr() != view.data_ptr()) {
      EMBER_CHECK(grad.sizes() == view.sizes() && grad.scalar_type() == view.scalar_type(),
                  "DistributedDataParallel: the gradient of parameter '", names_[index], "' has shape ", grad.sizes(),
                  " and dtype ", dtype_name(grad.scalar_type()), ", but the parameter has shape ", view.sizes(),
                  " and dtype ", dtype_name(view.scalar_type()));
      view.copy_(grad);
      if (options_.gradient_as_bucket_view) grad = view;  // Note [Gradient as bucket view]
    }
  }
  if (--bucket.pending == 0) launch_ready_buckets();
}

void Reducer::launch_bucket(size_t index) {
  Bucket& bucket = buckets_[index];
  if (comm_hook_) {
    // Note [DDP comm hooks]: the hook reduces, whatever the world size.
    std::vector<Tensor> params;
    for (size_t i : bucket.params) params.push_back(params_[i]);
    GradBucket view(index, index + 1 == buckets_.size(), bucket.buffer, bucket.views, std::move(params));
    bucket.future = comm_hook_(view);
    EMBER_CHECK(bucket.future, "DistributedDataParallel: the communication hook returned no Future for bucket ",
                index);
  } else if (group_->size() > 1) {
    // World size 1 reduces nothing (MLX's rule); the bookkeeping still runs.
    // AVG sums, then divides by the world size on the comm thread, off the backward thread.
    bucket.work = group_->all_reduce(bucket.buffer, ReduceOp::AVG);
  }
  ++launched_total_;
}

void Reducer::launch_used_map() {
  // Queued behind the buckets on the comm thread, so it costs no extra wait.
  if (options_.find_unused_parameters && group_->size() > 1)
    local_used_work_ = group_->all_reduce(local_used_, ReduceOp::SUM);
}

void Reducer::launch_ready_buckets() {
  while (next_bucket_ < buckets_.size() && buckets_[next_bucket_].pending == 0) launch_bucket(next_bucket_++);
  if (next_bucket_ < buckets_.size()) return;
  // Every bucket is on its way: after them, the used-parameter map, then finalize at
  // backward's end.
  launch_used_map();
  std::weak_ptr<Reducer> self = weak_from_this();
  autograd::queue_callback([self] {
    if (auto reducer = self.lock()) reducer->finalize_backward();
  });
}

void Reducer::wait_buckets() {
  for (size_t i = 0; i < buckets_.size(); ++i) {
    Bucket& b = buckets_[i];
    if (b.work) b.work->wait();  // rethrows the collective's error (Note [DDP finalize])
    if (!b.future) continue;
    Tensor reduced = b.future->tensor();  // Note [DDP comm hooks]; rethrows the hook's error
    if (reduced.data_ptr() == b.buffer.data_ptr()) continue;
    EMBER_CHECK(reduced.numel() == b.buffer.numel(), "DistributedDataParallel: the communication hook's future for "
                "bucket ", i, " holds a tensor of ", reduced.numel(), " elements, but the bucket has ",
                b.buffer.numel());
    NoGradGuard no_grad;
    b.buffer.copy_(reduced.reshape(b.buffer.sizes()));
  }
  if (local_used_work_) local_used_work_->wait();
}

// Note [DDP join]
void Reducer::shadow_forward() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (rebuild_pending_) rebuild_buckets();
}

void Reducer::shadow_backward() {
  std::lock_guard<std::mutex> lock(mutex_);
  reset_accounting();
  {
    NoGradGuard no_grad;
    for (Bucket& b : buckets_) b.buffer.zero_();  // this rank adds nothing to the average
  }
  for (size_t i = 0; i < buckets_.size(); ++i) launch_bucket(i);
  launch_used_map();
  wait_buckets();
  // The active ranks record their first backward's gradient order and rebuild their buckets
  // at the next forward; so does this rank, with the launch order as its "order" (which is
  // used only if this is rank 0, and is then as good as any: every rank takes rank 0's).
  if (!has_rebuilt_ && !options_.find_unused_parameters) {
    ready_order_.clear();
    for (const Bucket& b : buckets_) ready_order_.insert(ready_order_.end(), b.params.begin(), b.params.end());
    rebuild_pending_ = true;
  }
}

void join_notify_active(const ProcessGroupPtr& group) {
  Tensor one = ones({1});
  group->all_reduce(one, ReduceOp::SUM)->wait();
}

void join_shadow_until_done(Reducer& reducer, const std::vector<Tensor>& buffers, bool broadcast_buffers,
                            int64_t own_iterations, const std::vector<Tensor>& model_state) {
  const ProcessGroupPtr& group = reducer.process_group();
  for (;;) {
    Tensor active = zeros({1});
    group->all_reduce(active, ReduceOp::SUM)->wait();
    if (active.item<double>() == 0) break;
    reducer.shadow_forward();
    if (broadcast_buffers && !buffers.empty()) broadcast_tensors(group, buffers, 0);
    reducer.shadow_backward();
  }
  // The final model: that of the rank with the most iterations (the lowest such rank).
  auto counts = group->all_gather_int64({own_iterations});
  int last = 0;
  for (int r = 1; r < group->size(); ++r)
    if (counts[size_t(r)][0] > counts[size_t(last)][0]) last = r;
  broadcast_tensors(group, model_state, last);
}

void Reducer::finalize_backward() {
  std::lock_guard<std::mutex> lock(mutex_);
  expect_autograd_hooks_ = false;
  require_finalize_ = false;
  wait_buckets();
  // Note [DDP bucket rebuild]: the first complete backward's order shapes the buckets.
  if (!has_rebuilt_ && !options_.find_unused_parameters && ready_order_.size() == params_.size())
    rebuild_pending_ = true;
  else
    ready_order_.clear();
  NoGradGuard no_grad;
  const int32_t* used = local_used_.defined() ? local_used_.data_ptr<int32_t>() : nullptr;
  for (size_t i = 0; i < params_.size(); ++i) {
    auto [b, k] = locator_[i];
    Tensor& view = buckets_[b].views[k];
    Tensor& grad = params_[i].mutable_grad();
    if (grad.defined() && grad.data_ptr() == view.data_ptr()) continue;  // already the bucket view
    if (!grad.defined()) {
      // Unused on this rank: it gets a gradient only if some rank used it (as c10d).
      if (used && used[i] == 0) continue;
      grad = options_.gradient_as_bucket_view ? view : view.clone();
    } else {
      grad.copy_(view);
    }
  }
}

void Reducer::register_comm_hook(CommHook hook) {
  std::lock_guard<std::mutex> lock(mutex_);
  EMBER_CHECK(!comm_hook_, "register_comm_hook or register_builtin_comm_hook can only be called once.");
  EMBER_CHECK_VALUE(static_cast<bool>(hook), "register_comm_hook: the hook is empty");
  comm_hook_ = std::move(hook);
}

void Reducer::throw_unfinished_reduction() const {
  std::ostringstream msg;
  msg << "Expected to have finished reduction in the prior iteration before starting a new one. ";
  if (options_.find_unused_parameters) {
    msg << "This error indicates that your module has parameters that were not used in producing loss. Since "
           "`find_unused_parameters=True` is enabled, this likely  means that not all `forward` outputs participate "
           "in computing loss. You can fix this by making sure all `forward` function outputs participate in "
           "calculating loss. \n";
  } else {
    msg << "This error indicates that your module has parameters that were not used in producing loss. You can "
           "enable unused parameter detection by passing the keyword argument `find_unused_parameters=True` to "
           "`torch.nn.parallel.DistributedDataParallel`, and by \nmaking sure all `forward` function outputs "
           "participate in calculating loss. \n";
  }
  msg << "If you already have done the above, then the distributed data parallel module wasn't able to locate the "
         "output tensors in the return value of your module's `forward` function. Please include the loss function "
         "and the structure of the return value of `forward` of your module when reporting this issue (e.g. list, "
         "dict, iterable).\n";
  const int rank = group_->rank();
  msg << "Parameter indices which did not receive grad for rank " << rank << ":";
  for (size_t i = 0; i < params_.size(); ++i)
    if (!ready_[i]) msg << " " << i;
  msg << "\nParameters which did not receive grad for rank " << rank << ": ";
  bool first = true;
  for (size_t i = 0; i < params_.size(); ++i) {
    if (ready_[i]) continue;
    msg << (first ? "" : ", ") << names_[i];
    first = false;
  }
  throw Error(msg.str());
}

}  // namespace ember::distributed
