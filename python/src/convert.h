#pragma once
// Python values -> ember values: numbers to Scalars, nested sequences and buffers
// (NumPy arrays) to tensors with torch.tensor's dtype inference, size arguments.
#include <Python.h>

#include <optional>

#include "ember/core/scalar.h"
#include "ember/core/tensor.h"

namespace ember::python {

// A Python bool, int or float (or a NumPy scalar of those kinds). False, with no Python
// error set, for anything else.
bool to_scalar(PyObject* o, Scalar* out);
// New reference: a Python number for s.
PyObject* scalar_to_python(const Scalar& s);

// torch.tensor(data, dtype=...): copies. Nested lists/tuples of numbers, bools and
// one-element tensors; buffers (NumPy arrays) of the supported dtypes; a tensor (copied).
// Without `dtype`: bool if every leaf is a bool, the default float dtype if any is a
// float, int64 otherwise; a buffer keeps its own dtype.
Tensor tensor_from_data(PyObject* data, std::optional<ScalarType> dtype);
// ember.as_tensor / from_numpy: shares memory with a buffer when the dtype matches
// (the tensor keeps the buffer's owner alive); copies otherwise.
Tensor tensor_from_buffer(PyObject* obj, bool require_share);
// torch.Tensor(...)'s legacy forms (see tensor_object.cpp).
Tensor legacy_tensor_new(PyObject* args);

// Sizes given as varargs (`zeros(2, 3)`) or as one sequence (`zeros((2, 3))`,
// `zeros(torch.Size([2, 3]))`, `zeros([])`). Throws TypeError otherwise.
DimVector sizes_from_args(PyObject* args);
// One int or a sequence of ints.
DimVector int_list(PyObject* o, const char* what);

}  // namespace ember::python
