#pragma once
// DistributedDataParallel's gradient reducer (c10d's Reducer): buckets of gradients,
// all-reduced from autograd hooks while backward runs. nn::parallel::DistributedDataParallel
// (ddp.h, C++) and ember.nn.parallel.DistributedDataParallel (Python) both drive this class;
// neither reduces a gradient itself.
//
// Note [DDP buckets]
// Parameters are packed into buckets by size in *parameter order*, one dtype per bucket: the
// first bucket closes at 1 MiB (kDefaultFirstBucketBytes), later ones at bucket_cap_mb
// (25 MiB by default); then the bucket list is reversed. Backward produces gradients roughly
// in reverse parameter order, so bucket 0 (the last-defined parameters) fills first and the
// small final bucket (the first-defined parameters, whose gradients come last) leaves a short
// all-reduce after backward. Each bucket is one flat contiguous buffer; parameter i's
// gradient lives at [offset_i, offset_i + numel_i) of its bucket, shaped like the parameter.
//
// Note [DDP bucket rebuild]
// Parameter order is only a guess at the order gradients arrive in (a layer's bias comes
// right after its weight in parameter order, but the bias of the *first* layer is ready only
// at the end of backward, so with the guess the large bucket holding it waits for all of
// backward). So, as c10d does, the first synchronised backward records the order in which
// parameters actually became ready, and the next synchronised forward rebuilds the buckets
// once from rank 0's recorded order (broadcast, so all ranks agree): packed in that order,
// first bucket 1 MiB, then bucket_cap_mb, not reversed. Not with find_unused_parameters
// (the graph may change between iterations; c10d does the same). With
// gradient_as_bucket_view the gradients move into the new buckets.
//
// Note [DDP bucket launch order]
// A bucket is ready when every parameter in it has been marked ready (its post-accumulate-grad
// hook ran, Note [Post-accumulate-grad hooks], or find_unused_parameters found it unused).
// Buckets are launched strictly in bucket-index order (a ready bucket waits for all buckets
// before it), never in the order they became ready: collectives must be issued in the same
// order on every rank, and ready order can differ between ranks. Launching queues an
// in-place AVG all_reduce of the bucket on the process group's comm thread (Note [Comm
// thread]), which sums and divides by the world size there while this thread continues
// backward: that is the overlap. (c10d divides before summing, against float16 overflow;
// for a power-of-two world size both orders give the same bits.) Nothing touches a launched bucket until finalize_backward has waited for it.
//
// Note [DDP finalize]
// When the last bucket is launched, the reducer queues an engine final callback (Note [Final
// callbacks]) that waits for every bucket in order, rethrowing a collective's error (e.g. the
// watchdog's timeout), and then hands the averaged gradients to the parameters: with
// gradient_as_bucket_view, param.grad() *is* the bucket view (no copy back); otherwise the
// bucket is copied into param.grad(). So when backward() returns, every parameter's grad is
// the average over ranks. If some parameter never became ready (used on no path to the
// loss, without find_unused_parameters), no final callback runs; the next synchronised
// forward throws torch's "Expected to have finished reduction in the prior iteration ..."
// error, naming those parameters (prepare_for_forward).
//
// Note [Gradient as bucket view]
// With gradient_as_bucket_view, marking a parameter ready makes its .grad() the bucket view
// (copying the accumulated gradient in first when .grad() is some other tensor, e.g. after
// zero_grad(set_to_none=true) or in the first iteration), so AccumulateGrad accumulates into
// the bucket in place from then on, and the all-reduce result needs no copy back. Gradient
// accumulation under no_sync() accumulates into the views too; the next synchronised
// backward reduces the accumulated sum.
//
// Note [DDP comm hooks]
// With a hook registered (register_comm_hook, once, as torch), launching a bucket calls the
// hook with a GradBucket of it instead of queueing all_reduce(AVG); the hook returns a Future
// of the reduced buffer (a tensor of the bucket's size: usually the bucket itself, reduced in
// place). The hook runs on the backward thread, inside the launch order above, so it must
// issue its collectives at once (every rank calls it for the same buckets in the same order).
// finalize_backward waits for each bucket's future in order, rethrowing its error, and copies
// its value into the bucket when it is another tensor, before the gradients are handed out.
//
// Note [DDP join]
// torch's DDP.join() for uneven inputs: a rank that has run out of batches leaves its join()
// context and, until every rank has, shadows each iteration of the ranks still training with
// the same collectives: per iteration, an all-reduce of a "still training" count (1 from each
// active rank, whose forward contributes it; 0 from joined ranks; 0 in total ends the loop),
// shadow_forward() (the bucket rebuild's broadcast, when pending), the buffer broadcast, and
// shadow_backward() (every bucket all-reduced, or passed to the comm hook, as zeros, then the
// used-parameter map), so the active ranks' AVG divides by the initial world size (torch's
// divide_by_initial_world_size=True). Afterwards every rank takes the parameters and buffers of
// the rank that trained longest (the last to join), as torch's final model sync. Every
// iteration inside join() must be synchronised (not under no_sync()).
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ember/core/tensor.h"
#include "ember/distributed/comm_hooks.h"
#include "ember/distributed/process_group.h"

