// ember._C._save / _load: PyTorch's .pt checkpoints (ember/io/serialize.h) for ember.save
// and ember.load (python/ember/serialization.py). Python objects convert to and from the
// exact checkpoint form, pickle::Value, so an OrderedDict (with its `_metadata`) comes
// back as an OrderedDict and an nn.Parameter as a Parameter, as torch.load gives them.
// Nothing here imports or calls anything a file names (Note [Unpickler safety]).
#include <pybind11/pybind11.h>

#include <string>
#include <unordered_map>
#include <unordered_set>

#include "ember/io/serialize.h"
#include "python/src/bind_common.h"
#include "python/src/objects.h"
#include "python/src/tensor_object.h"

namespace ember::python {
namespace {

using pickle::TensorKind;
using pickle::Value;

// nn.Parameter, looked up only when needed: importing ember.nn costs ~30 ms, which a load of
// a file without Parameters (or a save of an object without them) should not pay.
py::object parameter_class() { return py::module_::import("ember.nn.parameter").attr("Parameter"); }
// The class if ember.nn.parameter is loaded; none otherwise (then no Parameter exists).
py::object parameter_class_if_loaded() {
  PyObject* module = PyImport_GetModule(py::str("ember.nn.parameter").ptr());
  if (!module) {
    PyErr_Clear();
    return py::none();
  }
  return py::reinterpret_steal<py::object>(module).attr("Parameter");
}
py::object ordered_dict_class() { return py::module_::import("collections").attr("OrderedDict"); }

// ---- Python -> Value ------------------------------------------------------------------

class FromPython {
 public:
  FromPython() : parameter_(parameter_class_if_loaded()), ordered_dict_(ordered_dict_class()) {}

  Value convert(py::handle o, int depth) {
    if (depth > pickle::kMaxDepth)
      throw ember::ValueError("ember.save: the object nests deeper than " + std::to_string(pickle::kMaxDepth) +
                              " levels");
    PyObject* p = o.ptr();
    if (p == Py_None) return Value();
    if (PyBool_Check(p)) return Value::boolean(p == Py_True);
    if (PyLong_Check(p)) {
      int overflow = 0;
      long long v = PyLong_AsLongLongAndOverflow(p, &overflow);
      if (overflow) throw ember::ValueError("ember.save: the int " + py::repr(o).cast<std::string>() + " does not fit in 64 bits");
      if (v == -1 && PyErr_Occurred()) throw py::error_already_set();
      return Value::integer(v);
    }
    if (PyFloat_Check(p)) return Value::floating(PyFloat_AS_DOUBLE(p));
    if (PyUnicode_Check(p)) {
      Py_ssize_t n = 0;
      const char* s = PyUnicode_AsUTF8AndSize(p, &n);
      if (!s) throw py::error_already_set();
      return Value::string(std::string(s, static_cast<size_t>(n)));
    }
    if (is_tensor(p)) {
      const bool is_param = !parameter_.is_none() && PyObject_IsInstance(p, parameter_.ptr()) == 1;
      return Value::tensor(unwrap(p), is_param ? TensorKind::Parameter : TensorKind::Plain);
    }
    if (is_dtype(p)) return Value::global("torch", dtype_name(dtype_of(p)));
    if (PyList_Check(p) || PyTuple_Check(p) || PyDict_Check(p)) {
      if (!active_.insert(p).second)
        throw ember::ValueError("ember.save: the object contains a reference cycle (a container inside itself)");
      Value r = container(o, depth);
      active_.erase(p);
      return r;
    }
    throw ember::TypeError(std::string("ember.save: cannot save an object of type '") + Py_TYPE(p)->tp_name +
                           "' (a checkpoint holds tensors, Parameters, dicts, OrderedDicts, lists, tuples, str, int, "
                           "float, bool, None and dtypes)");
  }

 private:
  Value container(py::handle o, int depth) {
    PyObject* p = o.ptr();
    if (PyDict_Check(p)) {
      const bool ordered = PyObject_IsInstance(p, ordered_dict_.ptr()) == 1;
      Value d = Value::dict(ordered);
      for (auto item : py::reinterpret_borrow<py::dict>(o)) {
        Value key = convert(item.first, depth + 1);
        if (pickle::hash_key(key).empty())
          throw ember::TypeError(std::string("ember.save: a dict key of type '") + Py_TYPE(item.first.ptr())->tp_name +
                                 "' cannot be saved");
        d.to_dict().set(std::move(key), convert(item.second, depth + 1));
      }
      // An OrderedDict's instance attributes (a state_dict's `_metadata`), as pickle saves them.
      if (ordered && py::hasattr(o, "__dict__")) {
        for (auto item : py::reinterpret_borrow<py::dict>(o.attr("__dict__"))) {
          if (!PyUnicode_Check(item.first.ptr())) continue;
          d.to_dict().attributes.emplace_back(item.first.cast<std::string>(), convert(item.second, depth + 1));
        }
      }
      return d;
    }
    pickle::ValueList items;
    py::sequence seq = py::reinterpret_borrow<py::sequence>(o);
    items.reserve(seq.size());
    for (auto item : seq) items.push_back(convert(item, depth + 1));
    return PyTuple_Check(p) ? Value::tuple(std::move(items)) : Value::list(std::move(items));
  }

