// Convolution, pooling, normalisation and embedding against LibTorch 1.13: forward values
// and the gradients of every input for the same random upstream gradient, over stride /
// padding / dilation / groups / "same" / "valid", ceil_mode, count_include_pad, divisor
// override, unbatched and non-contiguous inputs, and batch_norm's running statistics.
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "diff_util.h"

using diff::same;

namespace {

using Shape = std::vector<int64_t>;
using EFn = std::function<ember::Tensor(const std::vector<ember::Tensor>&)>;
using TFn = std::function<torch::Tensor(const std::vector<torch::Tensor>&)>;

double tol_for(c10::ScalarType dt) { return dt == torch::kFloat32 ? 2e-4 : 1e-9; }

// Makes leaves of the given shapes (same values on both sides), runs both functions,
// compares the outputs, back-propagates one random upstream gradient and compares every
// leaf's gradient (leaves the function ignores must get no gradient on either side).
::testing::AssertionResult compare(const std::vector<Shape>& shapes, const EFn& fe, const TFn& ft,
                                   c10::ScalarType dt = torch::kFloat64, int seed = 1) {
  std::vector<ember::Tensor> el;
  std::vector<torch::Tensor> tl;
  for (size_t i = 0; i < shapes.size(); ++i) {
    torch::Tensor t = diff::random_tensor(shapes[i], dt, seed + static_cast<int>(i));
    el.push_back(diff::from_torch(t).requires_grad_());
    tl.push_back(t.clone().requires_grad_());
  }
  ember::Tensor ye = fe(el);
  torch::Tensor yt = ft(tl);
  const double tol = tol_for(dt);
  auto r = same(ye, yt, tol, tol);
  if (!r) return ::testing::AssertionFailure() << "forward: " << r.message();
  torch::Tensor g = diff::random_tensor(yt.sizes().vec(), dt, seed + 100);
  ye.backward(diff::from_torch(g));
  yt.backward(g);
  for (size_t i = 0; i < shapes.size(); ++i) {
    const bool te = el[i].grad().defined(), tt = tl[i].grad().defined();
    if (te != tt)
      return ::testing::AssertionFailure() << "input " << i << ": gradient defined in ember " << te << ", torch " << tt;
    if (!te) continue;
    // Gradients sum many products: scale the tolerance with the magnitude.
    const double scale = tl[i].grad().numel() ? 1 + tl[i].grad().abs().max().item<double>() : 1;
    auto rg = same(el[i].grad(), tl[i].grad(), tol, tol * scale);
    if (!rg) return ::testing::AssertionFailure() << "gradient of input " << i << ": " << rg.message();
  }
  return ::testing::AssertionSuccess();
}

const c10::ScalarType kBoth[] = {torch::kFloat64, torch::kFloat32};

struct Conv2dCase {
  Shape x, w;
  Shape stride, padding, dilation;
  int64_t groups;
  bool bias;
};

::testing::AssertionResult compare_conv2d(const Conv2dCase& c, c10::ScalarType dt) {
  std::vector<Shape> shapes = {c.x, c.w};
  if (c.bias) shapes.push_back({c.w[0]});
  auto fe = [&](const std::vector<ember::Tensor>& v) {
    return ember::conv2d(v[0], v[1], c.bias ? v[2] : ember::Tensor(), c.stride, c.padding, c.dilation, c.groups);
  };
  auto ft = [&](const std::vector<torch::Tensor>& v) {
    return torch::conv2d(v[0], v[1], c.bias ? v[2] : torch::Tensor(), c.stride, c.padding, c.dilation, c.groups);
  };
  return compare(shapes, fe, ft, dt);
}

}  // namespace

TEST(DiffNnConv, Conv2dConfigurations) {
  const std::vector<Conv2dCase> cases = {
      {{4, 1, 28, 28}, {32, 1, 3, 3}, {1}, {0}, {1}, 1, true},       // W4 layer 1
      {{4, 32, 13, 13}, {64, 32, 3, 3}, {1}, {0}, {1}, 1, true},     // W4 layer 2
      {{2, 3, 9, 8}, {4, 3, 3, 3}, {2}, {1}, {1}, 1, true},
      {{2, 3, 10, 9}, {5, 3, 3, 2}, {2, 1}, {1, 2}, {2, 1}, 1, true},
      {{2, 4, 7, 7}, {6, 2, 3, 3}, {1}, {1}, {1}, 2, true},          // groups
      {{2, 3, 6, 6}, {6, 1, 3, 3}, {1}, {1}, {1}, 3, false},         // depthwise
      {{3, 5, 4, 6}, {7, 5, 1, 1}, {1}, {0}, {1}, 1, true},          // pointwise
      {{2, 5, 5, 6}, {3, 5, 1, 1}, {2}, {0}, {1}, 1, true},          // strided 1x1
      {{2, 2, 5, 5}, {3, 2, 5, 5}, {1}, {0}, {1}, 1, true},          // kernel = input
      {{2, 2, 3, 4}, {3, 2, 5, 5}, {3}, {2}, {1}, 1, false},         // kernel > input, padded
      {{1, 3, 8, 8}, {4, 3, 3, 3}, {3, 2}, {0, 1}, {1, 3}, 1, true}, // batch of one
      {{0, 3, 8, 8}, {4, 3, 3, 3}, {1}, {0}, {1}, 1, true},          // empty batch
  };
  for (auto dt : kBoth)
    for (const auto& c : cases)
      EXPECT_TRUE(compare_conv2d(c, dt)) << torch::IntArrayRef(c.x) << " * " << torch::IntArrayRef(c.w) << " " << dt;
}

