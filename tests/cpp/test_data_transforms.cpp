// Transforms against torchvision 0.14's tensor code paths, re-stated with torch ops in
// tests/data_golden.py (torchvision itself is not packaged for Debian 12).
#include <gtest/gtest.h>

#include <ember/data/data.h>
#include <ember/ember.h>

#include "data_golden.h"

using namespace ember;
using namespace ember::data;
namespace T = ember::data::transforms;
namespace F = ember::data::transforms::functional;
namespace g = data_golden;

namespace {
Tensor img_u8() { return g::tensor("img.u8", kUInt8); }
Tensor img_f() { return g::tensor("img.f", kFloat32); }

// Bit-exact by default (atol 0): ember reproduces the kernels' rounding, fused multiply-adds
// included.
void expect_matches(const Tensor& got, const std::string& key, double atol = 0) {
  Tensor want = g::tensor(key, got.dtype());
  ASSERT_EQ(got.sizes(), want.sizes()) << key;
  if (got.is_floating_point())
    EXPECT_TRUE(got.allclose(want, 0, atol)) << key << ": max diff " << (got - want).abs().max().item<double>();
  else
    EXPECT_TRUE(got.equal(want)) << key << ": " << got.ne(want).sum().item<int64_t>() << " values differ";
}
}  // namespace

TEST(DataTransforms, GoldenInputsComeFromEmbersRng) {
  manual_seed(0);
  EXPECT_TRUE(randint(0, 256, {3, 10, 13}, TensorOptions(kUInt8)).equal(img_u8()));
  EXPECT_TRUE(rand({3, 10, 13}).equal(img_f()));
}

TEST(DataTransforms, ResizeMatchesInterpolate) {
  expect_matches(T::Resize({7, 9})(img_f()), "resize.bilinear.f.7x9");
  expect_matches(T::Resize({20, 25})(img_f()), "resize.bilinear.f.20x25");
  expect_matches(T::Resize({7, 9}, kNearest)(img_f()), "resize.nearest.f.7x9", 0);
  expect_matches(T::Resize({20, 26}, kNearest)(img_f()), "resize.nearest.f.20x26", 0);
  expect_matches(T::Resize({23, 17}, kNearest)(img_f()), "resize.nearest.f.23x17", 0);
  expect_matches(T::Resize({20, 25})(img_u8()), "resize.bilinear.u8.20x25");
  expect_matches(T::Resize({6, 5})(img_u8()), "resize.bilinear.u8.6x5");
  // One number: the smaller edge (10) becomes 8, the other int(8 * 13 / 10) = 10.
  Tensor r = T::Resize(8)(img_f());
  EXPECT_EQ(r.sizes(), IntArrayRef({3, 8, 10}));
  expect_matches(r, "resize.bilinear.f.int8");
  EXPECT_EQ(F::resized_size(10, 13, {8}, 9), (std::pair<int64_t, int64_t>{7, 9}));  // max_size caps the long edge
  // Batched images keep their leading dims.
  Tensor batch = stack({img_f(), img_f()});
  EXPECT_TRUE(T::Resize({7, 9})(batch)[1].equal(T::Resize({7, 9})(img_f())));
  EXPECT_THROW(T::Resize({0, 3}), ValueError);
  EXPECT_THROW(T::Resize({1, 2, 3}), ValueError);
  EXPECT_THROW(T::Resize(4)(zeros({5})), TypeError);
}

TEST(DataTransforms, CropsAndPadding) {
  expect_matches(T::CenterCrop({5, 6})(img_f()), "centercrop.f.5x6", 0);
  expect_matches(T::CenterCrop(4)(img_f()), "centercrop.f.4x4", 0);
  expect_matches(T::CenterCrop({12, 16})(img_u8()), "centercrop.u8.12x16");
  expect_matches(F::pad(img_u8(), {1, 2, 3, 1}, 0, kReplicate), "pad.edge");
  expect_matches(F::pad(img_f(), {2, 1, 2, 3}, 0, kReflect), "pad.reflect", 0);
  EXPECT_TRUE(T::Pad({1})(img_u8()).narrow(-2, 1, 10).narrow(-1, 1, 13).equal(img_u8()));
  EXPECT_THROW(F::pad(img_f(), {13, 0, 0, 0}, 0, kReflect), ValueError);
  EXPECT_THROW(F::pad(img_f(), {1, 2, 3}), ValueError);
}

TEST(DataTransforms, RandomCropDrawsLikeTorchvision) {
  manual_seed(3);
  T::RandomCrop crop({6, 7}, {1, 2});
  std::vector<Tensor> crops;
  for (int i = 0; i < 3; ++i) crops.push_back(crop(img_f()));
  expect_matches(stack(crops), "randomcrop.pad", 0);
  T::RandomCrop padded({12, 15}, {}, true, 7);
  expect_matches(stack({padded(img_u8()), padded(img_u8())}), "randomcrop.pad_if_needed");
  EXPECT_TRUE(rand({1}).equal(g::tensor("randomcrop.after", kFloat32)));
  try {
    T::RandomCrop({11, 4})(img_f());
    FAIL();
  } catch (const ValueError& e) {
    EXPECT_STREQ(e.what(), "Required crop size (11, 4) is larger than input image size (10, 13)");
  }
}

