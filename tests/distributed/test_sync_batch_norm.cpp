// nn::SyncBatchNorm across ranks (linked into ember_ddp_tests, whose main initialises the
// group). The oracle is one BatchNorm over the whole batch in one process: each rank builds the
// global batch (same seed) and normalises its own, uneven, part of it (rank r holds r + 2 rows).
#include <gtest/gtest.h>

#include <ember/distributed/sync_batch_norm.h>
#include <ember/ember.h>

#include "tests/cpp/error_of.h"

namespace dist = ember::distributed;
namespace nn = ember::nn;
using ember::Tensor;

namespace {

int rank() { return dist::get_rank(); }
int world() { return dist::get_world_size(); }
int64_t rows_of(int r) { return r + 2; }
int64_t first_row(int r) {
  int64_t s = 0;
  for (int q = 0; q < r; ++q) s += rows_of(q);
  return s;
}

void expect_close(const Tensor& a, const Tensor& b, const char* what, double tol = 1e-5) {
  EXPECT_TRUE(ember::allclose(a, b, tol, tol)) << what << ": max difference " << (a - b).abs().max().item<float>();
}

// Trains `steps` forward/backward passes of a SyncBatchNorm on this rank's rows and of a
// BatchNorm (`Ref`) on the whole batch; compares outputs, input and parameter gradients and
// running statistics.
template <class Ref>
void compare_with_one_batch_norm(std::vector<int64_t> tail_shape, int steps = 3) {
  const int64_t c = tail_shape[0], total = first_row(world());
  std::vector<int64_t> shape{total};
  shape.insert(shape.end(), tail_shape.begin(), tail_shape.end());
  ember::manual_seed(7);
  Ref ref(nn::BatchNormOptions(c).momentum(0.3));
  nn::SyncBatchNorm sync(nn::BatchNormOptions(c).momentum(0.3));
  {
    ember::NoGradGuard g;
    ref->weight.copy_(ember::randn({c}));
    ref->bias.copy_(ember::randn({c}));
    sync->weight.copy_(ref->weight);
    sync->bias.copy_(ref->bias);
  }
  for (int step = 0; step < steps; ++step) {
    ember::manual_seed(100 + step);
    Tensor x = (ember::randn(shape) * 3 + 5).requires_grad_(true);  // a large mean tests stability
    Tensor r = ember::randn(shape);
    ref->zero_grad();
    sync->zero_grad();
    Tensor ref_out = ref(x);
    (ref_out * r).sum().backward();

    Tensor mine = x.detach().narrow(0, first_row(rank()), rows_of(rank())).clone().requires_grad_(true);
    Tensor out = sync(mine);
    (out * r.narrow(0, first_row(rank()), rows_of(rank()))).sum().backward();

    expect_close(out, ref_out.detach().narrow(0, first_row(rank()), rows_of(rank())), "output");
    expect_close(mine.grad(), x.grad().narrow(0, first_row(rank()), rows_of(rank())), "input gradient", 1e-4);
    // weight and bias get this rank's share; their sum over ranks is the whole batch's.
    Tensor gw = sync->weight.grad().clone(), gb = sync->bias.grad().clone();
    dist::all_reduce(gw);
    dist::all_reduce(gb);
    expect_close(gw, ref->weight.grad(), "weight gradient", 1e-4);
    expect_close(gb, ref->bias.grad(), "bias gradient", 1e-4);
    expect_close(sync->running_mean, ref->running_mean, "running_mean");
    expect_close(sync->running_var, ref->running_var, "running_var (unbiased with the group's count)");
  }
  EXPECT_EQ(sync->num_batches_tracked.item<int64_t>(), steps);
  // Eval: the running statistics, no communication (one rank alone would not hang).
  sync->eval();
  ref->eval();
  Tensor x = ember::randn(shape);
  expect_close(sync(x), ref(x), "eval output");
}

}  // namespace

TEST(SyncBatchNorm, Conv2dInputMatchesOneBatchNormOverTheWholeBatch) {
  compare_with_one_batch_norm<nn::BatchNorm2d>({3, 4, 5});
}

TEST(SyncBatchNorm, FlatInputMatchesOneBatchNormOverTheWholeBatch) {
  compare_with_one_batch_norm<nn::BatchNorm1d>({6});
}

TEST(SyncBatchNorm, Errors) {
  nn::SyncBatchNorm sync(4);
  EXPECT_EQ(error_of([&] { sync(ember::ones({4})); }), "expected at least 2D input (got 1D input)");
}
