// ember._C._tensorboard: the C++ SummaryWriter behind ember.utils.tensorboard. The Python
// class (python/ember/utils/tensorboard/writer.py) parses torch's arguments (NumPy arrays,
// Python numbers, modules) and calls these with tensors, floats and strings; add_scalar is
// bound directly so that a logging call inside a training step stays in the microseconds.
#include <pybind11/stl.h>

#include <optional>
#include <string>

#include "ember/utils/tensorboard/summary_writer.h"
#include "python/src/bind_common.h"

namespace ember::python {

namespace tb = ember::utils::tensorboard;

void init_tensorboard(py::module_& m) {
  py::module_ sub = m.def_submodule("_tensorboard", "ember._C._tensorboard: the event-file writer");
  py::class_<tb::SummaryWriter>(sub, "SummaryWriter")
      .def(py::init<std::string, std::string, std::optional<int64_t>, int64_t, double, std::string>(),
           py::arg("log_dir"), py::arg("comment"), py::arg("purge_step"), py::arg("max_queue"), py::arg("flush_secs"),
           py::arg("filename_suffix"))
      .def("get_logdir", &tb::SummaryWriter::get_logdir)
      .def(
          "add_scalar",
          [](tb::SummaryWriter& w, const std::string& tag, double value, std::optional<int64_t> step,
             std::optional<double> walltime, bool new_style, bool double_precision) {
            w.add_scalar(tag, value, step, walltime, new_style, double_precision);
          },
          py::arg("tag"), py::arg("value"), py::arg("global_step") = py::none(), py::arg("walltime") = py::none(),
          py::arg("new_style") = false, py::arg("double_precision") = false)
      .def("add_scalars", &tb::SummaryWriter::add_scalars)
      .def(
          "add_histogram",
          [](tb::SummaryWriter& w, const std::string& tag, const Tensor& values, std::optional<int64_t> step,
             std::optional<int64_t> bin_count, std::optional<double> walltime, std::optional<int64_t> max_bins) {
            tb::HistogramBins bins = std::string("tensorflow");
            if (bin_count) bins = *bin_count;
            py::gil_scoped_release release;
            w.add_histogram(tag, values, step, bins, walltime, max_bins);
          })
      .def("add_histogram_raw", &tb::SummaryWriter::add_histogram_raw)
      .def("add_image",
           [](tb::SummaryWriter& w, const std::string& tag, const Tensor& img, std::optional<int64_t> step,
              std::optional<double> walltime, const std::string& dataformats) {
             py::gil_scoped_release release;  // PNG encoding
             w.add_image(tag, img, step, walltime, dataformats);
           })
      .def("add_text", &tb::SummaryWriter::add_text)
      .def("add_pr_curve",
           [](tb::SummaryWriter& w, const std::string& tag, const Tensor& labels, const Tensor& predictions,
              std::optional<int64_t> step, int64_t num_thresholds, std::optional<Tensor> weights,
              std::optional<double> walltime) {
             w.add_pr_curve(tag, labels, predictions, step, num_thresholds, weights ? *weights : Tensor(), walltime);
           })
      .def("add_hparams",
           [](tb::SummaryWriter& w, const std::vector<std::pair<std::string, std::variant<double, std::string>>>& hp,
              const std::vector<std::pair<std::string, double>>& metrics,
              const std::map<std::string, std::vector<std::variant<double, std::string>>>& domains,
              const std::string& run_name) {
             auto conv = [](const std::variant<double, std::string>& v) -> tb::HParamValue {
               if (const auto* d = std::get_if<double>(&v)) return *d;
               return std::get<std::string>(v);
             };
             std::vector<std::pair<std::string, tb::HParamValue>> hparams;
             for (const auto& [k, v] : hp) hparams.emplace_back(k, conv(v));
             std::map<std::string, std::vector<tb::HParamValue>> domain;
             for (const auto& [k, vs] : domains)
               for (const auto& v : vs) domain[k].push_back(conv(v));
             w.add_hparams(hparams, metrics, domain, run_name);
           })
      .def("add_embedding",
           [](tb::SummaryWriter& w, const Tensor& mat, const std::vector<std::vector<std::string>>& metadata,
              const std::vector<std::string>& header, std::optional<Tensor> label_img, std::optional<int64_t> step,
              const std::string& tag) {
             w.add_embedding(mat, metadata, header, label_img ? *label_img : Tensor(), step, tag);
           })
      .def("add_graph_trace",
           [](tb::SummaryWriter& w, const std::string& model_name,
              const std::vector<std::pair<std::string, Tensor>>& parameters,
              const std::vector<std::pair<std::string, Tensor>>& outputs,
              const std::vector<std::pair<std::string, std::vector<Tensor>>>& module_inputs,
              const std::vector<Tensor>& inputs, const std::vector<Tensor>& results) {
             tb::GraphTrace t{model_name, parameters, outputs, module_inputs, inputs, results};
             w.add_graph_trace(t);
           })
      .def("flush", &tb::SummaryWriter::flush, py::call_guard<py::gil_scoped_release>())
      .def("close", &tb::SummaryWriter::close, py::call_guard<py::gil_scoped_release>());
}

}  // namespace ember::python
