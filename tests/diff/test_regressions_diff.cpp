// Regressions found by the randomized differential fuzzer (tests/fuzz/): each case is a
// minimal program on which ember once disagreed with LibTorch 1.13.1, in values, gradients,
// requires_grad or throw/no-throw. Both libraries run it on the same inputs here.
#include <cmath>
#include <functional>
#include <limits>

#include "diff_util.h"

using diff::same;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

using EFn = std::function<ember::Tensor(std::vector<ember::Tensor>&)>;
using TFn = std::function<torch::Tensor(std::vector<torch::Tensor>&)>;

// An undefined gradient stands for zeros (LibTorch returns undefined where the math is 0).
::testing::AssertionResult same_grad(const ember::Tensor& e, const torch::Tensor& t) {
  if (!e.defined() && !t.defined()) return ::testing::AssertionSuccess();
  if (!e.defined()) {
    if (t.count_nonzero().item<int64_t>() == 0) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "ember gradient undefined, torch " << t;
  }
  if (!t.defined()) {
    if (ember::count_nonzero(e, {}).item<int64_t>() == 0) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "torch gradient undefined, ember " << e;
  }
  return same(e, t, 1e-6, 1e-7);
}

// Runs the same program in both libraries: inputs are given in torch (the ember twins share
// their geometry); `grad_inputs` require grad; the result's requires_grad must agree, and
// when it requires grad, backward with `upstream` (ones by default) must give the same
// input gradients.
void check(const char* name, const std::vector<torch::Tensor>& inputs, std::vector<size_t> grad_inputs, EFn fe,
           TFn ft, torch::Tensor upstream = {}) {
  SCOPED_TRACE(name);
  std::vector<torch::Tensor> tin;
  std::vector<ember::Tensor> ein;
  for (size_t i = 0; i < inputs.size(); ++i) {
    diff::Pair p = diff::twin(inputs[i].clone());
    bool g = std::find(grad_inputs.begin(), grad_inputs.end(), i) != grad_inputs.end();
    tin.push_back(g ? p.t.detach().requires_grad_(true) : p.t);
    ein.push_back(g ? p.e.detach().requires_grad_(true) : p.e);
  }
  torch::Tensor to = ft(tin);
  ember::Tensor eo = fe(ein);
  ASSERT_TRUE(same(eo, to.detach(), 1e-6, 1e-7)) << "forward";
  ASSERT_EQ(eo.requires_grad(), to.requires_grad()) << "requires_grad";
  if (!to.requires_grad()) return;
  torch::Tensor g = upstream.defined() ? upstream : torch::ones_like(to);
  to.backward(g);
  eo.backward(diff::from_torch(g));
  for (size_t i : grad_inputs) EXPECT_TRUE(same_grad(ein[i].grad(), tin[i].grad())) << "grad of input " << i;
}

torch::Tensor t1(std::vector<double> v) { return torch::tensor(v, torch::kFloat64); }

// The message of the exception f throws, or "" when it does not throw.
template <class F>
std::string thrown(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}
// Both libraries throw, or neither does.
#define EXPECT_SAME_THROW(ember_expr, torch_expr)                                       \
  do {                                                                                 \
    std::string et = thrown([&] { (void)(ember_expr); });                               \
    std::string tt = thrown([&] { (void)(torch_expr); });                               \
    EXPECT_EQ(et.empty(), tt.empty()) << "ember: " << et << "\ntorch: " << tt;          \
  } while (0)

}  // namespace

TEST(FuzzRegressions, ClampKeepsInfinitiesAndNaNBounds) {
  torch::Tensor x = t1({kInf, 1, -kInf, kNaN, 2.5});
  check("clamp(min)", {x}, {0}, [](auto& v) { return v[0].clamp(2.5); }, [](auto& v) { return v[0].clamp(2.5); });
  check("clamp(max)", {x}, {0}, [](auto& v) { return v[0].clamp(std::nullopt, 2.5); },
        [](auto& v) { return v[0].clamp(c10::nullopt, 2.5); });
  check("clamp(nan)", {x}, {0}, [](auto& v) { return v[0].clamp(kNaN); }, [](auto& v) { return v[0].clamp(kNaN); });
  check("clamp(max=nan)", {x}, {0}, [](auto& v) { return v[0].clamp(std::nullopt, kNaN); },
        [](auto& v) { return v[0].clamp(c10::nullopt, kNaN); });
  check("clamp(nan, 1)", {x}, {0}, [](auto& v) { return v[0].clamp(kNaN, 1.0); },
        [](auto& v) { return v[0].clamp(kNaN, 1.0); });
  // clamp_max(NaN) is NaN everywhere in PyTorch, unlike clamp(max=NaN).
  check("clamp_max(nan)", {x}, {0}, [](auto& v) { return v[0].clamp_max(kNaN); },
        [](auto& v) { return v[0].clamp_max(kNaN); });
  check("clamp_min(nan)", {x}, {0}, [](auto& v) { return v[0].clamp_min(kNaN); },
        [](auto& v) { return v[0].clamp_min(kNaN); });
  check("clamp float32", {x.to(torch::kFloat32)}, {}, [](auto& v) { return v[0].clamp(-1.0); },
        [](auto& v) { return v[0].clamp(-1.0); });
  // An infinite upstream gradient stays out of the clamped positions (0, not NaN).
  check("clamp inf grad", {t1({-3, 0.5, 4})}, {0}, [](auto& v) { return v[0].clamp(-1.0, 1.0); },
        [](auto& v) { return v[0].clamp(-1.0, 1.0); }, t1({kInf, 1, -kInf}));
}

