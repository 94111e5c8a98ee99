// ember::distributed under mpirun (tests/CMakeLists.txt registers it with -np 2 and with
// -np 4 --oversubscribe through ember_add_mpi_test). Every rank runs every test; only rank 0
// prints GoogleTest's report, and a failure on any rank fails the job (its exit code).
// Expected values are the single-process result: each rank can build every rank's input, so
// it reduces them itself in float64 (the inputs are small integers, exact in every dtype).
#include <gtest/gtest.h>

#include <unistd.h>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>

#include <ember/ember.h>

#include "tests/cpp/error_of.h"
#include "tests/distributed/quiet_ranks.h"

namespace dist = ember::distributed;
using ember::Tensor;
using ember::ScalarType;
using dist::ReduceOp;

namespace {

const ScalarType kAllDtypes[] = {ember::kBool,    ember::kUInt8,   ember::kInt8,    ember::kInt16, ember::kInt32,
                                 ember::kInt64,   ember::kFloat16, ember::kBFloat16, ember::kFloat32,
                                 ember::kFloat64};
const ReduceOp kAllOps[] = {ReduceOp::SUM, ReduceOp::AVG,  ReduceOp::PRODUCT, ReduceOp::MIN,
                            ReduceOp::MAX, ReduceOp::BAND, ReduceOp::BOR,     ReduceOp::BXOR};

int rank() { return dist::get_rank(); }
int world() { return dist::get_world_size(); }

// Rank r's input: 1..3 (0/1 for bool), different per rank and element. A product over four
// ranks is at most 81, inside int8 and exact in bfloat16.
double input_value(ScalarType t, int r, int64_t i) {
  if (t == ember::kBool) return ((i + r) % 3 == 0) ? 1.0 : 0.0;
  return double((i * 7 + r * 5) % 3 + 1);
}

Tensor make(const std::vector<double>& v, ScalarType t, std::vector<int64_t> shape = {}) {
  if (shape.empty()) shape = {int64_t(v.size())};
  Tensor d = ember::empty({int64_t(v.size())}, ember::kFloat64);
  std::memcpy(d.data_ptr(), v.data(), v.size() * sizeof(double));
  return d.to(t).reshape(shape).contiguous().clone();
}

Tensor input(ScalarType t, int r, int64_t n, int64_t offset = 0) {
  std::vector<double> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[size_t(i)] = input_value(t, r, i + offset);
  return make(v, t);
}

std::vector<double> values(const Tensor& t) {
  Tensor d = t.to(ember::kFloat64).contiguous();
  const double* p = static_cast<const double*>(d.data_ptr());
  return std::vector<double>(p, p + d.numel());
}

bool op_valid(ReduceOp op, ScalarType t) {
  bool bitwise = op == ReduceOp::BAND || op == ReduceOp::BOR || op == ReduceOp::BXOR;
  if (bitwise) return ember::is_integral(t, true);
  if (op == ReduceOp::AVG) return ember::is_floating_point(t);
  return true;
}

// The single-process reduction of ranks [0, n) at element i.
double expected(ReduceOp op, ScalarType t, int n, int64_t i) {
  bool is_bool = t == ember::kBool;
  double acc = input_value(t, 0, i);
  for (int r = 1; r < n; ++r) {
    double x = input_value(t, r, i);
    switch (op) {
      case ReduceOp::SUM: case ReduceOp::AVG: acc = is_bool ? double(acc || x) : acc + x; break;
      case ReduceOp::PRODUCT: acc = is_bool ? double(acc && x) : acc * x; break;
      case ReduceOp::MIN: acc = std::min(acc, x); break;
      case ReduceOp::MAX: acc = std::max(acc, x); break;
      case ReduceOp::BAND: acc = double(int64_t(acc) & int64_t(x)); break;
      case ReduceOp::BOR: acc = double(int64_t(acc) | int64_t(x)); break;
      case ReduceOp::BXOR: acc = double(int64_t(acc) ^ int64_t(x)); break;
    }
  }
  if (op == ReduceOp::AVG) acc /= n;
  return acc;
}

std::string label(ScalarType t, ReduceOp op) {
  return std::string(ember::dtype_name(t)) + " " + dist::reduce_op_name(op);
}

}  // namespace

