// Unit tests of reductions, scans, softmax and sorting: values on hand-checked inputs,
// PyTorch's dtype rules, and every error path with PyTorch's wording.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include <ember/ember.h>

using namespace ember;

namespace {

// Asserts that `f` throws E and that the message contains `text`.
template <class E, class F>
void expect_error(F f, const std::string& text) {
  try {
    f();
    ADD_FAILURE() << "expected an error containing: " << text;
  } catch (const E& e) {
    EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
  }
}

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

}  // namespace

TEST(Reduce, SumDimsKeepdimAndDtypes) {
  Tensor a = arange(6).view({2, 3});  // int64
  EXPECT_EQ(a.sum().item<int64_t>(), 15);
  EXPECT_EQ(a.sum().dim(), 0);
  Tensor s1 = a.sum(1);
  EXPECT_EQ(s1.sizes(), IntArrayRef({2}));
  EXPECT_EQ(s1[0].item<int64_t>(), 3);
  EXPECT_EQ(s1[1].item<int64_t>(), 12);
  Tensor s0k = a.sum(0, true);
  EXPECT_EQ(s0k.sizes(), IntArrayRef({1, 3}));
  EXPECT_EQ(s0k[0][2].item<int64_t>(), 7);
  EXPECT_EQ(a.sum({0, 1}).item<int64_t>(), 15);
  EXPECT_EQ(a.sum({-1, -2}).item<int64_t>(), 15);
  // Integer and bool inputs sum to int64; dtype= casts first.
  EXPECT_EQ(a.to(kInt32).sum().dtype(), kInt64);
  EXPECT_EQ(a.to(kUInt8).sum().dtype(), kInt64);
  EXPECT_EQ(a.to(kBool).sum().item<int64_t>(), 5);
  EXPECT_EQ(a.sum(kFloat32).dtype(), kFloat32);
  EXPECT_EQ(tensor({0.5, 1.7, 2.9}).sum(kInt32).item<int64_t>(), 3);  // truncated before summing
  EXPECT_EQ(ones({3}, kFloat16).sum().dtype(), kFloat16);
  EXPECT_FLOAT_EQ(ones({3}, kFloat16).sum().item<float>(), 3.0f);
}

TEST(Reduce, EmptyAndZeroDim) {
  Tensor e = empty({0, 3});
  EXPECT_EQ(e.sum().item<float>(), 0.0f);
  EXPECT_TRUE(std::isnan(e.mean().item<float>()));
  EXPECT_EQ(e.prod().item<float>(), 1.0f);
  EXPECT_EQ(e.sum(0).sizes(), IntArrayRef({3}));
  EXPECT_EQ(e.sum(1).sizes(), IntArrayRef({0}));
  Tensor z = scalar_tensor(4.0);
  EXPECT_EQ(z.sum(0).item<float>(), 4.0f);
  EXPECT_EQ(z.sum(-1, true).dim(), 0);
  EXPECT_EQ(z.max().item<float>(), 4.0f);
  auto [v, i] = z.max(0);
  EXPECT_EQ(v.item<float>(), 4.0f);
  EXPECT_EQ(i.item<int64_t>(), 0);
}

TEST(Reduce, ErrorsUsePyTorchWording) {
  Tensor a = arange(6).view({2, 3});
  expect_error<Error>([&] { a.sum({1, 1}); }, "dim 1 appears multiple times in the list of dims");
  expect_error<Error>([&] { a.sum({1, -1}); }, "dim 1 appears multiple times in the list of dims");
  expect_error<IndexError>([&] { a.sum(2); }, "Dimension out of range (expected to be in range of [-2, 1], but got 2)");
  expect_error<Error>([&] { a.mean(); },
                      "mean(): could not infer output dtype. Input dtype must be either a floating point or "
                      "complex dtype. Got: Long");
  expect_error<Error>([&] { a.to(kFloat32).mean(kInt64); }, "Optional dtype must be either a floating point");
  expect_error<Error>([&] { a.var(); }, "std and var only support floating point and complex dtypes");
  expect_error<Error>([&] { a.norm(); }, "norm(): input dtype should be either floating point or complex. Got Long");
  Tensor e = empty({0, 3});
  expect_error<Error>([&] { e.max(); },
                      "max(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction "
                      "dim with the 'dim' argument.");
  expect_error<Error>([&] { e.min(); }, "min(): Expected reduction dim to be specified");
  expect_error<IndexError>([&] { e.max(0); }, "max(): Expected reduction dim 0 to have non-zero size.");
  expect_error<IndexError>([&] { e.argmax(); }, "argmax(): Expected reduction dim to be specified for input.numel() == 0.");
  expect_error<Error>([&] { e.amax(); }, "amax(): Expected reduction dim to be specified");
  expect_error<IndexError>([&] { e.amin(0); }, "amin(): Expected reduction dim 0 to have non-zero size.");
  EXPECT_EQ(e.amax(1).sizes(), IntArrayRef({0}));
  expect_error<NotImplementedError>([&] { a.to(kBool).argmax(); }, "\"argmax_cpu\" not implemented for 'Bool'");
  expect_error<NotImplementedError>([&] { a.softmax(0); }, "\"softmax_kernel_impl\" not implemented for 'Long'");
  expect_error<Error>([&] { a.topk(4); }, "selected index k out of range");
  expect_error<Error>([&] { a.topk(-1); }, "selected index k out of range");
  expect_error<Error>([&] { ones({2, 2}).norm(std::string("abc")); }, "only valid string values are 'fro' and 'nuc', found abc");
  expect_error<Error>([&] { norm(ones({2, 2}), "nuc", {0}); }, "nuclear norm requires a 'dim' argument of size 2");
  expect_error<IndexError>([&] { a.cumsum(5); }, "Dimension out of range");
}

