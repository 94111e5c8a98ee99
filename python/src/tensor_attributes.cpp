// Tensor attributes (`t.shape`, `t.dtype`, `t.grad`, ...) as getset slots of TensorBase:
// attribute reads are as hot as operators in Python code.
#include <pybind11/pybind11.h>

#include "ember/autograd/node.h"
#include "ember/core/error.h"
#include "python/src/autograd_objects.h"
#include "python/src/errors.h"
#include "python/src/objects.h"
#include "python/src/tensor_object.h"

namespace ember::python {

namespace {

const Tensor& self_tensor(PyObject* self) { return unwrap(self); }

PyObject* get_shape(PyObject* self, void*) { return size_object(self_tensor(self).sizes()); }
PyObject* get_dtype(PyObject* self, void*) {
  PyObject* d = dtype_object(self_tensor(self).dtype());
  Py_INCREF(d);
  return d;
}
PyObject* get_device(PyObject* self, void*) { return device_object(self_tensor(self).device()); }
PyObject* get_ndim(PyObject* self, void*) { return PyLong_FromLongLong(self_tensor(self).dim()); }
PyObject* get_is_cuda(PyObject* self, void*) { return PyBool_FromLong(self_tensor(self).is_cuda()); }
PyObject* get_is_cpu(PyObject* self, void*) { return PyBool_FromLong(self_tensor(self).is_cpu()); }
PyObject* get_false(PyObject*, void*) { Py_RETURN_FALSE; }
PyObject* get_version(PyObject* self, void*) { return PyLong_FromUnsignedLong(self_tensor(self)._version()); }

PyObject* get_requires_grad(PyObject* self, void*) {
  EMBER_PY_TRY
  return PyBool_FromLong(self_tensor(self).requires_grad());
  EMBER_PY_CATCH(nullptr)
}
int set_requires_grad(PyObject* self, PyObject* value, void*) {
  EMBER_PY_TRY
  if (!value || !PyBool_Check(value)) {
    PyErr_SetString(PyExc_TypeError, "requires_grad must be a bool");
    return -1;
  }
  reinterpret_cast<PyTensor*>(self)->cdata.requires_grad_(value == Py_True);
  return 0;
  EMBER_PY_CATCH(-1)
}
PyObject* get_is_leaf(PyObject* self, void*) {
  EMBER_PY_TRY
  return PyBool_FromLong(self_tensor(self).is_leaf());
  EMBER_PY_CATCH(nullptr)
}
PyObject* get_grad(PyObject* self, void*) {
  EMBER_PY_TRY
  return wrap(self_tensor(self).grad());
  EMBER_PY_CATCH(nullptr)
}
int set_grad(PyObject* self, PyObject* value, void*) {
  EMBER_PY_TRY
  const Tensor& t = self_tensor(self);
  if (!value || value == Py_None) {
    t.mutable_grad() = Tensor();
    return 0;
  }
  if (!is_tensor(value)) {
    PyErr_SetString(PyExc_TypeError, "assigned grad expected to be a Tensor or None but got grad of type");
    return -1;
  }
  const Tensor& g = unwrap(value);
  EMBER_CHECK(!g.is_same(t), "can't assign Variable as its own grad");
  EMBER_CHECK(g.dtype() == t.dtype(), "assigned grad has data of a different type");
  EMBER_CHECK(g.device() == t.device(), "assigned grad has data located on a different device");
  EMBER_CHECK(g.sizes() == t.sizes(), "assigned grad has data of a different size");
  t.mutable_grad() = g;
  return 0;
  EMBER_PY_CATCH(-1)
}
PyObject* get_grad_fn(PyObject* self, void*) {
  EMBER_PY_TRY
  const auto& fn = self_tensor(self).grad_fn();
  if (!fn) Py_RETURN_NONE;
  return node_object(fn);
  EMBER_PY_CATCH(nullptr)
}
PyObject* get_data(PyObject* self, void*) {
  EMBER_PY_TRY
  return wrap(self_tensor(self).data());
  EMBER_PY_CATCH(nullptr)
}
int set_data(PyObject* self, PyObject* value, void*) {
  EMBER_PY_TRY
  if (!value || !is_tensor(value)) {
    PyErr_SetString(PyExc_TypeError, "Variable data has to be a tensor, but got something else");
    return -1;
  }
  self_tensor(self).set_data(unwrap(value));
  return 0;
  EMBER_PY_CATCH(-1)
}
PyObject* get_T(PyObject* self, void*) {
  EMBER_PY_TRY
  // torch's numpy-style .T: the dims reversed by permute, for any rank (PermuteBackward0).
  const Tensor& t = self_tensor(self);
  DimVector dims;
  for (int64_t d = t.dim() - 1; d >= 0; --d) dims.push_back(d);
  return wrap(t.permute(dims));
  EMBER_PY_CATCH(nullptr)
}
PyObject* get_mT(PyObject* self, void*) {
  EMBER_PY_TRY
  return wrap(self_tensor(self).mT());
  EMBER_PY_CATCH(nullptr)
}
PyObject* get_base(PyObject* self, void*) {
  TensorImpl* base = self_tensor(self).unsafeGetTensorImpl()->view_base();
  if (!base) Py_RETURN_NONE;
  return wrap(Tensor(intrusive_ptr<TensorImpl>(base)));
}

PyGetSetDef getset[] = {
    {"shape", get_shape, nullptr, nullptr, nullptr},
    {"dtype", get_dtype, nullptr, nullptr, nullptr},
    {"device", get_device, nullptr, nullptr, nullptr},
    {"ndim", get_ndim, nullptr, nullptr, nullptr},
    {"is_cuda", get_is_cuda, nullptr, nullptr, nullptr},
    {"is_cpu", get_is_cpu, nullptr, nullptr, nullptr},
    {"is_sparse", get_false, nullptr, nullptr, nullptr},
    {"is_quantized", get_false, nullptr, nullptr, nullptr},
    {"is_meta", get_false, nullptr, nullptr, nullptr},
    {"is_mkldnn", get_false, nullptr, nullptr, nullptr},
    {"_version", get_version, nullptr, nullptr, nullptr},
    {"requires_grad", get_requires_grad, set_requires_grad, nullptr, nullptr},
    {"is_leaf", get_is_leaf, nullptr, nullptr, nullptr},
    {"grad", get_grad, set_grad, nullptr, nullptr},
    {"grad_fn", get_grad_fn, nullptr, nullptr, nullptr},
    {"data", get_data, set_data, nullptr, nullptr},
    {"T", get_T, nullptr, nullptr, nullptr},
    {"mT", get_mT, nullptr, nullptr, nullptr},
    {"_base", get_base, nullptr, nullptr, nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr}};

}  // namespace

void init_tensor_attributes(PyTypeObject* type) { type->tp_getset = getset; }

}  // namespace ember::python
