// ember._C._ddp: DistributedDataParallel's C++ reducer (ember/distributed/reducer.h) behind
// ember.nn.parallel.DistributedDataParallel. The Python class only does the module's
// bookkeeping (Note [DDP forward] in ember/distributed/ddp.h, reproduced there); the hooks,
// buckets and collectives run in C++ during backward, which ember._C releases the GIL for,
// so no Python code runs between a gradient becoming ready and its bucket's all-reduce.
#include <pybind11/stl.h>

#include "ember/distributed/ddp.h"
#include "ember/distributed/reducer.h"
#include "python/src/bind_common.h"

namespace ember::python {

namespace dist = ember::distributed;

void init_ddp(py::module_& m) {
  py::module_ dm = m.def_submodule("_ddp", "ember._C._ddp: DistributedDataParallel's reducer");

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
      "compute_bucket_assignment_by_size",
      [](py::handle params, int64_t first_bucket_bytes, int64_t bucket_bytes_cap) {
        return dist::compute_bucket_assignment_by_size(tensor_list(params, "compute_bucket_assignment_by_size"),
                                                       first_bucket_bytes, bucket_bytes_cap);
      },
      py::arg("params"), py::arg("first_bucket_bytes"), py::arg("bucket_bytes_cap"));
  dm.attr("DEFAULT_FIRST_BUCKET_BYTES") = dist::kDefaultFirstBucketBytes;
}

}  // namespace ember::python
