// nn::utils: gradient clipping against PyTorch 1.13.1 (clip:* records of
// tests/data/optim_golden.txt), parameters_to_vector / vector_to_parameters.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <ember/ember.h>

#include "golden.h"

using namespace ember;

namespace {

const ember_test::GoldenFile& golden() {
  static ember_test::GoldenFile g(std::string(EMBER_TEST_DATA_DIR) + "/optim_golden.txt");
  return g;
}

// The generator's three parameters ([2, 3], [2], [1, 1]) with its gradients.
std::vector<Tensor> params_with_grads() {
  const std::vector<std::vector<int64_t>> shapes = {{2, 3}, {2}, {1, 1}};
  std::vector<Tensor> ps;
  for (size_t i = 0; i < shapes.size(); ++i) {
    std::vector<double> g = golden().numbers("clip:grad" + std::to_string(i));
    Tensor p = zeros(shapes[i], TensorOptions(kFloat64)).requires_grad_();
    p.mutable_grad() = from_blob(g.data(), {static_cast<int64_t>(g.size())}, TensorOptions(kFloat64)).clone().reshape(shapes[i]);
    ps.push_back(p);
  }
  return ps;
}

std::vector<double> flat_grads(const std::vector<Tensor>& ps) {
  std::vector<double> r;
  for (const Tensor& p : ps) {
    Tensor g = p.grad().reshape({-1});
    for (int64_t i = 0; i < g.numel(); ++i) r.push_back(g[i].item<double>());
  }
  return r;
}

}  // namespace

TEST(ClipGrad, NormMatchesPyTorch) {
  for (const char* tag : {"l2", "l1", "inf", "p3", "noclip"}) {
    SCOPED_TRACE(tag);
    std::vector<double> rec = golden().numbers(std::string("clip:norm:") + tag);
    const double max_norm = rec[0];
    const double norm_type = rec[1] > 1e300 ? std::numeric_limits<double>::infinity() : rec[1];
    auto ps = params_with_grads();
    const double total = nn::utils::clip_grad_norm_(ps, max_norm, norm_type);
    EXPECT_NEAR(total, rec[2], 1e-14 * rec[2]);
    std::vector<double> got = flat_grads(ps);
    ASSERT_EQ(got.size(), rec.size() - 3);
    for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], rec[i + 3], 1e-15 * (1 + std::abs(rec[i + 3])));
  }
}

TEST(ClipGrad, ValueMatchesPyTorch) {
  auto ps = params_with_grads();
  nn::utils::clip_grad_value_(ps, 0.6);
  EXPECT_EQ(flat_grads(ps), golden().numbers("clip:value"));
}

TEST(ClipGrad, EdgeCases) {
  Tensor a = ones({3}).requires_grad_();
  EXPECT_EQ(nn::utils::clip_grad_norm_({a}, 1.0), 0.0);  // no gradients: total norm 0
  a.mutable_grad() = full({3}, std::numeric_limits<float>::infinity());
  try {
    nn::utils::clip_grad_norm_(a, 1.0, 2.0, /*error_if_nonfinite=*/true);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("is non-finite, so it cannot be clipped"), std::string::npos);
  }
  EXPECT_TRUE(std::isinf(nn::utils::clip_grad_norm_(a, 1.0)));
  // float32 gradients stay float32 and are scaled by max_norm / (norm + 1e-6).
  Tensor b = ones({4}).requires_grad_();
  b.mutable_grad() = full({4}, 3.0f);
  EXPECT_NEAR(nn::utils::clip_grad_norm_(b, 1.0), 6.0, 1e-6);
  EXPECT_EQ(b.grad().dtype(), kFloat32);
  EXPECT_NEAR(b.grad()[0].item<double>(), 3.0 / (6.0 + 1e-6), 1e-7);
}

TEST(ConvertParameters, RoundTrip) {
  Tensor w = arange(6, TensorOptions(kFloat32)).reshape({2, 3}).requires_grad_();
  Tensor b = arange(2, TensorOptions(kFloat32)).requires_grad_();
  Tensor v = nn::utils::parameters_to_vector({w, b});
  EXPECT_EQ(v.sizes(), (std::vector<int64_t>{8}));
  EXPECT_EQ(v[6].item<float>(), 0.0f);
  Tensor nv = arange(10, 18, TensorOptions(kFloat32));
  nn::utils::vector_to_parameters(nv, {w, b});
  EXPECT_EQ(w.sizes(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(w.index({1, 2}).item<float>(), 15.0f);
  EXPECT_EQ(b[1].item<float>(), 17.0f);
  EXPECT_TRUE(w.requires_grad());
  EXPECT_TRUE(w.is_leaf());
  // Too short: PyTorch's view error.
  try {
    nn::utils::vector_to_parameters(arange(7, TensorOptions(kFloat32)), {w, b});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("is invalid for input of size"), std::string::npos) << e.what();
  }
}