TEST(DiffNnConv, Conv2dUnbatchedAndNonContiguous) {
  // Unbatched (C, H, W).
  EXPECT_TRUE(compare({{3, 7, 6}, {4, 3, 3, 3}, {4}},
                      [](const auto& v) { return ember::conv2d(v[0], v[1], v[2], 1, 1); },
                      [](const auto& v) { return torch::conv2d(v[0], v[1], v[2], 1, 1); }));
  // Input with H and W swapped in memory, weight transposed over its channel dims,
  // input sliced with a step.
  EXPECT_TRUE(compare({{2, 3, 8, 9}, {3, 4, 3, 3}},
                      [](const auto& v) { return ember::conv2d(v[0].transpose(2, 3), v[1].transpose(0, 1), {}, 2, 1); },
                      [](const auto& v) { return torch::conv2d(v[0].transpose(2, 3), v[1].transpose(0, 1), {}, 2, 1); }));
  EXPECT_TRUE(compare({{2, 6, 9, 9}, {4, 3, 2, 2}},
                      [](const auto& v) {
                        return ember::conv2d(v[0].slice(1, 0, 6, 2).slice(3, 1, 9), v[1], {}, 1, 0, 2);
                      },
                      [](const auto& v) {
                        return torch::conv2d(v[0].slice(1, 0, 6, 2).slice(3, 1, 9), v[1], {}, 1, std::vector<int64_t>{0}, 2);
                      }));
}

TEST(DiffNnConv, SameAndValidPadding) {
  for (auto [k, d] : {std::pair<int64_t, int64_t>{3, 1}, {4, 1}, {3, 2}, {2, 3}, {5, 1}}) {
    EXPECT_TRUE(compare({{2, 3, 7, 8}, {4, 3, k, k - 1 > 0 ? k - 1 : 1}, {4}},
                        [&](const auto& v) { return ember::conv2d(v[0], v[1], v[2], 1, "same", d); },
                        [&](const auto& v) { return torch::conv2d(v[0], v[1], v[2], 1, "same", d); }))
        << "k=" << k << " d=" << d;
    EXPECT_TRUE(compare({{2, 4, 11}, {6, 2, k}},
                        [&](const auto& v) { return ember::conv1d(v[0], v[1], {}, 1, "same", d, 2); },
                        [&](const auto& v) { return torch::conv1d(v[0], v[1], {}, 1, "same", d, 2); }))
        << "1d k=" << k << " d=" << d;
  }
  EXPECT_TRUE(compare({{2, 3, 7, 8}, {4, 3, 3, 2}},
                      [](const auto& v) { return ember::conv2d(v[0], v[1], {}, 1, "valid"); },
                      [](const auto& v) { return torch::conv2d(v[0], v[1], {}, 1, "valid"); }));
  // Unbatched with "same" and an even kernel (the extra zero on the right).
  EXPECT_TRUE(compare({{3, 6, 5}, {2, 3, 2, 4}},
                      [](const auto& v) { return ember::conv2d(v[0], v[1], {}, 1, "same"); },
                      [](const auto& v) { return torch::conv2d(v[0], v[1], {}, 1, "same"); }));
}

TEST(DiffNnConv, Conv1d) {
  for (auto dt : kBoth) {
    EXPECT_TRUE(compare({{3, 4, 20}, {6, 4, 5}, {6}},
                        [](const auto& v) { return ember::conv1d(v[0], v[1], v[2], 2, 1, 2); },
                        [](const auto& v) { return torch::conv1d(v[0], v[1], v[2], 2, 1, 2); }, dt));
    EXPECT_TRUE(compare({{2, 6, 9}, {9, 2, 3}},
                        [](const auto& v) { return ember::conv1d(v[0], v[1], {}, 1, 2, 1, 3); },
                        [](const auto& v) { return torch::conv1d(v[0], v[1], {}, 1, 2, 1, 3); }, dt));
    EXPECT_TRUE(compare({{4, 10}, {3, 4, 3}, {3}},  // unbatched
                        [](const auto& v) { return ember::conv1d(v[0], v[1], v[2]); },
                        [](const auto& v) { return torch::conv1d(v[0], v[1], v[2]); }, dt));
    EXPECT_TRUE(compare({{2, 10, 4}, {3, 4, 1}},  // non-contiguous, pointwise
                        [](const auto& v) { return ember::conv1d(v[0].transpose(1, 2), v[1]); },
                        [](const auto& v) { return torch::conv1d(v[0].transpose(1, 2), v[1]); }, dt));
  }
}

