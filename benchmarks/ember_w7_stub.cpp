// W7 placeholder: reductions come from another branch. Configure with
// -DEMBER_BENCH_REDUCTIONS=ON after merging it to build ember_w7_sum.cpp instead.
#include <cstdio>

#include "ember_workloads.h"

namespace ember_bench {

void w7() { std::fprintf(stderr, "  W7 skipped: ember_bench was built without EMBER_BENCH_REDUCTIONS\n"); }

}  // namespace ember_bench
