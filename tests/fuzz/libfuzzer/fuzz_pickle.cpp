// libFuzzer target: the restricted unpickler alone (ember::pickle::loads), with a
// persistent_load that serves small storages for well-formed ids, so the tensor rebuilds
// are reached. Any input must unpickle or throw ember::Error.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "ember/core/error.h"
#include "ember/core/tensor_impl.h"
#include "ember/io/pickle.h"

using ember::pickle::Value;

namespace {

Value storage_for(const Value& pid) {
  const auto& id = pid.items();
  if (id.size() != 5 || id[4].kind() != Value::Kind::Int || id[4].to_int() < 0 || id[4].to_int() > 4096 ||
      id[1].kind() != Value::Kind::Global)
    EMBER_THROW(Error, "fuzz: unsupported persistent id");
  const std::string& cls = id[1].global_name();
  ember::ScalarType dtype = cls == "DoubleStorage" ? ember::kFloat64
                            : cls == "LongStorage" ? ember::kInt64
                            : cls == "BoolStorage" ? ember::kBool
                            : cls == "HalfStorage" ? ember::kFloat16
                                                   : ember::kFloat32;
  const int64_t numel = id[4].to_int();
  auto storage = ember::make_intrusive<ember::StorageImpl>(numel * ember::element_size(dtype), ember::Device(ember::kCPU));
  std::memset(storage->data(), 0, storage->nbytes());
  return Value::tensor(ember::Tensor(ember::make_intrusive<ember::TensorImpl>(storage, dtype, ember::DimVector{numel},
                                                                              ember::DimVector{1}, 0)),
                       ember::pickle::TensorKind::Storage);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    Value v = ember::pickle::loads(std::string_view(reinterpret_cast<const char*>(data), size), storage_for, "fuzz: ");
    (void)v.repr();
  } catch (const ember::Error&) {
  }
  return 0;
}
