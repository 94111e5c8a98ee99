// ember's main job: train a CNN on Fashion-MNIST, as a LibTorch user would write it.
//
// Data comes through FashionMNIST + Normalize + a multi-worker DataLoader, each epoch shows
// a progress bar with the running loss and accuracy, then prints train loss/accuracy and
// test accuracy, and writes a checkpoint in PyTorch's .pt format (torch.load reads it):
// {"model": state_dict, "optimizer": state_dict, "epoch", "best_accuracy", "rng_state"}.
// --resume PATH continues from such a checkpoint: weights, optimiser state and the random
// generator (so the next epochs shuffle as an uninterrupted run would) come back, and the
// loss curve goes on as if the run had never stopped.
// It logs to TensorBoard (docs/tensorboard.md) under --logdir (default
// runs/<date>_<host>): train loss and accuracy and the learning rate every step, test
// accuracy every epoch, weight histograms, a grid of sample images and the model's graph;
// `ember-board --logdir runs` shows them. --no-tensorboard turns logging off.
// benchmarks/train_fashion_mnist_torch.py is the same program for PyTorch.
//
// Data-parallel: launched as N processes (`mpirun -np 2 train_fashion_mnist ...` or
// `ember-run --nproc-per-node 2 train_fashion_mnist ...`), it joins the process group, each
// rank trains on its shard of every epoch (DistributedRandomSampler, set_epoch each epoch)
// with batch-size / N images per step, so the global batch and the number of steps are one
// process's, through nn::parallel::DistributedDataParallel; losses and accuracies are summed
// over ranks, and only rank 0 prints the bar and writes the checkpoint and the logs.
//
//   build/release/examples/train_fashion_mnist [--epochs 3] [--batch-size 64] [--lr 0.001]
//       [--threads N] [--workers 2] [--data DIR] [--out FILE] [--seed 0] [--limit N]
//       [--resume CHECKPOINT] [--logdir DIR] [--no-tensorboard] [--amp]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include <ember/distributed/ddp.h>
#include <ember/ember.h>
#include <ember/utils/tensorboard/summary_writer.h>

using namespace ember;
namespace F = ember::nn::functional;

namespace {

struct Args {
  int epochs = 3;
  int64_t batch_size = 64;
  double lr = 1e-3;
  int threads = 0;   // 0: ember's default (every core)
  int workers = 2;
  int64_t limit = 0;  // train on the first N images only (the tests use it)
  uint64_t seed = 0;
  std::string data = data::datasets::FashionMNIST::kDefaultRoot;
  std::string out = "fashion_mnist_cnn.pt";
  std::string resume;  // a checkpoint written by this program (or its Python twins)
  std::string logdir;  // TensorBoard run directory; empty: runs/<date>_<host>
  bool tensorboard = true;
  bool amp = false;  // bfloat16 autocast on the forward pass and the loss (docs/amp.md)
};

[[noreturn]] void usage(int code) {
  std::printf(
      "usage: train_fashion_mnist [--epochs N] [--batch-size N] [--lr X] [--threads N] [--workers N]\n"
      "                           [--data DIR] [--out FILE] [--seed N] [--limit N] [--resume CHECKPOINT]\n"
      "                           [--logdir DIR] [--no-tensorboard] [--amp]\n");
  std::exit(code);
}

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "missing value for %s\n", k.c_str());
        usage(2);
      }
      return argv[++i];
    };
    if (k == "--epochs") a.epochs = std::stoi(next());
    else if (k == "--batch-size") a.batch_size = std::stoll(next());
    else if (k == "--lr") a.lr = std::stod(next());
    else if (k == "--threads") a.threads = std::stoi(next());
    else if (k == "--workers") a.workers = std::stoi(next());
    else if (k == "--limit") a.limit = std::stoll(next());
    else if (k == "--seed") a.seed = std::stoull(next());
    else if (k == "--data") a.data = next();
    else if (k == "--out") a.out = next();
    else if (k == "--resume") a.resume = next();
    else if (k == "--logdir") a.logdir = next();
    else if (k == "--no-tensorboard") a.tensorboard = false;
    else if (k == "--amp") a.amp = true;
    else if (k == "--help" || k == "-h") usage(0);
    else {
      std::fprintf(stderr, "unknown argument %s\n", k.c_str());
      usage(2);
    }
  }
  return a;
}

