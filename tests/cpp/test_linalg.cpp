// Linear algebra: values on small hand-checked cases, layouts (transposed operands and
// outputs), dtypes, empty shapes, and PyTorch 1.13's error messages.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include <ember/ember.h>

#include "error_of.h"

using namespace ember;

namespace {

// Reference product by the definition, in double.
Tensor naive_mm(const Tensor& a, const Tensor& b) {
  Tensor ad = a.to(kFloat64).contiguous(), bd = b.to(kFloat64).contiguous();
  const int64_t m = a.size(0), k = a.size(1), n = b.size(1);
  Tensor c = zeros({m, n}, kFloat64);
  const double* pa = ad.data_ptr<double>();
  const double* pb = bd.data_ptr<double>();
  double* pc = c.data_ptr<double>();
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j)
      for (int64_t p = 0; p < k; ++p) pc[i * n + j] += pa[i * k + p] * pb[p * n + j];
  return c;
}

// Deterministic, irregular values in [-2, 2] (no random generator needed).
Tensor randn_like_shape(IntArrayRef shape, ScalarType dt = kFloat32) {
  static int calls = 0;
  const double freq = 0.7 + 0.13 * (calls++ % 17);
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  return (sin(arange(n, kFloat64) * freq) * 2.0).view(shape).to(dt);
}

}  // namespace

TEST(Linalg, MmSmallValues) {
  Tensor a = tensor({1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f}).view({2, 3});
  Tensor b = tensor({7.0f, 8.0f, 9.0f, 10.0f, 11.0f, 12.0f}).view({3, 2});
  Tensor c = mm(a, b);
  EXPECT_EQ(c.sizes(), IntArrayRef({2, 2}));
  EXPECT_EQ(c.dtype(), kFloat32);
  EXPECT_FLOAT_EQ(c[0][0].item<float>(), 58.0f);
  EXPECT_FLOAT_EQ(c[0][1].item<float>(), 64.0f);
  EXPECT_FLOAT_EQ(c[1][0].item<float>(), 139.0f);
  EXPECT_FLOAT_EQ(c[1][1].item<float>(), 154.0f);
  EXPECT_TRUE(a.mm(b).equal(c));
  EXPECT_TRUE(a.matmul(b).equal(c));
}

TEST(Linalg, MmEveryOperandLayout) {
  // Row-major, transposed (column-major), stepped slices (copied) and expanded operands.
  Tensor base_a = randn_like_shape({12, 10}), base_b = randn_like_shape({10, 14});
  std::vector<Tensor> as = {base_a.narrow(0, 0, 5).narrow(1, 0, 7), base_a.t().narrow(0, 0, 5).narrow(1, 0, 7),
                            base_a.slice(0, 0, 10, 2).slice(1, 0, 7), base_a.narrow(0, 0, 1).narrow(1, 0, 7).expand({5, 7})};
  std::vector<Tensor> bs = {base_b.narrow(0, 0, 7).narrow(1, 0, 6), base_b.t().narrow(0, 0, 7).narrow(1, 0, 6),
                            base_b.slice(0, 0, 7).slice(1, 0, 12, 2), base_b.narrow(1, 0, 1).expand({10, 6}).narrow(0, 0, 7)};
  for (auto& a : as)
    for (auto& b : bs) {
      Tensor c = mm(a, b);
      EXPECT_TRUE(c.to(kFloat64).allclose(naive_mm(a, b), 1e-5, 1e-5)) << a.strides() << " @ " << b.strides();
    }
}

TEST(Linalg, MmOutLayouts) {
  Tensor a = randn_like_shape({4, 3}), b = randn_like_shape({3, 5});
  Tensor ref = naive_mm(a, b);
  // A transposed out= is written in place through c^T = b^T a^T.
  Tensor out_t = empty({5, 4});
  Tensor view = out_t.t();
  void* ptr = view.data_ptr();
  mm_out(view, a, b);
  EXPECT_EQ(view.data_ptr(), ptr);
  EXPECT_EQ(view.strides(), IntArrayRef({1, 4}));
  EXPECT_TRUE(view.to(kFloat64).allclose(ref, 1e-5, 1e-5));
  // A stepped out= (neither layout) goes through a temporary and keeps its strides.
  Tensor big = full({8, 10}, 7.0f);
  Tensor stepped = big.slice(0, 0, 8, 2).slice(1, 0, 10, 2);
  mm_out(stepped, a, b);
  EXPECT_TRUE(stepped.to(kFloat64).allclose(ref, 1e-5, 1e-5));
  EXPECT_FLOAT_EQ(big[1][1].item<float>(), 7.0f);  // untouched between the steps
  // A wrongly sized out= is resized.
  Tensor wrong = empty({7});
  mm_out(wrong, a, b);
  EXPECT_EQ(wrong.sizes(), IntArrayRef({4, 5}));
  EXPECT_TRUE(wrong.to(kFloat64).allclose(ref, 1e-5, 1e-5));
  // out= aliasing an input.
  Tensor sq = randn_like_shape({3, 3});
  Tensor sq_ref = naive_mm(sq, sq);
  mm_out(sq, sq, sq);
  EXPECT_TRUE(sq.to(kFloat64).allclose(sq_ref, 1e-5, 1e-5));
}

