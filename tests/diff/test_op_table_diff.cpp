// The op table's generated differential tests (core/op_list.h): every row's forward against
// LibTorch on float, integer and bool inputs in several layouts with NaN/inf, and every
// differentiable row's gradient and grad_fn name against LibTorch's autograd.
#include <functional>

#include "../cpp/op_table_specs.h"
#include "diff_util.h"

using diff::same;
using diff::twin;
using ember::test::binary_spec;
using ember::test::kBinaryOps;
using ember::test::kUnaryOps;
using ember::test::unary_spec;

namespace {

using EmberUnary = std::function<ember::Tensor(const ember::Tensor&)>;
using TorchUnary = std::function<torch::Tensor(const torch::Tensor&)>;
using TorchBinary = std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&)>;

// Each unary row's public function and LibTorch's: the same name, except for the CUSTOM
// rows whose front ends are written by hand.
struct UnaryTwin {
  EmberUnary e;
  TorchUnary t;
};
#define TWIN_GENERATED(name) \
  {[](const ember::Tensor& x) { return ember::name(x); }, [](const torch::Tensor& x) { return torch::name(x); }}
#define TWIN_METHODS(name) TWIN_GENERATED(name)
#define TWIN_METHOD(name) TWIN_GENERATED(name)
#define TWIN_FUNCTIONS(name) TWIN_GENERATED(name)
#define TWIN_CUSTOM(name) custom_twin_##name()
UnaryTwin custom_twin_gelu() {
  return {[](const ember::Tensor& x) { return ember::gelu(x); }, [](const torch::Tensor& x) { return torch::gelu(x); }};
}
UnaryTwin custom_twin_gelu_tanh() {
  return {[](const ember::Tensor& x) { return ember::gelu(x, "tanh"); },
          [](const torch::Tensor& x) { return torch::gelu(x, "tanh"); }};
}
UnaryTwin unary_twin(ember::UnaryOp op) {
  switch (op) {
#define EMBER_X(name, methods, ...) case ember::UnaryOp::name: return TWIN_##methods(name);
    EMBER_UNARY_OPS(EMBER_X)
#undef EMBER_X
  }
  return {};
}

// LibTorch's twin of each binary row (ember's side is binary_op).
TorchBinary torch_binary(ember::BinaryOp op) {
  using B = ember::BinaryOp;
  using T = const torch::Tensor&;
  switch (op) {
    case B::add: return [](T a, T b) { return torch::add(a, b); };
    case B::sub: return [](T a, T b) { return torch::sub(a, b); };
    case B::mul: return [](T a, T b) { return torch::mul(a, b); };
    case B::div: return [](T a, T b) { return torch::div(a, b); };
    case B::div_trunc: return [](T a, T b) { return torch::div(a, b, "trunc"); };
    case B::div_floor: return [](T a, T b) { return torch::div(a, b, "floor"); };
    case B::pow: return [](T a, T b) { return torch::pow(a, b); };
    case B::remainder: return [](T a, T b) { return torch::remainder(a, b); };
    case B::fmod: return [](T a, T b) { return torch::fmod(a, b); };
    case B::maximum: return [](T a, T b) { return torch::maximum(a, b); };
    case B::minimum: return [](T a, T b) { return torch::minimum(a, b); };
    case B::atan2: return [](T a, T b) { return torch::atan2(a, b); };
    case B::bitwise_and: return [](T a, T b) { return torch::bitwise_and(a, b); };
    case B::bitwise_or: return [](T a, T b) { return torch::bitwise_or(a, b); };
    case B::bitwise_xor: return [](T a, T b) { return torch::bitwise_xor(a, b); };
    case B::eq: return [](T a, T b) { return torch::eq(a, b); };
    case B::ne: return [](T a, T b) { return torch::ne(a, b); };
    case B::lt: return [](T a, T b) { return torch::lt(a, b); };
    case B::le: return [](T a, T b) { return torch::le(a, b); };
    case B::gt: return [](T a, T b) { return torch::gt(a, b); };
    case B::ge: return [](T a, T b) { return torch::ge(a, b); };
    case B::logical_and: return [](T a, T b) { return torch::logical_and(a, b); };
    case B::logical_or: return [](T a, T b) { return torch::logical_or(a, b); };
    case B::logical_xor: return [](T a, T b) { return torch::logical_xor(a, b); };
  }
  ADD_FAILURE() << "no LibTorch twin for " << ember::op_name(op);
  return {};
}

