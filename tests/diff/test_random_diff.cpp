// Random streams against LibTorch: after the same seed, ember and PyTorch 1.13.1 produce
// bit-identical tensors (Note [Random streams match PyTorch]), and leave bit-identical
// generator states behind.
#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <cstring>
#include <iomanip>
#include <limits>
#include <sstream>

#include "diff_util.h"

namespace {

using diff::to_torch;

// Same dtype, shape and bytes (so -0.0 vs 0.0 or a different NaN would count), checked
// with torch::equal as well.
::testing::AssertionResult bit_equal(const ember::Tensor& e, const torch::Tensor& t) {
  if (to_torch(e.dtype()) != t.scalar_type())
    return ::testing::AssertionFailure() << "dtype: ember " << ember::dtype_name(e.dtype()) << " vs torch "
                                         << t.scalar_type();
  std::vector<int64_t> es(e.sizes().begin(), e.sizes().end()), ts(t.sizes().begin(), t.sizes().end());
  if (es != ts) return ::testing::AssertionFailure() << "shape: ember " << e.sizes() << " vs torch " << t.sizes();
  torch::Tensor et = to_torch(e), tc = t.contiguous();
  if (!torch::equal(et, tc) || (et.nbytes() > 0 && std::memcmp(et.data_ptr(), tc.data_ptr(), et.nbytes()) != 0)) {
    torch::Tensor mism = (et.flatten() != tc.flatten()).nonzero().flatten();
    std::ostringstream os;
    os << "values differ at " << mism.size(0) << " of " << t.numel() << " elements";
    if (mism.size(0) > 0) {
      int64_t i = mism[0].item<int64_t>();
      if (t.is_floating_point())
        os << "; first at " << i << ": ember " << std::setprecision(17) << et.flatten()[i].item<double>()
           << " torch " << tc.flatten()[i].item<double>();
    }
    return ::testing::AssertionFailure() << os.str();
  }
  return ::testing::AssertionSuccess();
}

// The whole default-generator state (engine, position, cached normal) in both libraries.
::testing::AssertionResult same_state() {
  torch::Tensor ts = at::detail::getDefaultCPUGenerator().get_state();
  ember::Tensor es = ember::default_generator().get_state();
  if (ts.numel() != es.numel()) return ::testing::AssertionFailure() << "state sizes differ";
  if (std::memcmp(ts.data_ptr(), es.data_ptr(), ts.numel()) != 0)
    return ::testing::AssertionFailure() << "generator states differ";
  return ::testing::AssertionSuccess();
}

void seed_both(uint64_t s) {
  torch::manual_seed(s);
  ember::manual_seed(s);
}

const int64_t kSizes[] = {1, 2, 7, 15, 16, 17, 31, 32, 100, 1000};
const uint64_t kSeeds[] = {0, 1, 42, 137, (1ULL << 32) + 5, ~0ULL};

struct DtypePair {
  ember::ScalarType e;
  c10::ScalarType t;
};
const DtypePair kFloats[] = {{ember::kFloat32, torch::kFloat32},
                             {ember::kFloat64, torch::kFloat64},
                             {ember::kFloat16, torch::kFloat16},
                             {ember::kBFloat16, torch::kBFloat16}};
const DtypePair kAll[] = {{ember::kBool, torch::kBool},       {ember::kUInt8, torch::kUInt8},
                          {ember::kInt8, torch::kInt8},       {ember::kInt16, torch::kInt16},
                          {ember::kInt32, torch::kInt32},     {ember::kInt64, torch::kInt64},
                          {ember::kFloat16, torch::kFloat16}, {ember::kBFloat16, torch::kBFloat16},
                          {ember::kFloat32, torch::kFloat32}, {ember::kFloat64, torch::kFloat64}};

}  // namespace

TEST(DiffRandom, RandSizesDtypesSeeds) {
  for (auto dt : kFloats)
    for (uint64_t s : kSeeds)
      for (int64_t n : kSizes) {
        seed_both(s);
        EXPECT_TRUE(bit_equal(ember::rand({n}, dt.e), torch::rand({n}, dt.t))) << dt.t << " seed " << s << " n " << n;
      }
  EXPECT_TRUE(same_state());
}

