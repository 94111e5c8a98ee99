// The LibTorch spellings of issue 19 in ember's own API: assignment to temporary tensors,
// data<T>(), in-place comparisons, to(DeviceType), the short dtype names, optional/str,
// ember::cuda, and custom Functions returning trailing undefined gradients.
#include <gtest/gtest.h>

#include <ember/ember.h>

#include "error_of.h"

using namespace ember;

// Note [Assignment to a temporary tensor]: p.grad().data() = g writes into the gradient.
TEST(CompatApi, AssignToGradDataWritesIntoTheGradient) {
  Tensor p = ones({3}, requires_grad());
  (p * p).sum().backward();
  Tensor before = p.grad();
  p.grad().data() = p.grad().data() / 2;
  EXPECT_TRUE(p.grad().is_same(before));
  EXPECT_TRUE(p.grad().allclose(full({3}, 1.0)));
}

TEST(CompatApi, AssignToIndexedRowCopiesOrFills) {
  Tensor t = zeros({3, 4});
  t[1] = arange(4, kFloat);
  t[2][3] = 7;
  t[0] = 2.5;
  EXPECT_TRUE(t[1].equal(arange(4, kFloat)));
  EXPECT_EQ(t[2][3].item<float>(), 7.0f);
  EXPECT_TRUE(t[0].equal(full({4}, 2.5)));
  EXPECT_EQ(t.sum().item<float>(), 6.0f + 7.0f + 10.0f);
  // The source broadcasts and is cast, as copy_ does.
  t[2] = tensor({1}, kInt64);
  EXPECT_TRUE(t[2].equal(ones({4})));
  // A source that does not broadcast to the row is refused.
  EXPECT_NE(error_of([&] { t[0] = ones({5}); }), "");
}

TEST(CompatApi, AssignToNamedTensorRebinds) {
  Tensor a = zeros({2});
  Tensor b = ones({2});
  a = b;
  EXPECT_TRUE(a.is_same(b));
  Tensor c = zeros({2});
  c = std::move(b);
  EXPECT_TRUE(c.is_same(a));
  EXPECT_FALSE(b.defined());
  // Writing through index(): a temporary view.
  Tensor d = zeros({4});
  d.index({indexing::Slice(1, 3)}) = full({2}, 5.0);
  EXPECT_EQ(d.sum().item<float>(), 10.0f);
}

TEST(CompatApi, DataIsDataPtr) {
  Tensor t = arange(6, kF32);
  EXPECT_EQ(t.data<float>(), t.data_ptr<float>());
  EXPECT_EQ(t.data<float>()[5], 5.0f);
  EXPECT_EQ(error_of([&] { t.data<double>(); }), "expected scalar type Double but found Float");
  // data() without a type is still the detached tensor.
  EXPECT_FALSE(t.data().requires_grad());
}

TEST(CompatApi, InPlaceComparisonsKeepSelfDtype) {
  Tensor a = arange(5, kF64);
  Tensor& r = a.lt_(2);
  EXPECT_TRUE(r.is_same(a));
  EXPECT_EQ(a.dtype(), kF64);
  EXPECT_TRUE(a.equal(tensor({1.0, 1.0, 0.0, 0.0, 0.0}, kF64)));

  Tensor b = tensor({1, 2, 3, 4}, kI64);
  b.eq_(tensor({1, 0, 3, 0}, kI64));
  EXPECT_TRUE(b.equal(tensor({1, 0, 1, 0}, kI64)));
  Tensor c = tensor({{1.0, 5.0}, {3.0, 0.0}});
  c.ge_(tensor({2.0, 1.0}));  // broadcast other
  EXPECT_TRUE(c.equal(tensor({{0.0, 1.0}, {1.0, 0.0}})));
  Tensor d = tensor({1.0, 2.0});
  d.ne_(2.0);
  EXPECT_TRUE(d.equal(tensor({1.0, 0.0})));
  Tensor e = tensor({1.0, 2.0});
  e.gt_(1.0);
  EXPECT_TRUE(e.equal(tensor({0.0, 1.0})));
  Tensor f = tensor({1.0, 2.0});
  f.le_(1.0);
  EXPECT_TRUE(f.equal(tensor({1.0, 0.0})));
  // The result must fit self's shape, as in PyTorch.
  Tensor g = zeros({2});
  EXPECT_EQ(error_of([&] { g.eq_(zeros({2, 2})); }),
            "output with shape [2] doesn't match the broadcast shape [2, 2]");
}

