// ember._C._futures.Future: ember::distributed::Future (ember/distributed/future.h) as
// torch.futures.Future, for Work.get_future() and DDP comm hooks. Waiting releases the GIL;
// callbacks take it (Note [Future callbacks]: they run on whichever thread completes the
// future, often a process group's comm thread).
#include <memory>

#include "python/src/bind_common.h"
#include "python/src/futures.h"
#include "python/src/py_callable.h"

namespace ember::python {

namespace dist = ember::distributed;

py::object future_value_to_py(const dist::FutureValue& v) {
  if (!v.is_list) return py::cast(v.tensors.front());
  py::list l;
  for (const Tensor& t : v.tensors) l.append(py::cast(t));
  return l;
}

dist::FutureValue future_value_from_py(py::handle h, const char* what) {
  if (is_tensor(h.ptr())) return dist::FutureValue(unwrap(h.ptr()));
  if (PyList_Check(h.ptr()) || PyTuple_Check(h.ptr())) {
    std::vector<Tensor> ts;
    for (py::handle e : h) {
      if (!is_tensor(e.ptr()))
        throw ember::TypeError(std::string(what) + ": an ember Future holds a Tensor or a list of Tensors, got a " +
                               "list holding " + Py_TYPE(e.ptr())->tp_name);
      ts.push_back(unwrap(e.ptr()));
    }
    return dist::FutureValue(std::move(ts));
  }
  throw ember::TypeError(std::string(what) + ": an ember Future holds a Tensor or a list of Tensors, got " +
                         Py_TYPE(h.ptr())->tp_name);
}

namespace {

// A Python exception raised by a callback, carried to whoever waits on the future (maybe
// another thread) as a RuntimeError with its text.
std::exception_ptr capture(const py::error_already_set& e) {
  return std::make_exception_ptr(ember::Error(e.what()));
}

}  // namespace

void init_futures(py::module_& m) {
  py::module_ fm = m.def_submodule("_futures", "ember._C._futures: torch.futures.Future");
  py::class_<dist::Future, dist::FuturePtr>(fm, "Future")
      .def(py::init([](py::object devices) {
             (void)devices;  // CPU only: torch's CUDA devices do not apply
             return std::make_shared<dist::Future>();
           }),
           py::kw_only(), py::arg("devices") = py::none())
      .def("done", &dist::Future::done)
      .def("wait",
           [](dist::Future& f) {
             {
               py::gil_scoped_release release;
               f.wait();
             }
             return future_value_to_py(f.value());
           })
      .def("value",
           [](dist::Future& f) {
             {
               py::gil_scoped_release release;
               f.wait();
             }
             return future_value_to_py(f.value());
           })
      .def("set_result", [](dist::Future& f, py::handle v) { f.set_result(future_value_from_py(v, "set_result")); },
           py::arg("result"))
      .def("set_exception",
           [](dist::Future& f, py::handle e) {
             f.set_exception(std::make_exception_ptr(ember::Error(py::str(e).cast<std::string>())));
           },
           py::arg("result"))
      .def("then",
           [](dist::Future& f, py::object callback) {
             auto holder = std::make_shared<PyCallable>(std::move(callback));
             py::gil_scoped_release release;  // an already-complete future runs the callback here
             return f.then([holder](dist::Future& done) -> dist::FutureValue {
               py::gil_scoped_acquire gil;
               try {
                 py::object r = holder->fn(py::cast(done.shared_from_this()));
                 return future_value_from_py(r, "Future.then callback");
               } catch (py::error_already_set& e) {
                 std::rethrow_exception(capture(e));
               }
             });
           },
           py::arg("callback"))
      .def("add_done_callback",
           [](dist::Future& f, py::object callback) {
             auto holder = std::make_shared<PyCallable>(std::move(callback));
             py::gil_scoped_release release;
             f.add_done_callback([holder](dist::Future& done) {
               py::gil_scoped_acquire gil;
               try {
                 holder->fn(py::cast(done.shared_from_this()));
               } catch (py::error_already_set& e) {  // torch logs and drops a done-callback's error
                 PyErr_WarnEx(PyExc_RuntimeWarning,
                              (std::string("ember.futures.Future callback raised: ") + e.what()).c_str(), 1);
               }
             });
           },
           py::arg("callback"))
      .def("__repr__", [](const dist::Future& f) {
        return std::string("<ember.futures.Future ") + (f.done() ? "done" : "pending") + ">";
      });
}

}  // namespace ember::python
