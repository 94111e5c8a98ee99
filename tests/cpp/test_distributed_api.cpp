// ember::distributed without a launcher (the collectives themselves run under mpirun:
// tests/distributed/). Also the whole check in a build without MPI (EMBER_WITH_MPI=OFF).
#include <gtest/gtest.h>

#include <ember/ember.h>

#include "error_of.h"

namespace dist = ember::distributed;

TEST(DistributedApi, UninitialisedDefaultGroup) {
  ASSERT_FALSE(dist::is_initialized());
  const std::string msg =
      "Default process group has not been initialized, please make sure to call init_process_group.";
  EXPECT_EQ(error_of([] { dist::default_group(); }), msg);
  EXPECT_EQ(error_of([] { dist::get_rank(); }), msg);
  EXPECT_EQ(error_of([] { dist::get_world_size(); }), msg);
  ember::Tensor t = ember::ones({2});
  EXPECT_EQ(error_of([&] { dist::all_reduce(t); }), msg);
  EXPECT_EQ(error_of([&] { dist::send(t, 1); }), msg);
  EXPECT_EQ(error_of([] { dist::new_group({0}); }), msg);
}

TEST(DistributedApi, BackendChoice) {
  dist::InitOptions o;
  o.backend = "nccl";
  EXPECT_EQ(error_of([&] { dist::init_process_group(o); }), "Distributed package doesn't have NCCL built in; ember's backend is 'mpi'");
  o.backend = "tcp";
  EXPECT_THROW(dist::init_process_group(o), ember::ValueError);
  if (!dist::is_mpi_available()) {
    EXPECT_NE(error_of([] { dist::init_process_group(); }).find("Distributed package doesn't have MPI built in"),
              std::string::npos);
  }
  EXPECT_FALSE(dist::is_initialized());
}

TEST(DistributedApi, WorkCompletesOnce) {
  dist::Work ok("all_reduce(SUM) of float32[2]");
  EXPECT_FALSE(ok.is_completed());
  ok.complete();
  ok.complete(std::make_exception_ptr(dist::DistBackendError("late")));  // ignored: already complete
  EXPECT_TRUE(ok.is_completed());
  EXPECT_TRUE(ok.is_success());
  ok.wait();
  dist::Work bad("barrier");
  bad.complete(std::make_exception_ptr(dist::DistTimeoutError("timed out")));
  EXPECT_FALSE(bad.is_success());
  EXPECT_THROW(bad.wait(), dist::DistTimeoutError);
  EXPECT_THROW(bad.wait(), dist::DistBackendError);  // the same error each time, and a subclass
  EXPECT_STREQ(dist::reduce_op_name(dist::ReduceOp::BXOR), "BXOR");
}
