#include "ember/nn/modules/conv.h"

#include <cmath>
#include <sstream>

#include "ember/nn/functional/padding.h"
#include "ember/nn/init.h"
#include "ember/ops/conv.h"
#include "ember/ops/factory.h"

namespace ember::nn {

namespace {

template <size_t D>
std::string tuple(const ExpandingArray<D>& a) {
  std::ostringstream os;
  os << a;
  return os.str();
}

const char* pad_mode_name(PadMode m) {
  switch (m) {
    case PadMode::Zeros:
    case PadMode::Constant: return "zeros";
    case PadMode::Reflect: return "reflect";
    case PadMode::Replicate: return "replicate";
    case PadMode::Circular: return "circular";
  }
  return "zeros";
}

// PyTorch's kaiming_uniform_(a = sqrt(5)) + bias bound 1/sqrt(fan_in).
void init_conv(Tensor& weight, Tensor& bias) {
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    int64_t fan_in = init::calculate_fan_in_and_fan_out(weight).first;
    if (fan_in != 0) {
      double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
      init::uniform_(bias, -bound, bound);
    }
  }
}

template <size_t D>
bool all_equal(const ExpandingArray<D>& a, int64_t v) {
  for (size_t i = 0; i < D; ++i)
    if (a[i] != v) return false;
  return true;
}

}  // namespace

template <size_t D>
ConvNdImpl<D>::ConvNdImpl(ConvOptions<D> options_) : options(std::move(options_)) {
  const char* name = D == 1 ? "Conv1d" : "Conv2d";
  EMBER_CHECK_VALUE(options.groups() > 0, name, ": groups must be a positive integer");
  EMBER_CHECK_VALUE(options.in_channels() % options.groups() == 0, name, ": in_channels must be divisible by groups");
  EMBER_CHECK_VALUE(options.out_channels() % options.groups() == 0, name, ": out_channels must be divisible by groups");
  if (auto* mode = std::get_if<PaddingMode>(&options.padding()); mode && *mode == kSame)
    for (size_t i = 0; i < D; ++i)
      EMBER_CHECK_VALUE(options.stride()[i] == 1, "padding='same' is not supported for strided convolutions");
  DimVector shape{options.out_channels(), options.in_channels() / options.groups()};
  for (size_t i = 0; i < D; ++i) shape.push_back(options.kernel_size()[i]);
  weight = register_parameter("weight", empty(shape));
  bias = register_parameter("bias", options.bias() ? empty({options.out_channels()}) : Tensor(), options.bias());
  reset_parameters();
}

template <size_t D>
void ConvNdImpl<D>::reset_parameters() {
  init_conv(weight, bias);
}

template <size_t D>
Tensor ConvNdImpl<D>::forward(const Tensor& input) {
  auto conv = [&](const Tensor& x, IntArrayRef padding) {
    return D == 1 ? conv1d(x, weight, bias, options.stride(), padding, options.dilation(), options.groups())
                  : conv2d(x, weight, bias, options.stride(), padding, options.dilation(), options.groups());
  };
  const auto* numeric = std::get_if<ExpandingArray<D>>(&options.padding());
  if (options.padding_mode() == kZeros || options.padding_mode() == kConstant) {
    if (numeric) return conv(input, *numeric);
    const char* mode = std::get<PaddingMode>(options.padding()) == kSame ? "same" : "valid";
    return D == 1 ? conv1d(input, weight, bias, options.stride(), mode, options.dilation(), options.groups())
                  : conv2d(input, weight, bias, options.stride(), mode, options.dilation(), options.groups());
  }
  // Reflect / replicate / circular: pad explicitly (last dimension first, as F::pad wants),
  // then convolve without padding.
  std::vector<int64_t> pads;
  for (size_t k = 0; k < D; ++k) {
    size_t i = D - 1 - k;
    int64_t left = 0, right = 0;
    if (numeric) {
      left = right = (*numeric)[i];
    } else if (std::get<PaddingMode>(options.padding()) == kSame) {
      int64_t total = options.dilation()[i] * (options.kernel_size()[i] - 1);
      left = total / 2;
      right = total - left;
    }
    pads.push_back(left);
    pads.push_back(right);
  }
  Tensor padded = functional::pad(input, functional::PadFuncOptions(pads).mode(options.padding_mode()));
  return conv(padded, ExpandingArray<D>(0));
}

