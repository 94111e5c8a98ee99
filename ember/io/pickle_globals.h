#pragma once
// The globals a checkpoint may name (Note [Unpickler safety] in pickle.h), and PyTorch's
// storage classes. Internal to io/.
#include <string>

#include "ember/core/dtype.h"

namespace ember::pickle {

// What a global is to the reader. Anything not in the table is refused.
enum class GlobalFn : uint8_t {
  OrderedDict,                // collections.OrderedDict
  Counter,                    // collections.Counter (a dict)
  Size,                       // torch.Size -> tuple
  Device,                     // torch.device -> "cpu", "cuda:0"
  TensorClass,                // torch.Tensor
  ParameterClass,             // torch.nn.parameter.Parameter
  RebuildTensor,              // torch._utils._rebuild_tensor (legacy, no requires_grad)
  RebuildTensorV2,            // torch._utils._rebuild_tensor_v2
  RebuildTensorV3,            // torch._utils._rebuild_tensor_v3 (untyped storage + dtype)
  RebuildParameter,           // torch._utils._rebuild_parameter
  RebuildParameterWithState,  // torch._utils._rebuild_parameter_with_state
  RebuildFromTypeV2,          // torch._tensor._rebuild_from_type_v2
  StorageClass,               // torch.FloatStorage, ..., torch.storage.UntypedStorage
  Dtype,                      // torch.float32, ...
  Refused,                    // allowed by torch's weights_only loader, not representable here
};

struct GlobalInfo {
  GlobalFn fn;
  // Dtype / StorageClass: the element type, Undefined when ember lacks it (complex,
  // quantized, float8, ...). For an untyped storage: UInt8 with `untyped` set.
  ScalarType dtype = ScalarType::Undefined;
  bool untyped = false;
  // Refused: why ("sparse tensors are not supported by ember").
  const char* refusal = nullptr;
};

// The entry for module.name (module already mapped from Python 2 names), or null.
const GlobalInfo* find_global(const std::string& module, const std::string& name);

// torch.<name> storage class that torch.save writes for a dtype ("FloatStorage").
struct StorageClass {
  const char* name;
  ScalarType dtype;
};
const StorageClass* storage_class_for(ScalarType dtype);

}  // namespace ember::pickle
