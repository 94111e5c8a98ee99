// LR schedulers against PyTorch 1.13.1: tests/data/scheduler_golden.txt
// (tests/scheduler_golden.py) holds each scheduler's per-group lr (and OneCycle momentum)
// over 100 steps, ReduceLROnPlateau on a metric sequence, and the state_dict keys.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
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
  static ember_test::GoldenFile g(std::string(EMBER_TEST_DATA_DIR) + "/scheduler_golden.txt");
  return g;
}

// Two groups, lr 0.1 and 0.05, as the generator's sgd() / adam().
struct Rig {
  std::vector<Tensor> params{zeros({2}).requires_grad_(), zeros({3}).requires_grad_()};
  std::unique_ptr<Optimizer> opt;
  std::unique_ptr<LRScheduler> sched;
};

std::unique_ptr<Optimizer> make_sgd(Rig& s) {
  std::vector<OptimizerParamGroup> groups;
  groups.emplace_back(std::vector<Tensor>{s.params[0]});
  groups.emplace_back(std::vector<Tensor>{s.params[1]}, std::make_unique<SGDOptions>(SGDOptions(0.05).momentum(0.9)));
  return std::make_unique<SGD>(std::move(groups), SGDOptions(0.1).momentum(0.9));
}
std::unique_ptr<Optimizer> make_adam(Rig& s) {
  std::vector<OptimizerParamGroup> groups;
  groups.emplace_back(std::vector<Tensor>{s.params[0]});
  groups.emplace_back(std::vector<Tensor>{s.params[1]}, std::make_unique<AdamOptions>(AdamOptions(0.05)));
  return std::make_unique<Adam>(std::move(groups), AdamOptions(0.1));
}

struct Case {
  std::function<std::unique_ptr<Optimizer>(Rig&)> opt;
  std::function<std::unique_ptr<LRScheduler>(Optimizer&)> sched;
  bool momentum = false;
};

// Mirrors CASES in tests/scheduler_golden.py.
const std::map<std::string, Case>& cases() {
  static const std::map<std::string, Case> c = {
      {"step", {make_sgd, [](Optimizer& o) { return std::make_unique<StepLR>(o, 7, 0.5); }}},
      {"multistep",
       {make_sgd, [](Optimizer& o) { return std::make_unique<MultiStepLR>(o, std::vector<int64_t>{10, 30, 30, 60}, 0.3); }}},
      {"exponential", {make_sgd, [](Optimizer& o) { return std::make_unique<ExponentialLR>(o, 0.97); }}},
      {"cosine", {make_sgd, [](Optimizer& o) { return std::make_unique<CosineAnnealingLR>(o, 20, 0.001); }}},
      {"cosine_nomin", {make_sgd, [](Optimizer& o) { return std::make_unique<CosineAnnealingLR>(o, 33); }}},
      {"warm_restarts",
       {make_sgd, [](Optimizer& o) { return std::make_unique<CosineAnnealingWarmRestarts>(o, 10, 2, 1e-4); }}},
      {"warm_restarts_mult1", {make_sgd, [](Optimizer& o) { return std::make_unique<CosineAnnealingWarmRestarts>(o, 7); }}},
      {"linear", {make_sgd, [](Optimizer& o) { return std::make_unique<LinearLR>(o); }}},
      {"linear_options", {make_sgd, [](Optimizer& o) { return std::make_unique<LinearLR>(o, 0.25, 0.9, 8); }}},
      {"lambda",
       {make_sgd, [](Optimizer& o) {
          return std::make_unique<LambdaLR>(o, [](int64_t e) { return std::pow(0.95, static_cast<double>(e)); });
        }}},
      {"lambda_per_group",
       {make_sgd, [](Optimizer& o) {
          return std::make_unique<LambdaLR>(
              o, std::vector<LambdaLR::LrLambda>{[](int64_t e) { return 1.0 / static_cast<double>(e + 1); },
                                                  [](int64_t e) { return std::pow(0.9, static_cast<double>(e)); }});
        }}},
      {"onecycle",
       {make_sgd,
        [](Optimizer& o) {
          return std::make_unique<OneCycleLR>(o, OneCycleLROptions(std::vector<double>{1.0, 0.5}).total_steps(100));
        },
        true}},
      {"onecycle_linear_three_phase",
       {make_adam,
        [](Optimizer& o) {
          return std::make_unique<OneCycleLR>(o, OneCycleLROptions(0.3)
                                                     .epochs(10)
                                                     .steps_per_epoch(10)
                                                     .anneal_strategy("linear")
                                                     .three_phase(true)
                                                     .pct_start(0.25)
                                                     .div_factor(10.0)
                                                     .final_div_factor(100.0));
        },
        true}},
      {"onecycle_adam",
       {make_adam,
        [](Optimizer& o) {
          return std::make_unique<OneCycleLR>(
              o, OneCycleLROptions(0.01).total_steps(101).base_momentum({0.8}).max_momentum({0.9}));
        },
        true}},
      {"onecycle_no_momentum",
       {make_sgd,
        [](Optimizer& o) {
          return std::make_unique<OneCycleLR>(o, OneCycleLROptions(0.2).total_steps(100).cycle_momentum(false));
        },
        true}},
      {"sequential",
       {make_sgd,
        [](Optimizer& o) {
          std::vector<std::shared_ptr<LRScheduler>> s{std::make_shared<LinearLR>(o, 0.1, 1.0, 5),
                                                      std::make_shared<ExponentialLR>(o, 0.9)};
          return std::make_unique<SequentialLR>(o, s, std::vector<int64_t>{5});
        }}},
      {"sequential_three",
       {make_sgd,
        [](Optimizer& o) {
          std::vector<std::shared_ptr<LRScheduler>> s{std::make_shared<LinearLR>(o, 0.5, 1.0, 4),
                                                      std::make_shared<CosineAnnealingLR>(o, 20),
                                                      std::make_shared<StepLR>(o, 10, 0.5)};
          return std::make_unique<SequentialLR>(o, s, std::vector<int64_t>{10, 40});
        }}},
  };
  return c;
}

