// Autograd: the seeds' examples, gradient checks by finite differences in float64 over
// every differentiable elementwise and view op, the error cases, in-place semantics,
// hooks and grad modes.
#include <gtest/gtest.h>

#include <ember/ember.h>

#include "gradcheck.h"

using namespace ember;
using ember::testing::Fn;
using ember::testing::gradcheck;
using ember::testing::gradgradcheck;

namespace {
Tensor leaf(Tensor t) { return t.to(kFloat64).detach().requires_grad_(true); }
// [3, 4] inputs in several layouts: contiguous, transposed, stepped slice.
std::vector<Tensor> layouts(double lo, double hi, int seed) {
  auto base = [&](IntArrayRef shape) {
    Tensor t = (arange(checked_numel(shape), kFloat64) * (0.7 + seed) + seed).sin();
    return (t * ((hi - lo) / 2) + (hi + lo) / 2).view(shape);
  };
  std::vector<Tensor> out;
  out.push_back(leaf(base({3, 4})));
  Tensor t = leaf(base({4, 3}));
  out.push_back(t.t());  // non-contiguous (a view of a leaf, itself non-leaf)
  Tensor s = leaf(base({6, 8}));
  out.push_back(s.slice(0, 0, 6, 2).slice(1, 1, 8, 2));
  return out;
}
}  // namespace

TEST(AutogradSeeds, ComputeZ) {
  Tensor a = tensor(3.14).requires_grad_();
  Tensor b = tensor(2.0).requires_grad_();
  Tensor c = tensor(1.0).requires_grad_();
  Tensor z = 2 * (a - b) + c;
  z.backward();
  EXPECT_DOUBLE_EQ(a.grad().item<double>(), 2.0);
  EXPECT_DOUBLE_EQ(b.grad().item<double>(), -2.0);
  EXPECT_DOUBLE_EQ(c.grad().item<double>(), 1.0);
  EXPECT_EQ(z.grad_fn()->name(), "AddBackward0");
}

TEST(AutogradSeeds, YSquared) {
  Tensor x = ones({2, 2}).requires_grad_();
  Tensor y = x + 2;
  Tensor z = y * y * 3;
  Tensor s = z.sum();
  s.backward();
  // d/dx sum(3 (x+2)^2) = 6 (x+2) = 18
  EXPECT_TRUE(allclose(x.grad(), full({2, 2}, 18.0)));
  EXPECT_EQ(y.grad_fn()->name(), "AddBackward0");
  EXPECT_TRUE(x.is_leaf());
  EXPECT_FALSE(y.is_leaf());
}

TEST(AutogradSeeds, W4GradIsMinusOne) {
  Tensor a = tensor({1.0}).requires_grad_();
  Tensor w1 = tensor({1.0}).requires_grad_(), w2 = tensor({1.0}).requires_grad_();
  Tensor w3 = tensor({1.0}).requires_grad_(), w4 = tensor({1.0}).requires_grad_();
  Tensor b = w1 * a, c = w2 * a;
  Tensor d = w3 * b + w4 * c;
  Tensor L = 10 - d;
  EXPECT_EQ(L.grad_fn()->name(), "RsubBackward1");
  EXPECT_EQ(d.grad_fn()->name(), "AddBackward0");
  EXPECT_EQ(b.grad_fn()->name(), "MulBackward0");
  L.backward();
  EXPECT_DOUBLE_EQ(w4.grad().item<double>(), -1.0);
  EXPECT_DOUBLE_EQ(w1.grad().item<double>(), -1.0);
  EXPECT_DOUBLE_EQ(a.grad().item<double>(), -2.0);
  EXPECT_DOUBLE_EQ(L.item<double>(), 8.0);
}

TEST(Autograd, AccumulatesAcrossBackwards) {
  Tensor x = tensor({1.0, 2.0}).requires_grad_();
  (x * 3).sum().backward();
  (x * 3).sum().backward();
  EXPECT_TRUE(allclose(x.grad(), full({2}, 6.0)));
  x.mutable_grad().zero_();
  (x * x).sum().backward();
  EXPECT_TRUE(allclose(x.grad(), tensor({2.0, 4.0})));
}

