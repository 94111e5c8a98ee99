#pragma once
// Differential testing against LibTorch (PyTorch 1.13.1 from Debian, a test-only
// dependency): convert tensors both ways and compare dtype, shape and values.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstring>
#include <random>
#include <string>

#include <ember/ember.h>

namespace diff {

inline c10::ScalarType to_torch(ember::ScalarType t) {
  switch (t) {
    case ember::kBool: return torch::kBool;
    case ember::kUInt8: return torch::kUInt8;
    case ember::kInt8: return torch::kInt8;
    case ember::kInt16: return torch::kInt16;
    case ember::kInt32: return torch::kInt32;
    case ember::kInt64: return torch::kInt64;
    case ember::kFloat16: return torch::kFloat16;
    case ember::kBFloat16: return torch::kBFloat16;
    case ember::kFloat32: return torch::kFloat32;
    default: return torch::kFloat64;
  }
}
inline ember::ScalarType from_torch(c10::ScalarType t) {
  switch (t) {
    case torch::kBool: return ember::kBool;
    case torch::kUInt8: return ember::kUInt8;
    case torch::kInt8: return ember::kInt8;
    case torch::kInt16: return ember::kInt16;
    case torch::kInt32: return ember::kInt32;
    case torch::kInt64: return ember::kInt64;
    case torch::kFloat16: return ember::kFloat16;
    case torch::kBFloat16: return ember::kBFloat16;
    case torch::kFloat32: return ember::kFloat32;
    case torch::kFloat64: return ember::kFloat64;
    default: throw std::runtime_error("unsupported torch dtype");
  }
}

// Copies the values (same sizes; the strides of the copy are contiguous).
inline torch::Tensor to_torch(const ember::Tensor& e) {
  ember::Tensor c = e.contiguous();
  torch::Tensor t = torch::empty(std::vector<int64_t>(c.sizes().begin(), c.sizes().end()),
                                 torch::TensorOptions().dtype(to_torch(c.dtype())));
  if (c.numel()) std::memcpy(t.data_ptr(), c.data_ptr(), c.nbytes());
  return t;
}
inline ember::Tensor from_torch(const torch::Tensor& t) {
  torch::Tensor c = t.contiguous();
  std::vector<int64_t> sizes(c.sizes().begin(), c.sizes().end());
  ember::Tensor e = ember::empty(sizes, ember::TensorOptions(from_torch(c.scalar_type())));
  if (c.numel()) std::memcpy(e.data_ptr(), c.data_ptr(), c.nbytes());
  return e;
}

// The same tensor in both libraries, with the same strides (so non-contiguous inputs are
// tested as such): `make` builds it in torch, and the ember twin is an identical view.
struct Pair {
  torch::Tensor t;
  ember::Tensor e;
};
// A view in ember with the same geometry as a torch view (copies the torch base storage).
inline Pair twin(const torch::Tensor& t) {
  // Materialise the whole storage region used by t, then view it the same way.
  int64_t extent = 1;
  for (int64_t d = 0; d < t.dim(); ++d) extent += (t.size(d) - 1) * t.stride(d);
  if (t.numel() == 0) return {t, from_torch(t)};
  torch::Tensor base = torch::from_blob(static_cast<char*>(t.data_ptr()), {extent},
                                        torch::TensorOptions().dtype(t.scalar_type()));
  ember::Tensor ebase = from_torch(base);
  std::vector<int64_t> sizes(t.sizes().begin(), t.sizes().end()), strides(t.strides().begin(), t.strides().end());
  return {t, ebase.as_strided(sizes, strides, 0)};
}

// Compares dtype, shape and values (NaN equal to NaN, infinities exactly).
inline ::testing::AssertionResult same(const ember::Tensor& e, const torch::Tensor& t, double rtol = 1e-5,
                                       double atol = 1e-6) {
  if (!e.defined() || !t.defined()) return ::testing::AssertionFailure() << "undefined tensor";
  if (to_torch(e.dtype()) != t.scalar_type())
    return ::testing::AssertionFailure() << "dtype: ember " << ember::dtype_name(e.dtype()) << " vs torch "
                                         << t.scalar_type();
  std::vector<int64_t> es(e.sizes().begin(), e.sizes().end()), ts(t.sizes().begin(), t.sizes().end());
  if (es != ts) return ::testing::AssertionFailure() << "shape: ember " << e.sizes() << " vs torch " << t.sizes();
  torch::Tensor et = to_torch(e);
  if (t.numel() == 0) return ::testing::AssertionSuccess();
  if (t.scalar_type() == torch::kBool || !t.is_floating_point()) {
    if (!torch::equal(et, t.contiguous()))
      return ::testing::AssertionFailure() << "values differ:\nember " << et << "\ntorch " << t;
    return ::testing::AssertionSuccess();
  }
  torch::Tensor a = et.to(torch::kFloat64), b = t.to(torch::kFloat64);
  if (!torch::allclose(a, b, rtol, atol, /*equal_nan=*/true)) {
    torch::Tensor diff = (a - b).abs();
    return ::testing::AssertionFailure() << "values differ (max abs diff " << diff.nan_to_num(0).max().item<double>()
                                         << "):\nember " << et << "\ntorch " << t;
  }
  return ::testing::AssertionSuccess();
}

// Random inputs in torch, so both sides see identical data.
inline torch::Tensor random_tensor(std::vector<int64_t> shape, c10::ScalarType dt, int seed = 0) {
  torch::manual_seed(seed);
  if (dt == torch::kBool) return torch::randint(0, 2, shape).to(torch::kBool);
  if (c10::isIntegralType(dt, false)) return torch::randint(dt == torch::kUInt8 ? 0 : -20, 20, shape).to(dt);
  return (torch::randn(shape, torch::kFloat64) * 3).to(dt);
}

}  // namespace diff