TEST(DiffNnConv, ConvTranspose) {
  struct Case {
    Shape x, w, stride, padding, output_padding, dilation;
    int64_t groups;
    bool bias;
  };
  const std::vector<Case> cases = {
      {{2, 4, 5, 5}, {4, 3, 3, 3}, {1}, {0}, {0}, {1}, 1, true},
      {{2, 4, 5, 6}, {4, 3, 3, 3}, {2}, {1}, {1}, {1}, 1, true},
      {{2, 4, 5, 4}, {4, 2, 3, 2}, {2, 3}, {1, 0}, {0, 2}, {1, 1}, 2, true},  // groups, op < stride
      {{2, 3, 4, 4}, {3, 2, 3, 3}, {1}, {1}, {1}, {2}, 1, false},             // op >= stride, < dilation
      {{3, 2, 3, 3}, {2, 5, 1, 1}, {1}, {0}, {0}, {1}, 1, true},              // pointwise
      {{1, 2, 3, 3}, {2, 5, 2, 2}, {3}, {0}, {2}, {1}, 1, true},              // batch of one, gaps
  };
  for (auto dt : kBoth)
    for (const auto& c : cases) {
      std::vector<Shape> shapes = {c.x, c.w};
      if (c.bias) shapes.push_back({c.w[1] * c.groups});
      EXPECT_TRUE(compare(
          shapes,
          [&](const auto& v) {
            return ember::conv_transpose2d(v[0], v[1], c.bias ? v[2] : ember::Tensor(), c.stride, c.padding,
                                           c.output_padding, c.groups, c.dilation);
          },
          [&](const auto& v) {
            return torch::conv_transpose2d(v[0], v[1], c.bias ? v[2] : torch::Tensor(), c.stride, c.padding,
                                           c.output_padding, c.groups, c.dilation);
          },
          dt))
          << torch::IntArrayRef(c.x) << " * " << torch::IntArrayRef(c.w) << " " << dt;
    }
  EXPECT_TRUE(compare({{4, 5, 5}, {4, 3, 3, 3}, {3}},  // unbatched
                      [](const auto& v) { return ember::conv_transpose2d(v[0], v[1], v[2], 2); },
                      [](const auto& v) { return torch::conv_transpose2d(v[0], v[1], v[2], 2); }));
  EXPECT_TRUE(compare({{2, 4, 7}, {4, 3, 3}, {6}},
                      [](const auto& v) { return ember::conv_transpose1d(v[0], v[1], v[2], 3, 1, 2, 2, 1); },
                      [](const auto& v) { return torch::conv_transpose1d(v[0], v[1], v[2], 3, 1, 2, 2, 1); }));
  EXPECT_TRUE(compare({{4, 7}, {4, 2, 2}},  // unbatched 1-d, dilation
                      [](const auto& v) { return ember::conv_transpose1d(v[0], v[1], {}, 1, 0, 0, 1, 3); },
                      [](const auto& v) { return torch::conv_transpose1d(v[0], v[1], {}, 1, 0, 0, 1, 3); }));
  EXPECT_TRUE(compare({{2, 8, 4}, {4, 3, 3}},  // non-contiguous
                      [](const auto& v) { return ember::conv_transpose1d(v[0].transpose(1, 2), v[1], {}, 2); },
                      [](const auto& v) { return torch::conv_transpose1d(v[0].transpose(1, 2), v[1], {}, 2); }));
}

