// The allow-list of Note [Unpickler safety]: torch/_weights_only_unpickler.py's default
// globals, each mapped to what ember builds for it, or refused with a reason where ember
// has nothing to build (sparse, quantized and nested tensors, sets, bytes).
#include "ember/io/pickle_globals.h"

#include <unordered_map>

namespace ember::pickle {
namespace {

struct Legacy {
  const char* name;
  ScalarType dtype;
};

// torch/storage.py's legacy classes. The first of each dtype is the one torch.save writes.
constexpr Legacy kLegacyStorages[] = {
    {"DoubleStorage", kFloat64},   {"FloatStorage", kFloat32},      {"HalfStorage", kFloat16},
    {"BFloat16Storage", kBFloat16}, {"LongStorage", kInt64},         {"IntStorage", kInt32},
    {"ShortStorage", kInt16},      {"CharStorage", kInt8},          {"ByteStorage", kUInt8},
    {"BoolStorage", kBool},        {"ComplexFloatStorage", ScalarType::Undefined},
    {"ComplexDoubleStorage", ScalarType::Undefined},                {"QInt8Storage", ScalarType::Undefined},
    {"QUInt8Storage", ScalarType::Undefined},                        {"QInt32Storage", ScalarType::Undefined},
    {"QUInt4x2Storage", ScalarType::Undefined},                      {"QUInt2x4Storage", ScalarType::Undefined},
};

const std::unordered_map<std::string, GlobalInfo>& table() {
  static const std::unordered_map<std::string, GlobalInfo> t = [] {
    std::unordered_map<std::string, GlobalInfo> m;
    m["collections.OrderedDict"] = {GlobalFn::OrderedDict};
    m["collections.Counter"] = {GlobalFn::Counter};
    m["torch.Size"] = {GlobalFn::Size};
    m["torch.device"] = {GlobalFn::Device};
    m["torch.Tensor"] = {GlobalFn::TensorClass};
    m["torch._tensor.Tensor"] = {GlobalFn::TensorClass};
    m["torch.nn.parameter.Parameter"] = {GlobalFn::ParameterClass};
    m["torch.nn.Parameter"] = {GlobalFn::ParameterClass};
    m["torch._utils._rebuild_tensor"] = {GlobalFn::RebuildTensor};
    m["torch._utils._rebuild_tensor_v2"] = {GlobalFn::RebuildTensorV2};
    m["torch._utils._rebuild_tensor_v3"] = {GlobalFn::RebuildTensorV3};
    m["torch._utils._rebuild_parameter"] = {GlobalFn::RebuildParameter};
    m["torch._utils._rebuild_parameter_with_state"] = {GlobalFn::RebuildParameterWithState};
    m["torch._tensor._rebuild_from_type_v2"] = {GlobalFn::RebuildFromTypeV2};

    for (const Legacy& s : kLegacyStorages) {
      m[std::string("torch.") + s.name] = {GlobalFn::StorageClass, s.dtype};
      // Files written from CUDA tensors by old versions name torch.cuda.<T>Storage; ember
      // loads every storage to the CPU (map_location='cpu').
      m[std::string("torch.cuda.") + s.name] = {GlobalFn::StorageClass, s.dtype};
    }
    for (const char* untyped : {"torch.storage.UntypedStorage", "torch.UntypedStorage", "torch.storage._UntypedStorage",
                                "torch._UntypedStorage"})
      m[untyped] = {GlobalFn::StorageClass, kUInt8, true};

    const std::pair<const char*, ScalarType> dtypes[] = {
        {"bool", kBool},       {"uint8", kUInt8},     {"int8", kInt8},        {"int16", kInt16},
        {"int32", kInt32},     {"int64", kInt64},     {"float16", kFloat16},  {"bfloat16", kBFloat16},
        {"float32", kFloat32}, {"float64", kFloat64},
    };
    for (const auto& [name, type] : dtypes) m[std::string("torch.") + name] = {GlobalFn::Dtype, type};
    for (const char* name : {"complex32", "complex64", "complex128", "uint16", "uint32", "uint64", "float8_e4m3fn",
                             "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz", "float8_e8m0fnu",
                             "float4_e2m1fn_x2", "qint8", "quint8", "qint32", "quint4x2", "quint2x4", "bits8",
                             "bits16", "bits1x8", "bits2x4", "bits4x2"})
      m[std::string("torch.") + name] = {GlobalFn::Dtype, ScalarType::Undefined};

    auto refuse = [&](const std::string& path, const char* why) { m[path] = {GlobalFn::Refused, ScalarType::Undefined, false, why}; };
    for (const char* f : {"_rebuild_sparse_tensor", "_rebuild_sparse_csr_tensor"})
      refuse(std::string("torch._utils.") + f, "sparse tensors are not supported by ember");
    refuse("torch.serialization._get_layout", "sparse tensors are not supported by ember");
    refuse("torch._utils._rebuild_qtensor", "quantized tensors are not supported by ember");
    for (const char* q : {"per_tensor_affine", "per_channel_affine", "per_tensor_symmetric", "per_channel_symmetric",
                          "per_channel_affine_float_qparams"})
      refuse(std::string("torch.") + q, "quantized tensors are not supported by ember");
    refuse("torch._utils._rebuild_meta_tensor_no_storage", "meta tensors (shapes without data) are not supported by ember");
    refuse("torch._utils._rebuild_wrapper_subclass", "tensor subclasses are not supported by ember");
    refuse("torch._utils._rebuild_nested_tensor", "nested tensors are not supported by ember");
    for (const char* f : {"_rebuild_device_tensor_from_numpy", "_rebuild_device_tensor_from_cpu_tensor"})
      refuse(std::string("torch._utils.") + f, "device tensors rebuilt from NumPy or other devices are not supported by ember");
    refuse("builtins.set", "ember cannot represent sets");
    refuse("builtins.frozenset", "ember cannot represent sets");
    refuse("builtins.complex", "ember cannot represent complex numbers");
    refuse("builtins.bytearray", "ember cannot represent bytes objects");
    refuse("builtins.bytes", "ember cannot represent bytes objects");
    refuse("_codecs.encode", "ember cannot represent bytes objects");
    for (const char* c : {"DoubleTensor", "FloatTensor", "HalfTensor", "BFloat16Tensor", "LongTensor", "IntTensor",
                          "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor"})
      refuse(std::string("torch.") + c, "legacy tensor type objects are not supported by ember");
    return m;
  }();
  return t;
}

}  // namespace

const GlobalInfo* find_global(const std::string& module, const std::string& name) {
  // Never even look up names in the modules that reach the operating system.
  for (const char* blocked : {"sys", "os", "posix", "nt", "subprocess"})
    if (module == blocked) return nullptr;
  auto it = table().find(module + "." + name);
  return it == table().end() ? nullptr : &it->second;
}

const StorageClass* storage_class_for(ScalarType dtype) {
  static const StorageClass classes[] = {
      {"DoubleStorage", kFloat64}, {"FloatStorage", kFloat32}, {"HalfStorage", kFloat16},
      {"BFloat16Storage", kBFloat16}, {"LongStorage", kInt64}, {"IntStorage", kInt32},
      {"ShortStorage", kInt16}, {"CharStorage", kInt8}, {"ByteStorage", kUInt8},
      {"BoolStorage", kBool},
  };
  for (const auto& c : classes)
    if (c.dtype == dtype) return &c;
  return nullptr;
}

}  // namespace ember::pickle