TEST(Reduce, MaxMinNaNAndTies) {
  Tensor x = tensor({1.0, 5.0, 5.0, 0.0, 0.0});
  auto [mv, mi] = x.max(0);
  EXPECT_EQ(mv.item<float>(), 5.0f);
  EXPECT_EQ(mi.item<int64_t>(), 1);  // first of the ties
  EXPECT_EQ(x.argmin().item<int64_t>(), 3);
  Tensor n = tensor({1.0, kNaN, 7.0, kNaN});
  EXPECT_TRUE(std::isnan(n.max().item<float>()));
  EXPECT_TRUE(std::isnan(n.min().item<float>()));
  EXPECT_EQ(n.argmax().item<int64_t>(), 1);
  EXPECT_EQ(n.argmin().item<int64_t>(), 1);
  EXPECT_TRUE(std::isnan(n.amax(0).item<float>()));
  // NaN propagates through the vectorised path too (long row, NaN near the end).
  Tensor big = arange(100000, kFloat32);
  big.narrow(0, 99990, 1).fill_(kNaN);
  EXPECT_TRUE(std::isnan(big.max().item<float>()));
  EXPECT_EQ(big.argmax().item<int64_t>(), 99990);
  Tensor b = tensor({false, true, false});
  EXPECT_EQ(b.max().dtype(), kBool);
  EXPECT_TRUE(b.max().item<bool>());
  EXPECT_EQ(std::get<1>(b.max(0)).item<int64_t>(), 1);
  Tensor i32 = tensor({3, -7, 2}).to(kInt32);
  EXPECT_EQ(i32.min().dtype(), kInt32);
  EXPECT_EQ(i32.min().item<int64_t>(), -7);
  EXPECT_EQ(argmax(arange(6).view({2, 3}), std::nullopt, true).sizes(), IntArrayRef({1, 1}));
}

TEST(Reduce, VarStdNorm) {
  Tensor x = tensor({1.0, 2.0, 3.0, 4.0});
  EXPECT_NEAR(x.var().item<double>(), 5.0 / 3.0, 1e-6);
  EXPECT_NEAR(x.var(std::nullopt, 0).item<double>(), 1.25, 1e-6);
  EXPECT_NEAR(x.std().item<double>(), std::sqrt(5.0 / 3.0), 1e-6);
  EXPECT_TRUE(std::isinf(x.var(std::nullopt, 4).item<double>()));  // divides by max(N - c, 0) = 0
  EXPECT_TRUE(std::isnan(scalar_tensor(5.0).var().item<double>()));
  // Large mean, small spread: the two-pass double computation keeps it exact.
  Tensor shifted = x + 1e7;
  EXPECT_NEAR(shifted.var().item<double>(), 5.0 / 3.0, 1e-6);
  Tensor v = tensor({3.0, 0.0, -4.0});
  EXPECT_FLOAT_EQ(v.norm().item<float>(), 5.0f);
  EXPECT_FLOAT_EQ(v.norm(1).item<float>(), 7.0f);
  EXPECT_FLOAT_EQ(v.norm(0.0).item<float>(), 2.0f);  // a literal 0 would also be a null const char*
  EXPECT_FLOAT_EQ(v.norm(kInf).item<float>(), 4.0f);
  EXPECT_FLOAT_EQ(v.norm(-kInf).item<float>(), 0.0f);
  EXPECT_NEAR(v.norm(0.5).item<float>(), 13.9282f, 1e-3);
  EXPECT_FLOAT_EQ(v.norm(std::string("fro")).item<float>(), 5.0f);  // see report: literal is ambiguous
  EXPECT_FLOAT_EQ(norm(v, "fro").item<float>(), 5.0f);
  EXPECT_EQ(empty({3, 0}).norm(kInf, {1}).sizes(), IntArrayRef({3}));
  EXPECT_EQ(empty({3, 0}).norm(kInf, {1})[0].item<float>(), 0.0f);
}