// Layers large enough (>= 2^20 multiply-adds) for the oneDNN primitives of
// cpu/onednn_conv.cpp in the default EMBER_CONV mode, batch sizes that split evenly and
// unevenly over the pool's threads, and one image (float32: the path is float32 only).
// The ctest entry diff.conv_onednn reruns every DiffNnConv test with EMBER_CONV=onednn and
// diff.conv_im2col with EMBER_CONV=im2col, so both kernels see every geometry above too.
TEST(DiffNnConv, LayersLargeEnoughForOneDnn) {
  const std::vector<Conv2dCase> cases = {
      {{4, 64, 16, 16}, {64, 64, 3, 3}, {1}, {1}, {1}, 1, false},  // ResNet basic block
      {{3, 32, 16, 16}, {64, 32, 3, 3}, {2}, {1}, {1}, 1, true},   // downsampling, uneven split
      {{5, 16, 20, 20}, {32, 16, 1, 1}, {2}, {0}, {1}, 1, false},  // strided 1x1 shortcut
      {{2, 3, 32, 32}, {64, 3, 7, 7}, {2}, {3}, {1}, 1, false},    // stem, three channels
      {{1, 32, 24, 24}, {32, 32, 3, 3}, {1}, {2}, {2}, 1, true},   // one image, dilation
      {{2, 32, 17, 17}, {64, 8, 3, 3}, {2}, {0}, {1}, 4, true},    // groups, input rows never read
      {{2, 64, 16, 16}, {64, 1, 3, 3}, {1}, {1}, {1}, 64, true},   // depthwise
      // Winograd weight gradients (Note [Winograd convolutions]; enough output pixels per
      // thread's chunk at 1 and 2 threads): W4's second layer, a padded 64-channel layer,
      // an uneven split at two threads.
      {{24, 32, 13, 13}, {64, 32, 3, 3}, {1}, {0}, {1}, 1, true},
      {{10, 64, 15, 15}, {64, 64, 3, 3}, {1}, {1}, {1}, 1, true},
      {{19, 48, 12, 11}, {32, 48, 3, 3}, {1}, {1}, {1}, 1, false},
  };
  for (const auto& c : cases)
    EXPECT_TRUE(compare_conv2d(c, torch::kFloat32)) << torch::IntArrayRef(c.x) << " * " << torch::IntArrayRef(c.w);
  // DCGAN generator and discriminator layers: transposed (k 4, stride 2, padding 1) with bias.
  EXPECT_TRUE(compare({{3, 64, 8, 8}, {64, 32, 4, 4}, {32}},
                      [](const auto& v) { return ember::conv_transpose2d(v[0], v[1], v[2], 2, 1); },
                      [](const auto& v) { return torch::conv_transpose2d(v[0], v[1], v[2], 2, 1); }, torch::kFloat32));
  EXPECT_TRUE(compare({{4, 32, 16, 16}, {64, 32, 4, 4}},
                      [](const auto& v) { return ember::conv2d(v[0], v[1], {}, 2, 1); },
                      [](const auto& v) { return torch::conv2d(v[0], v[1], {}, 2, 1); }, torch::kFloat32));
  // output_padding beyond the padding: a negative right padding for oneDNN.
  EXPECT_TRUE(compare({{2, 32, 9, 9}, {32, 32, 3, 3}, {32}},
                      [](const auto& v) { return ember::conv_transpose2d(v[0], v[1], v[2], 2, 0, 1); },
                      [](const auto& v) { return torch::conv_transpose2d(v[0], v[1], v[2], 2, 0, 1); },
                      torch::kFloat32));
}

// The direct small-channel kernels (Note [Small-channel convolutions] in
// cpu/kernels/conv_small_channels.cpp): at most 4 input channels per group, kernels at most 7
// wide, float32. Rows shorter than, equal to and just past one vector (16 lanes on AVX-512,
// 8 on AVX2), column blocks that end inside a row (Note [Small-channel forward columns]),
// padding, stride 2 (phase-split columns), dilation, groups, batch of one,
// non-contiguous input, 1-d, and the first geometries past the limits (5 channels, 8 wide),
// which go to oneDNN or im2col. compare() back-propagates without create_graph, so the
// weight gradient also computes the bias gradient in its pass.
TEST(DiffNnConv, SmallChannelKernels) {
  const std::vector<Conv2dCase> cases = {
      {{64, 1, 28, 28}, {32, 1, 3, 3}, {1}, {0}, {1}, 1, true},     // W4 layer 1, full batch
      {{3, 1, 9, 10}, {5, 1, 3, 3}, {1}, {0}, {1}, 1, true},        // rows shorter than a vector
      {{2, 1, 18, 18}, {9, 1, 3, 3}, {1}, {0}, {1}, 1, true},       // 16 outputs per row
      {{2, 1, 19, 19}, {9, 1, 3, 3}, {1}, {0}, {1}, 1, true},       // 17: one full vector + 1
      {{2, 1, 35, 35}, {9, 1, 3, 3}, {1}, {0}, {1}, 1, false},      // 33: two full vectors + 1
      {{2, 3, 21, 23}, {10, 3, 3, 3}, {1}, {1}, {1}, 1, true},      // RGB, padded
      {{2, 3, 32, 31}, {16, 3, 7, 7}, {2}, {3}, {1}, 1, true},      // stem: stride 2, 7 wide
      {{2, 4, 30, 29}, {10, 4, 7, 7}, {1}, {3}, {1}, 1, true},      // 196 taps: column blocks end mid-row
      {{2, 2, 25, 27}, {11, 2, 3, 5}, {2, 3}, {2, 1}, {1, 2}, 1, true},  // strides 2/3, dilation
      {{1, 4, 20, 21}, {12, 4, 2, 4}, {1}, {1, 2}, {2}, 1, true},   // batch of one, 4 channels
      {{2, 4, 17, 19}, {6, 2, 3, 3}, {1}, {1}, {1}, 2, true},       // groups of 2 channels
      {{2, 3, 20, 20}, {9, 1, 3, 3}, {2}, {1}, {1}, 3, false},      // depthwise
      {{2, 1, 12, 40}, {7, 1, 1, 1}, {1}, {0}, {1}, 1, true},       // pointwise
      {{2, 5, 18, 18}, {8, 5, 3, 3}, {1}, {1}, {1}, 1, true},       // 5 channels: declined
      {{2, 1, 20, 30}, {8, 1, 3, 8}, {1}, {1}, {1}, 1, true},       // 8 wide: declined
  };
  for (const auto& c : cases)
    EXPECT_TRUE(compare_conv2d(c, torch::kFloat32)) << torch::IntArrayRef(c.x) << " * " << torch::IntArrayRef(c.w);
  // Non-contiguous input (H and W swapped in memory), 1-d, unbatched.
  EXPECT_TRUE(compare({{2, 1, 24, 20}, {8, 1, 3, 3}, {8}},
                      [](const auto& v) { return ember::conv2d(v[0].transpose(2, 3), v[1], v[2], 1, 1); },
                      [](const auto& v) { return torch::conv2d(v[0].transpose(2, 3), v[1], v[2], 1, 1); },
                      torch::kFloat32));
  EXPECT_TRUE(compare({{3, 2, 50}, {6, 2, 5}, {6}},
                      [](const auto& v) { return ember::conv1d(v[0], v[1], v[2], 2, 2); },
                      [](const auto& v) { return torch::conv1d(v[0], v[1], v[2], 2, 2); }, torch::kFloat32));
  EXPECT_TRUE(compare({{1, 30, 30}, {4, 1, 3, 3}},
                      [](const auto& v) { return ember::conv2d(v[0], v[1], {}, 1, 1); },
                      [](const auto& v) { return torch::conv2d(v[0], v[1], {}, 1, 1); }, torch::kFloat32));
}

