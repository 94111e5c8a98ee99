// Regressions found by the differential fuzzer, checked against fixed expectations (the
// LibTorch comparisons are in tests/diff/test_regressions_diff.cpp). These run in the
// sanitizer preset too: several of the original bugs were out-of-bounds reads.
#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include <ember/ember.h>

#include "error_of.h"

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<double> values(const ember::Tensor& t) {
  ember::Tensor c = t.to(ember::kFloat64).contiguous();
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}
// Element-wise equality that treats NaN as equal to NaN and tells -0 from 0.
void expect_values(const ember::Tensor& t, const std::vector<double>& want) {
  std::vector<double> got = values(t);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << "element " << i << ": " << got[i];
    } else {
      EXPECT_EQ(got[i], want[i]) << "element " << i;
      EXPECT_EQ(std::signbit(got[i]), std::signbit(want[i])) << "sign of element " << i;
    }
  }
}
}  // namespace

TEST(Regressions, ClampWithOneBoundKeepsInfinities) {
  ember::Tensor x = ember::tensor({kInf, 1.0, -kInf, kNaN});
  expect_values(x.clamp(2.5), {kInf, 2.5, 2.5, kNaN});
  expect_values(x.clamp(std::nullopt, 2.5), {2.5, 1.0, -kInf, kNaN});
  expect_values(x.to(ember::kFloat32).clamp(-1.0), {kInf, 1.0, -1.0, kNaN});
  // A NaN bound alone leaves the input; with the other bound it gives NaN everywhere.
  expect_values(x.clamp(kNaN), {kInf, 1.0, -kInf, kNaN});
  expect_values(x.clamp(kNaN, 1.0), {kNaN, kNaN, kNaN, kNaN});
}

TEST(Regressions, ZeroDimMeanOverDimZeroIsDeterministic) {
  for (int run = 0; run < 20; ++run) {
    ember::Tensor x = ember::tensor(3.0).requires_grad_(true);
    x.mean({0}, true).backward();
    EXPECT_EQ(x.grad().item<double>(), 1.0);
    ember::Tensor y = ember::tensor(3.0).requires_grad_(true);
    y.sum({0}).backward();
    EXPECT_EQ(y.grad().item<double>(), 1.0);
  }
  EXPECT_NE(error_of([] { ember::tensor(1.0).sum({0, 0}); }), "");
  EXPECT_NE(error_of([] { ember::tensor(1.0).flatten(0, 1); }), "");
}

TEST(Regressions, MaskedFillValueTensorGetsItsGradient) {
  ember::Tensor x = ember::tensor({1.0, 2.0, 3.0}).requires_grad_(true);
  ember::Tensor v = ember::tensor(5.0).requires_grad_(true);
  ember::Tensor mask = ember::tensor({true, false, true});
  ember::Tensor y = x.masked_fill(mask, v);
  EXPECT_EQ(y.grad_fn()->name(), "MaskedFillBackward1");
  (y * ember::tensor({1.0, 2.0, 3.0})).sum().backward();
  EXPECT_EQ(v.grad().item<double>(), 4.0);
  expect_values(x.grad(), {0.0, 2.0, 0.0});
}

TEST(Regressions, NormAndStdGradientsAtZero) {
  ember::Tensor x = ember::tensor({0.0, 1.0, -2.0, 0.0}).requires_grad_(true);
  x.norm(0).backward();
  expect_values(x.grad(), {0, 0, 0, 0});
  ember::Tensor z = ember::tensor({0.0, 1.0, -2.0, 0.0}).requires_grad_(true);
  z.norm(0.5).backward();
  for (double g : values(z.grad())) EXPECT_TRUE(std::isfinite(g));
  EXPECT_EQ(values(z.grad())[0], 0.0);
  ember::Tensor c = ember::tensor({2.0, 2.0, 2.0}).requires_grad_(true);
  c.std().backward();
  expect_values(c.grad(), {0, 0, 0});
}

TEST(Regressions, EmptyResultsRequireGrad) {
  ember::Tensor x = ember::ones({0, 3}).requires_grad_(true);
  EXPECT_TRUE(x.flip({1}).requires_grad());
  EXPECT_TRUE(ember::where(ember::gt(x, 0.0), x, x).requires_grad());
  EXPECT_TRUE(ember::ones({2, 3}).requires_grad_(true).repeat({0, 1}).requires_grad());
  EXPECT_TRUE(ember::ones({2, 3}).requires_grad_(true).gather(1, ember::zeros({2, 0}, ember::kLong)).requires_grad());
  ember::Tensor e1 = ember::ones({0}).requires_grad_(true);
  ember::Tensor c = ember::cat({e1, e1});
  ASSERT_TRUE(c.requires_grad());
  c.sum().backward();  // reaches the leaf without error
  ember::Tensor r = ember::ones({2, 3}).requires_grad_(true);
  r.repeat({0, 2}).sum().backward();
  expect_values(r.grad(), {0, 0, 0, 0, 0, 0});
}