TEST(Autograd, BroadcastGradientsSumToInputShape) {
  Tensor a = ones({3, 1}).requires_grad_();
  Tensor b = ones({4}).requires_grad_();
  (a * b).sum().backward();
  EXPECT_EQ(a.grad().sizes(), IntArrayRef({3, 1}));
  EXPECT_TRUE(allclose(a.grad(), full({3, 1}, 4.0)));
  EXPECT_TRUE(allclose(b.grad(), full({4}, 3.0)));
}

TEST(AutogradErrors, Messages) {
  Tensor x = ones({2});
  try {
    x.sum().backward();
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "element 0 of tensors does not require grad and does not have a grad_fn");
  }
  Tensor w = ones({2}).requires_grad_();
  try {
    (w * 2).backward();
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "grad can be implicitly created only for scalar outputs");
  }
  EXPECT_THROW(ones({2}, kInt64).requires_grad_(), Error);
  Tensor y = (w * w).sum();
  y.backward();
  try {
    y.backward();
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("Trying to backward through the graph a second time"), std::string::npos);
  }
  Tensor u = ones({2}).requires_grad_();
  Tensor v = ones({2}).requires_grad_();
  try {
    autograd::grad({(u * 2).sum()}, {u, v});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("Set allow_unused=True"), std::string::npos);
  }
  auto gs = autograd::grad({(u * 2).sum()}, {u, v}, {}, std::nullopt, false, true);
  EXPECT_TRUE(gs[0].defined());
  EXPECT_FALSE(gs[1].defined());
}

TEST(AutogradErrors, RetainGraphAllowsSecondBackward) {
  Tensor w = tensor({1.0, 2.0}).requires_grad_();
  Tensor y = (w * w).sum();
  y.backward({}, true);
  y.backward();
  EXPECT_TRUE(allclose(w.grad(), tensor({4.0, 8.0})));
}

TEST(AutogradInplace, LeafErrors) {
  Tensor w = ones({2}).requires_grad_();
  try {
    w.add_(1);
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "a leaf Variable that requires grad is being used in an in-place operation.");
  }
  EXPECT_THROW(w.select(0, 0).fill_(2), Error);
  {
    NoGradGuard g;
    w.sub_(w * 0.5);  // the seeds' manual SGD step
  }
  EXPECT_TRUE(allclose(w, full({2}, 0.5)));
}

TEST(AutogradInplace, ModifiedSavedTensorIsDetected) {
  Tensor x = ones({3}).requires_grad_();
  Tensor y = x * 2;
  Tensor z = y * y;  // saves y
  y.add_(1);
  try {
    z.sum().backward();
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("modified by an inplace operation"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("is at version"), std::string::npos);
  }
}

TEST(AutogradInplace, CopySlicesOnView) {
  Tensor x = tensor({1.0, 2.0, 3.0}).requires_grad_();
  Tensor y = x * 1;
  y.select(0, 0).fill_(0);  // y[0] = 0
  EXPECT_EQ(y.grad_fn()->name(), "CopySlices");
  (y * tensor({10.0, 20.0, 30.0})).sum().backward();
  EXPECT_TRUE(allclose(x.grad(), tensor({0.0, 20.0, 30.0}))) << x.grad().view({-1})[0].item<double>();
}

TEST(AutogradInplace, InplaceOpsKeepHistory) {
  Tensor x = tensor({1.0, 2.0}).requires_grad_();
  Tensor y = x * 1;
  y.mul_(x);    // y = x^2
  y.add_(x, 2); // y = x^2 + 2x
  EXPECT_EQ(y.grad_fn()->name(), "AddBackward0");
  y.sum().backward();
  EXPECT_TRUE(allclose(x.grad(), tensor({4.0, 6.0})));
  // A copy into a view of a tensor that doesn't require grad gives it history.
  Tensor z = zeros({3});
  Tensor w = tensor({5.0}).requires_grad_();
  z.slice(0, 1, 2).copy_(w * 2);
  EXPECT_TRUE(z.requires_grad());
  z.sum().backward();
  EXPECT_DOUBLE_EQ(w.grad().item<double>(), 2.0);
}

