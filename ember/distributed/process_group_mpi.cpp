// ProcessGroupMPI: the MPI transport (Open MPI 4.1 on Debian). Note [Comm thread] and
// Note [Collective timeout] in process_group.h describe the threading; Note [MPI dtypes]
// below the reductions.
// MPI's C API only: its deprecated C++ bindings (mpicxx.h) are left out.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <sstream>
#include <thread>

#include "ember/distributed/blocking_call.h"
#include "ember/distributed/checks.h"
#include "ember/distributed/mpi_backend.h"
#include "ember/distributed/process_group.h"

namespace ember::distributed::detail {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// --- process-wide MPI state ------------------------------------------------------------------
struct MpiState {
  std::once_flag init_once;
  bool we_initialized = false;       // we called MPI_Init_thread, so we call MPI_Finalize
  std::atomic<bool> finalized{false};
  std::atomic<bool> aborting{false};  // a watchdog fired: no more clean shutdown
};
MpiState& mpi_state() {
  static MpiState s;
  return s;
}

std::string mpi_error_string(int rc) {
  char buf[MPI_MAX_ERROR_STRING];
  int len = 0;
  if (MPI_Error_string(rc, buf, &len) != MPI_SUCCESS) return "MPI error " + std::to_string(rc);
  return std::string(buf, static_cast<size_t>(len));
}

void mpi_check(int rc, const std::string& what) {
  if (rc != MPI_SUCCESS) EMBER_THROW(distributed::DistBackendError, what, " failed: ", mpi_error_string(rc));
}

// Note [MPI dtypes]
// Every ember dtype has an MPI datatype of its width. Reductions: integers and float32/64 use
// MPI's built-in ops; float16 and bfloat16 use user ops that combine two values in float and
// round once (as torch's CPU kernels do for each pairwise step); bool travels as uint8 0/1,
// where SUM and MAX are logical or (MPI_MAX), PRODUCT and MIN logical and (MPI_MIN), and the
// bitwise ops are exact. AVG is SUM followed by a division on each rank that holds a result.
template <class T, class F>
void reduce_16(void* in, void* inout, int* len, MPI_Datatype*) {
  const T* a = static_cast<const T*>(in);
  T* b = static_cast<T*>(inout);
  F f;
  for (int i = 0; i < *len; ++i) b[i] = T(f(static_cast<float>(a[i]), static_cast<float>(b[i])));
}
struct FSum { float operator()(float a, float b) const { return a + b; } };
struct FProd { float operator()(float a, float b) const { return a * b; } };
struct FMin { float operator()(float a, float b) const { return (a != a || a < b) ? a : b; } };
struct FMax { float operator()(float a, float b) const { return (a != a || a > b) ? a : b; } };

// [0] float16, [1] bfloat16; ops SUM, PRODUCT, MIN, MAX.
MPI_Op g_ops16[2][4];

void create_user_ops() {
  mpi_check(MPI_Op_create(&reduce_16<Half, FSum>, 1, &g_ops16[0][0]), "MPI_Op_create");
  mpi_check(MPI_Op_create(&reduce_16<Half, FProd>, 1, &g_ops16[0][1]), "MPI_Op_create");
  mpi_check(MPI_Op_create(&reduce_16<Half, FMin>, 1, &g_ops16[0][2]), "MPI_Op_create");
  mpi_check(MPI_Op_create(&reduce_16<Half, FMax>, 1, &g_ops16[0][3]), "MPI_Op_create");
  mpi_check(MPI_Op_create(&reduce_16<BFloat16, FSum>, 1, &g_ops16[1][0]), "MPI_Op_create");
  mpi_check(MPI_Op_create(&reduce_16<BFloat16, FProd>, 1, &g_ops16[1][1]), "MPI_Op_create");
  mpi_check(MPI_Op_create(&reduce_16<BFloat16, FMin>, 1, &g_ops16[1][2]), "MPI_Op_create");
  mpi_check(MPI_Op_create(&reduce_16<BFloat16, FMax>, 1, &g_ops16[1][3]), "MPI_Op_create");
}

MPI_Datatype mpi_type(ScalarType t) {
  switch (t) {
    case kBool: case kUInt8: return MPI_UINT8_T;
    case kInt8: return MPI_INT8_T;
    case kInt16: return MPI_INT16_T;
    case kInt32: return MPI_INT32_T;
    case kInt64: return MPI_INT64_T;
    case kFloat16: case kBFloat16: return MPI_UINT16_T;
    case kFloat32: return MPI_FLOAT;
    case kFloat64: return MPI_DOUBLE;
    default: EMBER_THROW(TypeError, "the MPI backend does not support dtype ", dtype_name(t));
  }
}

MPI_Op mpi_op(ScalarType t, ReduceOp op) {
  if (op == ReduceOp::AVG) op = ReduceOp::SUM;
  if (t == kBool) {
    switch (op) {
      case ReduceOp::SUM: case ReduceOp::MAX: case ReduceOp::BOR: return MPI_MAX;
      case ReduceOp::PRODUCT: case ReduceOp::MIN: case ReduceOp::BAND: return MPI_MIN;
      case ReduceOp::BXOR: return MPI_BXOR;
      default: break;
    }
  }
  if (is_reduced_float(t)) {
    int k = t == kFloat16 ? 0 : 1;
    switch (op) {
      case ReduceOp::SUM: return g_ops16[k][0];
      case ReduceOp::PRODUCT: return g_ops16[k][1];
      case ReduceOp::MIN: return g_ops16[k][2];
      case ReduceOp::MAX: return g_ops16[k][3];
      default: break;
    }
  }
  switch (op) {
    case ReduceOp::SUM: return MPI_SUM;
    case ReduceOp::PRODUCT: return MPI_PROD;
    case ReduceOp::MIN: return MPI_MIN;
    case ReduceOp::MAX: return MPI_MAX;
    case ReduceOp::BAND: return MPI_BAND;
    case ReduceOp::BOR: return MPI_BOR;
    case ReduceOp::BXOR: return MPI_BXOR;
    default: break;
  }
  EMBER_THROW(Error, "unsupported reduce op");  // check_reduce_op rejects the rest first
}

// AVG's division, on raw memory: an in-place ember op would record autograd history or refuse a
// leaf that requires grad, and collectives act on the data only (as in torch).
void divide_by(void* data, int64_t n, ScalarType t, int size) {
  EMBER_DISPATCH_FLOATING_TYPES(t, "all_reduce(AVG)", [&] {
    scalar_t* p = static_cast<scalar_t*>(data);
    using acc_t = opmath_t<scalar_t>;
    const acc_t d = static_cast<acc_t>(size);
    for (int64_t i = 0; i < n; ++i) p[i] = scalar_t(static_cast<acc_t>(p[i]) / d);
  });
}

int as_count(const char* op, int64_t n) {
  check_count(op, n);
  return static_cast<int>(n);
}

void finalize_at_exit() {
  MpiState& s = mpi_state();
  if (s.aborting.load()) return;  // the watchdog is about to MPI_Abort; finalizing would hang
  try {
    if (is_initialized()) destroy_process_group();
  } catch (...) {
  }
  if (s.we_initialized && !s.finalized.exchange(true)) {
    for (auto& row : g_ops16)
      for (MPI_Op& op : row) MPI_Op_free(&op);
    MPI_Finalize();
  }
}

// Note [Waiting in MPI]
// Open MPI waits for a blocking call by polling its progress engine in a loop, and by default
// the loop never gives up the core. A rank has two threads that may be runnable at once: the
// comm thread, waiting inside a bucket's MPI_Allreduce for the peer, and the main thread,
// computing backward. On a machine with about one core per rank (2 ranks on 2 cores here) the
// spinning comm thread took half the core from backward, and the peer's comm thread, which
// the exchange needs, had to win a core from the peer's backward: measured under load, DDP's
// step took 1,680 ms against 36 ms with yielding (docs/distributed.md, "Waiting in MPI").
// So, before initialising MPI, ember sets Open MPI's mpi_yield_when_idle (sched_yield()
// between polls that find nothing to do) unless the environment already sets it: a user's
// OMPI_MCA_mpi_yield_when_idle=0 (or mpirun's own choice) wins. mpirun already turns it on
// for an oversubscribed node. The comm thread cannot wait with MPI_Iallreduce and a sleeping
// MPI_Test loop instead: a rank whose main thread runs the same bucket itself (Note [Running
// on the waiting thread]) calls MPI_Allreduce, and MPI forbids matching a blocking collective
// with a non-blocking one (a test of that mix hung).
void request_yield_when_idle() {
  setenv("OMPI_MCA_mpi_yield_when_idle", "1", /*overwrite=*/0);
}

void init_mpi_once() {
  MpiState& s = mpi_state();
  std::call_once(s.init_once, [&] {
    int initialized = 0, finalized = 0;
    MPI_Initialized(&initialized);
    MPI_Finalized(&finalized);
    EMBER_CHECK(!finalized, "init_process_group: MPI has already been finalized in this process");
    int provided = 0;
    if (!initialized) {
      request_yield_when_idle();  // Note [Waiting in MPI]
      mpi_check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_MULTIPLE, &provided), "MPI_Init_thread");
      s.we_initialized = true;
    } else {
      MPI_Query_thread(&provided);
    }
    // The comm threads of several groups and the caller's send/recv call MPI concurrently.
    EMBER_CHECK(provided >= MPI_THREAD_MULTIPLE,
                "init_process_group: the MPI library gives thread level ", provided,
                ", but ember's MPI backend needs MPI_THREAD_MULTIPLE (", MPI_THREAD_MULTIPLE,
                ") for its communication threads", initialized ? " (initialise MPI with MPI_Init_thread)" : "");
    create_user_ops();
    std::atexit(finalize_at_exit);
  });
  EMBER_CHECK(!s.finalized.load(), "init_process_group: MPI has already been finalized in this process");
}