TEST(FuzzRegressions, MaskedFillTensorValueIsDifferentiable) {
  torch::Tensor x = t1({1, 2, 3, 4});
  torch::Tensor mask = torch::tensor({true, false, true, false});
  torch::Tensor value = torch::tensor(7.0, torch::kFloat64);
  check("masked_fill(value)", {x, mask, value}, {0, 2},
        [](auto& v) { return v[0].masked_fill(v[1], v[2]); }, [](auto& v) { return v[0].masked_fill(v[1], v[2]); });
  check("masked_fill(value only)", {x, mask, value}, {2},
        [](auto& v) { return v[0].masked_fill(v[1], v[2]); }, [](auto& v) { return v[0].masked_fill(v[1], v[2]); });
  check("masked_fill_(value)", {x, mask, value}, {0, 2},
        [](auto& v) { return (v[0] * 1).masked_fill_(v[1], v[2]); },
        [](auto& v) { return (v[0] * 1).masked_fill_(v[1], v[2]); });
}

TEST(FuzzRegressions, ZeroDimReductionsOverDimZero) {
  torch::Tensor x = torch::tensor(3.0, torch::kFloat64);
  check("mean({0}, keepdim)", {x}, {0}, [](auto& v) { return v[0].mean({0}, true); },
        [](auto& v) { return v[0].mean({0}, true); });
  check("sum({0})", {x}, {0}, [](auto& v) { return v[0].sum(std::vector<int64_t>{0}); }, [](auto& v) { return v[0].sum(std::vector<int64_t>{0}); });
  check("sum({-1})", {x}, {0}, [](auto& v) { return v[0].sum(std::vector<int64_t>{-1}, true); }, [](auto& v) { return v[0].sum(std::vector<int64_t>{-1}, true); });
  check("var({0})", {x}, {0}, [](auto& v) { return v[0].var(ember::IntArrayRef{0}, 0); },
        [](auto& v) { return torch::var(v[0], torch::IntArrayRef{0}, c10::optional<int64_t>(0)); });
  check("amax({0})", {x}, {0}, [](auto& v) { return v[0].amax({0}); }, [](auto& v) { return v[0].amax({0}); });
  check("norm({0})", {x}, {0}, [](auto& v) { return v[0].norm(2, {0}); }, [](auto& v) { return v[0].norm(2, {0}); });
  check("logsumexp({0})", {x}, {0}, [](auto& v) { return v[0].logsumexp({0}); },
        [](auto& v) { return v[0].logsumexp({0}); });
}

TEST(FuzzRegressions, NormBackwardAtZeroAndSmallP) {
  torch::Tensor x = t1({0, 1, -2, 0});
  for (double p : {0.0, 0.5, 1.0, 2.0, 3.0, kInf}) {
    check("norm(p)", {x}, {0}, [p](auto& v) { return v[0].norm(p); }, [p](auto& v) { return v[0].norm(p); });
  }
  check("norm(0.5) of zeros", {t1({0, 0})}, {0}, [](auto& v) { return v[0].norm(0.5); },
        [](auto& v) { return v[0].norm(0.5); });
  // A literal 0 is the number 0, not a null string.
  ember::Tensor e = ember::tensor({0.0, 1.0, -2.0});
  EXPECT_EQ(e.norm(0).item<double>(), 2.0);
  EXPECT_EQ(ember::norm(e, 0).item<double>(), 2.0);
  EXPECT_EQ(e.norm(0, {0}).item<double>(), 2.0);
}

TEST(FuzzRegressions, StdAndVarBackwardEdgeCases) {
  check("std of a constant", {t1({2, 2, 2})}, {0}, [](auto& v) { return v[0].std(); },
        [](auto& v) { return v[0].std(); });
  check("std of a constant over a dim", {t1({2, 2, 2, 1, 5, 3}).view({2, 3})}, {0},
        [](auto& v) { return v[0].std(ember::IntArrayRef{1}); }, [](auto& v) { return v[0].std(torch::IntArrayRef{1}); });
  check("var correction > count", {t1({1, 2, 4})}, {0}, [](auto& v) { return v[0].var(ember::IntArrayRef{0}, 5); },
        [](auto& v) { return torch::var(v[0], torch::IntArrayRef{0}, c10::optional<int64_t>(5)); });
}

