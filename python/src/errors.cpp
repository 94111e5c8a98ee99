#include "python/src/errors.h"

#include <pybind11/pybind11.h>

#include <new>
#include <stdexcept>

#include "ember/core/error.h"

namespace ember::python {

void set_python_error_from_current_exception() {
  try {
    throw;
  } catch (pybind11::error_already_set& e) {
    e.restore();
  } catch (const pybind11::builtin_exception& e) {
    e.set_error();
  } catch (const ember::IndexError& e) {
    PyErr_SetString(PyExc_IndexError, e.what());
  } catch (const ember::ValueError& e) {
    PyErr_SetString(PyExc_ValueError, e.what());
  } catch (const ember::TypeError& e) {
    PyErr_SetString(PyExc_TypeError, e.what());
  } catch (const ember::NotImplementedError& e) {
    PyErr_SetString(PyExc_NotImplementedError, e.what());
  } catch (const std::bad_alloc&) {
    PyErr_NoMemory();
  } catch (const std::exception& e) {
    PyErr_SetString(PyExc_RuntimeError, e.what());
  } catch (...) {
    PyErr_SetString(PyExc_RuntimeError, "unknown C++ exception");
  }
}

void register_exception_translation() {
  pybind11::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ember::Error&) {
      set_python_error_from_current_exception();
    }
  });
}

}  // namespace ember::python