namespace ember::distributed {

constexpr int64_t kDefaultFirstBucketBytes = int64_t{1} << 20;   // c10d: 1 MiB
constexpr int64_t kDefaultBucketBytesCap = int64_t{25} << 20;    // bucket_cap_mb = 25

// Note [DDP buckets]: bucket b lists indices into `params`; buckets in launch order
// (reversed parameter order). Exposed for the tests and for Python's _compute_bucket_assignment.
std::vector<std::vector<size_t>> compute_bucket_assignment_by_size(const std::vector<Tensor>& params,
                                                                   int64_t first_bucket_bytes,
                                                                   int64_t bucket_bytes_cap);

struct ReducerOptions {
  int64_t bucket_bytes_cap = kDefaultBucketBytesCap;
  int64_t first_bucket_bytes = kDefaultFirstBucketBytes;
  bool find_unused_parameters = false;
  bool gradient_as_bucket_view = false;
};

class Reducer : public std::enable_shared_from_this<Reducer> {
 public:
  // params: the module's parameters that require grad, in named_parameters() order, with
  // their names (for error messages). Registers a post-accumulate-grad hook on each; the
  // destructor removes them. Use make_reducer (the hooks hold the reducer weakly).
  Reducer(std::vector<Tensor> params, std::vector<std::string> names, ProcessGroupPtr group,
          ReducerOptions options);
  ~Reducer();
  Reducer(const Reducer&) = delete;
  Reducer& operator=(const Reducer&) = delete;

  // Called at the start of a synchronised forward: throws when the previous backward left
  // gradients unreduced (Note [DDP finalize]); after the first reduced backward, rebuilds the
  // buckets in gradient order (Note [DDP bucket rebuild]; a broadcast, so a collective).
  void prepare_for_forward();
  // Called after a synchronised forward: the next backward reduces. With
  // find_unused_parameters, walks the graph from `outputs` and records the parameters it
  // cannot reach; they are marked ready when backward starts.
  void prepare_for_backward(const std::vector<Tensor>& outputs);

  const std::vector<std::vector<size_t>>& bucket_indices() const { return bucket_indices_; }
  // Bytes of each bucket's buffer, in launch order.
  std::vector<int64_t> bucket_bytes() const;
  // Number of all_reduce calls issued so far (tests check overlap and no_sync with it).
  int64_t num_launched_buckets() const { return launched_total_; }
  const ProcessGroupPtr& process_group() const { return group_; }
  // Note [DDP comm hooks]. Once per reducer ("register_comm_hook or register_builtin_comm_hook
  // can only be called once.").
  void register_comm_hook(CommHook hook);
  // Note [DDP join]: one iteration's collectives, mirrored by a rank that has no batch left.
  void shadow_forward();
  void shadow_backward();
  const std::vector<Tensor>& parameters() const { return params_; }

