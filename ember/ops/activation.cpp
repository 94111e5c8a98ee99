// Front ends of the parametrised activations: dtype checks, output allocation, one kernel
// call, then one autograd node (Note [Recording autograd history]).
#include "ember/ops/activation.h"

#include <cmath>

#include "ember/autograd/derivatives_functional.h"
#include "ember/core/tensor_iterator.h"
#include "ember/ops/activation_impl.h"
#include "ember/ops/elementwise.h"
#include "ember/ops/factory.h"

namespace ember {

namespace detail {

using kernels::ActOp;
using kernels::ActParams;

const char* activation_name(ActOp op) {
  switch (op) {
#define EMBER_X(kernel, error_name, bfloat16) \
  case ActOp::kernel: return error_name;
    EMBER_ACTIVATION_KERNELS(EMBER_X)
#undef EMBER_X
  }
  return "activation";
}

namespace {
#define EMBER_ACT_TAKES_BFLOAT16 true
#define EMBER_ACT_TAKES_NO_BFLOAT16 false
bool takes_bfloat16(ActOp op) {
  switch (op) {
#define EMBER_X(kernel, error_name, bfloat16) \
  case ActOp::kernel: return EMBER_ACT_TAKES_##bfloat16;
    EMBER_ACTIVATION_KERNELS(EMBER_X)
#undef EMBER_X
  }
  return true;
}
#undef EMBER_ACT_TAKES_NO_BFLOAT16
#undef EMBER_ACT_TAKES_BFLOAT16

// The dtype the kernel computes in: float32/float64 as they are, half types in float32.
ScalarType compute_dtype(ActOp op, const Tensor& x) {
  EMBER_CHECK(x.defined(), activation_name(op), ": expected a defined tensor");
  EMBER_CHECK_AS(NotImplementedError, is_floating_point(x.dtype()) && (x.dtype() != kBFloat16 || takes_bfloat16(op)),
                 "\"", activation_name(op), "\" not implemented for '", x.dtype(), "'");
  return x.dtype() == kFloat64 ? kFloat64 : kFloat32;
}

// threshold's threshold and value and hardtanh's limits are elements of the input's dtype
// in PyTorch (converted, with its overflow check): in bfloat16, threshold 0.2 is 0.2001953125,
// so an element equal to that is replaced.
// (Scalar arithmetic only: relu6 runs through here on every call.)
ActParams in_input_dtype(ActOp op, ActParams p, ScalarType dt) {
  if ((op != ActOp::threshold && op != ActOp::hardtanh) || dt == kFloat64) return p;
  auto round = [dt](double v) -> double {
    const Scalar s(v);
    check_convertible(s, dt);
    switch (dt) {
      case kFloat16: return static_cast<float>(s.to<Half>());
      case kBFloat16: return static_cast<float>(s.to<BFloat16>());
      default: return s.to<float>();  // float32 (compute_dtype admits floating dtypes only)
    }
  };
  p.a = round(p.a);
  p.b = round(p.b);
  return p;
}
}  // namespace

Tensor activation_forward(ActOp op, const ActParams& params, const Tensor& x, bool inplace) {
  ScalarType cd = compute_dtype(op, x);
  const ActParams p = in_input_dtype(op, params, x.dtype());
  if (inplace && x.dtype() == cd) {
    if (x.numel() > 0) {
      TensorIterator iter;
      iter.add_output(x).add_input(x).build();
      kernels::act_forward_stub(iter.device())(op, p, iter);
    }
    mark_written(x);
    return x;
  }
  Tensor in = x.dtype() == cd ? x : x.to(cd);
  Tensor out = TensorIterator::allocate_output(in.sizes(), cd, in.device());
  if (in.numel() > 0) {
    TensorIterator iter;
    iter.add_output(out).add_input(in).build();
    kernels::act_forward_stub(iter.device())(op, p, iter);
  }
  if (cd != x.dtype()) out = out.to(x.dtype());
  if (inplace) {
    Tensor self = x;
    self.copy_(out);
    return self;
  }
  return out;
}

Tensor activation_backward(ActOp op, const ActParams& params, const Tensor& grad, const Tensor& x) {
  ScalarType cd = compute_dtype(op, x);
  // relu's backward in bfloat16 selects bits without widening (Note [bfloat16 threshold
  // backward] in cpu/kernels/activation.cpp).
  if (op == ActOp::threshold && x.dtype() == kBFloat16 && grad.dtype() == kBFloat16 && x.device().type == kCPU)
    cd = kBFloat16;
  const ActParams p = in_input_dtype(op, params, x.dtype());
  Tensor g = grad.dtype() == cd ? grad : grad.to(cd);
  Tensor in = x.dtype() == cd ? x : x.to(cd);
  DimVector shape = broadcast_shapes(g.sizes(), in.sizes());
  Tensor out = TensorIterator::allocate_output(shape, cd, in.device());
  if (out.numel() > 0) {
    TensorIterator iter;
    iter.add_output(out).add_input(g).add_input(in).build();
    kernels::act_backward_stub(iter.device())(op, p, iter);
  }
  return cd != x.dtype() ? out.to(x.dtype()) : out;
}

}  // namespace detail

namespace {

using kernels::ActOp;
using kernels::ActParams;

using ActDerivative = autograd::Derivative<autograd::ActivationState>;

Tensor act(ActOp op, ActParams p, const ActDerivative& node, const Tensor& x) {
  Tensor r = autograd::untracked([&] { return detail::activation_forward(op, p, x, false); });
  autograd::record(node, {&x}, r, {op, p}, {x});
  return r;
}

// In place: with grad, replayed out of place on a copy and committed (Note [In-place on
// views]); without, the kernel writes into x.
Tensor& act_(ActOp op, ActParams p, const ActDerivative& node, Tensor& x) {
  if (autograd::should_record({&x})) {
    autograd::check_inplace(x);
    Tensor r = act(op, p, node, x.clone());
    autograd::commit_inplace(x, r);
    return x;
  }
  detail::activation_forward(op, p, x, true);
  return x;
}

void check_celu_alpha(double alpha) { EMBER_CHECK(alpha != 0, "ZeroDivisionError: alpha cannot be 0 for CELU"); }

}  // namespace

// Each row's front end as the table states it (Note [Activation table]), with the row's
// in-place form. A GENERATED row's front end is the public function itself; a CUSTOM row's
// is an internal table_<name> (and table_<name>_) that its hand-written function below
// wraps. (relu6's goes unused: relu6 is hardtanh(x, 0, 6), whose integer clamp it needs.)
#define EMBER_ACT_FN_GENERATED(name) name
#define EMBER_ACT_FN_CUSTOM(name) table_##name
#define EMBER_ACT_LINKAGE_GENERATED
#define EMBER_ACT_LINKAGE_CUSTOM [[maybe_unused]] static
#define EMBER_ACT_INPLACE_INPLACE(fn, linkage, kernel, node, params, kernel_params)           \
  linkage Tensor& fn##_(Tensor& x EMBER_UNPAREN params) {                                     \
    return act_(ActOp::kernel, ActParams{EMBER_UNPAREN kernel_params}, autograd::node, x);    \
  }