TEST(Reduce, LogSumExpStable) {
  Tensor x = tensor({1000.0, 1000.0});
  EXPECT_NEAR(x.logsumexp({0}).item<float>(), 1000.0f + std::log(2.0f), 1e-3);
  EXPECT_TRUE(std::isinf(tensor({kInf, kInf}).logsumexp({0}).item<float>()));
  float ninf = tensor({-kInf, -kInf}).logsumexp({0}).item<float>();
  EXPECT_TRUE(std::isinf(ninf) && ninf < 0);
  EXPECT_TRUE(std::isnan(tensor({1.0, kNaN}).logsumexp({0}).item<float>()));
  EXPECT_EQ(arange(4).logsumexp({0}).dtype(), kFloat32);
  Tensor e = empty({0, 3}).logsumexp({0});
  EXPECT_EQ(e.sizes(), IntArrayRef({3}));
  EXPECT_TRUE(std::isinf(e[0].item<float>()));
}

TEST(Reduce, AllAnyCountNonzero) {
  Tensor a = tensor({0, 1, 2, 3}).view({2, 2});
  EXPECT_FALSE(a.all().item<bool>());
  EXPECT_TRUE(a.any().item<bool>());
  EXPECT_EQ(a.all().dtype(), kBool);
  Tensor r = a.all(1);
  EXPECT_FALSE(r[0].item<bool>());
  EXPECT_TRUE(r[1].item<bool>());
  EXPECT_EQ(a.to(kUInt8).all().dtype(), kUInt8);
  EXPECT_EQ(a.to(kUInt8).any(0).dtype(), kUInt8);
  EXPECT_TRUE(empty({3, 0}).all(1)[0].item<bool>());
  EXPECT_FALSE(empty({3, 0}).any(1)[0].item<bool>());
  EXPECT_EQ(count_nonzero(a).item<int64_t>(), 3);
  EXPECT_EQ(count_nonzero(a, {0})[0].item<int64_t>(), 1);
  EXPECT_EQ(count_nonzero(a).dtype(), kInt64);
}

TEST(Scan, CumsumCumprod) {
  Tensor a = arange(6).view({2, 3});
  Tensor c = a.cumsum(1);
  EXPECT_EQ(c.dtype(), kInt64);
  EXPECT_EQ(c[1][2].item<int64_t>(), 12);
  EXPECT_EQ(a.cumsum(0)[1][1].item<int64_t>(), 5);
  EXPECT_EQ(a.to(kBool).cumsum(0).dtype(), kInt64);
  EXPECT_EQ(a.cumsum(0, kFloat32).dtype(), kFloat32);
  EXPECT_EQ((a + 1).cumprod(1)[1][2].item<int64_t>(), 120);
  // Floating scans accumulate in double, as PyTorch's CPU kernel does.
  Tensor f = tensor({1e8, 1.0, -1e8, 1.0});
  EXPECT_FLOAT_EQ(f.cumsum(0)[3].item<float>(), 2.0f);
  EXPECT_EQ(scalar_tensor(3.0).cumsum(0).dim(), 0);
}

TEST(Softmax, StableAndLog) {
  Tensor x = tensor({1000.0, 1000.0, -kInf});
  Tensor s = x.softmax(0);
  EXPECT_FLOAT_EQ(s[0].item<float>(), 0.5f);
  EXPECT_FLOAT_EQ(s[2].item<float>(), 0.0f);
  Tensor l = x.log_softmax(0);
  EXPECT_NEAR(l[1].item<float>(), -std::log(2.0f), 1e-6);
  EXPECT_TRUE(std::isinf(l[2].item<float>()));
  Tensor m = arange(6, kFloat32).view({2, 3});
  Tensor s0 = m.softmax(0);
  EXPECT_NEAR((s0[0][1] + s0[1][1]).item<float>(), 1.0f, 1e-6);
  EXPECT_TRUE(s0.is_contiguous());
  EXPECT_EQ(arange(3).softmax(0, kFloat64).dtype(), kFloat64);
  EXPECT_EQ(scalar_tensor(2.0).softmax(0).item<float>(), 1.0f);
}

