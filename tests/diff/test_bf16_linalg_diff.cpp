// bfloat16 GEMMs (Note [bfloat16 GEMM] in ember/cpu/onednn_matmul.cpp) against LibTorch 1.13:
// mm, addmm (alpha, beta), bmm, baddbmm, matmul and linear, with transposed operands,
// and their gradients. Two oracles for the same bf16 inputs: LibTorch's float32 result of
// the widened values rounded once (within half a bf16 ulp plus a small absolute slack for
// the float32 summation order), and LibTorch's own bf16 kernels (within one ulp). The ctest
// entry diff.linalg_bf16_widened reruns them with EMBER_GEMM=openblas, where the kernel
// widens to float32 instead of calling oneDNN.
#include <random>

#include "bf16_oracles.h"

namespace {

using diff::compare_bf16;
using diff::kHalfUlp;
using diff::TorchBf16;

// LibTorch 1.13 sums in bf16 for some products (its GEMV and small transposed-operand
// paths); there only the float32 oracle applies.
TorchBf16 torch_oracle(bool torch_sums_in_float) { return torch_sums_in_float ? TorchBf16::compare : TorchBf16::skip; }

}  // namespace

TEST(DiffBf16Linalg, Mm) {
  // Small, odd, and large enough to split over threads (by rows and by columns).
  for (const auto& s : std::vector<std::vector<int64_t>>{{3, 5, 4}, {1, 7, 9}, {9, 7, 1}, {37, 65, 129},
                                                         {300, 96, 40}, {40, 96, 300}, {128, 784, 512}}) {
    const bool torch_sums_in_float = s[0] > 16 && s[2] > 16;
    EXPECT_TRUE(compare_bf16({{s[0], s[1]}, {s[1], s[2]}}, [](const auto& v) { return ember::mm(v[0], v[1]); },
                             [](const auto& v) { return torch::mm(v[0], v[1]); }, torch_oracle(torch_sums_in_float)))
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
  EXPECT_TRUE(diff::bf16_close_to(out, expect, kHalfUlp));
}

// Note [Dense bf16 GEMM blocks] (ember/cpu/onednn_matmul.cpp): seeded random shapes, many
// past the 2^20 multiply-adds where a product splits over the pool's threads (by rows or by
// columns), with operands sliced out of wider rows (leading dimension past the width),
// transposed or not, alpha and beta (addmm), and a sliced out= (mm_out into a view), so
// that every kind of block gets copied to its dense buffer and c copied back. Each result
// must be the float32 product of the same bf16 values rounded once.
TEST(DiffBf16Linalg, StridedOperandsRandomShapes) {
  std::mt19937 rng(22);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  auto bf16 = [](const std::vector<int64_t>& shape, int seed) {
    return diff::random_tensor(shape, torch::kFloat32, seed).to(torch::kBFloat16);
  };
  for (int i = 0; i < 60; ++i) {
    const int64_t m = pick(1, 300), n = pick(1, 300), k = pick(8, 300), pad_a = pick(0, 5), pad_b = pick(0, 5),
                  pad_c = pick(0, 5);
    const bool ta = pick(0, 1) == 1, tb = pick(0, 1) == 1, out = i % 3 == 0;
    const double alpha = pick(1, 3) * 0.5, beta = pick(0, 2) * 0.5;
    torch::Tensor a = ta ? bf16({k, m + pad_a}, 3 * i).slice(1, 0, m).t() : bf16({m, k + pad_a}, 3 * i).slice(1, 0, k);
    torch::Tensor b =
        tb ? bf16({n, k + pad_b}, 3 * i + 1).slice(1, 0, k).t() : bf16({k, n + pad_b}, 3 * i + 1).slice(1, 0, n);
    torch::Tensor c = bf16({m, n + pad_c}, 3 * i + 2).slice(1, 0, n);
    diff::Pair ae = diff::twin(a), be = diff::twin(b), ce = diff::twin(c);
    torch::Tensor a32 = a.to(torch::kFloat32), b32 = b.to(torch::kFloat32);
    const std::string what = std::to_string(m) + "x" + std::to_string(k) + "x" + std::to_string(n) +
                             (ta ? " a^T" : "") + (tb ? " b^T" : "") + " pads " + std::to_string(pad_a) + "," +
                             std::to_string(pad_b) + "," + std::to_string(pad_c);
    if (out) {
      ember::mm_out(ce.e, ae.e, be.e);
      EXPECT_TRUE(diff::bf16_close_to(ce.e, torch::mm(a32, b32), kHalfUlp)) << "mm_out " << what;
    } else {
      ember::Tensor r = ember::addmm(ce.e, ae.e, be.e, beta, alpha);
      EXPECT_TRUE(diff::bf16_close_to(r, beta * c.to(torch::kFloat32) + alpha * torch::mm(a32, b32), kHalfUlp))
          << "addmm beta " << beta << " alpha " << alpha << " " << what;
    }
  }
}
