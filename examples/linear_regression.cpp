// Linear regression as a one-layer network, following the notes: nn::Linear(input_size,
// output_size) is the model, MSE the loss, optim::SGD does the update; data comes in
// shuffled mini-batches from a DataLoader over a TensorDataset. The data are synthetic,
// y = X w_true + b_true + noise, so the learned weight and bias can be checked.
//
//   build/release/examples/linear_regression [--epochs 20] [--lr 0.03] [--samples 1000]
#include <cmath>
#include <cstdio>

#include <ember/ember.h>

#include "example_flags.h"

using namespace ember;
namespace F = ember::nn::functional;

int main(int argc, char** argv) {
  ExampleFlags flags(argc, argv);
  const int epochs = flags.get("epochs", 20);
  const double lr = flags.get("lr", 0.03);
  const int64_t samples = flags.get("samples", int64_t{1000});
  flags.done();
  manual_seed(0);

  // Synthetic data: two features, one target.
  Tensor true_w = tensor({{2.0f, -3.4f}});
  Tensor true_b = tensor({4.2f});
  Tensor X = randn({samples, 2});
  Tensor y = matmul(X, true_w.t()) + true_b + 0.01 * randn({samples, 1});

  nn::Linear model(2, 1);  // input_size = 2 features, output_size = 1
  optim::SGD optimizer(model->parameters(), optim::SGDOptions(lr));
  data::DataLoader loader(data::datasets::TensorDataset(X, y), data::DataLoaderOptions(10).shuffle(true));

  std::printf("model: %s\n", model->repr().c_str());
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    for (auto& [xb, yb] : loader) {
      Tensor loss = F::mse_loss(model(xb), yb);
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
    }
    NoGradGuard no_grad;
    double loss = F::mse_loss(model(X), y).item<double>();
    std::printf("epoch %d: loss %.6f\n", epoch, loss);
  }

  Tensor w = model->weight.detach(), b = model->bias.detach();
  std::printf("learned weight [%.4f, %.4f] (true [2, -3.4]), bias %.4f (true 4.2)\n", w[0][0].item<double>(),
              w[0][1].item<double>(), b[0].item<double>());
  double w_err = (w - true_w).abs().max().item<double>();
  double b_err = (b - true_b).abs().max().item<double>();
  std::printf("weight error %.4f, bias error %.4f\n", w_err, b_err);
  return 0;
}