TEST(Distributed, RankAndSize) {
  EXPECT_TRUE(dist::is_initialized());
  EXPECT_TRUE(dist::is_mpi_available());
  EXPECT_GE(world(), 2);
  EXPECT_GE(rank(), 0);
  EXPECT_LT(rank(), world());
  EXPECT_EQ(dist::default_group()->backend_name(), "mpi");
  EXPECT_EQ(dist::default_group()->timeout(), dist::kDefaultTimeout);
  EXPECT_EQ(dist::get_local_rank(), rank());  // one machine
}

TEST(Distributed, AllReduceEveryDtypeAndOp) {
  const int64_t n = 37;
  for (ScalarType t : kAllDtypes)
    for (ReduceOp op : kAllOps) {
      Tensor x = input(t, rank(), n).reshape({1, n});
      if (!op_valid(op, t)) {
        EXPECT_THROW(dist::all_reduce(x, op), ember::Error) << label(t, op);
        continue;
      }
      dist::all_reduce(x, op);
      EXPECT_EQ(x.dtype(), t);
      EXPECT_EQ(x.sizes(), (std::vector<int64_t>{1, n}));
      std::vector<double> got = values(x);
      for (int64_t i = 0; i < n; ++i)
        ASSERT_DOUBLE_EQ(got[size_t(i)], expected(op, t, world(), i)) << label(t, op) << " element " << i;
    }
}

TEST(Distributed, ReduceOpErrorsNameTheOpAndDtype) {
  Tensor f = ember::ones({3});
  EXPECT_EQ(error_of([&] { dist::all_reduce(f, ReduceOp::BAND); }),
            "Cannot use ReduceOp.BAND with non-integral dtype float32");
  Tensor i = ember::ones({3}, ember::kInt64);
  EXPECT_NE(error_of([&] { dist::all_reduce(i, ReduceOp::AVG); }).find("Cannot use ReduceOp.AVG with int64"),
            std::string::npos);
}

TEST(Distributed, ReduceEveryDtype) {
  const int64_t n = 11;
  for (ScalarType t : kAllDtypes)
    for (ReduceOp op : {ReduceOp::SUM, ReduceOp::MAX, ReduceOp::AVG})
      for (int dst = 0; dst < world(); ++dst) {
        if (!op_valid(op, t)) continue;
        Tensor x = input(t, rank(), n);
        dist::reduce(x, dst, op);
        if (rank() != dst) continue;
        std::vector<double> got = values(x);
        for (int64_t i = 0; i < n; ++i) ASSERT_DOUBLE_EQ(got[size_t(i)], expected(op, t, world(), i)) << label(t, op);
      }
}

TEST(Distributed, BroadcastEveryDtypeFromEveryRank) {
  for (ScalarType t : kAllDtypes)
    for (int src = 0; src < world(); ++src) {
      Tensor x = input(t, rank(), 9).reshape({3, 3});
      dist::broadcast(x, src);
      EXPECT_EQ(values(x), values(input(t, src, 9))) << ember::dtype_name(t) << " src " << src;
    }
}

TEST(Distributed, AllGatherEveryDtype) {
  for (ScalarType t : kAllDtypes) {
    Tensor x = input(t, rank(), 5);
    std::vector<Tensor> outs;
    for (int r = 0; r < world(); ++r) outs.push_back(ember::empty({5}, t));
    dist::all_gather(outs, x);
    for (int r = 0; r < world(); ++r) EXPECT_EQ(values(outs[size_t(r)]), values(input(t, r, 5))) << r;

    Tensor flat = ember::empty({world(), 5}, t);
    dist::all_gather_into_tensor(flat, x);
    for (int r = 0; r < world(); ++r) EXPECT_EQ(values(flat.select(0, r)), values(input(t, r, 5)));
    // In place: the input is this rank's slice of the output.
    Tensor inplace = ember::zeros({world() * 5}, t);
    Tensor mine = inplace.narrow(0, rank() * 5, 5);
    mine.copy_(x);
    dist::all_gather_into_tensor(inplace, mine);
    EXPECT_EQ(values(inplace), values(flat));
  }
}

