// DistributedDataParallel across real ranks (tests/CMakeLists.txt runs it under mpirun -np 2
// and -np 4 --oversubscribe). Every rank runs every test; a failure on any rank fails the job.
// The oracle is single-process training on the concatenated batch: every rank can build the
// whole global batch (same seed), trains a reference copy of the model on all of it, and
// compares; parameters must also be bit-identical across ranks.
// Modes (argv[1]): --hang-rank (a rank stops mid-training: the others' backward raises the
// watchdog's DistTimeoutError), --kill-rank (a rank is SIGKILLed mid-training: the job ends).
#include <gtest/gtest.h>

#include <csignal>
#include <iostream>
#include <thread>

#include <ember/distributed/ddp.h>
#include <ember/ember.h>

#include "tests/cpp/error_of.h"
#include "tests/distributed/quiet_ranks.h"

namespace dist = ember::distributed;
namespace nn = ember::nn;
namespace F = ember::nn::functional;
using ember::Tensor;
using ember::nn::parallel::DistributedDataParallel;
using ember::nn::parallel::DistributedDataParallelOptions;

namespace {

int rank() { return dist::get_rank(); }
int world() { return dist::get_world_size(); }

struct MlpImpl : nn::Module {
  explicit MlpImpl(int64_t hidden = 32, bool extra = false) {
    fc1 = register_module("fc1", nn::Linear(10, hidden));
    fc2 = register_module("fc2", nn::Linear(hidden, hidden));
    fc3 = register_module("fc3", nn::Linear(hidden, 3));
    if (extra) fc4 = register_module("fc4", nn::Linear(3, 3));
  }
  Tensor forward(const Tensor& x) { return fc3(ember::tanh(fc2(ember::relu(fc1(x))))); }
  nn::Linear fc1{nullptr}, fc2{nullptr}, fc3{nullptr}, fc4{nullptr};
};
EMBER_MODULE(Mlp);

struct CnnImpl : nn::Module {
  CnnImpl() {
    conv1 = register_module("conv1", nn::Conv2d(nn::Conv2dOptions(1, 4, 3).padding(1)));
    conv2 = register_module("conv2", nn::Conv2d(nn::Conv2dOptions(4, 8, 3).padding(1)));
    fc = register_module("fc", nn::Linear(8 * 2 * 2, 5));
  }
  Tensor forward(const Tensor& x) {
    Tensor h = ember::max_pool2d(ember::relu(conv1(x)), 2);
    h = ember::max_pool2d(ember::relu(conv2(h)), 2);
    return fc(h.flatten(1));
  }
  nn::Conv2d conv1{nullptr}, conv2{nullptr};
  nn::Linear fc{nullptr};
};
EMBER_MODULE(Cnn);

// b is never used by forward.
struct UnusedImpl : nn::Module {
  UnusedImpl() {
    a = register_module("a", nn::Linear(4, 4));
    b = register_module("b", nn::Linear(4, 4));
    c = register_module("c", nn::Linear(4, 2));
  }
  Tensor forward(const Tensor& x) { return c(ember::relu(a(x))); }
  nn::Linear a{nullptr}, b{nullptr}, c{nullptr};
};
EMBER_MODULE(Unused);

// All parameters of a module, flattened into one float tensor.
Tensor flat_params(nn::Module& m) {
  std::vector<Tensor> parts;
  for (const Tensor& p : m.parameters()) parts.push_back(p.detach().reshape({-1}));
  return ember::cat(parts);
}

// Every rank's flat parameters are equal to rank 0's, bit for bit.
void expect_identical_across_ranks(nn::Module& m) {
  Tensor mine = flat_params(m).contiguous();
  Tensor all = ember::empty({world(), mine.numel()}, mine.options());
  dist::all_gather_into_tensor(all, mine);
  for (int r = 1; r < world(); ++r) EXPECT_TRUE(all[r].equal(all[0])) << "rank " << r << " differs from rank 0";
}

// The global batch of a step: the same on every rank; rank r's shard is rows [r*n, (r+1)*n).
std::pair<Tensor, Tensor> global_batch(int step, std::vector<int64_t> x_shape, int64_t classes) {
  ember::manual_seed(1000 + step);
  Tensor x = ember::randn(x_shape);
  Tensor y = ember::randint(0, classes, {x_shape[0]});
  return {x, y};
}

// Trains `model` under DDP and a reference copy on the concatenated batch for `steps` SGD
// steps (momentum, so errors would compound), then compares.
template <class Holder>
void train_and_compare(Holder model, std::vector<int64_t> per_rank_shape, int64_t classes,
                       DistributedDataParallelOptions options, int steps = 20) {
  DistributedDataParallel ddp(model, nullptr, options);
  // Construction broadcast rank 0's parameters (each rank was seeded differently).
  expect_identical_across_ranks(*model.ptr());
  auto reference = model->clone();
  ember::optim::SGD opt(ddp->parameters(), ember::optim::SGDOptions(0.05).momentum(0.9));
  ember::optim::SGD ref_opt(reference->parameters(), ember::optim::SGDOptions(0.05).momentum(0.9));
  auto* ref = dynamic_cast<typename Holder::Impl*>(reference.get());
  const int64_t n = per_rank_shape[0];
  std::vector<int64_t> global_shape = per_rank_shape;
  global_shape[0] = n * world();
  for (int step = 0; step < steps; ++step) {
    auto [x, y] = global_batch(step, global_shape, classes);
    opt.zero_grad();
    Tensor loss = F::cross_entropy(ddp(x.narrow(0, rank() * n, n)), y.narrow(0, rank() * n, n));
    loss.backward();
    opt.step();
    ref_opt.zero_grad();
    F::cross_entropy(ref->forward(x), y).backward();
    ref_opt.step();
  }
  EXPECT_TRUE(ember::allclose(flat_params(*model.ptr()), flat_params(*reference), 1e-4, 1e-5))
      << "max difference " << (flat_params(*model.ptr()) - flat_params(*reference)).abs().max().template item<float>();
  expect_identical_across_ranks(*model.ptr());
}

// Trains two copies of one model under DDP for `steps` SGD steps on the same batches, `hooked`
// with a comm hook and `plain` without; returns both flat parameter vectors.
// `reduces`: the hook leaves every rank with the same gradients (so the same parameters).
std::pair<Tensor, Tensor> train_with_and_without_hook(dist::CommHook hook, bool reduces = true, int steps = 10) {
  ember::manual_seed(40 + rank());
  Mlp plain_model, hooked_model;
  {
    ember::NoGradGuard no_grad;
    for (size_t i = 0; i < plain_model->parameters().size(); ++i)
      hooked_model->parameters()[i].copy_(plain_model->parameters()[i]);
  }
  auto options = DistributedDataParallelOptions().bucket_cap_mb(0.004);  // several buckets
  DistributedDataParallel plain(plain_model, nullptr, options), hooked(hooked_model, nullptr, options);
  hooked->register_comm_hook(std::move(hook));
  ember::optim::SGD plain_opt(plain->parameters(), ember::optim::SGDOptions(0.05).momentum(0.9));
  ember::optim::SGD hooked_opt(hooked->parameters(), ember::optim::SGDOptions(0.05).momentum(0.9));
  const int64_t n = 6;
  for (int step = 0; step < steps; ++step) {
    auto [x, y] = global_batch(step, {n * world(), 10}, 3);
    Tensor xs = x.narrow(0, rank() * n, n), ys = y.narrow(0, rank() * n, n);
    plain_opt.zero_grad();
    F::cross_entropy(plain(xs), ys).backward();
    plain_opt.step();
    hooked_opt.zero_grad();
    F::cross_entropy(hooked(xs), ys).backward();
    hooked_opt.step();
  }
  if (reduces) expect_identical_across_ranks(*hooked_model.ptr());
  return {flat_params(*hooked_model.ptr()), flat_params(*plain_model.ptr())};
}

}  // namespace

