// The op table's generated gradchecks (core/op_list.h): every differentiable row is checked
// by finite differences in float64 (first and second derivatives), every other row is
// checked to record nothing, and a coverage report lists what each row is tested by.
#include <gtest/gtest.h>

#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include <ember/ember.h>

#include "gradcheck.h"
#include "op_table_specs.h"

using namespace ember;
using namespace ember::testing;
using ember::test::binary_spec;
using ember::test::kBinaryOps;
using ember::test::kUnaryOps;
using ember::test::unary_spec;

namespace {

Tensor leaf(const Tensor& t) { return t.detach().requires_grad_(true); }

// [3, 4] inputs in [lo, hi] in three layouts: contiguous, transposed, stepped slice.
std::vector<Tensor> layouts(double lo, double hi, int seed) {
  auto base = [&](IntArrayRef shape) {
    Tensor t = (arange(checked_numel(shape), kFloat64) * (0.7 + seed) + seed).sin();
    return (t * ((hi - lo) / 2) + (hi + lo) / 2).view(shape);
  };
  return {leaf(base({3, 4})), leaf(base({4, 3})).t(), leaf(base({6, 8})).slice(0, 0, 6, 2).slice(1, 1, 8, 2)};
}

}  // namespace

TEST(OpTable, GradcheckEveryDifferentiableUnaryRow) {
  int checked = 0;
  for (UnaryOp op : kUnaryOps) {
    if (!is_differentiable(op)) continue;
    const auto spec = unary_spec(op);
    ASSERT_LT(spec.lo, spec.hi) << op_name(op) << " has no gradient range in op_table_specs.h";
    for (const Tensor& x : layouts(spec.lo, spec.hi, 1)) {
      Fn f = [op](const std::vector<Tensor>& in) { return unary_op(op, in[0]); };
      EXPECT_TRUE(gradcheck(f, {x})) << op_name(op);
      EXPECT_TRUE(gradgradcheck(f, {x})) << op_name(op);
    }
    ++checked;
  }
  EXPECT_GT(checked, 20);
}

TEST(OpTable, GradcheckEveryDifferentiableBinaryRow) {
  int checked = 0;
  for (BinaryOp op : kBinaryOps) {
    if (!is_differentiable(op)) continue;
    const auto spec = binary_spec(op);
    ASSERT_LT(spec.a_lo, spec.a_hi) << op_name(op) << " has no gradient range in op_table_specs.h";
    auto as = layouts(spec.a_lo, spec.a_hi, 3), bs = layouts(spec.b_lo, spec.b_hi, 4);
    for (size_t i = 0; i < as.size(); ++i) {
      Fn f = [op](const std::vector<Tensor>& in) { return binary_op(op, in[0], in[1]); };
      EXPECT_TRUE(gradcheck(f, {as[i], bs[(i + 1) % bs.size()]})) << op_name(op);
      EXPECT_TRUE(gradgradcheck(f, {as[i], bs[(i + 1) % bs.size()]})) << op_name(op);
    }
    ++checked;
  }
  EXPECT_GT(checked, 10);
}

// Rows without a derivative record nothing: their results never require grad.
TEST(OpTable, NonDifferentiableRowsRecordNothing) {
  Tensor x = leaf(tensor({0.5, -1.5, 2.0})), i = tensor({3, -4, 5});
  for (UnaryOp op : kUnaryOps) {
    if (is_differentiable(op)) continue;
    Tensor input = op == UnaryOp::bitwise_not ? i : x;  // bitwise_not takes integers only
    Tensor r = unary_op(op, input);
    EXPECT_FALSE(r.requires_grad()) << op_name(op);
    EXPECT_EQ(r.grad_fn(), nullptr) << op_name(op);
  }
  for (BinaryOp op : kBinaryOps) {
    if (is_differentiable(op)) continue;
    const bool ints = op == BinaryOp::bitwise_and || op == BinaryOp::bitwise_or || op == BinaryOp::bitwise_xor;
    Tensor r = ints ? binary_op(op, i, i) : binary_op(op, x, x * 2);
    EXPECT_FALSE(r.requires_grad()) << op_name(op);
  }
}