TEST(Distributed, ReduceScatterEveryDtypeAndOp) {
  const int64_t n = 4;
  for (ScalarType t : kAllDtypes)
    for (ReduceOp op : kAllOps) {
      if (!op_valid(op, t)) continue;
      // Chunk r of every rank's input reduces onto rank r: elements [r*n, (r+1)*n).
      std::vector<Tensor> ins;
      for (int r = 0; r < world(); ++r) ins.push_back(input(t, rank(), n, r * n));
      Tensor out = ember::empty({n}, t);
      dist::reduce_scatter(out, ins, op);
      Tensor big = input(t, rank(), n * world());
      Tensor out2 = ember::empty({n}, t);
      dist::reduce_scatter_tensor(out2, big, op);
      for (int64_t i = 0; i < n; ++i) {
        double want = expected(op, t, world(), rank() * n + i);
        ASSERT_DOUBLE_EQ(values(out)[size_t(i)], want) << label(t, op);
        ASSERT_DOUBLE_EQ(values(out2)[size_t(i)], want) << label(t, op);
      }
    }
}

TEST(Distributed, GatherAndScatter) {
  for (ScalarType t : {ember::kFloat32, ember::kBFloat16, ember::kInt64, ember::kBool})
    for (int root = 0; root < world(); ++root) {
      std::vector<Tensor> outs;
      if (rank() == root) {
        for (int r = 0; r < world(); ++r) outs.push_back(ember::empty({2, 3}, t));
      }
      dist::gather(input(t, rank(), 6).reshape({2, 3}), outs, root);
      if (rank() == root) {
        for (int r = 0; r < world(); ++r) EXPECT_EQ(values(outs[size_t(r)]), values(input(t, r, 6)));
      }

      std::vector<Tensor> ins;
      if (rank() == root) {
        for (int r = 0; r < world(); ++r) ins.push_back(input(t, r + 10, 6).reshape({2, 3}));
      }
      Tensor out = ember::empty({2, 3}, t);
      dist::scatter(out, ins, root);
      EXPECT_EQ(values(out), values(input(t, rank() + 10, 6)));
    }
}

TEST(Distributed, AsyncWorkHandles) {
  // Queue several ops, then wait in reverse order: they ran in call order on the comm thread.
  std::vector<Tensor> ts;
  std::vector<dist::WorkPtr> works;
  for (int k = 0; k < 6; ++k) {
    ts.push_back(ember::full({1000}, double(k + rank())));
    works.push_back(dist::all_reduce(ts.back(), ReduceOp::SUM, nullptr, /*async_op=*/true));
  }
  dist::WorkPtr b = dist::barrier(nullptr, true);
  for (int k = 5; k >= 0; --k) {
    works[size_t(k)]->wait();
    EXPECT_TRUE(works[size_t(k)]->is_completed());
    EXPECT_TRUE(works[size_t(k)]->is_success());
    double want = k * world() + world() * (world() - 1) / 2.0;
    EXPECT_EQ(values(ts[size_t(k)])[999], want);
  }
  b->wait();
  EXPECT_TRUE(b->is_completed());
  // is_completed() turns true without wait().
  Tensor x = ember::ones({10});
  dist::WorkPtr w = dist::all_reduce(x, ReduceOp::SUM, nullptr, true);
  for (int spin = 0; spin < 100000 && !w->is_completed(); ++spin) std::this_thread::sleep_for(std::chrono::microseconds(50));
  EXPECT_TRUE(w->is_completed());
  EXPECT_EQ(values(x)[0], world());
}

namespace {

// Voluntary context switches of every thread of this process but the calling one (Linux).
long other_threads_voluntary_switches() {
  const std::string self = std::to_string(static_cast<long>(gettid()));
  long total = 0;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    if (task.path().filename() == self) continue;
    std::ifstream status(task.path() / "status");
    for (std::string line; std::getline(status, line);)
      if (line.rfind("voluntary_ctxt_switches:", 0) == 0) total += std::stol(line.substr(24));
  }
  return total;
}

}  // namespace

