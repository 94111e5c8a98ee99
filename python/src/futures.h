#pragma once
// Conversions between ember::distributed::FutureValue and Python (bind_futures.cpp): a value
// is one Tensor or a list of Tensors, as ember.futures.Future documents.
#include <pybind11/pybind11.h>

#include "ember/distributed/future.h"

namespace ember::python {

pybind11::object future_value_to_py(const distributed::FutureValue& v);
// A Tensor, or a list/tuple of Tensors; anything else is a TypeError naming `what`.
distributed::FutureValue future_value_from_py(pybind11::handle h, const char* what);

}  // namespace ember::python