TEST(DdpCommHook, AllreduceHookGivesTheSameParametersAsNoHook) {
  int calls = 0, last = 0;
  size_t grads = 0;
  auto [hooked, plain] = train_with_and_without_hook([&](dist::GradBucket& b) {
    ++calls;
    last += b.is_last();
    EXPECT_EQ(b.gradients().size(), b.parameters().size());
    for (const Tensor& g : b.gradients()) grads += size_t(g.numel());
    return dist::ddp_comm_hooks::allreduce_hook(nullptr, b);
  });
  // Dividing before summing is exact for the power-of-two world sizes the tests run.
  EXPECT_TRUE(hooked.equal(plain)) << "max difference " << (hooked - plain).abs().max().item<float>();
  EXPECT_GT(calls, 10);              // several buckets per step
  EXPECT_EQ(last, 10);               // one last bucket per step
  EXPECT_EQ(int64_t(grads), 10 * hooked.numel());  // every gradient, once per step
}

TEST(DdpCommHook, CompressHooksMatchWithinTheirDtypesPrecision) {
  auto [fp16, plain] = train_with_and_without_hook([](dist::GradBucket& b) {
    return dist::ddp_comm_hooks::fp16_compress_hook(nullptr, b);
  });
  EXPECT_TRUE(ember::allclose(fp16, plain, 1e-2, 1e-3)) << (fp16 - plain).abs().max().item<float>();
  auto [bf16, plain2] = train_with_and_without_hook([](dist::GradBucket& b) {
    return dist::ddp_comm_hooks::bf16_compress_hook(nullptr, b);
  });
  EXPECT_TRUE(ember::allclose(bf16, plain2, 5e-2, 1e-2)) << (bf16 - plain2).abs().max().item<float>();
  // Not reduced at all would be far off: the tolerance above does distinguish.
  auto [none, plain3] = train_with_and_without_hook([](dist::GradBucket& b) {
    return dist::make_completed_future(b.buffer());
  }, /*reduces=*/false);
  if (world() > 1) {
    EXPECT_FALSE(ember::allclose(none, plain3, 1e-2, 1e-3));
  }
}