// The coverage report: each row, its derivative, and the generated tests that cover it.
// Those tests loop over the same rows, so coverage is complete by construction; this test
// prints the table (ctest -V) and checks the counts the docs quote.
namespace {
// Every activation row called with its sample arguments (Note [Activation table]).
struct ActivationRow {
  ActivationOp op;
  Tensor (*f)(const Tensor&);
  Tensor& (*f_)(Tensor&);  // null without an in-place form
};
#define EMBER_ACT_INPLACE_FN_INPLACE(name, sample) [](Tensor& x) -> Tensor& { return ember::name##_(x EMBER_UNPAREN sample); }
#define EMBER_ACT_INPLACE_FN_FUNCTIONAL(name, sample) nullptr
#define EMBER_X(name, forms, front, kernel, node, params, kernel_params, sample)                          \
  ActivationRow{ActivationOp::name, [](const Tensor& x) { return ember::name(x EMBER_UNPAREN sample); }, \
                EMBER_ACT_INPLACE_FN_##forms(name, sample)},
const ActivationRow kActivationRows[] = {EMBER_ACTIVATION_OPS(EMBER_X)};
#undef EMBER_X
#undef EMBER_ACT_INPLACE_FN_FUNCTIONAL
#undef EMBER_ACT_INPLACE_FN_INPLACE
}  // namespace

TEST(OpTable, GradcheckEveryActivationRow) {
  ASSERT_EQ(static_cast<int>(std::size(kActivationRows)), kNumActivationOps);
  for (const ActivationRow& row : kActivationRows) {
    // [-4, 4] spans every kink (0, +-3, the samples' thresholds); the layouts' points stay
    // well away from them.
    for (const Tensor& x : layouts(-4, 4, 2)) {
      Fn f = [&row](const std::vector<Tensor>& in) { return row.f(in[0]); };
      EXPECT_TRUE(gradcheck(f, {x})) << op_name(row.op);
      EXPECT_TRUE(gradgradcheck(f, {x})) << op_name(row.op);
      Tensor y = row.f(x);
      ASSERT_TRUE(y.grad_fn()) << op_name(row.op);
      EXPECT_EQ(y.grad_fn()->name(), backward_node_name(row.op)) << op_name(row.op);
    }
  }
}

TEST(OpTable, EveryActivationInPlaceFormMatchesItsFunction) {
  int inplace = 0;
  for (const ActivationRow& row : kActivationRows) {
    EXPECT_EQ(row.f_ != nullptr, has_inplace_form(row.op)) << op_name(row.op);
    if (!row.f_) continue;
    ++inplace;
    Tensor x = layouts(-4, 4, 3)[1].detach();  // a transposed view
    Tensor expect = row.f(x);
    Tensor y = x.clone();
    Tensor& r = row.f_(y);
    EXPECT_TRUE(r.is_same(y)) << op_name(row.op);
    // Same values; the in-place kernel walks the transposed layout, whose inner loop may be
    // the scalar one, so exp-based rows (silu, mish) can differ by an ulp or two.
    EXPECT_TRUE(allclose(y, expect, 1e-13, 1e-13)) << op_name(row.op);
    // With autograd, in place on a non-leaf records the same node as the function.
    Tensor leaf_x = leaf(x);
    Tensor z = leaf_x * 1.0;
    row.f_(z).sum().backward();
    Tensor leaf_x2 = leaf(x);
    row.f(leaf_x2).sum().backward();
    EXPECT_TRUE(allclose(leaf_x.grad(), leaf_x2.grad())) << op_name(row.op);
  }
  EXPECT_EQ(inplace, 11);
}

// ---- The reduction table (Note [Reduction table]) ------------------------------------------
namespace {
Tensor first(const Tensor& t) { return t; }
Tensor first(const std::tuple<Tensor, Tensor>& t) { return std::get<0>(t); }
struct ReductionRow {
  ReductionOp op;
  Tensor (*all)(const Tensor&);  // the all-dims form with the row's sample arguments
  Tensor (*dim)(const Tensor&);  // the dim form (values only for VALUES_INDICES rows)
};
#define EMBER_X(name, sig, rule, out, node, dim_node, all_args, dim_args)                  \
  ReductionRow{ReductionOp::name, [](const Tensor& x) { return first(ember::name(x EMBER_COMMA_ARGS all_args)); }, \
               [](const Tensor& x) { return first(ember::name(x EMBER_COMMA_ARGS dim_args)); }},
const ReductionRow kReductionRows[] = {EMBER_REDUCTION_OPS(EMBER_X)};
#undef EMBER_X
}  // namespace

TEST(OpTable, GradcheckEveryDifferentiableReductionRow) {
  ASSERT_EQ(static_cast<int>(std::size(kReductionRows)), kNumReductionOps);
  int checked = 0;
  for (const ReductionRow& row : kReductionRows) {
    const auto spec = ember::test::reduction_spec(row.op);
    for (bool dim_form : {false, true}) {
      auto f_row = dim_form ? row.dim : row.all;
      const std::string node = backward_node_name(row.op, dim_form);
      for (const Tensor& x : layouts(spec.lo, spec.hi, 5)) {
        Tensor y = f_row(x);
        if (node.empty()) {
          EXPECT_FALSE(y.requires_grad()) << op_name(row.op) << " has no derivative row, yet records one";
          continue;
        }
        ASSERT_TRUE(y.grad_fn()) << op_name(row.op);
        EXPECT_EQ(y.grad_fn()->name(), node) << op_name(row.op) << (dim_form ? " (dim form)" : "");
        Fn f = [f_row](const std::vector<Tensor>& in) { return f_row(in[0]); };
        EXPECT_TRUE(gradcheck(f, {x})) << op_name(row.op) << (dim_form ? " (dim form)" : "");
        EXPECT_TRUE(gradgradcheck(f, {x})) << op_name(row.op) << (dim_form ? " (dim form)" : "");
      }
      checked += !node.empty();
    }
  }
  EXPECT_EQ(checked, 26);  // 13 differentiable rows, two forms each
}

TEST(OpTable, CoverageReport) {
  std::set<std::string> names;
  int unary_diff = 0, binary_diff = 0;
  std::printf("%-12s %-7s %-14s %-12s %-12s %-10s\n", "op", "family", "differentiable", "forward diff",
              "gradient diff", "gradcheck");
  for (UnaryOp op : kUnaryOps) {
    EXPECT_TRUE(names.insert(op_name(op)).second) << "duplicate row " << op_name(op);
    const bool d = is_differentiable(op);
    unary_diff += d;
    std::printf("%-12s %-7s %-14s %-12s %-12s %-10s\n", op_name(op), "unary", d ? "yes" : "no", "yes",
                d ? "yes" : "-", d ? "yes" : "-");
  }
  for (BinaryOp op : kBinaryOps) {
    EXPECT_TRUE(names.insert(std::string("binary ") + op_name(op)).second) << "duplicate row " << op_name(op);
    const bool d = is_differentiable(op);
    binary_diff += d;
    std::printf("%-12s %-7s %-14s %-12s %-12s %-10s\n", op_name(op), "binary", d ? "yes" : "no", "yes",
                d ? "yes" : "-", d ? "yes" : "-");
  }
  for (const ActivationRow& row : kActivationRows) {
    EXPECT_TRUE(names.insert(op_name(row.op)).second) << "duplicate row " << op_name(row.op);
    std::printf("%-12s %-7s %-14s %-12s %-12s %-10s\n", op_name(row.op), "act", "yes", "yes", "yes", "yes");
  }
  int reduction_diff = 0;
  for (const ReductionRow& row : kReductionRows) {
    EXPECT_TRUE(names.insert(std::string("reduction ") + op_name(row.op)).second) << "duplicate row " << op_name(row.op);
    const bool d = *backward_node_name(row.op, false) != 0;
    reduction_diff += d;
    std::printf("%-12s %-7s %-14s %-12s %-12s %-10s\n", op_name(row.op), "reduce", d ? "yes" : "no", "yes",
                d ? "yes" : "-", d ? "yes" : "-");
  }
  std::printf("%d unary rows (%d differentiable), %d binary rows (%d differentiable), %d activation rows, "
              "%d reduction and scan rows (%d differentiable)\n",
              kNumUnaryOps, unary_diff, kNumBinaryOps, binary_diff, kNumActivationOps, kNumReductionOps,
              reduction_diff);
  EXPECT_EQ(kNumReductionOps, 18);
  EXPECT_EQ(reduction_diff, 13);
  EXPECT_EQ(kNumActivationOps, 13);
  EXPECT_EQ(static_cast<int>(std::size(kUnaryOps)), kNumUnaryOps);
  EXPECT_EQ(static_cast<int>(std::size(kBinaryOps)), kNumBinaryOps);
  EXPECT_EQ(unary_diff, 26);
  EXPECT_EQ(binary_diff, 12);
}
