// LibTorch-style program 6: a custom dataset with a per-example transform (a
// transforms::Lambda) collated by Stack<>, a network built by subclassing
// nn::SequentialImpl with Functional layers (TORCH_MODULE), CrossEntropyLoss and Adam,
// evaluation under NoGradGuard, and softmax with a dtype. (No StepLR: LibTorch's decays one
// step() later than Python's and ember's, docs/pytorch-differences.md.) Builds unchanged against LibTorch and against ember through
// ember::torch_compat.
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>

// Points on three interleaved spirals (x, y) with their arm as the class.
class Spirals : public torch::data::datasets::Dataset<Spirals> {
 public:
  explicit Spirals(int64_t per_class) : per_class_(per_class) {}

  torch::data::Example<> get(size_t index) override {
    int64_t arm = static_cast<int64_t>(index) % 3;
    double t = static_cast<double>(index / 3) / static_cast<double>(per_class_);
    double angle = 4.0 * t + 2.0944 * static_cast<double>(arm);
    double radius = 0.2 + t;
    auto point = torch::tensor({radius * std::cos(angle), radius * std::sin(angle)}, torch::kFloat);
    return {point, torch::tensor(arm, torch::kLong)};
  }

  torch::optional<size_t> size() const override { return static_cast<size_t>(3 * per_class_); }

 private:
  int64_t per_class_;
};

struct ClassifierImpl : torch::nn::SequentialImpl {
  ClassifierImpl() {
    using namespace torch::nn;
    push_back(Linear(2, 32));
    push_back(Functional(torch::tanh));
    push_back(Linear(32, 32));
    push_back(Functional(torch::relu));
    push_back(Linear(32, 3));
  }
};
TORCH_MODULE(Classifier);

int main(int argc, char** argv) {
  int64_t scale = argc > 1 ? std::atoll(argv[1]) : 1;
  torch::manual_seed(3);

  // Scale the points by 2 / 1.5 with a per-example Lambda. (Normalize<> is for images: it
  // broadcasts against a [C, 1, 1] mean, which would make these points [1, 1, 2].)
  auto dataset = Spirals(100)
                     .map(torch::data::transforms::Lambda<torch::data::Example<>>([](torch::data::Example<> e) {
                       e.data = e.data * 2 / 1.5;
                       return e;
                     }))
                     .map(torch::data::transforms::Stack<>());
  auto loader = torch::data::make_data_loader<torch::data::samplers::SequentialSampler>(
      std::move(dataset), torch::data::DataLoaderOptions().batch_size(30));

  Classifier net;
  torch::optim::Adam optimizer(net->parameters(), torch::optim::AdamOptions(0.02));
  torch::nn::CrossEntropyLoss criterion;

  for (int64_t epoch = 1; epoch <= 30 * scale; ++epoch) {
    double epoch_loss = 0;
    int64_t correct = 0, seen = 0;
    for (auto& batch : *loader) {
      optimizer.zero_grad();
      auto logits = net->forward(batch.data);
      auto loss = criterion(logits, batch.target);
      loss.backward();
      optimizer.step();
      epoch_loss += loss.item<double>() * batch.data.size(0);
      correct += logits.argmax(1).eq(batch.target).sum().item<int64_t>();
      seen += batch.data.size(0);
    }
    if (epoch % 5 == 0)
      std::printf("epoch %ld loss %.5f accuracy %.4f\n", static_cast<long>(epoch), epoch_loss / seen,
                  static_cast<double>(correct) / seen);
  }

  torch::NoGradGuard no_grad;
  net->eval();
  auto probe = torch::tensor({{0.4, 0.1}, {-0.3, 0.5}, {-0.2, -0.6}}, torch::kFloat) / 1.5 * 2;
  auto probs = torch::softmax(net->forward(probe), /*dim=*/1, torch::kDouble);
  const double* p = probs.data_ptr<double>();
  for (int64_t i = 0; i < 3; ++i)
    std::printf("probe %ld: %.4f %.4f %.4f\n", static_cast<long>(i), p[3 * i], p[3 * i + 1], p[3 * i + 2]);
  std::printf("done\n");
  return 0;
}
