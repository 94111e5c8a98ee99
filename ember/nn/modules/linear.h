#pragma once
// Linear, Bilinear, Identity, Flatten, Unflatten.
#include "ember/nn/holder.h"
#include "ember/nn/options/linear.h"

namespace ember::nn {

// y = x W^T + b, W: [out_features, in_features]. Initialised as PyTorch's
// (kaiming_uniform_ with a = sqrt(5); bias uniform in +-1/sqrt(in_features)).
class LinearImpl : public Module {
 public:
  LinearImpl(int64_t in_features, int64_t out_features) : LinearImpl(LinearOptions(in_features, out_features)) {}
  explicit LinearImpl(const LinearOptions& options);
  void reset();
  void reset_parameters();
  Tensor forward(const Tensor& input);
  std::string extra_repr() const override;

  LinearOptions options;
  Tensor weight;
  Tensor bias;
};
EMBER_MODULE(Linear);

// y = x1^T A x2 + b, A: [out, in1, in2].
class BilinearImpl : public Module {
 public:
  BilinearImpl(int64_t in1, int64_t in2, int64_t out) : BilinearImpl(BilinearOptions(in1, in2, out)) {}
  explicit BilinearImpl(const BilinearOptions& options);
  void reset_parameters();
  Tensor forward(const Tensor& input1, const Tensor& input2);
  std::string extra_repr() const override;

  BilinearOptions options;
  Tensor weight;
  Tensor bias;
};
EMBER_MODULE(Bilinear);

class IdentityImpl : public Module {
 public:
  IdentityImpl() = default;
  template <class... Ignored>
  explicit IdentityImpl(Ignored&&...) {}  // PyTorch's Identity ignores its arguments
  Tensor forward(const Tensor& input) { return input; }
};
EMBER_MODULE(Identity);

class FlattenImpl : public Module {
 public:
  explicit FlattenImpl(const FlattenOptions& options = {}) : options(options) {}
  Tensor forward(const Tensor& input);
  std::string extra_repr() const override;
  FlattenOptions options;
};
EMBER_MODULE(Flatten);

class UnflattenImpl : public Module {
 public:
  UnflattenImpl(int64_t dim, std::vector<int64_t> sizes) : options(dim, std::move(sizes)) {}
  explicit UnflattenImpl(UnflattenOptions options) : options(std::move(options)) {}
  Tensor forward(const Tensor& input);
  std::string extra_repr() const override;
  UnflattenOptions options;
};
EMBER_MODULE(Unflatten);

}  // namespace ember::nn