TEST(DiffRandom, RandnSizesDtypesSeeds) {
  for (auto dt : kFloats)
    for (uint64_t s : kSeeds)
      for (int64_t n : kSizes) {
        seed_both(s);
        EXPECT_TRUE(bit_equal(ember::randn({n}, dt.e), torch::randn({n}, dt.t))) << dt.t << " seed " << s << " n " << n;
        // Again without reseeding: the scalar path's cached sample carries over.
        EXPECT_TRUE(bit_equal(ember::randn({3}, dt.e), torch::randn({3}, dt.t))) << dt.t << " seed " << s << " n " << n;
        EXPECT_TRUE(same_state()) << dt.t << " seed " << s << " n " << n;
      }
  seed_both(0);
  EXPECT_TRUE(bit_equal(ember::randn({4, 250}), torch::randn({4, 250})));
  EXPECT_TRUE(bit_equal(ember::randn({100000}), torch::randn({100000})));
}

TEST(DiffRandom, NonContiguousTargets) {
  for (auto dt : kFloats) {
    seed_both(3);
    // transposed (dense, so drawn in memory order), stepped, and a 3-d permutation
    auto t1 = torch::empty({8, 10}, dt.t).t();
    auto e1 = ember::empty({8, 10}, dt.e).t();
    auto t2 = torch::empty({40}, dt.t).slice(0, 0, 40, 2);
    auto e2 = ember::empty({40}, dt.e).slice(0, 0, 40, 2);
    auto t3 = torch::empty({2, 3, 4}, dt.t).permute({2, 0, 1});
    auto e3 = ember::empty({2, 3, 4}, dt.e).permute({2, 0, 1});
    EXPECT_TRUE(bit_equal(e1.uniform_(), t1.uniform_()));
    EXPECT_TRUE(bit_equal(e2.uniform_(-0.3, 0.7), t2.uniform_(-0.3, 0.7)));
    EXPECT_TRUE(bit_equal(e3.uniform_(), t3.uniform_()));
    EXPECT_TRUE(bit_equal(e1.normal_(), t1.normal_())) << dt.t;  // scalar path: non-contiguous
    EXPECT_TRUE(bit_equal(e2.normal_(2, 3), t2.normal_(2, 3))) << dt.t;
    EXPECT_TRUE(bit_equal(e3.normal_(), t3.normal_())) << dt.t;
    if (dt.e != ember::kFloat16) EXPECT_TRUE(bit_equal(e1.bernoulli_(0.3), t1.bernoulli_(0.3)));
    EXPECT_TRUE(bit_equal(e2.random_(0, 10), t2.random_(0, 10)));
    EXPECT_TRUE(same_state()) << dt.t;
  }
}

TEST(DiffRandom, UniformAndNormalParameters) {
  for (auto dt : kFloats)
    for (int64_t n : {3, 16, 33, 1000}) {
      seed_both(n);
      EXPECT_TRUE(bit_equal(ember::empty({n}, dt.e).uniform_(-0.3, 0.7), torch::empty({n}, dt.t).uniform_(-0.3, 0.7)))
          << dt.t << " " << n;
      EXPECT_TRUE(bit_equal(ember::empty({n}, dt.e).uniform_(-5, 1e3), torch::empty({n}, dt.t).uniform_(-5, 1e3)))
          << dt.t << " " << n;
      EXPECT_TRUE(bit_equal(ember::empty({n}, dt.e).normal_(2, 3), torch::empty({n}, dt.t).normal_(2, 3)))
          << dt.t << " " << n;
      EXPECT_TRUE(bit_equal(ember::empty({n}, dt.e).normal_(-0.5, 0.02), torch::empty({n}, dt.t).normal_(-0.5, 0.02)))
          << dt.t << " " << n;
      EXPECT_TRUE(bit_equal(ember::normal(1.5, 0.25, {n}, std::nullopt, dt.e),
                            torch::normal(1.5, 0.25, {n}, c10::nullopt, dt.t)))
          << dt.t << " " << n;
      EXPECT_TRUE(same_state());
    }
}

