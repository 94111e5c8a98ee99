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

// ---- unary -------------------------------------------------------------------------------
const char* unary_node_name(UnaryOp op) {
  switch (op) {
    case UnaryOp::abs: return "AbsBackward0";
    case UnaryOp::neg: return "NegBackward0";
    case UnaryOp::sign: return "SignBackward0";
    case UnaryOp::exp: return "ExpBackward0";
    case UnaryOp::expm1: return "Expm1Backward0";
    case UnaryOp::log: return "LogBackward0";
    case UnaryOp::log1p: return "Log1PBackward0";
    case UnaryOp::log2: return "Log2Backward0";
    case UnaryOp::log10: return "Log10Backward0";
    case UnaryOp::sqrt: return "SqrtBackward0";
    case UnaryOp::rsqrt: return "RsqrtBackward0";
    case UnaryOp::sin: return "SinBackward0";
    case UnaryOp::cos: return "CosBackward0";
    case UnaryOp::tan: return "TanBackward0";
    case UnaryOp::tanh: return "TanhBackward0";
    case UnaryOp::sigmoid: return "SigmoidBackward0";
    case UnaryOp::erf: return "ErfBackward0";
    case UnaryOp::reciprocal: return "ReciprocalBackward0";
    case UnaryOp::gelu:
    case UnaryOp::gelu_tanh: return "GeluBackward0";
    case UnaryOp::floor: return "FloorBackward0";
    case UnaryOp::ceil: return "CeilBackward0";
    case UnaryOp::round: return "RoundBackward0";
    case UnaryOp::trunc: return "TruncBackward0";
    case UnaryOp::relu: return "ReluBackward0";
    case UnaryOp::square: return "PowBackward0";
    default: return nullptr;  // bool-valued ops are not differentiable
  }
}

// Which of (self, result) a unary formula reads.
bool unary_uses_result(UnaryOp op) {
  switch (op) {
    case UnaryOp::exp: case UnaryOp::expm1: case UnaryOp::sqrt: case UnaryOp::rsqrt: case UnaryOp::tan:
    case UnaryOp::tanh: case UnaryOp::sigmoid: case UnaryOp::reciprocal: case UnaryOp::relu:
      return true;
    default: return false;
  }
}
bool unary_uses_self(UnaryOp op) {
  switch (op) {
    case UnaryOp::abs: case UnaryOp::log: case UnaryOp::log1p: case UnaryOp::log2: case UnaryOp::log10:
    case UnaryOp::sin: case UnaryOp::cos: case UnaryOp::erf: case UnaryOp::gelu: case UnaryOp::gelu_tanh:
    case UnaryOp::square:
      return true;
    default: return false;
  }
}

variable_list unary_formula(OpNode& n, const variable_list& grads) {
  const Tensor& g = grads[0];
  auto op = static_cast<UnaryOp>(n.code);
  Tensor x = unary_uses_self(op) ? n.saved(0) : Tensor();
  Tensor y = unary_uses_result(op) ? n.saved(1) : Tensor();
  switch (op) {
    case UnaryOp::abs: return {g * sign(x)};
    case UnaryOp::neg: return {neg(g)};
    case UnaryOp::sign: case UnaryOp::floor: case UnaryOp::ceil: case UnaryOp::round: case UnaryOp::trunc:
      return {zeros_like(g)};
    case UnaryOp::exp: return {g * y};
    case UnaryOp::expm1: return {g * (y + 1)};
    case UnaryOp::log: return {g / x};
    case UnaryOp::log1p: return {g / (x + 1)};
    case UnaryOp::log2: return {g / (x * M_LN2)};
    case UnaryOp::log10: return {g / (x * M_LN10)};
    case UnaryOp::sqrt: return {g / (2 * y)};
    case UnaryOp::rsqrt: return {g * y.pow(3) * -0.5};
    case UnaryOp::sin: return {g * cos(x)};
    case UnaryOp::cos: return {g * -sin(x)};
    case UnaryOp::tan: return {g * (y * y + 1)};
    case UnaryOp::tanh: return {g * (1 - y * y)};
    case UnaryOp::sigmoid: return {g * y * (1 - y)};
    case UnaryOp::erf: return {g * (M_2_SQRTPI * exp(-(x * x)))};
    case UnaryOp::reciprocal: return {g * -(y * y)};
    case UnaryOp::relu:
      // PyTorch's threshold_backward(g, result, 0): 0 where result <= 0, g elsewhere (a NaN
      // result passes g).
      return {activation_grad(cpu::ActOp::threshold, {}, g, y)};
    case UnaryOp::square: return {g * 2 * x};
    case UnaryOp::gelu: {
      Tensor cdf = (erf(x * M_SQRT1_2) + 1) * 0.5;
      Tensor pdf = exp(x * x * -0.5) * (M_2_SQRTPI * M_SQRT1_2 * 0.5);
      return {g * (cdf + x * pdf)};
    }
    case UnaryOp::gelu_tanh: {
      const double k = M_SQRT2 * M_2_SQRTPI * 0.5;  // sqrt(2/pi)
      Tensor x2 = x * x;
      Tensor t = tanh((x + x2 * x * 0.044715) * k);
      Tensor left = (t + 1) * 0.5;
      Tensor right = x * (1 - t * t) * ((x2 * (3 * 0.044715) + 1) * (0.5 * k));
      return {g * (left + right)};
    }
    default: return {Tensor()};
  }
}