std::vector<torch::Tensor> layouts(c10::ScalarType dt, int seed) {
  return {diff::random_tensor({4, 5}, dt, seed),
          diff::random_tensor({5, 4}, dt, seed + 1).t(),
          diff::random_tensor({8, 10}, dt, seed + 2).slice(0, 0, 8, 2).slice(1, 1, 10, 2),
          diff::random_tensor({1, 5}, dt, seed + 3).expand({4, 5}),
          diff::random_tensor({}, dt, seed + 4),
          diff::random_tensor({0, 5}, dt, seed + 5)};
}

torch::Tensor with_specials(torch::Tensor t) {
  if (!t.is_floating_point() || t.numel() < 3) return t;
  t = t.clone();
  auto flat = t.as_strided({3}, {1}, t.storage_offset());
  flat[0] = std::numeric_limits<double>::quiet_NaN();
  flat[1] = std::numeric_limits<double>::infinity();
  flat[2] = -std::numeric_limits<double>::infinity();
  return t;
}

// A float64 input in [lo, hi], shaped [3, 4].
torch::Tensor in_range(double lo, double hi, int seed) {
  torch::manual_seed(seed);
  return torch::rand({3, 4}, torch::kFloat64) * (hi - lo) + lo;
}

// LibTorch's C++ grad_fn names carry a namespace ("torch::autograd::generated::ExpBackward0").
std::string short_name(const std::string& n) {
  auto p = n.rfind("::");
  return p == std::string::npos ? n : n.substr(p + 2);
}

}  // namespace

TEST(OpTableDiff, EveryUnaryRowForward) {
  for (ember::UnaryOp op : kUnaryOps) {
    const UnaryTwin f = unary_twin(op);
    for (auto dt : {torch::kFloat32, torch::kFloat64, torch::kInt64, torch::kBool}) {
      for (auto& t0 : layouts(dt, 1)) {
        auto p = twin(with_specials(t0));
        torch::Tensor expect;
        try {
          expect = f.t(p.t);
        } catch (const c10::Error&) {
          EXPECT_ANY_THROW(f.e(p.e)) << ember::op_name(op) << " " << dt << ": LibTorch refuses, ember must too";
          continue;
        }
        const double tol = unary_spec(op).tol;
        EXPECT_TRUE(same(f.e(p.e), expect, tol, tol)) << ember::op_name(op) << " " << t0.sizes() << " " << dt;
      }
    }
  }
}

TEST(OpTableDiff, EveryDifferentiableUnaryRowGradient) {
  for (ember::UnaryOp op : kUnaryOps) {
    if (!ember::is_differentiable(op)) continue;
    const UnaryTwin f = unary_twin(op);
    const auto spec = unary_spec(op);
    torch::Tensor x = in_range(spec.lo, spec.hi, 5).requires_grad_(true);
    torch::Tensor w = in_range(-1, 1, 6);
    ember::Tensor ex = diff::from_torch(x.detach()).requires_grad_(true), ew = diff::from_torch(w);
    torch::Tensor y = f.t(x);
    ember::Tensor ey = f.e(ex);
    ASSERT_TRUE(ey.grad_fn()) << ember::op_name(op);
    EXPECT_EQ(ey.grad_fn()->name(), short_name(y.grad_fn()->name())) << ember::op_name(op);
    y.backward(w);
    ey.backward(ew);
    EXPECT_TRUE(same(ex.grad(), x.grad(), 1e-10, 1e-10)) << ember::op_name(op);
  }
}

TEST(OpTableDiff, EveryBinaryRowForward) {
  for (ember::BinaryOp op : kBinaryOps) {
    const TorchBinary tf = torch_binary(op);
    for (auto dt : {torch::kFloat32, torch::kFloat64, torch::kInt64, torch::kInt32, torch::kBool}) {
      auto as = layouts(dt, 10), bs = layouts(dt, 20);
      for (size_t i = 0; i < as.size(); ++i) {
        auto a = twin(with_specials(as[i]));
        auto b = twin(bs[(i + 1) % bs.size()]);
        torch::Tensor expect;
        try {
          expect = tf(a.t, b.t);
        } catch (const c10::Error&) {
          EXPECT_ANY_THROW(ember::binary_op(op, a.e, b.e)) << ember::op_name(op) << " " << dt << " case " << i;
          continue;
        }
        const double tol = binary_spec(op).tol;
        EXPECT_TRUE(same(ember::binary_op(op, a.e, b.e), expect, tol, tol))
            << ember::op_name(op) << " " << dt << " case " << i;
      }
    }
  }
}

