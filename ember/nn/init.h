#pragma once
// nn::init: PyTorch's initialisers (torch.nn.init). All run under no_grad, fill in place
// and return the tensor. They draw from the global generator in the same order and with
// the same double-precision bounds as PyTorch, so after the same manual_seed they give
// bit-identical tensors.
#include "ember/core/tensor.h"
#include "ember/nn/enum.h"

namespace ember::nn::init {

// Recommended gain for a nonlinearity; `param` is LeakyReLU's negative slope.
double calculate_gain(Nonlinearity nonlinearity, double param = 0.01);
// (fan_in, fan_out) of a weight: size(1) and size(0) times the receptive field.
std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& tensor);

Tensor uniform_(Tensor tensor, double low = 0, double high = 1);
Tensor normal_(Tensor tensor, double mean = 0, double std = 1);
// Normal(mean, std) truncated to [a, b] by inverse-CDF sampling, as PyTorch does.
Tensor trunc_normal_(Tensor tensor, double mean = 0, double std = 1, double a = -2, double b = 2);
Tensor constant_(Tensor tensor, Scalar value);
Tensor ones_(Tensor tensor);
Tensor zeros_(Tensor tensor);
Tensor eye_(Tensor matrix);
// Dirac delta for 3-, 4- and 5-D convolution weights.
Tensor dirac_(Tensor tensor, int64_t groups = 1);
Tensor xavier_uniform_(Tensor tensor, double gain = 1.0);
Tensor xavier_normal_(Tensor tensor, double gain = 1.0);
Tensor kaiming_uniform_(Tensor tensor, double a = 0, FanMode mode = kFanIn, Nonlinearity nonlinearity = kLeakyReLU);
Tensor kaiming_normal_(Tensor tensor, double a = 0, FanMode mode = kFanIn, Nonlinearity nonlinearity = kLeakyReLU);
// A (semi-)orthogonal matrix from the QR decomposition of a normal sample, scaled by gain.
Tensor orthogonal_(Tensor tensor, double gain = 1.0);

}  // namespace ember::nn::init
