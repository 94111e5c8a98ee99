#include "ember/kernels/stub.h"

#include "ember/core/error.h"

namespace ember::kernels::detail {

[[noreturn]] void no_kernel(const char* family, DeviceType type) {
  if (type == DeviceType::CUDA)
    EMBER_THROW(NotImplementedError, "could not run the '", family,
                "' kernel on device 'cuda': ember was built without CUDA support");
  EMBER_THROW(NotImplementedError, "could not run the '", family, "' kernel on device '", type,
              "': its backend registered none");
}

}  // namespace ember::kernels::detail
