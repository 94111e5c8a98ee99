// Front ends of the elementwise ops: dtype rules, broadcasting, output allocation, then
// one kernel call. See core/op_list.h for the op table.
#include "ember/ops/elementwise.h"

#include <cmath>
#include <limits>

#include "ember/autograd/derivatives.h"
#include "ember/core/tensor_iterator.h"
#include "ember/kernels/elementwise.h"
#include "ember/ops/factory.h"
#include "ember/ops/type_promotion.h"

namespace ember {

void check_no_internal_overlap(const Tensor& t);  // ops/copy.cpp

Tensor scalar_to_tensor(const Scalar& s, Device device) {
  Tensor t = empty({}, TensorOptions(s.type()).device(device));
  t.fill_(s);
  t.unsafeGetTensorImpl()->set_wrapped_number(true);
  return t;
}

void resize_output(Tensor& out, IntArrayRef shape) {
  if (out.sizes() == shape) return;
  // PyTorch warns when resizing a non-empty out=; ember resizes silently.
  Tensor fresh = empty(shape, out.options());
  out.unsafeGetTensorImpl()->set_storage(fresh.storage(), out.dtype());
  out.unsafeGetTensorImpl()->set_geometry(shape, fresh.strides(), 0);
}

namespace {


Tensor cast(const Tensor& t, ScalarType dt) { return t.dtype() == dt ? t : t.to(dt); }
// t itself when it already has dtype dt (no handle copy: Note [TensorIterator operands]),
// else the converted tensor, kept alive in `holder`.
const Tensor& cast_ref(const Tensor& t, ScalarType dt, Tensor& holder) {
  if (t.dtype() == dt) return t;
  holder = t.to(dt);
  return holder;
}

// Where the result goes. Allocates when out is null; for in-place/out= checks the cast
// rule and shape, and returns a temporary when the kernel must compute in another dtype.
struct OutputPlan {
  Tensor target;     // what the kernel writes
  Tensor* user_out;  // where the result must end up (null: target is the result)
};

OutputPlan plan_output(const char* name, IntArrayRef shape, ScalarType result_dtype, ScalarType kernel_out_dtype,
                       const Tensor& like, Tensor* out, bool inplace) {
  if (!out) return {TensorIterator::allocate_output(shape, kernel_out_dtype, like.device()), nullptr};
  check_can_cast_to_output(result_dtype, out->dtype());
  if (inplace) {
    EMBER_CHECK(out->sizes() == shape, "output with shape ", out->sizes(), " doesn't match the broadcast shape ",
                shape);
  } else {
    resize_output(*out, shape);
  }
  check_no_internal_overlap(*out);
  if (out->dtype() == kernel_out_dtype) return {*out, nullptr};
  return {TensorIterator::allocate_output(shape, kernel_out_dtype, like.device()), out};
}

Tensor finish_output(OutputPlan& plan) {
  if (plan.user_out) {
    plan.user_out->copy_(plan.target);
    return *plan.user_out;
  }
  mark_written(plan.target);
  return std::move(plan.target);
}

// An out= or in-place call whose inputs require grad. In-place ops are replayed out of
// place on a copy and committed (Note [In-place on views]); out= is refused, as in PyTorch.
bool inplace_with_grad(const char* name, const Tensor& self, bool inplace) {
  if (!inplace) {
    EMBER_THROW(Error, name, "(): functions with out=... arguments don't support automatic differentiation, but one "
                "of the arguments requires grad.");
  }
  autograd::check_inplace(self);
  return true;
}

}  // namespace

namespace {
// PyTorch rejects bool inputs to these ops (its kernels are not instantiated for bool);
// ember does too, with PyTorch's messages, rather than computing a value PyTorch never gives.
void check_unary_accepts_bool(UnaryOp op) {
  switch (op) {
    case UnaryOp::neg:
      EMBER_THROW(Error, "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert "
                  "a mask, use the `~` or `logical_not()` operator instead.");
    case UnaryOp::relu: EMBER_THROW(Error, "Boolean inputs not supported for relu");
    case UnaryOp::abs: EMBER_THROW(NotImplementedError, "\"abs_cpu\" not implemented for 'Bool'");
    case UnaryOp::floor: case UnaryOp::ceil: case UnaryOp::round: case UnaryOp::trunc:
      EMBER_THROW(NotImplementedError, "\"", op_name(op), "_vml_cpu\" not implemented for 'Bool'");
    default: return;
  }
}
}  // namespace

Tensor unary_op(UnaryOp op, const Tensor& x, Tensor* out) {
  EMBER_CHECK(x.defined(), op_name(op), ": expected a defined tensor");
  ScalarType compute = x.dtype();
  if (is_unary_float_op(op) && !is_floating_point(compute)) compute = get_default_dtype();
  // square is pow(x, 2): bool promotes to int64 like any integer power of a bool.
  if (op == UnaryOp::square && compute == kBool) compute = kInt64;
  ScalarType result = is_unary_pred_op(op) ? kBool : compute;
  if (x.dtype() == kBool) check_unary_accepts_bool(op);
  if (op == UnaryOp::bitwise_not)
    EMBER_CHECK_AS(NotImplementedError, !is_floating_point(x.dtype()), "\"bitwise_not_cpu\" not implemented for '",
                   x.dtype(), "'");
  bool inplace = out && out->is_same(x);
  if (out && autograd::should_record({&x}) && inplace_with_grad(op_name(op), x, inplace)) {
    Tensor result_value = unary_op(op, x.clone());
    autograd::commit_inplace(*out, result_value);
    return *out;
  }
  OutputPlan plan = plan_output(op_name(op), x.sizes(), result, result, x, out, inplace);
  if (x.numel() > 0) {
    Tensor holder;
    TensorIterator iter;
    iter.add_output(plan.target).add_input(cast_ref(x, compute, holder)).build();
    kernels::unary_stub(iter.device())(op, iter);
  }
  Tensor r = finish_output(plan);
  if (!out && autograd::should_record({&x})) autograd::record_unary(op, x, r);
  return r;
}

Tensor binary_op(BinaryOp op, const Tensor& a, const Tensor& b, const Scalar& alpha, Tensor* out) {
  EMBER_CHECK(a.defined() && b.defined(), op_name(op), ": expected defined tensors");
  ScalarType compute = result_type(a, b);
  switch (op) {
    case BinaryOp::div:
    case BinaryOp::atan2:
      if (!is_floating_point(compute)) compute = get_default_dtype();
      break;
    case BinaryOp::sub:
      EMBER_CHECK(!(a.dtype() == kBool && b.dtype() == kBool),
                  "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
                  "`logical_xor()` operator instead.");
      EMBER_CHECK(!(a.dtype() == kBool || b.dtype() == kBool),
                  "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to "
                  "invert a mask, use the `~` or `logical_not()` operator instead.");
      break;
    case BinaryOp::bitwise_and:
    case BinaryOp::bitwise_or:
    case BinaryOp::bitwise_xor:
      EMBER_CHECK_AS(NotImplementedError, !is_floating_point(compute), "\"", op_name(op), "_cpu\" not implemented for '",
                     compute, "'");
      break;
    case BinaryOp::div_trunc:
    case BinaryOp::div_floor:
    case BinaryOp::remainder:
    case BinaryOp::fmod:
      EMBER_CHECK_AS(NotImplementedError, compute != kBool, "\"", op_name(op), "_cpu\" not implemented for 'Bool'");
      break;
    case BinaryOp::pow:
      EMBER_CHECK_AS(NotImplementedError, compute != kBool, "\"pow\" not implemented for 'Bool'");
      break;
    default: break;
  }
  // PyTorch's alpha_check: an integral result takes no floating alpha, a bool alpha needs a
  // bool result. An integer alpha with bool operands is fine (a + 2 * b is a || b).
  if ((op == BinaryOp::add || op == BinaryOp::sub) && !is_floating_point(compute))
    EMBER_CHECK(!alpha.is_floating_point(), "For integral input tensors, argument alpha must not be a floating point number.");
  if ((op == BinaryOp::add || op == BinaryOp::sub) && alpha.is_bool())
    EMBER_CHECK(compute == kBool, "Boolean alpha only supported for Boolean results.");
  ScalarType result = is_bool_result(op) ? kBool : compute;
  DimVector shape = a.sizes() == b.sizes() ? DimVector(a.sizes().begin(), a.sizes().end())
                                           : broadcast_shapes(a.sizes(), b.sizes());
  bool inplace = out && out->is_same(a);
  if (out && autograd::should_record({&a, &b}) && inplace_with_grad(op_name(op), a, inplace)) {
    Tensor result_value = binary_op(op, a.clone(), b, alpha);
    autograd::commit_inplace(*out, result_value);
    return *out;
  }
  OutputPlan plan = plan_output(op_name(op), shape, result, result, a, out, inplace);
  if (plan.target.numel() > 0) {
    Tensor hold_a, hold_b;
    const Tensor* ca = &cast_ref(a, compute, hold_a);
    const Tensor* cb = &cast_ref(b, compute, hold_b);
    // When the output aliases an input but is not the same view of it, read a copy.
    if (out && !inplace && plan.target.storage().get() == a.storage().get()) ca = &(hold_a = ca->clone());
    if (out && plan.target.storage().get() == b.storage().get() && !plan.target.is_same(b))
      cb = &(hold_b = cb->clone());
    TensorIterator iter;
    iter.add_output(plan.target).add_input(*ca).add_input(*cb).build();
    kernels::binary_stub(iter.device())(op, iter, alpha);
  }
  Tensor r = finish_output(plan);
  if (!out && autograd::should_record({&a, &b})) autograd::record_binary(op, a, b, alpha, r);
  return r;
}

// ---- unary free functions and methods, generated from the op table ------------------
#define EMBER_UNARY_FUNCTIONS(name)                                                    \
  Tensor name(const Tensor& x) { return unary_op(UnaryOp::name, x); }                  \
  Tensor& name##_(Tensor& x) {                                                         \
    unary_op(UnaryOp::name, x, &x);                                                    \
    return x;                                                                          \
  }                                                                                    \
  Tensor& name##_out(Tensor& out, const Tensor& x) {                                   \
    unary_op(UnaryOp::name, x, &out);                                                  \
    return out;                                                                        \
  }
