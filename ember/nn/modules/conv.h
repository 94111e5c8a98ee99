#pragma once
// Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d (torch.nn.Conv*). Weights are
// [out, in / groups, *kernel] ([in, out / groups, *kernel] for transposed convolutions),
// initialised as PyTorch's (kaiming_uniform_ with a = sqrt(5), bias in +-1/sqrt(fan_in)).
#include "ember/nn/holder.h"
#include "ember/nn/options/conv.h"

namespace ember::nn {

template <size_t D>
class ConvNdImpl : public Module {
 public:
  ConvNdImpl(int64_t in_channels, int64_t out_channels, ExpandingArray<D> kernel_size)
      : ConvNdImpl(ConvOptions<D>(in_channels, out_channels, kernel_size)) {}
  explicit ConvNdImpl(ConvOptions<D> options);
  void reset_parameters();
  Tensor forward(const Tensor& input);
  std::string extra_repr() const override;

  ConvOptions<D> options;
  Tensor weight;
  Tensor bias;
};

class Conv1dImpl : public ConvNdImpl<1> {
 public:
  using ConvNdImpl<1>::ConvNdImpl;
};
class Conv2dImpl : public ConvNdImpl<2> {
 public:
  using ConvNdImpl<2>::ConvNdImpl;
};
EMBER_MODULE(Conv1d);
EMBER_MODULE(Conv2d);

template <size_t D>
class ConvTransposeNdImpl : public Module {
 public:
  ConvTransposeNdImpl(int64_t in_channels, int64_t out_channels, ExpandingArray<D> kernel_size)
      : ConvTransposeNdImpl(ConvTransposeOptions<D>(in_channels, out_channels, kernel_size)) {}
  explicit ConvTransposeNdImpl(ConvTransposeOptions<D> options);
  void reset_parameters();
  Tensor forward(const Tensor& input);
  std::string extra_repr() const override;

  ConvTransposeOptions<D> options;
  Tensor weight;
  Tensor bias;
};

class ConvTranspose1dImpl : public ConvTransposeNdImpl<1> {
 public:
  using ConvTransposeNdImpl<1>::ConvTransposeNdImpl;
};
class ConvTranspose2dImpl : public ConvTransposeNdImpl<2> {
 public:
  using ConvTransposeNdImpl<2>::ConvTransposeNdImpl;
};
EMBER_MODULE(ConvTranspose1d);
EMBER_MODULE(ConvTranspose2d);

extern template class ConvNdImpl<1>;
extern template class ConvNdImpl<2>;
extern template class ConvTransposeNdImpl<1>;
extern template class ConvTransposeNdImpl<2>;

}  // namespace ember::nn