TEST(FuzzRegressions, EmptyResultsKeepRequiresGrad) {
  torch::Tensor x = torch::ones({2, 3}, torch::kFloat64);
  torch::Tensor empty_rows = torch::ones({0, 3}, torch::kFloat64);
  check("gather empty", {x, torch::zeros({2, 0}, torch::kLong)}, {0},
        [](auto& v) { return v[0].gather(1, v[1]); }, [](auto& v) { return v[0].gather(1, v[1]); });
  check("where empty", {empty_rows, empty_rows}, {0, 1},
        [](auto& v) { return ember::where(ember::gt(v[0], 0.0), v[0], v[1]); },
        [](auto& v) { return torch::where(v[0] > 0, v[0], v[1]); });
  check("flip empty", {empty_rows}, {0}, [](auto& v) { return v[0].flip({1}); }, [](auto& v) { return v[0].flip({1}); });
  check("repeat zero", {x}, {0}, [](auto& v) { return v[0].repeat({0, 2}); }, [](auto& v) { return v[0].repeat({0, 2}); });
  check("cat empty", {torch::ones({0}, torch::kFloat64), torch::ones({0}, torch::kFloat64)}, {0, 1},
        [](auto& v) { return ember::cat({v[0], v[1]}); }, [](auto& v) { return torch::cat({v[0], v[1]}); });
  check("cat empty rows", {empty_rows, empty_rows}, {0, 1},
        [](auto& v) { return ember::cat({v[0], v[1]}, 0); }, [](auto& v) { return torch::cat({v[0], v[1]}, 0); });
  check("masked_fill empty", {empty_rows}, {0},
        [](auto& v) { return v[0].masked_fill(ember::gt(v[0], 0.0), 1.0); },
        [](auto& v) { return v[0].masked_fill(v[0] > 0, 1.0); });
}

TEST(FuzzRegressions, BoolInputs) {
  torch::Tensor tb = torch::tensor({true, false});
  ember::Tensor eb = diff::from_torch(tb);
  EXPECT_SAME_THROW(ember::abs(eb), torch::abs(tb));
  EXPECT_SAME_THROW(ember::floor(eb), torch::floor(tb));
  EXPECT_SAME_THROW(ember::ceil(eb), torch::ceil(tb));
  EXPECT_SAME_THROW(ember::round(eb), torch::round(tb));
  EXPECT_SAME_THROW(ember::trunc(eb), torch::trunc(tb));
  EXPECT_SAME_THROW(ember::relu(eb), torch::relu(tb));
  EXPECT_SAME_THROW(eb.clamp(true), tb.clamp(true));
  EXPECT_SAME_THROW(eb.clamp(std::nullopt, false), tb.clamp(c10::nullopt, false));
  EXPECT_SAME_THROW(ember::fmod(eb, eb), torch::fmod(tb, tb));
  EXPECT_SAME_THROW(ember::remainder(eb, eb), torch::remainder(tb, tb));
  EXPECT_SAME_THROW(ember::pow(eb, eb), torch::pow(tb, tb));
  // Integer results from bool inputs where PyTorch promotes.
  EXPECT_TRUE(same(eb.clamp(0, 1), tb.clamp(0, 1)));
  EXPECT_TRUE(same(ember::square(eb), torch::square(tb)));
  EXPECT_TRUE(same(ember::fmod(eb, 2), torch::fmod(tb, 2)));
  EXPECT_TRUE(same(ember::pow(eb, 2), torch::pow(tb, 2)));
  // add of bools with an integer alpha is a logical or (alpha != 0) or the first operand.
  for (int64_t alpha : {0, 1, 2}) EXPECT_TRUE(same(ember::add(eb, eb.flip({0}), alpha), torch::add(tb, tb.flip({0}), alpha)));
  EXPECT_SAME_THROW(ember::add(eb, eb, 1.5), torch::add(tb, tb, 1.5));
  EXPECT_SAME_THROW(ember::add(ember::tensor({1, 2}), ember::tensor({1, 2}), true),
                    torch::add(torch::tensor({1, 2}), torch::tensor({1, 2}), true));
}

TEST(FuzzRegressions, PowWithABoolExponentHasAGradient) {
  // LibTorch 1.13 throws in this backward (it computes b - 1 on a bool tensor); ember treats
  // the bool exponent as 0/1 (docs/pytorch-differences.md).
  ember::Tensor x = ember::tensor({1.5, 2.0}).requires_grad_(true);
  ember::Tensor b = ember::tensor({true, false});
  ember::pow(x, b).sum().backward();
  EXPECT_TRUE(same(x.grad(), torch::tensor({1.0f, 0.0f})));
}

TEST(FuzzRegressions, ZeroDimDimChecks) {
  torch::Tensor t = torch::tensor(1.0);
  ember::Tensor e = diff::from_torch(t);
  EXPECT_SAME_THROW(e.flatten(0, 1), t.flatten(0, 1));
  EXPECT_SAME_THROW(e.flatten(0, -1), t.flatten(0, -1));
  EXPECT_SAME_THROW(e.sum({0, 0}), t.sum(torch::IntArrayRef{0, 0}));
  EXPECT_SAME_THROW(e.sum({0, -1}), t.sum(torch::IntArrayRef{0, -1}));
  EXPECT_SAME_THROW(e.mean({1}), t.mean(torch::IntArrayRef{1}));
}

