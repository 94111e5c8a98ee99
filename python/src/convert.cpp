#include "python/src/convert.h"

#include <pybind11/pybind11.h>

#include <cstring>
#include <string>
#include <vector>

#include "ember/core/error.h"
#include "ember/ops/factory.h"
#include "python/src/objects.h"
#include "python/src/tensor_object.h"

namespace ember::python {

bool to_scalar(PyObject* o, Scalar* out) {
  if (PyBool_Check(o)) {
    *out = Scalar(o == Py_True);
    return true;
  }
  if (PyLong_Check(o)) {
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (overflow) throw ember::Error("Overflow when unpacking long");
    *out = Scalar(static_cast<int64_t>(v));
    return true;
  }
  if (PyFloat_Check(o)) {
    *out = Scalar(PyFloat_AS_DOUBLE(o));
    return true;
  }
  return false;
}

PyObject* scalar_to_python(const Scalar& s) {
  if (s.is_bool()) return PyBool_FromLong(s.toBool());
  if (s.is_integral()) return PyLong_FromLongLong(s.toLong());
  return PyFloat_FromDouble(s.toDouble());
}

namespace {

// ---- buffers (NumPy arrays) -----------------------------------------------------------------
struct BufferView {
  Py_buffer view{};
  bool held = false;
  ~BufferView() {
    if (held) PyBuffer_Release(&view);
  }
};

ScalarType dtype_of_format(const char* fmt, Py_ssize_t itemsize) {
  if (fmt == nullptr) fmt = "B";
  while (*fmt == '<' || *fmt == '=' || *fmt == '@' || *fmt == '|') ++fmt;
  std::string f(fmt);
  if (f == "f") return kFloat32;
  if (f == "d") return kFloat64;
  if (f == "e") return kFloat16;
  if ((f == "l" || f == "q") && itemsize == 8) return kInt64;
  if ((f == "i" || f == "l") && itemsize == 4) return kInt32;
  if (f == "h") return kInt16;
  if (f == "b") return kInt8;
  if (f == "B") return kUInt8;
  if (f == "?") return kBool;
  // NumPy's names for the formats ember has no dtype for, as torch's message spells them.
  const char* numpy_name = f == "H" ? "numpy.uint16" : f == "I" ? "numpy.uint32"
                           : (f == "L" || f == "Q") ? "numpy.uint64" : f == "g" ? "numpy.float128"
                           : f == "Zf" ? "numpy.complex64" : f == "Zd" ? "numpy.complex128"
                           : f == "O" ? "numpy.object_" : nullptr;
  throw ember::TypeError("can't convert np.ndarray of type " + (numpy_name ? std::string(numpy_name) : f) +
                         ". The only supported types are: float64, float32, float16, complex64, complex128, int64, "
                         "int32, int16, int8, uint8, and bool.");
}

bool has_buffer(PyObject* o) { return PyObject_CheckBuffer(o) && !PyBytes_Check(o) && !PyByteArray_Check(o); }

// A tensor viewing the buffer's memory, keeping `owner` alive. Throws on negative strides.
Tensor view_buffer(PyObject* owner) {
  auto buf = std::make_shared<BufferView>();
  if (PyObject_GetBuffer(owner, &buf->view, PyBUF_RECORDS) < 0) {
    PyErr_Clear();
    if (PyObject_GetBuffer(owner, &buf->view, PyBUF_RECORDS_RO) < 0) throw pybind11::error_already_set();
  }
  buf->held = true;
  const Py_buffer& v = buf->view;
  ScalarType dt = dtype_of_format(v.format, v.itemsize);
  DimVector sizes, strides;
  for (int d = 0; d < v.ndim; ++d) {
    sizes.push_back(v.shape[d]);
    Py_ssize_t st = v.strides ? v.strides[d] : 0;
    EMBER_CHECK_VALUE(st >= 0,
                      "At least one stride in the given numpy array is negative, and tensors with negative strides "
                      "are not currently supported. (You can probably work around this by making a copy of your "
                      "array  with array.copy().) ");  // torch's double space
    EMBER_CHECK_VALUE(st % v.itemsize == 0, "given numpy array strides not a multiple of the element byte size. "
                                            "Copy the numpy array to reallocate the memory.");
    strides.push_back(st / v.itemsize);
  }
  if (!v.strides) strides = contiguous_strides(sizes);
  // The deleter may run on any thread (a tensor freed in backward): take the GIL there.
  return from_blob(v.buf, sizes, strides, [buf](void*) mutable {
    pybind11::gil_scoped_acquire gil;
    buf.reset();
  }, TensorOptions(dt));
}

// ---- nested sequences --------------------------------------------------------------------------
enum class Kind { Bool = 0, Int = 1, Float = 2 };

bool is_sequence(PyObject* o) { return PyList_Check(o) || PyTuple_Check(o); }

// Shape from the first element at each level, as torch does; checked while filling.
void infer_shape(PyObject* o, DimVector& shape) {
  while (is_sequence(o)) {
    Py_ssize_t n = PySequence_Fast_GET_SIZE(o);
    shape.push_back(n);
    if (n == 0) return;
    o = PySequence_Fast_GET_ITEM(o, 0);
  }
  if (is_tensor(o)) {
    for (int64_t s : unwrap(o).sizes()) shape.push_back(s);
  }
}

[[noreturn]] void bad_leaf(PyObject* o) {
  throw ember::TypeError(std::string("new(): invalid data type '") + Py_TYPE(o)->tp_name + "'");
}

// Collects leaves as doubles/ints in row-major order, checking lengths.
struct Collector {
  std::vector<double> f;
  std::vector<int64_t> i;
  Kind kind = Kind::Bool;
  const DimVector& shape;

