// The custom_scalars and mesh plugins' summaries and add_pr_curve_raw's tensor, as PyTorch's
// torch/utils/tensorboard/summary.py builds them (custom_scalars, mesh, pr_curve_raw).
#include <cmath>

#include "ember/core/error.h"
#include "ember/utils/tensorboard/summary.h"

namespace ember::utils::tensorboard {

Summary::Value custom_scalars_value(const CustomScalarLayout& layout) {
  Layout proto;
  for (const auto& [category, charts] : layout) {
    Category* cat = proto.add_category();
    cat->set_title(category);
    for (const auto& c : charts) {
      Chart* chart = cat->add_chart();
      chart->set_title(c.title);
      if (c.margin) {
        EMBER_CHECK_VALUE(c.tags.size() == 3, "add_custom_scalars: a Margin chart takes 3 tags (value, lower, upper), ",
                          "chart '", c.title, "' has ", c.tags.size());
        auto* series = chart->mutable_margin()->add_series();
        series->set_value(c.tags[0]);
        series->set_lower(c.tags[1]);
        series->set_upper(c.tags[2]);
      } else {
        for (const auto& tag : c.tags) chart->mutable_multiline()->add_tag(tag);
      }
    }
  }
  Summary::Value v;
  v.set_tag("custom_scalars__config__");
  v.mutable_metadata()->mutable_plugin_data()->set_plugin_name("custom_scalars");
  auto* t = v.mutable_tensor();
  t->set_dtype(DT_STRING);
  t->mutable_tensor_shape();  // present and empty: a rank-0 tensor
  t->add_string_val(proto.SerializeAsString());
  return v;
}

Summary mesh_summary(const std::string& tag, const Tensor& vertices, const Tensor& colors, const Tensor& faces,
                     const std::string& json_config) {
  // Vertices, faces, colors: the order of the values, each tagged with its content type.
  const std::pair<const Tensor*, MeshPluginData::ContentType> parts[] = {
      {&vertices, MeshPluginData::VERTEX}, {&faces, MeshPluginData::FACE}, {&colors, MeshPluginData::COLOR}};
  int32_t components = 0;
  for (const auto& [t, type] : parts)
    if (t->defined()) components |= 1 << type;
  Summary s;
  for (const auto& [t, type] : parts) {
    if (!t->defined()) continue;
    if (t->dim() != 3) {
      std::string shape = "torch.Size([";
      for (int64_t i = 0; i < t->dim(); ++i) shape += (i ? ", " : "") + std::to_string(t->size(i));
      EMBER_CHECK_VALUE(false, "Tensor shape should be of shape BxNx3, but got ", shape, "]).");
    }
    MeshPluginData data;
    data.set_version(0);
    data.set_name(tag);
    data.set_content_type(type);
    data.set_json_config(json_config);
    for (int64_t d : t->sizes()) data.add_shape(static_cast<int32_t>(d));
    data.set_components(components);
    Summary::Value* v = s.add_value();
    v->set_tag(tag + "_" + MeshPluginData::ContentType_Name(type));
    auto* plugin = v->mutable_metadata()->mutable_plugin_data();
    plugin->set_plugin_name("mesh");
    plugin->set_content(data.SerializeAsString());
    auto* proto = v->mutable_tensor();
    proto->set_dtype(DT_FLOAT);
    for (int64_t d : t->sizes()) proto->mutable_tensor_shape()->add_dim()->set_size(d);
    Tensor f = t->detach().cpu().to(kFloat32).contiguous();
    const float* p = f.data_ptr<float>();
    proto->mutable_float_val()->Add(p, p + f.numel());
  }
  return s;
}

Summary::Value pr_curve_raw_value(const std::string& tag, const std::vector<Tensor>& rows, int64_t num_thresholds) {
  EMBER_CHECK_VALUE(rows.size() == 6, "add_pr_curve_raw: expected 6 rows, got ", rows.size());
  for (const Tensor& r : rows) {
    EMBER_CHECK_VALUE(r.defined() && r.dim() == 1,
                      "add_pr_curve_raw: the counts, precision and recall must be 1-D, got shape ",
                      r.defined() ? r.sizes() : IntArrayRef{});
    EMBER_CHECK_VALUE(r.sizes() == rows[0].sizes(), "all input arrays must have the same shape");
  }
  // num_thresholds is capped at 127 in the plugin data only, as PyTorch's.
  Summary::Value v =
      pr_curve_header(tag, static_cast<uint32_t>(std::min<int64_t>(num_thresholds, 127)), rows[0].size(0));
  auto* t = v.mutable_tensor();
  for (const Tensor& r : rows) {
    Tensor f = r.detach().cpu().to(kFloat32).contiguous();
    const float* p = f.data_ptr<float>();
    t->mutable_float_val()->Add(p, p + f.numel());
  }
  return v;
}

GraphDef onnx_graph_def(const std::vector<OnnxGraphNode>& nodes) {
  GraphDef g;
  g.mutable_versions()->set_producer(22);
  for (const auto& n : nodes) {
    NodeDef* def = g.add_node();
    def->set_name(n.name);
    def->set_op(n.op);
    for (const auto& i : n.inputs) def->add_input(i);
    auto& attr = *def->mutable_attr();
    if (n.parameters) {
      attr["parameters"].set_s(*n.parameters);
    } else {
      // ONNX's element type number, written as it is (PyTorch does the same).
      attr["dtype"].set_type(static_cast<DataType>(n.elem_type));
      auto* shape = attr["shape"].mutable_shape();
      for (int64_t d : n.shape) shape->add_dim()->set_size(d);
    }
  }
  return g;
}

}  // namespace ember::utils::tensorboard