// --- Work for send/recv: a posted MPI request ------------------------------------------------
class RequestWork : public Work {
 public:
  enum class Kind { send, recv };
  RequestWork(Kind kind, std::string desc, MPI_Request req, Tensor keep, milliseconds timeout)
      : Work(std::move(desc)), kind_(kind), req_(req), keep_(std::move(keep)), timeout_(timeout) {}
  ~RequestWork() override {
    // A request still pending when its handle dies (the caller dropped an isend it never
    // waited on) must not write into a freed tensor later: complete it first.
    if (!completed_ && !mpi_state().finalized.load() && !mpi_state().aborting.load()) {
      MPI_Wait(&req_, MPI_STATUS_IGNORE);
      completed_ = true;  // so that ~Work completes the Work's future, if any, with the result
    }
  }

  bool is_completed() const override {
    std::lock_guard<std::mutex> lock(mutex_);
    return const_cast<RequestWork*>(this)->test_locked();  // MPI_Test updates the request
  }

  void wait() override {
    const auto deadline = Clock::now() + timeout_;
    int spins = 0;
    for (;;) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (test_locked()) break;
      }
      if (Clock::now() > deadline) {
        EMBER_THROW(distributed::DistTimeoutError, "Timed out after ", timeout_.count(), " ms waiting for ", description_,
                    " (the peer never posted the matching ", kind_ == Kind::send ? "recv" : "send", ")");
      }
      // Spin briefly (latency), then back off so a long wait does not burn a core.
      if (++spins > 200) std::this_thread::sleep_for(std::chrono::microseconds(spins > 2000 ? 500 : 20));
    }
    if (error_) std::rethrow_exception(error_);
  }

  // The sender, from the completed request's status (a rank of the group's communicator).
  int source_rank() const override {
    if (kind_ == Kind::send) return Work::source_rank();
    std::lock_guard<std::mutex> lock(mutex_);
    EMBER_CHECK(completed_ && !error_, "source_rank: ", description_, " has not completed; wait() for it first");
    return status_.MPI_SOURCE;
  }

 private:
  bool test_locked() {
    if (completed_) return true;
    int flag = 0;
    int rc = MPI_Test(&req_, &flag, &status_);
    if (rc != MPI_SUCCESS) {
      completed_ = true;
      error_ = std::make_exception_ptr(DistBackendError(description_ + " failed: " + mpi_error_string(rc)));
      return true;
    }
    if (flag) completed_ = true;
    return flag != 0;
  }
  Kind kind_;
  MPI_Request req_;
  MPI_Status status_{};  // filled by the MPI_Test that completes the request
  Tensor keep_;
  milliseconds timeout_;
};

