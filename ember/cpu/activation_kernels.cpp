#include "ember/cpu/activation_kernels.h"

namespace ember::cpu {

DispatchStub<ActForwardKernel> act_forward_stub;
DispatchStub<ActBackwardKernel> act_backward_stub;

}  // namespace ember::cpu
