#pragma once
// Run-time choice of CPU kernels by instruction set. See Note [CPU capability dispatch].
#include <cstdint>

namespace ember::cpu {

// Note [CPU capability dispatch]
// Kernel translation units (cpu/kernels/*.cpp) are compiled three times: for plain
// x86-64, for AVX2+FMA and for AVX-512, each time into its own namespace
// (EMBER_CPU_NS). The first call through any DispatchStub runs every copy's
// registration function, explicitly (no static initialisers, so a static libember links
// them all), and then picks the best copy this CPU supports. EMBER_CPU_CAPABILITY=
// default|avx2|avx512 in the environment forces a lower one (for tests and benchmarks).
enum class CpuCapability : int { Default = 0, AVX2 = 1, AVX512 = 2 };
constexpr int kNumCapabilities = 3;

CpuCapability cpu_capability();
// Runs the registration functions of all three ISA copies, once.
void ensure_kernels_registered();
void register_kernels_default();
void register_kernels_avx2();
void register_kernels_avx512();
const char* cpu_capability_name(CpuCapability c);

template <class Fn>
struct DispatchStub {
  Fn table[kNumCapabilities] = {};
  Fn chosen = nullptr;

  Fn get() {
    if (__builtin_expect(chosen != nullptr, 1)) return chosen;
    ensure_kernels_registered();
    for (int c = static_cast<int>(cpu_capability()); c >= 0; --c)
      if (table[c]) return chosen = table[c];
    return nullptr;
  }
};

}  // namespace ember::cpu

// Inside a kernel TU's register_<family>() function: puts this ISA's copy into the stub.
#define EMBER_REGISTER_KERNEL(stub, fn) \
  stub.table[static_cast<int>(::ember::cpu::CpuCapability::EMBER_CPU_CAPABILITY_ENUM)] = fn