// Seeded random geometries within the small-channel kernels' limits (1-4 input channels per
// group, kernels up to 5 x 7, strides up to 3, dilation up to 2, padding up to 3, 1-3
// groups, rows from 1 to 45 wide), forward and gradients: the hand-picked cases above
// cannot cover every way a column block, a row segment or a stride phase can line up.
TEST(DiffNnConv, SmallChannelRandomGeometries) {
  std::mt19937 rng(2026);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  int ran = 0;
  while (ran < 120) {
    const int64_t groups = pick(1, 3), cg = pick(1, 4), og = pick(1, 10), KH = pick(1, 5), KW = pick(1, 7);
    const int64_t SH = pick(1, 3), SW = pick(1, 3), DH = pick(1, 2), DW = pick(1, 2), PH = pick(0, 3), PW = pick(0, 3);
    const int64_t H = pick(1, 30), W = pick(1, 45), N = pick(1, 3);
    if (H + 2 * PH < (KH - 1) * DH + 1 || W + 2 * PW < (KW - 1) * DW + 1) continue;  // no output
    const Conv2dCase c{{N, groups * cg, H, W}, {groups * og, cg, KH, KW}, {SH, SW}, {PH, PW}, {DH, DW}, groups,
                       pick(0, 1) == 1};
    EXPECT_TRUE(compare_conv2d(c, torch::kFloat32)) << torch::IntArrayRef(c.x) << " * " << torch::IntArrayRef(c.w)
                                                    << " stride " << torch::IntArrayRef(c.stride) << " padding "
                                                    << torch::IntArrayRef(c.padding) << " dilation "
                                                    << torch::IntArrayRef(c.dilation) << " groups " << groups;
    ++ran;
  }
}

// An inf in input columns that no window reads (stride 2 leaves the last column out) must
// not reach the weight gradient: the kernel's lanes past a row's end read zeros, they do
// not multiply the input by a zero gradient.
TEST(DiffNnConv, SmallChannelWeightGradIgnoresUnreadColumns) {
  torch::Tensor x = diff::random_tensor({2, 1, 9, 36}, torch::kFloat32, 3);
  x.select(3, 35).fill_(std::numeric_limits<float>::infinity());  // OW = 17: column 35 unread
  torch::Tensor w = diff::random_tensor({4, 1, 3, 3}, torch::kFloat32, 4).requires_grad_();
  torch::Tensor g = diff::random_tensor({2, 4, 4, 17}, torch::kFloat32, 5);
  ember::Tensor we = diff::from_torch(w.detach()).requires_grad_();
  ember::conv2d(diff::from_torch(x), we, {}, 2).backward(diff::from_torch(g));
  torch::conv2d(x, w, {}, 2).backward(g);
  ASSERT_TRUE(torch::isfinite(w.grad()).all().item<bool>());
  const double scale = 1 + w.grad().abs().max().item<double>();
  EXPECT_TRUE(same(we.grad(), w.grad(), 2e-4, 2e-4 * scale));
}

