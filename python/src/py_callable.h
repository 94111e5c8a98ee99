#pragma once
// Note [Python callables held by C++]
// A Python callable stored in C++ (a tensor hook, a custom Function's context, a Future
// callback, a DDP comm hook) may be dropped by whichever thread frees its owner, GIL held or
// not: the holder takes the GIL to release its reference.
#include <pybind11/pybind11.h>

namespace ember::python {

struct PyCallable {
  pybind11::object fn;
  bool removed = false;
  explicit PyCallable(pybind11::object f) : fn(std::move(f)) {}
  ~PyCallable() {
    pybind11::gil_scoped_acquire gil;
    fn = pybind11::object();
  }
  PyCallable(const PyCallable&) = delete;
  PyCallable& operator=(const PyCallable&) = delete;
};

}  // namespace ember::python
