// libFuzzer target: the .pt reader (ember::load_value_from_bytes: ZIP container, pickle,
// storages, tensor rebuilds). Any input must load or throw ember::Error; anything else
// (a crash, a sanitizer report, another exception, a hang, a huge allocation) is a bug.
// What loads must, if it can be saved, load again to the same object.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "ember/core/error.h"
#include "ember/io/serialize.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ember::pickle::Value v;
  try {
    v = ember::load_value_from_bytes(std::string(reinterpret_cast<const char*>(data), size), "fuzz.pt");
  } catch (const ember::Error&) {
    return 0;
  }
  const std::string repr = v.repr();
  try {
    (void)v.to_ivalue();
  } catch (const ember::Error&) {  // globals (dtypes) have no IValue
  }
  std::string saved;
  try {
    saved = ember::save_value_to_bytes(v);
  } catch (const ember::Error&) {  // e.g. one untyped storage viewed with two dtypes (2.x allows it)
    return 0;
  }
  if (ember::load_value_from_bytes(saved, "again.pt").repr() != repr) std::abort();
  return 0;
}