TEST(DataTransforms, RandomHorizontalFlipDrawsLikeTorchvision) {
  manual_seed(5);
  T::RandomHorizontalFlip flip;
  std::vector<double> flags;
  for (int i = 0; i < 8; ++i) flags.push_back(flip(img_f()).equal(img_f()) ? 0 : 1);
  EXPECT_EQ(flags, g::values("hflip.flags"));
  EXPECT_TRUE(F::hflip(img_f()).select(-1, 0).equal(img_f().select(-1, 12)));
  EXPECT_TRUE(T::RandomVerticalFlip(1.0)(img_f()).select(-2, 0).equal(img_f().select(-2, 9)));
}

TEST(DataTransforms, RotationMatchesGridSample) {
  manual_seed(2);
  std::vector<double> angles;
  for (int i = 0; i < 3; ++i) angles.push_back(T::RandomRotation::get_params({-30.0, 30.0}));
  EXPECT_EQ(angles, g::values("rotate.angles"));
  std::vector<Tensor> rotated;
  for (double a : angles) rotated.push_back(F::rotate(img_u8(), a));
  expect_matches(stack(rotated), "rotate.nearest.u8");
  manual_seed(2);
  EXPECT_TRUE(T::RandomRotation(30)(img_u8()).equal(g::tensor("rotate.nearest.u8", kUInt8)[0]));  // same first angle
  expect_matches(F::rotate(img_f(), angles[0], kNearest, false, std::nullopt, {0.25, 0.5, 0.75}),
                 "rotate.nearest.f.fill", 0);
  expect_matches(F::rotate(img_f(), angles[1], kBilinear, false, std::nullopt, {0.5}), "rotate.bilinear.f", 2e-6);  // grid_sample's vector kernel rounds differently
  expect_matches(F::rotate(img_f(), 37.0, kNearest, true), "rotate.nearest.f.expand", 0);
  expect_matches(F::rotate(img_f(), -20.0, kNearest, false, std::pair<double, double>{3, 4}),
                 "rotate.nearest.f.center", 0);
  expect_matches(F::rotate(img_f(), 90.0), "rotate.nearest.f.90", 0);
  expect_matches(F::rotate(g::tensor("rotate.nearest.big.in", kFloat32), 17.3), "rotate.nearest.big", 0);
  EXPECT_THROW(F::rotate(img_f(), 10, kNearest, false, std::nullopt, {1, 2}), ValueError);
}

TEST(DataTransforms, ColorAndDtype) {
  expect_matches(T::Grayscale()(img_u8()), "grayscale.u8");
  expect_matches(T::Grayscale()(img_f()), "grayscale.f", 0);
  EXPECT_EQ(T::Grayscale(3)(img_u8()).sizes(), IntArrayRef({3, 10, 13}));
  expect_matches(T::Normalize<>({0.5, 0.4, 0.3}, {0.2, 0.25, 0.3})(img_f()), "normalize.f", 0);
  expect_matches(T::ConvertDtype(kFloat32)(img_u8()), "convert.u8_to_f", 0);
  expect_matches(T::ConvertDtype(kUInt8)(img_f()), "convert.f_to_u8");
  expect_matches(T::ToTensor()(img_u8().permute({1, 2, 0}).contiguous()), "totensor", 0);
  EXPECT_EQ(T::ToTensor()(zeros({4, 5}, TensorOptions(kUInt8))).sizes(), IntArrayRef({1, 4, 5}));
  EXPECT_TRUE(F::convert_image_dtype(full({2}, 255, TensorOptions(kUInt8)), kInt16).equal(full({2}, 32640, TensorOptions(kInt16))));
  EXPECT_THROW(F::convert_image_dtype(img_f(), kInt64), Error);
  try {
    T::Normalize<>(0.5, 0.5)(img_u8());
    FAIL();
  } catch (const TypeError& e) {
    EXPECT_STREQ(e.what(), "Input tensor should be a float tensor. Got torch.uint8.");
  }
  EXPECT_THROW(T::Normalize<>({0.5}, {0.0})(img_f()), ValueError);
  EXPECT_THROW(T::Normalize<>({0.5, 0.5}, {1.0, 1.0})(img_f()), ValueError);
  EXPECT_THROW(T::Grayscale()(zeros({2, 4, 4})), TypeError);
}

TEST(DataTransforms, ComposeLambdaAndCallables) {
  T::Compose pipeline({T::Resize({64, 64}), T::RandomRotation(15), T::Normalize<>(0.5, 0.5),
                       [](Tensor x) { return x.clamp(-1, 1); }, T::Lambda<>([](Tensor x) { return x * 2; })});
  Tensor out = pipeline(img_f());
  EXPECT_EQ(out.sizes(), IntArrayRef({3, 64, 64}));
  EXPECT_LE(out.max().item<float>(), 2.0f);
  EXPECT_EQ(pipeline.transforms().size(), 5u);
}
