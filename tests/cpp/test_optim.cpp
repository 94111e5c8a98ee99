// Optimizers against PyTorch 1.13.1: tests/data/optim_golden.txt (tests/optim_golden.py)
// holds every optimizer's float64 trajectory on a small two-group problem over 1000 steps,
// LBFGS with and without strong Wolfe, Lookahead, and the state_dict key layouts.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <ember/ember.h>

#include "golden.h"

using namespace ember;
using namespace ember::optim;

namespace {

const ember_test::GoldenFile& golden() {
  static ember_test::GoldenFile g(std::string(EMBER_TEST_DATA_DIR) + "/optim_golden.txt");
  return g;
}

Tensor from_golden(const std::string& key, std::vector<int64_t> shape) {
  std::vector<double> v = golden().numbers(key);
  // from_blob keeps the float64 values exact (ember::tensor(std::vector<double>) goes through
  // the default dtype, float32).
  return from_blob(v.data(), {static_cast<int64_t>(v.size())}, TensorOptions(kFloat64)).clone().reshape(shape);
}

// The problem of tests/optim_golden.py.
struct Problem {
  Tensor X = from_golden("data:X", {5, 3}), Y = from_golden("data:Y", {5, 2});
  Tensor W1 = from_golden("init:W1", {3, 4}).requires_grad_();
  Tensor b1 = from_golden("init:b1", {4}).requires_grad_();
  Tensor W2 = from_golden("init:W2", {4, 2}).requires_grad_();
  Tensor r = from_golden("init:r", {2}).requires_grad_();