TEST(AutogradModes, NoGradAndInference) {
  Tensor w = ones({2}).requires_grad_();
  {
    NoGradGuard g;
    EXPECT_FALSE((w * 2).requires_grad());
    {
      AutoGradMode on(true);
      EXPECT_TRUE((w * 2).requires_grad());
    }
  }
  {
    InferenceMode im;
    EXPECT_FALSE((w * 2).requires_grad());
  }
  set_grad_enabled(false);
  EXPECT_FALSE((w * 2).requires_grad());
  set_grad_enabled(true);
  EXPECT_TRUE((w * 2).requires_grad());
  Tensor d = (w * 2).detach();
  EXPECT_FALSE(d.requires_grad());
  EXPECT_TRUE(d.is_leaf());
}

TEST(AutogradHooks, RetainGradAndHooks) {
  Tensor x = tensor({1.0, 2.0}).requires_grad_();
  Tensor y = x * 3;
  y.retain_grad();
  y.register_hook([](const Tensor& g) { return g * 10; });
  (y * y).sum().backward();
  // dL/dy = 2y = [6, 12]; the hook scales what flows on to x (and retain_grad sees the
  // gradient before later hooks, as registered first).
  EXPECT_TRUE(allclose(y.grad(), tensor({6.0, 12.0})));
  EXPECT_TRUE(allclose(x.grad(), tensor({180.0, 360.0})));
  Tensor w = tensor({1.0}).requires_grad_();
  w.register_hook([](const Tensor& g) { return g * 0; });
  (w * 5).sum().backward();
  EXPECT_DOUBLE_EQ(w.grad().item<double>(), 0.0);
}

TEST(AutogradHigherOrder, SecondDerivative) {
  Tensor x = tensor({2.0}).requires_grad_();
  Tensor y = x * x * x;
  auto g1 = autograd::grad({y.sum()}, {x}, {}, std::nullopt, /*create_graph=*/true);
  EXPECT_DOUBLE_EQ(g1[0].item<double>(), 12.0);
  auto g2 = autograd::grad({g1[0].sum()}, {x});
  EXPECT_DOUBLE_EQ(g2[0].item<double>(), 12.0);  // 6x
  // Gradient penalty style: backward through a gradient into .grad.
  Tensor w = tensor({3.0}).requires_grad_();
  auto gw = autograd::grad({(w.sin() * w).sum()}, {w}, {}, std::nullopt, true);
  (gw[0] * gw[0]).sum().backward();
  EXPECT_TRUE(w.grad().defined());
}

TEST(AutogradAnomaly, NaNInBackwardNamesTheNode) {
  autograd::DetectAnomalyGuard guard;
  Tensor x = tensor({0.0}).requires_grad_();
  Tensor y = x.sqrt() * 0;  // d sqrt at 0 is inf; inf * 0 = nan
  try {
    y.sum().backward();
    FAIL();
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("returned nan values"), std::string::npos) << m;
  }
}

TEST(AutogradMemory, SavedOutputDoesNotKeepNodeAlive) {
  std::weak_ptr<autograd::Node> weak;
  {
    Tensor x = ones({3}).requires_grad_();
    Tensor y = x.exp();  // ExpBackward0 saves its own output
    weak = y.grad_fn();
    EXPECT_FALSE(weak.expired());
  }
  EXPECT_TRUE(weak.expired());
}

// ---- finite differences over every differentiable elementwise op -------------------
struct UnaryCase {
  const char* name;
  Tensor (*fn)(const Tensor&);
  double lo, hi;
};

