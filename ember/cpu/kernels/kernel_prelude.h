#pragma once
// Included first by every per-ISA kernel TU. EMBER_CPU_CAPABILITY_ENUM and EMBER_CPU_NS are
// set by CMake for each copy (Note [CPU capability dispatch]).
#ifndef EMBER_CPU_CAPABILITY_ENUM
#error "kernel TUs are compiled through ember_cpu_kernels() in ember/CMakeLists.txt"
#endif
#include "ember/cpu/dispatch.h"
#include "ember/cpu/kernels.h"
#include "ember/cpu/loops.h"
