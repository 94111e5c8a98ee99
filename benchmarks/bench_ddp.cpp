// DDP overlap probe (benchmarks/compare_ddp.py runs it under mpirun -np 2 beside
// bench_ddp_torch.py). Per model, medians over the timed steps, every rank aligned by a
// barrier before each step, one intra-op thread per rank:
//   bwd        backward of the bare model (no DDP): the compute to hide communication behind
//   ddp        backward through DistributedDataParallel with its default buckets (25 MiB cap,
//              1 MiB first bucket): compute + the all-reduces, overlapped; ends when every
//              gradient is averaged
//   one_bucket the same with one bucket, launched when backward ends: no overlap
//   comm_all   one blocking all-reduce of every gradient (the communication to hide)
//   comm_last  one blocking all-reduce of the last bucket's size (what cannot be hidden:
//              its gradients are ready only when backward ends)
// Prints one JSON line per model from rank 0.
//
//   mpirun -np 2 build/release/benchmarks/bench_ddp [--steps 30] [--model mlp|cnn|all]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <ember/distributed/ddp.h>
#include <ember/ember.h>

using namespace ember;
namespace dist = ember::distributed;
namespace F = ember::nn::functional;

namespace {

// The reference's MLP: 784-1024-1024-10, about 1.9M parameters (7.6 MB of gradients).
struct MlpImpl : nn::Module {
  MlpImpl() {
    fc1 = register_module("fc1", nn::Linear(784, 1024));
    fc2 = register_module("fc2", nn::Linear(1024, 1024));
    fc3 = register_module("fc3", nn::Linear(1024, 10));
  }
  Tensor forward(Tensor x) { return fc3(relu(fc2(relu(fc1(x))))); }
  nn::Linear fc1{nullptr}, fc2{nullptr}, fc3{nullptr};
};
EMBER_MODULE(Mlp);

// The main job's CNN (examples/train_fashion_mnist.cpp), 225k parameters.
struct CnnImpl : nn::Module {
  CnnImpl() {
    conv1 = register_module("conv1", nn::Conv2d(1, 32, 3));
    conv2 = register_module("conv2", nn::Conv2d(32, 64, 3));
    fc1 = register_module("fc1", nn::Linear(64 * 5 * 5, 128));
    fc2 = register_module("fc2", nn::Linear(128, 10));
  }
  Tensor forward(Tensor x) {
    x = max_pool2d(relu(conv1(x)), 2);
    x = max_pool2d(relu(conv2(x)), 2);
    return fc2(relu(fc1(x.flatten(1))));
  }
  nn::Conv2d conv1{nullptr}, conv2{nullptr};
  nn::Linear fc1{nullptr}, fc2{nullptr};
};
EMBER_MODULE(Cnn);

double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Median over `steps` (after 3 warm-ups) of the time of `timed`, each step after `setup`.
template <class Setup, class Timed>
double measure(int steps, Setup setup, Timed timed) {
  std::vector<double> times;
  for (int i = 0; i < steps + 3; ++i) {
    setup();
    dist::barrier();
    double t0 = now_ms();
    timed();
    double t = now_ms() - t0;
    if (i >= 3) times.push_back(t);
  }
  // Every rank reports the slower rank's time (a step ends when the last rank is done).
  Tensor m = full({1}, median(times), kFloat64);
  dist::all_reduce(m, dist::ReduceOp::MAX);
  return m.item<double>();
}

template <class Holder>
void run(const std::string& name, Holder model, Tensor x, Tensor y, int steps) {
  auto loss_of = [&](auto& net) { return F::cross_entropy(net(x), y); };
  Tensor loss;
  // Backward alone.
  double bwd = measure(
      steps,
      [&] {
        model->zero_grad();
        loss = loss_of(model);
      },
      [&] { loss.backward(); });
  // DDP, default buckets and one bucket.
  auto ddp_time = [&](double cap_mb, std::vector<int64_t>* bucket_bytes) {
    nn::parallel::DistributedDataParallel ddp(model, nullptr,
                                              nn::parallel::DistributedDataParallelOptions().bucket_cap_mb(cap_mb));
    double t = measure(
        steps,
        [&] {
          ddp->zero_grad();
          loss = loss_of(ddp);
        },
        [&] { loss.backward(); });
    if (bucket_bytes) *bucket_bytes = ddp->reducer().bucket_bytes();  // rebuilt in gradient order
    return t;
  };
  std::vector<int64_t> buckets;
  double ddp = ddp_time(25, &buckets);
  double one_bucket = ddp_time(1e6, nullptr);
  int64_t total = 0;
  for (int64_t b : buckets) total += b;
  Tensor all = zeros({total / 4}), last = zeros({buckets.back() / 4});
  // Backward, then one blocking all-reduce of all gradients from this thread: no DDP at all.
  double bwd_then_sync = measure(
      steps,
      [&] {
        model->zero_grad();
        loss = loss_of(model);
      },
      [&] {
        loss.backward();
        dist::all_reduce(all, dist::ReduceOp::AVG);
      });
  double comm_all = measure(steps, [] {}, [&] { dist::all_reduce(all, dist::ReduceOp::AVG); });
  double comm_last = measure(steps, [] {}, [&] { dist::all_reduce(last, dist::ReduceOp::AVG); });
  if (dist::get_rank() == 0) {
    std::string sizes;
    for (int64_t b : buckets) sizes += (sizes.empty() ? "" : ", ") + std::to_string(b);
    std::printf(
        "{\"model\": \"%s\", \"params_bytes\": %lld, \"bucket_bytes\": [%s], \"bwd_ms\": %.3f, \"ddp_ms\": %.3f, "
        "\"one_bucket_ms\": %.3f, \"bwd_then_sync_ms\": %.3f, \"comm_all_ms\": %.3f, \"comm_last_ms\": %.3f}\n",
        name.c_str(), static_cast<long long>(total), sizes.c_str(), bwd, ddp, one_bucket, bwd_then_sync, comm_all,
        comm_last);
    std::fflush(stdout);
  }
}

}  // namespace

int main(int argc, char** argv) {
  int steps = 30;
  std::string which = "all";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--steps") steps = std::stoi(argv[i + 1]);
    else if (k == "--model") which = argv[i + 1];
  }
  set_num_threads(1);
  dist::init_process_group();
  manual_seed(0);
  if (which == "all" || which == "mlp") run("mlp", Mlp(), randn({64, 784}), randint(0, 10, {64}), steps);
  if (which == "all" || which == "cnn") run("cnn", Cnn(), randn({32, 1, 28, 28}), randint(0, 10, {32}), steps);
  dist::destroy_process_group();
  return 0;
}