#define EMBER_UNARY_METHOD(name) Tensor Tensor::name() const { return ::ember::name(*this); }
#define EMBER_UNARY_DEFINE_METHODS(name) \
  EMBER_UNARY_FUNCTIONS(name)            \
  EMBER_UNARY_METHOD(name)               \
  Tensor& Tensor::name##_() { return ::ember::name##_(*this); }
#define EMBER_UNARY_DEFINE_METHOD(name) EMBER_UNARY_FUNCTIONS(name) EMBER_UNARY_METHOD(name)
#define EMBER_UNARY_DEFINE_FUNCTIONS(name) EMBER_UNARY_FUNCTIONS(name)
#define EMBER_UNARY_DEFINE_CUSTOM(name)
#define EMBER_X(name, methods, ...) EMBER_UNARY_DEFINE_##methods(name)
EMBER_UNARY_OPS(EMBER_X)
#undef EMBER_X

Tensor gelu(const Tensor& x, const std::string& approximate) {
  EMBER_CHECK(approximate == "none" || approximate == "tanh", "approximate argument must be either none or tanh.");
  EMBER_CHECK_AS(NotImplementedError, x.is_floating_point(), "\"GeluKernelImpl\" not implemented for '", x.dtype(), "'");
  return unary_op(approximate == "tanh" ? UnaryOp::gelu_tanh : UnaryOp::gelu, x);
}
Tensor Tensor::gelu(const std::string& approximate) const { return ::ember::gelu(*this, approximate); }