TEST(DdpCommHook, OnlyOnceAndErrorsReachBackward) {
  Mlp model;
  DistributedDataParallel ddp(model);
  ddp->register_comm_hook([](dist::GradBucket& b) { return dist::ddp_comm_hooks::allreduce_hook(nullptr, b); });
  EXPECT_EQ(error_of([&] {
              ddp->register_comm_hook([](dist::GradBucket& b) { return dist::make_completed_future(b.buffer()); });
            }),
            "register_comm_hook or register_builtin_comm_hook can only be called once.");
  Mlp other;
  DistributedDataParallel failing(other);
  failing->register_comm_hook([](dist::GradBucket& b) {
    auto f = std::make_shared<dist::Future>();
    f->set_exception(std::make_exception_ptr(ember::ValueError("hook failed on bucket " + std::to_string(b.index()))));
    return f;
  });
  EXPECT_EQ(error_of([&] { failing(ember::ones({2, 10})).sum().backward(); }), "hook failed on bucket 0");
}

TEST(DdpJoin, UnevenInputsMatchTheOneProcessReplay) {
  // Rank r trains on 3 + r batches; at iteration i the gradient is the active ranks' sum over
  // the initial world size, and every rank ends with the model of the rank that trained longest.
  auto batches_of = [](int r) { return 3 + r; };
  auto shard = [](int i, int r) {
    ember::manual_seed(1000 * i + r);
    Tensor x = ember::randn({4, 10});
    return std::make_pair(x, ember::randint(0, 3, {4}));
  };
  ember::manual_seed(77);
  Mlp model;
  auto reference_ptr = model->clone();
  auto* reference = dynamic_cast<MlpImpl*>(reference_ptr.get());
  DistributedDataParallel ddp(model, nullptr, DistributedDataParallelOptions().bucket_cap_mb(0.004));
  ember::optim::SGD opt(ddp->parameters(), ember::optim::SGDOptions(0.1).momentum(0.9));
  ddp->join([&] {
    for (int i = 0; i < batches_of(rank()); ++i) {
      auto [x, y] = shard(i, rank());
      opt.zero_grad();
      F::cross_entropy(ddp(x), y).backward();
      opt.step();
    }
  });
  ember::optim::SGD ref_opt(reference->parameters(), ember::optim::SGDOptions(0.1).momentum(0.9));
  for (int i = 0; i < batches_of(world() - 1); ++i) {
    ref_opt.zero_grad();
    Tensor loss = ember::zeros({});
    for (int r = 0; r < world(); ++r) {
      if (i >= batches_of(r)) continue;
      auto [x, y] = shard(i, r);
      loss = loss + F::cross_entropy(reference->forward(x), y);
    }
    (loss / world()).backward();
    ref_opt.step();
  }
  EXPECT_TRUE(ember::allclose(flat_params(*model.ptr()), flat_params(*reference), 1e-4, 1e-5))
      << (flat_params(*model.ptr()) - flat_params(*reference)).abs().max().item<float>();
  expect_identical_across_ranks(*model.ptr());
  // A forward under no_sync() inside join() is refused (the joined ranks could not mirror it).
  EXPECT_NE(error_of([&] {
              ddp->join([&] {
                auto guard = ddp->no_sync();
                ddp(ember::ones({2, 10}));
              });
            }).find("every forward inside join() must be synchronised"),
            std::string::npos);
}

