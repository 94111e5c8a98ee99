// Automatic mixed precision from Python: torch's autocast state functions (the
// ember.autocast context manager on top is python/ember/amp/autocast_mode.py) and the
// GradScaler primitives (python/ember/cuda/amp/grad_scaler.py).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "ember/ops/amp_scale.h"
#include "ember/ops/autocast.h"
#include "python/src/casters.h"

namespace py = pybind11;

namespace ember::python {

void init_amp(py::module_& m) {
  namespace ac = ember::autocast;
  m.def("is_autocast_enabled", &ac::is_enabled);
  m.def("set_autocast_enabled", &ac::set_enabled);
  m.def("is_autocast_cpu_enabled", &ac::is_cpu_enabled);
  m.def("set_autocast_cpu_enabled", &ac::set_cpu_enabled);
  m.def("get_autocast_gpu_dtype", &ac::get_autocast_gpu_dtype);
  m.def("set_autocast_gpu_dtype", &ac::set_autocast_gpu_dtype);
  m.def("get_autocast_cpu_dtype", &ac::get_autocast_cpu_dtype);
  m.def("set_autocast_cpu_dtype", &ac::set_autocast_cpu_dtype);
  m.def("is_autocast_cache_enabled", &ac::is_autocast_cache_enabled);
  m.def("set_autocast_cache_enabled", &ac::set_autocast_cache_enabled);
  m.def("clear_autocast_cache", &ac::clear_cache);
  m.def("autocast_increment_nesting", &ac::increment_nesting);
  m.def("autocast_decrement_nesting", &ac::decrement_nesting);
  // ember's own, for tests and docs: the policy table and the cache's size.
  m.def("_autocast_policy_table", [] {
    py::list rows;
    for (auto [name, policy] : ac::policy_table()) rows.append(py::make_tuple(name, ac::policy_name(policy)));
    return rows;
  });
  m.def("_autocast_cache_size", &ac::cache_size);

  m.def("_amp_foreach_non_finite_check_and_unscale_",
        [](std::vector<Tensor> grads, Tensor& found_inf, const Tensor& inv_scale) {
          _amp_foreach_non_finite_check_and_unscale_(grads, found_inf, inv_scale);
        }, py::arg("self"), py::arg("found_inf"), py::arg("inv_scale"));
  m.def("_amp_update_scale_", &_amp_update_scale_, py::arg("self"), py::arg("growth_tracker"), py::arg("found_inf"),
        py::arg("scale_growth_factor"), py::arg("scale_backoff_factor"), py::arg("growth_interval"));
}

}  // namespace ember::python
