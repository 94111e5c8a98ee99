#pragma once
// Helpers shared by the pybind11 binding files.
#include <pybind11/pybind11.h>

#include <functional>
#include <optional>
#include <vector>

#include "ember/core/tensor.h"
#include "python/src/casters.h"

namespace ember::python {

namespace py = pybind11;

inline TensorOptions make_options(std::optional<ScalarType> dtype, std::optional<Device> device) {
  TensorOptions o;
  if (dtype) o = o.dtype(*dtype);
  if (device) o = o.device(*device);
  return o;
}

// Factories' requires_grad= keyword.
inline Tensor with_requires_grad(Tensor t, bool requires_grad) {
  EMBER_CHECK(!requires_grad || t.is_floating_point(),
              "Only Tensors of floating point and complex dtype can require gradients");
  if (requires_grad) t.requires_grad_(true);
  return t;
}

// out=: copies the result into `out` (resized as torch resizes) and returns out.
Tensor write_out(const std::optional<Tensor>& out, Tensor result);

// `other` of binary functions: a tensor or a Python number.
template <class FT, class FS>
Tensor tensor_or_scalar(py::handle other, const char* fn, FT ft, FS fs) {
  PyObject* o = other.ptr();
  if (is_tensor(o)) return ft(unwrap(o));
  Scalar s;
  if (to_scalar(o, &s)) return fs(s);
  throw ember::TypeError(std::string(fn) + "(): argument 'other' (position 2) must be Tensor, not " +
                         Py_TYPE(o)->tp_name);
}

// Sequences of tensors (cat, stack, ...).
std::vector<Tensor> tensor_list(py::handle seq, const char* fn);

// Returns a torch.return_types-style named tuple (ember.return_types.<name>).
py::object named_pair(const char* name, const Tensor& values, const Tensor& indices);

}  // namespace ember::python

namespace ember::python {

// Registers an op as a module function (`ember.name(input, ...)`) and/or as a method of
// ember.Tensor (`t.name(...)`) from one C++ callable whose first parameter is the tensor.
// Methods are installed when the package hands over its Tensor class
// (_C._install_tensor_methods): CPython's built-in types are immutable, so they go on the
// Python subclass, where attribute lookup finds them as fast.
class Binder {
 public:
  explicit Binder(py::module_& m) : m_(m) {}

  template <class F, class... Extra>
  void function(const char* name, F&& f, Extra... extra) {
    m_.def(name, std::forward<F>(f), py::arg("input"), extra...);
  }
  template <class F, class... Extra>
  void method(const char* name, F f, Extra... extra) {
    installers().push_back([name, f, extra...](py::object cls) {
      py::object sibling = py::getattr(cls, name, py::none());
      // A method the Python class defines itself wins (python/ember/_tensor.py).
      if (!sibling.is_none() && !py::isinstance<py::cpp_function>(sibling)) return;
      py::cpp_function cf(f, py::name(name), py::is_method(cls), py::sibling(sibling), extra...);
      py::setattr(cls, name, cf);
    });
  }
  template <class F, class... Extra>
  void both(const char* name, F f, Extra... extra) {
    function(name, f, extra...);
    method(name, f, extra...);
  }
  py::module_& module() { return m_; }

  // Held until the package installs them (then cleared, with the GIL): the captured
  // default values are Python objects, which must not outlive the interpreter.
  static std::vector<std::function<void(py::object)>>& installers() {
    static auto* v = new std::vector<std::function<void(py::object)>>();
    return *v;
  }

 private:
  py::module_& m_;
};

}  // namespace ember::python
