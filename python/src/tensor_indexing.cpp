// t[...] and t[...] = v: Python subscripts translated to ember's TensorIndex list
// (ops/indexing.h), which implements NumPy's rules. len(t) is here too.
#include <pybind11/pybind11.h>

#include <vector>

#include "ember/ops/indexing.h"
#include "python/src/convert.h"
#include "python/src/errors.h"
#include "python/src/gil.h"
#include "python/src/tensor_object.h"

namespace ember::python {

namespace {

using indexing::TensorIndex;

std::optional<int64_t> slice_bound(PyObject* o) {
  if (o == Py_None) return std::nullopt;
  Py_ssize_t v = PyNumber_AsSsize_t(o, nullptr);  // ints and integer tensors (__index__)
  if (v == -1 && PyErr_Occurred()) throw pybind11::error_already_set();
  return static_cast<int64_t>(v);
}

TensorIndex to_index(PyObject* o) {
  if (PyBool_Check(o)) return TensorIndex(o == Py_True);
  if (PyLong_Check(o)) {
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
    EMBER_CHECK_INDEX(!overflow, "index out of range: the Python int does not fit in int64");
    return TensorIndex(static_cast<int64_t>(v));
  }
  if (PySlice_Check(o)) {
    auto* s = reinterpret_cast<PySliceObject*>(o);
    return TensorIndex(indexing::Slice(slice_bound(s->start), slice_bound(s->stop), slice_bound(s->step)));
  }
  if (o == Py_None) return TensorIndex(indexing::None);
  if (o == Py_Ellipsis) return TensorIndex(indexing::Ellipsis);
  if (is_tensor(o)) return TensorIndex(unwrap(o));
  if (PyList_Check(o) || PyObject_CheckBuffer(o)) return TensorIndex(tensor_from_data(o, std::nullopt));
  throw ember::IndexError(std::string("only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                                      "Variables are valid indices (got ") +
                          Py_TYPE(o)->tp_name + ")");
}

std::vector<TensorIndex> to_indices(PyObject* key) {
  std::vector<TensorIndex> r;
  if (PyTuple_Check(key)) {
    Py_ssize_t n = PyTuple_GET_SIZE(key);
    r.reserve(static_cast<size_t>(n));
    for (Py_ssize_t k = 0; k < n; ++k) r.push_back(to_index(PyTuple_GET_ITEM(key, k)));
  } else {
    r.push_back(to_index(key));
  }
  return r;
}

PyObject* mp_subscript(PyObject* self, PyObject* key) {
  EMBER_PY_TRY
  const Tensor& x = unwrap(self);
  if (PyLong_CheckExact(key)) {  // fast path: x[i]
    long long i = PyLong_AsLongLong(key);
    if (i == -1 && PyErr_Occurred()) return nullptr;
    const TensorIndex one[1] = {TensorIndex(static_cast<int64_t>(i))};
    return wrap(x.index(ArrayRef<TensorIndex>(one, 1)));
  }
  std::vector<TensorIndex> idx = to_indices(key);
  if (idx.empty()) idx.emplace_back(indexing::Ellipsis);  // x[()]: an alias of x
  return wrap(without_gil_if_large(x.numel(), [&] { return x.index(idx); }));
  EMBER_PY_CATCH(nullptr)
}

int mp_ass_subscript(PyObject* self, PyObject* key, PyObject* value) {
  EMBER_PY_TRY
  if (!value) {
    PyErr_SetString(PyExc_TypeError, "Tensor does not support deleting items");
    return -1;
  }
  Tensor& x = reinterpret_cast<PyTensor*>(self)->cdata;
  std::vector<TensorIndex> idx = to_indices(key);
  if (idx.empty()) idx.emplace_back(indexing::Ellipsis);
  Scalar s;
  if (is_tensor(value)) {
    const Tensor& v = unwrap(value);
    without_gil_if_large(x.numel(), [&] { return &x.index_put_(idx, v); });
  } else if (to_scalar(value, &s)) {
    without_gil_if_large(x.numel(), [&] { return &x.index_put_(idx, s); });
  } else {
    Tensor v = tensor_from_data(value, x.dtype());
    x.index_put_(idx, v);
  }
  return 0;
  EMBER_PY_CATCH(-1)
}

Py_ssize_t mp_length(PyObject* self) {
  EMBER_PY_TRY
  const Tensor& x = unwrap(self);
  EMBER_CHECK_TYPE(x.dim() > 0, "len() of a 0-d tensor");
  return static_cast<Py_ssize_t>(x.size(0));
  EMBER_PY_CATCH(-1)
}

PyMappingMethods mapping_methods = {mp_length, mp_subscript, mp_ass_subscript};

}  // namespace

void init_tensor_indexing(PyTypeObject* type) { type->tp_as_mapping = &mapping_methods; }

}  // namespace ember::python