  py::object parameter_, ordered_dict_;
  std::unordered_set<PyObject*> active_;
};

// ---- Value -> Python ------------------------------------------------------------------

class ToPython {
 public:
  ToPython() : ordered_dict_(ordered_dict_class()) {}

  py::object convert(const Value& v) {
    switch (v.kind()) {
      case Value::Kind::None: return py::none();
      case Value::Kind::Bool: return py::bool_(v.to_bool());
      case Value::Kind::Int: return py::int_(v.to_int());
      case Value::Kind::Float: return py::float_(v.to_float());
      case Value::Kind::Str: return py::str(v.to_str());
      case Value::Kind::Tensor: {
        py::object t = py::reinterpret_steal<py::object>(wrap(v.to_tensor()));
        if (v.tensor_kind() == TensorKind::Parameter) {
          if (!parameter_) parameter_ = parameter_class();
          return parameter_(t, py::bool_(v.to_tensor().requires_grad()));
        }
        return t;
      }
      case Value::Kind::Global: {
        if (v.global_module() == "torch")
          for (int i = 0; i < kNumScalarTypes; ++i) {
            auto t = static_cast<ScalarType>(i);
            if (v.global_name() == dtype_name(t)) return py::reinterpret_borrow<py::object>(dtype_object(t));
          }
        throw ember::TypeError("ember.load: the checkpoint holds the global " + v.global_path() +
                               ", which ember has no Python object for");
      }
      case Value::Kind::List:
      case Value::Kind::Tuple:
      case Value::Kind::Dict: break;
    }
    // Shared sub-objects stay shared (and convert once).
    if (auto it = done_.find(v.container_id()); it != done_.end()) return it->second;
    py::object r;
    if (v.kind() == Value::Kind::Dict) {
      const pickle::DictData& d = v.to_dict();
      r = d.ordered ? ordered_dict_() : py::object(py::dict());
      for (const auto& [key, value] : d.items) PyObject_SetItem(r.ptr(), convert(key).ptr(), convert(value).ptr());
      if (PyErr_Occurred()) throw py::error_already_set();
      for (const auto& [name, value] : d.attributes)
        if (d.ordered) r.attr(name.c_str()) = convert(value);
    } else {
      const pickle::ValueList& items = v.items();
      py::list list(items.size());
      for (size_t i = 0; i < items.size(); ++i) list[i] = convert(items[i]);
      r = v.kind() == Value::Kind::Tuple ? py::object(py::tuple(list)) : py::object(list);
    }
    done_.emplace(v.container_id(), r);
    return r;
  }

 private:
  py::object parameter_, ordered_dict_;
  std::unordered_map<const void*, py::object> done_;
};

}  // namespace

void init_serialization(py::module_& m) {
  // _save(obj, path): writes the file atomically. _save(obj, None): returns the bytes.
  m.def("_save", [](py::handle obj, std::optional<std::string> path) -> py::object {
    Value v = FromPython().convert(obj, 0);
    if (!path) {
      std::string bytes;
      {
        py::gil_scoped_release release;
        bytes = save_value_to_bytes(v);
      }
      return py::bytes(bytes);
    }
    {
      py::gil_scoped_release release;
      save(v, *path);
    }
    return py::none();
  });
  // _load(path, mmap) / _load(bytes, False, name): the object tree.
  m.def("_load", [](py::handle source, bool mmap, std::string name) -> py::object {
    Value v;
    if (PyBytes_Check(source.ptr())) {
      std::string bytes = source.cast<std::string>();
      py::gil_scoped_release release;
      v = load_value_from_bytes(std::move(bytes), name);
    } else {
      std::string path = source.cast<std::string>();
      py::gil_scoped_release release;
      v = load_value(path, mmap);
    }
    return ToPython().convert(v);
  }, py::arg("source"), py::arg("mmap") = false, py::arg("name") = "<bytes>");
}

}  // namespace ember::python
