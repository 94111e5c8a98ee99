// Work, the ProcessGroup base, the default-group registry, init_process_group's environment
// handling and the torch.distributed-style free functions. Transports live in their own files
// (process_group_mpi.cpp); nothing here knows about MPI.
#include "ember/distributed/process_group.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "ember/distributed/blocking_call.h"
#include "ember/distributed/checks.h"
#include "ember/distributed/mpi_backend.h"
#include "ember/ops/factory.h"

namespace ember::distributed {

const char* reduce_op_name(ReduceOp op) {
  switch (op) {
    case ReduceOp::SUM: return "SUM";
    case ReduceOp::AVG: return "AVG";
    case ReduceOp::PRODUCT: return "PRODUCT";
    case ReduceOp::MIN: return "MIN";
    case ReduceOp::MAX: return "MAX";
    case ReduceOp::BAND: return "BAND";
    case ReduceOp::BOR: return "BOR";
    case ReduceOp::BXOR: return "BXOR";
  }
  return "?";
}

// --- Work ------------------------------------------------------------------------------------
Work::Work(std::string description) : description_(std::move(description)) {}
Work::~Work() {
  // A future outlives its Work (it holds the Work weakly): settle it now, or it would never
  // complete. A Work destroyed before completing (its group destroyed with it queued) fails it.
  if (!future_) return;
  if (completed_)
    settle_future();
  else
    future_->try_set_exception(
        std::make_exception_ptr(DistError(description_ + ": the Work was destroyed before it completed")));
}

bool Work::is_completed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return completed_;
}

int Work::source_rank() const {
  EMBER_THROW(Error, "sourceRank() may only be called on work objects that correspond to a recv or recv-from-any call.");
}

bool Work::is_success() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return completed_ && !error_;
}

std::exception_ptr Work::exception() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return error_;
}

void Work::wait() {
  std::unique_lock<std::mutex> lock(mutex_);
  cv_.wait(lock, [&] { return completed_; });
  if (error_) std::rethrow_exception(error_);
}

void Work::complete(std::exception_ptr error) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (completed_) return;
    completed_ = true;
    error_ = std::move(error);
  }
  cv_.notify_all();
  settle_future();
}

void Work::set_result(std::vector<Tensor> result) {
  std::lock_guard<std::mutex> lock(mutex_);
  result_ = std::move(result);
}

std::vector<Tensor> Work::result() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return result_;
}

FuturePtr Work::get_future() {
  FuturePtr f;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (future_) return future_;
    future_ = f = std::make_shared<Future>();
  }
  // Waiting on the future waits on this Work first (which may run the op on the waiting
  // thread, and completes point-to-point Works, which poll rather than call complete()).
  // Held weakly: the Work holds the future.
  std::weak_ptr<Work> self = weak_from_this();
  f->set_waiter([self] {
    if (auto w = self.lock()) {
      try {
        w->wait();
      } catch (...) {  // settle_future passes the error on
      }
      w->settle_future();
    }
  });
  settle_future();  // already complete: complete the future now
  return f;
}

void Work::settle_future() {
  FuturePtr f;
  std::vector<Tensor> result;
  std::exception_ptr error;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!future_ || !completed_) return;
    f = future_;
    result = result_;
    error = error_;
  }
  if (error)
    f->try_set_exception(error);
  else
    f->try_set_result(FutureValue(std::move(result)));
}

// --- ProcessGroup ----------------------------------------------------------------------------
ProcessGroup::ProcessGroup(int rank, int size, std::chrono::milliseconds timeout, std::vector<int> global_ranks)
    : rank_(rank), size_(size), timeout_(timeout), global_ranks_(std::move(global_ranks)) {}
ProcessGroup::~ProcessGroup() = default;

int ProcessGroup::global_rank(int group_rank) const {
  if (group_rank < 0 || group_rank >= size_) return -1;
  return global_ranks_.empty() ? group_rank : global_ranks_[static_cast<size_t>(group_rank)];
}

int ProcessGroup::group_rank(int global_rank) const {
  if (global_ranks_.empty()) return global_rank >= 0 && global_rank < size_ ? global_rank : -1;
  auto it = std::find(global_ranks_.begin(), global_ranks_.end(), global_rank);
  return it == global_ranks_.end() ? -1 : static_cast<int>(it - global_ranks_.begin());
}

