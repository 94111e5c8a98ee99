#pragma once
// TensorOptions: dtype, device and requires_grad for factories, with LibTorch's chainable
// setters: ember::zeros({2, 3}, ember::TensorOptions().dtype(ember::kFloat64)) or
// ember::zeros({2, 3}, ember::kFloat64).
#include <optional>

#include "ember/core/device.h"
#include "ember/core/dtype.h"

namespace ember {

struct TensorOptions {
  TensorOptions() = default;
  TensorOptions(ScalarType d) : dtype_(d) {}
  TensorOptions(Device d) : device_(d) {}
  TensorOptions(DeviceType t) : device_(Device(t)) {}

  TensorOptions dtype(ScalarType d) const { auto o = *this; o.dtype_ = d; return o; }
  TensorOptions dtype(std::optional<ScalarType> d) const { auto o = *this; o.dtype_ = d; return o; }
  TensorOptions device(Device d) const { auto o = *this; o.device_ = d; return o; }
  TensorOptions requires_grad(bool r) const { auto o = *this; o.requires_grad_ = r; return o; }

  // Unset dtype means the default dtype (get_default_dtype()).
  ScalarType dtype() const { return dtype_ ? *dtype_ : get_default_dtype(); }
  bool has_dtype() const { return dtype_.has_value(); }
  Device device() const { return device_; }
  bool requires_grad() const { return requires_grad_; }

 private:
  std::optional<ScalarType> dtype_;
  Device device_ = Device(DeviceType::CPU);
  bool requires_grad_ = false;
};

inline TensorOptions dtype(ScalarType d) { return TensorOptions().dtype(d); }
inline TensorOptions device(Device d) { return TensorOptions().device(d); }
inline TensorOptions requires_grad(bool r = true) { return TensorOptions().requires_grad(r); }

}  // namespace ember
