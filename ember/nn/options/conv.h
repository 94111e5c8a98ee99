#pragma once
// Options of the convolution modules and functions (LibTorch's ConvOptions<D>, ...).
#include <variant>

#include "ember/core/tensor.h"
#include "ember/nn/enum.h"
#include "ember/nn/expanding_array.h"
#include "ember/core/arg.h"

namespace ember::nn {

// A convolution's padding: numbers per spatial dim, or kValid / kSame.
template <size_t D>
using ConvPadding = std::variant<ExpandingArray<D>, PaddingMode>;

template <size_t D>
struct ConvOptions {
  ConvOptions(int64_t in_channels, int64_t out_channels, ExpandingArray<D> kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}
  EMBER_ARG(int64_t, in_channels);
  EMBER_ARG(int64_t, out_channels);
  EMBER_ARG(ExpandingArray<D>, kernel_size);
  EMBER_ARG(ExpandingArray<D>, stride) = 1;
  EMBER_ARG(ConvPadding<D>, padding) = ExpandingArray<D>(0);
  EMBER_ARG(ExpandingArray<D>, dilation) = 1;
  EMBER_ARG(int64_t, groups) = 1;
  EMBER_ARG(bool, bias) = true;
  // kZeros, kReflect, kReplicate or kCircular.
  EMBER_ARG(PadMode, padding_mode) = kZeros;

 public:
  // So that .padding(1), .padding({1, 2}) and .padding(kSame) all compile.
  ConvOptions& padding(int64_t p) { return padding(ConvPadding<D>(ExpandingArray<D>(p))); }
  ConvOptions& padding(std::initializer_list<int64_t> p) {
    return padding(ConvPadding<D>(ExpandingArray<D>(p)));
  }
  ConvOptions& padding(PaddingMode p) { return padding(ConvPadding<D>(p)); }
};
using Conv1dOptions = ConvOptions<1>;
using Conv2dOptions = ConvOptions<2>;

template <size_t D>
struct ConvTransposeOptions {
  ConvTransposeOptions(int64_t in_channels, int64_t out_channels, ExpandingArray<D> kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}
  EMBER_ARG(int64_t, in_channels);
  EMBER_ARG(int64_t, out_channels);
  EMBER_ARG(ExpandingArray<D>, kernel_size);
  EMBER_ARG(ExpandingArray<D>, stride) = 1;
  EMBER_ARG(ExpandingArray<D>, padding) = 0;
  EMBER_ARG(ExpandingArray<D>, output_padding) = 0;
  EMBER_ARG(int64_t, groups) = 1;
  EMBER_ARG(bool, bias) = true;
  EMBER_ARG(ExpandingArray<D>, dilation) = 1;
};
using ConvTranspose1dOptions = ConvTransposeOptions<1>;
using ConvTranspose2dOptions = ConvTransposeOptions<2>;

namespace functional {
template <size_t D>
struct ConvFuncOptions {
  EMBER_ARG(Tensor, bias);
  EMBER_ARG(ExpandingArray<D>, stride) = 1;
  EMBER_ARG(ConvPadding<D>, padding) = ExpandingArray<D>(0);
  EMBER_ARG(ExpandingArray<D>, dilation) = 1;
  EMBER_ARG(int64_t, groups) = 1;

 public:
  ConvFuncOptions& padding(int64_t p) { return padding(ConvPadding<D>(ExpandingArray<D>(p))); }
  ConvFuncOptions& padding(std::initializer_list<int64_t> p) { return padding(ConvPadding<D>(ExpandingArray<D>(p))); }
  ConvFuncOptions& padding(PaddingMode p) { return padding(ConvPadding<D>(p)); }
};
using Conv1dFuncOptions = ConvFuncOptions<1>;
using Conv2dFuncOptions = ConvFuncOptions<2>;

template <size_t D>
struct ConvTransposeFuncOptions {
  EMBER_ARG(Tensor, bias);
  EMBER_ARG(ExpandingArray<D>, stride) = 1;
  EMBER_ARG(ExpandingArray<D>, padding) = 0;
  EMBER_ARG(ExpandingArray<D>, output_padding) = 0;
  EMBER_ARG(int64_t, groups) = 1;
  EMBER_ARG(ExpandingArray<D>, dilation) = 1;
};
using ConvTranspose1dFuncOptions = ConvTransposeFuncOptions<1>;
using ConvTranspose2dFuncOptions = ConvTransposeFuncOptions<2>;
}  // namespace functional

}  // namespace ember::nn
