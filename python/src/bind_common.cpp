#include "python/src/bind_common.h"

#include "ember/ops/elementwise.h"

namespace ember::python {

Tensor write_out(const std::optional<Tensor>& out, Tensor result) {
  if (!out) return result;
  Tensor o = *out;
  if (o.sizes() != result.sizes()) resize_output(o, result.sizes());
  o.copy_(result);
  return o;
}

std::vector<Tensor> tensor_list(py::handle seq, const char* fn) {
  if (!PyList_Check(seq.ptr()) && !PyTuple_Check(seq.ptr()))
    throw ember::TypeError(std::string(fn) + "(): argument 'tensors' (position 1) must be tuple of Tensors, not " +
                           Py_TYPE(seq.ptr())->tp_name);
  std::vector<Tensor> r;
  for (py::handle h : seq) {
    if (!is_tensor(h.ptr()))
      throw ember::TypeError(std::string(fn) + "(): argument 'tensors' (position 1) must be tuple of Tensors, not " +
                             Py_TYPE(h.ptr())->tp_name);
    r.push_back(unwrap(h.ptr()));
  }
  return r;
}

py::object named_pair(const char* name, const Tensor& values, const Tensor& indices) {
  static py::object* module = new py::object(py::module_::import("ember.return_types"));
  return module->attr(name)(values, indices);
}

}  // namespace ember::python