// The W4 network of the benchmarks: two conv blocks and a two-layer classifier.
struct NetImpl : nn::Module {
  NetImpl() {
    conv1 = register_module("conv1", nn::Conv2d(1, 32, 3));
    conv2 = register_module("conv2", nn::Conv2d(32, 64, 3));
    fc1 = register_module("fc1", nn::Linear(64 * 5 * 5, 128));
    fc2 = register_module("fc2", nn::Linear(128, 10));
  }
  Tensor forward(Tensor x) {
    x = max_pool2d(relu(conv1(x)), 2);
    x = max_pool2d(relu(conv2(x)), 2);
    x = relu(fc1(x.flatten(1)));
    return fc2(x);
  }
  nn::Conv2d conv1{nullptr}, conv2{nullptr};
  nn::Linear fc1{nullptr}, fc2{nullptr};
};
EMBER_MODULE(Net);

// Started by mpirun or ember-run with more than one process.
bool launched_data_parallel() {
  for (const char* var : {"WORLD_SIZE", "OMPI_COMM_WORLD_SIZE"}) {
    const char* v = std::getenv(var);
    if (v && std::atoi(v) > 1) return true;
  }
  return false;
}

// Sums the values over ranks (a no-op in one process).
void sum_over_ranks(std::vector<double>& values, bool data_parallel) {
  if (!data_parallel) return;
  Tensor t = from_blob(values.data(), {static_cast<int64_t>(values.size())}, kFloat64).clone();
  distributed::all_reduce(t);
  for (size_t i = 0; i < values.size(); ++i) values[i] = t[static_cast<int64_t>(i)].item<double>();
}

}  // namespace

