#include "ember/ops/type_promotion.h"

namespace ember {

namespace {
struct ResultTypeState {
  ScalarType dim = ScalarType::Undefined;
  ScalarType zero_dim = ScalarType::Undefined;
  ScalarType wrapped = ScalarType::Undefined;

  void update(const Tensor& t) {
    ScalarType current = t.dtype();
    if (t.unsafeGetTensorImpl()->is_wrapped_number()) {
      // A wrapped Python/C++ float has the default dtype, not float64.
      if (is_floating_point(current)) current = get_default_dtype();
      wrapped = promote_types(wrapped, current);
    } else if (t.dim() == 0) {
      zero_dim = promote_types(zero_dim, current);
    } else {
      dim = promote_types(dim, current);
    }
  }
  void update(const Scalar& s) {
    ScalarType current = s.is_floating_point() ? get_default_dtype() : s.type();
    wrapped = promote_types(wrapped, current);
  }
};

ScalarType combine_categories(ScalarType higher, ScalarType lower) {
  if (is_floating_point(higher)) return higher;
  if (higher == kBool || is_floating_point(lower)) {
    // e.g. int64 tensor + float scalar -> float32; bool tensor + int scalar -> int64.
    return promote_types(higher, lower);
  }
  if (higher != ScalarType::Undefined) return higher;
  return lower;
}

ScalarType finish(const ResultTypeState& s) {
  return combine_categories(s.dim, combine_categories(s.zero_dim, s.wrapped));
}
}  // namespace

ScalarType result_type(const Tensor& a, const Tensor& b) {
  ResultTypeState s;
  s.update(a);
  s.update(b);
  return finish(s);
}

ScalarType result_type(const Tensor& a, const Scalar& b) {
  ResultTypeState s;
  s.update(a);
  s.update(b);
  return finish(s);
}

ScalarType result_type(TensorList tensors) {
  ResultTypeState s;
  for (const Tensor& t : tensors) s.update(t);
  return finish(s);
}

bool can_cast(ScalarType from, ScalarType to) {
  if (is_floating_point(from) && is_integral(to, /*include_bool=*/false)) return false;
  if (from != kBool && to == kBool) return false;
  return true;
}

void check_can_cast_to_output(ScalarType result, ScalarType out) {
  EMBER_CHECK(can_cast(result, out), "result type ", result,
              " can't be cast to the desired output type ", out);
}

}  // namespace ember
