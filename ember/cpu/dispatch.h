#pragma once
// The CPU backend's registration: which instruction-set copy of each kernel fills the
// stubs. See Note [CPU capability dispatch].
#include "ember/kernels/stub.h"

namespace ember::cpu {

// Note [CPU capability dispatch]
// Kernel translation units (cpu/kernels/*.cpp) are compiled three times: for plain
// x86-64, for AVX2+FMA and for AVX-512, each time into its own namespace (EMBER_CPU_NS),
// and each copy's register function puts its kernels into the CPU slot of its instruction
// set in every stub (kernels::DispatchStub, Note [Dispatch by device]). The first CPU
// lookup through any stub runs all three register functions, explicitly (no static
// initialisers, so a static libember links them all), and then picks the best copy this
// CPU supports. EMBER_CPU_CAPABILITY=default|avx2|avx512 in the environment forces a
// lower one (for tests and benchmarks).
using kernels::CpuCapability;

CpuCapability cpu_capability();
void register_kernels_default();
void register_kernels_avx2();
void register_kernels_avx512();
const char* cpu_capability_name(CpuCapability c);

}  // namespace ember::cpu

// Inside a kernel TU's register_<family>() function: puts this ISA's copy into the stub.
#define EMBER_REGISTER_KERNEL(stub, fn) \
  stub.register_cpu(::ember::kernels::CpuCapability::EMBER_CPU_CAPABILITY_ENUM, fn)