TEST(Linalg, IntegerAndBFloat16) {
  Tensor a = arange(6).view({2, 3});
  Tensor b = arange(12).view({3, 4});
  Tensor c = mm(a, b);
  EXPECT_EQ(c.dtype(), kInt64);
  EXPECT_TRUE(c.to(kFloat64).equal(naive_mm(a, b)));
  EXPECT_TRUE(mm(a.t().contiguous().t(), b.t().contiguous().t()).equal(c));
  // int8 wraps like PyTorch: 3 * (100 * 2) = 600 = 88 (mod 256).
  Tensor i8 = full({2, 3}, 100, kInt8), j8 = full({3, 4}, 2, kInt8);
  Tensor r8 = bmm(i8.unsqueeze(0), j8.unsqueeze(0));
  EXPECT_EQ(r8.dtype(), kInt8);
  EXPECT_EQ(r8[0][1][2].item<int64_t>(), 88);
  // bfloat16 computes in float32.
  Tensor ab = tensor({1.5f, 2.0f, -1.0f, 0.25f}).view({2, 2}).to(kBFloat16);
  Tensor cb = mm(ab, ab);
  EXPECT_EQ(cb.dtype(), kBFloat16);
  EXPECT_FLOAT_EQ(cb[0][0].item<float>(), 1.5f * 1.5f + 2.0f * -1.0f);
  // addmm with integer beta/alpha given as floats truncates them, as PyTorch does.
  Tensor r = addmm(ones({2, 4}, kInt64), ones({2, 3}, kInt64), ones({3, 4}, kInt64), 2.5, 1.7);
  EXPECT_EQ(r[1][3].item<int64_t>(), 5);
}

TEST(Linalg, AddmmBetaAlpha) {
  Tensor a = randn_like_shape({3, 4}), b = randn_like_shape({4, 2});
  Tensor self = randn_like_shape({3, 2});
  Tensor r = addmm(self, a, b, 0.5, 2.0);
  EXPECT_TRUE(r.to(kFloat64).allclose(self.to(kFloat64) * 0.5 + naive_mm(a, b) * 2.0, 1e-5, 1e-5));
  // Broadcast bias (the nn.Linear case).
  Tensor bias = randn_like_shape({2});
  Tensor rb = addmm(bias, a, b);
  EXPECT_TRUE(rb.to(kFloat64).allclose(bias.to(kFloat64) + naive_mm(a, b), 1e-5, 1e-5));
  // beta == 0 ignores self, NaN included.
  Tensor nan_self = full({3, 2}, std::numeric_limits<float>::quiet_NaN());
  Tensor r0 = addmm(nan_self, a, b, 0, 1);
  EXPECT_TRUE(r0.isnan().logical_not().all().item<bool>());
  Tensor out = full({3, 2}, std::numeric_limits<float>::quiet_NaN());
  addmm_out(out, nan_self, a, b, 0.0, 1.0);
  EXPECT_TRUE(out.to(kFloat64).allclose(naive_mm(a, b), 1e-5, 1e-5));
  // In place.
  Tensor acc = self.clone();
  addmm_(acc, a, b, 1, -1);
  EXPECT_TRUE(acc.to(kFloat64).allclose(self.to(kFloat64) - naive_mm(a, b), 1e-5, 1e-5));
}

