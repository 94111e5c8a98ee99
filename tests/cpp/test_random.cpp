// Random number generation: the engine, PyTorch's published/computed test vectors
// (reference/formats-rng.md 4.11), errors, state save/restore and generator independence.
#include <gtest/gtest.h>

#include <cmath>
#include <algorithm>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include <ember/ember.h>

using namespace ember;

namespace {

template <class T>
std::vector<T> values(const Tensor& t) {
  Tensor c = t.contiguous();
  std::vector<T> v(static_cast<size_t>(c.numel()));
  if (!v.empty()) std::memcpy(v.data(), c.data_ptr(), v.size() * sizeof(T));
  return v;
}
// Summaries computed here, so these tests depend only on the random ops.
std::vector<double> dvals(const Tensor& t) { return values<double>(t.to(kFloat64)); }
double vmin(const Tensor& t) { auto v = dvals(t); return *std::min_element(v.begin(), v.end()); }
double vmax(const Tensor& t) { auto v = dvals(t); return *std::max_element(v.begin(), v.end()); }
double vmean(const Tensor& t) {
  auto v = dvals(t);
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}
double vstd(const Tensor& t) {
  auto v = dvals(t);
  const double m = vmean(t);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / static_cast<double>(v.size() - 1));
}
uint32_t bits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}
bool same_bytes(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype() || a.sizes() != b.sizes()) return false;
  Tensor ca = a.contiguous(), cb = b.contiguous();
  return ca.nbytes() == 0 || std::memcmp(ca.data_ptr(), cb.data_ptr(), ca.nbytes()) == 0;
}
// Expects fn to throw an ember::Error whose message contains `msg`.
template <class Fn>
void expect_error(Fn&& fn, const std::string& msg) {
  try {
    fn();
    ADD_FAILURE() << "expected an error containing: " << msg;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(msg), std::string::npos) << e.what();
  }
}

}  // namespace

TEST(Generator, EngineIsStdMt19937) {
  for (uint64_t seed : {0ULL, 1ULL, 137ULL, 0x1234567890ULL}) {
    Generator g(seed);
    std::mt19937 ref(static_cast<uint32_t>(seed));
    std::lock_guard<std::mutex> lock(g.mutex());
    for (int i = 0; i < 2000; ++i) ASSERT_EQ(g.random(), ref()) << "seed " << seed << " draw " << i;
  }
}

TEST(Generator, Random64HighHalfFirst) {
  Generator a(7), b(7);
  uint64_t hi = a.random(), lo = a.random();
  EXPECT_EQ(b.random64(), (hi << 32) | lo);
}

TEST(Generator, Seeds) {
  Generator g(5);
  EXPECT_EQ(g.initial_seed(), 5u);
  g.manual_seed((1ULL << 32) + 5);  // only the low 32 bits seed the engine...
  EXPECT_EQ(g.current_seed(), (1ULL << 32) + 5);  // ...but the full seed is reported
  Generator h(5);
  EXPECT_EQ(g.random(), h.random());
  EXPECT_EQ(Generator().initial_seed(), kDefaultRngSeed);
  uint64_t s = g.seed();
  EXPECT_EQ(g.initial_seed(), s);
  EXPECT_LT(s, 1ULL << 53);
  manual_seed(42);
  EXPECT_EQ(default_generator().initial_seed(), 42u);
}

TEST(Random, SpecVectorsSeed137) {
  manual_seed(137);
  const int64_t first[5] = {4053805790, 2173880614, 380293709, 1237255315, 2986595568};
  for (int64_t v : first) EXPECT_EQ(randint(0, 0xFFFFFFFF, {1}).item<int64_t>(), v);
  // Scalar Box-Muller path (8 < 16 elements), including the cached second sample.
  std::vector<float> scalar = values<float>(zeros({8}).normal_());
  const double want_scalar[8] = {0.7947664260864258,  1.4369317293167114,  -0.2292192131280899, 0.47556325793266296,
                                 -0.6334410905838013, -0.5791953802108765, -0.0925704762339592, -0.8659197092056274};
  for (int i = 0; i < 8; ++i) EXPECT_EQ(scalar[i], static_cast<float>(want_scalar[i])) << i;
  EXPECT_EQ(randint(0, 0xFFFFFFFF, {1}).item<int64_t>(), 2186503452);
  // AVX2 Cephes vector path (16 elements).
  std::vector<float> vec = values<float>(zeros({16}).normal_());
  const double want_vec[16] = {-1.2813878059387207, -2.646395683288574,  -0.06569503247737885, 0.2180829495191574,
                               -0.46536165475845337, -0.33108410239219666, 2.5485482215881348, 0.10425379872322083,
                               0.8460659980773926,  0.9462448358535767,  -0.2913765013217926, 0.34313806891441345,
                               -1.1186704635620117, -0.18305328488349915, -2.3153159618377686, 0.3961987793445587};
  for (int i = 0; i < 16; ++i) EXPECT_EQ(vec[i], static_cast<float>(want_vec[i])) << i;
  EXPECT_EQ(randint(0, 0xFFFFFFFF, {1}).item<int64_t>(), 2756748748);
}