// ---- binary ------------------------------------------------------------------------------
bool is_wrapped(const Tensor& t) { return t.unsafeGetTensorImpl()->is_wrapped_number(); }

const char* binary_node_name(BinaryOp op, const Tensor& a, const Tensor& b) {
  switch (op) {
    case BinaryOp::add: return "AddBackward0";
    case BinaryOp::sub: return is_wrapped(a) ? "RsubBackward1" : "SubBackward0";
    case BinaryOp::mul: return "MulBackward0";
    case BinaryOp::div: return "DivBackward0";
    case BinaryOp::div_trunc: case BinaryOp::div_floor: return "DivBackward1";
    case BinaryOp::pow: return is_wrapped(b) ? "PowBackward0" : (is_wrapped(a) ? "PowBackward2" : "PowBackward1");
    case BinaryOp::remainder: return is_wrapped(b) ? "RemainderBackward0" : "RemainderBackward1";
    case BinaryOp::fmod: return is_wrapped(b) ? "FmodBackward0" : "FmodBackward1";
    case BinaryOp::maximum: return "MaximumBackward0";
    case BinaryOp::minimum: return "MinimumBackward0";
    case BinaryOp::atan2: return "Atan2Backward0";
    default: return nullptr;
  }
}

variable_list binary_formula(OpNode& n, const variable_list& grads) {
  const Tensor& g = grads[0];
  auto op = static_cast<BinaryOp>(n.code);
  bool ga = n.needs_grad(0), gb = n.needs_grad(1);
  switch (op) {
    case BinaryOp::add:
      return {g, gb ? (n.s0.toDouble() == 1.0 ? g : g * n.s0) : Tensor()};
    case BinaryOp::sub:
      return {g, gb ? (n.s0.toDouble() == 1.0 ? neg(g) : g * (-n.s0)) : Tensor()};
    case BinaryOp::mul: {
      Tensor a = gb ? n.saved(0) : Tensor(), b = ga ? n.saved(1) : Tensor();
      return {ga ? g * b : Tensor(), gb ? g * a : Tensor()};
    }
    case BinaryOp::div: {
      Tensor b = n.saved(1);
      Tensor a = gb ? n.saved(0) : Tensor();
      // -g a / b^2 as -g ((a / b) / b): b^2 overflows for large b where the quotients do not.
      return {ga ? g / b : Tensor(), gb ? -g * ((a / b) / b) : Tensor()};
    }
    case BinaryOp::div_trunc: case BinaryOp::div_floor:
      return {ga ? zeros_like(g) : Tensor(), gb ? zeros_like(g) : Tensor()};
    case BinaryOp::pow: {
      Tensor a = n.saved(0), b = n.saved(1);
      Tensor da, db;
      if (ga) {
        // d/da a^b = b a^(b-1), defined as 0 where b == 0 (PyTorch's convention). A number
        // exponent takes the number overload (Note [Scalar exponents]); a bool exponent
        // tensor counts as 0/1 (PyTorch 1.13 throws here, computing b - 1 on bools).
        Tensor a_pow;
        const Scalar& e = n.s1;
        if (!n.has_s1) a_pow = pow(a, (b.dtype() == kBool ? b.to(a.dtype()) : b) - 1);
        else if (e.is_floating_point()) a_pow = pow(a, Scalar(e.toDouble() - 1));
        else a_pow = pow(a, Scalar(e.toLong() - 1));
        da = where(eq(b, 0), scalar_to_tensor(0.0), g * b * a_pow);
      }
      if (gb) {
        Tensor result = n.saved(2);
        // d/db a^b = a^b log(a), 0 where a == 0 and b >= 0. An integer base (2 ** x) takes
        // its log in the result's dtype, not the default float32.
        Tensor log_a = is_floating_point(a.dtype()) ? log(a) : log(a.to(result.dtype()));
        db = where(logical_and(eq(a, 0), ge(b, 0)), scalar_to_tensor(0.0), g * result * log_a);
      }
      return {da, db};
    }
    case BinaryOp::remainder: {
      Tensor db;
      if (gb) db = -g * div(n.saved(0), n.saved(1), "floor");
      return {g, db};
    }
    case BinaryOp::fmod: {
      Tensor db;
      if (gb) db = -g * div(n.saved(0), n.saved(1), "trunc");
      return {g, db};
    }
    case BinaryOp::maximum: case BinaryOp::minimum: {
      // Ties split the gradient; an operand gets none only where the other one wins, so
      // with a NaN on either side both get all of it (PyTorch's formula).
      Tensor a = n.saved(0), b = n.saved(1);
      Tensor shared = where(eq(a, b), g / 2, g);
      Tensor a_wins = op == BinaryOp::maximum ? gt(a, b) : lt(a, b);
      Tensor b_wins = op == BinaryOp::maximum ? lt(a, b) : gt(a, b);
      return {ga ? masked_grad(logical_not(b_wins), shared) : Tensor(),
              gb ? masked_grad(logical_not(a_wins), shared) : Tensor()};
    }
    case BinaryOp::atan2: {
      Tensor a = n.saved(0), b = n.saved(1);
      Tensor denom = a * a + b * b;
      return {ga ? g * b / denom : Tensor(), gb ? g * -a / denom : Tensor()};
    }
    default: return {Tensor(), Tensor()};
  }
}

