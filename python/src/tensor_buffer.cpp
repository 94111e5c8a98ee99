// The buffer protocol on TensorBase: NumPy (and memoryview) read a CPU tensor's memory in
// place, so t.numpy() and np.asarray(t) share it, as torch's do. NumPy is never imported
// here: the protocol is plain CPython.
#include <cstring>

#include "ember/core/error.h"
#include "python/src/errors.h"
#include "python/src/tensor_object.h"

namespace ember::python {

namespace {

const char* format_of(ScalarType t) {
  switch (t) {
    case kBool: return "?";
    case kUInt8: return "B";
    case kInt8: return "b";
    case kInt16: return "h";
    case kInt32: return "i";
    case kInt64: return "l";
    case kFloat16: return "e";
    case kFloat32: return "f";
    case kFloat64: return "d";
    case kBFloat16:
    case ScalarType::Undefined: break;
  }
  return nullptr;
}

// Shape and strides live as long as the view: one allocation in view->internal.
int getbuffer(PyObject* self, Py_buffer* view, int flags) {
  EMBER_PY_TRY
  const Tensor& t = unwrap(self);
  EMBER_CHECK(t.is_cpu(), "can't convert ", t.device().str(),
              " device type tensor to numpy. Use Tensor.cpu() to copy the tensor to host memory first.");
  const char* fmt = format_of(t.dtype());
  EMBER_CHECK_TYPE(fmt != nullptr, "Got unsupported ScalarType ", dtype_name(t.dtype()));
  const auto nd = static_cast<size_t>(t.dim());
  auto* dims = new Py_ssize_t[2 * nd + 1];
  for (size_t d = 0; d < nd; ++d) {
    dims[d] = static_cast<Py_ssize_t>(t.sizes()[d]);
    dims[nd + d] = static_cast<Py_ssize_t>(t.strides()[d] * static_cast<int64_t>(t.itemsize()));
  }
  view->buf = t.data_ptr();
  view->obj = self;
  Py_INCREF(self);
  view->len = static_cast<Py_ssize_t>(t.nbytes());
  view->itemsize = static_cast<Py_ssize_t>(t.itemsize());
  view->readonly = 0;
  view->ndim = static_cast<int>(nd);
  view->format = (flags & PyBUF_FORMAT) ? const_cast<char*>(fmt) : nullptr;
  view->shape = dims;
  view->strides = dims + nd;
  view->suboffsets = nullptr;
  view->internal = dims;
  return 0;
  EMBER_PY_CATCH(-1)
}

void releasebuffer(PyObject*, Py_buffer* view) { delete[] static_cast<Py_ssize_t*>(view->internal); }

PyBufferProcs buffer_procs = {getbuffer, releasebuffer};

}  // namespace

void init_tensor_buffer(PyTypeObject* type) { type->tp_as_buffer = &buffer_procs; }

}  // namespace ember::python
