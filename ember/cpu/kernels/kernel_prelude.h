#pragma once
// Included first by every per-ISA kernel TU. EMBER_CPU_CAPABILITY_ENUM and EMBER_CPU_NS are
// set by CMake for each copy (Note [CPU capability dispatch]).
#ifndef EMBER_CPU_CAPABILITY_ENUM
#error "kernel TUs are compiled through ember_cpu_kernels() in ember/CMakeLists.txt"
#endif
#include "ember/cpu/dispatch.h"
#include "ember/cpu/loops.h"
#include "ember/kernels/elementwise.h"

#include <cstdint>
#include <type_traits>

namespace ember::cpu {
// The kernel TUs implement the families declared in ember/kernels/; their names (stubs,
// kernel signatures, op enums, geometries) are used unqualified here.
using namespace ::ember::kernels;

// Note [Integer wrap-around]
// Integer arithmetic wraps around modulo 2^bits, as PyTorch's results do; signed overflow
// is undefined behaviour in C++ (UBSan stops on it), so integer +, - and * go through
// uint64_t, whose conversion back to a signed type is modular since C++20. Floats are
// untouched, and the integer forms compile to the same instructions.
template <class A>
constexpr bool wraps_v = std::is_integral_v<A> && !std::is_same_v<A, bool>;
template <class A>
inline A wrap_add(A a, A b) {
  if constexpr (wraps_v<A>) return static_cast<A>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
  else return a + b;
}
template <class A>
inline A wrap_sub(A a, A b) {
  if constexpr (wraps_v<A>) return static_cast<A>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
  else return a - b;
}
template <class A>
inline A wrap_mul(A a, A b) {
  if constexpr (wraps_v<A>) return static_cast<A>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
  else if constexpr (std::is_same_v<A, bool>) return a && b;  // a bool product (square of a bool tensor)
  else return a * b;
}
}  // namespace ember::cpu
