// LibTorch-style program 5: manual gradient surgery and checkpoints. Data-parallel
// training simulated on two shards whose gradients are averaged by assigning through
// p.grad().data() (the idiom of pytorch/examples' cpp/distributed), element writes through
// t[i] = v, in-place comparisons, clip_grad_norm_, gradient hooks, dropout, the distributed
// samplers of LibTorch, and torch::save / torch::load of a module, an optimizer, a tensor
// and a tensor vector, after which training resumes identically. Builds unchanged against
// LibTorch and against ember through ember::torch_compat.
#include <torch/torch.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>
#include <vector>

struct Model : torch::nn::Module {
  Model() {
    fc1 = register_module("fc1", torch::nn::Linear(8, 16));
    fc2 = register_module("fc2", torch::nn::Linear(16, 3));
  }
  torch::Tensor forward(torch::Tensor x) { return fc2->forward(torch::relu(fc1->forward(x))); }
  torch::nn::Linear fc1{nullptr}, fc2{nullptr};
};

void print_indices(const char* name, const std::vector<size_t>& indices) {
  std::printf("%s:", name);
  for (size_t i : indices) std::printf(" %zu", i);
  std::printf("\n");
}

int main(int argc, char** argv) {
  int64_t scale = argc > 1 ? std::atoll(argv[1]) : 1;
  torch::manual_seed(7);
  std::printf("cuda available %d, devices %zu\n", static_cast<int>(torch::cuda::is_available()),
              static_cast<size_t>(torch::cuda::device_count()));
  torch::cuda::manual_seed_all(7);

  // Three classes from the sign pattern of fixed inputs.
  auto x = torch::sin(torch::arange(0, 96 * 8, torch::kF32).view({96, 8}) * 0.37);
  auto y = (x.select(1, 0) > 0).to(torch::kI64) + (x.select(1, 1) > 0.5).to(torch::kI64);

  auto model = std::make_shared<Model>();
  torch::optim::SGD optimizer(model->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
  const int64_t num_shards = 2;

  auto train_step = [&](std::shared_ptr<Model>& m, torch::optim::SGD& opt) {
    // Each shard's gradient, summed into .grad(), then averaged in place.
    m->zero_grad();
    for (int64_t s = 0; s < num_shards; ++s) {
      auto xs = x.chunk(num_shards, 0)[s];
      auto ys = y.chunk(num_shards, 0)[s];
      auto loss = torch::nn::functional::cross_entropy(m->forward(xs), ys);
      loss.backward();
    }
    for (auto& param : m->named_parameters()) param.value().grad().data() = param.value().grad().data() / num_shards;
    torch::nn::utils::clip_grad_norm_(m->parameters(), 5.0);
    opt.step();
  };

  // The averaged shard gradients equal the full batch's gradient.
  model->zero_grad();
  for (int64_t s = 0; s < num_shards; ++s)
    torch::nn::functional::cross_entropy(model->forward(x.chunk(num_shards, 0)[s]), y.chunk(num_shards, 0)[s])
        .backward();
  for (auto& param : model->named_parameters()) param.value().grad().data() = param.value().grad().data() / num_shards;
  auto averaged = model->fc1->weight.grad().clone();
  model->zero_grad();
  torch::nn::functional::cross_entropy(model->forward(x), y).backward();
  std::printf("shard-averaged gradient matches full batch: max diff %.7f\n",
              (averaged - model->fc1->weight.grad()).abs().max().item<float>());

  for (int64_t step = 1; step <= 30 * scale; ++step) {
    train_step(model, optimizer);
    if (step % 10 == 0) {
      torch::NoGradGuard no_grad;
      auto logits = model->forward(x);
      auto loss = torch::nn::functional::cross_entropy(logits, y);
      auto guess = logits.argmax(1);
      auto correct = torch::sum(guess.eq_(y));
      std::printf("step %ld loss %.5f correct %ld\n", static_cast<long>(step), loss.item<float>(),
                  static_cast<long>(correct.item<int64_t>()));
    }
  }

  // Checkpoint everything, then continue from the checkpoint in fresh objects.
  auto dir = std::filesystem::temp_directory_path() / torch::str("compat_surgery_", getpid());
  std::filesystem::create_directories(dir);
  auto path = [&](const char* name) { return (dir / name).string(); };
  torch::save(model, path("model.pt"));
  torch::save(optimizer, path("optimizer.pt"));
  torch::save(x, path("x.pt"));
  std::vector<torch::Tensor> both = {x, y};
  torch::save(both, path("xy.pt"));

  auto restored = std::make_shared<Model>();
  torch::optim::SGD restored_optimizer(restored->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
  torch::load(restored, path("model.pt"));
  torch::load(restored_optimizer, path("optimizer.pt"));
  torch::Tensor x_loaded;
  torch::load(x_loaded, path("x.pt"));
  std::vector<torch::Tensor> xy_loaded;
  torch::load(xy_loaded, path("xy.pt"));
  std::printf("loaded x equal %d, vector of %zu equal %d %d\n", static_cast<int>(x_loaded.equal(x)), xy_loaded.size(),
              static_cast<int>(xy_loaded[0].equal(x)), static_cast<int>(xy_loaded[1].equal(y)));
  for (int step = 1; step <= 5; ++step) {
    train_step(model, optimizer);
    train_step(restored, restored_optimizer);
  }
  std::printf("resumed training max param diff %.7f\n",
              (model->fc2->weight - restored->fc2->weight).abs().max().item<float>());
  std::filesystem::remove_all(dir);

  // Element writes through temporaries, in-place comparisons, data<T>().
  auto t = torch::zeros({3, 4});
  t[1] = torch::ones({4}) * 2;
  t[2][3] = 7;
  t.select(0, 0).fill_(-1);
  auto mask = t.clone();
  mask.gt_(0);
  float* data = t.data<float>();
  std::printf("t sum %.1f, t[2][3] %.1f, positives %.0f, first %.1f\n", t.sum().item<float>(), data[11],
              mask.sum().item<float>(), data[0]);
  auto u = torch::arange(6, torch::kF64);
  u.lt_(3);
  std::printf("lt_ keeps dtype double %d, values %.0f %.0f\n", static_cast<int>(u.dtype() == torch::kF64),
              u[0].item<double>(), u[5].item<double>());

  // A gradient hook that halves the gradient.
  auto h = torch::ones({3}, torch::requires_grad());
  h.register_hook([](torch::Tensor g) { return g * 0.5; });
  (h * h).sum().backward();
  std::printf("hooked grad %.2f %.2f %.2f\n", h.grad()[0].item<float>(), h.grad()[1].item<float>(),
              h.grad()[2].item<float>());

  // Dropout draws from the default generator.
  auto dropped = torch::dropout(torch::ones({1000}), 0.3, /*train=*/true);
  std::printf("dropout kept %ld of 1000\n", static_cast<long>(dropped.ne(0).sum().item<int64_t>()));
  std::printf("dtype names: %s\n", torch::str(torch::kF32, " ", torch::kI64, " ", torch::kU8).c_str());

  // LibTorch's distributed samplers: contiguous blocks per replica.
  for (size_t rank = 0; rank < 3; ++rank) {
    torch::data::samplers::DistributedRandomSampler random(10, 3, rank, /*allow_duplicates=*/true);
    random.set_epoch(2);
    random.reset();
    std::vector<size_t> indices;
    while (auto batch = random.next(4)) indices.insert(indices.end(), batch->begin(), batch->end());
    print_indices(torch::str("random rank ", rank).c_str(), indices);
    torch::data::samplers::DistributedSequentialSampler sequential(10, 3, rank, /*allow_duplicates=*/false);
    std::vector<size_t> seq;
    while (auto batch = sequential.next(2)) seq.insert(seq.end(), batch->begin(), batch->end());
    print_indices(torch::str("sequential rank ", rank).c_str(), seq);
  }
  std::printf("done\n");
  return 0;
}
