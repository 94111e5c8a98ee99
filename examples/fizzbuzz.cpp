// FizzBuzz as a classification problem, following the notes' FizBuzNet: integers are
// encoded in binary (10 bits), the network Linear -> sigmoid -> Linear predicts one of four
// classes (the number itself, "fizz", "buzz", "fizzbuzz") and is trained with
// cross-entropy on 101..1023; the test set is 1..100, which it has never seen.
//
//   build/release/examples/fizzbuzz [--epochs 1000] [--hidden 100] [--lr 0.02] [--batch-size 64]
#include <cstdio>
#include <string>
#include <vector>

#include <ember/ember.h>

#include "example_flags.h"

using namespace ember;
namespace F = ember::nn::functional;

namespace {
constexpr int64_t kDigits = 10;  // numbers up to 1023

// Each integer as its kDigits binary digits, least significant first: [count, kDigits].
Tensor binary_encode(int64_t first, int64_t last) {
  std::vector<float> bits;
  for (int64_t i = first; i <= last; ++i)
    for (int64_t d = 0; d < kDigits; ++d) bits.push_back(static_cast<float>((i >> d) & 1));
  return tensor(bits).view({last - first + 1, kDigits});
}

int64_t fizzbuzz_class(int64_t i) { return i % 15 == 0 ? 3 : i % 5 == 0 ? 2 : i % 3 == 0 ? 1 : 0; }

Tensor fizzbuzz_labels(int64_t first, int64_t last) {
  std::vector<int64_t> labels;
  for (int64_t i = first; i <= last; ++i) labels.push_back(fizzbuzz_class(i));
  return tensor(labels);
}

std::string say(int64_t i, int64_t cls) {
  const char* words[] = {"", "fizz", "buzz", "fizzbuzz"};
  return cls == 0 ? std::to_string(i) : words[cls];
}

// The notes' FizBuzNet: a hidden layer with a sigmoid, then the output layer.
struct FizBuzNetImpl : nn::Module {
  FizBuzNetImpl(int64_t input_size, int64_t hidden_size, int64_t output_size)
      : hidden(register_module("hidden", nn::Linear(input_size, hidden_size))),
        out(register_module("out", nn::Linear(hidden_size, output_size))) {}
  Tensor forward(const Tensor& batch) {
    Tensor activated = sigmoid(hidden(batch));
    return out(activated);
  }
  nn::Linear hidden, out;
};
EMBER_MODULE(FizBuzNet);
}  // namespace

int main(int argc, char** argv) {
  ExampleFlags flags(argc, argv);
  const int epochs = flags.get("epochs", 1000);
  const int64_t hidden = flags.get("hidden", int64_t{100});
  const double lr = flags.get("lr", 0.02);
  const int64_t batch_size = flags.get("batch-size", int64_t{64});
  flags.done();
  manual_seed(0);

  Tensor train_x = binary_encode(101, 1023), train_y = fizzbuzz_labels(101, 1023);
  Tensor test_x = binary_encode(1, 100), test_y = fizzbuzz_labels(1, 100);

  FizBuzNet net(kDigits, hidden, 4);
  std::printf("%s\n", net->repr().c_str());
  optim::Adam optimizer(net->parameters(), optim::AdamOptions(lr));
  data::DataLoader loader(data::datasets::TensorDataset(train_x, train_y),
                          data::DataLoaderOptions(batch_size).shuffle(true));

  auto accuracy = [&](const Tensor& x, const Tensor& y) {
    NoGradGuard no_grad;
    return net(x).argmax(1).eq(y).to(kFloat32).mean().item<double>();
  };
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    double total = 0;
    for (auto& [x, y] : loader) {
      Tensor loss = F::cross_entropy(net(x), y);
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
      total += loss.item<double>() * static_cast<double>(x.size(0));
    }
    if (epoch % (epochs >= 10 ? epochs / 10 : 1) == 0)
      std::printf("epoch %d: train loss %.4f, train accuracy %.3f\n", epoch,
                  total / static_cast<double>(train_x.size(0)), accuracy(train_x, train_y));
  }

  Tensor predicted;
  {
    NoGradGuard no_grad;
    predicted = net(test_x).argmax(1);
  }
  std::string line;
  for (int64_t i = 1; i <= 100; ++i) line += say(i, predicted[i - 1].item<int64_t>()) + (i < 100 ? " " : "");
  std::printf("predictions for 1..100:\n%s\n", line.c_str());
  std::printf("test accuracy on 1..100: %.2f\n", accuracy(test_x, test_y));
  return 0;
}
