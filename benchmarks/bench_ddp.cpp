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
//   ddp_local  DDP over a group of this rank alone: buckets, hooks and gradient copies, no
//              communication (DDP's own cost on top of backward)
//   *_cpu      CPU time of the process (all threads) per step, the busier rank's median;
//              MPI's polling counts too, so for an all-reduce it bounds the copying from above
// Prints one JSON line per model from rank 0.
//
//   mpirun -np 2 build/release/benchmarks/bench_ddp [--steps 30] [--model mlp|cnn|all]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
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

// CPU time of the whole process (every thread), ms.
double cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct Times {
  double wall_ms;  // the slower rank's median
  double cpu_ms;   // the busier rank's median CPU time of the process (all its threads)
};

// Medians over `steps` (after 3 warm-ups) of the time of `timed`, each step after `setup`.
template <class Setup, class Timed>
Times measure_both(int steps, Setup setup, Timed timed) {
  std::vector<double> times, cpu;
  for (int i = 0; i < steps + 3; ++i) {
    setup();
    dist::barrier();
    double c0 = cpu_ms(), t0 = now_ms();
    timed();
    double t = now_ms() - t0, c = cpu_ms() - c0;
    if (i >= 3) times.push_back(t), cpu.push_back(c);
  }
  // Every rank reports the slower rank's time (a step ends when the last rank is done).
  Tensor m = full({2}, 0.0, kFloat64);
  m.data_ptr<double>()[0] = median(times);
  m.data_ptr<double>()[1] = median(cpu);
  dist::all_reduce(m, dist::ReduceOp::MAX);
  return {m.data_ptr<double>()[0], m.data_ptr<double>()[1]};
}

template <class Setup, class Timed>
double measure(int steps, Setup setup, Timed timed) {
  return measure_both(steps, setup, timed).wall_ms;
}

template <class Holder>
void run(const std::string& name, Holder model, Tensor x, Tensor y, int steps, const dist::ProcessGroupPtr& self) {
  auto loss_of = [&](auto& net) { return F::cross_entropy(net(x), y); };
  Tensor loss;
  // Backward alone.
  Times bwd = measure_both(
      steps,
      [&] {
        model->zero_grad();
        loss = loss_of(model);
      },
      [&] { loss.backward(); });
  // DDP, default buckets and one bucket.
  auto ddp_time = [&](double cap_mb, std::vector<int64_t>* bucket_bytes, dist::ProcessGroupPtr group = nullptr) {
    nn::parallel::DistributedDataParallel ddp(model, group,
                                              nn::parallel::DistributedDataParallelOptions().bucket_cap_mb(cap_mb));
    Times t = measure_both(
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
  Times ddp = ddp_time(25, &buckets);
  double one_bucket = ddp_time(1e6, nullptr).wall_ms;
  // The same DDP over a group of this rank alone: buckets, hooks and copies, no communication.
  double ddp_local = ddp_time(25, nullptr, self).wall_ms;
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
  Times comm_all = measure_both(steps, [] {}, [&] { dist::all_reduce(all, dist::ReduceOp::AVG); });
  double comm_last = measure(steps, [] {}, [&] { dist::all_reduce(last, dist::ReduceOp::AVG); });
  if (dist::get_rank() == 0) {
    std::string sizes;
    for (int64_t b : buckets) sizes += (sizes.empty() ? "" : ", ") + std::to_string(b);
    std::printf(
        "{\"model\": \"%s\", \"params_bytes\": %lld, \"bucket_bytes\": [%s], \"bwd_ms\": %.3f, \"ddp_ms\": %.3f, "
        "\"one_bucket_ms\": %.3f, \"bwd_then_sync_ms\": %.3f, \"comm_all_ms\": %.3f, \"comm_last_ms\": %.3f, "
        "\"ddp_local_ms\": %.3f, \"bwd_cpu_ms\": %.3f, \"ddp_cpu_ms\": %.3f, \"comm_all_cpu_ms\": %.3f}\n",
        name.c_str(), static_cast<long long>(total), sizes.c_str(), bwd.wall_ms, ddp.wall_ms, one_bucket, bwd_then_sync,
        comm_all.wall_ms, comm_last, ddp_local, bwd.cpu_ms, ddp.cpu_ms, comm_all.cpu_ms);
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
  // One group per rank, of that rank alone (new_group is collective: every rank creates each).
  dist::ProcessGroupPtr self;
  for (int r = 0; r < dist::get_world_size(); ++r)
    if (auto g = dist::new_group({r})) self = g;
  if (which == "all" || which == "mlp") run("mlp", Mlp(), randn({64, 784}), randint(0, 10, {64}), steps, self);
  if (which == "all" || which == "cnn") run("cnn", Cnn(), randn({32, 1, 28, 28}), randint(0, 10, {32}), steps, self);
  dist::destroy_process_group();
  return 0;
}