TEST(Sort, NaNLargestStableDescending) {
  Tensor x = tensor({3.0, 1.0, 3.0, kNaN, -kInf, 1.0});
  auto [v, i] = x.sort();
  EXPECT_EQ(i[0].item<int64_t>(), 4);
  EXPECT_EQ(i[1].item<int64_t>(), 1);
  EXPECT_EQ(i[2].item<int64_t>(), 5);
  EXPECT_TRUE(std::isnan(v[5].item<float>()));
  auto [vd, id] = x.sort(0, true, true);
  EXPECT_TRUE(std::isnan(vd[0].item<float>()));
  EXPECT_EQ(id[1].item<int64_t>(), 0);  // ties keep input order when descending too
  EXPECT_EQ(id[2].item<int64_t>(), 2);
  EXPECT_EQ(x.argsort(0, true)[5].item<int64_t>(), 4);
  auto [tv, ti] = tensor({5, 1, 9, 3}).topk(2);
  EXPECT_EQ(tv[0].item<int64_t>(), 9);
  EXPECT_EQ(ti[1].item<int64_t>(), 0);
  auto [sv, si] = tensor({5, 1, 9, 3}).topk(2, -1, false);
  EXPECT_EQ(sv[1].item<int64_t>(), 3);
  EXPECT_EQ(si[0].item<int64_t>(), 1);
  EXPECT_EQ(std::get<0>(tensor({true, false}).sort()).dtype(), kBool);
  EXPECT_FALSE(std::get<0>(tensor({true, false}).sort())[0].item<bool>());
}

TEST(Reduce, OutForms) {
  Tensor a = arange(6, kFloat32).view({2, 3});
  Tensor out = empty({7}, kFloat64);
  sum_out(out, a, {1});
  EXPECT_EQ(out.sizes(), IntArrayRef({2}));
  EXPECT_EQ(out.dtype(), kFloat64);
  EXPECT_EQ(out[1].item<double>(), 12.0);
  Tensor vals = empty({0}), idx = empty({0}, kInt64);
  max_out(vals, idx, a, 0);
  EXPECT_EQ(idx[2].item<int64_t>(), 1);
  Tensor c = empty({0}, kFloat32);
  cumsum_out(c, a, 1);
  EXPECT_EQ(c[1][2].item<float>(), 12.0f);
}

TEST(Reduce, ThreadCountDeterministicAndAccurate) {
  // A 1M-element float sum is pairwise (Note [Cascade summation]): close to the double
  // sum, and identical between runs with the same thread count.
  Tensor x = arange(1 << 20, kFloat64).mul(0.001).sin().to(kFloat32);
  double ref = x.to(kFloat64).sum().item<double>();
  int saved = get_num_threads();
  for (int t : {1, 2}) {
    set_num_threads(t);
    float s1 = x.sum().item<float>(), s2 = x.sum().item<float>();
    EXPECT_EQ(s1, s2);
    EXPECT_NEAR(s1, ref, std::abs(ref) * 1e-6 + 1e-2);
    Tensor m = x.view({1024, 1024});
    EXPECT_NEAR(m.sum(0).sum().item<float>(), ref, std::abs(ref) * 1e-5 + 1e-1);
    EXPECT_NEAR(m.sum(1).sum().item<float>(), ref, std::abs(ref) * 1e-5 + 1e-1);
  }
  set_num_threads(saved);
}

TEST(Reduce, IntegerOverflowWrapsLikePyTorch) {
  const int64_t big = int64_t(1) << 62;
  Tensor x = tensor({big, big, big, big});
  EXPECT_EQ(x.sum().item<int64_t>(), 0);  // 2^64 wraps to 0, as in PyTorch
  EXPECT_EQ(tensor({int64_t(1) << 32, int64_t(1) << 32}).prod().item<int64_t>(), 0);
  EXPECT_EQ(x.cumsum(0)[1].item<int64_t>(), std::numeric_limits<int64_t>::min());
}

// Regression: std/var with a single integer or braced dim used to keep a pointer to a
// temporary (std::optional<IntArrayRef>) and read garbage dims in optimised builds.
TEST(Reduce, VarStdWithScalarDimHoldsItsDims) {
  Tensor x = arange(12, kFloat32).view({3, 4});
  Tensor by_vec = x.std(std::vector<int64_t>{0});
  EXPECT_TRUE(allclose(x.std(0), by_vec));
  EXPECT_TRUE(allclose(x.std({0}), by_vec));
  EXPECT_TRUE(allclose(ember::std(x, 0), by_vec));
  EXPECT_TRUE(allclose(x.var(1, 0, true), x.var(std::vector<int64_t>{1}, 0, true)));
  EXPECT_EQ(x.var({0, 1}).dim(), 0);
  EXPECT_TRUE(allclose(x.var(), x.var({0, 1})));
}