WorkPtr ProcessGroup::recv_anysource(Tensor&, int) {
  EMBER_THROW(Error, "ProcessGroup ", backend_name(), " does not support recvAnysource");
}
WorkPtr ProcessGroup::all_to_all(std::vector<Tensor>&, const std::vector<Tensor>&) {
  EMBER_THROW(Error, "ProcessGroup ", backend_name(), " does not support alltoall");
}
WorkPtr ProcessGroup::all_to_all_single(Tensor&, const Tensor&, const std::vector<int64_t>&,
                                        const std::vector<int64_t>&) {
  EMBER_THROW(Error, "ProcessGroup ", backend_name(), " does not support alltoall_base");
}
void ProcessGroup::monitored_barrier(std::chrono::milliseconds, bool) {
  EMBER_THROW(Error, "ProcessGroup ", backend_name(), " does not support monitoredBarrier");
}

std::vector<std::vector<int64_t>> ProcessGroup::all_gather_int64(const std::vector<int64_t>& mine) {
  // Two rounds: the lengths, then every vector padded to the longest.
  Tensor len = empty({1}, kInt64);
  *static_cast<int64_t*>(len.data_ptr()) = static_cast<int64_t>(mine.size());
  Tensor lens = empty({size_}, kInt64);
  all_gather_into_tensor(lens, len)->wait();
  const int64_t* l = static_cast<const int64_t*>(lens.data_ptr());
  int64_t longest = *std::max_element(l, l + size_);
  Tensor padded = zeros({std::max<int64_t>(longest, 1)}, kInt64);
  std::copy(mine.begin(), mine.end(), static_cast<int64_t*>(padded.data_ptr()));
  Tensor all = empty({size_, padded.numel()}, kInt64);
  all_gather_into_tensor(all, padded)->wait();
  std::vector<std::vector<int64_t>> out(static_cast<size_t>(size_));
  const int64_t* a = static_cast<const int64_t*>(all.data_ptr());
  for (int r = 0; r < size_; ++r) out[r].assign(a + r * padded.numel(), a + r * padded.numel() + l[r]);
  return out;
}

// --- the default group and its subgroups -----------------------------------------------------
namespace {

struct Registry {
  std::mutex mutex;
  ProcessGroupPtr world;
  std::vector<ProcessGroupPtr> subgroups;
  int local_rank = 0;
};

Registry& registry() {
  static Registry r;
  return r;
}

const char* kNotInitialized =
    "Default process group has not been initialized, please make sure to call init_process_group.";

// An integer environment variable, or -1 when unset; a malformed one is an error.
int env_int(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return -1;
  char* end = nullptr;
  long x = std::strtol(v, &end, 10);
  EMBER_CHECK_VALUE(*end == '\0' && x >= 0 && x < (1L << 30), "init_process_group: environment variable ", name,
                    "='", v, "' is not a non-negative integer");
  return static_cast<int>(x);
}

// Two sources of the same fact must agree (Note [Launch variables]).
void check_agree(const char* what, const char* a_name, int a, const char* b_name, int b) {
  if (a < 0 || b < 0) return;
  EMBER_CHECK_VALUE(a == b, "init_process_group: ", what, " mismatch: ", a_name, "=", a, " but ", b_name, "=", b,
                    ". The MPI backend takes rank and world size from MPI's launcher; start the job "
                    "with `mpirun -np N` or `ember-run --nproc-per-node N` and do not override them");
}

}  // namespace

