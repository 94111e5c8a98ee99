// batch_norm / layer_norm / group_norm front ends. The forward passes are short chains of
// ember's vectorised reductions and elementwise ops run without recording; each op then
// records one node (NativeBatchNormBackward0, ...) whose formula lives in
// autograd/derivatives_nn.cpp.
#include "ember/ops/normalization.h"

#include "ember/autograd/derivatives_nn.h"
#include "ember/ops/elementwise.h"
#include "ember/ops/factory.h"
#include "ember/ops/reduce.h"

namespace ember {

namespace {

// (1, C, 1, ...) for a per-channel vector against an input of rank `dim`.
DimVector channel_shape(int64_t dim, int64_t c) {
  DimVector s(static_cast<size_t>(dim), 1);
  s[1] = c;
  return s;
}

DimVector all_but_channel(int64_t dim) {
  DimVector d;
  for (int64_t i = 0; i < dim; ++i)
    if (i != 1) d.push_back(i);
  return d;
}

void check_per_channel(const Tensor& t, const char* name, int64_t c) {
  EMBER_CHECK(!t.defined() || t.numel() == c, name, " should contain ", c, " elements not ", t.numel());
}

}  // namespace

Tensor batch_norm(const Tensor& input, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                  const Tensor& running_var, bool training, double momentum, double eps) {
  EMBER_CHECK(input.defined(), "batch_norm(): expected a defined input");
  EMBER_CHECK(input.dim() >= 2, "batch_norm(): expected input with at least 2 dimensions (N, C, ...), but got input of size ",
              input.sizes());
  nn_detail::check_float_dtype(input, "batch_norm");
  const int64_t c = input.size(1);
  check_per_channel(running_mean, "running_mean", c);
  check_per_channel(running_var, "running_var", c);
  check_per_channel(weight, "weight", c);
  check_per_channel(bias, "bias", c);
  const DimVector cs = channel_shape(input.dim(), c), dims = all_but_channel(input.dim());
  const int64_t count = c ? input.numel() / c : 0;
  if (training)
    EMBER_CHECK_VALUE(count != 1, "Expected more than 1 value per channel when training, got input size ",
                      input.sizes());
  else
    EMBER_CHECK(running_mean.defined() && running_var.defined(),
                "batch_norm(): running_mean and running_var must be defined in evaluation mode");
  Tensor y = autograd::untracked([&] {
    Tensor mean, invstd;
    if (training) {
      mean = input.mean(dims, /*keepdim=*/true);
      Tensor var = (input - mean).square().mean(dims, true);
      invstd = (var + eps).rsqrt();
      // running = (1 - momentum) * running + momentum * batch statistic; the running
      // variance takes the unbiased estimate (PyTorch's rule).
      if (running_mean.defined()) {
        Tensor rm = running_mean;
        rm.mul_(1 - momentum).add_(mean.reshape({c}).to(rm.dtype()), momentum);
      }
      if (running_var.defined()) {
        Tensor rv = running_var;
        const double unbias = count > 1 ? double(count) / double(count - 1) : 1.0;
        rv.mul_(1 - momentum).add_(var.reshape({c}).to(rv.dtype()), momentum * unbias);
      }
    } else {
      mean = running_mean.reshape(cs).to(input.dtype());
      invstd = (running_var.reshape(cs).to(input.dtype()) + eps).rsqrt();
    }
    Tensor out = (input - mean) * invstd;
    if (weight.defined()) out = out * weight.reshape(cs);
    if (bias.defined()) out = out + bias.reshape(cs);
    return out;
  });
  // The running stats are saved only for evaluation, where they are the statistics.
  Tensor none;
  autograd::record(autograd::NativeBatchNormBackward0, {&input, &weight, &bias}, y, {training, eps},
                   {input, weight, training ? none : running_mean, training ? none : running_var});
  return y;
}

Tensor layer_norm(const Tensor& input, IntArrayRef normalized_shape, const Tensor& weight, const Tensor& bias,
                  double eps) {
  EMBER_CHECK(input.defined(), "layer_norm(): expected a defined input");
  const int64_t k = static_cast<int64_t>(normalized_shape.size());
  EMBER_CHECK(k >= 1, "Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one element, "
              "but got normalized_shape = ", normalized_shape);
  EMBER_CHECK(!weight.defined() || weight.sizes() == normalized_shape,
              "Expected weight to be of same shape as normalized_shape, but got weight of shape ", weight.sizes(),
              " and normalized_shape = ", normalized_shape);
  EMBER_CHECK(!bias.defined() || bias.sizes() == normalized_shape,
              "Expected bias to be of same shape as normalized_shape, but got bias of shape ", bias.sizes(),
              " and normalized_shape = ", normalized_shape);
  bool match = input.dim() >= k;
  for (int64_t i = 0; match && i < k; ++i) match = input.size(input.dim() - k + i) == normalized_shape[i];
  if (!match) {
    std::ostringstream os;
    os << "[*";
    for (int64_t s : normalized_shape) os << ", " << s;
    os << "]";
    EMBER_THROW(Error, "Given normalized_shape=", normalized_shape, ", expected input with shape ", os.str(),
                ", but got input of size", input.sizes());
  }
  nn_detail::check_float_dtype(input, "layer_norm");
  DimVector dims;
  for (int64_t i = input.dim() - k; i < input.dim(); ++i) dims.push_back(i);
  Tensor y = autograd::untracked([&] {
    Tensor mean = input.mean(dims, true);
    Tensor xc = input - mean;
    Tensor out = xc * (xc.square().mean(dims, true) + eps).rsqrt();
    if (weight.defined()) out = out * weight;
    if (bias.defined()) out = out + bias;
    return out;
  });
  autograd::record(autograd::NativeLayerNormBackward0, {&input, &weight, &bias}, y, {k, eps}, {input, weight});
  return y;
}

Tensor group_norm(const Tensor& input, int64_t num_groups, const Tensor& weight, const Tensor& bias, double eps) {
  EMBER_CHECK(input.defined(), "group_norm(): expected a defined input");
  EMBER_CHECK(input.dim() >= 2, "Expected at least 2 dimensions for input tensor but received ", input.dim());
  const int64_t n = input.size(0), c = input.size(1);
  EMBER_CHECK(num_groups > 0 && c % num_groups == 0,
              "Expected number of channels in input to be divisible by num_groups, but got input of shape ",
              input.sizes(), " and num_groups=", num_groups);
  EMBER_CHECK(!weight.defined() || (weight.dim() == 1 && weight.numel() == c),
              "Expected weight to be a vector of size equal to the number of channels in input, but got weight of "
              "shape ", weight.sizes(), " and input of shape ", input.sizes());
  EMBER_CHECK(!bias.defined() || (bias.dim() == 1 && bias.numel() == c),
              "Expected bias to be a vector of size equal to the number of channels in input, but got bias of "
              "shape ", bias.sizes(), " and input of shape ", input.sizes());
  nn_detail::check_float_dtype(input, "group_norm");
  const DimVector cs = channel_shape(input.dim(), c);
  Tensor y = autograd::untracked([&] {
    Tensor x3 = input.reshape({n, num_groups, -1});
    Tensor xc = x3 - x3.mean({2}, true);
    Tensor out = (xc * (xc.square().mean({2}, true) + eps).rsqrt()).reshape(input.sizes());
    if (weight.defined()) out = out * weight.reshape(cs);
    if (bias.defined()) out = out + bias.reshape(cs);
    return nn_detail::as_fresh(out);
  });
  autograd::record(autograd::NativeGroupNormBackward0, {&input, &weight, &bias}, y, {num_groups, eps}, {input, weight});
  return y;
}

}  // namespace ember