TEST(Regressions, MaskedGradientsStayFiniteUnderInfiniteUpstream) {
  ember::Tensor x = ember::tensor({-3.0, 0.5, 4.0}).requires_grad_(true);
  x.clamp(-1.0, 1.0).backward(ember::tensor({kInf, 1.0, -kInf}));
  expect_values(x.grad(), {0, 1, 0});
  ember::Tensor m = ember::tensor({3.0, 1.0, 2.0}).requires_grad_(true);
  m.max().backward(ember::tensor(kInf));
  expect_values(m.grad(), {kInf, 0, 0});
  ember::Tensor n = ember::tensor({1.0, kNaN, 3.0, kNaN}).requires_grad_(true);
  n.max().backward();
  expect_values(n.grad(), {0, 0.5, 0, 0.5});
}

TEST(Regressions, PowWithNumberHalfIsSqrt) {
  ember::Tensor x = ember::tensor({-kInf, -0.0, 0.0, 4.0});
  expect_values(x.pow(0.5), {kNaN, -0.0, 0.0, 2.0});
  expect_values(x.pow(ember::tensor(0.5)), {kInf, 0.0, 0.0, 2.0});
  expect_values(x.pow(-0.5), {kNaN, -kInf, kInf, 0.5});
}

TEST(Regressions, BoolInputsFollowPyTorch) {
  ember::Tensor b = ember::tensor({true, false});
  EXPECT_EQ(error_of([&] { ember::abs(b); }), "\"abs_cpu\" not implemented for 'Bool'");
  EXPECT_EQ(error_of([&] { ember::relu(b); }), "Boolean inputs not supported for relu");
  EXPECT_EQ(error_of([&] { b.clamp(true); }), "\"clamp_min_cpu\" not implemented for 'Bool'");
  EXPECT_EQ(error_of([&] { ember::pow(b, b); }), "\"pow\" not implemented for 'Bool'");
  EXPECT_EQ(ember::square(b).dtype(), ember::kInt64);
  expect_values(ember::add(b, ember::tensor({false, true}), 0), {1, 0});
  expect_values(ember::add(b, ember::tensor({false, true}), 2), {1, 1});
}

// ---- where ember's answer is the exact one and LibTorch 1.13's is not --------------------------
TEST(Regressions, ProductsOfFloat32AccumulateInDouble) {
  // A partial product past the float32 range followed by a 0: the product is 0, not NaN.
  ember::Tensor x = ember::tensor({3e38f, 10.0f, 0.0f});
  expect_values(x.prod(), {0.0});
  expect_values(x.prod(0), {0.0});
}

TEST(Regressions, NormAndStdGradientsDoNotOverflow) {
  // std of {3.4e38, 0}: 2 * std overflows float32, the gradient (x - mean) / (std (N - 1)) does not.
  ember::Tensor x = ember::tensor({3.4e38f, 0.0f}).requires_grad_();
  x.std().backward();
  std::vector<double> g = values(x.grad());
  EXPECT_NEAR(g[0], std::sqrt(0.5), 1e-6);
  EXPECT_NEAR(g[1], -std::sqrt(0.5), 1e-6);
  // A float16 3-norm of 1e-6: |x|^2 underflows float16, (|x| / norm)^2 does not.
  ember::Tensor h = ember::tensor({1e-6}).to(ember::kFloat16).requires_grad_();
  h.norm(3).backward();
  expect_values(h.grad(), {1.0});
}

TEST(Regressions, StdOfAConstantIsExactlyZero) {
  ember::Tensor x = ember::full({4, 4}, 0.8479073643684387, ember::TensorOptions(ember::kFloat32)).requires_grad_();
  ember::Tensor s = x.std();
  expect_values(s, {0.0});
  s.backward();
  EXPECT_EQ(ember::count_nonzero(x.grad(), {}).item<int64_t>(), 0);
}

TEST(Regressions, FloorDivideOverflowIsInfinite) {
  ember::Tensor x = ember::full({16}, 1.0f);
  x.index_put_({ember::tensor({int64_t{0}})}, ember::tensor({-3.4028234663852886e+38f}));
  expect_values(ember::floor_divide(x, 0.5).narrow(0, 0, 2), {-kInf, 2.0});
}

TEST(Regressions, GluRecordsItsOwnNode) {
  ember::Tensor x = ember::tensor({1.0, 2.0, 3.0, 4.0}).requires_grad_();
  ember::Tensor y = ember::nn::functional::glu(x, ember::nn::functional::GLUFuncOptions(0));
  EXPECT_EQ(y.grad_fn()->name(), "GluBackward0");
}

TEST(Regressions, CircularPadWithNothingLeftToWrapRefuses) {
  ember::Tensor x = ember::ones({1, 1, 3});
  namespace F = ember::nn::functional;
  EXPECT_NE(error_of([&] { F::pad(x, F::PadFuncOptions({-3, 1}).mode(ember::kCircular)); }).find("wrapping around"),
            std::string::npos);
  expect_values(F::pad(ember::arange(3.0).view({1, 1, 3}), F::PadFuncOptions({-1, 2}).mode(ember::kCircular)),
                {1, 2, 1, 2});
}
