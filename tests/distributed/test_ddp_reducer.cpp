// DistributedDataParallel's reducer in one process, against a mirror process group
// (fake_process_group.h): buckets, launch order and overlap, gradient views, no_sync,
// unused parameters. Training across real ranks: tests/distributed/test_ddp.cpp (mpirun).
#include <gtest/gtest.h>

#include <ember/distributed/ddp.h>
#include <ember/ember.h>

#include "tests/cpp/error_of.h"
#include "tests/distributed/fake_process_group.h"

using namespace ember;
namespace nn = ember::nn;
using ember::nn::parallel::DistributedDataParallel;
using ember::nn::parallel::DistributedDataParallelOptions;
using ember::testing::MirrorProcessGroup;

namespace {

struct MlpImpl : nn::Module {
  MlpImpl() {
    fc1 = register_module("fc1", nn::Linear(8, 16));
    fc2 = register_module("fc2", nn::Linear(16, 16));
    fc3 = register_module("fc3", nn::Linear(16, 4));
  }
  Tensor forward(const Tensor& x) { return fc3(relu(fc2(relu(fc1(x))))); }
  nn::Linear fc1{nullptr}, fc2{nullptr}, fc3{nullptr};
};
EMBER_MODULE(Mlp);

// b is registered but never used by forward.
struct UnusedImpl : nn::Module {
  UnusedImpl() {
    a = register_module("a", nn::Linear(3, 3));
    b = register_module("b", nn::Linear(3, 3));
    c = register_module("c", nn::Linear(3, 1));
  }
  Tensor forward(const Tensor& x) { return c(a(x)); }
  nn::Linear a{nullptr}, b{nullptr}, c{nullptr};
};
EMBER_MODULE(Unused);

// Tiny buckets: 104 bytes (the first one too), so every weight closes a bucket.
DistributedDataParallelOptions tiny_buckets() { return DistributedDataParallelOptions().bucket_cap_mb(1e-4); }

bool same_values(const Tensor& a, const Tensor& b) { return a.sizes() == b.sizes() && a.equal(b); }

}  // namespace

TEST(DdpReducer, BucketsInReverseParameterOrderWithSmallFirstBucket) {
  // float32 parameters of 4, 2, 4, 8, 1 elements: first bucket closes at 8 bytes, later at 16.
  std::vector<Tensor> p{zeros({4}), zeros({2}), zeros({4}), zeros({8}), zeros({1})};
  auto b = distributed::compute_bucket_assignment_by_size(p, 8, 16);
  std::vector<std::vector<size_t>> want{{4}, {3}, {1, 2}, {0}};
  EXPECT_EQ(b, want);
  // One dtype per bucket; buckets ordered by their first parameter, then reversed.
  std::vector<Tensor> q{zeros({4}), zeros({4}, kFloat64), zeros({4}), zeros({4}, kFloat64)};
  auto c = distributed::compute_bucket_assignment_by_size(q, 1 << 20, 25 << 20);
  std::vector<std::vector<size_t>> want2{{1, 3}, {0, 2}};
  EXPECT_EQ(c, want2);
  // The defaults: 1 MiB first bucket, 25 MiB after.
  std::vector<Tensor> r{zeros({300000}), zeros({10}), zeros({7000000}), zeros({10})};
  auto d = distributed::compute_bucket_assignment_by_size(r, distributed::kDefaultFirstBucketBytes,
                                                          distributed::kDefaultBucketBytesCap);
  std::vector<std::vector<size_t>> want3{{3}, {1, 2}, {0}};
  EXPECT_EQ(d, want3);
}

