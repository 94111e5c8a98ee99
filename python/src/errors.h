#pragma once
// C++ exceptions -> Python exceptions, with PyTorch's mapping: ember::IndexError,
// ValueError, TypeError, NotImplementedError -> the Python built-ins of the same name,
// every other ember::Error -> RuntimeError (python-package.md §2.1). Python errors raised
// inside a callback (a hook, a custom Function) pass through C++ unchanged.
#include <Python.h>

namespace ember::python {

// Sets the Python error from the exception being handled. Call only inside a catch block.
void set_python_error_from_current_exception();
// Registers the translation with pybind11, for functions bound through it.
void register_exception_translation();

}  // namespace ember::python

// For hand-written CPython entry points: the body runs inside try; any C++ exception
// becomes the Python error and the function returns `retval` (NULL or -1).
#define EMBER_PY_TRY try {
#define EMBER_PY_CATCH(retval)                                         \
  }                                                                    \
  catch (...) {                                                        \
    ::ember::python::set_python_error_from_current_exception();        \
    return retval;                                                     \
  }