TEST(DiffNnPool, MaxPool2d) {
  struct Case {
    Shape x, k, s, p, d;
    bool ceil;
  };
  const std::vector<Case> cases = {
      {{4, 32, 26, 26}, {2}, {}, {0}, {1}, false},  // W4
      {{2, 3, 7, 7}, {2}, {}, {0}, {1}, false},     // odd size, floor
      {{2, 3, 7, 7}, {2}, {}, {0}, {1}, true},      // odd size, ceil
      {{2, 3, 9, 8}, {3}, {2}, {1}, {1}, true},
      {{2, 3, 8, 9}, {3, 2}, {2, 1}, {1, 0}, {2, 1}, false},
      {{2, 2, 6, 6}, {3}, {3}, {1}, {1}, true},     // ceil: last window would start in the right padding
      {{3, 7, 6}, {2}, {1}, {1}, {2}, true},        // unbatched
      {{0, 2, 5, 5}, {2}, {}, {0}, {1}, false},     // empty batch
  };
  for (auto dt : kBoth)
    for (const auto& c : cases) {
      EXPECT_TRUE(compare({c.x}, [&](const auto& v) { return ember::max_pool2d(v[0], c.k, c.s, c.p, c.d, c.ceil); },
                          [&](const auto& v) { return torch::max_pool2d(v[0], c.k, c.s, c.p, c.d, c.ceil); }, dt))
          << torch::IntArrayRef(c.x) << " k=" << torch::IntArrayRef(c.k) << " ceil=" << c.ceil;
      torch::Tensor t = diff::random_tensor(c.x, dt, 7);
      auto [ev, ei] = ember::max_pool2d_with_indices(diff::from_torch(t), c.k, c.s, c.p, c.d, c.ceil);
      auto [tv, ti] = torch::max_pool2d_with_indices(t, c.k, c.s, c.p, c.d, c.ceil);
      EXPECT_TRUE(same(ei, ti));
    }
  // Non-contiguous input.
  EXPECT_TRUE(compare({{2, 3, 8, 10}}, [](const auto& v) { return ember::max_pool2d(v[0].transpose(2, 3), 3, 2, 1); },
                      [](const auto& v) { return torch::max_pool2d(v[0].transpose(2, 3), 3, 2, 1); }));
}

TEST(DiffNnPool, MaxPoolNaNAndInfinity) {
  torch::Tensor t = diff::random_tensor({1, 2, 6, 6}, torch::kFloat32, 3);
  t[0][0][0][1] = std::numeric_limits<float>::quiet_NaN();
  t[0][0][3][3] = std::numeric_limits<float>::quiet_NaN();
  t[0][0][3][2] = std::numeric_limits<float>::quiet_NaN();
  t[0][1].slice(0, 0, 2).slice(1, 0, 2).fill_(-std::numeric_limits<float>::infinity());
  for (int64_t k : {2, 3}) {
    auto [ev, ei] = ember::max_pool2d_with_indices(diff::from_torch(t), k, 2, k / 2);
    auto [tv, ti] = torch::max_pool2d_with_indices(t, k, 2, k / 2);
    EXPECT_TRUE(same(ev, tv)) << k;
    EXPECT_TRUE(same(ei, ti)) << k;
    auto [av, ai] = ember::adaptive_max_pool2d(diff::from_torch(t), {4, 3});
    auto [bv, bi] = torch::adaptive_max_pool2d(t, {4, 3});
    EXPECT_TRUE(same(av, bv));
    EXPECT_TRUE(same(ai, bi));
  }
}

TEST(DiffNnPool, MaxPool1d) {
  for (bool ceil : {false, true}) {
    EXPECT_TRUE(compare({{2, 3, 11}}, [&](const auto& v) { return ember::max_pool1d(v[0], 3, 2, 1, 1, ceil); },
                        [&](const auto& v) { return torch::max_pool1d(v[0], 3, 2, 1, 1, ceil); }));
    EXPECT_TRUE(compare({{3, 10}}, [&](const auto& v) { return ember::max_pool1d(v[0], 2, {}, 0, 2, ceil); },
                        [&](const auto& v) { return torch::max_pool1d(v[0], 2, {}, 0, 2, ceil); }));
    torch::Tensor t = diff::random_tensor({2, 3, 11}, torch::kFloat64, 5);
    auto [ev, ei] = ember::max_pool1d_with_indices(diff::from_torch(t), 3, 2, 1, 1, ceil);
    auto [tv, ti] = torch::max_pool1d_with_indices(t, 3, 2, 1, 1, ceil);
    EXPECT_TRUE(same(ev, tv));
    EXPECT_TRUE(same(ei, ti));
  }
}