// --- the group -------------------------------------------------------------------------------
class ProcessGroupMPI;

// What a queued op's messages name, kept as parts and formatted only when a message is needed
// (a timeout, an error): formatting on every call cost more than a small all-reduce itself.
struct Desc {
  const char* op;
  Tensor t;
  const char* what = nullptr;  // "SUM", or "src" / "dst" with `root`
  int root = -1;
  std::string str() const {
    if (!what) return describe_op(op, t);
    if (root < 0) return describe_op(op, t, what);
    return describe_op(op, t, (std::string(what) + "=" + std::to_string(root)).c_str());
  }
};

// Work of a queued op.
//
// Note [Running on the waiting thread]
// A thread that is going to wait for an op anyway runs it itself when the group is idle, and
// pays no hand-off to the comm thread and back (two thread wake-ups, ~10-20 us each on a busy
// machine, a fifth of a 1 MB all-reduce's time):
//  - a blocking call (Note [Blocking calls]) on a group with nothing queued and nothing
//    running runs inside enqueue(), before the op is ever visible to the comm thread, which
//    is not woken at all (when every op was queued, enqueue's wake-up let the comm thread race
//    the caller for the op, and the loser paid the hand-off anyway);
//  - wait() on an op that has not started, is first in the queue and finds the group idle
//    (an async op waited for later, a method called directly and then waited for) takes it
//    from the queue and runs it.
// Order is kept: either way no earlier op is pending, and the comm thread never starts another
// op while one runs (running_ is set under the same lock that checked the queue).
class QueuedWork final : public Work {
 public:
  QueuedWork(Desc desc, std::weak_ptr<ProcessGroupMPI> group) : desc_(std::move(desc)), group_(std::move(group)) {}
  void wait() override;
  std::string description() const override { return desc_.str(); }

 private:
  Desc desc_;
  std::weak_ptr<ProcessGroupMPI> group_;
};

class ProcessGroupMPI final : public ProcessGroup, public std::enable_shared_from_this<ProcessGroupMPI> {
 public:
  ProcessGroupMPI(MPI_Comm comm, int rank, int size, milliseconds timeout, std::vector<int> global_ranks,
                  std::string name)
      : ProcessGroup(rank, size, timeout, std::move(global_ranks)), comm_(comm), name_(std::move(name)) {
    comm_thread_ = std::thread([this] { comm_loop(); });
    watchdog_thread_ = std::thread([this] { watchdog_loop(); });
  }

