#pragma once
// The summaries of PyTorch's torch/utils/tensorboard/summary.py, as protobuf messages
// (../shared/reference/formats-rng.md 3.6). Internal to the tensorboard library: it names
// the generated tensorboard.pb.h, which users of summary_writer.h never need.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ember/core/tensor.h"
#include "ember/utils/tensorboard/summary_writer.h"
#include "ember/utils/tensorboard/tensorboard.pb.h"

namespace ember::utils::tensorboard {

using HistogramBins = std::variant<std::string, int64_t>;  // "tensorflow" or a bin count
using HParamValue = std::variant<double, int64_t, bool, std::string>;

// TensorBoard's default histogram edges: -v... 0 ...v for v = 1e-12 * 1.1^k below 1e20,
// 1549 edges (repeated multiplication, as SummaryWriter.default_bins computes them).
const std::vector<double>& default_bins();

// make_histogram: numpy's counting over the edges, max_bins merging, trimming to the
// support. Throws ValueError for empty input (or no value inside the edges).
HistogramProto make_histogram(const Tensor& values, const HistogramBins& bins, std::optional<int64_t> max_bins);

// convert_to_HWC + the scaling of summary.image: a uint8 [H, W, C] tensor (C = 3 or 4).
// Formats: any permutation of "NCHW" (tiled as make_grid does), "CHW"/"HWC"..., "HW".
Tensor image_to_hwc_uint8(const Tensor& image, const std::string& dataformats);
Summary::Image make_image(const Tensor& hwc_uint8);

Summary::Value text_value(const std::string& tag, const std::string& text);
// The pr_curves plugin's value without its numbers: the tag, the plugin data naming
// num_thresholds, and an empty float tensor of shape [6, columns] for the rows.
Summary::Value pr_curve_header(const std::string& tag, uint32_t num_thresholds, int64_t columns);
// compute_curve + pr_curve: tensor [6, num_thresholds] (tp, fp, tn, fn, precision, recall).
Summary::Value pr_curve_value(const std::string& tag, const Tensor& labels, const Tensor& predictions,
                              int64_t num_thresholds, const Tensor& weights);

// pr_curve_raw: the six given rows (1-D, one length) as the [6, n] tensor; num_thresholds
// (capped at 127) goes only into the plugin data, as PyTorch's.
Summary::Value pr_curve_raw_value(const std::string& tag, const std::vector<Tensor>& rows, int64_t num_thresholds);

// summary.audio: mono 16-bit PCM WAV. *clipped is set when samples outside [-1, 1] were clipped.
Summary::Value audio_value(const std::string& tag, const Tensor& snd, double sample_rate, bool* clipped);
// summary.video: [N, T, C, H, W] tiled per frame and encoded as an animated GIF (gif.h).
Summary::Value video_value(const std::string& tag, const Tensor& video, double fps);

// summary.custom_scalars: the Layout in a string tensor tagged "custom_scalars__config__".
Summary::Value custom_scalars_value(const CustomScalarLayout& layout);
// summary.mesh: one value per given component (vertices, faces, colors: each [B, N, 3]).
Summary mesh_summary(const std::string& tag, const Tensor& vertices, const Tensor& colors, const Tensor& faces,
                     const std::string& json_config);
// _onnx_graph.parse: the GraphDef of an ONNX graph's inputs, outputs and operators.
GraphDef onnx_graph_def(const std::vector<OnnxGraphNode>& nodes);

// summary.hparams: the experiment, session-start and session-end summaries.
struct HParamsSummaries {
  Summary experiment, session_start_info, session_end_info;
};
HParamsSummaries hparams(const std::vector<std::pair<std::string, HParamValue>>& hparam_dict,
                         const std::vector<std::string>& metric_names,
                         const std::map<std::string, std::vector<HParamValue>>& hparam_domain_discrete);

}  // namespace ember::utils::tensorboard
