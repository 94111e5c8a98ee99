// Tensor printing against PyTorch's own repr(): tests/data/print_golden.txt holds ~90
// cases written by tests/print_golden.py (PyTorch 1.13.1). Each case describes how to
// build its tensor (explicit values or an integer formula, no RNG), which this file
// rebuilds identically, and the exact text PyTorch printed.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <ember/ember.h>

using namespace ember;

#ifndef EMBER_TEST_DATA_DIR
#error "EMBER_TEST_DATA_DIR must be defined by tests/CMakeLists.txt"
#endif

namespace {

struct GoldenCase {
  std::string name, dtype;
  std::vector<int64_t> shape;
  std::vector<std::string> vals;  // the @vals tokens, parsed per dtype later
  bool has_vals = false;
  int64_t mul = 0, mod = 1, add = 0, div = 1;
  double scale = 1;
  std::vector<std::pair<int64_t, double>> sets;
  std::string post, default_dtype, grad_fn;
  std::map<std::string, std::string> opts;
  bool requires_grad = false;
  std::string expect;
};

std::vector<std::string> split_ws(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string tok; in >> tok;) out.push_back(tok);
  return out;
}

std::vector<GoldenCase> load_cases() {
  std::ifstream in(std::string(EMBER_TEST_DATA_DIR) + "/print_golden.txt");
  std::vector<GoldenCase> cases;
  std::string line;
  GoldenCase c;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    std::string key;
    ls >> key;
    std::string rest;
    std::getline(ls, rest);
    auto toks = split_ws(rest);
    if (key == "@case") {
      c = GoldenCase{};
      c.name = toks.at(0);
    } else if (key == "@dtype") {
      c.dtype = toks.at(0);
    } else if (key == "@shape") {
      for (auto& t : toks) c.shape.push_back(std::stoll(t));
    } else if (key == "@vals") {
      c.vals = toks;
      c.has_vals = true;
    } else if (key == "@gen") {
      c.mul = std::stoll(toks.at(0));
      c.mod = std::stoll(toks.at(1));
      c.add = std::stoll(toks.at(2));
      c.scale = std::strtod(toks.at(3).c_str(), nullptr);
      c.div = std::stoll(toks.at(4));
    } else if (key == "@set") {
      c.sets.emplace_back(std::stoll(toks.at(0)), std::strtod(toks.at(1).c_str(), nullptr));
    } else if (key == "@post") {
      c.post = toks.at(0);
    } else if (key == "@opts") {
      for (auto& t : toks) {
        auto eq = t.find('=');
        c.opts[t.substr(0, eq)] = t.substr(eq + 1);
      }
    } else if (key == "@default_dtype") {
      c.default_dtype = toks.at(0);
    } else if (key == "@requires_grad") {
      c.requires_grad = true;
    } else if (key == "@grad_fn") {
      c.grad_fn = toks.at(0);
    } else if (key == "@expect") {
      // Verbatim lines up to @end.
      std::string text;
      while (std::getline(in, line) && line != "@end") text += (text.empty() ? "" : "\n") + line;
      c.expect = text;
      cases.push_back(c);
    }
  }
  return cases;
}

const std::vector<GoldenCase>& all_cases() {
  static const std::vector<GoldenCase> cases = load_cases();
  return cases;
}

ScalarType dtype_from_name(const std::string& name) {
  for (int k = 0; k < kNumScalarTypes; ++k) {
    auto t = static_cast<ScalarType>(k);
    if (name == dtype_name(t)) return t;
  }
  ADD_FAILURE() << "unknown dtype " << name;
  return kFloat32;
}

// Mirrors build() in tests/print_golden.py step for step.
Tensor build(const GoldenCase& c) {
  int64_t n = 1;
  for (int64_t s : c.shape) n *= s;
  const ScalarType dt = dtype_from_name(c.dtype);
  Tensor t;
  if (c.has_vals && is_integral(dt)) {
    Tensor i64 = empty({n}, kInt64);
    for (int64_t k = 0; k < n; ++k) i64.data_ptr<int64_t>()[k] = std::strtoll(c.vals[k].c_str(), nullptr, 10);
    t = i64.reshape(c.shape).to(dt);
  } else {
    Tensor f64 = empty({n}, kFloat64);
    double* p = f64.data_ptr<double>();
    for (int64_t k = 0; k < n; ++k) {
      p[k] = c.has_vals ? std::strtod(c.vals[k].c_str(), nullptr)
                        : static_cast<double>((k * c.mul) % c.mod + c.add) * c.scale / static_cast<double>(c.div);
    }
    for (auto [idx, v] : c.sets) p[idx] = v;
    t = f64.reshape(c.shape);
    if (dt != kFloat64) t = t.to(kFloat32);
    t = t.to(dt);
  }
  if (c.post == "t") t = t.transpose(-2, -1);
  return t;
}

