#pragma once
// The Python tensor object: a plain CPython type `ember._C.TensorBase` holding one
// ember::Tensor, which the pure-Python class `ember.Tensor` subclasses (as torch.Tensor
// subclasses torch._C._TensorBase). It is a hand-written type rather than a pybind11
// class so that the hot paths (operators, attribute reads) cost a C call, not pybind11's
// overload dispatch (python-package.md §3.1: ~250 ns per call against ~20 ns).
// Note [Python object of a tensor] (core/tensor_impl.h) gives each TensorImpl at most one
// Python object.
#include <Python.h>

#include "ember/core/tensor.h"

namespace ember::python {

struct PyTensor {
  PyObject_HEAD
  Tensor cdata;
};

// _C.TensorBase.
extern PyTypeObject TensorBaseType;
// The class new tensors get: ember.Tensor once the package registered it
// (_C._set_tensor_class), TensorBase before.
PyTypeObject* tensor_class();

inline bool is_tensor(PyObject* o) { return PyObject_TypeCheck(o, &TensorBaseType); }
inline const Tensor& unwrap(PyObject* o) { return reinterpret_cast<PyTensor*>(o)->cdata; }

// A new reference to the Python object of `t`: the existing one when the TensorImpl
// already has one, else a new object of tensor_class() (or `type`). An undefined tensor
// gives None.
PyObject* wrap(Tensor t);
PyObject* wrap_as(PyTypeObject* type, Tensor t);

// Adds TensorBase and _set_tensor_class to the module.
void init_tensor_type(PyObject* module);

}  // namespace ember::python