TEST(FuzzRegressions, NonFiniteGradients) {
  torch::Tensor with_nan = t1({1, kNaN, 3, kNaN});
  check("max() with NaN", {with_nan}, {0}, [](auto& v) { return v[0].max(); }, [](auto& v) { return v[0].max(); });
  check("min() with NaN", {with_nan}, {0}, [](auto& v) { return v[0].min(); }, [](auto& v) { return v[0].min(); });
  check("max() ties", {t1({3, 1, 3})}, {0}, [](auto& v) { return v[0].max(); }, [](auto& v) { return v[0].max(); });
  check("max() inf grad", {t1({3, 1, 2})}, {0}, [](auto& v) { return v[0].max(); },
        [](auto& v) { return v[0].max(); }, torch::tensor(kInf, torch::kFloat64));
  check("amax with NaN", {with_nan}, {0}, [](auto& v) { return v[0].amax({0}); },
        [](auto& v) { return v[0].amax({0}); });
  torch::Tensor other = t1({2, 2, kNaN, 1});
  check("maximum with NaN", {with_nan, other}, {0, 1}, [](auto& v) { return ember::maximum(v[0], v[1]); },
        [](auto& v) { return torch::maximum(v[0], v[1]); });
  check("minimum with NaN", {with_nan, other}, {0, 1}, [](auto& v) { return ember::minimum(v[0], v[1]); },
        [](auto& v) { return torch::minimum(v[0], v[1]); });
  check("maximum ties", {t1({1, 2}), t1({1, 3})}, {0, 1}, [](auto& v) { return ember::maximum(v[0], v[1]); },
        [](auto& v) { return torch::maximum(v[0], v[1]); });
  torch::Tensor special = t1({-kInf, -0.0, 0.0, 4, -1});
  for (double e : {0.5, -0.5, 1.5, 2.0, 2.5, -1.0}) {
    check("pow(x, number)", {special}, {0}, [e](auto& v) { return v[0].pow(e); }, [e](auto& v) { return v[0].pow(e); });
  }
  check("pow(x, tensor 0.5)", {special, torch::tensor(0.5, torch::kFloat64)}, {0},
        [](auto& v) { return v[0].pow(v[1]); }, [](auto& v) { return v[0].pow(v[1]); });
  check("hardtanh inf grad", {t1({-3, 0.5, 4})}, {0}, [](auto& v) { return ember::nn::functional::hardtanh(v[0]); },
        [](auto& v) { return torch::hardtanh(v[0]); }, t1({kInf, 1, -kInf}));
}

TEST(FuzzRegressions, TrivialProductsAndReductionsDoNotThrow) {
  auto f = torch::kFloat32;
  auto d = torch::kFloat64;
  auto pair = [](torch::Tensor a, torch::Tensor b) { return std::make_pair(diff::from_torch(a), diff::from_torch(b)); };
  {
    torch::Tensor a = torch::zeros({0, 2}, f), b = torch::zeros({2, 3}, d);
    auto [ea, eb] = pair(a, b);
    EXPECT_TRUE(same(ea.mm(eb), a.mm(b)));
    EXPECT_TRUE(same(ea.matmul(eb), a.matmul(b)));
  }
  {
    torch::Tensor a = torch::zeros({2, 0}, d), b = torch::zeros({0, 3}, f);
    auto [ea, eb] = pair(a, b);
    EXPECT_TRUE(same(ea.mm(eb), a.mm(b)));
  }
  {
    torch::Tensor a = torch::zeros({0, 2, 2}, f), b = torch::zeros({0, 2, 3}, d);
    auto [ea, eb] = pair(a, b);
    EXPECT_TRUE(same(ea.bmm(eb), a.bmm(b)));
  }
  {
    torch::Tensor a = torch::zeros({2, 0}, f), b = torch::zeros({0}, d);
    auto [ea, eb] = pair(a, b);
    EXPECT_TRUE(same(ember::mv(ea, eb), torch::mv(a, b)));
  }
  {
    torch::Tensor a = torch::zeros({2, 2}, f), b = torch::zeros({2, 3}, d);
    auto [ea, eb] = pair(a, b);
    EXPECT_SAME_THROW(ea.mm(eb), a.mm(b));
  }
  torch::Tensor empty_long = torch::zeros({0, 3}, torch::kLong);
  ember::Tensor e_empty_long = diff::from_torch(empty_long);
  EXPECT_TRUE(same(e_empty_long.softmax(1), empty_long.softmax(1)));
  EXPECT_TRUE(same(e_empty_long.log_softmax(0), empty_long.log_softmax(0)));
  torch::Tensor b12 = torch::zeros({1, 2}, torch::kBool), b02 = torch::zeros({0, 2}, torch::kBool);
  EXPECT_TRUE(same(diff::from_torch(b12).argmax(0), b12.argmax(0)));
  EXPECT_TRUE(same(diff::from_torch(b02).argmax(1), b02.argmax(1)));
  EXPECT_SAME_THROW(diff::from_torch(b12).argmax(1), b12.argmax(1));
  torch::Tensor cols0 = torch::zeros({3, 0});
  EXPECT_TRUE(same(diff::from_torch(cols0).index({ember::tensor({5})}), cols0.index({torch::tensor({5})})));
  EXPECT_SAME_THROW(diff::from_torch(cols0.t()).index({ember::tensor({5})}), cols0.t().index({torch::tensor({5})}));
}

