// ember._C: the extension module. Each init_* function binds one concern (see the file
// of the same name); python/ember/__init__.py builds the public namespace on top.
#include <pybind11/pybind11.h>

#include "python/src/errors.h"
#include "python/src/objects.h"
#include "python/src/tensor_object.h"

namespace py = pybind11;

namespace ember::python {
void init_factories(py::module_& m);     // bind_factories.cpp
void init_ops(py::module_& m);           // bind_ops.cpp
void init_tensor_ops(py::module_& m);    // bind_tensor_ops.cpp
void init_tensor_methods(py::module_& m);  // bind_tensor_methods.cpp
void init_autograd(py::module_& m);      // bind_autograd.cpp
void init_dlpack(py::module_& m);        // dlpack.cpp
void init_nn(py::module_& m);            // bind_nn.cpp
void init_optim(py::module_& m);         // bind_optim.cpp
void init_reductions(py::module_& m);    // bind_reductions.cpp
void init_vision(py::module_& m);        // bind_vision.cpp
void init_serialization(py::module_& m);  // bind_serialization.cpp
void init_metrics(py::module_& m);       // bind_metrics.cpp
void init_tensorboard(py::module_& m);   // bind_tensorboard.cpp
void init_futures(py::module_& m);       // bind_futures.cpp
void init_distributed(py::module_& m);   // bind_distributed.cpp
void init_ddp(py::module_& m);           // bind_ddp.cpp
void init_amp(py::module_& m);           // bind_amp.cpp
}  // namespace ember::python

PYBIND11_MODULE(_C, m) {
  using namespace ember::python;
  m.doc() = "ember's C++ core (the Python API is the ember package around it)";
  register_exception_translation();
  init_objects(m.ptr());
  init_tensor_type(m.ptr());
  init_factories(m);
  init_ops(m);
  init_tensor_ops(m);
  init_reductions(m);
  init_tensor_methods(m);
  init_autograd(m);
  init_dlpack(m);
  init_nn(m);
  init_optim(m);
  init_vision(m);
  init_serialization(m);
  init_metrics(m);
  init_tensorboard(m);
  init_futures(m);
  init_distributed(m);
  init_ddp(m);
  init_amp(m);
}