TEST(Linalg, EmptyShapes) {
  // k == 0: the product is zeros; addmm keeps beta * self.
  Tensor z = mm(empty({2, 0}), empty({0, 3}));
  EXPECT_EQ(z.sizes(), IntArrayRef({2, 3}));
  EXPECT_TRUE(z.equal(zeros({2, 3})));
  Tensor r = addmm(ones({2, 3}), empty({2, 0}), empty({0, 3}), 2, 3);
  EXPECT_TRUE(r.equal(full({2, 3}, 2.0f)));
  Tensor r0 = addmm(full({2, 3}, std::numeric_limits<float>::quiet_NaN()), empty({2, 0}), empty({0, 3}), 0, 1);
  EXPECT_TRUE(r0.equal(zeros({2, 3})));
  EXPECT_EQ(mm(empty({0, 4}), empty({4, 3})).sizes(), IntArrayRef({0, 3}));
  EXPECT_EQ(bmm(empty({0, 2, 3}), empty({0, 3, 5})).sizes(), IntArrayRef({0, 2, 5}));
  EXPECT_EQ(dot(empty({0}), empty({0})).item<float>(), 0.0f);
  EXPECT_EQ(matmul(empty({3, 5, 0}), empty({0, 0})).sizes(), IntArrayRef({3, 5, 0}));
  Tensor mv0 = mv(empty({3, 0}), empty({0}));
  EXPECT_TRUE(mv0.equal(zeros({3})));
}

TEST(Linalg, BmmAndBaddbmm) {
  Tensor a = randn_like_shape({5, 3, 4}), b = randn_like_shape({5, 4, 2});
  Tensor c = bmm(a, b);
  EXPECT_EQ(c.sizes(), IntArrayRef({5, 3, 2}));
  for (int64_t i = 0; i < 5; ++i) EXPECT_TRUE(c[i].to(kFloat64).allclose(naive_mm(a[i], b[i]), 1e-5, 1e-5));
  // Per-matrix transposed batches read in place.
  Tensor at = randn_like_shape({5, 4, 3}).transpose(1, 2);
  Tensor ct = bmm(at, b);
  for (int64_t i = 0; i < 5; ++i) EXPECT_TRUE(ct[i].to(kFloat64).allclose(naive_mm(at[i], b[i]), 1e-5, 1e-5));
  // Many small matrices run one GEMM per thread.
  Tensor sa = randn_like_shape({64, 4, 4}), sb = randn_like_shape({64, 4, 4});
  Tensor sc = bmm(sa, sb);
  for (int64_t i : {0, 31, 63}) EXPECT_TRUE(sc[i].to(kFloat64).allclose(naive_mm(sa[i], sb[i]), 1e-5, 1e-5));
  Tensor self = randn_like_shape({3, 2});
  Tensor r = baddbmm(self, a, b, 2, 0.5);
  for (int64_t i = 0; i < 5; ++i)
    EXPECT_TRUE(r[i].to(kFloat64).allclose(self.to(kFloat64) * 2 + naive_mm(a[i], b[i]) * 0.5, 1e-5, 1e-5));
  Tensor out = empty({1});
  bmm_out(out, a, b);
  EXPECT_TRUE(out.equal(c));
}

TEST(Linalg, MatmulCases) {
  Tensor v = tensor({1.0f, 2.0f, 3.0f});
  Tensor m = arange(6, kFloat32).view({2, 3});
  EXPECT_FLOAT_EQ(matmul(v, v).item<float>(), 14.0f);
  EXPECT_EQ(matmul(v, v).dim(), 0);
  Tensor mvr = matmul(m, v);  // [0 1 2; 3 4 5] @ [1 2 3] = [8, 26]
  EXPECT_EQ(mvr.sizes(), IntArrayRef({2}));
  EXPECT_FLOAT_EQ(mvr[1].item<float>(), 26.0f);
  Tensor vm = matmul(tensor({1.0f, -1.0f}), m);  // 1-D @ 2-D
  EXPECT_EQ(vm.sizes(), IntArrayRef({3}));
  EXPECT_FLOAT_EQ(vm[0].item<float>(), -3.0f);
  // N-D @ 2-D folds; N-D @ 1-D; 1-D @ N-D; 2-D @ N-D; broadcast batches.
  Tensor a4 = randn_like_shape({2, 3, 4, 5});
  EXPECT_EQ(matmul(a4, randn_like_shape({5, 6})).sizes(), IntArrayRef({2, 3, 4, 6}));
  EXPECT_EQ(matmul(a4, randn_like_shape({5})).sizes(), IntArrayRef({2, 3, 4}));
  EXPECT_EQ(matmul(randn_like_shape({4}), a4).sizes(), IntArrayRef({2, 3, 5}));
  EXPECT_EQ(matmul(randn_like_shape({7, 4}), a4).sizes(), IntArrayRef({2, 3, 7, 5}));
  Tensor bb = randn_like_shape({3, 5, 2});
  Tensor r = matmul(randn_like_shape({2, 1, 4, 5}), bb);
  EXPECT_EQ(r.sizes(), IntArrayRef({2, 3, 4, 2}));
  Tensor x = randn_like_shape({2, 1, 4, 5});
  Tensor rx = matmul(x, bb);
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 3; ++j)
      EXPECT_TRUE(rx[i][j].to(kFloat64).allclose(naive_mm(x[i][0], bb[j]), 1e-5, 1e-5));
  // 2-D @ 3-D returns a contiguous result.
  EXPECT_TRUE(matmul(randn_like_shape({4, 3}), randn_like_shape({2, 3, 5})).is_contiguous());
  Tensor out = empty({0});
  matmul_out(out, x, bb);
  EXPECT_TRUE(out.equal(rx));
}

