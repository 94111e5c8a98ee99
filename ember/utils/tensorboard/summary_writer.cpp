#include "ember/utils/tensorboard/summary_writer.h"

#include <cmath>
#include <ctime>
#include <cstdio>

#include "ember/core/error.h"
#include "ember/utils/tensorboard/event_file_writer.h"
#include "ember/utils/tensorboard/record_writer.h"
#include "ember/utils/tensorboard/summary.h"

namespace ember::utils::tensorboard {
namespace {

// runs/<Mon><DD>_<HH>-<MM>-<SS>_<hostname><comment>, datetime.now().strftime("%b%d_%H-%M-%S").
std::string default_log_dir(const std::string& comment) {
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%s%02d_%02d-%02d-%02d", kMonths[local.tm_mon], local.tm_mday, local.tm_hour,
                local.tm_min, local.tm_sec);
  return std::string("runs/") + buf + "_" + hostname() + comment;
}

// Python's str(float) for the default hparams run name: the shortest repr.
std::string python_float_str(double x) {
  char buf[64];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof(buf), "%.*g", precision, x);
    if (std::strtod(buf, nullptr) == x) break;
  }
  std::string s = buf;
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return s;
}

}  // namespace

SummaryWriter::SummaryWriter(std::string log_dir, std::string comment, Step purge_step, int64_t max_queue,
                             double flush_secs, std::string filename_suffix)
    : log_dir_(log_dir.empty() ? default_log_dir(comment) : std::move(log_dir)),
      filename_suffix_(std::move(filename_suffix)),
      purge_step_(purge_step),
      max_queue_(max_queue),
      flush_secs_(flush_secs) {
  file_writer();  // the directory and the file exist once the constructor returns
}

SummaryWriter::~SummaryWriter() {
  try {
    close();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "SummaryWriter: %s\n", e.what());
  }
}

EventFileWriter& SummaryWriter::file_writer() {
  if (!writer_) {
    writer_ = std::make_unique<EventFileWriter>(log_dir_, max_queue_, flush_secs_, filename_suffix_);
    if (purge_step_) {
      // TensorBoard hides the events with step >= purge_step written before this restart.
      const double now = wall_time_now();
      Event version;
      version.set_wall_time(now);
      version.set_step(*purge_step_);
      version.set_file_version("brain.Event:2");
      writer_->add_event(version.SerializeAsString());
      Event start;
      start.set_wall_time(now);
      start.set_step(*purge_step_);
      start.mutable_session_log()->set_status(SessionLog::START);
      writer_->add_event(start.SerializeAsString());
      purge_step_.reset();
    }
  }
  return *writer_;
}

void SummaryWriter::add_summary_event(const std::string& serialized_summary, Step step, WallTime walltime) {
  // Event{wall_time, step, summary}: the summary bytes are appended as field 5 directly,
  // which is what Event.summary's encoding is, without re-parsing them.
  Event e;
  e.set_wall_time(walltime ? *walltime : wall_time_now());
  if (step) e.set_step(*step);
  std::string bytes = e.SerializeAsString();
  bytes.push_back(static_cast<char>((5 << 3) | 2));
  size_t n = serialized_summary.size();
  do {
    unsigned char b = n & 0x7F;
    n >>= 7;
    bytes.push_back(static_cast<char>(n ? b | 0x80 : b));
  } while (n);
  bytes += serialized_summary;
  file_writer().add_event(std::move(bytes));
}

void SummaryWriter::add_scalar(const std::string& tag, double value, Step global_step, WallTime walltime,
                               bool new_style, bool double_precision) {
  if (!new_style) {
    file_writer().add_scalar(tag, static_cast<float>(value), global_step.value_or(0), global_step.has_value(),
                             walltime ? *walltime : wall_time_now());
    return;
  }
  Summary s;
  auto* v = s.add_value();
  v->set_tag(tag);
  v->mutable_metadata()->mutable_plugin_data()->set_plugin_name("scalars");
  auto* t = v->mutable_tensor();
  if (double_precision) {
    t->set_dtype(DT_DOUBLE);
    t->add_double_val(value);
  } else {
    t->set_dtype(DT_FLOAT);
    t->add_float_val(static_cast<float>(value));
  }
  add_summary_event(s.SerializeAsString(), global_step, walltime);
}

