// ember._C._tensorboard: the C++ SummaryWriter behind ember.utils.tensorboard. The Python
// class (python/ember/utils/tensorboard/writer.py) parses torch's arguments (NumPy arrays,
// Python numbers, modules) and calls these with tensors, floats and strings; add_scalar is
// bound directly so that a logging call inside a training step stays in the microseconds.
#include <pybind11/stl.h>

#include <cstring>
#include <optional>
#include <string>

#include "ember/utils/tensorboard/crc32c.h"
#include "ember/utils/tensorboard/event_reader.h"
#include "ember/utils/tensorboard/summary.h"
#include "ember/utils/tensorboard/summary_writer.h"
#include "python/src/bind_common.h"

namespace ember::python {

namespace tb = ember::utils::tensorboard;

namespace {

py::bytes as_bytes(const std::vector<double>& v) {
  return py::bytes(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(double));
}

// The float values of a tensor, from float_val/double_val or its raw content.
std::vector<double> tensor_floats(const tb::TensorProto& t) {
  std::vector<double> out;
  for (float f : t.float_val()) out.push_back(f);
  for (double d : t.double_val()) out.push_back(d);
  const std::string& c = t.tensor_content();
  if (out.empty() && t.dtype() == tb::DT_FLOAT)
    for (size_t i = 0; i + 4 <= c.size(); i += 4) {
      float f;
      std::memcpy(&f, c.data() + i, 4);
      out.push_back(f);
    }
  if (out.empty() && t.dtype() == tb::DT_DOUBLE)
    for (size_t i = 0; i + 8 <= c.size(); i += 8) {
      double d;
      std::memcpy(&d, c.data() + i, 8);
      out.push_back(d);
    }
  return out;
}

py::object struct_value(const google::protobuf::Value& v) {
  switch (v.kind_case()) {
    case google::protobuf::Value::kNumberValue: return py::float_(v.number_value());
    case google::protobuf::Value::kStringValue: return py::str(v.string_value());
    case google::protobuf::Value::kBoolValue: return py::bool_(v.bool_value());
    default: return py::none();
  }
}

// One non-scalar record as the dashboard's dict (kind, tag, step, wall_time, and the data).
py::dict other_record(const tb::OtherRecord& o) {
  py::dict d;
  d["step"] = o.step;
  d["wall_time"] = o.wall_time;
  if (!o.graph_def.empty()) {
    d["kind"] = "graph";
    tb::GraphDef g;
    if (!g.ParseFromString(o.graph_def)) {
      d["kind"] = "invalid";
      return d;
    }
    py::list nodes;
    for (const auto& n : g.node()) {
      py::list inputs;
      for (const auto& i : n.input()) inputs.append(i);
      std::string shape;
      auto it = n.attr().find("_output_shapes");
      if (it != n.attr().end() && it->second.list().shape_size() > 0) {
        for (const auto& dim : it->second.list().shape(0).dim())
          shape += (shape.empty() ? "" : "x") + std::to_string(dim.size());
      }
      nodes.append(py::make_tuple(n.name(), n.op(), inputs, shape));
    }
    d["nodes"] = nodes;
    return d;
  }
  const tb::Summary::Value& v = o.value;
  d["tag"] = v.tag();
  const std::string& plugin = v.metadata().plugin_data().plugin_name();
  if (v.value_case() == tb::Summary::Value::kImage) {
    d["kind"] = "image";
    d["images"] = py::make_tuple(py::bytes(v.image().encoded_image_string()));
    d["width"] = v.image().width();
    d["height"] = v.image().height();
  } else if (v.value_case() == tb::Summary::Value::kAudio) {
    const auto& a = v.audio();
    d["kind"] = "audio";
    d["audio"] = py::bytes(a.encoded_audio_string());
    d["content_type"] = a.content_type().empty() ? std::string("audio/wav") : a.content_type();
    d["sample_rate"] = a.sample_rate();
    d["length_frames"] = a.length_frames();
  } else if (v.value_case() == tb::Summary::Value::kHisto) {
    const auto& h = v.histo();
    d["kind"] = "histogram";
    d["min"] = h.min();
    d["max"] = h.max();
    d["num"] = h.num();
    d["sum"] = h.sum();
    d["limits"] = std::vector<double>(h.bucket_limit().begin(), h.bucket_limit().end());
    d["counts"] = std::vector<double>(h.bucket().begin(), h.bucket().end());
  } else if (plugin == "histograms" && v.value_case() == tb::Summary::Value::kTensor) {
    // TensorBoard 2's histograms: a [k, 3] tensor of (left edge, right edge, count).
    std::vector<double> x = tensor_floats(v.tensor()), limits, counts;
    for (size_t i = 0; i + 3 <= x.size(); i += 3) {
      limits.push_back(x[i + 1]);
      counts.push_back(x[i + 2]);
    }
    d["kind"] = "histogram";
    double num = 0;
    for (double c : counts) num += c;
    d["num"] = num;
    d["min"] = x.empty() ? 0.0 : x[0];
    d["max"] = x.empty() ? 0.0 : x[x.size() - 2];
    d["limits"] = limits;
    d["counts"] = counts;
  } else if (plugin == "images" && v.value_case() == tb::Summary::Value::kTensor) {
    // TensorBoard 2's images: string tensor [width, height, png, png, ...].
    const auto& sv = v.tensor().string_val();
    d["kind"] = "image";
    py::list pngs;
    for (int i = 2; i < sv.size(); ++i) pngs.append(py::bytes(sv.Get(i)));
    d["images"] = py::tuple(pngs);
    d["width"] = sv.size() > 0 ? std::atoi(sv.Get(0).c_str()) : 0;
    d["height"] = sv.size() > 1 ? std::atoi(sv.Get(1).c_str()) : 0;
  } else if (plugin == "text") {
    d["kind"] = "text";
    std::string text;
    for (const auto& s : v.tensor().string_val()) text += (text.empty() ? "" : "\n") + s;
    d["text"] = py::bytes(text).attr("decode")("utf-8", "replace");
  } else if (plugin == "pr_curves") {
    d["kind"] = "pr_curve";
    d["data"] = tensor_floats(v.tensor());
    d["rows"] = v.tensor().tensor_shape().dim_size() == 2 ? v.tensor().tensor_shape().dim(1).size() : 0;
  } else if (plugin == "hparams") {
    tb::HParamsPluginData h;
    d["kind"] = "hparams";
    if (!h.ParseFromString(v.metadata().plugin_data().content())) {
      d["kind"] = "invalid";
    } else if (h.has_session_start_info()) {
      py::dict values;
      for (const auto& [k, x] : h.session_start_info().hparams()) values[py::str(k)] = struct_value(x);
      d["hparams"] = values;
    } else if (h.has_experiment()) {
      py::list names, metrics;
      for (const auto& i : h.experiment().hparam_infos()) names.append(i.name());
      for (const auto& m : h.experiment().metric_infos()) metrics.append(m.name().tag());
      d["hparam_names"] = names;
      d["metric_tags"] = metrics;
    }
  } else {
    d["kind"] = "other";
    d["plugin"] = plugin;
  }
  return d;
}

py::dict read_events(const std::string& path, uint64_t offset) {
  tb::ReadResult r;
  {
    py::gil_scoped_release release;
    r = tb::read_event_file(path, offset);
  }
  py::dict out;
  out["end_offset"] = r.end_offset;
  out["incomplete_tail"] = r.incomplete_tail;
  out["records"] = r.records;
  out["warnings"] = r.warnings;
  py::dict scalars;
  for (const auto& [tag, s] : r.scalars)
    scalars[py::str(tag)] = py::make_tuple(as_bytes(s.steps), as_bytes(s.wall_times), as_bytes(s.values));
  out["scalars"] = scalars;
  py::list others;
  for (const auto& o : r.others) others.append(other_record(o));
  out["others"] = others;
  return out;
}

}  // namespace

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
      .def("add_audio",  // returns whether samples were clipped (Python prints PyTorch's warning)
           [](tb::SummaryWriter& w, const std::string& tag, const Tensor& snd, std::optional<int64_t> step,
              double sample_rate, std::optional<double> walltime) {
             return w.add_audio(tag, snd, step, sample_rate, walltime);
           })
      .def("add_video",
           [](tb::SummaryWriter& w, const std::string& tag, const Tensor& video, std::optional<int64_t> step,
              double fps, std::optional<double> walltime) {
             py::gil_scoped_release release;  // GIF encoding
             w.add_video(tag, video, step, fps, walltime);
           })
      .def("add_pr_curve_raw", &tb::SummaryWriter::add_pr_curve_raw)
      // layout: [(category, [(title, is_margin, [tags])])]
      .def("add_custom_scalars",
           [](tb::SummaryWriter& w,
              const std::vector<std::pair<std::string, std::vector<std::tuple<std::string, bool, std::vector<std::string>>>>>&
                  layout) {
             tb::CustomScalarLayout l;
             for (const auto& [category, charts] : layout) {
               auto& out = l.emplace_back(category, std::vector<tb::CustomScalarChart>{}).second;
               for (const auto& [title, margin, tags] : charts) out.push_back({title, margin, tags});
             }
             w.add_custom_scalars(l);
           })
      .def("add_mesh",
           [](tb::SummaryWriter& w, const std::string& tag, std::optional<Tensor> vertices, std::optional<Tensor> colors,
              std::optional<Tensor> faces, const std::string& config_json, std::optional<int64_t> step,
              std::optional<double> walltime) {
             w.add_mesh(tag, vertices ? *vertices : Tensor(), colors ? *colors : Tensor(), faces ? *faces : Tensor(),
                        config_json, step, walltime);
           })
      // nodes: [(name, op, inputs, elem_type, shape, parameters or None)]
      .def("add_onnx_graph",
           [](tb::SummaryWriter& w,
              const std::vector<std::tuple<std::string, std::string, std::vector<std::string>, int,
                                           std::vector<int64_t>, std::optional<std::string>>>& nodes) {
             std::vector<tb::OnnxGraphNode> out;
             for (const auto& [name, op, inputs, elem_type, shape, parameters] : nodes)
               out.push_back({name, op, inputs, elem_type, shape, parameters});
             w.add_onnx_graph(out);
           })
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

  // ember-board's reader (Note [Reading untrusted event files]): the records of `path` after
  // `offset`; scalars as columns of float64 bytes per tag, everything else as dicts.
  // add_image_with_boxes draws on the image PyTorch's add_image would log: this conversion.
  sub.def("image_to_hwc_uint8", &tb::image_to_hwc_uint8, py::arg("image"), py::arg("dataformats"));
  sub.def("read_events", &read_events, py::arg("path"), py::arg("offset") = 0);
  sub.def("crc32c", [](py::bytes b) {
    std::string s = b;
    return tb::crc32c(s.data(), s.size());
  });
}

}  // namespace ember::python