// kaiming_uniform_(a = sqrt(5)) as nn.Linear/nn.Conv2d default init: uniform_(-b, b).
TEST(DiffRandom, KaimingUniformStyle) {
  seed_both(0);
  const double b = 1 / std::sqrt(3.0);
  EXPECT_TRUE(bit_equal(ember::empty({5, 3}).uniform_(-b, b), torch::empty({5, 3}).uniform_(-b, b)));
  for (int64_t fan_in : {3, 20, 27, 784}) {
    const double a = std::sqrt(5.0);
    const double bound = std::sqrt(3.0) * (std::sqrt(2.0 / (1 + std::pow(a, 2))) / std::sqrt(double(fan_in)));
    EXPECT_TRUE(bit_equal(ember::empty({30, fan_in}).uniform_(-bound, bound),
                          torch::empty({30, fan_in}).uniform_(-bound, bound)));
    const double bb = 1 / std::sqrt(double(fan_in));
    EXPECT_TRUE(bit_equal(ember::empty({30}).uniform_(-bb, bb), torch::empty({30}).uniform_(-bb, bb)));
  }
  EXPECT_TRUE(same_state());
}

TEST(DiffRandom, Randint) {
  const std::pair<int64_t, int64_t> ranges[] = {{0, 10}, {-5, 7}, {0, 2}, {3, 4}, {0, 0xFFFFFFFF},
                                                {0, int64_t{1} << 32}, {0, int64_t{1} << 40},
                                                {-(int64_t{1} << 50), int64_t{1} << 50}, {-100, 100}};
  for (auto [lo, hi] : ranges)
    for (uint64_t s : kSeeds) {
      seed_both(s);
      EXPECT_TRUE(bit_equal(ember::randint(lo, hi, {50}), torch::randint(lo, hi, {50}))) << lo << " " << hi;
      EXPECT_TRUE(bit_equal(ember::randint(hi, {7}), torch::randint(hi, {7}))) << hi;
      // Floating dtypes, where 64-bit draws apply to float/double/bfloat16 only.
      if (hi - lo <= (int64_t{1} << 24) || lo == 0) {
        EXPECT_TRUE(bit_equal(ember::randint(lo, hi, {9}, ember::kFloat64), torch::randint(lo, hi, {9}, torch::kFloat64)));
      }
      if (hi <= 100 && lo >= -100) {
        for (auto dt : kAll) {
          if (dt.e == ember::kBool || (dt.e == ember::kUInt8 && lo < 0)) continue;
          EXPECT_TRUE(bit_equal(ember::randint(lo, hi, {11}, dt.e), torch::randint(lo, hi, {11}, dt.t)))
              << dt.t << " " << lo << " " << hi;
        }
      }
      EXPECT_TRUE(same_state()) << lo << " " << hi;
    }
  seed_both(1);
  EXPECT_TRUE(bit_equal(ember::randint_like(ember::zeros({3, 4}), 2, 9), torch::randint_like(torch::zeros({3, 4}), 2, 9)));
  EXPECT_TRUE(bit_equal(ember::randint(0, 2, {20}, ember::kBool), torch::randint(0, 2, {20}, torch::kBool)));
}

