#pragma once
// LibTorch's torch/utils.h: ember's whole API (Note [torch is ember] in torch/ember_compat.h).
#include "torch/ember_compat.h"