TEST(Ddp, MlpMatchesSingleProcessTraining) {
  ember::manual_seed(rank());
  train_and_compare(Mlp(), {6, 10}, 3, DistributedDataParallelOptions());
}

TEST(Ddp, MlpSmallBucketsGradientAsBucketView) {
  ember::manual_seed(10 + rank());
  // 4 KB buckets: fc2.weight alone fills one, so several all-reduces overlap backward.
  train_and_compare(Mlp(), {6, 10}, 3,
                    DistributedDataParallelOptions().bucket_cap_mb(0.004).gradient_as_bucket_view(true));
}

TEST(Ddp, CnnMatchesSingleProcessTraining) {
  ember::manual_seed(20 + rank());
  train_and_compare(Cnn(), {4, 1, 8, 8}, 5, DistributedDataParallelOptions().bucket_cap_mb(0.001));
}

TEST(Ddp, NoSyncAccumulatesThenAverages) {
  ember::manual_seed(30 + rank());
  Mlp model;
  DistributedDataParallel ddp(model, nullptr, DistributedDataParallelOptions().bucket_cap_mb(0.004));
  auto reference = std::dynamic_pointer_cast<MlpImpl>(model->clone());
  const int64_t n = 4;
  std::vector<std::pair<Tensor, Tensor>> micro;
  for (int k = 0; k < 3; ++k) micro.push_back(global_batch(100 + k, {n * world(), 10}, 3));
  Tensor before = flat_params(*model.ptr());
  {
    auto guard = ddp->no_sync();
    for (int k = 0; k < 2; ++k)
      F::cross_entropy(ddp(micro[k].first.narrow(0, rank() * n, n)), micro[k].second.narrow(0, rank() * n, n))
          .backward();
  }
  // Nothing was reduced yet: this rank's gradient is its own sum.
  Tensor local_fc1 = model->fc1->weight.grad().clone();
  F::cross_entropy(ddp(micro[2].first.narrow(0, rank() * n, n)), micro[2].second.narrow(0, rank() * n, n))
      .backward();
  // The reference: every rank's three micro-batches, each a mean over its shard, summed per
  // rank, then averaged over ranks.
  for (int r = 0; r < world(); ++r)
    for (int k = 0; k < 3; ++k)
      F::cross_entropy(reference->forward(micro[k].first.narrow(0, r * n, n)), micro[k].second.narrow(0, r * n, n))
          .backward();
  auto ref = reference->named_parameters();
  for (const auto& item : model->named_parameters()) {
    Tensor want = ref[item.key()].grad() / world();
    EXPECT_TRUE(ember::allclose(item.value().grad(), want, 1e-5, 1e-6)) << item.key();
  }
  // The local sum under no_sync was this rank's alone (ranks had different shards).
  Tensor all = ember::empty({world(), local_fc1.numel()});
  dist::all_gather_into_tensor(all, local_fc1.reshape({-1}));
  EXPECT_FALSE(all[0].equal(all[1]));
  EXPECT_TRUE(flat_params(*model.ptr()).equal(before));
}

TEST(Ddp, FindUnusedParameters) {
  ember::manual_seed(40 + rank());
  train_and_compare(Unused(), {5, 4}, 2, DistributedDataParallelOptions().find_unused_parameters(true), 5);
}

TEST(Ddp, UnusedParametersWithoutTheFlagNameThem) {
  ember::manual_seed(50);
  Unused model;
  DistributedDataParallel ddp(model);
  Tensor x = ember::randn({3, 4});
  ddp(x).sum().backward();
  std::string msg = error_of([&] { ddp(x); });
  EXPECT_EQ(msg.find("Expected to have finished reduction in the prior iteration before starting a new one. This "
                     "error indicates that your module has parameters that were not used in producing loss."),
            0u)
      << msg;
  EXPECT_NE(msg.find("Parameters which did not receive grad for rank " + std::to_string(rank()) + ": b.weight, b.bias"),
            std::string::npos)
      << msg;
}

TEST(Ddp, DifferingShapesFailAtConstructionNamingTheParameter) {
  Mlp model(rank() == 1 ? 33 : 32);
  std::string msg = error_of([&] { DistributedDataParallel ddp(model); });
  EXPECT_EQ(msg,
            "DDP expects same model across all ranks, but the first differing parameter is index 0 (in "
            "named_parameters() order): rank 0 has 'fc1.weight' of shape [32, 10] and dtype float32, while rank 1 has "
            "'fc1.weight' of shape [33, 10] and dtype float32.");
  // The group is still usable: nothing was left half-done.
  Tensor one = ember::ones({1});
  dist::all_reduce(one);
  EXPECT_EQ(one.item<float>(), float(world()));
}

