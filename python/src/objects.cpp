#include "python/src/objects.h"

#include <array>
#include <string>

#include <pybind11/pybind11.h>

#include "python/src/errors.h"

namespace ember::python {

// ---- dtype ------------------------------------------------------------------------------
namespace {

struct PyDType {
  PyObject_HEAD
  ScalarType type;
  const char* name;  // PyTorch's: "float32"
};

PyObject* dtype_repr(PyObject* self) {
  return PyUnicode_FromFormat("torch.%s", reinterpret_cast<PyDType*>(self)->name);
}
PyObject* dtype_reduce(PyObject* self, PyObject*) {
  // Pickled by name: unpickling looks the attribute up on the module.
  return PyUnicode_FromString(reinterpret_cast<PyDType*>(self)->name);
}
PyObject* dtype_is_floating_point(PyObject* self, void*) {
  return PyBool_FromLong(is_floating_point(reinterpret_cast<PyDType*>(self)->type));
}
PyObject* dtype_is_signed(PyObject* self, void*) {
  return PyBool_FromLong(is_signed(reinterpret_cast<PyDType*>(self)->type));
}
PyObject* dtype_false(PyObject*, void*) { Py_RETURN_FALSE; }
PyObject* dtype_itemsize(PyObject* self, void*) {
  return PyLong_FromSize_t(element_size(reinterpret_cast<PyDType*>(self)->type));
}

PyGetSetDef dtype_getset[] = {
    {"is_floating_point", dtype_is_floating_point, nullptr, nullptr, nullptr},
    {"is_signed", dtype_is_signed, nullptr, nullptr, nullptr},
    {"is_complex", dtype_false, nullptr, nullptr, nullptr},
    {"itemsize", dtype_itemsize, nullptr, nullptr, nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr}};
PyMethodDef dtype_methods[] = {{"__reduce__", dtype_reduce, METH_NOARGS, nullptr},
                               {nullptr, nullptr, 0, nullptr}};

PyTypeObject DTypeType = [] {
  PyTypeObject t{PyVarObject_HEAD_INIT(nullptr, 0)};
  t.tp_name = "ember.dtype";
  t.tp_basicsize = sizeof(PyDType);
  t.tp_flags = Py_TPFLAGS_DEFAULT;
  t.tp_repr = dtype_repr;
  t.tp_getset = dtype_getset;
  t.tp_methods = dtype_methods;
  return t;
}();

std::array<PyDType*, kNumScalarTypes> dtype_objects{};

// ---- device -------------------------------------------------------------------------------
struct PyDevice {
  PyObject_HEAD
  Device device;
};

PyObject* device_new(PyTypeObject*, PyObject* args, PyObject* kwargs) {
  EMBER_PY_TRY
  static const char* kwlist[] = {"type", "index", nullptr};
  PyObject* type = nullptr;
  PyObject* index = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|O:device", const_cast<char**>(kwlist), &type, &index))
    return nullptr;
  if (index == Py_None) return device_object(parse_device(type));
  if (!PyUnicode_Check(type)) {
    PyErr_SetString(PyExc_TypeError, "device(): argument 'type' must be str");
    return nullptr;
  }
  Device d = parse_device(type);
  if (d.index != -1) {
    PyErr_Format(PyExc_RuntimeError,
                 "type (string) must not include an index because index was passed explicitly: %U", type);
    return nullptr;
  }
  long idx = PyLong_AsLong(index);
  if (idx == -1 && PyErr_Occurred()) return nullptr;
  if (idx < 0) {
    PyErr_Format(PyExc_RuntimeError, "Device index must not be negative");
    return nullptr;
  }
  return device_object(Device(d.type, static_cast<int>(idx)));
  EMBER_PY_CATCH(nullptr)
}

PyObject* device_repr(PyObject* self) {
  Device d = reinterpret_cast<PyDevice*>(self)->device;
  if (d.index < 0) return PyUnicode_FromFormat("device(type='%s')", device_type_name(d.type));
  return PyUnicode_FromFormat("device(type='%s', index=%d)", device_type_name(d.type), int(d.index));
}
PyObject* device_str(PyObject* self) {
  return PyUnicode_FromString(reinterpret_cast<PyDevice*>(self)->device.str().c_str());
}
PyObject* device_type_get(PyObject* self, void*) {
  return PyUnicode_FromString(device_type_name(reinterpret_cast<PyDevice*>(self)->device.type));
}
PyObject* device_index_get(PyObject* self, void*) {
  int idx = reinterpret_cast<PyDevice*>(self)->device.index;
  if (idx < 0) Py_RETURN_NONE;
  return PyLong_FromLong(idx);
}
Py_hash_t device_hash(PyObject* self) {
  Device d = reinterpret_cast<PyDevice*>(self)->device;
  return static_cast<Py_hash_t>(static_cast<int>(d.type) * 1000 + d.index + 2);
}
PyObject* device_richcompare(PyObject* a, PyObject* b, int op) {
  if ((op != Py_EQ && op != Py_NE) || !is_device(a) || !is_device(b)) Py_RETURN_NOTIMPLEMENTED;
  bool eq = device_of(a) == device_of(b);
  return PyBool_FromLong(op == Py_EQ ? eq : !eq);
}
PyObject* device_reduce(PyObject* self, PyObject*) {
  Device d = reinterpret_cast<PyDevice*>(self)->device;
  PyObject* cls = reinterpret_cast<PyObject*>(Py_TYPE(self));
  if (d.index < 0) return Py_BuildValue("O(s)", cls, device_type_name(d.type));
  return Py_BuildValue("O(si)", cls, device_type_name(d.type), int(d.index));
}

PyGetSetDef device_getset[] = {{"type", device_type_get, nullptr, nullptr, nullptr},
                               {"index", device_index_get, nullptr, nullptr, nullptr},
                               {nullptr, nullptr, nullptr, nullptr, nullptr}};
PyMethodDef device_methods[] = {{"__reduce__", device_reduce, METH_NOARGS, nullptr},
                                {nullptr, nullptr, 0, nullptr}};

PyTypeObject DeviceType_ = [] {
  PyTypeObject t{PyVarObject_HEAD_INIT(nullptr, 0)};
  t.tp_name = "ember.device";
  t.tp_basicsize = sizeof(PyDevice);
  t.tp_flags = Py_TPFLAGS_DEFAULT;
  t.tp_new = device_new;
  t.tp_repr = device_repr;
  t.tp_str = device_str;
  t.tp_hash = device_hash;
  t.tp_richcompare = device_richcompare;
  t.tp_getset = device_getset;
  t.tp_methods = device_methods;
  return t;
}();

// ---- Size ---------------------------------------------------------------------------------
PyTypeObject* size_type = nullptr;  // ember.Size, registered by python/ember/_size.py

PyObject* set_size_class(PyObject*, PyObject* cls) {
  if (!PyType_Check(cls) || !PyType_IsSubtype(reinterpret_cast<PyTypeObject*>(cls), &PyTuple_Type)) {
    PyErr_SetString(PyExc_TypeError, "_set_size_class: expected a tuple subclass");
    return nullptr;
  }
  Py_INCREF(cls);
  Py_XDECREF(reinterpret_cast<PyObject*>(size_type));
  size_type = reinterpret_cast<PyTypeObject*>(cls);
  Py_RETURN_NONE;
}

PyMethodDef module_methods[] = {{"_set_size_class", set_size_class, METH_O, nullptr},
                                {nullptr, nullptr, 0, nullptr}};

}  // namespace

PyObject* dtype_object(ScalarType t) { return reinterpret_cast<PyObject*>(dtype_objects[static_cast<int>(t)]); }
bool is_dtype(PyObject* o) { return Py_TYPE(o) == &DTypeType; }
ScalarType dtype_of(PyObject* o) { return reinterpret_cast<PyDType*>(o)->type; }

PyObject* device_object(Device d) {
  PyDevice* o = PyObject_New(PyDevice, &DeviceType_);
  if (o) o->device = d;
  return reinterpret_cast<PyObject*>(o);
}
bool is_device(PyObject* o) { return PyObject_TypeCheck(o, &DeviceType_); }
Device device_of(PyObject* o) { return reinterpret_cast<PyDevice*>(o)->device; }

Device parse_device(PyObject* o) {
  if (is_device(o)) return device_of(o);
  if (PyUnicode_Check(o)) {
    const char* s = PyUnicode_AsUTF8(o);
    if (!s) throw pybind11::error_already_set();
    return Device(std::string(s));
  }
  if (PyLong_Check(o) && !PyBool_Check(o)) {
    long idx = PyLong_AsLong(o);
    EMBER_CHECK(idx >= 0, "Device index must not be negative");
    return Device(DeviceType::CUDA, static_cast<int>(idx));
  }
  EMBER_THROW(TypeError, "expected a torch.device, a string or an int, got ", Py_TYPE(o)->tp_name);
}

PyObject* size_object(IntArrayRef sizes) {
  PyTypeObject* type = size_type ? size_type : &PyTuple_Type;
  const auto n = static_cast<Py_ssize_t>(sizes.size());
  PyObject* t = type == &PyTuple_Type ? PyTuple_New(n) : type->tp_alloc(type, n);
  if (!t) return nullptr;
  for (Py_ssize_t i = 0; i < n; ++i) {
    PyObject* v = PyLong_FromLongLong(sizes[static_cast<size_t>(i)]);
    if (!v) {
      Py_DECREF(t);
      return nullptr;
    }
    PyTuple_SET_ITEM(t, i, v);
  }
  return t;
}

void init_objects(PyObject* module) {
  if (PyType_Ready(&DTypeType) < 0 || PyType_Ready(&DeviceType_) < 0) throw std::runtime_error("PyType_Ready");
#define EMBER_X(T, N, P)                                                       \
  {                                                                            \
    PyDType* o = PyObject_New(PyDType, &DTypeType);                            \
    o->type = ScalarType::N;                                                   \
    o->name = #P;                                                              \
    dtype_objects[static_cast<int>(ScalarType::N)] = o;                        \
    PyModule_AddObject(module, #P, reinterpret_cast<PyObject*>(o));            \
    Py_INCREF(o); /* the array's reference */                                  \
  }
  EMBER_FORALL_SCALAR_TYPES(EMBER_X)
#undef EMBER_X
  Py_INCREF(&DTypeType);
  PyModule_AddObject(module, "dtype", reinterpret_cast<PyObject*>(&DTypeType));
  Py_INCREF(&DeviceType_);
  PyModule_AddObject(module, "device", reinterpret_cast<PyObject*>(&DeviceType_));
  PyModule_AddFunctions(module, module_methods);
}

}  // namespace ember::python
