#pragma once
// nn::parallel::DistributedDataParallel: data-parallel training across processes, torch's
// DDP for C++ (LibTorch has none). Each process (rank) runs the same model on its own shard
// of the batch; the reducer (reducer.h) averages gradients over ranks during backward, so
// after backward() every rank holds the same gradients and an identical optimizer step keeps
// the replicas identical.
//
//   ember::distributed::init_process_group();                 // under mpirun / ember-run
//   Net model;
//   ember::nn::parallel::DistributedDataParallel ddp(model);  // checks + broadcasts rank 0's state
//   ember::optim::SGD opt(ddp->parameters(), 0.1);
//   auto loss = loss_fn(ddp(x), y);                           // forward through the wrapper
//   loss.backward();                                          // buckets all-reduced while it runs
//   opt.step();
//
// Note [DDP forward]
// A forward through the wrapper with grad mode on and outside no_sync() is "synchronised":
// it first checks that the previous backward finished reducing (Note [DDP finalize]) and,
// with broadcast_buffers, overwrites every buffer with rank 0's (BatchNorm running stats);
// after the module's forward it arms the reducer, so the backward of its outputs reduces.
// Under no_sync(), or with grad mode off, the forward arms nothing and the backward only
// accumulates gradients locally; the first synchronised backward afterwards reduces the
// accumulated sum. As in torch, the buffer broadcast runs only when the previous forward was
// synchronised (a forward under no_grad/no_sync after it skips the next broadcast), and it
// is a collective: every rank must run the same synchronised forwards. Evaluate on one rank
// through ddp->module(), which involves no collective.
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "ember/autograd/grad_mode.h"
#include "ember/core/arg.h"
#include "ember/distributed/process_group.h"
#include "ember/distributed/reducer.h"
#include "ember/nn/holder.h"
#include "ember/nn/module.h"
#include "ember/nn/modules/container/any.h"

namespace ember::nn::parallel {

// torch.nn.parallel.DistributedDataParallel's keyword arguments (the CPU ones).
struct DistributedDataParallelOptions {
  EMBER_ARG(double, bucket_cap_mb) = 25;
  EMBER_ARG(bool, broadcast_buffers) = true;
  EMBER_ARG(bool, find_unused_parameters) = false;
  EMBER_ARG(bool, gradient_as_bucket_view) = false;
};

class DistributedDataParallelImpl : public Module {
 public:
  // group nullptr: the default group (init_process_group must have run).
  template <class M, class = std::enable_if_t<std::is_base_of_v<Module, M>>>
  explicit DistributedDataParallelImpl(std::shared_ptr<M> module, distributed::ProcessGroupPtr group = nullptr,
                                       const DistributedDataParallelOptions& options = {})
      : any_(module) {
    init(std::move(module), std::move(group), options);
  }
  template <class C>
  explicit DistributedDataParallelImpl(const ModuleHolder<C>& module, distributed::ProcessGroupPtr group = nullptr,
                                       const DistributedDataParallelOptions& options = {})
      : DistributedDataParallelImpl(module.ptr(), std::move(group), options) {}

  // Calls the wrapped module's forward (Note [DDP forward]). Ret is its return type when
  // that is not a Tensor (AnyModule's rule); tensors found in a Tensor, vector or tuple
  // result are where find_unused_parameters starts its graph walk.
  template <class Ret = Tensor, class... Args>
  Ret forward(Args&&... args) {
    pre_forward();
    Ret out = any_.forward<Ret>(std::forward<Args>(args)...);
    post_forward(output_tensors(out));
    return out;
  }

  // The wrapped module (its parameters are the ones DDP reduces).
  const std::shared_ptr<Module>& module() const { return module_; }
  template <class T>
  std::shared_ptr<T> module() const {
    return any_.ptr<T>();
  }
  const distributed::ProcessGroupPtr& process_group() const { return group_; }
  distributed::Reducer& reducer() { return *reducer_; }
  const DistributedDataParallelOptions& options() const { return options_; }