TEST(DiffNnPool, AvgPool) {
  for (auto dt : kBoth)
    for (bool ceil : {false, true})
      for (bool cip : {true, false}) {
        for (std::optional<int64_t> div : {std::optional<int64_t>(), std::optional<int64_t>(5)}) {
          EXPECT_TRUE(compare(
              {{2, 3, 9, 8}},
              [&](const auto& v) { return ember::avg_pool2d(v[0], {3, 2}, {2, 2}, {1, 1}, ceil, cip, div); },
              [&](const auto& v) {
                return torch::avg_pool2d(v[0], {3, 2}, {2, 2}, {1, 1}, ceil, cip,
                                         div ? c10::optional<int64_t>(*div) : c10::nullopt);
              },
              dt))
              << "ceil=" << ceil << " cip=" << cip << " div=" << div.value_or(0);
        }
        EXPECT_TRUE(compare({{3, 7, 7}}, [&](const auto& v) { return ember::avg_pool2d(v[0], 2, {}, 1, ceil, cip); },
                            [&](const auto& v) { return torch::avg_pool2d(v[0], 2, {}, 1, ceil, cip); }, dt));
        EXPECT_TRUE(compare({{2, 3, 10}}, [&](const auto& v) { return ember::avg_pool1d(v[0], 3, 2, 1, ceil, cip); },
                            [&](const auto& v) { return torch::avg_pool1d(v[0], 3, 2, 1, ceil, cip); }, dt));
      }
  EXPECT_TRUE(compare({{2, 3, 8, 6}}, [](const auto& v) { return ember::avg_pool2d(v[0].transpose(2, 3), 2); },
                      [](const auto& v) { return torch::avg_pool2d(v[0].transpose(2, 3), 2); }));
}

TEST(DiffNnPool, AdaptivePools) {
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{2, 3, 7, 9}, {3, 4}}, {{2, 3, 5, 5}, {5, 5}}, {{2, 2, 4, 4}, {8, 3}}, {{3, 6, 10}, {1, 1}}, {{2, 3, 6, 6}, {4}}};
  for (auto dt : kBoth)
    for (const auto& [x, out_e] : cases) {
      const Shape out = out_e.size() == 1 ? Shape{out_e[0], out_e[0]} : out_e;  // ATen wants both sizes
      EXPECT_TRUE(compare({x}, [&](const auto& v) { return ember::adaptive_avg_pool2d(v[0], out_e); },
                          [&](const auto& v) { return torch::adaptive_avg_pool2d(v[0], out); }, dt))
          << torch::IntArrayRef(x) << " -> " << torch::IntArrayRef(out);
      EXPECT_TRUE(compare({x}, [&](const auto& v) { return std::get<0>(ember::adaptive_max_pool2d(v[0], out_e)); },
                          [&](const auto& v) { return std::get<0>(torch::adaptive_max_pool2d(v[0], out)); }, dt))
          << torch::IntArrayRef(x) << " -> " << torch::IntArrayRef(out);
    }
  for (int64_t out : {1, 3, 4, 10, 13}) {
    EXPECT_TRUE(compare({{2, 3, 10}}, [&](const auto& v) { return ember::adaptive_avg_pool1d(v[0], out); },
                        [&](const auto& v) { return torch::adaptive_avg_pool1d(v[0], out); }));
    torch::Tensor t = diff::random_tensor({3, 10}, torch::kFloat64, 9);
    auto [ev, ei] = ember::adaptive_max_pool1d(diff::from_torch(t), out);
    auto [tv, ti] = torch::adaptive_max_pool1d(t, out);
    EXPECT_TRUE(same(ev, tv));
    EXPECT_TRUE(same(ei, ti));
  }
  EXPECT_TRUE(compare({{2, 3, 8, 6}},
                      [](const auto& v) { return ember::adaptive_avg_pool2d(v[0].transpose(2, 3), {4, 3}); },
                      [](const auto& v) { return torch::adaptive_avg_pool2d(v[0].transpose(2, 3), {4, 3}); }));
}

TEST(DiffNnNorm, BatchNormTrainingUpdatesRunningStats) {
  for (auto dt : kBoth)
    for (Shape x : {Shape{8, 3}, Shape{4, 3, 5}, Shape{4, 3, 5, 6}}) {
      torch::Tensor rm = diff::random_tensor({3}, dt, 20), rv = diff::random_tensor({3}, dt, 21).abs() + 0.5;
      ember::Tensor erm = diff::from_torch(rm), erv = diff::from_torch(rv);
      EXPECT_TRUE(compare({x, {3}, {3}},
                          [&](const auto& v) { return ember::batch_norm(v[0], v[1], v[2], erm, erv, true, 0.2, 1e-5); },
                          [&](const auto& v) { return torch::batch_norm(v[0], v[1], v[2], rm, rv, true, 0.2, 1e-5, false); },
                          dt))
          << torch::IntArrayRef(x) << " " << dt;
      EXPECT_TRUE(same(erm, rm, tol_for(dt), tol_for(dt)));
      EXPECT_TRUE(same(erv, rv, tol_for(dt), tol_for(dt)));
      // Without running stats or affine parameters.
      EXPECT_TRUE(compare({x},
                          [&](const auto& v) { return ember::batch_norm(v[0], {}, {}, {}, {}, true, 0.1, 1e-3); },
                          [&](const auto& v) { return torch::batch_norm(v[0], {}, {}, {}, {}, true, 0.1, 1e-3, false); },
                          dt));
    }
}

