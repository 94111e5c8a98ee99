// bfloat16 elementwise kernels and casts (Note [bfloat16 rounding] in ember/cpu/bf16_convert.h)
// against LibTorch 1.13's bf16 kernels: casts and one-step arithmetic bit for bit (float32
// result rounded to nearest even), the transcendental functions within one bf16 ulp (the
// float32 functions may differ in their last bits), relu exactly, on data with NaN, infinities,
// subnormals and rounding ties, dense, broadcast-scalar and strided.
#include <cmath>
#include <limits>
#include <vector>

#include "diff_util.h"

namespace {

// 4099 values (not a multiple of the vector or block width): random normals of three
// magnitudes, plus NaN, +-inf, +-0, float32 subnormals and exact bf16 rounding ties.
torch::Tensor special_floats(int seed) {
  torch::manual_seed(seed);
  torch::Tensor x = torch::randn({4099}) * torch::pow(10.0, torch::randint(-3, 4, {4099}).to(torch::kFloat32));
  const float specials[] = {NAN, INFINITY, -INFINITY, 0.0f, -0.0f, 1e-40f, -3e-39f, 1.17e-38f,
                            1.00390625f /* tie: 1 + 2^-8 */, 1.01171875f /* tie, odd */, 3.3895314e38f};
  for (size_t i = 0; i < sizeof(specials) / sizeof(float); ++i) x[static_cast<int64_t>(i * 97)] = specials[i];
  return x;
}

::testing::AssertionResult bits_equal(const ember::Tensor& e, const torch::Tensor& t) {
  return diff::same(e, t, 0, 0);  // NaN equal to NaN, everything else exactly
}

}  // namespace

TEST(DiffBf16Elementwise, CastsRoundToNearestEven) {
  torch::Tensor f = special_floats(1);
  ember::Tensor ef = diff::from_torch(f);
  EXPECT_TRUE(bits_equal(ef.to(ember::kBFloat16), f.to(torch::kBFloat16)));
  // Strided (the element-by-element path) and back to float32 (exact).
  EXPECT_TRUE(bits_equal(ef.slice(0, 0, 4099, 3).to(ember::kBFloat16), f.slice(0, 0, 4099, 3).to(torch::kBFloat16)));
  torch::Tensor b = f.to(torch::kBFloat16);
  EXPECT_TRUE(bits_equal(diff::from_torch(b).to(ember::kFloat32), b.to(torch::kFloat32)));
}

TEST(DiffBf16Elementwise, ArithmeticMatchesTorch) {
  torch::Tensor a = special_floats(2).to(torch::kBFloat16), b = special_floats(3).to(torch::kBFloat16);
  ember::Tensor ea = diff::from_torch(a), eb = diff::from_torch(b);
  EXPECT_TRUE(bits_equal(ea + eb, a + b));
  EXPECT_TRUE(bits_equal(ea - eb, a - b));
  EXPECT_TRUE(bits_equal(ea * eb, a * b));
  EXPECT_TRUE(bits_equal(ea / eb, a / b));
  // Scalar operands (broadcast with stride 0) and a strided view.
  EXPECT_TRUE(bits_equal(ea * 0.1, a * 0.1));
  EXPECT_TRUE(bits_equal(ea + eb[7], a + b[7]));
  EXPECT_TRUE(bits_equal(ea.slice(0, 0, 4098, 2) * eb.slice(0, 1, 4099, 2), a.slice(0, 0, 4098, 2) * b.slice(0, 1, 4099, 2)));
  // 2-d broadcast (a bias row), as after a bf16 linear layer.
  torch::Tensor m = a.slice(0, 0, 4096).view({64, 64}), r = b.slice(0, 0, 64);
  EXPECT_TRUE(bits_equal(diff::from_torch(m) + diff::from_torch(r), m + r));
}

TEST(DiffBf16Elementwise, ActivationsMatchTorch) {
  torch::Tensor a = special_floats(4).to(torch::kBFloat16);
  ember::Tensor ea = diff::from_torch(a);
  EXPECT_TRUE(bits_equal(ember::relu(ea), torch::relu(a)));
  EXPECT_TRUE(bits_equal(ember::relu(ea.slice(0, 1, 4099, 2)), torch::relu(a.slice(0, 1, 4099, 2))));
  const double ulp = 1.0 / 128;
  EXPECT_TRUE(diff::same(ember::exp(ea), torch::exp(a), ulp, 0));
  EXPECT_TRUE(diff::same(ember::tanh(ea), torch::tanh(a), ulp, 0));
  EXPECT_TRUE(diff::same(ember::sigmoid(ea), torch::sigmoid(a), ulp, 0));
  EXPECT_TRUE(diff::same(ember::exp(ea.slice(0, 0, 4099, 3)), torch::exp(a.slice(0, 0, 4099, 3)), ulp, 0));
}

TEST(DiffBf16Elementwise, SumAndMeanAccumulateInFloat) {
  // 2^20 ones: a bf16 accumulator would stop at 256; float32 reaches 2^20 exactly.
  torch::Tensor ones = torch::ones({1 << 20}, torch::kBFloat16);
  EXPECT_TRUE(bits_equal(diff::from_torch(ones).sum(), ones.sum()));
  torch::Tensor a = (torch::randn({3, 4099}) * 3).to(torch::kBFloat16);
  ember::Tensor ea = diff::from_torch(a);
  const double ulp = 1.0 / 128;
  EXPECT_TRUE(diff::same(ea.sum(), a.sum(), ulp, 1e-2));
  EXPECT_TRUE(diff::same(ea.mean(), a.mean(), ulp, 1e-4));
  EXPECT_TRUE(diff::same(ea.sum(1), a.sum(1), ulp, 1e-2));
  EXPECT_TRUE(diff::same(ea.sum(0), a.sum(0), ulp, 1e-2));
}