TEST(FuzzRegressions, ActivationsOnIntegersAndEdges) {
  torch::Tensor ints = torch::tensor({-3, 1, 7}, torch::kInt64);
  ember::Tensor e_ints = diff::from_torch(ints);
  EXPECT_TRUE(same(ember::nn::functional::relu6(e_ints), torch::relu6(ints)));
  EXPECT_TRUE(same(ember::nn::functional::relu6(e_ints.abs().to(ember::kUInt8)), torch::relu6(ints.abs().to(torch::kUInt8))));
  EXPECT_SAME_THROW(ember::nn::functional::hardtanh(e_ints.to(ember::kUInt8)), torch::hardtanh(ints.to(torch::kUInt8)));
  // hardswish's gradient is g from x = 3 on (PyTorch's vectorised kernel; a long input so
  // LibTorch takes that path for every element).
  torch::Tensor x = torch::cat({t1({3, -3, 2, 4, -4}), torch::zeros({59}, torch::kFloat64)});
  check("hardswish at the kinks", {x}, {0}, [](auto& v) { return ember::nn::functional::hardswish(v[0]); },
        [](auto& v) { return torch::hardswish(v[0]); });
}

TEST(FuzzRegressions, MovedimOfAZeroDimTensor) {
  check("movedim 0-dim", {torch::tensor(2.0, torch::kFloat64)}, {0}, [](auto& v) { return v[0].movedim(0, -1); },
        [](auto& v) { return v[0].movedim(0, -1); });
}

TEST(FuzzRegressions, NllLossWithEveryTargetIgnored) {
  torch::Tensor logits = t1({-2.7, 1.4, -0.9}).view({1, 3});
  torch::Tensor target = torch::tensor({0}, torch::kLong);
  check("cross_entropy all ignored", {logits, target}, {0},
        [](auto& v) {
          return ember::nn::functional::cross_entropy(v[0], v[1],
                                                      ember::nn::functional::CrossEntropyFuncOptions().ignore_index(0));
        },
        [](auto& v) {
          return torch::nn::functional::cross_entropy(v[0], v[1],
                                                      torch::nn::functional::CrossEntropyFuncOptions().ignore_index(0));
        });
}

TEST(FuzzRegressions, ScatterFamilyAutograd) {
  torch::Tensor self = torch::ones({5, 1}, torch::kFloat64);
  torch::Tensor index = torch::tensor({0}, torch::kLong).view({1, 1});
  torch::Tensor src = t1({-1.7}).view({1, 1});
  // With a reduce the result requires grad, as in LibTorch (which has no derivative for
  // either reduce; ember gives "add" scatter_add's and refuses "multiply" as LibTorch does).
  {
    ember::Tensor es = diff::from_torch(src).requires_grad_(true);
    ember::Tensor ex = diff::from_torch(self);
    ember::Tensor ya = ex.scatter(-1, diff::from_torch(index), es, "add");
    ASSERT_TRUE(ya.requires_grad());
    ya.sum().backward();
    EXPECT_EQ(es.grad().item<double>(), 1.0);
    ember::Tensor em = diff::from_torch(src).requires_grad_(true);
    ember::Tensor ym = ex.scatter(-1, diff::from_torch(index), em, "multiply");
    EXPECT_TRUE(ym.requires_grad());
    EXPECT_THROW(ym.sum().backward(), ember::NotImplementedError);
  }
  // In-place scatter_ on a tensor with history records itself.
  check("scatter_ in place", {self, index, src}, {0, 2},
        [](auto& v) { return (v[0] * 2).scatter_(0, v[1], v[2]); },
        [](auto& v) { return (v[0] * 2).scatter_(0, v[1], v[2]); });
  check("scatter_add_ in place", {self, index, src}, {0, 2},
        [](auto& v) { return (v[0] * 2).scatter_add_(0, v[1], v[2]); },
        [](auto& v) { return (v[0] * 2).scatter_add_(0, v[1], v[2]); });
  check("scatter_ value in place", {self, index}, {0},
        [](auto& v) { return (v[0] * 2).scatter_(0, v[1], 3.0); },
        [](auto& v) { return (v[0] * 2).scatter_(0, v[1], 3.0); });
}

TEST(FuzzRegressions, FloatToIntegerConversionsMatchX86) {
  // NaN, infinities and out-of-range values convert like x86 hardware (PyTorch's answer):
  // through int32 for targets of up to 32 bits, through int64 for int64.
  torch::Tensor x = torch::tensor({-kInf, kInf, kNaN, 3e9, -3e9, 300.7, -200.5, 2147483647.5}, torch::kFloat64).to(torch::kFloat32);
  for (auto dt : {torch::kInt8, torch::kInt16, torch::kInt32, torch::kInt64, torch::kUInt8}) {
    EXPECT_TRUE(same(diff::from_torch(x).to(diff::from_torch(dt)), x.to(dt))) << dt;
    EXPECT_TRUE(same(diff::from_torch(x).to(ember::kFloat64).to(diff::from_torch(dt)), x.to(torch::kFloat64).to(dt))) << dt;
  }
  torch::Tensor neg_inf = torch::full({1, 1, 1}, -kInf);
  EXPECT_TRUE(same(diff::from_torch(neg_inf).sum(ember::kInt32), neg_inf.sum(torch::kInt32)));
}

// ---- the 1M-program campaign of session 7 ----------------------------------------------------
namespace EF = ember::nn::functional;
namespace TF = torch::nn::functional;

