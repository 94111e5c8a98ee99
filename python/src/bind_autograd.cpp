// Autograd from Python: grad_fn nodes, backward / grad, grad modes, tensor hooks, anomaly
// mode, and custom Functions (ember.autograd.Function subclasses, python/ember/autograd/).
#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <sstream>

#include "ember/autograd/anomaly.h"
#include "ember/autograd/custom_function.h"
#include "ember/autograd/engine.h"
#include "ember/autograd/grad_mode.h"
#include "ember/autograd/record.h"
#include "python/src/autograd_objects.h"
#include "python/src/casters.h"
#include "python/src/errors.h"
#include "python/src/py_callable.h"

namespace py = pybind11;

namespace ember::python {

using autograd::Node;
using autograd::variable_list;

// Note [One Python class per node name]
// torch's grad_fn objects are instances of one class per backward function
// (type(y.grad_fn).__name__ == "AddBackward0"), and user code prints and compares those
// names. ember's nodes are one C++ hierarchy bound once as ember._C.Node; each Python node
// object gets a subclass named after its node (created on first use, cached, with empty
// __slots__ so its layout is Node's). Python would give the subclass garbage-collector
// support and its own deallocator, which makes __class__ assignment refuse it; the subclass
// adds no fields, so it takes Node's flags' GC bit, tp_free and tp_dealloc (pybind11's
// deallocator releases the instance's reference to its heap type itself) before any
// instance exists.
PyObject* node_object(const std::shared_ptr<Node>& node) {
  if (!node) return py::none().release().ptr();
  py::object object = py::cast(node);
  static auto* classes = new py::dict();  // leaked: lives as long as the interpreter's types
  py::str name(node->name());
  py::object cls;
  if (classes->contains(name)) {
    cls = (*classes)[name];
  } else {
    py::object base = py::type::of<Node>();
    py::dict namespace_;
    namespace_["__slots__"] = py::tuple();
    namespace_["__module__"] = py::str("ember.autograd.graph");
    cls = py::reinterpret_borrow<py::object>(reinterpret_cast<PyObject*>(&PyType_Type))(name, py::make_tuple(base),
                                                                                          namespace_);
    auto* sub = reinterpret_cast<PyTypeObject*>(cls.ptr());
    auto* node_type = reinterpret_cast<PyTypeObject*>(base.ptr());
    sub->tp_flags = (sub->tp_flags & ~Py_TPFLAGS_HAVE_GC) | (node_type->tp_flags & Py_TPFLAGS_HAVE_GC);
    sub->tp_free = node_type->tp_free;
    sub->tp_dealloc = node_type->tp_dealloc;
    PyType_Modified(sub);
    (*classes)[name] = cls;
  }
  if (!object.get_type().is(cls)) object.attr("__class__") = cls;
  return object.release().ptr();
}

namespace {


// The context's link to its node: weak, since the node owns the context (no cycle).
struct NodeRef {
  std::weak_ptr<Node> node;
};

struct RemovableHook {
  std::shared_ptr<PyCallable> hook;
  void remove() { hook->removed = true; }
};

// ---- custom Functions ----------------------------------------------------------------------
struct PythonFunctionNode : autograd::CustomFunctionNode {
  using CustomFunctionNode::CustomFunctionNode;
  std::shared_ptr<PyCallable> py_cls;  // the Function subclass
  std::shared_ptr<PyCallable> py_ctx;  // the FunctionCtx passed to forward and backward
};

variable_list python_backward(autograd::AutogradContext* actx, variable_list grads) {
  py::gil_scoped_acquire gil;
  auto node = std::static_pointer_cast<PythonFunctionNode>(actx->node_.lock());
  py::tuple args(grads.size() + 1);
  args[0] = node->py_ctx->fn;
  for (size_t i = 0; i < grads.size(); ++i) args[i + 1] = py::cast(grads[i]);
  py::object backward = node->py_cls->fn.attr("backward");
  py::object out;
  {
    AutoGradMode mode(GradMode::is_enabled());
    out = backward(*args);
  }
  variable_list result;
  auto take = [&](py::handle h) {
    if (h.is_none()) result.emplace_back();
    else if (is_tensor(h.ptr())) result.push_back(unwrap(h.ptr()));
    else
      throw ember::TypeError(std::string("function ") + node->name() +
                             " returned a gradient of type " + Py_TYPE(h.ptr())->tp_name +
                             ", expected a Tensor or None");
  };
  if (PyTuple_Check(out.ptr()) || PyList_Check(out.ptr())) {
    for (py::handle h : out) take(h);
  } else {
    take(out);
  }
  // Trailing Nones beyond the forward's arguments are dropped, as torch does.
  while (result.size() > node->num_args && !result.back().defined()) result.pop_back();
  return result;
}

py::object function_apply(py::object cls, py::tuple args, py::object ctx) {
  std::vector<Tensor> inputs;
  std::vector<int> positions;
  py::list needs;
  for (size_t i = 0; i < args.size(); ++i) {
    if (is_tensor(args[i].ptr())) {
      inputs.push_back(unwrap(args[i].ptr()));
      positions.push_back(static_cast<int>(i));
    }
  }
  bool record = autograd::should_record(TensorList(inputs));
  for (size_t i = 0, k = 0; i < args.size(); ++i) {
    bool is_t = is_tensor(args[i].ptr());
    needs.append(py::bool_(is_t && record && inputs[k].requires_grad()));
    if (is_t) ++k;
  }
  std::string name = py::cast<std::string>(cls.attr("__name__")) + "Backward";
  auto node = std::make_shared<PythonFunctionNode>(name, &python_backward);
  node->tensor_arg_positions = positions;
  node->num_args = args.size();
  for (const Tensor& t : inputs) node->ctx.needs_input_grad_.push_back(record && t.requires_grad());
  ctx.attr("needs_input_grad") = py::tuple(needs);
  py::object out;
  {
    AutoGradMode no_grad(false);
    py::tuple fargs(args.size() + 1);
    fargs[0] = ctx;
    for (size_t i = 0; i < args.size(); ++i) fargs[i + 1] = args[i];
    out = cls.attr("forward")(*fargs);
  }
  // What forward declared on ctx (python/ember/autograd/function.py).
  for (py::handle h : py::tuple(ctx.attr("_to_save"))) node->ctx.to_save_.push_back(h.is_none() ? Tensor() : unwrap(h.ptr()));
  for (py::handle h : py::tuple(ctx.attr("_dirty"))) node->ctx.dirty_.insert(unwrap(h.ptr()).unsafeGetTensorImpl());
  for (py::handle h : py::tuple(ctx.attr("_non_differentiable")))
    node->ctx.non_differentiable_.insert(unwrap(h.ptr()).unsafeGetTensorImpl());
  node->ctx.materialize_grads_ = py::cast<bool>(ctx.attr("_materialize_grads"));

  bool single = is_tensor(out.ptr());
  variable_list outputs;
  if (single) {
    outputs.push_back(unwrap(out.ptr()));
  } else {
    if (!PyTuple_Check(out.ptr())) return out;  // non-tensor results pass through
    for (py::handle h : out) {
      if (!is_tensor(h.ptr())) throw ember::TypeError("Function.forward returned a tuple holding a non-Tensor");
      outputs.push_back(unwrap(h.ptr()));
    }
  }
  autograd::detail::finish_custom_function(node, inputs, outputs, record);
  if (record) {
    node->py_cls = std::make_shared<PyCallable>(cls);
    node->py_ctx = std::make_shared<PyCallable>(ctx);
    ctx.attr("_node") = py::cast(NodeRef{node});
  }
  if (single) return py::cast(outputs[0]);
  py::tuple r(outputs.size());
  for (size_t i = 0; i < outputs.size(); ++i) r[i] = py::cast(outputs[i]);
  return r;
}

py::object saved_tensors(const NodeRef& ref) {
  std::shared_ptr<Node> node = ref.node.lock();
  if (!node) autograd::throw_released_error();
  auto* f = static_cast<autograd::CustomFunctionNode*>(node.get());
  variable_list saved = f->ctx.get_saved_variables();
  py::tuple r(saved.size());
  for (size_t i = 0; i < saved.size(); ++i) r[i] = py::cast(saved[i]);
  return r;
}

variable_list tensors_of(const py::object& o) {
  variable_list r;
  if (o.is_none()) return r;
  if (is_tensor(o.ptr())) return {unwrap(o.ptr())};
  for (py::handle h : o) r.push_back(h.is_none() ? Tensor() : unwrap(h.ptr()));
  return r;
}

}  // namespace

void init_autograd(py::module_& m) {
  py::class_<Node, std::shared_ptr<Node>>(m, "Node")
      .def("name", &Node::name)
      .def_property_readonly("next_functions",
                             [](Node& n) {
                               py::tuple r(n.next_edges().size());
                               for (size_t i = 0; i < n.next_edges().size(); ++i) {
                                 const auto& e = n.next_edges()[i];
                                 r[i] = py::make_tuple(py::reinterpret_steal<py::object>(node_object(e.function)),
                                                       e.input_nr);
                               }
                               return r;
                             })
      .def("__repr__", [](py::object self) {
        std::ostringstream os;
        os << "<" << py::cast<Node&>(self).name() << " object at " << static_cast<const void*>(self.ptr()) << ">";
        return os.str();
      });

  py::class_<NodeRef>(m, "_NodeRef");
  py::class_<RemovableHook>(m, "_RemovableHook").def("remove", &RemovableHook::remove);

  m.def("_register_hook", [](const Tensor& t, py::object fn) {
    auto holder = std::make_shared<PyCallable>(std::move(fn));
    t.register_hook([holder](const Tensor& grad) -> Tensor {
      if (holder->removed) return Tensor();
      py::gil_scoped_acquire gil;
      py::object r = holder->fn(grad);
      if (r.is_none()) return Tensor();
      if (!is_tensor(r.ptr())) throw ember::TypeError("hook must return a Tensor or None");
      return unwrap(r.ptr());
    });
    return RemovableHook{holder};
  });

  m.def(
      "_backward",
      [](py::object tensors, py::object grads, std::optional<bool> retain_graph, bool create_graph, py::object inputs) {
        variable_list ts = tensors_of(tensors), gs = tensors_of(grads), in = tensors_of(inputs);
        py::gil_scoped_release release;
        autograd::backward(ts, gs, retain_graph, create_graph, in);
      },
      py::arg("tensors"), py::arg("grad_tensors") = py::none(), py::arg("retain_graph") = py::none(),
      py::arg("create_graph") = false, py::arg("inputs") = py::none());
  m.def(
      "_grad",
      [](py::object outputs, py::object inputs, py::object grad_outputs, std::optional<bool> retain_graph,
         bool create_graph, bool allow_unused) {
        variable_list os = tensors_of(outputs), is = tensors_of(inputs), gs = tensors_of(grad_outputs);
        variable_list r;
        {
          py::gil_scoped_release release;
          r = autograd::grad(os, is, gs, retain_graph, create_graph, allow_unused);
        }
        py::tuple t(r.size());
        for (size_t i = 0; i < r.size(); ++i) t[i] = py::cast(r[i]);
        return t;
      },
      py::arg("outputs"), py::arg("inputs"), py::arg("grad_outputs") = py::none(),
      py::arg("retain_graph") = py::none(), py::arg("create_graph") = false, py::arg("allow_unused") = false);

  m.def("is_grad_enabled", &GradMode::is_enabled);
  m.def("_set_grad_enabled", &GradMode::set_enabled);
  m.def("is_inference_mode_enabled", &InferenceModeState::is_enabled);
  m.def("_set_inference_mode", &InferenceModeState::set_enabled);
  m.def("is_anomaly_enabled", &autograd::anomaly_enabled);
  m.def("_set_anomaly_enabled", &autograd::set_anomaly_enabled);

  m.def("_function_apply", &function_apply);
  m.def("_saved_tensors", &saved_tensors);
}

}  // namespace ember::python