#define EMBER_ACT_INPLACE_FUNCTIONAL(fn, linkage, kernel, node, params, kernel_params)
#define EMBER_ACT_DEFINE(fn, linkage, forms, kernel, node, params, kernel_params)             \
  linkage Tensor fn(const Tensor& x EMBER_UNPAREN params) {                                   \
    return act(ActOp::kernel, ActParams{EMBER_UNPAREN kernel_params}, autograd::node, x);     \
  }                                                                                           \
  EMBER_ACT_INPLACE_##forms(fn, linkage, kernel, node, params, kernel_params)
#define P(type, name, default_value) , type name
#define R(type, name) , type name
#define EMBER_X(name, forms, front, kernel, node, params, kernel_params, sample)                          \
  EMBER_ACT_DEFINE(EMBER_ACT_FN_##front(name), EMBER_ACT_LINKAGE_##front, forms, kernel, node, params, \
                   kernel_params)
EMBER_ACTIVATION_OPS(EMBER_X)
#undef EMBER_X
#undef R
#undef P
#undef EMBER_ACT_DEFINE
#undef EMBER_ACT_INPLACE_FUNCTIONAL
#undef EMBER_ACT_INPLACE_INPLACE
#undef EMBER_ACT_LINKAGE_CUSTOM
#undef EMBER_ACT_LINKAGE_GENERATED
#undef EMBER_ACT_FN_CUSTOM
#undef EMBER_ACT_FN_GENERATED