TEST(OpTableDiff, EveryDifferentiableBinaryRowGradient) {
  for (ember::BinaryOp op : kBinaryOps) {
    if (!ember::is_differentiable(op)) continue;
    const TorchBinary tf = torch_binary(op);
    const auto spec = binary_spec(op);
    torch::Tensor a = in_range(spec.a_lo, spec.a_hi, 7).requires_grad_(true);
    torch::Tensor b = in_range(spec.b_lo, spec.b_hi, 8).slice(0, 0, 1).requires_grad_(true);  // broadcasts
    torch::Tensor w = in_range(-1, 1, 9);
    ember::Tensor ea = diff::from_torch(a.detach()).requires_grad_(true);
    ember::Tensor eb = diff::from_torch(b.detach()).requires_grad_(true);
    torch::Tensor y = tf(a, b);
    ember::Tensor ey = ember::binary_op(op, ea, eb);
    ASSERT_TRUE(ey.grad_fn()) << ember::op_name(op);
    EXPECT_EQ(ey.grad_fn()->name(), short_name(y.grad_fn()->name())) << ember::op_name(op);
    y.backward(w);
    ey.backward(diff::from_torch(w));
    EXPECT_TRUE(same(ea.grad(), a.grad(), 1e-10, 1e-10)) << ember::op_name(op) << " grad of a";
    EXPECT_TRUE(same(eb.grad(), b.grad(), 1e-10, 1e-10)) << ember::op_name(op) << " grad of b";
  }
}

// ---- The activation table (Note [Activation table]) ---------------------------------------
namespace {
struct ActivationTwin {
  ember::ActivationOp op;
  std::function<ember::Tensor(const ember::Tensor&)> e;
  std::function<torch::Tensor(const torch::Tensor&)> t;
};
// LibTorch's namespace functions take the same positional parameters as ember's rows.
#define EMBER_X(name, forms, front, kernel, node, params, kernel_params, sample)                      \
  ActivationTwin{ember::ActivationOp::name,                                                            \
                 [](const ember::Tensor& x) { return ember::name(x EMBER_UNPAREN sample); },           \
                 [](const torch::Tensor& x) { return torch::name(x EMBER_UNPAREN sample); }},
const ActivationTwin kActivationTwins[] = {EMBER_ACTIVATION_OPS(EMBER_X)};
#undef EMBER_X
}  // namespace

TEST(OpTableDiff, EveryActivationRowForward) {
  for (const ActivationTwin& f : kActivationTwins) {
    for (auto dt : {torch::kFloat32, torch::kFloat64, torch::kBFloat16}) {
      for (auto& t0 : layouts(dt, 3)) {
        auto p = twin(with_specials(t0 * 4));
        torch::Tensor expect;
        try {
          expect = f.t(p.t);
        } catch (const c10::Error&) {
          EXPECT_ANY_THROW(f.e(p.e)) << ember::op_name(f.op) << " " << dt << ": LibTorch refuses, ember must too";
          continue;
        }
        const double tol = dt == torch::kBFloat16 ? 1e-2 : dt == torch::kFloat32 ? 1e-5 : 1e-12;
        EXPECT_TRUE(same(f.e(p.e), expect, tol, tol)) << ember::op_name(f.op) << " " << t0.sizes() << " " << dt;
      }
    }
  }
}

TEST(OpTableDiff, EveryActivationRowGradient) {
  for (const ActivationTwin& f : kActivationTwins) {
    torch::Tensor x = in_range(-4, 4, 11).requires_grad_(true);
    torch::Tensor w = in_range(-1, 1, 12);
    ember::Tensor ex = diff::from_torch(x.detach()).requires_grad_(true);
    torch::Tensor y = f.t(x);
    ember::Tensor ey = f.e(ex);
    ASSERT_TRUE(ey.grad_fn()) << ember::op_name(f.op);
    EXPECT_EQ(ey.grad_fn()->name(), short_name(y.grad_fn()->name())) << ember::op_name(f.op);
    y.backward(w);
    ey.backward(diff::from_torch(w));
    EXPECT_TRUE(same(ex.grad(), x.grad(), 1e-10, 1e-10)) << ember::op_name(f.op);
  }
}