// ---- binary free functions -----------------------------------------------------------
#define EMBER_DEFINE_BINARY(name, OP)                                                            \
  Tensor name(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::OP, a, b); }        \
  Tensor name(const Tensor& a, const Scalar& b) {                                                \
    return binary_op(BinaryOp::OP, a, scalar_to_tensor(b, a.device()));                         \
  }                                                                                              \
  Tensor& name##_out(Tensor& out, const Tensor& a, const Tensor& b) {                            \
    binary_op(BinaryOp::OP, a, b, 1, &out);                                                      \
    return out;                                                                                  \
  }
EMBER_DEFINE_BINARY(mul, mul)
EMBER_DEFINE_BINARY(remainder, remainder)
EMBER_DEFINE_BINARY(fmod, fmod)
EMBER_DEFINE_BINARY(eq, eq)
EMBER_DEFINE_BINARY(ne, ne)
EMBER_DEFINE_BINARY(lt, lt)
EMBER_DEFINE_BINARY(le, le)
EMBER_DEFINE_BINARY(gt, gt)
EMBER_DEFINE_BINARY(ge, ge)
EMBER_DEFINE_BINARY(logical_and, logical_and)
EMBER_DEFINE_BINARY(logical_or, logical_or)
EMBER_DEFINE_BINARY(logical_xor, logical_xor)
EMBER_DEFINE_BINARY(bitwise_and, bitwise_and)
EMBER_DEFINE_BINARY(bitwise_or, bitwise_or)
EMBER_DEFINE_BINARY(bitwise_xor, bitwise_xor)
#undef EMBER_DEFINE_BINARY

