#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include <ember/ember.h>

#include "error_of.h"

using namespace ember;


TEST(Factory, ZerosOnesFull) {
  Tensor z = zeros({2, 3});
  EXPECT_EQ(z.dim(), 2);
  EXPECT_EQ(z.numel(), 6);
  EXPECT_EQ(z.dtype(), kFloat32);
  Tensor f = full({2}, 7);
  EXPECT_EQ(f.dtype(), kInt64);
  EXPECT_EQ(f[1].item<int64_t>(), 7);
  EXPECT_EQ(full({1}, 2.5).dtype(), kFloat32);
  EXPECT_EQ(full({1}, true).dtype(), kBool);
}

// The sanitizer preset runs these (the LibTorch comparisons in tests/diff do not): every
// path through the checked conversion and the range factories' integer conversions.
TEST(Factory, ValuesThatDoNotFitTheDtypeThrow) {
  EXPECT_EQ(error_of([] { full({2}, 300, kUInt8); }), "value cannot be converted to type uint8_t without overflow");
  EXPECT_EQ(error_of([] { zeros({2}, kInt32).fill_(NAN); }), "value cannot be converted to type int without overflow");
  EXPECT_EQ(error_of([] { zeros({2}, kInt64).fill_(1e20); }), "value cannot be converted to type int64_t without overflow");
  EXPECT_EQ(error_of([] { zeros({2}, kFloat16).fill_(1e5); }), "value cannot be converted to type at::Half without overflow");
  EXPECT_EQ(error_of([] { zeros({2}, kUInt8).masked_fill(tensor({true, false}), -1.0); }),
            "value cannot be converted to type uint8_t without overflow");
  EXPECT_EQ(error_of([] { clamp(zeros({2}, kInt8), -200); }), "value cannot be converted to type int8_t without overflow");
  // Negative integers wrap into unsigned types down to -max; bool and floating infinities pass.
  EXPECT_EQ(full({1}, -255, kUInt8).item<int64_t>(), 1);
  EXPECT_TRUE(full({1}, NAN, kBool).item<bool>());
  EXPECT_TRUE(std::isinf(full({1}, INFINITY, kFloat16).item<double>()));
  // Scalar::to of NaN or an out-of-range double into an integer is INT64_MIN, never UB.
  EXPECT_EQ(Scalar(NAN).to<int64_t>(), INT64_MIN);
  EXPECT_EQ(Scalar(1e300).to<int64_t>(), INT64_MIN);
  EXPECT_EQ(Scalar(-2.9).to<int64_t>(), -2);
}

