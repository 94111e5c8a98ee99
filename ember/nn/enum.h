#pragma once
// Enumerated option values of nn, with LibTorch's spellings: `ember::kMean`, `ember::kReLU`,
// `ember::kFanIn`, `ember::kSame`, ... Each family is a scoped enum plus k-constants, so a
// wrong family is a compile error and `reduction(ember::kSum)` reads as it does in LibTorch.
#include <string>

namespace ember {

// Loss reduction.
enum class Reduction { None, Mean, Sum };
inline constexpr Reduction kNone = Reduction::None;
inline constexpr Reduction kMean = Reduction::Mean;
inline constexpr Reduction kSum = Reduction::Sum;
// "none" / "mean" / "sum", as PyTorch spells reduction arguments.
std::string reduction_name(Reduction r);

// Nonlinearities for nn::init::calculate_gain.
enum class Nonlinearity {
  Linear, Conv1D, Conv2D, Conv3D, ConvTranspose1D, ConvTranspose2D, ConvTranspose3D,
  Sigmoid, Tanh, ReLU, LeakyReLU, SELU
};
inline constexpr Nonlinearity kLinear = Nonlinearity::Linear;
inline constexpr Nonlinearity kConv1D = Nonlinearity::Conv1D;
inline constexpr Nonlinearity kConv2D = Nonlinearity::Conv2D;
inline constexpr Nonlinearity kConv3D = Nonlinearity::Conv3D;
inline constexpr Nonlinearity kConvTranspose1D = Nonlinearity::ConvTranspose1D;
inline constexpr Nonlinearity kConvTranspose2D = Nonlinearity::ConvTranspose2D;
inline constexpr Nonlinearity kConvTranspose3D = Nonlinearity::ConvTranspose3D;
inline constexpr Nonlinearity kSigmoid = Nonlinearity::Sigmoid;
inline constexpr Nonlinearity kTanh = Nonlinearity::Tanh;
inline constexpr Nonlinearity kReLU = Nonlinearity::ReLU;
inline constexpr Nonlinearity kLeakyReLU = Nonlinearity::LeakyReLU;
inline constexpr Nonlinearity kSELU = Nonlinearity::SELU;

// Fan mode for kaiming initialisers.
enum class FanMode { FanIn, FanOut };
inline constexpr FanMode kFanIn = FanMode::FanIn;
inline constexpr FanMode kFanOut = FanMode::FanOut;

// Convolution padding given by name instead of numbers.
enum class PaddingMode { Valid, Same };
inline constexpr PaddingMode kValid = PaddingMode::Valid;
inline constexpr PaddingMode kSame = PaddingMode::Same;

// What padding fills with: F::pad takes kConstant / kReflect / kReplicate / kCircular; a
// convolution's padding_mode takes kZeros / kReflect / kReplicate / kCircular.
enum class PadMode { Constant, Zeros, Reflect, Replicate, Circular };
inline constexpr PadMode kConstant = PadMode::Constant;
inline constexpr PadMode kZeros = PadMode::Zeros;
inline constexpr PadMode kReflect = PadMode::Reflect;
inline constexpr PadMode kReplicate = PadMode::Replicate;
inline constexpr PadMode kCircular = PadMode::Circular;

// interpolate's mode.
enum class InterpolateMode { Nearest, Bilinear };
inline constexpr InterpolateMode kNearest = InterpolateMode::Nearest;
inline constexpr InterpolateMode kBilinear = InterpolateMode::Bilinear;

}  // namespace ember
