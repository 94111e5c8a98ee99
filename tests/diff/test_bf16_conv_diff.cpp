// bfloat16 convolutions (Note [bfloat16 convolutions] in ember/cpu/onednn_conv.cpp, Note
// [bfloat16 convolution fallback] in ember/cpu/kernels/conv.cpp) against LibTorch 1.13:
// forward values and the gradients of every input, for stride, padding, dilation, groups,
// 1-d, 2-d and transposed convolutions.
//
// Two oracles for the same bf16 leaves and the same bf16 upstream gradient:
//  - LibTorch's float32 convolution of the widened values: every ember result must be that
//    value rounded to bfloat16, up to the float32 summation order (within half a bf16 ulp,
//    2^-8 relative, plus a small absolute slack scaled by the magnitude);
//  - LibTorch's own bf16 convolution (mkldnn, float accumulation, one rounding): within one
//    bf16 ulp. LibTorch 1.13's CPU bf16 conv_transpose is broken (wrong output channels or
//    sizes whenever in and out channels differ), so transposed convolutions use the first
//    oracle only.
// The ctest entries diff.conv_onednn / diff.conv_im2col rerun these with EMBER_CONV=onednn
// (every geometry through oneDNN's bf16 primitives) and EMBER_CONV=im2col (every one
// through the widening fallback); diff.conv_bf16_no_avx512 caps oneDNN at AVX2, where it
// declines bf16 and the fallback runs.
#include <vector>

#include "bf16_oracles.h"

namespace {

using diff::Shape;
using diff::TorchBf16;

// LibTorch's bf16 convolutions are oneDNN's too, and below AVX-512 (diff.conv_bf16_no_avx512)
// it has none: there only the float32 oracle applies.
::testing::AssertionResult compare_conv_bf16(const std::vector<Shape>& shapes, const diff::EFn& fe,
                                             const diff::TFn& ft, TorchBf16 torch_bf16 = TorchBf16::if_available) {
  return diff::compare_bf16(shapes, fe, ft, torch_bf16);
}

struct Case {
  Shape x, w;
  Shape stride, padding, dilation;
  int64_t groups;
  bool bias;
};

::testing::AssertionResult compare_conv2d_bf16(const Case& c) {
  std::vector<Shape> shapes = {c.x, c.w};
  if (c.bias) shapes.push_back({c.w[0]});
  return compare_conv_bf16(
      shapes,
      [&](const auto& v) {
        return ember::conv2d(v[0], v[1], c.bias ? v[2] : ember::Tensor(), c.stride, c.padding, c.dilation, c.groups);
      },
      [&](const auto& v) {
        return torch::conv2d(v[0], v[1], c.bias ? v[2] : torch::Tensor(), c.stride, c.padding, c.dilation, c.groups);
      });
}

}  // namespace

TEST(DiffNnConv, Bf16Conv2d) {
  const std::vector<Case> cases = {
      {{4, 1, 28, 28}, {32, 1, 3, 3}, {1}, {0}, {1}, 1, true},        // W4 layer 1
      {{4, 32, 13, 13}, {64, 32, 3, 3}, {1}, {0}, {1}, 1, true},      // W4 layer 2
      {{2, 3, 9, 8}, {4, 3, 3, 3}, {2}, {1}, {1}, 1, true},
      {{2, 3, 10, 9}, {5, 3, 3, 2}, {2, 1}, {1, 2}, {2, 1}, 1, true},
      {{2, 4, 7, 7}, {6, 2, 3, 3}, {1}, {1}, {1}, 2, true},           // groups
      {{2, 3, 6, 6}, {6, 1, 3, 3}, {1}, {1}, {1}, 3, false},          // depthwise
      {{3, 5, 4, 6}, {7, 5, 1, 1}, {1}, {0}, {1}, 1, true},           // pointwise
      {{2, 2, 3, 4}, {3, 2, 5, 5}, {3}, {2}, {1}, 1, false},          // kernel > input, padded
      {{1, 3, 8, 8}, {4, 3, 3, 3}, {3, 2}, {0, 1}, {1, 3}, 1, true},  // batch of one
      {{0, 3, 8, 8}, {4, 3, 3, 3}, {1}, {0}, {1}, 1, true},           // empty batch
      // Large enough for oneDNN in the default mode; even and uneven batch splits.
      {{4, 64, 16, 16}, {64, 64, 3, 3}, {1}, {1}, {1}, 1, false},
      {{3, 32, 16, 16}, {64, 32, 3, 3}, {2}, {1}, {1}, 1, true},
      {{1, 32, 24, 24}, {32, 32, 3, 3}, {1}, {2}, {2}, 1, true},      // one image, dilation
      {{2, 32, 17, 17}, {64, 8, 3, 3}, {2}, {0}, {1}, 4, true},       // groups, rows never read
      {{2, 64, 16, 16}, {64, 1, 3, 3}, {1}, {1}, {1}, 64, true},      // depthwise
  };
  for (const auto& c : cases)
    EXPECT_TRUE(compare_conv2d_bf16(c)) << torch::IntArrayRef(c.x) << " * " << torch::IntArrayRef(c.w);
}

