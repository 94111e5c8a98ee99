#pragma once
// LibTorch's torch/script.h, without TorchScript: the eager API as torch/torch.h gives it;
// any use of torch::jit stops the build with one message naming it (Note [No TorchScript]).
#include "torch/ember_compat.h"
