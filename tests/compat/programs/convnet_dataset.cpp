// LibTorch-style program 2: a LeNet-style convolutional network (a custom nn::Module with
// Conv2d, Linear, max_pool2d, log_softmax and nll_loss, the shape of pytorch/examples'
// cpp/mnist) trained on a custom Dataset of synthetic digit-like images through
// map(Normalize<>) / map(Stack<>) and a DataLoader. Builds unchanged against LibTorch and
// against ember through ember::torch_compat.
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>

// Ten classes of 28x28 images: class c is a sine grating whose frequency and orientation
// depend on c, with a per-sample phase, in [0, 1] (like MNIST's pixels).
class SyntheticDigits : public torch::data::datasets::Dataset<SyntheticDigits> {
 public:
  explicit SyntheticDigits(size_t count) : count_(count) {}

  torch::data::Example<> get(size_t index) override {
    int64_t label = static_cast<int64_t>(index % 10);
    double phase = 0.37 * static_cast<double>(index / 10);
    auto rows = torch::arange(28, torch::kFloat).unsqueeze(1);
    auto cols = torch::arange(28, torch::kFloat).unsqueeze(0);
    double fr = 0.15 + 0.05 * static_cast<double>(label % 5);
    double fc = label < 5 ? 0.0 : 0.2;
    auto image = (torch::sin(rows * fr + cols * fc + phase) + 1) / 2;
    return {image.unsqueeze(0), torch::tensor(label, torch::kLong)};
  }

  torch::optional<size_t> size() const override { return count_; }

 private:
  size_t count_;
};

struct Net : torch::nn::Module {
  Net()
      : conv1(torch::nn::Conv2dOptions(1, 10, /*kernel_size=*/5)),
        conv2(torch::nn::Conv2dOptions(10, 20, /*kernel_size=*/5)),
        fc1(320, 50),
        fc2(50, 10) {
    register_module("conv1", conv1);
    register_module("conv2", conv2);
    register_module("fc1", fc1);
    register_module("fc2", fc2);
  }

  torch::Tensor forward(torch::Tensor x) {
    x = torch::relu(torch::max_pool2d(conv1->forward(x), 2));
    x = torch::relu(torch::max_pool2d(conv2->forward(x), 2));
    x = x.view({-1, 320});
    x = torch::relu(fc1->forward(x));
    x = fc2->forward(x);
    return torch::log_softmax(x, /*dim=*/1);
  }

  torch::nn::Conv2d conv1;
  torch::nn::Conv2d conv2;
  torch::nn::Linear fc1;
  torch::nn::Linear fc2;
};

template <typename DataLoader>
void train(size_t epoch, Net& model, torch::Device device, DataLoader& data_loader,
           torch::optim::Optimizer& optimizer) {
  model.train();
  size_t batch_idx = 0;
  for (auto& batch : data_loader) {
    auto data = batch.data.to(device), targets = batch.target.to(device);
    optimizer.zero_grad();
    auto output = model.forward(data);
    auto loss = torch::nll_loss(output, targets);
    AT_ASSERT(!std::isnan(loss.template item<float>()));
    loss.backward();
    optimizer.step();
    if (batch_idx++ % 4 == 0)
      std::printf("train epoch %zu batch %zu loss %.5f\n", epoch, batch_idx, loss.template item<float>());
  }
}

template <typename DataLoader>
void test(Net& model, torch::Device device, DataLoader& data_loader, size_t dataset_size) {
  torch::NoGradGuard no_grad;
  model.eval();
  double test_loss = 0;
  int32_t correct = 0;
  for (const auto& batch : data_loader) {
    auto data = batch.data.to(device), targets = batch.target.to(device);
    auto output = model.forward(data);
    test_loss += torch::nll_loss(output, targets, /*weight=*/{}, torch::Reduction::Sum).template item<float>();
    auto pred = output.argmax(1);
    correct += pred.eq(targets).sum().template item<int64_t>();
  }
  test_loss /= dataset_size;
  std::printf("test: average loss %.4f, accuracy %.3f\n", test_loss, static_cast<double>(correct) / dataset_size);
}

int main(int argc, char** argv) {
  int64_t scale = argc > 1 ? std::atoll(argv[1]) : 1;
  torch::manual_seed(1);
  torch::DeviceType device_type = torch::cuda::is_available() ? torch::kCUDA : torch::kCPU;
  torch::Device device(device_type);

  Net model;
  model.to(device);

  auto train_dataset = SyntheticDigits(320)
                           .map(torch::data::transforms::Normalize<>(0.5, 0.5))
                           .map(torch::data::transforms::Stack<>());
  const size_t train_size = train_dataset.size().value();
  auto train_loader =
      torch::data::make_data_loader<torch::data::samplers::SequentialSampler>(std::move(train_dataset), 32);

  auto test_dataset = SyntheticDigits(100)
                          .map(torch::data::transforms::Normalize<>(0.5, 0.5))
                          .map(torch::data::transforms::Stack<>());
  const size_t test_size = test_dataset.size().value();
  auto test_loader = torch::data::make_data_loader<torch::data::samplers::SequentialSampler>(
      std::move(test_dataset), torch::data::DataLoaderOptions().batch_size(50));

  torch::optim::SGD optimizer(model.parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
  std::printf("train size %zu, test size %zu\n", train_size, test_size);
  for (size_t epoch = 1; epoch <= static_cast<size_t>(3 * scale); ++epoch) {
    train(epoch, model, device, *train_loader, optimizer);
    test(model, device, *test_loader, test_size);
  }
  std::printf("done\n");
  return 0;
}
