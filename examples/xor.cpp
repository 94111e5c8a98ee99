// The continuous XOR task from the notes: points near the corners of the unit square,
// (x0, x1) in {0, 1}^2 plus Gaussian noise (std 0.1), labelled 1 when exactly one
// coordinate is 1. A linear model cannot separate the classes; one hidden layer with tanh
// can. SimpleClassifier = Linear(2, 4) -> Tanh -> Linear(4, 1), BCEWithLogitsLoss (the
// sigmoid is inside the loss, which is more accurate), SGD lr 0.1, batches of 128 from a
// shuffled DataLoader over XORDataset(2500), 100 epochs; tested on a fresh XORDataset(500).
//
//   build/release/examples/xor [--epochs 100] [--train-size 2500] [--test-size 500]
#include <cstdio>
#include <iostream>

#include <ember/ember.h>

#include "example_flags.h"

using namespace ember;
namespace F = ember::nn::functional;

namespace {
// The notes' XORDataset: get(i) returns (point, label).
class XORDataset : public data::Dataset<XORDataset> {
 public:
  explicit XORDataset(int64_t size, double std = 0.1) : size_(size) {
    // size rows of floats that are 0 or 1; label 1 where exactly one of them is 1.
    data_ = randint(0, 2, {size, 2}, kFloat32);
    labels_ = data_.sum(1).eq(1).to(kInt32);
    data_ += std * randn(data_.sizes());  // Gaussian noise
  }
  data::Example<> get(size_t index) override {
    auto i = static_cast<int64_t>(index);
    return {data_[i], labels_[i]};
  }
  std::optional<size_t> size() const override { return static_cast<size_t>(size_); }

 private:
  int64_t size_;
  Tensor data_, labels_;
};

// The notes' SimpleClassifier.
struct SimpleClassifierImpl : nn::Module {
  SimpleClassifierImpl(int64_t num_inputs, int64_t num_hidden, int64_t num_outputs)
      : linear1(register_module("linear1", nn::Linear(num_inputs, num_hidden))),
        linear2(register_module("linear2", nn::Linear(num_hidden, num_outputs))) {}
  Tensor forward(Tensor x) {
    x = linear1(x);
    x = tanh(x);
    return linear2(x);
  }
  nn::Linear linear1, linear2;
};
EMBER_MODULE(SimpleClassifier);
}  // namespace

int main(int argc, char** argv) {
  ExampleFlags flags(argc, argv);
  const int epochs = flags.get("epochs", 100);
  const int64_t train_size = flags.get("train-size", int64_t{2500});
  const int64_t test_size = flags.get("test-size", int64_t{500});
  flags.done();
  manual_seed(42);

  SimpleClassifier model(2, 4, 1);
  std::printf("%s\n", model->repr().c_str());
  for (const auto& p : model->named_parameters()) std::cout << "parameter " << p.key() << ", shape " << p.value().sizes() << "\n";

  data::DataLoader loader(XORDataset(train_size), data::DataLoaderOptions(128).shuffle(true));
  optim::SGD optimizer(model->parameters(), optim::SGDOptions(0.1));

  model->train();
  auto bar = tqdm(std::vector<int>(static_cast<size_t>(epochs)), "training");
  int epoch = 0;
  for ([[maybe_unused]] int unused : bar) {
    double total = 0;
    int64_t seen = 0;
    for (auto& [inputs, labels] : loader) {
      Tensor preds = model(inputs).squeeze(1);  // [b, 1] -> [b]
      Tensor loss = F::binary_cross_entropy_with_logits(preds, labels.to(kFloat32));
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
      total += loss.item<double>() * static_cast<double>(inputs.size(0));
      seen += inputs.size(0);
    }
    bar.set_postfix({{"loss", total / static_cast<double>(seen)}});
    if (++epoch % 10 == 0 || epoch == epochs)
      std::printf("\nepoch %d: loss %.4f\n", epoch, total / static_cast<double>(seen));
  }
  bar.close();

  // Evaluate on fresh data: predicted label = logit > 0 (sigmoid > 0.5).
  model->eval();
  XORDataset test(test_size);
  data::DataLoader test_loader(test, data::DataLoaderOptions(128));
  int64_t correct = 0, total = 0;
  {
    NoGradGuard no_grad;
    for (auto& [inputs, labels] : test_loader) {
      Tensor predicted = model(inputs).squeeze(1).gt(0).to(kInt32);
      correct += predicted.eq(labels).sum().item<int64_t>();
      total += labels.size(0);
    }
  }
  std::printf("accuracy of the model: %.2f%% (%lld of %lld)\n", 100.0 * static_cast<double>(correct) / static_cast<double>(total),
              static_cast<long long>(correct), static_cast<long long>(total));
  return 0;
}