TEST(Linalg, MvDotOuter) {
  Tensor m = arange(6, kFloat64).view({2, 3});
  Tensor v = tensor({1.0, 0.5, -1.0}).to(kFloat64);
  Tensor y = mv(m, v);
  EXPECT_DOUBLE_EQ(y[0].item<double>(), 0.5 - 2.0);
  EXPECT_DOUBLE_EQ(y[1].item<double>(), 3.0 + 2.0 - 5.0);
  Tensor yt = mv(m.t().contiguous().t(), v);
  EXPECT_TRUE(yt.equal(y));
  Tensor ya = addmv(tensor({1.0, 1.0}).to(kFloat64), m, v, 2, 3);
  EXPECT_DOUBLE_EQ(ya[0].item<double>(), 2.0 + 3.0 * -1.5);
  Tensor nanv = full({2}, std::numeric_limits<double>::quiet_NaN(), kFloat64);
  EXPECT_TRUE(addmv(nanv, m, v, 0, 1).isnan().logical_not().all().item<bool>());
  // Strided and expanded vectors.
  Tensor sv = tensor({1.0, 9.0, 0.5, 9.0, -1.0, 9.0}).to(kFloat64).slice(0, 0, 6, 2);
  EXPECT_TRUE(mv(m, sv).equal(y));
  EXPECT_DOUBLE_EQ(dot(sv, sv).item<double>(), 2.25);
  EXPECT_DOUBLE_EQ(dot(tensor({2.0}).to(kFloat64).expand({3}), v).item<double>(), 1.0);
  EXPECT_EQ(dot(tensor({1, 2, 3}), tensor({4, 5, 6})).item<int64_t>(), 32);
  Tensor o = outer(tensor({1, 2}), tensor({0.5f, 1.0f, 2.0f}));
  EXPECT_EQ(o.dtype(), kFloat32);
  EXPECT_EQ(o.sizes(), IntArrayRef({2, 3}));
  EXPECT_FLOAT_EQ(o[1][2].item<float>(), 4.0f);
  Tensor mo = empty({5}, kFloat64);
  mv_out(mo, m, v);
  EXPECT_TRUE(mo.equal(y));
}