TEST(DiffRandom, RandomVariants) {
  for (auto dt : kAll) {
    seed_both(17);
    auto make = [&] { return std::make_pair(ember::empty({37}, dt.e), torch::empty({37}, dt.t)); };
    {
      auto [e, t] = make();
      EXPECT_TRUE(bit_equal(e.random_(), t.random_())) << dt.t;
    }
    {
      auto [e, t] = make();
      EXPECT_TRUE(bit_equal(e.random_(2), t.random_(2))) << dt.t;
    }
    if (dt.e != ember::kBool) {
      auto [e, t] = make();
      EXPECT_TRUE(bit_equal(e.random_(1, 100), t.random_(1, 100))) << dt.t;
      auto [e2, t2] = make();
      EXPECT_TRUE(bit_equal(e2.random_(5, std::optional<int64_t>{}), t2.random_(5, c10::optional<int64_t>{}))) << dt.t;
    }
    if (dt.e == ember::kInt64 || dt.e == ember::kFloat32 || dt.e == ember::kFloat64 || dt.e == ember::kBFloat16) {
      auto [e, t] = make();
      const int64_t lo = std::numeric_limits<int64_t>::lowest();
      EXPECT_TRUE(bit_equal(e.random_(lo, std::optional<int64_t>{}), t.random_(lo, c10::optional<int64_t>{}))) << dt.t;
    }
    if (dt.e == ember::kFloat32 || dt.e == ember::kFloat64 || dt.e == ember::kFloat16 || dt.e == ember::kBFloat16) {
      // bounds beyond the dtype's exact integers are moved inwards (update_from/update_to)
      auto [e, t] = make();
      const int64_t big = dt.e == ember::kFloat16 ? 60001 : (int64_t{1} << 30) + 1;
      EXPECT_TRUE(bit_equal(e.random_(-big, big), t.random_(-big, big))) << dt.t;
    }
    EXPECT_TRUE(same_state()) << dt.t;
  }
}

TEST(DiffRandom, Randperm) {
  for (int64_t n : {0, 1, 2, 3, 5, 10, 100, 1000, 5000})
    for (uint64_t s : {0ULL, 42ULL, 7ULL}) {
      seed_both(s);
      EXPECT_TRUE(bit_equal(ember::randperm(n), torch::randperm(n))) << n;
      EXPECT_TRUE(bit_equal(ember::randperm(n, ember::kInt32), torch::randperm(n, torch::kInt32))) << n;
      EXPECT_TRUE(bit_equal(ember::randperm(n, ember::kFloat32), torch::randperm(n, torch::kFloat32))) << n;
      if (n <= 2049)
        EXPECT_TRUE(bit_equal(ember::randperm(n, ember::kFloat16), torch::randperm(n, torch::kFloat16))) << n;
      EXPECT_TRUE(same_state());
    }
}

// Inputs (probabilities, means) come from a separate torch generator, so that creating
// them does not advance torch's default stream past ember's.
torch::Tensor input_rand(std::vector<int64_t> shape, c10::ScalarType dt = torch::kFloat32) {
  static auto gen = at::make_generator<at::CPUGeneratorImpl>(4242);
  return torch::rand(shape, gen, torch::TensorOptions().dtype(torch::kFloat64)).to(dt);
}

TEST(DiffRandom, BernoulliScalarAndTensor) {
  const DtypePair p_dtypes[] = {{ember::kFloat32, torch::kFloat32},
                                {ember::kFloat64, torch::kFloat64},
                                {ember::kBFloat16, torch::kBFloat16}};
  for (auto dt : kAll) {
    if (dt.e == ember::kFloat16) continue;  // not implemented in 1.13's CPU kernels (see BernoulliErrors)
    seed_both(5);
    EXPECT_TRUE(bit_equal(ember::empty({33}, dt.e).bernoulli_(0.3), torch::empty({33}, dt.t).bernoulli_(0.3))) << dt.t;
    EXPECT_TRUE(bit_equal(ember::empty({4}, dt.e).bernoulli_(), torch::empty({4}, dt.t).bernoulli_())) << dt.t;
    for (auto pdt : p_dtypes) {
      auto tp = input_rand({4, 5}, pdt.t);
      auto ep = diff::from_torch(tp);
      EXPECT_TRUE(bit_equal(ember::empty({4, 5}, dt.e).bernoulli_(ep), torch::empty({4, 5}, dt.t).bernoulli_(tp)))
          << dt.t << " p " << pdt.t;
      // p broadcast along the first dimension, into a transposed target
      auto tp1 = input_rand({5}, pdt.t);
      EXPECT_TRUE(bit_equal(ember::empty({5, 3}, dt.e).t().bernoulli_(diff::from_torch(tp1)),
                            torch::empty({5, 3}, dt.t).t().bernoulli_(tp1)))
          << dt.t << " p " << pdt.t;
    }
    EXPECT_TRUE(same_state()) << dt.t;
  }
  seed_both(9);
  auto probs = input_rand({6, 7});
  EXPECT_TRUE(bit_equal(ember::bernoulli(diff::from_torch(probs)), torch::bernoulli(probs)));
  EXPECT_TRUE(bit_equal(ember::bernoulli(diff::from_torch(probs), 0.75), torch::bernoulli(probs, 0.75)));
  EXPECT_TRUE(bit_equal(ember::bernoulli(diff::from_torch(probs.to(torch::kFloat64))),
                        torch::bernoulli(probs.to(torch::kFloat64))));
  EXPECT_TRUE(same_state());
}

