#pragma once
// PyTorch's result_type: which dtype an op computes in, given its operands.
#include "ember/core/tensor.h"

namespace ember {

// torch.result_type. Operands fall into three priority classes: tensors with dimensions,
// 0-dim tensors, and wrapped numbers (C++ scalars). A lower class only matters when its
// category (bool < integer < floating) is higher than the classes above it, e.g.
// int_tensor + 2.5 -> default float dtype, float16_tensor + 2.5 -> float16,
// int32_tensor + float64_0dim -> float64, float32_tensor + float64_0dim -> float32.
ScalarType result_type(const Tensor& a, const Tensor& b);
ScalarType result_type(const Tensor& a, const Scalar& b);
ScalarType result_type(TensorList tensors);

// torch.can_cast: whether `from` may be written into `to` by an in-place or out= op
// (no float -> integer, no non-bool -> bool).
bool can_cast(ScalarType from, ScalarType to);

// Throws PyTorch's "result type Float can't be cast to the desired output type Long".
void check_can_cast_to_output(ScalarType result, ScalarType out);

}  // namespace ember
