// ember._C._distributed: ember::distributed (ember/distributed/process_group.h) behind
// python/ember/distributed, which adds torch's Python surface (timedelta timeouts, group=None,
// non-member groups, async_op returning None or a Work).
//
// Every call that can wait for other ranks releases the GIL (Note [Releasing the GIL]): a
// rank blocked in a collective must not stop the rest of its Python program, e.g. the
// DataLoader's threads or another group's collective on another thread.
#include <pybind11/chrono.h>
#include <pybind11/stl.h>

#include "ember/distributed/process_group.h"
#include "python/src/bind_common.h"

namespace ember::python {

namespace dist = ember::distributed;

namespace {

// The Python classes of ember.distributed's errors (RuntimeError subclasses, as torch's).
PyObject* g_dist_error = nullptr;
PyObject* g_dist_backend_error = nullptr;
PyObject* g_dist_timeout_error = nullptr;

// async_op=False returns None (the op has completed), as torch does.
py::object result(dist::WorkPtr w, bool async_op) {
  if (async_op) return py::cast(std::move(w));
  return py::none();
}

// f calls the C++ free function with the same async_op, so that it waits (without the GIL) and a
// blocking call runs on this thread when the group is idle (Note [Blocking calls]).
template <class F>
py::object run(bool async_op, F&& f) {
  dist::WorkPtr w;
  {
    py::gil_scoped_release release;
    w = f();
  }
  return result(std::move(w), async_op);
}

}  // namespace

void init_distributed(py::module_& m) {
  py::module_ dm = m.def_submodule("_distributed", "ember._C._distributed: process groups and collectives");

  g_dist_error = PyErr_NewException("ember.distributed.DistError", PyExc_RuntimeError, nullptr);
  g_dist_backend_error = PyErr_NewException("ember.distributed.DistBackendError", g_dist_error, nullptr);
  g_dist_timeout_error = PyErr_NewException("ember.distributed.DistTimeoutError", g_dist_backend_error, nullptr);
  dm.attr("DistError") = py::handle(g_dist_error);
  dm.attr("DistBackendError") = py::handle(g_dist_backend_error);
  dm.attr("DistTimeoutError") = py::handle(g_dist_timeout_error);
  // Registered after the general ember::Error translation, so pybind11 tries it first.
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const dist::DistTimeoutError& e) {
      PyErr_SetString(g_dist_timeout_error, e.what());
    } catch (const dist::DistBackendError& e) {
      PyErr_SetString(g_dist_backend_error, e.what());
    } catch (const dist::DistError& e) {
      PyErr_SetString(g_dist_error, e.what());
    }
  });

  py::enum_<dist::ReduceOp>(dm, "ReduceOp")
      .value("SUM", dist::ReduceOp::SUM)
      .value("AVG", dist::ReduceOp::AVG)
      .value("PRODUCT", dist::ReduceOp::PRODUCT)
      .value("MIN", dist::ReduceOp::MIN)
      .value("MAX", dist::ReduceOp::MAX)
      .value("BAND", dist::ReduceOp::BAND)
      .value("BOR", dist::ReduceOp::BOR)
      .value("BXOR", dist::ReduceOp::BXOR);

  py::class_<dist::Work, dist::WorkPtr>(dm, "Work")
      .def("wait",
           [](dist::Work& w) {
             py::gil_scoped_release release;
             w.wait();
             return true;
           })
      .def("is_completed", [](const dist::Work& w) { return w.is_completed(); })
      .def("is_success", [](const dist::Work& w) { return w.is_success(); })
      .def("get_future", &dist::Work::get_future)
      .def("_source_rank", &dist::Work::source_rank)
      .def("result", &dist::Work::result)
      .def("__repr__", [](const dist::Work& w) { return "<ember.distributed.Work " + w.description() + ">"; });

  py::class_<dist::ProcessGroup, dist::ProcessGroupPtr>(dm, "ProcessGroup")
      .def("rank", &dist::ProcessGroup::rank)
      .def("size", &dist::ProcessGroup::size)
      .def("name", &dist::ProcessGroup::backend_name)
      .def("global_rank", &dist::ProcessGroup::global_rank)
      .def("group_rank", &dist::ProcessGroup::group_rank)
      .def_property_readonly("timeout", &dist::ProcessGroup::timeout)
      .def("__repr__", [](const dist::ProcessGroup& g) {
        return "<ember.distributed.ProcessGroup " + g.backend_name() + " rank " + std::to_string(g.rank()) + " of " +
               std::to_string(g.size()) + ">";
      });

  dm.def(
      "init_process_group",
      [](const std::string& backend, const std::string& init_method, std::chrono::milliseconds timeout,
         int world_size, int rank) {
        dist::InitOptions o;
        o.backend = backend;
        o.init_method = init_method;
        o.timeout = timeout;
        o.world_size = world_size;
        o.rank = rank;
        py::gil_scoped_release release;
        dist::init_process_group(o);
      },
      py::arg("backend"), py::arg("init_method"), py::arg("timeout"), py::arg("world_size"), py::arg("rank"));
  dm.def("is_initialized", &dist::is_initialized);
  dm.def("is_mpi_available", &dist::is_mpi_available);
  dm.def(
      "destroy_process_group",
      [](const dist::ProcessGroupPtr& g) {
        py::gil_scoped_release release;
        dist::destroy_process_group(g);
      },
      py::arg("group") = nullptr);
  dm.def("default_group", &dist::default_group);
  dm.def("get_rank", &dist::get_rank, py::arg("group") = nullptr);
  dm.def("get_world_size", &dist::get_world_size, py::arg("group") = nullptr);
  dm.def("get_local_rank", &dist::get_local_rank);
  dm.def(
      "new_group",
      [](const std::vector<int>& ranks, std::chrono::milliseconds timeout) {
        py::gil_scoped_release release;
        return dist::new_group(ranks, timeout);
      },
      py::arg("ranks"), py::arg("timeout"));

  using G = const dist::ProcessGroupPtr&;
  dm.def(
      "all_reduce",
      [](Tensor t, dist::ReduceOp op, G g, bool a) { return run(a, [&] { return dist::all_reduce(t, op, g, a); }); },
      py::arg("tensor"), py::arg("op"), py::arg("group"), py::arg("async_op"));
  dm.def(
      "broadcast",
      [](Tensor t, int src, G g, bool a) { return run(a, [&] { return dist::broadcast(t, src, g, a); }); },
      py::arg("tensor"), py::arg("src"), py::arg("group"), py::arg("async_op"));
  dm.def(
      "reduce",
      [](Tensor t, int dst, dist::ReduceOp op, G g, bool a) {
        return run(a, [&] { return dist::reduce(t, dst, op, g, a); });
      },
      py::arg("tensor"), py::arg("dst"), py::arg("op"), py::arg("group"), py::arg("async_op"));
  dm.def(
      "all_gather",
      [](std::vector<Tensor> outs, const Tensor& in, G g, bool a) {
        return run(a, [&] { return dist::all_gather(outs, in, g, a); });
      },
      py::arg("tensor_list"), py::arg("tensor"), py::arg("group"), py::arg("async_op"));
  dm.def(
      "all_gather_into_tensor",
      [](Tensor out, const Tensor& in, G g, bool a) {
        return run(a, [&] { return dist::all_gather_into_tensor(out, in, g, a); });
      },
      py::arg("output_tensor"), py::arg("input_tensor"), py::arg("group"), py::arg("async_op"));
  dm.def(
      "reduce_scatter",
      [](Tensor out, const std::vector<Tensor>& ins, dist::ReduceOp op, G g, bool a) {
        return run(a, [&] { return dist::reduce_scatter(out, ins, op, g, a); });
      },
      py::arg("output"), py::arg("input_list"), py::arg("op"), py::arg("group"), py::arg("async_op"));
  dm.def(
      "reduce_scatter_tensor",
      [](Tensor out, const Tensor& in, dist::ReduceOp op, G g, bool a) {
        return run(a, [&] { return dist::reduce_scatter_tensor(out, in, op, g, a); });
      },
      py::arg("output"), py::arg("input"), py::arg("op"), py::arg("group"), py::arg("async_op"));
  dm.def(
      "gather",
      [](const Tensor& in, std::vector<Tensor> outs, int dst, G g, bool a) {
        return run(a, [&] { return dist::gather(in, outs, dst, g, a); });
      },
      py::arg("tensor"), py::arg("gather_list"), py::arg("dst"), py::arg("group"), py::arg("async_op"));
  dm.def(
      "scatter",
      [](Tensor out, const std::vector<Tensor>& ins, int src, G g, bool a) {
        return run(a, [&] { return dist::scatter(out, ins, src, g, a); });
      },
      py::arg("tensor"), py::arg("scatter_list"), py::arg("src"), py::arg("group"), py::arg("async_op"));
  dm.def(
      "barrier", [](G g, bool a) { return run(a, [&] { return dist::barrier(g, a); }); }, py::arg("group"),
      py::arg("async_op"));
  dm.def(
      "all_to_all",
      [](std::vector<Tensor> outs, const std::vector<Tensor>& ins, G g, bool a) {
        return run(a, [&] { return dist::all_to_all(outs, ins, g, a); });
      },
      py::arg("output_tensor_list"), py::arg("input_tensor_list"), py::arg("group"), py::arg("async_op"));
  dm.def(
      "all_to_all_single",
      [](Tensor out, const Tensor& in, const std::vector<int64_t>& out_splits, const std::vector<int64_t>& in_splits,
         G g, bool a) {
        return run(a, [&] { return dist::all_to_all_single(out, in, out_splits, in_splits, g, a); });
      },
      py::arg("output"), py::arg("input"), py::arg("output_split_sizes"), py::arg("input_split_sizes"),
      py::arg("group"), py::arg("async_op"));
  dm.def(
      "monitored_barrier",
      [](G g, std::chrono::milliseconds timeout, bool wait_all_ranks) {
        py::gil_scoped_release release;
        dist::monitored_barrier(g, timeout, wait_all_ranks);
      },
      py::arg("group"), py::arg("timeout"), py::arg("wait_all_ranks"));
  // ops: (is_send, tensor, peer, tag) tuples of one group (the Python P2POp list, checked there).
  dm.def(
      "batch_isend_irecv",
      [](const std::vector<std::tuple<bool, Tensor, int, int>>& ops, G g) {
        std::vector<dist::P2POp> p2p;
        for (const auto& [is_send, t, peer, tag] : ops)
          p2p.push_back({is_send ? dist::P2POp::Kind::isend : dist::P2POp::Kind::irecv, t, peer, g, tag});
        py::gil_scoped_release release;
        return dist::batch_isend_irecv(p2p);
      },
      py::arg("ops"), py::arg("group"));
  dm.def(
      "isend",
      [](const Tensor& t, int dst, G g, int tag) {
        py::gil_scoped_release release;
        return dist::isend(t, dst, g, tag);
      },
      py::arg("tensor"), py::arg("dst"), py::arg("group"), py::arg("tag"));
  dm.def(
      "irecv",
      [](Tensor t, int src, G g, int tag) {
        py::gil_scoped_release release;
        return dist::irecv(t, src, g, tag);
      },
      py::arg("tensor"), py::arg("src"), py::arg("group"), py::arg("tag"));
  dm.def(
      "irecv_any_source",
      [](Tensor t, G g, int tag) {
        py::gil_scoped_release release;
        return dist::irecv_any_source(t, g, tag);
      },
      py::arg("tensor"), py::arg("group"), py::arg("tag"));
}

}  // namespace ember::python
