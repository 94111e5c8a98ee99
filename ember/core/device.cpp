#include "ember/core/device.h"

#include <cctype>

#include "ember/core/error.h"

namespace ember {

Device::Device(const std::string& spec) {
  std::string kind = spec, idx;
  if (auto colon = spec.find(':'); colon != std::string::npos) {
    kind = spec.substr(0, colon);
    idx = spec.substr(colon + 1);
  }
  if (kind == "cpu") type = DeviceType::CPU;
  else if (kind == "cuda") type = DeviceType::CUDA;
  else if (kind == "privateuseone") type = DeviceType::PrivateUse1;
  else EMBER_THROW(Error, "Expected one of cpu, cuda, privateuseone device type at start of device string: ", spec);
  if (!idx.empty()) {
    bool digits = idx.size() <= 3;
    for (char c : idx) digits = digits && std::isdigit(static_cast<unsigned char>(c));
    EMBER_CHECK(digits, "Invalid device string: '", spec, "'");
    index = static_cast<int8_t>(std::stoi(idx));
  }
}

std::string Device::str() const {
  std::string s = device_type_name(type);
  if (index >= 0) {
    s += ':';
    s += std::to_string(index);
  }
  return s;
}

std::ostream& operator<<(std::ostream& os, const Device& d) { return os << d.str(); }
std::ostream& operator<<(std::ostream& os, DeviceType t) { return os << device_type_name(t); }

const char* device_type_name(DeviceType t) {
  switch (t) {
    case DeviceType::CPU: return "cpu";
    case DeviceType::CUDA: return "cuda";
    case DeviceType::PrivateUse1: return "privateuseone";
  }
  return "unknown";
}

}  // namespace ember
