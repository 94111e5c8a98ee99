// ember._C._metrics: ember's C++ classification metrics (ember/metrics/classification.h),
// behind the scikit-learn-named functions of python/ember/metrics. The Python side
// converts labels (lists, arrays, strings) to integer tensors and handles the options the
// C++ functions lack.
#include <pybind11/stl.h>

#include <optional>
#include <string>

#include "ember/metrics/classification.h"
#include "python/src/bind_common.h"

namespace ember::python {

void init_metrics(py::module_& m) {
  py::module_ mm = m.def_submodule("_metrics", "ember._C._metrics: classification metrics for ember.metrics");
  mm.def(
      "accuracy",
      [](const Tensor& y_true, const Tensor& y_pred) {
        py::gil_scoped_release release;
        return metrics::accuracy(y_true, y_pred);
      },
      py::arg("y_true"), py::arg("y_pred"));
  using Prf = double (*)(const Tensor&, const Tensor&, const std::string&, int64_t, double);
  auto prf = [&](const char* name, Prf f) {
    mm.def(
        name,
        [f](const Tensor& y_true, const Tensor& y_pred, const std::string& average, int64_t pos_label,
            double zero_division) {
          py::gil_scoped_release release;
          return f(y_true, y_pred, average, pos_label, zero_division);
        },
        py::arg("y_true"), py::arg("y_pred"), py::arg("average") = "binary", py::arg("pos_label") = 1,
        py::arg("zero_division") = 0.0);
  };
  prf("precision", &metrics::precision);
  prf("recall", &metrics::recall);
  prf("f1_score", &metrics::f1_score);
  mm.def(
      "confusion_matrix",
      [](const Tensor& y_true, const Tensor& y_pred, std::optional<int64_t> num_classes) {
        py::gil_scoped_release release;
        return metrics::confusion_matrix(y_true, y_pred, num_classes);
      },
      py::arg("y_true"), py::arg("y_pred"), py::arg("num_classes") = py::none());
  mm.def(
      "roc_auc_score",
      [](const Tensor& y_true, const Tensor& y_score) {
        py::gil_scoped_release release;
        return metrics::roc_auc_score(y_true, y_score);
      },
      py::arg("y_true"), py::arg("y_score"));
}

}  // namespace ember::python