void SummaryWriter::add_scalar(const std::string& tag, const Tensor& value, Step global_step, WallTime walltime,
                               bool new_style, bool double_precision) {
  EMBER_CHECK_VALUE(value.defined() && value.numel() == 1, "scalar should be 0D, got a tensor of shape ",
                    value.defined() ? value.sizes() : IntArrayRef{});
  add_scalar(tag, value.detach().cpu().to(kFloat64).item<double>(), global_step, walltime, new_style,
             double_precision);
}

void SummaryWriter::add_scalars(const std::string& main_tag,
                                const std::vector<std::pair<std::string, double>>& tag_scalar_dict, Step global_step,
                                WallTime walltime) {
  const double now = walltime ? *walltime : wall_time_now();
  std::string prefix = main_tag;
  for (char& c : prefix)
    if (c == '/') c = '_';
  for (const auto& [tag, value] : tag_scalar_dict) {
    const std::string dir = log_dir_ + "/" + prefix + "_" + tag;
    auto& w = scalar_writers_[dir];
    if (!w) w = std::make_unique<EventFileWriter>(dir, max_queue_, flush_secs_, filename_suffix_);
    w->add_scalar(main_tag, static_cast<float>(value), global_step.value_or(0), global_step.has_value(), now);
  }
}

void SummaryWriter::add_histogram(const std::string& tag, const Tensor& values, Step global_step,
                                  HistogramBins bins, WallTime walltime, std::optional<int64_t> max_bins) {
  Summary s;
  auto* v = s.add_value();
  v->set_tag(tag);
  *v->mutable_histo() = make_histogram(values, bins, max_bins);
  add_summary_event(s.SerializeAsString(), global_step, walltime);
}

void SummaryWriter::add_histogram_raw(const std::string& tag, double min, double max, double num, double sum,
                                      double sum_squares, const std::vector<double>& bucket_limits,
                                      const std::vector<double>& bucket_counts, Step global_step, WallTime walltime) {
  EMBER_CHECK_VALUE(bucket_limits.size() == bucket_counts.size(),
                    "len(bucket_limits) != len(bucket_counts), see the document.");
  Summary s;
  auto* v = s.add_value();
  v->set_tag(tag);
  auto* h = v->mutable_histo();
  h->set_min(min);
  h->set_max(max);
  h->set_num(num);
  h->set_sum(sum);
  h->set_sum_squares(sum_squares);
  for (double x : bucket_limits) h->add_bucket_limit(x);
  for (double x : bucket_counts) h->add_bucket(x);
  add_summary_event(s.SerializeAsString(), global_step, walltime);
}

void SummaryWriter::add_image(const std::string& tag, const Tensor& img_tensor, Step global_step, WallTime walltime,
                              const std::string& dataformats) {
  Summary s;
  auto* v = s.add_value();
  v->set_tag(tag);
  *v->mutable_image() = make_image(image_to_hwc_uint8(img_tensor, dataformats));
  add_summary_event(s.SerializeAsString(), global_step, walltime);
}

void SummaryWriter::add_images(const std::string& tag, const Tensor& img_tensor, Step global_step, WallTime walltime,
                               const std::string& dataformats) {
  add_image(tag, img_tensor, global_step, walltime, dataformats);
}

void SummaryWriter::add_text(const std::string& tag, const std::string& text_string, Step global_step,
                             WallTime walltime) {
  Summary s;
  *s.add_value() = text_value(tag, text_string);
  add_summary_event(s.SerializeAsString(), global_step, walltime);
}

void SummaryWriter::add_pr_curve(const std::string& tag, const Tensor& labels, const Tensor& predictions,
                                 Step global_step, int64_t num_thresholds, const Tensor& weights, WallTime walltime) {
  Summary s;
  *s.add_value() = pr_curve_value(tag, labels, predictions, num_thresholds, weights);
  add_summary_event(s.SerializeAsString(), global_step, walltime);
}