TEST(Distributed, BlockingCallsRunOnTheCallingThread) {
  // Note [Running on the waiting thread]: a blocking call on an idle group never wakes the comm
  // thread (each wake-up would end in one more voluntary switch when it sleeps again). The
  // allowance covers the watchdog's poll (once a second with the default timeout) and Open
  // MPI's own threads; waking the comm thread on every call (as ember did before) blocked the
  // other threads 580 times in one run of this test.
  Tensor x = ember::ones({1000});
  dist::barrier();
  constexpr int kCalls = 2000;
  const long before = other_threads_voluntary_switches();
  for (int i = 0; i < kCalls; ++i) dist::all_reduce(x, ReduceOp::MAX);
  const long woken = other_threads_voluntary_switches() - before;
  EXPECT_LT(woken, 20) << "the other threads blocked " << woken << " times during " << kCalls
                        << " blocking all_reduce calls";
  EXPECT_EQ(values(x)[0], 1.0);
  // With an async op still queued or running, a blocking call queues behind it: when it returns,
  // the earlier op has completed too (collectives keep the caller's order).
  Tensor a = ember::full({100000}, double(rank())), b = ember::full({10}, 1.0);
  dist::WorkPtr w = dist::all_reduce(a, ReduceOp::SUM, nullptr, /*async_op=*/true);
  dist::all_reduce(b);
  EXPECT_TRUE(w->is_completed());
  EXPECT_EQ(values(a)[99999], world() * (world() - 1) / 2.0);
  EXPECT_EQ(values(b)[0], world());
  w->wait();
}

TEST(Distributed, NewGroup) {
  // Every other rank, and the last two ranks.
  std::vector<int> evens, tail{world() - 2, world() - 1};
  for (int r = 0; r < world(); r += 2) evens.push_back(r);
  dist::ProcessGroupPtr ge = dist::new_group(evens);
  dist::ProcessGroupPtr gt = dist::new_group(tail);
  if (rank() % 2 == 0) {
    ASSERT_TRUE(ge);
    EXPECT_EQ(ge->size(), int(evens.size()));
    EXPECT_EQ(ge->rank(), rank() / 2);
    Tensor x = ember::full({3}, double(rank() + 1), ember::kInt32);
    dist::all_reduce(x, ReduceOp::SUM, ge);
    int want = 0;
    for (int r : evens) want += r + 1;
    EXPECT_EQ(values(x)[0], want);
    // src is a rank of the default group, as in torch.
    Tensor y = ember::full({2}, double(rank()));
    dist::broadcast(y, evens.back(), ge);
    EXPECT_EQ(values(y)[1], evens.back());
  } else {
    EXPECT_FALSE(ge);
  }
  if (rank() >= world() - 2) {
    ASSERT_TRUE(gt);
    Tensor x = ember::full({2}, double(rank()));
    dist::all_reduce(x, ReduceOp::MAX, gt);
    EXPECT_EQ(values(x)[0], world() - 1);
    EXPECT_EQ(gt->global_rank(0), world() - 2);
  } else {
    EXPECT_FALSE(gt);
  }
  // The world still works after the subgroups, and they can be destroyed.
  Tensor z = ember::ones({1});
  dist::all_reduce(z);
  EXPECT_EQ(values(z)[0], world());
  if (ge) dist::destroy_process_group(ge);
  if (gt) dist::destroy_process_group(gt);
  EXPECT_THROW(dist::new_group({0, world()}), ember::ValueError);
}

TEST(Distributed, SendRecv) {
  // A ring: every rank sends to the next and receives from the previous. Both sides post their
  // send first, which would deadlock if sends were blocking calls on one thread.
  const int next = (rank() + 1) % world(), prev = (rank() + world() - 1) % world();
  for (ScalarType t : {ember::kFloat32, ember::kFloat16, ember::kInt64, ember::kBool}) {
    Tensor out = input(t, rank(), 100000);
    Tensor in = ember::empty({100000}, t);
    dist::WorkPtr s = dist::isend(out, next, nullptr, 3);
    dist::WorkPtr r = dist::irecv(in, prev, nullptr, 3);
    s->wait();
    r->wait();
    EXPECT_TRUE(r->is_completed());
    EXPECT_EQ(values(in), values(input(t, prev, 100000))) << ember::dtype_name(t);
  }
  // Blocking send/recv between ranks 0 and 1.
  Tensor x = ember::full({4}, 7.0);
  if (rank() == 0) dist::send(x, 1);
  if (rank() == 1) {
    Tensor y = ember::zeros({4});
    dist::recv(y, 0);
    EXPECT_EQ(values(y)[3], 7.0);
  }
}

