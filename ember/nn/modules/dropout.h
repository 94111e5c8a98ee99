#pragma once
// Dropout modules (torch.nn.Dropout, Dropout2d, AlphaDropout / LibTorch's torch::nn::...).
// They drop only while the module is training (is_training()); after eval() they return
// their input unchanged. Masks come from the global generator through nn::functional, so
// they equal PyTorch's after the same manual_seed.
//   nn::Dropout drop(0.2);
//   nn::Dropout2d drop2d(nn::Dropout2dOptions(0.3).inplace(true));
#include <string>

#include "ember/nn/holder.h"
#include "ember/nn/options/dropout.h"

namespace ember::nn {

class DropoutImpl : public Module {
 public:
  explicit DropoutImpl(double p) : DropoutImpl(DropoutOptions(p)) {}
  explicit DropoutImpl(const DropoutOptions& options = {});
  Tensor forward(Tensor input);
  std::string extra_repr() const override;
  DropoutOptions options;
};
EMBER_MODULE(Dropout);

// Zeroes whole channels of an (N, C, H, W) or (C, H, W) input.
class Dropout2dImpl : public Module {
 public:
  explicit Dropout2dImpl(double p) : Dropout2dImpl(Dropout2dOptions(p)) {}
  explicit Dropout2dImpl(const Dropout2dOptions& options = {});
  Tensor forward(Tensor input);
  std::string extra_repr() const override;
  Dropout2dOptions options;
};
EMBER_MODULE(Dropout2d);

// Keeps the mean and variance of SELU activations (F::alpha_dropout).
class AlphaDropoutImpl : public Module {
 public:
  explicit AlphaDropoutImpl(double p) : AlphaDropoutImpl(AlphaDropoutOptions(p)) {}
  explicit AlphaDropoutImpl(const AlphaDropoutOptions& options = {});
  Tensor forward(Tensor input);
  std::string extra_repr() const override;
  AlphaDropoutOptions options;
};
EMBER_MODULE(AlphaDropout);

}  // namespace ember::nn
