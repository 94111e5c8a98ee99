#pragma once
// F::conv1d / conv2d / conv_transpose1d / conv_transpose2d with LibTorch's FuncOptions.
#include <variant>

#include "ember/nn/options/conv.h"
#include "ember/ops/conv.h"

namespace ember::nn::functional {

namespace detail {
template <size_t D>
Tensor conv(const Tensor& input, const Tensor& weight, const ConvFuncOptions<D>& o) {
  if (const auto* numeric = std::get_if<ExpandingArray<D>>(&o.padding())) {
    return D == 1 ? ember::conv1d(input, weight, o.bias(), o.stride(), *numeric, o.dilation(), o.groups())
                  : ember::conv2d(input, weight, o.bias(), o.stride(), *numeric, o.dilation(), o.groups());
  }
  const char* mode = std::get<PaddingMode>(o.padding()) == kSame ? "same" : "valid";
  return D == 1 ? ember::conv1d(input, weight, o.bias(), o.stride(), mode, o.dilation(), o.groups())
                : ember::conv2d(input, weight, o.bias(), o.stride(), mode, o.dilation(), o.groups());
}
}  // namespace detail

inline Tensor conv1d(const Tensor& input, const Tensor& weight, const Conv1dFuncOptions& options = {}) {
  return detail::conv<1>(input, weight, options);
}
inline Tensor conv2d(const Tensor& input, const Tensor& weight, const Conv2dFuncOptions& options = {}) {
  return detail::conv<2>(input, weight, options);
}
inline Tensor conv_transpose1d(const Tensor& input, const Tensor& weight,
                               const ConvTranspose1dFuncOptions& o = {}) {
  return ember::conv_transpose1d(input, weight, o.bias(), o.stride(), o.padding(), o.output_padding(), o.groups(),
                                 o.dilation());
}
inline Tensor conv_transpose2d(const Tensor& input, const Tensor& weight,
                               const ConvTranspose2dFuncOptions& o = {}) {
  return ember::conv_transpose2d(input, weight, o.bias(), o.stride(), o.padding(), o.output_padding(), o.groups(),
                                 o.dilation());
}

}  // namespace ember::nn::functional
