#pragma once
// The small value objects of the namespace, as plain CPython types: ember.dtype (one
// immutable object per ScalarType: ember.float32 is ember.float), ember.device, and the
// ember.Size tuple subclass (defined in Python, python/ember/_size.py, and built here).
#include <Python.h>

#include "ember/core/device.h"
#include "ember/core/dtype.h"
#include "ember/core/array_ref.h"

namespace ember::python {

// Borrowed reference to the dtype object of t.
PyObject* dtype_object(ScalarType t);
bool is_dtype(PyObject* o);
ScalarType dtype_of(PyObject* dtype_obj);  // o must satisfy is_dtype

// New reference to an ember.device.
PyObject* device_object(Device d);
bool is_device(PyObject* o);
Device device_of(PyObject* device_obj);  // o must satisfy is_device
// A device from a device object, a string ("cpu", "cuda:0") or an int (a CUDA index);
// throws TypeError otherwise.
Device parse_device(PyObject* o);

// New reference to an ember.Size holding `sizes`.
PyObject* size_object(IntArrayRef sizes);

void init_objects(PyObject* module);

}  // namespace ember::python
