// EMBER_FORWARD_HAS_DEFAULT_ARGS (LibTorch's FORWARD_HAS_DEFAULT_ARGS): AnyModule and
// Sequential fill a module's default forward arguments (Note [Forward default arguments]
// in nn/modules/container/any.h).
#include <gtest/gtest.h>

#include <ember/ember.h>

#include "error_of.h"

using namespace ember;

namespace {
// forward(x, scale = 2.0, shift = 1): two defaulted arguments, declared under protected:
// as LibTorch's documentation writes it.
struct ScaleShiftImpl : nn::Module {
  Tensor forward(const Tensor& x, double scale = 2.0, int64_t shift = 1) { return x * scale + shift; }

 protected:
  EMBER_FORWARD_HAS_DEFAULT_ARGS({1, nn::AnyValue(2.0)}, {2, nn::AnyValue(int64_t{1})})
};
EMBER_MODULE(ScaleShift);

// The macro under public:, and a defaulted Tensor argument.
struct AddImpl : nn::Module {
  EMBER_FORWARD_HAS_DEFAULT_ARGS({1, nn::AnyValue(Tensor())})
  Tensor forward(Tensor x, Tensor other = Tensor()) { return other.defined() ? x + other : x + 10; }
};
EMBER_MODULE(Add);

// Defaults in C++ but not declared to AnyModule.
struct UndeclaredImpl : nn::Module {
  Tensor forward(Tensor x, double scale = 2.0) { return x * scale; }
};
EMBER_MODULE(Undeclared);

// Lists a position that is not trailing.
struct MisdeclaredImpl : nn::Module {
  Tensor forward(Tensor x, double scale = 2.0, double shift = 0.0) { return x * scale + shift; }
  EMBER_FORWARD_HAS_DEFAULT_ARGS({2, nn::AnyValue(0.0)}, {1, nn::AnyValue(2.0)})
};
EMBER_MODULE(Misdeclared);
}  // namespace

TEST(CompatForwardDefaults, SequentialFillsDefaults) {
  Tensor x = tensor({1.0f, 2.0f});
  // First module with one input; later modules with the single previous result.
  nn::Sequential seq(ScaleShift{}, Add{}, ScaleShift{});
  Tensor y = seq->forward(x);
  EXPECT_TRUE(y.equal(((x * 2 + 1) + 10) * 2 + 1)) << y;
  // All inputs go to the first module, the rest defaulted.
  EXPECT_TRUE(seq->forward(x, 3.0).equal(((x * 3 + 1) + 10) * 2 + 1));
  EXPECT_TRUE(seq->forward(x, 3.0, int64_t{0}).equal(((x * 3) + 10) * 2 + 1));
}

TEST(CompatForwardDefaults, AnyModuleFillsTheMissingTail) {
  nn::AnyModule any(ScaleShift{});
  Tensor x = tensor({1.0f, -1.0f});
  EXPECT_TRUE(any.forward(x).equal(x * 2 + 1));
  EXPECT_TRUE(any.forward(x, 0.5).equal(x * 0.5 + 1));
  EXPECT_TRUE(any.forward(x, 0.5, int64_t{3}).equal(x * 0.5 + 3));
  // The caller's argument list is left as it was.
  std::vector<nn::AnyValue> inputs{nn::AnyValue(x)};
  EXPECT_TRUE(any.any_forward_values(inputs).get<Tensor>().equal(x * 2 + 1));
  EXPECT_EQ(inputs.size(), 1u);
  nn::AnyModule add(Add{});
  EXPECT_TRUE(add.forward(x).equal(x + 10));
  EXPECT_TRUE(add.forward(x, x).equal(x * 2));
  // A clone keeps the defaults.
  EXPECT_TRUE(any.clone().forward(x).equal(x * 2 + 1));
}

TEST(CompatForwardDefaults, RefusesCountsOutsideTheRange) {
  nn::AnyModule any(ScaleShift{});
  Tensor x = ones({1});
  EXPECT_EQ(error_of([&] { any.forward(); }),
            "ScaleShift's forward() method expects at least 1 argument(s) and at most 3 argument(s), but "
            "received 0.");
  EXPECT_EQ(error_of([&] { any.forward(x, 1.0, int64_t{1}, 4.0); }),
            "ScaleShift's forward() method expects at least 1 argument(s) and at most 3 argument(s), but "
            "received 4.");
}

TEST(CompatForwardDefaults, UndeclaredDefaultsSayWhichMacroToUse) {
  nn::AnyModule any(Undeclared{});
  Tensor x = ones({1});
  EXPECT_TRUE(any.forward(x, 3.0).equal(x * 3));
  EXPECT_EQ(error_of([&] { any.forward(x); }),
            "Undeclared's forward() method expects 2 argument(s), but received 1. If Undeclared's forward() method "
            "has default arguments, please make sure the forward() method is declared with a corresponding "
            "`FORWARD_HAS_DEFAULT_ARGS` macro (EMBER_FORWARD_HAS_DEFAULT_ARGS).");
  // Too many arguments: no hint.
  EXPECT_EQ(error_of([&] { any.forward(x, 1.0, 2.0); }),
            "Undeclared's forward() method expects 2 argument(s), but received 3.");
}

TEST(CompatForwardDefaults, RefusesPositionsThatAreNotTheTrailingOnes) {
  nn::AnyModule any(Misdeclared{});
  Tensor x = ones({1});
  // With every argument given the defaults are not consulted.
  EXPECT_TRUE(any.forward(x, 2.0, 1.0).equal(x * 2 + 1));
  EXPECT_EQ(error_of([&] { any.forward(x); }),
            "Misdeclared's EMBER_FORWARD_HAS_DEFAULT_ARGS must list the positions of forward()'s last 2 "
            "argument(s) in order (1 to 2), but its entry 0 is position 2");
}
