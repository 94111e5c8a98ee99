#pragma once
// ember::utils::tensorboard::SummaryWriter: PyTorch's torch.utils.tensorboard.SummaryWriter
// for C++. Writes TensorBoard event files (docs/tensorboard.md) that TensorBoard and
// `ember-board` read.
//
//   #include <ember/utils/tensorboard/summary_writer.h>   // link ember::tensorboard
//   ember::utils::tensorboard::SummaryWriter writer;      // runs/Dec04_17-40-00_host
//   writer.add_scalar("loss", loss.item<double>(), step);
//   writer.add_images("samples", batch.data, step);     // [N, C, H, W], float in [0, 1] or uint8
//
// Every add_* queues its event and returns; a background thread writes them (Note [Event
// writer thread] in event_file_writer.h). The destructor flushes and closes (RAII).
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "ember/core/tensor.h"
#include "ember/autograd/grad_mode.h"
#include "ember/nn/module.h"

namespace ember::utils::tensorboard {

class EventFileWriter;

using Step = std::optional<int64_t>;      // global_step; nullopt writes no step (PyTorch's None)
using WallTime = std::optional<double>;   // walltime; nullopt is the time of the call
using HistogramBins = std::variant<std::string, int64_t>;
using HParamValue = std::variant<double, int64_t, bool, std::string>;

// What add_graph records of a forward pass (built by the add_graph template below).
struct GraphTrace {
  std::string model_name;                                  // "Net"
  std::vector<std::pair<std::string, Tensor>> parameters;  // named_parameters()
  std::vector<std::pair<std::string, Tensor>> outputs;     // submodule path ("conv1") -> its output
  std::vector<std::pair<std::string, std::vector<Tensor>>> module_inputs;  // submodule path -> its inputs
  std::vector<Tensor> inputs;                              // leaves that require grad
  std::vector<Tensor> results;                             // the model's outputs
};

// add_custom_scalars' layout: categories in order, each with its charts. A chart is a
// Multiline chart of tag regular expressions, or (margin) a Margin chart of exactly three
// tags: value, lower bound, upper bound.
struct CustomScalarChart {
  std::string title;
  bool margin = false;
  std::vector<std::string> tags;
};
using CustomScalarLayout = std::vector<std::pair<std::string, std::vector<CustomScalarChart>>>;

// One node of add_onnx_graph: a graph input or output (op "Variable", ONNX element type and
// shape) or an operator (its output name, op type, inputs and its attributes as one string).
struct OnnxGraphNode {
  std::string name, op;
  std::vector<std::string> inputs;
  int elem_type = 0;
  std::vector<int64_t> shape;
  std::optional<std::string> parameters;  // set for operators
};

class SummaryWriter {
 public:
  // log_dir empty: runs/<Mon><DD>_<HH>-<MM>-<SS>_<hostname><comment>. Creates the directory
  // and the event file now, so an unwritable place is an error here (ember::Error).
  explicit SummaryWriter(std::string log_dir = "", std::string comment = "", Step purge_step = std::nullopt,
                         int64_t max_queue = 10, double flush_secs = 120, std::string filename_suffix = "");
  ~SummaryWriter();
  SummaryWriter(const SummaryWriter&) = delete;
  SummaryWriter& operator=(const SummaryWriter&) = delete;

  const std::string& get_logdir() const { return log_dir_; }

