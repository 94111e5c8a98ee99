// Elementwise ops against LibTorch: every op on contiguous, transposed, strided-slice,
// broadcast, 0-dim and empty inputs, float and integer dtypes, NaN/inf included.
#include "diff_util.h"

using diff::same;
using diff::twin;

namespace {

// Input layouts: each returns a torch tensor of logical shape [4, 5] (or a special shape).
std::vector<torch::Tensor> layouts(c10::ScalarType dt, int seed) {
  std::vector<torch::Tensor> out;
  out.push_back(diff::random_tensor({4, 5}, dt, seed));                                      // contiguous
  out.push_back(diff::random_tensor({5, 4}, dt, seed + 1).t());                              // transposed
  out.push_back(diff::random_tensor({8, 10}, dt, seed + 2).slice(0, 0, 8, 2).slice(1, 1, 10, 2));  // stepped
  out.push_back(diff::random_tensor({1, 5}, dt, seed + 3).expand({4, 5}));                  // broadcast view
  out.push_back(diff::random_tensor({}, dt, seed + 4));                                      // 0-dim
  out.push_back(diff::random_tensor({0, 5}, dt, seed + 5));                                  // empty
  return out;
}

torch::Tensor with_specials(torch::Tensor t) {
  if (!t.is_floating_point() || t.numel() < 3) return t;
  t = t.clone();  // keeps dense non-contiguous layouts; its first 3 storage slots are elements
  auto flat = t.as_strided({3}, {1}, t.storage_offset());
  flat[0] = std::numeric_limits<double>::quiet_NaN();
  flat[1] = std::numeric_limits<double>::infinity();
  flat[2] = -std::numeric_limits<double>::infinity();
  return t;
}

}  // namespace

#define UNARY_CASE(name, tol)                                                   \
  TEST(DiffUnary, name) {                                                       \
    for (auto dt : {torch::kFloat32, torch::kFloat64, torch::kInt64}) {         \
      for (auto& t0 : layouts(dt, 1)) {                                         \
        auto t = with_specials(t0);                                             \
        auto p = twin(t);                                                       \
        EXPECT_TRUE(same(ember::name(p.e), torch::name(p.t), tol, tol)) << #name << " " << t.sizes() << " " << dt; \
      }                                                                         \
    }                                                                           \
  }
UNARY_CASE(abs, 1e-6)
UNARY_CASE(neg, 1e-6)
UNARY_CASE(sign, 1e-6)
UNARY_CASE(exp, 1e-5)
UNARY_CASE(expm1, 1e-5)
UNARY_CASE(log, 1e-5)
UNARY_CASE(log1p, 1e-5)
UNARY_CASE(log2, 1e-5)
UNARY_CASE(sqrt, 1e-5)
UNARY_CASE(rsqrt, 1e-5)
UNARY_CASE(sin, 1e-5)
UNARY_CASE(cos, 1e-5)
UNARY_CASE(tan, 1e-4)
UNARY_CASE(tanh, 1e-5)
UNARY_CASE(sigmoid, 1e-5)
UNARY_CASE(erf, 1e-5)
UNARY_CASE(floor, 1e-6)
UNARY_CASE(ceil, 1e-6)
UNARY_CASE(round, 1e-6)
UNARY_CASE(trunc, 1e-6)
UNARY_CASE(reciprocal, 1e-5)
UNARY_CASE(isnan, 0)
UNARY_CASE(isinf, 0)
UNARY_CASE(isfinite, 0)
UNARY_CASE(logical_not, 0)
UNARY_CASE(relu, 0)

TEST(DiffUnary, Gelu) {
  for (auto dt : {torch::kFloat32, torch::kFloat64})
    for (auto& t : layouts(dt, 3)) {
      auto p = twin(t);
      EXPECT_TRUE(same(ember::gelu(p.e), torch::gelu(p.t), 1e-5, 1e-6));
      EXPECT_TRUE(same(ember::gelu(p.e, "tanh"), torch::gelu(p.t, "tanh"), 1e-5, 1e-6));
    }
}

TEST(DiffUnary, LargeDenseVectorPaths) {
  // Long enough for the SIMD paths with a ragged tail.
  auto t = diff::random_tensor({100003}, torch::kFloat32, 9);
  auto p = twin(t);
  EXPECT_TRUE(same(ember::exp(p.e), torch::exp(p.t), 1e-6, 1e-6));
  EXPECT_TRUE(same(ember::tanh(p.e), torch::tanh(p.t), 1e-6, 1e-6));
  EXPECT_TRUE(same(ember::sigmoid(p.e), torch::sigmoid(p.t), 1e-6, 1e-6));
  EXPECT_TRUE(same(ember::log(ember::abs(p.e)), torch::log(torch::abs(p.t)), 1e-6, 1e-6));
}

#define BINARY_CASE(name, tol)                                                               \
  TEST(DiffBinary, name) {                                                                   \
    for (auto dt : {torch::kFloat32, torch::kFloat64, torch::kInt64, torch::kInt32}) {       \
      auto as = layouts(dt, 10);                                                             \
      auto bs = layouts(dt, 20);                                                             \
      for (size_t i = 0; i < as.size(); ++i) {                                               \
        auto a = twin(with_specials(as[i]));                                                 \
        auto b = twin(bs[(i + 1) % bs.size()]);                                              \
        bool ok = true;                                                                      \
        torch::Tensor expect;                                                                \
        try { expect = torch::name(a.t, b.t); } catch (const c10::Error&) { ok = false; }    \
        if (!ok) { EXPECT_ANY_THROW(ember::name(a.e, b.e)); continue; }                      \
        EXPECT_TRUE(same(ember::name(a.e, b.e), expect, tol, tol)) << #name << " " << dt << " case " << i; \
      }                                                                                      \
    }                                                                                        \
  }
