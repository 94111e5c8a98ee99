// The derivative table, elementwise part: unary, binary, clamp, where, nan_to_num, casts
// and copies. Formulas use ember ops only, so they are differentiable themselves.
#include <cmath>

#include "ember/autograd/derivatives.h"
#include "ember/autograd/derivatives_functional.h"
#include "ember/autograd/engine.h"
#include "ember/ops/elementwise.h"
#include "ember/ops/factory.h"

namespace ember::autograd {

Tensor masked_grad(const Tensor& mask, const Tensor& grad) { return where(mask, grad, zeros({}, grad.options())); }

namespace {

// ---- unary: the formulas are the op table's rows (core/op_list.h) -------------------
enum class Saves { SELF, RESULT, NONE };

constexpr const char* unary_node_name(UnaryOp op) {
  switch (op) {
#define EMBER_X(name, methods, node, ...) case UnaryOp::name: return node;
    EMBER_UNARY_OPS(EMBER_X)
#undef EMBER_X
  }
  return nullptr;
}

constexpr Saves unary_saves(UnaryOp op) {
  switch (op) {
#define EMBER_X(name, methods, node, saves, ...) case UnaryOp::name: return Saves::saves;
    EMBER_UNARY_OPS(EMBER_X)
#undef EMBER_X
  }
  return Saves::NONE;
}

// d/dx gelu(x) = Phi(x) + x phi(x) (exact), or the derivative of the tanh approximation.
Tensor gelu_backward(const Tensor& g, const Tensor& x, bool tanh_approx) {
  if (!tanh_approx) {
    Tensor cdf = (erf(x * M_SQRT1_2) + 1) * 0.5;
    Tensor pdf = exp(x * x * -0.5) * (M_2_SQRTPI * M_SQRT1_2 * 0.5);
    return g * (cdf + x * pdf);
  }
  const double k = M_SQRT2 * M_2_SQRTPI * 0.5;  // sqrt(2/pi)
  Tensor x2 = x * x;
  Tensor t = tanh((x + x2 * x * 0.044715) * k);
  Tensor left = (t + 1) * 0.5;
  Tensor right = x * (1 - t * t) * ((x2 * (3 * 0.044715) + 1) * (0.5 * k));
  return g * (left + right);
}

// PyTorch's threshold_backward(g, y, threshold): 0 where y <= threshold, g elsewhere.
Tensor threshold_backward(const Tensor& g, const Tensor& y, double threshold) {
  return activation_grad(kernels::ActOp::threshold, {threshold}, g, y);
}

variable_list unary_formula(OpNode& n, const UnaryState& s, const variable_list& grads) {
  const Tensor& g = grads[0];
  const UnaryOp op = s.op;
  const Tensor x = unary_saves(op) == Saves::SELF ? n.saved(0) : Tensor();
  const Tensor y = unary_saves(op) == Saves::RESULT ? n.saved(0) : Tensor();
  switch (op) {
#define EMBER_X(name, methods, node, saves, ...) case UnaryOp::name: return {__VA_ARGS__};
    EMBER_UNARY_OPS(EMBER_X)
#undef EMBER_X
  }
  return {Tensor()};
}

// ---- binary: each differentiable row names one of these formulas ----------------------
bool is_wrapped(const Tensor& t) { return t.unsafeGetTensorImpl()->is_wrapped_number(); }

variable_list add_backward(OpNode& n, const BinaryState& s, const variable_list& grads) {
  const Tensor& g = grads[0];
  return {g, n.needs_grad(1) ? (s.alpha.toDouble() == 1.0 ? g : g * s.alpha) : Tensor()};
}

variable_list sub_backward(OpNode& n, const BinaryState& s, const variable_list& grads) {
  const Tensor& g = grads[0];
  return {g, n.needs_grad(1) ? (s.alpha.toDouble() == 1.0 ? neg(g) : g * (-s.alpha)) : Tensor()};
}

variable_list mul_backward(OpNode& n, const BinaryState&, const variable_list& grads) {
  const Tensor& g = grads[0];
  bool ga = n.needs_grad(0), gb = n.needs_grad(1);
  Tensor a = gb ? n.saved(0) : Tensor(), b = ga ? n.saved(1) : Tensor();
  return {ga ? g * b : Tensor(), gb ? g * a : Tensor()};
}

variable_list div_backward(OpNode& n, const BinaryState&, const variable_list& grads) {
  const Tensor& g = grads[0];
  bool ga = n.needs_grad(0), gb = n.needs_grad(1);
  Tensor b = n.saved(1);
  Tensor a = gb ? n.saved(0) : Tensor();
  // -g a / b^2 as -g ((a / b) / b): b^2 overflows for large b where the quotients do not.
  return {ga ? g / b : Tensor(), gb ? -g * ((a / b) / b) : Tensor()};
}

// Rounding division: piecewise constant, so zero (PyTorch's DivBackward2).
variable_list zero_backward(OpNode& n, const BinaryState&, const variable_list& grads) {
  const Tensor& g = grads[0];
  return {n.needs_grad(0) ? zeros_like(g) : Tensor(), n.needs_grad(1) ? zeros_like(g) : Tensor()};
}

variable_list pow_backward(OpNode& n, const BinaryState& s, const variable_list& grads) {
  const Tensor& g = grads[0];
  bool ga = n.needs_grad(0), gb = n.needs_grad(1);
  Tensor a = n.saved(0), b = n.saved(1);
  Tensor da, db;
  if (ga) {
    // d/da a^b = b a^(b-1), defined as 0 where b == 0 (PyTorch's convention). A number
    // exponent takes the number overload (Note [Scalar exponents]): zeros for 0, else
    // g * (b * a^(b-1)) with b - 1 computed in double, as PyTorch's pow_backward; a tensor
    // exponent masks with where. The product is grouped as PyTorch groups it, so results
    // round identically. A bool exponent tensor counts as 0/1 (PyTorch 1.13 throws here,
    // computing b - 1 on bools).
    if (s.exponent) {
      if (s.exponent->toDouble() == 0) {
        da = zeros_like(a);
      } else if (s.exponent->is_floating_point()) {
        da = g * (b * pow(a, Scalar(s.exponent->toDouble() - 1)));
      } else {
        da = g * (b * pow(a, Scalar(static_cast<double>(s.exponent->toLong()) - 1)));
      }
    } else {
      Tensor a_pow = pow(a, (b.dtype() == kBool ? b.to(a.dtype()) : b) - 1);
      da = where(eq(b, 0), scalar_to_tensor(0.0), g * (b * a_pow));
    }
  }
  if (gb) {
    Tensor result = n.saved(2);
    // d/db a^b = a^b log(a), 0 where a == 0 and b >= 0. An integer base (2 ** x) takes
    // its log in the result's dtype, not the default float32.
    Tensor log_a = is_floating_point(a.dtype()) ? log(a) : log(a.to(result.dtype()));
    db = g * where(logical_and(eq(a, 0), ge(b, 0)), scalar_to_tensor(0.0), result * log_a);
  }
  return {da, db};
}

variable_list remainder_backward(OpNode& n, const BinaryState&, const variable_list& grads) {
  const Tensor& g = grads[0];
  Tensor db;
  if (n.needs_grad(1)) db = -g * div(n.saved(0), n.saved(1), "floor");
  return {g, db};
}

variable_list fmod_backward(OpNode& n, const BinaryState&, const variable_list& grads) {
  const Tensor& g = grads[0];
  Tensor db;
  if (n.needs_grad(1)) db = -g * div(n.saved(0), n.saved(1), "trunc");
  return {g, db};
}

// maximum / minimum: ties split the gradient; an operand gets none only where the other
// one wins, so with a NaN on either side both get all of it (PyTorch's formula).
variable_list extremum_backward(OpNode& n, bool is_max, const variable_list& grads) {
  const Tensor& g = grads[0];
  Tensor a = n.saved(0), b = n.saved(1);
  Tensor shared = where(eq(a, b), g / 2, g);
  Tensor a_wins = is_max ? gt(a, b) : lt(a, b);
  Tensor b_wins = is_max ? lt(a, b) : gt(a, b);
  return {n.needs_grad(0) ? masked_grad(logical_not(b_wins), shared) : Tensor(),
          n.needs_grad(1) ? masked_grad(logical_not(a_wins), shared) : Tensor()};
}

variable_list maximum_backward(OpNode& n, const BinaryState&, const variable_list& grads) {
  return extremum_backward(n, true, grads);
}
variable_list minimum_backward(OpNode& n, const BinaryState&, const variable_list& grads) {
  return extremum_backward(n, false, grads);
}

variable_list atan2_backward(OpNode& n, const BinaryState&, const variable_list& grads) {
  const Tensor& g = grads[0];
  Tensor a = n.saved(0), b = n.saved(1);
  Tensor denom = a * a + b * b;
  return {n.needs_grad(0) ? g * b / denom : Tensor(), n.needs_grad(1) ? g * -a / denom : Tensor()};
}

const char* binary_node_name(BinaryOp op, const Tensor& a, const Tensor& b) {
  (void)a;
  (void)b;
  switch (op) {
#define EMBER_X(name, node, saves, formula) case BinaryOp::name: return node;
    EMBER_BINARY_OPS(EMBER_X)
#undef EMBER_X
  }
  return nullptr;
}

enum class BinarySaves { NONE, OPERANDS, OPERANDS_RESULT };
constexpr BinarySaves binary_saves(BinaryOp op) {
  switch (op) {
#define EMBER_X(name, node, saves, formula) case BinaryOp::name: return BinarySaves::saves;
    EMBER_BINARY_OPS(EMBER_X)
#undef EMBER_X
  }
  return BinarySaves::NONE;
}

Formula<BinaryState> binary_formula(BinaryOp op) {
  switch (op) {
#define EMBER_X(name, node, saves, formula) case BinaryOp::name: return formula;
    EMBER_BINARY_OPS(EMBER_X)
#undef EMBER_X
  }
  return nullptr;
}

variable_list clamp_formula(OpNode& n, const ClampState& s, const variable_list& grads) {
  Tensor x = n.saved(0);
  Tensor mask;
  if (s.min) mask = ge(x, *s.min);
  if (s.max) mask = mask.defined() ? logical_and(mask, le(x, *s.max)) : le(x, *s.max);
  return {masked_grad(mask, grads[0])};
}

// Note [Clamp with tensor bounds]
// x gets the gradient where lo <= x <= hi (ties included), lo where x < lo < hi, hi where
// x > hi or hi < lo (then hi is the value everywhere). Where lo == hi and x < lo nobody
// gets it, and a NaN anywhere gives everyone zero: PyTorch's clamp_backward and
// clamp_backward_min_max, whose comparisons we copy, including those corners.
variable_list clamp_tensor_formula(OpNode& n, const NoState&, const variable_list& grads) {
  const Tensor& g = grads[0];
  // An absent bound was saved undefined.
  Tensor x = n.saved(0), lo = n.saved(1), hi = n.saved(2);
  Tensor gx, glo, ghi;
  if (n.needs_grad(0)) {
    Tensor keep;
    if (lo.defined()) keep = ge(x, lo);
    if (hi.defined()) keep = keep.defined() ? logical_and(keep, le(x, hi)) : le(x, hi);
    gx = masked_grad(keep, g);
  }
  if (lo.defined() && n.needs_grad(1)) {
    Tensor below = lt(x, lo);
    if (hi.defined()) below = logical_and(below, lt(lo, hi));
    glo = masked_grad(below, g);
  }
  if (hi.defined() && n.needs_grad(2)) {
    Tensor above = gt(x, hi);
    if (lo.defined()) above = logical_or(above, lt(hi, lo));
    ghi = masked_grad(above, g);
  }
  return {gx, glo, ghi};
}

variable_list where_formula(OpNode& n, const NoState&, const variable_list& grads) {
  Tensor c = n.saved(0);
  Tensor zero = zeros_like(grads[0]);
  return {Tensor(), n.needs_grad(1) ? where(c, grads[0], zero) : Tensor(),
          n.needs_grad(2) ? where(c, zero, grads[0]) : Tensor()};
}

variable_list nan_to_num_formula(OpNode& n, const NoState&, const variable_list& grads) {
  return {grads[0] * isfinite(n.saved(0))};
}

variable_list to_dtype_formula(OpNode&, const ToCopyState& s, const variable_list& grads) {
  return {grads[0].to(s.self_dtype)};
}
variable_list identity_formula(OpNode&, const NoState&, const variable_list& grads) { return {grads[0]}; }
variable_list copy_formula(OpNode& n, const CopyState& s, const variable_list& grads) {
  Tensor gs;
  if (n.needs_grad(1)) gs = sum_to(grads[0], s.src_sizes).to(s.src_dtype);
  return {Tensor(), gs};
}
variable_list fill_formula(OpNode&, const NoState&, const variable_list&) { return {Tensor()}; }

// The unary rows' node names, one Derivative per row (nullptr name: not differentiable).
constexpr Derivative<UnaryState> unary_derivative(UnaryOp op) { return {unary_node_name(op), unary_formula}; }

}  // namespace

void record_unary(UnaryOp op, const Tensor& self, const Tensor& result) {
  const Derivative<UnaryState> d = unary_derivative(op);
  const std::initializer_list<const Tensor*> inputs = {&self};
  if (!d.name || !should_record(inputs)) return;
  // The output is saved after it joins the graph, so it can be re-attached to its node
  // when the formula is differentiated again (Note [Saved output without grad_fn]).
  switch (unary_saves(op)) {
    case Saves::SELF: return detail::record_node(d, inputs, result, UnaryState{op}, {self});
    case Saves::RESULT: return detail::record_node(d, inputs, result, UnaryState{op}, {result});
    case Saves::NONE: return detail::record_node(d, inputs, result, UnaryState{op}, {});
  }
}

void record_binary(BinaryOp op, const Tensor& a, const Tensor& b, const Scalar& alpha, const Tensor& result) {
  const char* name = binary_node_name(op, a, b);
  const std::initializer_list<const Tensor*> inputs = {&a, &b};
  if (!name || !should_record(inputs)) return;
  const Derivative<BinaryState> d{name, binary_formula(op)};
  BinaryState state{alpha, std::nullopt};
  // A number exponent (Note [Scalar exponents]); saved tensors lose the wrapped flag.
  if (op == BinaryOp::pow && is_wrapped(b)) state.exponent = b.item();
  // The result is saved after it joins the graph (Note [Saved output without grad_fn]).
  switch (binary_saves(op)) {
    case BinarySaves::NONE: return detail::record_node(d, inputs, result, std::move(state), {});
    case BinarySaves::OPERANDS: return detail::record_node(d, inputs, result, std::move(state), {a, b});
    case BinarySaves::OPERANDS_RESULT:
      return detail::record_node(d, inputs, result, std::move(state), {a, b, result});
  }
}

EMBER_INSTANTIATE_RECORD(NoState);
EMBER_INSTANTIATE_RECORD(UnaryState);
EMBER_INSTANTIATE_RECORD(BinaryState);
EMBER_INSTANTIATE_RECORD(ClampState);
EMBER_INSTANTIATE_RECORD(ToCopyState);
EMBER_INSTANTIATE_RECORD(CopyState);

const Derivative<ClampState> ClampBackward1{"ClampBackward1", clamp_formula};
const Derivative<ClampState> ClampMinBackward0{"ClampMinBackward0", clamp_formula};
const Derivative<ClampState> ClampMaxBackward0{"ClampMaxBackward0", clamp_formula};
const Derivative<> ClampBackward0{"ClampBackward0", clamp_tensor_formula};
const Derivative<> WhereBackward0{"WhereBackward0", where_formula};
const Derivative<> NanToNumBackward0{"NanToNumBackward0", nan_to_num_formula};
const Derivative<ToCopyState> ToCopyBackward0{"ToCopyBackward0", to_dtype_formula};
const Derivative<> CloneBackward0{"CloneBackward0", identity_formula};
const Derivative<CopyState> CopyBackwards{"CopyBackwards", copy_formula};
const Derivative<> FillBackward0{"FillBackward0", fill_formula};

}  // namespace ember::autograd