TEST(Distributed, AllGatherInt64) {
  std::vector<int64_t> mine;
  for (int i = 0; i <= rank(); ++i) mine.push_back(100 * rank() + i);
  auto all = dist::default_group()->all_gather_int64(mine);
  ASSERT_EQ(int(all.size()), world());
  for (int r = 0; r < world(); ++r) {
    ASSERT_EQ(int(all[size_t(r)].size()), r + 1);
    EXPECT_EQ(all[size_t(r)].back(), 100 * r + r);
  }
}

TEST(Distributed, ErrorsOnBadInput) {
  Tensor nc = ember::ones({4, 4}).t();
  EXPECT_EQ(error_of([&] { dist::all_reduce(nc); }), "Tensors must be contiguous");
  Tensor x = ember::ones({4});
  EXPECT_NE(error_of([&] { dist::broadcast(x, world()); }).find("broadcast: the src rank " + std::to_string(world()) +
                                                               " is not part of the group"),
            std::string::npos);
  EXPECT_THROW(dist::broadcast(x, -1), ember::ValueError);
  EXPECT_THROW(dist::default_group()->broadcast(x, world()), ember::ValueError);
  EXPECT_THROW(dist::reduce(x, world() + 3), ember::ValueError);
  std::vector<Tensor> outs(size_t(world()), ember::empty({5}));
  EXPECT_NE(error_of([&] { dist::all_gather(outs, x); }).find("Tensors must have the same size"), std::string::npos);
  std::vector<Tensor> few{ember::empty({4})};
  EXPECT_NE(error_of([&] { dist::all_gather(few, x); }).find("one output per rank"), std::string::npos);
  Tensor wrong = ember::empty({4 * world() + 1});
  EXPECT_NE(error_of([&] { dist::all_gather_into_tensor(wrong, x); })
                .find("output tensor size must be equal to world_size times input tensor size"),
            std::string::npos);
  Tensor wrong_type = ember::empty({4 * world()}, ember::kInt32);
  EXPECT_THROW(dist::all_gather_into_tensor(wrong_type, x), ember::TypeError);
  std::vector<Tensor> some{x};
  int root = (rank() + 1) % world();  // a non-root rank passing a list
  EXPECT_EQ(error_of([&] { dist::gather(x, some, root); }),
            "Argument ``gather_list`` must NOT be specified on non-destination ranks.");
  EXPECT_EQ(error_of([&] { dist::scatter(x, some, root); }),
            "Argument ``scatter_list`` must NOT be specified on non-source ranks.");
  EXPECT_EQ(error_of([&] { dist::send(x, rank()); }),
            "Invalid destination rank: should not be the same as rank of the current process.");
  EXPECT_THROW(dist::send(x, world()), ember::ValueError);
  EXPECT_THROW(dist::recv(x, -2), ember::ValueError);
  // Nothing was queued by the failed calls: the group still agrees on the next op.
  Tensor ok = ember::ones({2});
  dist::all_reduce(ok);
  EXPECT_EQ(values(ok)[0], world());
}

TEST(Distributed, UninitialisedAndReinitialised) {
  dist::barrier();
  dist::destroy_process_group();
  EXPECT_FALSE(dist::is_initialized());
  const std::string msg =
      "Default process group has not been initialized, please make sure to call init_process_group.";
  Tensor x = ember::ones({2});
  EXPECT_EQ(error_of([&] { dist::all_reduce(x); }), msg);
  EXPECT_EQ(error_of([&] { dist::get_rank(); }), msg);
  EXPECT_EQ(error_of([&] { dist::barrier(); }), msg);
  EXPECT_EQ(error_of([&] { dist::destroy_process_group(); }), msg);
  dist::init_process_group();
  EXPECT_EQ(error_of([&] { dist::init_process_group(); }), "trying to initialize the default process group twice!");
  dist::all_reduce(x);
  EXPECT_EQ(values(x)[0], world());
}

