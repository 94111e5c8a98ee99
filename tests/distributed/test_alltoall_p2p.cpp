// all_to_all, all_to_all_single, batch_isend_irecv, monitored_barrier and Work::get_future()
// under mpirun (linked into ember_distributed_tests, whose main initialises the group; every
// rank runs every test in the same order). Expected values are the single-process result:
// every rank can build every rank's input.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>

#include <ember/ember.h>

#include "tests/cpp/error_of.h"

namespace dist = ember::distributed;
using dist::ReduceOp;
using ember::ScalarType;
using ember::Tensor;

namespace {

const ScalarType kAllDtypes[] = {ember::kBool,    ember::kUInt8,   ember::kInt8,    ember::kInt16, ember::kInt32,
                                 ember::kInt64,   ember::kFloat16, ember::kBFloat16, ember::kFloat32,
                                 ember::kFloat64};

int rank() { return dist::get_rank(); }
int world() { return dist::get_world_size(); }

// What rank `src` sends rank `dst`, element i: small integers (0/1 for bool), exact in every
// dtype and different for every (src, dst, i).
double sent_value(ScalarType t, int src, int dst, int64_t i) {
  if (t == ember::kBool) return ((i + src + 2 * dst) % 3 == 0) ? 1.0 : 0.0;
  return double((i * 3 + src * 5 + dst * 7) % 11 + 1);
}

Tensor sent(ScalarType t, int src, int dst, int64_t n) {
  Tensor d = ember::empty({n}, ember::kFloat64);
  for (int64_t i = 0; i < n; ++i) static_cast<double*>(d.data_ptr())[i] = sent_value(t, src, dst, i);
  return d.to(t).contiguous().clone();
}

std::vector<double> values(const Tensor& t) {
  Tensor d = t.to(ember::kFloat64).contiguous();
  const double* p = static_cast<const double*>(d.data_ptr());
  return std::vector<double>(p, p + d.numel());
}

// Elements rank a sends rank b in the uneven tests: differs by pair, symmetric, 0 for one pair.
int64_t pair_count(int a, int b) { return (a + b) % 3 == 1 ? 0 : a + b + 1; }

}  // namespace

TEST(AllToAll, ListEveryDtypeWithUnevenSizes) {
  for (ScalarType t : kAllDtypes) {
    std::vector<Tensor> ins, outs;
    for (int r = 0; r < world(); ++r) {
      ins.push_back(sent(t, rank(), r, pair_count(rank(), r)));
      outs.push_back(ember::empty({pair_count(r, rank())}, t));
    }
    dist::all_to_all(outs, ins);
    for (int r = 0; r < world(); ++r)
      EXPECT_EQ(values(outs[size_t(r)]), values(sent(t, r, rank(), pair_count(r, rank()))))
          << ember::dtype_name(t) << " from rank " << r;
  }
}