  // Old-style scalar (simple_value, float32); non-finite values are written as they are.
  // new_style writes a rank-0 tensor with the "scalars" plugin (DT_DOUBLE if double_precision).
  void add_scalar(const std::string& tag, double value, Step global_step = std::nullopt,
                  WallTime walltime = std::nullopt, bool new_style = false, bool double_precision = false);
  void add_scalar(const std::string& tag, const Tensor& value, Step global_step = std::nullopt,
                  WallTime walltime = std::nullopt, bool new_style = false, bool double_precision = false);
  // One run per entry, in <log_dir>/<main_tag>_<tag>, each value tagged main_tag.
  void add_scalars(const std::string& main_tag, const std::vector<std::pair<std::string, double>>& tag_scalar_dict,
                   Step global_step = std::nullopt, WallTime walltime = std::nullopt);
  void add_histogram(const std::string& tag, const Tensor& values, Step global_step = std::nullopt,
                     HistogramBins bins = std::string("tensorflow"), WallTime walltime = std::nullopt,
                     std::optional<int64_t> max_bins = std::nullopt);
  void add_histogram_raw(const std::string& tag, double min, double max, double num, double sum, double sum_squares,
                         const std::vector<double>& bucket_limits, const std::vector<double>& bucket_counts,
                         Step global_step = std::nullopt, WallTime walltime = std::nullopt);
  void add_image(const std::string& tag, const Tensor& img_tensor, Step global_step = std::nullopt,
                 WallTime walltime = std::nullopt, const std::string& dataformats = "CHW");
  void add_images(const std::string& tag, const Tensor& img_tensor, Step global_step = std::nullopt,
                  WallTime walltime = std::nullopt, const std::string& dataformats = "NCHW");
  void add_text(const std::string& tag, const std::string& text_string, Step global_step = std::nullopt,
                WallTime walltime = std::nullopt);
  void add_pr_curve(const std::string& tag, const Tensor& labels, const Tensor& predictions,
                    Step global_step = std::nullopt, int64_t num_thresholds = 127, const Tensor& weights = {},
                    WallTime walltime = std::nullopt);
  // Audio: samples in [-1, 1] that squeeze to 1-D, as mono 16-bit PCM WAV. Returns true when
  // samples outside [-1, 1] were clipped (PyTorch prints a warning then); NaN is written as 0.
  bool add_audio(const std::string& tag, const Tensor& snd_tensor, Step global_step = std::nullopt,
                 double sample_rate = 44100, WallTime walltime = std::nullopt);
  // Video [N, T, C, H, W] (float in [0, 1] or uint8): the N videos tiled per frame (a power-of-two
  // grid, as PyTorch) and written as an animated GIF at fps frames per second.
  void add_video(const std::string& tag, const Tensor& vid_tensor, Step global_step = std::nullopt,
                 double fps = 4, WallTime walltime = std::nullopt);
  // A PR curve from precomputed 1-D rows of one length; num_thresholds only labels the curve.
  void add_pr_curve_raw(const std::string& tag, const Tensor& true_positive_counts,
                        const Tensor& false_positive_counts, const Tensor& true_negative_counts,
                        const Tensor& false_negative_counts, const Tensor& precision, const Tensor& recall,
                        Step global_step = std::nullopt, int64_t num_thresholds = 127,
                        WallTime walltime = std::nullopt);
  // The custom_scalars plugin's layout (an event without a step); call it once per writer.
  void add_custom_scalars(const CustomScalarLayout& layout);
  void add_custom_scalars_multilinechart(const std::vector<std::string>& tags, const std::string& category = "default",
                                         const std::string& title = "untitled");
  void add_custom_scalars_marginchart(const std::vector<std::string>& tags, const std::string& category = "default",
                                      const std::string& title = "untitled");
  // A mesh or point cloud: vertices, colors, faces [B, N, 3] (colors and faces optional);
  // config_json: the ThreeJS configuration as a JSON object ("{}" for none).
  void add_mesh(const std::string& tag, const Tensor& vertices, const Tensor& colors = {}, const Tensor& faces = {},
                const std::string& config_json = "{}", Step global_step = std::nullopt,
                WallTime walltime = std::nullopt);
  // The graph of an ONNX model, as its nodes (Python's add_onnx_graph reads them with onnx).
  void add_onnx_graph(const std::vector<OnnxGraphNode>& nodes);
  // Writes to <log_dir>/<run_name> (default: the time as Python's str(time.time())).
  void add_hparams(const std::vector<std::pair<std::string, HParamValue>>& hparam_dict,
                   const std::vector<std::pair<std::string, double>>& metric_dict,
                   const std::map<std::string, std::vector<HParamValue>>& hparam_domain_discrete = {},
                   const std::string& run_name = "");
  // The projector's files: <log_dir>/<step:05d>/<tag>/tensors.tsv (+ metadata.tsv,
  // sprite.png) and an entry appended to <log_dir>/projector_config.pbtxt.
  void add_embedding(const Tensor& mat, const std::vector<std::string>& metadata = {},
                     const Tensor& label_img = {}, Step global_step = std::nullopt,
                     const std::string& tag = "default", const std::vector<std::string>& metadata_header = {});
  // metadata with several columns: rows of cells under metadata_header.
  void add_embedding(const Tensor& mat, const std::vector<std::vector<std::string>>& metadata,
                     const std::vector<std::string>& metadata_header, const Tensor& label_img = {},
                     Step global_step = std::nullopt, const std::string& tag = "default");
  // The graph of one forward pass of `model` on `input`, from its autograd history, with
  // nodes grouped by the submodule that produced them.
  template <class ModuleHolder>
  void add_graph(ModuleHolder& model, const Tensor& input);
  void add_graph_trace(const GraphTrace& trace);

  // Everything queued so far is in the files when flush returns.
  void flush();
  // Flushes and closes the files; a later add_* opens a new file, as PyTorch's does.
  void close();

 private:
  EventFileWriter& file_writer();
  void add_summary_event(const std::string& serialized_summary, Step step, WallTime walltime);

  std::string log_dir_, filename_suffix_;
  Step purge_step_;
  int64_t max_queue_;
  double flush_secs_;
  std::unique_ptr<EventFileWriter> writer_;
  std::map<std::string, std::unique_ptr<EventFileWriter>> scalar_writers_;  // add_scalars' runs
  std::string projector_config_;  // every add_embedding so far, rewritten whole each time
};

template <class ModuleHolder>
void SummaryWriter::add_graph(ModuleHolder& model, const Tensor& input) {
  nn::Module& root = *model.ptr();
  GraphTrace trace;
  trace.model_name = root.python_name();
  for (const auto& item : root.named_parameters()) trace.parameters.emplace_back(item.key(), item.value());
  std::vector<nn::HookHandle> hooks;
  for (const auto& item : root.named_modules("", /*include_self=*/false)) {
    const std::string path = item.key();
    hooks.push_back(item.value()->register_forward_pre_hook(
        [&trace, path](nn::Module&, std::vector<Tensor>& in) { trace.module_inputs.emplace_back(path, in); }));
    hooks.push_back(item.value()->register_forward_hook(
        [&trace, path](nn::Module&, const std::vector<Tensor>&, Tensor& out) { trace.outputs.emplace_back(path, out); }));
  }
  Tensor x = input.detach().requires_grad_(true);
  trace.inputs.push_back(x);
  Tensor y;
  {
    AutoGradMode grad_on(true);
    y = model(x);
  }
  for (auto& h : hooks) h.remove();
  trace.results.push_back(y);
  add_graph_trace(trace);
}

}  // namespace ember::utils::tensorboard
