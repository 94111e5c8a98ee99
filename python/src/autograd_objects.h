#pragma once
// Python views of the autograd graph: grad_fn nodes (ember._C.Node).
#include <Python.h>

#include <memory>

#include "ember/autograd/node.h"

namespace ember::python {

// New reference to the Python object of a graph node (the same object while it lives).
PyObject* node_object(const std::shared_ptr<autograd::Node>& node);

}  // namespace ember::python