TEST(FuzzRegressions, ClampWithTensorBoundsHasItsOwnGradient) {
  // Ties go to x, lo == hi with x below gives nobody the gradient, NaN anywhere gives zeros.
  torch::Tensor x = t1({0, 1, 2, 3, kNaN, 5}), lo = t1({1, 1, 1, 3, 0, kNaN}), hi = t1({1, 1, 1, 3, 9, 9});
  check("clamp(x, lo, hi)", {x, lo, hi}, {0, 1, 2},
        [](auto& v) { return ember::clamp(v[0], std::optional<ember::Tensor>(v[1]), std::optional<ember::Tensor>(v[2])); },
        [](auto& v) { return torch::clamp(v[0], v[1], v[2]); });
  check("clamp(x, lo)", {x, lo}, {0, 1},
        [](auto& v) { return ember::clamp(v[0], std::optional<ember::Tensor>(v[1]), std::nullopt); },
        [](auto& v) { return torch::clamp(v[0], v[1], c10::nullopt); });
  check("clamp(x, lo > hi)", {t1({0, 5, 9}), t1({4, 4, 4}), t1({2, 2, 2})}, {0, 1, 2},
        [](auto& v) { return ember::clamp(v[0], std::optional<ember::Tensor>(v[1]), std::optional<ember::Tensor>(v[2])); },
        [](auto& v) { return torch::clamp(v[0], v[1], v[2]); });
  torch::Tensor b = torch::tensor({true, false});
  EXPECT_SAME_THROW(ember::clamp(diff::from_torch(b), std::optional<ember::Tensor>(diff::from_torch(b)),
                                 std::optional<ember::Tensor>(diff::from_torch(b))),
                    torch::clamp(b, b, b));
}

TEST(FuzzRegressions, PreluBFloat16TakesAnyWeightDtype) {
  torch::Tensor x = torch::tensor({-1.0, 2.0, -3.0}).to(torch::kBFloat16);
  check("prelu bf16 / f64 weight", {x, t1({0.5})}, {0, 1}, [](auto& v) { return ember::prelu(v[0], v[1]); },
        [](auto& v) { return torch::prelu(v[0], v[1]); });
  torch::Tensor f = torch::tensor({-1.0f, 2.0f});
  EXPECT_SAME_THROW(ember::prelu(diff::from_torch(f), diff::from_torch(t1({0.5}))), torch::prelu(f, t1({0.5})));
}

TEST(FuzzRegressions, HardtanhUInt8LimitsTruncate) {
  torch::Tensor x = torch::tensor({0, 1, 2, 200}, torch::kUInt8);
  for (auto [lo, hi] : {std::pair{-0.5, 1.5}, std::pair{-1.0, 100.0}, std::pair{0.0, -0.5}}) {
    EXPECT_SAME_THROW(EF::hardtanh(diff::from_torch(x), EF::HardtanhFuncOptions().min_val(lo).max_val(hi)),
                      TF::hardtanh(x, TF::HardtanhFuncOptions().min_val(lo).max_val(hi)));
  }
  check("hardtanh uint8", {x}, {}, [](auto& v) { return EF::hardtanh(v[0], EF::HardtanhFuncOptions().min_val(-0.5).max_val(1.5)); },
        [](auto& v) { return TF::hardtanh(v[0], TF::HardtanhFuncOptions().min_val(-0.5).max_val(1.5)); });
}

TEST(FuzzRegressions, AddmmWithoutAKernelCallAndAlphaChecks) {
  torch::Tensor self = torch::tensor(0.34, torch::kFloat16);
  check("addmm half, K = 0", {self, torch::empty({2, 0}, torch::kFloat16), torch::empty({0, 3}, torch::kFloat16)}, {},
        [](auto& v) { return ember::addmm(v[0], v[1], v[2], 0.5, -1); },
        [](auto& v) { return torch::addmm(v[0], v[1], v[2], 0.5, -1); });
  torch::Tensor bs = torch::tensor({true, false}).view({2, 1});
  torch::Tensor b1 = torch::empty({2, 0}, torch::kBool), b2 = torch::empty({0, 1}, torch::kBool);
  check("addmm bool, K = 0, beta 0", {bs, b1, b2}, {}, [](auto& v) { return ember::addmm(v[0], v[1], v[2], 0, 2); },
        [](auto& v) { return torch::addmm(v[0], v[1], v[2], 0, 2); });
  EXPECT_SAME_THROW(ember::addmm(diff::from_torch(bs), diff::from_torch(b1), diff::from_torch(b2), 1, 1),
                    torch::addmm(bs, b1, b2, 1, 1));
  torch::Tensor u = torch::ones({2, 2}, torch::kUInt8);
  EXPECT_SAME_THROW(ember::addmm(diff::from_torch(u), diff::from_torch(u), diff::from_torch(u), 2.0, -1.0),
                    torch::addmm(u, u, u, 2.0, -1.0));
  torch::Tensor l = torch::ones({2, 2}, torch::kInt64);
  EXPECT_SAME_THROW(ember::addmm(diff::from_torch(l), diff::from_torch(l).narrow(1, 0, 0), diff::from_torch(l).narrow(0, 0, 0), 0.0, 1),
                    torch::addmm(l, l.narrow(1, 0, 0), l.narrow(0, 0, 0), 0.0, 1));
}

