// libFuzzer target: the safetensors reader (ember::load_safetensors, which reads a path:
// the input is handed over as an in-memory file). Any input must load or throw ember::Error.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "ember/core/error.h"
#include "ember/io/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const int fd = ::memfd_create("fuzz.safetensors", 0);
  if (fd < 0) std::abort();
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, data, size, 0) != static_cast<ssize_t>(size)) std::abort();
  try {
    (void)ember::load_safetensors("/proc/self/fd/" + std::to_string(fd));
  } catch (const ember::Error&) {
  }
  return 0;
}
