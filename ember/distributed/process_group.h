#pragma once
// ember::distributed: process groups and collectives (torch.distributed / c10d names).
// docs/distributed.md describes the design; this header compiles with or without MPI
// (a build without it throws from init_process_group(backend "mpi")).
//
// Note [Comm thread]
// Every collective of a group runs on that group's one communication thread, in the order
// the caller queued it, as a *blocking* MPI call. Open MPI makes no progress on a
// non-blocking collective outside MPI calls, so MPI_Iallreduce + compute would not
// overlap; a thread sitting in MPI_Allreduce does. Queueing on one thread also keeps the
// order of collectives identical on every rank (the caller's order), which MPI requires.
// A blocking call (async_op=false) on an idle group, and a caller that waits for an op before
// the comm thread has started it with nothing running, run the op on the calling thread
// (Note [Running on the waiting thread] in process_group_mpi.cpp, Note [Blocking calls] in
// blocking_call.h): blocking calls pay no thread hand-off; async ops still overlap on the comm
// thread.
// Point-to-point send/recv are posted as MPI_Isend/MPI_Irecv from the caller's thread and
// completed by Work::wait(), so a send and a recv issued in opposite orders on two ranks
// cannot deadlock one another on the comm thread.
//
// Note [Collective timeout]
// The comm thread cannot cancel a blocking MPI call. A watchdog thread per group compares
// the op the comm thread is running with the group's timeout; on expiry it fails that
// op's Work (and every op queued behind it) with DistTimeoutError naming the op, the tensor
// shape and dtype and the ranks that may not have joined, prints the same message to
// stderr, gives the waiting thread a moment to raise, and then calls MPI_Abort so that no
// rank of the job waits forever.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ember/core/error.h"
#include "ember/core/tensor.h"
#include "ember/distributed/future.h"

namespace ember::distributed {

// torch.distributed.DistError / DistBackendError (Python RuntimeError subclasses).
class DistError : public Error { public: using Error::Error; };
class DistBackendError : public DistError { public: using DistError::DistError; };
// A collective or point-to-point op that did not finish within the group's timeout.
class DistTimeoutError : public DistBackendError { public: using DistBackendError::DistBackendError; };

// c10d's RedOpType order (SUM=0 ... BXOR=7).
enum class ReduceOp { SUM, AVG, PRODUCT, MIN, MAX, BAND, BOR, BXOR };
const char* reduce_op_name(ReduceOp op);  // "SUM", "AVG", ... (as ReduceOp.SUM prints)

// The handle of one queued op. The backend completes it once (complete()); wait() blocks
// until then and rethrows the op's error.
class Work : public std::enable_shared_from_this<Work> {
 public:
  explicit Work(std::string description = {});
  virtual ~Work();
  Work(const Work&) = delete;
  Work& operator=(const Work&) = delete;

  virtual bool is_completed() const;   // non-blocking
  bool is_success() const;             // completed without an error
  virtual void wait();                 // blocks; rethrows the op's error
  std::exception_ptr exception() const;
  // "all_reduce(SUM) of float32[4, 5]": what timeout and error messages name.
  virtual std::string description() const { return description_; }
  // torch's Work._source_rank(): for a completed recv, the rank (in the recv's group) that sent
  // the message -- how a recv from any source learns its sender. Other Works throw torch's error.
  virtual int source_rank() const;

  // Set by the backend, once; later calls are ignored (the watchdog and the comm thread
  // may race to complete a timed-out op).
  void complete(std::exception_ptr error = nullptr);

  // torch's Work.get_future(): a future that completes with result() when the op does, or
  // with its error. The same future on every call.
  FuturePtr get_future();
  // The op's result tensors, as c10d's Work::result(): set by whoever issued the op, before
  // the Work is handed to the caller (the free functions below: all_reduce's tensor, all_gather's
  // outputs, ...; barrier has none).
  void set_result(std::vector<Tensor> result);
  std::vector<Tensor> result() const;

 protected:
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool completed_ = false;
  std::exception_ptr error_;
  std::string description_;

 private:
  // Completes future_ from this Work's state once the Work has completed.
  void settle_future();
  std::vector<Tensor> result_;
  FuturePtr future_;
};
using WorkPtr = std::shared_ptr<Work>;

// One transport = one subclass (MPI now; NCCL / shared memory later). Every op works in place
// on its tensors, is queued in call order on the group's comm thread (Note [Comm thread]) and
// returns a Work; tensors must stay alive and untouched until wait() returns.
class ProcessGroup {
 public:
  // global_ranks[i]: rank i of this group in the default (world) group; empty = identity.
  ProcessGroup(int rank, int size, std::chrono::milliseconds timeout, std::vector<int> global_ranks = {});
  virtual ~ProcessGroup();
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  std::chrono::milliseconds timeout() const { return timeout_; }
  virtual std::string backend_name() const = 0;
  // Rank in the default group of this group's rank r, and the inverse (-1 when not a member).
  int global_rank(int group_rank) const;
  int group_rank(int global_rank) const;

