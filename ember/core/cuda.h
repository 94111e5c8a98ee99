#pragma once
// ember::cuda: LibTorch's torch::cuda queries. A CUDA device is available when a CUDA
// backend has registered its allocator (Note [Allocators by device] in allocator.h); a
// build without CUDA has none, so is_available() is false, device_count() 0 and the
// seeding functions do nothing, as LibTorch's CPU-only build behaves. Programs written as
//   torch::Device device(torch::cuda::is_available() ? torch::kCUDA : torch::kCPU);
// therefore run on the CPU.
#include <cstddef>
#include <cstdint>

#include "ember/core/allocator.h"
#include "ember/core/device.h"

namespace ember::cuda {

inline bool is_available() { return allocator_for(DeviceType::CUDA) != nullptr; }
// The backend will report its device count when it exists; until then a registered CUDA
// allocator means one device (the test backends register exactly one).
inline size_t device_count() { return is_available() ? 1 : 0; }
inline bool cudnn_is_available() { return false; }
// Seed the CUDA generators (not the CPU one, as in LibTorch); no CUDA, nothing to seed.
inline void manual_seed(uint64_t /*seed*/) {}
inline void manual_seed_all(uint64_t /*seed*/) {}
inline void synchronize(int64_t /*device_index*/ = -1) {}

}  // namespace ember::cuda