TEST(DiffNnConv, Bf16Conv1dAndUnbatched) {
  EXPECT_TRUE(compare_conv_bf16({{2, 4, 9}, {6, 4, 3}, {6}},
                                [](const auto& v) { return ember::conv1d(v[0], v[1], v[2], 2, 1, 2); },
                                [](const auto& v) { return torch::conv1d(v[0], v[1], v[2], 2, 1, 2); }));
  EXPECT_TRUE(compare_conv_bf16({{2, 6, 40}, {6, 2, 5}},
                                [](const auto& v) { return ember::conv1d(v[0], v[1], {}, 1, 2, 1, 3); },
                                [](const auto& v) { return torch::conv1d(v[0], v[1], {}, 1, 2, 1, 3); }));
  EXPECT_TRUE(compare_conv_bf16({{3, 7, 6}, {4, 3, 3, 3}, {4}},
                                [](const auto& v) { return ember::conv2d(v[0], v[1], v[2], 1, 1); },
                                [](const auto& v) { return torch::conv2d(v[0], v[1], v[2], 1, 1); }));
  // Non-contiguous input.
  EXPECT_TRUE(compare_conv_bf16({{2, 16, 16, 16}, {32, 16, 3, 3}},
                                [](const auto& v) { return ember::conv2d(v[0].transpose(2, 3), v[1], {}, 1, 1); },
                                [](const auto& v) { return torch::conv2d(v[0].transpose(2, 3), v[1], {}, 1, 1); }));
}

TEST(DiffNnConv, Bf16ConvTranspose) {
  struct TCase {
    Shape x, w, stride, padding, output_padding, dilation;
    int64_t groups;
    bool bias;
  };
  const std::vector<TCase> cases = {
      {{2, 4, 5, 5}, {4, 3, 3, 3}, {1}, {0}, {0}, {1}, 1, true},
      {{2, 4, 5, 6}, {4, 3, 3, 3}, {2}, {1}, {1}, {1}, 1, true},
      {{2, 4, 5, 4}, {4, 2, 3, 2}, {2, 3}, {1, 0}, {0, 2}, {1, 1}, 2, true},
      {{2, 3, 4, 4}, {3, 2, 3, 3}, {1}, {1}, {1}, {2}, 1, false},
      {{3, 64, 8, 8}, {64, 32, 4, 4}, {2}, {1}, {0}, {1}, 1, true},   // DCGAN, oneDNN by size
      {{2, 32, 9, 9}, {32, 32, 3, 3}, {2}, {0}, {1}, {1}, 1, true},   // negative right padding
      {{2, 32, 9, 9}, {32, 48, 3, 3}, {1}, {1}, {0}, {1}, 1, false},  // oneDNN, no bias
  };
  for (const auto& c : cases) {
    std::vector<Shape> shapes = {c.x, c.w};
    if (c.bias) shapes.push_back({c.w[1] * c.groups});
    EXPECT_TRUE(compare_conv_bf16(
        shapes,
        [&](const auto& v) {
          return ember::conv_transpose2d(v[0], v[1], c.bias ? v[2] : ember::Tensor(), c.stride, c.padding,
                                         c.output_padding, c.groups, c.dilation);
        },
        [&](const auto& v) {
          return torch::conv_transpose2d(v[0], v[1], c.bias ? v[2] : torch::Tensor(), c.stride, c.padding,
                                         c.output_padding, c.groups, c.dilation);
        },
        TorchBf16::skip))
        << torch::IntArrayRef(c.x) << " * " << torch::IntArrayRef(c.w);
  }
  EXPECT_TRUE(compare_conv_bf16({{2, 4, 7}, {4, 3, 3}, {6}},
                                [](const auto& v) { return ember::conv_transpose1d(v[0], v[1], v[2], 3, 1, 2, 2, 1); },
                                [](const auto& v) { return torch::conv_transpose1d(v[0], v[1], v[2], 3, 1, 2, 2, 1); },
                                TorchBf16::skip));
}

TEST(DiffNnConv, Bf16Errors) {
  // Mixed dtypes are refused as in PyTorch; float16 stays unimplemented on the CPU.
  ember::Tensor x = ember::ones({1, 2, 5, 5}, ember::kBFloat16), w = ember::ones({3, 2, 3, 3});
  try {
    ember::conv2d(x, w);
    FAIL() << "mixed dtypes accepted";
  } catch (const ember::Error& e) {
    EXPECT_NE(std::string(e.what()).find("should be the same"), std::string::npos) << e.what();
  }
  try {
    ember::conv2d(x.to(ember::kFloat16), w.to(ember::kFloat16));
    FAIL() << "float16 accepted";
  } catch (const ember::Error& e) {
    EXPECT_NE(std::string(e.what()).find("\"slow_conv2d_cpu\" not implemented for 'Half'"), std::string::npos)
        << e.what();
  }
}
