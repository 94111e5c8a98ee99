// bfloat16 GEMMs (Note [bfloat16 GEMM] in ember/cpu/onednn_matmul.cpp) against LibTorch 1.13:
// mm, addmm (alpha, beta), bmm, baddbmm, matmul and linear, with transposed operands,
// and their gradients. Two oracles for the same bf16 inputs: LibTorch's float32 result of
// the widened values rounded once (within half a bf16 ulp plus a small absolute slack for
// the float32 summation order), and LibTorch's own bf16 kernels (within one ulp). The ctest
// entry diff.linalg_bf16_widened reruns them with EMBER_GEMM=openblas, where the kernel
// widens to float32 instead of calling oneDNN.
#include <functional>
#include <vector>

#include "diff_util.h"

namespace {

using Shape = std::vector<int64_t>;
using EFn = std::function<ember::Tensor(const std::vector<ember::Tensor>&)>;
using TFn = std::function<torch::Tensor(const std::vector<torch::Tensor>&)>;

constexpr double kHalfUlp = 1.0 / 256, kUlp = 1.0 / 128;

::testing::AssertionResult close_to(const ember::Tensor& e, const torch::Tensor& ref, double rtol) {
  if (e.dtype() != ember::kBFloat16) return ::testing::AssertionFailure() << "dtype " << ember::dtype_name(e.dtype());
  const double scale = ref.numel() ? 1 + ref.abs().max().item<double>() : 1;
  return diff::same(e.to(ember::kFloat64), ref.to(torch::kFloat64), rtol * 1.01, 1e-5 * scale);
}

// torch_bf16 = false: LibTorch 1.13 sums in bf16 for this product (its GEMV and small
// transposed-operand paths), so only the float32 oracle applies.
::testing::AssertionResult compare_bf16(const std::vector<Shape>& shapes, const EFn& fe, const TFn& ft,
                                        bool torch_bf16 = true, int seed = 1) {
  std::vector<ember::Tensor> el;
  std::vector<torch::Tensor> t32, t16;
  for (size_t i = 0; i < shapes.size(); ++i) {
    torch::Tensor b = diff::random_tensor(shapes[i], torch::kFloat32, seed + static_cast<int>(i)).to(torch::kBFloat16);
    el.push_back(diff::from_torch(b).requires_grad_());
    t32.push_back(b.to(torch::kFloat32).requires_grad_());
    t16.push_back(b.clone().requires_grad_());
  }
  ember::Tensor ye = fe(el);
  torch::Tensor y32 = ft(t32), y16 = ft(t16);
  if (auto r = close_to(ye, y32, kHalfUlp); !r) return ::testing::AssertionFailure() << "forward vs float32: " << r.message();
  if (torch_bf16)
    if (auto r = close_to(ye, y16, kUlp); !r) return ::testing::AssertionFailure() << "forward vs bf16: " << r.message();
  torch::Tensor g = diff::random_tensor(y32.sizes().vec(), torch::kFloat32, seed + 100).to(torch::kBFloat16);
  ye.backward(diff::from_torch(g));
  y32.backward(g.to(torch::kFloat32));
  y16.backward(g);
  for (size_t i = 0; i < shapes.size(); ++i) {
    if (!el[i].grad().defined()) return ::testing::AssertionFailure() << "input " << i << ": no gradient";
    // Gradient formulas may take more than one rounded step (the scaling of baddbmm's
    // alpha, a bias gradient's sum): two ulps against the float32 chain.
    if (auto r = close_to(el[i].grad(), t32[i].grad(), 2 * kUlp); !r)
      return ::testing::AssertionFailure() << "gradient of input " << i << " vs float32: " << r.message();
    if (torch_bf16)
      if (auto r = close_to(el[i].grad(), t16[i].grad(), 2 * kUlp); !r)
        return ::testing::AssertionFailure() << "gradient of input " << i << " vs bf16: " << r.message();
  }
  return ::testing::AssertionSuccess();
}

}  // namespace