// ---- The reduction table (Note [Reduction table]) ---------------------------------------------
namespace {
std::vector<ember::Tensor> results(const ember::Tensor& t) { return {t}; }
std::vector<ember::Tensor> results(const std::tuple<ember::Tensor, ember::Tensor>& t) {
  return {std::get<0>(t), std::get<1>(t)};
}
std::vector<torch::Tensor> results(const torch::Tensor& t) { return {t}; }
std::vector<torch::Tensor> results(const std::tuple<torch::Tensor, torch::Tensor>& t) {
  return {std::get<0>(t), std::get<1>(t)};
}
struct ReductionTwin {
  ember::ReductionOp op;
  bool dim_form;
  std::function<std::vector<ember::Tensor>(const ember::Tensor&)> e;
  std::function<std::vector<torch::Tensor>(const torch::Tensor&)> t;
};
// The same argument text calls ember::name and torch::name (the rows' samples).
#define EMBER_X(name, sig, rule, out, node, dim_node, all_args, dim_args)                                   \
  ReductionTwin{ember::ReductionOp::name, false,                                                            \
                [](const ember::Tensor& x) { return results(ember::name(x EMBER_COMMA_ARGS all_args)); },   \
                [](const torch::Tensor& x) { return results(torch::name(x EMBER_COMMA_ARGS all_args)); }},  \
      ReductionTwin{ember::ReductionOp::name, true,                                                         \
                    [](const ember::Tensor& x) { return results(ember::name(x EMBER_COMMA_ARGS dim_args)); }, \
                    [](const torch::Tensor& x) { return results(torch::name(x EMBER_COMMA_ARGS dim_args)); }},
const ReductionTwin kReductionTwins[] = {EMBER_REDUCTION_OPS(EMBER_X)};
#undef EMBER_X

std::string label(const ReductionTwin& f) {
  return std::string(ember::op_name(f.op)) + (f.dim_form ? " (dim form)" : " (all dims)");
}
}  // namespace

TEST(OpTableDiff, EveryReductionRowForward) {
  ASSERT_EQ(static_cast<int>(std::size(kReductionTwins)), 2 * ember::kNumReductionOps);
  for (const ReductionTwin& f : kReductionTwins) {
    const double tol32 = ember::test::reduction_spec(f.op).tol;
    for (auto dt : {torch::kFloat32, torch::kFloat64, torch::kInt64, torch::kBool}) {
      for (auto& t0 : layouts(dt, 30)) {
        auto p = twin(with_specials(t0));
        std::vector<torch::Tensor> expect;
        try {
          expect = f.t(p.t);
        } catch (const c10::Error&) {
          EXPECT_ANY_THROW(f.e(p.e)) << label(f) << " " << dt << " " << t0.sizes() << ": LibTorch refuses, ember must too";
          continue;
        }
        std::vector<ember::Tensor> got;
        try {
          got = f.e(p.e);
        } catch (const std::exception& e) {
          ADD_FAILURE() << label(f) << " " << dt << " " << t0.sizes() << ": ember throws " << e.what();
          continue;
        }
        ASSERT_EQ(got.size(), expect.size()) << label(f);
        for (size_t i = 0; i < got.size(); ++i) {
          // By the result's dtype: integer and bool inputs of logsumexp give float32.
          const double tol = expect[i].scalar_type() == torch::kFloat32 ? tol32 : 1e-12;
          EXPECT_TRUE(same(got[i], expect[i], tol, tol)) << label(f) << " result " << i << " " << dt << " " << t0.sizes();
        }
      }
    }
  }
}

TEST(OpTableDiff, EveryDifferentiableReductionRowGradient) {
  int checked = 0;
  for (const ReductionTwin& f : kReductionTwins) {
    const std::string node = ember::backward_node_name(f.op, f.dim_form);
    if (node.empty()) continue;
    const auto spec = ember::test::reduction_spec(f.op);
    torch::Tensor x = in_range(spec.lo, spec.hi, 31).requires_grad_(true);
    ember::Tensor ex = diff::from_torch(x.detach()).requires_grad_(true);
    torch::Tensor y = f.t(x)[0];
    ember::Tensor ey = f.e(ex)[0];
    ASSERT_TRUE(ey.grad_fn()) << label(f);
    EXPECT_EQ(ey.grad_fn()->name(), short_name(y.grad_fn()->name())) << label(f);
    EXPECT_EQ(node, short_name(y.grad_fn()->name())) << label(f) << ": the row names another node than LibTorch";
    torch::manual_seed(32);
    torch::Tensor w = torch::rand(y.sizes(), torch::kFloat64) * 2 - 1;
    y.backward(w);
    ey.backward(diff::from_torch(w));
    EXPECT_TRUE(same(ex.grad(), x.grad(), 1e-10, 1e-10)) << label(f);
    ++checked;
  }
  EXPECT_EQ(checked, 26);
}