TEST(GradCheck, UnaryOps) {
  std::vector<UnaryCase> cases = {
      {"abs", ember::abs, 0.2, 2}, {"neg", ember::neg, -2, 2}, {"exp", ember::exp, -2, 2},
      {"expm1", ember::expm1, -2, 2}, {"log", ember::log, 0.5, 3}, {"log1p", ember::log1p, 0.1, 3},
      {"log2", ember::log2, 0.5, 3}, {"log10", ember::log10, 0.5, 3}, {"sqrt", ember::sqrt, 0.5, 3},
      {"rsqrt", ember::rsqrt, 0.5, 3}, {"sin", ember::sin, -2, 2}, {"cos", ember::cos, -2, 2},
      {"tan", ember::tan, -1, 1}, {"tanh", ember::tanh, -2, 2}, {"sigmoid", ember::sigmoid, -3, 3},
      {"relu", ember::relu, 0.1, 2}, {"erf", ember::erf, -2, 2}, {"reciprocal", ember::reciprocal, 0.5, 2},
      {"square", ember::square, -2, 2},
  };
  for (const auto& c : cases) {
    for (const Tensor& x : layouts(c.lo, c.hi, 1)) {
      Fn f = [&](const std::vector<Tensor>& in) { return c.fn(in[0]); };
      EXPECT_TRUE(gradcheck(f, {x})) << c.name;
      EXPECT_TRUE(gradgradcheck(f, {x})) << c.name;
    }
  }
  for (const Tensor& x : layouts(-2, 2, 2)) {
    EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& in) { return gelu(in[0]); }, {x}));
    EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& in) { return gelu(in[0], "tanh"); }, {x}));
    EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& in) { return clamp(in[0], -0.5, 0.7); }, {x}));
    EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& in) { return in[0].nan_to_num(); }, {x}));
  }
}

TEST(GradCheck, BinaryOps) {
  auto as = layouts(0.5, 2, 3);
  auto bs = layouts(0.6, 1.7, 4);
  Tensor row = leaf(tensor({0.7, 1.3, 0.9, 1.1}));  // broadcasts against [3, 4]
  std::vector<std::pair<const char*, Fn>> fns = {
      {"add", [](const std::vector<Tensor>& v) { return add(v[0], v[1], 2.5); }},
      {"sub", [](const std::vector<Tensor>& v) { return sub(v[0], v[1], 0.5); }},
      {"mul", [](const std::vector<Tensor>& v) { return v[0] * v[1]; }},
      {"div", [](const std::vector<Tensor>& v) { return v[0] / v[1]; }},
      {"pow", [](const std::vector<Tensor>& v) { return pow(v[0], v[1]); }},
      {"maximum", [](const std::vector<Tensor>& v) { return maximum(v[0], v[1]); }},
      {"minimum", [](const std::vector<Tensor>& v) { return minimum(v[0], v[1]); }},
      {"atan2", [](const std::vector<Tensor>& v) { return atan2(v[0], v[1]); }},
      {"remainder", [](const std::vector<Tensor>& v) { return remainder(v[0], v[1]); }},
      {"fmod", [](const std::vector<Tensor>& v) { return fmod(v[0], v[1]); }},
      {"where", [](const std::vector<Tensor>& v) { return where(gt(v[0], 1.0), v[0], v[1]); }},
  };
  for (auto& [name, f] : fns) {
    for (size_t i = 0; i < as.size(); ++i) {
      EXPECT_TRUE(gradcheck(f, {as[i], bs[(i + 1) % bs.size()]})) << name << " layout " << i;
      EXPECT_TRUE(gradcheck(f, {as[i], row})) << name << " broadcast";
    }
    EXPECT_TRUE(gradgradcheck(f, {as[0], bs[0]})) << name;
  }
  Fn scalar_pow = [](const std::vector<Tensor>& v) { return pow(v[0], 3) + pow(2.0, v[0]) + 3.0 - v[0]; };
  EXPECT_TRUE(gradcheck(scalar_pow, {as[1]}));
}