TEST(DiffBf16Linalg, Mm) {
  // Small, odd, and large enough to split over threads (by rows and by columns).
  for (const auto& s : std::vector<std::vector<int64_t>>{{3, 5, 4}, {1, 7, 9}, {9, 7, 1}, {37, 65, 129},
                                                         {300, 96, 40}, {40, 96, 300}, {128, 784, 512}}) {
    const bool torch_sums_in_float = s[0] > 16 && s[2] > 16;
    EXPECT_TRUE(compare_bf16({{s[0], s[1]}, {s[1], s[2]}}, [](const auto& v) { return ember::mm(v[0], v[1]); },
                             [](const auto& v) { return torch::mm(v[0], v[1]); }, torch_sums_in_float))
        << s[0] << "x" << s[1] << "x" << s[2];
  }
  // Transposed operands (no copy: oneDNN reads them column-major).
  EXPECT_TRUE(compare_bf16({{65, 33}, {70, 65}}, [](const auto& v) { return ember::mm(v[0].t(), v[1].t()); },
                           [](const auto& v) { return torch::mm(v[0].t(), v[1].t()); }));
  // Sliced rows (leading dimension larger than the width).
  EXPECT_TRUE(compare_bf16({{40, 80}, {80, 50}},
                           [](const auto& v) { return ember::mm(v[0].slice(1, 0, 60), v[1].slice(0, 0, 60)); },
                           [](const auto& v) { return torch::mm(v[0].slice(1, 0, 60), v[1].slice(0, 0, 60)); }));
}

TEST(DiffBf16Linalg, AddmmAlphaBeta) {
  EXPECT_TRUE(compare_bf16({{33, 47}, {33, 70}, {70, 47}},
                           [](const auto& v) { return ember::addmm(v[0], v[1], v[2]); },
                           [](const auto& v) { return torch::addmm(v[0], v[1], v[2]); }));
  EXPECT_TRUE(compare_bf16({{47}, {33, 70}, {70, 47}},  // broadcast bias, as linear
                           [](const auto& v) { return ember::addmm(v[0], v[1], v[2], 0.5, 2); },
                           [](const auto& v) { return torch::addmm(v[0], v[1], v[2], 0.5, 2); }));
  // beta = 0 ignores NaN in self.
  ember::Tensor self = ember::full({4, 5}, NAN, ember::kBFloat16);
  ember::Tensor a = ember::ones({4, 3}, ember::kBFloat16), b = ember::ones({3, 5}, ember::kBFloat16);
  ember::Tensor r = ember::addmm(self, a, b, 0, 1);
  EXPECT_EQ(r.dtype(), ember::kBFloat16);
  EXPECT_TRUE(ember::equal(r, ember::full({4, 5}, 3, ember::kBFloat16)));
}

TEST(DiffBf16Linalg, BmmBaddbmmMatmulLinear) {
  EXPECT_TRUE(compare_bf16({{3, 17, 29}, {3, 29, 11}}, [](const auto& v) { return ember::bmm(v[0], v[1]); },
                           [](const auto& v) { return torch::bmm(v[0], v[1]); }));
  EXPECT_TRUE(compare_bf16({{3, 17, 11}, {3, 17, 29}, {3, 29, 11}},
                           [](const auto& v) { return ember::baddbmm(v[0], v[1], v[2], 0.25, 1.5); },
                           [](const auto& v) { return torch::baddbmm(v[0], v[1], v[2], 0.25, 1.5); }));
  EXPECT_TRUE(compare_bf16({{2, 3, 17, 29}, {29, 11}}, [](const auto& v) { return ember::matmul(v[0], v[1]); },
                           [](const auto& v) { return torch::matmul(v[0], v[1]); }));
  EXPECT_TRUE(compare_bf16({{128, 784}, {512, 784}, {512}},  // W3's first layer
                           [](const auto& v) { return ember::nn::functional::linear(v[0], v[1], v[2]); },
                           [](const auto& v) { return torch::nn::functional::linear(v[0], v[1], v[2]); }));
  EXPECT_TRUE(compare_bf16({{5, 7, 30}, {20, 30}},  // 3-d input, no bias
                           [](const auto& v) { return ember::nn::functional::linear(v[0], v[1]); },
                           [](const auto& v) { return torch::nn::functional::linear(v[0], v[1]); }));
}

TEST(DiffBf16Linalg, OutAndTransposedOut) {
  torch::Tensor a = diff::random_tensor({20, 30}, torch::kFloat32, 3).to(torch::kBFloat16);
  torch::Tensor b = diff::random_tensor({30, 25}, torch::kFloat32, 4).to(torch::kBFloat16);
  torch::Tensor expect = torch::mm(a.to(torch::kFloat32), b.to(torch::kFloat32));
  ember::Tensor out = ember::empty({25, 20}, ember::kBFloat16).t();  // column-major out=
  ember::mm_out(out, diff::from_torch(a), diff::from_torch(b));
  EXPECT_TRUE(close_to(out, expect, kHalfUlp));
}
