// Storage for the optimiser-family stubs (cpu/optim_kernels.h).
#include "ember/cpu/optim_kernels.h"

namespace ember::cpu {

DispatchStub<SgdStepKernel> sgd_step_stub;
DispatchStub<AdamStepKernel> adam_step_stub;
DispatchStub<RmspropStepKernel> rmsprop_step_stub;
DispatchStub<AdagradStepKernel> adagrad_step_stub;
DispatchStub<AdadeltaStepKernel> adadelta_step_stub;

}  // namespace ember::cpu
