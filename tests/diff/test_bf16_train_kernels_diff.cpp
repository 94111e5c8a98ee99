// The kernels a bfloat16 autocast training step of a small CNN runs besides its GEMMs and
// convolutions, against LibTorch 1.13: 2x2 max pooling (Note [Branch-free 2x2 max pooling]
// in ember/cpu/kernels/max_pool_2x2.h, float32 and bf16, values and indices bit for bit on
// post-ReLU data with ties, NaN and infinities, rows shorter than, equal to and longer than
// one 16-window vector), relu's backward in bf16 (Note [bfloat16 threshold backward]), the
// bf16 sum of a convolution's bias gradient (Note [bfloat16 sums]) and bf16 fills. ctest
// also runs this suite with EMBER_CPU_CAPABILITY=avx2, where the pooling takes the scalar
// select loop instead of the AVX-512 one.
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "diff_util.h"

namespace {

// Same bits (the 16- or 32-bit patterns), so +0 and -0 differ; any two NaNs count as equal
// (Note [bfloat16 rounding]: LibTorch's own scalar and vector casts give NaNs different
// payloads, and ember's pooling returns the input element's NaN as it is).
::testing::AssertionResult same_bits(const ember::Tensor& e, const torch::Tensor& t) {
  if (diff::to_torch(e.dtype()) != t.scalar_type()) return ::testing::AssertionFailure() << "dtype differs";
  torch::Tensor et = diff::to_torch(e), tt = t.contiguous();
  if (et.sizes() != tt.sizes()) return ::testing::AssertionFailure() << "shape: " << et.sizes() << " vs " << tt.sizes();
  const auto bits = t.element_size() == 2 ? torch::kInt16 : t.element_size() == 4 ? torch::kInt32 : torch::kInt64;
  torch::Tensor both_nan = (et.isnan() & tt.isnan()).flatten();
  torch::Tensor a = et.view(bits).flatten().masked_fill(both_nan, 0), b = tt.view(bits).flatten().masked_fill(both_nan, 0);
  if (!torch::equal(a, b)) {
    const int64_t bad = (a != b).nonzero()[0][0].item<int64_t>();
    return ::testing::AssertionFailure() << "bits differ first at flat index " << bad << ": ember "
                                         << et.flatten()[bad].item<double>() << " (bits " << a[bad].item<int64_t>()
                                         << ") vs torch " << tt.flatten()[bad].item<double>() << " (bits "
                                         << b[bad].item<int64_t>() << ")";
  }
  return ::testing::AssertionSuccess();
}

// Post-ReLU-like activations: about half exact zeros (ties in every window), the rest
// positive, with NaN, +inf and -inf (before the relu, so -inf became 0) sprinkled in.
torch::Tensor activations(std::vector<int64_t> shape, int seed) {
  torch::manual_seed(seed);
  torch::Tensor x = torch::relu(torch::randn(shape));
  torch::Tensor flat = x.view({-1});
  const int64_t n = flat.numel();
  for (int64_t i = 5; i < n; i += 37) flat[i] = NAN;
  for (int64_t i = 11; i < n; i += 53) flat[i] = INFINITY;
  for (int64_t i = 3; i < n; i += 71) flat[i] = -INFINITY;  // a window may hold only -inf and zeros
  return x;
}

}  // namespace