 private:
  friend std::shared_ptr<Reducer> make_reducer(std::vector<Tensor>, std::vector<std::string>, ProcessGroupPtr,
                                               ReducerOptions);
  struct Bucket {
    Tensor buffer;                 // flat, one dtype
    std::vector<size_t> params;    // indices into params_
    std::vector<Tensor> views;     // views[k]: params[k]'s slot, shaped like it
    size_t pending = 0;            // parameters not yet ready this backward
    WorkPtr work;                  // the bucket's all_reduce, once launched
    FuturePtr future;              // or its comm hook's future (Note [DDP comm hooks])
  };

  void install_hooks();
  void build_buckets(std::vector<std::vector<size_t>> assignment);
  void rebuild_buckets();
  int64_t first_bucket_bytes() const;
  void autograd_hook(size_t index);
  void mark_variable_ready(size_t index);
  void launch_bucket(size_t index);
  void launch_used_map();
  void launch_ready_buckets();
  void wait_buckets();
  void finalize_backward();
  void reset_accounting();
  [[noreturn]] void throw_unfinished_reduction() const;

  std::vector<Tensor> params_;
  std::vector<std::string> names_;
  ProcessGroupPtr group_;
  ReducerOptions options_;
  std::vector<std::vector<size_t>> bucket_indices_;
  std::vector<Bucket> buckets_;
  std::vector<std::pair<size_t, size_t>> locator_;  // param -> (bucket, slot in bucket)
  std::vector<uint64_t> hook_handles_;
  CommHook comm_hook_;

  // Per-backward state (Note [DDP finalize]). Hooks run on the backward thread; the mutex
  // guards against a user running backward from two threads at once.
  std::mutex mutex_;
  bool expect_autograd_hooks_ = false;  // a synchronised forward ran; hooks reduce
  bool require_finalize_ = false;       // some parameter was marked ready this backward
  bool has_marked_unused_ = false;
  size_t next_bucket_ = 0;              // the next bucket to launch (Note [DDP bucket launch order])
  std::vector<char> ready_;             // per parameter, this backward
  std::vector<size_t> unused_;          // find_unused_parameters: unreachable from the outputs
  Tensor local_used_;                   // find_unused_parameters: int32 per parameter, all-reduced
  WorkPtr local_used_work_;
  int64_t launched_total_ = 0;
  // Note [DDP bucket rebuild]
  std::vector<size_t> ready_order_;
  bool has_rebuilt_ = false;
  bool rebuild_pending_ = false;
};

// Note [DDP join], shared by the C++ and Python DDP. An active rank's synchronised forward
// inside join() calls join_notify_active first; a rank whose loop has ended calls
// join_shadow_until_done, which mirrors the others' iterations (broadcasting `buffers` from rank
// 0 each time when broadcast_buffers) until none is left, then broadcasts `model_state`
// (parameters and buffers) from the rank with the most iterations (`own_iterations` is this
// rank's count).
void join_notify_active(const ProcessGroupPtr& group);
void join_shadow_until_done(Reducer& reducer, const std::vector<Tensor>& buffers, bool broadcast_buffers,
                            int64_t own_iterations, const std::vector<Tensor>& model_state);

// Creates a Reducer and installs its hooks (which hold it weakly).
std::shared_ptr<Reducer> make_reducer(std::vector<Tensor> params, std::vector<std::string> names,
                                      ProcessGroupPtr group, ReducerOptions options);

// DDP's construction check: all-gathers every rank's parameter count, names, shapes and
// dtypes and throws (on every rank alike, so none hangs) naming the first parameter in which
// some rank differs from rank 0, and the ranks.
void verify_params_across_processes(const ProcessGroupPtr& group, const std::vector<Tensor>& params,
                                    const std::vector<std::string>& names);

// Broadcasts each tensor from `src` in place (queued together, then waited for).
void broadcast_tensors(const ProcessGroupPtr& group, std::vector<Tensor> tensors, int src = 0);

}  // namespace ember::distributed
