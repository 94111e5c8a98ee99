#include "ember/cpu/dispatch.h"

#include "ember/cpu/blas.h"

#include <cstdlib>
#include <cstring>
#include <mutex>

namespace ember::cpu {

namespace {
CpuCapability detect() {
  CpuCapability best = CpuCapability::Default;
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) best = CpuCapability::AVX2;
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq"))
    best = CpuCapability::AVX512;
#endif
  if (const char* env = std::getenv("EMBER_CPU_CAPABILITY")) {
    CpuCapability want = best;
    if (!std::strcmp(env, "default")) want = CpuCapability::Default;
    else if (!std::strcmp(env, "avx2")) want = CpuCapability::AVX2;
    else if (!std::strcmp(env, "avx512")) want = CpuCapability::AVX512;
    if (static_cast<int>(want) < static_cast<int>(best)) best = want;
  }
  return best;
}
}  // namespace

CpuCapability cpu_capability() {
  static CpuCapability c = detect();
  return c;
}


const char* cpu_capability_name(CpuCapability c) {
  switch (c) {
    case CpuCapability::AVX512: return "avx512";
    case CpuCapability::AVX2: return "avx2";
    default: return "default";
  }
}

}  // namespace ember::cpu

namespace ember::kernels::detail {

CpuCapability cpu_capability() { return cpu::cpu_capability(); }

// The backends built into libember; a CUDA build will add its registration here.
void ensure_backends_registered() {
  static std::once_flag once;
  std::call_once(once, [] {
    cpu::register_kernels_default();
#if defined(__x86_64__) && !defined(EMBER_KERNELS_DEFAULT_ONLY)
    cpu::register_kernels_avx2();
    cpu::register_kernels_avx512();
#endif
    cpu::register_blas();
  });
}

}  // namespace ember::kernels::detail