TEST(DiffBf16TrainKernels, MaxPool2x2ValuesAndIndices) {
  // W4's two pooled shapes, a row of 20 windows (one full vector and a tail), 32 windows
  // with an odd input width (the last column is in no window), and odd heights.
  const std::vector<std::vector<int64_t>> shapes = {
      {4, 8, 26, 26}, {3, 16, 11, 11}, {2, 3, 9, 40}, {1, 2, 7, 65}, {2, 1, 2, 2}, {5, 3, 3}};
  int seed = 0;
  for (const auto& shape : shapes) {
    for (auto dt : {torch::kFloat32, torch::kBFloat16}) {
      torch::Tensor x = activations(shape, ++seed).to(dt);
      auto [ty, ti] = torch::max_pool2d_with_indices(x, {2, 2});
      auto [ey, ei] = ember::max_pool2d_with_indices(diff::from_torch(x), {2, 2});
      EXPECT_TRUE(same_bits(ey, ty)) << "values, shape " << x.sizes() << " " << dt;
      EXPECT_TRUE(same_bits(ei, ti)) << "indices, shape " << x.sizes() << " " << dt;
    }
  }
  // All-NaN and all -inf windows, and negative values (no relu): the first maximum wins,
  // a later NaN replaces an earlier one.
  torch::Tensor x = torch::randn({2, 4, 6, 34});
  x.index_put_({0, 0}, NAN);
  x.index_put_({0, 1}, -INFINITY);
  x.index_put_({1, 2}, 0.0);
  for (auto dt : {torch::kFloat32, torch::kBFloat16}) {
    torch::Tensor xd = x.to(dt);
    auto [ty, ti] = torch::max_pool2d_with_indices(xd, {2, 2});
    auto [ey, ei] = ember::max_pool2d_with_indices(diff::from_torch(xd), {2, 2});
    EXPECT_TRUE(same_bits(ey, ty)) << dt;
    EXPECT_TRUE(same_bits(ei, ti)) << dt;
  }
}

TEST(DiffBf16TrainKernels, MaxPool2x2Backward) {
  for (auto dt : {torch::kFloat32, torch::kBFloat16}) {
    torch::Tensor x = activations({4, 8, 26, 26}, 40).to(dt).requires_grad_();
    torch::Tensor g = torch::randn({4, 8, 13, 13}).to(dt);
    torch::max_pool2d(x, {2, 2}).backward(g);
    ember::Tensor ex = diff::from_torch(x.detach()).requires_grad_();
    ember::max_pool2d(ex, {2, 2}).backward(diff::from_torch(g));
    EXPECT_TRUE(same_bits(ex.grad(), x.grad())) << dt;
    // Overlapping windows (3x3 stride 2, 2x2 stride 1): an element may collect several
    // gradients, added in float32 and rounded each time, as PyTorch's kernel.
    for (auto [k, st] : {std::pair<int64_t, int64_t>{3, 2}, {2, 1}}) {
      torch::Tensor xo = activations({2, 4, 13, 13}, 41).to(dt).requires_grad_();
      torch::Tensor yo = torch::max_pool2d(xo, {k, k}, {st, st});
      torch::Tensor go = torch::randn(yo.sizes()).to(dt);
      yo.backward(go);
      ember::Tensor exo = diff::from_torch(xo.detach()).requires_grad_();
      ember::max_pool2d(exo, {k, k}, {st, st}).backward(diff::from_torch(go));
      EXPECT_TRUE(same_bits(exo.grad(), xo.grad())) << dt << " kernel " << k << " stride " << st;
    }
  }
}

TEST(DiffBf16TrainKernels, ReluBackwardInBf16) {
  // Values around the threshold (0, -0, the smallest bf16 subnormal, NaN, infinities) and
  // upstream gradients with -0, NaN and infinities.
  torch::manual_seed(7);
  torch::Tensor x = torch::randn({3, 1031});
  torch::Tensor g = torch::randn({3, 1031});
  const float xs[] = {0.0f, -0.0f, 9.2e-41f, -9.2e-41f, NAN, INFINITY, -INFINITY};
  const float gs[] = {-0.0f, NAN, INFINITY, -INFINITY, 0.0f};
  for (int64_t i = 0; i < 7; ++i) x.index_put_({0, i * 13}, xs[i]);
  for (int64_t i = 0; i < 5; ++i) g.index_put_({1, i * 17}, gs[i]);
  x = x.to(torch::kBFloat16).requires_grad_();
  g = g.to(torch::kBFloat16);
  torch::relu(x).backward(g);
  ember::Tensor ex = diff::from_torch(x.detach()).requires_grad_();
  ember::relu(ex).backward(diff::from_torch(g));
  ASSERT_EQ(ex.grad().dtype(), ember::kBFloat16);
  EXPECT_TRUE(same_bits(ex.grad(), x.grad()));
  // A strided upstream gradient (the element-by-element loop).
  torch::Tensor x2 = x.detach().clone().requires_grad_();
  torch::Tensor g2 = g.t().contiguous().t();
  torch::relu(x2).backward(g2);
  ember::Tensor ex2 = diff::from_torch(x2.detach()).requires_grad_();
  ember::relu(ex2).backward(diff::twin(g2).e);
  EXPECT_TRUE(same_bits(ex2.grad(), x2.grad()));
}

