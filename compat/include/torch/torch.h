#pragma once
// LibTorch's umbrella header, for ember (ember::torch_compat; Note [torch is ember]).
#include "torch/ember_compat.h"