TEST(Factory, RangeFactoriesConvertArgumentsToTheDtypeFirst) {
  auto values = [](const Tensor& t) {
    std::vector<int64_t> v;
    for (int64_t i = 0; i < t.numel(); ++i) v.push_back(t[i].item<int64_t>());
    return v;
  };
  // int64 arange counts from the truncated bounds; int32 from the bounds as given.
  EXPECT_EQ(values(arange(0.5, 5.5, 1.5, kInt64)), (std::vector<int64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(values(arange(0.5, 5.5, 1.5, kInt32)), (std::vector<int64_t>{0, 1, 2, 3}));
  EXPECT_THROW(arange(0, 5, 0.5, kInt64), Error);  // the step truncates to zero
  EXPECT_EQ(values(arange(0, 300, 100, kUInt8)), (std::vector<int64_t>{0, 100, 200}));
  // uint8 wraps a start of -1 to 255 before stepping; logspace wraps 10^3 to 232.
  EXPECT_EQ(values(linspace(-1, 3, 5, kUInt8)), (std::vector<int64_t>{255, 192, 129, 66, 3}));
  EXPECT_EQ(values(linspace(0.5, 3.7, 5, kInt64)), (std::vector<int64_t>{0, 0, 1, 2, 3}));
  EXPECT_EQ(values(logspace(0, 3, 4, 10, kUInt8)), (std::vector<int64_t>{1, 10, 100, 232}));
  EXPECT_EQ(values(logspace(-1, 2, 4, 10, kUInt8)), (std::vector<int64_t>{0, 0, 0, 100}));  // 10^255 and 10^86
  EXPECT_EQ(values(logspace(0.5, 3.7, 5, 2, kInt64)), (std::vector<int64_t>{1, 1, 2, 4, 8}));
  EXPECT_THROW(logspace(3, 3, 1, 10, kUInt8), Error);
  EXPECT_THROW(linspace(0, 1000, 2, kUInt8), Error);
  EXPECT_EQ(linspace(0, 1000, 1, kUInt8)[0].item<int64_t>(), 0);  // one step converts only the start
}

TEST(Elementwise, AddBroadcast) {
  Tensor a = arange(6, kFloat32).view({2, 3});
  Tensor b = tensor({10.0, 20.0, 30.0});
  Tensor c = a + b;
  EXPECT_EQ(c.sizes(), IntArrayRef({2, 3}));
  EXPECT_FLOAT_EQ(c[1][2].item<float>(), 35.0f);
  EXPECT_THROW(a + arange(2, kFloat32), Error);
}

TEST(Promotion, ScalarRules) {
  Tensor i = tensor({1, 2, 3});
  EXPECT_EQ(i.dtype(), kInt64);
  EXPECT_EQ((i + 2.5).dtype(), kFloat32);
  EXPECT_EQ((i + 2).dtype(), kInt64);
  EXPECT_EQ((i / 2).dtype(), kFloat32);
  EXPECT_EQ((ones({2}, kFloat16) + 2.5).dtype(), kFloat16);
  EXPECT_EQ((ones({2}, kInt32) + scalar_tensor(1.0, kFloat64)).dtype(), kFloat64);
  EXPECT_EQ((ones({2}, kFloat32) + scalar_tensor(1.0, kFloat64)).dtype(), kFloat32);
  EXPECT_EQ((ones({2}, kUInt8) + ones({2}, kInt8)).dtype(), kInt16);
}

// Sizes and strides chosen so that a wrapping extent computation would come out small and
// pass the bounds check: each must be an error, never a view past the end of the storage.
TEST(Views, HostileGeometryIsRejected) {
  Tensor base = zeros({16});
  const int64_t huge = int64_t{1} << 62;
  EXPECT_NE(error_of([&] { base.as_strided({2, 2}, {huge, huge}); }).find("Storage size calculation overflowed"),
            std::string::npos);
  EXPECT_NE(error_of([&] { base.as_strided({5}, {INT64_MAX / 4 + 1}); }).find("Storage size calculation overflowed"),
            std::string::npos);
  EXPECT_NE(error_of([&] { base.as_strided({2}, {1}, INT64_MAX / 2); }).find("overflowed"), std::string::npos);
  EXPECT_NE(error_of([&] { base.as_strided({4}, {6}); })
                .find("requiring a storage size of 76 are out of bounds for storage of size 64"),
            std::string::npos);
  EXPECT_EQ(base.as_strided({0, 4}, {huge, huge}).numel(), 0);  // empty: reaches nothing
  EXPECT_NE(error_of([&] { empty_strided({3, 3}, {huge, huge}); }).find("Storage size calculation overflowed"),
            std::string::npos);
  float blob[4] = {1, 2, 3, 4};
  EXPECT_NE(error_of([&] { from_blob(blob, {2, 2}, {huge, huge}); }).find("overflowed"), std::string::npos);
  EXPECT_NE(error_of([&] { from_blob(blob, {2}, {-1}); }).find("negative strides"), std::string::npos);
  // A step past the end keeps one element.
  Tensor s = base.slice(0, 3, 16, INT64_MAX);
  EXPECT_EQ(s.numel(), 1);
  EXPECT_EQ(s.storage_offset(), 3);
  EXPECT_EQ(base.slice(0, 0, 16, 15).numel(), 2);
  EXPECT_EQ(base.slice(0, 5, 5, 3).numel(), 0);
}

TEST(Views, ViewErrorsAndTranspose) {
  Tensor a = arange(12).view({3, 4});
  EXPECT_THROW(a.t().view({12}), Error);
  Tensor r = a.t().reshape({12});
  EXPECT_EQ(r[1].item<int64_t>(), 4);
  EXPECT_THROW(a.view({5, -1}), Error);
  EXPECT_THROW(a.select(0, 3), IndexError);
}

TEST(Elementwise, Unary) {
  Tensor x = tensor({0.0, 1.0});
  Tensor e = x.exp();
  EXPECT_NEAR(e[1].item<double>(), 2.718281828, 1e-6);
  EXPECT_EQ(tensor({1, 2}).exp().dtype(), kFloat32);
  Tensor big = arange(100000, kFloat32) * 1e-5;
  Tensor s = big.sigmoid();
  EXPECT_NEAR(s[99999].item<float>(), 1.0 / (1.0 + std::exp(-0.99999)), 1e-6);
}

TEST(Errors, IntDivisionByZero) {
  EXPECT_THROW(div(tensor({1, 2}), tensor({0, 1}), "floor"), Error);
  EXPECT_THROW(remainder(tensor({1}), tensor({0})), Error);
}

// A std::vector<double> infers the default dtype, yet asking for float64 keeps every bit.
TEST(Factory, VectorOfDoublesKeepsPrecisionInFloat64) {
  const std::vector<double> v{0.1, 1.0 / 3.0, 1e-300};
  Tensor d = tensor(v, kFloat64);
  ASSERT_EQ(d.dtype(), kFloat64);
  for (size_t i = 0; i < v.size(); ++i) EXPECT_EQ(d[static_cast<int64_t>(i)].item<double>(), v[i]);
  Tensor f = tensor(v);
  EXPECT_EQ(f.dtype(), kFloat32);
  EXPECT_EQ(f[1].item<float>(), static_cast<float>(1.0 / 3.0));
  // Nested in a braced list, too.
  Tensor n = tensor({std::vector<double>{0.1, 0.2}, std::vector<double>{0.3, 0.4}}, kFloat64);
  EXPECT_EQ(n[1][0].item<double>(), 0.3);
}

// Outputs of 32 MiB and more are written with streaming stores (Note [Streaming stores]):
// a misaligned head, 64-byte blocks, a tail; every element must still be exact.
TEST(Elementwise, LargeOutputsThroughStreamingStores) {
  const int64_t n = (int64_t(8) << 20) + 37;
  Tensor a = arange(n, kFloat32);
  Tensor b = full({n}, 0.5f);
  Tensor storage = empty({n + 5});
  Tensor out = storage.narrow(0, 3, n);  // 12 bytes past a 64-byte boundary
  add_out(out, a, b);
  Tensor scaled = a * 2.0;                 // scalar on the right, fresh output
  Tensor negated = neg(b.narrow(0, 1, n - 1));
  const float* pa = a.data_ptr<float>();
  const float* po = out.data_ptr<float>();
  const float* ps = scaled.data_ptr<float>();
  const float* pn = negated.data_ptr<float>();
  for (int64_t i = 0; i < n; ++i) {
    ASSERT_EQ(po[i], pa[i] + 0.5f) << i;
    ASSERT_EQ(ps[i], pa[i] * 2.0f) << i;
  }
  for (int64_t i = 0; i < n - 1; ++i) ASSERT_EQ(pn[i], -0.5f) << i;
  const int64_t m = (int64_t(4) << 20) + 5;  // int64: 8-byte elements
  Tensor ia = arange(m, kInt64);
  Tensor isum = ia + ia;
  const int64_t* pi = isum.data_ptr<int64_t>();
  for (int64_t i = 0; i < m; ++i) ASSERT_EQ(pi[i], 2 * i) << i;
  // In place (output is an input): plain stores, same values.
  a.add_(b);
  for (int64_t i = 0; i < n; ++i) ASSERT_EQ(pa[i], po[i]) << i;
}
