// Automatic mixed precision in C++: the autocast state and guard, every row of the policy table
// (ember/ops/autocast_list.h), the weight-cast cache, gradients through autocast, and
// ember::amp::GradScaler with its two primitives. tests/python/test_amp.py compares the same
// behaviour with torch 1.13 itself.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <thread>

#include <ember/ember.h>

#include "tests/cpp/error_of.h"

namespace {

using namespace ember;
namespace ac = ember::autocast;
namespace F = ember::nn::functional;

Tensor rnd(ScalarType dt, IntArrayRef shape) { return rand(shape).add_(0.1).to(dt); }

// One call per row; a switch without default, so a new row does not build without its sample.
Tensor row_sample(ac::Op op, ScalarType dt) {
  auto mk = [dt](IntArrayRef s) { return rnd(dt, s); };
  switch (op) {
    case ac::Op::conv1d: return conv1d(mk({1, 2, 8}), mk({3, 2, 3}), mk({3}));
    case ac::Op::conv2d: return conv2d(mk({1, 2, 6, 6}), mk({3, 2, 3, 3}), mk({3}), 1, 1);
    case ac::Op::bmm: return bmm(mk({2, 3, 4}), mk({2, 4, 5}));
    case ac::Op::mm: return mm(mk({3, 4}), mk({4, 5}));
    case ac::Op::baddbmm: return baddbmm(mk({2, 3, 5}), mk({2, 3, 4}), mk({2, 4, 5}));
    case ac::Op::addmm: return addmm(mk({3, 5}), mk({3, 4}), mk({4, 5}));
    case ac::Op::linear: return linear(mk({3, 4}), mk({5, 4}), mk({5}));
    case ac::Op::matmul: return matmul(mk({2, 3, 4}), mk({4, 5}));
    case ac::Op::conv_transpose1d: return conv_transpose1d(mk({1, 2, 5}), mk({2, 3, 3}));
    case ac::Op::conv_transpose2d: return conv_transpose2d(mk({1, 2, 4, 4}), mk({2, 3, 3, 3}));
    case ac::Op::prod: return prod(mk({3, 4}), 1);
    case ac::Op::reflection_pad: return F::pad(mk({1, 2, 4, 4}), F::PadFuncOptions({1, 1, 1, 1}).mode(kReflect));
    case ac::Op::replication_pad: return F::pad(mk({1, 2, 4}), F::PadFuncOptions({1, 2}).mode(kReplicate));
    case ac::Op::mse_loss: return F::mse_loss(mk({3, 2}), mk({3, 2}));
    case ac::Op::l1_loss: return F::l1_loss(mk({3}), mk({3}));
    case ac::Op::smooth_l1_loss: return F::smooth_l1_loss(mk({3}), mk({3}));
    case ac::Op::huber_loss: return F::huber_loss(mk({3}), mk({3}));
    case ac::Op::nll_loss: return F::nll_loss(mk({3, 4}), tensor({0, 1, 3}, kLong));
    case ac::Op::cross_entropy: return F::cross_entropy(mk({3, 4}), tensor({0, 1, 3}, kLong));
    case ac::Op::binary_cross_entropy: return F::binary_cross_entropy(mk({3}).clamp(0, 1), mk({3}).clamp(0, 1));
    case ac::Op::binary_cross_entropy_with_logits: return F::binary_cross_entropy_with_logits(mk({3}), mk({3}));
    case ac::Op::kl_div: return F::kl_div(mk({3}), mk({3}));
    case ac::Op::margin_ranking_loss: return F::margin_ranking_loss(mk({3}), mk({3}), ones({3}));
    case ac::Op::cosine_embedding_loss: return F::cosine_embedding_loss(mk({3, 4}), mk({3, 4}), ones({3}));
    case ac::Op::stack: return stack({mk({3}), mk({3})});
  }
  return {};
}

std::vector<ac::Op> all_rows() {
  return {
#define EMBER_TEST_ROW_(name, policy) ac::Op::name,
      EMBER_AUTOCAST_OPS(EMBER_TEST_ROW_)
#undef EMBER_TEST_ROW_
  };
}

TEST(Autocast, DefaultsAndFreeFunctions) {
  EXPECT_FALSE(ac::is_cpu_enabled());
  EXPECT_FALSE(ac::is_enabled());
  EXPECT_EQ(ac::get_autocast_cpu_dtype(), kBFloat16);
  EXPECT_EQ(ac::get_autocast_gpu_dtype(), kHalf);
  EXPECT_TRUE(ac::is_autocast_cache_enabled());
  ac::set_cpu_enabled(true);
  EXPECT_TRUE(ac::is_cpu_enabled() && ac::is_autocast_enabled(kCPU) && !ac::is_enabled());
  EXPECT_EQ(mm(ones({2, 2}), ones({2, 2})).dtype(), kBFloat16);
  ac::set_cpu_enabled(false);
  EXPECT_EQ(mm(ones({2, 2}), ones({2, 2})).dtype(), kFloat);
  EXPECT_EQ(ac::increment_nesting(), 1);
  EXPECT_EQ(ac::decrement_nesting(), 0);
  EXPECT_EQ(error_of([] { ac::set_autocast_cpu_dtype(kHalf); }),
            "Currently, AutocastCPU only support Bfloat16 as the autocast_cpu_dtype");
  EXPECT_EQ(error_of([] { ac::set_autocast_cpu_dtype(kFloat); }),
            "Currently, AutocastCPU only support Bfloat16 as the autocast_cpu_dtype");
  EXPECT_EQ(ac::get_autocast_cpu_dtype(), kBFloat16);
}

TEST(Autocast, EveryRowFollowsItsPolicy) {
  ac::AutocastGuard guard(kCPU);
  for (ac::Op op : all_rows()) {
    SCOPED_TRACE(ac::op_name(op));
    ScalarType from_f32 = row_sample(op, kFloat).dtype();
    ScalarType from_bf16 = row_sample(op, kBFloat16).dtype();
    switch (ac::policy_of(op)) {
      case ac::CastPolicy::lower_precision_fp:
        EXPECT_EQ(from_f32, kBFloat16);
        EXPECT_EQ(from_bf16, kBFloat16);
        break;
      case ac::CastPolicy::fp32:
        EXPECT_EQ(from_f32, kFloat);
        EXPECT_EQ(from_bf16, kFloat);
        break;
      case ac::CastPolicy::promote:
        EXPECT_EQ(from_f32, kFloat);
        EXPECT_EQ(from_bf16, kBFloat16);
        EXPECT_EQ(stack({ones({2}), ones({2}).to(kBFloat16)}).dtype(), kFloat);
        break;
    }
  }
  EXPECT_EQ(ac::policy_table().size(), all_rows().size());
}

TEST(Autocast, RowsAreUntouchedWhenDisabled) {
  for (ac::Op op : all_rows()) {
    SCOPED_TRACE(ac::op_name(op));
    EXPECT_EQ(row_sample(op, kFloat).dtype(), kFloat);
  }
}

TEST(Autocast, OpsOutsideTheTableKeepTheirDtype) {
  ac::AutocastGuard guard(kCPU);
  Tensor a = ones({3, 4}), v = ones({4});
  EXPECT_EQ((a + a).dtype(), kFloat);
  EXPECT_EQ(mv(a, v).dtype(), kFloat);
  EXPECT_EQ(dot(v, v).dtype(), kFloat);
  EXPECT_EQ(outer(v, v).dtype(), kFloat);
  EXPECT_EQ(bilinear(ones({2, 4}), ones({2, 3}), ones({5, 4, 3})).dtype(), kFloat);
  EXPECT_EQ(softmax(a, 1).dtype(), kFloat);
  EXPECT_EQ(cat({a, a}).dtype(), kFloat);
  EXPECT_EQ(a.sum().dtype(), kFloat);
  EXPECT_EQ(F::max_pool2d(ones({1, 2, 4, 4}), F::MaxPool2dFuncOptions(2)).dtype(), kFloat);
  // matmul is in the table (1-D cases too), its mv and dot cases run in bfloat16 as torch's do
  EXPECT_EQ(matmul(a, v).dtype(), kBFloat16);
  EXPECT_EQ(matmul(v, v).dtype(), kBFloat16);
}

TEST(Autocast, Float64IntegersAndPromotion) {
  ac::AutocastGuard guard(kCPU);
  EXPECT_EQ(mm(ones({2, 2}, kDouble), ones({2, 2}, kDouble)).dtype(), kDouble);
  EXPECT_EQ(mm(ones({2, 2}, kLong), ones({2, 2}, kLong)).dtype(), kLong);
  EXPECT_EQ(F::mse_loss(ones({2}, kDouble), ones({2}, kDouble)).dtype(), kDouble);
  EXPECT_EQ(mm(ones({2, 2}, kHalf), ones({2, 2})).dtype(), kBFloat16);
  EXPECT_EQ(stack({ones({2}, kDouble), ones({2}, kBFloat16)}).dtype(), kDouble);
  EXPECT_EQ(error_of([] { stack({ones({2}, kHalf), ones({2}, kBFloat16)}); }),
            "Unexpected floating ScalarType in at::autocast::prioritize");
}

TEST(Autocast, GuardNestingAndDisabledRegions) {
  Tensor a = ones({2, 2});
  {
    ac::AutocastGuard outer(kCPU);
    EXPECT_TRUE(ac::is_cpu_enabled());
    EXPECT_EQ(mm(a, a).dtype(), kBFloat16);
    {
      ac::AutocastGuard off(kCPU, std::nullopt, /*enabled=*/false, /*cache_enabled=*/false);
      EXPECT_FALSE(ac::is_cpu_enabled());
      EXPECT_FALSE(ac::is_autocast_cache_enabled());
      EXPECT_EQ(mm(a, a).dtype(), kFloat);
      {
        ac::AutocastGuard on(kCPU, kBFloat16);
        EXPECT_EQ(mm(a, a).dtype(), kBFloat16);
        EXPECT_EQ(ac::increment_nesting(), 4);
        ac::decrement_nesting();
      }
      EXPECT_EQ(mm(a, a).dtype(), kFloat);
    }
    EXPECT_TRUE(ac::is_autocast_cache_enabled());
    EXPECT_EQ(mm(a, a).dtype(), kBFloat16);
  }
  EXPECT_FALSE(ac::is_cpu_enabled());
  EXPECT_EQ(ac::increment_nesting(), 1);
  ac::decrement_nesting();
  // No CUDA in this build: a CUDA region is a disabled one (torch warns and disables).
  {
    ac::AutocastGuard cuda(kCUDA);
    EXPECT_FALSE(ac::is_enabled());
  }
  EXPECT_EQ(error_of([] { ac::AutocastGuard g(kCPU, kHalf); }),
            "Currently, AutocastCPU only support Bfloat16 as the autocast_cpu_dtype");
  EXPECT_EQ(error_of([] { ac::AutocastGuard g(kPrivateUse1); }),
            "User specified autocast device_type must be 'cuda' or 'cpu'");
  EXPECT_FALSE(ac::is_cpu_enabled());
  EXPECT_EQ(ac::increment_nesting(), 1);  // refused guards changed nothing
  ac::decrement_nesting();
}

TEST(Autocast, StateIsPerThread) {
  ac::AutocastGuard guard(kCPU);
  bool other_enabled = true;
  ScalarType other_dtype = kFloat;
  std::thread t([&] {
    other_enabled = ac::is_cpu_enabled();
    other_dtype = mm(ones({2, 2}), ones({2, 2})).dtype();
  });
  t.join();
  EXPECT_FALSE(other_enabled);
  EXPECT_EQ(other_dtype, kFloat);
}

TEST(Autocast, WeightCastCache) {
  nn::Linear lin(4, 3);
  Tensor x = randn({2, 4});
  ASSERT_EQ(ac::cache_size(), 0u);
  {
    ac::AutocastGuard guard(kCPU);
    Tensor y1 = lin->forward(x);
    EXPECT_EQ(ac::cache_size(), 2u);  // weight and bias; x does not require grad
    Tensor w_cast = ac::cached_cast(kBFloat16, lin->weight);
    EXPECT_EQ(w_cast.unsafeGetTensorImpl(), ac::cached_cast(kBFloat16, lin->weight).unsafeGetTensorImpl());
    lin->forward(x);
    EXPECT_EQ(ac::cache_size(), 2u);
    {
      ac::AutocastGuard inner(kCPU);
    }
    EXPECT_EQ(ac::cache_size(), 2u);  // only the outermost exit clears
    Tensor non_leaf = lin->weight * 1;
    ac::cached_cast(kBFloat16, non_leaf);
    ac::cached_cast(kBFloat16, lin->weight.narrow(0, 0, 1));  // a view
    ac::cached_cast(kBFloat16, ones({2}));                    // no grad
    ac::cached_cast(kFloat, lin->weight.to(kBFloat16).detach().requires_grad_());  // not to the autocast dtype
    EXPECT_EQ(ac::cache_size(), 2u);
    // casts that do nothing return the argument itself
    EXPECT_EQ(ac::cached_cast(kFloat, lin->weight).unsafeGetTensorImpl(), lin->weight.unsafeGetTensorImpl());
    Tensor d = ones({2}, kDouble);
    EXPECT_EQ(ac::cached_cast(kBFloat16, d).unsafeGetTensorImpl(), d.unsafeGetTensorImpl());
  }
  EXPECT_EQ(ac::cache_size(), 0u);
  {
    ac::AutocastGuard guard(kCPU, std::nullopt, true, /*cache_enabled=*/false);
    lin->forward(x);
    EXPECT_EQ(ac::cache_size(), 0u);
  }
}

TEST(Autocast, GradientsArriveInTheParametersDtype) {
  manual_seed(0);
  nn::Sequential model(nn::Linear(6, 8), nn::ReLU(), nn::Linear(8, 3));
  Tensor x = randn({5, 6});
  Tensor target = tensor({0, 1, 2, 1, 0}, kLong);
  // float32 reference
  F::cross_entropy(model->forward(x), target).backward();
  std::vector<Tensor> ref;
  for (auto& p : model->parameters()) ref.push_back(p.grad().clone());
  model->zero_grad();
  Tensor loss;
  {
    ac::AutocastGuard guard(kCPU);
    Tensor out = model->forward(x);
    EXPECT_EQ(out.dtype(), kBFloat16);
    loss = F::cross_entropy(out, target);
    EXPECT_EQ(loss.dtype(), kFloat);
  }
  loss.backward();
  auto params = model->parameters();
  for (size_t i = 0; i < params.size(); ++i) {
    ASSERT_EQ(params[i].grad().dtype(), kFloat);
    EXPECT_TRUE(allclose(params[i].grad(), ref[i], 0.05, 0.02)) << i;
  }
}

TEST(Autocast, UnderNoGrad) {
  nn::Linear lin(4, 2);
  NoGradGuard no_grad;
  ac::AutocastGuard guard(kCPU);
  Tensor y = lin->forward(ones({3, 4}));
  EXPECT_EQ(y.dtype(), kBFloat16);
  EXPECT_FALSE(y.requires_grad());
}

TEST(Autocast, BFloat16ValuesAgainstFloat32) {
  manual_seed(1);
  Tensor a = randn({16, 32}), b = randn({32, 8});
  Tensor ref = mm(a, b);
  ac::AutocastGuard guard(kCPU);
  Tensor got = mm(a, b);
  ASSERT_EQ(got.dtype(), kBFloat16);
  EXPECT_TRUE(allclose(got.to(kFloat), ref, 0.03, 0.1));
  EXPECT_TRUE(allclose(linear(a, b.t()).to(kFloat), ref, 0.03, 0.1));
}

// ---- GradScaler ------------------------------------------------------------------------------

// The scale and growth tracker after each update, by the rules of torch's _amp_update_scale_
// (torch 1.13 cannot run it on the CPU; tests/python/test_amp.py says more).
std::vector<std::pair<double, int64_t>> reference_schedule(double init, double growth, double backoff,
                                                          int64_t interval, const std::vector<bool>& infs) {
  float scale = static_cast<float>(init);
  int64_t tracker = 0;
  std::vector<std::pair<double, int64_t>> out;
  for (bool inf : infs) {
    if (inf) {
      scale = static_cast<float>(scale * backoff);
      tracker = 0;
    } else if (++tracker == interval) {
      float grown = static_cast<float>(scale * growth);
      if (std::isfinite(grown)) scale = grown;
      tracker = 0;
    }
    out.emplace_back(scale, tracker);
  }
  return out;
}

TEST(GradScaler, DefaultsAndStateDict) {
  amp::GradScaler s;
  EXPECT_TRUE(s.is_enabled());
  EXPECT_EQ(s.get_scale(), 65536.0);
  EXPECT_EQ(s.get_growth_factor(), 2.0);
  EXPECT_EQ(s.get_backoff_factor(), 0.5);
  EXPECT_EQ(s.get_growth_interval(), 2000);
  EXPECT_EQ(s.get_growth_tracker(), 0);
  auto sd = s.state_dict();
  EXPECT_EQ(sd.size(), 5u);
  EXPECT_EQ(sd.at("scale"), 65536.0);
  EXPECT_EQ(sd.at("_growth_tracker"), 0.0);
  amp::GradScaler t(amp::GradScalerOptions().init_scale(4).growth_interval(3));
  t.load_state_dict(sd);
  EXPECT_EQ(t.state_dict(), sd);
  EXPECT_EQ(error_of([&] { t.load_state_dict({}); }),
            "The source state dict is empty, possibly because it was saved from a disabled instance of GradScaler.");
  EXPECT_TRUE(amp::GradScaler(amp::GradScalerOptions().enabled(false)).state_dict().empty());
  EXPECT_EQ(error_of([] { amp::GradScaler(amp::GradScalerOptions().growth_factor(1.0)); }),
            "The growth factor must be > 1.0.");
}

TEST(GradScaler, ScheduleAndStepSkipping) {
  const std::vector<bool> infs = {false, false, false, true, false, false, false, false, true, true, false, false};
  auto expect = reference_schedule(1024, 2, 0.5, 3, infs);
  manual_seed(0);
  nn::Linear model(3, 2);
  optim::SGD opt(model->parameters(), optim::SGDOptions(0.1));
  amp::GradScaler scaler(1024.0, 2.0, 0.5, 3);
  for (size_t i = 0; i < infs.size(); ++i) {
    SCOPED_TRACE(i);
    opt.zero_grad();
    Tensor x = infs[i] ? full({4, 3}, std::numeric_limits<float>::infinity()) : ones({4, 3});
    const double s = scaler.get_scale();
    Tensor loss = model->forward(x).sum();
    scaler.scale(loss).backward();
    Tensor w = model->weight.detach().clone();
    Tensor gw = model->weight.grad().clone() / s;
    scaler.step(opt);
    if (infs[i]) {
      EXPECT_TRUE(equal(w, model->weight.detach()));
    } else {
      EXPECT_TRUE(allclose(model->weight.detach(), w - 0.1 * gw, 1e-6, 1e-7));
    }
    scaler.update();
    EXPECT_EQ(scaler.get_scale(), expect[i].first);
    EXPECT_EQ(scaler.get_growth_tracker(), expect[i].second);
  }
}

TEST(GradScaler, StagesAndErrors) {
  nn::Linear model(3, 2);
  optim::SGD opt(model->parameters(), optim::SGDOptions(0.1));
  amp::GradScaler scaler(8.0);
  EXPECT_NE(error_of([&] { scaler.unscale_(opt); }).find("Attempted unscale_ but _scale is None."),
            std::string::npos);
  scaler.scale(model->forward(ones({2, 3})).sum()).backward();
  Tensor raw = model->weight.grad().clone();
  scaler.unscale_(opt);
  EXPECT_TRUE(equal(model->weight.grad(), raw * 0.125));
  EXPECT_EQ(error_of([&] { scaler.unscale_(opt); }),
            "unscale_() has already been called on this optimizer since the last update().");
  scaler.step(opt);
  EXPECT_EQ(error_of([&] { scaler.unscale_(opt); }), "unscale_() is being called after step().");
  EXPECT_EQ(error_of([&] { scaler.step(opt); }), "step() has already been called since the last update().");
  scaler.update();
  EXPECT_EQ(scaler.get_growth_tracker(), 1);
  scaler.update(16.0);
  EXPECT_EQ(scaler.get_scale(), 16.0);
  scaler.update(tensor({32.0f}));
  EXPECT_EQ(scaler.get_scale(), 32.0);
  // disabled: a pass-through
  amp::GradScaler off(amp::GradScalerOptions().enabled(false));
  Tensor l = model->forward(ones({1, 3})).sum();
  EXPECT_EQ(off.scale(l).unsafeGetTensorImpl(), l.unsafeGetTensorImpl());
  EXPECT_EQ(off.get_scale(), 1.0);
}

TEST(GradScaler, NaNGradientsAndGrowthOverflow) {
  nn::Linear model(3, 2);
  optim::SGD opt(model->parameters(), optim::SGDOptions(0.1));
  amp::GradScaler scaler(std::ldexp(1.0, 127), 2.0, 0.5, 1);
  scaler.scale(model->forward(ones({1, 3})).sum()).backward();
  scaler.step(opt);
  scaler.update();
  EXPECT_EQ(scaler.get_scale(), std::ldexp(1.0, 127));  // 2^128 overflows float32: kept
  opt.zero_grad();
  scaler.scale(model->forward(full({1, 3}, std::nan(""))).sum()).backward();
  Tensor w = model->weight.detach().clone();
  scaler.step(opt);
  EXPECT_TRUE(equal(w, model->weight.detach()));
  scaler.update();
  EXPECT_EQ(scaler.get_scale(), std::ldexp(1.0, 126));
}

TEST(GradScaler, Primitives) {
  std::vector<Tensor> grads = {tensor({1.0f, 2.0f}), tensor({4.0f})};
  Tensor found = zeros({1}), inv = full({1}, 0.5);
  _amp_foreach_non_finite_check_and_unscale_(grads, found, inv);
  EXPECT_EQ(found.item<float>(), 0.0f);
  EXPECT_TRUE(equal(grads[0], tensor({0.5f, 1.0f})));
  EXPECT_TRUE(equal(grads[1], tensor({2.0f})));
  grads.push_back(tensor({std::numeric_limits<float>::infinity()}));
  _amp_foreach_non_finite_check_and_unscale_(grads, found, inv);
  EXPECT_EQ(found.item<float>(), 1.0f);
  EXPECT_TRUE(equal(grads[0], tensor({0.25f, 0.5f})));  // unscaled even so, as torch does
  Tensor scale = full({1}, 4.0), tracker = zeros({1}, kInt);
  _amp_update_scale_(scale, tracker, zeros({1}), 2.0, 0.5, 2);
  EXPECT_EQ(tracker.item<int64_t>(), 1);
  _amp_update_scale_(scale, tracker, zeros({1}), 2.0, 0.5, 2);
  EXPECT_EQ(scale.item<float>(), 8.0f);
  EXPECT_EQ(tracker.item<int64_t>(), 0);
  _amp_update_scale_(scale, tracker, ones({1}), 2.0, 0.5, 2);
  EXPECT_EQ(scale.item<float>(), 4.0f);
  EXPECT_EQ(error_of([&] { _amp_update_scale_(scale, scale, ones({1}), 2.0, 0.5, 2); }),
            "_amp_update_scale_: growth_tracker must be a 1-element int32 tensor.");
}

}  // namespace