TEST(AllToAll, SingleEvenAndUnevenSplits) {
  for (ScalarType t : kAllDtypes) {
    // Even: 2 rows of 3 per rank; rows for rank r carry sent(me, r).
    const int64_t rows = 2, cols = 3;
    Tensor in = ember::empty({world() * rows, cols}, t);
    for (int r = 0; r < world(); ++r) in.narrow(0, r * rows, rows).copy_(sent(t, rank(), r, rows * cols).reshape({rows, cols}));
    Tensor out = ember::empty({world() * rows, cols}, t);
    dist::all_to_all_single(out, in);
    for (int r = 0; r < world(); ++r)
      EXPECT_EQ(values(out.narrow(0, r * rows, rows)), values(sent(t, r, rank(), rows * cols))) << ember::dtype_name(t);

    // Uneven: pair_count(me, r) rows to rank r (one of them empty on some pairs).
    std::vector<int64_t> in_splits, out_splits;
    int64_t in_rows = 0, out_rows = 0;
    for (int r = 0; r < world(); ++r) {
      in_splits.push_back(pair_count(rank(), r));
      out_splits.push_back(pair_count(r, rank()));
      in_rows += in_splits.back();
      out_rows += out_splits.back();
    }
    Tensor uin = ember::empty({in_rows, 2}, t);
    int64_t at = 0;
    for (int r = 0; r < world(); ++r) {
      uin.narrow(0, at, in_splits[size_t(r)]).copy_(sent(t, rank(), r, 2 * in_splits[size_t(r)]).reshape({-1, 2}));
      at += in_splits[size_t(r)];
    }
    Tensor uout = ember::full({out_rows, 2}, 0.0).to(t);
    dist::all_to_all_single(uout, uin, out_splits, in_splits);
    at = 0;
    for (int r = 0; r < world(); ++r) {
      EXPECT_EQ(values(uout.narrow(0, at, out_splits[size_t(r)])), values(sent(t, r, rank(), 2 * out_splits[size_t(r)])))
          << ember::dtype_name(t) << " from rank " << r;
      at += out_splits[size_t(r)];
    }
  }
}

TEST(AllToAll, ErrorsInTorchsWordingLeaveTheGroupInStep) {
  const int w = world();
  Tensor out = ember::empty({w * 2});
  Tensor odd = ember::empty({w * 2 + 1});
  EXPECT_EQ(error_of([&] { dist::all_to_all_single(out, odd); }),
            "Tensor's dim 0 does not divide equally across group size");
  std::vector<int64_t> few(size_t(w + 1), 0);
  EXPECT_EQ(error_of([&] { dist::all_to_all_single(out, out, few, {}); }), "Number of tensor splits not equal to group size");
  std::vector<int64_t> bad(size_t(w), 1);
  EXPECT_EQ(error_of([&] { dist::all_to_all_single(out, out, bad, {}); }), "Split sizes doesn't match total dim 0 size");
  Tensor ints = ember::empty({w * 2}, ember::kInt64);
  EXPECT_EQ(error_of([&] { dist::all_to_all_single(out, ints); }),
            "Invalid usage of tensors with different dtypesFound float32 and  int64");
  std::vector<Tensor> outs(size_t(w), ember::empty({1})), ins(size_t(w), ember::empty({1}));
  std::vector<Tensor> one_too_many(size_t(w + 1), ember::empty({1}));
  EXPECT_NE(error_of([&] { dist::all_to_all(outs, one_too_many); }).find("one per rank"), std::string::npos);
  Tensor nc = ember::ones({w, 2}).t();
  EXPECT_EQ(error_of([&] { dist::all_to_all_single(nc, nc); }), "Tensors must be contiguous");
  Tensor ok = ember::ones({2});
  dist::all_reduce(ok);
  EXPECT_EQ(values(ok)[0], w);
}

TEST(BatchIsendIrecv, RingInEitherOrderAndErrors) {
  const int next = (rank() + 1) % world(), prev = (rank() + world() - 1) % world();
  for (ScalarType t : {ember::kFloat32, ember::kBFloat16, ember::kInt8, ember::kBool}) {
    Tensor out = sent(t, rank(), next, 50000);
    Tensor in = ember::empty({50000}, t);
    std::vector<dist::P2POp> ops{{dist::P2POp::Kind::isend, out, next}, {dist::P2POp::Kind::irecv, in, prev}};
    // Odd ranks list the receive first: the requests are non-blocking, so no order deadlocks.
    if (rank() % 2) std::swap(ops[0], ops[1]);
    auto works = dist::batch_isend_irecv(ops);
    ASSERT_EQ(works.size(), 2u);
    for (auto& w : works) w->wait();
    EXPECT_EQ(values(in), values(sent(t, prev, rank(), 50000))) << ember::dtype_name(t);
  }
  Tensor x = ember::ones({2});
  EXPECT_EQ(error_of([&] {
              dist::batch_isend_irecv({{dist::P2POp::Kind::isend, x, next, nullptr},
                                       {dist::P2POp::Kind::irecv, x, prev, dist::default_group()}});
            }),
            "All ops need to use the same group.");
  // A bad peer anywhere in the list posts none of the batch (else the posted send would be
  // left unmatched and the next test's receive would take it).
  EXPECT_THROW(dist::batch_isend_irecv({{dist::P2POp::Kind::isend, x, next}, {dist::P2POp::Kind::irecv, x, world()}}),
               ember::ValueError);
  EXPECT_EQ(error_of([&] {
              dist::batch_isend_irecv({{dist::P2POp::Kind::isend, x, next}, {dist::P2POp::Kind::irecv, x, rank()}});
            }),
            "Invalid source rank: should not be the same as rank of the current process.");
  dist::barrier();
}