TEST(DiffNnNorm, BatchNormEval) {
  for (auto dt : kBoth) {
    torch::Tensor rm = diff::random_tensor({4}, dt, 30), rv = diff::random_tensor({4}, dt, 31).abs() + 0.5;
    ember::Tensor erm = diff::from_torch(rm), erv = diff::from_torch(rv);
    EXPECT_TRUE(compare({{3, 4, 5, 2}, {4}, {4}},
                        [&](const auto& v) { return ember::batch_norm(v[0], v[1], v[2], erm, erv, false, 0.1, 1e-5); },
                        [&](const auto& v) { return torch::batch_norm(v[0], v[1], v[2], rm, rv, false, 0.1, 1e-5, false); },
                        dt));
    EXPECT_TRUE(same(erm, rm));  // eval leaves the running stats alone
    // Non-contiguous input, no affine parameters.
    EXPECT_TRUE(compare({{3, 5, 4}},
                        [&](const auto& v) { return ember::batch_norm(v[0].transpose(1, 2), {}, {}, erm, erv, false, 0.1, 1e-5); },
                        [&](const auto& v) { return torch::batch_norm(v[0].transpose(1, 2), {}, {}, rm, rv, false, 0.1, 1e-5, false); },
                        dt));
  }
}

TEST(DiffNnNorm, LayerNorm) {
  for (auto dt : kBoth) {
    EXPECT_TRUE(compare({{4, 5, 6}, {6}, {6}},
                        [](const auto& v) { return ember::layer_norm(v[0], {6}, v[1], v[2]); },
                        [](const auto& v) { return torch::layer_norm(v[0], {6}, v[1], v[2]); }, dt));
    EXPECT_TRUE(compare({{4, 5, 6}, {5, 6}},
                        [](const auto& v) { return ember::layer_norm(v[0], {5, 6}, v[1], {}, 1e-3); },
                        [](const auto& v) { return torch::layer_norm(v[0], {5, 6}, v[1], {}, 1e-3); }, dt));
    EXPECT_TRUE(compare({{5, 6}},  // normalised over every dim, no affine
                        [](const auto& v) { return ember::layer_norm(v[0], {5, 6}); },
                        [](const auto& v) { return torch::layer_norm(v[0], {5, 6}); }, dt));
    EXPECT_TRUE(compare({{4, 6, 5}, {6}},  // non-contiguous
                        [](const auto& v) { return ember::layer_norm(v[0].transpose(1, 2), {6}, {}, v[1]); },
                        [](const auto& v) { return torch::layer_norm(v[0].transpose(1, 2), {6}, {}, v[1]); }, dt));
  }
}

TEST(DiffNnNorm, GroupNorm) {
  for (auto dt : kBoth)
    for (int64_t g : {1, 2, 6}) {
      EXPECT_TRUE(compare({{3, 6, 4, 5}, {6}, {6}},
                          [&](const auto& v) { return ember::group_norm(v[0], g, v[1], v[2]); },
                          [&](const auto& v) { return torch::group_norm(v[0], g, v[1], v[2]); }, dt))
          << g;
      EXPECT_TRUE(compare({{3, 6, 7}},
                          [&](const auto& v) { return ember::group_norm(v[0], g, {}, {}, 1e-3); },
                          [&](const auto& v) { return torch::group_norm(v[0], g, {}, {}, 1e-3); }, dt))
          << g;
    }
}

TEST(DiffNnEmbedding, LookupAndGradient) {
  torch::Tensor idx = torch::tensor({{1, 3, 3, 0}, {4, 1, 1, 2}}, torch::kInt64);
  ember::Tensor eidx = diff::from_torch(idx);
  for (auto dt : kBoth) {
    EXPECT_TRUE(compare({{5, 3}}, [&](const auto& v) { return ember::embedding(v[0], eidx); },
                        [&](const auto& v) { return torch::embedding(v[0], idx); }, dt));
    // padding_idx 1 and -2 (= row 3): those rows get no gradient.
    EXPECT_TRUE(compare({{5, 3}}, [&](const auto& v) { return ember::embedding(v[0], eidx, 1); },
                        [&](const auto& v) { return torch::embedding(v[0], idx, 1); }, dt));
    EXPECT_TRUE(compare({{5, 3}}, [&](const auto& v) { return ember::embedding(v[0], eidx, -2); },
                        [&](const auto& v) { return torch::embedding(v[0], idx, 3); }, dt));
  }
  // int32 indices and a non-contiguous weight.
  EXPECT_TRUE(compare({{3, 6}},
                      [&](const auto& v) { return ember::embedding(v[0].t(), eidx.to(ember::kInt32)); },
                      [&](const auto& v) { return torch::embedding(v[0].t(), idx.to(torch::kInt32)); }));
}