// The CUSTOM rows.
Tensor celu(const Tensor& x, double alpha) {
  check_celu_alpha(alpha);
  return table_celu(x, alpha);
}
Tensor& celu_(Tensor& x, double alpha) {
  check_celu_alpha(alpha);
  return table_celu_(x, alpha);
}
// PyTorch's hardtanh is clamp(min_val, max_val) into the input's dtype, so integer tensors
// are clamped to the truncated bounds (and bool is rejected, as clamp rejects it).
namespace {
bool hardtanh_is_integer_clamp(const Tensor& x, double lo, double hi) {
  EMBER_CHECK(x.defined(), "hardtanh: expected a defined tensor");
  EMBER_CHECK(x.dtype() != kBool, "Bool inputs not supported for hardtanh");
  // PyTorch checks the limits as integers: -0.5 truncates to 0 and passes.
  EMBER_CHECK(!(x.dtype() == kUInt8 && (std::trunc(lo) < 0 || std::trunc(hi) < 0)),
              "cannot do hardtanh on an unsigned type with negative limits");
  return !is_floating_point(x.dtype());
}
}  // namespace
// Functional hardtanh takes min_val > max_val as clamp does (every element becomes max_val);
// the Hardtanh module refuses it at construction, as PyTorch's does.
Tensor hardtanh(const Tensor& x, double lo, double hi) {
  if (hardtanh_is_integer_clamp(x, lo, hi))
    return x.clamp(Scalar(static_cast<int64_t>(lo)), Scalar(static_cast<int64_t>(hi)));
  return table_hardtanh(x, lo, hi);
}
Tensor& hardtanh_(Tensor& x, double lo, double hi) {
  if (hardtanh_is_integer_clamp(x, lo, hi))
    return x.clamp_(Scalar(static_cast<int64_t>(lo)), Scalar(static_cast<int64_t>(hi)));
  return table_hardtanh_(x, lo, hi);
}
Tensor relu6(const Tensor& x) { return hardtanh(x, 0.0, 6.0); }
Tensor& relu6_(Tensor& x) { return hardtanh_(x, 0.0, 6.0); }
// Integer inputs: PyTorch converts threshold and value to the input's dtype first (so
// threshold -0.5 on int64 is 0), then replaces x <= threshold by value.
namespace {
Tensor integer_threshold(const Tensor& x, double threshold, double value) {
  check_convertible(Scalar(threshold), x.dtype());
  check_convertible(Scalar(value), x.dtype());
  const Scalar th(static_cast<int64_t>(threshold)), v(static_cast<int64_t>(value));
  return where(le(x, th), full({}, v, x.options()), x);
}
}  // namespace
Tensor threshold(const Tensor& x, double threshold, double value) {
  if (x.defined() && !is_floating_point(x.dtype())) return integer_threshold(x, threshold, value);
  return table_threshold(x, threshold, value);
}
Tensor& threshold_(Tensor& x, double threshold, double value) {
  if (x.defined() && !is_floating_point(x.dtype())) return x.copy_(integer_threshold(x, threshold, value));
  // In place, PyTorch names the node ThresholdBackward1 (threshold_'s own derivative row).
  return act_(ActOp::threshold, {threshold, value, 0}, autograd::ThresholdBackward1, x);
}

Tensor prelu(const Tensor& x, const Tensor& weight) {
  EMBER_CHECK(x.defined() && weight.defined(), "prelu: expected defined tensors");
  EMBER_CHECK(weight.dim() <= 1, "prelu: Expected `weight` to be a scalar or 1D tensor, but got ndim = ",
              weight.dim());
  // PyTorch's bfloat16 kernel converts any weight; the others need the input's dtype. The
  // conversion is recorded, so the weight's gradient comes back in its own dtype.
  if (x.dtype() == kBFloat16 && weight.dtype() != kBFloat16) return prelu(x, weight.to(kBFloat16));
  EMBER_CHECK(weight.dtype() == x.dtype(), "Found dtype ", weight.dtype(), " but expected ", x.dtype());
  const int64_t nw = weight.numel();
  Tensor w = weight.reshape({-1});
  if (nw != 1) {
    EMBER_CHECK(x.dim() > 0, "Not allow zero-dim input tensor.");
    const int64_t channels = x.dim() > 1 ? x.size(1) : 1;
    EMBER_CHECK(channels == nw, "Mismatch of parameter numbers and input channel size. Found parameter numbers = ",
                nw, " and channel size = ", channels, ".");
    // (C) -> (1, C, 1, ...) so it broadcasts along the channel dimension.
    DimVector shape(static_cast<size_t>(x.dim()), 1);
    shape[1] = nw;
    w = w.reshape(shape);
  } else {
    w = w.reshape(DimVector(static_cast<size_t>(x.dim()), 1));
  }
  Tensor r = autograd::untracked([&] { return where(gt(x, 0), x, mul(w, x)); });
  autograd::record(autograd::PreluBackward0, {&x, &weight}, r, {}, {x, weight});
  return r;
}

}  // namespace ember