TEST(RecvAnySource, EachMessageNamesItsSender) {
  // Every other rank sends rank 0 its own number; rank 0 takes them in whatever order they
  // come, with the blocking form (global rank returned) and with the Work's source_rank().
  constexpr int kTag = 7;
  if (rank() == 0) {
    std::vector<int> senders;
    for (int i = 1; i < world(); ++i) {
      Tensor t = ember::zeros({3});
      int src = -1;
      if (i % 2) {
        src = dist::recv_any_source(t, nullptr, kTag);
      } else {
        auto w = dist::irecv_any_source(t, nullptr, kTag);
        w->wait();
        src = w->source_rank();
        EXPECT_EQ(values(w->result()[0]), values(t));
      }
      EXPECT_EQ(values(t), std::vector<double>(3, double(src))) << "from rank " << src;
      senders.push_back(src);
    }
    std::sort(senders.begin(), senders.end());
    std::vector<int> expected;
    for (int r = 1; r < world(); ++r) expected.push_back(r);
    EXPECT_EQ(senders, expected);
  } else {
    auto w = dist::isend(ember::full({3}, double(rank())), 0, nullptr, kTag);
    w->wait();
    // A send has no source: torch's words.
    EXPECT_EQ(error_of([&] { (void)w->source_rank(); }),
              "sourceRank() may only be called on work objects that correspond to a recv or recv-from-any call.");
  }
  // A recv still waiting for its message has no sender yet.
  if (rank() == 1) {
    Tensor t = ember::zeros({1});
    auto w = dist::irecv_any_source(t, nullptr, kTag + 1);
    EXPECT_EQ(error_of([&] { (void)w->source_rank(); }),
              "source_rank: recv(src=any) of float32[1] has not completed; wait() for it first");
    dist::barrier();  // rank 0 sends only now
    w->wait();
    EXPECT_EQ(w->source_rank(), 0);
  } else if (rank() == 0) {
    dist::barrier();
    dist::send(ember::ones({1}), 1, nullptr, kTag + 1);
  } else {
    dist::barrier();
  }
  Tensor bad = ember::zeros({1});
  EXPECT_THROW(dist::irecv_any_source(bad, nullptr, -1), ember::ValueError);
  dist::barrier();
}