TEST(Random, SpecVectorsRandRandn) {
  manual_seed(0);
  const uint32_t rand6[6] = {0x3EFE1558, 0x3F44AA2F, 0x3DB533A8, 0x3E073300, 0x3E9D6686, 0x3F2252FB};
  std::vector<float> r = values<float>(rand({6}));
  for (int i = 0; i < 6; ++i) EXPECT_EQ(bits(r[i]), rand6[i]) << i;

  manual_seed(0);
  const uint32_t randn4[4] = {0x3FC53F5C, 0xBE963C50, 0xC00B7149, 0x3F1184B6};
  std::vector<float> n = values<float>(randn({4}));
  for (int i = 0; i < 4; ++i) EXPECT_EQ(bits(n[i]), randn4[i]) << i;

  manual_seed(0);
  const double randn16[16] = {-1.1258398, -1.1523602, -0.25057858, -0.43387881, 0.84871036, 0.69200915,
                              -0.31601277, -2.1152194, 0.32227492,  -1.2633348,  0.34998319, 0.30813393,
                              0.11984151,  1.2376579,  1.1167772,   -0.24727815};
  std::vector<float> n16 = values<float>(randn({16}));
  for (int i = 0; i < 16; ++i) EXPECT_NEAR(n16[i], randn16[i], 1e-7) << i;

  manual_seed(0);  // FMA discriminator of the Cephes transform
  EXPECT_EQ(bits(values<float>(randn({256}))[213]), 0x3F7CA14Au);

  manual_seed(42);
  std::vector<float> r42 = values<float>(rand({6}));
  const double want42[6] = {0.8823, 0.9150, 0.3829, 0.9593, 0.3904, 0.6009};
  for (int i = 0; i < 6; ++i) EXPECT_NEAR(r42[i], want42[i], 5e-5) << i;
  manual_seed(42);  // (rand(6) and randn(2) are separate runs in the vector table)
  std::vector<float> n42 = values<float>(randn({2}));
  EXPECT_NEAR(n42[0], 0.3367, 5e-5);
  EXPECT_NEAR(n42[1], 0.1288, 5e-5);

  manual_seed(2147483647);
  const double want_big[5] = {0.7081289, 0.3542391, 0.1054323, 0.5996444, 0.0904441};
  std::vector<float> rb = values<float>(rand({5}));
  for (int i = 0; i < 5; ++i) EXPECT_NEAR(rb[i], want_big[i], 5e-8) << i;

  manual_seed(0);
  std::vector<double> d = values<double>(rand({2}, kFloat64));
  EXPECT_EQ(d[0], 0.9700530018065531);
  EXPECT_EQ(d[1], 0.707819864399788);
}

TEST(Random, SpecVectorsIntegers) {
  manual_seed(0);
  EXPECT_EQ(values<int64_t>(randint(0, 10, {5})), (std::vector<int64_t>{4, 9, 3, 0, 3}));
  manual_seed(0);
  EXPECT_EQ(values<int64_t>(randperm(4)), (std::vector<int64_t>{0, 1, 3, 2}));
  manual_seed(42);
  EXPECT_EQ(values<int64_t>(randperm(10)), (std::vector<int64_t>{2, 6, 1, 8, 4, 5, 0, 9, 3, 7}));
  Tensor p = randperm(1000);
  std::vector<int64_t> pv = values<int64_t>(p);
  std::sort(pv.begin(), pv.end());
  for (int64_t i = 0; i < 1000; ++i) ASSERT_EQ(pv[i], i);
}