// Note [Launch variables]
// Under mpirun, Open MPI exports OMPI_COMM_WORLD_{RANK,SIZE,LOCAL_RANK,LOCAL_SIZE}; torchrun-style
// launchers (ember-run) export RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT. MPI itself
// decides who is who, so every one of these, and InitOptions::rank / world_size, must agree with
// MPI's rank and size: a disagreement means two launchers (or a stale variable) and would
// otherwise surface as a hang or as wrong data much later.
void init_process_group(const InitOptions& options) {
  std::string backend = options.backend;
  std::transform(backend.begin(), backend.end(), backend.begin(), [](unsigned char c) { return std::tolower(c); });
  Registry& reg = registry();
  {
    std::lock_guard<std::mutex> lock(reg.mutex);
    EMBER_CHECK(!reg.world, "trying to initialize the default process group twice!");
  }
  EMBER_CHECK_VALUE(backend == "mpi" || backend == "gloo" || backend == "nccl" || backend == "ucc",
                    "Invalid backend: '", options.backend, "'");
  EMBER_CHECK(backend == "mpi", "Distributed package doesn't have ", backend == "nccl" ? "NCCL" : backend == "gloo" ? "Gloo" : "UCC",
              " built in; ember's backend is 'mpi'");
  EMBER_CHECK(is_mpi_available(),
              "Distributed package doesn't have MPI built in. ember builds the MPI backend when CMake finds "
              "Open MPI (apt-get install libopenmpi-dev openmpi-bin, scripts/setup.sh; -DEMBER_WITH_MPI=ON)");
  EMBER_CHECK_VALUE(options.timeout.count() > 0, "init_process_group: timeout must be positive, got ",
                    options.timeout.count(), " ms");

  const int env_rank = env_int("RANK"), env_size = env_int("WORLD_SIZE"), env_local = env_int("LOCAL_RANK");
  const int ompi_rank = env_int("OMPI_COMM_WORLD_RANK"), ompi_size = env_int("OMPI_COMM_WORLD_SIZE");
  const int ompi_local = env_int("OMPI_COMM_WORLD_LOCAL_RANK");
  check_agree("rank", "RANK", env_rank, "OMPI_COMM_WORLD_RANK", ompi_rank);
  check_agree("world size", "WORLD_SIZE", env_size, "OMPI_COMM_WORLD_SIZE", ompi_size);
  check_agree("local rank", "LOCAL_RANK", env_local, "OMPI_COMM_WORLD_LOCAL_RANK", ompi_local);
  EMBER_CHECK_VALUE(ompi_size >= 0 || env_size <= 1,
                    "init_process_group: WORLD_SIZE=", env_size, " but this process was not started by MPI's "
                    "launcher, and the MPI backend needs it to connect the ranks: run `mpirun -np ", env_size,
                    " program` or `ember-run --nproc-per-node ", env_size, " program`");

  ProcessGroupPtr world = detail::create_mpi_world(options.timeout);
  try {
    check_agree("rank", "MPI's rank", world->rank(), "RANK", env_rank);
    check_agree("world size", "MPI's size", world->size(), "WORLD_SIZE", env_size);
    check_agree("rank", "MPI's rank", world->rank(), "init_process_group(rank=...)", options.rank);
    check_agree("world size", "MPI's size", world->size(), "init_process_group(world_size=...)", options.world_size);
  } catch (...) {
    world.reset();
    throw;
  }
  std::lock_guard<std::mutex> lock(reg.mutex);
  EMBER_CHECK(!reg.world, "trying to initialize the default process group twice!");
  reg.world = std::move(world);
  reg.local_rank = env_local >= 0 ? env_local : ompi_local >= 0 ? ompi_local : 0;
}

bool is_initialized() {
  std::lock_guard<std::mutex> lock(registry().mutex);
  return registry().world != nullptr;
}

ProcessGroupPtr default_group() {
  std::lock_guard<std::mutex> lock(registry().mutex);
  EMBER_CHECK(registry().world, kNotInitialized);
  return registry().world;
}

void destroy_process_group(const ProcessGroupPtr& group) {
  std::vector<ProcessGroupPtr> doomed;
  {
    Registry& reg = registry();
    std::lock_guard<std::mutex> lock(reg.mutex);
    if (!group || group == reg.world) {
      EMBER_CHECK(reg.world, kNotInitialized);
      doomed = std::move(reg.subgroups);
      reg.subgroups.clear();
      doomed.push_back(std::move(reg.world));
      reg.world.reset();
    } else {
      auto it = std::find(reg.subgroups.begin(), reg.subgroups.end(), group);
      EMBER_CHECK_VALUE(it != reg.subgroups.end(), "destroy_process_group: Invalid process group specified");
      doomed.push_back(*it);
      reg.subgroups.erase(it);
    }
  }
  // Subgroups first (in reverse order of creation), then the world; each destructor drains its
  // comm thread. Outside the registry lock: a destructor may wait for queued ops.
  while (!doomed.empty()) doomed.pop_back();
}

static ProcessGroupPtr resolve(const ProcessGroupPtr& group) { return group ? group : default_group(); }

int get_rank(const ProcessGroupPtr& group) {
  if (!group) return default_group()->rank();
  return group->rank();
}

int get_world_size(const ProcessGroupPtr& group) {
  if (!group) return default_group()->size();
  return group->size();
}

int get_local_rank() {
  std::lock_guard<std::mutex> lock(registry().mutex);
  EMBER_CHECK(registry().world, kNotInitialized);
  return registry().local_rank;
}

