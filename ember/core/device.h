#pragma once
// Device: where a tensor's memory lives. Every TensorImpl carries one, and storage is
// allocated by that device type's allocator (Note [Allocators by device] in allocator.h).
// Kernels are looked up by device type too (Note [Dispatch by device] in kernels/stub.h).
#include <cstdint>
#include <ostream>
#include <string>

namespace ember {

// PrivateUse1 is PyTorch's slot for a backend kept outside the framework ("privateuseone");
// ember's tests register one there to prove the device seam.
enum class DeviceType : int8_t { CPU = 0, CUDA = 1, PrivateUse1 = 2 };
constexpr int kNumDeviceTypes = 3;
constexpr DeviceType kCPU = DeviceType::CPU;
constexpr DeviceType kCUDA = DeviceType::CUDA;
constexpr DeviceType kPrivateUse1 = DeviceType::PrivateUse1;
// "cpu", "cuda", "privateuseone"
const char* device_type_name(DeviceType t);

struct Device {
  DeviceType type = DeviceType::CPU;
  int8_t index = -1;  // -1: the current device of that type

  Device() = default;
  Device(DeviceType t, int idx = -1) : type(t), index(static_cast<int8_t>(idx)) {}
  // "cpu", "cuda", "cuda:1"
  Device(const std::string& spec);
  Device(const char* spec) : Device(std::string(spec)) {}

  bool is_cpu() const { return type == DeviceType::CPU; }
  bool is_cuda() const { return type == DeviceType::CUDA; }
  bool operator==(const Device& o) const { return type == o.type && index == o.index; }
  bool operator!=(const Device& o) const { return !(*this == o); }
  std::string str() const;
};

std::ostream& operator<<(std::ostream& os, const Device& d);
std::ostream& operator<<(std::ostream& os, DeviceType t);

}  // namespace ember
