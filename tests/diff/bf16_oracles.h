#pragma once
// The two oracles of the bfloat16 diff tests (test_bf16_linalg_diff.cpp,
// test_bf16_conv_diff.cpp), for the same bf16 leaves and the same bf16 upstream gradient:
//  - LibTorch's float32 result of the widened values: every ember result must be that value
//    rounded to bfloat16, up to the float32 summation order (within half a bf16 ulp, 2^-8
//    relative, plus a small absolute slack scaled by the magnitude);
//  - LibTorch's own bf16 kernel (float accumulation, one rounding): within one bf16 ulp.
// Gradients get two ulps against both: their formulas may take more than one rounded step
// (the scaling of baddbmm's alpha, a bias gradient's sum).
#include <functional>
#include <vector>

#include "diff_util.h"

namespace diff {

using Shape = std::vector<int64_t>;
using EFn = std::function<ember::Tensor(const std::vector<ember::Tensor>&)>;
using TFn = std::function<torch::Tensor(const std::vector<torch::Tensor>&)>;

constexpr double kHalfUlp = 1.0 / 256, kUlp = 1.0 / 128;

// Whether LibTorch's bf16 kernel is the second oracle: `compare` (it must run), `if_available`
// (skipped when LibTorch throws, as its oneDNN bf16 convolutions do below AVX-512), `skip`
// (LibTorch 1.13 is known to differ: bf16 sums in its GEMV and small transposed products,
// wrong shapes in its bf16 conv_transpose).
enum class TorchBf16 { compare, if_available, skip };

inline ::testing::AssertionResult bf16_close_to(const ember::Tensor& e, const torch::Tensor& ref, double rtol) {
  if (e.dtype() != ember::kBFloat16) return ::testing::AssertionFailure() << "dtype " << ember::dtype_name(e.dtype());
  const double scale = ref.numel() ? 1 + ref.abs().max().item<double>() : 1;
  // Compared in float64 against the reference's dtype; same() checks shapes too.
  return same(e.to(ember::kFloat64), ref.to(torch::kFloat64), rtol * 1.01, 1e-5 * scale);
}

// fe / ft on random bf16 leaves of `shapes` (requiring grad); forward values and every
// leaf's gradient against the oracles above.
inline ::testing::AssertionResult compare_bf16(const std::vector<Shape>& shapes, const EFn& fe, const TFn& ft,
                                               TorchBf16 torch_bf16 = TorchBf16::compare, int seed = 1) {
  std::vector<ember::Tensor> el;
  std::vector<torch::Tensor> t32, t16;
  for (size_t i = 0; i < shapes.size(); ++i) {
    torch::Tensor b = random_tensor(shapes[i], torch::kFloat32, seed + static_cast<int>(i)).to(torch::kBFloat16);
    el.push_back(from_torch(b).requires_grad_());
    t32.push_back(b.to(torch::kFloat32).requires_grad_());
    t16.push_back(b.clone().requires_grad_());
  }
  ember::Tensor ye = fe(el);
  torch::Tensor y32 = ft(t32);
  if (auto r = bf16_close_to(ye, y32, kHalfUlp); !r)
    return ::testing::AssertionFailure() << "forward vs float32: " << r.message();
  torch::Tensor y16;
  bool with_bf16 = torch_bf16 != TorchBf16::skip;
  if (torch_bf16 == TorchBf16::compare) {
    y16 = ft(t16);
  } else if (torch_bf16 == TorchBf16::if_available) {
    try {
      y16 = ft(t16);
    } catch (const std::exception&) {
      with_bf16 = false;
    }
  }
  if (with_bf16)
    if (auto r = bf16_close_to(ye, y16, kUlp); !r)
      return ::testing::AssertionFailure() << "forward vs bf16: " << r.message();
  torch::Tensor g = random_tensor(y32.sizes().vec(), torch::kFloat32, seed + 100).to(torch::kBFloat16);
  ye.backward(from_torch(g));
  y32.backward(g.to(torch::kFloat32));
  if (with_bf16) y16.backward(g);
  for (size_t i = 0; i < shapes.size(); ++i) {
    if (!el[i].grad().defined()) return ::testing::AssertionFailure() << "input " << i << ": no gradient";
    if (auto r = bf16_close_to(el[i].grad(), t32[i].grad(), 2 * kUlp); !r)
      return ::testing::AssertionFailure() << "gradient of input " << i << " vs float32: " << r.message();
    if (with_bf16)
      if (auto r = bf16_close_to(el[i].grad(), t16[i].grad(), 2 * kUlp); !r)
        return ::testing::AssertionFailure() << "gradient of input " << i << " vs bf16: " << r.message();
  }
  return ::testing::AssertionSuccess();
}

}  // namespace diff
