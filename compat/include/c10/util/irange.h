#pragma once
// LibTorch's header for c10::irange, for ember (ember::torch_compat; Note [torch is ember]):
// c10::irange is ember::irange (ember/core/irange.h).
#include "torch/ember_compat.h"
