#pragma once
// MaxPool1d/2d, AvgPool1d/2d, AdaptiveAvgPool1d/2d, AdaptiveMaxPool1d/2d.
#include <tuple>

#include "ember/nn/holder.h"
#include "ember/nn/options/pooling.h"

namespace ember::nn {

template <size_t D>
class MaxPoolNdImpl : public Module {
 public:
  MaxPoolNdImpl(ExpandingArray<D> kernel_size) : MaxPoolNdImpl(MaxPoolOptions<D>(kernel_size)) {}
  explicit MaxPoolNdImpl(const MaxPoolOptions<D>& options) : options(options) {}
  Tensor forward(const Tensor& input);
  // The maxima and their flat indices into each input plane (PyTorch's return_indices).
  std::tuple<Tensor, Tensor> forward_with_indices(const Tensor& input);
  std::string extra_repr() const override;
  MaxPoolOptions<D> options;
};
class MaxPool1dImpl : public MaxPoolNdImpl<1> {
 public:
  using MaxPoolNdImpl<1>::MaxPoolNdImpl;
};
class MaxPool2dImpl : public MaxPoolNdImpl<2> {
 public:
  using MaxPoolNdImpl<2>::MaxPoolNdImpl;
};
EMBER_MODULE(MaxPool1d);
EMBER_MODULE(MaxPool2d);

template <size_t D>
class AvgPoolNdImpl : public Module {
 public:
  AvgPoolNdImpl(ExpandingArray<D> kernel_size) : AvgPoolNdImpl(AvgPoolOptions<D>(kernel_size)) {}
  explicit AvgPoolNdImpl(const AvgPoolOptions<D>& options) : options(options) {}
  Tensor forward(const Tensor& input);
  std::string extra_repr() const override;
  AvgPoolOptions<D> options;
};
class AvgPool1dImpl : public AvgPoolNdImpl<1> {
 public:
  using AvgPoolNdImpl<1>::AvgPoolNdImpl;
};
class AvgPool2dImpl : public AvgPoolNdImpl<2> {
 public:
  using AvgPoolNdImpl<2>::AvgPoolNdImpl;
};
EMBER_MODULE(AvgPool1d);
EMBER_MODULE(AvgPool2d);

template <size_t D>
class AdaptiveAvgPoolNdImpl : public Module {
 public:
  AdaptiveAvgPoolNdImpl(ExpandingArray<D> output_size) : options(output_size) {}
  explicit AdaptiveAvgPoolNdImpl(const AdaptivePoolOptions<D>& options) : options(options) {}
  Tensor forward(const Tensor& input);
  std::string extra_repr() const override;
  AdaptivePoolOptions<D> options;
};
class AdaptiveAvgPool1dImpl : public AdaptiveAvgPoolNdImpl<1> {
 public:
  using AdaptiveAvgPoolNdImpl<1>::AdaptiveAvgPoolNdImpl;
};
class AdaptiveAvgPool2dImpl : public AdaptiveAvgPoolNdImpl<2> {
 public:
  using AdaptiveAvgPoolNdImpl<2>::AdaptiveAvgPoolNdImpl;
};
EMBER_MODULE(AdaptiveAvgPool1d);
EMBER_MODULE(AdaptiveAvgPool2d);

template <size_t D>
class AdaptiveMaxPoolNdImpl : public Module {
 public:
  AdaptiveMaxPoolNdImpl(ExpandingArray<D> output_size) : options(output_size) {}
  explicit AdaptiveMaxPoolNdImpl(const AdaptivePoolOptions<D>& options) : options(options) {}
  Tensor forward(const Tensor& input);
  std::tuple<Tensor, Tensor> forward_with_indices(const Tensor& input);
  std::string extra_repr() const override;
  AdaptivePoolOptions<D> options;
};
class AdaptiveMaxPool1dImpl : public AdaptiveMaxPoolNdImpl<1> {
 public:
  using AdaptiveMaxPoolNdImpl<1>::AdaptiveMaxPoolNdImpl;
};
class AdaptiveMaxPool2dImpl : public AdaptiveMaxPoolNdImpl<2> {
 public:
  using AdaptiveMaxPoolNdImpl<2>::AdaptiveMaxPoolNdImpl;
};
EMBER_MODULE(AdaptiveMaxPool1d);
EMBER_MODULE(AdaptiveMaxPool2d);

extern template class MaxPoolNdImpl<1>;
extern template class MaxPoolNdImpl<2>;
extern template class AvgPoolNdImpl<1>;
extern template class AvgPoolNdImpl<2>;
extern template class AdaptiveAvgPoolNdImpl<1>;
extern template class AdaptiveAvgPoolNdImpl<2>;
extern template class AdaptiveMaxPoolNdImpl<1>;
extern template class AdaptiveMaxPoolNdImpl<2>;

}  // namespace ember::nn
