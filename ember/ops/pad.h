#pragma once
// constant_pad_nd (LibTorch's torch::constant_pad_nd): pads the last len(pad)/2 dimensions,
// last first: pad = {left, right, top, bottom, ...}. Negative pads crop. Records
// ConstantPadNdBackward0, whose gradient is the incoming gradient padded by -pad.
#include "ember/core/tensor.h"

namespace ember {

Tensor constant_pad_nd(const Tensor& self, IntArrayRef pad, const Scalar& value = 0);

}  // namespace ember
