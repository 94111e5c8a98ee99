#include "ember/nn/modules/pooling.h"

#include <sstream>

#include "ember/ops/pooling.h"

namespace ember::nn {

namespace {

// PyTorch prints pooling sizes as the user gave them; ember stores D values, so it prints
// one number when they agree (MaxPool2d(2) -> kernel_size=2) and a tuple otherwise.
template <size_t D>
std::string value(const ExpandingArray<D>& a) {
  bool same = true;
  for (size_t i = 1; i < D; ++i) same = same && a[i] == a[0];
  if (same) return std::to_string(a[0]);
  std::ostringstream os;
  os << a;
  return os.str();
}

}  // namespace

template <size_t D>
Tensor MaxPoolNdImpl<D>::forward(const Tensor& input) {
  const auto& o = options;
  return D == 1 ? max_pool1d(input, o.kernel_size(), o.stride(), o.padding(), o.dilation(), o.ceil_mode())
                : max_pool2d(input, o.kernel_size(), o.stride(), o.padding(), o.dilation(), o.ceil_mode());
}

template <size_t D>
std::tuple<Tensor, Tensor> MaxPoolNdImpl<D>::forward_with_indices(const Tensor& input) {
  const auto& o = options;
  return D == 1 ? max_pool1d_with_indices(input, o.kernel_size(), o.stride(), o.padding(), o.dilation(), o.ceil_mode())
                : max_pool2d_with_indices(input, o.kernel_size(), o.stride(), o.padding(), o.dilation(), o.ceil_mode());
}

template <size_t D>
std::string MaxPoolNdImpl<D>::extra_repr() const {
  return "kernel_size=" + value(options.kernel_size()) + ", stride=" + value(options.stride()) +
         ", padding=" + value(options.padding()) + ", dilation=" + value(options.dilation()) +
         ", ceil_mode=" + python_repr(options.ceil_mode());
}

template <size_t D>
Tensor AvgPoolNdImpl<D>::forward(const Tensor& input) {
  const auto& o = options;
  if constexpr (D == 1) {
    EMBER_CHECK(!o.divisor_override(), "AvgPool1d has no divisor_override");
    return avg_pool1d(input, o.kernel_size(), o.stride(), o.padding(), o.ceil_mode(), o.count_include_pad());
  } else {
    return avg_pool2d(input, o.kernel_size(), o.stride(), o.padding(), o.ceil_mode(), o.count_include_pad(),
                      o.divisor_override());
  }
}

template <size_t D>
std::string AvgPoolNdImpl<D>::extra_repr() const {
  // PyTorch's AvgPool1d prints tuples (it stores _single(...)); AvgPool2d prints the values.
  if constexpr (D == 1) {
    std::ostringstream os;
    os << "kernel_size=" << options.kernel_size() << ", stride=" << options.stride()
       << ", padding=" << options.padding();
    return os.str();
  } else {
    return "kernel_size=" + value(options.kernel_size()) + ", stride=" + value(options.stride()) +
           ", padding=" + value(options.padding());
  }
}

template <size_t D>
Tensor AdaptiveAvgPoolNdImpl<D>::forward(const Tensor& input) {
  return D == 1 ? adaptive_avg_pool1d(input, options.output_size()) : adaptive_avg_pool2d(input, options.output_size());
}

template <size_t D>
std::string AdaptiveAvgPoolNdImpl<D>::extra_repr() const {
  return "output_size=" + value(options.output_size());
}

template <size_t D>
Tensor AdaptiveMaxPoolNdImpl<D>::forward(const Tensor& input) {
  return std::get<0>(forward_with_indices(input));
}

template <size_t D>
std::tuple<Tensor, Tensor> AdaptiveMaxPoolNdImpl<D>::forward_with_indices(const Tensor& input) {
  return D == 1 ? adaptive_max_pool1d(input, options.output_size()) : adaptive_max_pool2d(input, options.output_size());
}

template <size_t D>
std::string AdaptiveMaxPoolNdImpl<D>::extra_repr() const {
  return "output_size=" + value(options.output_size());
}

template class MaxPoolNdImpl<1>;
template class MaxPoolNdImpl<2>;
template class AvgPoolNdImpl<1>;
template class AvgPoolNdImpl<2>;
template class AdaptiveAvgPoolNdImpl<1>;
template class AdaptiveAvgPoolNdImpl<2>;
template class AdaptiveMaxPoolNdImpl<1>;
template class AdaptiveMaxPoolNdImpl<2>;

}  // namespace ember::nn