TEST(Random, SpecVectorsBernoulli) {
  manual_seed(314159);  // default (non-MKL) path
  EXPECT_EQ(values<float>(zeros({15}).bernoulli_(0.75)),
            (std::vector<float>{1, 1, 1, 1, 0, 1, 1, 1, 0, 1, 0, 1, 1, 1, 1}));
}

// nn.Linear's default init (formats-rng.md 4.8): kaiming_uniform_(a = sqrt(5)) on the
// weight, then uniform_(-1/sqrt(fan_in), 1/sqrt(fan_in)) on the bias.
TEST(Random, LinearDefaultInit) {
  auto kaiming_bound = [](int64_t fan_in) {
    const double a = std::sqrt(5.0);
    const double gain = std::sqrt(2.0 / (1 + std::pow(a, 2)));
    return std::sqrt(3.0) * (gain / std::sqrt(static_cast<double>(fan_in)));
  };
  manual_seed(0);
  const double wb = kaiming_bound(3);
  std::vector<float> w = values<float>(empty({2, 3}).uniform_(-wb, wb));
  std::vector<float> b = values<float>(empty({2}).uniform_(-1 / std::sqrt(3.0), 1 / std::sqrt(3.0)));
  const double want_w[6] = {-0.0043225177, 0.30971584, -0.47518533, -0.4248946, -0.22236897, 0.15482073};
  for (int i = 0; i < 6; ++i) EXPECT_NEAR(w[i], want_w[i], 5.1e-9) << i;
  EXPECT_NEAR(b[0], -0.011439145, 5.1e-10);
  EXPECT_NEAR(b[1], 0.45777494, 5.1e-9);

  manual_seed(0);  // FMA discriminator of uniform_(a, b)
  const double b20 = kaiming_bound(20);
  EXPECT_EQ(values<float>(empty({30, 20}).uniform_(-b20, b20))[0], static_cast<float>(-0.001674103899858892));
}

TEST(Random, NormalCacheCarriesOverAndSeedClearsIt) {
  manual_seed(3);
  Tensor a = randn({3});  // leaves a cached sample
  Tensor b = randn({1});  // consumes it: no new draws
  Generator fresh(3);
  Tensor ref = randn({4}, fresh);
  std::vector<float> ab = values<float>(a), bv = values<float>(b);
  ab.insert(ab.end(), bv.begin(), bv.end());
  EXPECT_EQ(ab, values<float>(ref)) << "cache not consumed in order";
  manual_seed(3);
  randn({3});
  manual_seed(3);  // clears the cache: the stream restarts exactly
  EXPECT_TRUE(same_bytes(randn({3}), a));
}

TEST(Random, StateSaveRestore) {
  Generator g(11);
  randn({5}, g);  // odd count: a cached normal is part of the state
  Tensor st = g.get_state();
  EXPECT_EQ(st.dtype(), kUInt8);
  EXPECT_EQ(st.numel(), 5056);
  Tensor x1 = randn({7}, g), y1 = rand({33}, g), z1 = randint(0, 100, {9}, g);
  g.set_state(st);
  EXPECT_TRUE(same_bytes(randn({7}, g), x1));
  EXPECT_TRUE(same_bytes(rand({33}, g), y1));
  EXPECT_TRUE(same_bytes(randint(0, 100, {9}, g), z1));
  // A state moves between generators.
  Generator h(999);
  h.set_state(st);
  EXPECT_TRUE(same_bytes(randn({7}, h), x1));
  EXPECT_EQ(h.initial_seed(), 11u);
  // get_state of a restored generator is the same bytes.
  g.set_state(st);
  EXPECT_TRUE(same_bytes(g.get_state(), st));
}

TEST(Random, StateErrors) {
  Generator g(1);
  expect_error([&] { g.set_state(zeros({10}, kUInt8)); },
               "Expected either a CPUGeneratorImplStateLegacy of size 5048 or a CPUGeneratorImplState of size 5056 "
               "but found the input RNG state size to be 10");
  expect_error([&] { g.set_state(zeros({5056}, kFloat32)); }, "RNG state must be a torch.ByteTensor");
  // A state whose read position would run past the state array is rejected.
  Tensor st = g.get_state();
  auto* bytes = st.data_ptr<uint8_t>();
  int32_t left = 600;
  uint64_t next = 600;
  std::memcpy(bytes + 8, &left, 4);
  std::memcpy(bytes + 16, &next, 8);
  expect_error([&] { g.set_state(st); }, "Invalid mt19937 state");
  EXPECT_EQ(randint(0, 1000, {3}, g).numel(), 3);  // the generator is unchanged and usable
}