int main(int argc, char** argv) {
  Args args = parse(argc, argv);
  if (args.threads > 0) set_num_threads(args.threads);
  manual_seed(args.seed);
  const bool data_parallel = launched_data_parallel();
  if (data_parallel) distributed::init_process_group();
  const int rank = data_parallel ? distributed::get_rank() : 0;
  const int world = data_parallel ? distributed::get_world_size() : 1;
  const bool main_rank = rank == 0;
  if (args.batch_size % world != 0) {
    std::fprintf(stderr, "--batch-size %lld is not divisible by the %d processes\n",
                 static_cast<long long>(args.batch_size), world);
    return 2;
  }
  const int64_t local_batch = args.batch_size / world;  // the global batch is one process's
  // Only rank 0 shows progress.
  std::FILE* bar_out = main_rank ? stderr : std::fopen("/dev/null", "w");

  using data::datasets::FashionMNIST;
  // Fashion-MNIST's pixel mean and standard deviation.
  auto normalize = data::transforms::Normalize<>(0.2860, 0.3530);
  FashionMNIST train_set(args.data, /*train=*/true), test_set(args.data, /*train=*/false);
  std::vector<size_t> train_indices(train_set.size().value());
  for (size_t i = 0; i < train_indices.size(); ++i) train_indices[i] = i;
  if (args.limit > 0 && static_cast<size_t>(args.limit) < train_indices.size()) train_indices.resize(args.limit);
  auto train_data = data::datasets::Subset<FashionMNIST>(std::move(train_set), train_indices).map(normalize);
  auto test_data = std::move(test_set).map(normalize);

  auto train_options = data::DataLoaderOptions().batch_size(local_batch).num_workers(static_cast<size_t>(args.workers));
  auto test_options = data::DataLoaderOptions().batch_size(1000).num_workers(static_cast<size_t>(args.workers));
  // Data-parallel: each rank a disjoint shard of a permutation every rank draws alike.
  std::shared_ptr<data::samplers::DistributedRandomSampler> train_sampler;
  if (data_parallel) {
    train_sampler = std::make_shared<data::samplers::DistributedRandomSampler>(train_indices.size(), world, rank);
    train_options.sampler(train_sampler);
    test_options.sampler(std::make_shared<data::samplers::DistributedSampler>(test_data.size().value(), world, rank,
                                                                              /*shuffle=*/false));
  } else {
    train_options.shuffle(true);
  }
  data::DataLoader train_loader(train_data, train_options);
  data::DataLoader test_loader(test_data, test_options);

  Net model;
  optim::Adam optimizer(model->parameters(), optim::AdamOptions(args.lr));
  int first_epoch = 1;
  double best_accuracy = 0;
  if (!args.resume.empty()) {
    IValue checkpoint = load(args.resume);
    auto& entries = checkpoint.toDict();
    model->load_state_dict(to_state_dict(entries.at("model")));
    optimizer.load_state_dict(entries.at("optimizer"));
    default_generator().set_state(entries.at("rng_state").toTensor());
    first_epoch = static_cast<int>(entries.at("epoch").toInt()) + 1;
    best_accuracy = entries.at("best_accuracy").toDouble();
    std::printf("resumed from %s after epoch %d (best test accuracy %.4f)\n", args.resume.c_str(), first_epoch - 1,
                best_accuracy);
  }
  // Every rank checks it holds the same model, then takes rank 0's weights.
  std::optional<nn::parallel::DistributedDataParallel> ddp;
  if (data_parallel) ddp.emplace(model);
  if (main_rank) {
    std::printf("%s\n", model->repr().c_str());
    std::printf("training on %zu images, testing on %zu, batch size %lld, %d epochs, %d threads, %d workers\n",
                train_indices.size(), test_data.size().value(), static_cast<long long>(args.batch_size),
                args.epochs, get_num_threads(), args.workers);
    if (data_parallel)
      std::printf("data-parallel over %d processes (%s): %lld images per process per step\n", world,
                  (*ddp)->process_group()->backend_name().c_str(), static_cast<long long>(local_batch));
    if (args.amp) std::printf("mixed precision: bfloat16 autocast on the forward pass and the loss\n");
  }

  // TensorBoard logging: every add_* queues its event for a background thread, so the
  // per-step calls cost microseconds (docs/tensorboard.md).
  namespace tb = ember::utils::tensorboard;
  std::unique_ptr<tb::SummaryWriter> writer;
  int64_t step = 0;
  if (args.tensorboard && main_rank) {
    writer = std::make_unique<tb::SummaryWriter>(args.logdir);
    std::printf("logging to TensorBoard in %s\n", writer->get_logdir().c_str());
    // A grid of the first 32 test images (normalisation undone: pixels in [0, 1]) and the
    // graph of one forward pass. Read from the dataset, not a loader, so that no random
    // numbers are drawn and a logged run trains exactly as an unlogged one.
    std::vector<Tensor> images;
    for (size_t i = 0; i < 32; ++i) images.push_back(test_data.get(i).data);
    Tensor samples = stack(images);
    writer->add_images("samples", samples.mul(0.3530).add(0.2860), 0);
    writer->add_graph(model, samples);
    writer->add_text("config", "batch size " + std::to_string(args.batch_size) + ", lr " + std::to_string(args.lr) +
                                   ", epochs " + std::to_string(args.epochs) + ", seed " + std::to_string(args.seed));
    step = static_cast<int64_t>(first_epoch - 1) * static_cast<int64_t>((train_indices.size() + args.batch_size - 1) /
                                                                        args.batch_size);
  }

  double test_accuracy = 0;
  auto start = std::chrono::steady_clock::now();
  for (int epoch = first_epoch; epoch <= args.epochs; ++epoch) {
    model->train();
    if (train_sampler) train_sampler->set_epoch(static_cast<size_t>(epoch));
    double loss_sum = 0;
    int64_t correct = 0, seen = 0;
    auto bar = tqdm(train_loader, "epoch " + std::to_string(epoch), bar_out);
    for (auto& batch : bar) {
      optimizer.zero_grad();
      Tensor logits, loss;
      {
        // --amp: convolutions and linear layers in bfloat16, the loss in float32; backward and
        // the optimiser step run outside the region, on float32 parameters and gradients.
        std::optional<autocast::AutocastGuard> amp;
        if (args.amp) amp.emplace(kCPU);
        logits = ddp ? (*ddp)(batch.data) : model(batch.data);
        loss = F::cross_entropy(logits, batch.target);
      }
      loss.backward();
      optimizer.step();
      int64_t n = batch.target.size(0);
      const double batch_loss = loss.item<double>();
      const int64_t batch_correct = logits.argmax(1).eq(batch.target).sum().item<int64_t>();
      loss_sum += batch_loss * static_cast<double>(n);
      correct += batch_correct;
      seen += n;
      if (writer) {
        writer->add_scalar("train/loss", batch_loss, step);
        writer->add_scalar("train/accuracy", static_cast<double>(batch_correct) / static_cast<double>(n), step);
        writer->add_scalar("train/lr", optimizer.param_groups()[0].options().get_lr(), step);
      }
      ++step;
      bar.set_postfix({{"loss", loss_sum / static_cast<double>(seen)},
                       {"acc", static_cast<double>(correct) / static_cast<double>(seen)}});
    }
    bar.close();

    model->eval();
    NoGradGuard no_grad;
    std::optional<autocast::AutocastGuard> amp;
    if (args.amp) amp.emplace(kCPU);
    int64_t test_correct = 0, test_seen = 0;
    for (auto& batch : test_loader) {
      test_correct += model(batch.data).argmax(1).eq(batch.target).sum().item<int64_t>();
      test_seen += batch.target.size(0);
    }
    // Over every rank: the epoch's train metrics and the test counts.
    std::vector<double> totals{loss_sum, static_cast<double>(correct), static_cast<double>(seen),
                               static_cast<double>(test_correct), static_cast<double>(test_seen)};
    sum_over_ranks(totals, data_parallel);
    loss_sum = totals[0];
    correct = static_cast<int64_t>(totals[1]);
    seen = static_cast<int64_t>(totals[2]);
    test_accuracy = totals[3] / totals[4];
    best_accuracy = std::max(best_accuracy, test_accuracy);
    if (!main_rank) continue;
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("epoch %d: train loss %.4f, train accuracy %.4f, test accuracy %.4f (%.1f s)\n", epoch,
                loss_sum / static_cast<double>(seen), static_cast<double>(correct) / static_cast<double>(seen),
                test_accuracy, elapsed);
    std::fflush(stdout);
    if (writer) {
      writer->add_scalar("test/accuracy", test_accuracy, epoch);
      for (const auto& p : model->named_parameters()) writer->add_histogram("weights/" + p.key(), p.value(), epoch);
      writer->flush();
    }

    // The checkpoint after every epoch (atomically replaced: Note [Atomic save]); the wrapped
    // model's own state_dict, so one process can resume a data-parallel run and vice versa.
    pickle::Value checkpoint = pickle::Value::dict();
    auto& entries = checkpoint.to_dict();
    entries.set(pickle::Value::string("model"), state_dict_value(*model));
    entries.set(pickle::Value::string("optimizer"), pickle::Value::from_ivalue(optimizer.state_dict()));
    entries.set(pickle::Value::string("epoch"), pickle::Value::integer(epoch));
    entries.set(pickle::Value::string("best_accuracy"), pickle::Value::floating(best_accuracy));
    entries.set(pickle::Value::string("rng_state"), pickle::Value::tensor(default_generator().get_state()));
    save(checkpoint, args.out);
  }
  if (data_parallel) {
    ddp.reset();
    distributed::destroy_process_group();
  }
  if (bar_out && bar_out != stderr) std::fclose(bar_out);
  if (!main_rank) return 0;
  std::printf("saved checkpoint to %s (final test accuracy %.4f)\n", args.out.c_str(), test_accuracy);
  if (writer) {
    writer->close();
    std::string dir = writer->get_logdir();
    auto slash = dir.rfind('/');
    std::printf("to see the curves: ember-board --logdir %s\n", slash == std::string::npos ? "." : dir.substr(0, slash).c_str());
  }
  return 0;
}