TEST(FuzzRegressions, NonConstantPaddingWithNegativePads) {
  torch::Tensor x = torch::arange(5.0, torch::kFloat64).view({1, 1, 5});
  const std::vector<std::vector<int64_t>> pads = {{-1, 3}, {3, -2}, {-2, 2}, {2, -2}, {-1, 0}, {0, 0}};
  const std::pair<ember::PadMode, TF::PadFuncOptions::mode_t> modes[] = {
      {ember::kReflect, torch::kReflect}, {ember::kReplicate, torch::kReplicate}, {ember::kCircular, torch::kCircular}};
  for (const auto& p : pads)
    for (const auto& [em, tm] : modes)
      check("pad", {x}, {0}, [&](auto& v) { return EF::pad(v[0], EF::PadFuncOptions(p).mode(em)); },
            [&](auto& v) { return TF::pad(v[0], TF::PadFuncOptions(p).mode(tm)); });
  // Reflect takes an empty first dim without a batch; circular needs (N, C, ...).
  check("reflect (0, 2)", {torch::empty({0, 2}, torch::kFloat64)}, {0},
        [](auto& v) { return EF::pad(v[0], EF::PadFuncOptions({1, 0}).mode(ember::kReflect)); },
        [](auto& v) { return TF::pad(v[0], TF::PadFuncOptions({1, 0}).mode(torch::kReflect)); });
  for (auto sizes : {std::vector<int64_t>{2, 3}, std::vector<int64_t>{0, 2, 2, 2}}) {
    torch::Tensor t = torch::ones(sizes);
    std::vector<int64_t> p(2 * (sizes.size() - 1), 1);
    EXPECT_SAME_THROW(EF::pad(diff::from_torch(t), EF::PadFuncOptions(p).mode(ember::kCircular)),
                      TF::pad(t, TF::PadFuncOptions(p).mode(torch::kCircular)));
    EXPECT_SAME_THROW(EF::pad(diff::from_torch(t), EF::PadFuncOptions(p).mode(ember::kReflect)),
                      TF::pad(t, TF::PadFuncOptions(p).mode(torch::kReflect)));
  }
  // Pure cropping never converts the fill value.
  torch::Tensor u = torch::zeros({2}, torch::kUInt8);
  check("crop uint8, value -1.5", {u}, {}, [](auto& v) { return EF::pad(v[0], EF::PadFuncOptions({0, -1}).value(-1.5)); },
        [](auto& v) { return TF::pad(v[0], TF::PadFuncOptions({0, -1}).value(-1.5)); });
}

TEST(FuzzRegressions, LossDtypesAndEmptyClasses) {
  torch::Tensor x = torch::rand({2, 3}), t = torch::rand({2, 3}), w = torch::rand({2, 3}, torch::kFloat64);
  check("bce float64 weight", {x, t, w}, {0},
        [](auto& v) { return EF::binary_cross_entropy(v[0], v[1], EF::BinaryCrossEntropyFuncOptions().weight(v[2])); },
        [](auto& v) { return TF::binary_cross_entropy(v[0], v[1], TF::BinaryCrossEntropyFuncOptions().weight(v[2])); });
  check("nll_loss, no classes", {torch::empty({0}), torch::tensor(0, torch::kInt64)}, {0},
        [](auto& v) { return EF::nll_loss(v[0], v[1], EF::NLLLossFuncOptions().ignore_index(0).reduction(ember::kSum)); },
        [](auto& v) { return torch::nll_loss(v[0], v[1], {}, at::Reduction::Sum, 0); });
  check("smooth_l1 beta 0, bool target", {torch::tensor({1.0, 2.0}), torch::tensor({true, false})}, {},
        [](auto& v) { return EF::smooth_l1_loss(v[0], v[1], EF::SmoothL1LossFuncOptions().beta(0.0)); },
        [](auto& v) { return TF::smooth_l1_loss(v[0], v[1], TF::SmoothL1LossFuncOptions(), 0.0); });
}

TEST(FuzzRegressions, ScalarConversionsOfIndexAddAndScans) {
  torch::Tensor z = torch::zeros({2}, torch::kUInt8), i = torch::tensor({0}), s = torch::ones({1}, torch::kUInt8);
  for (double alpha : {-1.0, 256.0, 2.0}) {
    EXPECT_SAME_THROW(diff::from_torch(z).index_add(0, diff::from_torch(i), diff::from_torch(s), alpha),
                      z.index_add(0, i, s, alpha));
  }
  check("index_add uint8, alpha -1", {z, i, s}, {}, [](auto& v) { return v[0].index_add(0, v[1], v[2], -1); },
        [](auto& v) { return v[0].index_add(0, v[1], v[2], -1); });
  torch::Tensor el = torch::empty({0, 1}, torch::kInt64), ei = torch::empty({0}, torch::kInt64);
  check("index_add empty, alpha inf", {el, ei, torch::empty({0, 0}, torch::kInt64)}, {},
        [](auto& v) { return v[0].index_add(-1, v[1], v[2], kInf); },
        [](auto& v) { return v[0].index_add(-1, v[1], v[2], kInf); });
  for (double value : {kNaN, 300.0, -1.5, 2.5}) {
    torch::Tensor t = torch::tensor(value);
    EXPECT_SAME_THROW(diff::from_torch(t).cumsum(0, ember::kUInt8), t.cumsum(0, torch::kUInt8));
    EXPECT_SAME_THROW(diff::from_torch(t).cumprod(0, ember::kInt64), t.cumprod(0, torch::kInt64));
  }
}