std::vector<double> lrs(const Optimizer& o) {
  std::vector<double> r;
  for (const auto& g : o.param_groups()) r.push_back(g.options().get_lr());
  return r;
}

std::vector<double> momenta(const Optimizer& o) {
  std::vector<double> r;
  for (const auto& g : o.param_groups()) {
    const OptimizerOptions& opts = g.options();
    r.push_back(opts.contains("betas") ? opts.get("betas").toList()[0].toDouble() : opts.get("momentum").toDouble());
  }
  return r;
}

void expect_seq(const std::vector<double>& got, const std::string& key) {
  std::vector<double> want = golden().numbers(key);
  ASSERT_EQ(got.size(), want.size()) << key;
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-12 * std::abs(want[i])) << key << " group " << i;
}

std::vector<std::string> dict_keys(const IValue& v) {
  std::vector<std::string> r;
  for (const auto& kv : v.toDict()) r.push_back(kv.first.toStringRef());
  return r;
}

void check_case(const std::string& name) {
  const Case& c = cases().at(name);
  Rig s;
  s.opt = c.opt(s);
  s.sched = c.sched(*s.opt);
  expect_seq(lrs(*s.opt), "lr:" + name + "@0");
  if (c.momentum) expect_seq(momenta(*s.opt), "mom:" + name + "@0");
  for (int step = 1; step <= 100; ++step) {
    s.opt->step();
    s.sched->step();
    const std::string at = name + "@" + std::to_string(step);
    expect_seq(lrs(*s.opt), "lr:" + at);
    if (c.momentum) expect_seq(momenta(*s.opt), "mom:" + at);
    EXPECT_EQ(s.sched->get_last_lr(), lrs(*s.opt));
  }
  // PyTorch keeps the bound anneal method where ember keeps the strategy's name.
  std::vector<std::string> keys = dict_keys(s.sched->state_dict());
  keys.erase(std::remove(keys.begin(), keys.end(), "anneal_strategy"), keys.end());
  EXPECT_EQ(keys, golden().tokens("keys:" + name));
}

}  // namespace

