#pragma once
// Elementwise ops: free functions (ember::add, ember::exp, ...), their out= forms
// (ember::add_out(out, a, b)), and where/clamp/nan_to_num/isclose. The Tensor methods and
// C++ operators forward here. Broadcasting and type promotion follow PyTorch.
#include <optional>
#include <string>

#include "ember/core/tensor.h"
#include "ember/core/op_list.h"

namespace ember {

// ---- the generic front ends every elementwise op goes through ------------------------
// out == nullptr: allocate. out == &self: in-place. Otherwise: write into *out (resized
// if its shape differs), checking that the result dtype can be cast to it.
Tensor unary_op(UnaryOp op, const Tensor& x, Tensor* out = nullptr);
Tensor binary_op(BinaryOp op, const Tensor& a, const Tensor& b, const Scalar& alpha = 1,
                 Tensor* out = nullptr);

// ---- unary ----------------------------------------------------------------------------
// name(x), name_(x) and name_out(out, x) for every row of the op table but the CUSTOM
// ones (core/op_list.h).
#define EMBER_DECLARE_UNARY_FN(name)        \
  Tensor name(const Tensor& x);             \
  Tensor& name##_(Tensor& x);               \
  Tensor& name##_out(Tensor& out, const Tensor& x);
#define EMBER_DECLARE_UNARY_FN_METHODS(name) EMBER_DECLARE_UNARY_FN(name)
#define EMBER_DECLARE_UNARY_FN_METHOD(name) EMBER_DECLARE_UNARY_FN(name)
#define EMBER_DECLARE_UNARY_FN_FUNCTIONS(name) EMBER_DECLARE_UNARY_FN(name)
#define EMBER_DECLARE_UNARY_FN_CUSTOM(name)
#define EMBER_X(name, methods, ...) EMBER_DECLARE_UNARY_FN_##methods(name)
EMBER_UNARY_OPS(EMBER_X)
#undef EMBER_X
inline Tensor negative(const Tensor& x) { return neg(x); }
// approximate: "none" (exact, erf) or "tanh".
Tensor gelu(const Tensor& x, const std::string& approximate = "none");

// ---- binary ---------------------------------------------------------------------------
#define EMBER_DECLARE_BINARY_FN(name)                                   \
  Tensor name(const Tensor& a, const Tensor& b);                        \
  Tensor name(const Tensor& a, const Scalar& b);                        \
  Tensor& name##_out(Tensor& out, const Tensor& a, const Tensor& b);
EMBER_DECLARE_BINARY_FN(mul)
EMBER_DECLARE_BINARY_FN(remainder)
EMBER_DECLARE_BINARY_FN(fmod)
EMBER_DECLARE_BINARY_FN(eq)
EMBER_DECLARE_BINARY_FN(ne)
EMBER_DECLARE_BINARY_FN(lt)
EMBER_DECLARE_BINARY_FN(le)
EMBER_DECLARE_BINARY_FN(gt)
EMBER_DECLARE_BINARY_FN(ge)
EMBER_DECLARE_BINARY_FN(logical_and)
EMBER_DECLARE_BINARY_FN(logical_or)
EMBER_DECLARE_BINARY_FN(logical_xor)
EMBER_DECLARE_BINARY_FN(bitwise_and)
EMBER_DECLARE_BINARY_FN(bitwise_or)
EMBER_DECLARE_BINARY_FN(bitwise_xor)
#undef EMBER_DECLARE_BINARY_FN
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor& maximum_out(Tensor& out, const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);
Tensor& minimum_out(Tensor& out, const Tensor& a, const Tensor& b);
Tensor atan2(const Tensor& a, const Tensor& b);
Tensor& atan2_out(Tensor& out, const Tensor& a, const Tensor& b);

Tensor add(const Tensor& a, const Tensor& b, const Scalar& alpha = 1);
Tensor add(const Tensor& a, const Scalar& b, const Scalar& alpha = 1);
Tensor& add_out(Tensor& out, const Tensor& a, const Tensor& b, const Scalar& alpha = 1);
Tensor sub(const Tensor& a, const Tensor& b, const Scalar& alpha = 1);
Tensor sub(const Tensor& a, const Scalar& b, const Scalar& alpha = 1);
Tensor& sub_out(Tensor& out, const Tensor& a, const Tensor& b, const Scalar& alpha = 1);
Tensor rsub(const Tensor& a, const Tensor& b, const Scalar& alpha = 1);  // b - alpha * a
Tensor rsub(const Tensor& a, const Scalar& b, const Scalar& alpha = 1);
Tensor div(const Tensor& a, const Tensor& b, std::optional<std::string> rounding_mode = std::nullopt);
Tensor div(const Tensor& a, const Scalar& b, std::optional<std::string> rounding_mode = std::nullopt);
Tensor& div_out(Tensor& out, const Tensor& a, const Tensor& b,
                std::optional<std::string> rounding_mode = std::nullopt);
Tensor floor_divide(const Tensor& a, const Tensor& b);
Tensor floor_divide(const Tensor& a, const Scalar& b);
Tensor pow(const Tensor& a, const Tensor& b);
Tensor pow(const Tensor& a, const Scalar& b);
Tensor pow(const Scalar& a, const Tensor& b);
Tensor& pow_out(Tensor& out, const Tensor& a, const Tensor& b);

// ---- others ---------------------------------------------------------------------------
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b);
Tensor where(const Tensor& condition, const Scalar& a, const Tensor& b);
Tensor where(const Tensor& condition, const Tensor& a, const Scalar& b);
Tensor where(const Tensor& condition, const Scalar& a, const Scalar& b);
Tensor clamp(const Tensor& x, std::optional<Scalar> min, std::optional<Scalar> max = std::nullopt);
Tensor& clamp_out(Tensor& out, const Tensor& x, std::optional<Scalar> min, std::optional<Scalar> max = std::nullopt);
Tensor clamp(const Tensor& x, const std::optional<Tensor>& min, const std::optional<Tensor>& max);
inline Tensor clip(const Tensor& x, std::optional<Scalar> min, std::optional<Scalar> max = std::nullopt) {
  return clamp(x, min, max);
}
Tensor nan_to_num(const Tensor& x, std::optional<double> nan = std::nullopt,
                  std::optional<double> posinf = std::nullopt, std::optional<double> neginf = std::nullopt);
Tensor isclose(const Tensor& a, const Tensor& b, double rtol = 1e-5, double atol = 1e-8, bool equal_nan = false);
bool allclose(const Tensor& a, const Tensor& b, double rtol = 1e-5, double atol = 1e-8, bool equal_nan = false);
bool equal(const Tensor& a, const Tensor& b);

// Resizes `out` to `shape` (fresh contiguous storage) when its shape differs, as out=
// arguments are in PyTorch.
void resize_output(Tensor& out, IntArrayRef shape);
// Bumps the version counter of a tensor written in place (Note [Version counter]).
inline void mark_written(const Tensor& t) { t.unsafeGetTensorImpl()->bump_version(); }

}  // namespace ember
