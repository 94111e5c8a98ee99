// DLPack both ways (the array API's zero-copy exchange): t.__dlpack__() /
// __dlpack_device__() export an ember tensor, ember.from_dlpack(x) imports anything that
// exports (torch tensors, NumPy arrays) or a capsule. The structs are Debian's
// libdlpack-dev (DLPack 0.6, the ABI PyTorch 1.13 speaks). Capsule protocol: the producer's
// capsule is named "dltensor"; the consumer renames it "used_dltensor" and becomes
// responsible for calling the deleter; an unconsumed capsule's destructor calls it.
#include <dlpack/dlpack.h>
#include <pybind11/pybind11.h>

#include "ember/ops/factory.h"
#include "python/src/bind_common.h"

namespace ember::python {

namespace {

struct ExportContext {
  Tensor tensor;  // keeps the memory alive
  std::vector<int64_t> shape, strides;
  DLManagedTensor managed{};
};

DLDataType dl_dtype(ScalarType t) {
  switch (t) {
    case kBool: return {kDLUInt, 8, 1};  // as PyTorch 1.13 exports bool
    case kUInt8: return {kDLUInt, 8, 1};
    case kInt8: return {kDLInt, 8, 1};
    case kInt16: return {kDLInt, 16, 1};
    case kInt32: return {kDLInt, 32, 1};
    case kInt64: return {kDLInt, 64, 1};
    case kFloat16: return {kDLFloat, 16, 1};
    case kBFloat16: return {kDLBfloat, 16, 1};
    case kFloat32: return {kDLFloat, 32, 1};
    case kFloat64: return {kDLFloat, 64, 1};
    case ScalarType::Undefined: break;
  }
  throw ember::TypeError("DLPack: unsupported dtype");
}

ScalarType from_dl_dtype(DLDataType d) {
  EMBER_CHECK(d.lanes == 1, "DLPack: vectorised dtypes (lanes != 1) are not supported");
  if (d.code == kDLFloat && d.bits == 32) return kFloat32;
  if (d.code == kDLFloat && d.bits == 64) return kFloat64;
  if (d.code == kDLFloat && d.bits == 16) return kFloat16;
  if (d.code == kDLBfloat && d.bits == 16) return kBFloat16;
  if (d.code == kDLInt && d.bits == 64) return kInt64;
  if (d.code == kDLInt && d.bits == 32) return kInt32;
  if (d.code == kDLInt && d.bits == 16) return kInt16;
  if (d.code == kDLInt && d.bits == 8) return kInt8;
  if (d.code == kDLUInt && d.bits == 8) return kUInt8;
  if (d.code == 6 && d.bits == 8) return kBool;  // kDLBool (DLPack 0.8)
  throw ember::TypeError("DLPack: unsupported data type code " + std::to_string(d.code) + " with " +
                         std::to_string(d.bits) + " bits");
}

void capsule_destructor(PyObject* capsule) {
  if (!PyCapsule_IsValid(capsule, "dltensor")) return;  // consumed: the consumer deletes
  auto* m = static_cast<DLManagedTensor*>(PyCapsule_GetPointer(capsule, "dltensor"));
  if (m && m->deleter) m->deleter(m);
}

py::object to_dlpack(const Tensor& t, py::object stream) {
  if (!stream.is_none() && !PyLong_Check(stream.ptr())) throw py::type_error("stream must be ``int`` or ``none``");
  EMBER_CHECK(!t.requires_grad(), "Can't export tensors that require gradient, use tensor.detach()");
  EMBER_CHECK(t.is_cpu(), "DLPack: only CPU tensors can be exported by this build");
  auto* ctx = new ExportContext;
  ctx->tensor = t;
  ctx->shape.assign(t.sizes().begin(), t.sizes().end());
  ctx->strides.assign(t.strides().begin(), t.strides().end());
  DLTensor& d = ctx->managed.dl_tensor;
  d.data = t.data_ptr();
  d.device = {kDLCPU, 0};
  d.ndim = static_cast<int>(t.dim());
  d.dtype = dl_dtype(t.dtype());
  d.shape = ctx->shape.data();
  d.strides = ctx->strides.data();
  d.byte_offset = 0;
  ctx->managed.manager_ctx = ctx;
  ctx->managed.deleter = [](DLManagedTensor* m) { delete static_cast<ExportContext*>(m->manager_ctx); };
  PyObject* cap = PyCapsule_New(&ctx->managed, "dltensor", capsule_destructor);
  if (!cap) {
    delete ctx;
    throw py::error_already_set();
  }
  return py::reinterpret_steal<py::object>(cap);
}

Tensor from_dlpack(py::object obj) {
  py::object capsule = obj;
  if (py::hasattr(obj, "__dlpack__")) {
    if (py::hasattr(obj, "__dlpack_device__")) {
      auto dev = py::cast<std::pair<int, int>>(obj.attr("__dlpack_device__")());
      EMBER_CHECK(dev.first == kDLCPU, "from_dlpack: only CPU tensors can be imported by this build (device type ",
                  dev.first, ")");
    }
    capsule = obj.attr("__dlpack__")();
  }
  PyObject* cap = capsule.ptr();
  EMBER_CHECK(PyCapsule_IsValid(cap, "dltensor"),
              "from_dlpack received an invalid capsule. Note that DLTensor capsules can be consumed only once, so "
              "you might have already constructed a tensor from it once.");
  auto* m = static_cast<DLManagedTensor*>(PyCapsule_GetPointer(cap, "dltensor"));
  const DLTensor& d = m->dl_tensor;
  EMBER_CHECK(d.device.device_type == kDLCPU, "from_dlpack: only CPU tensors can be imported by this build");
  ScalarType dt = from_dl_dtype(d.dtype);
  DimVector shape(d.shape, d.shape + d.ndim);
  DimVector strides = d.strides ? DimVector(d.strides, d.strides + d.ndim) : contiguous_strides(shape);
  void* data = static_cast<char*>(d.data) + d.byte_offset;
  // From here on the tensor owns the producer's memory; the capsule must not free it.
  PyCapsule_SetName(cap, "used_dltensor");
  // A producer's deleter may touch Python objects (NumPy's does), and the tensor may die
  // on any thread: call it with the GIL.
  return from_blob(data, shape, strides, [m](void*) {
    py::gil_scoped_acquire gil;
    if (m->deleter) m->deleter(m);
  }, TensorOptions(dt));
}

}  // namespace

void init_dlpack(py::module_& m) {
  Binder b(m);
  b.method("__dlpack__", [](const Tensor& t, py::object stream) { return to_dlpack(t, stream); },
           py::arg("stream") = py::none());
  b.method("__dlpack_device__", [](const Tensor& t) {
    EMBER_CHECK(t.is_cpu(), "DLPack: only CPU tensors are supported by this build");
    return py::make_tuple(static_cast<int>(kDLCPU), 0);
  });
  m.def("from_dlpack", &from_dlpack, py::arg("ext_tensor"));
  m.def("to_dlpack", [](const Tensor& t) { return to_dlpack(t, py::none()); }, py::arg("tensor"));
}

}  // namespace ember::python