bool SummaryWriter::add_audio(const std::string& tag, const Tensor& snd_tensor, Step global_step, double sample_rate,
                              WallTime walltime) {
  bool clipped = false;
  Summary s;
  *s.add_value() = audio_value(tag, snd_tensor, sample_rate, &clipped);
  add_summary_event(s.SerializeAsString(), global_step, walltime);
  return clipped;
}

void SummaryWriter::add_video(const std::string& tag, const Tensor& vid_tensor, Step global_step, double fps,
                              WallTime walltime) {
  Summary s;
  *s.add_value() = video_value(tag, vid_tensor, fps);
  add_summary_event(s.SerializeAsString(), global_step, walltime);
}

void SummaryWriter::add_pr_curve_raw(const std::string& tag, const Tensor& true_positive_counts,
                                     const Tensor& false_positive_counts, const Tensor& true_negative_counts,
                                     const Tensor& false_negative_counts, const Tensor& precision,
                                     const Tensor& recall, Step global_step, int64_t num_thresholds,
                                     WallTime walltime) {
  Summary s;
  *s.add_value() = pr_curve_raw_value(tag,
                                      {true_positive_counts, false_positive_counts, true_negative_counts,
                                       false_negative_counts, precision, recall},
                                      num_thresholds);
  add_summary_event(s.SerializeAsString(), global_step, walltime);
}

void SummaryWriter::add_custom_scalars(const CustomScalarLayout& layout) {
  Summary s;
  *s.add_value() = custom_scalars_value(layout);
  add_summary_event(s.SerializeAsString(), std::nullopt, std::nullopt);
}

void SummaryWriter::add_custom_scalars_multilinechart(const std::vector<std::string>& tags,
                                                      const std::string& category, const std::string& title) {
  add_custom_scalars({{category, {CustomScalarChart{title, false, tags}}}});
}

void SummaryWriter::add_custom_scalars_marginchart(const std::vector<std::string>& tags, const std::string& category,
                                                   const std::string& title) {
  add_custom_scalars({{category, {CustomScalarChart{title, true, tags}}}});
}

void SummaryWriter::add_mesh(const std::string& tag, const Tensor& vertices, const Tensor& colors, const Tensor& faces,
                             const std::string& config_json, Step global_step, WallTime walltime) {
  add_summary_event(mesh_summary(tag, vertices, colors, faces, config_json).SerializeAsString(), global_step,
                    walltime);
}

void SummaryWriter::add_onnx_graph(const std::vector<OnnxGraphNode>& nodes) {
  Event e;  // the GraphDef alone, without a step (PyTorch writes no run metadata here)
  e.set_wall_time(wall_time_now());
  e.set_graph_def(onnx_graph_def(nodes).SerializeAsString());
  file_writer().add_event(e.SerializeAsString());
}

void SummaryWriter::add_hparams(const std::vector<std::pair<std::string, HParamValue>>& hparam_dict,
                                const std::vector<std::pair<std::string, double>>& metric_dict,
                                const std::map<std::string, std::vector<HParamValue>>& hparam_domain_discrete,
                                const std::string& run_name) {
  std::vector<std::string> metric_names;
  for (const auto& m : metric_dict) metric_names.push_back(m.first);
  HParamsSummaries h = hparams(hparam_dict, metric_names, hparam_domain_discrete);
  const std::string dir = log_dir_ + "/" + (run_name.empty() ? python_float_str(wall_time_now()) : run_name);
  SummaryWriter run(dir, "", std::nullopt, max_queue_, flush_secs_, filename_suffix_);
  run.add_summary_event(h.experiment.SerializeAsString(), std::nullopt, std::nullopt);
  run.add_summary_event(h.session_start_info.SerializeAsString(), std::nullopt, std::nullopt);
  run.add_summary_event(h.session_end_info.SerializeAsString(), std::nullopt, std::nullopt);
  for (const auto& [name, value] : metric_dict) run.add_scalar(name, value);
}

void SummaryWriter::flush() {
  if (writer_) writer_->flush();
  for (auto& [dir, w] : scalar_writers_) w->flush();
}

void SummaryWriter::close() {
  if (writer_) {
    writer_->close();
    writer_.reset();
  }
  for (auto& [dir, w] : scalar_writers_) w->close();
  scalar_writers_.clear();
}

}  // namespace ember::utils::tensorboard
