#pragma once
// LibTorch's torch/all.h: the same as torch/torch.h here.
#include "torch/ember_compat.h"