TEST(MonitoredBarrier, PassesAndNamesTheRanksThatDidNotCome) {
  using std::chrono::milliseconds;
  dist::monitored_barrier(nullptr, milliseconds(20000));
  if (world() < 2) return;
  // Rank 0 arrives on time; the others only after rank 0 has given up, so rank 0 names them
  // and they in turn get no answer. Their late tokens must not satisfy a later barrier.
  for (bool wait_all : {false, true}) {
    dist::barrier();
    if (rank() == 0) {
      std::string want = wait_all ? "[Rank 0]: Ranks " : "[Rank 0]: Rank 1 failed to pass monitoredBarrier in 500 ms";
      if (wait_all) {
        for (int r = 1; r < world(); ++r) want += (r > 1 ? ", " : "") + std::to_string(r);
        want += " failed to pass monitoredBarrier in 500 ms";
      }
      EXPECT_EQ(error_of([&] { dist::monitored_barrier(nullptr, milliseconds(500), wait_all); }), want);
      // Only now do the others arrive (a message, not a sleep: deterministic on a loaded machine).
      Tensor gave_up = ember::ones({1});
      for (int r = 1; r < world(); ++r) dist::send(gave_up, r);
    } else {
      Tensor gave_up = ember::zeros({1});
      dist::recv(gave_up, 0);
      EXPECT_EQ(error_of([&] { dist::monitored_barrier(nullptr, milliseconds(500), wait_all); }),
                "Rank " + std::to_string(rank()) +
                    " successfully reached monitoredBarrier, but received errors while waiting for send/recv from "
                    "rank 0. Please check rank 0 logs for faulty rank.");
    }
  }
  dist::barrier();
  dist::monitored_barrier(nullptr, milliseconds(20000), /*wait_all_ranks=*/true);
}

TEST(Future, WorkFutureHoldsTheResultAndChains) {
  Tensor x = ember::full({8}, double(rank() + 1));
  auto work = dist::all_reduce(x, ReduceOp::SUM, nullptr, /*async_op=*/true);
  dist::FuturePtr fut = work->get_future();
  EXPECT_EQ(fut, work->get_future());  // one future per Work
  dist::FuturePtr doubled = fut->then([](dist::Future& f) -> dist::FutureValue { return f.tensor() * 2; });
  const double sum = world() * (world() + 1) / 2.0;
  EXPECT_EQ(values(doubled->tensor())[7], 2 * sum);  // waiting on the child runs the parent
  EXPECT_TRUE(fut->done());
  ASSERT_EQ(fut->tensors().size(), 1u);
  EXPECT_EQ(fut->tensors()[0].data_ptr(), x.data_ptr());  // the op's own tensor, reduced in place
  EXPECT_TRUE(fut->value().is_list);
  EXPECT_FALSE(doubled->value().is_list);

  // A callback's exception completes the chained future with it.
  dist::FuturePtr failing = fut->then([](dist::Future&) -> dist::FutureValue { throw ember::ValueError("boom"); });
  EXPECT_EQ(error_of([&] { failing->wait(); }), "boom");

  // A completed Work's future is complete at once; all_gather's holds the outputs.
  Tensor in = ember::full({2}, double(rank()));
  std::vector<Tensor> outs;
  for (int r = 0; r < world(); ++r) outs.push_back(ember::empty({2}));
  auto gathered = dist::all_gather(outs, in);
  EXPECT_TRUE(gathered->get_future()->done());
  ASSERT_EQ(int(gathered->get_future()->tensors().size()), world());
  EXPECT_EQ(values(gathered->get_future()->tensors()[size_t(world() - 1)])[0], world() - 1);

  // A point-to-point Work's future completes through wait().
  const int next = (rank() + 1) % world(), prev = (rank() + world() - 1) % world();
  if (world() > 1) {
    Tensor s = ember::full({3}, double(rank())), r = ember::empty({3});
    auto sw = dist::isend(s, next);
    auto rf = dist::irecv(r, prev)->get_future();
    EXPECT_EQ(values(rf->tensor())[2], prev);
    sw->wait();
  }
  // Callbacks run once, on completion, in the order added.
  auto manual = std::make_shared<dist::Future>();
  std::vector<int> order;
  manual->add_done_callback([&](dist::Future&) { order.push_back(1); });
  manual->add_done_callback([&](dist::Future&) { order.push_back(2); });
  EXPECT_TRUE(order.empty());
  manual->set_result(ember::ones({1}));
  manual->add_done_callback([&](dist::Future&) { order.push_back(3); });  // already done: runs at once
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(error_of([&] { manual->set_result(ember::ones({1})); }),
            "Error setting result: the Future is already completed");
}