TEST(DiffBf16TrainKernels, BiasGradientSums) {
  // An NCHW gradient summed over N, H, W (the innermost runs read straight from bf16, then
  // the float32 partial sums), against torch's float32 sum of the same bf16 values, rounded
  // once: within half a bf16 ulp plus float32 summation-order noise. (LibTorch 1.13's own
  // bf16 sum over these dims is further off, by several ulps: not an oracle here.)
  const double ulp = 1.0 / 128;
  for (auto shape : std::vector<std::vector<int64_t>>{{64, 32, 26, 26}, {64, 64, 11, 11}, {3, 5, 1, 1}}) {
    torch::Tensor g = (torch::randn(shape) * 3).to(torch::kBFloat16);
    torch::Tensor want = g.to(torch::kFloat32).sum(torch::IntArrayRef{0, 2, 3}).to(torch::kBFloat16);
    EXPECT_TRUE(diff::same(diff::from_torch(g).sum({0, 2, 3}), want, ulp, 1e-3)) << g.sizes();
  }
  // Other reduced-dim sets ending in the last dim, keepdim, and a non-contiguous input
  // (the widening path).
  torch::Tensor g = (torch::randn({6, 7, 8, 9}) * 3).to(torch::kBFloat16);
  ember::Tensor eg = diff::from_torch(g);
  EXPECT_TRUE(diff::same(eg.sum({0, 3}), g.to(torch::kFloat32).sum(torch::IntArrayRef{0, 3}).to(torch::kBFloat16), ulp, 1e-3));
  EXPECT_TRUE(diff::same(eg.sum({1, 2, 3}, true), g.to(torch::kFloat32).sum(torch::IntArrayRef{1, 2, 3}, true).to(torch::kBFloat16), ulp,
                         1e-3));
  EXPECT_TRUE(diff::same(eg.sum({0, 2, 3}), g.to(torch::kFloat32).sum(torch::IntArrayRef{0, 2, 3}).to(torch::kBFloat16), ulp, 1e-3));
  torch::Tensor gt = g.transpose(1, 3);
  EXPECT_TRUE(diff::same(diff::twin(gt).e.sum({0, 2, 3}), gt.to(torch::kFloat32).sum(torch::IntArrayRef{0, 2, 3}).to(torch::kBFloat16),
                         ulp, 1e-3));
}

TEST(DiffBf16TrainKernels, Bf16Fills) {
  for (double v : {0.0, -0.0, 0.3, -1e-40, 3.3895313892515355e38 /* the largest bf16 */})
    EXPECT_TRUE(same_bits(ember::full({1027}, v, ember::kBFloat16), torch::full({1027}, v, torch::kBFloat16))) << v;
  for (double v : {0.0, -0.0, 0.3, -1e-6, 65504.0 /* the largest half */})
    EXPECT_TRUE(same_bits(ember::full({1027}, v, ember::kHalf), torch::full({1027}, v, torch::kHalf))) << v;
  EXPECT_TRUE(same_bits(ember::zeros({5, 33}, ember::kBFloat16), torch::zeros({5, 33}, torch::kBFloat16)));
  // A strided fill (every other element of a view).
  torch::Tensor t = torch::ones({64}, torch::kBFloat16);
  ember::Tensor e = diff::from_torch(t);
  t.slice(0, 0, 64, 2).fill_(0.75);
  e.slice(0, 0, 64, 2).fill_(0.75);
  EXPECT_TRUE(same_bits(e, t));
}
