#pragma once
// LibTorch's torch/extension.h (C++ extensions): the C++ API as torch/torch.h gives it.
// The pybind11 type casters that let an extension take and return Python torch tensors are
// not part of ember::torch_compat (ember's Python tensors are bound in ember._C).
#include "torch/ember_compat.h"