ProcessGroupPtr new_group(const std::vector<int>& ranks, std::chrono::milliseconds timeout) {
  ProcessGroupPtr world = default_group();
  std::vector<int> sorted = ranks;
  if (sorted.empty())
    for (int r = 0; r < world->size(); ++r) sorted.push_back(r);
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size(); ++i) {
    EMBER_CHECK_VALUE(sorted[i] >= 0 && sorted[i] < world->size(), "new_group: The new group's rank should be within "
                      "the world_size set by init_process_group, got rank ", sorted[i], " with world size ",
                      world->size());
    EMBER_CHECK_VALUE(i == 0 || sorted[i] != sorted[i - 1], "new_group: rank ", sorted[i], " is listed twice");
  }
  ProcessGroupPtr g = world->new_subgroup(sorted, timeout.count() > 0 ? timeout : world->timeout());
  if (g) {
    std::lock_guard<std::mutex> lock(registry().mutex);
    registry().subgroups.push_back(g);
  }
  return g;
}

// --- free functions --------------------------------------------------------------------------
namespace {

// Queues the op through `call` (the group's method) and, unless async_op, waits for it; a
// blocking call says so to the backend (Note [Blocking calls]). `result`: what the Work's
// future completes with (Work::set_result); get_future() can only be called on the Work
// this returns, so setting it after the op may already have run is early enough.
template <class Call>
WorkPtr finish(bool async_op, Call&& call, std::vector<Tensor> result = {}) {
  WorkPtr w;
  if (async_op) {
    w = call();
    w->set_result(std::move(result));
    return w;
  }
  {
    detail::BlockingCall blocking;
    w = call();
  }
  w->set_result(std::move(result));
  w->wait();
  return w;
}

// torch's free functions take ranks of the default group; the group's methods take its own.
int to_group_rank(const ProcessGroup& g, int global, const char* op, const char* what) {
  int r = g.group_rank(global);
  EMBER_CHECK_VALUE(r >= 0, op, ": the ", what, " rank ", global, " is not part of the group");
  return r;
}

ProcessGroupPtr member_group(const ProcessGroupPtr& group, const char* op) {
  EMBER_CHECK(group || is_initialized(), kNotInitialized);
  return resolve(group);
}

}  // namespace

WorkPtr all_reduce(Tensor& t, ReduceOp op, const ProcessGroupPtr& group, bool async_op) {
  auto g = member_group(group, "all_reduce");
  return finish(async_op, [&] { return g->all_reduce(t, op); }, {t});
}
WorkPtr broadcast(Tensor& t, int src, const ProcessGroupPtr& group, bool async_op) {
  auto g = member_group(group, "broadcast");
  return finish(async_op, [&] { return g->broadcast(t, to_group_rank(*g, src, "broadcast", "src")); }, {t});
}
WorkPtr reduce(Tensor& t, int dst, ReduceOp op, const ProcessGroupPtr& group, bool async_op) {
  auto g = member_group(group, "reduce");
  return finish(async_op, [&] { return g->reduce(t, to_group_rank(*g, dst, "reduce", "dst"), op); }, {t});
}
WorkPtr all_gather(std::vector<Tensor>& outputs, const Tensor& input, const ProcessGroupPtr& group, bool async_op) {
  auto g = member_group(group, "all_gather");
  return finish(async_op, [&] { return g->all_gather(outputs, input); }, outputs);
}
WorkPtr all_gather_into_tensor(Tensor& output, const Tensor& input, const ProcessGroupPtr& group, bool async_op) {
  auto g = member_group(group, "all_gather_into_tensor");
  return finish(async_op, [&] { return g->all_gather_into_tensor(output, input); }, {output});
}
WorkPtr reduce_scatter(Tensor& output, const std::vector<Tensor>& inputs, ReduceOp op, const ProcessGroupPtr& group,
                       bool async_op) {
  auto g = member_group(group, "reduce_scatter");
  return finish(async_op, [&] { return g->reduce_scatter(output, inputs, op); }, {output});
}
WorkPtr reduce_scatter_tensor(Tensor& output, const Tensor& input, ReduceOp op, const ProcessGroupPtr& group,
                              bool async_op) {
  auto g = member_group(group, "reduce_scatter_tensor");
  return finish(async_op, [&] { return g->reduce_scatter_tensor(output, input, op); }, {output});
}
WorkPtr gather(const Tensor& input, std::vector<Tensor>& outputs, int dst, const ProcessGroupPtr& group, bool async_op) {
  auto g = member_group(group, "gather");
  return finish(async_op, [&] { return g->gather(input, outputs, to_group_rank(*g, dst, "gather", "dst")); }, outputs);
}
WorkPtr scatter(Tensor& output, const std::vector<Tensor>& inputs, int src, const ProcessGroupPtr& group, bool async_op) {
  auto g = member_group(group, "scatter");
  return finish(async_op, [&] { return g->scatter(output, inputs, to_group_rank(*g, src, "scatter", "src")); }, {output});
}
WorkPtr barrier(const ProcessGroupPtr& group, bool async_op) {
  auto g = member_group(group, "barrier");
  return finish(async_op, [&] { return g->barrier(); });
}
WorkPtr isend(const Tensor& t, int dst, const ProcessGroupPtr& group, int tag) {
  auto g = member_group(group, "send");
  WorkPtr w = g->send(t, to_group_rank(*g, dst, "send", "dst"), tag);
  w->set_result({t});
  return w;
}
WorkPtr irecv(Tensor& t, int src, const ProcessGroupPtr& group, int tag) {
  auto g = member_group(group, "recv");
  WorkPtr w = g->recv(t, to_group_rank(*g, src, "recv", "src"), tag);
  w->set_result({t});
  return w;
}
WorkPtr all_to_all(std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs, const ProcessGroupPtr& group,
                   bool async_op) {
  auto g = member_group(group, "all_to_all");
  return finish(async_op, [&] { return g->all_to_all(outputs, inputs); }, outputs);
}
WorkPtr all_to_all_single(Tensor& output, const Tensor& input, const std::vector<int64_t>& output_split_sizes,
                          const std::vector<int64_t>& input_split_sizes, const ProcessGroupPtr& group, bool async_op) {
  auto g = member_group(group, "all_to_all_single");
  return finish(
      async_op, [&] { return g->all_to_all_single(output, input, output_split_sizes, input_split_sizes); }, {output});
}
void monitored_barrier(const ProcessGroupPtr& group, std::chrono::milliseconds timeout, bool wait_all_ranks) {
  auto g = member_group(group, "monitored_barrier");
  EMBER_CHECK_VALUE(timeout.count() >= 0, "monitored_barrier: timeout must be positive, got ", timeout.count(), " ms");
  g->monitored_barrier(timeout.count() > 0 ? timeout : g->timeout(), wait_all_ranks);
}