TEST(DiffRandom, BernoulliErrors) {
  auto message = [](auto&& fn) -> std::string {
    try {
      fn();
    } catch (const std::exception& e) {
      std::string m = e.what();
      return m.substr(0, m.find('\n'));
    }
    return "no error";
  };
  auto same_message = [&](auto&& efn, auto&& tfn) {
    EXPECT_EQ(message(efn), message(tfn));
  };
  same_message([] { ember::empty({3}, ember::kFloat16).bernoulli_(0.5); },
               [] { torch::empty({3}, torch::kFloat16).bernoulli_(0.5); });
  same_message([] { ember::empty({3}, ember::kFloat16).bernoulli_(ember::full({3}, 0.5)); },
               [] { torch::empty({3}, torch::kFloat16).bernoulli_(torch::full({3}, 0.5)); });
  same_message([] { ember::empty({3}).bernoulli_(ember::full({3}, 0.5, ember::kFloat16)); },
               [] { torch::empty({3}).bernoulli_(torch::full({3}, 0.5, torch::kFloat16)); });
  same_message([] { ember::empty({3}).bernoulli_(ember::full({3}, 1.5)); },
               [] { torch::empty({3}).bernoulli_(torch::full({3}, 1.5)); });
  same_message([] { ember::empty({3}).bernoulli_(-0.25); }, [] { torch::empty({3}).bernoulli_(-0.25); });
}

TEST(DiffRandom, NormalTensorForms) {
  seed_both(21);
  auto mean = input_rand({3, 4}) * 4 - 2, stdv = input_rand({4}) + 0.5;
  auto em = diff::from_torch(mean), es = diff::from_torch(stdv);
  EXPECT_TRUE(bit_equal(ember::normal(em, es), at::normal(mean, stdv)));
  EXPECT_TRUE(bit_equal(ember::normal(em, 2.5), at::normal(mean, 2.5)));
  EXPECT_TRUE(bit_equal(ember::normal(-1.25, es), at::normal(-1.25, stdv)));
  auto big_mean = input_rand({40}, torch::kFloat64);
  EXPECT_TRUE(bit_equal(ember::normal(diff::from_torch(big_mean), 0.5), at::normal(big_mean, 0.5)));
  EXPECT_TRUE(same_state());
}

TEST(DiffRandom, LikeForms) {
  seed_both(2);
  auto x = torch::zeros({3, 7}, torch::kFloat64);
  auto ex = diff::from_torch(x);
  EXPECT_TRUE(bit_equal(ember::rand_like(ex), torch::rand_like(x)));
  EXPECT_TRUE(bit_equal(ember::randn_like(ex), torch::randn_like(x)));
  EXPECT_TRUE(bit_equal(ember::randint_like(ex, 10), torch::randint_like(x, 10)));
  EXPECT_TRUE(same_state());
}