#define EMBER_SCHED_TEST(name) \
  TEST(LRSchedulerSequence, name) { check_case(#name); }
EMBER_SCHED_TEST(step)
EMBER_SCHED_TEST(multistep)
EMBER_SCHED_TEST(exponential)
EMBER_SCHED_TEST(cosine)
EMBER_SCHED_TEST(cosine_nomin)
EMBER_SCHED_TEST(warm_restarts)
EMBER_SCHED_TEST(warm_restarts_mult1)
EMBER_SCHED_TEST(linear)
EMBER_SCHED_TEST(linear_options)
EMBER_SCHED_TEST(lambda)
EMBER_SCHED_TEST(lambda_per_group)
EMBER_SCHED_TEST(onecycle)
EMBER_SCHED_TEST(onecycle_linear_three_phase)
EMBER_SCHED_TEST(onecycle_adam)
EMBER_SCHED_TEST(onecycle_no_momentum)
EMBER_SCHED_TEST(sequential)
EMBER_SCHED_TEST(sequential_three)
#undef EMBER_SCHED_TEST

TEST(LRScheduler, WarmRestartsFractionalEpochs) {
  Rig s;
  s.opt = make_sgd(s);
  CosineAnnealingWarmRestarts sched(*s.opt, 3, 2, 0.01);
  for (int epoch = 0; epoch < 8; ++epoch)
    for (int i = 0; i < 4; ++i) {
      sched.step(epoch + i / 4.0);
      expect_seq(lrs(*s.opt), "lr:warm_restarts_fractional@" + std::to_string(epoch * 4 + i));
    }
}

namespace {
void check_plateau(const std::string& name, ReduceLROnPlateauOptions options) {
  Rig s;
  s.opt = make_sgd(s);
  ReduceLROnPlateau sched(*s.opt, options);
  std::vector<double> metrics = golden().numbers("metrics");
  for (size_t i = 0; i < metrics.size(); ++i) {
    sched.step(metrics[i]);
    expect_seq(lrs(*s.opt), "lr:" + name + "@" + std::to_string(i + 1));
    EXPECT_EQ(sched.get_last_lr(), lrs(*s.opt));
  }
  EXPECT_EQ(dict_keys(sched.state_dict()), golden().tokens("keys:" + name));
}
}  // namespace

TEST(LRScheduler, ReduceLROnPlateauMin) {
  check_plateau("plateau_min",
                ReduceLROnPlateauOptions().mode("min").factor(0.5).patience(2).threshold(0.01).cooldown(1).min_lr(
                    {0.001, 0.02}));
}
TEST(LRScheduler, ReduceLROnPlateauMaxAbs) {
  check_plateau("plateau_max_abs",
                ReduceLROnPlateauOptions().mode("max").factor(0.1).patience(3).threshold(0.001).threshold_mode("abs").eps(1e-3));
}
TEST(LRScheduler, ReduceLROnPlateauDefault) { check_plateau("plateau_default", ReduceLROnPlateauOptions()); }

TEST(LRScheduler, ConstructionSetsInitialLr) {
  Rig s;
  s.opt = make_sgd(s);
  StepLR sched(*s.opt, 3);
  EXPECT_EQ(sched.last_epoch(), 0);
  EXPECT_EQ(sched.base_lrs(), (std::vector<double>{0.1, 0.05}));
  IValue sd = s.opt->state_dict();
  const Dict& g = sd.toDict().at("param_groups").toList()[1].toDict();
  EXPECT_EQ(g.at("initial_lr").toDouble(), 0.05);
  // initial_lr sits after the options and before 'params', as in PyTorch.
  const auto& items = g.items();
  EXPECT_EQ(items[items.size() - 2].first.toStringRef(), "initial_lr");
  // Resuming without initial_lr is an error.
  Rig t;
  t.opt = make_sgd(t);
  EXPECT_THROW(StepLR(*t.opt, 3, 0.1, /*last_epoch=*/5), IndexError);
}

// Save a scheduler mid-way, load it into a fresh one (with the optimizer's state), continue.
TEST(LRScheduler, StateDictRoundTrip) {
  for (const char* name : {"step", "multistep", "cosine", "warm_restarts", "onecycle", "onecycle_adam", "sequential",
                           "linear_options"}) {
    SCOPED_TRACE(name);
    const Case& c = cases().at(name);
    Rig a;
    a.opt = c.opt(a);
    a.sched = c.sched(*a.opt);
    for (int i = 0; i < 37; ++i) {
      a.opt->step();
      a.sched->step();
    }
    Rig b;
    b.opt = c.opt(b);
    b.sched = c.sched(*b.opt);
    b.opt->load_state_dict(a.opt->state_dict());
    b.sched->load_state_dict(a.sched->state_dict());
    EXPECT_EQ(b.sched->last_epoch(), a.sched->last_epoch());
    for (int i = 38; i <= 100; ++i) {
      b.opt->step();
      b.sched->step();
      expect_seq(lrs(*b.opt), "lr:" + std::string(name) + "@" + std::to_string(i));
    }
  }
  Rig p;
  p.opt = make_sgd(p);
  ReduceLROnPlateau a(*p.opt, ReduceLROnPlateauOptions().patience(1));
  for (double m : {1.0, 0.5, 0.6, 0.7}) a.step(m);
  ReduceLROnPlateau b(*p.opt, ReduceLROnPlateauOptions());
  b.load_state_dict(a.state_dict());
  EXPECT_EQ(b.best(), 0.5);
  EXPECT_EQ(b.last_epoch(), 4);
  EXPECT_EQ(b.state_dict().repr(), a.state_dict().repr());
}

TEST(LRScheduler, Errors) {
  Rig s;
  s.opt = make_sgd(s);
  EXPECT_THROW(LinearLR(*s.opt, 1.5), ValueError);
  EXPECT_THROW(CosineAnnealingWarmRestarts(*s.opt, 0), ValueError);
  EXPECT_THROW(CosineAnnealingWarmRestarts(*s.opt, 5, 0), ValueError);
  try {
    OneCycleLR(*s.opt, OneCycleLROptions(0.1));
    FAIL();
  } catch (const ValueError& e) {
    EXPECT_STREQ(e.what(), "You must define either total_steps OR (epochs AND steps_per_epoch)");
  }
  EXPECT_THROW(OneCycleLR(*s.opt, OneCycleLROptions(0.1).total_steps(10).anneal_strategy("exp")), ValueError);
  EXPECT_THROW(OneCycleLR(*s.opt, OneCycleLROptions({0.1, 0.2, 0.3}).total_steps(10)), ValueError);
  OneCycleLR one(*s.opt, OneCycleLROptions(0.1).total_steps(3));
  for (int i = 0; i < 3; ++i) one.step();
  try {
    one.step();
    FAIL();
  } catch (const ValueError& e) {
    EXPECT_STREQ(e.what(), "Tried to step 5 times. The specified number of total steps is 3");
  }
  Tensor w = zeros({1}).requires_grad_();
  Adagrad ada({w});
  try {
    OneCycleLR(ada, OneCycleLROptions(0.1).total_steps(10));
    FAIL();
  } catch (const ValueError& e) {
    EXPECT_STREQ(e.what(), "optimizer must support momentum with `cycle_momentum` option enabled");
  }
  EXPECT_THROW(ReduceLROnPlateau(*s.opt, ReduceLROnPlateauOptions().factor(1.0)), ValueError);
  EXPECT_THROW(ReduceLROnPlateau(*s.opt, ReduceLROnPlateauOptions().mode("avg")), ValueError);
  EXPECT_THROW(ReduceLROnPlateau(*s.opt, ReduceLROnPlateauOptions().min_lr({0.1, 0.1, 0.1})), ValueError);
  auto lin = std::make_shared<LinearLR>(*s.opt);
  EXPECT_THROW(SequentialLR(*s.opt, {lin}, {3}), ValueError);
  Rig other;
  other.opt = make_sgd(other);
  auto foreign = std::make_shared<ExponentialLR>(*other.opt, 0.9);
  EXPECT_THROW(SequentialLR(*s.opt, {lin, foreign}, {3}), ValueError);
  EXPECT_THROW(LambdaLR(*s.opt, std::vector<LambdaLR::LrLambda>{[](int64_t) { return 1.0; }}), ValueError);
}

// Schedulers drive Lookahead through the inner optimizer's groups.
TEST(LRScheduler, WorksThroughLookahead) {
  Rig s;
  auto inner = std::shared_ptr<Optimizer>(make_sgd(s));
  Lookahead la(inner);
  StepLR sched(la, 2, 0.5);
  for (int i = 0; i < 4; ++i) {
    la.step();
    sched.step();
  }
  EXPECT_DOUBLE_EQ(inner->param_groups()[0].options().get_lr(), 0.025);
}