  void leaf(PyObject* o) {
    Scalar s;
    if (is_tensor(o)) {
      const Tensor& t = unwrap(o);
      EMBER_CHECK_VALUE(t.numel() == 1, "only one element tensors can be converted to Python scalars");
      s = t.item();
    } else if (!to_scalar(o, &s)) {
      PyObject* fl = PyNumber_Check(o) ? PyNumber_Float(o) : nullptr;  // NumPy scalars
      if (!fl) {
        PyErr_Clear();
        bad_leaf(o);
      }
      s = Scalar(PyFloat_AsDouble(fl));
      Py_DECREF(fl);
    }
    if (s.is_floating_point()) {
      kind = Kind::Float;
      f.push_back(s.toDouble());
      i.push_back(0);
    } else {
      if (!s.is_bool() && kind == Kind::Bool) kind = Kind::Int;
      f.push_back(static_cast<double>(s.toLong()));
      i.push_back(s.toLong());
    }
  }

  void walk(PyObject* o, size_t dim) {
    if (dim == shape.size()) {
      if (is_sequence(o)) throw ember::ValueError("expected sequence of length 0 at dim " + std::to_string(dim));
      leaf(o);
      return;
    }
    if (!is_sequence(o)) {
      if (is_tensor(o)) {  // a tensor inside a list: its elements
        Tensor t = unwrap(o).contiguous().to(kFloat64);
        for (int64_t k = 0; k < t.numel(); ++k) {
          PyObject* v = PyFloat_FromDouble(t.data_ptr<double>()[k]);
          leaf(v);
          Py_DECREF(v);
        }
        return;
      }
      throw ember::ValueError("expected sequence of length " + std::to_string(shape[dim]) + " at dim " +
                              std::to_string(dim) + " (got " + std::string(Py_TYPE(o)->tp_name) + ")");
    }
    Py_ssize_t n = PySequence_Fast_GET_SIZE(o);
    if (n != shape[dim])
      throw ember::ValueError("expected sequence of length " + std::to_string(shape[dim]) + " at dim " +
                              std::to_string(dim) + " (got " + std::to_string(n) + ")");
    for (Py_ssize_t k = 0; k < n; ++k) walk(PySequence_Fast_GET_ITEM(o, k), dim + 1);
  }
};

}  // namespace

Tensor tensor_from_buffer(PyObject* obj, bool require_share) {
  (void)require_share;
  return view_buffer(obj);
}

Tensor tensor_from_data(PyObject* data, std::optional<ScalarType> dtype) {
  if (is_tensor(data)) {
    Tensor t = unwrap(data).detach().clone();
    return dtype ? t.to(*dtype) : t;
  }
  if (has_buffer(data)) {
    Tensor t = view_buffer(data).clone();
    return dtype ? t.to(*dtype) : t;
  }
  DimVector shape;
  infer_shape(data, shape);
  Collector c{{}, {}, Kind::Bool, shape};
  c.walk(data, 0);
  ScalarType inferred = c.kind == Kind::Float ? get_default_dtype() : c.kind == Kind::Int ? kInt64 : kBool;
  if (c.f.empty() && c.kind == Kind::Bool) inferred = get_default_dtype();  // tensor([]) is float
  ScalarType target = dtype.value_or(inferred);
  Tensor out;
  if (c.kind == Kind::Float || is_floating_point(target)) {
    out = from_blob(c.f.data(), shape, TensorOptions(kFloat64)).to(target, false, /*copy=*/true);
  } else {
    out = from_blob(c.i.data(), shape, TensorOptions(kInt64)).to(target, false, /*copy=*/true);
  }
  return out;
}

DimVector int_list(PyObject* o, const char* what) {
  DimVector r;
  if (PyLong_Check(o) && !PyBool_Check(o)) {
    r.push_back(PyLong_AsLongLong(o));
    return r;
  }
  if (!PyList_Check(o) && !PyTuple_Check(o))
    throw ember::TypeError(std::string(what) + " must be tuple of ints, not " + Py_TYPE(o)->tp_name);
  Py_ssize_t n = PySequence_Fast_GET_SIZE(o);
  for (Py_ssize_t k = 0; k < n; ++k) {
    PyObject* v = PySequence_Fast_GET_ITEM(o, k);
    if (is_tensor(v) && unwrap(v).numel() == 1 && !is_floating_point(unwrap(v).dtype())) {
      r.push_back(unwrap(v).item().toLong());
      continue;
    }
    if (!PyLong_Check(v) || PyBool_Check(v))
      throw ember::TypeError(std::string(what) + " must be tuple of ints, but found element of type " +
                             Py_TYPE(v)->tp_name + " at pos " + std::to_string(k));
    r.push_back(PyLong_AsLongLong(v));
  }
  return r;
}

DimVector sizes_from_args(PyObject* args) {
  Py_ssize_t n = PyTuple_GET_SIZE(args);
  if (n == 1 && !PyLong_Check(PyTuple_GET_ITEM(args, 0))) return int_list(PyTuple_GET_ITEM(args, 0), "size");
  return int_list(args, "size");
}

Tensor legacy_tensor_new(PyObject* args) {
  Py_ssize_t n = PyTuple_GET_SIZE(args);
  if (n == 0) return empty({0}, TensorOptions(get_default_dtype()));
  PyObject* first = PyTuple_GET_ITEM(args, 0);
  if (n == 1 && is_tensor(first)) return unwrap(first).detach();
  bool all_ints = true;
  for (Py_ssize_t k = 0; k < n; ++k) {
    PyObject* v = PyTuple_GET_ITEM(args, k);
    all_ints = all_ints && PyLong_Check(v) && !PyBool_Check(v);
  }
  if (all_ints) return empty(int_list(args, "size"), TensorOptions(get_default_dtype()));
  if (n == 1 && PyObject_TypeCheck(first, Py_TYPE(first)) && Py_TYPE(first)->tp_base == &PyTuple_Type &&
      std::strcmp(Py_TYPE(first)->tp_name, "Size") == 0)
    return empty(int_list(first, "size"), TensorOptions(get_default_dtype()));
  if (n == 1) return tensor_from_data(first, get_default_dtype());
  throw ember::TypeError("Tensor(): expected sizes as ints or one sequence of data");
}

}  // namespace ember::python