TEST(DdpReducer, AveragesGradientsAndLaunchesBucketsDuringBackward) {
  manual_seed(0);
  Mlp model;
  auto reference = std::dynamic_pointer_cast<MlpImpl>(model->clone());
  auto group = std::make_shared<MirrorProcessGroup>(2);
  DistributedDataParallel ddp(model, group, tiny_buckets());
  // Parameters and buffers were broadcast from rank 0 at construction.
  EXPECT_EQ(group->broadcasts, 6);
  auto& reducer = ddp->reducer();
  // fc1.weight | fc1.bias fc2.weight | fc2.bias fc3.weight | fc3.bias, reversed.
  std::vector<std::vector<size_t>> want{{5}, {3, 4}, {1, 2}, {0}};
  EXPECT_EQ(reducer.bucket_indices(), want);

  // When the first bucket is launched, fc1.weight's gradient does not exist yet: the
  // all-reduce starts in the middle of backward, not after it.
  std::vector<bool> fc1_grad_ready_at_launch;
  group->on_all_reduce = [&](const Tensor&) { fc1_grad_ready_at_launch.push_back(model->fc1->weight.grad().defined()); };
  Tensor x = randn({5, 8}), y = randn({5, 4});
  Tensor loss = mse_loss(ddp(x), y);
  loss.backward();
  ASSERT_EQ(fc1_grad_ready_at_launch.size(), reducer.bucket_indices().size());
  EXPECT_FALSE(fc1_grad_ready_at_launch.front());
  EXPECT_TRUE(fc1_grad_ready_at_launch.back());
  // Launched in bucket order, each its own buffer.
  std::vector<int64_t> numels;
  for (int64_t bytes : reducer.bucket_bytes()) numels.push_back(bytes / 4);
  EXPECT_EQ(group->all_reduce_numels, numels);

  // Every peer holds the same gradients, so the average is the local gradient.
  mse_loss(reference->forward(x), y).backward();
  auto mine = model->named_parameters();
  auto ref = reference->named_parameters();
  for (const auto& item : mine) EXPECT_TRUE(same_values(item.value().grad(), ref[item.key()].grad())) << item.key();
  // The state_dict has torch's "module." prefix.
  EXPECT_EQ(ddp->state_dict().keys().front(), "module.fc1.weight");
}

TEST(DdpReducer, GradientAsBucketView) {
  manual_seed(0);
  Mlp model;
  auto group = std::make_shared<MirrorProcessGroup>(2);
  DistributedDataParallel ddp(model, group, DistributedDataParallelOptions().gradient_as_bucket_view(true));
  ASSERT_EQ(ddp->reducer().bucket_indices().size(), 1u);
  optim::SGD opt(ddp->parameters(), optim::SGDOptions(0.1));
  Tensor x = randn({5, 8}), y = randn({5, 4});
  for (int step = 0; step < 3; ++step) {
    opt.zero_grad(/*set_to_none=*/step == 1);  // set_to_none: the next backward re-attaches the view
    mse_loss(ddp(x), y).backward();
    // The gradients are consecutive slices of one buffer, in the bucket's order (parameter
    // order at first, the order gradients arrived in from the second step on).
    auto params = model->parameters();
    const auto& bucket = ddp->reducer().bucket_indices()[0];
    ASSERT_EQ(bucket.size(), params.size());
    for (size_t k = 1; k < bucket.size(); ++k)
      EXPECT_EQ(static_cast<const char*>(params[bucket[k]].grad().data_ptr()),
                static_cast<const char*>(params[bucket[k - 1]].grad().data_ptr()) + params[bucket[k - 1]].numel() * 4);
    opt.step();
  }
}