Tensor maximum(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::maximum, a, b); }
Tensor& maximum_out(Tensor& out, const Tensor& a, const Tensor& b) { binary_op(BinaryOp::maximum, a, b, 1, &out); return out; }
Tensor minimum(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::minimum, a, b); }
Tensor& minimum_out(Tensor& out, const Tensor& a, const Tensor& b) { binary_op(BinaryOp::minimum, a, b, 1, &out); return out; }
Tensor atan2(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::atan2, a, b); }
Tensor& atan2_out(Tensor& out, const Tensor& a, const Tensor& b) { binary_op(BinaryOp::atan2, a, b, 1, &out); return out; }

Tensor add(const Tensor& a, const Tensor& b, const Scalar& alpha) { return binary_op(BinaryOp::add, a, b, alpha); }
Tensor add(const Tensor& a, const Scalar& b, const Scalar& alpha) {
  return binary_op(BinaryOp::add, a, scalar_to_tensor(b, a.device()), alpha);
}
Tensor& add_out(Tensor& out, const Tensor& a, const Tensor& b, const Scalar& alpha) {
  binary_op(BinaryOp::add, a, b, alpha, &out);
  return out;
}
Tensor sub(const Tensor& a, const Tensor& b, const Scalar& alpha) { return binary_op(BinaryOp::sub, a, b, alpha); }
Tensor sub(const Tensor& a, const Scalar& b, const Scalar& alpha) {
  return binary_op(BinaryOp::sub, a, scalar_to_tensor(b, a.device()), alpha);
}
Tensor& sub_out(Tensor& out, const Tensor& a, const Tensor& b, const Scalar& alpha) {
  binary_op(BinaryOp::sub, a, b, alpha, &out);
  return out;
}
Tensor rsub(const Tensor& a, const Tensor& b, const Scalar& alpha) { return binary_op(BinaryOp::sub, b, a, alpha); }
Tensor rsub(const Tensor& a, const Scalar& b, const Scalar& alpha) {
  return binary_op(BinaryOp::sub, scalar_to_tensor(b, a.device()), a, alpha);
}

namespace {
BinaryOp div_op(const std::optional<std::string>& mode) {
  if (!mode) return BinaryOp::div;
  if (*mode == "trunc") return BinaryOp::div_trunc;
  if (*mode == "floor") return BinaryOp::div_floor;
  EMBER_THROW(ValueError, "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '", *mode, "'");
}
}  // namespace

Tensor div(const Tensor& a, const Tensor& b, std::optional<std::string> mode) {
  return binary_op(div_op(mode), a, b);
}
Tensor div(const Tensor& a, const Scalar& b, std::optional<std::string> mode) {
  return binary_op(div_op(mode), a, scalar_to_tensor(b, a.device()));
}
Tensor& div_out(Tensor& out, const Tensor& a, const Tensor& b, std::optional<std::string> mode) {
  binary_op(div_op(mode), a, b, 1, &out);
  return out;
}
Tensor floor_divide(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::div_floor, a, b); }
Tensor floor_divide(const Tensor& a, const Scalar& b) { return div(a, b, "floor"); }

Tensor pow(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::pow, a, b); }
// Note [Scalar exponents]
// PyTorch computes a float32, float64 or bfloat16 tensor to the power of a *number* 0.5 or
// -0.5 as sqrt / rsqrt, which differ from std::pow at -inf and -0 (sqrt(-inf) = nan,
// rsqrt(-0) = -inf, where pow gives inf and inf). float16, and a tensor exponent, always go
// through std::pow. ember does the same,
// and the pow derivative with a number exponent calls this overload again (a.pow(b - 1)),
// so gradients at those points match too.
Tensor pow(const Tensor& a, const Scalar& b) {
  if (is_integral(a.dtype(), true) && b.is_integral()) {
    EMBER_CHECK(b.toLong() >= 0, "Integers to negative integer powers are not allowed.");
  }
  Tensor exponent = scalar_to_tensor(b, a.device());
  const double e = b.toDouble();
  const ScalarType rt = a.defined() ? result_type(a, exponent) : kFloat32;
  if ((e == 0.5 || e == -0.5) && a.defined() && is_floating_point(rt) && rt != kFloat16) {
    Tensor r = autograd::untracked([&] { return e == 0.5 ? sqrt(a) : rsqrt(a); });
    autograd::record_binary(BinaryOp::pow, a, exponent, 1, r);
    return r;
  }
  return binary_op(BinaryOp::pow, a, exponent);
}
Tensor pow(const Scalar& a, const Tensor& b) { return binary_op(BinaryOp::pow, scalar_to_tensor(a, b.device()), b); }
Tensor& pow_out(Tensor& out, const Tensor& a, const Tensor& b) {
  binary_op(BinaryOp::pow, a, b, 1, &out);
  return out;
}

