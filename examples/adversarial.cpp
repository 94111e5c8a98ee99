// Adversarial examples, following the notes: gradients tell us not only how to change the
// weights but also how the loss changes with the *input*. The fast gradient sign method
// (FGSM) adds a small perturbation in the direction that increases the loss,
//   x_adv = clamp(x + eps * sign(dL/dx), 0, 1),
// which changes each pixel by at most eps yet flips many predictions.
//
// A small classifier is trained on a subset of Fashion-MNIST, then attacked on test images.
//
//   build/release/examples/adversarial [--train 10000] [--test 1000] [--epochs 3] [--data DIR]
#include <cstdio>
#include <string>

#include <ember/ember.h>

#include "example_flags.h"

using namespace ember;
namespace F = ember::nn::functional;

namespace {
struct Prediction {
  int64_t label;
  double confidence;
};
Prediction predict(nn::Sequential& model, const Tensor& image) {
  NoGradGuard no_grad;
  Tensor p = softmax(model->forward(image.unsqueeze(0)), 1)[0];
  int64_t label = p.argmax().item<int64_t>();
  return {label, p[label].item<double>()};
}

// FGSM on a batch: the gradient of the loss with respect to the images, not the weights.
Tensor fgsm(nn::Sequential& model, const Tensor& images, const Tensor& labels, double eps) {
  Tensor x = images.detach().requires_grad_();
  Tensor loss = F::cross_entropy(model->forward(x), labels);
  Tensor grad = autograd::grad({loss}, {x})[0];  // leaves the weights' .grad untouched
  return (x.detach() + eps * grad.sign()).clamp(0, 1);
}

double accuracy(nn::Sequential& model, const Tensor& images, const Tensor& labels) {
  NoGradGuard no_grad;
  return model->forward(images).argmax(1).eq(labels).to(kFloat32).mean().item<double>();
}
}  // namespace

int main(int argc, char** argv) {
  ExampleFlags flags(argc, argv);
  const int64_t n_train = flags.get("train", int64_t{10000});
  const int64_t n_test = flags.get("test", int64_t{1000});
  const int epochs = flags.get("epochs", 3);
  const std::string root = flags.get("data", data::datasets::FashionMNIST::kDefaultRoot);
  flags.done();
  manual_seed(0);

  data::datasets::FashionMNIST train_set(root, /*train=*/true), test_set(root, /*train=*/false);
  const auto& classes = train_set.classes();
  Tensor train_x = train_set.images().narrow(0, 0, n_train), train_y = train_set.targets().narrow(0, 0, n_train);
  Tensor test_x = test_set.images().narrow(0, 0, n_test), test_y = test_set.targets().narrow(0, 0, n_test);

  nn::Sequential model(nn::Flatten(), nn::Linear(28 * 28, 128), nn::Functional([](Tensor t) { return relu(t); }),
                       nn::Linear(128, 10));
  optim::Adam optimizer(model->parameters(), optim::AdamOptions(1e-3));
  data::DataLoader loader(data::datasets::TensorDataset(train_x, train_y), data::DataLoaderOptions(64).shuffle(true));
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    for (auto& [x, y] : loader) {
      Tensor loss = F::cross_entropy(model->forward(x), y);
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
    }
    std::printf("epoch %d: test accuracy %.3f\n", epoch, accuracy(model, test_x, test_y));
  }

  // One image, attacked with growing eps until the prediction flips.
  int64_t index = 0;
  while (index < n_test - 1 && predict(model, test_x[index]).label != test_y[index].item<int64_t>()) ++index;
  Tensor image = test_x[index], label = test_y.narrow(0, index, 1);
  Prediction clean = predict(model, image);
  std::printf("\ntest image %lld, a %s: predicted %s with confidence %.3f\n", static_cast<long long>(index),
              classes[label.item<int64_t>()].c_str(), classes[clean.label].c_str(), clean.confidence);
  for (double eps : {0.01, 0.02, 0.05, 0.1}) {
    Tensor adv = fgsm(model, image.unsqueeze(0), label, eps)[0];
    Prediction p = predict(model, adv);
    double change = (adv - image).abs().max().item<double>();
    std::printf("  eps %.2f (max pixel change %.3f): predicted %s with confidence %.3f%s\n", eps, change,
                classes[p.label].c_str(), p.confidence, p.label != clean.label ? "  <- prediction flipped" : "");
  }

  // The whole test subset.
  std::printf("\naccuracy on %lld test images\n", static_cast<long long>(n_test));
  const double clean_acc = accuracy(model, test_x, test_y);
  std::printf("  clean: %.3f\n", clean_acc);
  for (double eps : {0.01, 0.02, 0.05, 0.1})
    std::printf("  FGSM eps %.2f: %.3f\n", eps, accuracy(model, fgsm(model, test_x, test_y, eps), test_y));
  return 0;
}