  Tensor loss() const {
    Tensor h = tanh(matmul(X, W1) + b1);
    Tensor mse = (matmul(h, W2) - Y).pow(2).mean();
    Tensor r0 = r.select(0, 0), r1 = r.select(0, 1);
    Tensor rosen = (1 - r0).pow(2) + 10 * (r1 - r0.pow(2)).pow(2);
    return mse + 0.1 * rosen;
  }
  std::vector<Tensor> all() const { return {W1, b1, W2, r}; }
  std::vector<double> flat() const {
    Tensor f = cat({W1.detach().reshape({-1}), b1.detach().reshape({-1}), W2.detach().reshape({-1}),
                    r.detach().reshape({-1})});
    const double* p = f.data_ptr<double>();
    return std::vector<double>(p, p + f.numel());
  }
  void set_from(const std::vector<double>& v) {
    NoGradGuard g;
    int64_t off = 0;
    for (Tensor t : all()) {
      Tensor src = from_blob(const_cast<double*>(v.data()) + off, {t.numel()}, TensorOptions(kFloat64));
      t.copy_(src.view_as(t));
      off += t.numel();
    }
  }
};

using Factory = std::function<std::unique_ptr<Optimizer>(Problem&)>;

// Two groups: [W1, b1] with the defaults, [W2, r] with the defaults modified by `over`.
template <class Opt, class Options>
Factory two_groups(Options defaults, std::function<void(Options&)> over) {
  return [defaults, over](Problem& p) -> std::unique_ptr<Optimizer> {
    Options o1 = defaults;
    over(o1);
    std::vector<OptimizerParamGroup> groups;
    groups.emplace_back(std::vector<Tensor>{p.W1, p.b1});
    groups.emplace_back(std::vector<Tensor>{p.W2, p.r}, std::make_unique<Options>(o1));
    return std::make_unique<Opt>(std::move(groups), defaults);
  };
}

struct Case {
  Factory make;
  bool negate = false;  // maximize cases maximise -loss
};

// Mirrors CASES in tests/optim_golden.py.
const std::map<std::string, Case>& cases() {
  static const std::map<std::string, Case> c = {
      {"sgd", {two_groups<SGD>(SGDOptions(0.05), std::function<void(SGDOptions&)>([](SGDOptions& o) { o.lr(0.02); }))}},
      {"sgd_momentum", {two_groups<SGD>(SGDOptions(0.02).momentum(0.9),
                                        std::function<void(SGDOptions&)>([](SGDOptions& o) { o.lr(0.01); }))}},
      {"sgd_dampening_wd",
       {two_groups<SGD>(SGDOptions(0.02).momentum(0.9).dampening(0.1).weight_decay(0.01),
                        std::function<void(SGDOptions&)>([](SGDOptions& o) { o.momentum(0.5); }))}},
      {"sgd_nesterov", {two_groups<SGD>(SGDOptions(0.02).momentum(0.9).nesterov(true).weight_decay(1e-3),
                                        std::function<void(SGDOptions&)>([](SGDOptions& o) { o.lr(0.01); }))}},
      {"sgd_maximize", {two_groups<SGD>(SGDOptions(0.02).momentum(0.8).maximize(true),
                                        std::function<void(SGDOptions&)>([](SGDOptions& o) { o.lr(0.01); })),
                        true}},
      {"adam", {two_groups<Adam>(AdamOptions(1e-2), std::function<void(AdamOptions&)>([](AdamOptions& o) { o.lr(5e-3); }))}},
      {"adam_amsgrad_wd",
       {two_groups<Adam>(AdamOptions(1e-2).amsgrad(true).weight_decay(0.01),
                         std::function<void(AdamOptions&)>([](AdamOptions& o) { o.betas({0.8, 0.99}); }))}},
      {"adam_maximize", {two_groups<Adam>(AdamOptions(1e-2).maximize(true).eps(1e-6),
                                          std::function<void(AdamOptions&)>([](AdamOptions& o) { o.lr(2e-3); })),
                         true}},
      {"adamw", {two_groups<AdamW>(AdamWOptions(1e-2),
                                   std::function<void(AdamWOptions&)>([](AdamWOptions& o) { o.lr(5e-3); }))}},
      {"adamw_amsgrad",
       {two_groups<AdamW>(AdamWOptions(1e-2).amsgrad(true).weight_decay(0.1),
                          std::function<void(AdamWOptions&)>([](AdamWOptions& o) { o.weight_decay(0.0); }))}},
      {"adamw_maximize",
       {two_groups<AdamW>(AdamWOptions(1e-2).maximize(true).betas({0.85, 0.995}),
                          std::function<void(AdamWOptions&)>([](AdamWOptions& o) { o.lr(3e-3); })),
        true}},
      {"rmsprop", {two_groups<RMSprop>(RMSpropOptions(1e-3),
                                       std::function<void(RMSpropOptions&)>([](RMSpropOptions& o) { o.lr(5e-4); }))}},
      {"rmsprop_centered_momentum",
       {two_groups<RMSprop>(RMSpropOptions(1e-3).momentum(0.9).centered(true).eps(1e-2),
                            std::function<void(RMSpropOptions&)>([](RMSpropOptions& o) { o.alpha(0.9); }))}},
      {"rmsprop_wd_maximize",
       {two_groups<RMSprop>(RMSpropOptions(1e-3).weight_decay(0.01).maximize(true).alpha(0.95).eps(1e-2),
                            std::function<void(RMSpropOptions&)>([](RMSpropOptions& o) { o.momentum(0.5); })),
        true}},
      {"adagrad", {two_groups<Adagrad>(AdagradOptions(0.1),
                                       std::function<void(AdagradOptions&)>([](AdagradOptions& o) { o.lr(0.05); }))}},
      {"adagrad_options",
       {two_groups<Adagrad>(AdagradOptions(0.1).lr_decay(0.01).weight_decay(0.01).initial_accumulator_value(0.1),
                            std::function<void(AdagradOptions&)>([](AdagradOptions& o) { o.eps(1e-6); }))}},
      {"adagrad_maximize",
       {two_groups<Adagrad>(AdagradOptions(0.1).maximize(true),
                            std::function<void(AdagradOptions&)>([](AdagradOptions& o) { o.lr(0.05); })),
        true}},
      {"adadelta", {two_groups<Adadelta>(AdadeltaOptions(0.1),
                                         std::function<void(AdadeltaOptions&)>([](AdadeltaOptions& o) { o.lr(0.05); }))}},
      {"adadelta_options",
       {two_groups<Adadelta>(AdadeltaOptions(0.2).rho(0.95).weight_decay(0.01).eps(1e-5).maximize(true),
                             std::function<void(AdadeltaOptions&)>([](AdadeltaOptions& o) { o.rho(0.8); })),
        true}},
  };
  return c;
}

void train_step(Optimizer& opt, Problem& p, bool negate) {
  opt.zero_grad();
  Tensor l = p.loss();
  (negate ? -l : l).backward();
  opt.step();
}

// Relative agreement 1e-6 (absolute 1e-9 near zero).
void expect_close(const std::vector<double>& got, const std::vector<double>& want, const std::string& what,
                  double rtol = 1e-6) {
  ASSERT_EQ(got.size(), want.size()) << what;
  double worst = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double err = std::abs(got[i] - want[i]) / (std::abs(want[i]) + 1e-3);
    worst = std::max(worst, err);
    EXPECT_NEAR(got[i], want[i], rtol * std::abs(want[i]) + 1e-9) << what << " element " << i;
  }
  ::testing::Test::RecordProperty(what, std::to_string(worst));
  if (std::getenv("EMBER_OPTIM_VERBOSE")) printf("%s worst rel err %.3g\n", what.c_str(), worst);
}