  // torch's no_sync(): while the returned guard lives, forwards are not synchronised and
  // their backward passes only accumulate gradients locally (Note [DDP forward]).
  class NoSyncGuard {
   public:
    explicit NoSyncGuard(DistributedDataParallelImpl& ddp) : ddp_(&ddp), saved_(ddp.require_backward_grad_sync_) {
      ddp.require_backward_grad_sync_ = false;
    }
    ~NoSyncGuard() {
      if (ddp_) ddp_->require_backward_grad_sync_ = saved_;
    }
    NoSyncGuard(NoSyncGuard&& o) noexcept : ddp_(o.ddp_), saved_(o.saved_) { o.ddp_ = nullptr; }
    NoSyncGuard(const NoSyncGuard&) = delete;
    NoSyncGuard& operator=(const NoSyncGuard&) = delete;
    NoSyncGuard& operator=(NoSyncGuard&&) = delete;

   private:
    DistributedDataParallelImpl* ddp_;
    bool saved_;
  };
  [[nodiscard]] NoSyncGuard no_sync() { return NoSyncGuard(*this); }
  bool require_backward_grad_sync() const { return require_backward_grad_sync_; }
  // torch's register_comm_hook (Note [DDP comm hooks] in reducer.h); the state is what the
  // hook captures, e.g. [g](auto& b) { return distributed::ddp_comm_hooks::allreduce_hook(g, b); }.
  void register_comm_hook(distributed::CommHook hook) { reducer_->register_comm_hook(std::move(hook)); }
  // torch's join() for uneven inputs (Note [DDP join] in reducer.h): runs `loop`, this rank's
  // training iterations, in which every forward must be synchronised; then mirrors the other
  // ranks' iterations until all have finished, and takes the model of the rank that trained
  // longest. Gradients are averaged over the initial world size.
  template <class F>
  void join(F&& loop) {
    join_iterations_ = 0;
    try {
      std::forward<F>(loop)();
    } catch (...) {
      join_iterations_ = -1;
      throw;
    }
    finish_join();
  }

  // The steps of forward, public for wrappers with their own calling convention.
  void pre_forward();
  void post_forward(const std::vector<Tensor>& outputs);

 private:
  void init(std::shared_ptr<Module> module, distributed::ProcessGroupPtr group,
            const DistributedDataParallelOptions& options);

  static std::vector<Tensor> output_tensors(const Tensor& t) { return {t}; }
  static std::vector<Tensor> output_tensors(const std::vector<Tensor>& v) { return v; }
  template <class... T>
  static std::vector<Tensor> output_tensors(const std::tuple<T...>& t) {
    std::vector<Tensor> r;
    std::apply([&](const auto&... e) { (append_if_tensor(r, e), ...); }, t);
    return r;
  }
  template <class T>
  static std::vector<Tensor> output_tensors(const T&) {
    return {};
  }
  template <class T>
  static void append_if_tensor(std::vector<Tensor>& r, const T& e) {
    if constexpr (std::is_same_v<T, Tensor>) r.push_back(e);
  }

  AnyModule any_;
  std::shared_ptr<Module> module_;
  distributed::ProcessGroupPtr group_;
  DistributedDataParallelOptions options_;
  std::shared_ptr<distributed::Reducer> reducer_;
  std::vector<Tensor> buffers_;
  bool require_backward_grad_sync_ = true;
  bool require_forward_param_sync_ = true;
  int64_t join_iterations_ = -1;  // >= 0 inside join(): this rank's iterations
  void finish_join();
};

EMBER_MODULE(DistributedDataParallel);

}  // namespace ember::nn::parallel

namespace ember::distributed {
// The module's parameters that require grad and their names, as DDP reduces them.
void ddp_parameters(const nn::Module& module, std::vector<Tensor>& params, std::vector<std::string>& names);
}  // namespace ember::distributed