  virtual WorkPtr all_reduce(Tensor& t, ReduceOp op = ReduceOp::SUM) = 0;
  virtual WorkPtr broadcast(Tensor& t, int src) = 0;
  virtual WorkPtr reduce(Tensor& t, int dst, ReduceOp op = ReduceOp::SUM) = 0;
  virtual WorkPtr all_gather(std::vector<Tensor>& outputs, const Tensor& input) = 0;
  virtual WorkPtr all_gather_into_tensor(Tensor& output, const Tensor& input) = 0;
  virtual WorkPtr reduce_scatter(Tensor& output, const std::vector<Tensor>& inputs,
                                 ReduceOp op = ReduceOp::SUM) = 0;
  virtual WorkPtr reduce_scatter_tensor(Tensor& output, const Tensor& input,
                                        ReduceOp op = ReduceOp::SUM) = 0;
  // outputs only on dst (empty elsewhere); inputs only on src (empty elsewhere).
  virtual WorkPtr gather(const Tensor& input, std::vector<Tensor>& outputs, int dst) = 0;
  virtual WorkPtr scatter(Tensor& output, const std::vector<Tensor>& inputs, int src) = 0;
  virtual WorkPtr barrier() = 0;
  virtual WorkPtr send(const Tensor& t, int dst, int tag = 0) = 0;
  virtual WorkPtr recv(Tensor& t, int src, int tag = 0) = 0;
  // torch's recv_anysource: a recv that any other rank's send with this tag may match; its
  // Work's source_rank() says which rank's did. A transport without it says so ("ProcessGroup
  // <name> does not support recvAnysource").
  virtual WorkPtr recv_anysource(Tensor& t, int tag = 0);
  // outputs[r] receives inputs[r] of rank r; inputs[r] goes to rank r. One dtype; the
  // tensors' sizes may differ, but outputs[r] on this rank must match rank r's inputs[rank].
  // A transport without it says so ("ProcessGroup <name> does not support alltoall").
  virtual WorkPtr all_to_all(std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs);
  // Along dim 0: input rows [sum(in_splits[:r]), +in_splits[r]) go to rank r, output rows
  // [sum(out_splits[:r]), +out_splits[r]) come from rank r. Empty splits: equal parts.
  virtual WorkPtr all_to_all_single(Tensor& output, const Tensor& input, const std::vector<int64_t>& output_split_sizes,
                                    const std::vector<int64_t>& input_split_sizes);
  // Note [Monitored barrier] in process_group_mpi.cpp: a barrier in which rank 0 names the
  // ranks that did not arrive within `timeout`. Blocking; runs on the caller's thread.
  virtual void monitored_barrier(std::chrono::milliseconds timeout, bool wait_all_ranks);

  // All-gather of a vector of int64 whose length may differ by rank (e.g. parameter shapes
  // for DDP's construction check); blocking. Result[r] is rank r's vector.
  std::vector<std::vector<int64_t>> all_gather_int64(const std::vector<int64_t>& mine);

  // A subgroup of `ranks` (ranks of *this* group, ascending, no duplicates); collective over
  // this group: every member calls it with the same ranks. Non-members get nullptr.
  virtual std::shared_ptr<ProcessGroup> new_subgroup(const std::vector<int>& ranks,
                                                     std::chrono::milliseconds timeout) = 0;