TEST(Linalg, ErrorMessages) {
  Tensor a = zeros({2, 3}), b = zeros({4, 5}), d = zeros({3, 4}, kFloat64);
  EXPECT_EQ(error_of([&] { mm(a, b); }), "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)");
  EXPECT_EQ(error_of([&] { mm(zeros({3}), b); }), "self must be a matrix");
  EXPECT_EQ(error_of([&] { mm(a, zeros({3})); }), "mat2 must be a matrix");
  EXPECT_EQ(error_of([&] { mm(a, d); }), "expected scalar type Float but found Double");
  EXPECT_EQ(error_of([&] { mm(zeros({2, 3}, kBool), zeros({3, 4}, kBool)); }),
            "\"addmm_impl_cpu_\" not implemented for 'Bool'");
  EXPECT_EQ(error_of([&] { mm(zeros({2, 3}, kFloat16), zeros({3, 4}, kFloat16)); }),
            "\"addmm_impl_cpu_\" not implemented for 'Half'");
  EXPECT_EQ(error_of([&] { matmul(scalar_tensor(1.0), a); }),
            "both arguments to matmul need to be at least 1D, but they are 0D and 2D");
  EXPECT_EQ(error_of([&] { matmul(zeros({2, 2, 3}), zeros({3, 4, 5})); }),
            "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0");
  EXPECT_EQ(error_of([&] { matmul(zeros({2, 1, 2, 3}), zeros({3, 4, 5})); }),
            "Expected size for first two dimensions of batch2 tensor to be: [6, 3] but got: [6, 4].");
  EXPECT_EQ(error_of([&] { matmul(zeros({2, 3}), zeros({2, 4, 5})); }),
            "mat1 and mat2 shapes cannot be multiplied (10x4 and 3x2)");
  EXPECT_EQ(error_of([&] { matmul(zeros({4}), zeros({2, 2, 3})); }), "size mismatch, got 6, 6x2,4");
  EXPECT_EQ(error_of([&] { matmul(zeros({4}), zeros({2, 4, 5}, kFloat64)); }),
            "expected scalar type Double but found Float");
  EXPECT_EQ(error_of([&] { dot(a, a); }), "1D tensors expected, but got 2D and 2D tensors");
  EXPECT_EQ(error_of([&] { dot(zeros({3}), zeros({4})); }),
            "inconsistent tensor size, expected tensor [3] and src [4] to have the same number of elements, but "
            "got 3 and 4 elements respectively");
  EXPECT_EQ(error_of([&] { dot(zeros({3}), zeros({3}, kFloat64)); }),
            "dot : expected both vectors to have same dtype, but found Float and Double");
  EXPECT_EQ(error_of([&] { dot(zeros({3}, kBool), zeros({3}, kBool)); }), "\"dot\" not implemented for 'Bool'");
  EXPECT_EQ(error_of([&] { bmm(zeros({2, 2, 3}), zeros({3, 3, 5})); }),
            "Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [3, 3].");
  EXPECT_EQ(error_of([&] { bmm(a, zeros({2, 3, 5})); }), "batch1 must be a 3D tensor");
  EXPECT_EQ(error_of([&] { bmm(zeros({2, 2, 3}), zeros({2, 3, 5}, kFloat64)); }),
            "expected scalar type Float but found Double");
  EXPECT_EQ(error_of([&] { mv(zeros({3}), zeros({3})); }), "vector + matrix @ vector expected, got 1, 1, 1");
  EXPECT_EQ(error_of([&] { mv(a, zeros({4})); }), "size mismatch, got 2, 2x3,4");
  EXPECT_EQ(error_of([&] { addmv(zeros({3}), a, zeros({3})); }), "size mismatch, got 3, 2x3,3");
  EXPECT_EQ(error_of([&] { addmm(zeros({2, 5}), a, zeros({3, 5}, kFloat64)); }),
            "self and mat2 must have the same dtype");
  EXPECT_EQ(error_of([&] { addmm(zeros({2, 4}), zeros({2, 3}, kFloat64), zeros({3, 4})); }),
            "mat1 and mat2 must have the same dtype");
  EXPECT_EQ(error_of([&] { addmm(zeros({2, 5}), zeros({3}), zeros({3, 5})); }), "mat1 must be a matrix, got 1-D tensor");
  EXPECT_EQ(error_of([&] { addmm(zeros({3, 5}), a, zeros({3, 5})); }),
            "The expanded size of the tensor (2) must match the existing size (3) at non-singleton dimension 0.  "
            "Target sizes: [2, 5].  Tensor sizes: [3, 5]");
  EXPECT_EQ(error_of([&] { outer(a, zeros({3})); }), "outer: Expected 1-D argument self, but got 2-D");
  Tensor out = empty({2, 4}, kFloat64);
  EXPECT_EQ(error_of([&] { mm_out(out, a, zeros({3, 4})); }),
            "Expected out tensor to have dtype float, but got double instead");
  Tensor out_i = empty({2, 2, 4}, kInt32);
  EXPECT_EQ(error_of([&] { bmm_out(out_i, zeros({2, 2, 3}, kInt64), zeros({2, 3, 4}, kInt64)); }),
            "Expected out tensor to have dtype long int, but got int instead");
  Tensor bad_self = zeros({5});
  EXPECT_EQ(error_of([&] { addmm_(bad_self, a, zeros({3, 5})); }),
            "Bad in-place call: input tensor size [5] and output tensor size [2, 5] should match");
}