TEST(FuzzRegressions, IndexPutWithOneMaskConvertsAScalarValue) {
  torch::Tensor x = torch::zeros({2, 3}, torch::kInt64);
  torch::Tensor m = torch::tensor({true, false, true, false, false, true}).view({2, 3});
  for (double value : {-1.5, 1e30}) {
    torch::Tensor v = torch::tensor(value, torch::kFloat32);
    EXPECT_SAME_THROW(diff::from_torch(x).clone().index_put_({diff::from_torch(m)}, diff::from_torch(v)),
                      x.clone().index_put_({m}, v));
  }
  check("index_put_ mask, 0-dim float value", {x, m, torch::tensor(-1.5)}, {},
        [](auto& v) { return v[0].clone().index_put_({v[1]}, v[2]); },
        [](auto& v) { return v[0].clone().index_put_({v[1]}, v[2]); });
  check("index_put_ mask, value grad", {x.to(torch::kFloat32), m, t1({2.5})}, {2},
        [](auto& v) { return v[0].clone().index_put_({v[1]}, v[2]); },
        [](auto& v) { return v[0].clone().index_put_({v[1]}, v[2]); });
  ember::Tensor ex = diff::from_torch(x).clone();
  EXPECT_SAME_THROW(ember::index_put_(ex, {diff::from_torch(m)}, diff::from_torch(t1({1.0})), true),
                    x.clone().index_put_(c10::List<c10::optional<torch::Tensor>>({m}), t1({1.0}), true));
}

TEST(FuzzRegressions, ReducedFloatsRoundBetweenSteps) {
  torch::Tensor one = torch::ones({3}, torch::kBFloat16), d = torch::tensor({-0.08349609375, 1.0, 3.0}).to(torch::kBFloat16);
  check("div trunc bf16", {one, d}, {}, [](auto& v) { return ember::div(v[0], v[1], "trunc"); },
        [](auto& v) { return torch::div(v[0], v[1], "trunc"); });
  check("add alpha bf16", {torch::tensor({4}), torch::tensor({2.84375}).to(torch::kBFloat16)}, {},
        [](auto& v) { return ember::add(v[0], v[1], -1.5); }, [](auto& v) { return torch::add(v[0], v[1], -1.5); });
  check("rsub alpha f16", {torch::tensor(-2.67578125).to(torch::kFloat16), torch::tensor(4.0).to(torch::kFloat16)}, {},
        [](auto& v) { return ember::rsub(v[0], v[1], -1.5); }, [](auto& v) { return torch::rsub(v[0], v[1], -1.5); });
  torch::Tensor th = torch::tensor({0.2001953125, 0.25}).to(torch::kBFloat16);
  check("threshold bf16", {th}, {}, [](auto& v) { return EF::threshold(v[0], EF::ThresholdFuncOptions(0.2, 0.5)); },
        [](auto& v) { return TF::threshold(v[0], TF::ThresholdFuncOptions(0.2, 0.5)); });
  check("pow(-0, 0.5) f16", {torch::tensor({-0.0, 4.0}).to(torch::kFloat16)}, {0},
        [](auto& v) { return ember::pow(v[0], 0.5); }, [](auto& v) { return torch::pow(v[0], 0.5); });
}

TEST(FuzzRegressions, GradientsThatOverflowedOrLostPrecision) {
  check("pow(2, x) float64", {t1({1.0, 0.3})}, {0}, [](auto& v) { return ember::pow(2, v[0]); },
        [](auto& v) { return torch::pow(2, v[0]); }, t1({2.380463002933977, -1.25}));
  check("prod(float64) of float16", {torch::tensor({49.0, 49.0, 49.0}).to(torch::kFloat16)}, {0},
        [](auto& v) { return v[0].prod(ember::kFloat64); }, [](auto& v) { return v[0].prod(torch::kFloat64); });
  torch::Tensor big = torch::tensor({0.0, 0.0, 0.0, 0.0, -3.4028234663852886e+38, 1.0});
  check("var of huge values", {big}, {0}, [](auto& v) { return v[0].var(); }, [](auto& v) { return v[0].var(); },
        torch::tensor(2.493926525115967));
  check("glu", {torch::tensor({1.0, 1.0, 1.0, 3.4028234663852886e+38, 0.0, 0.0, 1.0, 0.0}).view({1, 4, 2})}, {0},
        [](auto& v) { return EF::glu(v[0], EF::GLUFuncOptions(-2)); },
        [](auto& v) { return TF::glu(v[0], TF::GLUFuncOptions(-2)); },
        torch::tensor({-3.25, -0.71, 1.58, -1.79}).view({1, 2, 2}));
  check("pairwise_distance, infinite norm", {torch::tensor({{3.4028234663852886e+38f}}), torch::tensor({{2.0f}})}, {0},
        [](auto& v) { return EF::pairwise_distance(v[0], v[1]); }, [](auto& v) { return TF::pairwise_distance(v[0], v[1]); },
        torch::tensor({-2.19f}));
}