TEST(GradCheck, ViewAndShapeOps) {
  Tensor x = leaf(arange(24, kFloat64).view({2, 3, 4}) * 0.1);
  std::vector<std::pair<const char*, Fn>> fns = {
      {"view", [](const std::vector<Tensor>& v) { return v[0].view({6, 4}) * 2; }},
      {"reshape_t", [](const std::vector<Tensor>& v) { return v[0].transpose(0, 2).reshape({-1}); }},
      {"permute", [](const std::vector<Tensor>& v) { return v[0].permute({2, 0, 1}).contiguous(); }},
      {"t", [](const std::vector<Tensor>& v) { return v[0].select(0, 1).t() * 3; }},
      {"squeeze", [](const std::vector<Tensor>& v) { return v[0].unsqueeze(1).squeeze(); }},
      {"expand", [](const std::vector<Tensor>& v) { return v[0].narrow(0, 0, 1).expand({5, 3, 4}); }},
      {"slice", [](const std::vector<Tensor>& v) { return v[0].slice(2, 1, 4, 2); }},
      {"select", [](const std::vector<Tensor>& v) { return v[0].select(-1, -1); }},
      {"diagonal", [](const std::vector<Tensor>& v) { return v[0].diagonal(1, 1, 2); }},
      {"as_strided", [](const std::vector<Tensor>& v) { return v[0].as_strided({3, 3}, {4, 1}, 2); }},
      {"cat", [](const std::vector<Tensor>& v) { return cat({v[0], v[0] * 2}, 1); }},
      {"stack", [](const std::vector<Tensor>& v) { return stack({v[0], v[0].sin()}, 2); }},
      {"flip", [](const std::vector<Tensor>& v) { return v[0].flip({0, 2}); }},
      {"repeat", [](const std::vector<Tensor>& v) { return v[0].repeat({2, 1, 1, 2}); }},
      {"split", [](const std::vector<Tensor>& v) { return v[0].split(2, 2)[1] * v[0].chunk(2, 2)[0]; }},
      {"unbind", [](const std::vector<Tensor>& v) { return v[0].unbind(1)[2]; }},
      {"flatten", [](const std::vector<Tensor>& v) { return v[0].flatten(1).unflatten(1, {4, 3}); }},
      {"movedim", [](const std::vector<Tensor>& v) { return v[0].movedim(0, 2) * 1.0; }},
  };
  for (auto& [name, f] : fns) {
    EXPECT_TRUE(gradcheck(f, {x}, 1e-6, 1e-4)) << name;
  }
  // A dtype round trip: the gradient comes back in the input's dtype.
  Tensor y = ones({3}, kFloat64).requires_grad_();
  (y.to(kFloat32) * 2).sum().backward();
  EXPECT_EQ(y.grad().dtype(), kFloat64);
  EXPECT_TRUE(allclose(y.grad(), full({3}, 2.0, kFloat64)));
  EXPECT_EQ(y.to(kFloat32).grad_fn()->name(), "ToCopyBackward0");
}

// ---- custom functions -------------------------------------------------------------------
namespace {
using autograd::AutogradContext;
using autograd::variable_list;

struct ScaledCube : autograd::Function<ScaledCube> {
  static Tensor forward(AutogradContext* ctx, Tensor x, double k) {
    ctx->save_for_backward({x});
    ctx->saved_data["k"] = k;
    return x * x * x * k;
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    Tensor x = ctx->get_saved_variables()[0];
    double k = ctx->saved_data["k"].toDouble();
    return {grads[0] * 3 * k * x * x, Tensor()};
  }
};

struct AddOneInPlace : autograd::Function<AddOneInPlace> {
  static Tensor forward(AutogradContext* ctx, Tensor x) {
    x.add_(1);
    ctx->mark_dirty({x});
    return x;
  }
  static variable_list backward(AutogradContext*, variable_list grads) { return {grads[0]}; }
};

struct SortedWithIndex : autograd::Function<SortedWithIndex> {
  static variable_list forward(AutogradContext* ctx, Tensor x) {
    Tensor idx = arange(x.numel());
    ctx->mark_non_differentiable({idx});
    ctx->save_for_backward({x});
    return {x * 2, idx};
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    EXPECT_TRUE(ctx->needs_input_grad(0));
    return {grads[0] * 2};
  }
};
}  // namespace