TEST(DiffRandom, ExplicitGenerators) {
  for (uint64_t s : {0ULL, 99ULL}) {
    auto tg = at::make_generator<at::CPUGeneratorImpl>(s);
    ember::Generator eg(s);
    EXPECT_TRUE(bit_equal(ember::rand({20}, eg), torch::rand({20}, tg)));
    EXPECT_TRUE(bit_equal(ember::randn({5}, eg), torch::randn({5}, tg)));
    EXPECT_TRUE(bit_equal(ember::randn({50}, eg), torch::randn({50}, tg)));
    EXPECT_TRUE(bit_equal(ember::randint(3, 9, {10}, eg), torch::randint(3, 9, {10}, tg)));
    EXPECT_TRUE(bit_equal(ember::randperm(30, eg), torch::randperm(30, tg)));
    EXPECT_TRUE(bit_equal(ember::empty({9}).bernoulli_(0.4, eg), torch::empty({9}).bernoulli_(0.4, tg)));
    EXPECT_TRUE(bit_equal(ember::empty({9}).uniform_(-2, 2, eg), torch::empty({9}).uniform_(-2, 2, tg)));
    EXPECT_TRUE(bit_equal(ember::empty({9}).normal_(1, 2, eg), torch::empty({9}).normal_(1, 2, tg)));
    EXPECT_TRUE(bit_equal(ember::empty({9}, ember::kInt32).random_(eg), torch::empty({9}, torch::kInt32).random_(tg)));
    torch::Tensor ts = tg.get_state();
    ember::Tensor es = eg.get_state();
    EXPECT_EQ(std::memcmp(ts.data_ptr(), es.data_ptr(), 5056), 0);
  }
}

// States move between the libraries both ways (the layout is PyTorch's).
TEST(DiffRandom, StateInterchange) {
  torch::manual_seed(31);
  torch::randn({3});  // leaves a cached normal
  torch::rand({700});  // crosses a regeneration of the MT state
  torch::Tensor ts = at::detail::getDefaultCPUGenerator().get_state();
  ember::Generator g;
  g.set_state(diff::from_torch(ts));
  EXPECT_TRUE(bit_equal(ember::randn({5}, g), torch::randn({5})));
  EXPECT_TRUE(bit_equal(ember::rand({5}, g), torch::rand({5})));
  ember::manual_seed(8);
  ember::randn({1});
  auto gen = at::detail::getDefaultCPUGenerator();
  gen.set_state(to_torch(ember::default_generator().get_state()));
  EXPECT_TRUE(bit_equal(ember::randn({7}), torch::randn({7})));
  EXPECT_TRUE(same_state());
}

// A long deterministic program of mixed calls: every result and the final state match.
TEST(DiffRandom, InterleavedSequence) {
  seed_both(2024);
  uint32_t lcg = 12345;
  auto next = [&] { return lcg = lcg * 1103515245u + 12345u, (lcg >> 16) & 0x7FFF; };
  for (int step = 0; step < 400; ++step) {
    const int64_t n = 1 + next() % 40;
    switch (next() % 11) {
      case 0: ASSERT_TRUE(bit_equal(ember::rand({n}), torch::rand({n}))) << step; break;
      case 1: ASSERT_TRUE(bit_equal(ember::randn({n}), torch::randn({n}))) << step; break;
      case 2: ASSERT_TRUE(bit_equal(ember::randn({n}, ember::kFloat64), torch::randn({n}, torch::kFloat64))) << step; break;
      case 3: ASSERT_TRUE(bit_equal(ember::randint(-7, 1000, {n}), torch::randint(-7, 1000, {n}))) << step; break;
      case 4: ASSERT_TRUE(bit_equal(ember::randperm(n), torch::randperm(n))) << step; break;
      case 5:
        ASSERT_TRUE(bit_equal(ember::empty({n}).uniform_(-0.3, 0.7), torch::empty({n}).uniform_(-0.3, 0.7))) << step;
        break;
      case 6: ASSERT_TRUE(bit_equal(ember::empty({n}).normal_(2, 3), torch::empty({n}).normal_(2, 3))) << step; break;
      case 7: ASSERT_TRUE(bit_equal(ember::empty({n}).bernoulli_(0.3), torch::empty({n}).bernoulli_(0.3))) << step; break;
      case 8:
        ASSERT_TRUE(bit_equal(ember::empty({n, 3}).t().normal_(), torch::empty({n, 3}).t().normal_())) << step;
        break;
      case 9: ASSERT_TRUE(bit_equal(ember::rand({n}, ember::kFloat64), torch::rand({n}, torch::kFloat64))) << step; break;
      default:
        ASSERT_TRUE(bit_equal(ember::randint(0, int64_t{1} << 35, {n}), torch::randint(0, int64_t{1} << 35, {n})))
            << step;
    }
    ASSERT_TRUE(same_state()) << step;
  }
}
