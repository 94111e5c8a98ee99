#pragma once
// The op table, activation family: the parametrised activations that run one fused kernel
// pass forward and one backward (kernels/activation.h). See Note [Activation table].
#include <cstdint>

namespace ember {

// Note [Activation table]
// Two X-macro lists, the single source of truth for this family:
//
// EMBER_ACTIVATION_KERNELS(X): X(kernel, error_name, bfloat16), one row per fused kernel.
//   It makes kernels::ActOp and the name the dtype errors print ("leaky_relu_cpu", as
//   PyTorch's); bfloat16 says whether PyTorch 1.13's CPU kernel takes bfloat16 (mish does
//   not, and ember refuses it with the same error).
//
// EMBER_ACTIVATION_OPS(X): X(name, forms, front, kernel, node, params, kernel_params, sample)
//   one row per public function ember::name(x, params...):
//   - forms: INPLACE (name and name_) or FUNCTIONAL (name only).
//   - front: GENERATED (ops/activation.cpp defines it from the row: check the dtype, run
//     the kernel, record `node`) or CUSTOM (hand-written there, because it does more:
//     hardtanh and threshold clamp integer inputs, celu checks alpha, threshold_ records
//     ThresholdBackward1; the row still declares it and drives its tests).
//   - kernel: the EMBER_ACTIVATION_KERNELS row it runs; node: the backward node's name
//     (autograd::Derivative<ActivationState> in autograd/derivatives_functional.h, whose
//     formula is the kernel's derivative).
//   - params: the parameters after x, as P(type, name, default) or R(type, name)
//     (required); kernel_params: the kernels::ActParams {a, b, c} built from them.
//   - sample: arguments after x that the generated tests pass (empty: the defaults).
// From the rows come the declarations in ops/activation.h, the GENERATED definitions, the
// ActOp enum, and the table-driven tests: a float64 gradcheck and gradgradcheck of every
// row (tests/cpp/test_op_table.cpp) and a forward, gradient and grad_fn comparison with
// LibTorch (tests/diff/test_op_table_diff.cpp). Adding an activation is one row here, one
// kernel case in cpu/kernels/activation.cpp (the compiler lists the switches that miss
// it), its derivative row, and a composite formula for double backward.
#define EMBER_ACTIVATION_KERNELS(X) \
  X(leaky_relu, "leaky_relu_cpu", BFLOAT16)   \
  X(elu, "elu_cpu", BFLOAT16)                 \
  X(hardtanh, "hardtanh_cpu", BFLOAT16)       \
  X(hardsigmoid, "hardsigmoid_cpu", BFLOAT16) \
  X(hardswish, "hardswish_cpu", BFLOAT16)     \
  X(softplus, "softplus_cpu", BFLOAT16)       \
  X(silu, "silu_cpu", BFLOAT16)               \
  X(mish, "mish_cpu", NO_BFLOAT16)            \
  X(log_sigmoid, "log_sigmoid_cpu", BFLOAT16) \
  X(threshold, "threshold_cpu", BFLOAT16)

#define EMBER_ACTIVATION_OPS(X)                                                                              \
  X(leaky_relu, INPLACE, GENERATED, leaky_relu, LeakyReluBackward0, (P(double, negative_slope, 0.01)),     \
    (negative_slope, 0, 0), (, 0.2))                                                                          \
  X(elu, INPLACE, GENERATED, elu, EluBackward0,                                                               \
    (P(double, alpha, 1.0) P(double, scale, 1.0) P(double, input_scale, 1.0)), (alpha, scale, input_scale), \
    (, 0.7))                                                                                                  \
  X(selu, INPLACE, GENERATED, elu, EluBackward0, (), (detail::kSeluAlpha, detail::kSeluScale, 1.0), ())     \
  X(celu, INPLACE, CUSTOM, elu, CeluBackward0, (P(double, alpha, 1.0)), (alpha, 1.0, 1.0 / alpha), (, 1.5)) \
  X(hardtanh, INPLACE, CUSTOM, hardtanh, HardtanhBackward0,                                                   \
    (P(double, min_val, -1.0) P(double, max_val, 1.0)), (min_val, max_val, 0), (, -0.5, 0.6))               \
  X(relu6, INPLACE, CUSTOM, hardtanh, HardtanhBackward0, (), (0.0, 6.0, 0), ())                             \
  X(hardsigmoid, INPLACE, GENERATED, hardsigmoid, HardsigmoidBackward0, (), (), ())                         \
  X(hardswish, INPLACE, GENERATED, hardswish, HardswishBackward0, (), (), ())                               \
  X(softplus, FUNCTIONAL, GENERATED, softplus, SoftplusBackward0,                                             \
    (P(double, beta, 1.0) P(double, threshold, 20.0)), (beta, threshold, 0), (, 2.0, 1.5))                  \
  X(silu, INPLACE, GENERATED, silu, SiluBackward0, (), (), ())                                              \
  X(mish, INPLACE, GENERATED, mish, MishBackward0, (), (), ())                                              \
  X(log_sigmoid, FUNCTIONAL, GENERATED, log_sigmoid, LogSigmoidBackward0, (), (), ())                       \
  X(threshold, INPLACE, CUSTOM, threshold, ThresholdBackward0, (R(double, threshold) R(double, value)),     \
    (threshold, value, 0), (, 0.1, -2.0))

// Expands a parenthesised list: EMBER_UNPAREN (a, b) is a, b.
#define EMBER_UNPAREN(...) __VA_ARGS__

namespace detail {
// selu's constants (PyTorch's, to the digits it prints).
constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluScale = 1.0507009873554804934193349852946;
}  // namespace detail

enum class ActivationOp : uint8_t {
#define EMBER_X(name, ...) name,
  EMBER_ACTIVATION_OPS(EMBER_X)
#undef EMBER_X
};
constexpr int kNumActivationOps = 0
#define EMBER_X(name, ...) +1
    EMBER_ACTIVATION_OPS(EMBER_X)
#undef EMBER_X
    ;

constexpr const char* op_name(ActivationOp op) {
  switch (op) {
#define EMBER_X(name, ...) \
  case ActivationOp::name: return #name;
    EMBER_ACTIVATION_OPS(EMBER_X)
#undef EMBER_X
  }
  return "?";
}

// The backward node an activation records (out of place).
constexpr const char* backward_node_name(ActivationOp op) {
  switch (op) {
#define EMBER_X(name, forms, front, kernel, node, ...) \
  case ActivationOp::name: return #node;
    EMBER_ACTIVATION_OPS(EMBER_X)
#undef EMBER_X
  }
  return "?";
}

#define EMBER_ACT_HAS_INPLACE_INPLACE true
#define EMBER_ACT_HAS_INPLACE_FUNCTIONAL false
constexpr bool has_inplace_form(ActivationOp op) {
  switch (op) {
#define EMBER_X(name, forms, ...) \
  case ActivationOp::name: return EMBER_ACT_HAS_INPLACE_##forms;
    EMBER_ACTIVATION_OPS(EMBER_X)
#undef EMBER_X
  }
  return false;
}

}  // namespace ember
