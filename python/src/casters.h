#pragma once
// pybind11 type casters for ember's value types, so functions bound with pybind11 take
// and return ember::Tensor, Scalar, ScalarType (an ember.dtype or Python's float/int/bool,
// as torch accepts), Device (an ember.device, a string, an int) and Dims (an int or a
// sequence of ints, for `dim=` arguments) directly.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "ember/core/tensor.h"
#include "python/src/convert.h"
#include "python/src/objects.h"
#include "python/src/tensor_object.h"

namespace ember::python {
// `dim` arguments: one int or a tuple/list of ints.
struct Dims {
  DimVector dims;
  operator IntArrayRef() const { return dims; }
};
}  // namespace ember::python

namespace pybind11::detail {

template <>
struct type_caster<ember::Tensor> {
  PYBIND11_TYPE_CASTER(ember::Tensor, const_name("Tensor"));
  bool load(handle src, bool) {
    if (!ember::python::is_tensor(src.ptr())) return false;
    value = ember::python::unwrap(src.ptr());
    return true;
  }
  static handle cast(const ember::Tensor& t, return_value_policy, handle) { return ember::python::wrap(t); }
};

template <>
struct type_caster<ember::Scalar> {
  PYBIND11_TYPE_CASTER(ember::Scalar, const_name("Number"));
  bool load(handle src, bool convert) {
    if (ember::python::to_scalar(src.ptr(), &value)) return true;
    // A one-element tensor that does not require grad stands for a number, as in torch.
    if (convert && ember::python::is_tensor(src.ptr())) {
      const ember::Tensor& t = ember::python::unwrap(src.ptr());
      if (t.numel() == 1 && !t.requires_grad()) {
        value = t.item();
        return true;
      }
    }
    return false;
  }
  static handle cast(const ember::Scalar& s, return_value_policy, handle) {
    return ember::python::scalar_to_python(s);
  }
};

template <>
struct type_caster<ember::ScalarType> {
  PYBIND11_TYPE_CASTER(ember::ScalarType, const_name("dtype"));
  bool load(handle src, bool) {
    PyObject* o = src.ptr();
    if (ember::python::is_dtype(o)) {
      value = ember::python::dtype_of(o);
      return true;
    }
    if (o == reinterpret_cast<PyObject*>(&PyFloat_Type)) value = ember::kFloat64;
    else if (o == reinterpret_cast<PyObject*>(&PyLong_Type)) value = ember::kInt64;
    else if (o == reinterpret_cast<PyObject*>(&PyBool_Type)) value = ember::kBool;
    else return false;
    return true;
  }
  static handle cast(ember::ScalarType t, return_value_policy, handle) {
    return handle(ember::python::dtype_object(t)).inc_ref();
  }
};

template <>
struct type_caster<ember::Device> {
  PYBIND11_TYPE_CASTER(ember::Device, const_name("device"));
  bool load(handle src, bool) {
    PyObject* o = src.ptr();
    if (!ember::python::is_device(o) && !PyUnicode_Check(o) && !(PyLong_Check(o) && !PyBool_Check(o))) return false;
    value = ember::python::parse_device(o);
    return true;
  }
  static handle cast(const ember::Device& d, return_value_policy, handle) { return ember::python::device_object(d); }
};

template <>
struct type_caster<ember::python::Dims> {
  PYBIND11_TYPE_CASTER(ember::python::Dims, const_name("Union[int, Tuple[int, ...]]"));
  bool load(handle src, bool) {
    PyObject* o = src.ptr();
    if (PyLong_Check(o) && !PyBool_Check(o)) {
      value.dims = {PyLong_AsLongLong(o)};
      return true;
    }
    if (!PyTuple_Check(o) && !PyList_Check(o)) return false;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(o);
    value.dims.clear();
    for (Py_ssize_t k = 0; k < n; ++k) {
      PyObject* v = PySequence_Fast_GET_ITEM(o, k);
      if (!PyLong_Check(v) || PyBool_Check(v)) return false;
      value.dims.push_back(PyLong_AsLongLong(v));
    }
    return true;
  }
  static handle cast(const ember::python::Dims& d, return_value_policy, handle) {
    return ember::python::size_object(d.dims);
  }
};

}  // namespace pybind11::detail
