// Small Tensor members that are not ops: item(), toString(), Scalar printing.
#include <sstream>

#include "ember/core/tensor.h"

namespace ember {

Scalar Tensor::item() const {
  EMBER_CHECK(defined(), "item(): expected a defined tensor");
  EMBER_CHECK(numel() == 1, "a Tensor with ", numel(), " elements cannot be converted to Scalar");
  Scalar out;
  EMBER_DISPATCH_ALL_TYPES(dtype(), "item", [&] {
    scalar_t v = *static_cast<const scalar_t*>(data_ptr());
    if constexpr (std::is_same_v<scalar_t, bool>) out = Scalar(v);
    else if constexpr (std::is_integral_v<scalar_t>) out = Scalar(static_cast<int64_t>(v));
    else out = Scalar(static_cast<double>(static_cast<opmath_t<scalar_t>>(v)));
  });
  return out;
}

std::string Tensor::toString() const {
  static const char* names[] = {"Bool", "Byte", "Char", "Short", "Int", "Long", "Half", "BFloat16", "Float", "Double"};
  std::string dev = device().is_cpu() ? "CPU" : "CUDA";
  return dev + names[static_cast<int>(dtype())] + "Type";
}

}  // namespace ember