TEST(CompatApi, ToDeviceType) {
  Tensor t = ones({2});
  EXPECT_TRUE(t.to(kCPU).is_same(t));
  Tensor d = t.to(kCPU, kF64);
  EXPECT_EQ(d.dtype(), kF64);
  EXPECT_TRUE(t.to(kCPU, std::nullopt, false, /*copy=*/true).equal(t));
  EXPECT_FALSE(t.to(kCPU, std::nullopt, false, /*copy=*/true).is_same(t));
}

TEST(CompatApi, ShortDtypeNames) {
  EXPECT_EQ(kU8, kUInt8);
  EXPECT_EQ(kI8, kInt8);
  EXPECT_EQ(kI16, kInt16);
  EXPECT_EQ(kI32, kInt32);
  EXPECT_EQ(kI64, kLong);
  EXPECT_EQ(kF16, kHalf);
  EXPECT_EQ(kF32, kFloat);
  EXPECT_EQ(kF64, kDouble);
  EXPECT_EQ(zeros({1}, kU8).dtype(), ScalarType::UInt8);
}

TEST(CompatApi, OptionalAndStr) {
  ember::optional<size_t> size = ember::nullopt;
  EXPECT_FALSE(size.has_value());
  size = 4;
  EXPECT_EQ(size.value(), 4u);
  EXPECT_EQ(ember::str("dcgan-sample-", 3, ".pt"), "dcgan-sample-3.pt");
  EXPECT_EQ(ember::str(kFloat, "/", Device(kCPU)), "Float/cpu");
  EXPECT_EQ(ember::str(), "");
}

TEST(CompatApi, CudaWithoutCuda) {
  EXPECT_FALSE(cuda::is_available());
  EXPECT_EQ(cuda::device_count(), 0u);
  // Seeding CUDA leaves the CPU generator alone, as in LibTorch.
  manual_seed(5);
  Tensor a = randn({3});
  manual_seed(5);
  cuda::manual_seed(11);
  cuda::manual_seed_all(11);
  EXPECT_TRUE(randn({3}).equal(a));
}

namespace {
// LibTorch's autograd example: a defaulted bias whose gradient backward returns undefined.
struct LinearFn : autograd::Function<LinearFn> {
  static Tensor forward(autograd::AutogradContext* ctx, Tensor input, Tensor weight, Tensor bias = Tensor()) {
    ctx->save_for_backward({input, weight, bias});
    Tensor out = input.mm(weight.t());
    if (bias.defined()) out += bias.unsqueeze(0).expand_as(out);
    return out;
  }
  static autograd::tensor_list backward(autograd::AutogradContext* ctx, autograd::tensor_list grads) {
    auto saved = ctx->get_saved_variables();
    Tensor grad_bias;
    if (saved[2].defined()) grad_bias = grads[0].sum(0);
    return {grads[0].mm(saved[1]), grads[0].t().mm(saved[0]), grad_bias};
  }
};
// Returns a defined gradient too many.
struct TooMany : autograd::Function<TooMany> {
  static Tensor forward(autograd::AutogradContext*, Tensor x) { return x * 2; }
  static autograd::tensor_list backward(autograd::AutogradContext*, autograd::tensor_list grads) {
    return {grads[0] * 2, grads[0]};
  }
};
}  // namespace

TEST(CompatApi, CustomFunctionDropsTrailingUndefinedGradients) {
  Tensor x = randn({2, 3}, requires_grad());
  Tensor w = randn({4, 3}, requires_grad());
  LinearFn::apply(x, w).sum().backward();
  EXPECT_TRUE(x.grad().allclose(ones({2, 4}).mm(w.detach())));
  EXPECT_TRUE(w.grad().allclose(ones({4, 2}).mm(x.detach())));
  Tensor b = randn({4}, requires_grad());
  LinearFn::apply(x, w, b).sum().backward();
  EXPECT_TRUE(b.grad().allclose(full({4}, 2.0)));
}

TEST(CompatApi, CustomFunctionRefusesTrailingDefinedGradients) {
  Tensor x = randn({2}, requires_grad());
  std::string message = error_of([&] { TooMany::apply(x).sum().backward(); });
  EXPECT_NE(message.find("returned an incorrect number of gradients (expected 1, got 2)"), std::string::npos)
      << message;
}