// ---- binary methods --------------------------------------------------------------------
Tensor Tensor::add(const Tensor& o, const Scalar& alpha) const { return ::ember::add(*this, o, alpha); }
Tensor Tensor::add(const Scalar& o, const Scalar& alpha) const { return ::ember::add(*this, o, alpha); }
Tensor& Tensor::add_(const Tensor& o, const Scalar& alpha) { binary_op(BinaryOp::add, *this, o, alpha, this); return *this; }
Tensor& Tensor::add_(const Scalar& o, const Scalar& alpha) { return add_(scalar_to_tensor(o, device()), alpha); }
Tensor Tensor::sub(const Tensor& o, const Scalar& alpha) const { return ::ember::sub(*this, o, alpha); }
Tensor Tensor::sub(const Scalar& o, const Scalar& alpha) const { return ::ember::sub(*this, o, alpha); }
Tensor& Tensor::sub_(const Tensor& o, const Scalar& alpha) { binary_op(BinaryOp::sub, *this, o, alpha, this); return *this; }
Tensor& Tensor::sub_(const Scalar& o, const Scalar& alpha) { return sub_(scalar_to_tensor(o, device()), alpha); }
Tensor Tensor::mul(const Tensor& o) const { return ::ember::mul(*this, o); }
Tensor Tensor::mul(const Scalar& o) const { return ::ember::mul(*this, o); }
Tensor& Tensor::mul_(const Tensor& o) { binary_op(BinaryOp::mul, *this, o, 1, this); return *this; }
Tensor& Tensor::mul_(const Scalar& o) { return mul_(scalar_to_tensor(o, device())); }
Tensor Tensor::div(const Tensor& o, std::optional<std::string> m) const { return ::ember::div(*this, o, m); }
Tensor Tensor::div(const Scalar& o, std::optional<std::string> m) const { return ::ember::div(*this, o, m); }
Tensor& Tensor::div_(const Tensor& o, std::optional<std::string> m) { binary_op(div_op(m), *this, o, 1, this); return *this; }
Tensor& Tensor::div_(const Scalar& o, std::optional<std::string> m) { return div_(scalar_to_tensor(o, device()), m); }
Tensor Tensor::pow(const Tensor& e) const { return ::ember::pow(*this, e); }
Tensor Tensor::pow(const Scalar& e) const { return ::ember::pow(*this, e); }
Tensor& Tensor::pow_(const Tensor& e) { binary_op(BinaryOp::pow, *this, e, 1, this); return *this; }
Tensor& Tensor::pow_(const Scalar& e) { return pow_(scalar_to_tensor(e, device())); }
Tensor Tensor::remainder(const Tensor& o) const { return ::ember::remainder(*this, o); }
Tensor Tensor::remainder(const Scalar& o) const { return ::ember::remainder(*this, o); }
Tensor& Tensor::remainder_(const Tensor& o) { binary_op(BinaryOp::remainder, *this, o, 1, this); return *this; }
Tensor& Tensor::remainder_(const Scalar& o) { return remainder_(scalar_to_tensor(o, device())); }
Tensor Tensor::fmod(const Tensor& o) const { return ::ember::fmod(*this, o); }
Tensor Tensor::fmod(const Scalar& o) const { return ::ember::fmod(*this, o); }
Tensor& Tensor::fmod_(const Tensor& o) { binary_op(BinaryOp::fmod, *this, o, 1, this); return *this; }
Tensor& Tensor::fmod_(const Scalar& o) { return fmod_(scalar_to_tensor(o, device())); }
Tensor Tensor::maximum(const Tensor& o) const { return ::ember::maximum(*this, o); }
Tensor Tensor::minimum(const Tensor& o) const { return ::ember::minimum(*this, o); }
Tensor Tensor::atan2(const Tensor& o) const { return ::ember::atan2(*this, o); }
Tensor& Tensor::atan2_(const Tensor& o) { binary_op(BinaryOp::atan2, *this, o, 1, this); return *this; }
#define EMBER_CMP_METHOD(name)                                                      \
  Tensor Tensor::name(const Tensor& o) const { return ::ember::name(*this, o); }   \
  Tensor Tensor::name(const Scalar& o) const { return ::ember::name(*this, o); }