std::string g_hook_name;  // what the fake autograd hook reports as grad_fn
std::string fake_grad_fn_hook(const Tensor&) { return g_hook_name; }

class PrintGolden : public ::testing::TestWithParam<size_t> {};

TEST_P(PrintGolden, MatchesPyTorchRepr) {
  const GoldenCase& c = all_cases().at(GetParam());
  const PrintOptions saved = get_printoptions();
  const ScalarType saved_default = get_default_dtype();

  Tensor t = build(c);
  if (c.requires_grad) t.requires_grad_();
  if (!c.grad_fn.empty()) {
    g_hook_name = c.grad_fn;
    set_grad_fn_name_hook(&fake_grad_fn_hook);
  }
  if (!c.opts.empty()) {
    std::optional<int64_t> precision, edgeitems, linewidth;
    std::optional<double> threshold;
    std::optional<std::string> profile;
    std::optional<bool> sci_mode;
    for (auto& [k, v] : c.opts) {
      if (k == "precision") precision = std::stoll(v);
      else if (k == "threshold") threshold = std::strtod(v.c_str(), nullptr);
      else if (k == "edgeitems") edgeitems = std::stoll(v);
      else if (k == "linewidth") linewidth = std::stoll(v);
      else if (k == "profile") profile = v;
      else if (k == "sci_mode") sci_mode = v == "True";
      else ADD_FAILURE() << "unknown option " << k;
    }
    set_printoptions(precision, threshold, edgeitems, linewidth, profile, sci_mode);
  }
  if (!c.default_dtype.empty()) set_default_dtype(dtype_from_name(c.default_dtype));

  const std::string got = t.repr();
  std::ostringstream os;
  os << t;

  set_grad_fn_name_hook(nullptr);
  set_default_dtype(saved_default);
  set_printoptions(saved);

  EXPECT_EQ(got, c.expect) << "case " << c.name;
  EXPECT_EQ(os.str(), got) << "operator<< differs from repr() in case " << c.name;
}

INSTANTIATE_TEST_SUITE_P(Cases, PrintGolden, ::testing::Range<size_t>(0, all_cases().size()),
                         [](const ::testing::TestParamInfo<size_t>& info) { return all_cases().at(info.param).name; });

}  // namespace

TEST(Print, GoldenFileLoaded) {
  // Guards against a missing or truncated data file silently running no cases.
  ASSERT_GE(all_cases().size(), 80u);
  for (const auto& c : all_cases()) {
    EXPECT_FALSE(c.expect.empty()) << c.name;
    EXPECT_EQ(c.expect.rfind("tensor(", 0), 0u) << c.name;
  }
}