TEST(DdpReducer, RebuildsBucketsInGradientOrderAfterTheFirstBackward) {
  for (bool views : {false, true}) {
    manual_seed(0);
    Mlp model;
    auto reference = std::dynamic_pointer_cast<MlpImpl>(model->clone());
    auto group = std::make_shared<MirrorProcessGroup>(2);
    DistributedDataParallel ddp(model, group, tiny_buckets().gradient_as_bucket_view(views));
    auto params = model->parameters();
    std::vector<size_t> order;
    for (size_t i = 0; i < params.size(); ++i)
      autograd::register_post_accumulate_grad_hook(params[i], [&order, i](const Tensor&) { order.push_back(i); });
    auto initial = ddp->reducer().bucket_indices();
    Tensor x = randn({5, 8});
    ddp(x).sum().backward();
    EXPECT_EQ(ddp->reducer().bucket_indices(), initial);
    ASSERT_EQ(order.size(), params.size());
    // The next synchronised forward packs the buckets in the order gradients arrived.
    Tensor out = ddp(x);
    std::vector<size_t> flat;
    for (const auto& b : ddp->reducer().bucket_indices()) flat.insert(flat.end(), b.begin(), b.end());
    EXPECT_EQ(flat, std::vector<size_t>(order.begin(), order.begin() + static_cast<long>(params.size())));
    EXPECT_NE(ddp->reducer().bucket_indices(), initial);
    // Gradients keep accumulating and averaging correctly through the new buckets.
    out.sum().backward();
    reference->forward(x).sum().backward();
    reference->forward(x).sum().backward();
    auto ref = reference->named_parameters();
    for (const auto& item : model->named_parameters())
      EXPECT_TRUE(allclose(item.value().grad(), ref[item.key()].grad(), 1e-6, 1e-6)) << item.key();
    if (views) {  // each bucket's gradients are consecutive slices of its new buffer
      for (const auto& b : ddp->reducer().bucket_indices())
        for (size_t k = 1; k < b.size(); ++k)
          EXPECT_EQ(static_cast<const char*>(params[b[k]].grad().data_ptr()),
                    static_cast<const char*>(params[b[k - 1]].grad().data_ptr()) + params[b[k - 1]].numel() * 4);
    }
    EXPECT_EQ(group->all_reduce_numels.size(), initial.size() + ddp->reducer().bucket_indices().size());
  }
}

TEST(DdpReducer, NoSyncAccumulatesLocallyThenReducesTheSum) {
  manual_seed(0);
  Mlp model;
  auto reference = std::dynamic_pointer_cast<MlpImpl>(model->clone());
  auto group = std::make_shared<MirrorProcessGroup>(2);
  DistributedDataParallel ddp(model, group, tiny_buckets());
  Tensor x1 = randn({5, 8}), x2 = randn({5, 8}), x3 = randn({5, 8});
  {
    auto guard = ddp->no_sync();
    EXPECT_FALSE(ddp->require_backward_grad_sync());
    ddp(x1).sum().backward();
    ddp(x2).sum().backward();
  }
  EXPECT_TRUE(ddp->require_backward_grad_sync());
  EXPECT_TRUE(group->all_reduce_numels.empty());
  ddp(x3).sum().backward();
  EXPECT_EQ(group->all_reduce_numels.size(), ddp->reducer().bucket_indices().size());
  for (const Tensor& x : {x1, x2, x3}) reference->forward(x).sum().backward();
  auto ref = reference->named_parameters();
  for (const auto& item : model->named_parameters())
    EXPECT_TRUE(allclose(item.value().grad(), ref[item.key()].grad(), 1e-6, 1e-6)) << item.key();
}