variable_list clamp_formula(OpNode& n, const variable_list& grads) {
  Tensor x = n.saved(0);
  Tensor mask;
  if (n.has_s0) mask = ge(x, n.s0);
  if (n.has_s1) mask = mask.defined() ? logical_and(mask, le(x, n.s1)) : le(x, n.s1);
  return {masked_grad(mask, grads[0])};
}

// Note [Clamp with tensor bounds]
// x gets the gradient where lo <= x <= hi (ties included), lo where x < lo < hi, hi where
// x > hi or hi < lo (then hi is the value everywhere). Where lo == hi and x < lo nobody
// gets it, and a NaN anywhere gives everyone zero: PyTorch's clamp_backward and
// clamp_backward_min_max, whose comparisons we copy, including those corners.
variable_list clamp_tensor_formula(OpNode& n, const variable_list& grads) {
  const Tensor& g = grads[0];
  Tensor x = n.saved(0);
  Tensor lo = n.has_s0 ? n.saved(1) : Tensor(), hi = n.has_s1 ? n.saved(2) : Tensor();
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

variable_list where_formula(OpNode& n, const variable_list& grads) {
  Tensor c = n.saved(0);
  Tensor zero = zeros_like(grads[0]);
  return {Tensor(), n.needs_grad(1) ? where(c, grads[0], zero) : Tensor(),
          n.needs_grad(2) ? where(c, zero, grads[0]) : Tensor()};
}

variable_list nan_to_num_formula(OpNode& n, const variable_list& grads) {
  return {grads[0] * isfinite(n.saved(0))};
}

variable_list to_dtype_formula(OpNode& n, const variable_list& grads) { return {grads[0].to(n.dtype0)}; }
variable_list identity_formula(OpNode&, const variable_list& grads) { return {grads[0]}; }
variable_list copy_formula(OpNode& n, const variable_list& grads) {
  Tensor gs;
  if (n.needs_grad(1)) gs = sum_to(grads[0], n.shape0).to(n.dtype0);
  return {Tensor(), gs};
}
variable_list fill_formula(OpNode&, const variable_list&) { return {Tensor()}; }

}  // namespace

