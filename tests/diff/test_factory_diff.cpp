// Factories against LibTorch: arange / linspace / logspace / eye / full and the nested-list
// `tensor` with the same arguments give the same dtype, shape and values (the ranges'
// element counts and their last elements are where implementations drift apart).
#include "diff_util.h"

using diff::same;

namespace {

struct RangeArgs {
  double start, end, step;
};

// Both libraries give the same tensor, or both throw with the same message.
template <class E, class T>
::testing::AssertionResult same_or_both_throw(E&& make_ember, T&& make_torch, double rtol = 1e-6,
                                               double atol = 1e-6) {
  ember::Tensor e;
  torch::Tensor t;
  std::string ember_error, torch_error;
  try { e = make_ember(); } catch (const ember::Error& err) { ember_error = err.what(); }
  // c10 reports an overflowing conversion with a plain std::runtime_error, the rest as c10::Error.
  try {
    t = make_torch();
  } catch (const c10::Error& err) {
    torch_error = err.what_without_backtrace();
  } catch (const std::runtime_error& err) {
    torch_error = err.what();
  }
  if (ember_error.empty() != torch_error.empty())
    return ::testing::AssertionFailure() << "ember threw '" << ember_error << "', torch threw '" << torch_error << "'";
  if (!ember_error.empty()) {
    if (ember_error.find(torch_error) == std::string::npos && torch_error.find(ember_error) == std::string::npos)
      return ::testing::AssertionFailure() << "messages: ember '" << ember_error << "' vs torch '" << torch_error << "'";
    return ::testing::AssertionSuccess();
  }
  return same(e, t, rtol, atol);
}

}  // namespace

TEST(DiffFactory, ArangeIntegerArgumentsGiveInt64) {
  for (auto [s, e, st] : {std::tuple{0, 10, 3}, {10, 0, -3}, {-7, 7, 1}, {5, 5, 1}, {0, 1, 5}}) {
    EXPECT_TRUE(same(ember::arange(s, e, st), torch::arange(s, e, st))) << s << " " << e << " " << st;
  }
  EXPECT_TRUE(same(ember::arange(6), torch::arange(6)));
  EXPECT_TRUE(same(ember::arange(2, 9), torch::arange(2, 9)));
}

TEST(DiffFactory, ArangeFloatingArgumentsAndDtypes) {
  for (RangeArgs r : {RangeArgs{0.5, 3, 0.7}, {1, 2, 0.1}, {0, 1, 0.3}, {3, -1.5, -0.25}, {-1e-3, 1e-3, 1e-4}}) {
    EXPECT_TRUE(same(ember::arange(r.start, r.end, r.step), torch::arange(r.start, r.end, r.step)))
        << r.start << " " << r.end << " " << r.step;
    for (auto dt : {ember::kFloat32, ember::kFloat64, ember::kBFloat16, ember::kFloat16}) {
      auto e = ember::arange(r.start, r.end, r.step, dt);
      auto t = torch::arange(r.start, r.end, r.step, diff::to_torch(dt));
      EXPECT_TRUE(same(e, t, 1e-2, 1e-2)) << r.start << " " << r.end << " " << r.step << " " << dt;
    }
  }
  // Integer arguments with a floating dtype, and a floating step into an integer dtype.
  EXPECT_TRUE(same(ember::arange(0, 7, 2, ember::kFloat64), torch::arange(0, 7, 2, torch::kFloat64)));
  EXPECT_TRUE(same(ember::arange(0, 10, 1, ember::kInt32), torch::arange(0, 10, 1, torch::kInt32)));
  EXPECT_TRUE(same(ember::arange(0.0, 5.0, 1.5, ember::kInt64), torch::arange(0.0, 5.0, 1.5, torch::kInt64)));
}

TEST(DiffFactory, ArangeTruncatesArgumentsForIntegerDtypes) {
  // int64 counts from the truncated bounds, the other integer types from the bounds as given.
  for (auto dt : {ember::kInt64, ember::kInt32, ember::kInt16}) {
    for (RangeArgs r : {RangeArgs{0.5, 5.5, 1.5}, {-0.5, 5, 1.5}, {0.9, 7.9, 2.9}}) {
      EXPECT_TRUE(same_or_both_throw([&] { return ember::arange(r.start, r.end, r.step, dt); },
                                     [&] { return torch::arange(r.start, r.end, r.step, diff::to_torch(dt)); }))
          << r.start << " " << r.end << " " << r.step << " " << dt;
    }
    // A step that truncates to zero.
    EXPECT_TRUE(same_or_both_throw([&] { return ember::arange(0, 5, 0.5, dt); },
                                   [&] { return torch::arange(0, 5, 0.5, diff::to_torch(dt)); }));
  }
  // Bounds that do not fit the accumulation type, and values that wrap.
  EXPECT_TRUE(same_or_both_throw([&] { return ember::arange(0, 1e20, 1e19, ember::kInt64); },
                                 [&] { return torch::arange(0, 1e20, 1e19, torch::kInt64); }));
  EXPECT_TRUE(same_or_both_throw([&] { return ember::arange(0, 300, 100, ember::kUInt8); },
                                 [&] { return torch::arange(0, 300, 100, torch::kUInt8); }));
}