TEST(AutogradCustomFunction, ForwardBackwardAndDoubleBackward) {
  Tensor x = tensor({1.0, 2.0}).requires_grad_();
  Tensor y = ScaledCube::apply(x, 2.0);
  EXPECT_TRUE(allclose(y, tensor({2.0, 16.0})));
  EXPECT_FALSE(y.is_leaf());
  auto g = autograd::grad({y.sum()}, {x}, {}, std::nullopt, true);
  EXPECT_TRUE(allclose(g[0], tensor({6.0, 24.0})));
  auto gg = autograd::grad({g[0].sum()}, {x});
  EXPECT_TRUE(allclose(gg[0], tensor({12.0, 24.0})));  // 6 k x
  Fn f = [](const std::vector<Tensor>& v) { return ScaledCube::apply(v[0], 0.5); };
  EXPECT_TRUE(gradcheck(f, {leaf(tensor({0.3, -1.2, 2.0}))}));
}

TEST(AutogradCustomFunction, DirtyAndNonDifferentiable) {
  Tensor x = tensor({1.0, 2.0}).requires_grad_();
  Tensor y = x * 1;
  Tensor z = AddOneInPlace::apply(y);
  EXPECT_TRUE(allclose(y, tensor({2.0, 3.0})));
  (z * z).sum().backward();
  EXPECT_TRUE(allclose(x.grad(), tensor({4.0, 6.0})));
  auto outs = SortedWithIndex::apply(x);
  EXPECT_TRUE(outs[0].requires_grad());
  EXPECT_FALSE(outs[1].requires_grad());
  EXPECT_THROW(AddOneInPlace::apply(x), Error);  // in place on a leaf that requires grad
}

// prod over a dim and cumprod with zeros in the input: the product of the other elements
// (not y / x, which is 0/0 there), checked by finite differences and against PyTorch's
// values: for [[2, 0], [3, 4]].prod(1) the gradient is [[0, 2], [4, 3]]; for
// cumprod([2, 0, 3, 4]).sum() it is [1, 32, 0, 0].
TEST(Autograd, ProdAndCumprodWithZeros) {
  Tensor z = leaf(tensor({{2.0, 0.0}, {3.0, 4.0}}));
  z.prod(1).sum().backward();
  EXPECT_TRUE(equal(z.grad(), tensor({{0.0, 2.0}, {4.0, 3.0}}, kFloat64)));
  Tensor c = leaf(tensor({2.0, 0.0, 3.0, 4.0}));
  c.cumprod(0).sum().backward();
  EXPECT_TRUE(equal(c.grad(), tensor({1.0, 32.0, 0.0, 0.0}, kFloat64)));
  // Rows with no zero, one zero (first, middle, last) and two zeros, along both dims.
  Tensor x = leaf(tensor({{1.5, -0.5, 2.0, 0.7},
                          {0.0, 1.2, -1.1, 0.9},
                          {1.3, 0.0, 0.8, -1.4},
                          {0.6, 1.1, -0.7, 0.0},
                          {0.0, 2.1, 0.0, 1.7}}));
  for (int64_t d : {0, 1}) {
    EXPECT_TRUE(gradcheck([d](const std::vector<Tensor>& in) { return in[0].prod(d); }, {x})) << d;
    EXPECT_TRUE(gradcheck([d](const std::vector<Tensor>& in) { return in[0].cumprod(d); }, {x})) << d;
    EXPECT_TRUE(gradgradcheck([d](const std::vector<Tensor>& in) { return in[0].prod(d, true); }, {x})) << d;
    EXPECT_TRUE(gradgradcheck([d](const std::vector<Tensor>& in) { return in[0].cumprod(d); }, {x})) << d;
  }
}

// squeeze() and squeeze(dim) are different nodes in PyTorch's graph.
TEST(Autograd, SqueezeNodeNames) {
  Tensor x = leaf(zeros({2, 1, 3}));
  EXPECT_EQ(x.squeeze().grad_fn()->name(), "SqueezeBackward0");
  EXPECT_EQ(x.squeeze(1).grad_fn()->name(), "SqueezeBackward1");
  EXPECT_EQ(x.squeeze(0).grad_fn()->name(), "SqueezeBackward1");  // a no-op squeeze is still a node
  x.squeeze(1).sum().backward();
  EXPECT_TRUE(equal(x.grad(), ones({2, 1, 3}, kFloat64)));
}