void record_unary(UnaryOp op, const Tensor& self, const Tensor& result) {
  const char* name = unary_node_name(op);
  if (!name || !should_record({&self})) return;
  auto node = make_node(name, unary_formula, {&self});
  node->code = static_cast<int>(op);
  node->saved_.resize(2);
  // The output is saved after it joins the graph, so it can be re-attached to its node
  // when the formula is differentiated again (Note [Saved output without grad_fn]).
  set_history(result, node);
  if (unary_uses_self(op)) node->saved_[0] = SavedVariable(self, false);
  if (unary_uses_result(op)) node->saved_[1] = SavedVariable(result, true);
}

void record_binary(BinaryOp op, const Tensor& a, const Tensor& b, const Scalar& alpha, const Tensor& result) {
  const char* name = binary_node_name(op, a, b);
  if (!name || !should_record({&a, &b})) return;
  auto node = make_node(name, binary_formula, {&a, &b});
  node->code = static_cast<int>(op);
  node->s0 = alpha;
  switch (op) {
    case BinaryOp::add: case BinaryOp::sub: case BinaryOp::div_trunc: case BinaryOp::div_floor: break;
    case BinaryOp::pow:
      // A number exponent (Note [Scalar exponents]); saved tensors lose the wrapped flag.
      if (is_wrapped(b)) {
        node->s1 = b.item();
        node->has_s1 = true;
      }
      set_history(result, node);
      node->saved_ = {SavedVariable(a, false), SavedVariable(b, false), SavedVariable(result, true)};
      return;
    default:
      node->saved_ = {SavedVariable(a, false), SavedVariable(b, false)};
  }
  set_history(result, node);
}

void record_clamp(const Tensor& self, const std::optional<Scalar>& lo, const std::optional<Scalar>& hi,
                  const Tensor& result) {
  if (!should_record({&self})) return;
  auto node = make_node("ClampBackward1", clamp_formula, {&self});
  node->saved_ = {SavedVariable(self, false)};
  if (lo) { node->s0 = *lo; node->has_s0 = true; }
  if (hi) { node->s1 = *hi; node->has_s1 = true; }
  set_history(result, node);
}

void record_clamp_tensor(const Tensor& self, const std::optional<Tensor>& lo, const std::optional<Tensor>& hi,
                         const Tensor& result) {
  Tensor none;
  const Tensor& l = lo ? *lo : none;
  const Tensor& h = hi ? *hi : none;
  if (!should_record({&self, &l, &h})) return;
  auto node = make_node("ClampBackward0", clamp_tensor_formula, {&self, &l, &h});
  node->saved_ = {SavedVariable(self, false), SavedVariable(l, false), SavedVariable(h, false)};
  node->has_s0 = lo.has_value();
  node->has_s1 = hi.has_value();
  set_history(result, node);
}

void record_where(const Tensor& condition, const Tensor& a, const Tensor& b, const Tensor& result) {
  if (!should_record({&a, &b})) return;
  auto node = make_node("WhereBackward0", where_formula, {&condition, &a, &b});
  node->saved_ = {SavedVariable(condition, false)};
  set_history(result, node);
}

void record_nan_to_num(const Tensor& self, const Tensor& result) {
  if (!should_record({&self})) return;
  auto node = make_node("NanToNumBackward0", nan_to_num_formula, {&self});
  node->saved_ = {SavedVariable(self, false)};
  set_history(result, node);
}

void record_to_dtype(const Tensor& self, const Tensor& result) {
  if (!should_record({&self}) || !result.is_floating_point()) return;
  auto node = make_node("ToCopyBackward0", to_dtype_formula, {&self});
  node->dtype0 = self.dtype();
  set_history(result, node);
}

void record_clone(const Tensor& self, const Tensor& result) {
  if (!should_record({&self})) return;
  set_history(result, make_node("CloneBackward0", identity_formula, {&self}));
}

void record_copy(const Tensor& self_old, const Tensor& src, const Tensor& result) {
  if (!should_record({&self_old, &src})) return;
  auto node = make_node("CopyBackwards", copy_formula, {&self_old, &src});
  node->shape0 = DimVector(src.sizes().begin(), src.sizes().end());
  node->dtype0 = src.dtype();
  set_history(result, node);
}

void record_fill(const Tensor& self_old, const Tensor& result) {
  if (!should_record({&self_old})) return;
  set_history(result, make_node("FillBackward0", fill_formula, {&self_old}));
}

}  // namespace ember::autograd
