#include "ember/nn/init.h"

#include <cmath>
#include <vector>

#include "ember/autograd/grad_mode.h"
#include "ember/ops/factory.h"
#include "ember/ops/shape.h"

namespace ember::nn::init {

namespace {

int64_t correct_fan(const Tensor& tensor, FanMode mode) {
  auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(tensor);
  return mode == FanMode::FanIn ? fan_in : fan_out;
}

void check_defined(const Tensor& t, const char* fn) { EMBER_CHECK(t.defined(), fn, ": the tensor is undefined"); }

// Inverse error function in double: Giles' single-precision-style initial guess refined
// by Newton steps on erf, accurate to a few ulp of double, so rounding to float gives
// PyTorch's erfinv_ values.
double erfinv(double y) {
  if (y <= -1) return y == -1 ? -INFINITY : NAN;
  if (y >= 1) return y == 1 ? INFINITY : NAN;
  double w = -std::log((1.0 - y) * (1.0 + y));
  double x;
  if (w < 5.0) {
    w -= 2.5;
    double p = 2.81022636e-08;
    p = 3.43273939e-07 + p * w;
    p = -3.5233877e-06 + p * w;
    p = -4.39150654e-06 + p * w;
    p = 0.00021858087 + p * w;
    p = -0.00125372503 + p * w;
    p = -0.00417768164 + p * w;
    p = 0.246640727 + p * w;
    p = 1.50140941 + p * w;
    x = p * y;
  } else {
    w = std::sqrt(w) - 3.0;
    double p = -0.000200214257;
    p = 0.000100950558 + p * w;
    p = 0.00134934322 + p * w;
    p = -0.00367342844 + p * w;
    p = 0.00573950773 + p * w;
    p = -0.0076224613 + p * w;
    p = 0.00943887047 + p * w;
    p = 1.00167406 + p * w;
    p = 2.83297682 + p * w;
    x = p * y;
  }
  const double two_over_sqrt_pi = 1.1283791670955126;
  for (int i = 0; i < 3; ++i) x -= (std::erf(x) - y) / (two_over_sqrt_pi * std::exp(-x * x));
  return x;
}

// Householder QR of a row-major m x n matrix (m >= n) in double; returns the reduced Q
// (m x n) with columns signed so that R's diagonal is non-negative (torch's orthogonal_
// applies that sign correction itself, which makes Q unique).
std::vector<double> orthonormal_q(std::vector<double> a, int64_t m, int64_t n) {
  std::vector<std::vector<double>> reflectors;
  std::vector<double> rdiag(static_cast<size_t>(n));
  for (int64_t k = 0; k < n; ++k) {
    double norm = 0;
    for (int64_t i = k; i < m; ++i) norm += a[i * n + k] * a[i * n + k];
    norm = std::sqrt(norm);
    double alpha = a[k * n + k] > 0 ? -norm : norm;
    std::vector<double> v(static_cast<size_t>(m), 0.0);
    for (int64_t i = k; i < m; ++i) v[i] = a[i * n + k];
    v[k] -= alpha;
    double vnorm2 = 0;
    for (int64_t i = k; i < m; ++i) vnorm2 += v[i] * v[i];
    if (vnorm2 > 0) {
      for (int64_t j = k; j < n; ++j) {
        double dot = 0;
        for (int64_t i = k; i < m; ++i) dot += v[i] * a[i * n + j];
        double f = 2 * dot / vnorm2;
        for (int64_t i = k; i < m; ++i) a[i * n + j] -= f * v[i];
      }
    }
    rdiag[k] = a[k * n + k];
    reflectors.push_back(std::move(v));
  }
  // Q = H0 H1 ... H(n-1) applied to the first n columns of the identity.
  std::vector<double> q(static_cast<size_t>(m * n), 0.0);
  for (int64_t j = 0; j < n; ++j) q[j * n + j] = 1.0;
  for (int64_t k = n - 1; k >= 0; --k) {
    const auto& v = reflectors[k];
    double vnorm2 = 0;
    for (int64_t i = k; i < m; ++i) vnorm2 += v[i] * v[i];
    if (vnorm2 == 0) continue;
    for (int64_t j = 0; j < n; ++j) {
      double dot = 0;
      for (int64_t i = k; i < m; ++i) dot += v[i] * q[i * n + j];
      double f = 2 * dot / vnorm2;
      for (int64_t i = k; i < m; ++i) q[i * n + j] -= f * v[i];
    }
  }
  for (int64_t j = 0; j < n; ++j) {
    double sign = rdiag[j] > 0 ? 1.0 : (rdiag[j] < 0 ? -1.0 : 0.0);
    for (int64_t i = 0; i < m; ++i) q[i * n + j] *= sign;
  }
  return q;
}

}  // namespace

double calculate_gain(Nonlinearity nonlinearity, double param) {
  switch (nonlinearity) {
    case Nonlinearity::Linear:
    case Nonlinearity::Conv1D:
    case Nonlinearity::Conv2D:
    case Nonlinearity::Conv3D:
    case Nonlinearity::ConvTranspose1D:
    case Nonlinearity::ConvTranspose2D:
    case Nonlinearity::ConvTranspose3D:
    case Nonlinearity::Sigmoid: return 1.0;
    case Nonlinearity::Tanh: return 5.0 / 3;
    case Nonlinearity::ReLU: return std::sqrt(2.0);
    case Nonlinearity::LeakyReLU: return std::sqrt(2.0 / (1 + std::pow(param, 2)));
    case Nonlinearity::SELU: return 3.0 / 4;
  }
  return 1.0;
}

std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& tensor) {
  EMBER_CHECK_VALUE(tensor.dim() >= 2,
              "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
  int64_t receptive = 1;
  for (int64_t d = 2; d < tensor.dim(); ++d) receptive *= tensor.size(d);
  return {tensor.size(1) * receptive, tensor.size(0) * receptive};
}

Tensor uniform_(Tensor tensor, double low, double high) {
  check_defined(tensor, "uniform_");
  NoGradGuard g;
  tensor.uniform_(low, high);
  return tensor;
}

Tensor normal_(Tensor tensor, double mean, double std) {
  check_defined(tensor, "normal_");
  NoGradGuard g;
  tensor.normal_(mean, std);
  return tensor;
}

Tensor trunc_normal_(Tensor tensor, double mean, double std, double a, double b) {
  check_defined(tensor, "trunc_normal_");
  EMBER_CHECK(tensor.is_floating_point(), "trunc_normal_: expected a floating-point tensor, got ",
              dtype_name(tensor.dtype()));
  NoGradGuard g;
  auto norm_cdf = [](double x) { return (1.0 + std::erf(x / std::sqrt(2.0))) / 2.0; };
  double l = norm_cdf((a - mean) / std), u = norm_cdf((b - mean) / std);
  tensor.uniform_(2 * l - 1, 2 * u - 1);
  // erfinv element by element in double, then PyTorch's remaining in-place steps.
  Tensor values = tensor.to(kFloat64).contiguous();
  double* p = values.data_ptr<double>();
  if (tensor.dtype() == kFloat64) {
    for (int64_t i = 0; i < values.numel(); ++i) p[i] = erfinv(p[i]);
  } else {
    // Round through float as PyTorch's float erfinv returns a float.
    for (int64_t i = 0; i < values.numel(); ++i) p[i] = static_cast<float>(erfinv(static_cast<float>(p[i])));
  }
  tensor.copy_(values);
  tensor.mul_(std * std::sqrt(2.0));
  tensor.add_(mean);
  tensor.clamp_(a, b);
  return tensor;
}

Tensor constant_(Tensor tensor, Scalar value) {
  check_defined(tensor, "constant_");
  NoGradGuard g;
  tensor.fill_(value);
  return tensor;
}

Tensor ones_(Tensor tensor) { return constant_(std::move(tensor), 1); }
Tensor zeros_(Tensor tensor) { return constant_(std::move(tensor), 0); }

Tensor eye_(Tensor matrix) {
  check_defined(matrix, "eye_");
  EMBER_CHECK_VALUE(matrix.dim() == 2, "Only tensors with 2 dimensions are supported");
  NoGradGuard g;
  matrix.copy_(eye(matrix.size(0), matrix.size(1), matrix.options()));
  return matrix;
}

Tensor dirac_(Tensor tensor, int64_t groups) {
  check_defined(tensor, "dirac_");
  int64_t dims = tensor.dim();
  EMBER_CHECK_VALUE(dims >= 3 && dims <= 5, "Only tensors with 3, 4, or 5 dimensions are supported");
  EMBER_CHECK_VALUE(groups > 0 && tensor.size(0) % groups == 0, "dim 0 must be divisible by groups");
  NoGradGuard g;
  int64_t out_per_group = tensor.size(0) / groups;
  int64_t min_dim = std::min(out_per_group, tensor.size(1));
  tensor.zero_();
  for (int64_t grp = 0; grp < groups; ++grp) {
    for (int64_t d = 0; d < min_dim; ++d) {
      Tensor t = tensor.select(0, grp * out_per_group + d).select(0, d);
      for (int64_t k = 2; k < dims; ++k) t = t.select(0, tensor.size(k) / 2);
      t.fill_(1);
    }
  }
  return tensor;
}

Tensor xavier_uniform_(Tensor tensor, double gain) {
  auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(tensor);
  double std = gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out));
  double a = std::sqrt(3.0) * std;
  return uniform_(std::move(tensor), -a, a);
}

