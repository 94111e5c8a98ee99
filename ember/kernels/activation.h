#pragma once
// Kernels of the parametrised pointwise activations (leaky_relu, elu, hardtanh, softplus,
// ...) and of their derivatives: one pass over memory each, where the composites built
// from elementwise ops would make several full-size temporaries. The CPU fills them from
// cpu/kernels/activation.cpp (Note [Dispatch by device] in kernels/stub.h).
#include "ember/core/activation_list.h"
#include "ember/core/tensor_iterator.h"
#include "ember/kernels/stub.h"

namespace ember::kernels {

// One per fused kernel: the rows of EMBER_ACTIVATION_KERNELS (Note [Activation table]).
enum class ActOp : int {
#define EMBER_X(kernel, ...) kernel,
  EMBER_ACTIVATION_KERNELS(EMBER_X)
#undef EMBER_X
};

// The op's parameters; which ones are read depends on the op:
//   leaky_relu: a = negative_slope
//   elu:        a = alpha, b = scale, c = input_scale (selu and celu are elu too)
//   hardtanh:   a = min_val, b = max_val
//   softplus:   a = beta, b = threshold
//   threshold:  a = threshold, b = value (x <= a ? b : x); its backward is relu's too
struct ActParams {
  double a = 0, b = 0, c = 0;
};

// iter: (out, x), Float32 or Float64 throughout.
using ActForwardKernel = void (*)(ActOp op, const ActParams& p, const TensorIterator& iter);
// iter: (grad_input, grad_output, x), one floating dtype: grad_input = grad_output * f'(x).
// Float32 or Float64, and BFloat16 for threshold (Note [bfloat16 threshold backward]).
using ActBackwardKernel = void (*)(ActOp op, const ActParams& p, const TensorIterator& iter);

inline DispatchStub<ActForwardKernel> act_forward_stub{"act_forward"};
inline DispatchStub<ActBackwardKernel> act_backward_stub{"act_backward"};

}  // namespace ember::kernels
