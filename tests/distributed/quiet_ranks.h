#pragma once
// GoogleTest output under mpirun: rank 0 prints the usual report; every other rank prints only
// its failed assertions, each prefixed with its rank, so a failure on rank 1 says what failed
// instead of only that the rank did.
#include <gtest/gtest.h>

#include <iostream>
#include <string>

namespace ember_test {

class FailuresOnlyPrinter : public ::testing::EmptyTestEventListener {
 public:
  explicit FailuresOnlyPrinter(int rank) : rank_(rank) {}
  // The test's name is kept here: UnitTest::current_test_info() would take the lock that
  // GoogleTest holds while it reports a result.
  void OnTestStart(const ::testing::TestInfo& test) override {
    test_ = std::string(test.test_suite_name()) + "." + test.name();
  }
  void OnTestPartResult(const ::testing::TestPartResult& r) override {
    if (!r.failed()) return;
    std::cerr << "rank " << rank_ << ": " << test_ << ": " << (r.file_name() ? r.file_name() : "?") << ":"
              << r.line_number() << ": " << r.message() << "\n";
  }

 private:
  int rank_;
  std::string test_;
};

// Call after InitGoogleTest and init_process_group.
inline void quiet_ranks_other_than_0(int rank) {
  if (rank == 0) return;
  auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
  delete listeners.Release(listeners.default_result_printer());
  listeners.Append(new FailuresOnlyPrinter(rank));
}

}  // namespace ember_test
