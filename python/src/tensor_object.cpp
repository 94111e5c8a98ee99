// The TensorBase type: lifetime and identity (Note [Python object of a tensor]), and the
// constructor. Attributes are in tensor_attributes.cpp, operators in tensor_operators.cpp.
#include "python/src/tensor_object.h"

#include <pybind11/pybind11.h>

#include "ember/ops/factory.h"
#include "python/src/convert.h"
#include "python/src/errors.h"

namespace ember::python {

namespace {

PyTypeObject* registered_tensor_class = nullptr;

void tensor_dealloc(PyObject* self) {
  auto* t = reinterpret_cast<PyTensor*>(self);
  PyTypeObject* type = Py_TYPE(self);
  if (t->cdata.defined() && t->cdata.unsafeGetTensorImpl()->python_object() == self)
    t->cdata.unsafeGetTensorImpl()->set_python_object(nullptr);
  // Dropping the tensor can free an autograd graph holding Python hooks; the GIL is held.
  t->cdata.~Tensor();
  // A Python subclass's own dealloc (subtype_dealloc) called us and drops its type after.
  type->tp_free(self);
}

// Python's legacy constructor, ember.Tensor(...): no arguments gives an empty float
// tensor, integers give an uninitialised tensor of that size, a sequence gives its data
// in the default dtype, as torch.Tensor does.
PyObject* tensor_new(PyTypeObject* type, PyObject* args, PyObject* kwargs) {
  EMBER_PY_TRY
  if (kwargs && PyDict_Size(kwargs) > 0) {
    PyErr_SetString(PyExc_TypeError, "Tensor(): keyword arguments are not supported; use ember.tensor(data, ...)");
    return nullptr;
  }
  return wrap_as(type, legacy_tensor_new(args));
  EMBER_PY_CATCH(nullptr)
}

Py_hash_t tensor_hash(PyObject* self) {
  // Identity, as torch.Tensor.__hash__ (id(self)): modules keep tensors in sets.
  auto h = static_cast<Py_hash_t>(reinterpret_cast<uintptr_t>(self) >> 4);
  return h == -1 ? -2 : h;
}

PyObject* set_tensor_class(PyObject*, PyObject* cls) {
  if (!PyType_Check(cls) || !PyType_IsSubtype(reinterpret_cast<PyTypeObject*>(cls), &TensorBaseType)) {
    PyErr_SetString(PyExc_TypeError, "_set_tensor_class: expected a subclass of TensorBase");
    return nullptr;
  }
  Py_INCREF(cls);
  Py_XDECREF(reinterpret_cast<PyObject*>(registered_tensor_class));
  registered_tensor_class = reinterpret_cast<PyTypeObject*>(cls);
  Py_RETURN_NONE;
}

// Tensor._make_subclass(cls, data, requires_grad=False): a new object of class `cls`
// over a new TensorImpl sharing data's storage (nn.Parameter is built this way).
PyObject* make_subclass(PyObject*, PyObject* args, PyObject* kwargs) {
  EMBER_PY_TRY
  static const char* kwlist[] = {"cls", "data", "requires_grad", nullptr};
  PyObject* cls = nullptr;
  PyObject* data = nullptr;
  int requires_grad = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OO|p:_make_subclass", const_cast<char**>(kwlist), &cls, &data,
                                   &requires_grad))
    return nullptr;
  if (!PyType_Check(cls) || !PyType_IsSubtype(reinterpret_cast<PyTypeObject*>(cls), &TensorBaseType)) {
    PyErr_SetString(PyExc_TypeError, "_make_subclass: cls must be a subclass of Tensor");
    return nullptr;
  }
  if (!is_tensor(data)) {
    PyErr_Format(PyExc_TypeError, "_make_subclass: data must be a Tensor, not %s", Py_TYPE(data)->tp_name);
    return nullptr;
  }
  Tensor t = unwrap(data).detach();
  t.requires_grad_(requires_grad != 0);
  return wrap_as(reinterpret_cast<PyTypeObject*>(cls), std::move(t));
  EMBER_PY_CATCH(nullptr)
}

PyMethodDef module_methods[] = {
    {"_set_tensor_class", set_tensor_class, METH_O, nullptr},
    {"_make_subclass", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(make_subclass)),
     METH_VARARGS | METH_KEYWORDS, nullptr},
    {nullptr, nullptr, 0, nullptr}};

}  // namespace

// Filled in by the other tensor_*.cpp files' init functions before PyType_Ready.
PyTypeObject TensorBaseType = [] {
  PyTypeObject t{PyVarObject_HEAD_INIT(nullptr, 0)};
  t.tp_name = "ember._C.TensorBase";
  t.tp_basicsize = sizeof(PyTensor);
  t.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE;
  t.tp_dealloc = tensor_dealloc;
  t.tp_new = tensor_new;
  t.tp_hash = tensor_hash;
  return t;
}();

PyTypeObject* tensor_class() { return registered_tensor_class ? registered_tensor_class : &TensorBaseType; }

PyObject* wrap_as(PyTypeObject* type, Tensor t) {
  if (!t.defined()) Py_RETURN_NONE;
  TensorImpl* impl = t.unsafeGetTensorImpl();
  if (auto* existing = static_cast<PyObject*>(impl->python_object())) {
    Py_INCREF(existing);
    return existing;
  }
  PyObject* obj = type->tp_alloc(type, 0);
  if (!obj) return nullptr;
  new (&reinterpret_cast<PyTensor*>(obj)->cdata) Tensor(std::move(t));
  impl->set_python_object(obj);
  return obj;
}

PyObject* wrap(Tensor t) { return wrap_as(tensor_class(), std::move(t)); }

void init_tensor_operators(PyTypeObject* type);   // tensor_operators.cpp
void init_tensor_attributes(PyTypeObject* type);  // tensor_attributes.cpp
void init_tensor_buffer(PyTypeObject* type);      // tensor_buffer.cpp

void init_tensor_type(PyObject* module) {
  init_tensor_operators(&TensorBaseType);
  init_tensor_attributes(&TensorBaseType);
  init_tensor_buffer(&TensorBaseType);
  if (PyType_Ready(&TensorBaseType) < 0) throw pybind11::error_already_set();
  Py_INCREF(&TensorBaseType);
  PyModule_AddObject(module, "TensorBase", reinterpret_cast<PyObject*>(&TensorBaseType));
  PyModule_AddFunctions(module, module_methods);
}

}  // namespace ember::python
