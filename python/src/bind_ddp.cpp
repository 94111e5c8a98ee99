// ember._C._ddp: DistributedDataParallel's C++ reducer (ember/distributed/reducer.h) behind
// ember.nn.parallel.DistributedDataParallel. The Python class only does the module's
// bookkeeping (Note [DDP forward] in ember/distributed/ddp.h, reproduced there); the hooks,
// buckets and collectives run in C++ during backward, which ember._C releases the GIL for,
// so no Python code runs between a gradient becoming ready and its bucket's all-reduce.
#include <pybind11/stl.h>

#include "ember/distributed/comm_hooks.h"
#include "ember/distributed/ddp.h"
#include "ember/distributed/reducer.h"
#include "ember/distributed/sync_batch_norm.h"
#include "python/src/bind_common.h"
#include "python/src/py_callable.h"

namespace ember::python {

namespace dist = ember::distributed;

void init_ddp(py::module_& m) {
  py::module_ dm = m.def_submodule("_ddp", "ember._C._ddp: DistributedDataParallel's reducer");

  // torch.distributed.GradBucket (a copy of the reducer's: the tensors are shared).
  py::class_<dist::GradBucket, std::shared_ptr<dist::GradBucket>>(dm, "GradBucket")
      .def("index", &dist::GradBucket::index)
      .def("buffer", &dist::GradBucket::buffer)
      .def("gradients", &dist::GradBucket::gradients)
      .def("parameters", &dist::GradBucket::parameters)
      .def("is_last", &dist::GradBucket::is_last)
      .def("__repr__", [](const dist::GradBucket& b) {
        return "<ember.distributed.GradBucket " + std::to_string(b.index()) + " of " +
               std::to_string(b.buffer().numel()) + " elements>";
      });

  // The built-in hooks (default_hooks.py calls these): state is the process group or None.
  using HookFn = dist::FuturePtr (*)(const dist::ProcessGroupPtr&, dist::GradBucket&);
  for (auto [name, fn] : {std::pair<const char*, HookFn>{"allreduce_hook", &dist::ddp_comm_hooks::allreduce_hook},
                          {"fp16_compress_hook", &dist::ddp_comm_hooks::fp16_compress_hook},
                          {"bf16_compress_hook", &dist::ddp_comm_hooks::bf16_compress_hook}}) {
    dm.def(
        name,
        [fn](const dist::ProcessGroupPtr& group, dist::GradBucket& bucket) {
          py::gil_scoped_release release;
          return fn(group, bucket);
        },
        py::arg("process_group"), py::arg("bucket"));
  }

  py::class_<dist::Reducer, std::shared_ptr<dist::Reducer>>(dm, "Reducer")
      .def(py::init([](py::handle params, std::vector<std::string> names, dist::ProcessGroupPtr group,
                       int64_t bucket_bytes_cap, bool find_unused_parameters, bool gradient_as_bucket_view) {
             dist::ReducerOptions o;
             o.bucket_bytes_cap = bucket_bytes_cap;
             o.find_unused_parameters = find_unused_parameters;
             o.gradient_as_bucket_view = gradient_as_bucket_view;
             if (!group) group = dist::default_group();
             return dist::make_reducer(tensor_list(params, "Reducer"), std::move(names), std::move(group), o);
           }),
           py::arg("params"), py::arg("names"), py::arg("process_group"), py::arg("bucket_bytes_cap"),
           py::arg("find_unused_parameters"), py::arg("gradient_as_bucket_view"))
      .def("prepare_for_forward", &dist::Reducer::prepare_for_forward, py::call_guard<py::gil_scoped_release>())
      .def("prepare_for_backward",
           [](dist::Reducer& r, py::handle outputs) { r.prepare_for_backward(tensor_list(outputs, "Reducer")); })
      // Note [DDP comm hooks]: hook(state, bucket) runs on the backward thread, with the GIL.
      .def("register_comm_hook",
           [](dist::Reducer& r, py::object state, py::object hook) {
             auto st = std::make_shared<PyCallable>(std::move(state));
             auto fn = std::make_shared<PyCallable>(std::move(hook));
             r.register_comm_hook([st, fn](dist::GradBucket& bucket) -> dist::FuturePtr {
               py::gil_scoped_acquire gil;
               try {
                 py::object fut = fn->fn(st->fn, std::make_shared<dist::GradBucket>(bucket));
                 if (!py::isinstance<dist::Future>(fut))
                   throw ember::TypeError(std::string("Communication hook must return a torch.futures.Future "
                                                      "(ember.futures.Future), got ") + Py_TYPE(fut.ptr())->tp_name);
                 return fut.cast<dist::FuturePtr>();
               } catch (py::error_already_set& e) {
                 // Carried through the C++ engine (without the GIL) as ember's error with its text.
                 throw ember::Error(e.what());
               }
             });
           },
           py::arg("state"), py::arg("hook"))
      .def("shadow_forward", &dist::Reducer::shadow_forward, py::call_guard<py::gil_scoped_release>())
      .def("shadow_backward", &dist::Reducer::shadow_backward, py::call_guard<py::gil_scoped_release>())
      .def_property_readonly("bucket_indices", &dist::Reducer::bucket_indices)
      .def_property_readonly("bucket_bytes", &dist::Reducer::bucket_bytes)
      .def_property_readonly("num_launched_buckets", &dist::Reducer::num_launched_buckets);

  dm.def(
      "verify_params_across_processes",
      [](dist::ProcessGroupPtr group, py::handle params, const std::vector<std::string>& names) {
        std::vector<Tensor> ps = tensor_list(params, "verify_params_across_processes");
        if (!group) group = dist::default_group();
        py::gil_scoped_release release;
        dist::verify_params_across_processes(group, ps, names);
      },
      py::arg("process_group"), py::arg("params"), py::arg("names"));
  dm.def(
      "broadcast_tensors",
      [](dist::ProcessGroupPtr group, py::handle tensors, int src) {
        std::vector<Tensor> ts = tensor_list(tensors, "broadcast_tensors");
        if (!group) group = dist::default_group();
        py::gil_scoped_release release;
        dist::broadcast_tensors(group, ts, src);
      },
      py::arg("process_group"), py::arg("tensors"), py::arg("src") = 0);
  dm.def(
      "join_notify_active",
      [](dist::ProcessGroupPtr group) {
        if (!group) group = dist::default_group();
        py::gil_scoped_release release;
        dist::join_notify_active(group);
      },
      py::arg("process_group"));
  dm.def(
      "join_shadow_until_done",
      [](dist::Reducer& reducer, py::handle buffers, bool broadcast_buffers, int64_t own_iterations,
         py::handle model_state) {
        std::vector<Tensor> bs = tensor_list(buffers, "join_shadow_until_done");
        std::vector<Tensor> ms = tensor_list(model_state, "join_shadow_until_done");
        py::gil_scoped_release release;
        dist::join_shadow_until_done(reducer, bs, broadcast_buffers, own_iterations, ms);
      },
      py::arg("reducer"), py::arg("buffers"), py::arg("broadcast_buffers"), py::arg("own_iterations"),
      py::arg("model_state"));
  dm.def(
      "compute_bucket_assignment_by_size",
      [](py::handle params, int64_t first_bucket_bytes, int64_t bucket_bytes_cap) {
        return dist::compute_bucket_assignment_by_size(tensor_list(params, "compute_bucket_assignment_by_size"),
                                                       first_bucket_bytes, bucket_bytes_cap);
      },
      py::arg("params"), py::arg("first_bucket_bytes"), py::arg("bucket_bytes_cap"));
  // ember.nn.SyncBatchNorm's training forward (Note [SyncBatchNorm]); collective.
  dm.def(
      "sync_batch_norm",
      [](const Tensor& input, std::optional<Tensor> weight, std::optional<Tensor> bias,
         std::optional<Tensor> running_mean, std::optional<Tensor> running_var, double momentum, double eps,
         dist::ProcessGroupPtr group) {
        py::gil_scoped_release release;
        return dist::sync_batch_norm(input, weight.value_or(Tensor()), bias.value_or(Tensor()),
                                     running_mean.value_or(Tensor()), running_var.value_or(Tensor()), momentum, eps,
                                     group);
      },
      py::arg("input"), py::arg("weight"), py::arg("bias"), py::arg("running_mean"), py::arg("running_var"),
      py::arg("momentum"), py::arg("eps"), py::arg("process_group"));
  dm.attr("DEFAULT_FIRST_BUCKET_BYTES") = dist::kDefaultFirstBucketBytes;
}

}  // namespace ember::python