Tensor xavier_normal_(Tensor tensor, double gain) {
  auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(tensor);
  double std = gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out));
  return normal_(std::move(tensor), 0.0, std);
}

Tensor kaiming_uniform_(Tensor tensor, double a, FanMode mode, Nonlinearity nonlinearity) {
  check_defined(tensor, "kaiming_uniform_");
  if (tensor.numel() == 0) return tensor;  // PyTorch warns "Initializing zero-element tensors is a no-op"
  int64_t fan = correct_fan(tensor, mode);
  double gain = calculate_gain(nonlinearity, a);
  double std = gain / std::sqrt(static_cast<double>(fan));
  double bound = std::sqrt(3.0) * std;
  return uniform_(std::move(tensor), -bound, bound);
}

Tensor kaiming_normal_(Tensor tensor, double a, FanMode mode, Nonlinearity nonlinearity) {
  check_defined(tensor, "kaiming_normal_");
  if (tensor.numel() == 0) return tensor;
  int64_t fan = correct_fan(tensor, mode);
  double gain = calculate_gain(nonlinearity, a);
  double std = gain / std::sqrt(static_cast<double>(fan));
  return normal_(std::move(tensor), 0.0, std);
}

Tensor orthogonal_(Tensor tensor, double gain) {
  check_defined(tensor, "orthogonal_");
  EMBER_CHECK_VALUE(tensor.dim() >= 2, "Only tensors with 2 or more dimensions are supported");
  if (tensor.numel() == 0) return tensor;
  NoGradGuard g;
  int64_t rows = tensor.size(0), cols = tensor.numel() / rows;
  Tensor flat = empty({rows, cols}, tensor.options()).normal_(0, 1);
  bool transposed = rows < cols;
  Tensor a = (transposed ? flat.t() : flat).to(kFloat64).contiguous();
  int64_t m = a.size(0), n = a.size(1);
  std::vector<double> values(a.data_ptr<double>(), a.data_ptr<double>() + m * n);
  std::vector<double> q = orthonormal_q(std::move(values), m, n);
  Tensor qt = from_blob(q.data(), {m, n}, kFloat64).clone();
  if (transposed) qt = qt.t();
  tensor.view({rows, cols}).copy_(qt);
  tensor.mul_(gain);
  return tensor;
}

}  // namespace ember::nn::init