EMBER_CMP_METHOD(eq) EMBER_CMP_METHOD(ne) EMBER_CMP_METHOD(lt) EMBER_CMP_METHOD(le) EMBER_CMP_METHOD(gt)
EMBER_CMP_METHOD(ge)
#undef EMBER_CMP_METHOD
// In place, the comparison's bool result is cast into self's dtype by the output plan.
#define EMBER_CMP_INPLACE(name)                                                                     \
  Tensor& Tensor::name##_(const Tensor& o) { binary_op(BinaryOp::name, *this, o, 1, this); return *this; } \
  Tensor& Tensor::name##_(const Scalar& o) { return name##_(scalar_to_tensor(o, device())); }
EMBER_CMP_INPLACE(eq) EMBER_CMP_INPLACE(ne) EMBER_CMP_INPLACE(lt) EMBER_CMP_INPLACE(le) EMBER_CMP_INPLACE(gt)
EMBER_CMP_INPLACE(ge)
#undef EMBER_CMP_INPLACE
Tensor Tensor::logical_and(const Tensor& o) const { return ::ember::logical_and(*this, o); }
Tensor Tensor::logical_or(const Tensor& o) const { return ::ember::logical_or(*this, o); }
Tensor Tensor::logical_xor(const Tensor& o) const { return ::ember::logical_xor(*this, o); }