// 16M copies of 0.1f: a running float sum stalls near 2^21 (off by ~20%); the cascade
// stays within a few float ulps of the true 1677721.6 (times 0.1f's own rounding).
TEST(Reduce, LongFloatSumStaysAccurate) {
  const int64_t n = int64_t(1) << 24;
  Tensor x = full({n}, 0.1f);
  const double want = static_cast<double>(0.1f) * static_cast<double>(n);
  EXPECT_NEAR(x.sum().item<float>(), want, want * 1e-6);
  EXPECT_NEAR(x.view({4096, 4096}).sum(0).sum().item<float>(), want, want * 1e-6);
}

// x.norm("fro") compiles (a string literal picks the string overload, not Scalar via bool).
TEST(Reduce, FrobeniusNormFromStringLiteral) {
  Tensor x = tensor({{3.0, 0.0}, {0.0, 4.0}});
  EXPECT_FLOAT_EQ(x.norm("fro").item<float>(), 5.0f);
  EXPECT_TRUE(allclose(x.norm("fro", {1}), tensor({3.0f, 4.0f})));
}

// Rows reduced in pairs (Note [Two read streams]) give the very bits each row gives alone,
// including the odd last row; and a long run split into two streams stays accurate.
TEST(Reduce, PairedRowSumsMatchSingleRows) {
  manual_seed(3);
  Tensor x = randn({1001, 4096});
  Tensor s = x.sum({1});
  for (int64_t k = 0; k < x.size(0); k += 1) {
    float alone = x.select(0, k).sum().item<float>();
    ASSERT_EQ(s[k].item<float>(), alone) << "row " << k;
  }
  Tensor a = x.abs();
  Tensor n1 = a.sum({1});
  for (int64_t k : {int64_t(0), int64_t(499), int64_t(500), int64_t(1000)})
    ASSERT_EQ(n1[k].item<float>(), a.select(0, k).sum().item<float>()) << "row " << k;
}

// Rows shorter than the kernel's accumulator block (128 floats with AVX-512) and the
// tails of longer ones are summed a vector at a time (reduce_contig_streams): against a
// double sum, for lengths around every vector and block boundary, several rows per output
// (a bias gradient's sum over dims 0, 2), unaligned rows, and paired outputs (two streams)
// equal to each row summed alone.
TEST(Reduce, ShortRowsAndTailsMatchDouble) {
  for (int64_t len : {1, 7, 8, 15, 16, 17, 31, 33, 121, 127, 128, 129, 143, 255, 300}) {
    manual_seed(static_cast<uint64_t>(len));
    Tensor big = randn({6, 5, len + 1});
    Tensor x = big.slice(2, 1, len + 1);  // rows start one float past a vector boundary
    Tensor s = x.sum({0, 2});
    for (int64_t c = 0; c < 5; ++c) {
      double want = 0;
      for (int64_t n = 0; n < 6; ++n)
        for (int64_t i = 0; i < len; ++i) want += x[n][c][i].item<float>();
      EXPECT_NEAR(s[c].item<float>(), want, 1e-5 * (1 + std::abs(want)) * len) << "len " << len << " c " << c;
    }
    Tensor rows = x.sum({2});
    for (int64_t n = 0; n < 6; ++n)
      for (int64_t c = 0; c < 5; ++c)
        ASSERT_EQ(rows[n][c].item<float>(), x.select(0, n).select(0, c).sum().item<float>()) << "len " << len;
    Tensor xd = x.to(kFloat64);
    EXPECT_TRUE(allclose(xd.sum({0, 2}), s.to(kFloat64), 1e-5, 1e-5 * len)) << "len " << len;
  }
}

TEST(Reduce, TwoStreamLongSumMatchesDouble) {
  manual_seed(4);
  const int64_t n = (int64_t(1) << 20) + 3;  // odd: the split leaves one element over
  Tensor x = rand({n});
  double want = 0;
  const float* p = x.data_ptr<float>();
  for (int64_t i = 0; i < n; ++i) want += p[i];
  EXPECT_NEAR(x.sum().item<float>(), want, std::abs(want) * 1e-6);
  EXPECT_NEAR(x.to(kFloat64).sum().item<double>(), want, std::abs(want) * 1e-12);
  double sq = 0;
  for (int64_t i = 0; i < n; ++i) sq += double(p[i]) * p[i];
  EXPECT_NEAR(x.norm().item<float>(), std::sqrt(sq), std::sqrt(sq) * 1e-6);
}