TEST(DdpReducer, UnusedParameterErrorNamesTheParameters) {
  Unused model;
  auto group = std::make_shared<MirrorProcessGroup>(2);
  DistributedDataParallel ddp(model, group);
  Tensor x = randn({4, 3});
  ddp(x).sum().backward();  // b never gets a gradient: the bucket never completes
  std::string msg = error_of([&] { ddp(x); });
  EXPECT_NE(msg.find("Expected to have finished reduction in the prior iteration before starting a new one. This "
                     "error indicates that your module has parameters that were not used in producing loss. You can "
                     "enable unused parameter detection by passing the keyword argument "
                     "`find_unused_parameters=True` to `torch.nn.parallel.DistributedDataParallel`"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("Parameter indices which did not receive grad for rank 0: 2 3\n"), std::string::npos) << msg;
  EXPECT_NE(msg.find("Parameters which did not receive grad for rank 0: b.weight, b.bias"), std::string::npos) << msg;
  // Evaluation without grad needs no reduction, so it still works.
  NoGradGuard no_grad;
  EXPECT_EQ(ddp(x).sizes(), IntArrayRef({4, 1}));
}

TEST(DdpReducer, FindUnusedParameters) {
  manual_seed(0);
  Unused model;
  auto reference = std::dynamic_pointer_cast<UnusedImpl>(model->clone());
  auto group = std::make_shared<MirrorProcessGroup>(2);
  DistributedDataParallel ddp(model, group, DistributedDataParallelOptions().find_unused_parameters(true));
  Tensor x = randn({4, 3});
  for (int step = 0; step < 2; ++step) {
    ddp->zero_grad();
    reference->zero_grad();
    ddp(x).sum().backward();
    reference->forward(x).sum().backward();
    // Unused on every rank: no gradient, as in torch; the others are averaged.
    EXPECT_FALSE(model->b->weight.grad().defined());
    EXPECT_FALSE(model->b->bias.grad().defined());
    EXPECT_TRUE(same_values(model->a->weight.grad(), reference->a->weight.grad()));
    EXPECT_TRUE(same_values(model->c->bias.grad(), reference->c->bias.grad()));
  }
  // Buckets + the used-parameter map, per step.
  EXPECT_EQ(group->all_reduce_numels.size(), 2 * (ddp->reducer().bucket_indices().size() + 1));
}

TEST(DdpReducer, WorldSizeOneReducesNothing) {
  Mlp model;
  auto group = std::make_shared<MirrorProcessGroup>(1);
  DistributedDataParallel ddp(model, group, tiny_buckets());
  ddp(randn({2, 8})).sum().backward();
  auto first = static_cast<int64_t>(ddp->reducer().bucket_indices().size());
  ddp(randn({2, 8})).sum().backward();  // after the rebuild (Note [DDP bucket rebuild])
  EXPECT_TRUE(group->all_reduce_numels.empty());
  EXPECT_EQ(ddp->reducer().num_launched_buckets(), first + static_cast<int64_t>(ddp->reducer().bucket_indices().size()));
  EXPECT_TRUE(model->fc1->weight.grad().defined());
}

TEST(DdpReducer, RefusesModulesWithoutParametersAndMissingGroups) {
  auto group = std::make_shared<MirrorProcessGroup>(2);
  nn::ReLU relu_module;
  EXPECT_NE(error_of([&] { DistributedDataParallel d(relu_module, group); })
                .find("DistributedDataParallel is not needed when a module doesn't have any parameter that requires a "
                      "gradient."),
            std::string::npos);
  Mlp model;
  EXPECT_NE(error_of([&] { DistributedDataParallel d(model); }).find("Default process group has not been initialized"),
            std::string::npos);
}

TEST(AutogradHooks, PostAccumulateGradHookAndFinalCallback) {
  Tensor w = ones({3}).requires_grad_();
  std::vector<std::string> events;
  uint64_t h = autograd::register_post_accumulate_grad_hook(w, [&](const Tensor& leaf) {
    events.push_back("hook " + std::to_string(leaf.grad().sum().item<float>()));
    autograd::queue_callback([&] { events.push_back("callback"); });
  });
  (w * 2).sum().backward();
  std::vector<std::string> want{"hook 6.000000", "callback"};
  EXPECT_EQ(events, want);
  autograd::remove_post_accumulate_grad_hook(w, h);
  (w * 2).sum().backward();
  EXPECT_EQ(events.size(), 2u);
  EXPECT_NE(error_of([] { autograd::queue_callback([] {}); }).find("Final callbacks can only be installed during backward pass."),
            std::string::npos);
}