template <size_t D>
std::string ConvNdImpl<D>::extra_repr() const {
  std::ostringstream os;
  os << options.in_channels() << ", " << options.out_channels() << ", kernel_size=" << tuple(options.kernel_size())
     << ", stride=" << tuple(options.stride());
  if (const auto* numeric = std::get_if<ExpandingArray<D>>(&options.padding())) {
    if (!all_equal(*numeric, 0)) os << ", padding=" << tuple(*numeric);
  } else {
    os << ", padding=" << (std::get<PaddingMode>(options.padding()) == kSame ? "same" : "valid");
  }
  if (!all_equal(options.dilation(), 1)) os << ", dilation=" << tuple(options.dilation());
  if (options.groups() != 1) os << ", groups=" << options.groups();
  if (!options.bias()) os << ", bias=False";
  if (options.padding_mode() != kZeros) os << ", padding_mode=" << pad_mode_name(options.padding_mode());
  return os.str();
}

template <size_t D>
ConvTransposeNdImpl<D>::ConvTransposeNdImpl(ConvTransposeOptions<D> options_) : options(std::move(options_)) {
  const char* name = D == 1 ? "ConvTranspose1d" : "ConvTranspose2d";
  EMBER_CHECK_VALUE(options.groups() > 0, name, ": groups must be a positive integer");
  EMBER_CHECK_VALUE(options.in_channels() % options.groups() == 0, name, ": in_channels must be divisible by groups");
  EMBER_CHECK_VALUE(options.out_channels() % options.groups() == 0, name, ": out_channels must be divisible by groups");
  DimVector shape{options.in_channels(), options.out_channels() / options.groups()};
  for (size_t i = 0; i < D; ++i) shape.push_back(options.kernel_size()[i]);
  weight = register_parameter("weight", empty(shape));
  bias = register_parameter("bias", options.bias() ? empty({options.out_channels()}) : Tensor(), options.bias());
  reset_parameters();
}

template <size_t D>
void ConvTransposeNdImpl<D>::reset_parameters() {
  init_conv(weight, bias);
}

template <size_t D>
Tensor ConvTransposeNdImpl<D>::forward(const Tensor& input) {
  return D == 1 ? conv_transpose1d(input, weight, bias, options.stride(), options.padding(), options.output_padding(),
                                   options.groups(), options.dilation())
                : conv_transpose2d(input, weight, bias, options.stride(), options.padding(), options.output_padding(),
                                   options.groups(), options.dilation());
}

template <size_t D>
std::string ConvTransposeNdImpl<D>::extra_repr() const {
  std::ostringstream os;
  os << options.in_channels() << ", " << options.out_channels() << ", kernel_size=" << tuple(options.kernel_size())
     << ", stride=" << tuple(options.stride());
  if (!all_equal(options.padding(), 0)) os << ", padding=" << tuple(options.padding());
  if (!all_equal(options.dilation(), 1)) os << ", dilation=" << tuple(options.dilation());
  if (!all_equal(options.output_padding(), 0)) os << ", output_padding=" << tuple(options.output_padding());
  if (options.groups() != 1) os << ", groups=" << options.groups();
  if (!options.bias()) os << ", bias=False";
  return os.str();
}

template class ConvNdImpl<1>;
template class ConvNdImpl<2>;
template class ConvTransposeNdImpl<1>;
template class ConvTransposeNdImpl<2>;

}  // namespace ember::nn