  ~ProcessGroupMPI() override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    comm_thread_.join();  // drains the queue first
    {
      std::lock_guard<std::mutex> lock(mutex_);
      watchdog_stop_ = true;
    }
    watchdog_cv_.notify_all();
    watchdog_thread_.join();
    if (!mpi_state().finalized.load() && !mpi_state().aborting.load()) MPI_Comm_free(&comm_);
  }

  std::string backend_name() const override { return "mpi"; }

  WorkPtr all_reduce(Tensor& t, ReduceOp op) override {
    check_tensor("all_reduce", t);
    check_reduce_op("all_reduce", op, t.dtype());
    const int n = as_count("all_reduce", t.numel());
    Desc desc{"all_reduce", t, reduce_op_name(op)};
    return enqueue(std::move(desc), [this, t, op, n] {
      if (size_ > 1)
        mpi_check(MPI_Allreduce(MPI_IN_PLACE, t.data_ptr(), n, mpi_type(t.dtype()), mpi_op(t.dtype(), op), comm_),
                  "MPI_Allreduce");
      if (op == ReduceOp::AVG) divide_by(t.data_ptr(), n, t.dtype(), size_);
    });
  }

  WorkPtr broadcast(Tensor& t, int src) override {
    check_tensor("broadcast", t);
    check_rank("broadcast", "src", src, size_);
    const int n = as_count("broadcast", static_cast<int64_t>(t.nbytes()));
    Desc desc{"broadcast", t, "src", src};
    return enqueue(std::move(desc), [this, t, src, n] {
      if (size_ > 1) mpi_check(MPI_Bcast(t.data_ptr(), n, MPI_BYTE, src, comm_), "MPI_Op_create");
    });
  }

  WorkPtr reduce(Tensor& t, int dst, ReduceOp op) override {
    check_tensor("reduce", t);
    check_rank("reduce", "dst", dst, size_);
    check_reduce_op("reduce", op, t.dtype());
    const int n = as_count("reduce", t.numel());
    Desc desc{"reduce", t, reduce_op_name(op)};
    return enqueue(std::move(desc), [this, t, op, dst, n] {
      const bool root = rank_ == dst;
      if (size_ > 1)
        mpi_check(MPI_Reduce(root ? MPI_IN_PLACE : t.data_ptr(), root ? t.data_ptr() : nullptr, n,
                             mpi_type(t.dtype()), mpi_op(t.dtype(), op), dst, comm_),
                  "MPI_Reduce");
      if (root && op == ReduceOp::AVG) divide_by(t.data_ptr(), n, t.dtype(), size_);
    });
  }

  WorkPtr all_gather(std::vector<Tensor>& outputs, const Tensor& input) override {
    check_tensor("all_gather", input);
    check_tensors("all_gather", outputs);
    EMBER_CHECK_VALUE(static_cast<int>(outputs.size()) == size_, "all_gather: the output list has ", outputs.size(),
                      " tensors, but the group has ", size_, " ranks (one output per rank)");
    check_same_like("all_gather", input, outputs);
    const int n = as_count("all_gather", static_cast<int64_t>(input.nbytes()) * size_) / size_;
    Desc desc{"all_gather", input};
    return enqueue(std::move(desc), [this, input, outputs, n] {
      std::vector<unsigned char> buf(static_cast<size_t>(n) * size_);
      mpi_check(MPI_Allgather(input.data_ptr(), n, MPI_BYTE, buf.data(), n, MPI_BYTE, comm_), "MPI_Reduce");
      for (int r = 0; r < size_; ++r) std::memcpy(outputs[r].data_ptr(), buf.data() + size_t(r) * n, size_t(n));
    });
  }

  WorkPtr all_gather_into_tensor(Tensor& output, const Tensor& input) override {
    check_tensor("all_gather_into_tensor", input);
    check_tensor("all_gather_into_tensor", output);
    EMBER_CHECK_TYPE(output.dtype() == input.dtype(), "all_gather_into_tensor: output tensor must have the same type "
                     "as input tensor, got ", dtype_name(output.dtype()), " and ", dtype_name(input.dtype()));
    EMBER_CHECK_VALUE(output.numel() == input.numel() * size_, "all_gather_into_tensor: output tensor size must be "
                      "equal to world_size times input tensor size, got output ", describe(output), " and input ",
                      describe(input), " with world size ", size_);
    const int n = as_count("all_gather_into_tensor", static_cast<int64_t>(output.nbytes())) / size_;
    Desc desc{"all_gather_into_tensor", input};
    return enqueue(std::move(desc), [this, input, output, n] {
      unsigned char* out = static_cast<unsigned char*>(output.data_ptr());
      const void* in = input.data_ptr();
      // The input may already be this rank's slice of the output (torch's in-place form).
      const bool in_place = in == out + size_t(rank_) * n;
      mpi_check(MPI_Allgather(in_place ? MPI_IN_PLACE : in, n, MPI_BYTE, out, n, MPI_BYTE, comm_), "MPI_Allgather");
    });
  }

  WorkPtr reduce_scatter(Tensor& output, const std::vector<Tensor>& inputs, ReduceOp op) override {
    check_tensor("reduce_scatter", output);
    check_tensors("reduce_scatter", inputs);
    EMBER_CHECK_VALUE(static_cast<int>(inputs.size()) == size_, "reduce_scatter: the input list has ", inputs.size(),
                      " tensors, but the group has ", size_, " ranks (one input per rank)");
    check_same_like("reduce_scatter", output, inputs);
    check_reduce_op("reduce_scatter", op, output.dtype());
    const int n = as_count("reduce_scatter", output.numel() * size_) / size_;
    Desc desc{"reduce_scatter", output, reduce_op_name(op)};
    return enqueue(std::move(desc), [this, output, inputs, op, n] {
      const size_t bytes = output.nbytes();
      std::vector<unsigned char> buf(bytes * size_);
      for (int r = 0; r < size_; ++r) std::memcpy(buf.data() + r * bytes, inputs[r].data_ptr(), bytes);
      mpi_check(MPI_Reduce_scatter_block(buf.data(), output.data_ptr(), n, mpi_type(output.dtype()),
                                         mpi_op(output.dtype(), op), comm_),
                  "MPI_Reduce_scatter_block");
      if (op == ReduceOp::AVG) divide_by(output.data_ptr(), n, output.dtype(), size_);
    });
  }

  WorkPtr reduce_scatter_tensor(Tensor& output, const Tensor& input, ReduceOp op) override {
    check_tensor("reduce_scatter_tensor", output);
    check_tensor("reduce_scatter_tensor", input);
    EMBER_CHECK_TYPE(output.dtype() == input.dtype(), "reduce_scatter_tensor: input tensor must have the same type "
                     "as output tensor, got ", dtype_name(input.dtype()), " and ", dtype_name(output.dtype()));
    EMBER_CHECK_VALUE(input.numel() == output.numel() * size_, "reduce_scatter_tensor: input tensor must be the same "
                      "size as output size times world size, got input ", describe(input), " and output ",
                      describe(output), " with world size ", size_);
    check_reduce_op("reduce_scatter_tensor", op, output.dtype());
    const int n = as_count("reduce_scatter_tensor", input.numel()) / size_;
    Desc desc{"reduce_scatter_tensor", input, reduce_op_name(op)};
    return enqueue(std::move(desc), [this, output, input, op, n] {
      mpi_check(MPI_Reduce_scatter_block(input.data_ptr(), output.data_ptr(), n, mpi_type(output.dtype()),
                                         mpi_op(output.dtype(), op), comm_),
                  "MPI_Reduce_scatter_block");
      if (op == ReduceOp::AVG) divide_by(output.data_ptr(), n, output.dtype(), size_);
    });
  }

  WorkPtr gather(const Tensor& input, std::vector<Tensor>& outputs, int dst) override {
    check_tensor("gather", input);
    check_rank("gather", "dst", dst, size_);
    check_root_list("gather", "destination", rank_ == dst, input, outputs, size_);
    const int n = as_count("gather", static_cast<int64_t>(input.nbytes()) * size_) / size_;
    Desc desc{"gather", input, "dst", dst};
    return enqueue(std::move(desc), [this, input, outputs, dst, n] {
      const bool root = rank_ == dst;
      std::vector<unsigned char> buf(root ? size_t(n) * size_ : 0);
      mpi_check(MPI_Gather(input.data_ptr(), n, MPI_BYTE, buf.data(), n, MPI_BYTE, dst, comm_), "MPI_Gather");
      if (root)
        for (int r = 0; r < size_; ++r) std::memcpy(outputs[r].data_ptr(), buf.data() + size_t(r) * n, size_t(n));
    });
  }

  WorkPtr scatter(Tensor& output, const std::vector<Tensor>& inputs, int src) override {
    check_tensor("scatter", output);
    check_rank("scatter", "src", src, size_);
    check_root_list("scatter", "source", rank_ == src, output, inputs, size_);
    const int n = as_count("scatter", static_cast<int64_t>(output.nbytes()) * size_) / size_;
    Desc desc{"scatter", output, "src", src};
    return enqueue(std::move(desc), [this, output, inputs, src, n] {
      const bool root = rank_ == src;
      std::vector<unsigned char> buf(root ? size_t(n) * size_ : 0);
      if (root)
        for (int r = 0; r < size_; ++r) std::memcpy(buf.data() + size_t(r) * n, inputs[r].data_ptr(), size_t(n));
      mpi_check(MPI_Scatter(buf.data(), n, MPI_BYTE, output.data_ptr(), n, MPI_BYTE, src, comm_), "MPI_Scatter");
    });
  }

  WorkPtr barrier() override {
    return enqueue(Desc{"barrier", Tensor()}, [this] { mpi_check(MPI_Barrier(comm_), "MPI_Barrier"); });
  }

  WorkPtr send(const Tensor& t, int dst, int tag) override {
    check_tensor("send", t);
    check_rank("send", "dst", dst, size_);
    EMBER_CHECK_VALUE(dst != rank_, "Invalid destination rank: should not be the same as rank of the current process.");
    EMBER_CHECK_VALUE(tag >= 0, "send: tag must be non-negative, got ", tag);
    const int n = as_count("send", static_cast<int64_t>(t.nbytes()));
    MPI_Request req;
    std::string desc = Desc{"send", t, "dst", dst}.str();
    mpi_check(MPI_Isend(t.data_ptr(), n, MPI_BYTE, dst, tag, comm_, &req), "MPI_Isend");
    return std::make_shared<RequestWork>(RequestWork::Kind::send, desc, req, t, timeout_);
  }

  WorkPtr recv(Tensor& t, int src, int tag) override {
    check_tensor("recv", t);
    check_rank("recv", "src", src, size_);
    EMBER_CHECK_VALUE(src != rank_, "Invalid source rank: should not be the same as rank of the current process.");
    return post_recv(t, src, tag, Desc{"recv", t, "src", src}.str());
  }

  // MPI_ANY_SOURCE: MPI matches the first message with this tag from any rank (never this
  // one's own sends, which name another destination); the status names the sender.
  WorkPtr recv_anysource(Tensor& t, int tag) override {
    check_tensor("recv", t);
    return post_recv(t, MPI_ANY_SOURCE, tag, describe_op("recv", t, "src=any"));
  }

  WorkPtr all_to_all(std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs) override {
    check_tensors("all_to_all", outputs);
    check_tensors("all_to_all", inputs);
    EMBER_CHECK_VALUE(static_cast<int>(inputs.size()) == size_, "all_to_all: the input list has ", inputs.size(),
                      " tensors, but the group has ", size_, " ranks (one per rank)");
    EMBER_CHECK_VALUE(static_cast<int>(outputs.size()) == size_, "all_to_all: the output list has ", outputs.size(),
                      " tensors, but the group has ", size_, " ranks (one per rank)");
    check_same_dtype(outputs, inputs);
    std::vector<int> out_counts(static_cast<size_t>(size_)), in_counts(static_cast<size_t>(size_));
    int64_t out_total = 0, in_total = 0;
    for (int r = 0; r < size_; ++r) {
      out_counts[size_t(r)] = as_count("all_to_all", static_cast<int64_t>(outputs[size_t(r)].nbytes()));
      in_counts[size_t(r)] = as_count("all_to_all", static_cast<int64_t>(inputs[size_t(r)].nbytes()));
      out_total += out_counts[size_t(r)];
      in_total += in_counts[size_t(r)];
    }
    check_count("all_to_all", std::max(out_total, in_total));
    Desc desc{"all_to_all", inputs[size_t(rank_)]};
    return enqueue(std::move(desc), [this, outputs, inputs, out_counts, in_counts] {
      // One contiguous buffer each way: MPI_Alltoallv takes one send and one receive buffer.
      std::vector<int> out_displs(size_t(size_), 0), in_displs(size_t(size_), 0);
      for (int r = 1; r < size_; ++r) {
        out_displs[size_t(r)] = out_displs[size_t(r) - 1] + out_counts[size_t(r) - 1];
        in_displs[size_t(r)] = in_displs[size_t(r) - 1] + in_counts[size_t(r) - 1];
      }
      std::vector<unsigned char> send(size_t(in_displs.back() + in_counts.back()) + 1);
      std::vector<unsigned char> recv(size_t(out_displs.back() + out_counts.back()) + 1);
      for (int r = 0; r < size_; ++r)
        if (in_counts[size_t(r)])
          std::memcpy(send.data() + in_displs[size_t(r)], inputs[size_t(r)].data_ptr(), size_t(in_counts[size_t(r)]));
      mpi_check(MPI_Alltoallv(send.data(), in_counts.data(), in_displs.data(), MPI_BYTE, recv.data(),
                              out_counts.data(), out_displs.data(), MPI_BYTE, comm_),
                "MPI_Alltoallv");
      for (int r = 0; r < size_; ++r)
        if (out_counts[size_t(r)])
          std::memcpy(outputs[size_t(r)].data_ptr(), recv.data() + out_displs[size_t(r)], size_t(out_counts[size_t(r)]));
    });
  }

  WorkPtr all_to_all_single(Tensor& output, const Tensor& input, const std::vector<int64_t>& output_split_sizes,
                            const std::vector<int64_t>& input_split_sizes) override {
    check_tensor("all_to_all_single", output);
    check_tensor("all_to_all_single", input);
    check_same_dtype({output}, {input});
    EMBER_CHECK_VALUE(output.dim() > 0 && input.dim() > 0,
                      "all_to_all_single: the tensors are split along dim 0, so they need at least one dimension");
    const std::vector<int64_t> out_splits = check_split_sizes(output_split_sizes, output.size(0), size_);
    const std::vector<int64_t> in_splits = check_split_sizes(input_split_sizes, input.size(0), size_);
    check_count("all_to_all_single", static_cast<int64_t>(std::max(output.nbytes(), input.nbytes())));
    // Bytes per row of dim 0 (a tensor with 0 rows still has a row size).
    auto row_bytes = [](const Tensor& t) {
      int64_t n = static_cast<int64_t>(t.element_size());
      for (int64_t d = 1; d < t.dim(); ++d) n *= t.sizes()[size_t(d)];
      return n;
    };
    std::vector<int> out_counts, in_counts, out_displs, in_displs;
    int64_t out_at = 0, in_at = 0;
    for (int r = 0; r < size_; ++r) {
      out_counts.push_back(static_cast<int>(out_splits[size_t(r)] * row_bytes(output)));
      in_counts.push_back(static_cast<int>(in_splits[size_t(r)] * row_bytes(input)));
      out_displs.push_back(static_cast<int>(out_at));
      in_displs.push_back(static_cast<int>(in_at));
      out_at += out_counts.back();
      in_at += in_counts.back();
    }
    Desc desc{"all_to_all_single", input};
    return enqueue(std::move(desc), [this, output, input, out_counts, in_counts, out_displs, in_displs] {
      mpi_check(MPI_Alltoallv(input.data_ptr(), in_counts.data(), in_displs.data(), MPI_BYTE, output.data_ptr(),
                              out_counts.data(), out_displs.data(), MPI_BYTE, comm_),
                "MPI_Alltoallv");
    });
  }

  // Note [Monitored barrier]
  // torch's monitored_barrier (Gloo's algorithm) with point-to-point messages on this group's
  // communicator: every rank but 0 sends rank 0 a token and waits for rank 0's answer; rank 0
  // receives the tokens, in rank order, until the deadline, and answers once all have come.
  // On rank 0 a missing token raises naming the first rank that did not arrive (or, with
  // wait_all_ranks, all of them, after waiting for everyone up to the deadline); a rank whose
  // answer does not come raises too, pointing at rank 0's log. It runs on the caller's thread
  // (point-to-point: Note [Comm thread]) with MPI_Test polling against the deadline, and
  // cancels the receives it gives up on. Tokens carry the barrier's sequence number on this
  // group, so a token or answer from an earlier barrier that failed (and so was never
  // received) is recognised as stale and dropped instead of satisfying a later one. They use
  // a tag reserved for it, MPI_TAG_UB, which user send/recv tags leave alone in practice.
  void monitored_barrier(milliseconds timeout, bool wait_all_ranks) override {
    const int64_t seq = ++monitored_barrier_seq_;
    const auto deadline = Clock::now() + timeout;
    const int tag = reserved_tag();
    if (size_ == 1) return;
    // Waits for a token of this barrier from `peer` into *slot, reposting after stale ones;
    // false at the deadline (the receive is cancelled).
    auto receive = [&](int peer, int64_t* slot) {
      for (;;) {
        MPI_Request req;
        mpi_check(MPI_Irecv(slot, 1, MPI_INT64_T, peer, tag, comm_, &req), "monitored_barrier: MPI_Irecv");
        if (!poll(req, deadline)) return false;
        if (*slot == seq) return true;  // else a stale token from a barrier that failed
      }
    };
    if (rank_ != 0) {
      const int64_t token = seq;
      MPI_Request send_req;
      mpi_check(MPI_Isend(&token, 1, MPI_INT64_T, 0, tag, comm_, &send_req), "monitored_barrier: MPI_Isend");
      int64_t answer = -1;
      const bool sent = poll(send_req, deadline);
      const bool answered = sent && receive(0, &answer);
      if (!sent) {
        // Not received by rank 0 yet: leave the (eager) message to MPI, but never reuse the stack buffer.
        MPI_Cancel(&send_req);
        MPI_Wait(&send_req, MPI_STATUS_IGNORE);
      }
      EMBER_CHECK_AS(distributed::DistError, answered, "Rank ", global_rank(rank_),
                     " successfully reached monitoredBarrier, but received errors while waiting for send/recv from "
                     "rank 0. Please check rank 0 logs for faulty rank.");
      return;
    }
    std::vector<int> missing;
    for (int r = 1; r < size_; ++r) {
      int64_t token = -1;
      if (receive(r, &token)) continue;
      if (!wait_all_ranks)
        EMBER_THROW(distributed::DistError, "[Rank 0]: Rank ", global_rank(r), " failed to pass monitoredBarrier in ",
                    timeout.count(), " ms");
      missing.push_back(global_rank(r));
    }
    if (!missing.empty()) {
      std::ostringstream ranks;
      for (size_t i = 0; i < missing.size(); ++i) ranks << (i ? ", " : "") << missing[i];
      EMBER_THROW(distributed::DistError, "[Rank 0]: Ranks ", ranks.str(), " failed to pass monitoredBarrier in ",
                  timeout.count(), " ms");
    }
    std::vector<MPI_Request> answers(size_t(size_ - 1));
    for (int r = 1; r < size_; ++r)
      mpi_check(MPI_Isend(&seq, 1, MPI_INT64_T, r, tag, comm_, &answers[size_t(r - 1)]), "monitored_barrier: MPI_Isend");
    // The others are waiting for these, so the sends complete (eagerly) at once.
    mpi_check(MPI_Waitall(size_ - 1, answers.data(), MPI_STATUSES_IGNORE), "monitored_barrier: MPI_Waitall");
  }

  ProcessGroupPtr new_subgroup(const std::vector<int>& ranks, milliseconds timeout) override {
    MPI_Comm sub = MPI_COMM_NULL;
    // MPI_Comm_create is collective over this group, so it is queued with its other ops.
    enqueue(Desc{"new_group", Tensor()}, [this, &ranks, &sub] {
      MPI_Group all, part;
      mpi_check(MPI_Comm_group(comm_, &all), "new_group: MPI_Comm_group");
      mpi_check(MPI_Group_incl(all, static_cast<int>(ranks.size()), ranks.data(), &part), "new_group: MPI_Group_incl");
      int rc = MPI_Comm_create(comm_, part, &sub);
      MPI_Group_free(&part);
      MPI_Group_free(&all);
      mpi_check(rc, "new_group: MPI_Comm_create");
    })->wait();
    if (sub == MPI_COMM_NULL) return nullptr;
    MPI_Comm_set_errhandler(sub, MPI_ERRORS_RETURN);
    int r = 0, s = 0;
    MPI_Comm_rank(sub, &r);
    MPI_Comm_size(sub, &s);
    std::vector<int> globals;
    for (int g : ranks) globals.push_back(global_rank(g));
    std::ostringstream name;
    name << "ranks [";
    for (size_t i = 0; i < globals.size(); ++i) name << (i ? ", " : "") << globals[i];
    name << "]";
    return std::make_shared<ProcessGroupMPI>(sub, r, s, timeout, std::move(globals), name.str());
  }

 private:
  struct Entry {
    WorkPtr work;
    std::function<void()> fn;
  };

 public:
  // Note [Running on the waiting thread].
  void run_if_next(const Work* w) {
    Entry e;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (running_ || timed_out_ || queue_.empty() || queue_.front().work.get() != w) return;
      e = std::move(queue_.front());
      queue_.pop_front();
      start_locked(e.work);
    }
    run_entry(e);
  }

 private:
  // Posts the MPI_Irecv of recv / recv_anysource (t already checked; src a rank of this
  // communicator or MPI_ANY_SOURCE).
  WorkPtr post_recv(Tensor& t, int src, int tag, std::string desc) {
    EMBER_CHECK_VALUE(tag >= 0, "recv: tag must be non-negative, got ", tag);
    const int n = as_count("recv", static_cast<int64_t>(t.nbytes()));
    MPI_Request req;
    mpi_check(MPI_Irecv(t.data_ptr(), n, MPI_BYTE, src, tag, comm_, &req), "MPI_Irecv");
    return std::make_shared<RequestWork>(RequestWork::Kind::recv, std::move(desc), req, t, timeout_);
  }

  void run_entry(Entry& e) {
    std::exception_ptr err;
    try {
      e.fn();
    } catch (const DistBackendError& x) {  // an MPI error: name the op and its tensor
      err = std::make_exception_ptr(DistBackendError(e.work->description() + ": " + x.what()));
    } catch (...) {
      err = std::current_exception();
    }
    bool more = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      running_.reset();
      more = !queue_.empty();
    }
    e.work->complete(err);
    // An op queued while this one ran waits for the comm thread (asleep unless the op ran there).
    if (more) cv_.notify_all();
  }

  WorkPtr enqueue(Desc desc, std::function<void()> fn) {
    Entry e{std::make_shared<QueuedWork>(std::move(desc), weak_from_this()), std::move(fn)};
    WorkPtr work = e.work;
    bool here = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      EMBER_CHECK(!stop_, "the process group has been destroyed");
      EMBER_CHECK_AS(distributed::DistBackendError, !timed_out_, "the process group is being aborted after a timeout");
      // Note [Running on the waiting thread]: a blocking call on an idle group runs here.
      here = BlockingCall::active() && queue_.empty() && !running_;
      if (here)
        start_locked(e.work);
      else
        queue_.push_back(std::move(e));
    }
    if (here)
      run_entry(e);
    else
      cv_.notify_all();
    return work;
  }

  // The op becomes the one running (what the watchdog times). Caller holds mutex_.
  void start_locked(const WorkPtr& w) {
    running_ = w;
    running_since_ = Clock::now();
    ++seq_;
  }

  void comm_loop() {
    for (;;) {
      Entry e;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        cv_.wait(lock, [&] { return (!queue_.empty() && !running_) || (stop_ && queue_.empty() && !running_); });
        if (queue_.empty()) return;  // stop_ and drained
        e = std::move(queue_.front());
        queue_.pop_front();
        start_locked(e.work);
      }
      run_entry(e);
    }
  }

  // Note [Collective timeout] in process_group.h.
  void watchdog_loop() {
    const milliseconds poll = std::clamp(timeout_ / 20, milliseconds(10), milliseconds(1000));
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      watchdog_cv_.wait_for(lock, poll);
      if (watchdog_stop_) return;
      if (!running_ || timed_out_) continue;
      const auto waited = std::chrono::duration_cast<milliseconds>(Clock::now() - running_since_);
      if (waited < timeout_) continue;
      timed_out_ = true;
      std::ostringstream others;
      for (int r = 0; r < size_; ++r)
        if (r != rank_) others << (others.tellp() > 0 ? ", " : "") << global_rank(r);
      std::string msg = ::ember::detail::str_cat(
          "Watchdog caught collective operation timeout: ", running_->description(), " (sequence number ", seq_,
          " on process group ", name_, ") ran for ", waited.count(), " milliseconds on rank ", global_rank(rank_),
          " before timing out (Timeout(ms)=", timeout_.count(), "). Rank(s) that did not join: one or more of [",
          others.str(), "] (MPI does not report which; the others' logs show which op they were in). "
          "The job is aborted (MPI_Abort) so that no rank waits forever.");
      auto err = std::make_exception_ptr(DistTimeoutError(msg));
      std::vector<WorkPtr> failed{running_};
      for (Entry& e : queue_) failed.push_back(e.work);
      queue_.clear();
      lock.unlock();
      mpi_state().aborting = true;
      std::fprintf(stderr, "[ember.distributed rank %d] %s\n", global_rank(rank_), msg.c_str());
      std::fflush(stderr);
      for (WorkPtr& w : failed) w->complete(err);
      // Give the waiting thread a moment to raise and report before the job is torn down.
      std::this_thread::sleep_for(abort_grace());
      MPI_Abort(MPI_COMM_WORLD, 1);
      std::_Exit(1);  // not reached: MPI_Abort does not return
    }
  }

  // Note [Monitored barrier]: completes `req` by the deadline (true), or cancels it (false).
  static bool poll(MPI_Request& req, Clock::time_point deadline) {
    int spins = 0;
    for (;;) {
      int flag = 0;
      mpi_check(MPI_Test(&req, &flag, MPI_STATUS_IGNORE), "monitored_barrier: MPI_Test");
      if (flag) return true;
      if (Clock::now() > deadline) {
        MPI_Cancel(&req);
        MPI_Wait(&req, MPI_STATUS_IGNORE);
        return false;
      }
      if (++spins > 200) std::this_thread::sleep_for(std::chrono::microseconds(spins > 2000 ? 500 : 20));
    }
  }

  int reserved_tag() const {
    int* ub = nullptr;
    int flag = 0;
    MPI_Comm_get_attr(comm_, MPI_TAG_UB, &ub, &flag);
    return flag && ub ? *ub : 32767;  // MPI guarantees at least 32767
  }

  static milliseconds abort_grace() {
    const char* v = std::getenv("EMBER_DIST_ABORT_GRACE_MS");
    return milliseconds(v ? std::max(0L, std::strtol(v, nullptr, 10)) : 2000L);
  }

  MPI_Comm comm_;
  std::string name_;

  std::mutex mutex_;
  std::condition_variable cv_, watchdog_cv_;
  std::deque<Entry> queue_;
  WorkPtr running_;
  Clock::time_point running_since_;
  uint64_t seq_ = 0;
  bool stop_ = false, watchdog_stop_ = false, timed_out_ = false;
  int64_t monitored_barrier_seq_ = 0;  // Note [Monitored barrier]
  std::thread comm_thread_, watchdog_thread_;
};

void QueuedWork::wait() {
  if (!is_completed())
    if (auto g = group_.lock()) g->run_if_next(this);
  Work::wait();
}

}  // namespace

ProcessGroupPtr create_mpi_world(milliseconds timeout) {
  init_mpi_once();
  MPI_Comm comm;
  mpi_check(MPI_Comm_dup(MPI_COMM_WORLD, &comm), "init_process_group: MPI_Comm_dup");
  MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN);
  int rank = 0, size = 0;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  return std::make_shared<ProcessGroupMPI>(comm, rank, size, timeout, std::vector<int>{}, "world");
}

}  // namespace ember::distributed::detail
