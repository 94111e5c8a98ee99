// Storage for the convolution and pooling stubs (cpu/nn_kernels.h).
#include "ember/cpu/nn_kernels.h"

namespace ember::cpu {

DispatchStub<ConvForwardKernel> conv_forward_stub;
DispatchStub<ConvTransposeKernel> conv_transpose_stub;
DispatchStub<ConvWeightGradKernel> conv_weight_grad_stub;
DispatchStub<MaxPoolKernel> max_pool_stub;
DispatchStub<MaxPoolBackwardKernel> max_pool_backward_stub;
DispatchStub<AvgPoolKernel> avg_pool_stub;
DispatchStub<AvgPoolBackwardKernel> avg_pool_backward_stub;
DispatchStub<AdaptiveAvgPoolKernel> adaptive_avg_pool_stub;
DispatchStub<AdaptiveAvgPoolBackwardKernel> adaptive_avg_pool_backward_stub;
DispatchStub<AdaptiveMaxPoolKernel> adaptive_max_pool_stub;

}  // namespace ember::cpu