TEST(Random, GeneratorIndependence) {
  Generator a(123), b(123);
  manual_seed(5);
  Tensor x = rand({10}, a);
  rand({100});  // the default generator does not disturb a or b
  randn({3});
  Tensor y = rand({10}, b);
  EXPECT_TRUE(same_bytes(x, y));
  Tensor x2 = randn({20}, a), y2 = randn({20}, b);
  EXPECT_TRUE(same_bytes(x2, y2));
  // A copied handle shares the state.
  Generator c = a;
  Tensor after_c = rand({4}, c);
  Tensor after_b = rand({4}, b);
  EXPECT_TRUE(same_bytes(after_c, after_b));
  EXPECT_FALSE(same_bytes(rand({4}, a), rand({4}, Generator(123))));
}

TEST(Random, ThreadSafeSharedGenerator) {
  Generator g(77);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) rand({100}, g);
    });
  for (auto& th : threads) th.join();
  // 20000 float draws in all, each op serialised: the state equals a serial run's.
  Generator ref(77);
  rand({20000}, ref);
  EXPECT_TRUE(same_bytes(g.get_state(), ref.get_state()));
}

TEST(Random, RangesAndDtypes) {
  manual_seed(9);
  Tensor u = empty({1000}).uniform_(-0.3, 0.7);
  EXPECT_GE(vmin(u), -0.3f);
  EXPECT_LT(vmax(u), 0.7f);
  for (ScalarType dt : {kFloat16, kBFloat16, kFloat32, kFloat64}) {
    Tensor r = rand({500}, dt);
    EXPECT_EQ(r.dtype(), dt);
    EXPECT_GE(vmin(r), 0.0);
    EXPECT_LT(vmax(r), 1.0);
    EXPECT_EQ(randn({40}, dt).dtype(), dt);
  }
  for (ScalarType dt : {kUInt8, kInt8, kInt16, kInt32, kInt64, kFloat32, kFloat64}) {
    Tensor r = randint(-3 * (dt != kUInt8), 4, {300}, dt);
    EXPECT_EQ(r.dtype(), dt);
    EXPECT_EQ(vmin(r), dt == kUInt8 ? 0 : -3);
    EXPECT_EQ(vmax(r), 3);
  }
  Tensor big = randint(0, int64_t{1} << 40, {200});
  EXPECT_GT(vmax(big), int64_t{1} << 33);  // 64-bit draws reach the whole range
  Tensor bits = empty({200}, kBool).random_();
  EXPECT_GT(vmax(bits), 0);
  EXPECT_EQ(vmin(bits), 0);
  Tensor full64 = empty({200}).random_(std::numeric_limits<int64_t>::lowest(), std::optional<int64_t>{});
  EXPECT_LT(vmin(full64), -1e15);
  Tensor u8 = empty({1000}, kUInt8).random_();
  EXPECT_GT(vmax(u8), 200);
  Tensor b = bernoulli(full_like(zeros({2000}), 0.3));
  EXPECT_NEAR(vmean(b), 0.3, 0.05);
  EXPECT_EQ(vmin(bernoulli(zeros({3}, kFloat64), 1.0)), 1.0);
  Tensor n = normal(2.0, 3.0, {4000});
  EXPECT_NEAR(vmean(n), 2.0, 0.2);
  EXPECT_NEAR(vstd(n), 3.0, 0.2);
  Tensor nt = normal(full({2, 3}, 10.0), full({3}, 0.0));
  EXPECT_EQ(nt.sizes(), IntArrayRef({2, 3}));
  EXPECT_EQ(vmin(nt), 10.0f);
}