TEST(DiffFactory, ValuesThatDoNotFitTheDtype) {
  // fill_, full, masked_fill and clamp convert their number to the element type checked.
  struct Case {
    ember::ScalarType dt;
    double value;
    bool is_int;
  };
  for (Case c : {Case{ember::kUInt8, 300, true}, {ember::kUInt8, -1, true}, {ember::kUInt8, -256, true},
                 {ember::kUInt8, -1, false}, {ember::kUInt8, 255.9, false}, {ember::kInt8, -128, true},
                 {ember::kInt8, -129, true}, {ember::kInt8, -128.9, false}, {ember::kInt16, 40000, true},
                 {ember::kInt32, 8589934592.0, true}, {ember::kInt32, INFINITY, false}, {ember::kInt32, NAN, false},
                 {ember::kInt64, 1e20, false}, {ember::kInt64, 9.3e18, false}, {ember::kFloat16, 65504, false},
                 {ember::kFloat16, 65519, false}, {ember::kBFloat16, 3.5e38, false}, {ember::kFloat32, 1e300, false},
                 {ember::kFloat32, INFINITY, false}, {ember::kFloat32, NAN, false}, {ember::kBool, NAN, false},
                 {ember::kBool, -3, true}, {ember::kFloat64, -1e308, false}}) {
    ember::Scalar ev = c.is_int ? ember::Scalar(static_cast<int64_t>(c.value)) : ember::Scalar(c.value);
    c10::Scalar tv = c.is_int ? c10::Scalar(static_cast<int64_t>(c.value)) : c10::Scalar(c.value);
    auto tdt = diff::to_torch(c.dt);
    EXPECT_TRUE(same_or_both_throw([&] { return ember::full({2}, ev, c.dt); }, [&] { return torch::full({2}, tv, tdt); }))
        << c.dt << " " << c.value;
    EXPECT_TRUE(same_or_both_throw([&] { return ember::zeros({3}, c.dt).fill_(ev); },
                                   [&] { return torch::zeros({3}, tdt).fill_(tv); }))
        << c.dt << " " << c.value;
    EXPECT_TRUE(same_or_both_throw(
        [&] { return ember::zeros({2}, c.dt).masked_fill(ember::tensor({true, false}), ev); },
        [&] { return torch::zeros({2}, tdt).masked_fill(torch::tensor({true, false}), tv); }))
        << c.dt << " " << c.value;
    // (LibTorch has no float16 clamp on the CPU; ember has one, checked the same way.)
    if (c.dt != ember::kBool && c.dt != ember::kFloat16 && !std::isnan(c.value)) {
      EXPECT_TRUE(same_or_both_throw([&] { return ember::clamp(ember::zeros({2}, c.dt), std::nullopt, ev); },
                                     [&] { return torch::clamp(torch::zeros({2}, tdt), c10::nullopt, tv); }))
          << c.dt << " " << c.value;
    }
  }
  EXPECT_THROW(ember::clamp(ember::zeros({2}, ember::kFloat16), std::nullopt, 65519), ember::Error);
  EXPECT_NO_THROW(ember::clamp(ember::zeros({2}, ember::kFloat16), std::nullopt, 65504));
}

TEST(DiffFactory, ArangeErrors) {
  EXPECT_THROW(ember::arange(0, 10, 0), ember::Error);   // step must be nonzero
  EXPECT_THROW(ember::arange(10, 0, 1), ember::Error);   // bounds inconsistent with step sign
  EXPECT_THROW(torch::arange(10, 0, 1), c10::Error);
}