 protected:
  int rank_;
  int size_;
  std::chrono::milliseconds timeout_;
  std::vector<int> global_ranks_;
};
using ProcessGroupPtr = std::shared_ptr<ProcessGroup>;

constexpr std::chrono::milliseconds kDefaultTimeout{30 * 60 * 1000};  // c10d's kBackendDefaultTimeout

struct InitOptions {
  std::string backend = "mpi";
  std::string init_method = "env://";  // accepted and ignored: MPI's launcher wires the ranks
  int world_size = -1;                 // -1: from MPI; otherwise must match it
  int rank = -1;
  std::chrono::milliseconds timeout = kDefaultTimeout;
};

// Reads RANK / WORLD_SIZE / LOCAL_RANK (torch's env://) and Open MPI's OMPI_COMM_WORLD_*;
// any of them that disagrees with MPI's own rank and size is an error.
void init_process_group(const InitOptions& options = {});
bool is_initialized();
bool is_mpi_available();  // this build has the MPI backend
void destroy_process_group(const ProcessGroupPtr& group = nullptr);  // nullptr: the default one and all subgroups
ProcessGroupPtr default_group();  // throws when init_process_group was not called
int get_rank(const ProcessGroupPtr& group = nullptr);        // -1 for a group this rank is not in
int get_world_size(const ProcessGroupPtr& group = nullptr);
int get_local_rank();
// Collective over the default group (every rank calls it); returns nullptr on non-members.
// timeout 0 = the default group's.
ProcessGroupPtr new_group(const std::vector<int>& ranks = {},
                          std::chrono::milliseconds timeout = std::chrono::milliseconds(0));

// torch.distributed-style free functions: group nullptr = the default group. With
// async_op=false they wait and return the completed Work; with async_op=true the caller waits.
WorkPtr all_reduce(Tensor& t, ReduceOp op = ReduceOp::SUM, const ProcessGroupPtr& group = nullptr,
                   bool async_op = false);
WorkPtr broadcast(Tensor& t, int src, const ProcessGroupPtr& group = nullptr, bool async_op = false);
WorkPtr reduce(Tensor& t, int dst, ReduceOp op = ReduceOp::SUM, const ProcessGroupPtr& group = nullptr,
               bool async_op = false);
WorkPtr all_gather(std::vector<Tensor>& outputs, const Tensor& input,
                   const ProcessGroupPtr& group = nullptr, bool async_op = false);
WorkPtr all_gather_into_tensor(Tensor& output, const Tensor& input,
                               const ProcessGroupPtr& group = nullptr, bool async_op = false);
WorkPtr reduce_scatter(Tensor& output, const std::vector<Tensor>& inputs, ReduceOp op = ReduceOp::SUM,
                       const ProcessGroupPtr& group = nullptr, bool async_op = false);
WorkPtr reduce_scatter_tensor(Tensor& output, const Tensor& input, ReduceOp op = ReduceOp::SUM,
                              const ProcessGroupPtr& group = nullptr, bool async_op = false);
WorkPtr gather(const Tensor& input, std::vector<Tensor>& outputs, int dst = 0,
               const ProcessGroupPtr& group = nullptr, bool async_op = false);
WorkPtr scatter(Tensor& output, const std::vector<Tensor>& inputs, int src = 0,
                const ProcessGroupPtr& group = nullptr, bool async_op = false);
WorkPtr barrier(const ProcessGroupPtr& group = nullptr, bool async_op = false);
// send/recv wait; isend/irecv return the Work. dst/src are ranks of the default (global)
// group, as in torch; the group translates them.
WorkPtr all_to_all(std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                   const ProcessGroupPtr& group = nullptr, bool async_op = false);
WorkPtr all_to_all_single(Tensor& output, const Tensor& input, const std::vector<int64_t>& output_split_sizes = {},
                          const std::vector<int64_t>& input_split_sizes = {}, const ProcessGroupPtr& group = nullptr,
                          bool async_op = false);
// timeout 0: the group's. Throws on rank 0 naming the rank (or, with wait_all_ranks, every
// rank) that did not arrive in time, and on the others when rank 0 did not answer.
void monitored_barrier(const ProcessGroupPtr& group = nullptr,
                       std::chrono::milliseconds timeout = std::chrono::milliseconds(0), bool wait_all_ranks = false);
void send(const Tensor& t, int dst, const ProcessGroupPtr& group = nullptr, int tag = 0);
void recv(Tensor& t, int src, const ProcessGroupPtr& group = nullptr, int tag = 0);
WorkPtr isend(const Tensor& t, int dst, const ProcessGroupPtr& group = nullptr, int tag = 0);
WorkPtr irecv(Tensor& t, int src, const ProcessGroupPtr& group = nullptr, int tag = 0);
// torch's recv / irecv with src=None: a message from whichever rank sends one with this tag.
// recv_any_source returns the sender's rank in the default group; irecv_any_source's Work
// gives it, after wait(), as a rank of `group` (source_rank(), as torch's work._source_rank()).
int recv_any_source(Tensor& t, const ProcessGroupPtr& group = nullptr, int tag = 0);
WorkPtr irecv_any_source(Tensor& t, const ProcessGroupPtr& group = nullptr, int tag = 0);

// torch.distributed.P2POp: one isend or irecv of a batch_isend_irecv. peer is a rank of the
// default group, as isend's dst.
struct P2POp {
  enum class Kind { isend, irecv };
  Kind op;
  Tensor tensor;
  int peer;
  ProcessGroupPtr group = nullptr;
  int tag = 0;
};
// Posts every op (all on one group: "All ops need to use the same group.") and returns their
// Works in the same order; nothing waits. The sends and receives are non-blocking MPI
// requests, so the order of the ops within the list cannot deadlock two ranks.
std::vector<WorkPtr> batch_isend_irecv(const std::vector<P2POp>& ops);

}  // namespace ember::distributed