TEST(Random, Options) {
  Tensor r = rand({2, 2}, TensorOptions(kFloat64).requires_grad(true));
  EXPECT_TRUE(r.requires_grad());
  EXPECT_EQ(r.dtype(), kFloat64);
  EXPECT_EQ(randint(5, {3}).dtype(), kInt64);
  EXPECT_EQ(randperm(3).dtype(), kInt64);
  EXPECT_EQ(randperm(3, kFloat32).dtype(), kFloat32);
  EXPECT_EQ(randn({3}).dtype(), get_default_dtype());
  Tensor like = randn_like(zeros({2, 5}, kFloat64));
  EXPECT_EQ(like.dtype(), kFloat64);
  EXPECT_EQ(like.sizes(), IntArrayRef({2, 5}));
  EXPECT_EQ(randint_like(zeros({4}), 3).dtype(), kFloat32);
  EXPECT_EQ(rand_like(zeros({4}), TensorOptions(kFloat64)).dtype(), kFloat64);
  EXPECT_EQ(rand({0}).numel(), 0);
  EXPECT_EQ(randperm(0).numel(), 0);
  EXPECT_EQ(randperm(1).item<int64_t>(), 0);
}

TEST(Random, Errors) {
  expect_error([] { empty({3}).uniform_(1, 0); }, "uniform_ expects to return a [from, to) range, but found from=1 > to=0");
  expect_error([] { empty({3}, kInt64).uniform_(); }, "\"check_uniform_bounds\" not implemented for 'Long'");
  expect_error([] { empty({3}, kFloat16).uniform_(0, 70000); }, "to is out of bounds for c10::Half");
  expect_error([] { empty({3}).uniform_(-3e38, 3e38); },
               "uniform_ expects to-from <= std::numeric_limits<Float>::max(), but found to=3e+38 and from=-3e+38");
  expect_error([] { empty({3}).normal_(0, -1); }, "normal expects std >= 0.0, but found std -1");
  expect_error([] { empty({3}, kInt64).normal_(); }, "\"normal_kernel_cpu\" not implemented for 'Long'");
  expect_error([] { randn({3}, kInt64); }, "\"normal_kernel_cpu\" not implemented for 'Long'");
  expect_error([] { randint(5, 5, {3}); }, "random_ expects 'from' to be less than 'to', but got from=5 >= to=5");
  expect_error([] { empty({3}, kUInt8).random_(-1, 5); }, "from is out of bounds for unsigned char");
  expect_error([] { empty({3}, kInt8).random_(0, 200); }, "to - 1 is out of bounds for signed char");
  expect_error([] { randint(0, int64_t{1} << 40, {3}, kInt32); }, "to - 1 is out of bounds for int");
  expect_error([] { empty({3}, kFloat16).random_(3000, std::optional<int64_t>{}); },
               "random_ expects 'from' casted to dtype to be less than or equal to 'to_inc' casted to dtype, but got "
               "from=3000 > to_inc=2048");
  expect_error([] { empty({3}).bernoulli_(1.5); }, "bernoulli_ expects p to be in [0, 1], but got p=1.5");
  expect_error([] { empty({3}).bernoulli_(-0.5); }, "bernoulli_ expects p to be in [0, 1], but got p=-0.5");
  expect_error([] { empty({3}).bernoulli_(std::nan("")); }, "bernoulli_ expects p to be in [0, 1], but got p=nan");
  expect_error([] { bernoulli(full({3}, 1.5)); }, "Expected p_in >= 0 && p_in <= 1 to be true, but got false.");
  expect_error([] { bernoulli(full({3}, 1)); }, "\"bernoulli_tensor_cpu_p_\" not implemented for 'Long'");
  expect_error([] { empty({3}).bernoulli_(rand({2})); }, "must match the existing size (2)");
  expect_error([] { zeros({1}).expand({3}).uniform_(); }, "more than one element of the written-to tensor");
  expect_error([] { randperm(-1); }, "Trying to create tensor with negative dimension -1");
  expect_error([] { randperm(300, kUInt8); }, "value cannot be converted to type uint8_t without overflow");
  expect_error([] { randperm(3000, kFloat16); }, "n cannot be greater than 2049 for Half type.");
  expect_error([] { randperm(3, kBool); }, "\"randperm\" not implemented for 'Bool'");
  expect_error([] { normal(zeros({3}), full({3}, -1.0)); }, "normal expects all elements of std >= 0.0");
  expect_error([] { normal(0.0, -1.0, {3}); }, "normal expects std >= 0.0, but found std -1");
  // Failed checks draw nothing.
  manual_seed(1);
  try { empty({3}).uniform_(1, 0); } catch (const Error&) {}
  Tensor after = rand({3});
  manual_seed(1);
  EXPECT_TRUE(same_bytes(after, rand({3})));
}