TEST(Ddp, DifferingParameterCountsFailAtConstruction) {
  Mlp model(32, /*extra=*/rank() == world() - 1);
  std::string msg = error_of([&] { DistributedDataParallel ddp(model); });
  const std::string last = std::to_string(world() - 1);
  EXPECT_EQ(msg, "DDP expects same model across all ranks, but Rank " + last +
                     " has 8 params, while rank 0 has inconsistent 6 params. The first differing parameter is index 6 "
                     "(in named_parameters() order): rank 0 has no such parameter, while rank " +
                     last + " has 'fc4.weight' of shape [3, 3] and dtype float32.");
}

TEST(Ddp, BuffersFollowRankZeroEachForward) {
  for (bool broadcast : {true, false}) {
    ember::manual_seed(60);
    Tensor xs = ember::randn({world(), 8, 4}) + ember::arange(world()).view({-1, 1, 1});
    Tensor x = xs[rank()];
    nn::Sequential model(nn::BatchNorm1d(4), nn::Linear(4, 2));
    DistributedDataParallel ddp(model.ptr(), nullptr, DistributedDataParallelOptions().broadcast_buffers(broadcast));
    ddp(x).sum().backward();  // every rank: 0.1 * mean(own batch)
    ddp(x).sum().backward();  // starts from rank 0's statistics when broadcasting
    Tensor mean = model->named_buffers()["0.running_mean"];
    Tensor start = 0.1 * (broadcast ? xs[0] : x).mean(0);
    Tensor want = 0.9 * start + 0.1 * x.mean(0);
    EXPECT_TRUE(ember::allclose(mean, want, 1e-5, 1e-6)) << "broadcast_buffers " << broadcast << ": " << mean;
  }
}

namespace {

// A rank stops calling collectives in the middle of training: the others' backward raises the
// watchdog's timeout error (naming the op) instead of hanging, then the watchdog aborts the job.
int hang_mode() {
  dist::InitOptions o;
  o.timeout = std::chrono::milliseconds(2000);
  dist::init_process_group(o);
  ember::manual_seed(0);
  Mlp model;
  DistributedDataParallel ddp(model);
  ember::optim::SGD opt(ddp->parameters(), ember::optim::SGDOptions(0.1));
  for (int step = 0;; ++step) {
    if (rank() == 1 && step == 3) {
      std::this_thread::sleep_for(std::chrono::seconds(60));
      return 0;
    }
    auto t0 = std::chrono::steady_clock::now();
    try {
      opt.zero_grad();
      F::cross_entropy(ddp(ember::randn({4, 10})), ember::randint(0, 3, {4})).backward();
      opt.step();
    } catch (const dist::DistTimeoutError& e) {
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
      std::cout << "rank " << rank() << " step " << step << ": backward raised DistTimeoutError after "
                << (ms < 5000 ? "less than 5 s" : "too long") << ": " << e.what() << std::endl;
      std::this_thread::sleep_for(std::chrono::seconds(60));  // the watchdog's MPI_Abort ends the job
      return 1;
    }
  }
}

// A rank dies (SIGKILL) in the middle of DDP training: the job ends instead of hanging.
int kill_mode() {
  dist::init_process_group();
  ember::manual_seed(0);
  Mlp model;
  DistributedDataParallel ddp(model);
  ember::optim::SGD opt(ddp->parameters(), ember::optim::SGDOptions(0.1));
  for (int step = 0;; ++step) {
    opt.zero_grad();
    F::cross_entropy(ddp(ember::randn({4, 10})), ember::randint(0, 3, {4})).backward();
    opt.step();
    if (rank() == 0 && step % 20 == 0) std::cout << "ddp step " << step << std::endl;
    if (rank() == 1 && step == 30) std::raise(SIGKILL);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "--hang-rank") return hang_mode();
  if (mode == "--kill-rank") return kill_mode();
  ::testing::InitGoogleTest(&argc, argv);
  dist::init_process_group();
  ember_test::quiet_ranks_other_than_0(dist::get_rank());
  int rc = RUN_ALL_TESTS();
  if (rc != 0) std::cerr << "rank " << dist::get_rank() << ": FAILED\n";
  dist::destroy_process_group();
  return rc;
}
