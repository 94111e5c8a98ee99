// Tensor-only methods: geometry queries, conversions (.to(...), .float(), .tolist(),
// .item()), in-place fills and random draws, new_* factories, repr.
#include <pybind11/stl.h>

#include "ember/ops/factory.h"
#include "ember/ops/random.h"
#include "python/src/bind_common.h"
#include "python/src/gil.h"

namespace ember::python {

namespace {

py::object tolist(const Tensor& t) {
  if (t.dim() == 0) return py::reinterpret_steal<py::object>(scalar_to_python(t.item()));
  py::list l(static_cast<size_t>(t.size(0)));
  for (int64_t i = 0; i < t.size(0); ++i) l[static_cast<size_t>(i)] = tolist(t.select(0, i));
  return l;
}

// Moving to CUDA on a build without it: torch's AssertionError, in ember's words.
void check_device_available(const Device& d) {
  if (d.is_cuda()) {
    PyErr_SetString(PyExc_AssertionError, "ember was built without CUDA support (torch: \"Torch not compiled with "
                                          "CUDA enabled\"); check torch.cuda.is_available() first");
    throw py::error_already_set();
  }
}

// Tensor.to's three forms: to(dtype, ...), to(device=None, dtype=None, ...), to(other, ...).
Tensor to_any(const Tensor& x, py::args args, py::kwargs kwargs) {
  std::optional<ScalarType> dtype;
  std::optional<Device> device;
  bool non_blocking = false, copy = false;
  size_t pos = 0;
  auto take_bool = [&](bool& dst) {
    if (pos < args.size()) dst = py::cast<bool>(args[pos++]);
  };
  if (pos < args.size()) {
    PyObject* a = args[0].ptr();
    if (is_tensor(a)) {
      dtype = unwrap(a).dtype();
      device = unwrap(a).device();
      ++pos;
    } else if (is_dtype(a) || a == reinterpret_cast<PyObject*>(&PyFloat_Type) ||
               a == reinterpret_cast<PyObject*>(&PyLong_Type) || a == reinterpret_cast<PyObject*>(&PyBool_Type)) {
      dtype = py::cast<ScalarType>(args[0]);
      ++pos;
    } else if (a != Py_None) {
      device = parse_device(a);
      ++pos;
      if (pos < args.size() && !PyBool_Check(args[pos].ptr())) {
        if (!args[pos].is_none()) dtype = py::cast<ScalarType>(args[pos]);
        ++pos;
      }
    } else {
      ++pos;
    }
  }
  take_bool(non_blocking);
  take_bool(copy);
  for (auto item : kwargs) {
    std::string k = py::cast<std::string>(item.first);
    if (k == "dtype") {
      if (!item.second.is_none()) dtype = py::cast<ScalarType>(item.second);
    } else if (k == "device") {
      if (!item.second.is_none()) device = parse_device(item.second.ptr());
    } else if (k == "non_blocking") {
      non_blocking = py::cast<bool>(item.second);
    } else if (k == "copy") {
      copy = py::cast<bool>(item.second);
    } else if (k != "memory_format") {
      throw ember::TypeError("to() got an unexpected keyword argument '" + k + "'");
    }
  }
  if (device) {
    check_device_available(*device);
    return x.to(*device, dtype, non_blocking, copy);
  }
  if (dtype) return x.to(*dtype, non_blocking, copy);
  return copy ? x.clone() : x;
}

// Tensor.type(): 'torch.FloatTensor'; type(dtype) converts.
const char* legacy_type_name(ScalarType t) {
  switch (t) {
    case kBool: return "torch.BoolTensor";
    case kUInt8: return "torch.ByteTensor";
    case kInt8: return "torch.CharTensor";
    case kInt16: return "torch.ShortTensor";
    case kInt32: return "torch.IntTensor";
    case kInt64: return "torch.LongTensor";
    case kFloat16: return "torch.HalfTensor";
    case kBFloat16: return "torch.BFloat16Tensor";
    case kFloat32: return "torch.FloatTensor";
    case kFloat64: return "torch.DoubleTensor";
    case ScalarType::Undefined: break;
  }
  return "torch.Tensor";
}

std::optional<ScalarType> dtype_of_legacy_name(const std::string& n) {
  for (ScalarType t : {kBool, kUInt8, kInt8, kInt16, kInt32, kInt64, kFloat16, kBFloat16, kFloat32, kFloat64})
    if (n == legacy_type_name(t)) return t;
  return std::nullopt;
}

}  // namespace

void init_tensor_methods(py::module_& m) {
  Binder b(m);
  b.method("size", [](const Tensor& x, std::optional<int64_t> dim) -> py::object {
    if (dim) return py::int_(x.size(*dim));
    return py::reinterpret_steal<py::object>(size_object(x.sizes()));
  }, py::arg("dim") = py::none());
  b.method("stride", [](const Tensor& x, std::optional<int64_t> dim) -> py::object {
    if (dim) return py::int_(x.stride(*dim));
    py::tuple t(x.strides().size());
    for (size_t i = 0; i < x.strides().size(); ++i) t[i] = py::int_(x.strides()[i]);
    return t;
  }, py::arg("dim") = py::none());
  b.method("dim", [](const Tensor& x) { return x.dim(); });
  b.method("ndimension", [](const Tensor& x) { return x.dim(); });
  b.both("numel", [](const Tensor& x) { return x.numel(); });
  b.method("nelement", [](const Tensor& x) { return x.numel(); });
  b.method("element_size", [](const Tensor& x) { return x.element_size(); });
  b.method("storage_offset", [](const Tensor& x) { return x.storage_offset(); });
  b.method("is_contiguous", [](const Tensor& x, py::object) { return x.is_contiguous(); },
           py::arg("memory_format") = py::none());
  b.both("is_floating_point", [](const Tensor& x) { return x.is_floating_point(); });
  b.method("is_complex", [](const Tensor&) { return false; });
  b.method("data_ptr", [](const Tensor& x) { return reinterpret_cast<uintptr_t>(x.data_ptr()); });
  b.method("get_device", [](const Tensor& x) { return x.is_cpu() ? -1 : int(x.device().index); });
  b.method("item", [](const Tensor& x) {
    EMBER_CHECK_VALUE(x.numel() == 1, "only one element tensors can be converted to Python scalars");
    return py::reinterpret_steal<py::object>(scalar_to_python(x.item()));
  });
  b.method("tolist", [](const Tensor& x) { return tolist(x.detach().cpu()); });
  b.method("to", &to_any);
  b.method("cpu", [](const Tensor& x, py::object) { return x.cpu(); }, py::arg("memory_format") = py::none());
  b.method("cuda", [](const Tensor& x, py::args, py::kwargs) {
    check_device_available(Device(DeviceType::CUDA));
    return x;
  });
  b.method("type", [](const Tensor& x, py::object dtype, bool non_blocking) -> py::object {
    if (dtype.is_none()) return py::str(legacy_type_name(x.dtype()));
    if (PyUnicode_Check(dtype.ptr())) {
      auto t = dtype_of_legacy_name(py::cast<std::string>(dtype));
      if (!t) throw ember::ValueError("invalid type: '" + py::cast<std::string>(dtype) + "'");
      return py::cast(x.to(*t, non_blocking));
    }
    // A legacy type class (ember.FloatTensor, python/ember/_legacy.py) names its dtype.
    if (!is_dtype(dtype.ptr()) && py::hasattr(dtype, "dtype")) dtype = dtype.attr("dtype");
    return py::cast(x.to(py::cast<ScalarType>(dtype), non_blocking));
  }, py::arg("dtype") = py::none(), py::arg("non_blocking") = false);
  b.method("type_as", [](const Tensor& x, const Tensor& o) { return x.type_as(o); }, py::arg("other"));
#define EMBER_PY_CAST_METHOD(name, dtype) \
  b.method(name, [](const Tensor& x, py::object) { return x.to(dtype); }, py::arg("memory_format") = py::none());
  EMBER_PY_CAST_METHOD("float", kFloat32)
  EMBER_PY_CAST_METHOD("double", kFloat64)
  EMBER_PY_CAST_METHOD("half", kFloat16)
  EMBER_PY_CAST_METHOD("bfloat16", kBFloat16)
  EMBER_PY_CAST_METHOD("long", kInt64)
  EMBER_PY_CAST_METHOD("int", kInt32)
  EMBER_PY_CAST_METHOD("short", kInt16)
  EMBER_PY_CAST_METHOD("char", kInt8)
  EMBER_PY_CAST_METHOD("byte", kUInt8)
  EMBER_PY_CAST_METHOD("bool", kBool)
#undef EMBER_PY_CAST_METHOD

  // torch's three spellings of one rule: "only ... floating point dtype" from requires_grad_(),
  // "Only ... and complex dtype" from factories (with_requires_grad), the C++ core's
  // lower-case form from the attribute setter.
  b.method("requires_grad_", [](Tensor& x, bool r) -> Tensor {
    EMBER_CHECK(!r || x.is_floating_point(), "only Tensors of floating point dtype can require gradients");
    return x.requires_grad_(r);
  },
           py::arg("requires_grad") = true);
  b.method("retain_grad", [](const Tensor& x) { x.retain_grad(); });
  b.method("_retains_grad", [](const Tensor& x) { return x.retains_grad(); });
  b.method("zero_", [](Tensor& x) -> Tensor { return x.zero_(); });
  b.method("fill_", [](Tensor& x, py::handle v) -> Tensor {
    Scalar s;
    if (is_tensor(v.ptr())) return x.fill_(unwrap(v.ptr()));
    if (to_scalar(v.ptr(), &s)) return x.fill_(s);
    throw ember::TypeError("fill_(): argument 'value' must be Number or Tensor");
  }, py::arg("value"));
  b.method("copy_", [](Tensor& x, const Tensor& src, bool nb) -> Tensor {
    return without_gil_if_large(x.numel(), [&]() -> Tensor { return x.copy_(src, nb); });
  }, py::arg("src"), py::arg("non_blocking") = false);
  b.method("uniform_", [](Tensor& x, double from, double to, std::optional<Generator> g) -> Tensor {
    return x.uniform_(from, to, g);
  }, py::arg("from") = 0.0, py::arg("to") = 1.0, py::kw_only(), py::arg("generator") = py::none());
  b.method("normal_", [](Tensor& x, double mean, double std, std::optional<Generator> g) -> Tensor {
    return x.normal_(mean, std, g);
  }, py::arg("mean") = 0.0, py::arg("std") = 1.0, py::kw_only(), py::arg("generator") = py::none());
  b.method("bernoulli_", [](Tensor& x, py::handle p, std::optional<Generator> g) -> Tensor {
    if (is_tensor(p.ptr())) return x.bernoulli_(unwrap(p.ptr()), g);
    return x.bernoulli_(py::cast<double>(p), g);
  }, py::arg("p") = 0.5, py::kw_only(), py::arg("generator") = py::none());
  b.method("multinomial", [](const Tensor& x, int64_t n, bool replacement, std::optional<Generator> g) -> Tensor {
    return multinomial(x, n, replacement, g);
  }, py::arg("num_samples"), py::arg("replacement") = false, py::kw_only(), py::arg("generator") = py::none());
  b.method("random_", [](Tensor& x, py::args a, std::optional<Generator> generator) -> Tensor {
    if (a.size() == 0) return x.random_(generator);
    if (a.size() == 1) return x.random_(py::cast<int64_t>(a[0]), generator);
    return x.random_(py::cast<int64_t>(a[0]), py::cast<std::optional<int64_t>>(a[1]), generator);
  }, py::kw_only(), py::arg("generator") = py::none());

  // new_*: the tensor's dtype and device unless given.
  auto opts = [](const Tensor& x, std::optional<ScalarType> dtype, std::optional<Device> device) {
    TensorOptions o = x.options();
    if (dtype) o = o.dtype(*dtype);
    if (device) o = o.device(*device);
    return o;
  };
#define EMBER_PY_NEW_FACTORY(name, fn)                                                                        \
  b.method(                                                                                                  \
      name,                                                                                                  \
      [opts](const Tensor& x, py::args size, std::optional<ScalarType> dtype, std::optional<Device> device,  \
             bool requires_grad) {                                                                          \
        return with_requires_grad(fn(sizes_from_args(size.ptr()), opts(x, dtype, device)), requires_grad);  \
      },                                                                                                     \
      py::arg("dtype") = py::none(), py::arg("device") = py::none(), py::arg("requires_grad") = false);
  EMBER_PY_NEW_FACTORY("new_zeros", zeros)
  EMBER_PY_NEW_FACTORY("new_ones", ones)
  EMBER_PY_NEW_FACTORY("new_empty", empty)
#undef EMBER_PY_NEW_FACTORY
  b.method(
      "new_full",
      [opts](const Tensor& x, py::object size, const Scalar& v, std::optional<ScalarType> dtype,
             std::optional<Device> device, bool requires_grad) {
        return with_requires_grad(full(int_list(size.ptr(), "size"), v, opts(x, dtype, device)), requires_grad);
      },
      py::arg("size"), py::arg("fill_value"), py::kw_only(), py::arg("dtype") = py::none(),
      py::arg("device") = py::none(), py::arg("requires_grad") = false);
  b.method(
      "new_tensor",
      [opts](const Tensor& x, py::handle data, std::optional<ScalarType> dtype, std::optional<Device> device,
             bool requires_grad) {
        TensorOptions o = opts(x, dtype, device);
        return with_requires_grad(tensor_from_data(data.ptr(), o.dtype()), requires_grad);
      },
      py::arg("data"), py::kw_only(), py::arg("dtype") = py::none(), py::arg("device") = py::none(),
      py::arg("requires_grad") = false);

  m.def("_tensor_repr", [](const Tensor& x) { return x.repr(); });
  m.def("_install_tensor_methods", [](py::object cls) {
    for (auto& install : Binder::installers()) install(cls);
    Binder::installers().clear();
  });
}

}  // namespace ember::python