BINARY_CASE(add, 1e-6)
BINARY_CASE(sub, 1e-6)
BINARY_CASE(mul, 1e-6)
BINARY_CASE(maximum, 0)
BINARY_CASE(minimum, 0)
BINARY_CASE(eq, 0)
BINARY_CASE(ne, 0)
BINARY_CASE(lt, 0)
BINARY_CASE(le, 0)
BINARY_CASE(gt, 0)
BINARY_CASE(ge, 0)
BINARY_CASE(logical_and, 0)
BINARY_CASE(logical_xor, 0)
BINARY_CASE(atan2, 1e-5)

TEST(DiffBinary, DivisionModes) {
  for (auto dt : {torch::kFloat32, torch::kFloat64, torch::kInt64}) {
    auto a = twin(diff::random_tensor({6, 7}, dt, 1));
    auto bt = diff::random_tensor({6, 7}, dt, 2);
    bt = torch::where(bt == 0, torch::ones_like(bt), bt);  // integer division by zero raises
    auto b = twin(bt);
    EXPECT_TRUE(same(ember::div(a.e, b.e), torch::div(a.t, b.t)));
    EXPECT_TRUE(same(ember::div(a.e, b.e, "trunc"), torch::div(a.t, b.t, "trunc")));
    EXPECT_TRUE(same(ember::div(a.e, b.e, "floor"), torch::div(a.t, b.t, "floor")));
    EXPECT_TRUE(same(ember::remainder(a.e, b.e), torch::remainder(a.t, b.t)));
    EXPECT_TRUE(same(ember::fmod(a.e, b.e), torch::fmod(a.t, b.t)));
  }
}

TEST(DiffBinary, PowAndAlpha) {
  auto a = twin(diff::random_tensor({3, 4}, torch::kFloat64, 3).abs());
  auto b = twin(diff::random_tensor({4}, torch::kFloat64, 4));
  EXPECT_TRUE(same(ember::pow(a.e, b.e), torch::pow(a.t, b.t)));
  EXPECT_TRUE(same(ember::pow(a.e, 2), torch::pow(a.t, 2)));
  EXPECT_TRUE(same(ember::pow(2.5, b.e), torch::pow(2.5, b.t)));
  EXPECT_TRUE(same(ember::add(a.e, b.e, 2.5), torch::add(a.t, b.t, 2.5)));
  EXPECT_TRUE(same(ember::sub(a.e, b.e, -3), torch::sub(a.t, b.t, -3)));
  auto i = twin(torch::arange(-5, 5).view({2, 5}));
  auto e = twin(torch::arange(0, 5));
  EXPECT_TRUE(same(ember::pow(i.e, e.e), torch::pow(i.t, e.t)));
}

TEST(DiffPromotion, AllDtypePairs) {
  std::vector<c10::ScalarType> dts = {torch::kBool, torch::kUInt8, torch::kInt8, torch::kInt16, torch::kInt32,
                                      torch::kInt64, torch::kFloat16, torch::kBFloat16, torch::kFloat32,
                                      torch::kFloat64};
  for (auto da : dts)
    for (auto db : dts) {
      auto a = twin(diff::random_tensor({3}, da, 1));
      auto b = twin(diff::random_tensor({3}, db, 2));
      EXPECT_EQ(diff::to_torch(ember::result_type(a.e, b.e)), torch::result_type(a.t, b.t)) << da << " " << db;
      auto b0 = twin(diff::random_tensor({}, db, 2));
      EXPECT_EQ(diff::to_torch(ember::result_type(a.e, b0.e)), torch::result_type(a.t, b0.t)) << da << " 0-dim " << db;
      if (da != torch::kBool || db != torch::kBool) {
        EXPECT_TRUE(same(ember::mul(a.e, b.e), torch::mul(a.t, b.t), 1e-2, 1e-2)) << da << " " << db;
      }
    }
  for (auto da : dts) {
    auto a = twin(diff::random_tensor({3}, da, 1));
    EXPECT_EQ(diff::to_torch(ember::result_type(a.e, ember::Scalar(2.5))), torch::result_type(a.t, 2.5)) << da;
    EXPECT_EQ(diff::to_torch(ember::result_type(a.e, ember::Scalar(int64_t(2)))), torch::result_type(a.t, 2)) << da;
    EXPECT_EQ(diff::to_torch(ember::result_type(a.e, ember::Scalar(true))), torch::result_type(a.t, true)) << da;
  }
}

TEST(DiffInplace, CastRules) {
  auto i = twin(torch::arange(6).view({2, 3}));
  EXPECT_THROW(i.e.add_(1.5), ember::Error);  // Float can't be cast to Long
  auto f = twin(diff::random_tensor({2, 3}, torch::kFloat32, 1));
  auto g = twin(diff::random_tensor({3}, torch::kFloat64, 2));
  f.e.add_(g.e);
  f.t.add_(g.t);
  EXPECT_TRUE(same(f.e, f.t));
  // Broadcasting may not grow the in-place target.
  EXPECT_THROW(g.e.add_(f.e), ember::Error);
}