TEST(Print, OptionsRoundTripAndProfiles) {
  const PrintOptions saved = get_printoptions();
  EXPECT_EQ(saved.precision, 4);
  EXPECT_EQ(saved.threshold, 1000);
  EXPECT_EQ(saved.edgeitems, 3);
  EXPECT_EQ(saved.linewidth, 80);
  EXPECT_FALSE(saved.sci_mode.has_value());

  set_printoptions(2, std::nullopt, std::nullopt, 120, std::nullopt, true);
  PrintOptions o = get_printoptions();
  EXPECT_EQ(o.precision, 2);
  EXPECT_EQ(o.linewidth, 120);
  EXPECT_EQ(o.sci_mode, std::optional<bool>(true));
  // Like PyTorch, a call without sci_mode resets it to automatic.
  set_printoptions(std::nullopt, 50.0);
  o = get_printoptions();
  EXPECT_EQ(o.precision, 2);
  EXPECT_EQ(o.threshold, 50);
  EXPECT_FALSE(o.sci_mode.has_value());

  set_printoptions(std::nullopt, std::nullopt, std::nullopt, std::nullopt, "full");
  EXPECT_TRUE(std::isinf(get_printoptions().threshold));
  EXPECT_EQ(get_printoptions().precision, 4);
  set_printoptions(std::nullopt, std::nullopt, std::nullopt, std::nullopt, "short");
  EXPECT_EQ(get_printoptions().precision, 2);
  EXPECT_EQ(get_printoptions().edgeitems, 2);

  // Extreme values are accepted and behave: nothing is cut, one element per line.
  set_printoptions(0, 0.0, std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(tensor({1.25, 2.5}).repr(), "tensor([1,\n        2])");
  EXPECT_THROW(set_printoptions(-1), ValueError);
  EXPECT_THROW(set_printoptions(std::nullopt, std::nullopt, -2), ValueError);
  EXPECT_THROW(set_printoptions(std::nullopt, std::nullopt, std::nullopt, std::nullopt, "long"), ValueError);
  set_printoptions(saved);
  EXPECT_EQ(get_printoptions().precision, 4);
  EXPECT_TRUE(std::isfinite(get_printoptions().threshold));
}

TEST(Print, FullProfileDisablesSummary) {
  const PrintOptions saved = get_printoptions();
  Tensor t = arange(1001);
  EXPECT_NE(t.repr().find("..."), std::string::npos);
  set_printoptions(std::nullopt, std::nullopt, std::nullopt, std::nullopt, "full");
  const std::string full = t.repr();
  set_printoptions(saved);
  EXPECT_EQ(full.find("..."), std::string::npos);
  EXPECT_NE(full.find(" 500,"), std::string::npos);
}

TEST(Print, PrintAndStreamAgree) {
  Tensor t = tensor({{1.5, -2.0}, {0.25, 4.0}});
  std::ostringstream a, b;
  print(a, t);
  b << t;
  EXPECT_EQ(a.str(), "tensor([[ 1.5000, -2.0000],\n        [ 0.2500,  4.0000]])");
  EXPECT_EQ(b.str(), a.str());
}

TEST(Print, ViewsPrintTheirOwnElements) {
  // A strided, offset view prints only what it sees.
  Tensor base = arange(20).view({4, 5});
  EXPECT_EQ(base.slice(1, 1, 5, 2).select(0, 2).repr(), "tensor([11, 13])");
  EXPECT_EQ(base.t().slice(0, 0, 2).repr(), "tensor([[ 0,  5, 10, 15],\n        [ 1,  6, 11, 16]])");
  EXPECT_EQ(full({2, 2}, 7.0).expand({2, 2, 2}).repr(),
            "tensor([[[7., 7.],\n         [7., 7.]],\n\n        [[7., 7.],\n         [7., 7.]]])");
}

TEST(Print, GradFnHookAndLeafFlag) {
  Tensor t = ones({2});
  EXPECT_EQ(t.repr(), "tensor([1., 1.])");
  t.requires_grad_();
  EXPECT_EQ(t.repr(), "tensor([1., 1.], requires_grad=True)");
  // A hook that names no node leaves the leaf suffix in place.
  g_hook_name = "";
  set_grad_fn_name_hook(&fake_grad_fn_hook);
  EXPECT_EQ(get_grad_fn_name_hook(), &fake_grad_fn_hook);
  EXPECT_EQ(t.repr(), "tensor([1., 1.], requires_grad=True)");
  g_hook_name = "AddBackward0";
  EXPECT_EQ(t.repr(), "tensor([1., 1.], grad_fn=<AddBackward0>)");
  set_grad_fn_name_hook(nullptr);
  EXPECT_EQ(t.repr(), "tensor([1., 1.], requires_grad=True)");
}

TEST(Print, UndefinedTensor) {
  std::ostringstream os;
  os << Tensor();
  EXPECT_EQ(os.str(), "[ Tensor (undefined) ]");
}

TEST(Print, SummaryReadsOnlyShownElements) {
  // 10^9 logical elements over one stored value: printing must not materialise them.
  Tensor t = full({1, 1}, 2.5, kFloat16).expand({1000, 1000000});
  EXPECT_EQ(t.repr(),
            "tensor([[2.5000, 2.5000, 2.5000,  ..., 2.5000, 2.5000, 2.5000],\n"
            "        [2.5000, 2.5000, 2.5000,  ..., 2.5000, 2.5000, 2.5000],\n"
            "        [2.5000, 2.5000, 2.5000,  ..., 2.5000, 2.5000, 2.5000],\n"
            "        ...,\n"
            "        [2.5000, 2.5000, 2.5000,  ..., 2.5000, 2.5000, 2.5000],\n"
            "        [2.5000, 2.5000, 2.5000,  ..., 2.5000, 2.5000, 2.5000],\n"
            "        [2.5000, 2.5000, 2.5000,  ..., 2.5000, 2.5000, 2.5000]],\n"
            "       dtype=torch.float16)");
}