std::vector<WorkPtr> batch_isend_irecv(const std::vector<P2POp>& ops) {
  EMBER_CHECK_VALUE(!ops.empty(), "batch_isend_irecv: the p2p_op_list is empty");
  for (const P2POp& op : ops) EMBER_CHECK(op.group == ops.front().group, "All ops need to use the same group.");
  // Checked before anything is posted, so a bad op posts none of the batch.
  auto g = member_group(ops.front().group, "batch_isend_irecv");
  for (const P2POp& op : ops) {
    const bool is_send = op.op == P2POp::Kind::isend;
    const int peer = to_group_rank(*g, op.peer, is_send ? "send" : "recv", is_send ? "dst" : "src");
    EMBER_CHECK_VALUE(peer != g->rank(), is_send ? "Invalid destination rank" : "Invalid source rank",
                      ": should not be the same as rank of the current process.");
    detail::check_tensor(is_send ? "send" : "recv", op.tensor);
  }
  std::vector<WorkPtr> works;
  for (const P2POp& op : ops) {
    Tensor t = op.tensor;
    works.push_back(op.op == P2POp::Kind::isend ? isend(t, op.peer, g, op.tag) : irecv(t, op.peer, g, op.tag));
  }
  return works;
}

void send(const Tensor& t, int dst, const ProcessGroupPtr& group, int tag) { isend(t, dst, group, tag)->wait(); }
void recv(Tensor& t, int src, const ProcessGroupPtr& group, int tag) { irecv(t, src, group, tag)->wait(); }

WorkPtr irecv_any_source(Tensor& t, const ProcessGroupPtr& group, int tag) {
  auto g = member_group(group, "recv");
  WorkPtr w = g->recv_anysource(t, tag);
  w->set_result({t});
  return w;
}
int recv_any_source(Tensor& t, const ProcessGroupPtr& group, int tag) {
  auto g = member_group(group, "recv");
  WorkPtr w = g->recv_anysource(t, tag);
  w->wait();
  return g->global_rank(w->source_rank());
}

#ifdef EMBER_HAVE_MPI
bool is_mpi_available() { return true; }
#else
bool is_mpi_available() { return false; }
namespace detail {
ProcessGroupPtr create_mpi_world(std::chrono::milliseconds) {
  EMBER_THROW(Error, "Distributed package doesn't have MPI built in");
}
}  // namespace detail
#endif

}  // namespace ember::distributed