TEST(DiffFactory, Linspace) {
  for (int64_t steps : {0, 1, 2, 5, 100, 1001}) {
    for (RangeArgs r : {RangeArgs{0, 1, 0}, {-3, 5, 0}, {5, -3, 0}, {1e-3, 1e3, 0}, {2, 2, 0}, {-1, 3, 0}}) {
      // bfloat16 rounds after every operation, and PyTorch computes 16 lanes at a time from a
      // rounded base, so elements may differ by a couple of ulps of the range's largest end.
      const double bf16_atol = std::ldexp(std::max(std::abs(r.start), std::abs(r.end)), -6);
      for (auto dt : {ember::kFloat32, ember::kFloat64, ember::kBFloat16}) {
        EXPECT_TRUE(same_or_both_throw([&] { return ember::linspace(r.start, r.end, steps, dt); },
                                       [&] { return torch::linspace(r.start, r.end, steps, diff::to_torch(dt)); },
                                       dt == ember::kBFloat16 ? 1e-2 : 1e-6, bf16_atol))
            << steps << " " << r.start << " " << r.end << " " << dt;
      }
      // Integer dtypes: the start and end are converted first (uint8 wraps -1 to 255 and
      // rejects 1000). Only sequences with a whole-number step are compared, see Note
      // [Range factories] for PyTorch's lane-wise rounding of fractional ones.
      for (auto dt : {ember::kInt64, ember::kInt32, ember::kUInt8}) {
        auto t = [&] { return torch::linspace(r.start, r.end, steps, diff::to_torch(dt)); };
        bool whole_step = true;
        try {
          auto v = t();
          if (steps > 1) whole_step = (v[1] - v[0]).item<int64_t>() * (steps - 1) == (v[-1] - v[0]).item<int64_t>();
        } catch (const std::exception&) {
        }
        if (!whole_step) continue;
        EXPECT_TRUE(same_or_both_throw([&] { return ember::linspace(r.start, r.end, steps, dt); }, t))
            << steps << " " << r.start << " " << r.end << " " << dt;
      }
    }
  }
  EXPECT_TRUE(same(ember::linspace(0, 10, 7), torch::linspace(0, 10, 7)));  // default dtype
  // A fractional start is truncated before stepping (PyTorch gives [0, 0, 1, 2, 3] too).
  EXPECT_TRUE(same(ember::linspace(0.5, 3.7, 5, ember::kInt64), torch::linspace(0.5, 3.7, 5, torch::kInt64)));
  // Fractional integer steps: each element of the exact sequence, truncated.
  auto frac = ember::linspace(-3, 5, 100, ember::kInt64);
  for (int64_t i = 0; i < 100; ++i) {
    double exact = i < 50 ? -3 + 8.0 / 99 * i : 5 - 8.0 / 99 * (99 - i);
    EXPECT_EQ(frac[i].item<int64_t>(), static_cast<int64_t>(exact)) << i;
  }
  EXPECT_THROW(ember::linspace(0, 1, -1), ember::Error);
}

TEST(DiffFactory, Logspace) {
  for (int64_t steps : {0, 1, 2, 7, 50}) {
    for (double base : {10.0, 2.0, 2.718281828459045, 0.5}) {
      for (RangeArgs r : {RangeArgs{0, 3, 0}, {-2, 2, 0}, {3, -1, 0}, {0.5, 3.7, 0}}) {
        for (auto dt : {ember::kFloat32, ember::kFloat64, ember::kInt64, ember::kInt32, ember::kUInt8}) {
          EXPECT_TRUE(same_or_both_throw([&] { return ember::logspace(r.start, r.end, steps, base, dt); },
                                         [&] { return torch::logspace(r.start, r.end, steps, base, diff::to_torch(dt)); }))
              << steps << " " << base << " " << r.start << " " << r.end << " " << dt;
        }
      }
    }
  }
  EXPECT_TRUE(same(ember::logspace(0, 2, 3), torch::logspace(0, 2, 3)));
  // 10^3 wraps into uint8 as 232; a single step of 1000 does not fit and is an error.
  EXPECT_TRUE(same(ember::logspace(0, 3, 4, 10, ember::kUInt8), torch::logspace(0, 3, 4, 10, torch::kUInt8)));
  EXPECT_THROW(ember::logspace(3, 3, 1, 10, ember::kUInt8), ember::Error);
  EXPECT_THROW(ember::logspace(0, 1, -1), ember::Error);
}

TEST(DiffFactory, EyeAndFull) {
  EXPECT_TRUE(same(ember::eye(3), torch::eye(3)));
  EXPECT_TRUE(same(ember::eye(2, 4, ember::kInt32), torch::eye(2, 4, torch::kInt32)));
  EXPECT_TRUE(same(ember::eye(4, 2, ember::kBool), torch::eye(4, 2, torch::kBool)));
  EXPECT_TRUE(same(ember::eye(0), torch::eye(0)));
  EXPECT_THROW(ember::eye(-1), ember::Error);
  // full's dtype follows the value when none is given.
  EXPECT_TRUE(same(ember::full({2, 3}, 7), torch::full({2, 3}, 7)));
  EXPECT_TRUE(same(ember::full({2, 3}, 2.5), torch::full({2, 3}, 2.5)));
  EXPECT_TRUE(same(ember::full({2}, true), torch::full({2}, true)));
  EXPECT_TRUE(same(ember::full({0, 3}, 1.0, ember::kInt16), torch::full({0, 3}, 1.0, torch::kInt16)));
}

TEST(DiffFactory, NestedListDtypeInference) {
  EXPECT_TRUE(same(ember::tensor({{1, 2}, {3, 4}}), torch::tensor({{1, 2}, {3, 4}})));
  EXPECT_TRUE(same(ember::tensor({{1.5, 2.}, {3., 4.}}), torch::tensor({{1.5, 2.}, {3., 4.}})));
  EXPECT_TRUE(same(ember::tensor({true, false}), torch::tensor({true, false})));
  EXPECT_TRUE(same(ember::tensor(3.5), torch::tensor(3.5)));
  EXPECT_TRUE(same(ember::tensor(std::vector<int32_t>{1, 2, 3}), torch::tensor(std::vector<int32_t>{1, 2, 3})));
  EXPECT_TRUE(same(ember::tensor(std::vector<double>{0.1, 0.2}), torch::tensor(std::vector<double>{0.1, 0.2})));
  EXPECT_TRUE(same(ember::tensor({1, 2}, ember::kFloat64), torch::tensor({1, 2}, torch::kFloat64)));
}