void check_trajectory(const std::string& name) {
  const Case& c = cases().at(name);
  Problem p;
  auto opt = c.make(p);
  for (int step = 1; step <= 1000; ++step) {
    train_step(*opt, p, c.negate);
    const std::string key = "traj:" + name + "@" + std::to_string(step);
    if (golden().has(key)) expect_close(p.flat(), golden().numbers(key), key);
  }
}

}  // namespace

#define EMBER_TRAJECTORY_TEST(name) \
  TEST(OptimTrajectory, name) { check_trajectory(#name); }
EMBER_TRAJECTORY_TEST(sgd)
EMBER_TRAJECTORY_TEST(sgd_momentum)
EMBER_TRAJECTORY_TEST(sgd_dampening_wd)
EMBER_TRAJECTORY_TEST(sgd_nesterov)
EMBER_TRAJECTORY_TEST(sgd_maximize)
EMBER_TRAJECTORY_TEST(adam)
EMBER_TRAJECTORY_TEST(adam_amsgrad_wd)
EMBER_TRAJECTORY_TEST(adam_maximize)
EMBER_TRAJECTORY_TEST(adamw)
EMBER_TRAJECTORY_TEST(adamw_amsgrad)
EMBER_TRAJECTORY_TEST(adamw_maximize)
EMBER_TRAJECTORY_TEST(rmsprop)
EMBER_TRAJECTORY_TEST(rmsprop_centered_momentum)
EMBER_TRAJECTORY_TEST(rmsprop_wd_maximize)
EMBER_TRAJECTORY_TEST(adagrad)
EMBER_TRAJECTORY_TEST(adagrad_options)
EMBER_TRAJECTORY_TEST(adagrad_maximize)
EMBER_TRAJECTORY_TEST(adadelta)
EMBER_TRAJECTORY_TEST(adadelta_options)
#undef EMBER_TRAJECTORY_TEST

TEST(OptimTrajectory, EveryGoldenCaseIsTested) {
  for (const auto& [key, toks] : golden().records()) {
    if (key.rfind("keys:", 0) != 0 || key.size() < 6 || key.substr(key.size() - 6) != ":group") continue;
    std::string name = key.substr(5, key.size() - 11);
    EXPECT_TRUE(cases().count(name)) << name;
  }
}

// Save after 500 steps, load into a fresh optimizer over fresh parameters, continue: the
// trajectory is the uninterrupted one, bit for bit.
TEST(OptimStateDict, RoundTripContinuesTheSameTrajectory) {
  for (const auto& [name, c] : cases()) {
    SCOPED_TRACE(name);
    Problem a;
    auto opt_a = c.make(a);
    for (int i = 0; i < 500; ++i) train_step(*opt_a, a, c.negate);
    IValue sd = opt_a->state_dict();
    Problem b;
    b.set_from(a.flat());
    auto opt_b = c.make(b);
    opt_b->load_state_dict(sd);
    for (int i = 0; i < 500; ++i) {
      train_step(*opt_a, a, c.negate);
      train_step(*opt_b, b, c.negate);
    }
    EXPECT_EQ(a.flat(), b.flat());
    expect_close(b.flat(), golden().numbers("traj:" + name + "@1000"), name + " resumed");
  }
}

// The dict returned is PyTorch's: key names and order, parameter indices across groups,
// 'step' as a float32 tensor (Adam, AdamW, Adagrad) or an int (RMSprop, Adadelta).
TEST(OptimStateDict, LayoutMatchesPyTorch) {
  for (const auto& [name, c] : cases()) {
    SCOPED_TRACE(name);
    Problem p;
    auto opt = c.make(p);
    train_step(*opt, p, c.negate);
    IValue sd = opt->state_dict();
    const Dict& d = sd.toDict();
    ASSERT_EQ(d.size(), 2u);
    EXPECT_EQ(d.items()[0].first.toStringRef(), "state");
    EXPECT_EQ(d.items()[1].first.toStringRef(), "param_groups");
    const GenericList& groups = d.at("param_groups").toList();
    ASSERT_EQ(groups.size(), 2u);
    std::vector<std::string> keys;
    for (const auto& kv : groups[0].toDict()) keys.push_back(kv.first.toStringRef());
    EXPECT_EQ(keys, golden().tokens("keys:" + name + ":group"));
    EXPECT_EQ(groups[0].toDict().at("params").toIntVector(), (std::vector<int64_t>{0, 1}));
    EXPECT_EQ(groups[1].toDict().at("params").toIntVector(), (std::vector<int64_t>{2, 3}));
    const Dict& state = d.at("state").toDict();
    ASSERT_EQ(state.size(), 4u);
    for (int64_t i = 0; i < 4; ++i) EXPECT_TRUE(state.contains(i));
    std::vector<std::string> skeys;
    for (const auto& kv : state.at(0).toDict()) skeys.push_back(kv.first.toStringRef());
    EXPECT_EQ(skeys, golden().tokens("keys:" + name + ":state"));
    if (const IValue* step = state.at(0).toDict().find("step")) {
      const bool tensor_step = name.rfind("adam", 0) == 0 || name.rfind("adagrad", 0) == 0;
      if (tensor_step) {
        ASSERT_TRUE(step->isTensor());
        EXPECT_EQ(step->toTensor().dtype(), kFloat32);
        EXPECT_EQ(step->toTensor().dim(), 0);
        EXPECT_EQ(step->toTensor().item<double>(), 1.0);
      } else {
        ASSERT_TRUE(step->isInt());
        EXPECT_EQ(step->toInt(), 1);
      }
    }
  }
}

TEST(OptimStateDict, OptionsAndSchedulerKeysRoundTrip) {
  Problem p;
  auto make = cases().at("adam_amsgrad_wd").make;
  auto opt = make(p);
  opt->param_groups()[1].options().set("initial_lr", 0.5);
  IValue sd = opt->state_dict();
  const Dict& g1 = sd.toDict().at("param_groups").toList()[1].toDict();
  EXPECT_EQ(g1.at("betas").repr(), "(0.8, 0.99)");
  EXPECT_EQ(g1.at("initial_lr").toDouble(), 0.5);
  EXPECT_EQ(g1.items().back().first.toStringRef(), "params");
  Problem q;
  auto opt2 = make(q);
  opt2->load_state_dict(sd);
  const auto& o = static_cast<const AdamOptions&>(opt2->param_groups()[1].options());
  EXPECT_EQ(std::get<0>(o.betas()), 0.8);
  EXPECT_TRUE(o.amsgrad());
  EXPECT_EQ(o.get("initial_lr").toDouble(), 0.5);
  EXPECT_FALSE(opt2->param_groups()[0].options().contains("initial_lr"));
}

TEST(OptimStateDict, LoadErrors) {
  Problem p;
  auto opt = cases().at("sgd_momentum").make(p);
  train_step(*opt, p, false);
  IValue sd = opt->state_dict();
  SGD one_group(p.all(), SGDOptions(0.1));
  try {
    one_group.load_state_dict(sd);
    FAIL() << "expected ValueError";
  } catch (const ValueError& e) {
    EXPECT_STREQ(e.what(), "loaded state dict has a different number of parameter groups");
  }
  std::vector<OptimizerParamGroup> groups;
  groups.emplace_back(std::vector<Tensor>{p.W1});
  groups.emplace_back(std::vector<Tensor>{p.W2, p.r, p.b1});
  SGD mismatched(std::move(groups), SGDOptions(0.1));
  try {
    mismatched.load_state_dict(sd);
    FAIL() << "expected ValueError";
  } catch (const ValueError& e) {
    EXPECT_STREQ(e.what(),
                 "loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
  }
  // A failed load leaves the optimizer as it was.
  EXPECT_TRUE(mismatched.state().empty());
}

TEST(OptimStateDict, LoadCastsStateToParameterDtypeButNotStep) {
  Tensor w64 = ones({3}, TensorOptions(kFloat64)).requires_grad_();
  Adam a({w64}, AdamOptions(0.1));
  w64.mutable_grad() = full({3}, 0.5, TensorOptions(kFloat64));
  a.step();
  Tensor w32 = ones({3}, TensorOptions(kFloat32)).requires_grad_();
  Adam b({w32}, AdamOptions(0.1));
  b.load_state_dict(a.state_dict());
  IValue st = b.state_dict().toDict().at("state").toDict().at(0);
  EXPECT_EQ(st.toDict().at("exp_avg").toTensor().dtype(), kFloat32);
  EXPECT_EQ(st.toDict().at("step").toTensor().dtype(), kFloat32);
  // load deep-copies: stepping b leaves a's state alone.
  w32.mutable_grad() = full({3}, 0.5, TensorOptions(kFloat32));
  b.step();
  EXPECT_EQ(a.state_dict().toDict().at("state").toDict().at(0).toDict().at("step").toTensor().item<double>(), 1.0);
}

// ---- behaviour ------------------------------------------------------------------------------
TEST(Optim, ZeroGradAndSkippedParameters) {
  Tensor a = ones({2}, TensorOptions(kFloat64)).requires_grad_();
  Tensor b = ones({2}, TensorOptions(kFloat64)).requires_grad_();
  SGD opt({a, b}, SGDOptions(0.1).momentum(0.9));
  (a * 3).sum().backward();
  opt.step();
  EXPECT_TRUE(allclose(a.detach(), full({2}, 0.7, TensorOptions(kFloat64))));
  EXPECT_TRUE(b.detach().equal(ones({2}, TensorOptions(kFloat64))));  // no grad: untouched
  EXPECT_EQ(opt.state().size(), 1u);                                   // and no state
  opt.zero_grad(/*set_to_none=*/false);
  ASSERT_TRUE(a.grad().defined());
  EXPECT_EQ(a.grad().abs().sum().item<double>(), 0.0);
  opt.zero_grad();
  EXPECT_FALSE(a.grad().defined());
  EXPECT_EQ(opt.size(), 2u);
  EXPECT_EQ(opt.parameters().size(), 2u);
}

TEST(Optim, ClosureLossIsReturned) {
  Tensor w = full({1}, 2.0, TensorOptions(kFloat64)).requires_grad_();
  SGD opt({w}, 0.25);  // SGDOptions(double) is implicit
  Tensor loss = opt.step([&] {
    opt.zero_grad();
    Tensor l = (w * w).sum();
    l.backward();
    return l;
  });
  EXPECT_EQ(loss.item<double>(), 4.0);
  EXPECT_EQ(w.item<double>(), 1.0);  // 2 - 0.25 * 4
  EXPECT_FALSE(opt.step().defined());
}

TEST(Optim, StepRunsWithoutRecordingHistory) {
  Tensor w = ones({3}).requires_grad_();
  Adam opt({w}, AdamOptions(0.1));
  (w * w).sum().backward();
  uint32_t v = w._version();
  opt.step();
  EXPECT_TRUE(w.is_leaf());
  EXPECT_FALSE(w.grad_fn());
  EXPECT_GT(w._version(), v);  // in-place updates bump the version counter
}

// Strided and reduced-precision parameters take the copy path; results equal the fast path.
TEST(Optim, NonContiguousAndFloat16Parameters) {
  Tensor base = arange(12, TensorOptions(kFloat64)).reshape({3, 4}).mul(0.1);
  Tensor strided = base.clone().t().detach().requires_grad_();  // [4, 3], not contiguous
  Tensor dense = base.clone().t().contiguous().detach().requires_grad_();
  ASSERT_FALSE(strided.is_contiguous());
  Adam a({strided}, AdamOptions(0.05).amsgrad(true));
  Adam b({dense}, AdamOptions(0.05).amsgrad(true));
  for (int i = 0; i < 5; ++i) {
    for (Tensor* w : {&strided, &dense}) {
      w->mutable_grad() = Tensor();
      (w->pow(3)).sum().backward();
    }
    a.step();
    b.step();
  }
  EXPECT_TRUE(strided.detach().equal(dense.detach()));

  Tensor h = ones({4}, TensorOptions(kFloat16)).requires_grad_();
  SGD s({h}, SGDOptions(0.5).momentum(0.5));
  h.mutable_grad() = full({4}, 0.5, TensorOptions(kFloat16));
  s.step();
  s.step();
  EXPECT_EQ(h.dtype(), kFloat16);
  // 1 - 0.5*0.5 = 0.75; buffer 0.5*0.5+0.5 = 0.75; 0.75 - 0.5*0.75 = 0.375
  EXPECT_EQ(h.to(kFloat64)[0].item<double>(), 0.375);
}

TEST(Optim, ConstructionErrors) {
  Tensor w = ones({2}).requires_grad_();
  EXPECT_THROW(SGD(std::vector<Tensor>{}, SGDOptions(0.1)), ValueError);
  try {
    SGD(std::vector<Tensor>{w * 2}, SGDOptions(0.1));
    FAIL();
  } catch (const ValueError& e) {
    EXPECT_STREQ(e.what(), "can't optimize a non-leaf Tensor");
  }
  std::vector<OptimizerParamGroup> dup;
  dup.emplace_back(std::vector<Tensor>{w});
  dup.emplace_back(std::vector<Tensor>{w});
  try {
    SGD(std::move(dup), SGDOptions(0.1));
    FAIL();
  } catch (const ValueError& e) {
    EXPECT_STREQ(e.what(), "some parameters appear in more than one parameter group");
  }
  try {
    SGD({w}, SGDOptions(0.1).nesterov(true));
    FAIL();
  } catch (const ValueError& e) {
    EXPECT_STREQ(e.what(), "Nesterov momentum requires a momentum and zero dampening");
  }
  EXPECT_THROW(SGD({w}, SGDOptions(-1)), ValueError);
  EXPECT_THROW(Adam({w}, AdamOptions().betas({1.0, 0.999})), ValueError);
  EXPECT_THROW(Adam({w}, AdamOptions().eps(-1)), ValueError);
  EXPECT_THROW(RMSprop({w}, RMSpropOptions().alpha(-0.1)), ValueError);
  EXPECT_THROW(Adagrad({w}, AdagradOptions().lr_decay(-1)), ValueError);
  EXPECT_THROW(Adadelta({w}, AdadeltaOptions().rho(1.5)), ValueError);
  std::vector<OptimizerParamGroup> two;
  two.emplace_back(std::vector<Tensor>{w});
  two.emplace_back(std::vector<Tensor>{ones({1}).requires_grad_()});
  try {
    LBFGS(std::move(two), LBFGSOptions());
    FAIL();
  } catch (const ValueError& e) {
    EXPECT_STREQ(e.what(), "LBFGS doesn't support per-parameter options (parameter groups)");
  }
  LBFGS l({w});
  EXPECT_THROW(l.step(nullptr), TypeError);
  // A gradient of the wrong shape is reported, not read out of bounds.
  SGD s({w}, 0.1);
  w.mutable_grad() = ones({3});
  EXPECT_THROW(s.step(), Error);
}

TEST(Optim, AddParamGroupUsesDefaults) {
  Tensor a = ones({2}).requires_grad_(), b = ones({2}).requires_grad_();
  SGD opt({a}, SGDOptions(0.1).momentum(0.9));
  opt.add_param_group(OptimizerParamGroup({b}));
  ASSERT_EQ(opt.param_groups().size(), 2u);
  EXPECT_EQ(opt.param_groups()[1].options().get_lr(), 0.1);
  EXPECT_EQ(static_cast<SGDOptions&>(opt.param_groups()[1].options()).momentum(), 0.9);
  EXPECT_EQ(opt.defaults().lr(), 0.1);
  EXPECT_THROW(opt.add_param_group(OptimizerParamGroup({a})), ValueError);
}

// ---- LBFGS ----------------------------------------------------------------------------------
namespace {
void check_lbfgs(const std::string& name, LBFGSOptions options, int steps) {
  Problem p;
  LBFGS opt(p.all(), options);
  auto closure = [&] {
    opt.zero_grad();
    Tensor l = p.loss();
    l.backward();
    return l;
  };
  for (int step = 1; step <= steps; ++step) {
    opt.step(closure);
    expect_close(p.flat(), golden().numbers("traj:" + name + "@" + std::to_string(step)),
                 name + "@" + std::to_string(step));
  }
  IValue st = opt.state_dict().toDict().at("state").toDict().at(0);
  std::vector<double> counts = golden().numbers("lbfgs:" + name + ":counts");
  EXPECT_EQ(st.toDict().at("func_evals").toInt(), static_cast<int64_t>(counts[0]));
  EXPECT_EQ(st.toDict().at("n_iter").toInt(), static_cast<int64_t>(counts[1]));
}
}  // namespace

TEST(OptimLBFGS, NoLineSearch) { check_lbfgs("lbfgs", LBFGSOptions(0.2).max_iter(20), 10); }
TEST(OptimLBFGS, NoLineSearchShortHistory) {
  check_lbfgs("lbfgs_history", LBFGSOptions(0.1).max_iter(7).history_size(3).tolerance_change(1e-12), 10);
}
TEST(OptimLBFGS, StrongWolfe) {
  check_lbfgs("lbfgs_wolfe", LBFGSOptions(1).max_iter(20).line_search_fn("strong_wolfe"), 10);
}
TEST(OptimLBFGS, StrongWolfeShortHistory) {
  check_lbfgs("lbfgs_wolfe_history", LBFGSOptions(1).max_iter(5).history_size(2).line_search_fn("strong_wolfe"), 8);
}

TEST(OptimLBFGS, DefaultsAndStateRoundTrip) {
  Problem p;
  LBFGS opt(p.all(), LBFGSOptions().line_search_fn("strong_wolfe"));
  const auto& o = static_cast<const LBFGSOptions&>(opt.param_groups()[0].options());
  EXPECT_EQ(o.max_eval(), 25);
  EXPECT_EQ(o.tolerance_grad(), 1e-7);
  auto closure_for = [](Optimizer& opt, Problem& p) {
    return [&opt, &p] {
      opt.zero_grad();
      Tensor l = p.loss();
      l.backward();
      return l;
    };
  };
  opt.step(closure_for(opt, p));
  Problem q;
  q.set_from(p.flat());
  LBFGS opt2(q.all(), LBFGSOptions().line_search_fn("strong_wolfe"));
  opt2.load_state_dict(opt.state_dict());
  opt.step(closure_for(opt, p));
  opt2.step(closure_for(opt2, q));
  EXPECT_EQ(p.flat(), q.flat());
  std::vector<std::string> keys;
  // Keep the state dict alive: a range-for over a chain of references into a temporary
  // would read freed memory.
  IValue state_dict = opt.state_dict();
  for (const auto& kv : state_dict.toDict().at("state").toDict().at(0).toDict())
    keys.push_back(kv.first.toStringRef());
  EXPECT_EQ(keys, (std::vector<std::string>{"func_evals", "n_iter", "al", "d", "t", "old_dirs", "old_stps", "ro",
                                            "H_diag", "prev_flat_grad", "prev_loss"}));
}

// ---- Lookahead ------------------------------------------------------------------------------
namespace {
void check_lookahead(const std::string& name, Factory inner, int64_t k, double alpha) {
  Problem p;
  Lookahead opt(std::shared_ptr<Optimizer>(inner(p)), LookaheadOptions().k(k).alpha(alpha));
  for (int step = 1; step <= 1000; ++step) {
    train_step(opt, p, false);
    const std::string key = "traj:" + name + "@" + std::to_string(step);
    if (golden().has(key)) expect_close(p.flat(), golden().numbers(key), key);
  }
}
}  // namespace

TEST(OptimLookahead, WrapsSGD) { check_lookahead("lookahead_sgd", cases().at("sgd_momentum").make, 5, 0.5); }
TEST(OptimLookahead, WrapsAdam) { check_lookahead("lookahead_adam", cases().at("adam").make, 3, 0.8); }

TEST(OptimLookahead, StateDictAndSchedulerAccess) {
  Problem a;
  auto inner = std::shared_ptr<Optimizer>(cases().at("adam").make(a));
  Lookahead opt(inner, LookaheadOptions().k(4));
  for (int i = 0; i < 6; ++i) train_step(opt, a, false);
  EXPECT_EQ(&opt.param_groups(), &inner->param_groups());  // schedulers see the inner groups
  IValue sd = opt.state_dict();
  const Dict& g0 = sd.toDict().at("param_groups").toList()[0].toDict();
  EXPECT_EQ(g0.at("lookahead_k").toInt(), 4);
  EXPECT_EQ(g0.at("lookahead_step").toInt(), 6);
  EXPECT_TRUE(sd.toDict().at("state").toDict().at(3).toDict().contains("slow_buffer"));
  Problem b;
  b.set_from(a.flat());
  Lookahead opt2(std::shared_ptr<Optimizer>(cases().at("adam").make(b)), LookaheadOptions().k(4));
  opt2.load_state_dict(sd);
  for (int i = 0; i < 7; ++i) {
    train_step(opt, a, false);
    train_step(opt2, b, false);
  }
  EXPECT_EQ(a.flat(), b.flat());
  EXPECT_THROW(Lookahead(inner, LookaheadOptions().k(0)), ValueError);
}