TEST(Distributed, InitOptionsMustAgreeWithMpi) {
  const int me = rank(), n = world();
  dist::destroy_process_group();
  dist::InitOptions o;
  o.rank = (me + 1) % n;
  EXPECT_NE(error_of([&] { dist::init_process_group(o); }).find("rank mismatch: MPI's rank="), std::string::npos);
  o = {};
  o.backend = "nccl";
  EXPECT_NE(error_of([&] { dist::init_process_group(o); }).find("doesn't have NCCL built in"), std::string::npos);
  EXPECT_FALSE(dist::is_initialized());
  o = {};
  o.backend = "MPI";  // torch's Backend names are case-insensitive
  o.world_size = n;
  dist::init_process_group(o);
  EXPECT_TRUE(dist::is_initialized());
}

// Modes run as their own ctest entries (faults that end the job).
namespace {

// Rank 1 skips an all_reduce; rank 0 must get the watchdog's error within the (2 s) timeout,
// and the job must end (MPI_Abort) instead of hanging. "--timeout async": rank 0 queues the op
// and waits on its Work (the comm thread runs it), so wait() raises DistTimeoutError.
// "--timeout sync": a blocking call runs the op on the caller's own thread (Note [Running on
// the waiting thread]), which sits inside MPI and cannot raise; the watchdog's report on stderr
// and the abort are what remain.
int timeout_mode(const std::string& how) {
  dist::InitOptions o;
  o.timeout = std::chrono::milliseconds(2000);
  dist::init_process_group(o);
  Tensor x = ember::ones({4, 5});
  dist::all_reduce(x);  // everyone joins this one
  if (rank() == 1) {
    std::this_thread::sleep_for(std::chrono::seconds(60));  // never joins the next
    return 0;
  }
  auto t0 = std::chrono::steady_clock::now();
  try {
    if (how == "async") {
      dist::WorkPtr w = dist::all_reduce(x, ReduceOp::SUM, nullptr, /*async_op=*/true);
      std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the comm thread has taken it
      w->wait();
    } else {
      dist::all_reduce(x);
    }
  } catch (const dist::DistTimeoutError& e) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    std::cout << "rank 0 caught DistTimeoutError after " << (ms < 4000 ? "less than 4 s" : "too long") << ": "
              << e.what() << std::endl;
  }
  std::this_thread::sleep_for(std::chrono::seconds(60));  // the watchdog's MPI_Abort ends the job
  return 0;
}

// Rank 1 dies (SIGKILL) in the middle of a loop of collectives; the job must end.
int kill_mode() {
  dist::init_process_group();
  for (int step = 0;; ++step) {
    Tensor x = ember::ones({1000});
    dist::all_reduce(x);
    if (rank() == 0 && step % 100 == 0) std::cout << "step " << step << std::endl;
    if (rank() == 1 && step == 50) std::raise(SIGKILL);
  }
}

// Launched with RANK set to a value MPI disagrees with.
int env_mismatch_mode() {
  try {
    dist::init_process_group();
  } catch (const ember::ValueError& e) {
    std::cout << "init_process_group: " << e.what() << std::endl;
    return 0;
  }
  std::cout << "no error" << std::endl;
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "--timeout") return timeout_mode(argc > 2 ? argv[2] : "sync");
  if (mode == "--kill-rank") return kill_mode();
  if (mode == "--env-mismatch") return env_mismatch_mode();
  ::testing::InitGoogleTest(&argc, argv);
  // Before init: the default group is missing.
  bool uninit_ok = false;
  try {
    dist::get_world_size();
  } catch (const ember::Error& e) {
    uninit_ok = std::string(e.what()).find("Default process group has not been initialized") == 0;
  }
  dist::init_process_group();
  ember_test::quiet_ranks_other_than_0(dist::get_rank());
  int rc = RUN_ALL_TESTS();
  if (!uninit_ok) {
    std::cerr << "rank " << dist::get_rank() << ": get_world_size() before init_process_group did not raise\n";
    rc = 1;
  }
  if (rc != 0) std::cerr << "rank " << dist::get_rank() << ": FAILED\n";
  dist::destroy_process_group();
  return rc;
}
