// Transfer learning, following the notes: a model trained for a first task is the starting
// point for a second; the feature-learning layers (convolutions and pooling) keep the
// pre-trained weights and only the fully connected classifier is replaced and retrained.
//
//  1. Train a small CNN on Fashion-MNIST's first five classes (T-shirt .. Coat).
//  2. Save its state_dict as a safetensors checkpoint (PyTorch reads it with
//     safetensors.torch.load_file) and build a fresh model from the checkpoint.
//  3. Freeze the feature layers (requires_grad_(false)), replace the classifier head with a
//     new Linear for the other five classes (Sandal .. Ankle boot) and train only the head.
//  4. Check that the frozen weights did not change.
//
//   build/release/examples/transfer_learning [--train 6000] [--test 1000] [--epochs 2]
//       [--data DIR] [--checkpoint PATH]
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include <ember/ember.h>

#include "example_flags.h"

using namespace ember;
namespace F = ember::nn::functional;

namespace {

// A 3x3 convolution with padding 1 (shape-preserving), initialised as PyTorch's Conv2d.
struct Conv3x3Impl : nn::Module {
  Conv3x3Impl(int64_t in_channels, int64_t out_channels) {
    weight = register_parameter("weight", empty({out_channels, in_channels, 3, 3}));
    bias = register_parameter("bias", empty({out_channels}));
    NoGradGuard no_grad;
    nn::init::kaiming_uniform_(weight, std::sqrt(5.0));
    double bound = 1.0 / std::sqrt(static_cast<double>(in_channels * 9));
    bias.uniform_(-bound, bound);
  }
  Tensor forward(const Tensor& x) { return conv2d(x, weight, bias, /*stride=*/1, /*padding=*/1); }
  Tensor weight, bias;
};
EMBER_MODULE(Conv3x3);

// features: [N, 1, 28, 28] -> [N, 16 * 7 * 7]; classifier: -> [N, classes].
struct ConvNetImpl : nn::Module {
  explicit ConvNetImpl(int64_t classes) {
    auto relu_layer = nn::Functional([](Tensor t) { return relu(t); });
    auto pool_layer = nn::Functional([](Tensor t) { return max_pool2d(t, 2); });
    features = register_module("features", nn::Sequential(Conv3x3(1, 8), relu_layer, pool_layer, Conv3x3(8, 16),
                                                          relu_layer, pool_layer, nn::Flatten()));
    classifier = register_module("classifier", nn::Linear(16 * 7 * 7, classes));
  }
  Tensor forward(const Tensor& x) { return classifier(features->forward(x)); }
  nn::Sequential features{nullptr};
  nn::Linear classifier{nullptr};
};
EMBER_MODULE(ConvNet);

// The examples whose label is in [first, first + 5), relabelled 0..4, at most `limit`.
std::pair<Tensor, Tensor> five_classes(const data::datasets::FashionMNIST& set, int64_t first, int64_t limit) {
  Tensor labels = set.targets();
  Tensor index = labels.ge(first).logical_and(labels.lt(first + 5)).nonzero().squeeze(1);
  index = index.narrow(0, 0, std::min(limit, index.size(0)));
  return {set.images().index_select(0, index), labels.index_select(0, index) - first};
}

void train(ConvNet& model, optim::Optimizer& optimizer, const Tensor& x, const Tensor& y, int epochs,
           const char* stage) {
  data::DataLoader loader(data::datasets::TensorDataset(x, y), data::DataLoaderOptions(64).shuffle(true));
  model->train();
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    double total = 0;
    for (auto& [xb, yb] : loader) {
      Tensor loss = F::cross_entropy(model(xb), yb);
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
      total += loss.item<double>() * static_cast<double>(xb.size(0));
    }
    std::printf("%s epoch %d: train loss %.4f\n", stage, epoch, total / static_cast<double>(x.size(0)));
  }
}

double accuracy(ConvNet& model, const Tensor& x, const Tensor& y) {
  NoGradGuard no_grad;
  model->eval();
  return model(x).argmax(1).eq(y).to(kFloat32).mean().item<double>();
}

}  // namespace

int main(int argc, char** argv) {
  ExampleFlags flags(argc, argv);
  const int64_t n_train = flags.get("train", int64_t{6000});
  const int64_t n_test = flags.get("test", int64_t{1000});
  const int epochs = flags.get("epochs", 2);
  const std::string root = flags.get("data", data::datasets::FashionMNIST::kDefaultRoot);
  std::string checkpoint = flags.get("checkpoint", "");
  flags.done();
  const bool temporary = checkpoint.empty();
  if (temporary)
    checkpoint = (std::filesystem::temp_directory_path() /
                  ("ember_transfer_" + std::to_string(::getpid()) + ".safetensors")).string();
  manual_seed(0);

  data::datasets::FashionMNIST train_set(root, /*train=*/true), test_set(root, /*train=*/false);
  auto [a_train_x, a_train_y] = five_classes(train_set, 0, n_train);
  auto [a_test_x, a_test_y] = five_classes(test_set, 0, n_test);
  auto [b_train_x, b_train_y] = five_classes(train_set, 5, n_train);
  auto [b_test_x, b_test_y] = five_classes(test_set, 5, n_test);

  // 1. Task A: classes 0-4.
  ConvNet pretrained(5);
  std::printf("%s\n", pretrained->repr().c_str());
  optim::Adam adam(pretrained->parameters(), optim::AdamOptions(2e-3));
  train(pretrained, adam, a_train_x, a_train_y, epochs, "task A");
  std::printf("task A test accuracy: %.3f\n", accuracy(pretrained, a_test_x, a_test_y));

  // 2. Checkpoint round trip.
  nn::save_state_dict(*pretrained, checkpoint);
  std::printf("saved %zu tensors to %s (%ju bytes)\n", pretrained->state_dict().size(), checkpoint.c_str(),
              static_cast<uintmax_t>(std::filesystem::file_size(checkpoint)));
  ConvNet model(5);
  nn::load_state_dict(*model, checkpoint);
  if (temporary) std::filesystem::remove(checkpoint);
  {
    NoGradGuard no_grad;
    pretrained->eval();
    model->eval();
    bool same = equal(model(a_test_x), pretrained(a_test_x));
    std::printf("reloaded model gives %s outputs\n", same ? "identical" : "DIFFERENT");
  }

  // 3. Freeze the features, new head for task B (classes 5-9), train the head only.
  nn::StateDict before = model->features->state_dict();
  for (auto& p : model->features->parameters()) p.requires_grad_(false);
  model->classifier = model->replace_module("classifier", nn::Linear(16 * 7 * 7, 5));
  std::vector<Tensor> trainable;
  for (auto& p : model->parameters())
    if (p.requires_grad()) trainable.push_back(p);
  std::printf("trainable parameters: %zu tensors (the new classifier), frozen: %zu\n", trainable.size(),
              model->features->parameters().size());
  std::printf("task B accuracy before training the head: %.3f\n", accuracy(model, b_test_x, b_test_y));
  optim::Adam head_optimizer(trainable, optim::AdamOptions(2e-3));
  train(model, head_optimizer, b_train_x, b_train_y, epochs, "task B (head only)");
  std::printf("task B test accuracy with frozen features: %.3f\n", accuracy(model, b_test_x, b_test_y));

  // 4. The frozen weights are bit-for-bit what the checkpoint held.
  double max_change = 0;
  for (const auto& item : model->features->state_dict())
    max_change = std::max(max_change, (item.value() - before[item.key()]).abs().max().item<double>());
  std::printf("largest change of a frozen feature weight: %g\n", max_change);
  return 0;
}