// ---- operators -----------------------------------------------------------------------
Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator+(const Tensor& a, const Scalar& b) { return add(a, b); }
Tensor operator+(const Scalar& a, const Tensor& b) { return add(b, a); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator-(const Tensor& a, const Scalar& b) { return sub(a, b); }
Tensor operator-(const Scalar& a, const Tensor& b) { return rsub(b, a); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator*(const Tensor& a, const Scalar& b) { return mul(a, b); }
Tensor operator*(const Scalar& a, const Tensor& b) { return mul(b, a); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator/(const Tensor& a, const Scalar& b) { return div(a, b); }
Tensor operator/(const Scalar& a, const Tensor& b) { return div(scalar_to_tensor(a, b.device()), b); }
Tensor operator%(const Tensor& a, const Tensor& b) { return remainder(a, b); }
Tensor operator%(const Tensor& a, const Scalar& b) { return remainder(a, b); }
Tensor operator-(const Tensor& a) { return neg(a); }
Tensor operator==(const Tensor& a, const Tensor& b) { return eq(a, b); }
Tensor operator==(const Tensor& a, const Scalar& b) { return eq(a, b); }
Tensor operator!=(const Tensor& a, const Tensor& b) { return ne(a, b); }
Tensor operator!=(const Tensor& a, const Scalar& b) { return ne(a, b); }
Tensor operator<(const Tensor& a, const Tensor& b) { return lt(a, b); }
Tensor operator<(const Tensor& a, const Scalar& b) { return lt(a, b); }
Tensor operator<=(const Tensor& a, const Tensor& b) { return le(a, b); }
Tensor operator<=(const Tensor& a, const Scalar& b) { return le(a, b); }
Tensor operator>(const Tensor& a, const Tensor& b) { return gt(a, b); }
Tensor operator>(const Tensor& a, const Scalar& b) { return gt(a, b); }
Tensor operator>=(const Tensor& a, const Tensor& b) { return ge(a, b); }
Tensor operator>=(const Tensor& a, const Scalar& b) { return ge(a, b); }
Tensor operator&&(const Tensor& a, const Tensor& b) { return logical_and(a, b); }
Tensor operator||(const Tensor& a, const Tensor& b) { return logical_or(a, b); }
Tensor operator!(const Tensor& a) { return logical_not(a); }
Tensor operator~(const Tensor& a) { return bitwise_not(a); }
Tensor operator&(const Tensor& a, const Tensor& b) { return bitwise_and(a, b); }
Tensor operator|(const Tensor& a, const Tensor& b) { return bitwise_or(a, b); }
Tensor operator^(const Tensor& a, const Tensor& b) { return bitwise_xor(a, b); }

// ---- where, clamp, nan_to_num, comparisons of whole tensors ----------------------------
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b) {
  EMBER_CHECK(condition.dtype() == kBool || condition.dtype() == kUInt8,
              "where expected condition to be a boolean tensor, but got a tensor with dtype ", condition.dtype());
  ScalarType dt = result_type(a, b);
  DimVector shape = broadcast_shapes(broadcast_shapes(condition.sizes(), a.sizes()), b.sizes());
  Tensor out = empty(shape, a.options().dtype(dt));
  if (out.numel() > 0) {
    TensorIterator iter;
    iter.add_output(out).add_input(cast(condition, kBool)).add_input(cast(a, dt)).add_input(cast(b, dt)).build();
    kernels::where_stub(iter.device())(iter);
  }
  // Note [Empty results keep their history]
  autograd::record(autograd::WhereBackward0, {&condition, &a, &b}, out, {}, {condition});
  return out;
}
Tensor where(const Tensor& c, const Scalar& a, const Tensor& b) { return where(c, scalar_to_tensor(a), b); }
Tensor where(const Tensor& c, const Tensor& a, const Scalar& b) { return where(c, a, scalar_to_tensor(b)); }
Tensor where(const Tensor& c, const Scalar& a, const Scalar& b) {
  return where(c, scalar_to_tensor(a), scalar_to_tensor(b));
}
Tensor Tensor::where(const Tensor& condition, const Tensor& other) const { return ::ember::where(condition, *this, other); }

namespace {
Tensor clamp_impl(const Tensor& x, const std::optional<Scalar>& lo, const std::optional<Scalar>& hi, Tensor* out) {
  EMBER_CHECK(lo || hi, "torch.clamp: At least one of 'min' or 'max' must not be None");
  ScalarType dt = x.dtype();
  if (lo) dt = result_type(x, *lo);
  if (hi) dt = promote_types(dt, result_type(x, *hi));
  if (lo) check_convertible(*lo, dt);
  if (hi) check_convertible(*hi, dt);
  // PyTorch's scalar clamp kernels exist for numbers only (its tensor-bound clamp takes bool).
  EMBER_CHECK_AS(NotImplementedError, dt != kBool, "\"",
                 lo && hi ? "clamp_scalar_cpu" : (lo ? "clamp_min_cpu" : "clamp_max_scalar_cpu"),
                 "\" not implemented for 'Bool'");
  bool inplace = out && out->is_same(x);
  if (out && autograd::should_record({&x}) && inplace_with_grad("clamp", x, inplace)) {
    Tensor result_value = clamp_impl(x.clone(), lo, hi, nullptr);
    autograd::commit_inplace(*out, result_value);
    return *out;
  }
  OutputPlan plan = plan_output("clamp", x.sizes(), dt, dt, x, out, inplace);
  if (x.numel() > 0) {
    TensorIterator iter;
    iter.add_output(plan.target).add_input(cast(x, dt)).build();
    kernels::clamp_stub(iter.device())(iter, lo ? &*lo : nullptr, hi ? &*hi : nullptr);
  }
  Tensor r = finish_output(plan);
  if (!out) autograd::record(autograd::ClampBackward1, {&x}, r, {lo, hi}, {x});
  return r;
}
}  // namespace

Tensor clamp(const Tensor& x, std::optional<Scalar> min, std::optional<Scalar> max) {
  return clamp_impl(x, min, max, nullptr);
}
Tensor& clamp_out(Tensor& out, const Tensor& x, std::optional<Scalar> min, std::optional<Scalar> max) {
  clamp_impl(x, min, max, &out);
  return out;
}
// Tensor bounds: the value is min(max(x, lo), hi), NaN wherever x or a bound is NaN (what
// maximum/minimum give). Its gradient is clamp's own, not maximum's: ties go to x, never
// split (autograd::ClampBackward0).
Tensor clamp(const Tensor& x, const std::optional<Tensor>& min, const std::optional<Tensor>& max) {
  EMBER_CHECK(min || max, "torch.clamp: At least one of 'min' or 'max' must not be None");
  if (min && max) {
    // PyTorch's two-bound kernel has no bool instance (one bound goes through max/min).
    ScalarType dt = promote_types(result_type(x, *min), result_type(x, *max));
    EMBER_CHECK_AS(NotImplementedError, dt != kBool, "\"clamp_cpu\" not implemented for 'Bool'");
  }
  Tensor r = autograd::untracked([&] {
    Tensor v = x;
    if (min) v = maximum(v, *min);
    if (max) v = minimum(v, *max);
    return v;
  });
  Tensor none;
  const Tensor& lo = min ? *min : none;
  const Tensor& hi = max ? *max : none;
  autograd::record(autograd::ClampBackward0, {&x, &lo, &hi}, r, {}, {x, lo, hi});
  return r;
}
Tensor Tensor::clamp(std::optional<Scalar> min, std::optional<Scalar> max) const { return ::ember::clamp(*this, min, max); }
// A NaN bound paired with an infinite one takes clamp's two-bound rule: NaN everywhere, zero
// gradient.
namespace {
bool is_nan_scalar(const Scalar& s) { return s.is_floating_point() && std::isnan(s.toDouble()); }
}  // namespace
// clamp_min / clamp_max are their own ops in PyTorch (ClampMinBackward0, ...); the
// gradient flows where x >= min (x <= max), none where the bound is NaN.
Tensor Tensor::clamp_min(const Scalar& min) const {
  Tensor r = autograd::untracked([&] {
    if (is_nan_scalar(min)) return clamp(min, Scalar(std::numeric_limits<double>::infinity()));
    return clamp(min, std::nullopt);
  });
  autograd::record(autograd::ClampMinBackward0, {this}, r, {min, std::nullopt}, {*this});
  return r;
}
Tensor Tensor::clamp_max(const Scalar& max) const {
  Tensor r = autograd::untracked([&] {
    if (is_nan_scalar(max)) return clamp(Scalar(-std::numeric_limits<double>::infinity()), max);
    return clamp(std::nullopt, max);
  });
  autograd::record(autograd::ClampMaxBackward0, {this}, r, {std::nullopt, max}, {*this});
  return r;
}
Tensor& Tensor::clamp_(std::optional<Scalar> min, std::optional<Scalar> max) {
  clamp_impl(*this, min, max, this);
  return *this;
}

Tensor nan_to_num(const Tensor& x, std::optional<double> nan, std::optional<double> posinf,
                  std::optional<double> neginf) {
  if (!x.is_floating_point()) return x.clone();
  double big = 0, small = 0;
  switch (x.dtype()) {
    case kFloat16: big = 65504.0; break;
    case kBFloat16: big = 3.3895313892515355e38; break;
    case kFloat32: big = 3.4028234663852886e38; break;
    default: big = 1.7976931348623157e308; break;
  }
  small = -big;
  Tensor out = empty_like(x);
  TensorIterator iter;
  iter.add_output(out).add_input(x).build();
  if (x.numel() > 0) kernels::nan_to_num_stub(iter.device())(iter, nan.value_or(0.0), posinf.value_or(big), neginf.value_or(small));
  autograd::record(autograd::NanToNumBackward0, {&x}, out, {}, {x});
  return out;
}
Tensor Tensor::nan_to_num(std::optional<double> nan, std::optional<double> posinf, std::optional<double> neginf) const {
  return ::ember::nan_to_num(*this, nan, posinf, neginf);
}

Tensor isclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan) {
  EMBER_CHECK(a.dtype() == b.dtype(), a.dtype(), " did not match ", b.dtype());
  EMBER_CHECK(rtol >= 0, "rtol must be greater than or equal to zero, but got ", rtol);
  EMBER_CHECK(atol >= 0, "atol must be greater than or equal to zero, but got ", atol);
  Tensor close = eq(a, b);
  if (equal_nan && a.is_floating_point()) close = logical_or(close, logical_and(isnan(a), isnan(b)));
  if (!a.is_floating_point()) return close;
  // |a - b| <= atol + rtol * |b|, finite values only (inf == inf is handled by eq).
  Tensor diff = abs(sub(a, b));
  Tensor allowed = add(mul(abs(b), rtol), atol);
  Tensor within = logical_and(le(diff, allowed), isfinite(diff));
  return logical_or(close, within);
}
bool allclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan) {
  return isclose(a, b, rtol, atol, equal_nan).all().item<bool>();
}
bool equal(const Tensor& a, const Tensor& b) {
  if (!(a.sizes() == b.sizes()) || a.dtype() != b.dtype()) return false;
  return eq(a, b).all().item<bool>();
}
Tensor Tensor::isclose(const Tensor& o, double rtol, double atol, bool equal_nan) const {
  return ::ember::isclose(*this, o, rtol, atol, equal_nan);
}
bool Tensor::allclose(const Tensor& o, double rtol, double atol, bool equal_nan) const {
  return ::ember::allclose(*this, o, rtol, atol, equal_nan);
}
bool Tensor::equal(const Tensor& o) const { return ::ember::equal(*this, o); }

}  // namespace ember
